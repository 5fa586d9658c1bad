/**
 * Socket diagnostics (`NETLINK_SOCK_DIAG`), what `ss` is built on: list
 * IPv4/IPv6 sockets of TCP, UDP, UDP-Lite, raw, SCTP or MPTCP and UNIX
 * sockets, filtered by state in the kernel, with `struct tcp_info`, the
 * congestion algorithm and memory counters on request; stream them to a
 * callback without holding them all; close a TCP connection with
 * `SOCK_DESTROY`.
 *
 * The codecs (`encodeInetDiagRequest`, `decodeInetSocket`,
 * `decodeUnixSocket`, `decodeTcpInfo`, ...) are hand-written from
 * `linux/sock_diag.h`, `linux/inet_diag.h`, `linux/unix_diag.h` and
 * `linux/tcp.h`, decode in place over `(bytes, offset, length)` and are
 * shared with the simulated kernel of `@nlkit/netlink/nltest`
 * (`SimSockDiag`).
 *
 * @example What listens on this (simulated) machine
 * ```ts
 * import { SockDiag } from "@nlkit/netlink/sockdiag";
 * import { SimSockDiag } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimSockDiag({
 *   inet: [
 *     { protocol: "tcp", state: "listen", localAddress: "0.0.0.0", localPort: 22 },
 *     { protocol: "tcp", family: 6, state: "listen", localAddress: "::", localPort: 443 },
 *     { protocol: "tcp", state: "established", localAddress: "10.0.0.1", localPort: 22, remoteAddress: "10.0.0.7", remotePort: 51000 },
 *   ],
 *   unix: [{ type: "stream", state: "listen", path: "/run/dbus/system_bus_socket" }],
 * });
 * // On Linux: await SockDiag.open()
 * await using diag = await SockDiag.open({ conn: sim.dial() });
 * const listening: string[] = [];
 * for (const family of [4, 6] as const) {
 *   for (const s of await diag.inet({ family, protocol: "tcp", states: ["listen"] })) {
 *     listening.push(`${s.localAddress}:${s.localPort}`);
 *   }
 * }
 * assert.deepEqual(listening, ["0.0.0.0:22", ":::443"]);
 * assert.deepEqual((await diag.unix({ states: ["listen"] })).map((s) => s.path), ["/run/dbus/system_bus_socket"]);
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export {
  decodeInetDiagRequest,
  decodeInetSocket,
  encodeInetDiagRequest,
  encodeInetSocket,
  INET_DIAG_MSG_LENGTH,
  INET_DIAG_REQUEST_LENGTH,
  type InetDiagRequest,
  type InetMemInfo,
  type InetSocket,
  type InetSockOpt,
  type RawAttribute,
  type SocketId,
  type StateName,
  type TcpBbrInfo,
  type TcpDctcpInfo,
  type TcpVegasInfo,
} from "./inet.ts";
export {
  decodeUnixDiagRequest,
  decodeUnixSocket,
  encodeUnixDiagRequest,
  encodeUnixSocket,
  UNIX_DIAG_MSG_LENGTH,
  UNIX_DIAG_REQUEST_LENGTH,
  type UnixDiagRequest,
  type UnixSocket,
} from "./unix.ts";
export type { SkMemInfo } from "./meminfo.ts";
export {
  decodeTcpInfo,
  encodeTcpInfo,
  TCP_INFO_LENGTH,
  TCP_INFO_MIN_LENGTH,
  type TcpInfo,
} from "./tcp_info.ts";
export {
  type InetQuery,
  SockDiag,
  type SockDiagOptions,
  type UnixQuery,
} from "./client.ts";
