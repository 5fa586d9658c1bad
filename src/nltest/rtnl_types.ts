/**
 * The simulated rtnetlink's public types: link kinds (and the default
 * table), the snapshots `kernel.rtnetlink` hands out, the seeding specs and
 * the notifier the kernel supplies.
 *
 * @module
 */

import type { Message } from "../netlink/message.ts";
import { IFF } from "./rtnl_state.ts";

/** `ARPHRD_ETHER` (`linux/if_arp.h`). */
const ARPHRD_ETHER = 1;
/** `ARPHRD_LOOPBACK`. */
/** `ARPHRD_LOOPBACK`. @internal */
export const ARPHRD_LOOPBACK = 772;

/**
 * A link type the simulated kernel can create with `RTM_NEWLINK` (`IFLA_INFO_KIND`).
 *
 * @example Teach the simulated kernel a new link kind
 * ```ts
 * import { type LinkKind, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const jumbo: LinkKind = { type: 1, flags: 0x1002, mtu: 9000, minMTU: 68, maxMTU: 9216, addressLength: 6 }; // ARPHRD_ETHER, IFF_BROADCAST|IFF_MULTICAST
 * const kernel = new SimKernel({ linkKinds: { jumbo } });
 * const link = kernel.rtnetlink.addLink({ name: "j0", kind: "jumbo" });
 * assert.equal(link.mtu, 9000);
 * assert.throws(() => kernel.rtnetlink.addLink({ name: "d0", kind: "dummy" }), /unknown kind/);
 * ```
 */
export interface LinkKind {
  /** `ARPHRD_*` link type, such as 1 (Ethernet). */
  type: number;
  /** `IFF_*` flags of a new, down link. */
  flags: number;
  /** Default MTU. */
  mtu: number;
  /** Smallest MTU accepted (`dev->min_mtu`). */
  minMTU: number;
  /** Largest MTU accepted; 0 for no limit (`dev->max_mtu`). */
  maxMTU: number;
  /** Hardware address length in bytes (6 for Ethernet, 0 for none). */
  addressLength: number;
}

/**
 * The link kinds known by default: `dummy`, `bridge`, `veth`, `ifb`,
 * `vxlan`, `macvlan`. Pass your
 * own table as `SimKernelOptions.linkKinds` to add kinds (or to remove
 * them, as on a kernel without the module).
 *
 * @example Add a kind
 * ```ts
 * import { DEFAULT_LINK_KINDS, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel({ linkKinds: { ...DEFAULT_LINK_KINDS, vrf: DEFAULT_LINK_KINDS.dummy! } });
 * kernel.rtnetlink.addLink({ name: "vrf0", kind: "vrf" });
 * assert.equal(kernel.rtnetlink.links()[1]?.kind, "vrf");
 * ```
 */
export const DEFAULT_LINK_KINDS: Readonly<Record<string, LinkKind>> = {
  dummy: {
    type: ARPHRD_ETHER,
    flags: IFF.broadcast | IFF.noarp,
    mtu: 1500,
    minMTU: 0,
    maxMTU: 0,
    addressLength: 6,
  },
  bridge: {
    type: ARPHRD_ETHER,
    flags: IFF.broadcast | IFF.multicast,
    mtu: 1500,
    minMTU: 68,
    maxMTU: 65535,
    addressLength: 6,
  },
  veth: {
    type: ARPHRD_ETHER,
    flags: IFF.broadcast | IFF.multicast,
    mtu: 1500,
    minMTU: 68,
    maxMTU: 65535,
    addressLength: 6,
  },
  ifb: {
    type: ARPHRD_ETHER,
    flags: IFF.broadcast | IFF.noarp,
    mtu: 1500,
    minMTU: 68,
    maxMTU: 65535,
    addressLength: 6,
  },
  vxlan: {
    type: ARPHRD_ETHER,
    flags: IFF.broadcast | IFF.multicast,
    mtu: 1500,
    minMTU: 68,
    maxMTU: 65535,
    addressLength: 6,
  },
  macvlan: {
    type: ARPHRD_ETHER,
    flags: IFF.broadcast | IFF.multicast,
    mtu: 1500,
    minMTU: 68,
    maxMTU: 65535,
    addressLength: 6,
  },
};

/**
 * A link as the simulated kernel holds it (a snapshot).
 *
 * @example The loopback device every kernel starts with
 * ```ts
 * import { SimKernel, type SimLink } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const [lo]: SimLink[] = new SimKernel().rtnetlink.links();
 * assert.deepEqual(lo, {
 *   index: 1,
 *   name: "lo",
 *   kind: "",
 *   flags: 0x10049, // IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP
 *   mtu: 65536,
 *   address: "00:00:00:00:00:00",
 *   master: 0,
 * });
 * ```
 */
export interface SimLink {
  /** `ifi_index`. */
  index: number;
  /** `IFLA_IFNAME`. */
  name: string;
  /** `IFLA_INFO_KIND`; `""` for the loopback device. */
  kind: string;
  /** `ifi_flags` (`IFF_*`). */
  flags: number;
  /** `IFLA_MTU`. */
  mtu: number;
  /** `IFLA_ADDRESS` as `aa:bb:cc:dd:ee:ff` (`""` when the link has none). */
  address: string;
  /** `IFLA_MASTER`, 0 when none. */
  master: number;
}

/**
 * An address as the simulated kernel holds it (a snapshot).
 *
 * @example The addresses after `ip address add`
 * ```ts
 * import { type SimAddress, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0" });
 * kernel.rtnetlink.addAddress("eth0", "192.0.2.1/24");
 * const addresses: SimAddress[] = kernel.rtnetlink.addresses();
 * assert.deepEqual(addresses.find((a) => a.label === "eth0"), {
 *   family: 2, // AF_INET
 *   index: 2,
 *   address: "192.0.2.1",
 *   prefixLength: 24,
 *   label: "eth0",
 * });
 * ```
 */
export interface SimAddress {
  /** `AF_INET` (2) or `AF_INET6` (10). */
  family: number;
  /** `ifa_index`. */
  index: number;
  /** `IFA_LOCAL` (IPv4) or `IFA_ADDRESS` (IPv6), as text. */
  address: string;
  /** `ifa_prefixlen`. */
  prefixLength: number;
  /** `IFA_LABEL` (IPv4), or the link name. */
  label: string;
}

/**
 * A route as the simulated kernel holds it (a snapshot).
 *
 * @example The route `ip route add` made, as the kernel holds it
 * ```ts
 * import { SimKernel, type SimRoute } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0", up: true });
 * kernel.rtnetlink.addRoute({ destination: "0.0.0.0/0", gateway: "192.0.2.1", link: "eth0" });
 * const route: SimRoute | undefined = kernel.rtnetlink.routes().find((r) => r.destination === "0.0.0.0/0");
 * assert.deepEqual(route, {
 *   family: 2, // AF_INET
 *   table: 254, // RT_TABLE_MAIN
 *   destination: "0.0.0.0/0",
 *   oif: 2,
 *   priority: 0,
 *   protocol: 3, // RTPROT_BOOT
 *   gateway: "192.0.2.1",
 * });
 * ```
 */
export interface SimRoute {
  /** `AF_INET` (2) or `AF_INET6` (10). */
  family: number;
  /** `RTA_TABLE`. */
  table: number;
  /** `RTA_DST/rtm_dst_len`, such as `10.0.0.0/8` or `0.0.0.0/0`. */
  destination: string;
  /** `RTA_GATEWAY`, when set. */
  gateway?: string;
  /** `RTA_OIF`, 0 when none. */
  oif: number;
  /** `RTA_PRIORITY`. */
  priority: number;
  /** `rtm_protocol`. */
  protocol: number;
}

/**
 * A link to create with {@linkcode SimRtnetlink.addLink}.
 *
 * @example Create a link that is up, with a chosen MTU and address
 * ```ts
 * import { type LinkSpec, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const spec: LinkSpec = { name: "eth0", mtu: 9000, up: true, address: "02:00:00:00:00:aa", index: 10 };
 * const link = new SimKernel().rtnetlink.addLink(spec);
 * assert.deepEqual([link.index, link.kind, link.mtu, link.address], [10, "dummy", 9000, "02:00:00:00:00:aa"]);
 * assert.equal(link.flags & 0x1, 0x1); // IFF_UP
 * ```
 */
export interface LinkSpec {
  /** The name (at most 15 bytes). */
  name: string;
  /** The kind (`dummy`, `bridge`, `veth`...); default `dummy`. */
  kind?: string;
  /** The MTU; default the kind's. */
  mtu?: number;
  /** Bring the link up. */
  up?: boolean;
  /** Hardware address as `aa:bb:...`; default `02:00:00:00:HH:LL` from the index. */
  address?: string;
  /** The index; default the next free one. */
  index?: number;
  /** veth: the peer's name (default `vethN`). */
  peer?: string;
  /** Make it a port of this bridge (name or index). */
  master?: string | number;
}

/**
 * A route to create with {@linkcode SimRtnetlink.addRoute}.
 *
 * @example Add a route through a gateway
 * ```ts
 * import { type RouteSpec, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0", up: true });
 * const spec: RouteSpec = { destination: "10.0.0.0/8", gateway: "192.0.2.254", link: "eth0", priority: 100 };
 * kernel.rtnetlink.addRoute(spec);
 * const route = kernel.rtnetlink.routes().find((r) => r.destination === "10.0.0.0/8");
 * assert.equal(route?.gateway, "192.0.2.254");
 * assert.equal(route?.priority, 100);
 * ```
 */
export interface RouteSpec {
  /** Destination prefix, such as `10.0.0.0/8` or `::/0`. */
  destination: string;
  /** Gateway address. */
  gateway?: string;
  /** Output link, by name or index. */
  link?: string | number;
  /** Table; default main (254). */
  table?: number;
  /** Metric (`RTA_PRIORITY`). */
  priority?: number;
}

/**
 * How rtnetlink state changes are announced (supplied by the kernel).
 *
 * @example Watch the notifications of a standalone SimRtnetlink
 * ```ts
 * import { type RouteNotifier, SimRtnetlink } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const groups: number[] = [];
 * const notifier: RouteNotifier = (group, messages) => {
 *   groups.push(group);
 *   assert.equal(messages[0]?.header.type, 16); // RTM_NEWLINK
 * };
 * const rtnl = new SimRtnetlink(notifier);
 * rtnl.addLink({ name: "d0" });
 * assert.deepEqual(groups, [1]); // RTNLGRP_LINK
 * ```
 */
export type RouteNotifier = (
  group: number,
  messages: Message[],
  echo?: boolean,
) => void;
