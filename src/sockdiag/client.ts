/**
 * {@linkcode SockDiag}: socket diagnostics over `NETLINK_SOCK_DIAG`, what
 * `ss` uses.
 *
 * @module
 */

import {
  AttributeEncoder,
  Conn,
  type ConnOptions,
  Family,
  HeaderFlags,
  isNetlinkError,
  type Message,
  type MessageView,
  NetlinkError,
} from "../netlink/mod.ts";
import {
  INET_EXTENSIONS,
  INET_PROTOCOLS,
  type InetExtension,
  type InetProtocol,
  SockDiagType,
  SOCKET_STATES,
  type SocketState,
  UnixDiagShow,
} from "./constants.ts";
import {
  decodeInetSocket,
  encodeInetDiagRequest,
  type InetSocket,
} from "./inet.ts";
import {
  decodeUnixSocket,
  encodeUnixDiagRequest,
  type UnixSocket,
} from "./unix.ts";

/**
 * Options of {@linkcode SockDiag.open}: those of `Conn.dial` (such as
 * `netns`, to look at another network namespace), or a connection to use.
 */
export interface SockDiagOptions extends ConnOptions {
  /** A `NETLINK_SOCK_DIAG` connection to use (the client closes it; the other options are then ignored). Default: a new one. */
  conn?: Conn;
}

/**
 * What {@linkcode SockDiag.inet} asks for.
 */
export interface InetQuery {
  /** 4 (IPv4) or 6 (IPv6; includes IPv4-mapped sockets of dual-stack listeners). */
  family: 4 | 6;
  /** The protocol. A protocol the kernel has no diag handler for fails with ENOENT (`isNotExist`). */
  protocol: InetProtocol;
  /** Only sockets in these states (the kernel filters). Default: every state. */
  states?: readonly SocketState[];
  /** Extensions to report (`idiag_ext`). Default: none. */
  extensions?: readonly InetExtension[];
  /** For `"raw"`: only sockets of this protocol (`sdiag_raw_protocol`; 0 for any). */
  rawProtocol?: number;
  /** Aborts the dump. */
  signal?: AbortSignal;
}

/**
 * What {@linkcode SockDiag.unix} asks for.
 */
export interface UnixQuery {
  /** Only sockets in these states (`"listen"`, `"established"`, `"close"`, `"syn-sent"`). Default: every state. */
  states?: readonly SocketState[];
  /** Also report memory counters (`UDIAG_SHOW_MEMINFO`). */
  memInfo?: boolean;
  /** Aborts the dump. */
  signal?: AbortSignal;
}

/** Thrown inside a visitor to end a visit early; never escapes. */
const STOP: unique symbol = Symbol("stop");

const PROTOCOL_NAMES = new Set(Object.keys(INET_PROTOCOLS));

function stateMask(states: readonly SocketState[] | undefined): number {
  if (states === undefined) return 0xffffffff;
  if (!Array.isArray(states)) {
    throw new TypeError("Cannot query sockets: states must be an array");
  }
  let mask = 0;
  for (const s of states as readonly SocketState[]) {
    const n = SOCKET_STATES.indexOf(s);
    if (n <= 0) {
      throw new TypeError(
        `Cannot query sockets: unknown state ${JSON.stringify(s)}`,
      );
    }
    mask |= 1 << n;
  }
  return mask >>> 0;
}

function extensionMask(ext: readonly InetExtension[] | undefined): number {
  if (ext === undefined) return 0;
  if (!Array.isArray(ext)) {
    throw new TypeError("Cannot query sockets: extensions must be an array");
  }
  let mask = 0;
  for (const x of ext as readonly InetExtension[]) {
    const n = INET_EXTENSIONS[x];
    if (n === undefined || !Object.hasOwn(INET_EXTENSIONS, x)) {
      throw new TypeError(
        `Cannot query sockets: unknown extension ${JSON.stringify(x)}`,
      );
    }
    mask |= 1 << (n - 1);
  }
  return mask;
}

function checkQuery(q: InetQuery): void {
  if (typeof q !== "object" || q === null) {
    throw new TypeError("Cannot query inet sockets: want { family, protocol }");
  }
  if (q.family !== 4 && q.family !== 6) {
    throw new TypeError(
      `Cannot query inet sockets: family ${String(q.family)} is not 4 or 6`,
    );
  }
  if (!PROTOCOL_NAMES.has(q.protocol)) {
    throw new TypeError(
      `Cannot query inet sockets: unknown protocol ${
        JSON.stringify(q.protocol)
      } (want ${[...PROTOCOL_NAMES].join(", ")})`,
    );
  }
}

function request(type: number, flags: number, data: Uint8Array): Message {
  return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
}

/** The `ss`-style text of an endpoint: `10.0.0.1:22`, `[::1]:22`. */
function endpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

const HINTS: Readonly<Record<string, string>> = {
  EPERM: "this needs CAP_NET_ADMIN",
  EACCES: "this needs CAP_NET_ADMIN",
};

/**
 * Re-throws a kernel error with the operation named (`Cannot dump ipv4 sctp
 * sockets: ENOENT ...`); the errno, ext-ack and cause are kept.
 */
function named(e: unknown, op: string, hints: Record<string, string>): never {
  if (isNetlinkError(e) && e.name === "NetlinkError") {
    const detail = hints[e.code] ?? HINTS[e.code];
    const options: ConstructorParameters<typeof NetlinkError>[2] = {
      cause: e,
    };
    if (detail !== undefined) options.detail = detail;
    if (e.extAck !== undefined) options.extAck = e.extAck;
    if (e.sequence !== undefined) options.sequence = e.sequence;
    throw new NetlinkError(op, e.errno, options);
  }
  throw e;
}

/**
 * Socket diagnostics, what `ss` shows: IPv4/IPv6 sockets of any protocol
 * the kernel has a diag handler for (TCP, UDP, UDP-Lite, raw, SCTP,
 * MPTCP...) and UNIX sockets, filtered by state in the kernel, with
 * extensions such as `struct tcp_info`; and `SOCK_DESTROY`.
 *
 * `inet` and `unix` return arrays; `visitInet` and `visitUnix` stream: each
 * socket is decoded from the receive buffer and handed to a callback as its
 * datagram arrives, so a machine with a million sockets never holds them
 * all.
 *
 * @example Count established TCP connections (simulated kernel)
 * ```ts
 * import { SockDiag } from "@nlkit/netlink/sockdiag";
 * import { SimSockDiag } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimSockDiag({ inet: [
 *   { protocol: "tcp", state: "listen", localAddress: "0.0.0.0", localPort: 80 },
 *   { protocol: "tcp", state: "established", localAddress: "10.0.0.1", localPort: 80, remoteAddress: "10.0.0.9", remotePort: 40000 },
 * ] });
 * // On Linux: await SockDiag.open()
 * await using diag = await SockDiag.open({ conn: sim.dial() });
 * let n = 0;
 * await diag.visitInet({ family: 4, protocol: "tcp", states: ["established"] }, () => { n++; });
 * assert.equal(n, 1);
 * ```
 */
export class SockDiag implements AsyncDisposable {
  #conn: Conn;

  private constructor(conn: Conn) {
    this.#conn = conn;
  }

  /**
   * Opens a client: dials `NETLINK_SOCK_DIAG` unless `options.conn` is given.
   *
   * @param options Connection options (`netns` picks the namespace), or a connection.
   * @returns The client.
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission (only when dialing).
   * @throws {NetlinkError} When the socket cannot be opened.
   *
   * @example Look at the sockets of another network namespace
   * ```ts ignore
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   *
   * await using diag = await SockDiag.open({ netns: "blue" });
   * console.log(await diag.inet({ family: 4, protocol: "tcp", states: ["listen"] }));
   * ```
   */
  static async open(options: SockDiagOptions = {}): Promise<SockDiag> {
    if (options.conn !== undefined) return new SockDiag(options.conn);
    const { conn: _, ...dial } = options;
    return new SockDiag(await Conn.dial(Family.SockDiag, dial));
  }

  /**
   * The connection this client uses.
   */
  get conn(): Conn {
    return this.#conn;
  }

  /**
   * Lists IPv4 or IPv6 sockets of one protocol (a `SOCK_DIAG_BY_FAMILY`
   * dump). For many sockets prefer {@linkcode SockDiag.visitInet}.
   *
   * @param query Family, protocol, states and extensions.
   * @returns The sockets, in the kernel's order (its hash tables').
   * @throws {TypeError} On an unknown family, protocol, state or extension.
   * @throws {NetlinkError} From the kernel, naming the dump: ENOENT
   * (`isNotExist`) when it has no diag handler for the protocol.
   * @throws {RangeError} When a reply is malformed.
   *
   * @example UDP sockets with their memory counters
   * ```ts
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimSockDiag({ inet: [{ protocol: "udp", localAddress: "0.0.0.0", localPort: 53 }] });
   * await using diag = await SockDiag.open({ conn: sim.dial() });
   * const [dns] = await diag.inet({ family: 4, protocol: "udp", extensions: ["meminfo"] });
   * assert.equal(dns?.state, "close"); // an unconnected UDP socket (ss: UNCONN)
   * assert.equal(dns?.memInfo?.rmem, 0);
   * ```
   */
  async inet(query: InetQuery): Promise<InetSocket[]> {
    const out: InetSocket[] = [];
    await this.visitInet(query, (s) => {
      out.push(s);
    });
    return out;
  }

  /**
   * Streams IPv4 or IPv6 sockets of one protocol to `visitor`, one call per
   * socket as the kernel's datagrams arrive (over `Conn.visit`: no copy of
   * the receive buffer, nothing kept). Return `false` from `visitor` to stop
   * early; the rest of the dump is discarded.
   *
   * @param query Family, protocol, states and extensions.
   * @param visitor Called with each socket; `false` stops the dump.
   * @returns How many sockets were visited.
   * @throws {TypeError} On an unknown family, protocol, state or extension.
   * @throws {NetlinkError} From the kernel, naming the dump (see {@linkcode SockDiag.inet}).
   * @throws {RangeError} When a reply is malformed.
   *
   * @example Stop at the first listener
   * ```ts
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const inet = Array.from({ length: 100 }, (_, i) => ({ protocol: "tcp" as const, state: "listen" as const, localAddress: "0.0.0.0", localPort: 1000 + i }));
   * await using diag = await SockDiag.open({ conn: new SimSockDiag({ inet }).dial() });
   * const n = await diag.visitInet({ family: 4, protocol: "tcp" }, (s) => s.localPort < 1004);
   * assert.equal(n, 5); // 1000..1003 continue, 1004 stops
   * ```
   */
  async visitInet(
    query: InetQuery,
    visitor: (socket: InetSocket) => boolean | void,
  ): Promise<number> {
    checkQuery(query);
    if (typeof visitor !== "function") {
      throw new TypeError(
        "Cannot visit inet sockets: visitor must be a function",
      );
    }
    const data = encodeInetDiagRequest({
      family: query.family,
      protocol: INET_PROTOCOLS[query.protocol],
      states: stateMask(query.states),
      extensions: extensionMask(query.extensions),
      rawProtocol: query.rawProtocol ?? 0,
    }, new AttributeEncoder()).encode();
    const protocol = query.protocol;
    const op = `dump ipv${query.family} ${protocol} sockets`;
    return await this.#visit(
      request(
        SockDiagType.ByFamily,
        HeaderFlags.Request | HeaderFlags.Dump,
        data,
      ),
      (v) =>
        visitor(
          decodeInetSocket(
            v.bytes,
            v.offset,
            v.length,
            protocol,
          ),
        ),
      op,
      {
        ENOENT:
          `the kernel has no sock_diag handler for ${protocol} over ipv${query.family}`,
      },
      query.signal,
    );
  }

  /**
   * Lists UNIX domain sockets with their names, peers, pending connections
   * and queues. For many sockets prefer {@linkcode SockDiag.visitUnix}.
   *
   * @param query States to keep, memory counters, a signal.
   * @returns The sockets, in the kernel's order.
   * @throws {TypeError} On an unknown state.
   * @throws {NetlinkError} From the kernel, naming the dump.
   * @throws {RangeError} When a reply is malformed.
   *
   * @example Bound, abstract and unbound sockets
   * ```ts
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimSockDiag({ unix: [
   *   { type: "stream", state: "listen", path: "/run/a.sock" },
   *   { type: "dgram", path: "@b" },
   *   { type: "stream", state: "established" },
   * ] });
   * await using diag = await SockDiag.open({ conn: sim.dial() });
   * const all = await diag.unix();
   * assert.deepEqual(all.map((s) => s.path ?? "*"), ["/run/a.sock", "@b", "*"]);
   * assert.deepEqual((await diag.unix({ states: ["listen"] })).map((s) => s.type), ["stream"]);
   * ```
   */
  async unix(query: UnixQuery = {}): Promise<UnixSocket[]> {
    const out: UnixSocket[] = [];
    await this.visitUnix(query, (s) => {
      out.push(s);
    });
    return out;
  }

  /**
   * Streams UNIX domain sockets to `visitor` as the kernel's datagrams
   * arrive; `false` from `visitor` stops early.
   *
   * @param query States to keep, memory counters, a signal.
   * @param visitor Called with each socket; `false` stops the dump.
   * @returns How many sockets were visited.
   * @throws {TypeError} On an unknown state.
   * @throws {NetlinkError} From the kernel, naming the dump.
   * @throws {RangeError} When a reply is malformed.
   *
   * @example Sum the receive queues
   * ```ts
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimSockDiag({ unix: [{ receiveQueue: 100 }, { receiveQueue: 20 }] });
   * await using diag = await SockDiag.open({ conn: sim.dial() });
   * let queued = 0;
   * await diag.visitUnix({}, (s) => { queued += s.receiveQueue ?? 0; });
   * assert.equal(queued, 120);
   * ```
   */
  async visitUnix(
    query: UnixQuery,
    visitor: (socket: UnixSocket) => boolean | void,
  ): Promise<number> {
    if (typeof query !== "object" || query === null) {
      throw new TypeError("Cannot query unix sockets: want an options object");
    }
    if (typeof visitor !== "function") {
      throw new TypeError(
        "Cannot visit unix sockets: visitor must be a function",
      );
    }
    const show = UnixDiagShow.Name | UnixDiagShow.Vfs | UnixDiagShow.Peer |
      UnixDiagShow.Icons | UnixDiagShow.RqLen | UnixDiagShow.Uid |
      (query.memInfo ? UnixDiagShow.MemInfo : 0);
    const data = encodeUnixDiagRequest(
      { states: stateMask(query.states), show },
      new AttributeEncoder(),
    ).encode();
    return await this.#visit(
      request(
        SockDiagType.ByFamily,
        HeaderFlags.Request | HeaderFlags.Dump,
        data,
      ),
      (v) => visitor(decodeUnixSocket(v.bytes, v.offset, v.length)),
      "dump unix sockets",
      {},
      query.signal,
    );
  }

  async #visit(
    message: Message,
    each: (v: MessageView) => boolean | void,
    op: string,
    hints: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    let count = 0;
    try {
      await this.#conn.visit(message, (v) => {
        if (v.header.type !== SockDiagType.ByFamily) return;
        count++;
        if (each(v) === false) throw STOP;
      }, signal ? { signal } : {});
    } catch (e) {
      if (e === STOP) return count;
      named(e, op, hints);
    }
    return count;
  }

  /**
   * Closes a TCP (or UDP, raw) socket with `SOCK_DESTROY`, as `ss -K`
   * does: the kernel aborts it (its owner sees ECONNABORTED, a TCP peer a
   * reset). The socket is found by addresses, ports, interface and cookie.
   * Needs `CAP_NET_ADMIN` and a kernel with `CONFIG_INET_DIAG_DESTROY`.
   *
   * @param socket A socket from {@linkcode SockDiag.inet} or {@linkcode SockDiag.visitInet}.
   * @throws {TypeError} If `socket` is not an inet socket.
   * @throws {NetlinkError} Naming the socket: EPERM without `CAP_NET_ADMIN`,
   * EOPNOTSUPP when the kernel cannot destroy sockets of that protocol,
   * ENOENT when the socket is gone.
   *
   * @example Destroy an established connection
   * ```ts
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimSockDiag({ inet: [{ protocol: "tcp", state: "established", localAddress: "127.0.0.1", localPort: 5000, remoteAddress: "127.0.0.1", remotePort: 40000 }] });
   * await using diag = await SockDiag.open({ conn: sim.dial() });
   * const [conn] = await diag.inet({ family: 4, protocol: "tcp" });
   * await diag.destroy(conn!);
   * assert.deepEqual(await diag.inet({ family: 4, protocol: "tcp" }), []);
   * await assert.rejects(diag.destroy(conn!), { code: "ENOENT" });
   * ```
   */
  async destroy(socket: InetSocket): Promise<void> {
    if (
      typeof socket !== "object" || socket === null ||
      (socket.family !== 4 && socket.family !== 6) ||
      !PROTOCOL_NAMES.has(socket.protocol)
    ) {
      throw new TypeError(
        "Cannot destroy socket: want an inet socket from SockDiag.inet",
      );
    }
    const data = encodeInetDiagRequest({
      family: socket.family,
      protocol: INET_PROTOCOLS[socket.protocol],
      states: 0xffffffff,
      extensions: 0,
      ...(socket.rawProtocol !== undefined
        ? { rawProtocol: socket.rawProtocol }
        : {}),
      id: socket,
    }, new AttributeEncoder()).encode();
    const op = `destroy ${socket.protocol} socket ${
      endpoint(socket.localAddress, socket.localPort)
    } -> ${endpoint(socket.remoteAddress, socket.remotePort)}`;
    try {
      await this.#conn.execute(
        request(
          SockDiagType.Destroy,
          HeaderFlags.Request | HeaderFlags.Acknowledge,
          data,
        ),
      );
    } catch (e) {
      named(e, op, {
        ENOENT: "no such socket",
        EOPNOTSUPP:
          `the kernel cannot destroy ${socket.protocol} sockets (CONFIG_INET_DIAG_DESTROY)`,
      });
    }
  }

  /**
   * Closes the connection. Safe to call twice.
   *
   * @returns When the connection is closed.
   */
  close(): Promise<void> {
    return this.#conn.close();
  }

  /**
   * Closes the connection (for `await using`).
   *
   * @returns When the connection is closed.
   *
   * @example Close with a using declaration
   * ```ts
   * import { SockDiag } from "@nlkit/netlink/sockdiag";
   * import { SimSockDiag } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * let conn;
   * {
   *   await using diag = await SockDiag.open({ conn: new SimSockDiag({}).dial() });
   *   conn = diag.conn;
   * }
   * assert.equal(conn.closed, true);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
