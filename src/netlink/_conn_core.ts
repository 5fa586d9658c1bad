/**
 * The workings of one `Conn`, composed of parts with one job each:
 *
 * - {@linkcode Encoder}: the sequence counter, and one reused buffer that
 *   requests are encoded into and sent from;
 * - {@linkcode Registry}: the requests in flight by sequence number, their
 *   completion, and the dump queue (one dump per socket);
 * - {@linkcode Reader}: the one place that reads the socket (a synchronous
 *   pump, and one background reader while anybody waits);
 * - {@linkcode Router}: each received message to its request, to the
 *   notification streams or to `receive()`;
 * - {@linkcode Unsolicited}: notification streams and the `receive()` backlog;
 * - {@linkcode Stream}: the one queue-backed async iterator.
 *
 * `Conn`'s public methods are thin calls into this class. Not part of the
 * public API.
 *
 * @module
 */

import type { Socket } from "./_socket.ts";
import { Encoder, type Outgoing } from "./_conn_encoder.ts";
import { Reader } from "./_conn_reader.ts";
import {
  BUSY_HOLD_MAX,
  COLLECT,
  Registry,
  Request,
  STREAM,
  VISIT,
} from "./_conn_requests.ts";
import { Router } from "./_conn_router.ts";
import {
  checkMessage,
  checkTimeout,
  closedError,
  EMPTY,
  socketError,
} from "./_conn_state.ts";
import { Stream } from "./_conn_stream.ts";
import { Unsolicited } from "./_conn_unsolicited.ts";
import type { Message, MessageView } from "./message.ts";
import type { ReceiveOptions } from "./options.ts";

/** The state and mechanics behind one `Conn`. */
export class ConnCore {
  readonly socket: Socket;
  readonly #encoder = new Encoder();
  readonly #requests = new Registry();
  readonly #unsolicited = new Unsolicited();
  readonly #router: Router;
  readonly #reader: Reader;
  #closed = false;
  /** A finished request record, reused by the next request (fast path). */
  #spare: Request | null = null;

  constructor(socket: Socket) {
    this.socket = socket;
    const requests = this.#requests;
    const router = new Router(
      socket,
      requests,
      this.#unsolicited,
      this.#encoder,
      (p) => this.#busy(p),
    );
    this.#router = router;
    this.#reader = new Reader(socket, {
      datagram: (d) => {
        router.datagram(d);
        if (requests.runningDump === null) this.#sendQueuedDump();
        else if (requests.draining) this.#reader.start();
      },
      failAll: (e) => this.#failAll(e),
      background: () => requests.draining,
      idle: () => {
        if (!requests.draining) return;
        requests.releaseDrained();
        this.#sendQueuedDump();
      },
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** `Conn.sendMessages`: one datagram, no request record. */
  send(messages: readonly Outgoing[]): Message[] {
    const array = Array.isArray(messages);
    const op = array && messages.length === 1 ? "send" : "sendMessages";
    if (this.#closed) throw closedError(op);
    if (!array) throw new TypeError(`Cannot ${op}: messages must be an array`);
    if (messages.length === 0) {
      throw new RangeError(`Cannot ${op}: no messages`);
    }
    const enc = this.#encoder;
    enc.begin();
    const sent: Message[] = [];
    let end = 0;
    const before = enc.sequence;
    try {
      for (const m of messages) {
        checkMessage(op, m);
        const h = m.header;
        const sequence = h.sequence === 0 ? enc.nextSequence() : h.sequence;
        const pid = h.pid === 0 ? this.socket.pid : h.pid;
        const start = end;
        end = enc.encode(op, m, start, sequence, pid);
        const length = enc.lengthAt(start);
        sent.push({
          header: { length, type: h.type, flags: h.flags, sequence, pid },
          data: m.data ?? EMPTY,
        });
      }
    } catch (e) {
      enc.sequence = before; // nothing was sent: the numbers are unused
      throw e;
    }
    enc.send(this.socket, op, end);
    for (const m of sent) this.#unsolicited.noteSent(m.header.sequence);
    return sent;
  }

  /** `Conn.receive`. */
  async receive(options: ReceiveOptions | undefined): Promise<Message[]> {
    if (this.#closed) throw closedError("receive");
    options?.signal?.throwIfAborted();
    checkTimeout("receive", options?.timeout);
    return await this.#unsolicited.receive(this.#reader, options);
  }

  /**
   * `Conn.execute` (COLLECT) and `Conn.visit` (VISIT): start, read what is
   * queued, and settle synchronously when the reply is complete (the only
   * promise is then the one returned).
   */
  run(
    op: string,
    message: Outgoing,
    kind: number,
    visitor: ((view: MessageView) => void) | null,
    options: ReceiveOptions | undefined,
  ): Promise<unknown> {
    let p: Request;
    try {
      if (kind === VISIT && typeof visitor !== "function") {
        throw new TypeError("Cannot visit: visitor must be a function");
      }
      p = this.#start(op, message, kind, visitor, options);
      this.#reader.pump(p);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!p.done) return this.#later(p, options);
    try {
      return Promise.resolve(this.#result(p));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * `Conn.dump`: a stream that sends the request on its first `next()`.
   * With `map`, each reply is mapped in place from the receive buffer
   * (as a visitor sees it) instead of copied into a `Message`; replies it
   * maps to `undefined` are skipped, and a throw fails the dump.
   */
  dump<T = Message>(
    message: Outgoing,
    options: ReceiveOptions | undefined,
    map: ((view: MessageView) => T | undefined) | null = null,
  ): Stream<T> {
    let p: Request | null = null;
    return new Stream<T>({
      pull: (s) => {
        if (p === null) {
          p = this.#start("dump", message, STREAM, null, options);
          p.stream = s as Stream<unknown>;
          p.map = map;
        }
        this.#reader.pump(s);
      },
      wait: (s) => {
        const q = p!;
        this.#encoder.keep(q);
        return this.#reader.wait(s, "dump", options, (e) => this.#fail(q, e));
      },
      cancel: () => {
        if (p !== null) this.#fail(p, null);
      },
    }, options?.signal);
  }

  /** `Conn.notifications`: a stream subscribed from now on. */
  notifications(options: ReceiveOptions | undefined): Stream<Message> {
    checkTimeout("notifications", options?.timeout);
    const listeners = this.#unsolicited.listeners;
    const stream = new Stream<Message>({
      pull: (s) => this.#reader.pump(s),
      wait: (s) =>
        this.#reader.wait(s, "notifications", options, (e) => {
          listeners.delete(s);
          s.fail(e);
        }),
      cancel: (s) => void listeners.delete(s),
    }, options?.signal);
    if (this.#closed) stream.end();
    else listeners.add(stream);
    return stream;
  }

  /** A socket setting: fails on a closed connection, wraps socket errors. */
  call<T>(op: string, fn: (socket: Socket) => T): T {
    if (this.#closed) throw closedError(op);
    try {
      return fn(this.socket);
    } catch (e) {
      throw socketError(op, e);
    }
  }

  /** Closes: every request fails, streams end, the socket closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests.clear((p) => closedError(p.op));
    this.#router.clear();
    this.#unsolicited.close();
    this.#reader.close();
    try {
      this.socket.close();
    } catch {
      // Closing twice or a failing close(2): nothing left to release.
    }
  }

  /** The slow path of {@linkcode ConnCore.run}: the reply is not all queued yet. */
  async #later(
    p: Request,
    options: ReceiveOptions | undefined,
  ): Promise<unknown> {
    const fail = (e: unknown): void => this.#fail(p, e);
    while (!p.done) {
      this.#encoder.keep(p);
      await this.#reader.wait(p, p.op, options, fail);
      if (!p.done) this.#reader.pump(p);
    }
    return this.#result(p);
  }

  /** The outcome of a finished `execute`/`visit`; the record is kept for reuse. */
  #result(p: Request): unknown {
    const value = p.kind === VISIT ? p.count : p.messages;
    const failed = p.failed;
    const error = p.error;
    if (!p.abandoned && p.wake === null && !p.registered) {
      p.visitor = null;
      p.error = null;
      p.bytes = null;
      this.#spare = p;
    }
    if (failed) throw error;
    return value;
  }

  /**
   * Encodes and registers a request and sends it, unless it is a dump and
   * the kernel still runs another for this socket: then that one is read to
   * its end first if it is all queued, else the request is queued.
   */
  #start(
    op: string,
    m: Outgoing,
    kind: number,
    visitor: ((view: MessageView) => void) | null,
    options: ReceiveOptions | undefined,
  ): Request {
    if (this.#closed) throw closedError(op);
    if (options !== undefined) {
      options.signal?.throwIfAborted();
      checkTimeout(op, options.timeout);
    }
    checkMessage(op, m);
    const h = m.header;
    const enc = this.#encoder;
    const requests = this.#requests;
    const before = enc.sequence;
    const seq = h.sequence === 0 ? enc.nextSequence() : h.sequence;
    if (requests.lookup(seq) !== null) {
      enc.sequence = before;
      throw new TypeError(
        `Cannot ${op}: sequence ${seq} is already in flight on this connection`,
      );
    }
    const pid = h.pid === 0 ? this.socket.pid : h.pid;
    const gen = enc.begin();
    let end: number;
    try {
      end = enc.encode(op, m, 0, seq, pid);
    } catch (e) {
      // Nothing is sent or registered; a written request's writer (the
      // spec's checks of a typed request) leaves the counter as it was.
      enc.sequence = before;
      throw e;
    }
    const p = (this.#spare ?? new Request()).reset(
      kind,
      op,
      h,
      seq,
      pid,
      visitor,
    );
    this.#spare = null;
    p.gen = gen;
    p.length = end;
    if (p.dump && requests.runningDump !== null) {
      this.#reader.pump(requests.dumpIdle);
      if (requests.runningDump !== null) {
        p.bytes = enc.copy(end);
        requests.enqueue(p);
        return p;
      }
    }
    enc.send(this.socket, op, end);
    p.sent = true;
    requests.add(p);
    if (p.dump) requests.run(p);
    return p;
  }

  /** Sends the next queued dump once none runs. */
  #sendQueuedDump(): void {
    const requests = this.#requests;
    for (let p = requests.nextDump(); p !== null; p = requests.nextDump()) {
      try {
        this.socket.send(p.bytes!);
      } catch (e) {
        requests.fail(p, socketError(p.op, e));
        continue;
      }
      p.sent = true;
      requests.run(p);
      return;
    }
  }

  /**
   * Ends `p` for its caller now, with `error` (or, for null, because the
   * caller left); its remaining replies are dropped, a dump's drained.
   */
  #fail(p: Request, error: unknown): void {
    const requests = this.#requests;
    if (error === null) requests.abandon(p);
    else requests.fail(p, error);
    if (requests.draining) this.#reader.start();
    else if (requests.runningDump === null) this.#sendQueuedDump();
  }

  /**
   * The kernel answered dump `p` EBUSY while a dump this Conn let go of
   * still ran (see `Registry.busy`): that dump holds the queue again, read
   * meanwhile, for 1, 2, 4 ... up to 64 ms, then `p` is sent again.
   */
  #busy(p: Request): boolean {
    if (p.bytes === null) {
      const bytes = this.#encoder.bytesOf(p);
      if (bytes === undefined) return false;
      p.bytes = bytes.slice();
    }
    const requests = this.#requests;
    const held = requests.busy(p);
    if (held === null) return false;
    const ms = Math.min(2 ** (p.retries - 1), BUSY_HOLD_MAX);
    held.holdTimer = setTimeout(() => {
      if (requests.unhold(held)) this.#sendQueuedDump();
    }, ms);
    this.#reader.start();
    return true;
  }

  /** A socket failure: every request sent and waiting fails with it (ENOBUFS: OverrunError). */
  #failAll(e: unknown): void {
    for (const p of this.#requests.all()) {
      if (p.sent && !p.done) this.#fail(p, socketError(p.op, e));
    }
    this.#unsolicited.failAll(e);
  }
}

export { COLLECT, VISIT };
