/**
 * Netlink header constants and types from `linux/netlink.h`.
 *
 * @module
 */

/** `NLMSG_HDRLEN`: the size of `struct nlmsghdr` in bytes. */
export const HEADER_LENGTH = 16;

/**
 * The 16-byte netlink message header (`struct nlmsghdr` in `linux/netlink.h`),
 * decoded into numbers. All fields are unsigned.
 */
export interface Header {
  /** `nlmsg_len`: length of the message including this header, in bytes; 0 asks the encoder to fill it in. */
  length: number;
  /** `nlmsg_type`: a {@linkcode HeaderType} or a family-specific message type. */
  type: number;
  /** `nlmsg_flags`: a bit set of {@linkcode HeaderFlags}. */
  flags: number;
  /** `nlmsg_seq`: sequence number; 0 asks `Conn.send` to assign one. */
  sequence: number;
  /** `nlmsg_pid`: sending port id; 0 for the kernel, or to let `Conn.send` fill it in. */
  pid: number;
}

/** Netlink protocol families (`NETLINK_*` in `linux/netlink.h`), the `protocol` of `socket(AF_NETLINK, ...)`. */
export const Family = {
  /** `NETLINK_ROUTE`: routing and link configuration (rtnetlink). */
  Route: 0,
  /** `NETLINK_USERSOCK`: reserved for user-mode socket protocols. */
  UserSock: 2,
  /** `NETLINK_FIREWALL`: unused, formerly ip_queue. */
  Firewall: 3,
  /** `NETLINK_SOCK_DIAG` (alias `NETLINK_INET_DIAG`): socket monitoring. */
  SockDiag: 4,
  /** `NETLINK_NFLOG`: netfilter/iptables ULOG. */
  NFLog: 5,
  /** `NETLINK_XFRM`: IPsec. */
  XFRM: 6,
  /** `NETLINK_SELINUX`: SELinux event notifications. */
  SELinux: 7,
  /** `NETLINK_ISCSI`: Open-iSCSI. */
  ISCSI: 8,
  /** `NETLINK_AUDIT`: auditing. */
  Audit: 9,
  /** `NETLINK_FIB_LOOKUP`: FIB lookups. */
  FIBLookup: 10,
  /** `NETLINK_CONNECTOR`: the kernel connector. */
  Connector: 11,
  /** `NETLINK_NETFILTER`: the netfilter subsystem. */
  Netfilter: 12,
  /** `NETLINK_IP6_FW`: IPv6 firewall. */
  IP6FW: 13,
  /** `NETLINK_DNRTMSG`: DECnet routing messages (obsolete). */
  DNRTMsg: 14,
  /** `NETLINK_KOBJECT_UEVENT`: kernel messages to user space (uevents). */
  KobjectUevent: 15,
  /** `NETLINK_GENERIC`: generic netlink. */
  Generic: 16,
  /** `NETLINK_SCSITRANSPORT`: SCSI transports. */
  SCSITransport: 18,
  /** `NETLINK_ECRYPTFS`: eCryptfs. */
  ECryptFS: 19,
  /** `NETLINK_RDMA`: RDMA. */
  RDMA: 20,
  /** `NETLINK_CRYPTO`: the crypto layer. */
  Crypto: 21,
  /** `NETLINK_SMC`: SMC monitoring. */
  SMC: 22,
} as const;

/** Control message types (`NLMSG_*` in `linux/netlink.h`); family types start at `NLMSG_MIN_TYPE` (0x10). */
export const HeaderType = {
  /** `NLMSG_NOOP`: nothing; the kernel acknowledges it when asked. */
  Noop: 0x1,
  /** `NLMSG_ERROR`: an error, or an acknowledgement when the error code is 0. */
  Error: 0x2,
  /** `NLMSG_DONE`: the end of a multipart reply; may carry a dump error. */
  Done: 0x3,
  /** `NLMSG_OVERRUN`: data lost. */
  Overrun: 0x4,
  /** `NLMSG_MIN_TYPE`: the first type that is not a control message. */
  MinType: 0x10,
} as const;

/**
 * Netlink message flags (`NLM_F_*` in `linux/netlink.h`).
 *
 * Some bits mean different things by message kind: 0x100, 0x200, 0x400 and
 * 0x800 are modifiers of GET requests, of NEW requests, of DELETE requests or
 * of ACK messages. {@linkcode formatFlags} names them by context.
 */
export const HeaderFlags = {
  /** `NLM_F_REQUEST`: this message is a request. */
  Request: 0x1,
  /** `NLM_F_MULTI`: part of a multipart reply ending in `NLMSG_DONE`. */
  Multi: 0x2,
  /** `NLM_F_ACK`: ask the kernel to acknowledge the request. */
  Acknowledge: 0x4,
  /** `NLM_F_ECHO`: echo this request back to the sender as a notification. */
  Echo: 0x8,
  /** `NLM_F_DUMP_INTR`: the dump was inconsistent because the data changed meanwhile. */
  DumpInterrupted: 0x10,
  /** `NLM_F_DUMP_FILTERED`: the dump was filtered as requested. */
  DumpFiltered: 0x20,
  /** `NLM_F_ROOT` (GET requests): return the complete table instead of one entry. */
  Root: 0x100,
  /** `NLM_F_MATCH` (GET requests): return all matching entries. */
  Match: 0x200,
  /** `NLM_F_ATOMIC` (GET requests): return an atomic snapshot of the table. */
  Atomic: 0x400,
  /** `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`): return all entries. */
  Dump: 0x300,
  /** `NLM_F_REPLACE` (NEW requests): replace an existing object. */
  Replace: 0x100,
  /** `NLM_F_EXCL` (NEW requests): do not touch an object that exists. */
  Excl: 0x200,
  /** `NLM_F_CREATE` (NEW requests): create the object if it does not exist. */
  Create: 0x400,
  /** `NLM_F_APPEND` (NEW requests): add to the end of the object list. */
  Append: 0x800,
  /** `NLM_F_NONREC` (DELETE requests): do not delete recursively. */
  NonRecursive: 0x100,
  /** `NLM_F_BULK` (DELETE requests): delete several objects. */
  Bulk: 0x200,
  /** `NLM_F_CAPPED` (ACK messages): the echoed request was capped to its header. */
  Capped: 0x100,
  /** `NLM_F_ACK_TLVS` (ACK messages): extended ACK attributes follow. */
  AcknowledgeTLVs: 0x200,
} as const;

/**
 * Netlink socket options at level `SOL_NETLINK` (`NETLINK_*` in
 * `linux/netlink.h`), for `Conn.setOption`.
 */
export const ConnOption = {
  /** `NETLINK_PKTINFO`: deliver `struct nl_pktinfo` with each message. */
  PacketInfo: 3,
  /** `NETLINK_BROADCAST_ERROR`: report errors delivering broadcasts. */
  BroadcastError: 4,
  /** `NETLINK_NO_ENOBUFS`: do not report ENOBUFS when messages are dropped. */
  NoENOBUFS: 5,
  /** `NETLINK_LISTEN_ALL_NSID`: receive notifications from every peer network namespace. */
  ListenAllNSID: 8,
  /** `NETLINK_CAP_ACK`: do not echo the request payload in ACK messages. */
  CapAcknowledge: 10,
  /** `NETLINK_EXT_ACK`: send extended ACK attributes (error text, offset). */
  ExtendedAcknowledge: 11,
  /** `NETLINK_GET_STRICT_CHK`: strictly check GET/dump request headers and attributes. */
  GetStrictCheck: 12,
} as const;

/** Attribute type flags (`NLA_F_*` in `linux/netlink.h`). */
export const AttributeFlags = {
  /** `NLA_F_NESTED`: the payload is a list of attributes. */
  Nested: 0x8000,
  /** `NLA_F_NET_BYTEORDER`: the payload is in network (big-endian) byte order. */
  NetByteOrder: 0x4000,
} as const;

/** `NLA_TYPE_MASK`: the bits of an attribute type that are not flags. */
export const ATTRIBUTE_TYPE_MASK = 0x3fff;

/** `NLA_HDRLEN`: the size of `struct nlattr` in bytes. */
export const ATTRIBUTE_HEADER_LENGTH = 4;
