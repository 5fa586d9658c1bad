/**
 * The routes the simulated kernel manages itself, as `fib_add_ifaddr`,
 * `fib_del_ifaddr`, `fib_disable_ip` and addrconf do: the local, prefix and
 * broadcast routes of IPv4 addresses, the local and prefix routes of IPv6
 * addresses, and what a link going down or away takes with it. Also the
 * prefix arithmetic the route handlers share.
 *
 * @module
 */

import { formatIP, parseIP } from "../families/_text.ts";
import { PROTOCOLS, SCOPES, TABLES } from "../route/names.ts";
import { routeMessage } from "./rtnl_encode.ts";
import {
  type AddressRecord,
  AF,
  IFF,
  type LinkRecord,
  type Origin,
  type RouteRecord,
  type RtnlState,
  send,
} from "./rtnl_state.ts";

/** `RTN_UNICAST`, `RTN_LOCAL`, `RTN_BROADCAST`, `RTN_MULTICAST` (`linux/rtnetlink.h`). */
export const RTN = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  multicast: 5,
} as const;
/** `RTNLGRP_IPV4_ROUTE` and `RTNLGRP_IPV6_ROUTE`. */
export const ROUTE_GROUP = { [AF.inet]: 7, [AF.inet6]: 11 } as Readonly<
  Record<number, number>
>;
/** `IFA_F_NOPREFIXROUTE` and `IFA_F_SECONDARY` (`linux/if_addr.h`). */
const IFA_F_NOPREFIXROUTE = 0x200;
const IFA_F_SECONDARY = 0x1;
/** `NLM_F_EXCL | NLM_F_CREATE`: the header flags of a route the kernel adds. */
export const CREATE_EXCL = 0x600;

/** Address text to bytes (the text is the codec's own, so it parses). */
export function bytes(text: string): Uint8Array {
  return parseIP(text) ?? new Uint8Array(0);
}

function maskByte(length: number, i: number): number {
  const left = length - 8 * i;
  return left >= 8 ? 0xff : left <= 0 ? 0 : (0xff << (8 - left)) & 0xff;
}

/** The network address of `text/length`. */
export function network(text: string, length: number): string {
  const b = bytes(text).map((x, i) => x & maskByte(length, i));
  return formatIP(b, 0, b.length);
}

/** The IPv4 broadcast address of `text/length`. */
function broadcastOf(text: string, length: number): string {
  const b = bytes(text).map((x, i) => x | (~maskByte(length, i) & 0xff));
  return formatIP(b, 0, b.length);
}

/** Whether `addr` lies in `prefix/length` (same family). */
export function inPrefix(
  prefix: string,
  length: number,
  addr: string,
): boolean {
  const p = prefix === "" ? undefined : bytes(prefix);
  const a = bytes(addr);
  if (p === undefined) return true;
  if (p.length !== a.length) return false;
  for (let i = 0; i < p.length; i++) {
    const m = maskByte(length, i);
    if (((p[i]! ^ a[i]!) & m) !== 0) return false;
  }
  return true;
}

/** Whether any bit after the first `length` is set. */
export function hasHostBits(text: string, length: number): boolean {
  return network(text, length) !== formatIP(bytes(text), 0, bytes(text).length);
}

function same(a: RouteRecord, b: RouteRecord): boolean {
  return a.family === b.family && a.table === b.table && a.type === b.type &&
    a.dst === b.dst && a.dstLength === b.dstLength && a.oif === b.oif &&
    a.priority === b.priority;
}

function kernelRoute(
  a: AddressRecord,
  table: number,
  type: number,
  dst: string,
  dstLength: number,
  scope: number,
  priority: number,
): RouteRecord {
  return {
    family: a.family,
    table,
    dst,
    dstLength,
    tos: 0,
    protocol: PROTOCOLS.kernel,
    scope,
    type,
    priority,
    gateway: undefined,
    oif: a.index,
    prefsrc: a.family === AF.inet ? a.local : undefined,
    flags: 0,
    multipath: undefined,
    hops: [],
  };
}

/**
 * The routes an address gives its link: always the local route; while the
 * link is up, the prefix route and (IPv4) the broadcast route.
 */
export function routesOf(s: RtnlState, a: AddressRecord): RouteRecord[] {
  const l = s.links.get(a.index);
  if (l === undefined) return [];
  const up = (l.flags & IFF.up) !== 0;
  const prefix = (a.flags & IFA_F_NOPREFIXROUTE) === 0;
  if (a.family === AF.inet6) {
    if (!up) return [];
    const out = [
      kernelRoute(a, TABLES.local, RTN.local, a.local, 128, SCOPES.global, 0),
    ];
    if (a.prefixLength < 128 && prefix) {
      out.push(kernelRoute(
        a,
        TABLES.main,
        RTN.unicast,
        network(a.local, a.prefixLength),
        a.prefixLength,
        SCOPES.global,
        a.metric || 256,
      ));
    }
    return out;
  }
  // A secondary address's routes take the primary's address as source.
  const primary = (a.flags & IFA_F_SECONDARY) === 0
    ? a
    : s.addresses.find((x) =>
      x.family === AF.inet && x.index === a.index &&
      (x.flags & IFA_F_SECONDARY) === 0 && x.prefixLength === a.prefixLength &&
      network(x.local, x.prefixLength) === network(a.local, a.prefixLength)
    ) ?? a;
  const local = kernelRoute(
    a,
    TABLES.local,
    RTN.local,
    a.local,
    32,
    SCOPES.host,
    0,
  );
  local.prefsrc = primary.local;
  const out = [local];
  if (!up) return out;
  if (a !== primary) return out;
  const loopback = (l.flags & IFF.loopback) !== 0;
  if (a.prefixLength < 32 && prefix) {
    out.push(
      loopback
        ? kernelRoute(
          a,
          TABLES.local,
          RTN.local,
          network(a.local, a.prefixLength),
          a.prefixLength,
          SCOPES.host,
          0,
        )
        : kernelRoute(
          a,
          TABLES.main,
          RTN.unicast,
          network(a.local, a.prefixLength),
          a.prefixLength,
          SCOPES.link,
          a.metric,
        ),
    );
  }
  if (a.prefixLength < 31) {
    out.push(kernelRoute(
      a,
      TABLES.local,
      RTN.broadcast,
      broadcastOf(a.local, a.prefixLength),
      32,
      SCOPES.link,
      0,
    ));
  }
  return out;
}

/** Adds the routes of one address that are missing, announcing each. */
export function addAddressRoutes(
  s: RtnlState,
  a: AddressRecord,
  o: Origin,
): void {
  for (const r of routesOf(s, a)) {
    if (s.routes.some((x) => same(x, r))) continue;
    s.routes.push(r);
    send(
      o,
      ROUTE_GROUP[r.family]!,
      routeMessage(s, r, false),
      false,
      CREATE_EXCL,
    );
  }
}

/** A link came up: the routes of its addresses. */
export function addKernelRoutes(s: RtnlState, l: LinkRecord, o: Origin): void {
  for (const a of s.addresses) {
    if (a.index === l.index) addAddressRoutes(s, a, o);
  }
}

/**
 * Removes the routes of a deleted address (prefix, broadcast, then local,
 * as `fib_del_ifaddr`) that no other address of the link still gives,
 * announcing each.
 */
export function removeAddressRoutes(
  s: RtnlState,
  a: AddressRecord,
  o: Origin,
): void {
  const mine = routesOf(s, a);
  const order = [...mine.slice(1), mine[0]!].filter((r) => r !== undefined);
  const others = s.addresses.filter((x) => x !== a && x.index === a.index)
    .flatMap((x) => routesOf(s, x));
  for (const r of order) {
    if (others.some((x) => same(x, r))) continue;
    const i = s.routes.findIndex((x) =>
      same(x, r) && x.protocol === PROTOCOLS.kernel
    );
    if (i < 0) continue;
    const [gone] = s.routes.splice(i, 1);
    send(o, ROUTE_GROUP[gone!.family]!, routeMessage(s, gone!, true), false);
  }
}

/**
 * A link went down: its IPv4 routes leave without a notification
 * (`fib_sync_down_dev`), except host-scope (local) ones; its IPv6 routes
 * leave with one (`addrconf_ifdown`).
 */
export function flushDownRoutes(s: RtnlState, l: LinkRecord, o: Origin): void {
  const through = (r: RouteRecord) =>
    r.oif === l.index || r.hops.includes(l.index);
  for (const r of s.routes.filter((r) => through(r) && r.family === AF.inet6)) {
    send(o, ROUTE_GROUP[r.family]!, routeMessage(s, r, true), false);
  }
  s.routes = s.routes.filter((r) =>
    !through(r) || (r.family === AF.inet && r.scope === SCOPES.host)
  );
}

/** Everything through a link that is going away, silently (after its addresses went with notifications). */
export function forgetLink(s: RtnlState, l: LinkRecord): void {
  s.routes = s.routes.filter((r) =>
    r.oif !== l.index && !r.hops.includes(l.index)
  );
  s.neighbours = s.neighbours.filter((n) => n.index !== l.index);
}
