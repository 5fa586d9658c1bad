/**
 * What the route calls take: a route to add, replace or delete
 * (`RouteSpec`, `NextHop`), which routes to list (`RouteFilter`), what to
 * look up (`RouteLookup`), and turning a spec into an rt-route request.
 *
 * @module
 */

import { type RouteAttrs, type Rtmsg, RtmType } from "../families/rt_route.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { type Ctx, label, type LinkRef } from "./_context.ts";
import {
  type Protocol,
  PROTOCOLS,
  ROUTE_FLAGS,
  type Scope,
  SCOPES,
  type TableName,
  TABLES,
  valueOf,
} from "./names.ts";
import { encodeMultipath, type RawNextHop } from "./nexthop.ts";
import {
  type AddressFamily,
  cidrOrProblem,
  familyNumber,
  ipOrProblem,
} from "./text.ts";

/**
 * One next hop of a multipath route to add.
 */
export interface NextHop {
  /** The gateway. */
  gateway?: string;
  /** The output link. */
  dev?: LinkRef;
  /** The weight, 1 to 256 (default 1). */
  weight?: number;
  /** The gateway is on the link even if no prefix says so (`onlink`). */
  onlink?: boolean;
}

/**
 * A route to add, replace or delete, as the arguments of `ip route add`.
 */
export interface RouteSpec {
  /** The destination: a prefix (`192.0.2.0/24`, `2001:db8::/32`) or `default`. */
  dst: string;
  /** For `default` without a gateway: the family (default `inet`). */
  family?: AddressFamily;
  /** The gateway. */
  gateway?: string;
  /** The output link. */
  dev?: LinkRef;
  /** The table: a number or `main`, `local`, `default` (default `main`). */
  table?: number | TableName;
  /** The metric (`RTA_PRIORITY`). */
  metric?: number;
  /** The type (default `unicast`): `blackhole`, `unreachable`, `prohibit`, `local`, `throw`... */
  type?: RtmType;
  /** Who installs it (default `boot`, as `ip route`). */
  protocol?: Protocol | number;
  /** The scope (default as `ip route`: `link` for a unicast route without gateway, else `global`). */
  scope?: Scope | number;
  /** The preferred source address. */
  prefsrc?: string;
  /** The gateway is on the link (`onlink`). */
  onlink?: boolean;
  /** The path MTU (`mtu` metric). */
  mtu?: number;
  /** The next hops of a multipath route (instead of `gateway`/`dev`). */
  nexthops?: NextHop[];
}

/**
 * Which routes `routes.list` returns.
 */
export interface RouteFilter {
  /** Only this family's (default both). */
  family?: AddressFamily;
  /** Only this table's (default every table). */
  table?: number | TableName;
  /** Only routes out of this link. */
  dev?: LinkRef;
  /** Only this destination (`default` or a prefix, exactly). */
  dst?: string;
  /** Only this type. */
  type?: RtmType;
  /** Only this protocol. */
  protocol?: Protocol | number;
}

/**
 * Options of `routes.get`: the rest of the packet the kernel looks a route
 * up for (as `ip route get ADDRESS from ... iif ... oif ... mark ...`).
 */
export interface RouteLookup extends ReceiveOptions {
  /** The source address. */
  from?: string;
  /** The input link. */
  iif?: LinkRef;
  /** The output link. */
  oif?: LinkRef;
  /** The firewall mark. */
  mark?: number;
}

/** @internal */
export function describe(s: RouteSpec): string {
  let d = `route ${String(s.dst)}`;
  if (s.type !== undefined && s.type !== "unicast") d = `${s.type} ${d}`;
  if (s.gateway !== undefined) d += ` via ${s.gateway}`;
  if (s.dev !== undefined) d += ` dev ${label(s.dev)}`;
  if (s.table !== undefined) d += ` table ${s.table}`;
  if (s.metric !== undefined) d += ` metric ${s.metric}`;
  return d;
}

/** @internal */
export function address(text: string, what: string): { family: number } {
  const b = ipOrProblem(text);
  if (typeof b === "string") throw new TypeError(`Cannot ${what}: ${b}`);
  return { family: b.length === 4 ? 2 : 10 };
}

/** The destination of a spec or filter: family, bytes text and length. */
/** @internal */
export function destination(
  dst: string,
  family: AddressFamily | undefined,
  hint: string | undefined,
  what: string,
): { family: number; dst?: string; length: number } {
  if (dst === "default") {
    const f = family !== undefined
      ? familyNumber(family)
      : hint !== undefined
      ? address(hint, what).family
      : 2;
    return { family: f, length: 0 };
  }
  const c = cidrOrProblem(dst);
  if (typeof c === "string") throw new TypeError(`Cannot ${what}: ${c}`);
  return {
    family: familyNumber(c.family),
    dst: c.address,
    length: c.prefixLength,
  };
}

/** @internal */
export function tableOf(
  t: number | TableName | undefined,
  what: string,
): number {
  return t === undefined
    ? TABLES.main
    : valueOf(TABLES, t, `Cannot ${what}: table`, 0xffffffff);
}

/**
 * The rt-route request for adding, replacing or deleting `spec`, with the
 * description errors use ("add route 10.9.0.0/16 via 10.1.2.1").
 *
 * @internal
 * @throws {TypeError} For bad text (quoted) or a bad option.
 */
export async function routeRequest(
  ctx: Ctx,
  mode: "add" | "replace" | "delete",
  spec: RouteSpec,
): Promise<{ what: string; req: Partial<Rtmsg> & RouteAttrs }> {
  const what = `${mode} ${describe(spec)}`;
  const hint = spec.gateway ?? spec.nexthops?.find((h) => h.gateway)?.gateway;
  const d = destination(spec.dst, spec.family, hint, what);
  const table = tableOf(spec.table, what);
  const type = spec.type === undefined
    ? (mode === "delete" ? 0 : RtmType.unicast)
    : valueOf(RtmType, spec.type, `Cannot ${what}: type`);
  const unicast = type === RtmType.unicast || type === 0;
  const hasGateway = hint !== undefined || spec.nexthops !== undefined;
  const scope = spec.scope !== undefined
    ? valueOf(SCOPES, spec.scope, `Cannot ${what}: scope`)
    : mode === "delete"
    ? SCOPES.nowhere
    : type === RtmType.local || type === RtmType.nat
    ? SCOPES.host
    : type === RtmType.broadcast || type === RtmType.multicast ||
        type === RtmType.anycast
    ? SCOPES.link
    : unicast && !hasGateway && spec.onlink !== true
    ? SCOPES.link
    : SCOPES.global;
  const req: Partial<Rtmsg> & RouteAttrs = {
    rtmFamily: d.family,
    rtmDstLen: d.length,
    rtmTable: table < 256 ? table : 0,
    rtmProtocol: spec.protocol !== undefined
      ? valueOf(PROTOCOLS, spec.protocol, `Cannot ${what}: protocol`)
      : mode === "delete"
      ? 0
      : PROTOCOLS.boot,
    rtmScope: scope,
    rtmType: type,
    rtmFlags: spec.onlink === true ? ROUTE_FLAGS.onlink : 0,
    table,
  };
  if (d.dst !== undefined) req.dst = d.dst;
  if (spec.gateway !== undefined) {
    address(spec.gateway, what);
    req.gateway = spec.gateway;
  }
  if (spec.dev !== undefined) {
    req.oif = await ctx.index(spec.dev, what);
  }
  if (spec.metric !== undefined) req.priority = spec.metric;
  if (spec.prefsrc !== undefined) {
    address(spec.prefsrc, what);
    req.prefsrc = spec.prefsrc;
  }
  if (spec.mtu !== undefined) req.metrics = { mtu: spec.mtu };
  if (spec.nexthops !== undefined) {
    const hops: RawNextHop[] = [];
    for (const h of spec.nexthops) {
      if (h.gateway !== undefined) address(h.gateway, what);
      const hop: RawNextHop = {
        oif: h.dev === undefined ? 0 : await ctx.index(h.dev, what),
        weight: h.weight ?? 1,
        flags: h.onlink === true ? ROUTE_FLAGS.onlink : 0,
      };
      if (h.gateway !== undefined) hop.gateway = h.gateway;
      hops.push(hop);
    }
    try {
      req.multipath = encodeMultipath(hops);
    } catch (e) {
      throw new TypeError(`Cannot ${what}: ${(e as Error).message}`);
    }
  }
  return { what, req };
}
