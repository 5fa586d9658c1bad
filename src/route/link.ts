/**
 * A link as the `Route` client returns it: the fields `ip link` shows, by
 * name, with the generated rt-link object kept in `attrs`.
 *
 * @module
 */

import type { IfinfoFlags, Ifinfomsg, LinkAttrs } from "../families/rt_link.ts";
import { LINK_TYPES, nameOf, OPER_STATES, type OperState } from "./names.ts";

/**
 * A network link (interface).
 *
 * @example A bridge as `links.get` returns it (simulated kernel)
 * ```ts
 * import { type Link, Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge" });
 * const br: Link = await route.links.get("br0");
 * assert.deepEqual([br.name, br.kind, br.up, br.operstate, br.mtu], ["br0", "bridge", false, "down", 1500]);
 * ```
 */
export interface Link {
  /** The index (`ifi_index`). */
  index: number;
  /** The name (`IFLA_IFNAME`). */
  name: string;
  /** The kind (`IFLA_INFO_KIND`: `bridge`, `veth`, ...); absent for devices without one (`lo`, hardware). */
  kind?: string;
  /** The MTU. */
  mtu: number;
  /** Administratively up (`IFF_UP`). */
  up: boolean;
  /** The operational state (RFC 2863), by name; `ip` prints it upper-case. */
  operstate: OperState | number;
  /** The link-layer address (`IFLA_ADDRESS`), when the link has one. */
  address?: string;
  /** The link-layer broadcast address. */
  broadcast?: string;
  /** The index of the master (bridge, bond) this link is a port of. */
  master?: number;
  /** The lower link (`IFLA_LINK`): a veth's peer, a vlan's or macvlan's parent. */
  link?: number;
  /** What kind of master this link is a port of (`IFLA_INFO_SLAVE_KIND`: `bridge`, `bond`). */
  portKind?: string;
  /** The carrier (`IFLA_CARRIER`): the lower layer is up. */
  carrier?: boolean;
  /** The `ifi_flags` by name (`up`, `broadcast`, `lower-up`, ...). */
  flags: (IfinfoFlags | number)[];
  /** The link type by the name `ip` prints after `link/` (`ether`, `loopback`), or the `ARPHRD_*` number. */
  type: string | number;
  /** The transmit queue length. */
  txqlen?: number;
  /** The alias (`IFLA_IFALIAS`). */
  alias?: string;
  /** Every attribute the kernel sent, as the generated rt-link codec decodes it. */
  attrs: Ifinfomsg & LinkAttrs;
}

/**
 * Builds a {@linkcode Link} from a decoded rt-link message.
 *
 * @internal
 */
export function toLink(a: Ifinfomsg & LinkAttrs): Link {
  const flags = a.ifiFlags;
  const link: Link = {
    index: a.ifiIndex,
    name: a.ifname ?? "",
    mtu: a.mtu ?? 0,
    up: flags.includes("up"),
    operstate: a.operstate === undefined
      ? "unknown"
      : nameOf(OPER_STATES, a.operstate),
    flags,
    type: LINK_TYPES[a.ifiType] ?? a.ifiType,
    attrs: a,
  };
  const info = a.linkinfo;
  if (info?.kind !== undefined) link.kind = info.kind;
  if (a.address !== undefined) link.address = a.address;
  if (a.broadcast !== undefined) link.broadcast = a.broadcast;
  if (a.master !== undefined && a.master !== 0) link.master = a.master;
  if (a.link !== undefined && a.link !== 0 && a.link !== a.ifiIndex) {
    link.link = a.link;
  }
  if (info?.slaveKind !== undefined) link.portKind = info.slaveKind;
  if (a.carrier !== undefined) link.carrier = a.carrier !== 0;
  if (a.txqlen !== undefined) link.txqlen = a.txqlen;
  if (a.ifalias !== undefined) link.alias = a.ifalias;
  return link;
}
