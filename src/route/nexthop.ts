/**
 * The next hops of a multipath route (`RTA_MULTIPATH`): a list of `struct
 * rtnexthop` (`linux/rtnetlink.h`), each followed by route attributes
 * (`RTA_GATEWAY`...). The rt-route spec leaves `multipath` as binary, so
 * the 8-byte header is laid out here; the attributes after it go through
 * the generated rt-route codec.
 *
 * ```c
 * struct rtnexthop {
 *   unsigned short rtnh_len;     // header and attributes
 *   unsigned char  rtnh_flags;   // RTNH_F_*
 *   unsigned char  rtnh_hops;    // weight - 1
 *   int            rtnh_ifindex;
 * };                             // RTNH_ALIGN: 4 bytes
 * ```
 *
 * @module
 */

import {
  decodeBody,
  encodeBody,
  type Obj,
  UNKNOWN,
} from "../families/_codec.ts";
import { compiled } from "../families/family.ts";
import { family, type RouteAttrs } from "../families/rt_route.ts";
import { AttributeEncoder } from "../netlink/attribute.ts";
import {
  get16,
  get32,
  HOST_LITTLE_ENDIAN as LE,
  put16,
  put32,
} from "../netlink/_endian.ts";
import { flagNames, ROUTE_FLAGS, type RouteFlag } from "./names.ts";

/** `sizeof(struct rtnexthop)`. */
const RTNH_LENGTH = 8;

/**
 * One next hop of a multipath route, as the kernel reports it.
 *
 * @example The next hops of a route (simulated kernel)
 * ```ts
 * import { type NextHopEntry, Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.addresses.add("br0", "10.1.2.3/24");
 * await route.routes.add({ dst: "10.9.0.0/16", nexthops: [{ gateway: "10.1.2.1", weight: 2 }, { gateway: "10.1.2.2" }] });
 * const [r] = await route.routes.list({ dst: "10.9.0.0/16" });
 * const hops: NextHopEntry[] = r?.nexthops ?? [];
 * assert.deepEqual(hops.map((h) => [h.gateway, h.weight]), [["10.1.2.1", 2], ["10.1.2.2", 1]]);
 * ```
 */
export interface NextHopEntry {
  /** The gateway, when there is one. */
  gateway?: string;
  /** The output link's index. */
  oif: number;
  /** The weight (1 to 256). */
  weight: number;
  /** The next hop's flags (`onlink`, `linkdown`, `dead`, ...). */
  flags: (RouteFlag | number)[];
  /** The attributes after the header, as the generated rt-route codec decodes them. */
  attrs: RouteAttrs;
}

/**
 * One next hop to encode.
 *
 * @internal
 */
export interface RawNextHop {
  gateway?: string;
  oif: number;
  weight: number;
  flags: number;
}

function routeSet() {
  return compiled(family).sets.get("route-attrs")!;
}

/**
 * Encodes the `RTA_MULTIPATH` payload.
 *
 * @internal
 * @throws {TypeError} For a gateway that is not an address.
 * @throws {RangeError} For a weight outside 1 to 256.
 */
export function encodeMultipath(hops: readonly RawNextHop[]): Uint8Array {
  const set = routeSet();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const h of hops) {
    if (!Number.isInteger(h.weight) || h.weight < 1 || h.weight > 256) {
      throw new RangeError(`weight must be 1 to 256, got ${h.weight}`);
    }
    const e = new AttributeEncoder();
    const attrs: RouteAttrs = {};
    if (h.gateway !== undefined) attrs.gateway = h.gateway;
    encodeBody(e, null, set, attrs);
    const body = e.view();
    const part = new Uint8Array(RTNH_LENGTH + body.length);
    put16(part, 0, part.length, LE);
    part[2] = h.flags & 0xff;
    part[3] = h.weight - 1;
    put32(part, 4, h.oif, LE);
    part.set(body, RTNH_LENGTH);
    parts.push(part);
    total += (part.length + 3) & ~3;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += (p.length + 3) & ~3;
  }
  return out;
}

/**
 * Decodes the `RTA_MULTIPATH` payload.
 *
 * @internal
 * @throws {RangeError} When a next hop's length is short or runs past the end.
 */
export function decodeMultipath(b: Uint8Array): NextHopEntry[] {
  const set = routeSet();
  const out: NextHopEntry[] = [];
  let at = 0;
  while (at + RTNH_LENGTH <= b.length) {
    const len = get16(b, at, LE);
    if (len < RTNH_LENGTH || at + len > b.length) {
      throw new RangeError(
        `Cannot decode multipath next hop at byte ${at}: length ${len} does not fit ${
          b.length - at
        } bytes`,
      );
    }
    const attrs = decodeBody(
      null,
      set,
      b,
      at + RTNH_LENGTH,
      len - RTNH_LENGTH,
    ) as
      & Obj
      & RouteAttrs;
    if (attrs[UNKNOWN] === undefined) delete attrs[UNKNOWN];
    const hop: NextHopEntry = {
      oif: get32(b, at + 4, LE) | 0,
      weight: b[at + 3]! + 1,
      flags: flagNames(ROUTE_FLAGS, b[at + 2]!),
      attrs,
    };
    if (attrs.gateway !== undefined) hop.gateway = attrs.gateway;
    out.push(hop);
    at += (len + 3) & ~3;
  }
  if (at < b.length) {
    throw new RangeError(
      `Cannot decode multipath next hops: ${b.length - at} bytes left over`,
    );
  }
  return out;
}
