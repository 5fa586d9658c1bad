/**
 * A small stateful rtnetlink (`NETLINK_ROUTE`) for the simulated kernel:
 * links, addresses and routes with GET (do and dump), NEW, SET and DEL, the
 * kernel's errors and extended ACK texts, and notifications on the
 * `RTNLGRP_*` groups.
 *
 * @module
 */

import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import {
  type HandlerResult,
  KernelError,
  type RequestContext,
} from "./kernel_handler.ts";
import {
  EOPNOTSUPP,
  type Origin,
  routeGroup,
  RtnlState,
} from "./rtnl_state.ts";
import {
  delLink,
  dumpLinks,
  getLink,
  newLink,
  setLinkRequest,
} from "./rtnl_links.ts";
import { delAddress, dumpAddresses, newAddress } from "./rtnl_addresses.ts";
import { delRoute, dumpRoutes, getRoute, newRoute } from "./rtnl_routes.ts";
import {
  type AddressRecord,
  encodeRoute,
  type RouteRecord,
} from "./rtnl_codec.ts";
import {
  AF_INET,
  AF_INET6,
  ARPHRD_ETHER,
  IFA_F_PERMANENT,
  LinkFlags,
  RouteType,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RTN_UNICAST,
  RTPROT_BOOT,
} from "./rtnl_constants.ts";
import {
  formatHardware,
  formatIP,
  parseHardware,
  parseIP,
  parsePrefix,
} from "./rtnl_ip.ts";

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
 * The link kinds known by default: `dummy`, `bridge`, `veth`. Pass your
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
    flags: LinkFlags.Broadcast | LinkFlags.NoARP,
    mtu: 1500,
    minMTU: 0,
    maxMTU: 0,
    addressLength: 6,
  },
  bridge: {
    type: ARPHRD_ETHER,
    flags: LinkFlags.Broadcast | LinkFlags.Multicast,
    mtu: 1500,
    minMTU: 68,
    maxMTU: 65535,
    addressLength: 6,
  },
  veth: {
    type: ARPHRD_ETHER,
    flags: LinkFlags.Broadcast | LinkFlags.Multicast,
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

/**
 * The rtnetlink state of a {@linkcode SimKernel}: a loopback device at
 * index 1 to start with, then whatever requests or the seeding methods add.
 * Reach it as `kernel.rtnetlink`.
 *
 * @example Seed state, then dump it through a Conn
 * ```ts
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0", up: true });
 * kernel.rtnetlink.addAddress("eth0", "192.0.2.1/24");
 * assert.deepEqual(kernel.rtnetlink.links().map((l) => l.name), ["lo", "eth0"]);
 *
 * const conn = kernel.dial(Family.Route);
 * const links = await conn.execute({
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // struct ifinfomsg, RTM_GETLINK = 18
 * });
 * assert.equal(links.length, 2);
 * await conn.close();
 * ```
 */
export class SimRtnetlink {
  readonly #s: RtnlState;

  /**
   * Creates the state: `lo` (index 1, up) with 127.0.0.1/8 and ::1/128.
   *
   * @param notify Called with each notification (the kernel fans it out).
   * @param kinds Link kinds `RTM_NEWLINK` may create; default {@linkcode DEFAULT_LINK_KINDS}.
   */
  constructor(
    notify: RouteNotifier,
    kinds: Record<string, LinkKind> = { ...DEFAULT_LINK_KINDS },
  ) {
    this.#s = new RtnlState(notify, kinds);
  }

  /**
   * Lists the links, by index.
   *
   * @returns Snapshots of the links.
   *
   * @example List the links
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "br0", kind: "bridge" });
   * assert.deepEqual(rtnetlink.links().map((l) => [l.index, l.name, l.kind]), [[1, "lo", ""], [2, "br0", "bridge"]]);
   * ```
   */
  links(): SimLink[] {
    return [...this.#s.links.values()].sort((a, b) => a.index - b.index).map((
      l,
    ) => ({
      index: l.index,
      name: l.name,
      kind: l.kind,
      flags: l.flags,
      mtu: l.mtu,
      address: l.address.length > 0 ? formatHardware(l.address) : "",
      master: l.master,
    }));
  }

  /**
   * Lists the addresses (IPv4 first).
   *
   * @returns Snapshots of the addresses.
   *
   * @example List the addresses
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "eth0" });
   * rtnetlink.addAddress("eth0", "2001:db8::1/64");
   * const mine = rtnetlink.addresses().filter((a) => a.index === 2);
   * assert.deepEqual(mine.map((a) => `${a.address}/${a.prefixLength}`), ["2001:db8::1/64"]);
   * ```
   */
  addresses(): SimAddress[] {
    return this.#s.sortedAddresses().map((a) => ({
      family: a.family,
      index: a.index,
      address: formatIP(a.family === AF_INET ? a.local : a.address),
      prefixLength: a.prefixLength,
      label: a.label,
    }));
  }

  /**
   * Lists the routes (IPv4 first).
   *
   * @returns Snapshots of the routes.
   *
   * @example List the routes
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "eth0", up: true });
   * rtnetlink.addRoute({ destination: "198.51.100.0/24", link: "eth0" });
   * const route = rtnetlink.routes().find((r) => r.destination === "198.51.100.0/24");
   * assert.equal(route?.oif, 2);
   * ```
   */
  routes(): SimRoute[] {
    return this.#s.sortedRoutes().map((r) => {
      const s: SimRoute = {
        family: r.family,
        table: r.table,
        destination: `${formatIP(r.dst)}/${r.dstLength}`,
        oif: r.oif,
        priority: r.priority,
        protocol: r.protocol,
      };
      if (r.gateway) s.gateway = formatIP(r.gateway);
      return s;
    });
  }

  /**
   * Creates a link, as `ip link add NAME type KIND` would, and announces it
   * on `RTNLGRP_LINK`.
   *
   * @param spec The link.
   * @returns A snapshot of the new link.
   * @throws {TypeError} If the name is taken or the kind unknown.
   *
   * @example Add a link and watch the notification
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * await using monitor = kernel.dial(Family.Route, { groups: 1 }); // RTMGRP_LINK
   * const link = kernel.rtnetlink.addLink({ name: "dummy0" });
   * assert.equal(link.index, 2);
   * const [m] = await monitor.receive();
   * assert.equal(m?.header.type, 16); // RTM_NEWLINK
   * ```
   */
  addLink(spec: LinkSpec): SimLink {
    const kind = spec.kind ?? "dummy";
    if (this.#s.byName(spec.name)) {
      throw new TypeError(`Cannot add link: "${spec.name}" exists`);
    }
    if (!this.#s.kinds[kind]) {
      throw new TypeError(`Cannot add link: unknown kind "${kind}"`);
    }
    const l = this.#s.create(
      kind,
      spec.name,
      spec.index ?? 0,
      this.#s.origin(),
    );
    if (spec.address !== undefined) l.address = parseHardware(spec.address);
    if (spec.mtu !== undefined) l.mtu = spec.mtu;
    if (spec.up) this.#s.setFlags(l, l.flags | LinkFlags.Up);
    if (spec.mtu !== undefined || spec.up || spec.address !== undefined) {
      this.#s.notifyLink(l, 0, this.#s.origin());
    }
    return this.links().find((x) => x.index === l.index)!;
  }

  /**
   * Changes a link's state and announces it, as `ip link set` would.
   *
   * @param link The link's name or index.
   * @param changes What to change.
   * @throws {TypeError} If there is no such link.
   *
   * @example Bring a link up and rename it
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "eth0" });
   * rtnetlink.setLink("eth0", { up: true, mtu: 9000, name: "lan0" });
   * const link = rtnetlink.links()[1]!;
   * assert.deepEqual([link.name, link.mtu, link.flags & 0x1], ["lan0", 9000, 0x1]); // IFF_UP
   * ```
   */
  setLink(
    link: string | number,
    changes: { up?: boolean; mtu?: number; name?: string },
  ): void {
    const l = this.#s.find(link);
    const old = l.flags;
    if (changes.name !== undefined) l.name = changes.name;
    if (changes.mtu !== undefined) l.mtu = changes.mtu;
    if (changes.up !== undefined) {
      this.#s.setFlags(
        l,
        changes.up ? l.flags | LinkFlags.Up : l.flags & ~LinkFlags.Up,
      );
    }
    this.#s.notifyLink(l, old ^ l.flags, this.#s.origin());
  }

  /**
   * Deletes a link with its addresses and routes, and announces it.
   *
   * @param link The link's name or index.
   * @throws {TypeError} If there is no such link.
   *
   * @example Delete a link with its addresses
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "eth0" });
   * rtnetlink.addAddress("eth0", "192.0.2.1/24");
   * rtnetlink.deleteLink("eth0");
   * assert.deepEqual(rtnetlink.links().map((l) => l.name), ["lo"]);
   * assert.equal(rtnetlink.addresses().some((a) => a.label === "eth0"), false);
   * assert.throws(() => rtnetlink.deleteLink("eth0"), TypeError);
   * ```
   */
  deleteLink(link: string | number): void {
    this.#s.delete(this.#s.find(link), this.#s.origin());
  }

  /**
   * Adds an address to a link, as `ip address add` would, and announces it.
   *
   * @param link The link's name or index.
   * @param address `address/prefix`, such as `192.0.2.1/24` or `2001:db8::1/64`.
   * @throws {TypeError} If the link or address is invalid.
   *
   * @example Add an address
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "eth0" });
   * rtnetlink.addAddress("eth0", "192.0.2.1/24");
   * assert.ok(rtnetlink.addresses().some((a) => a.address === "192.0.2.1" && a.label === "eth0"));
   * assert.throws(() => rtnetlink.addAddress("eth9", "192.0.2.2/24"), TypeError);
   * ```
   */
  addAddress(link: string | number, address: string): void {
    const l = this.#s.find(link);
    const p = parsePrefix(address);
    const family = p.address.length === 4 ? AF_INET : AF_INET6;
    const a: AddressRecord = {
      family,
      index: l.index,
      prefixLength: p.length,
      flags: IFA_F_PERMANENT,
      scope: RT_SCOPE_UNIVERSE,
      local: p.address,
      address: p.address,
      broadcast: undefined,
      label: l.name,
    };
    this.#s.addresses.push(a);
    this.#s.notifyAddress(RouteType.NewAddress, a, this.#s.origin());
    this.#s.addKernelRoutes(a, this.#s.origin());
  }

  /**
   * Adds a route, as `ip route add` would (no reachability check), and
   * announces it.
   *
   * @param spec The route.
   * @throws {TypeError} If the link or prefix is invalid.
   *
   * @example Add a default route
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const { rtnetlink } = new SimKernel();
   * rtnetlink.addLink({ name: "eth0", up: true });
   * rtnetlink.addRoute({ destination: "0.0.0.0/0", gateway: "192.0.2.1", link: "eth0", priority: 100 });
   * const route = rtnetlink.routes().find((r) => r.destination === "0.0.0.0/0");
   * assert.deepEqual([route?.gateway, route?.priority], ["192.0.2.1", 100]);
   * ```
   */
  addRoute(spec: RouteSpec): void {
    const p = parsePrefix(spec.destination);
    const family = p.address.length === 4 ? AF_INET : AF_INET6;
    const r: RouteRecord = {
      family,
      table: spec.table ?? RT_TABLE_MAIN,
      dst: p.address,
      dstLength: p.length,
      tos: 0,
      protocol: RTPROT_BOOT,
      scope: spec.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
      type: RTN_UNICAST,
      priority: spec.priority ?? 0,
      gateway: spec.gateway ? parseIP(spec.gateway) : undefined,
      oif: spec.link === undefined ? 0 : this.#s.find(spec.link).index,
      prefsrc: undefined,
    };
    this.#s.routes.push(r);
    this.#s.notify(routeGroup(family), [encodeRoute(RouteType.NewRoute, r)]);
  }

  /**
   * Serves one rtnetlink request: the {@linkcode ProtocolHandler} the
   * kernel registers for `Family.Route`.
   *
   * @param m The request.
   * @param ctx The requester.
   * @returns The replies or a dump.
   * @throws {KernelError} With the kernel's errno and extended ACK.
   *
   * @example Wrap the built-in rtnetlink handler
   * ```ts
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * const types: number[] = [];
   * kernel.handle(Family.Route, (m, ctx) => {
   *   types.push(m.header.type);
   *   return kernel.rtnetlink.handle(m, ctx);
   * });
   * await using conn = kernel.dial(Family.Route);
   * assert.equal((await conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) })).length, 1);
   * assert.deepEqual(types, [18]); // RTM_GETLINK
   * ```
   */
  handle(m: Message, ctx: RequestContext): HandlerResult {
    const o: Origin = {
      sequence: m.header.sequence,
      pid: ctx.pid,
      echo: (m.header.flags & HeaderFlags.Echo) !== 0,
      notify: (g, ms, echo) => ctx.notify(g, ms, echo),
    };
    const dump = (m.header.flags & HeaderFlags.Dump) !== 0;
    if (dump && (m.header.type & 3) === 2) {
      // Dump requests are checked inside the dump: errors end it with NLMSG_DONE.
      try {
        return this.#handle(m, ctx, o, dump);
      } catch (e) {
        if (e instanceof KernelError) return { dump: [], error: e };
        throw e;
      }
    }
    return this.#handle(m, ctx, o, dump);
  }

  #handle(
    m: Message,
    ctx: RequestContext,
    o: Origin,
    dump: boolean,
  ): HandlerResult {
    switch (m.header.type) {
      case RouteType.GetLink:
        return dump ? dumpLinks(this.#s, m, ctx) : getLink(this.#s, m, ctx);
      case RouteType.NewLink:
        return newLink(this.#s, m, o);
      case RouteType.SetLink:
        return setLinkRequest(this.#s, m, o);
      case RouteType.DelLink:
        return delLink(this.#s, m, o);
      case RouteType.GetAddress:
        if (dump) return dumpAddresses(this.#s, m, ctx);
        throw new KernelError(EOPNOTSUPP);
      case RouteType.NewAddress:
        return newAddress(this.#s, m, o);
      case RouteType.DelAddress:
        return delAddress(this.#s, m, o);
      case RouteType.GetRoute:
        return dump ? dumpRoutes(this.#s, m, ctx) : getRoute(this.#s, m);
      case RouteType.NewRoute:
        return newRoute(this.#s, m, o);
      case RouteType.DelRoute:
        return delRoute(this.#s, m, o);
      default:
        throw new KernelError(EOPNOTSUPP);
    }
  }
}
