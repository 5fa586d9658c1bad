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
} from "../families/rt_route.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { type Ctx, receive } from "./_context.ts";
import { named } from "./errors.ts";
import { nameOf, PROTOCOLS, valueOf } from "./names.ts";
import {
  address,
  destination,
  type RouteFilter,
  type RouteLookup,
  routeRequest,
  type RouteSpec,
  tableOf,
} from "./route_spec.ts";
import type { RouteEntry } from "./route_entry.ts";
import { DatagramCopy, readRoute } from "./_fast.ts";
import { Errno } from "../netlink/errno.ts";
import { NetlinkError } from "../netlink/errors.ts";
import { HeaderFlags } from "../netlink/header.ts";
import { familyName, familyNumber } from "./text.ts";

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
    const { what, req } = await routeRequest(this.#ctx, mode, spec);
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
