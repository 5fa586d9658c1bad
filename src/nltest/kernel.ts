/**
 * A stateful simulated kernel shared by many connections: port ids,
 * unicast routing, multicast fan-out, ACKs and errors with extended ACK as
 * the socket options ask, strict checking, a small rtnetlink, generic
 * netlink families with the `nlctrl` controller, and fault injection.
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { SyscallError } from "../netlink/system_errors.ts";
import { align } from "../netlink/align.ts";
import { type Conn, connFromSocket } from "../netlink/conn.ts";
import { type ExtendedAck, NetlinkError } from "../netlink/errors.ts";
import { doneReply, errorReply } from "../netlink/ext_ack.ts";
import {
  ConnOption,
  Family,
  HEADER_LENGTH,
  HeaderFlags,
  HeaderType,
} from "../netlink/header.ts";
import {
  encodeMessage,
  encodeMessages,
  type Message,
} from "../netlink/message.ts";
import type { ConnOptions } from "../netlink/options.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import { groupMask, MemorySocket } from "./_memory_socket.ts";
import { filterDatagram } from "./kernel_bpf.ts";
import { messageAt } from "./_recording.ts";
import {
  ActiveFault,
  type DelayFault,
  type Fault,
  type FaultHandle,
  type FaultOptions,
  type FaultRule,
  interruptDump,
  misalignDatagram,
  restampDatagram,
  truncateDatagram,
  waitDelay,
} from "./faults.ts";
import { GenlRegistry, type SimFamily } from "./kernel_genl.ts";
import {
  type DumpReply,
  type HandlerResult,
  isDumpReply,
  KernelError,
  type ProtocolHandler,
  type RequestContext,
} from "./kernel_handler.ts";
import { type LinkKind, SimRtnetlink } from "./rtnetlink.ts";

/**
 * Options for {@linkcode SimKernel}.
 *
 * @example Port ids from 5000, and no rtnetlink
 * ```ts
 * import { SimKernel, type SimKernelOptions } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const options: SimKernelOptions = { firstPid: 5000, rtnetlink: false };
 * const kernel = new SimKernel(options);
 * await using conn = kernel.dial(Family.Route);
 * assert.equal(conn.pid, 5000);
 * await assert.rejects(
 *   conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) }),
 *   { code: "EOPNOTSUPP" },
 * );
 * ```
 */
export interface SimKernelOptions {
  /** Serve rtnetlink on `Family.Route` (default true). */
  rtnetlink?: boolean;
  /** Link kinds `RTM_NEWLINK` may create; default `dummy`, `bridge`, `veth`. */
  linkKinds?: Record<string, LinkKind>;
  /** Most bytes of dump messages per datagram (at least one message each); default 8192. */
  dumpDatagramSize?: number;
  /** The first port id handed out (then counting up); default 1000. */
  firstPid?: number;
  /** Faults active from the start. */
  faults?: FaultRule[];
  /** Keep every datagram in {@linkcode SimKernel.trace} (default false). */
  trace?: boolean;
}

/**
 * One datagram that went through the simulated kernel (see `SimKernelOptions.trace`).
 *
 * @example Trace a dump: one request, then the replies
 * ```ts
 * import { SimKernel, type TraceEntry } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel({ trace: true });
 * await using conn = kernel.dial(Family.Route);
 * await conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) });
 * const trace: TraceEntry[] = kernel.trace;
 * assert.deepEqual(trace.map((t) => t.direction), ["request", "reply", "reply"]); // lo, then NLMSG_DONE
 * assert.ok(trace.every((t) => t.pid === conn.pid && t.family === Family.Route && t.sender === 0));
 * assert.equal(trace[2]?.data.length, 20);
 * ```
 */
export interface TraceEntry {
  /** `request`: sent by a Conn; `reply`: unicast to a Conn; `notification`: multicast to a Conn. */
  direction: "request" | "reply" | "notification";
  /** The Conn's port id. */
  pid: number;
  /** The netlink protocol. */
  family: number;
  /** The sender port id the Conn saw (0: the kernel). */
  sender: number;
  /** The group mask the Conn saw (0: unicast). */
  groups: number;
  /** The datagram. */
  data: Uint8Array;
}

interface Datagram {
  data: Uint8Array;
  sender: number;
}

interface Port {
  socket: MemorySocket;
  family: number;
  /** The request being processed asynchronously (a later one waits for it), or null. */
  busy: Promise<void> | null;
  dropping: number;
  /**
   * The dump running on this socket (`cb_running`): the datagram groups it
   * still has to produce, one group per receive. Null when none runs.
   */
  dump: Datagram[][] | null;
  /** Sequence numbers of the socket's latest requests (to keep stray replies off them). */
  recent: number[];
  /** `NETLINK_S_CONGESTED`: set by an overrun, cleared when the queue is read empty. */
  congested: boolean;
}

/** How many recent request sequence numbers a port remembers. */
const RECENT = 64;
/** The default `sk_rcvbuf` of a netlink socket (`net.core.rmem_default`). */
const DEFAULT_RCVBUF = 212992;
/** `SOCK_MIN_RCVBUF`: the smallest `sk_rcvbuf` `SO_RCVBUF` can set (x86_64). */
const SOCK_MIN_RCVBUF = 4608;

/**
 * A simulated Linux kernel that many {@linkcode Conn}s share. Each
 * {@linkcode SimKernel.dial} returns a real `Conn` over an in-memory socket
 * with its own port id; requests are served by per-protocol handlers
 * (rtnetlink and generic netlink built in), replies are routed to the
 * requesting port, notifications fan out to the sockets that joined the
 * group (by `joinGroup` or by the bind-time `groups` mask), every reply
 * honours the socket's `ExtendedAcknowledge`, `CapAcknowledge` and
 * `GetStrictCheck` options the way the kernel does, and a filter attached
 * with `setBPF` runs on every datagram the socket receives. As on Linux, a
 * socket runs one dump at a time: the first part is produced when the
 * request arrives and each next one when the socket is read, and a dump
 * request arriving before the running dump has produced its `NLMSG_DONE`
 * is refused with EBUSY (checked against Linux 6.18 by
 * `tests/integration/ebusy_test.ts`).
 *
 * @example Two connections, one listening for link notifications
 * ```ts
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const monitor = kernel.dial(Family.Route, { groups: 1 }); // RTMGRP_LINK
 * const events = monitor.notifications();
 * kernel.rtnetlink.addLink({ name: "dummy0", kind: "dummy" });
 * const { value } = await events.next();
 * assert.equal(value?.header.type, 16); // RTM_NEWLINK
 * await monitor.close();
 * ```
 */
export class SimKernel {
  /**
   * The rtnetlink state (links, addresses, routes).
   *
   * @example Change the simulated kernel's links
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.rtnetlink.addLink({ name: "dummy0" });
   * assert.deepEqual(kernel.rtnetlink.links().map((l) => l.name), ["lo", "dummy0"]);
   * ```
   */
  readonly rtnetlink: SimRtnetlink;
  /**
   * Every datagram in and out, in order, when `options.trace` is on.
   *
   * @example Record the datagrams
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel({ trace: true });
   * await using conn = kernel.dial(Family.Route);
   * await conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) });
   * assert.equal(kernel.trace[0]?.direction, "request");
   * assert.equal(kernel.trace[0]?.pid, conn.pid);
   * ```
   */
  readonly trace: TraceEntry[] = [];
  #tracing: boolean;
  #ports = new Map<number, Port>();
  #handlers = new Map<number, ProtocolHandler>();
  #faults: ActiveFault[] = [];
  #genl: GenlRegistry;
  #nextPid: number;
  #dumpSize: number;
  #idle: Set<Promise<void>> = new Set();

  /**
   * Creates a kernel with a loopback device and the nlctrl controller.
   *
   * @param options Built-in protocols, link kinds, dump sizing, faults.
   * @throws {TypeError} On an invalid fault.
   */
  constructor(options: SimKernelOptions = {}) {
    this.#nextPid = options.firstPid ?? 1000;
    this.#dumpSize = options.dumpDatagramSize ?? 8192;
    this.#tracing = options.trace ?? false;
    this.rtnetlink = new SimRtnetlink(
      (group, messages) => this.#multicast(Family.Route, group, messages, 0),
      options.linkKinds ?? undefined,
    );
    if (options.rtnetlink ?? true) {
      this.#handlers.set(
        Family.Route,
        (m, ctx) => this.rtnetlink.handle(m, ctx),
      );
    }
    this.#genl = new GenlRegistry((group, messages) =>
      this.#multicast(Family.Generic, group, messages, 0)
    );
    this.#handlers.set(Family.Generic, (m, ctx) => this.#genl.handle(m, ctx));
    for (const rule of options.faults ?? []) {
      this.#faults.push(new ActiveFault(rule));
    }
  }

  /**
   * Opens a connection to this kernel: a real `Conn` over an in-memory
   * socket bound to a fresh port id (or `options.pid`), with the bind-time
   * `groups` joined and the boolean options applied.
   *
   * @param family The netlink protocol, such as `Family.Route`.
   * @param options The same options as `Conn.dial` (`netns` is ignored).
   * @returns The connection.
   * @throws {NetlinkError} EADDRINUSE when `options.pid` is taken.
   *
   * @example Two connections get distinct port ids
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * await using a = kernel.dial(Family.Route);
   * await using b = kernel.dial(Family.Route, { pid: 77 });
   * assert.notEqual(a.pid, b.pid);
   * assert.equal(b.pid, 77);
   * assert.equal((await a.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) })).length, 1); // lo
   * ```
   */
  dial(family: number, options: ConnOptions = {}): Conn {
    let pid = options.pid ?? 0;
    if (pid !== 0 && this.#ports.has(pid)) {
      throw new NetlinkError("dial", Errno.EADDRINUSE, {
        cause: new SyscallError("bind", Errno.EADDRINUSE),
      });
    }
    if (pid === 0) {
      while (this.#ports.has(this.#nextPid)) this.#nextPid++;
      pid = this.#nextPid++;
    }
    const socket = new MemorySocket({
      pid,
      groups: options.groups ?? 0,
      onSend: (s, d) => this.#onSend(s, d),
      onClose: (s) => {
        if (this.#ports.get(s.pid)?.socket === s) this.#ports.delete(s.pid);
      },
      onReceive: (s) => {
        const port = this.#ports.get(s.pid);
        if (port?.socket !== s) return;
        if (s.queued === 0) port.congested = false; // netlink_rcv_wake()
        if (port.dump !== null) this.#continueDump(port);
      },
    });
    this.#ports.set(pid, {
      socket,
      family,
      busy: null,
      dropping: 0,
      dump: null,
      recent: [],
      congested: false,
    });
    return connFromSocket(socket, options);
  }

  /**
   * Serves a netlink protocol with your own handler (or replaces a built-in
   * one). The handler runs once per request message.
   *
   * @param family The protocol, such as `Family.Netfilter`.
   * @param handler The handler; throw {@linkcode KernelError} for an errno.
   *
   * @example Serve a custom protocol
   * ```ts
   * import { dumpReply, SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.handle(Family.SockDiag, () =>
   *   dumpReply([{ header: { length: 0, type: 20, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) }])
   * );
   * const conn = kernel.dial(Family.SockDiag);
   * const replies = await conn.execute({
   *   header: { length: 0, type: 20, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
   *   data: new Uint8Array(4),
   * });
   * assert.equal(replies.length, 1);
   * await conn.close();
   * ```
   */
  handle(family: number, handler: ProtocolHandler): void {
    this.#handlers.set(family, handler);
  }

  /**
   * Registers a generic netlink family: allocates its id (from 0x13) and
   * group ids as the kernel does, announces it on nlctrl's `notify` group,
   * and serves its commands with `spec.handler`.
   *
   * @param spec The family.
   * @returns The family as `nlctrl` describes it.
   * @throws {TypeError} If the name is empty or longer than 15 bytes.
   * @throws {KernelError} EEXIST if the name is taken.
   *
   * @example Register a family and look it up through nlctrl
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * const family = kernel.registerFamily({ name: "demo", operations: [{ id: 1 }], groups: ["events"] });
   * const genl = GenlConn.from(kernel.dial(Family.Generic));
   * const found = await genl.getFamily("demo");
   * assert.equal(found.id, family.id);
   * assert.deepEqual(found.groups, family.groups);
   * await genl.close();
   * ```
   */
  registerFamily(spec: SimFamily): GenlFamily {
    return this.#genl.register(spec);
  }

  /**
   * Unregisters a generic netlink family.
   *
   * @param name The family name.
   * @returns False when no such family was registered.
   *
   * @example Unregister a family
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.registerFamily({ name: "demo", operations: [{ id: 1 }] });
   * assert.equal(kernel.unregisterFamily("demo"), true);
   * assert.equal(kernel.unregisterFamily("demo"), false);
   * assert.deepEqual(kernel.families().map((f) => f.name), ["nlctrl"]);
   * ```
   */
  unregisterFamily(name: string): boolean {
    return this.#genl.unregister(name);
  }

  /**
   * Lists the registered generic netlink families, nlctrl first.
   *
   * @returns The families.
   *
   * @example List the registered families
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * const demo = kernel.registerFamily({ name: "demo", operations: [{ id: 1 }] });
   * const families = kernel.families();
   * assert.deepEqual(families.map((f) => f.name), ["nlctrl", "demo"]);
   * assert.equal(families[1]?.id, demo.id);
   * ```
   */
  families(): GenlFamily[] {
    return this.#genl.families();
  }

  /**
   * Multicasts messages from the kernel to every socket of `family` that
   * joined `group` (headers are sent as given; length is filled in).
   *
   * @param family The protocol.
   * @param group The group number.
   * @param messages The notification.
   *
   * @example Send a notification to a group
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * await using listener = kernel.dial(Family.SockDiag, { groups: 1 });
   * kernel.notify(Family.SockDiag, 1, [{ header: { length: 0, type: 21, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) }]);
   * const [m] = await listener.receive();
   * assert.equal(m?.header.type, 21);
   * assert.equal(m?.header.length, 20);
   * ```
   */
  notify(family: number, group: number, messages: Message[]): void {
    this.#multicast(family, group, messages, 0);
  }

  /**
   * Injects a fault; see `faults.ts` for the kinds. Applies to the next
   * matching request (or, for `overrun`, notification) `times` times.
   *
   * @param fault The fault.
   * @param options Which requests, which Conn, how many times.
   * @returns A handle to count hits or remove it.
   * @throws {TypeError} On an unknown fault.
   *
   * @example Interrupt a dump
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.inject({ type: "dumpInterrupted" }, { match: { type: 18 } });
   * const conn = kernel.dial(Family.Route);
   * await assert.rejects(
   *   conn.execute({
   *     header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
   *     data: new Uint8Array(16),
   *   }),
   *   { name: "DumpInterruptedError" },
   * );
   * await conn.close();
   * ```
   */
  inject(fault: Fault, options: FaultOptions = {}): FaultHandle {
    const f = new ActiveFault({ ...options, fault });
    this.#faults.push(f);
    return f;
  }

  /**
   * The port ids of the open connections.
   *
   * @example The open connections
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel({ firstPid: 100 });
   * const a = kernel.dial(Family.Route);
   * await using b = kernel.dial(Family.Route);
   * assert.deepEqual(kernel.ports, [100, 101]);
   * await a.close();
   * assert.deepEqual(kernel.ports, [b.pid]);
   * ```
   */
  get ports(): number[] {
    return [...this.#ports.keys()];
  }

  /**
   * Resolves when every request sent so far has been answered (delayed
   * replies included): lets a test check what a Conn did *not* receive. A
   * dump has then produced its first part; as on Linux, each next part
   * (and the `NLMSG_DONE`) is produced when the socket is read.
   *
   * @returns A promise that settles when the kernel is idle.
   *
   * @example Wait until every request is answered
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel({ trace: true });
   * await using conn = kernel.dial(Family.Route);
   * conn.send({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) });
   * await kernel.settled();
   * assert.deepEqual(kernel.trace.map((t) => t.direction), ["request", "reply"]); // lo
   * assert.equal((await conn.receive()).length, 1); // reading it produces the NLMSG_DONE
   * assert.deepEqual(kernel.trace.map((t) => t.direction), ["request", "reply", "reply"]);
   * ```
   */
  async settled(): Promise<void> {
    while (this.#idle.size > 0) await Promise.allSettled([...this.#idle]);
  }

  // ---- internals ----

  /**
   * Processes a sent datagram. Like Linux, which answers inside `sendmsg`,
   * the replies are queued before `send()` returns, unless a handler is
   * async or a delay fault holds them back; then this socket's later
   * requests wait their turn.
   */
  #onSend(socket: MemorySocket, datagram: Uint8Array): void | Promise<void> {
    const port = this.#ports.get(socket.pid);
    if (!port || port.socket !== socket) return;
    this.#trace("request", port, datagram, 0, 0);
    if (port.busy === null) {
      const r = this.#process(port, datagram, 0);
      if (r !== undefined) this.#hold(port, r);
      return r;
    }
    const p = port.busy.then(() => this.#process(port, datagram, 0));
    this.#hold(port, p);
    return p;
  }

  /** Makes `port`'s next requests wait for `p`, and `settled()` too. */
  #hold(port: Port, p: Promise<void>): void {
    const tracked = p.then(undefined, () => {});
    port.busy = tracked;
    this.#idle.add(tracked);
    tracked.then(() => {
      this.#idle.delete(tracked);
      if (port.busy === tracked) port.busy = null;
    });
  }

  #process(port: Port, d: Uint8Array, from: number): void | Promise<void> {
    // netlink_rcv_skb: walk while a header fits; a bad length ends the walk silently.
    for (let pos = from, m = messageAt(d, pos); m; m = messageAt(d, pos)) {
      const length = m.header.length;
      const next = pos + align(length);
      const r = this.#request(port, m, d.subarray(pos, pos + length));
      if (r !== undefined) return r.then(() => this.#process(port, d, next));
      pos = next;
    }
  }

  #context(port: Port): RequestContext {
    const pid = port.socket.pid;
    return {
      pid,
      family: port.family,
      strict: port.socket.getOption(ConnOption.GetStrictCheck),
      notify: (group, messages, echo = false) => {
        if (echo) {
          this.#multicast(port.family, group, messages, pid);
          this.#send(port, [{ data: encodeMessages(messages), sender: 0 }]);
        } else {
          this.#multicast(port.family, group, messages, 0);
        }
      },
    };
  }

  #request(port: Port, m: Message, raw: Uint8Array): void | Promise<void> {
    const h = m.header;
    const pid = port.socket.pid;
    port.recent.push(h.sequence);
    if (port.recent.length > RECENT) port.recent.shift();
    if ((h.flags & HeaderFlags.Request) === 0 || h.type < HeaderType.MinType) {
      if (h.flags & HeaderFlags.Acknowledge) {
        this.#send(port, [{
          data: encodeMessage(this.#ack(port, raw, h, 0)),
          sender: 0,
        }]);
      }
      return;
    }
    // Faults fire in declaration order; a delay holds the handler back too.
    const fired = this.#faults.filter((f) =>
      f.fault.type !== "overrun" && f.take(m, pid)
    ).map((f) => f.fault);
    const delays = fired.filter((f) => f.type === "delay") as DelayFault[];
    if (delays.length === 0) return this.#handle(port, m, raw, fired);
    return delays.reduce(
      (p, f) => p.then(() => waitDelay(f)),
      Promise.resolve(),
    ).then(() => this.#handle(port, m, raw, fired));
  }

  /** Runs the handler (or the error fault) on a request. */
  #handle(
    port: Port,
    m: Message,
    raw: Uint8Array,
    fired: Fault[],
  ): void | Promise<void> {
    const errorFault = fired.find((f) => f.type === "error");
    if (errorFault?.type === "error") {
      return this.#answer(
        port,
        m,
        raw,
        fired,
        new KernelError(errorFault.errno, errorFault.extAck ?? {}),
      );
    }
    const handler = this.#handlers.get(port.family);
    let result: HandlerResult | Promise<HandlerResult> | KernelError;
    try {
      if (!handler) throw new KernelError(Errno.EOPNOTSUPP);
      result = handler(m, this.#context(port));
    } catch (e) {
      result = asKernelError(e);
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => this.#answer(port, m, raw, fired, r),
        (e: unknown) => this.#answer(port, m, raw, fired, asKernelError(e)),
      );
    }
    this.#answer(port, m, raw, fired, result);
  }

  /** Sends the answer to a request: its error, its replies, or a dump's first part. */
  #answer(
    port: Port,
    m: Message,
    raw: Uint8Array,
    fired: Fault[],
    result: HandlerResult | KernelError,
  ): void {
    const h = m.header;
    const pid = port.socket.pid;
    if (
      !(result instanceof KernelError) && isDumpReply(result) &&
      port.dump !== null
    ) {
      // netlink_dump_start(): one dump per socket; the running one ends when
      // its NLMSG_DONE has been produced (which happens as it is read).
      result = new KernelError(Errno.EBUSY);
    }
    let out: Uint8Array[];
    if (result instanceof KernelError) {
      out = [
        encodeMessage(this.#ack(port, raw, h, result.errno, result.extAck)),
      ];
    } else if (isDumpReply(result)) {
      // The first part now, each next one when the socket is read.
      port.dump = this.#mangle(
        this.#dump(port, h, result, fired),
        fired,
        h,
        port,
      );
      this.#continueDump(port);
      return;
    } else {
      // The replies of a single request travel in one datagram (a Conn reads
      // one datagram for a reply that is not multipart), the ACK in its own.
      const replies = result.map((r) => ({
        header: { ...r.header, sequence: h.sequence, pid },
        data: r.data,
      }));
      out = replies.length > 0 ? [encodeMessages(replies)] : [];
      if (h.flags & HeaderFlags.Acknowledge) {
        out.push(encodeMessage(this.#ack(port, raw, h, 0)));
      }
    }
    this.#send(port, this.#mangle(out, fired, h, port).flat());
  }

  /**
   * Produces the running dump's next part, as `netlink_dump()` does from
   * `netlink_recvmsg()` while the receive queue is at most half full; the
   * dump ends (another may start) once the part with `NLMSG_DONE` is out.
   */
  #continueDump(port: Port): void {
    const parts = port.dump!;
    if (port.socket.queuedBytes > this.#rcvbuf(port) / 2) return;
    const next = parts.shift();
    if (parts.length === 0) port.dump = null;
    if (next !== undefined) this.#send(port, next);
  }

  #dump(
    port: Port,
    h: Message["header"],
    r: DumpReply,
    fired: Fault[],
  ): Uint8Array[] {
    const multi = HeaderFlags.Multi |
      (r.filtered ? HeaderFlags.DumpFiltered : 0);
    const parts: Message[] = r.dump.map((m) => ({
      header: {
        length: 0,
        type: m.header.type,
        flags: m.header.flags | multi,
        sequence: h.sequence,
        pid: port.socket.pid,
      },
      data: m.data,
    }));
    const done = this.#done(port, h, r.error);
    for (const f of fired) {
      if (f.type === "dumpInterrupted") {
        interruptDump([...parts, done], f.at ?? 1);
      }
    }
    const out: Uint8Array[] = [];
    let batch: Message[] = [];
    let size = 0;
    for (const m of parts) {
      const n = align(HEADER_LENGTH + m.data.length);
      if (batch.length > 0 && size + n > this.#dumpSize) {
        out.push(encodeMessages(batch));
        batch = [];
        size = 0;
      }
      batch.push(m);
      size += n;
    }
    if (batch.length > 0) out.push(encodeMessages(batch));
    out.push(encodeMessage(done));
    return out;
  }

  /** `NLMSG_DONE`, with the dump's errno and `NLMSGERR_ATTR_MSG` (netlink_dump_done). */
  #done(
    port: Port,
    h: Message["header"],
    error: KernelError | undefined,
  ): Message {
    return doneReply(error?.errno ?? 0, {
      sequence: h.sequence,
      pid: port.socket.pid,
      extAck: port.socket.getOption(ConnOption.ExtendedAcknowledge)
        ? error?.extAck
        : undefined,
    });
  }

  /** `NLMSG_ERROR` as `netlink_ack` builds it, for the socket's options. */
  #ack(
    port: Port,
    raw: Uint8Array,
    h: Message["header"],
    errno: number,
    ext?: ExtendedAck,
  ): Message {
    const s = port.socket;
    return errorReply(errno, { header: h, data: raw.subarray(HEADER_LENGTH) }, {
      capped: errno === 0 || s.getOption(ConnOption.CapAcknowledge),
      extAck: s.getOption(ConnOption.ExtendedAcknowledge) ? ext : undefined,
      pid: s.pid,
    });
  }

  /**
   * Applies the reply faults; returns the datagrams in groups (a datagram,
   * after its spoofed copy for `foreignSender`), each group delivered at once.
   */
  #mangle(
    out: Uint8Array[],
    fired: Fault[],
    h: Message["header"],
    port: Port,
  ): Datagram[][] {
    const pid = port.socket.pid;
    let spoof: number | undefined;
    for (const f of fired) {
      if (out.length === 0) break;
      switch (f.type) {
        case "truncate":
          out[0] = truncateDatagram(out[0]!, f.length);
          break;
        case "misalign":
          out[0] = misalignDatagram(out[0]!);
          break;
        case "wrongSequence": {
          const delta = strayDelta(h.sequence, f.delta, port.recent);
          out = out.map((d) => restampDatagram(d, { sequenceDelta: delta }));
          break;
        }
        case "wrongPid":
          out = out.map((d) => restampDatagram(d, { pid: f.pid ?? pid + 1 }));
          break;
        case "foreignSender":
          spoof = f.pid ?? 4242;
          break;
      }
    }
    return out.map((data) =>
      spoof === undefined
        ? [{ data, sender: 0 }]
        : [{ data, sender: spoof }, { data, sender: 0 }]
    );
  }

  #trace(
    direction: TraceEntry["direction"],
    port: Port,
    data: Uint8Array,
    sender: number,
    groups: number,
  ): void {
    if (!this.#tracing) return;
    this.trace.push({
      direction,
      pid: port.socket.pid,
      family: port.family,
      sender,
      groups,
      data: data.slice(),
    });
  }

  #send(port: Port, datagrams: Datagram[]): void {
    for (const d of datagrams) {
      if (port.socket.closed) return;
      // A filtered dump part is dropped and the dump goes on only when the
      // socket reads something else (netlink_dump(): sk_filter, then wait
      // for the next recvmsg), so a filter that drops every part stalls it.
      const data = filterDatagram(port.socket.bpf, d.data);
      if (data === null) continue;
      if (!this.#admit(port)) continue;
      this.#trace("reply", port, data, d.sender, 0);
      port.socket.deliver(data, d.sender, 0);
    }
  }

  /** `sk_rcvbuf`: twice `SO_RCVBUF` (at least `SOCK_MIN_RCVBUF`), or the default. */
  #rcvbuf(port: Port): number {
    const set = port.socket.receiveBufferSize;
    return set > 0 ? Math.max(2 * set, SOCK_MIN_RCVBUF) : DEFAULT_RCVBUF;
  }

  /**
   * Whether a datagram fits the socket's receive buffer. When it does not
   * (or the socket is congested since the last overrun) it is dropped, as
   * `netlink_attachskb()` drops a unicast reply and
   * `netlink_broadcast_deliver()` a notification, and `netlink_overrun()`
   * reports ENOBUFS once, unless `NoENOBUFS`: then the loss is silent, a
   * dropped reply included. Memory is counted in datagram bytes (the
   * kernel counts `truesize`, a few hundred bytes more per datagram).
   */
  #admit(port: Port): boolean {
    const s = port.socket;
    if (s.queuedBytes <= this.#rcvbuf(port) && !port.congested) return true;
    if (!s.getOption(ConnOption.NoENOBUFS) && !port.congested) {
      port.congested = true;
      s.failNextReceive(Errno.ENOBUFS);
    }
    return false;
  }

  #multicast(
    family: number,
    group: number,
    messages: Message[],
    exclude: number,
  ): void {
    if (messages.length === 0) return;
    const d = encodeMessages(messages);
    for (const port of this.#ports.values()) {
      const s = port.socket;
      if (
        port.family !== family || s.pid === exclude || !s.groups.has(group) ||
        s.closed
      ) continue;
      if (port.dropping > 0) {
        port.dropping--;
        continue;
      }
      const fault = this.#faults.find((f) =>
        f.fault.type === "overrun" && f.take(messages[0]!, s.pid)
      );
      if (fault?.fault.type === "overrun") {
        port.dropping = Math.max(0, (fault.fault.drop ?? 1) - 1);
        if (!s.getOption(ConnOption.NoENOBUFS)) {
          s.failNextReceive(Errno.ENOBUFS);
        }
        continue;
      }
      const data = filterDatagram(s.bpf, d);
      if (data === null || !this.#admit(port)) continue;
      this.#trace("notification", port, data, 0, groupMask(group));
      s.deliver(data, 0, groupMask(group));
    }
  }
}

export type { SimFamily };

/**
 * The sequence delta of a stray reply: `delta` (default half the sequence
 * space), moved on past 0 (a notification's sequence) and past the socket's
 * recent requests, so that the stray reply answers nothing in flight.
 */
function strayDelta(
  sequence: number,
  delta: number | undefined,
  recent: readonly number[],
): number {
  let stray = (sequence + (delta ?? 0x8000_0000)) >>> 0;
  while (stray === 0 || (stray !== sequence && recent.includes(stray))) {
    stray = (stray + 1) >>> 0;
  }
  return stray - sequence;
}

/** A KernelError, or any error with a positive numeric `errno` (as genltest accepts); others are rethrown. */
function asKernelError(e: unknown): KernelError {
  if (e instanceof KernelError) return e;
  const x = e as { errno?: unknown; extAck?: unknown } | null;
  if (
    typeof x === "object" && x !== null && typeof x.errno === "number" &&
    x.errno > 0 && !("op" in x)
  ) {
    return new KernelError(x.errno, (x.extAck ?? {}) as ExtendedAck);
  }
  throw e;
}
