/**
 * rtnetlink as easy as `ip`: the {@linkcode Route} client lists and
 * changes links, addresses, routes, neighbour entries and policy rules
 * with names instead of numbers, and watches their changes as typed
 * events. Everything goes through the generated rt-* codecs of
 * `@nlkit/netlink/families` (each result keeps the generated object in
 * `attrs`); kernel errors name the object they are about.
 *
 * - `route.links`: `list`, `get` (name or index), `add` (bridge, veth with
 *   its peer, vxlan, macvlan, vlan, bond, ... with the kind's settings as
 *   the spec's sub-message), `set` (up/down, mtu, name, master, address,
 *   alias, netns), `delete`;
 * - `route.addresses`: `list`, `add` (IPv4/IPv6, label, lifetimes, flags),
 *   `delete`, `flush`;
 * - `route.routes`: `list`, `get` (the kernel's lookup), `add`, `replace`,
 *   `delete` (gateway, device, table, metric, type, multipath next hops);
 * - `route.neighbours`, `route.rules`: `list`, `add`, `delete`;
 * - `route.monitor(groups)`: {@linkcode RouteEvent}s;
 * - text: {@linkcode parseCIDR}, {@linkcode parseIP}, {@linkcode formatIP}
 *   (RFC 5952), {@linkcode parseMAC}, {@linkcode formatMAC}.
 *
 * @example Build a bridge with a veth port, an address and a route (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, isNotExist } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.links.add({ name: "veth0", kind: "veth", peer: "veth1", master: "br0", up: true });
 * await route.addresses.add("br0", "10.1.2.3/24");
 * await route.routes.add({ dst: "10.9.0.0/16", gateway: "10.1.2.1" });
 * await assert.rejects(route.addresses.add("br0", "10.1.2.3/24"), {
 *   message: "Cannot add address 10.1.2.3/24 to br0: EEXIST (File exists): ipv4: Address already assigned",
 * });
 * await assert.rejects(route.links.get("nope0"), (e) => isNotExist(e));
 * ```
 *
 * @module
 */

export { Route, type RouteOptions } from "./route.ts";
export type { LinkRef } from "./_context.ts";
export type { NetnsRef } from "./_netns.ts";
export type { Link } from "./link.ts";
export { Links } from "./links.ts";
export type {
  LinkChanges,
  LinkFilter,
  LinkQueryOptions,
  LinkSpec,
  PeerSpec,
} from "./link_spec.ts";
export {
  type Address,
  Addresses,
  type AddressFilter,
  type AddressOptions,
} from "./addresses.ts";
export type { RouteEntry } from "./route_entry.ts";
export type { NextHopEntry } from "./nexthop.ts";
export { Routes } from "./routes.ts";
export type {
  NextHop,
  RouteFilter,
  RouteLookup,
  RouteSpec,
} from "./route_spec.ts";
export {
  type Neighbour,
  type NeighbourFilter,
  Neighbours,
  type NeighbourSpec,
} from "./neighbours.ts";
export { type Rule, type RuleFilter, Rules, type RuleSpec } from "./rules.ts";
export {
  type AddressEvent,
  type BridgePortEvent,
  decodeEvent,
  type EventAction,
  type LinkEvent,
  type MonitorGroup,
  type NeighbourEvent,
  type RouteChangeEvent,
  type RouteEvent,
  type RuleEvent,
} from "./monitor.ts";
export {
  type AddressFamily,
  type CIDR,
  formatIP,
  formatMAC,
  parseCIDR,
  parseIP,
  parseMAC,
} from "./text.ts";
export {
  LINK_TYPES,
  OPER_STATES,
  type OperState,
  type Protocol,
  PROTOCOLS,
  ROUTE_FLAGS,
  type RouteFlag,
  type Scope,
  SCOPES,
  type TableName,
  TABLES,
} from "./names.ts";
