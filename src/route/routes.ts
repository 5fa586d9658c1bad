/**
 * `route.routes`: list, look up, add, replace and delete IPv4 and IPv6
 * routes, as `ip route` does, through the generated rt-route operations.
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
import type { ReceiveOptions } from "../netlink/options.ts";
import { type Ctx, label, type LinkRef } from "./_context.ts";
import { named } from "./errors.ts";
import {
  nameOf,
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
import type { RouteEntry } from "./route_entry.ts";
import { DatagramCopy, readRoute } from "./_fast.ts";
import { Errno } from "../netlink/errno.ts";
import { NetlinkError } from "../netlink/errors.ts";
import { HeaderFlags } from "../netlink/header.ts";
import {
  type AddressFamily,
  cidrOrProblem,
  familyName,
  familyNumber,
  ipOrProblem,
} from "./text.ts";

/**
 * One next hop of a multipath route to add.
 *
 * @example Two gateways, the first twice as heavy
 * ```ts
 * import type { NextHop } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * const hops: NextHop[] = [{ gateway: "10.1.2.1", weight: 2 }, { gateway: "10.1.2.2", dev: "br0" }];
 * assert.equal(hops.length, 2);
 * ```
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
 *
 * @example A blackhole route in table 100
 * ```ts
 * import type { RouteSpec } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * const spec: RouteSpec = { dst: "192.0.2.0/24", type: "blackhole", table: 100 };
 * assert.equal(spec.type, "blackhole");
 * ```
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
 *
 * @example The IPv4 routes of the main table through br0
 * ```ts
 * import type { RouteFilter } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * const filter: RouteFilter = { family: "inet", table: "main", dev: "br0" };
 * assert.equal(filter.table, "main");
 * ```
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

function receive(o: ReceiveOptions): ReceiveOptions {
  const r: ReceiveOptions = {};
  if (o.signal !== undefined) r.signal = o.signal;
  if (o.timeout !== undefined) r.timeout = o.timeout;
  return r;
}

function describe(s: RouteSpec): string {
  let d = `route ${String(s.dst)}`;
  if (s.type !== undefined && s.type !== "unicast") d = `${s.type} ${d}`;
  if (s.gateway !== undefined) d += ` via ${s.gateway}`;
  if (s.dev !== undefined) d += ` dev ${label(s.dev)}`;
  if (s.table !== undefined) d += ` table ${s.table}`;
  if (s.metric !== undefined) d += ` metric ${s.metric}`;
  return d;
}

function address(text: string, what: string): { family: number } {
  const b = ipOrProblem(text);
  if (typeof b === "string") throw new TypeError(`Cannot ${what}: ${b}`);
  return { family: b.length === 4 ? 2 : 10 };
}

/** The destination of a spec or filter: family, bytes text and length. */
function destination(
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

function tableOf(t: number | TableName | undefined, what: string): number {
  return t === undefined
    ? TABLES.main
    : valueOf(TABLES, t, `Cannot ${what}: table`, 0xffffffff);
}

/**
 * The routes of a `Route` (`route.routes`).
 *
 * @example Add a route through a gateway, look it up, delete it (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.addresses.add("br0", "10.1.2.3/24");
 * await route.routes.add({ dst: "10.9.0.0/16", gateway: "10.1.2.1" });
 * const hit = await route.routes.get("10.9.8.7");
 * assert.deepEqual([hit.dst, hit.gateway], ["10.9.8.7/32", "10.1.2.1"]);
 * await route.routes.delete({ dst: "10.9.0.0/16" });
 * await assert.rejects(route.routes.delete({ dst: "10.9.0.0/16" }), { code: "ESRCH" });
 * ```
 */
export class Routes {
  readonly #ctx: Ctx;

  /** @internal */
  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  /**
   * Lists the routes of every table (or those the filter picks), as `ip
   * route show table all`.
   *
   * @param filter Which: family, table, link, destination, type, protocol.
   * @param options An abort signal, a timeout.
   * @returns The routes, in the kernel's order.
   * @throws {NetlinkError} When the kernel refuses the dump.
   */
  async list(
    filter: RouteFilter = {},
    options: ReceiveOptions = {},
  ): Promise<RouteEntry[]> {
    const what = "list routes";
    const family = filter.family === undefined
      ? 0
      : familyNumber(filter.family);
    const table = filter.table === undefined
      ? undefined
      : tableOf(filter.table, what);
    const oif = filter.dev === undefined
      ? undefined
      : await this.#ctx.index(filter.dev, what);
    const dst = filter.dst === undefined
      ? undefined
      : destination(filter.dst, filter.family, undefined, what);
    const protocol = filter.protocol === undefined
      ? undefined
      : valueOf(PROTOCOLS, filter.protocol, `Cannot ${what}: protocol`);
    const protocolName = protocol === undefined
      ? undefined
      : nameOf(PROTOCOLS, protocol);
    const dstText = dst === undefined
      ? undefined
      : dst.length === 0
      ? "default"
      : `${dst.dst}/${dst.length}`;
    const dstFamily = dst === undefined ? undefined : familyName(dst.family);
    const out: RouteEntry[] = [];
    const want = getroute.dumpReply;
    const copies = new DatagramCopy();
    try {
      await this.#ctx.conn.visit(
        getroute.encode({ rtmFamily: family }, { dump: true }),
        (v) => {
          if (v.header.type !== want) return;
          const r = readRoute(copies.of(v), v.offset, v.length);
          if (table !== undefined && r.table !== table) return;
          if (oif !== undefined && r.oif !== oif) return;
          if (filter.type !== undefined && r.type !== filter.type) return;
          if (protocolName !== undefined && r.protocol !== protocolName) return;
          if (
            dstText !== undefined &&
            (r.family !== dstFamily || r.dst !== dstText)
          ) return;
          out.push(r);
        },
        receive(options),
      );
    } catch (e) {
      throw named(e, what, "list");
    }
    return out;
  }

  /**
   * Asks the kernel which route it would use for `dst`, as `ip route get`
   * (`RTM_GETROUTE` without a dump): the answer is a route to exactly
   * `dst` (`/32` or `/128`) with the gateway, output link and source the
   * kernel chose.
   *
   * @param dst An address.
   * @param lookup The source, input and output links, mark; an abort signal.
   * @returns The route.
   * @throws {TypeError} When `dst` is not an address.
   * @throws {NetlinkError} ENETUNREACH ("Network is unreachable") when no route matches; the kernel's other errors.
   */
  async get(dst: string, lookup: RouteLookup = {}): Promise<RouteEntry> {
    const what = `get route to ${String(dst)}`;
    const { family } = address(dst, what);
    const req: Partial<Rtmsg> & RouteAttrs = {
      rtmFamily: family,
      rtmDstLen: family === 2 ? 32 : 128,
      dst,
    };
    if (lookup.from !== undefined) {
      address(lookup.from, what);
      req.src = lookup.from;
      req.rtmSrcLen = family === 2 ? 32 : 128;
    }
    if (lookup.iif !== undefined) {
      req.iif = await this.#ctx.index(lookup.iif, what);
    }
    if (lookup.oif !== undefined) {
      req.oif = await this.#ctx.index(lookup.oif, what);
    }
    if (lookup.mark !== undefined) req.mark = lookup.mark;
    try {
      const [m] = await this.#ctx.conn.execute(
        getroute.encode(req, { flags: HeaderFlags.Request }),
        receive(lookup),
      );
      if (m === undefined) {
        throw new NetlinkError("get", Errno.EPROTO, { detail: "no reply" });
      }
      return readRoute(m.data, 0, m.data.length);
    } catch (e) {
      throw named(e, what, "get");
    }
  }

  /**
   * Adds a route, as `ip route add`; fails with EEXIST when it exists.
   *
   * @param spec The route.
   * @param options An abort signal, a timeout.
   * @throws {TypeError} For bad text (quoted) or a bad option.
   * @throws {NetlinkError} Naming the route: EEXIST, ENETUNREACH ("Nexthop has invalid gateway"), ENODEV...
   */
  add(spec: RouteSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("add", spec, options);
  }

  /**
   * Adds a route or replaces the one with the same destination, table,
   * metric and TOS, as `ip route replace`.
   *
   * @param spec The route.
   * @param options An abort signal, a timeout.
   * @throws {TypeError} For bad text or a bad option.
   * @throws {NetlinkError} Naming the route.
   */
  replace(spec: RouteSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("replace", spec, options);
  }

  /**
   * Deletes a route, as `ip route del`: the first one matching the
   * destination and table and whatever else the spec gives (gateway, link,
   * metric, type, protocol, scope).
   *
   * @param spec The route.
   * @param options An abort signal, a timeout.
   * @throws {NetlinkError} ESRCH ("No such process") when no route matches.
   */
  delete(spec: RouteSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("delete", spec, options);
  }

  async #change(
    mode: "add" | "replace" | "delete",
    spec: RouteSpec,
    options: ReceiveOptions,
  ): Promise<void> {
    if (spec === null || typeof spec !== "object") {
      throw new TypeError(`Cannot ${mode} route: spec must be an object`);
    }
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
      req.oif = await this.#ctx.index(spec.dev, what);
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
          oif: h.dev === undefined ? 0 : await this.#ctx.index(h.dev, what),
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
    const op = mode === "delete" ? delroute : newroute;
    const flags = mode === "add"
      ? { create: true, excl: true }
      : mode === "replace"
      ? { create: true, replace: true }
      : {};
    try {
      await op.do(this.#ctx.conn, req, { ...receive(options), ...flags });
    } catch (e) {
      throw named(e, what, mode);
    }
  }
}
