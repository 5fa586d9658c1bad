/**
 * Socket diagnostics constants from `linux/sock_diag.h`, `linux/inet_diag.h`,
 * `linux/unix_diag.h` and `linux/tcp.h`, with the names this package uses
 * for socket states, protocols and extensions.
 *
 * @module
 */

/**
 * Message types of `NETLINK_SOCK_DIAG` (`linux/sock_diag.h`).
 *
 * @example The request types
 * ```ts
 * import { SockDiagType } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SockDiagType.ByFamily, 20); // SOCK_DIAG_BY_FAMILY
 * assert.equal(SockDiagType.Destroy, 21); // SOCK_DESTROY
 * ```
 */
export const SockDiagType = {
  /** `SOCK_DIAG_BY_FAMILY`: dump (or get one of) the sockets of an address family. */
  ByFamily: 20,
  /** `SOCK_DESTROY`: close a socket (needs `CONFIG_INET_DIAG_DESTROY` and `CAP_NET_ADMIN`). */
  Destroy: 21,
} as const;

/**
 * Address families a sock_diag request selects (`AF_*` in `sys/socket.h`).
 */
export const AddressFamily = {
  /** `AF_UNIX`: UNIX domain sockets. */
  Unix: 1,
  /** `AF_INET`: IPv4. */
  Inet: 2,
  /** `AF_INET6`: IPv6. */
  Inet6: 10,
} as const;

/**
 * IP protocol numbers the inet_diag handlers serve (`IPPROTO_*` in `linux/in.h`).
 */
export const IpProtocol = {
  /** `IPPROTO_TCP`. */
  TCP: 6,
  /** `IPPROTO_UDP`. */
  UDP: 17,
  /** `IPPROTO_DCCP`. */
  DCCP: 33,
  /** `IPPROTO_SCTP`. */
  SCTP: 132,
  /** `IPPROTO_UDPLITE`. */
  UDPLite: 136,
  /** `IPPROTO_RAW`: raw sockets (the socket's own protocol goes in `sdiag_raw_protocol`). */
  Raw: 255,
  /** `IPPROTO_MPTCP`: multipath TCP. */
  MPTCP: 262,
} as const;

/**
 * The protocols {@linkcode SockDiag.inet} takes, by name.
 */
export type InetProtocol =
  | "tcp"
  | "udp"
  | "udplite"
  | "raw"
  | "sctp"
  | "dccp"
  | "mptcp";

/**
 * Protocol name to number.
 */
export const INET_PROTOCOLS: Readonly<Record<InetProtocol, number>> = {
  tcp: IpProtocol.TCP,
  udp: IpProtocol.UDP,
  udplite: IpProtocol.UDPLite,
  raw: IpProtocol.Raw,
  sctp: IpProtocol.SCTP,
  dccp: IpProtocol.DCCP,
  mptcp: IpProtocol.MPTCP,
};

/**
 * Socket states (`TCP_*` in the kernel's `include/net/tcp_states.h`; glibc's
 * `netinet/tcp.h` has 1 to 11). UDP, raw and UNIX sockets reuse them:
 * `Established` when connected, `Close` when not, `Listen` for a listening
 * UNIX socket.
 *
 * @example State numbers
 * ```ts
 * import { TcpState } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TcpState.Established, 1);
 * assert.equal(TcpState.Listen, 10);
 * ```
 */
export const TcpState = {
  /** `TCP_ESTABLISHED`. */
  Established: 1,
  /** `TCP_SYN_SENT`. */
  SynSent: 2,
  /** `TCP_SYN_RECV`. */
  SynRecv: 3,
  /** `TCP_FIN_WAIT1`. */
  FinWait1: 4,
  /** `TCP_FIN_WAIT2`. */
  FinWait2: 5,
  /** `TCP_TIME_WAIT`. */
  TimeWait: 6,
  /** `TCP_CLOSE`: closed, or an unconnected datagram socket. */
  Close: 7,
  /** `TCP_CLOSE_WAIT`. */
  CloseWait: 8,
  /** `TCP_LAST_ACK`. */
  LastAck: 9,
  /** `TCP_LISTEN`. */
  Listen: 10,
  /** `TCP_CLOSING`. */
  Closing: 11,
  /** `TCP_NEW_SYN_RECV`: a connection request not yet accepted. */
  NewSynRecv: 12,
  /** `TCP_BOUND_INACTIVE`: bound, neither listening nor connecting (Linux 6.7+). */
  BoundInactive: 13,
} as const;

/**
 * A socket state by name, as this package reports and filters it.
 */
export type SocketState =
  | "established"
  | "syn-sent"
  | "syn-recv"
  | "fin-wait-1"
  | "fin-wait-2"
  | "time-wait"
  | "close"
  | "close-wait"
  | "last-ack"
  | "listen"
  | "closing"
  | "new-syn-recv"
  | "bound-inactive";

/**
 * State names by number (index 0 is unused); a number outside the table
 * decodes as `"unknown-N"`.
 */
export const SOCKET_STATES: readonly (SocketState | undefined)[] = [
  undefined,
  "established",
  "syn-sent",
  "syn-recv",
  "fin-wait-1",
  "fin-wait-2",
  "time-wait",
  "close",
  "close-wait",
  "last-ack",
  "listen",
  "closing",
  "new-syn-recv",
  "bound-inactive",
];

/**
 * Attributes of an inet_diag reply (`INET_DIAG_*` in `linux/inet_diag.h`).
 *
 * @example Attribute numbers
 * ```ts
 * import { InetDiagAttr } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * assert.equal(InetDiagAttr.Info, 2); // INET_DIAG_INFO: struct tcp_info
 * assert.equal(InetDiagAttr.Cong, 4); // INET_DIAG_CONG: "cubic"
 * ```
 */
export const InetDiagAttr = {
  /** `INET_DIAG_MEMINFO`: `struct inet_diag_meminfo`. */
  MemInfo: 1,
  /** `INET_DIAG_INFO`: the protocol's info (`struct tcp_info` for TCP). */
  Info: 2,
  /** `INET_DIAG_VEGASINFO`: `struct tcpvegas_info`. */
  VegasInfo: 3,
  /** `INET_DIAG_CONG`: the congestion control algorithm's name. */
  Cong: 4,
  /** `INET_DIAG_TOS`: u8 IPv4 TOS. */
  TOS: 5,
  /** `INET_DIAG_TCLASS`: u8 IPv6 traffic class. */
  TClass: 6,
  /** `INET_DIAG_SKMEMINFO`: u32 array indexed by `SK_MEMINFO_*`. */
  SkMemInfo: 7,
  /** `INET_DIAG_SHUTDOWN`: u8 shutdown bits (1 receive, 2 send). */
  Shutdown: 8,
  /** `INET_DIAG_DCTCPINFO`: `struct tcp_dctcp_info`. */
  DctcpInfo: 9,
  /** `INET_DIAG_PROTOCOL`: u8 protocol (raw sockets). */
  Protocol: 10,
  /** `INET_DIAG_SKV6ONLY`: u8 `IPV6_V6ONLY`. */
  SkV6Only: 11,
  /** `INET_DIAG_LOCALS`: SCTP local addresses. */
  Locals: 12,
  /** `INET_DIAG_PEERS`: SCTP peer addresses. */
  Peers: 13,
  /** `INET_DIAG_PAD`: alignment padding. */
  Pad: 14,
  /** `INET_DIAG_MARK`: u32 `SO_MARK` (only with `CAP_NET_ADMIN`). */
  Mark: 15,
  /** `INET_DIAG_BBRINFO`: `struct tcp_bbr_info`. */
  BbrInfo: 16,
  /** `INET_DIAG_CLASS_ID`: u32 net_cls class id, else the socket priority. */
  ClassId: 17,
  /** `INET_DIAG_MD5SIG`: TCP-MD5 keys. */
  Md5Sig: 18,
  /** `INET_DIAG_ULP_INFO`: nested upper-layer protocol info. */
  UlpInfo: 19,
  /** `INET_DIAG_SK_BPF_STORAGES`: nested BPF socket storage. */
  SkBpfStorages: 20,
  /** `INET_DIAG_CGROUP_ID`: u64 cgroup v2 id. */
  CgroupId: 21,
  /** `INET_DIAG_SOCKOPT`: `struct inet_diag_sockopt` bits. */
  SockOpt: 22,
} as const;

/**
 * Request attributes of inet_diag (`INET_DIAG_REQ_*` in `linux/inet_diag.h`).
 */
export const InetDiagRequestAttr = {
  /** `INET_DIAG_REQ_BYTECODE`: a filter program. */
  Bytecode: 1,
  /** `INET_DIAG_REQ_SK_BPF_STORAGES`: BPF storages to report. */
  SkBpfStorages: 2,
  /** `INET_DIAG_REQ_PROTOCOL`: u32 protocol, for protocols that do not fit `sdiag_protocol`. */
  Protocol: 3,
} as const;

/**
 * The extensions {@linkcode SockDiag.inet} can ask for; each sets bit
 * `attribute - 1` of `idiag_ext`.
 *
 * - `"meminfo"`: `INET_DIAG_MEMINFO`
 * - `"info"`: `INET_DIAG_INFO` (`struct tcp_info` for TCP)
 * - `"vegas"`: `INET_DIAG_VEGASINFO` (also DCTCP and BBR info)
 * - `"congestion"`: `INET_DIAG_CONG`
 * - `"tos"`: `INET_DIAG_TOS`
 * - `"tclass"`: `INET_DIAG_TCLASS` (IPv6; also `INET_DIAG_CLASS_ID`)
 * - `"skmeminfo"`: `INET_DIAG_SKMEMINFO`
 * - `"shutdown"`: `INET_DIAG_SHUTDOWN` (the kernel sends it anyway)
 */
export type InetExtension =
  | "meminfo"
  | "info"
  | "vegas"
  | "congestion"
  | "tos"
  | "tclass"
  | "skmeminfo"
  | "shutdown";

/**
 * Extension name to its `INET_DIAG_*` attribute number.
 *
 * @example The request bit of an extension
 * ```ts
 * import { INET_EXTENSIONS } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * assert.equal(1 << (INET_EXTENSIONS.info - 1), 0x02);
 * ```
 */
export const INET_EXTENSIONS: Readonly<Record<InetExtension, number>> = {
  meminfo: InetDiagAttr.MemInfo,
  info: InetDiagAttr.Info,
  vegas: InetDiagAttr.VegasInfo,
  congestion: InetDiagAttr.Cong,
  tos: InetDiagAttr.TOS,
  tclass: InetDiagAttr.TClass,
  skmeminfo: InetDiagAttr.SkMemInfo,
  shutdown: InetDiagAttr.Shutdown,
};

/**
 * Indexes of the `INET_DIAG_SKMEMINFO` / `UNIX_DIAG_MEMINFO` array
 * (`SK_MEMINFO_*` in `linux/sock_diag.h`).
 */
export const SkMemInfoIndex = {
  /** `SK_MEMINFO_RMEM_ALLOC`. */
  RmemAlloc: 0,
  /** `SK_MEMINFO_RCVBUF`. */
  Rcvbuf: 1,
  /** `SK_MEMINFO_WMEM_ALLOC`. */
  WmemAlloc: 2,
  /** `SK_MEMINFO_SNDBUF`. */
  Sndbuf: 3,
  /** `SK_MEMINFO_FWD_ALLOC`. */
  FwdAlloc: 4,
  /** `SK_MEMINFO_WMEM_QUEUED`. */
  WmemQueued: 5,
  /** `SK_MEMINFO_OPTMEM`. */
  Optmem: 6,
  /** `SK_MEMINFO_BACKLOG`. */
  Backlog: 7,
  /** `SK_MEMINFO_DROPS`. */
  Drops: 8,
} as const;

/**
 * Attributes of a unix_diag reply (`UNIX_DIAG_*` in `linux/unix_diag.h`).
 */
export const UnixDiagAttr = {
  /** `UNIX_DIAG_NAME`: the bound address (`sun_path`; abstract names start with a NUL). */
  Name: 0,
  /** `UNIX_DIAG_VFS`: `struct unix_diag_vfs` (inode and device of the socket file). */
  Vfs: 1,
  /** `UNIX_DIAG_PEER`: u32 inode of the peer. */
  Peer: 2,
  /** `UNIX_DIAG_ICONS`: u32 array, for a listener, of the inodes of the sockets connecting to it. */
  Icons: 3,
  /** `UNIX_DIAG_RQLEN`: `struct unix_diag_rqlen`. */
  RqLen: 4,
  /** `UNIX_DIAG_MEMINFO`: u32 array indexed by `SK_MEMINFO_*`. */
  MemInfo: 5,
  /** `UNIX_DIAG_SHUTDOWN`: u8 shutdown bits. */
  Shutdown: 6,
  /** `UNIX_DIAG_UID`: u32 owner uid. */
  Uid: 7,
} as const;

/**
 * What a unix_diag request asks the kernel to show (`UDIAG_SHOW_*` in
 * `linux/unix_diag.h`).
 *
 * @example Everything {@linkcode SockDiag.unix} asks for
 * ```ts
 * import { UnixDiagShow } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * assert.equal(UnixDiagShow.Name | UnixDiagShow.Peer | UnixDiagShow.RqLen, 0x15);
 * ```
 */
export const UnixDiagShow = {
  /** `UDIAG_SHOW_NAME`. */
  Name: 0x1,
  /** `UDIAG_SHOW_VFS`. */
  Vfs: 0x2,
  /** `UDIAG_SHOW_PEER`. */
  Peer: 0x4,
  /** `UDIAG_SHOW_ICONS`. */
  Icons: 0x8,
  /** `UDIAG_SHOW_RQLEN`. */
  RqLen: 0x10,
  /** `UDIAG_SHOW_MEMINFO`. */
  MemInfo: 0x20,
  /** `UDIAG_SHOW_UID`. */
  Uid: 0x40,
} as const;

/**
 * UNIX socket types (`SOCK_*` in `linux/net.h`), by name.
 */
export type UnixType = "stream" | "dgram" | "seqpacket";

/**
 * UNIX socket type numbers (`SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET`
 * in `linux/net.h`).
 */
export const UNIX_TYPES: Readonly<Record<UnixType, number>> = {
  stream: 1,
  dgram: 2,
  seqpacket: 5,
};

/**
 * Options bits of `tcpi_options` (`TCPI_OPT_*` in `linux/tcp.h`).
 */
export const TcpInfoOption = {
  /** `TCPI_OPT_TIMESTAMPS`. */
  Timestamps: 1,
  /** `TCPI_OPT_SACK`. */
  Sack: 2,
  /** `TCPI_OPT_WSCALE`. */
  WindowScale: 4,
  /** `TCPI_OPT_ECN`: ECN was negotiated at connection setup. */
  Ecn: 8,
  /** `TCPI_OPT_ECN_SEEN`: at least one packet with ECT was received. */
  EcnSeen: 16,
  /** `TCPI_OPT_SYN_DATA`: SYN-ACK acknowledged data in SYN. */
  SynData: 32,
} as const;
