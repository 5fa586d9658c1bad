/**
 * Host byte order and byte-wise integer access. Netlink is host-endian; an
 * attribute flagged `NLA_F_NET_BYTEORDER` is big-endian. Byte-wise access is
 * cheaper than creating a `DataView` (an allocation) for a few fields.
 *
 * @module
 */

/** True when this machine stores numbers little-endian, as netlink's host byte order. */
export const HOST_LITTLE_ENDIAN: boolean =
  new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes a u16 in the given order (true: little-endian). */
export function put16(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (le) {
    b[o] = v;
    b[o + 1] = v >>> 8;
  } else {
    b[o] = v >>> 8;
    b[o + 1] = v;
  }
}

/** Writes a u32 (or the bits of an i32) in the given order (true: little-endian). */
export function put32(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (le) {
    b[o] = v;
    b[o + 1] = v >>> 8;
    b[o + 2] = v >>> 16;
    b[o + 3] = v >>> 24;
  } else {
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
  }
}

/** Reads a u16 in the given order (true: little-endian). */
export function get16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

/** Reads 32 bits in the given order (true: little-endian) as a signed int32; `>>> 0` for unsigned. */
export function get32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)
    : (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}
