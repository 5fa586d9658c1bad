/**
 * A link as the `Route` client returns it: the fields `ip link` shows, by
 * name, with the generated rt-link object kept in `attrs`.
 *
 * @module
 */

import {
  getlink,
  type IfinfoFlags,
  type Ifinfomsg,
  type LinkAttrs,
} from "../families/rt_link.ts";
import { LINK_TYPES, nameOf, OPER_STATES, type OperState } from "./names.ts";

/**
 * A network link (interface). Optional fields are `undefined` when the
 * kernel did not report them; `attrs` is decoded on first access.
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
  kind?: string | undefined;
  /** The MTU. */
  mtu: number;
  /** Administratively up (`IFF_UP`). */
  up: boolean;
  /** The operational state (RFC 2863), by name; `ip` prints it upper-case. */
  operstate: OperState | number;
  /** The link-layer address (`IFLA_ADDRESS`), when the link has one. */
  address?: string | undefined;
  /** The link-layer broadcast address. */
  broadcast?: string | undefined;
  /** The index of the master (bridge, bond) this link is a port of. */
  master?: number | undefined;
  /** The lower link (`IFLA_LINK`): a veth's peer, a vlan's or macvlan's parent. */
  link?: number | undefined;
  /** What kind of master this link is a port of (`IFLA_INFO_SLAVE_KIND`: `bridge`, `bond`). */
  portKind?: string | undefined;
  /** The carrier (`IFLA_CARRIER`): the lower layer is up. */
  carrier?: boolean | undefined;
  /** The `ifi_flags` by name (`up`, `broadcast`, `lower-up`, ...); from `links.list()`, links with the same flags share one frozen list. */
  flags: (IfinfoFlags | number)[];
  /** The link type by the name `ip` prints after `link/` (`ether`, `loopback`), or the `ARPHRD_*` number. */
  type: string | number;
  /** The transmit queue length. */
  txqlen?: number | undefined;
  /** The alias (`IFLA_IFALIAS`). */
  alias?: string | undefined;
  /** Every attribute the kernel sent, as the generated rt-link codec decodes it. */
  attrs: Ifinfomsg & LinkAttrs;
}

/**
 * A {@linkcode Link} as the client builds it: every field present (the
 * optional ones `undefined` when the kernel did not say), and `attrs`
 * decoded from the message when first read.
 *
 * @internal
 */
export class LinkEntry implements Link {
  index = 0;
  name = "";
  kind: string | undefined = undefined;
  mtu = 0;
  up = false;
  operstate: OperState | number = "unknown";
  address: string | undefined = undefined;
  broadcast: string | undefined = undefined;
  master: number | undefined = undefined;
  link: number | undefined = undefined;
  portKind: string | undefined = undefined;
  carrier: boolean | undefined = undefined;
  flags: (IfinfoFlags | number)[] = [];
  type: string | number = 0;
  txqlen: number | undefined = undefined;
  alias: string | undefined = undefined;
  /** The message's bytes, or (once decoded) the generated value. */
  #src: Uint8Array | (Ifinfomsg & LinkAttrs);
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
    attrs?: Ifinfomsg & LinkAttrs,
  ) {
    this.#src = attrs ?? bytes;
    this.#at = attrs === undefined ? offset * 65536 + length : -1;
  }

  /** Every attribute the kernel sent, as the generated codec decodes it (on first access). */
  get attrs(): Ifinfomsg & LinkAttrs {
    if (this.#at < 0) return this.#src as Ifinfomsg & LinkAttrs;
    const bytes = this.#src as Uint8Array;
    const value = getlink.decodeView({
      bytes,
      offset: Math.floor(this.#at / 65536),
      length: this.#at % 65536,
    });
    this.#src = value;
    this.#at = -1;
    return value;
  }
}

const NONE = new Uint8Array(0);

/**
 * Builds a {@linkcode Link} from a decoded rt-link message.
 *
 * @internal
 */
export function toLink(a: Ifinfomsg & LinkAttrs): Link {
  const link = new LinkEntry(NONE, 0, 0, a);
  const flags = a.ifiFlags;
  link.index = a.ifiIndex;
  link.name = a.ifname ?? "";
  link.kind = a.linkinfo?.kind;
  link.mtu = a.mtu ?? 0;
  link.up = flags.includes("up");
  link.operstate = a.operstate === undefined
    ? "unknown"
    : nameOf(OPER_STATES, a.operstate);
  link.address = a.address;
  link.broadcast = a.broadcast;
  if (a.master !== undefined && a.master !== 0) link.master = a.master;
  if (a.link !== undefined && a.link !== 0 && a.link !== a.ifiIndex) {
    link.link = a.link;
  }
  link.portKind = a.linkinfo?.slaveKind;
  if (a.carrier !== undefined) link.carrier = a.carrier !== 0;
  link.flags = flags;
  link.type = LINK_TYPES[a.ifiType] ?? a.ifiType;
  link.txqlen = a.txqlen;
  link.alias = a.ifalias;
  return link;
}
