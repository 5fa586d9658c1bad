/**
 * rtnetlink route requests (`RTM_NEWROUTE`, `RTM_DELROUTE`, `RTM_GETROUTE`)
 * of the simulated kernel, decoded with the generated rt-route codec; the
 * multipath next hops with the route client's `rtnexthop` codec.
 *
 * @module
 */

import {
  delroute,
  getroute,
  newroute,
  type RouteAttrs,
  type Rtmsg,
  RtmType,
} from "../families/rt_route.ts";
import { Errno } from "../netlink/errno.ts";
import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import { PROTOCOLS, ROUTE_FLAGS, SCOPES, TABLES } from "../route/names.ts";
import { decodeMultipath, encodeMultipath } from "../route/nexthop.ts";
import type { HandlerResult, RequestContext } from "./kernel_handler.ts";
import { routeMessage } from "./rtnl_encode.ts";
import { bytes, hasHostBits, inPrefix, ROUTE_GROUP, RTN } from "./rtnl_fib.ts";
import { flagsOf, request } from "./rtnl_request.ts";
import {
  AF,
  fail,
  IFF,
  type Origin,
  type RouteRecord,
  type RtnlState,
  send,
} from "./rtnl_state.ts";

/** `RTM_F_CLONED`, `RTM_F_PREFIX` (`linux/rtnetlink.h`). */
const RTM_F_CLONED = ROUTE_FLAGS.cloned;
const RTM_F_PREFIX = ROUTE_FLAGS.prefix;
/** `RTCF_LOCAL` (`linux/in_route.h`): a lookup answered by a local route. */
const RTCF_LOCAL = 0x80000000;

type RouteValue = Partial<Rtmsg> & RouteAttrs;

function typeNumber(t: RouteValue["rtmType"]): number {
  if (t === undefined) return 0;
  return typeof t === "number" ? t : RtmType[t];
}

function args(
  m: Message,
  op: typeof newroute | typeof delroute | typeof getroute,
) {
  const v: RouteValue = request(op, m);
  const family = v.rtmFamily ?? 0;
  if (family !== AF.inet && family !== AF.inet6) throw fail(Errno.EOPNOTSUPP);
  const v4 = family === AF.inet;
  for (const key of ["dst", "src", "gateway", "prefsrc"] as const) {
    const t = v[key];
    if (t !== undefined && t.includes(":") === v4) {
      throw fail(Errno.EINVAL, "Invalid address length");
    }
  }
  const table = v.table ?? (v.rtmTable ? v.rtmTable : TABLES.main);
  return { v, family, v4, table, bits: v4 ? 32 : 128 };
}

/**
 * The index of the up link through which `gw` is directly reachable (a
 * prefix of one of its addresses or a link-scope route), or 0.
 *
 * @internal
 */
export function reachable(
  s: RtnlState,
  family: number,
  gw: string,
  oif: number,
): number {
  for (const a of s.addresses) {
    const l = s.links.get(a.index);
    if (
      a.family === family && l && (l.flags & IFF.up) &&
      (oif === 0 || a.index === oif) && inPrefix(a.local, a.prefixLength, gw)
    ) return a.index;
  }
  for (const r of s.routes) {
    if (
      r.family === family && r.oif !== 0 && r.gateway === undefined &&
      r.type === RTN.unicast && (oif === 0 || r.oif === oif) &&
      inPrefix(r.dst, r.dstLength, gw)
    ) return r.oif;
  }
  return 0;
}

function nexthop(
  s: RtnlState,
  family: number,
  gateway: string | undefined,
  oif: number,
  onlink: boolean,
): number {
  if (oif !== 0) {
    const l = s.links.get(oif);
    if (!l) throw fail(Errno.ENODEV, "Nexthop device not found");
    if (!(l.flags & IFF.up)) {
      throw fail(Errno.ENETDOWN, "Device for nexthop is not up");
    }
  }
  if (gateway === undefined) {
    if (oif === 0) throw fail(Errno.ENODEV);
    return oif;
  }
  if (onlink) {
    if (oif === 0) {
      throw fail(Errno.EINVAL, "Nexthop device required for onlink");
    }
    return oif;
  }
  const via = reachable(s, family, gateway, oif);
  if (via === 0) throw fail(Errno.ENETUNREACH, "Nexthop has invalid gateway");
  return via;
}

/**
 * `RTM_NEWROUTE`: add or replace a route.
 *
 * @internal
 */
export function newRoute(s: RtnlState, m: Message, o: Origin): Message[] {
  const { v, family, v4, table, bits } = args(m, newroute);
  const length = v.rtmDstLen ?? 0;
  if (length > bits) throw fail(Errno.EINVAL, "Invalid prefix length");
  const dst = v.dst ?? (v4 ? "0.0.0.0" : "::");
  if (hasHostBits(dst, length)) {
    throw fail(Errno.EINVAL, "Invalid prefix for given prefix length");
  }
  const type = typeNumber(v.rtmType) || RTN.unicast;
  const onlink = ((v.rtmFlags ?? 0) & ROUTE_FLAGS.onlink) !== 0;
  let oif = v.oif ?? 0;
  let multipath: Uint8Array | undefined;
  const hops: number[] = [];
  if (v.multipath !== undefined) {
    let list;
    try {
      list = decodeMultipath(v.multipath);
    } catch {
      throw fail(
        Errno.EINVAL,
        "Invalid nexthop configuration - extra data after nexthops",
      );
    }
    if (list.length === 0) throw fail(Errno.EINVAL);
    const raw = list.map((h) => {
      const index = nexthop(
        s,
        family,
        h.gateway,
        h.oif,
        h.flags.includes("onlink"),
      );
      hops.push(index);
      return {
        oif: index,
        weight: h.weight,
        flags: h.flags.includes("onlink") ? ROUTE_FLAGS.onlink : 0,
        ...(h.gateway === undefined ? {} : { gateway: h.gateway }),
      };
    });
    multipath = encodeMultipath(raw);
    oif = 0;
  } else if (type === RTN.unicast) {
    oif = nexthop(s, family, v.gateway, oif, onlink);
  } else if (oif !== 0 && !s.links.get(oif)) {
    throw fail(Errno.ENODEV, "Nexthop device not found");
  }
  const r: RouteRecord = {
    family,
    table,
    dst: length === 0 ? "" : dst,
    dstLength: length,
    tos: v.rtmTos ?? 0,
    protocol: v.rtmProtocol ?? PROTOCOLS.unspec,
    scope: v.rtmScope ?? SCOPES.global,
    type,
    priority: v.priority ?? (v4 ? 0 : 1024),
    gateway: multipath === undefined ? v.gateway : undefined,
    oif,
    prefsrc: v.prefsrc,
    flags: onlink ? ROUTE_FLAGS.onlink : 0,
    multipath,
    hops,
  };
  const f = flagsOf(m);
  const flags = m.header.flags &
    (HeaderFlags.Create | HeaderFlags.Excl | HeaderFlags.Replace |
      HeaderFlags.Append);
  const same = s.routes.findIndex((x) =>
    x.family === r.family && x.table === r.table &&
    x.dstLength === r.dstLength && x.dst === r.dst && x.tos === r.tos &&
    x.priority === r.priority
  );
  if (same >= 0) {
    const x = s.routes[same]!;
    if (f.excl) throw fail(Errno.EEXIST);
    if (f.replace) {
      s.routes[same] = r;
      send(o, ROUTE_GROUP[family]!, routeMessage(s, r, false), true, flags);
      return [];
    }
    if (x.oif === r.oif && x.gateway === r.gateway && x.type === r.type) {
      throw fail(Errno.EEXIST);
    }
  }
  if (!f.create && v4) throw fail(Errno.ENOENT);
  s.routes.push(r);
  send(o, ROUTE_GROUP[family]!, routeMessage(s, r, false), true, flags);
  return [];
}

/**
 * `RTM_DELROUTE`: remove the first matching route.
 *
 * @internal
 */
export function delRoute(s: RtnlState, m: Message, o: Origin): Message[] {
  const { v, family, table } = args(m, delroute);
  if (
    table !== TABLES.main && table !== TABLES.local &&
    !s.routes.some((r) => r.table === table)
  ) {
    throw fail(Errno.ESRCH, "FIB table does not exist");
  }
  const length = v.rtmDstLen ?? 0;
  const dst = length === 0 ? "" : v.dst ?? "";
  const type = typeNumber(v.rtmType);
  const scope = v.rtmScope ?? SCOPES.nowhere;
  const i = s.routes.findIndex((r) =>
    r.family === family && r.table === table && r.dstLength === length &&
    r.dst === dst && (!v.rtmTos || r.tos === v.rtmTos) &&
    (v.priority === undefined || r.priority === v.priority) &&
    (v.oif === undefined || r.oif === v.oif) &&
    (v.gateway === undefined || r.gateway === v.gateway) &&
    (!v.rtmProtocol || r.protocol === v.rtmProtocol) &&
    (type === 0 || r.type === type) &&
    (scope === SCOPES.nowhere || r.scope === scope)
  );
  if (i < 0) throw fail(Errno.ESRCH);
  const [r] = s.routes.splice(i, 1);
  send(o, ROUTE_GROUP[family]!, routeMessage(s, r!, true), true);
  return [];
}

/**
 * Dump order: family, table, then the FIB trie's order (key, then longer
 * prefixes first).
 *
 * @internal
 */
export function sortedRoutes(s: RtnlState): RouteRecord[] {
  const key = (r: RouteRecord): number[] => [
    r.family,
    r.table,
    ...(r.dst === ""
      ? new Array<number>(r.family === AF.inet ? 4 : 16).fill(0)
      : bytes(r.dst)),
    255 - r.dstLength,
  ];
  return [...s.routes].map((r) => ({ r, k: key(r) })).sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) {
      if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
    }
    return 0;
  }).map((x) => x.r);
}

/**
 * `RTM_GETROUTE` dump, with the strict header checks of `ip_valid_fib_dump_req`.
 *
 * @internal
 */
export function dumpRoutes(
  s: RtnlState,
  m: Message,
  ctx: RequestContext,
): HandlerResult {
  const family = m.data[0] ?? 0;
  let table = 0;
  if (ctx.strict) {
    if (m.data.length < 12) {
      throw fail(Errno.EINVAL, "Invalid header for FIB dump request");
    }
    const v = request(getroute, m);
    if (
      v.rtmDstLen || v.rtmSrcLen || v.rtmTos || v.rtmScope ||
      typeNumber(v.rtmType)
    ) {
      throw fail(Errno.EINVAL, "Invalid values in header for FIB dump request");
    }
    if ((v.rtmFlags ?? 0) & ~(RTM_F_CLONED | RTM_F_PREFIX)) {
      throw fail(Errno.EINVAL, "Invalid flags for FIB dump request");
    }
    table = v.table ?? v.rtmTable ?? 0;
  }
  const list = sortedRoutes(s).filter((r) =>
    (family === 0 || r.family === family) && (table === 0 || r.table === table)
  );
  // A strict FIB dump is always marked NLM_F_DUMP_FILTERED.
  return {
    dump: list.map((r) => routeMessage(s, r, false)),
    filtered: ctx.strict,
  };
}

/**
 * `RTM_GETROUTE` without `NLM_F_DUMP`: the route the kernel would use (the
 * local table, then main: longest prefix, then lowest metric), as a cloned
 * route to exactly the address asked for.
 *
 * @internal
 */
export function getRoute(s: RtnlState, m: Message): Message[] {
  const { v, family, bits } = args(m, getroute);
  const dst = v.dst ?? (family === AF.inet ? "0.0.0.0" : "::");
  let best: RouteRecord | undefined;
  for (const table of [TABLES.local, TABLES.main]) {
    for (const r of s.routes) {
      if (r.family !== family || r.table !== table) continue;
      if (!inPrefix(r.dst, r.dstLength, dst)) continue;
      if (v.oif !== undefined && r.oif !== 0 && r.oif !== v.oif) continue;
      if (
        !best || r.dstLength > best.dstLength ||
        (r.dstLength === best.dstLength && r.priority < best.priority)
      ) best = r;
    }
    if (best !== undefined) break;
  }
  if (best === undefined || best.type === RTN.broadcast && best.dst !== dst) {
    throw fail(Errno.ENETUNREACH);
  }
  if (best.type === 6 /* RTN_BLACKHOLE */) throw fail(Errno.EINVAL);
  if (best.type === 7 /* RTN_UNREACHABLE */) throw fail(Errno.EHOSTUNREACH);
  if (best.type === 8 /* RTN_PROHIBIT */) throw fail(Errno.EACCES);
  const local = best.type === RTN.local;
  const oif = local ? 1 : best.oif;
  const source = best.prefsrc ??
    s.addresses.find((a) => a.family === family && a.index === oif)?.local;
  const reply: RouteRecord = {
    ...best,
    table: family === AF.inet ? TABLES.main : best.table,
    protocol: family === AF.inet ? 0 : best.protocol,
    scope: 0,
    oif,
    prefsrc: source,
    flags: family === AF.inet ? RTM_F_CLONED | (local ? RTCF_LOCAL : 0) : 0,
    priority: family === AF.inet ? 0 : best.priority,
  };
  return [
    routeMessage(s, reply, false, { dst, dstLength: bits }),
  ];
}
