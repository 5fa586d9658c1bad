/**
 * Kernel-style `NLMSG_ERROR` replies: errors and ACKs, for simulated kernels.
 *
 * @module
 */

import { errorReply } from "../netlink/ext_ack.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import type { Message } from "../netlink/message.ts";

/**
 * Builds the kernel's error reply to `request`, for a simulated kernel to
 * return: an `NLMSG_ERROR` with `-errno`, echoing the request's header and
 * payload like the kernel, and the extended ACK attributes when `extAck`
 * is given (`NLM_F_ACK_TLVS`). nltest's `dial` then applies the
 * connection's options like the kernel: without extended ACK the attributes
 * are dropped; with `capAck` only the request header is echoed.
 *
 * Unlike the Go reference's `nltest.Error`, which only prepends the errno
 * to the request payload, the request header is echoed as the kernel does,
 * so extended ACK offsets and `NLM_F_CAPPED` work exactly as on Linux.
 *
 * @param errno The positive errno, such as 2 for ENOENT.
 * @param request The request being answered.
 * @param extAck The extended ACK to attach (`message`, `offset`, `cookie`,
 * `policy`, `missingType`, `missingNest`; `attributePath` is computed by the
 * receiver, not sent).
 * @returns One message, for the kernel function to return.
 * @throws {RangeError} If `errno` is not an integer from 0 to 4095.
 *
 * @example Fail a request with ENOENT and a message
 * ```ts
 * import { dial, error } from "@nlkit/netlink/nltest";
 * import { HeaderFlags, isNotExist } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * using conn = dial((requests) => error(2, requests[0]!, { message: "no such thing" }));
 * await assert.rejects(
 *   conn.execute({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: new Uint8Array(0) }),
 *   (e) => isNotExist(e),
 * );
 * ```
 */
export function error(
  errno: number,
  request: Message,
  extAck?: ExtendedAck,
): Message[] {
  return [errorReply(errno, request, { capped: false, extAck })];
}

/**
 * Builds the kernel's ACK for `request`: an `NLMSG_ERROR` with errno 0
 * echoing only the request header, flagged `NLM_F_CAPPED`, exactly as
 * Linux sends it. nltest's `dial` adds ACKs by itself for `Acknowledge`
 * requests; use this to answer explicitly or to build expected values.
 *
 * @param request The request being acknowledged.
 * @returns One message.
 *
 * @example Using ack
 * ```ts
 * import { ack } from "@nlkit/netlink/nltest";
 * import { HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const [m] = ack({ header: { length: 20, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 5, pid: 1 }, data: new Uint8Array(4) });
 * assert.equal(m!.header.type, HeaderType.Error);
 * assert.equal(m!.header.flags, HeaderFlags.Capped);
 * assert.equal(m!.header.length, 36); // header + errno + echoed request header
 * ```
 */
export function ack(request: Message): Message[] {
  return [errorReply(0, request, { capped: true })];
}
