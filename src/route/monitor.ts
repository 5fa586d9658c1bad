/**
 * Typed rtnetlink notifications: every link, address, route, neighbour and
 * rule message turned into a {@linkcode RouteEvent}, discriminated by
 * `type`, with the message header kept (its sequence and port id say
 * which request caused it, 0 for the kernel's own changes).
 *
 * @module
 */

import { deladdr, family as addrFamily, getaddr } from "../families/rt_addr.ts";
import { dellink, family as linkFamily, getlink } from "../families/rt_link.ts";
import {
  delneighNtf,
  family as neighFamily,
  newneighNtf,
} from "../families/rt_neigh.ts";
import { delroute, getroute } from "../families/rt_route.ts";
import {
  delruleNtf,
  family as ruleFamily,
  newruleNtf,
} from "../families/rt_rule.ts";
import type { Header } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import { type Address, toAddress } from "./addresses.ts";
import { type Link, toLink } from "./link.ts";
import { ROUTE_GROUPS } from "./names.ts";
import { type Neighbour, toNeighbour } from "./neighbours.ts";
import { type RouteEntry, toRouteEntry } from "./route_entry.ts";
import { type Rule, toRule } from "./rules.ts";

/**
 * What to watch: `link`, `address` (IPv4 and IPv6), `route` (IPv4 and
 * IPv6), `neighbour`, `rule`, or one family's part (`ipv4-address`...).
 */
export type MonitorGroup =
  | "link"
  | "address"
  | "ipv4-address"
  | "ipv6-address"
  | "route"
  | "ipv4-route"
  | "ipv6-route"
  | "neighbour"
  | "rule"
  | "ipv4-rule"
  | "ipv6-rule";

/** `new` (added or changed) or `delete`. */
export type EventAction = "new" | "delete";

/** A link was added or changed (`RTM_NEWLINK`) or deleted (`RTM_DELLINK`). */
export interface LinkEvent {
  /** The kind of event. */
  type: "link";
  /** `new` or `delete`. */
  action: EventAction;
  /** The link as the message describes it. */
  link: Link;
  /** The `ifi_change` mask: which `ifi_flags` bits changed (`0xffffffff` on creation and deletion). */
  change: number;
  /** The message header. */
  header: Header;
}

/**
 * A bridge's port changed (`RTM_NEWLINK`/`RTM_DELLINK` of family
 * `AF_BRIDGE`): the port's state in its bridge.
 */
export interface BridgePortEvent {
  /** The kind of event. */
  type: "bridge-port";
  /** `new` or `delete`. */
  action: EventAction;
  /** The port (its `master` is the bridge). */
  link: Link;
  /** The message header. */
  header: Header;
}

/** An address was added or changed, or deleted. */
export interface AddressEvent {
  /** The kind of event. */
  type: "address";
  /** `new` or `delete`. */
  action: EventAction;
  /** The address. */
  address: Address;
  /** The message header. */
  header: Header;
}

/** A route was added or changed, or deleted. */
export interface RouteChangeEvent {
  /** The kind of event. */
  type: "route";
  /** `new` or `delete`. */
  action: EventAction;
  /** The route. */
  route: RouteEntry;
  /** The message header (its flags carry `NLM_F_CREATE`, `NLM_F_REPLACE`... of the change). */
  header: Header;
}

/** A neighbour entry was added or changed, or deleted. */
export interface NeighbourEvent {
  /** The kind of event. */
  type: "neighbour";
  /** `new` or `delete`. */
  action: EventAction;
  /** The entry. */
  neighbour: Neighbour;
  /** The message header. */
  header: Header;
}

/** A rule was added or deleted. */
export interface RuleEvent {
  /** The kind of event. */
  type: "rule";
  /** `new` or `delete`. */
  action: EventAction;
  /** The rule. */
  rule: Rule;
  /** The message header. */
  header: Header;
}

/** A typed rtnetlink notification, discriminated by `type`. */
export type RouteEvent =
  | LinkEvent
  | BridgePortEvent
  | AddressEvent
  | RouteChangeEvent
  | NeighbourEvent
  | RuleEvent;

/** `AF_BRIDGE` (`linux/socket.h`): the family of a bridge port's link messages. */
const AF_BRIDGE = 7;

function groupValue(
  family: { groups: readonly { name: string; value?: number }[] },
  name: string,
): number {
  return family.groups.find((g) => g.name === name)!.value!;
}

/**
 * The multicast groups of each {@linkcode MonitorGroup}.
 *
 * @internal
 */
export function groupNumbers(g: MonitorGroup): number[] {
  const v4addr = groupValue(addrFamily, "rtnlgrp-ipv4-ifaddr");
  const v6addr = groupValue(addrFamily, "rtnlgrp-ipv6-ifaddr");
  const v4rule = groupValue(ruleFamily, "rtnlgrp-ipv4-rule");
  const v6rule = groupValue(ruleFamily, "rtnlgrp-ipv6-rule");
  switch (g) {
    case "link":
      return [groupValue(linkFamily, "rtnlgrp-link")];
    case "address":
      return [v4addr, v6addr];
    case "ipv4-address":
      return [v4addr];
    case "ipv6-address":
      return [v6addr];
    case "route":
      return [ROUTE_GROUPS.ipv4, ROUTE_GROUPS.ipv6];
    case "ipv4-route":
      return [ROUTE_GROUPS.ipv4];
    case "ipv6-route":
      return [ROUTE_GROUPS.ipv6];
    case "neighbour":
      return [groupValue(neighFamily, "rtnlgrp-neigh")];
    case "rule":
      return [v4rule, v6rule];
    case "ipv4-rule":
      return [v4rule];
    case "ipv6-rule":
      return [v6rule];
    default:
      throw new TypeError(
        `Cannot monitor: unknown group ${JSON.stringify(g)}`,
      );
  }
}

/**
 * Decodes one rtnetlink notification into a {@linkcode RouteEvent}, or
 * `undefined` for a message that is none of these (an ACK, another type).
 *
 * @param message A message from a route connection.
 * @returns The event.
 * @throws {RangeError} When the message is malformed.
 *
 * @example Decode a link notification
 * ```ts
 * import { decodeEvent } from "@nlkit/netlink/route";
 * import { newlinkNtf } from "@nlkit/netlink/families/rt-link";
 * import assert from "node:assert/strict";
 *
 * const m = newlinkNtf.encodeReply({ ifiIndex: 3, ifiFlags: ["up"], ifname: "veth0", mtu: 1500, operstate: 6 });
 * const e = decodeEvent(m);
 * assert.equal(e?.type, "link");
 * if (e?.type === "link") assert.deepEqual([e.action, e.link.name, e.link.operstate], ["new", "veth0", "up"]);
 * ```
 */
export function decodeEvent(message: Message): RouteEvent | undefined {
  const t = message.header.type;
  const header = message.header;
  if (t === getlink.doReply || t === dellink.doRequest) {
    const a = getlink.decode(message);
    const action = t === dellink.doRequest ? "delete" : "new";
    if (a.ifiFamily === AF_BRIDGE) {
      return { type: "bridge-port", action, link: toLink(a), header };
    }
    return {
      type: "link",
      action,
      link: toLink(a),
      change: a.ifiChange,
      header,
    };
  }
  if (t === getaddr.dumpReply || t === deladdr.doRequest) {
    return {
      type: "address",
      action: t === deladdr.doRequest ? "delete" : "new",
      address: toAddress(getaddr.decode(message)),
      header,
    };
  }
  if (t === getroute.doReply || t === delroute.doRequest) {
    return {
      type: "route",
      action: t === delroute.doRequest ? "delete" : "new",
      route: toRouteEntry(getroute.decode(message)),
      header,
    };
  }
  if (t === newneighNtf.notification || t === delneighNtf.notification) {
    return {
      type: "neighbour",
      action: t === delneighNtf.notification ? "delete" : "new",
      neighbour: toNeighbour(newneighNtf.decode(message)),
      header,
    };
  }
  if (t === newruleNtf.notification || t === delruleNtf.notification) {
    return {
      type: "rule",
      action: t === delruleNtf.notification ? "delete" : "new",
      rule: toRule(newruleNtf.decode(message)),
      header,
    };
  }
  return undefined;
}
