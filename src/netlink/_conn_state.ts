/**
 * Internal state records of `Conn` (requests in flight, notification
 * iterators, `receive()` callers) and small helpers. Not part of the public API.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN } from "./_endian.ts";
import { NetlinkError, OverrunError, SyscallError } from "./errors.ts";
import { type Header, HeaderFlags, HeaderType } from "./header.ts";
import type { Message, MessageView } from "./message.ts";

// Header constants and errno numbers used on the hot path.
export const ERROR = HeaderType.Error;
export const DONE = HeaderType.Done;
export const MULTI = HeaderFlags.Multi;
const ACK = HeaderFlags.Acknowledge;
export const DUMP_INTR = HeaderFlags.DumpInterrupted;
const EBADF = 9;
export const EBADMSG = 74;
export const ENOBUFS = 105;
/** `BPF_MAXINSNS` in `linux/bpf_common.h`. */
export const BPF_MAXINSNS = 4096;
/**
 * Most unread batches kept for `receive()` (datagrams that answer `send()`,
 * and multicast while no `notifications()` iterator is open) and per open
 * notifications iterator. Beyond it new messages are dropped and the next
 * read throws `OverrunError`, as the kernel does when a socket's receive
 * buffer is full: a Conn that joined a group but never reads stays bounded.
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

/** The (never written) message list of a visit. */
export const NO_MESSAGES: Message[] = Object.freeze([]) as unknown as Message[];

/** Kinds of request: `execute` collects, `dump` streams, `visit` calls a visitor. */
export const COLLECT = 0;
export const STREAM = 1;
export const VISIT = 2;

/** Something a caller waits for; `wake` is set while it waits. */
export abstract class Target {
  wake: (() => void) | null = null;
  abstract ready(): boolean;
}

/** A request in flight (execute, dump or visit), keyed by sequence number. */
export class Pending extends Target {
  kind = 0;
  seq = 0;
  pid = 0;
  type = 0;
  flags = 0;
  expectAck = false;
  op = "";
  visitor: ((view: MessageView) => void) | null = null;
  /** The encoded request: a copy once the caller waited; else `gen`/`reqLen` locate it in the encode buffer. */
  request: Uint8Array | null = null;
  gen = 0;
  reqLen = 0;
  messages: Message[] = NO_MESSAGES;
  head = 0;
  count = 0;
  multi = false;
  interrupted = false;
  done = false;
  failed = false;
  error: unknown = null;
  abandoned = false;
  /** Whether replies are still routed to this record (it is in the pending table). */
  registered = false;

  /** (Re)initialises this record for a new request: records are reused on the fast path. */
  reset(
    kind: number,
    h: Header,
    seq: number,
    pid: number,
    op: string,
    visitor: ((view: MessageView) => void) | null,
  ): this {
    this.wake = null;
    this.kind = kind;
    this.seq = seq;
    this.pid = pid;
    this.type = h.type;
    this.flags = h.flags;
    this.expectAck = (h.flags & ACK) !== 0;
    this.op = op;
    this.visitor = visitor;
    this.request = null;
    this.gen = 0;
    this.reqLen = 0;
    this.messages = kind === VISIT ? NO_MESSAGES : [];
    this.head = 0;
    this.count = 0;
    this.multi = false;
    this.interrupted = false;
    this.done = false;
    this.failed = false;
    this.error = null;
    this.abandoned = false;
    this.registered = false;
    return this;
  }

  ready(): boolean {
    return this.done ||
      (this.kind === STREAM && this.head < this.messages.length);
  }
}

/** An open `notifications()` iterator. */
export class Listener extends Target {
  queue: (Message | undefined)[] = [];
  head = 0;
  done = false;
  error: unknown = null;
  overrun = false;

  ready(): boolean {
    return this.done || this.error !== null || this.overrun ||
      this.head < this.queue.length;
  }
}

/** A `receive()` call; only the first in line consumes the backlog. */
export class RawWait extends Target {
  readonly #canRead: (w: RawWait) => boolean;
  error: unknown = null;
  constructor(canRead: (w: RawWait) => boolean) {
    super();
    this.#canRead = canRead;
  }
  ready(): boolean {
    return this.error !== null || this.#canRead(this);
  }
}

/** Datagram-sized unit of the `receive()` backlog. */
export interface Batch {
  messages: Message[];
  error: unknown;
  done: boolean;
  interrupted: boolean;
}

export function closedError(op: string): NetlinkError {
  const e = new NetlinkError(op, EBADF);
  e.message = `Cannot ${op}: the connection is closed`;
  return e;
}

/** Wraps a failure of the socket seam for operation `op`. */
export function socketError(op: string, e: unknown): unknown {
  if (
    e instanceof SyscallError ||
    (e instanceof Error && e.name === "SyscallError")
  ) {
    const se = e as SyscallError;
    if (se.errno === ENOBUFS) return new OverrunError(op, { cause: e });
    return new NetlinkError(op, se.errno, { cause: e });
  }
  return e;
}

export function errnoAt(v: MessageView): number {
  const b = v.bytes;
  const o = v.offset;
  return HOST_LITTLE_ENDIAN
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24))
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

export function copyMessage(v: MessageView): Message {
  const h = v.header;
  return {
    header: {
      length: h.length,
      type: h.type,
      flags: h.flags,
      sequence: h.sequence,
      pid: h.pid,
    },
    data: v.bytes.slice(v.offset, v.offset + v.length),
  };
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

export function checkMessage(op: string, m: Message): void {
  if (
    typeof m !== "object" || m === null || typeof m.header !== "object" ||
    m.header === null
  ) {
    throw new TypeError(
      `Cannot ${op}: the message must be an object with a header`,
    );
  }
  if (!(m.data instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${op}: message data must be a Uint8Array`);
  }
}
