/**
 * `Conn`: a netlink connection with sequence numbers, validation, multipart
 * replies, demultiplexing of concurrent requests, streaming dumps, a
 * zero-copy visitor and multicast notifications, over the internal Socket
 * seam (a libc socket in production, an in-memory kernel under nltest).
 *
 * The workings live in `_conn_core.ts` and the parts it composes.
 *
 * @module
 */

import type { BPFInstruction, Socket } from "./_socket.ts";
import { COLLECT, ConnCore, VISIT } from "./_conn_core.ts";
import type { Outgoing } from "./_conn_encoder.ts";
import {
  applyOptions,
  checkGroup,
  checkOption,
  checkProgram,
  checkSize,
  openChecked,
} from "./_conn_setup.ts";
import type { Header } from "./header.ts";
import type { Message, MessageView } from "./message.ts";
import type { ConnOptions, ReceiveOptions } from "./options.ts";

/** The key of the internal accessor that {@linkcode socketOf} uses. */
const SOCKET: unique symbol = Symbol("nlkit.socket");
/** The key of the internal method that {@linkcode dumpMapped} uses. */
const DUMP_MAPPED: unique symbol = Symbol("nlkit.dumpMapped");

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
 *   Dumps (requests with both bits of `HeaderFlags.Dump`) are queued: the
 *   kernel runs one per socket (a second one fails with EBUSY), so a dump is
 *   sent once the previous one has ended, and a dump left early is read to
 *   its end in the background. Other requests are not held up.
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
  readonly #core: ConnCore;

  /**
   * Use {@linkcode Conn.dial} (or nltest's `dial`); this constructor is internal.
   *
   * @param socket The socket seam.
   * @internal
   */
  constructor(socket: Socket) {
    this.#core = new ConnCore(socket);
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
    return connFromSocket(await openChecked(family, options), options);
  }

  /**
   * The port id bound to this connection (`nl_pid`), assigned by the kernel unless `pid` was given.
   */
  get pid(): number {
    return this.#core.socket.pid;
  }

  /**
   * True after {@linkcode Conn.close}.
   */
  get closed(): boolean {
    return this.#core.closed;
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
    return this.#core.send(messages);
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
    return await this.#core.receive(options);
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
    return this.#core.run(
      "execute",
      message,
      COLLECT,
      null,
      options,
    ) as Promise<
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
    return this.#core.dump(message, options);
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
    return this.#core.run("visit", message, VISIT, visitor, options) as Promise<
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
    return this.#core.notifications(options);
  }

  /**
   * Joins a multicast group (`NETLINK_ADD_MEMBERSHIP`).
   *
   * @param group The group number (1 or more; generic netlink groups may exceed 32).
   * @throws {TypeError} If `group` is not a number.
   * @throws {RangeError} If `group` is not an integer from 1 to 2^32 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   *
   * @example Join and leave a group
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.joinGroup(1);
   * conn.leaveGroup(1);
   * ```
   */
  joinGroup(group: number): void {
    checkGroup("joinGroup", group);
    this.#core.call("joinGroup", (s) => s.joinGroup(group));
  }

  /**
   * Leaves a multicast group (`NETLINK_DROP_MEMBERSHIP`).
   *
   * @param group The group number.
   * @throws {TypeError} If `group` is not a number.
   * @throws {RangeError} If `group` is not an integer from 1 to 2^32 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   */
  leaveGroup(group: number): void {
    checkGroup("leaveGroup", group);
    this.#core.call("leaveGroup", (s) => s.leaveGroup(group));
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
    checkOption("setOption", option, enable);
    this.#core.call("setOption", (s) => s.setOption(option, enable));
  }

  /**
   * Reads a boolean `SOL_NETLINK` socket option.
   *
   * @param option A {@linkcode ConnOption} value.
   * @returns Whether it is on (the example of {@linkcode Conn.setOption} reads one).
   * @throws {TypeError} If `option` is not a number.
   * @throws {RangeError} If `option` is not a non-negative integer.
   * @throws {NetlinkError} When the connection is closed or `getsockopt` fails.
   */
  getOption(option: number): boolean {
    checkOption("getOption", option, false);
    return this.#core.call("getOption", (s) => s.getOption(option));
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
   * @example Set the buffer sizes
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   *
   * using conn = dial(() => []);
   * conn.setReceiveBufferSize(1 << 20);
   * conn.setSendBufferSize(1 << 16);
   * ```
   */
  setReceiveBufferSize(bytes: number, options: { force?: boolean } = {}): void {
    const force = checkSize("setReceiveBufferSize", bytes, options.force);
    this.#core.call(
      "setReceiveBufferSize",
      (s) => s.setReceiveBufferSize(bytes, force),
    );
  }

  /**
   * Sets the socket's send buffer size (`SO_SNDBUF`).
   *
   * @param bytes The size in bytes.
   * @throws {TypeError} If `bytes` is not a number.
   * @throws {RangeError} If `bytes` is not an integer from 0 to 2^31 - 1.
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   */
  setSendBufferSize(bytes: number): void {
    checkSize("setSendBufferSize", bytes, false);
    this.#core.call(
      "setSendBufferSize",
      (s) => s.setSendBufferSize(bytes),
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
    this.#core.call("setBPF", (s) => s.setBPF(copy));
  }

  /**
   * Detaches the BPF filter (`SO_DETACH_FILTER`).
   *
   * @throws {NetlinkError} When the connection is closed or `setsockopt` fails.
   */
  removeBPF(): void {
    this.#core.call("removeBPF", (s) => s.removeBPF());
  }

  /**
   * Closes the connection: every pending `execute`/`dump`/`visit`/`receive`
   * rejects with a {@linkcode NetlinkError} ("the connection is closed"),
   * every notifications iterator ends, and the socket is closed. Idempotent.
   *
   * @returns A promise that resolves once closed.
   *
   * @example Close explicitly, or with `using` / `await using`
   * ```ts
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const conn = dial(() => []);
   * const pending = conn.receive();
   * await conn.close();
   * await assert.rejects(pending, /closed/);
   * await conn.close(); // no-op
   * {
   *   await using scoped = dial(() => []); // closed at the end of the block
   *   assert.equal(scoped.closed, false);
   * }
   * ```
   */
  close(): Promise<void> {
    this.#core.close();
    return Promise.resolve();
  }

  /**
   * Closes the connection (see {@linkcode Conn.close}).
   */
  [Symbol.dispose](): void {
    this.#core.close();
  }

  /**
   * Closes the connection (see {@linkcode Conn.close}).
   *
   * @returns A promise that resolves once closed.
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
    return this.#core.socket;
  }

  /**
   * A dump whose replies are mapped in place (see {@linkcode dumpMapped}).
   *
   * @param message The request.
   * @param map Maps a reply view to an item, or undefined to skip it.
   * @param options A signal and a timeout.
   * @returns The items.
   * @internal
   */
  [DUMP_MAPPED]<T>(
    message: Outgoing,
    map: (view: MessageView) => T | undefined,
    options: ReceiveOptions | undefined,
  ): AsyncIterableIterator<T> {
    return this.#core.dump(message, options, map);
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

/**
 * {@linkcode Conn.dump} whose replies are handed to `map` in place, as a
 * {@linkcode Conn.visit} visitor sees them (a view of the receive buffer,
 * valid during the call), and whose items are what `map` returns: no
 * `Message` copy per reply. Like `Conn.dump` it streams: the socket is read
 * a datagram at a time as the consumer asks, so memory stays bounded by
 * one datagram's items. A reply mapped to `undefined` is skipped; a throw
 * fails the dump (the rest is drained in the background). For the
 * generated families' typed `.dump`.
 *
 * @internal Not exported from `mod.ts`.
 * @param conn A connection.
 * @param message The dump request (`{ header, data? }`, or a written request).
 * @param map Maps each reply view to an item, or undefined to skip it.
 * @param options A signal and a timeout, as for `Conn.dump`.
 * @returns The items.
 */
export function dumpMapped<T>(
  conn: Conn,
  message: Outgoing,
  map: (view: MessageView) => T | undefined,
  options?: ReceiveOptions,
): AsyncIterableIterator<T> {
  return conn[DUMP_MAPPED](message, map, options);
}
