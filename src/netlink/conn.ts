/**
 * `Conn`: a netlink connection with sequence numbers, validation, multipart
 * replies, demultiplexing of concurrent requests, streaming dumps, a
 * zero-copy visitor and multicast notifications, over the internal Socket
 * seam (a libc socket in production, an in-memory kernel under nltest).
 *
 * @module
 */

import type { BPFInstruction, Socket } from "./_socket.ts";
import { HOST_LITTLE_ENDIAN } from "./_endian.ts";
import {
  ABANDONED_LIMIT,
  type Batch,
  BPF_MAXINSNS,
  checkInteger,
  checkMessage,
  closedError,
  COLLECT,
  copyMessage,
  DONE,
  DUMP_INTR,
  EBADMSG,
  ENOBUFS,
  errnoAt,
  ERROR,
  INITIAL_OUT,
  Listener,
  MULTI,
  Pending,
  QUEUE_LIMIT,
  RAW_LIMIT,
  RawWait,
  socketError,
  STREAM,
  type Target,
  VISIT,
} from "./_conn_state.ts";
import { align } from "./align.ts";
import {
  decodeError,
  DumpInterruptedError,
  NetlinkError,
  OverrunError,
} from "./errors.ts";
import { ConnOption, type Header, HEADER_LENGTH } from "./header.ts";
import {
  type Message,
  type MessageView,
  visitDatagram,
  writeHeader,
} from "./message.ts";
import type { ConnOptions, ReceiveOptions } from "./options.ts";
import { openSocket, type OpenSocketOptions } from "./socket.ts";
import { validate } from "./validate.ts";

let socketOfConn: (conn: Conn) => Socket;

/**
 * A netlink connection: one socket of one protocol family, bound to a port
 * id (`pid`), with a per-connection sequence counter (random start).
 *
 * - {@linkcode Conn.execute} sends a request and resolves to its replies,
 *   following multipart replies to `NLMSG_DONE`, turning `NLMSG_ERROR` into
 *   {@linkcode NetlinkError} (with the extended ACK), consuming the ACK of an
 *   `Acknowledge` request and validating every reply.
 * - {@linkcode Conn.dump} streams a multipart reply; {@linkcode Conn.visit}
 *   walks it without copying, over the receive buffer.
 * - Several requests may be in flight at once: replies are routed by
 *   sequence number; multicast goes to {@linkcode Conn.notifications}.
 * - Every call that waits takes `{ signal }`; {@linkcode Conn.close} ends
 *   every pending wait.
 *
 * Open one with {@linkcode Conn.dial}, or in tests with `dial` from
 * `@nlkit/netlink/nltest`, which runs this same class over a simulated kernel.
 *
 * @example Execute a request against the simulated kernel
 * ```ts
 * import { HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import { dial } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // A kernel that answers every request with one message echoing its data.
 * using conn = dial((requests) => requests.map((r) => ({ header: { ...r.header, flags: 0 }, data: r.data })));
 * const replies = await conn.execute({
 *   header: { length: 0, type: 0x10, flags: HeaderFlags.Request, sequence: 0, pid: 0 },
 *   data: new Uint8Array([1, 2, 3, 4]),
 * });
 * assert.deepEqual([...replies[0]!.data], [1, 2, 3, 4]);
 * assert.notEqual(replies[0]!.header.type, HeaderType.Error);
 * ```
 */
export class Conn implements Disposable, AsyncDisposable {
  readonly #socket: Socket;
  #seq: number;
  #closed = false;
  /** Requests in flight by sequence: the first in `#slot` (no Map traffic on the one-request fast path), others in `#pending`. */
  #slot: Pending | null = null;
  readonly #pending = new Map<number, Pending>();
  #abandoned = 0;
  #last: Pending | null = null;
  readonly #ends: Pending[] = [];
  readonly #listeners = new Set<Listener>();
  readonly #rawSeqs = new Set<number>();
  readonly #rawWaiters: RawWait[] = [];
  readonly #backlog: Batch[] = [];
  #batch: Batch | null = null;
  #rawOverrun = false;
  #multicast = false;
  /**
   * The datagram being routed, copied at most once (on the first message
   * kept from it): every kept {@linkcode Message} of that datagram gets a
   * view of this one copy, so a dump allocates one buffer per datagram, not
   * one per message. Null outside {@linkcode Conn.#datagram}.
   */
  #copy: ArrayBuffer | null = null;
  #pumping = false;
  #waiters = 0;
  #reading = false;
  #readerAbort: AbortController | null = null;
  readonly #view: MessageView = {
    header: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
    bytes: new Uint8Array(0),
    offset: 0,
    length: 0,
  };
  readonly #onMessage: (view: MessageView) => void;
  readonly #canRead: (w: RawWait) => boolean;
  readonly #scratch: Header = {
    length: 0,
    type: 0,
    flags: 0,
    sequence: 0,
    pid: 0,
  };
  #out: Uint8Array<ArrayBuffer> = new Uint8Array(INITIAL_OUT);
  #outView = new DataView(this.#out.buffer);
  #outSub: Uint8Array = this.#out.subarray(0, 0);
  #gen = 0;
  #spare: Pending | null = null;

  static {
    socketOfConn = (conn) => conn.#socket;
  }

  /**
   * Use {@linkcode Conn.dial} (or nltest's `dial`); this constructor is internal.
   *
   * @param socket The socket seam.
   * @internal
   */
  constructor(socket: Socket) {
    this.#socket = socket;
    this.#seq = crypto.getRandomValues(new Uint32Array(1))[0]!;
    this.#onMessage = (view) => this.#route(view);
    this.#canRead = (w) =>
      this.#closed ||
      (this.#rawWaiters[0] === w &&
        (this.#backlog.length > 0 || this.#rawOverrun));
  }

  /**
   * Opens a netlink socket of `family`, binds it, and applies `options`.
   *
   * @param family The protocol, a {@linkcode Family} value such as `Family.Route` (0) or `Family.Generic` (16).
   * @param options Bind-time settings and socket options; `extendedAck` defaults to true.
   * @returns The open connection.
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   * @throws {NetlinkError} When a system call fails (`cause` holds the {@linkcode SyscallError}).
   * @throws {TypeError} On a non-number family.
   * @throws {RangeError} On a family outside 0 to 31.
   *
   * @example Dump the links (needs Linux and `--allow-ffi`)
   * ```ts ignore
   * import { Conn, Family, HeaderFlags } from "@nlkit/netlink/netlink";
   *
   * await using conn = await Conn.dial(Family.Route);
   * const RTM_GETLINK = 18;
   * for await (const m of conn.dump({
   *   header: { length: 0, type: RTM_GETLINK, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
   *   data: new Uint8Array(16), // struct ifinfomsg
   * })) {
   *   console.log(m.header.length);
   * }
   * ```
   */
  static async dial(family: number, options: ConnOptions = {}): Promise<Conn> {
    checkInteger("dial", "family", family, 0, 31);
    const open: OpenSocketOptions = {};
    if (options.groups !== undefined) {
      open.groups = checkInteger(
        "dial",
        "groups",
        options.groups,
        0,
        0xffffffff,
      );
    }
    if (options.pid !== undefined) {
      open.pid = checkInteger("dial", "pid", options.pid, 0, 0xffffffff);
    }
    if (options.netns !== undefined) open.netns = options.netns;
    let socket: Socket;
    try {
      socket = await openSocket(family, open);
    } catch (e) {
      throw socketError("dial", e);
    }
    return connFromSocket(socket, options);
  }

  /**
   * The port id bound to this connection (`nl_pid`), assigned by the kernel unless `pid` was given.
   *
   * @example The port id the kernel assigned
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel({ firstPid: 4000 });
   * await using conn = kernel.dial(Family.Route);
   * assert.equal(conn.pid, 4000);
   * assert.deepEqual(kernel.ports, [conn.pid]);
   * ```
   */
  get pid(): number {
    return this.#socket.pid;
  }

  /**
   * True after {@linkcode Conn.close}.
   *
   * @example Check whether a connection is closed
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const conn = dial(() => []);
   * assert.equal(conn.closed, false);
   * await conn.close();
   * assert.equal(conn.closed, true);
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one message without waiting for a reply; read replies with
   * {@linkcode Conn.receive}. Header fields that are 0 are filled in:
   * `length` (16 + data length), `sequence` (the next value of the counter)
   * and `pid` (this connection's port id).
   *
   * @param message The message to send.
   * @returns A copy of the message with the header as sent.
   * @throws {NetlinkError} When the connection is closed or `sendto` fails.
   * @throws {TypeError} If `message` is not a message.
   * @throws {RangeError} If a header field is out of range.
   *
   * @example Sequence numbers are filled in
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * using conn = dial(() => []);
   * const a = conn.send({ header: { length: 0, type: 1, flags: 1, sequence: 0, pid: 0 }, data: new Uint8Array(0) });
   * const b = conn.send({ header: { length: 0, type: 1, flags: 1, sequence: 0, pid: 0 }, data: new Uint8Array(0) });
   * assert.equal(a.header.length, 16);
   * assert.equal(b.header.sequence, (a.header.sequence + 1) >>> 0 || 1);
   * assert.equal(a.header.pid, conn.pid);
   * ```
   */
  send(message: Message): Message {
    return this.sendMessages([message])[0]!;
  }

  /**
   * Sends several messages in one datagram (a batch), filling zero header
   * fields like {@linkcode Conn.send}, each message getting its own sequence.
   *
   * @param messages The messages to send.
   * @returns Copies of the messages with their headers as sent.
   * @throws {NetlinkError} When the connection is closed or `sendto` fails.
   * @throws {TypeError} If an element is not a message.
   * @throws {RangeError} If a header field is out of range, or `messages` is empty.
   *
   * @example Send a batch
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * let seen = 0;
   * using conn = dial((requests) => {
   *   seen = requests.length;
   *   return [];
   * });
   * const header = { length: 0, type: 0x10, flags: 1, sequence: 0, pid: 0 };
   * conn.sendMessages([{ header, data: new Uint8Array(0) }, { header, data: new Uint8Array(4) }]);
   * await new Promise((r) => setTimeout(r, 0));
   * assert.equal(seen, 2);
   * ```
   */
  sendMessages(messages: readonly Message[]): Message[] {
    const op = messages.length === 1 ? "send" : "sendMessages";
    if (this.#closed) throw closedError(op);
    if (!Array.isArray(messages)) {
      throw new TypeError(`Cannot ${op}: messages must be an array`);
    }
    if (messages.length === 0) {
      throw new RangeError(`Cannot ${op}: no messages`);
    }
    const sent: Message[] = [];
    let end = 0;
    this.#gen++;
    for (const m of messages) {
      checkMessage(op, m);
      const h = m.header;
      const seq = h.sequence === 0 ? this.#nextSequence() : h.sequence;
      const pid = h.pid === 0 ? this.#socket.pid : h.pid;
      const start = end;
      end = this.#encode(op, m, start, seq, pid);
      const length = this.#outView.getUint32(start, HOST_LITTLE_ENDIAN);
      sent.push({
        header: { length, type: h.type, flags: h.flags, sequence: seq, pid },
        data: m.data,
      });
    }
    this.#transmit(op, end);
    for (const m of sent) this.#noteRaw(m.header.sequence);
    return sent;
  }

  /**
   * Receives the next reply to {@linkcode Conn.send}, or the next multicast
   * message while no {@linkcode Conn.notifications} iterator is open. A
   * multipart reply is followed to its `NLMSG_DONE` (which is not returned);
   * otherwise one datagram's messages are returned. ACKs (`NLMSG_ERROR` with
   * errno 0) are returned as messages; replies are not validated.
   * Replies to `execute`, `dump` and `visit` never reach `receive()`.
   *
   * @param options `signal` aborts the wait.
   * @returns The messages received.
   * @throws {NetlinkError} For an `NLMSG_ERROR`/`NLMSG_DONE` with an errno, a
   * failed system call, or a closed connection.
   * @throws {DumpInterruptedError} When a part was marked `NLM_F_DUMP_INTR` (`partial` holds the messages).
   * @throws {OverrunError} When messages were lost (ENOBUFS).
   *
   * @example Send, then receive
   * ```ts
   * import { ack, dial } from "@nlkit/netlink/nltest";
   * import { HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * using conn = dial((requests) => ack(requests[0]!));
   * conn.send({ header: { length: 0, type: HeaderType.Noop, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(0) });
   * const [reply] = await conn.receive();
   * assert.equal(reply!.header.type, HeaderType.Error);
   * ```
   */
  async receive(options?: ReceiveOptions): Promise<Message[]> {
    const signal = options?.signal;
    if (this.#closed) throw closedError("receive");
    signal?.throwIfAborted();
    const w = new RawWait(this.#canRead);
    this.#rawWaiters.push(w);
    try {
      const out: Message[] = [];
      let multi = false;
      let interrupted = false;
      for (;;) {
        if (w.error !== null) throw w.error;
        if (this.#closed) throw closedError("receive");
        if (this.#rawWaiters[0] === w) {
          if (this.#rawOverrun) {
            this.#rawOverrun = false;
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
          this.#pump(w);
          if (w.ready()) continue;
        }
        await this.#wait(w, signal);
      }
    } finally {
      const i = this.#rawWaiters.indexOf(w);
      if (i >= 0) this.#rawWaiters.splice(i, 1);
      if (i === 0) this.#rawWaiters[0]?.wake?.();
    }
  }

  /**
   * Sends a request and resolves to its replies: the request's sequence
   * number routes them, a multipart reply is read to its `NLMSG_DONE`, and
   * each reply is validated (`validate`: sequence, and pid when both are
   * non-zero). With `Acknowledge` in the request's flags, the kernel's ACK
   * ends the reply and is consumed (not returned), so no stale ACK is left
   * for the next call. The reply arrives synchronously in the common case:
   * the only `await` then is this call's own.
   *
   * @param message The request; zero `length`, `sequence` and `pid` are filled in.
   * @param options `signal` aborts the wait (late replies are then discarded).
   * @returns The reply messages (without the ACK and the `NLMSG_DONE`).
   * @throws {NetlinkError} For an error reply (with `extAck`, its
   * `attributePath` computed from the request), a validation failure, a
   * failed system call (`cause`), or a closed connection.
   * @throws {DumpInterruptedError} When a part was marked `NLM_F_DUMP_INTR`;
   * `partial` holds every message received.
   * @throws {OverrunError} When the socket reported ENOBUFS while waiting.
   *
   * @example An error with extended ACK
   * ```ts
   * import { dial, error } from "@nlkit/netlink/nltest";
   * import { HeaderFlags, isNetlinkError } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * using conn = dial((requests) => error(22, requests[0]!, { message: "bad value" }));
   * await assert.rejects(
   *   conn.execute({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(0) }),
   *   (e) => isNetlinkError(e) && e.code === "EINVAL" && e.extAck?.message === "bad value",
   * );
   * ```
   */
  execute(
    message: Message,
    options?: ReceiveOptions,
  ): Promise<Message[]> {
    // Not `async`: when the reply is already queued (always, on Linux) it is
    // read synchronously and the only promise is the one returned here.
    const signal = options?.signal;
    let p: Pending;
    try {
      p = this.#start("execute", message, COLLECT, null, signal);
      this.#pump(p);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!p.done) return this.#executeLater(p, signal);
    const messages = p.messages;
    if (p.failed) {
      const error = p.error;
      this.#recycle(p);
      return Promise.reject(error);
    }
    this.#recycle(p);
    return Promise.resolve(messages);
  }

  /** The slow path of {@linkcode Conn.execute}: the reply is not queued yet. */
  async #executeLater(
    p: Pending,
    signal: AbortSignal | undefined,
  ): Promise<Message[]> {
    while (!p.done) {
      this.#keepRequest(p);
      await this.#wait(p, signal);
      if (!p.done) this.#pump(p);
    }
    const messages = p.messages;
    const failed = p.failed;
    const error = p.error;
    this.#recycle(p);
    if (failed) throw error;
    return messages;
  }

  /**
   * Sends a request and streams its (multipart) reply, yielding messages as
   * datagrams arrive, without collecting them in an array. The request is
   * sent on the first `next()`. Leaving the loop early (`break`, `return()`)
   * discards the rest of the reply, so the connection stays usable.
   *
   * @param message The request, usually with `Request | Dump` flags.
   * @param options `signal` aborts the wait and ends the iteration.
   * @returns An async iterator over the reply messages.
   * @throws {NetlinkError} From `next()`, as {@linkcode Conn.execute}.
   * @throws {DumpInterruptedError} From `next()` after the last message when a
   * part was marked `NLM_F_DUMP_INTR`; the messages were yielded already, so
   * `partial` is empty.
   *
   * @example Stream a dump
   * ```ts
   * import { dial, multipart } from "@nlkit/netlink/nltest";
   * import { HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const entry = (i: number) => ({ header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array([i, 0, 0, 0]) });
   * using conn = dial(() => multipart([entry(1), entry(2), entry(3)]));
   * const seen: number[] = [];
   * for await (const m of conn.dump({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(0) })) {
   *   seen.push(m.data[0]!);
   * }
   * assert.deepEqual(seen, [1, 2, 3]);
   * ```
   */
  dump(
    message: Message,
    options?: ReceiveOptions,
  ): AsyncIterableIterator<Message> {
    const signal = options?.signal;
    let p: Pending | null = null;
    let finished = false;
    const end = (): void => {
      finished = true;
      if (p !== null && !p.done) this.#abandon(p);
    };
    const done: IteratorReturnResult<undefined> = {
      value: undefined,
      done: true,
    };
    const take = (q: Pending): Message => {
      const m = q.messages[q.head]!;
      q.messages[q.head++] = undefined as unknown as Message;
      if (q.head === q.messages.length) {
        q.messages.length = 0;
        q.head = 0;
      }
      return m;
    };
    // next() calls not settled yet (running or queued): each runs after the
    // previous one settled, so concurrent calls get the messages in order.
    let outstanding = 0;
    let last: Promise<IteratorResult<Message, undefined>> | null = null;
    const nextLater = async (): Promise<
      IteratorResult<Message, undefined>
    > => {
      try {
        if (finished) return done;
        signal?.throwIfAborted();
        p ??= this.#start("dump", message, STREAM, null, signal);
        for (;;) {
          if (p.head < p.messages.length) {
            return { value: take(p), done: false };
          }
          if (p.done) {
            finished = true;
            if (p.failed) throw p.error;
            return done;
          }
          this.#pump(p);
          if (p.ready()) continue;
          this.#keepRequest(p);
          await this.#wait(p, signal);
        }
      } catch (e) {
        end();
        throw e;
      } finally {
        outstanding--;
      }
    };
    // Not `async`: a message already received costs one promise, no async frame.
    const next = (): Promise<IteratorResult<Message, undefined>> => {
      if (outstanding === 0) {
        const q = p;
        if (
          q !== null && !finished && q.head < q.messages.length &&
          signal?.aborted !== true
        ) {
          return Promise.resolve({ value: take(q), done: false });
        }
        outstanding++;
        return last = nextLater();
      }
      outstanding++;
      return last = last!.then(nextLater, nextLater);
    };
    return {
      next,
      return: (): Promise<IteratorResult<Message, undefined>> => {
        end();
        return Promise.resolve(done);
      },
      [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
        return this;
      },
    };
  }

  /**
   * The zero-copy fast path for big dumps: sends a request and calls
   * `visitor` once per reply message with ONE reused {@linkcode MessageView}
   * over the receive buffer, valid only during the call. No object is
   * allocated per message; decode what you need inside the visitor, for
   * example with `new AttributeDecoder(view.bytes, view.offset + 16, view.length - 16)`
   * for a family header of 16 bytes. Errors, ACK and `NLMSG_DONE` are
   * handled as by {@linkcode Conn.execute} and never visited.
   *
   * @param message The request.
   * @param visitor Called per reply message; a throw stops the visit (the rest of the reply is discarded) and rejects.
   * @param options `signal` aborts the wait.
   * @returns The number of messages visited.
   * @throws {NetlinkError} As {@linkcode Conn.execute}.
   * @throws {DumpInterruptedError} When a part was marked `NLM_F_DUMP_INTR` (after visiting everything; `partial` is empty).
   *
   * @example Sum a field over a dump without allocating per message
   * ```ts
   * import { dial, multipart } from "@nlkit/netlink/nltest";
   * import { HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const entry = (i: number) => ({ header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array([i, 0, 0, 0]) });
   * using conn = dial(() => multipart([entry(1), entry(2), entry(3)]));
   * let sum = 0;
   * const n = await conn.visit(
   *   { header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(0) },
   *   (view) => { sum += view.bytes[view.offset]!; },
   * );
   * assert.equal(n, 3);
   * assert.equal(sum, 6);
   * ```
   */
  visit(
    message: Message,
    visitor: (view: MessageView) => void,
    options?: ReceiveOptions,
  ): Promise<number> {
    // Not `async`, like execute: one promise when the reply is all queued.
    const signal = options?.signal;
    let p: Pending;
    try {
      if (typeof visitor !== "function") {
        throw new TypeError("Cannot visit: visitor must be a function");
      }
      p = this.#start("visit", message, VISIT, visitor, signal);
      this.#pump(p);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!p.done) return this.#visitLater(p, signal);
    const count = p.count;
    if (p.failed) {
      const error = p.error;
      this.#recycle(p);
      return Promise.reject(error);
    }
    this.#recycle(p);
    return Promise.resolve(count);
  }

  /** The slow path of {@linkcode Conn.visit}: part of the reply is not queued yet. */
  async #visitLater(
    p: Pending,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    while (!p.done) {
      this.#keepRequest(p);
      await this.#wait(p, signal);
      if (!p.done) this.#pump(p);
    }
    const count = p.count;
    const failed = p.failed;
    const error = p.error;
    this.#recycle(p);
    if (failed) throw error;
    return count;
  }

  /**
   * Iterates over multicast messages: datagrams sent to a group this
   * connection joined ({@linkcode Conn.joinGroup}, `groups` at dial), and
   * unicast messages with sequence 0 that answer no request. Each open
   * iterator sees every such message from the moment it is created; while
   * none is open they go to {@linkcode Conn.receive}.
   *
   * The iterator ends when the connection closes, or on `return()`. An
   * overrun (ENOBUFS from the socket, or more than 4096 unread messages)
   * makes `next()` throw {@linkcode OverrunError} and ends the iterator;
   * open a new one and re-dump to resync.
   *
   * @param options `signal` aborts the wait and ends the iterator.
   * @returns An async iterator over notifications.
   * @throws {OverrunError} From `next()` when messages were lost.
   *
   * @example Receive a notification
   * ```ts
   * import { dial, notify } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * using conn = dial(() => []);
   * conn.joinGroup(1);
   * const events = conn.notifications();
   * notify(conn, 1, [{ header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) }]);
   * const { value } = await events.next();
   * assert.equal(value?.header.type, 0x10);
   * await events.return?.();
   * ```
   */
  notifications(options?: ReceiveOptions): AsyncIterableIterator<Message> {
    const signal = options?.signal;
    const l = new Listener();
    if (this.#closed) l.done = true;
    else this.#listeners.add(l);
    const done: IteratorReturnResult<undefined> = {
      value: undefined,
      done: true,
    };
    const end = (): void => {
      l.done = true;
      l.error = null;
      l.overrun = false;
      l.queue.length = 0;
      l.head = 0;
      this.#listeners.delete(l);
    };
    const next = async (): Promise<IteratorResult<Message, undefined>> => {
      for (;;) {
        if (signal?.aborted && !l.done) {
          end();
          throw signal.reason;
        }
        if (l.head < l.queue.length) {
          const m = l.queue[l.head]!;
          l.queue[l.head++] = undefined;
          if (l.head === l.queue.length) {
            l.queue.length = 0;
            l.head = 0;
          }
          return { value: m, done: false };
        }
        if (l.error !== null || l.overrun) {
          const e = l.error ?? new OverrunError("notifications");
          end();
          throw e;
        }
        if (l.done || this.#closed) {
          end();
          return done;
        }
        this.#pump(l);
        if (l.ready()) continue;
        await this.#wait(l, signal);
      }
    };
    return {
      next,
      return: (): Promise<IteratorResult<Message, undefined>> => {
        end();
        return Promise.resolve(done);
      },
      [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
        return this;
      },
    };
  }

  /**
   * Joins a multicast group (`NETLINK_ADD_MEMBERSHIP`).
   *
   * @param group The group number (1 or more; generic netlink groups may exceed 32).
   * @throws {TypeError} If `group` is not a number.
   * @throws {RangeError} If `group` is not an integer from 1 to 2^32 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Using joinGroup
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.joinGroup(1);
   * conn.leaveGroup(1);
   * ```
   */
  joinGroup(group: number): void {
    checkInteger("joinGroup", "group", group, 1, 0xffffffff);
    this.#call("joinGroup", () => this.#socket.joinGroup(group));
  }

  /**
   * Leaves a multicast group (`NETLINK_DROP_MEMBERSHIP`).
   *
   * @param group The group number.
   * @throws {TypeError} If `group` is not a number.
   * @throws {RangeError} If `group` is not an integer from 1 to 2^32 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Using leaveGroup
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.joinGroup(3);
   * conn.leaveGroup(3);
   * ```
   */
  leaveGroup(group: number): void {
    checkInteger("leaveGroup", "group", group, 1, 0xffffffff);
    this.#call("leaveGroup", () => this.#socket.leaveGroup(group));
  }

  /**
   * Switches a boolean `SOL_NETLINK` socket option on or off.
   *
   * @param option A {@linkcode ConnOption} value.
   * @param enable On or off.
   * @throws {TypeError} If `option` is not a number or `enable` not a boolean.
   * @throws {RangeError} If `option` is not a non-negative integer.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Using setOption
   * ```ts
   * import { ConnOption } from "@nlkit/netlink/netlink";
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * using conn = dial(() => []);
   * conn.setOption(ConnOption.GetStrictCheck, true);
   * assert.equal(conn.getOption(ConnOption.GetStrictCheck), true);
   * ```
   */
  setOption(option: number, enable: boolean): void {
    checkInteger("setOption", "option", option, 0, 0x7fffffff);
    if (typeof enable !== "boolean") {
      throw new TypeError(
        `Cannot setOption: enable must be a boolean, got ${typeof enable}`,
      );
    }
    this.#call("setOption", () => this.#socket.setOption(option, enable));
  }

  /**
   * Reads a boolean `SOL_NETLINK` socket option.
   *
   * @param option A {@linkcode ConnOption} value.
   * @returns Whether it is on.
   * @throws {TypeError} If `option` is not a number.
   * @throws {RangeError} If `option` is not a non-negative integer.
   * @throws {NetlinkError} When the connection is closed or `getsockopt` fails.
   *
   * @example Extended ACK is on by default
   * ```ts
   * import { ConnOption } from "@nlkit/netlink/netlink";
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * using conn = dial(() => []);
   * assert.equal(conn.getOption(ConnOption.ExtendedAcknowledge), true);
   * ```
   */
  getOption(option: number): boolean {
    checkInteger("getOption", "option", option, 0, 0x7fffffff);
    return this.#call("getOption", () => this.#socket.getOption(option));
  }

  /**
   * Sets the socket's receive buffer size (`SO_RCVBUF`, or `SO_RCVBUFFORCE`
   * with `force`, which needs `CAP_NET_ADMIN`). Busy multicast listeners
   * need a bigger buffer to avoid overruns.
   *
   * @param bytes The size in bytes.
   * @param options `force` uses `SO_RCVBUFFORCE`.
   * @throws {TypeError} If `bytes` is not a number.
   * @throws {RangeError} If `bytes` is not an integer from 0 to 2^31 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Using setReceiveBufferSize
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.setReceiveBufferSize(1 << 20);
   * ```
   */
  setReceiveBufferSize(bytes: number, options: { force?: boolean } = {}): void {
    checkInteger("setReceiveBufferSize", "size", bytes, 0, 0x7fffffff);
    const force = options.force ?? false;
    if (typeof force !== "boolean") {
      throw new TypeError(
        "Cannot setReceiveBufferSize: force must be a boolean",
      );
    }
    this.#call(
      "setReceiveBufferSize",
      () => this.#socket.setReceiveBufferSize(bytes, force),
    );
  }

  /**
   * Sets the socket's send buffer size (`SO_SNDBUF`).
   *
   * @param bytes The size in bytes.
   * @throws {TypeError} If `bytes` is not a number.
   * @throws {RangeError} If `bytes` is not an integer from 0 to 2^31 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Using setSendBufferSize
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.setSendBufferSize(1 << 16);
   * ```
   */
  setSendBufferSize(bytes: number): void {
    checkInteger("setSendBufferSize", "size", bytes, 0, 0x7fffffff);
    this.#call(
      "setSendBufferSize",
      () => this.#socket.setSendBufferSize(bytes),
    );
  }

  /**
   * Attaches a classic BPF filter (`SO_ATTACH_FILTER`) that runs on every
   * datagram before it is queued to this socket.
   *
   * @param program The instructions, 1 to 4096 of them.
   * @throws {TypeError} If `program` is not an array of instructions.
   * @throws {RangeError} If it is empty, too long, or a field is out of range.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Accept everything
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.setBPF([{ code: 0x06, jt: 0, jf: 0, k: 0xffffffff }]); // ret #-1
   * conn.removeBPF();
   * ```
   */
  setBPF(program: readonly BPFInstruction[]): void {
    const op = "setBPF";
    if (!Array.isArray(program)) {
      throw new TypeError(
        `Cannot ${op}: program must be an array of instructions`,
      );
    }
    if (program.length === 0 || program.length > BPF_MAXINSNS) {
      throw new RangeError(
        `Cannot ${op}: program has ${program.length} instructions, want 1 to ${BPF_MAXINSNS}`,
      );
    }
    const copy: BPFInstruction[] = [];
    for (let i = 0; i < program.length; i++) {
      const ins = program[i];
      if (typeof ins !== "object" || ins === null) {
        throw new TypeError(`Cannot ${op}: instruction ${i} is not an object`);
      }
      copy.push({
        code: checkInteger(op, `instruction ${i} code`, ins.code, 0, 0xffff),
        jt: checkInteger(op, `instruction ${i} jt`, ins.jt, 0, 0xff),
        jf: checkInteger(op, `instruction ${i} jf`, ins.jf, 0, 0xff),
        k: checkInteger(op, `instruction ${i} k`, ins.k, 0, 0xffffffff),
      });
    }
    this.#call(op, () => this.#socket.setBPF(copy));
  }

  /**
   * Detaches the BPF filter (`SO_DETACH_FILTER`).
   *
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Using removeBPF
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.setBPF([{ code: 0x06, jt: 0, jf: 0, k: 0 }]);
   * conn.removeBPF();
   * ```
   */
  removeBPF(): void {
    this.#call("removeBPF", () => this.#socket.removeBPF());
  }

  /**
   * Closes the connection: every pending `execute`/`dump`/`visit`/`receive`
   * rejects with a {@linkcode NetlinkError} ("the connection is closed"),
   * every notifications iterator ends, and the socket is closed. Idempotent.
   *
   * @returns A promise that resolves once closed.
   *
   * @example Using close
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const conn = dial(() => []);
   * const pending = conn.receive();
   * await conn.close();
   * await assert.rejects(pending, /closed/);
   * await conn.close(); // no-op
   * ```
   */
  close(): Promise<void> {
    this.#close();
    return Promise.resolve();
  }

  /**
   * Closes the connection (see {@linkcode Conn.close}).
   *
   * @example Close with a using declaration
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import type { Conn } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * let outer: Conn;
   * {
   *   using conn = dial(() => []);
   *   outer = conn;
   * }
   * assert.equal(outer.closed, true);
   * ```
   */
  [Symbol.dispose](): void {
    this.#close();
  }

  /**
   * Closes the connection (see {@linkcode Conn.close}).
   *
   * @returns A promise that resolves once closed.
   *
   * @example Close with an await using declaration
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import type { Conn } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * let outer: Conn;
   * {
   *   await using conn = dial(() => []);
   *   outer = conn;
   * }
   * assert.equal(outer.closed, true);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- internals ----

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#inFlight()) {
      if (!p.done) this.#fail(p, closedError(p.op));
      p.registered = false;
    }
    this.#slot = null;
    this.#pending.clear();
    this.#last = null;
    for (const l of this.#listeners) {
      l.done = true;
      l.wake?.();
    }
    this.#listeners.clear();
    for (const w of this.#rawWaiters.slice()) w.wake?.();
    this.#backlog.length = 0;
    try {
      this.#socket.close();
    } catch {
      // Closing twice or a failing close(2): nothing left to release.
    }
  }

  #call<T>(op: string, fn: () => T): T {
    if (this.#closed) throw closedError(op);
    try {
      return fn();
    } catch (e) {
      throw socketError(op, e);
    }
  }

  #nextSequence(): number {
    let s = (this.#seq + 1) >>> 0;
    if (s === 0) s = 1; // 0 means "no sequence": skip it on wrap.
    this.#seq = s;
    return s;
  }

  /** Encodes `m` at `start` of the encode buffer with `seq` and `pid`; returns the aligned end. */
  #encode(
    op: string,
    m: Message,
    start: number,
    seq: number,
    pid: number,
  ): number {
    const h = m.header;
    const data = m.data;
    const need = HEADER_LENGTH + data.length;
    const length = h.length === 0 ? need : h.length;
    // One cheap test for the common case; the detailed checks name the culprit.
    if (
      (h.type & 0xffff) !== h.type || (h.flags & 0xffff) !== h.flags ||
      seq >>> 0 !== seq || pid >>> 0 !== pid ||
      length >>> 0 !== length || length < need || length > 0xfffffffc
    ) {
      checkInteger(op, "header type", h.type, 0, 0xffff);
      checkInteger(op, "header flags", h.flags, 0, 0xffff);
      checkInteger(op, "header sequence", seq, 0, 0xffffffff);
      checkInteger(op, "header pid", pid, 0, 0xffffffff);
      checkInteger(op, "header length", length, need, 0xfffffffc);
    }
    const end = start + align(length);
    if (end > this.#out.length) {
      let size = this.#out.length * 2;
      while (size < end) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#out.subarray(0, start));
      this.#out = grown;
      this.#outView = new DataView(grown.buffer);
      this.#outSub = grown.subarray(0, 0);
    }
    const s = this.#scratch;
    s.length = length;
    s.type = h.type;
    s.flags = h.flags;
    s.sequence = seq;
    s.pid = pid;
    writeHeader(this.#outView, start, s);
    if (data.length > 0) this.#out.set(data, start + HEADER_LENGTH);
    if (start + need < end) this.#out.fill(0, start + need, end);
    return end;
  }

  #transmit(op: string, end: number): void {
    // #outSub is a view of the current #out (growing resets it to length 0),
    // so its length alone tells whether it can be reused.
    let sub = this.#outSub;
    if (sub.length !== end) sub = this.#outSub = this.#out.subarray(0, end);
    try {
      this.#socket.send(sub);
    } catch (e) {
      throw socketError(op, e);
    }
  }

  #noteRaw(seq: number): void {
    const raw = this.#rawSeqs;
    if (raw.has(seq)) return;
    if (raw.size >= RAW_LIMIT) {
      for (const s of raw) {
        raw.delete(s);
        break;
      }
    }
    raw.add(seq);
  }

  /** Sends a request and registers it. */
  #start(
    op: string,
    m: Message,
    kind: number,
    visitor: ((view: MessageView) => void) | null,
    signal: AbortSignal | undefined,
  ): Pending {
    if (this.#closed) throw closedError(op);
    signal?.throwIfAborted();
    checkMessage(op, m);
    const h = m.header;
    const seq = h.sequence === 0 ? this.#nextSequence() : h.sequence;
    if (this.#lookup(seq) !== null) {
      throw new TypeError(
        `Cannot ${op}: sequence ${seq} is already in flight on this connection`,
      );
    }
    const pid = h.pid === 0 ? this.#socket.pid : h.pid;
    this.#gen++;
    const end = this.#encode(op, m, 0, seq, pid);
    this.#transmit(op, end);
    const spare = this.#spare;
    this.#spare = null;
    const p = (spare ?? new Pending()).reset(kind, h, seq, pid, op, visitor);
    p.gen = this.#gen;
    p.reqLen = end;
    p.registered = true;
    if (this.#slot === null) this.#slot = p;
    else this.#pending.set(seq, p);
    return p;
  }

  /** Keeps a completed request record for reuse unless something may still reach it. */
  #recycle(p: Pending): void {
    if (!p.abandoned && p.wake === null && !p.registered) {
      p.visitor = null;
      p.error = null;
      p.request = null;
      this.#spare = p;
    }
  }

  /** Before waiting: copy the request out of the shared encode buffer (needed to decode an error's attribute path). */
  #keepRequest(p: Pending): void {
    if (p.request === null && p.gen === this.#gen) {
      p.request = this.#out.slice(0, p.reqLen);
    }
  }

  #requestBytes(p: Pending): Uint8Array | undefined {
    if (p.request !== null) return p.request;
    return p.gen === this.#gen ? this.#out.subarray(0, p.reqLen) : undefined;
  }

  /** Waits until `t` is woken (data routed to it, abort, close or a socket error). Always resolves. */
  #wait(t: Target, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = signal === undefined
        ? null
        : (): void => this.#abortTarget(t, signal.reason);
      // Two calls may wait on one target (concurrent next() on an iterator): wake both.
      const previous = t.wake;
      t.wake = () => {
        t.wake = null;
        this.#waiters--;
        if (onAbort !== null) signal!.removeEventListener("abort", onAbort);
        if (this.#waiters === 0) this.#readerAbort?.abort();
        previous?.(); // first come, first served
        resolve();
      };
      this.#waiters++;
      if (onAbort !== null) {
        if (signal!.aborted) {
          onAbort();
          return;
        }
        signal!.addEventListener("abort", onAbort, { once: true });
      }
      if (this.#closed) {
        t.wake();
        return;
      }
      this.#startReader();
    });
  }

  #abortTarget(t: Target, reason: unknown): void {
    if (t instanceof Pending) this.#fail(t, reason);
    else if (t instanceof Listener) {
      if (t.error === null) t.error = reason;
    } else if (t instanceof RawWait) {
      if (t.error === null) t.error = reason;
    }
    t.wake?.();
  }

  #startReader(): void {
    if (this.#reading) return;
    this.#reading = true;
    void this.#read();
  }

  /** The single reader: while anyone waits, wait for the socket and route what arrives. */
  async #read(): Promise<void> {
    try {
      while (this.#waiters > 0 && !this.#closed) {
        const ac = new AbortController();
        this.#readerAbort = ac;
        let failure: unknown = null;
        try {
          await this.#socket.wait(ac.signal);
        } catch (e) {
          if (!ac.signal.aborted) failure = e;
        }
        this.#readerAbort = null;
        if (this.#closed) break;
        if (failure !== null) {
          this.#failAll(failure);
          continue;
        }
        this.#pump(null);
      }
    } catch (e) {
      // Not expected (the pump catches socket and decoding failures), but never leave waiters hanging.
      this.#failAll(e);
    } finally {
      this.#reading = false;
    }
  }

  /**
   * Reads and routes datagrams synchronously until `target` is ready (or,
   * for the reader, until nobody waits) or the socket has nothing queued.
   */
  #pump(target: Target | null): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    const socket = this.#socket;
    try {
      while (target === null ? this.#waiters > 0 : !target.ready()) {
        let d: Uint8Array | null;
        try {
          d = socket.receive();
        } catch (e) {
          if (this.#closed) return;
          this.#failAll(e);
          const se = e as { errno?: unknown; name?: unknown };
          if (se.name === "SyscallError" && se.errno === ENOBUFS) continue;
          return;
        }
        if (d === null) return;
        this.#datagram(d, socket.senderPid, socket.senderGroups);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** A socket failure: every waiting operation fails with it (ENOBUFS: OverrunError). */
  #failAll(e: unknown): void {
    for (const p of this.#inFlight()) {
      if (!p.done) this.#fail(p, socketError(p.op, e));
    }
    for (const l of this.#listeners) {
      if (l.error === null) l.error = socketError("notifications", e);
      l.wake?.();
    }
    const overrun = socketError("receive", e);
    if (overrun instanceof OverrunError) {
      // Also for receive(), unless notifications iterators took it and nobody is receiving.
      if (this.#rawWaiters.length > 0 || this.#listeners.size === 0) {
        this.#rawOverrun = true;
      }
    } else {
      for (const w of this.#rawWaiters) if (w.error === null) w.error = overrun;
    }
    for (const w of this.#rawWaiters.slice()) w.wake?.();
  }

  #datagram(d: Uint8Array, senderPid: number, senderGroups: number): void {
    // Unicast from another port is not the kernel: drop it.
    if (senderGroups === 0 && senderPid !== 0) return;
    this.#multicast = senderGroups !== 0;
    const v = this.#view;
    if (d.length < HEADER_LENGTH) {
      // Too short to name its request: blame the only one in flight, if there is just one.
      const only = this.#pending.size === 0 ? this.#slot : null;
      if (d.length > 0 && only !== null && !only.done && !this.#multicast) {
        const e = new RangeError(
          `Cannot decode netlink message: ${d.length} bytes are too short for a 16-byte header at offset 0`,
        );
        this.#fail(
          only,
          new NetlinkError(only.op, EBADMSG, { cause: e, sequence: only.seq }),
        );
      }
      return;
    }
    this.#copy = null;
    try {
      visitDatagram(d, d.length, v, this.#onMessage);
    } catch (e) {
      this.#malformed(e, v);
    }
    this.#copy = null;
    const ends = this.#ends;
    if (ends.length > 0) {
      for (const p of ends) {
        if (p.registered && !p.multi) this.#finish(p, null);
      }
      ends.length = 0;
    }
    const b = this.#batch;
    if (b !== null) {
      this.#batch = null;
      if (this.#backlog.length >= QUEUE_LIMIT) this.#rawOverrun = true;
      else this.#backlog.push(b);
      this.#rawWaiters[0]?.wake?.();
    }
  }

  /** A datagram failed to parse at `v.header`: the request it belongs to fails with EBADMSG. */
  #malformed(e: unknown, v: MessageView): void {
    const p = this.#multicast
      ? undefined
      : (this.#lookup(v.header.sequence) ?? this.#last ?? undefined);
    if (p === undefined || p.done) return;
    this.#fail(
      p,
      new NetlinkError(p.op, EBADMSG, { cause: e, sequence: p.seq }),
    );
  }

  /** Routes one message of the current datagram. */
  #route(v: MessageView): void {
    const h = v.header;
    if (this.#multicast) {
      this.#unsolicited(v, true);
      return;
    }
    const seq = h.sequence;
    const p = this.#lookup(seq);
    if (p === null) {
      if (seq === 0) this.#unsolicited(v, true);
      else if (this.#rawSeqs.has(seq)) this.#unsolicited(v, false);
      // Otherwise a reply nobody waits for: dropped.
      return;
    }
    this.#last = p;
    const type = h.type;
    const flags = h.flags;
    if (type === ERROR || (type === DONE && (flags & MULTI) !== 0)) {
      // The kernel marks the DONE too when the data changed after the last part.
      if ((flags & DUMP_INTR) !== 0) p.interrupted = true;
      let err: unknown = null;
      if (
        v.length >= 4 ? errnoAt(v) !== 0 : !(type === DONE && v.length === 0)
      ) err = this.#kernelError(v, p);
      this.#finish(p, err);
      return;
    }
    if (!p.done) {
      if (h.pid !== 0 && p.pid !== 0 && h.pid !== p.pid) {
        this.#fail(p, this.#validationError(v, p));
      } else {
        if ((flags & DUMP_INTR) !== 0) p.interrupted = true;
        if (p.kind === VISIT) {
          try {
            p.visitor!(v);
            p.count++;
          } catch (e) {
            this.#fail(p, e);
          }
        } else {
          p.messages.push(this.#keep(v));
          if (p.kind === STREAM) p.wake?.();
        }
      }
    }
    if ((flags & MULTI) !== 0) p.multi = true;
    else if (!p.multi && !p.expectAck) this.#ends.push(p);
  }

  /**
   * A Message for the view `v` of the current datagram, its `data` a view of
   * the datagram's one copy (made here on first use). A datagram holding just
   * this message copies only the payload, as a lone `slice()` would.
   */
  #keep(v: MessageView): Message {
    const h = v.header;
    const start = v.offset;
    const length = v.length;
    let data: Uint8Array;
    // (A constructor call is cheaper than subarray() on both engines.)
    const c = this.#copy;
    if (c !== null) data = new Uint8Array(c, start, length);
    else {
      const bytes = v.bytes;
      if (
        start === HEADER_LENGTH && bytes.length - start - length < HEADER_LENGTH
      ) {
        // The only message of its datagram (what follows is too short for another).
        data = bytes.slice(start, start + length);
      } else {
        const copy = bytes.slice().buffer;
        this.#copy = copy;
        data = new Uint8Array(copy, start, length);
      }
    }
    return {
      header: {
        length: h.length,
        type: h.type,
        flags: h.flags,
        sequence: h.sequence,
        pid: h.pid,
      },
      data,
    };
  }

  /** A message that answers no request: multicast/seq 0 (notifications), or a reply to `send()`. */
  #unsolicited(v: MessageView, notification: boolean): void {
    if (notification && this.#listeners.size > 0) {
      const m = this.#keep(v);
      for (const l of this.#listeners) {
        if (l.queue.length - l.head >= QUEUE_LIMIT) l.overrun = true;
        else l.queue.push(m);
        l.wake?.();
      }
      return;
    }
    const b = this.#batch ??= {
      messages: [],
      error: null,
      done: false,
      interrupted: false,
    };
    if (b.error !== null || b.done) return;
    const h = v.header;
    if ((h.flags & DUMP_INTR) !== 0) b.interrupted = true;
    if (h.type === ERROR || (h.type === DONE && (h.flags & MULTI) !== 0)) {
      if (
        v.length >= 4 ? errnoAt(v) !== 0 : !(h.type === DONE && v.length === 0)
      ) {
        b.error = this.#decodeKernelError(v, "receive", undefined);
        return;
      }
      if (h.type === DONE) {
        b.done = true;
        return;
      }
    }
    b.messages.push(this.#keep(v));
  }

  #kernelError(v: MessageView, p: Pending): unknown {
    return this.#decodeKernelError(v, p.op, this.#requestBytes(p));
  }

  #decodeKernelError(
    v: MessageView,
    op: string,
    request: Uint8Array | undefined,
  ): unknown {
    try {
      return decodeError(v, op, request) ?? null;
    } catch (e) {
      return new NetlinkError(op, EBADMSG, {
        cause: e,
        sequence: v.header.sequence,
      });
    }
  }

  #validationError(v: MessageView, p: Pending): unknown {
    const request: Message = {
      header: {
        length: p.reqLen,
        type: p.type,
        flags: p.flags,
        sequence: p.seq,
        pid: p.pid,
      },
      data: new Uint8Array(0),
    };
    try {
      validate(request, [copyMessage(v)]);
    } catch (e) {
      return e;
    }
    return new NetlinkError("validate", 71, { sequence: p.seq });
  }

  /** The final message of `p`'s reply arrived: unregister it and complete it (unless it already failed). */
  #finish(p: Pending, err: unknown): void {
    this.#unregister(p);
    if (p.abandoned) {
      p.abandoned = false;
      this.#abandoned--;
    }
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
    p.wake?.();
  }

  /** Completes `p` with an error now; its remaining replies are discarded as they arrive. */
  #fail(p: Pending, err: unknown): void {
    if (p.done) return;
    p.failed = true;
    p.error = err;
    this.#abandon(p);
  }

  /** Stops delivering to `p`; keeps it registered until its final message so stragglers are dropped. */
  #abandon(p: Pending): void {
    p.done = true;
    if (p.kind === STREAM) {
      p.messages.length = 0;
      p.head = 0;
    }
    if (p.registered && !p.abandoned) {
      p.abandoned = true;
      if (++this.#abandoned > ABANDONED_LIMIT) this.#forgetAbandoned();
    }
    p.wake?.();
  }

  #forgetAbandoned(): void {
    for (const p of this.#inFlight()) {
      if (this.#abandoned <= ABANDONED_LIMIT / 2) break;
      if (p.abandoned) {
        this.#unregister(p);
        p.abandoned = false;
        this.#abandoned--;
      }
    }
  }

  #lookup(seq: number): Pending | null {
    const s = this.#slot;
    if (s !== null && s.seq === seq) return s;
    return this.#pending.size === 0 ? null : (this.#pending.get(seq) ?? null);
  }

  #unregister(p: Pending): void {
    if (!p.registered) return;
    p.registered = false;
    if (this.#slot === p) this.#slot = null;
    else this.#pending.delete(p.seq);
    if (this.#last === p) this.#last = null;
  }

  /** A snapshot of every registered request. */
  #inFlight(): Pending[] {
    const all = [...this.#pending.values()];
    if (this.#slot !== null) all.unshift(this.#slot);
    return all;
  }
}

/**
 * Wraps an already open socket seam into a {@linkcode Conn} and applies the
 * socket options of `options` (`extendedAck` on unless false, `strict`,
 * `capAck`, `noENOBUFS`, `broadcastError`, `listenAllNSID`,
 * `receiveBufferSize`). Bind-time options (`groups`, `pid`, `netns`) are
 * the socket's business and ignored here. On failure the socket is closed.
 *
 * @internal Used by `Conn.dial` and nltest; not exported from `mod.ts`.
 * @param socket The socket.
 * @param options The options.
 * @returns The connection.
 * @throws {NetlinkError} When setting an explicitly requested option fails.
 */
export function connFromSocket(
  socket: Socket,
  options: ConnOptions = {},
): Conn {
  const set = (
    option: number,
    enable: boolean | undefined,
    byDefault = false,
  ): void => {
    if (!(enable ?? byDefault)) return;
    try {
      socket.setOption(option, true);
    } catch (e) {
      // The default extended ACK is best effort (kernels before 4.12 lack it).
      if (enable === undefined) return;
      throw socketError("dial", e);
    }
  };
  try {
    set(ConnOption.ExtendedAcknowledge, options.extendedAck, true);
    set(ConnOption.GetStrictCheck, options.strict);
    set(ConnOption.CapAcknowledge, options.capAck);
    set(ConnOption.NoENOBUFS, options.noENOBUFS);
    set(ConnOption.BroadcastError, options.broadcastError);
    set(ConnOption.ListenAllNSID, options.listenAllNSID);
    if (options.receiveBufferSize !== undefined) {
      checkInteger(
        "dial",
        "receiveBufferSize",
        options.receiveBufferSize,
        0,
        0x7fffffff,
      );
      try {
        socket.setReceiveBufferSize(options.receiveBufferSize, false);
      } catch (e) {
        throw socketError("dial", e);
      }
    }
  } catch (e) {
    socket.close();
    throw e;
  }
  return new Conn(socket);
}

/**
 * The socket seam behind a connection (for nltest's recorder and simulated kernel).
 *
 * @internal Not exported from `mod.ts`.
 * @param conn A connection.
 * @returns Its socket.
 */
export function socketOf(conn: Conn): Socket {
  return socketOfConn(conn);
}
