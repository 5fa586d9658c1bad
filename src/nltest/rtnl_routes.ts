/**
 * rtnetlink route requests (`RTM_NEWROUTE`, `RTM_DELROUTE`, `RTM_GETROUTE`) of the simulated kernel.
 *
 * @module
 */

import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import {
  type HandlerResult,
  KernelError,
  type RequestContext,
} from "./kernel_handler.ts";
import {
  attrU32,
  decodeRtMsg,
  encodeRoute,
  parseRequestAttributes,
  requireHeader,
  type RouteRecord,
} from "./rtnl_codec.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  LinkFlags,
  RouteAttribute,
  RouteType,
  RT_TABLE_MAIN,
  RTMSG_LENGTH,
  RTN_UNICAST,
} from "./rtnl_constants.ts";
import { bytesEqual, hasHostBits, inPrefix } from "./rtnl_ip.ts";
import {
  EEXIST,
  EINVAL,
  ENETDOWN,
  ENETUNREACH,
  ENODEV,
  ENOENT,
  EOPNOTSUPP,
  ESRCH,
  type Origin,
  routeGroup,
  RTM_F_CLONED,
  RTM_F_PREFIX,
  type RtnlState,
  stamp,
} from "./rtnl_state.ts";

/** Decodes `struct rtmsg` and the attributes of a route request. */
function routeArgs(m: Message) {
  requireHeader(m, RTMSG_LENGTH);
  const h = decodeRtMsg(m.data);
  if (h.family !== AF_INET && h.family !== AF_INET6) {
    throw new KernelError(EOPNOTSUPP);
  }
  const size = h.family === AF_INET ? 4 : 16;
  const attrs = parseRequestAttributes(m, RTMSG_LENGTH);
  const get = (t: number): Uint8Array | undefined => {
    const a = attrs.get(t);
    if (a === undefined) return undefined;
    if (a.data.length < size) {
      throw new KernelError(EINVAL, {
        message: "Invalid address length",
        offset: a.offset,
      });
    }
    return a.data.slice(0, size);
  };
  const table = attrU32(attrs.get(RouteAttribute.Table)) ??
    (h.table === 0 ? RT_TABLE_MAIN : h.table);
  const dst = get(RouteAttribute.Dst) ?? new Uint8Array(size);
  return {
    h,
    size,
    table,
    dst,
    gateway: get(RouteAttribute.Gateway),
    oif: attrU32(attrs.get(RouteAttribute.OutputInterface)) ?? 0,
    priority: attrU32(attrs.get(RouteAttribute.Priority)),
    prefsrc: get(RouteAttribute.PreferredSource),
  };
}

/**
 * The index of the link through which `gw` is reachable, or 0.
 *
 * @internal
 */
export function reachable(
  s: RtnlState,
  family: number,
  gw: Uint8Array,
  oif: number,
): number {
  for (const a of s.addresses) {
    const l = s.links.get(a.index);
    if (
      a.family === family && l && (l.flags & LinkFlags.Up) &&
      (oif === 0 || a.index === oif) &&
      inPrefix(a.address, a.prefixLength, gw)
    ) return a.index;
  }
  for (const r of s.routes) {
    if (
      r.family === family && r.oif !== 0 && !r.gateway &&
      (oif === 0 || r.oif === oif) && inPrefix(r.dst, r.dstLength, gw)
    ) {
      return r.oif;
    }
  }
  return 0;
}

/**
 * `RTM_NEWROUTE`: add or replace a route.
 *
 * @internal
 */
export function newRoute(s: RtnlState, m: Message, o: Origin): Message[] {
  const a = routeArgs(m);
  const { h } = a;
  const bits = a.size * 8;
  if (h.dstLength > bits) {
    throw new KernelError(EINVAL, { message: "Invalid prefix length" });
  }
  if (hasHostBits(a.dst, h.dstLength)) {
    throw new KernelError(EINVAL, {
      message: "Invalid prefix for given prefix length",
    });
  }
  let oif = a.oif;
  if (oif !== 0) {
    const l = s.links.get(oif);
    if (!l) {
      throw new KernelError(ENODEV, { message: "Nexthop device not found" });
    }
    if (!(l.flags & LinkFlags.Up)) {
      throw new KernelError(ENETDOWN, {
        message: "Nexthop device is not up",
      });
    }
  }
  if (a.gateway) {
    const via = reachable(s, h.family, a.gateway, oif);
    if (via === 0) {
      throw new KernelError(ENETUNREACH, {
        message: "Nexthop has invalid gateway",
      });
    }
    oif = via;
  } else if (oif === 0) {
    throw new KernelError(ENODEV);
  }
  const priority = a.priority ?? (h.family === AF_INET6 ? 1024 : 0);
  const r: RouteRecord = {
    family: h.family,
    table: a.table,
    dst: a.dst,
    dstLength: h.dstLength,
    tos: h.tos,
    protocol: h.protocol,
    scope: h.scope,
    type: h.type === 0 ? RTN_UNICAST : h.type,
    priority,
    gateway: a.gateway,
    oif,
    prefsrc: a.prefsrc,
  };
  const same = s.routes.findIndex((x) =>
    x.family === r.family && x.table === r.table &&
    x.dstLength === r.dstLength && bytesEqual(x.dst, r.dst) &&
    x.tos === r.tos && x.priority === r.priority
  );
  const flags = m.header.flags &
    (HeaderFlags.Create | HeaderFlags.Excl | HeaderFlags.Replace |
      HeaderFlags.Append);
  if (same >= 0) {
    const x = s.routes[same]!;
    if (m.header.flags & HeaderFlags.Excl) throw new KernelError(EEXIST);
    if (m.header.flags & HeaderFlags.Replace) {
      s.routes[same] = r;
      o.notify(routeGroup(r.family), [
        stamp(encodeRoute(RouteType.NewRoute, r), o, flags),
      ], o.echo);
      return [];
    }
    if (x.oif === r.oif && bytesEqual(x.gateway, r.gateway)) {
      throw new KernelError(EEXIST);
    }
  }
  if (!(m.header.flags & HeaderFlags.Create) && h.family === AF_INET) {
    throw new KernelError(ENOENT);
  }
  s.routes.push(r);
  o.notify(routeGroup(r.family), [
    stamp(encodeRoute(RouteType.NewRoute, r), o, flags),
  ], o.echo);
  return [];
}

/**
 * `RTM_DELROUTE`: remove the first matching route.
 *
 * @internal
 */
export function delRoute(s: RtnlState, m: Message, o: Origin): Message[] {
  const a = routeArgs(m);
  const { h } = a;
  if (
    !s.routes.some((r) => r.table === a.table) &&
    a.table !== RT_TABLE_MAIN
  ) {
    throw new KernelError(ESRCH, { message: "FIB table does not exist" });
  }
  const i = s.routes.findIndex((r) =>
    r.family === h.family && r.table === a.table &&
    r.dstLength === h.dstLength && bytesEqual(r.dst, a.dst) &&
    (h.tos === 0 || r.tos === h.tos) &&
    (a.priority === undefined || r.priority === a.priority) &&
    (a.oif === 0 || r.oif === a.oif) &&
    (!a.gateway || bytesEqual(r.gateway, a.gateway)) &&
    (h.protocol === 0 || r.protocol === h.protocol)
  );
  if (i < 0) throw new KernelError(ESRCH);
  const [r] = s.routes.splice(i, 1);
  o.notify(routeGroup(r!.family), [
    stamp(encodeRoute(RouteType.DelRoute, r!), o),
  ], o.echo);
  return [];
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
  const h = decodeRtMsg(m.data);
  if (ctx.strict) {
    if (m.data.length < RTMSG_LENGTH) {
      throw new KernelError(EINVAL, {
        message: "Invalid header for FIB dump request",
      });
    }
    if (h.dstLength || h.srcLength || h.tos || h.scope || h.type) {
      throw new KernelError(EINVAL, {
        message: "Invalid values in header for FIB dump request",
      });
    }
    if (h.flags & ~(RTM_F_CLONED | RTM_F_PREFIX)) {
      throw new KernelError(EINVAL, {
        message: "Invalid flags for FIB dump request",
      });
    }
  }
  const list = s.sortedRoutes().filter((r) =>
    (h.family === AF_UNSPEC || r.family === h.family) &&
    (!ctx.strict || h.table === 0 || r.table === h.table)
  );
  // A strict FIB dump is always marked NLM_F_DUMP_FILTERED (the header was checked as a filter).
  return {
    dump: list.map((r) => encodeRoute(RouteType.NewRoute, r)),
    filtered: ctx.strict,
  };
}

/**
 * `RTM_GETROUTE` without `NLM_F_DUMP`: the longest-prefix match in the main table.
 *
 * @internal
 */
export function getRoute(s: RtnlState, m: Message): Message[] {
  const a = routeArgs(m);
  let best: RouteRecord | undefined;
  for (const r of s.routes) {
    if (
      r.family !== a.h.family || r.table !== RT_TABLE_MAIN ||
      !inPrefix(r.dst, r.dstLength, a.dst)
    ) continue;
    if (
      !best || r.dstLength > best.dstLength ||
      (r.dstLength === best.dstLength && r.priority < best.priority)
    ) {
      best = r;
    }
  }
  if (!best) throw new KernelError(ENETUNREACH);
  const reply = encodeRoute(RouteType.NewRoute, {
    ...best,
    dst: a.dst,
    dstLength: a.size * 8,
  });
  return [reply];
}
