/**
 * A route as the `Route` client returns it (`RouteEntry`), built from the
 * generated rt-route object, which it keeps in `attrs`.
 *
 * @module
 */

import type { RouteAttrs, Rtmsg, RtmType } from "../families/rt_route.ts";
import {
  flagNames,
  nameOf,
  type Protocol,
  PROTOCOLS,
  ROUTE_FLAGS,
  type RouteFlag,
  type Scope,
  SCOPES,
} from "./names.ts";
import { decodeMultipath, type NextHopEntry } from "./nexthop.ts";
import { type AddressFamily, familyName } from "./text.ts";

/**
 * A route.
 *
 * @example The default route (simulated kernel)
 * ```ts
 * import { Route, type RouteEntry } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.addresses.add("br0", "10.1.2.3/24");
 * await route.routes.add({ dst: "default", gateway: "10.1.2.1" });
 * const [r]: RouteEntry[] = await route.routes.list({ dst: "default" });
 * assert.deepEqual([r?.dst, r?.gateway, r?.table, r?.protocol, r?.type], ["default", "10.1.2.1", 254, "boot", "unicast"]);
 * ```
 */
export interface RouteEntry {
  /** `inet` or `inet6`. */
  family: AddressFamily | number;
  /** The destination: `default`, or the prefix as `10.9.0.0/16` (always with its length). */
  dst: string;
  /** The destination's prefix length. */
  dstLength: number;
  /** The source prefix (policy routing on the source), when set. */
  src?: string;
  /** The gateway. */
  gateway?: string;
  /** The output link's index. */
  oif?: number;
  /** The input link's index (a lookup with `iif`). */
  iif?: number;
  /** The table (`RTA_TABLE`; 254 is main, 255 local). */
  table: number;
  /** Who installed it (`kernel`, `boot`, `static`, `dhcp`...). */
  protocol: Protocol | number;
  /** The scope (`global`, `link`, `host`). */
  scope: Scope | number;
  /** The type (`unicast`, `local`, `broadcast`, `blackhole`, `unreachable`, `prohibit`...). */
  type: RtmType | number;
  /** The metric (`RTA_PRIORITY`), when set. */
  priority?: number;
  /** The preferred source address. */
  prefsrc?: string;
  /** Route flags (`linkdown`, `onlink`, `cloned`...). */
  flags: (RouteFlag | number)[];
  /** The next hops of a multipath route. */
  nexthops?: NextHopEntry[];
  /** Every attribute the kernel sent, as the generated rt-route codec decodes it. */
  attrs: Rtmsg & RouteAttrs;
}

/**
 * Builds a {@linkcode RouteEntry} from a decoded rt-route message.
 *
 * @internal
 */
export function toRouteEntry(a: Rtmsg & RouteAttrs): RouteEntry {
  const r: RouteEntry = {
    family: familyName(a.rtmFamily),
    dst: a.rtmDstLen === 0 || a.dst === undefined
      ? "default"
      : `${a.dst}/${a.rtmDstLen}`,
    dstLength: a.rtmDstLen,
    table: a.table ?? a.rtmTable,
    protocol: nameOf(PROTOCOLS, a.rtmProtocol),
    scope: nameOf(SCOPES, a.rtmScope),
    type: a.rtmType,
    flags: a.rtmFlags === 0 ? [] : flagNames(ROUTE_FLAGS, a.rtmFlags),
    attrs: a,
  };
  if (a.src !== undefined) r.src = `${a.src}/${a.rtmSrcLen}`;
  if (a.gateway !== undefined) r.gateway = a.gateway;
  if (a.oif !== undefined) r.oif = a.oif;
  if (a.iif !== undefined) r.iif = a.iif;
  if (a.priority !== undefined) r.priority = a.priority;
  if (a.prefsrc !== undefined) r.prefsrc = a.prefsrc;
  if (a.multipath !== undefined) r.nexthops = decodeMultipath(a.multipath);
  return r;
}
