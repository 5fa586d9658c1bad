/**
 * Bounds checks for the hand-written struct codecs (sock_diag, audit,
 * taskstats, uevent): one copy of the checks every
 * `decodeX(bytes, offset, length)` starts with, and of the u32 check of
 * their encoders. Pure: no I/O.
 *
 * @module
 */

import type { AttributeDecoder } from "./attribute.ts";

/**
 * Checks that `length` bytes at `offset` lie in `bytes` and hold at least
 * `min` bytes.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts.
 * @param length Its length.
 * @param what The struct's name, for the message.
 * @param min The fewest bytes it may have (default 0).
 * @throws {RangeError} Naming the struct, the length and the offset.
 */
export function checkRange(
  bytes: Uint8Array,
  offset: number,
  length: number,
  what: string,
  min: number = 0,
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
