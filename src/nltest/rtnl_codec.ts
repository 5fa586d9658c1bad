/**
 * Wire encoding of the simulated rtnetlink objects (`struct ifinfomsg`,
 * `struct ifaddrmsg`, `struct rtmsg` plus attributes) and request parsing.
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import { AttributeEncoder } from "../netlink/attribute.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import { HEADER_LENGTH } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import { KernelError } from "./kernel_handler.ts";
import {
  AddressAttribute,
  AF_INET,
  AF_INET6,
  IF_OPER_DOWN,
  IF_OPER_UNKNOWN,
  IF_OPER_UP,
  IFADDRMSG_LENGTH,
  IFINFOMSG_LENGTH,
  LINK_INFO_KIND,
  LinkAttribute,
  LinkFlags,
  RouteAttribute,
  RTMSG_LENGTH,
} from "./rtnl_constants.ts";

/** A link in the simulated kernel. @internal */
export interface LinkRecord {
  index: number;
  name: string;
  kind: string;
  type: number;
  flags: number;
  mtu: number;
  minMTU: number;
  maxMTU: number;
  txQueueLength: number;
  address: Uint8Array;
  broadcast: Uint8Array;
  master: number;
  alias: string;
  group: number;
  peer: number;
}

/** An address in the simulated kernel. @internal */
export interface AddressRecord {
  family: number;
  index: number;
  prefixLength: number;
  flags: number;
  scope: number;
  local: Uint8Array;
  address: Uint8Array;
  broadcast: Uint8Array | undefined;
  label: string;
}

/** A route in the simulated kernel. @internal */
export interface RouteRecord {
  family: number;
  table: number;
  dst: Uint8Array;
  dstLength: number;
  tos: number;
  protocol: number;
  scope: number;
  type: number;
  priority: number;
  gateway: Uint8Array | undefined;
  oif: number;
  prefsrc: Uint8Array | undefined;
}

/** One attribute of a request: where it is, for extended ACK offsets. @internal */
export interface RequestAttribute {
  /** Payload bytes (a view). */
  data: Uint8Array;
  /** Offset of the attribute header from the start of the netlink message. */
  offset: number;
  /** NLA_F_* flag bits. */
  flags: number;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Checks that a request carries its fixed header, as `nlmsg_parse` does.
 *
 * @internal
 */
export function requireHeader(m: Message, size: number): void {
  if (m.data.length < size) {
    throw new KernelError(Errno.EINVAL, { message: "Invalid header length" });
  }
}

/**
 * Parses the attributes after a fixed header of `hdr` bytes; the last one of
 * each type wins, as in `nla_parse`.
 *
 * @internal
 */
export function parseRequestAttributes(
  m: Message,
  hdr: number,
): Map<number, RequestAttribute> {
  const out = new Map<number, RequestAttribute>();
  const start = Math.min(hdr + ((4 - (hdr % 4)) % 4), m.data.length);
  try {
    const d = new AttributeDecoder(m.data, start);
    while (d.next()) {
      out.set(d.type, {
        data: d.view(),
        offset: HEADER_LENGTH + d.offset - 4,
        flags: d.flags,
      });
    }
  } catch (e) {
    if (e instanceof RangeError) {
      throw new KernelError(Errno.EINVAL, {
        message: "bytes leftover after parsing attributes",
      });
    }
    throw e;
  }
  return out;
}

/** The kernel's policy description for a u32 (NLMSGERR_ATTR_POLICY). */
function u32Policy(): Uint8Array {
  return new AttributeEncoder()
    .uint64(4, 0n) // NL_POLICY_TYPE_ATTR_MIN_VALUE_U
    .uint64(5, 0xffffffffn) // NL_POLICY_TYPE_ATTR_MAX_VALUE_U
    .uint32(1, 4) // NL_POLICY_TYPE_ATTR_TYPE = NL_ATTR_TYPE_U32
    .encode();
}

/**
 * Reads a u32 attribute, failing like policy validation on a short one.
 *
 * @internal
 */
export function attrU32(a: RequestAttribute | undefined): number | undefined {
  if (a === undefined) return undefined;
  if (a.data.length < 4) {
    throw new KernelError(Errno.ERANGE, {
      message: "Attribute failed policy validation",
      offset: a.offset,
      policy: u32Policy(),
    });
  }
  return view(a.data).getUint32(0, LE);
}

/**
 * Reads a NUL-terminated (or not) string attribute with a maximum length.
 *
 * @internal
 */
export function attrString(
  a: RequestAttribute | undefined,
  max = Infinity,
): string | undefined {
  if (a === undefined) return undefined;
  let end = a.data.indexOf(0);
  if (end < 0) end = a.data.length;
  if (end > max) {
    throw new KernelError(Errno.ERANGE, {
      message: "Attribute failed policy validation",
      offset: a.offset,
    });
  }
  return new TextDecoder().decode(a.data.subarray(0, end));
}

/** Reads the `IFLA_INFO_KIND` inside `IFLA_LINKINFO`. @internal */
export function linkInfoKind(
  a: RequestAttribute | undefined,
): { kind?: string; data?: RequestAttribute } {
  if (a === undefined) return {};
  const out: { kind?: string; data?: RequestAttribute } = {};
  try {
    const d = new AttributeDecoder(a.data);
    while (d.next()) {
      if (d.type === LINK_INFO_KIND) {
        out.kind = attrString({
          data: d.view(),
          offset: a.offset + 4 + d.offset - 4,
          flags: d.flags,
        }) ?? "";
      } else if (d.type === 2) {
        out.data = {
          data: d.view(),
          offset: a.offset + 4 + d.offset - 4,
          flags: d.flags,
        };
      }
    }
  } catch (e) {
    if (e instanceof RangeError) {
      throw new KernelError(Errno.EINVAL, {
        message: "Attribute failed policy validation",
      });
    }
    throw e;
  }
  return out;
}

/** `struct ifinfomsg` fields. @internal */
export interface IfInfoMsg {
  family: number;
  pad: number;
  type: number;
  index: number;
  flags: number;
  change: number;
}

/** Decodes `struct ifinfomsg` (zeros for a short header). @internal */
export function decodeIfInfo(b: Uint8Array): IfInfoMsg {
  const full = b.length >= IFINFOMSG_LENGTH;
  const v = view(b);
  return {
    family: b[0] ?? 0,
    pad: b[1] ?? 0,
    type: full ? v.getUint16(2, LE) : 0,
    index: full ? v.getInt32(4, LE) : 0,
    flags: full ? v.getUint32(8, LE) : 0,
    change: full ? v.getUint32(12, LE) : 0,
  };
}

/** `struct ifaddrmsg` fields. @internal */
export interface IfAddrMsg {
  family: number;
  prefixLength: number;
  flags: number;
  scope: number;
  index: number;
}

/** Decodes `struct ifaddrmsg` (zeros for a short header). @internal */
export function decodeIfAddr(b: Uint8Array): IfAddrMsg {
  const full = b.length >= IFADDRMSG_LENGTH;
  return {
    family: b[0] ?? 0,
    prefixLength: b[1] ?? 0,
    flags: b[2] ?? 0,
    scope: b[3] ?? 0,
    index: full ? view(b).getUint32(4, LE) : 0,
  };
}

/** `struct rtmsg` fields. @internal */
export interface RtMsg {
  family: number;
  dstLength: number;
  srcLength: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}

/** Decodes `struct rtmsg` (zeros for a short header). @internal */
export function decodeRtMsg(b: Uint8Array): RtMsg {
  const full = b.length >= RTMSG_LENGTH;
  return {
    family: b[0] ?? 0,
    dstLength: b[1] ?? 0,
    srcLength: b[2] ?? 0,
    tos: b[3] ?? 0,
    table: b[4] ?? 0,
    protocol: b[5] ?? 0,
    scope: b[6] ?? 0,
    type: b[7] ?? 0,
    flags: full ? view(b).getUint32(8, LE) : 0,
  };
}

function withHeader(
  fixed: Uint8Array,
  attrs: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(fixed.length + attrs.length);
  out.set(fixed, 0);
  out.set(attrs, fixed.length);
  return out;
}

function message(type: number, data: Uint8Array): Message {
  return { header: { length: 0, type, flags: 0, sequence: 0, pid: 0 }, data };
}

/** Encodes a link as an `RTM_NEWLINK`/`RTM_DELLINK` message. @internal */
export function encodeLink(type: number, l: LinkRecord, change = 0): Message {
  const fixed = new Uint8Array(IFINFOMSG_LENGTH);
  const v = view(fixed);
  v.setUint16(2, l.type, LE);
  v.setInt32(4, l.index, LE);
  v.setUint32(8, l.flags, LE);
  v.setUint32(12, change >>> 0, LE);
  const up = (l.flags & LinkFlags.Up) !== 0;
  const oper = l.kind === ""
    ? (up ? IF_OPER_UNKNOWN : IF_OPER_DOWN)
    : (up ? IF_OPER_UP : IF_OPER_DOWN);
  const e = new AttributeEncoder()
    .string(LinkAttribute.Name, l.name)
    .uint32(LinkAttribute.TxQueueLength, l.txQueueLength)
    .uint8(LinkAttribute.OperState, oper)
    .uint8(LinkAttribute.LinkMode, 0)
    .uint32(LinkAttribute.MTU, l.mtu)
    .uint32(LinkAttribute.MinMTU, l.minMTU)
    .uint32(LinkAttribute.MaxMTU, l.maxMTU)
    .uint32(LinkAttribute.Group, l.group)
    .uint32(LinkAttribute.Promiscuity, 0)
    .uint32(LinkAttribute.NumTxQueues, 1)
    .uint32(LinkAttribute.NumRxQueues, 1)
    .uint8(LinkAttribute.Carrier, up ? 1 : 0);
  if (l.master !== 0) e.uint32(LinkAttribute.Master, l.master);
  if (l.peer !== 0) e.uint32(LinkAttribute.Link, l.peer);
  if (l.alias !== "") e.string(LinkAttribute.Alias, l.alias);
  if (l.address.length > 0) {
    e.bytes(LinkAttribute.Address, l.address).bytes(
      LinkAttribute.Broadcast,
      l.broadcast,
    );
  }
  if (l.kind !== "") {
    e.nested(LinkAttribute.LinkInfo, (n) => n.string(LINK_INFO_KIND, l.kind));
  }
  return message(type, withHeader(fixed, e.encode()));
}

/** Encodes an address as an `RTM_NEWADDR`/`RTM_DELADDR` message. @internal */
export function encodeAddress(type: number, a: AddressRecord): Message {
  const fixed = new Uint8Array(IFADDRMSG_LENGTH);
  fixed[0] = a.family;
  fixed[1] = a.prefixLength;
  fixed[2] = a.flags & 0xff;
  fixed[3] = a.scope;
  view(fixed).setUint32(4, a.index, LE);
  const e = new AttributeEncoder().bytes(AddressAttribute.Address, a.address);
  if (a.family === AF_INET) {
    e.bytes(AddressAttribute.Local, a.local);
    if (a.broadcast) e.bytes(AddressAttribute.Broadcast, a.broadcast);
    e.string(AddressAttribute.Label, a.label);
  }
  const cache = new Uint8Array(16);
  const cv = view(cache);
  cv.setUint32(0, 0xffffffff, LE); // ifa_prefered: forever
  cv.setUint32(4, 0xffffffff, LE); // ifa_valid: forever
  // inet_fill_ifaddr puts IFA_FLAGS before IFA_CACHEINFO, inet6_fill_ifaddr after.
  if (a.family === AF_INET) {
    e.uint32(AddressAttribute.Flags, a.flags).bytes(
      AddressAttribute.CacheInfo,
      cache,
    );
  } else {e.bytes(AddressAttribute.CacheInfo, cache).uint32(
      AddressAttribute.Flags,
      a.flags,
    );}
  return message(type, withHeader(fixed, e.encode()));
}

/** Encodes a route as an `RTM_NEWROUTE`/`RTM_DELROUTE` message. @internal */
export function encodeRoute(type: number, r: RouteRecord): Message {
  const fixed = new Uint8Array(RTMSG_LENGTH);
  fixed[0] = r.family;
  fixed[1] = r.dstLength;
  fixed[3] = r.tos;
  fixed[4] = r.table < 256 ? r.table : 252; // RT_TABLE_COMPAT
  fixed[5] = r.protocol;
  fixed[6] = r.scope;
  fixed[7] = r.type;
  const v6 = r.family === AF_INET6;
  const e = new AttributeEncoder().uint32(RouteAttribute.Table, r.table);
  if (r.dstLength > 0) e.bytes(RouteAttribute.Dst, r.dst);
  // rt6_fill_node always reports the metric; fib_dump_info only when set.
  if (r.priority !== 0 || v6) e.uint32(RouteAttribute.Priority, r.priority);
  if (r.prefsrc) e.bytes(RouteAttribute.PreferredSource, r.prefsrc);
  if (r.gateway) e.bytes(RouteAttribute.Gateway, r.gateway);
  if (r.oif !== 0) e.uint32(RouteAttribute.OutputInterface, r.oif);
  if (v6) {
    e.bytes(RouteAttribute.CacheInfo, new Uint8Array(32)); // struct rta_cacheinfo
    e.uint8(RouteAttribute.Preference, 0); // ICMPV6_ROUTER_PREF_MEDIUM
  }
  return message(type, withHeader(fixed, e.encode()));
}
