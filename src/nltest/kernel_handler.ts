/**
 * The contract between {@linkcode SimKernel} and the protocol handlers that
 * run inside it (rtnetlink, generic netlink, your own).
 *
 * @module
 */

import { errnoName } from "../netlink/errno.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import type { Message } from "../netlink/message.ts";

/**
 * An error a simulated kernel handler returns to the requester: it becomes an
 * `NLMSG_ERROR` (or, in a dump, an `NLMSG_DONE` carrying the errno) with the
 * extended ACK attributes when the socket enabled them.
 *
 * @example Reject a request the way the kernel does
 * ```ts
 * import { KernelError } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const err = new KernelError(95, { message: "Unknown device type" });
 * assert.equal(err.code, "EOPNOTSUPP");
 * assert.equal(err.message, "Cannot handle request: EOPNOTSUPP (errno 95): Unknown device type");
 * ```
 */
export class KernelError extends Error {
  /**
   * The positive errno, such as 95.
   *
   * @example The errno a handler answers with
   * ```ts
   * import { KernelError, SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.handle(Family.SockDiag, () => { throw new KernelError(13); });
   * await using conn = kernel.dial(Family.SockDiag);
   * const msg = { header: { length: 0, type: 20, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: new Uint8Array(4) };
   * await assert.rejects(conn.execute(msg), { name: "NetlinkError", errno: 13 });
   * ```
   */
  readonly errno: number;
  /**
   * The errno name, such as `"EOPNOTSUPP"`.
   *
   * @example The errno name
   * ```ts
   * import { KernelError } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new KernelError(13).code, "EACCES");
   * assert.equal(new KernelError(17).code, "EEXIST");
   * ```
   */
  readonly code: string;
  /**
   * The extended ACK to attach (message, offset, missing attribute, policy, cookie).
   *
   * @example The extended ACK reaches the client
   * ```ts
   * import { KernelError, SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags, type NetlinkError } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.handle(Family.SockDiag, () => { throw new KernelError(22, { message: "bad filter" }); });
   * await using conn = kernel.dial(Family.SockDiag);
   * const msg = { header: { length: 0, type: 20, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: new Uint8Array(4) };
   * const err: NetlinkError = await conn.execute(msg).then(() => assert.fail(), (e) => e);
   * assert.equal(err.extAck?.message, "bad filter");
   * ```
   */
  readonly extAck: ExtendedAck;

  /**
   * Creates the error.
   *
   * @param errno The positive errno number.
   * @param extAck The extended ACK attributes; sent only to sockets with `ExtendedAcknowledge` on.
   */
  constructor(errno: number, extAck: ExtendedAck = {}) {
    const code = errnoName(errno);
    super(
      `Cannot handle request: ${code} (errno ${errno})${
        extAck.message ? `: ${extAck.message}` : ""
      }`,
    );
    this.name = "KernelError";
    this.errno = errno;
    this.code = code;
    this.extAck = extAck;
  }
}

/**
 * A multipart answer: the kernel sets `NLM_F_MULTI`, stamps the headers and ends it with `NLMSG_DONE`.
 *
 * @example A filtered dump: every part carries NLM_F_DUMP_FILTERED
 * ```ts
 * import { type DumpReply, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.handle(Family.SockDiag, (): DumpReply => ({
 *   dump: [{ header: { length: 0, type: 20, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) }],
 *   filtered: true,
 * }));
 * await using conn = kernel.dial(Family.SockDiag);
 * const [m] = await conn.execute({ header: { length: 0, type: 20, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(4) });
 * assert.equal(m!.header.flags & HeaderFlags.DumpFiltered, HeaderFlags.DumpFiltered);
 * ```
 */
export interface DumpReply {
  /** The dumped objects, one message each (the header's type is used; the rest is filled in). */
  dump: Message[];
  /** Set `NLM_F_DUMP_FILTERED` on every part (the kernel applied a filter). */
  filtered?: boolean;
  /** End the dump with this error: `NLMSG_DONE` carries its errno (and its message as `NLMSGERR_ATTR_MSG`). */
  error?: KernelError;
}

/**
 * What a handler returns: reply messages (headers stamped by the kernel), or
 * a {@linkcode DumpReply}. An ACK is added when the request asked for one.
 * Throw {@linkcode KernelError} to answer with an errno.
 *
 * @example Messages for a plain request, a dump for a dump request
 * ```ts
 * import { dumpReply, type HandlerResult, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags, type Message } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const object = (i: number): Message => ({ header: { length: 0, type: 20, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array([i, 0, 0, 0]) });
 * const kernel = new SimKernel();
 * kernel.handle(Family.SockDiag, (request): HandlerResult =>
 *   (request.header.flags & HeaderFlags.Dump) === HeaderFlags.Dump ? dumpReply([object(1), object(2)]) : [object(1)]
 * );
 * await using conn = kernel.dial(Family.SockDiag);
 * const ask = (flags: number) => conn.execute({ header: { length: 0, type: 20, flags, sequence: 0, pid: 0 }, data: new Uint8Array(4) });
 * assert.equal((await ask(HeaderFlags.Request)).length, 1);
 * assert.equal((await ask(HeaderFlags.Request | HeaderFlags.Dump)).length, 2);
 * ```
 */
export type HandlerResult = Message[] | DumpReply;

/**
 * What a handler sees besides the request.
 *
 * @example Notify a group from inside a handler
 * ```ts
 * import { type RequestContext, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags, type Message } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const seen: number[] = [];
 * kernel.handle(Family.SockDiag, (request: Message, context: RequestContext) => {
 *   seen.push(context.pid);
 *   context.notify(1, [{ header: { length: 0, type: 21, flags: 0, sequence: 0, pid: 0 }, data: request.data }]);
 *   return [];
 * });
 * await using listener = kernel.dial(Family.SockDiag, { groups: 1 });
 * await using conn = kernel.dial(Family.SockDiag);
 * await conn.execute({ header: { length: 0, type: 20, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(4) });
 * assert.deepEqual(seen, [conn.pid]);
 * const [n] = await listener.receive();
 * assert.equal(n?.header.type, 21);
 * ```
 */
export interface RequestContext {
  /** The requester's port id. */
  readonly pid: number;
  /** The netlink protocol of the socket (`Family.Route`, `Family.Generic`...). */
  readonly family: number;
  /** True when the requester enabled `GetStrictCheck`. */
  readonly strict: boolean;
  /**
   * Sends a notification to every socket of this protocol that joined
   * `group`. Like `nlmsg_notify`, with `echo` (the request had `NLM_F_ECHO`)
   * the requester gets its copy as a unicast message instead.
   */
  notify(group: number, messages: Message[], echo?: boolean): void;
}

/**
 * A protocol served by the simulated kernel: called once per request
 * message (`NLM_F_REQUEST` set, type at least `NLMSG_MIN_TYPE`).
 *
 * @example Serve a protocol that refuses every request
 * ```ts
 * import { KernelError, type ProtocolHandler, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags, NetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const refuse: ProtocolHandler = () => {
 *   throw new KernelError(1, { message: "read-only" });
 * };
 * const kernel = new SimKernel();
 * kernel.handle(Family.Netfilter, refuse);
 * await using conn = kernel.dial(Family.Netfilter);
 * await assert.rejects(
 *   conn.execute({ header: { length: 0, type: 0x100, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(4) }),
 *   (e: unknown) => e instanceof NetlinkError && e.code === "EPERM" && e.extAck?.message === "read-only",
 * );
 * ```
 */
export type ProtocolHandler = (
  request: Message,
  context: RequestContext,
) => HandlerResult | Promise<HandlerResult>;

/**
 * Wraps dumped objects as a {@linkcode DumpReply}.
 *
 * @param messages The objects, one message each.
 * @param filtered Mark every part `NLM_F_DUMP_FILTERED`.
 * @returns The dump reply.
 *
 * @example Using dumpReply
 * ```ts
 * import { dumpReply } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const r = dumpReply([]);
 * assert.deepEqual(r.dump, []);
 * ```
 */
export function dumpReply(messages: Message[], filtered = false): DumpReply {
  return filtered ? { dump: messages, filtered } : { dump: messages };
}

/**
 * Reports whether a handler result is a dump.
 *
 * @internal
 * @param r A handler result.
 * @returns True for a {@linkcode DumpReply}.
 */
export function isDumpReply(r: HandlerResult): r is DumpReply {
  return !Array.isArray(r);
}
