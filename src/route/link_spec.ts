/**
 * What the link calls take: a link to create (`LinkSpec`, `PeerSpec`), the
 * changes to make (`LinkChanges`), which links to list (`LinkFilter`,
 * `LinkQueryOptions`), and the checks of names, MTUs and addresses.
 *
 * @module
 */

import type { LinkinfoDataMsg, RtextFilter } from "../families/rt_link.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import type { LinkRef } from "./_context.ts";
import type { NetnsRef } from "./_netns.ts";
import { macOrProblem } from "./text.ts";

/**
 * The peer of a veth pair: its name, or its name and settings.
 */
export interface PeerSpec {
  /** The peer's name. */
  name: string;
  /** The peer's MTU. */
  mtu?: number;
  /** The peer's link-layer address. */
  address?: string;
}

/**
 * A link to create with `links.add`, as `ip link add NAME type KIND ...`.
 */
export interface LinkSpec {
  /** The name (1 to 15 bytes). */
  name: string;
  /** The kind: `bridge`, `veth`, `vxlan`, `macvlan`, `vlan`, `bond`, `dummy`, ... (what the kernel has). */
  kind?: string;
  /** The kind's settings (`IFLA_INFO_DATA`), typed by the rt-link spec's sub-message for the kind (`{ id: 100 }` for a vlan). */
  data?: LinkinfoDataMsg;
  /** veth: the peer. */
  peer?: string | PeerSpec;
  /** The lower link (`IFLA_LINK`): the parent of a vlan, macvlan or ipvlan. */
  link?: LinkRef;
  /** Make it a port of this bridge or bond. */
  master?: LinkRef;
  /** The MTU. */
  mtu?: number;
  /** The link-layer address, `aa:bb:cc:dd:ee:ff`. */
  address?: string;
  /** The transmit queue length. */
  txqlen?: number;
  /** Bring it up. */
  up?: boolean;
}

/**
 * What `links.set` changes, as `ip link set`: each present key is one
 * change, made in one request.
 */
export interface LinkChanges {
  /** Up (`true`) or down (`false`). */
  up?: boolean;
  /** The MTU. */
  mtu?: number;
  /** A new name. */
  name?: string;
  /** The bridge or bond to be a port of; `null` for none (`nomaster`). */
  master?: LinkRef | null;
  /** The link-layer address. */
  address?: string;
  /** The transmit queue length. */
  txqlen?: number;
  /** The alias (`ip link set ... alias`); `""` clears it. */
  alias?: string;
  /** Move the link to this network namespace: a name, a path, an open descriptor or `{ pid }`. */
  netns?: NetnsRef;
}

/**
 * Which links `links.list` returns.
 */
export interface LinkFilter {
  /** Only links of this kind. */
  kind?: string;
  /** Only ports of this master. */
  master?: LinkRef;
  /** Only links that are up (or down). */
  up?: boolean;
}

/** Options of `links.list` and `links.get`. */
export interface LinkQueryOptions extends ReceiveOptions {
  /** Ask for the statistics too (`stats`, `stats64` in `attrs`); by default the kernel is told to skip them. */
  stats?: boolean;
}

/** @internal */
export function checkName(name: unknown, what: string): asserts name is string {
  if (
    typeof name !== "string" || name === "" ||
    new TextEncoder().encode(name).length > 15 || name.includes("/") ||
    /\s/.test(name)
  ) {
    throw new TypeError(
      `Cannot ${what}: a link name must be 1 to 15 bytes without "/" or spaces, got ${
        JSON.stringify(name)
      }`,
    );
  }
}

/** @internal */
export function checkMTU(mtu: unknown, what: string): asserts mtu is number {
  if (
    typeof mtu !== "number" || !Number.isInteger(mtu) || mtu < 0 ||
    mtu > 0xffffffff
  ) {
    throw new TypeError(`Cannot ${what}: mtu must be an integer, got ${mtu}`);
  }
}

/** @internal */
export function mac(text: string, what: string): string {
  const b = macOrProblem(text);
  if (typeof b === "string") throw new TypeError(`Cannot ${what}: ${b}`);
  return text.toLowerCase();
}

/** @internal */
export function extMask(o: LinkQueryOptions): RtextFilter[] {
  return o.stats === true ? [] : ["skip-stats"];
}
