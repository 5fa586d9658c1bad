/**
 * Kernel-style `NLMSG_ERROR` replies: errors and ACKs, for simulated kernels.
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import {
  AttributeFlags,
  HEADER_LENGTH,
  HeaderFlags,
  HeaderType,
} from "../netlink/header.ts";
import { type Message, writeHeader } from "../netlink/message.ts";
import { HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";

/** `NLMSGERR_ATTR_*` in `linux/netlink.h`. */
const NLMSGERR_ATTR_MSG = 1;
const NLMSGERR_ATTR_OFFS = 2;
const NLMSGERR_ATTR_COOKIE = 3;
const NLMSGERR_ATTR_POLICY = 4;
const NLMSGERR_ATTR_MISS_TYPE = 5;
const NLMSGERR_ATTR_MISS_NEST = 6;

function checkErrno(errno: number): void {
  if (!Number.isInteger(errno) || errno < 0 || errno > 4095) {
    throw new RangeError(
      `Cannot build error reply: errno ${errno} is not an integer from 0 to 4095`,
    );
  }
}

function encodeExtendedAck(ext: ExtendedAck): Uint8Array {
  const e = new AttributeEncoder();
  if (ext.message !== undefined) e.string(NLMSGERR_ATTR_MSG, ext.message);
  if (ext.offset !== undefined) e.uint32(NLMSGERR_ATTR_OFFS, ext.offset);
  if (ext.cookie !== undefined) e.bytes(NLMSGERR_ATTR_COOKIE, ext.cookie);
  if (ext.policy !== undefined) {
    e.bytes(NLMSGERR_ATTR_POLICY | AttributeFlags.Nested, ext.policy);
  }
  if (ext.missingType !== undefined) {
    e.uint32(NLMSGERR_ATTR_MISS_TYPE, ext.missingType);
  }
  if (ext.missingNest !== undefined) {
    e.uint32(NLMSGERR_ATTR_MISS_NEST, ext.missingNest);
  }
  return e.encode();
}

/**
 * Builds the `NLMSG_ERROR` message the kernel sends for `request`: the
 * negative errno, the echoed request (`struct nlmsgerr`: the header with its
 * original length, then the payload unless `capped`), then the extended
 * ACK attributes.
 *
 * @internal Shared by {@linkcode error}, {@linkcode ack} and the simulated kernel.
 * @param errno The positive errno, or 0 for an ACK.
 * @param request The request being answered.
 * @param options `capped`: echo only the header and set `NLM_F_CAPPED`;
 * `extAck`: attributes to append (sets `NLM_F_ACK_TLVS` when any).
 * @returns The message (header length filled in).
 */
export function errorMessage(
  errno: number,
  request: Message,
  options: { capped?: boolean; extAck?: ExtendedAck | undefined } = {},
): Message {
  checkErrno(errno);
  const rh = request.header;
  const requestLength = rh.length === 0
    ? HEADER_LENGTH + request.data.length
    : rh.length;
  const capped = options.capped ?? false;
  const tlvs = options.extAck === undefined
    ? new Uint8Array(0)
    : encodeExtendedAck(options.extAck);
  const echoed = capped ? 0 : request.data.length;
  const echoedAligned = capped ? 0 : ((request.data.length + 3) & ~3);
  const data = new Uint8Array(4 + HEADER_LENGTH + echoedAligned + tlvs.length);
  const view = new DataView(data.buffer);
  view.setInt32(0, -errno, HOST_LITTLE_ENDIAN);
  writeHeader(view, 4, { ...rh, length: requestLength });
  if (echoed > 0) data.set(request.data, 4 + HEADER_LENGTH);
  data.set(tlvs, 4 + HEADER_LENGTH + echoedAligned);
  let flags = 0;
  if (capped) flags |= HeaderFlags.Capped;
  if (tlvs.length > 0) flags |= HeaderFlags.AcknowledgeTLVs;
  return {
    header: {
      length: HEADER_LENGTH + data.length,
      type: HeaderType.Error,
      flags,
      sequence: rh.sequence,
      pid: rh.pid,
    },
    data,
  };
}

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
  return [errorMessage(errno, request, { extAck })];
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
  return [errorMessage(0, request, { capped: true })];
}
