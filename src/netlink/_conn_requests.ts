/**
 * The requests in flight on a `Conn`: one record per request, the table
 * that routes replies to them by sequence number, their completion, and the
 * dump queue (the kernel runs one dump per socket, so a dump is sent only
 * once the previous one has ended). Not part of the public API.
 *
 * @module
 */

import { ABANDONED_LIMIT, ACK, DUMP, type Waiter } from "./_conn_state.ts";
import type { Stream } from "./_conn_stream.ts";
import { DumpInterruptedError } from "./errors.ts";
import type { Header } from "./header.ts";
import type { Message, MessageView } from "./message.ts";

/** Kinds of request: `execute` collects, `dump` streams, `visit` calls a visitor. */
export const COLLECT = 0;
export const STREAM = 1;
export const VISIT = 2;

/**
 * Most times one dump is sent again after the kernel answered EBUSY while a
 * dump the connection had let go of still ran (a slow kernel, or one that
 * a BPF filter stalls: each EBUSY read lets it make one more part).
 */
export const BUSY_RETRIES = 16;
/** The longest a left dump holds the queue again after an EBUSY, in milliseconds (doubling from 1). */
export const BUSY_HOLD_MAX = 64;

/** The (never written) message list of a visit or a dump. */
const NO_MESSAGES: Message[] = Object.freeze([]) as unknown as Message[];

/** A request in flight (execute, dump or visit), keyed by sequence number. */
export class Request implements Waiter {
  wake: (() => void) | null = null;
  kind = 0;
  op = "";
  seq = 0;
  pid = 0;
  /** The request asked for an ACK: the ACK, not a lone reply, ends it. */
  expectAck = false;
  /**
   * A dump: goes through the dump queue. Both bits of `NLM_F_DUMP`
   * (`NLM_F_ROOT | NLM_F_MATCH`), as dump requests set them; one alone is
   * also `NLM_F_REPLACE` or `NLM_F_EXCL` in a NEW request, which is no dump.
   */
  dump = false;
  visitor: ((view: MessageView) => void) | null = null;
  /** The encoded request: a copy once needed; else `gen`/`length` locate it in the encode buffer. */
  bytes: Uint8Array | null = null;
  gen = 0;
  length = 0;
  /** COLLECT: the replies. */
  messages: Message[] = NO_MESSAGES;
  /** STREAM: where replies go. */
  stream: Stream<unknown> | null = null;
  /** STREAM: maps each reply in place (else the stream gets a `Message` copy); `undefined` skips it. */
  map: ((view: MessageView) => unknown) | null = null;
  /** VISIT: messages visited. */
  count = 0;
  multi = false;
  interrupted = false;
  /** Sent to the kernel (a queued dump is not, yet). */
  sent = false;
  /** Times the dump was sent again after EBUSY (see {@linkcode Registry.busy}). */
  retries = 0;
  /** A left dump holding the queue again after an EBUSY, until `holdTimer` fires or it ends. */
  held = false;
  holdTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Finished for its caller (replies, error or abandoned). */
  done = false;
  failed = false;
  error: unknown = null;
  /** Done for its caller, but still registered so its remaining replies are dropped (or drained). */
  abandoned = false;
  /** Replies are routed to this record (it is in the table). */
  registered = false;

  /** (Re)initialises this record: records are reused on the fast path. */
  reset(
    kind: number,
    op: string,
    h: Header,
    seq: number,
    pid: number,
    visitor: ((view: MessageView) => void) | null,
  ): this {
    this.wake = null;
    this.kind = kind;
    this.op = op;
    this.seq = seq;
    this.pid = pid;
    this.expectAck = (h.flags & ACK) !== 0;
    this.dump = (h.flags & DUMP) === DUMP;
    this.visitor = visitor;
    this.bytes = null;
    this.gen = 0;
    this.length = 0;
    this.messages = kind === COLLECT ? [] : NO_MESSAGES;
    this.stream = null;
    this.map = null;
    this.count = 0;
    this.multi = false;
    this.interrupted = false;
    this.sent = false;
    this.retries = 0;
    this.held = false;
    this.holdTimer = undefined;
    this.done = false;
    this.failed = false;
    this.error = null;
    this.abandoned = false;
    this.registered = false;
    return this;
  }

  ready(): boolean {
    return this.done;
  }
}

/**
 * The table of requests in flight, and their life: registered when sent,
 * completed by their final reply ({@linkcode Registry.finish}) or early
 * ({@linkcode Registry.fail}, {@linkcode Registry.abandon}); an abandoned
 * request stays registered until its final reply so that its remaining
 * replies are dropped rather than taken for another's.
 *
 * Dumps: the kernel runs one dump per socket and answers a second one with
 * EBUSY while the first has not ended, so the registry holds the dump the
 * kernel is running ({@linkcode Registry.runningDump}) and queues later ones
 * until its final reply arrives, even when its caller left early (then the
 * connection drains it: {@linkcode Registry.draining}).
 */
export class Registry {
  /** The first request in flight: no Map traffic on the one-request fast path. */
  #slot: Request | null = null;
  readonly #table = new Map<number, Request>();
  #abandoned = 0;
  #running: Request | null = null;
  /** A left dump that stopped holding the queue before its end (see {@linkcode Registry.releaseDrained}). */
  #released: Request | null = null;
  readonly #queue: Request[] = [];
  /** Ready when no dump runs: a target for pumping until the dump slot frees. */
  readonly dumpIdle: Waiter = {
    wake: null,
    ready: () => this.#running === null,
  };

  /** The request with sequence `seq`, or null. */
  lookup(seq: number): Request | null {
    const s = this.#slot;
    if (s !== null && s.seq === seq) return s;
    return this.#table.size === 0 ? null : (this.#table.get(seq) ?? null);
  }

  /** The only request in flight, or null when none or several. */
  only(): Request | null {
    return this.#table.size === 0 ? this.#slot : null;
  }

  /** Starts routing replies with `p.seq` to `p`. */
  add(p: Request): void {
    p.registered = true;
    if (this.#slot === null) this.#slot = p;
    else this.#table.set(p.seq, p);
  }

  /** Every registered request. */
  all(): Request[] {
    const all = [...this.#table.values()];
    if (this.#slot !== null) all.unshift(this.#slot);
    return all;
  }

  /** The dump the kernel runs for this socket (sent, final reply not yet received), or null. */
  get runningDump(): Request | null {
    return this.#running;
  }

  /** True while the running dump's caller has left: its replies must still be read. */
  get draining(): boolean {
    return this.#running !== null && this.#running.abandoned;
  }

  /**
   * The socket is empty: a dump whose caller left no longer holds the
   * queue. Linux makes the first part of a dump inside the send and each
   * next part inside the receive that read the previous one, so with
   * nothing queued the dump has either ended or stalled (a BPF filter
   * dropped a part); waiting for it could hang the next dump. The record
   * stays registered (its late replies are dropped) and is remembered: if
   * the kernel then answers the next dump EBUSY, it still ran after all (a
   * slow kernel), see {@linkcode Registry.busy}.
   */
  releaseDrained(): void {
    const r = this.#running;
    if (r !== null && r.abandoned && !r.held) {
      this.#running = null;
      this.#released = r;
    }
  }

  /**
   * The kernel answered dump `p` EBUSY: if a dump this registry let go of
   * ({@linkcode Registry.releaseDrained}) has not ended, the kernel still
   * runs it (a slow kernel whose parts come late, or one a BPF filter
   * stalls: reading anything lets it make one more part). Then `p` (whose
   * bytes must be kept) goes back to the head of the queue, unsent, and
   * that dump holds the queue again, drained meanwhile, until its end or
   * {@linkcode Registry.unhold}; at most {@linkcode BUSY_RETRIES} times per
   * request. Returns the dump that holds the queue again, or null.
   */
  busy(p: Request): Request | null {
    const r = this.#released;
    if (r === null || !r.registered || p.retries >= BUSY_RETRIES) return null;
    if (p.bytes === null || !p.dump || p.multi || p.done) return null;
    p.retries++;
    p.sent = false;
    this.#running = r;
    this.#released = null;
    r.held = true;
    this.#queue.unshift(p);
    return r;
  }

  /** The time `r` held the queue again ran out: let go of it again. Returns whether it still held it. */
  unhold(r: Request): boolean {
    r.held = false;
    r.holdTimer = undefined;
    if (this.#running !== r) return false;
    this.#running = null;
    this.#released = r;
    return true;
  }

  /** Records that the kernel now runs dump `p`. */
  run(p: Request): void {
    this.#running = p;
  }

  /** Queues dump `p` (registered, not sent) until the running one ends. */
  enqueue(p: Request): void {
    this.add(p);
    this.#queue.push(p);
  }

  /** The next queued dump to send once no dump runs, or null. */
  nextDump(): Request | null {
    const q = this.#queue;
    if (q.length === 0 || this.#running !== null) return null;
    while (q.length > 0) {
      const p = q.shift()!;
      if (!p.done) return p;
    }
    return null;
  }

  /** The final reply of `p` arrived: unregister it and complete it (unless it already ended for its caller). */
  finish(p: Request, err: unknown): void {
    this.#remove(p);
    if (p.done) return;
    if (err !== null) {
      p.failed = true;
      p.error = err;
    } else if (p.interrupted) {
      p.failed = true;
      p.error = new DumpInterruptedError(
        p.op,
        p.kind === COLLECT ? p.messages : [],
        { sequence: p.seq },
      );
    }
    p.done = true;
    this.#settled(p);
  }

  /** Completes `p` with an error now; its remaining replies are dropped as they arrive. */
  fail(p: Request, err: unknown): void {
    if (p.done) return;
    p.failed = true;
    p.error = err;
    p.done = true;
    this.abandon(p);
    this.#settled(p);
  }

  /** Stops delivering to `p`; keeps it registered until its final reply, if it was sent. */
  abandon(p: Request): void {
    p.done = true;
    if (!p.registered || p.abandoned) return;
    if (!p.sent) {
      this.#remove(p); // a queued dump: nothing to drop
      return;
    }
    p.abandoned = true;
    if (++this.#abandoned > ABANDONED_LIMIT) this.#forget();
  }

  /** Fails every request (close): nothing is routed any more. */
  clear(fail: (p: Request) => unknown): void {
    for (const p of this.all()) {
      if (p.holdTimer !== undefined) clearTimeout(p.holdTimer);
      p.holdTimer = undefined;
      if (!p.done) this.fail(p, fail(p));
      p.registered = false;
      p.abandoned = false;
    }
    this.#slot = null;
    this.#table.clear();
    this.#abandoned = 0;
    this.#running = null;
    this.#released = null;
    this.#queue.length = 0;
  }

  #settled(p: Request): void {
    const s = p.stream;
    if (s === null) p.wake?.();
    else if (p.failed) s.fail(p.error);
    else s.end();
  }

  #remove(p: Request): void {
    if (p.holdTimer !== undefined) {
      clearTimeout(p.holdTimer);
      p.holdTimer = undefined;
      p.held = false;
    }
    if (p.abandoned) {
      p.abandoned = false;
      this.#abandoned--;
    }
    if (!p.registered) return;
    p.registered = false;
    if (this.#slot === p) this.#slot = null;
    else this.#table.delete(p.seq);
    if (this.#released === p) this.#released = null;
    if (this.#running === p) this.#running = null;
    else if (p.dump && !p.sent) {
      // A queued dump: out of the queue too, as the record may be reused.
      const i = this.#queue.indexOf(p);
      if (i >= 0) this.#queue.splice(i, 1);
    }
  }

  /** Too many abandoned requests: forget the oldest half (their stragglers then match nothing). */
  #forget(): void {
    for (const p of this.all()) {
      if (this.#abandoned <= ABANDONED_LIMIT / 2) break;
      if (p.abandoned) this.#remove(p);
    }
  }
}
