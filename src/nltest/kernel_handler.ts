/**
 * The contract between {@linkcode SimKernel} and the protocol handlers that
 * run inside it (rtnetlink, generic netlink, your own).
 *
 * @module
 */

import { errnoName } from "../ffi/types.ts";
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
  /** The positive errno, such as 95. */
  readonly errno: number;
  /** The errno name, such as `"EOPNOTSUPP"`. */
  readonly code: string;
  /** The extended ACK to attach (message, offset, missing attribute, policy, cookie). */
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

/** A multipart answer: the kernel sets `NLM_F_MULTI`, stamps the headers and ends it with `NLMSG_DONE`. */
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
 */
export type HandlerResult = Message[] | DumpReply;

/** What a handler sees besides the request. */
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
 * @example
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
