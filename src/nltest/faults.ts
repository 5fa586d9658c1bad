/**
 * Fault injection for {@linkcode SimKernel}: declare, per kernel or per
 * request, the failures a real kernel (or a hostile peer) can produce, and
 * check that netlink code survives them.
 *
 * | fault | what the Conn sees |
 * | --- | --- |
 * | `dumpInterrupted` | `DumpInterruptedError` with the partial result |
 * | `overrun` | `OverrunError` (ENOBUFS) from the next receive; the notification is lost |
 * | `truncate`, `misalign` | a malformed datagram: the call fails, the Conn stays usable |
 * | `wrongSequence` | replies stamped with a sequence nothing in flight uses: dropped, the call waits (use a `signal`) |
 * | `wrongPid` | replies that fail validation |
 * | `foreignSender` | a spoofed copy from another port, dropped by the Conn |
 * | `error` | `NetlinkError` with the chosen errno and extended ACK |
 * | `delay` | replies held back for some milliseconds or until a promise settles |
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import { align } from "../netlink/align.ts";
import type { Conn } from "../netlink/conn.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import { HEADER_LENGTH, HeaderFlags, HeaderType } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";

/**
 * Mark a dump `NLM_F_DUMP_INTR` from its `at`-th part (1-based, default 1) through `NLMSG_DONE` (at least the DONE).
 *
 * @example Interrupt a dump from its second part: the first part is kept
 * ```ts
 * import { type DumpInterruptedFault, SimKernel } from "@nlkit/netlink/nltest";
 * import { DumpInterruptedError, Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel({ dumpDatagramSize: 1 }); // one link per datagram
 * kernel.rtnetlink.addLink({ name: "eth0" });
 * await using conn = kernel.dial(Family.Route);
 * const fault: DumpInterruptedFault = { type: "dumpInterrupted", at: 2 };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), (e: unknown) => {
 *   assert.ok(e instanceof DumpInterruptedError);
 *   assert.equal(e.partial.length, 2); // lo and eth0, with the second part flagged
 *   return true;
 * });
 * ```
 */
export interface DumpInterruptedFault {
  /** The kind of fault. */
  type: "dumpInterrupted";
  /** The first part that carries the flag (1-based); default 1. */
  at?: number;
}

/**
 * Lose notifications to a socket and report ENOBUFS on its next receive.
 *
 * @example A lost notification surfaces as OverrunError, then delivery resumes
 * ```ts
 * import { type OverrunFault, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, OverrunError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using monitor = kernel.dial(Family.Route, { groups: 1 }); // RTMGRP_LINK
 * const fault: OverrunFault = { type: "overrun", drop: 1 };
 * kernel.inject(fault);
 * kernel.rtnetlink.addLink({ name: "lost0" });
 * await assert.rejects(monitor.receive(), OverrunError);
 * kernel.rtnetlink.addLink({ name: "seen0" });
 * const [m] = await monitor.receive();
 * assert.equal(m?.header.type, 16); // RTM_NEWLINK
 * ```
 */
export interface OverrunFault {
  /** The kind of fault. */
  type: "overrun";
  /** How many notification datagrams to drop; default 1. */
  drop?: number;
}

/**
 * Cut the first reply datagram short: the request fails with EBADMSG.
 *
 * @example A cut reply fails the call with EBADMSG; the Conn stays usable
 * ```ts
 * import { SimKernel, type TruncateFault } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const fault: TruncateFault = { type: "truncate", length: 10 };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), { code: "EBADMSG" });
 * assert.equal((await conn.execute(getLinks)).length, 1); // lo
 * ```
 */
export interface TruncateFault {
  /** The kind of fault. */
  type: "truncate";
  /**
   * How many bytes to keep; default 4 fewer than the datagram holds. The
   * cut always lands inside a message's payload (moved forward to the next
   * payload byte, or back into the last message), so the datagram is
   * visibly malformed and still names the request it answers: the request
   * fails with EBADMSG, never with part of its reply.
   */
  length?: number;
}

/**
 * Put a 17-byte `NLMSG_NOOP` in front of the first reply datagram, so its messages sit at unaligned offsets.
 *
 * @example Messages at unaligned offsets fail the call with EBADMSG
 * ```ts
 * import { type MisalignFault, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const fault: MisalignFault = { type: "misalign" };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), { code: "EBADMSG" });
 * assert.equal((await conn.execute(getLinks)).length, 1);
 * ```
 */
export interface MisalignFault {
  /** The kind of fault. */
  type: "misalign";
}

/**
 * Answer with another sequence number.
 *
 * @example A reply with another sequence number is ignored: the call keeps waiting
 * ```ts
 * import { SimKernel, type WrongSequenceFault } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const fault: WrongSequenceFault = { type: "wrongSequence", delta: 7 };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * const abort = new AbortController();
 * const pending = conn.execute(getLinks, { signal: abort.signal });
 * await kernel.settled(); // the stray reply has been delivered
 * abort.abort();
 * await assert.rejects(pending);
 * assert.equal((await conn.execute(getLinks)).length, 1);
 * ```
 */
export interface WrongSequenceFault {
  /** The kind of fault. */
  type: "wrongSequence";
  /**
   * Added to the request's sequence; default 2^31 (half the sequence
   * space). The result is moved on past 0 (the sequence of notifications)
   * and past the sequences of the connection's recent requests, so the
   * stray reply never answers another request in flight: the `Conn` drops
   * it as it drops any reply nobody waits for.
   */
  delta?: number;
}

/**
 * Answer with another destination port id.
 *
 * @example A reply addressed to another port fails validation
 * ```ts
 * import { SimKernel, type WrongPidFault } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags, isNetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const fault: WrongPidFault = { type: "wrongPid", pid: 31337 };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), (e: unknown) => isNetlinkError(e) && e.op === "validate");
 * ```
 */
export interface WrongPidFault {
  /** The kind of fault. */
  type: "wrongPid";
  /** The port id to put in the replies; default the requester's plus one. */
  pid?: number;
}

/**
 * Deliver a spoofed copy of the replies from a user-space port first.
 *
 * @example A spoofed copy from a user-space port is dropped
 * ```ts
 * import { type ForeignSenderFault, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const fault: ForeignSenderFault = { type: "foreignSender", pid: 4242 };
 * const handle = kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * assert.equal((await conn.execute(getLinks)).length, 1); // only the kernel's copy
 * assert.equal(handle.hits, 1);
 * ```
 */
export interface ForeignSenderFault {
  /** The kind of fault. */
  type: "foreignSender";
  /** The sender port id of the copy; default 4242. */
  pid?: number;
}

/**
 * Fail the request with an errno and extended ACK (the handler does not run).
 *
 * @example Fail a request with EPERM and an extended ACK message
 * ```ts
 * import { type ErrorFault, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags, NetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const fault: ErrorFault = { type: "error", errno: 1, extAck: { message: "not today" } };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), (e: unknown) => {
 *   assert.ok(e instanceof NetlinkError);
 *   assert.equal(e.code, "EPERM");
 *   assert.equal(e.extAck?.message, "not today");
 *   return true;
 * });
 * ```
 */
export interface ErrorFault {
  /** The kind of fault. */
  type: "error";
  /** The positive errno. */
  errno: number;
  /** Extended ACK attributes (sent when the socket enabled them). */
  extAck?: ExtendedAck;
}

/**
 * Hold the replies back.
 *
 * @example Hold a reply until the test releases it
 * ```ts
 * import { type DelayFault, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const gate = Promise.withResolvers<void>();
 * const fault: DelayFault = { type: "delay", until: gate.promise };
 * kernel.inject(fault);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * let answered = false;
 * const pending = conn.execute(getLinks).then((r) => (answered = true, r));
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.equal(answered, false);
 * gate.resolve();
 * assert.equal((await pending).length, 1);
 * ```
 */
export interface DelayFault {
  /** The kind of fault. */
  type: "delay";
  /** Milliseconds to wait. */
  ms?: number;
  /** Wait until this settles (takes precedence over `ms`): lets a test release the reply. */
  until?: PromiseLike<unknown>;
}

/**
 * A fault the simulated kernel can inject.
 *
 * @example Any fault kind, chosen at run time
 * ```ts
 * import { type Fault, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const faults: Fault[] = [{ type: "error", errno: 16 }, { type: "truncate" }];
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * for (const fault of faults) {
 *   const kernel = new SimKernel();
 *   await using conn = kernel.dial(Family.Route);
 *   kernel.inject(fault);
 *   await assert.rejects(conn.execute(getLinks), { code: fault.type === "error" ? "EBUSY" : "EBADMSG" });
 * }
 * ```
 */
export type Fault =
  | DumpInterruptedFault
  | OverrunFault
  | TruncateFault
  | MisalignFault
  | WrongSequenceFault
  | WrongPidFault
  | ForeignSenderFault
  | ErrorFault
  | DelayFault;

/**
 * Which requests (or, for `overrun`, which notifications) a fault applies to.
 *
 * @example Fail RTM_GETLINK dumps only
 * ```ts
 * import { type FaultMatch, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const match: FaultMatch = { type: 18, flags: HeaderFlags.Dump };
 * kernel.inject({ type: "error", errno: 16 }, { match });
 * const dump = (type: number) => ({
 *   header: { length: 0, type, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16),
 * });
 * assert.equal((await conn.execute(dump(22))).length, 2); // RTM_GETADDR: lo's two addresses
 * await assert.rejects(conn.execute(dump(18)), { code: "EBUSY" }); // RTM_GETLINK
 * ```
 */
export interface FaultMatch {
  /** The netlink message type (`nlmsg_type`). */
  type?: number;
  /** Flags that must all be set. */
  flags?: number;
  /** The generic netlink command (first byte of the payload). */
  command?: number;
}

/**
 * Where and how often a fault applies.
 *
 * @example Fail one Conn's requests twice; another Conn is untouched
 * ```ts
 * import { type FaultOptions, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using a = kernel.dial(Family.Route);
 * await using b = kernel.dial(Family.Route);
 * const options: FaultOptions = { conn: b, times: 2 };
 * kernel.inject({ type: "error", errno: 16 }, options);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * assert.equal((await a.execute(getLinks)).length, 1);
 * await assert.rejects(b.execute(getLinks), { code: "EBUSY" });
 * await assert.rejects(b.execute(getLinks), { code: "EBUSY" });
 * assert.equal((await b.execute(getLinks)).length, 1);
 * ```
 */
export interface FaultOptions {
  /** Only matching requests; a predicate gets the request message. Default: every request. */
  match?: FaultMatch | ((message: Message) => boolean);
  /** How many times the fault fires; default 1 (`Infinity`: every time). */
  times?: number;
  /** Only requests from (or, for `overrun`, notifications to) this Conn or port id. */
  conn?: Conn | number;
}

/**
 * A fault declared on a kernel: `{ fault, ...options }`.
 *
 * @example Faults active from the start, declared with the kernel
 * ```ts
 * import { type FaultRule, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const rule: FaultRule = { fault: { type: "error", errno: 1 }, match: { type: 18 } };
 * const kernel = new SimKernel({ faults: [rule] });
 * await using conn = kernel.dial(Family.Route);
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), { code: "EPERM" });
 * assert.equal((await conn.execute(getLinks)).length, 1); // fired once (default times: 1)
 * ```
 */
export interface FaultRule extends FaultOptions {
  /** The fault. */
  fault: Fault;
}

/**
 * A handle on an injected fault.
 *
 * @example Count the hits of a fault, then remove it
 * ```ts
 * import { type FaultHandle, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route);
 * const handle: FaultHandle = kernel.inject({ type: "error", errno: 16 }, { times: Infinity });
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * await assert.rejects(conn.execute(getLinks), { code: "EBUSY" });
 * assert.equal(handle.hits, 1);
 * assert.equal(handle.remaining, Infinity);
 * handle.remove();
 * assert.equal((await conn.execute(getLinks)).length, 1);
 * ```
 */
export interface FaultHandle {
  /** How many times it fired. */
  readonly hits: number;
  /** How many firings are left. */
  readonly remaining: number;
  /** Stops it from firing again. */
  remove(): void;
}

/**
 * An active fault inside a kernel.
 *
 * @internal
 */
export class ActiveFault implements FaultHandle {
  readonly fault: Fault;
  readonly #match: FaultOptions["match"];
  readonly #pid: number | undefined;
  #left: number;
  #hits = 0;

  constructor(rule: FaultRule) {
    const times = rule.times ?? 1;
    if (!(times >= 0)) {
      throw new TypeError(`Cannot inject fault: times ${times} is not a count`);
    }
    checkFault(rule.fault);
    this.fault = rule.fault;
    this.#match = rule.match;
    this.#left = times;
    const c = rule.conn;
    this.#pid = c === undefined ? undefined : typeof c === "number" ? c : c.pid;
  }

  get hits(): number {
    return this.#hits;
  }

  get remaining(): number {
    return this.#left;
  }

  remove(): void {
    this.#left = 0;
  }

  /** Reports whether the fault applies to `m` from/to `pid`, and consumes one firing if so. */
  take(m: Message, pid: number): boolean {
    if (this.#left <= 0) return false;
    if (this.#pid !== undefined && this.#pid !== pid) return false;
    if (!matches(this.#match, m)) return false;
    this.#left--;
    this.#hits++;
    return true;
  }
}

function checkFault(f: Fault): void {
  const known = [
    "dumpInterrupted",
    "overrun",
    "truncate",
    "misalign",
    "wrongSequence",
    "wrongPid",
    "foreignSender",
    "error",
    "delay",
  ];
  if (!f || !known.includes((f as { type: string }).type)) {
    throw new TypeError(
      `Cannot inject fault: unknown type ${
        JSON.stringify((f as { type?: unknown })?.type)
      }`,
    );
  }
  if (f.type === "error" && !(Number.isInteger(f.errno) && f.errno > 0)) {
    throw new TypeError(
      `Cannot inject fault: errno ${f.errno} is not a positive integer`,
    );
  }
}

function matches(match: FaultOptions["match"], m: Message): boolean {
  if (match === undefined) return true;
  if (typeof match === "function") return match(m);
  if (match.type !== undefined && m.header.type !== match.type) return false;
  if (
    match.flags !== undefined && (m.header.flags & match.flags) !== match.flags
  ) return false;
  if (match.command !== undefined && m.data[0] !== match.command) return false;
  return true;
}

/**
 * Sets `NLM_F_DUMP_INTR` on the parts of a dump from `at` on (DONE included).
 *
 * @internal
 */
export function interruptDump(parts: Message[], at: number): void {
  // `at` past the end still interrupts: the DONE (the last part) is always marked.
  const first = Math.min(Math.max(1, at), parts.length);
  parts.forEach((m, i) => {
    if (i + 1 >= first) m.header.flags |= HeaderFlags.DumpInterrupted;
  });
}

/**
 * Returns the datagram cut to `length` bytes (default 4 fewer), the cut
 * moved to the nearest byte inside a message's payload: forward, or back
 * into the last message. The first message cut keeps its 16-byte header
 * (so a receiver knows which request it answered) and its length now runs
 * past the end (so the datagram is visibly malformed); a cut at a message
 * boundary, in padding or inside a header would instead lose messages
 * silently or leave bytes nobody can attribute.
 *
 * @internal
 */
export function truncateDatagram(d: Uint8Array, length?: number): Uint8Array {
  const want = Math.max(0, Math.min(d.length, length ?? d.length - 4));
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let last = -1;
  for (let p = 0; d.length - p >= HEADER_LENGTH;) {
    const len = v.getUint32(p, LE);
    if (len < HEADER_LENGTH || len > d.length - p) break;
    if (len > HEADER_LENGTH) {
      // Payload bytes [p + 16, p + len): cutting at any of them breaks the message.
      if (want < p + len) return d.slice(0, Math.max(want, p + HEADER_LENGTH));
      last = p + len - 1;
    }
    p += align(len);
  }
  return d.slice(0, last >= 0 ? last : want);
}

/**
 * Returns the datagram behind a 17-byte `NLMSG_NOOP` (the header plus one
 * byte, with the first message's sequence and pid), so that every real
 * message starts at an unaligned offset.
 *
 * @internal
 */
export function misalignDatagram(d: Uint8Array): Uint8Array {
  if (d.length < HEADER_LENGTH) return d;
  const out = new Uint8Array(HEADER_LENGTH + 1 + d.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, HEADER_LENGTH + 1, LE);
  v.setUint16(4, HeaderType.Noop, LE);
  out.set(d.subarray(8, 16), 8); // sequence and pid of the first message
  out.set(d, HEADER_LENGTH + 1);
  return out;
}

/**
 * Rewrites sequence and/or pid of every message in a datagram.
 *
 * @internal
 */
export function restampDatagram(
  d: Uint8Array,
  fix: { sequenceDelta?: number; pid?: number },
): Uint8Array {
  const out = d.slice();
  const v = new DataView(out.buffer);
  for (let p = 0; out.length - p >= HEADER_LENGTH;) {
    const len = v.getUint32(p, LE);
    if (len < HEADER_LENGTH) break;
    if (fix.sequenceDelta !== undefined) {
      v.setUint32(
        p + 8,
        (v.getUint32(p + 8, LE) + fix.sequenceDelta) >>> 0,
        LE,
      );
    }
    if (fix.pid !== undefined) v.setUint32(p + 12, fix.pid >>> 0, LE);
    p += align(len);
  }
  return out;
}

/**
 * Waits as a delay fault says.
 *
 * @internal
 */
export async function waitDelay(f: DelayFault): Promise<void> {
  if (f.until !== undefined) {
    try {
      await f.until;
    } catch {
      // A rejected gate releases the reply too.
    }
    return;
  }
  const ms = f.ms ?? 0;
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/** True for `NLMSG_DONE`. @internal */
export function isDone(m: Message): boolean {
  return m.header.type === HeaderType.Done;
}
