/**
 * A route as the `Route` client returns it (`RouteEntry`), built from the
 * generated rt-route object, which it keeps in `attrs`.
 *
 * @module
 */

import {
  getroute,
  type RouteAttrs,
  type Rtmsg,
  type RtmType,
} from "../families/rt_route.ts";
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
 * A route. Optional fields are `undefined` when the kernel did not report
 * them; `flags` of a route without any is a shared empty list (do not
 * change it); `attrs` is decoded on first access.
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
  src?: string | undefined;
  /** The gateway. */
  gateway?: string | undefined;
  /** The output link's index. */
  oif?: number | undefined;
  /** The input link's index (a lookup with `iif`). */
  iif?: number | undefined;
  /** The table (`RTA_TABLE`; 254 is main, 255 local). */
  table: number;
  /** Who installed it (`kernel`, `boot`, `static`, `dhcp`...). */
  protocol: Protocol | number;
  /** The scope (`global`, `link`, `host`). */
  scope: Scope | number;
  /** The type (`unicast`, `local`, `broadcast`, `blackhole`, `unreachable`, `prohibit`...). */
  type: RtmType | number;
  /** The metric (`RTA_PRIORITY`), when set. */
  priority?: number | undefined;
  /** The preferred source address. */
  prefsrc?: string | undefined;
  /** Route flags (`linkdown`, `onlink`, `cloned`...). */
  flags: (RouteFlag | number)[];
  /** The next hops of a multipath route. */
  nexthops?: NextHopEntry[] | undefined;
  /** Every attribute the kernel sent, as the generated rt-route codec decodes it. */
  attrs: Rtmsg & RouteAttrs;
}

/**
 * A {@linkcode RouteEntry} as the client builds it: every field present
 * (the optional ones `undefined` when absent), and `attrs` decoded from the
 * message when first read.
 *
 * @internal
 */
export class RouteEntryImpl implements RouteEntry {
  family: AddressFamily | number = "inet";
  dst = "default";
  dstLength = 0;
  src: string | undefined = undefined;
  gateway: string | undefined = undefined;
  oif: number | undefined = undefined;
  iif: number | undefined = undefined;
  table = 0;
  protocol: Protocol | number = "unspec";
  scope: Scope | number = "global";
  type: RtmType | number = "unicast";
  priority: number | undefined = undefined;
  prefsrc: string | undefined = undefined;
  flags: (RouteFlag | number)[] = NO_FLAGS;
  nexthops: NextHopEntry[] | undefined = undefined;
  /** The message's bytes, or (once decoded) the generated value. */
  #src: Uint8Array | (Rtmsg & RouteAttrs);
  /** Where the payload is in `#src`: offset × 65536 + length; -1 once decoded. */
  #at: number;

  /**
   * An entry over a message payload (`bytes` must not change afterwards,
   * `length` below 65536), or over its decoded value.
   */
  constructor(
    bytes: Uint8Array,
    offset: number,
    length: number,
    attrs?: Rtmsg & RouteAttrs,
  ) {
    this.#src = attrs ?? bytes;
    this.#at = attrs === undefined ? offset * 65536 + length : -1;
  }

  /** Every attribute the kernel sent, as the generated codec decodes it (on first access). */
  get attrs(): Rtmsg & RouteAttrs {
    if (this.#at < 0) return this.#src as Rtmsg & RouteAttrs;
    const bytes = this.#src as Uint8Array;
    const value = getroute.decodeView({
      bytes,
      offset: Math.floor(this.#at / 65536),
      length: this.#at % 65536,
    });
    this.#src = value;
    this.#at = -1;
    return value;
  }
}

/** The flags of a route without any (shared: do not change it). */
const NO_FLAGS: (RouteFlag | number)[] = Object.freeze([]) as unknown as (
  | RouteFlag
  | number
)[];

/**
 * The names of `rtm_flags`; the shared empty list when there are none.
 *
 * @internal
 */
export function routeFlags(flags: number): (RouteFlag | number)[] {
  return flags === 0 ? NO_FLAGS : flagNames(ROUTE_FLAGS, flags);
}

const NONE = new Uint8Array(0);

/**
 * Builds a {@linkcode RouteEntry} from a decoded rt-route message.
 *
 * @internal
 */
export function toRouteEntry(a: Rtmsg & RouteAttrs): RouteEntry {
  const r = new RouteEntryImpl(NONE, 0, 0, a);
  r.family = familyName(a.rtmFamily);
  r.dst = a.rtmDstLen === 0 || a.dst === undefined
    ? "default"
    : `${a.dst}/${a.rtmDstLen}`;
  r.dstLength = a.rtmDstLen;
  if (a.src !== undefined) r.src = `${a.src}/${a.rtmSrcLen}`;
  r.gateway = a.gateway;
  r.oif = a.oif;
  r.iif = a.iif;
  r.table = a.table ?? a.rtmTable;
  r.protocol = nameOf(PROTOCOLS, a.rtmProtocol);
  r.scope = nameOf(SCOPES, a.rtmScope);
  r.type = a.rtmType;
  r.priority = a.priority;
  r.prefsrc = a.prefsrc;
  r.flags = routeFlags(a.rtmFlags);
  if (a.multipath !== undefined) r.nexthops = decodeMultipath(a.multipath);
  return r;
}
