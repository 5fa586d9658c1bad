/**
 * Host byte order and byte-wise integer access. Netlink is host-endian; an
 * attribute flagged `NLA_F_NET_BYTEORDER` is big-endian. Byte-wise access is
 * cheaper than creating a `DataView` (an allocation) for a few fields. Also
 * the one NUL-terminated string reader of the attribute decoders.
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

/**
 * Strings up to this many bytes are decoded with a char-code loop instead
 * of `TextDecoder`: for short ASCII names (interface names, kinds) the loop
 * avoids the decoder's call overhead; longer strings go to `TextDecoder`.
 */
const SHORT_STRING = 32;

const UTF8_DECODER = new TextDecoder();

/**
 * Reads a NUL-terminated string from `b[start, end)`: the bytes up to the
 * first NUL (or `end`), as UTF-8 (malformed sequences become U+FFFD).
 */
export function getString(b: Uint8Array, start: number, end: number): string {
  let ascii = true;
  let i = start;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
  }
  if (ascii && i - start <= SHORT_STRING) {
    let s = "";
    for (let j = start; j < i; j++) s += String.fromCharCode(b[j]!);
    return s;
  }
  return UTF8_DECODER.decode(b.subarray(start, i));
}
