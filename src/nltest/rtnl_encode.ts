/**
 * The simulated rtnetlink's records as messages, through the generated
 * rt-* codecs (the same ones the clients decode with): the attributes the
 * kernel fills in (`rtnl_fill_ifinfo`, `inet_fill_ifaddr`,
 * `inet6_fill_ifaddr`, `fib_dump_info`, `rt6_fill_node`, `neigh_fill_info`,
 * `fib_nl_fill_rule`), in the kernel's order.
 *
 * @module
 */

import { encodeBody } from "../families/_codec.ts";
import { compiled } from "../families/family.ts";
import { deladdr, getaddr } from "../families/rt_addr.ts";
import {
  dellink,
  family as linkFamily,
  getlink,
  type Ifinfomsg,
  type LinkAttrs,
  type LinkinfoAttrs,
} from "../families/rt_link.ts";
import { delneighNtf, newneighNtf } from "../families/rt_neigh.ts";
import {
  delroute,
  getroute,
  type RouteAttrs,
  type Rtmsg,
} from "../families/rt_route.ts";
import {
  delruleNtf,
  type FibRuleAttrs,
  type FibRuleHdr,
  newruleNtf,
} from "../families/rt_rule.ts";
import { AttributeEncoder } from "../netlink/attribute.ts";
import { AttributeFlags } from "../netlink/header.ts";
import { get32, HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import type { Message } from "../netlink/message.ts";
import { OPER_STATES, ROUTE_FLAGS } from "../route/names.ts";
import {
  type AddressRecord,
  AF,
  IFF,
  type LinkRecord,
  type NeighbourRecord,
  type RouteRecord,
  type RtnlState,
  type RuleRecord,
} from "./rtnl_state.ts";

/** `IFA_F_*` that fit the 8-bit `ifa_flags` header field. */
const IFA_HEADER_FLAGS = 0xff;
/** `INFINITY_LIFE_TIME`. */
const FOREVER = 0xffffffff;
/** `RT_TABLE_COMPAT`: `rtm_table` of a table above 255. */
const RT_TABLE_COMPAT = 252;
/** `RTN_LOCAL`: local routes never carry `RTNH_F_LINKDOWN`. */
const RTN_LOCAL = 2;

/** Whether an operational state counts as up (`netif_oper_up`: UP or UNKNOWN). */
export function operUp(state: number): boolean {
  return state === OPER_STATES.up || state === OPER_STATES.unknown;
}

/** The `ifi_flags` user space sees (`dev_get_flags`): RUNNING and LOWER_UP from the state. */
export function reportedFlags(l: LinkRecord): number {
  let f = l.flags & ~(IFF.running | IFF.lowerUp | IFF.dormant);
  if (l.flags & IFF.up) {
    if (operUp(l.operstate)) f |= IFF.running;
    if (l.carrier) f |= IFF.lowerUp;
  }
  return f >>> 0;
}

/** The operational state a message reports: a down link is DOWN. */
export function reportedOperstate(l: LinkRecord): number {
  return l.flags & IFF.up ? l.operstate : OPER_STATES.down;
}

/** `dev_get_iflink()`: a veth's peer (0 when untied), a stacked link's parent, else its own index. */
export function iflink(l: LinkRecord): number {
  if (l.kind === "veth") return l.peer;
  return l.parent !== 0 ? l.parent : l.index;
}

function protinfoType(): number {
  return compiled(linkFamily).sets.get("link-attrs")!.byKey.get("protinfo")!.id;
}

function brport(l: LinkRecord): Record<string, unknown> {
  return { state: l.portState ?? 0, priority: 32, cost: 2 };
}

/**
 * A link as `RTM_NEWLINK`/`RTM_DELLINK` (family `AF_UNSPEC`), or a
 * bridge port's `AF_BRIDGE` message.
 *
 * @internal
 */
export function linkMessage(
  s: RtnlState,
  l: LinkRecord,
  del: boolean,
  change: number,
  options: { bridge?: boolean; event?: number } = {},
): Message {
  const link = iflink(l);
  const header: Partial<Ifinfomsg> = {
    ifiFamily: options.bridge ? AF.bridge : 0,
    ifiType: l.type,
    ifiIndex: l.index,
    ifiFlags: [reportedFlags(l)],
    ifiChange: options.bridge ? 0 : change >>> 0,
  };
  let v: Partial<Ifinfomsg> & LinkAttrs;
  if (options.bridge) {
    v = { ...header, ifname: l.name, master: l.master, mtu: l.mtu };
    v.operstate = reportedOperstate(l);
    if (link !== l.index) v.link = link;
    if (l.address !== "") v.address = l.address;
    const e = new AttributeEncoder();
    encodeBody(
      e,
      null,
      compiled(linkFamily).sets.get("linkinfo-brport-attrs")!,
      brport(l),
    );
    if (!del) {
      v.unknownAttributes = [{
        type: protinfoType() | AttributeFlags.Nested,
        data: e.encode(),
      }];
    }
  } else {
    v = {
      ...header,
      ifname: l.name,
      txqlen: l.txqlen,
      operstate: reportedOperstate(l),
      linkmode: 0,
      mtu: l.mtu,
      minMtu: l.minMtu,
      maxMtu: l.maxMtu,
      group: l.group,
      promiscuity: l.promiscuity,
      allmulti: 0,
      numTxQueues: 1,
      numRxQueues: 1,
      carrier: l.carrier ? 1 : 0,
    };
    if (link !== l.index) v.link = link;
    if (l.master !== 0) v.master = l.master;
    if (options.event !== undefined) v.event = options.event;
    if (l.alias !== "") v.ifalias = l.alias;
    if (l.address !== "") {
      v.address = l.address;
      v.broadcast = l.broadcast;
    }
    if (l.kind !== "") {
      const info: LinkinfoAttrs = { kind: l.kind };
      if (l.data !== undefined) {
        info.data = l.data as NonNullable<LinkinfoAttrs["data"]>;
      }
      const master = s.links.get(l.master);
      if (master?.kind === "bridge" && l.portState !== undefined) {
        info.slaveKind = "bridge";
        info.slaveData = brport(l);
      }
      v.linkinfo = info;
    }
  }
  const m = getlink.encodeReply(v);
  if (del) m.header.type = dellink.doRequest!;
  return m;
}

/**
 * An address as `RTM_NEWADDR`/`RTM_DELADDR`.
 *
 * @internal
 */
export function addressMessage(a: AddressRecord, del: boolean): Message {
  const cacheinfo = {
    ifaPrefered: a.preferredLifetime,
    ifaValid: a.validLifetime,
    cstamp: 0,
    tstamp: 0,
  };
  const head = {
    ifaFamily: a.family,
    ifaPrefixlen: a.prefixLength,
    ifaFlags: [a.flags & IFA_HEADER_FLAGS],
    ifaScope: a.scope,
    ifaIndex: a.index,
  };
  const v: Record<string, unknown> = { ...head };
  if (a.family === AF.inet) {
    v.address = a.address;
    v.local = a.local;
    if (a.broadcast !== undefined) v.broadcast = a.broadcast;
    if (a.label !== undefined) v.label = a.label;
    v.flags = [a.flags];
    v.cacheinfo = cacheinfo;
  } else {
    if (a.address !== a.local) v.local = a.local;
    v.address = a.address;
    v.cacheinfo = cacheinfo;
    v.flags = [a.flags];
  }
  if (a.metric !== 0) v.rtPriority = a.metric;
  const m = getaddr.encodeReply(v, { dump: true });
  if (del) m.header.type = deladdr.doRequest!;
  return m;
}

/**
 * A route as `RTM_NEWROUTE`/`RTM_DELROUTE`.
 *
 * @internal
 */
export function routeMessage(
  s: RtnlState,
  r: RouteRecord,
  del: boolean,
  lookup?: { dst: string; dstLength: number },
): Message {
  const v6 = r.family === AF.inet6;
  let flags = r.flags;
  const out = s.links.get(r.oif);
  // A lookup's answer is a cloned route: no nexthop flags (rt_fill_info).
  if (
    lookup === undefined && r.type !== RTN_LOCAL && out !== undefined &&
    !out.carrier
  ) {
    flags |= ROUTE_FLAGS.linkdown;
  }
  const v: Partial<Rtmsg> & RouteAttrs = {
    rtmFamily: r.family,
    rtmDstLen: lookup?.dstLength ?? r.dstLength,
    rtmSrcLen: 0,
    rtmTos: r.tos,
    rtmTable: r.table < 256 ? r.table : RT_TABLE_COMPAT,
    rtmProtocol: r.protocol,
    rtmScope: r.scope,
    rtmType: r.type,
    rtmFlags: flags,
    table: r.table,
  };
  const dst = lookup?.dst ?? r.dst;
  if (dst !== "" && (lookup?.dstLength ?? r.dstLength) > 0) v.dst = dst;
  if (r.priority !== 0 || v6) v.priority = r.priority;
  if (r.prefsrc !== undefined) v.prefsrc = r.prefsrc;
  if (r.multipath !== undefined) v.multipath = r.multipath;
  else {
    if (r.gateway !== undefined) v.gateway = r.gateway;
    if (r.oif !== 0) v.oif = r.oif;
  }
  if (v6) {
    v.cacheinfo = {
      rtaClntref: 0,
      rtaLastuse: 0,
      rtaExpires: 0,
      rtaError: 0,
      rtaUsed: 0,
      rtaId: 0,
      rtaTs: 0,
      rtaTsage: 0,
    };
    v.pref = 0; // ICMPV6_ROUTER_PREF_MEDIUM
  }
  const m = getroute.encodeReply(v, { dump: true });
  if (del) m.header.type = delroute.doRequest!;
  return m;
}

/**
 * A neighbour entry as `RTM_NEWNEIGH`/`RTM_DELNEIGH`.
 *
 * @internal
 */
export function neighbourMessage(n: NeighbourRecord, del: boolean): Message {
  const v: Record<string, unknown> = {
    ndmFamily: n.family,
    ndmIfindex: n.index,
    ndmState: [n.state],
    ndmFlags: [n.flags],
    ndmType: 1, // RTN_UNICAST
    dst: n.dst,
  };
  if (n.lladdr !== undefined) v.lladdr = n.lladdr;
  v.probes = 0;
  v.cacheinfo = { confirmed: 0, used: 0, updated: 0, refcnt: 0 };
  return (del ? delneighNtf : newneighNtf).encodeReply(v);
}

/**
 * A rule as `RTM_NEWRULE`/`RTM_DELRULE`.
 *
 * @internal
 */
export function ruleMessage(r: RuleRecord, del: boolean): Message {
  const v: Partial<FibRuleHdr> & FibRuleAttrs = {
    family: r.family,
    dstLen: r.dstLength,
    srcLen: r.srcLength,
    tos: r.tos,
    fibRuleHdrTable: r.table < 256 ? r.table : RT_TABLE_COMPAT,
    action: r.action,
    flags: r.flags,
    table: r.table,
  };
  if (r.priority !== 0) v.priority = r.priority;
  if (r.iifname !== undefined) v.iifname = r.iifname;
  if (r.oifname !== undefined) v.oifname = r.oifname;
  if (r.fwmark !== undefined) v.fwmark = r.fwmark;
  if (r.fwmask !== undefined) v.fwmask = r.fwmask;
  if (r.goto !== undefined) v.goto = r.goto;
  v.protocol = r.protocol;
  const raw: { type: number; data: Uint8Array }[] = [];
  const set = compiled(newruleNtf.family).sets.get("fib-rule-attrs")!;
  for (const [key, b] of [["dst", r.dst], ["src", r.src]] as const) {
    if (b === undefined) continue;
    if (b.length === 4) v[key] = get32(b, 0, LE) >>> 0;
    else raw.push({ type: set.byKey.get(key)!.id, data: b });
  }
  if (raw.length > 0) v.unknownAttributes = raw;
  return (del ? delruleNtf : newruleNtf).encodeReply(v);
}

/** `FOREVER` for the address handlers. @internal */
export const LIFETIME_FOREVER = FOREVER;
