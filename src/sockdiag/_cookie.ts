/**
 * Socket cookies: the `__u32 cookie[2]` of `struct inet_diag_sockid` and
 * `struct unix_diag_req` / `unix_diag_msg`, as a bigint.
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";

const LE = HOST_LITTLE_ENDIAN;

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
