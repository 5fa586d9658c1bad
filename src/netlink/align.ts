/**
 * Netlink alignment (`NLMSG_ALIGNTO` and `NLA_ALIGNTO` in `linux/netlink.h`).
 *
 * @module
 */

/**
 * `NLMSG_ALIGNTO` / `NLA_ALIGNTO`: netlink messages and attributes are padded to 4 bytes.
 *
 * @example Attributes are padded to ALIGNTO bytes
 * ```ts
 * import { align, ALIGNTO, AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // "eth0" + NUL is 5 bytes: a 9-byte attribute padded to 12.
 * const b = new AttributeEncoder().string(1, "eth0").encode();
 * assert.equal(b.length % ALIGNTO, 0);
 * assert.equal(b.length, align(4 + 5));
 * ```
 */
export const ALIGNTO = 4;

/**
 * Rounds a length up to the netlink alignment of 4 bytes.
 *
 * Ports `NLMSG_ALIGN(len)` and `NLA_ALIGN(len)`:
 * `(((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))`.
 *
 * @param n A non-negative length in bytes.
 * @returns `n` rounded up to a multiple of 4.
 * @throws {RangeError} If `n` is negative, not an integer, or above 2^32 - 4.
 *
 * @example Align a 5-byte payload
 * ```ts
 * import { align } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(align(5), 8);
 * assert.equal(align(16), 16);
 * ```
 */
export function align(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xfffffffc) {
    throw new RangeError(
      `Cannot align length ${n}: must be an integer from 0 to 4294967292`,
    );
  }
  // Arithmetic instead of `& ~3` so lengths above 2^31 stay unsigned.
  const m = n + ALIGNTO - 1;
  return m - (m % ALIGNTO);
}
