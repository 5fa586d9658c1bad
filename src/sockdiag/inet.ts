/**
 * The inet_diag codec (`linux/inet_diag.h`): the request
 * (`struct inet_diag_req_v2` and its attributes) and the reply
 * (`struct inet_diag_msg` and its attributes), shared by the client and the
 * simulated kernel.
 *
 * @module
 */

import {
  get16,
  get32,
  HOST_LITTLE_ENDIAN,
  put16,
  put32,
} from "../netlink/_endian.ts";
import { AttributeDecoder, type AttributeEncoder } from "../netlink/mod.ts";
import { formatIP, parseIPv4Into, parseIPv6Into } from "../families/_text.ts";
import { checkRange, checkU32, payload } from "../netlink/_struct.ts";
import { getCookie, putCookie } from "./_cookie.ts";
import {
  AddressFamily,
  InetDiagAttr,
  InetDiagRequestAttr,
  type InetProtocol,
  SOCKET_STATES,
  type SocketState,
} from "./constants.ts";
import { decodeSkMemInfo, encodeSkMemInfo, type SkMemInfo } from "./meminfo.ts";
import { decodeTcpInfo, encodeTcpInfo, type TcpInfo } from "./tcp_info.ts";

const LE = HOST_LITTLE_ENDIAN;

/** `sizeof(struct inet_diag_req_v2)`. */
export const INET_DIAG_REQUEST_LENGTH = 56;
/** `sizeof(struct inet_diag_msg)`. */
export const INET_DIAG_MSG_LENGTH = 72;
/** `INET_DIAG_NOCOOKIE`: both cookie words of a request that names no socket. */
const NO_COOKIE = 0xffffffffffffffffn;

/**
 * A socket state, or `"unknown-N"` for a state number this package does
 * not name (a newer kernel's).
 */
export type StateName = SocketState | `unknown-${number}`;

/**
 * Names a state number.
 *
 * @internal
 * @param n The state number.
 * @returns Its name.
 */
export function stateName(n: number): StateName {
  return SOCKET_STATES[n] ?? `unknown-${n}`;
}

/**
 * The number of a state name (`"unknown-N"` gives N).
 *
 * @internal
 * @param name The state name.
 * @param what What is encoded, for the message.
 * @returns The state number.
 * @throws {TypeError} If the name is not a state.
 */
export function stateNumber(name: StateName, what: string): number {
  const n = SOCKET_STATES.indexOf(name as SocketState);
  if (n > 0) return n;
  const m = /^unknown-(\d+)$/.exec(String(name));
  if (m && Number(m[1]) <= 0xff) return Number(m[1]);
  throw new TypeError(
    `Cannot encode ${what}: unknown state ${JSON.stringify(name)}`,
  );
}

/**
 * `struct inet_diag_meminfo` (`INET_DIAG_MEMINFO`), in bytes.
 */
export interface InetMemInfo {
  /** `idiag_rmem`: receive queue memory. */
  rmem: number;
  /** `idiag_wmem`: queued send memory. */
  wmem: number;
  /** `idiag_fmem`: memory allocated ahead. */
  fmem: number;
  /** `idiag_tmem`: memory of data sent, not yet freed. */
  tmem: number;
}

/**
 * `struct tcpvegas_info` (`INET_DIAG_VEGASINFO`).
 */
export interface TcpVegasInfo {
  /** `tcpv_enabled`. */
  enabled: number;
  /** `tcpv_rttcnt`. */
  rttCount: number;
  /** `tcpv_rtt` (µs). */
  rtt: number;
  /** `tcpv_minrtt` (µs). */
  minRtt: number;
}

/**
 * `struct tcp_dctcp_info` (`INET_DIAG_DCTCPINFO`).
 */
export interface TcpDctcpInfo {
  /** `dctcp_enabled`. */
  enabled: number;
  /** `dctcp_ce_state`. */
  ceState: number;
  /** `dctcp_alpha`. */
  alpha: number;
  /** `dctcp_ab_ecn`. */
  abEcn: number;
  /** `dctcp_ab_tot`. */
  abTot: number;
}

/**
 * `struct tcp_bbr_info` (`INET_DIAG_BBRINFO`).
 */
export interface TcpBbrInfo {
  /** `bbr_bw_hi:bbr_bw_lo`: estimated bandwidth in bytes per second. */
  bandwidth: bigint;
  /** `bbr_min_rtt` (µs). */
  minRtt: number;
  /** `bbr_pacing_gain`, shifted left 8 bits. */
  pacingGain: number;
  /** `bbr_cwnd_gain`, shifted left 8 bits. */
  cwndGain: number;
}

/**
 * The socket options of `INET_DIAG_SOCKOPT` (`struct inet_diag_sockopt`).
 */
export interface InetSockOpt {
  /** `IP_RECVERR`. */
  recverr: boolean;
  /** A connection-oriented socket (`inet_connection_sock`). */
  isIcsk: boolean;
  /** `IP_FREEBIND`. */
  freebind: boolean;
  /** `IP_HDRINCL`. */
  hdrincl: boolean;
  /** `IP_MULTICAST_LOOP`. */
  mcLoop: boolean;
  /** `IP_TRANSPARENT`. */
  transparent: boolean;
  /** `IP_MULTICAST_ALL`. */
  mcAll: boolean;
  /** `IP_NODEFRAG`. */
  nodefrag: boolean;
  /** `IP_BIND_ADDRESS_NO_PORT`. */
  bindAddressNoPort: boolean;
  /** `IP_RECVERR_RFC4884`. */
  recverrRfc4884: boolean;
  /** `TCP_FASTOPEN_CONNECT` (deferred connect). */
  deferConnect: boolean;
}

const SOCKOPT_BITS = [
  "recverr",
  "isIcsk",
  "freebind",
  "hdrincl",
  "mcLoop",
  "transparent",
  "mcAll",
  "nodefrag",
  "bindAddressNoPort",
  "recverrRfc4884",
  "deferConnect",
] as const;

/** Bit `i` of the struct's bit fields: GCC allocates from the low bits on little-endian machines. */
function sockOptBit(b: Uint8Array, i: number): boolean {
  const byte = b[i >> 3]!;
  const bit = i & 7;
  return ((byte >> (LE ? bit : 7 - bit)) & 1) !== 0;
}

/**
 * An attribute kept as bytes: one this package does not decode (or the
 * `INET_DIAG_INFO` of a protocol other than TCP).
 */
export interface RawAttribute {
  /** The attribute type. */
  type: number;
  /** A copy of its payload. */
  data: Uint8Array;
}

/**
 * One IPv4 or IPv6 socket as inet_diag reports it (`struct inet_diag_msg`
 * and its attributes). Attribute fields are present when the kernel sent
 * them: some always (`shutdown`, `cgroupId`, `mark` for a privileged
 * requester, `v6only` for an IPv6 socket that listens or is unconnected),
 * the others when asked for with `extensions`.
 *
 * @example List TCP listeners of a simulated machine
 * ```ts
 * import { SockDiag } from "@nlkit/netlink/sockdiag";
 * import { SimSockDiag } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimSockDiag({ inet: [{ protocol: "tcp", state: "listen", localAddress: "127.0.0.1", localPort: 631, inode: 4242 }] });
 * await using diag = await SockDiag.open({ conn: sim.dial() });
 * const [s] = await diag.inet({ family: 4, protocol: "tcp", states: ["listen"] });
 * assert.equal(`${s?.localAddress}:${s?.localPort}`, "127.0.0.1:631");
 * assert.equal(s?.state, "listen");
 * assert.equal(s?.inode, 4242);
 * ```
 */
export interface InetSocket {
  /** 4 for IPv4 (`AF_INET`), 6 for IPv6 (`AF_INET6`). */
  family: 4 | 6;
  /** The protocol that was asked for. */
  protocol: InetProtocol;
  /** `idiag_state`, named. */
  state: StateName;
  /** `idiag_src`: the local address. */
  localAddress: string;
  /** `idiag_sport`: the local port. */
  localPort: number;
  /** `idiag_dst`: the remote address (the unspecified address when unconnected). */
  remoteAddress: string;
  /** `idiag_dport`: the remote port (0 when unconnected). */
  remotePort: number;
  /** `idiag_if`: the interface index the socket is bound to (0 for none). */
  interface: number;
  /** `idiag_cookie`: the socket's cookie (`SO_COOKIE`). */
  cookie: bigint;
  /** `idiag_timer`: pending timer (0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero window probe). */
  timer: number;
  /** `idiag_retrans`: retransmits (or probes) of the pending timer. */
  retransmits: number;
  /** `idiag_expires`: milliseconds until the timer fires. */
  expires: number;
  /** `idiag_rqueue`: bytes not yet read (listeners: connections waiting to be accepted). */
  receiveQueue: number;
  /** `idiag_wqueue`: bytes not yet acknowledged (listeners: the backlog). */
  sendQueue: number;
  /** `idiag_uid`: the owner's uid. */
  uid: number;
  /** `idiag_inode`: the socket's inode (0 for TIME_WAIT and request sockets). */
  inode: number;
  /** `INET_DIAG_SHUTDOWN`: shutdown bits (1 receive, 2 send). */
  shutdown?: number;
  /** `INET_DIAG_TOS`: the IPv4 type of service. */
  tos?: number;
  /** `INET_DIAG_TCLASS`: the IPv6 traffic class. */
  tclass?: number;
  /** `INET_DIAG_CLASS_ID`: the net_cls class id, else the socket priority. */
  classId?: number;
  /** `INET_DIAG_MARK`: `SO_MARK`. */
  mark?: number;
  /** `INET_DIAG_CGROUP_ID`: the cgroup v2 id. */
  cgroupId?: bigint;
  /** `INET_DIAG_SKV6ONLY`: `IPV6_V6ONLY`. */
  v6only?: boolean;
  /** `INET_DIAG_PROTOCOL`: a raw socket's protocol. */
  rawProtocol?: number;
  /** `INET_DIAG_SOCKOPT`: socket options (Linux sends it for every full socket). */
  sockOpt?: InetSockOpt;
  /** `INET_DIAG_MEMINFO`. */
  memInfo?: InetMemInfo;
  /** `INET_DIAG_SKMEMINFO`. */
  skMemInfo?: SkMemInfo;
  /** `INET_DIAG_INFO` of a TCP socket. */
  tcpInfo?: TcpInfo;
  /** `INET_DIAG_CONG`: the congestion control algorithm, such as `"cubic"`. */
  congestion?: string;
  /** `INET_DIAG_VEGASINFO`. */
  vegas?: TcpVegasInfo;
  /** `INET_DIAG_DCTCPINFO`. */
  dctcp?: TcpDctcpInfo;
  /** `INET_DIAG_BBRINFO`. */
  bbr?: TcpBbrInfo;
  /** Attributes not decoded above, as bytes. */
  rawAttributes?: RawAttribute[];
}

/**
 * A socket's identity in a request (`struct inet_diag_sockid`): which socket
 * an exact request or `SOCK_DESTROY` is about.
 */
export interface SocketId {
  /** `idiag_src`. */
  localAddress: string;
  /** `idiag_sport`. */
  localPort: number;
  /** `idiag_dst`. */
  remoteAddress: string;
  /** `idiag_dport`. */
  remotePort: number;
  /** `idiag_if` (default 0). */
  interface?: number;
  /** `idiag_cookie`; absent sends `INET_DIAG_NOCOOKIE`. */
  cookie?: bigint;
}

/**
 * An inet_diag request (`struct inet_diag_req_v2` and its attributes).
 *
 * @example Encode and decode a request
 * ```ts
 * import { decodeInetDiagRequest, encodeInetDiagRequest } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeInetDiagRequest({ family: 6, protocol: 262, states: 1 << 10, extensions: 0 }, new AttributeEncoder()).encode();
 * const r = decodeInetDiagRequest(b, 0, b.length);
 * assert.equal(r.protocol, 262); // sent as INET_DIAG_REQ_PROTOCOL
 * assert.equal(r.states, 1 << 10);
 * ```
 */
export interface InetDiagRequest {
  /** 4 or 6. */
  family: 4 | 6;
  /** The `IPPROTO_*` number; above 255 it goes in `INET_DIAG_REQ_PROTOCOL`. */
  protocol: number;
  /** `idiag_states`: bit `1 << state` for each state wanted. */
  states: number;
  /** `idiag_ext`: bit `attribute - 1` for each extension wanted. */
  extensions: number;
  /** `sdiag_raw_protocol`: for raw sockets, the socket protocol (0 for any). */
  rawProtocol?: number;
  /** The socket, for exact requests and `SOCK_DESTROY`. */
  id?: SocketId;
}

function familyOf(af: number, what: string, offset: number): 4 | 6 {
  if (af === AddressFamily.Inet) return 4;
  if (af === AddressFamily.Inet6) return 6;
  throw new RangeError(
    `Cannot decode ${what}: family ${af} is neither AF_INET nor AF_INET6 at offset ${offset}`,
  );
}

function formatAddress(b: Uint8Array, o: number, v6: boolean): string {
  return formatIP(b, o, o + (v6 ? 16 : 4));
}

function parseAddress(s: string, v6: boolean, b: Uint8Array, o: number): void {
  const ok = typeof s === "string" &&
    (v6 ? parseIPv6Into(s, b, o) : parseIPv4Into(s, b, o));
  if (!ok) {
    throw new TypeError(
      `Cannot parse ${v6 ? "IPv6" : "IPv4"} address: ${JSON.stringify(s)}`,
    );
  }
}

function be16(b: Uint8Array, o: number): number {
  return get16(b, o, false);
}

function writeSockId(
  b: Uint8Array,
  o: number,
  v6: boolean,
  id: SocketId,
): void {
  const port = (p: number, what: string): number => {
    if (!(Number.isInteger(p) && p >= 0 && p <= 0xffff)) {
      throw new TypeError(
        `Cannot encode socket id: ${what} ${p} is not a port`,
      );
    }
    return p;
  };
  const sport = port(id.localPort, "local port");
  const dport = port(id.remotePort, "remote port");
  b[o] = sport >> 8;
  b[o + 1] = sport & 0xff;
  b[o + 2] = dport >> 8;
  b[o + 3] = dport & 0xff;
  parseAddress(id.localAddress, v6, b, o + 4);
  parseAddress(id.remoteAddress, v6, b, o + 20);
  const ifindex = id.interface ?? 0;
  if (!(Number.isInteger(ifindex) && ifindex >= 0 && ifindex <= 0xffffffff)) {
    throw new TypeError(
      `Cannot encode socket id: interface ${ifindex} is not an index`,
    );
  }
  put32(b, o + 36, ifindex, LE);
  putCookie(b, o + 40, id.cookie ?? NO_COOKIE, "socket id");
}

function readSockId(b: Uint8Array, o: number, v6: boolean): SocketId & {
  interface: number;
  cookie: bigint;
} {
  return {
    localAddress: formatAddress(b, o + 4, v6),
    localPort: be16(b, o),
    remoteAddress: formatAddress(b, o + 20, v6),
    remotePort: be16(b, o + 2),
    interface: get32(b, o + 36, LE) >>> 0,
    cookie: getCookie(b, o + 40),
  };
}

function checkByte(v: number, what: string): number {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xff)) {
    throw new TypeError(`Cannot encode inet_diag: ${what} ${v} is not a u8`);
  }
  return v;
}

/**
 * Writes an inet_diag request into `e`: `struct inet_diag_req_v2`, then
 * `INET_DIAG_REQ_PROTOCOL` when the protocol does not fit in a byte.
 *
 * @param r The request.
 * @param e The encoder to append to.
 * @returns `e`.
 * @throws {TypeError} If a field is out of range or an address does not parse.
 *
 * @example A dump of every IPv4 TCP socket with tcp_info
 * ```ts
 * import { encodeInetDiagRequest } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeInetDiagRequest({ family: 4, protocol: 6, states: 0xffffffff, extensions: 0x02 }, new AttributeEncoder()).encode();
 * assert.equal(b.length, 56);
 * assert.deepEqual([...b.subarray(0, 4)], [2, 6, 2, 0]); // AF_INET, IPPROTO_TCP, idiag_ext, pad
 * ```
 */
export function encodeInetDiagRequest(
  r: InetDiagRequest,
  e: AttributeEncoder,
): AttributeEncoder {
  if (r.family !== 4 && r.family !== 6) {
    throw new TypeError(
      `Cannot encode inet_diag request: family ${r.family} is not 4 or 6`,
    );
  }
  const protocol = r.protocol;
  if (
    !(Number.isInteger(protocol) && protocol >= 0 && protocol <= 0xffffffff)
  ) {
    throw new TypeError(
      `Cannot encode inet_diag request: protocol ${protocol} is not a protocol number`,
    );
  }
  if (
    !(Number.isInteger(r.states) && r.states >= 0 && r.states <= 0xffffffff)
  ) {
    throw new TypeError(
      `Cannot encode inet_diag request: states ${r.states} is not a u32 bit set`,
    );
  }
  const b = new Uint8Array(INET_DIAG_REQUEST_LENGTH);
  const v6 = r.family === 6;
  b[0] = v6 ? AddressFamily.Inet6 : AddressFamily.Inet;
  b[1] = protocol & 0xff;
  b[2] = checkByte(r.extensions, "extensions");
  b[3] = checkByte(r.rawProtocol ?? 0, "raw protocol");
  put32(b, 4, r.states, LE);
  writeSockId(
    b,
    8,
    v6,
    r.id ?? {
      localAddress: v6 ? "::" : "0.0.0.0",
      localPort: 0,
      remoteAddress: v6 ? "::" : "0.0.0.0",
      remotePort: 0,
    },
  );
  e.raw(b);
  if (protocol > 0xff) e.uint32(InetDiagRequestAttr.Protocol, protocol);
  return e;
}

/**
 * Decodes an inet_diag request (for a simulated kernel).
 *
 * @param bytes The buffer.
 * @param offset Where the request starts (after the netlink header).
 * @param length The request's length.
 * @returns The request; `protocol` from `INET_DIAG_REQ_PROTOCOL` when present.
 * @throws {RangeError} If the struct is short, the family is not inet, or an attribute is malformed.
 *
 * @example Decode the request a client sent
 * ```ts
 * import { decodeInetDiagRequest, encodeInetDiagRequest } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeInetDiagRequest({ family: 4, protocol: 17, states: 0x80, extensions: 0 }, new AttributeEncoder()).encode();
 * const r = decodeInetDiagRequest(b, 0, b.length);
 * assert.deepEqual([r.family, r.protocol, r.states], [4, 17, 0x80]);
 * assert.equal(r.id?.cookie, undefined); // INET_DIAG_NOCOOKIE
 * ```
 */
export function decodeInetDiagRequest(
  bytes: Uint8Array,
  offset: number,
  length: number,
): InetDiagRequest {
  const what = "inet_diag request";
  checkRange(bytes, offset, length, what, INET_DIAG_REQUEST_LENGTH);
  const b = bytes;
  const o = offset;
  const family = familyOf(b[o]!, what, o);
  const id = readSockId(b, o + 8, family === 6);
  const sockid: SocketId = {
    localAddress: id.localAddress,
    localPort: id.localPort,
    remoteAddress: id.remoteAddress,
    remotePort: id.remotePort,
    interface: id.interface,
  };
  if (id.cookie !== NO_COOKIE) sockid.cookie = id.cookie;
  const r: InetDiagRequest = {
    family,
    protocol: b[o + 1]!,
    extensions: b[o + 2]!,
    states: get32(b, o + 4, LE) >>> 0,
    id: sockid,
  };
  if (b[o + 3] !== 0) r.rawProtocol = b[o + 3]!;
  const d = new AttributeDecoder(
    b,
    o + INET_DIAG_REQUEST_LENGTH,
    length - INET_DIAG_REQUEST_LENGTH,
  );
  while (d.next()) {
    if (d.type === InetDiagRequestAttr.Protocol) r.protocol = d.uint32();
  }
  return r;
}

function u32At(view: Uint8Array, i: number): number {
  return get32(view, 4 * i, LE) >>> 0;
}

/**
 * Decodes one inet_diag reply (`struct inet_diag_msg` and its attributes)
 * from `length` bytes at `offset` in `bytes`, such as a `Conn.visit` view,
 * without copying the buffer.
 *
 * @param bytes The buffer.
 * @param offset Where the message payload starts (after the netlink header).
 * @param length The payload's length.
 * @param protocol The protocol that was asked for (the message does not say).
 * @returns The socket.
 * @throws {RangeError} If the struct is short, the family is not inet, or an attribute is malformed.
 *
 * @example Encode a socket as the kernel would and decode it
 * ```ts
 * import { decodeInetSocket, encodeInetSocket, type InetSocket } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const s: InetSocket = {
 *   family: 6, protocol: "udp", state: "close", localAddress: "::1", localPort: 53,
 *   remoteAddress: "::", remotePort: 0, interface: 0, cookie: 7n, timer: 0, retransmits: 0,
 *   expires: 0, receiveQueue: 0, sendQueue: 0, uid: 0, inode: 1234, shutdown: 0, v6only: true,
 * };
 * const b = encodeInetSocket(s, new AttributeEncoder()).encode();
 * assert.deepEqual(decodeInetSocket(b, 0, b.length, "udp"), s);
 * ```
 */
export function decodeInetSocket(
  bytes: Uint8Array,
  offset: number,
  length: number,
  protocol: InetProtocol,
): InetSocket {
  const what = "inet_diag_msg";
  checkRange(bytes, offset, length, what, INET_DIAG_MSG_LENGTH);
  const b = bytes;
  const o = offset;
  const family = familyOf(b[o]!, what, o);
  const id = readSockId(b, o + 4, family === 6);
  const s: InetSocket = {
    family,
    protocol,
    state: stateName(b[o + 1]!),
    localAddress: id.localAddress,
    localPort: id.localPort,
    remoteAddress: id.remoteAddress,
    remotePort: id.remotePort,
    interface: id.interface,
    cookie: id.cookie,
    timer: b[o + 2]!,
    retransmits: b[o + 3]!,
    expires: get32(b, o + 52, LE) >>> 0,
    receiveQueue: get32(b, o + 56, LE) >>> 0,
    sendQueue: get32(b, o + 60, LE) >>> 0,
    uid: get32(b, o + 64, LE) >>> 0,
    inode: get32(b, o + 68, LE) >>> 0,
  };
  const d = new AttributeDecoder(
    b,
    o + INET_DIAG_MSG_LENGTH,
    length - INET_DIAG_MSG_LENGTH,
  );
  while (d.next()) {
    switch (d.type) {
      case InetDiagAttr.Shutdown:
        s.shutdown = d.uint8();
        break;
      case InetDiagAttr.TOS:
        s.tos = d.uint8();
        break;
      case InetDiagAttr.TClass:
        s.tclass = d.uint8();
        break;
      case InetDiagAttr.SkV6Only:
        s.v6only = d.uint8() !== 0;
        break;
      case InetDiagAttr.Mark:
        s.mark = d.uint32();
        break;
      case InetDiagAttr.ClassId:
        s.classId = d.uint32();
        break;
      case InetDiagAttr.CgroupId:
        s.cgroupId = d.uint64();
        break;
      case InetDiagAttr.Protocol:
        s.rawProtocol = d.uint8();
        break;
      case InetDiagAttr.Cong:
        s.congestion = d.string();
        break;
      case InetDiagAttr.MemInfo: {
        const v = payload(d, 16, "INET_DIAG_MEMINFO");
        s.memInfo = {
          rmem: u32At(v, 0),
          wmem: u32At(v, 1),
          fmem: u32At(v, 2),
          tmem: u32At(v, 3),
        };
        break;
      }
      case InetDiagAttr.SkMemInfo:
        s.skMemInfo = decodeSkMemInfo(d, "INET_DIAG_SKMEMINFO");
        break;
      case InetDiagAttr.Info:
        if (protocol === "tcp") {
          s.tcpInfo = decodeTcpInfo(b, d.offset, d.length);
        } else (s.rawAttributes ??= []).push({ type: d.type, data: d.bytes() });
        break;
      case InetDiagAttr.VegasInfo: {
        const v = payload(d, 16, "INET_DIAG_VEGASINFO");
        s.vegas = {
          enabled: u32At(v, 0),
          rttCount: u32At(v, 1),
          rtt: u32At(v, 2),
          minRtt: u32At(v, 3),
        };
        break;
      }
      case InetDiagAttr.DctcpInfo: {
        const v = payload(d, 16, "INET_DIAG_DCTCPINFO");
        s.dctcp = {
          enabled: get16(v, 0, LE),
          ceState: get16(v, 2, LE),
          alpha: u32At(v, 1),
          abEcn: u32At(v, 2),
          abTot: u32At(v, 3),
        };
        break;
      }
      case InetDiagAttr.BbrInfo: {
        const v = payload(d, 20, "INET_DIAG_BBRINFO");
        s.bbr = {
          bandwidth: (BigInt(u32At(v, 1)) << 32n) | BigInt(u32At(v, 0)),
          minRtt: u32At(v, 2),
          pacingGain: u32At(v, 3),
          cwndGain: u32At(v, 4),
        };
        break;
      }
      case InetDiagAttr.SockOpt: {
        const v = payload(d, 2, "INET_DIAG_SOCKOPT");
        const o = {} as Record<typeof SOCKOPT_BITS[number], boolean>;
        SOCKOPT_BITS.forEach((name, i) => o[name] = sockOptBit(v, i));
        s.sockOpt = o;
        break;
      }
      case InetDiagAttr.Pad:
        break;
      default:
        (s.rawAttributes ??= []).push({ type: d.type, data: d.bytes() });
    }
  }
  return s;
}

function u32Array(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(4 * values.length);
  values.forEach((v, i) =>
    put32(b, 4 * i, checkU32(v, "inet_diag_msg: counter"), LE)
  );
  return b;
}

/**
 * Writes one inet_diag reply into `e` (for a simulated kernel): the struct,
 * then the attributes present in `s`, in the order Linux writes them.
 *
 * @param s The socket.
 * @param e The encoder to append to.
 * @returns `e`.
 * @throws {TypeError} If an address does not parse or a field is out of range.
 *
 * @example The struct comes first, then the attributes
 * ```ts
 * import { encodeInetSocket, type InetSocket } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const s: InetSocket = {
 *   family: 4, protocol: "tcp", state: "listen", localAddress: "0.0.0.0", localPort: 22,
 *   remoteAddress: "0.0.0.0", remotePort: 0, interface: 0, cookie: 1n, timer: 0, retransmits: 0,
 *   expires: 0, receiveQueue: 0, sendQueue: 128, uid: 0, inode: 99, shutdown: 0,
 * };
 * const b = encodeInetSocket(s, new AttributeEncoder()).encode();
 * assert.equal(b.length, 72 + 8); // struct inet_diag_msg + INET_DIAG_SHUTDOWN
 * assert.deepEqual([...b.subarray(0, 6)], [2, 10, 0, 0, 0, 22]); // AF_INET, TCP_LISTEN, timer, retrans, port 22 (big-endian)
 * ```
 */
export function encodeInetSocket(
  s: InetSocket,
  e: AttributeEncoder,
): AttributeEncoder {
  const b = new Uint8Array(INET_DIAG_MSG_LENGTH);
  const v6 = s.family === 6;
  b[0] = v6 ? AddressFamily.Inet6 : AddressFamily.Inet;
  b[1] = stateNumber(s.state, "inet_diag_msg");
  b[2] = checkByte(s.timer, "timer");
  b[3] = checkByte(s.retransmits, "retransmits");
  writeSockId(b, 4, v6, s);
  put32(b, 52, checkU32(s.expires, "inet_diag_msg: expires"), LE);
  put32(b, 56, checkU32(s.receiveQueue, "inet_diag_msg: receive queue"), LE);
  put32(b, 60, checkU32(s.sendQueue, "inet_diag_msg: send queue"), LE);
  put32(b, 64, checkU32(s.uid, "inet_diag_msg: uid"), LE);
  put32(b, 68, checkU32(s.inode, "inet_diag_msg: inode"), LE);
  e.raw(b);
  // inet_diag_msg_attrs_fill(), then inet_sk_diag_fill().
  if (s.shutdown !== undefined) e.uint8(InetDiagAttr.Shutdown, s.shutdown);
  if (s.tos !== undefined) e.uint8(InetDiagAttr.TOS, s.tos);
  if (s.tclass !== undefined) e.uint8(InetDiagAttr.TClass, s.tclass);
  if (s.v6only !== undefined) {
    e.uint8(InetDiagAttr.SkV6Only, s.v6only ? 1 : 0);
  }
  if (s.mark !== undefined) e.uint32(InetDiagAttr.Mark, s.mark);
  if (s.classId !== undefined) e.uint32(InetDiagAttr.ClassId, s.classId);
  if (s.cgroupId !== undefined) e.uint64(InetDiagAttr.CgroupId, s.cgroupId);
  if (s.sockOpt !== undefined) {
    const v = new Uint8Array(2);
    SOCKOPT_BITS.forEach((name, i) => {
      if (s.sockOpt![name]) v[i >> 3]! |= 1 << (LE ? i & 7 : 7 - (i & 7));
    });
    e.bytes(InetDiagAttr.SockOpt, v);
  }
  if (s.memInfo !== undefined) {
    const m = s.memInfo;
    e.bytes(InetDiagAttr.MemInfo, u32Array([m.rmem, m.wmem, m.fmem, m.tmem]));
  }
  if (s.skMemInfo !== undefined) {
    encodeSkMemInfo(e, InetDiagAttr.SkMemInfo, s.skMemInfo);
  }
  if (s.rawProtocol !== undefined) {
    e.uint8(InetDiagAttr.Protocol, s.rawProtocol);
  }
  if (s.tcpInfo !== undefined) {
    e.bytes(InetDiagAttr.Info, encodeTcpInfo(s.tcpInfo));
  }
  if (s.congestion !== undefined) e.string(InetDiagAttr.Cong, s.congestion);
  if (s.vegas !== undefined) {
    const v = s.vegas;
    e.bytes(
      InetDiagAttr.VegasInfo,
      u32Array([v.enabled, v.rttCount, v.rtt, v.minRtt]),
    );
  }
  if (s.dctcp !== undefined) {
    const v = s.dctcp;
    const x = u32Array([0, v.alpha, v.abEcn, v.abTot]);
    put16(x, 0, v.enabled, LE);
    put16(x, 2, v.ceState, LE);
    e.bytes(InetDiagAttr.DctcpInfo, x);
  }
  if (s.bbr !== undefined) {
    const v = s.bbr;
    e.bytes(
      InetDiagAttr.BbrInfo,
      u32Array([
        Number(v.bandwidth & 0xffffffffn),
        Number(v.bandwidth >> 32n),
        v.minRtt,
        v.pacingGain,
        v.cwndGain,
      ]),
    );
  }
  for (const a of s.rawAttributes ?? []) e.bytes(a.type, a.data);
  return e;
}
