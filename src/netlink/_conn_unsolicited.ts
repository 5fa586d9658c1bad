/**
 * Messages of a `Conn` that answer none of its requests: notifications
 * (multicast, and unicast with sequence 0) for the open
 * `notifications()` streams, and replies to `send()` queued for
 * `receive()`, one batch per datagram. Not part of the public API.
 *
 * @module
 */

import {
  closedError,
  MULTI,
  QUEUE_LIMIT,
  RAW_LIMIT,
  socketError,
  type Waiter,
} from "./_conn_state.ts";
import type { Reader, WaitOptions } from "./_conn_reader.ts";
import type { Stream } from "./_conn_stream.ts";
import { DumpInterruptedError, OverrunError } from "./errors.ts";
import type { Message } from "./message.ts";

/** The messages of one datagram for `receive()`. */
export interface Batch {
  messages: Message[];
  /** A kernel error in the datagram: `receive()` throws it. */
  error: unknown;
  /** An `NLMSG_DONE` ended a multipart reply. */
  done: boolean;
  interrupted: boolean;
}

/** A `receive()` call; only the first in line takes batches. */
class ReceiveWait implements Waiter {
  wake: (() => void) | null = null;
  error: unknown = null;
  readonly #owner: Unsolicited;
  constructor(owner: Unsolicited) {
    this.#owner = owner;
  }
  ready(): boolean {
    return this.error !== null || this.#owner.canTake(this);
  }
}

/** Notifications streams and the `receive()` backlog of one connection. */
export class Unsolicited {
  /** The open `notifications()` streams. */
  readonly listeners: Set<Stream<Message>> = new Set();
  readonly #sent = new Set<number>();
  readonly #backlog: Batch[] = [];
  #batch: Batch | null = null;
  #overrun = false;
  #closed = false;
  readonly #waiters: ReceiveWait[] = [];

  /** Remembers the sequence of a `send()`, so its replies reach `receive()`. */
  noteSent(seq: number): void {
    const sent = this.#sent;
    if (sent.has(seq)) return;
    if (sent.size >= RAW_LIMIT) {
      for (const s of sent) {
        sent.delete(s);
        break;
      }
    }
    sent.add(seq);
  }

  /** Whether `seq` is that of a `send()`. */
  isSent(seq: number): boolean {
    return this.#sent.size > 0 && this.#sent.has(seq);
  }

  /** Hands a notification to every open stream; one too far behind fails with OverrunError and is dropped. */
  notify(m: Message): void {
    for (const l of this.listeners) {
      if (l.queued >= QUEUE_LIMIT) {
        l.fail(new OverrunError("notifications"));
        this.listeners.delete(l);
      } else l.push(m);
    }
  }

  /** The `receive()` batch of the datagram being routed (made on first use). */
  batch(): Batch {
    return this.#batch ??= {
      messages: [],
      error: null,
      done: false,
      interrupted: false,
    };
  }

  /** The datagram was routed: queue its batch for `receive()`. */
  endDatagram(): void {
    const b = this.#batch;
    if (b === null) return;
    this.#batch = null;
    if (this.#backlog.length >= QUEUE_LIMIT) this.#overrun = true;
    else this.#backlog.push(b);
    this.#waiters[0]?.wake?.();
  }

  /** The socket failed with `e`: tell the streams and `receive()`. */
  failAll(e: unknown): void {
    const listened = this.listeners.size > 0;
    for (const l of this.listeners) l.fail(socketError("notifications", e));
    this.listeners.clear();
    const err = socketError("receive", e);
    if (err instanceof OverrunError) {
      // Also for receive(), unless notifications streams took it and nobody is receiving.
      if (this.#waiters.length > 0 || !listened) {
        this.#overrun = true;
      }
    } else {
      for (const w of this.#waiters) if (w.error === null) w.error = err;
    }
    for (const w of this.#waiters.slice()) w.wake?.();
  }

  /** The connection closed: streams end, `receive()` calls fail. */
  close(): void {
    this.#closed = true;
    for (const l of this.listeners) l.end();
    this.listeners.clear();
    this.#backlog.length = 0;
    for (const w of this.#waiters.slice()) w.wake?.();
  }

  /** Whether `w` is first in line and has something to take. */
  canTake(w: ReceiveWait): boolean {
    return this.#closed ||
      (this.#waiters[0] === w && (this.#backlog.length > 0 || this.#overrun));
  }

  /**
   * `Conn.receive`: the next batch, or the batches of a multipart reply up
   * to its `NLMSG_DONE`; callers are served in order.
   */
  async receive(
    reader: Reader,
    options: WaitOptions | undefined,
  ): Promise<Message[]> {
    const w = new ReceiveWait(this);
    const waiters = this.#waiters;
    waiters.push(w);
    const fail = (reason: unknown): void => {
      if (w.error === null) w.error = reason;
    };
    try {
      const out: Message[] = [];
      let multi = false;
      let interrupted = false;
      for (;;) {
        if (w.error !== null) throw w.error;
        if (this.#closed) throw closedError("receive");
        if (waiters[0] === w) {
          if (this.#overrun) {
            this.#overrun = false;
            throw new OverrunError("receive");
          }
          const b = this.#backlog.shift();
          if (b !== undefined) {
            if (b.error !== null) throw b.error;
            for (const m of b.messages) {
              out.push(m);
              if ((m.header.flags & MULTI) !== 0) multi = true;
            }
            if (b.interrupted) interrupted = true;
            if (b.done || !multi) {
              if (interrupted) throw new DumpInterruptedError("receive", out);
              return out;
            }
            continue;
          }
          reader.pump(w);
          if (w.ready()) continue;
        }
        await reader.wait(w, "receive", options, fail);
      }
    } finally {
      const i = waiters.indexOf(w);
      if (i >= 0) waiters.splice(i, 1);
      if (i === 0) waiters[0]?.wake?.();
    }
  }
}
