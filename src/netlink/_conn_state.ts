/**
 * Constants and small helpers shared by the parts of `Conn`: argument
 * checks, the error wrappers, and the one check of a reply's end (ACK,
 * `NLMSG_DONE`, or an error). Not part of the public API.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN } from "./_endian.ts";
import { Errno } from "./errno.ts";
import {
  decodeError,
  NetlinkError,
  OverrunError,
  SyscallError,
} from "./errors.ts";
import { type Header, HeaderFlags, HeaderType } from "./header.ts";
import type { MessageView } from "./message.ts";

// Header constants used on the hot path.
export const NOOP = HeaderType.Noop;
export const ERROR = HeaderType.Error;
export const DONE = HeaderType.Done;
export const MULTI = HeaderFlags.Multi;
export const ACK = HeaderFlags.Acknowledge;
export const DUMP = HeaderFlags.Dump;
export const DUMP_INTR = HeaderFlags.DumpInterrupted;
/** `BPF_MAXINSNS` in `linux/bpf_common.h`. */
export const BPF_MAXINSNS = 4096;
/**
 * Most unread batches kept for `receive()` (datagrams that answer `send()`,
 * and multicast while no `notifications()` iterator is open) and most
 * unread messages per open notifications iterator. Beyond it new messages
 * are dropped and the next read throws `OverrunError`, as the kernel does
 * when a socket's receive buffer is full: a Conn that joined a group but
 * never reads stays bounded.
 */
export const QUEUE_LIMIT = 4096;
/**
 * Most abandoned requests (aborted, failed, or a dump left early) whose
 * remaining replies are still discarded by sequence number. Older ones are
 * forgotten; their stragglers then match nothing and are dropped anyway.
 */
export const ABANDONED_LIMIT = 256;
/** Most sequence numbers of `send()` calls remembered so their replies reach `receive()`. */
export const RAW_LIMIT = 1024;
/** First size of the per-Conn encode buffer; it doubles as needed. */
export const INITIAL_OUT = 512;
/** The data of a request sent without `data` (no bytes: nothing can change it). */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** Something a caller waits for: `wake` is set while it waits, `ready()` says whether to stop waiting. */
export interface Waiter {
  wake: (() => void) | null;
  ready(): boolean;
}

/** {@linkcode endOf}: an ordinary reply message. */
export const NOT_END = 0;
/** {@linkcode endOf}: an ACK (errno 0) or an `NLMSG_DONE` without error. */
export const END = 1;
/** {@linkcode endOf}: an `NLMSG_ERROR` or `NLMSG_DONE` carrying an errno (or too short to say). */
export const END_ERROR = 2;

/**
 * Whether a reply message ends its request, and how (vectors §1.11): an
 * `NLMSG_ERROR`, or an `NLMSG_DONE` with `NLM_F_MULTI`, ends it; with an
 * errno other than 0 (or too few bytes to hold one, except an empty DONE)
 * it ends in error. Anything else is an ordinary message.
 *
 * @param v The message.
 * @returns {@linkcode NOT_END}, {@linkcode END} or {@linkcode END_ERROR}.
 */
export function endOf(v: MessageView): number {
  const type = v.header.type;
  if (type !== ERROR && (type !== DONE || (v.header.flags & MULTI) === 0)) {
    return NOT_END;
  }
  if (v.length >= 4) return errnoAt(v) === 0 ? END : END_ERROR;
  return type === DONE && v.length === 0 ? END : END_ERROR;
}

/**
 * The error of a reply that {@linkcode endOf} classed {@linkcode END_ERROR},
 * with its extended ACK (attribute paths resolved against `request`); a
 * malformed error message gives `NetlinkError` EBADMSG with the
 * `RangeError` as cause.
 *
 * @param v The error or DONE message.
 * @param op The operation to name.
 * @param request The request's bytes, when still known.
 * @returns The error.
 */
export function kernelError(
  v: MessageView,
  op: string,
  request: Uint8Array | undefined,
): NetlinkError {
  try {
    return decodeError(v, op, request) ??
      new NetlinkError(op, Errno.EBADMSG, { sequence: v.header.sequence });
  } catch (e) {
    return new NetlinkError(op, Errno.EBADMSG, {
      cause: e,
      sequence: v.header.sequence,
    });
  }
}

/** The errno (int32, host order) at the start of a message's payload. */
export function errnoAt(v: MessageView): number {
  const b = v.bytes;
  const o = v.offset;
  return HOST_LITTLE_ENDIAN
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24))
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

/** The error of any operation on a closed connection. */
export function closedError(op: string): NetlinkError {
  const e = new NetlinkError(op, Errno.EBADF);
  e.message = `Cannot ${op}: the connection is closed`;
  return e;
}

/** `timeout` ran out while operation `op` waited. */
export function timeoutError(op: string, ms: number): NetlinkError {
  return new NetlinkError(op, Errno.ETIMEDOUT, {
    detail: `nothing received within ${ms} ms`,
  });
}

/** Wraps a failure of the socket seam for operation `op` (ENOBUFS: OverrunError). */
export function socketError(op: string, e: unknown): unknown {
  if (
    e instanceof SyscallError ||
    (e instanceof Error && e.name === "SyscallError")
  ) {
    const se = e as SyscallError;
    if (se.errno === Errno.ENOBUFS) return new OverrunError(op, { cause: e });
    return new NetlinkError(op, se.errno, { cause: e });
  }
  return e;
}

/** Whether `e` is the socket's ENOBUFS (after which reading goes on). */
export function isOverrun(e: unknown): boolean {
  const se = e as { errno?: unknown; name?: unknown } | null;
  return se?.name === "SyscallError" && se.errno === Errno.ENOBUFS;
}

export function checkInteger(
  op: string,
  what: string,
  n: unknown,
  min: number,
  max: number,
): number {
  if (typeof n !== "number") {
    throw new TypeError(
      `Cannot ${op}: ${what} must be a number, got ${typeof n}`,
    );
  }
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(
      `Cannot ${op}: ${what} ${n} is not an integer from ${min} to ${max}`,
    );
  }
  return n;
}

/** A request: an object with a header, and `data` a Uint8Array when present. */
export function checkMessage(op: string, m: unknown): void {
  const r = m as { header?: unknown; data?: unknown } | null;
  if (
    typeof r !== "object" || r === null || typeof r.header !== "object" ||
    r.header === null
  ) {
    throw new TypeError(
      `Cannot ${op}: the message must be an object with a header`,
    );
  }
  if (r.data !== undefined && !(r.data instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${op}: message data must be a Uint8Array`);
  }
}

/** Checks the `timeout` of receive options; returns it. */
export function checkTimeout(
  op: string,
  timeout: number | undefined,
): number | undefined {
  if (timeout === undefined) return undefined;
  return checkInteger(op, "timeout", timeout, 0, 0x7fffffff);
}

/**
 * The rule of `validate()` for one reply, without throwing: the
 * error (op `"validate"`, errno `EPROTO`, naming the field) when `reply`
 * does not answer the request with `sequence` and `pid`, else null. `Conn`
 * checks every routed reply with it.
 *
 * `EPROTO` ("Protocol error"): a reply that does not echo our sequence
 * number or port id breaks the netlink request/reply protocol, and no
 * kernel errno means that more closely; a kernel answer to a well-formed
 * request never carries EPROTO for this reason.
 *
 * @param sequence The request's sequence (0: not checked).
 * @param pid The request's port id (0: not checked).
 * @param reply The reply's header.
 * @returns The error, or null.
 */
export function checkReply(
  sequence: number,
  pid: number,
  reply: Header,
): NetlinkError | null {
  if (sequence !== 0 && reply.sequence !== sequence) {
    return new NetlinkError("validate", Errno.EPROTO, {
      sequence,
      detail:
        `mismatched sequence in netlink reply: got ${reply.sequence}, want ${sequence}`,
    });
  }
  if (pid !== 0 && reply.pid !== 0 && reply.pid !== pid) {
    return new NetlinkError("validate", Errno.EPROTO, {
      sequence,
      detail: `mismatched pid in netlink reply: got ${reply.pid}, want ${pid}`,
    });
  }
  return null;
}
