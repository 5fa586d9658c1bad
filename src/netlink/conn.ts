/**
 * `Conn`: a netlink connection with sequence numbers, validation, multipart
 * replies, demultiplexing of concurrent requests, streaming dumps, a
 * zero-copy visitor and multicast notifications, over the internal Socket
 * seam (a libc socket in production, an in-memory kernel under nltest).
 *
 * `Conn` composes parts with one job each: the encoder (`_conn_encoder.ts`)
 * writes and sends requests, the registry (`_conn_requests.ts`) tracks them
 * and queues dumps, the reader (`_conn_reader.ts`) is the one place that
 * reads the socket, the router (`_conn_router.ts`) hands each message to its
 * request, to the notification streams or to `receive()`
 * (`_conn_unsolicited.ts`), and every stream is one queue-backed iterator
 * (`_conn_stream.ts`).
 *
 * @module
 */

import type { BPFInstruction, Socket } from "./_socket.ts";
import { Encoder, type Outgoing } from "./_conn_encoder.ts";
import { Reader } from "./_conn_reader.ts";
import { COLLECT, Registry, Request, STREAM, VISIT } from "./_conn_requests.ts";
import { Router } from "./_conn_router.ts";
import { applyOptions, bindOptions, checkProgram } from "./_conn_setup.ts";
import {
  checkInteger,
  checkMessage,
  checkTimeout,
  closedError,
  EMPTY,
  socketError,
} from "./_conn_state.ts";
import { Stream } from "./_conn_stream.ts";
import { Unsolicited } from "./_conn_unsolicited.ts";
import type { Header } from "./header.ts";
import type { Message, MessageView } from "./message.ts";
import type { ConnOptions, ReceiveOptions } from "./options.ts";
import { openSocket } from "./socket.ts";

/** The key of the internal accessor that {@linkcode socketOf} uses. */
const SOCKET: unique symbol = Symbol("nlkit.socket");

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
 *   Dumps are queued: the kernel runs one per socket (a second one fails
 *   with EBUSY), so a dump is sent once the previous one has ended, and a
 *   dump left early is read to its end in the background.
 * - Every call that waits takes `{ signal, timeout }`; {@linkcode Conn.close}
 *   ends every pending wait.
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
  readonly #encoder = new Encoder();
  readonly #requests = new Registry();
  readonly #unsolicited = new Unsolicited();
  readonly #router: Router;
  readonly #reader: Reader;
  #closed = false;
  /** A finished request record, reused by the next request (fast path). */
  #spare: Request | null = null;

  /**
   * Use {@linkcode Conn.dial} (or nltest's `dial`); this constructor is internal.
   *
   * @param socket The socket seam.
   * @internal
   */
  constructor(socket: Socket) {
    this.#socket = socket;
    const requests = this.#requests;
    const router = new Router(
      socket,
      requests,
      this.#unsolicited,
      this.#encoder,
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
    const open = bindOptions(options);
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
   * and `pid` (this connection's port id). `data` may be left out for a
   * header-only message. Raw: a dump sent this way is not queued behind
   * the connection's other dumps.
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
   * const a = conn.send({ header: { length: 0, type: 1, flags: 1, sequence: 0, pid: 0 } });
   * const b = conn.send({ header: { length: 0, type: 1, flags: 1, sequence: 0, pid: 0 } });
   * assert.equal(a.header.length, 16);
   * assert.equal(b.header.sequence, (a.header.sequence + 1) >>> 0 || 1);
   * assert.equal(a.header.pid, conn.pid);
   * ```
   */
  send(message: { header: Header; data?: Uint8Array }): Message {
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
   * conn.sendMessages([{ header }, { header, data: new Uint8Array(4) }]);
   * await new Promise((r) => setTimeout(r, 0));
   * assert.equal(seen, 2);
   * ```
   */
  sendMessages(
    messages: readonly { header: Header; data?: Uint8Array }[],
  ): Message[] {
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
    for (const m of messages) {
      checkMessage(op, m);
      const h = m.header;
      const sequence = h.sequence === 0 ? enc.nextSequence() : h.sequence;
      const pid = h.pid === 0 ? this.#socket.pid : h.pid;
      const start = end;
      end = enc.encode(op, m, start, sequence, pid);
      const length = enc.lengthAt(start);
      sent.push({
        header: { length, type: h.type, flags: h.flags, sequence, pid },
        data: m.data ?? EMPTY,
      });
    }
    enc.send(this.#socket, op, end);
    for (const m of sent) this.#unsolicited.noteSent(m.header.sequence);
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
   * @param options `signal` aborts the wait; `timeout` bounds it.
   * @returns The messages received.
   * @throws {NetlinkError} For an `NLMSG_ERROR`/`NLMSG_DONE` with an errno, a
   * failed system call, a closed connection, or ETIMEDOUT.
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
   * conn.send({ header: { length: 0, type: HeaderType.Noop, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 } });
   * const [reply] = await conn.receive();
   * assert.equal(reply!.header.type, HeaderType.Error);
   * ```
   */
  async receive(options?: ReceiveOptions): Promise<Message[]> {
    if (this.#closed) throw closedError("receive");
    options?.signal?.throwIfAborted();
    checkTimeout("receive", options?.timeout);
    return await this.#unsolicited.receive(this.#reader, options);
  }

  /**
   * Sends a request and resolves to its replies: the request's sequence
   * number routes them, a multipart reply is read to its `NLMSG_DONE`, and
   * each reply is validated (`validate`: sequence, and pid when both are
   * non-zero). With `Acknowledge` in the request's flags, the kernel's ACK
   * ends the reply and is consumed (not returned), so no stale ACK is left
   * for the next call. The reply arrives synchronously in the common case:
   * the only `await` then is this call's own. `data` may be left out.
   *
   * @param message The request; zero `length`, `sequence` and `pid` are filled in.
   * @param options `signal` aborts the wait, `timeout` bounds it (late replies are then discarded).
   * @returns The reply messages (without the ACK and the `NLMSG_DONE`).
   * @throws {NetlinkError} For an error reply (with `extAck`, its
   * `attributePath` computed from the request), a validation failure, a
   * failed system call (`cause`), a closed connection, or ETIMEDOUT.
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
   *   conn.execute({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 } }),
   *   (e) => isNetlinkError(e) && e.code === "EINVAL" && e.extAck?.message === "bad value",
   * );
   * ```
   */
  execute(
    message: { header: Header; data?: Uint8Array },
    options?: ReceiveOptions,
  ): Promise<Message[]> {
    // Not `async`: when the reply is already queued (always, on Linux) it is
    // read synchronously and the only promise is the one returned here.
    return this.#run("execute", message, COLLECT, null, options) as Promise<
      Message[]
    >;
  }

  /**
   * Sends a request and streams its (multipart) reply, yielding messages as
   * datagrams arrive, without collecting them in an array. The request is
   * sent on the first `next()`. Leaving the loop early (`break`, a throw,
   * `return()`, the signal) ends the iterator; the rest of the reply is
   * read and dropped in the background, so the connection stays usable and
   * its next dump is not refused with EBUSY.
   *
   * @param message The request, usually with `Request | Dump` flags.
   * @param options `signal` aborts the wait and ends the iteration; `timeout` bounds each wait.
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
   * for await (const m of conn.dump({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 } })) {
   *   seen.push(m.data[0]!);
   * }
   * assert.deepEqual(seen, [1, 2, 3]);
   * ```
   */
  dump(
    message: { header: Header; data?: Uint8Array },
    options?: ReceiveOptions,
  ): AsyncIterableIterator<Message> {
    let p: Request | null = null;
    return new Stream<Message>({
      pull: (s) => {
        if (p === null) {
          p = this.#start("dump", message, STREAM, null, options);
          p.stream = s;
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
   * @param visitor Called per reply message; a throw stops the visit (the rest of the reply is dropped) and rejects.
   * @param options `signal` aborts the wait; `timeout` bounds it.
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
   *   { header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 } },
   *   (view) => { sum += view.bytes[view.offset]!; },
   * );
   * assert.equal(n, 3);
   * assert.equal(sum, 6);
   * ```
   */
  visit(
    message: { header: Header; data?: Uint8Array },
    visitor: (view: MessageView) => void,
    options?: ReceiveOptions,
  ): Promise<number> {
    if (typeof visitor !== "function") {
      return Promise.reject(
        new TypeError("Cannot visit: visitor must be a function"),
      );
    }
    return this.#run("visit", message, VISIT, visitor, options) as Promise<
      number
    >;
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
   * @param options `signal` aborts the wait and ends the iterator; `timeout` bounds each wait.
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
    const copy = checkProgram("setBPF", program);
    this.#call("setBPF", () => this.#socket.setBPF(copy));
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

  /**
   * The socket seam behind this connection (see {@linkcode socketOf}).
   *
   * @returns The socket.
   * @internal
   */
  [SOCKET](): Socket {
    return this.#socket;
  }

  // ---- internals ----

  /** `execute` and `visit`: start, read what is queued, settle (synchronously when the reply is complete). */
  #run(
    op: string,
    message: Outgoing,
    kind: number,
    visitor: ((view: MessageView) => void) | null,
    options: ReceiveOptions | undefined,
  ): Promise<unknown> {
    let p: Request;
    try {
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

  /** The slow path of {@linkcode Conn.#run}: the reply is not all queued yet. */
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
    const seq = h.sequence === 0 ? enc.nextSequence() : h.sequence;
    if (requests.lookup(seq) !== null) {
      throw new TypeError(
        `Cannot ${op}: sequence ${seq} is already in flight on this connection`,
      );
    }
    const pid = h.pid === 0 ? this.#socket.pid : h.pid;
    const gen = enc.begin();
    const end = enc.encode(op, m, 0, seq, pid);
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
    enc.send(this.#socket, op, end);
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
        this.#socket.send(p.bytes!);
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

  /** A socket failure: every request sent and waiting fails with it (ENOBUFS: OverrunError). */
  #failAll(e: unknown): void {
    for (const p of this.#requests.all()) {
      if (p.sent && !p.done) this.#fail(p, socketError(p.op, e));
    }
    this.#unsolicited.failAll(e);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests.clear((p) => closedError(p.op));
    this.#router.clear();
    this.#unsolicited.close();
    this.#reader.close();
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
  applyOptions(socket, options);
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
  return conn[SOCKET]();
}
