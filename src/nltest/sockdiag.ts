/**
 * A simulated `NETLINK_SOCK_DIAG`: declare a socket table, get a `Conn`
 * that answers `ss`-style dumps the way Linux does, with the same codec as
 * the `@nlkit/netlink/sockdiag` client. What it mirrors (checked against the
 * real kernel by `tests/integration/sockdiag_test.ts`):
 *
 * - dumps filter by address family and by the `idiag_states` /
 *   `udiag_states` bit set; IPv4 and IPv6 sockets are dumped separately;
 * - attributes as Linux writes them: `INET_DIAG_SHUTDOWN` and
 *   `INET_DIAG_CGROUP_ID` and `INET_DIAG_SOCKOPT` always, `INET_DIAG_MARK` for a privileged
 *   requester, `INET_DIAG_SKV6ONLY` for IPv6 sockets that listen or are
 *   unconnected, the rest only when requested (`tcp_info` and the
 *   congestion algorithm only for TCP, nothing for TIME_WAIT sockets);
 *   UNIX sockets get `UNIX_DIAG_SHUTDOWN` always and the others by
 *   `udiag_show`;
 * - a protocol the kernel has no handler for ends the dump with `NLMSG_DONE`
 *   carrying ENOENT; an address family it does not know is `NLMSG_ERROR`
 *   EINVAL (at least `AF_MAX`) or ENOENT; a short request is EINVAL;
 * - `SOCK_DESTROY`: ENOENT for no such socket, then EPERM without
 *   `CAP_NET_ADMIN`, then EOPNOTSUPP without destroy support; UNIX sockets
 *   cannot be destroyed (EOPNOTSUPP).
 *
 * Dumps come out in declaration order; Linux's order is its hash tables'.
 *
 * @example Declare sockets and list them
 * ```ts
 * import { SockDiag } from "@nlkit/netlink/sockdiag";
 * import { SimSockDiag } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimSockDiag({ inet: [{ protocol: "udp", localAddress: "127.0.0.53", localPort: 53 }] });
 * await using diag = await SockDiag.open({ conn: sim.dial() });
 * const [s] = await diag.inet({ family: 4, protocol: "udp" });
 * assert.equal(s?.localAddress, "127.0.0.53");
 * await assert.rejects(diag.inet({ family: 4, protocol: "sctp" }), { code: "ENOENT" });
 * ```
 *
 * @module
 */

import {
  AttributeEncoder,
  Family,
  HeaderFlags,
  type Message,
} from "../netlink/mod.ts";
import { Errno } from "../netlink/errno.ts";
import type { Conn } from "../netlink/conn.ts";
import type { ConnOptions } from "../netlink/options.ts";
import {
  AddressFamily,
  decodeInetDiagRequest,
  decodeTcpInfo,
  decodeUnixDiagRequest,
  encodeInetSocket,
  encodeTcpInfo,
  encodeUnixSocket,
  INET_EXTENSIONS,
  INET_PROTOCOLS,
  type InetDiagRequest,
  type InetMemInfo,
  type InetProtocol,
  type InetSocket,
  type InetSockOpt,
  type SkMemInfo,
  SockDiagType,
  type SocketState,
  type TcpInfo,
  UnixDiagShow,
  type UnixSocket,
  type UnixType,
} from "../sockdiag/mod.ts";
import { stateNumber } from "../sockdiag/inet.ts";
import { type HandlerResult, KernelError } from "./kernel_handler.ts";
import { SimKernel } from "./kernel.ts";

/** `AF_MAX` in Linux 6.x: families at or above it are EINVAL. */
const AF_MAX = 46;

/**
 * An IPv4/IPv6 socket in the simulated table. Only `protocol` is required;
 * the rest defaults to an unconnected socket (`"listen"` for TCP, `"close"`
 * otherwise; `"established"` when a remote port is given), family from the
 * address, fresh inode and cookie, uid 0, empty queues.
 */
export interface SimInetSocket {
  /** The protocol. */
  protocol: InetProtocol;
  /** 4 or 6 (default: 6 when an address contains ":"). */
  family?: 4 | 6;
  /** The state. */
  state?: SocketState;
  /** Default `0.0.0.0` or `::`. */
  localAddress?: string;
  /** Default 0. */
  localPort?: number;
  /** Default `0.0.0.0` or `::`. */
  remoteAddress?: string;
  /** Default 0. */
  remotePort?: number;
  /** Bound interface index (default 0). */
  interface?: number;
  /** Default: a fresh cookie. */
  cookie?: bigint;
  /** Default: a fresh inode (0 for TIME_WAIT). */
  inode?: number;
  /** Default 0. */
  uid?: number;
  /** Default 0. */
  receiveQueue?: number;
  /** Default 0. */
  sendQueue?: number;
  /** Default 0. */
  timer?: number;
  /** Default 0. */
  retransmits?: number;
  /** Default 0. */
  expires?: number;
  /** Fields of `struct tcp_info` (TCP; the rest gets plausible values). */
  tcpInfo?: Partial<TcpInfo>;
  /** Default `"cubic"` for TCP. */
  congestion?: string;
  /** Default: the queues as rmem/wmem. */
  memInfo?: InetMemInfo;
  /** Default: empty buffers of 131072/16384 bytes. */
  skMemInfo?: SkMemInfo;
  /** Default 0. */
  tos?: number;
  /** Default 0. */
  tclass?: number;
  /** Default 0. */
  mark?: number;
  /** Default 0. */
  classId?: number;
  /** Default 1n. */
  cgroupId?: bigint;
  /** IPv6: default true when bound to a specific address that is not IPv4-mapped (as Linux sets it on bind). */
  v6only?: boolean;
  /** `INET_DIAG_SOCKOPT` bits (default: Linux's for a new socket of that kind). */
  sockOpt?: Partial<InetSockOpt>;
  /** Raw sockets: the socket's protocol (default 255). */
  rawProtocol?: number;
}

/**
 * A UNIX socket in the simulated table: defaults to an unbound, unconnected
 * stream socket with a fresh inode and cookie.
 */
export interface SimUnixSocket {
  /** Default `"stream"`. */
  type?: UnixType;
  /** Default `"established"` with a peer, else `"close"`. */
  state?: SocketState;
  /** The bound address (`@name` for an abstract name). */
  path?: string;
  /** Default: a fresh inode. */
  inode?: number;
  /** Default: a fresh cookie. */
  cookie?: bigint;
  /** The peer's inode. */
  peer?: number;
  /** Listeners: inodes of the sockets whose connections wait to be accepted. */
  pending?: number[];
  /** Default 0 (listeners: the number of pending connections). */
  receiveQueue?: number;
  /** Default 0 (listeners: the backlog). */
  sendQueue?: number;
  /** Default 0. */
  uid?: number;
  /** Default 0. */
  shutdown?: number;
  /** Device of the socket file (path sockets; default 0x801). */
  device?: number;
}

/**
 * How the simulated kernel is built and who asks.
 */
export interface SimSockDiagOptions {
  /** The IPv4/IPv6 sockets. */
  inet?: SimInetSocket[];
  /** The UNIX sockets. */
  unix?: SimUnixSocket[];
  /** Protocols with a diag handler (default tcp, udp, udplite, mptcp: raw, sctp and dccp answer ENOENT). */
  protocols?: InetProtocol[];
  /** `CONFIG_INET_DIAG_DESTROY` (default true). */
  destroy?: boolean;
  /** The requester has `CAP_NET_ADMIN` (default true): `INET_DIAG_MARK` is sent and destroy allowed. */
  privileged?: boolean;
}

const DEFAULT_PROTOCOLS: readonly InetProtocol[] = [
  "tcp",
  "udp",
  "udplite",
  "mptcp",
];

function sameId(s: InetSocket, r: InetDiagRequest): boolean {
  const id = r.id;
  if (id === undefined) return false;
  return s.localPort === id.localPort && s.remotePort === id.remotePort &&
    s.localAddress === id.localAddress &&
    s.remoteAddress === id.remoteAddress &&
    (id.interface === undefined || id.interface === 0 ||
      id.interface === s.interface);
}

/**
 * A simulated socket table answering `SOCK_DIAG_BY_FAMILY` and
 * `SOCK_DESTROY`, for `SimKernel` or on its own (`dial()`).
 *
 * @example Register on a SimKernel next to rtnetlink
 * ```ts
 * import { SockDiag } from "@nlkit/netlink/sockdiag";
 * import { SimKernel, SimSockDiag } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const sim = new SimSockDiag();
 * sim.register(kernel);
 * sim.addUnix({ type: "stream", state: "listen", path: "/run/x.sock" });
 * await using diag = await SockDiag.open({ conn: kernel.dial(Family.SockDiag) });
 * assert.equal((await diag.unix())[0]?.path, "/run/x.sock");
 * ```
 */
export class SimSockDiag {
  #inet: InetSocket[] = [];
  #unix: UnixSocket[] = [];
  #protocols: Set<string>;
  #destroy: boolean;
  #privileged: boolean;
  #nextInode = 20000;
  #nextCookie = 1n;

  /**
   * Creates the table.
   *
   * @param options The sockets and the kernel's build.
   * @throws {TypeError} On a socket that cannot be encoded (bad address, unknown protocol).
   */
  constructor(options: SimSockDiagOptions = {}) {
    this.#protocols = new Set(options.protocols ?? DEFAULT_PROTOCOLS);
    this.#destroy = options.destroy ?? true;
    this.#privileged = options.privileged ?? true;
    for (const s of options.inet ?? []) this.addInet(s);
    for (const s of options.unix ?? []) this.addUnix(s);
  }

  /**
   * Adds an IPv4/IPv6 socket.
   *
   * @param spec The socket.
   * @returns The socket as the table holds it (every field filled in).
   * @throws {TypeError} On an unknown protocol or state, or a bad address.
   *
   * @example Defaults filled in
   * ```ts
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const s = new SimSockDiag().addInet({ protocol: "tcp", localPort: 80 });
   * assert.equal(s.state, "listen");
   * assert.equal(s.remoteAddress, "0.0.0.0");
   * ```
   */
  addInet(spec: SimInetSocket): InetSocket {
    if (!Object.hasOwn(INET_PROTOCOLS, spec.protocol)) {
      throw new TypeError(
        `Cannot add simulated socket: unknown protocol ${
          JSON.stringify(spec.protocol)
        }`,
      );
    }
    const family = spec.family ??
      ((spec.localAddress ?? "").includes(":") ||
          (spec.remoteAddress ?? "").includes(":")
        ? 6
        : 4);
    const any = family === 6 ? "::" : "0.0.0.0";
    const tcp = spec.protocol === "tcp";
    const state = spec.state ??
      (spec.remotePort ? "established" : tcp ? "listen" : "close");
    const n = stateNumber(state, "simulated socket");
    const s: InetSocket = {
      family,
      protocol: spec.protocol,
      state,
      localAddress: spec.localAddress ?? any,
      localPort: spec.localPort ?? 0,
      remoteAddress: spec.remoteAddress ?? any,
      remotePort: spec.remotePort ?? 0,
      interface: spec.interface ?? 0,
      cookie: spec.cookie ?? this.#nextCookie++,
      timer: spec.timer ?? 0,
      retransmits: spec.retransmits ?? 0,
      expires: spec.expires ?? 0,
      receiveQueue: spec.receiveQueue ?? 0,
      sendQueue: spec.sendQueue ?? 0,
      uid: spec.uid ?? 0,
      inode: spec.inode ?? (state === "time-wait" ? 0 : this.#nextInode++),
      shutdown: 0,
      tos: spec.tos ?? 0,
      tclass: spec.tclass ?? 0,
      classId: spec.classId ?? 0,
      mark: spec.mark ?? 0,
      cgroupId: spec.cgroupId ?? 1n,
      memInfo: spec.memInfo ?? {
        rmem: spec.receiveQueue ?? 0,
        wmem: spec.sendQueue ?? 0,
        fmem: 0,
        tmem: 0,
      },
      skMemInfo: spec.skMemInfo ?? {
        rmemAlloc: 0,
        rcvbuf: 131072,
        wmemAlloc: 0,
        sndbuf: 16384,
        fwdAlloc: 0,
        wmemQueued: 0,
        optmem: 0,
        backlog: 0,
        drops: 0,
      },
    };
    if (family === 6) {
      s.v6only = spec.v6only ??
        (s.localAddress !== "::" && !s.localAddress.startsWith("::ffff:"));
    }
    // A new socket: multicast loop on, IPv4 also "multicast all".
    s.sockOpt = {
      recverr: false,
      isIcsk: tcp,
      freebind: false,
      hdrincl: false,
      mcLoop: true,
      transparent: false,
      mcAll: family === 4,
      nodefrag: false,
      bindAddressNoPort: false,
      recverrRfc4884: false,
      deferConnect: false,
      ...spec.sockOpt,
    };
    if (spec.protocol === "raw") s.rawProtocol = spec.rawProtocol ?? 255;
    if (tcp) {
      const info = encodeTcpInfo({
        // Linux 6.18's struct tcp_info is 280 bytes (up to tcpi_received_ce_bytes and its last u32).
        length: 280,
        state: n,
        rto: 204000,
        ato: 40000,
        sndMss: 1448,
        rcvMss: 536,
        pmtu: 1500,
        rcvSsthresh: 64088,
        rtt: 1000,
        rttvar: 500,
        sndSsthresh: 0x7fffffff,
        sndCwnd: 10,
        advmss: 1448,
        reordering: 3,
        rcvSpace: 14480,
        pacingRate: 0xffffffffffffffffn,
        maxPacingRate: 0xffffffffffffffffn,
        ...spec.tcpInfo,
      });
      s.tcpInfo = decodeTcpInfo(info, 0, info.length);
      s.congestion = spec.congestion ?? "cubic";
    }
    // Round-trip once so a bad address fails here, not in a dump.
    encodeInetSocket(s, new AttributeEncoder());
    this.#inet.push(s);
    return s;
  }

  /**
   * Adds a UNIX socket.
   *
   * @param spec The socket.
   * @returns The socket as the table holds it.
   * @throws {TypeError} On an unknown state.
   *
   * @example A bound path socket gets VFS information
   * ```ts
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const s = new SimSockDiag().addUnix({ path: "/tmp/x", inode: 7 });
   * assert.equal(s.state, "close");
   * assert.equal(s.vfs?.device, 0x801);
   * ```
   */
  addUnix(spec: SimUnixSocket): UnixSocket {
    const state = spec.state ??
      (spec.peer !== undefined ? "established" : "close");
    stateNumber(state, "simulated socket");
    const inode = spec.inode ?? this.#nextInode++;
    const s: UnixSocket = {
      type: spec.type ?? "stream",
      state,
      inode,
      cookie: spec.cookie ?? this.#nextCookie++,
    };
    if (spec.path !== undefined) s.path = spec.path;
    if (spec.path !== undefined && !spec.path.startsWith("@")) {
      s.vfs = { inode: inode + 1_000_000, device: spec.device ?? 0x801 };
    }
    if (spec.peer !== undefined) s.peer = spec.peer;
    if (state === "listen") s.pending = spec.pending ?? [];
    s.receiveQueue = spec.receiveQueue ??
      (state === "listen" ? s.pending?.length ?? 0 : 0);
    s.sendQueue = spec.sendQueue ?? 0;
    s.shutdown = spec.shutdown ?? 0;
    s.uid = spec.uid ?? 0;
    encodeUnixSocket(s, new AttributeEncoder());
    this.#unix.push(s);
    return s;
  }

  /**
   * Removes sockets (as if closed).
   *
   * @param match Which sockets to remove.
   * @returns How many were removed.
   */
  remove(match: (s: InetSocket | UnixSocket) => boolean): number {
    const before = this.#inet.length + this.#unix.length;
    this.#inet = this.#inet.filter((s) => !match(s));
    this.#unix = this.#unix.filter((s) => !match(s));
    return before - this.#inet.length - this.#unix.length;
  }

  /**
   * The IPv4/IPv6 sockets, in table order.
   */
  get inetSockets(): readonly InetSocket[] {
    return this.#inet;
  }

  /**
   * The UNIX sockets, in table order.
   */
  get unixSockets(): readonly UnixSocket[] {
    return this.#unix;
  }

  /**
   * Answers one request (the `ProtocolHandler` of `Family.SockDiag`).
   *
   * @param request The request message.
   * @returns The replies or a dump.
   * @throws {KernelError} With the errno Linux answers.
   */
  handle(request: Message): HandlerResult {
    const { type, flags } = request.header;
    const data = request.data;
    if (type !== SockDiagType.ByFamily && type !== SockDiagType.Destroy) {
      throw new KernelError(Errno.EINVAL);
    }
    if (data.length < 2) throw new KernelError(Errno.EINVAL);
    const af = data[0]!;
    if (af >= AF_MAX) throw new KernelError(Errno.EINVAL);
    const dump = (flags & HeaderFlags.Dump) !== 0 &&
      type === SockDiagType.ByFamily;
    if (af === AddressFamily.Unix) return this.#unixRequest(request, dump);
    if (af === AddressFamily.Inet || af === AddressFamily.Inet6) {
      return this.#inetRequest(request, dump);
    }
    throw new KernelError(Errno.ENOENT);
  }

  #inetRequest(request: Message, dump: boolean): HandlerResult {
    let r: InetDiagRequest;
    try {
      r = decodeInetDiagRequest(request.data, 0, request.data.length);
    } catch {
      throw new KernelError(Errno.EINVAL);
    }
    const protocol = Object.entries(INET_PROTOCOLS).find(([, n]) =>
      n === r.protocol
    )?.[0];
    const known = protocol !== undefined && this.#protocols.has(protocol);
    if (dump) {
      if (!known) return { dump: [], error: new KernelError(Errno.ENOENT) };
      const out: Message[] = [];
      for (const s of this.#inet) {
        if (s.protocol !== protocol || s.family !== r.family) continue;
        if (
          (r.states & (1 << stateNumber(s.state, "simulated socket"))) === 0
        ) continue;
        if (
          protocol === "raw" && r.rawProtocol !== undefined &&
          r.rawProtocol !== s.rawProtocol
        ) continue;
        out.push(this.#inetMessage(s, r.extensions));
      }
      return { dump: out };
    }
    if (!known) throw new KernelError(Errno.ENOENT);
    const s = this.#inet.find((x) =>
      x.protocol === protocol && x.family === r.family && sameId(x, r)
    );
    if (s === undefined) throw new KernelError(Errno.ENOENT);
    if (r.id?.cookie !== undefined && r.id.cookie !== s.cookie) {
      throw new KernelError(Errno.ESTALE);
    }
    if (request.header.type === SockDiagType.ByFamily) {
      return [this.#inetMessage(s, r.extensions)];
    }
    if (!this.#privileged) throw new KernelError(Errno.EPERM);
    if (!this.#destroy || protocol === "mptcp") {
      throw new KernelError(Errno.EOPNOTSUPP);
    }
    this.#inet = this.#inet.filter((x) => x !== s);
    return [];
  }

  /** The reply for one socket, with the attributes Linux would send for `ext`. */
  #inetMessage(s: InetSocket, ext: number): Message {
    const want = (name: keyof typeof INET_EXTENSIONS): boolean =>
      (ext & (1 << (INET_EXTENSIONS[name] - 1))) !== 0;
    const base: InetSocket = {
      family: s.family,
      protocol: s.protocol,
      state: s.state,
      localAddress: s.localAddress,
      localPort: s.localPort,
      remoteAddress: s.remoteAddress,
      remotePort: s.remotePort,
      interface: s.interface,
      cookie: s.cookie,
      timer: s.timer,
      retransmits: s.retransmits,
      expires: s.expires,
      receiveQueue: s.receiveQueue,
      sendQueue: s.sendQueue,
      uid: s.uid,
      inode: s.inode,
    };
    const out: InetSocket = base;
    if (s.state === "time-wait") {
      // inet_twsk_diag_fill(): the struct only.
    } else if (s.state === "new-syn-recv") {
      if (this.#privileged) out.mark = s.mark ?? 0;
    } else {
      out.shutdown = s.shutdown ?? 0;
      if (want("tos")) out.tos = s.tos ?? 0;
      if (s.family === 6) {
        if (want("tclass")) out.tclass = s.tclass ?? 0;
        if (s.state === "listen" || s.state === "close") {
          out.v6only = s.v6only ?? false;
        }
      }
      if (this.#privileged) out.mark = s.mark ?? 0;
      if (want("tclass")) out.classId = s.classId ?? 0;
      out.cgroupId = s.cgroupId ?? 1n;
      if (s.sockOpt) out.sockOpt = s.sockOpt;
      if (want("meminfo") && s.memInfo) out.memInfo = s.memInfo;
      if (want("skmeminfo") && s.skMemInfo) out.skMemInfo = s.skMemInfo;
      if (s.rawProtocol !== undefined) out.rawProtocol = s.rawProtocol;
      if (s.protocol === "tcp") {
        if (want("info") && s.tcpInfo) out.tcpInfo = s.tcpInfo;
        if (want("congestion") && s.congestion) {
          out.congestion = s.congestion;
        }
      }
    }
    return {
      header: {
        length: 0,
        type: SockDiagType.ByFamily,
        flags: 0,
        sequence: 0,
        pid: 0,
      },
      data: encodeInetSocket(out, new AttributeEncoder()).encode(),
    };
  }

  #unixRequest(request: Message, dump: boolean): HandlerResult {
    if (request.header.type === SockDiagType.Destroy) {
      throw new KernelError(Errno.EOPNOTSUPP);
    }
    let r;
    try {
      r = decodeUnixDiagRequest(request.data, 0, request.data.length);
    } catch {
      throw new KernelError(Errno.EINVAL);
    }
    if (dump) {
      const out: Message[] = [];
      for (const s of this.#unix) {
        if (
          (r.states & (1 << stateNumber(s.state, "simulated socket"))) === 0
        ) continue;
        out.push(this.#unixMessage(s, r.show));
      }
      return { dump: out };
    }
    if (!r.inode) throw new KernelError(Errno.EINVAL);
    const s = this.#unix.find((x) => x.inode === r.inode);
    if (s === undefined) throw new KernelError(Errno.ENOENT);
    if (r.cookie !== undefined && r.cookie !== s.cookie) {
      throw new KernelError(Errno.ESTALE);
    }
    return [this.#unixMessage(s, r.show)];
  }

  /** The reply for one UNIX socket, with what `show` asks for (`sk_diag_fill`). */
  #unixMessage(s: UnixSocket, show: number): Message {
    const out: UnixSocket = {
      type: s.type,
      state: s.state,
      inode: s.inode,
      cookie: s.cookie,
    };
    if (show & UnixDiagShow.Name && s.path !== undefined) out.path = s.path;
    if (show & UnixDiagShow.Vfs && s.vfs !== undefined) out.vfs = s.vfs;
    if (show & UnixDiagShow.Peer && s.peer !== undefined) out.peer = s.peer;
    if (show & UnixDiagShow.Icons && s.state === "listen") {
      out.pending = s.pending ?? [];
    }
    if (show & UnixDiagShow.RqLen) {
      out.receiveQueue = s.receiveQueue ?? 0;
      out.sendQueue = s.sendQueue ?? 0;
    }
    if (show & UnixDiagShow.MemInfo) {
      out.memInfo = {
        rmemAlloc: 0,
        rcvbuf: 212992,
        wmemAlloc: 0,
        sndbuf: 212992,
        fwdAlloc: 0,
        wmemQueued: 0,
        optmem: 0,
        backlog: 0,
        drops: 0,
      };
    }
    out.shutdown = s.shutdown ?? 0;
    if (show & UnixDiagShow.Uid) out.uid = s.uid ?? 0;
    return {
      header: {
        length: 0,
        type: SockDiagType.ByFamily,
        flags: 0,
        sequence: 0,
        pid: 0,
      },
      data: encodeUnixSocket(out, new AttributeEncoder()).encode(),
    };
  }

  /**
   * Serves `Family.SockDiag` on `kernel` with this table.
   *
   * @param kernel The simulated kernel.
   *
   * @example Register and dial
   * ```ts
   * import { SimKernel, SimSockDiag } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * new SimSockDiag({ unix: [{}] }).register(kernel);
   * await using diag = await SockDiag.open({ conn: kernel.dial(Family.SockDiag) });
   * assert.equal((await diag.unix()).length, 1);
   * ```
   */
  register(kernel: SimKernel): void {
    kernel.handle(Family.SockDiag, (m) => this.handle(m));
  }

  /**
   * A connection to a fresh `SimKernel` serving this table.
   *
   * @param options Connection options (as `Conn.dial`).
   * @returns The connection.
   */
  dial(options: ConnOptions = {}): Conn {
    const kernel = new SimKernel({ rtnetlink: false });
    this.register(kernel);
    return kernel.dial(Family.SockDiag, options);
  }
}
