/**
 * Netlink header constants and types from `linux/netlink.h`.
 *
 * @module
 */

/**
 * `NLMSG_HDRLEN`: the size of `struct nlmsghdr` in bytes.
 *
 * @example A message is the header plus its payload
 * ```ts
 * import { encodeMessage, HEADER_LENGTH } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeMessage({ header: { length: 0, type: 0x10, flags: 0, sequence: 1, pid: 0 }, data: new Uint8Array(4) });
 * assert.equal(b.length, HEADER_LENGTH + 4);
 * ```
 */
export const HEADER_LENGTH = 16;

/**
 * The 16-byte netlink message header (`struct nlmsghdr` in `linux/netlink.h`),
 * decoded into numbers. All fields are unsigned.
 *
 * @example Encode a header and decode it back
 * ```ts
 * import { decodeMessage, encodeMessage, type Header, HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const header: Header = { length: 0, type: HeaderType.Noop, flags: HeaderFlags.Request, sequence: 1, pid: 0 };
 * const b = encodeMessage({ header, data: new Uint8Array(0) });
 * assert.deepEqual(decodeMessage(b).header, { ...header, length: 16 }); // length filled in
 * ```
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

/**
 * Netlink protocol families (`NETLINK_*` in `linux/netlink.h`), the `protocol` of `socket(AF_NETLINK, ...)`.
 *
 * @example Open a connection of a protocol family
 * ```ts
 * import { Family } from "@nlkit/netlink/netlink";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(Family.Generic, 16); // NETLINK_GENERIC
 * // On Linux: GenlConn.from(await Conn.dial(Family.Generic))
 * await using conn = GenlConn.from(new SimKernel().dial(Family.Generic));
 * assert.equal((await conn.getFamily("nlctrl")).id, 0x10);
 * ```
 */
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

/**
 * Control message types (`NLMSG_*` in `linux/netlink.h`); family types start at `NLMSG_MIN_TYPE` (0x10).
 *
 * @example Recognise the kernel's acknowledgement
 * ```ts
 * import { HeaderFlags, HeaderType, type Message } from "@nlkit/netlink/netlink";
 * import { ack } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const request: Message = {
 *   header: { length: 16, type: HeaderType.Noop, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 1, pid: 1 },
 *   data: new Uint8Array(0),
 * };
 * assert.equal(ack(request)[0]!.header.type, HeaderType.Error); // NLMSG_ERROR with errno 0
 * assert.equal(HeaderType.MinType, 0x10); // the first family message type
 * ```
 */
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
 *
 * @example Flags of a create request
 * ```ts
 * import { formatFlags, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const flags = HeaderFlags.Request | HeaderFlags.Acknowledge | HeaderFlags.Create | HeaderFlags.Excl;
 * assert.equal(flags, 0x605);
 * assert.equal(formatFlags(flags), "request|acknowledge|excl|create");
 * assert.equal(HeaderFlags.Dump, HeaderFlags.Root | HeaderFlags.Match);
 * ```
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
 *
 * @example Switch a socket option on
 * ```ts
 * import { ConnOption } from "@nlkit/netlink/netlink";
 * import { dial } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * using conn = dial(() => []);
 * assert.equal(conn.getOption(ConnOption.CapAcknowledge), false);
 * conn.setOption(ConnOption.CapAcknowledge, true); // NETLINK_CAP_ACK = 10
 * assert.equal(conn.getOption(ConnOption.CapAcknowledge), true);
 * ```
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

/**
 * Attribute type flags (`NLA_F_*` in `linux/netlink.h`).
 *
 * @example A nested attribute carries NLA_F_NESTED
 * ```ts
 * import { AttributeDecoder, AttributeEncoder, AttributeFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = new AttributeEncoder().nested(1, (e) => e.uint8(2, 7)).encode();
 * const d = new AttributeDecoder(b);
 * assert.ok(d.next());
 * assert.equal(d.type, 1);
 * assert.equal(d.flags, AttributeFlags.Nested);
 * ```
 */
export const AttributeFlags = {
  /** `NLA_F_NESTED`: the payload is a list of attributes. */
  Nested: 0x8000,
  /** `NLA_F_NET_BYTEORDER`: the payload is in network (big-endian) byte order. */
  NetByteOrder: 0x4000,
} as const;

/**
 * `NLA_TYPE_MASK`: the bits of an attribute type that are not flags.
 *
 * @example Strip the flag bits of a raw attribute type
 * ```ts
 * import { ATTRIBUTE_TYPE_MASK, AttributeEncoder, decodeAttributes } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const [a] = decodeAttributes(new AttributeEncoder().nested(5, (e) => e.flag(1)).encode());
 * assert.equal(a!.type, 0x8005); // NLA_F_NESTED | 5
 * assert.equal(a!.type & ATTRIBUTE_TYPE_MASK, 5);
 * ```
 */
export const ATTRIBUTE_TYPE_MASK = 0x3fff;

/**
 * `NLA_HDRLEN`: the size of `struct nlattr` in bytes.
 *
 * @example The payload starts after the attribute header
 * ```ts
 * import { ATTRIBUTE_HEADER_LENGTH, AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = new AttributeEncoder().uint32(1, 42).encode();
 * assert.equal(b.length, ATTRIBUTE_HEADER_LENGTH + 4);
 * const d = new AttributeDecoder(b);
 * assert.ok(d.next());
 * assert.equal(d.offset, ATTRIBUTE_HEADER_LENGTH);
 * ```
 */
export const ATTRIBUTE_HEADER_LENGTH = 4;
