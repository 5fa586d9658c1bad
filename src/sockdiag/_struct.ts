/**
 * Bounds checks and 64-bit cookies for the hand-written struct codecs
 * (sock_diag here, and audit, which imports them): one copy of the checks
 * every `decodeX(bytes, offset, length)` starts with.
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";
import type { AttributeDecoder } from "../netlink/attribute.ts";

const LE = HOST_LITTLE_ENDIAN;

/**
 * Checks that `length` bytes at `offset` lie in `bytes` and hold at least
 * `min` bytes.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts.
 * @param length Its length.
 * @param what The struct's name, for the message.
 * @param min The fewest bytes it may have.
 * @throws {RangeError} Naming the struct, the length and the offset.
 */
export function checkRange(
  bytes: Uint8Array,
  offset: number,
  length: number,
  what: string,
  min: number,
): void {
  if (
    !(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 &&
      length >= 0 && offset + length <= bytes.length)
  ) {
    throw new RangeError(
      `Cannot decode ${what}: range of ${length} bytes at offset ${offset} is outside the ${bytes.length}-byte buffer`,
    );
  }
  if (length < min) {
    throw new RangeError(
      `Cannot decode ${what}: length ${length} is less than ${min} at offset ${offset}`,
    );
  }
}

/**
 * The current attribute's payload, checked to hold at least `n` bytes.
 *
 * @param d A decoder positioned on the attribute.
 * @param n The fewest bytes.
 * @param what The attribute's name, for the message.
 * @returns A view of the payload.
 * @throws {RangeError} If the payload is shorter.
 */
export function payload(
  d: AttributeDecoder,
  n: number,
  what: string,
): Uint8Array {
  if (d.length < n) {
    throw new RangeError(
      `Cannot decode ${what}: length ${d.length} is less than ${n} at offset ${
        d.offset - 4
      }`,
    );
  }
  return d.view();
}

/**
 * Checks a u32 for an encoder.
 *
 * @param v The value.
 * @param what What it is, for the message (`"inet_diag_msg: inode"`).
 * @returns `v`.
 * @throws {TypeError} If it is not an integer from 0 to 2^32 - 1.
 */
export function checkU32(v: number, what: string): number {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
    throw new TypeError(`Cannot encode ${what}: ${v} is not a u32`);
  }
  return v;
}

/**
 * Reads a `__u32 cookie[2]` (low word first, host order) as a bigint.
 *
 * @param b The buffer.
 * @param o Where the cookie starts.
 * @returns The cookie.
 */
export function getCookie(b: Uint8Array, o: number): bigint {
  return (BigInt(get32(b, o + 4, LE) >>> 0) << 32n) |
    BigInt(get32(b, o, LE) >>> 0);
}

/**
 * Writes a bigint as `__u32 cookie[2]`.
 *
 * @param b The buffer.
 * @param o Where the cookie starts.
 * @param cookie The cookie.
 * @param what What is encoded, for the message.
 * @throws {TypeError} If `cookie` is not a bigint from 0 to 2^64 - 1.
 */
export function putCookie(
  b: Uint8Array,
  o: number,
  cookie: bigint,
  what: string,
): void {
  if (
    typeof cookie !== "bigint" || cookie < 0n || cookie > 0xffffffffffffffffn
  ) {
    throw new TypeError(`Cannot encode ${what}: cookie is not a u64 bigint`);
  }
  put32(b, o, Number(cookie & 0xffffffffn), LE);
  put32(b, o + 4, Number(cookie >> 32n), LE);
}
