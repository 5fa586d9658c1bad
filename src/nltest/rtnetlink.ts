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
import { Errno } from "../netlink/errno.ts";
import { dellink, getlink, newlink, setlink } from "../families/rt_link.ts";
import { deladdr, getaddr, newaddr } from "../families/rt_addr.ts";
import { delroute, getroute, newroute } from "../families/rt_route.ts";
import { delneigh, getneigh, newneigh } from "../families/rt_neigh.ts";
import { delrule, getrule, newrule } from "../families/rt_rule.ts";
import { formatIP } from "../families/_text.ts";
import { cidrOrProblem, ipOrProblem, macOrProblem } from "../route/text.ts";
import { PROTOCOLS, SCOPES, TABLES } from "../route/names.ts";
import {
  type HandlerResult,
  KernelError,
  type RequestContext,
} from "./kernel_handler.ts";
import {
  AF,
  IFF,
  type LinkRecord,
  type Origin,
  RtnlState,
  send,
} from "./rtnl_state.ts";
import {
  changeLink,
  deleteLink,
  delLink,
  dumpLinks,
  getLink,
  makeLink,
  setLinkRequest,
} from "./rtnl_links.ts";
import { createLink, newLink } from "./rtnl_newlink.ts";
import {
  delAddress,
  dumpAddresses,
  newAddress,
  sortedAddresses,
} from "./rtnl_addresses.ts";
import {
  delRoute,
  dumpRoutes,
  getRoute,
  newRoute,
  sortedRoutes,
} from "./rtnl_routes.ts";
import {
  delNeighbour,
  dumpNeighbours,
  newNeighbour,
} from "./rtnl_neighbours.ts";
import { defaultRules, delRule, dumpRules, newRule } from "./rtnl_rules.ts";
import { addAddressRoutes, ROUTE_GROUP, RTN } from "./rtnl_fib.ts";
import { reportedFlags, routeMessage } from "./rtnl_encode.ts";
import { runLinkwatch } from "./rtnl_netdev.ts";

import {
  ARPHRD_LOOPBACK,
  DEFAULT_LINK_KINDS,
  type LinkKind,
  type LinkSpec,
  type RouteNotifier,
  type RouteSpec,
  type SimAddress,
  type SimLink,
  type SimRoute,
} from "./rtnl_types.ts";

export {
  DEFAULT_LINK_KINDS,
  type LinkKind,
  type LinkSpec,
  type RouteNotifier,
  type RouteSpec,
  type SimAddress,
  type SimLink,
  type SimRoute,
};

/** The requests `handle` serves, by message type (from the generated operations). */
function dispatchTable(): Map<
  number,
  (
    s: RtnlState,
    m: Message,
    ctx: RequestContext,
    o: Origin,
    dump: boolean,
  ) => HandlerResult
> {
  const t = new Map<
    number,
    (
      s: RtnlState,
      m: Message,
      ctx: RequestContext,
      o: Origin,
      dump: boolean,
    ) => HandlerResult
  >();
  t.set(
    getlink.doRequest!,
    (s, m, ctx, _o, dump) => dump ? dumpLinks(s, m, ctx) : getLink(s, m, ctx),
  );
  t.set(newlink.doRequest!, (s, m, _c, o) => newLink(s, m, o));
  t.set(setlink.doRequest!, (s, m, _c, o) => setLinkRequest(s, m, o));
  t.set(dellink.doRequest!, (s, m, _c, o) => delLink(s, m, o));
  t.set(getaddr.dumpRequest!, (s, m, ctx, _o, dump) => {
    if (!dump) throw new KernelError(Errno.EOPNOTSUPP);
    return dumpAddresses(s, m, ctx);
  });
  t.set(newaddr.doRequest!, (s, m, _c, o) => newAddress(s, m, o));
  t.set(deladdr.doRequest!, (s, m, _c, o) => delAddress(s, m, o));
  t.set(
    getroute.doRequest!,
    (s, m, ctx, _o, dump) => dump ? dumpRoutes(s, m, ctx) : getRoute(s, m),
  );
  t.set(newroute.doRequest!, (s, m, _c, o) => newRoute(s, m, o));
  t.set(delroute.doRequest!, (s, m, _c, o) => delRoute(s, m, o));
  t.set(getneigh.doRequest!, (s, m, _c, _o, dump) => {
    if (!dump) throw new KernelError(Errno.EOPNOTSUPP);
    return dumpNeighbours(s, m);
  });
  t.set(newneigh.doRequest!, (s, m, _c, o) => newNeighbour(s, m, o));
  t.set(delneigh.doRequest!, (s, m, _c, o) => delNeighbour(s, m, o));
  t.set(getrule.dumpRequest!, (s, m, _c, _o, dump) => {
    if (!dump) throw new KernelError(Errno.EOPNOTSUPP);
    return dumpRules(s, m);
  });
  t.set(newrule.doRequest!, (s, m, _c, o) => newRule(s, m, o));
  t.set(delrule.doRequest!, (s, m, _c, o) => delRule(s, m, o));
  return t;
}

const DISPATCH = dispatchTable();

/** A KernelError from a seeding helper as the TypeError the helpers throw. */
function seeding<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof KernelError) {
      throw new TypeError(
        `Cannot ${what}: ${e.code}${
          e.extAck.message ? ` (${e.extAck.message})` : ""
        }`,
      );
    }
    throw e;
  }
}

/**
 * The rtnetlink state of a {@linkcode SimKernel}: a loopback device at
 * index 1 and the default policy rules to start with, then whatever
 * requests or the seeding methods add. Requests are decoded and replies
 * and notifications encoded with the generated rt-* codecs, the ones the
 * `Route` client uses; link changes send the notifications Linux 6.18
 * sends, in its order (veth peers first, bridge port and carrier events,
 * a link going down before it is deleted). Reach it as `kernel.rtnetlink`.
 *
 * @example Seed state, then read it through the Route client
 * ```ts
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Route } from "@nlkit/netlink/route";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0", up: true });
 * kernel.rtnetlink.addAddress("eth0", "192.0.2.1/24");
 * assert.deepEqual(kernel.rtnetlink.links().map((l) => l.name), ["lo", "eth0"]);
 *
 * await using route = await Route.open({ conn: kernel.dial(Family.Route) });
 * const [a] = await route.addresses.list({ link: "eth0" });
 * assert.equal(a?.address, "192.0.2.1");
 * ```
 */
export class SimRtnetlink {
  readonly #s: RtnlState;

  /**
   * Creates the state: `lo` (index 1, up) with 127.0.0.1/8 and ::1/128,
   * and the default rules.
   *
   * @param notify Called with each notification (the kernel fans it out).
   * @param kinds Link kinds `RTM_NEWLINK` may create; default {@linkcode DEFAULT_LINK_KINDS}.
   */
  constructor(
    notify: RouteNotifier,
    kinds: Record<string, LinkKind> = { ...DEFAULT_LINK_KINDS },
  ) {
    const s = new RtnlState(notify, kinds);
    this.#s = s;
    const lo: LinkRecord = makeLink(s, "", "lo", 1, {
      type: ARPHRD_LOOPBACK,
      flags: IFF.loopback | IFF.up,
      mtu: 65536,
      minMTU: 0,
      maxMTU: 0,
      addressLength: 6,
    });
    lo.address = "00:00:00:00:00:00";
    lo.broadcast = "00:00:00:00:00:00";
    s.links.set(1, lo);
    s.nextIndex = 2;
    const quiet: Origin = {
      sequence: 0,
      pid: 0,
      echo: false,
      notify: () => {},
    };
    for (
      const [family, local, length] of [[AF.inet, "127.0.0.1", 8], [
        AF.inet6,
        "::1",
        128,
      ]] as const
    ) {
      const a = {
        family,
        index: 1,
        prefixLength: length,
        flags: 0x80, // IFA_F_PERMANENT
        scope: SCOPES.host,
        local,
        address: local,
        broadcast: undefined,
        label: family === AF.inet ? "lo" : undefined,
        validLifetime: 0xffffffff,
        preferredLifetime: 0xffffffff,
        metric: 0,
      };
      s.addresses.push(a);
      addAddressRoutes(s, a, quiet);
    }
    s.rules = defaultRules();
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
    return this.#s.sortedLinks().map((l) => ({
      index: l.index,
      name: l.name,
      kind: l.kind,
      flags: reportedFlags(l),
      mtu: l.mtu,
      address: l.address,
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
    return sortedAddresses(this.#s).map((a) => ({
      family: a.family,
      index: a.index,
      address: a.local,
      prefixLength: a.prefixLength,
      label: a.label ?? this.#s.links.get(a.index)?.name ?? "",
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
    return sortedRoutes(this.#s).map((r) => {
      const dst = r.dst !== ""
        ? r.dst
        : r.family === AF.inet
        ? "0.0.0.0"
        : "::";
      const out: SimRoute = {
        family: r.family,
        table: r.table,
        destination: `${dst}/${r.dstLength}`,
        oif: r.oif,
        priority: r.priority,
        protocol: r.protocol,
      };
      if (r.gateway !== undefined) out.gateway = r.gateway;
      return out;
    });
  }

  /**
   * Creates a link, as `ip link add NAME type KIND` would, with the
   * notifications Linux sends (`RTNLGRP_LINK`).
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
    if (
      spec.address !== undefined &&
      typeof macOrProblem(spec.address) === "string"
    ) {
      throw new TypeError(`Cannot add link: ${macOrProblem(spec.address)}`);
    }
    const o = this.#s.origin();
    const master = spec.master === undefined
      ? undefined
      : this.#s.find(spec.master).index;
    const data = spec.peer === undefined || kind !== "veth"
      ? {}
      : { data: { peer: { ifname: spec.peer } } };
    seeding("add link", () => {
      createLink(
        this.#s,
        {
          ifname: spec.name,
          ...(spec.index === undefined ? {} : { ifiIndex: spec.index }),
          ...(spec.up ? { ifiFlags: [IFF.up], ifiChange: IFF.up } : {}),
          ...(spec.mtu === undefined ? {} : { mtu: spec.mtu }),
          ...(spec.address === undefined
            ? {}
            : { address: spec.address.toLowerCase() }),
          ...(master === undefined ? {} : { master }),
          linkinfo: { kind, ...data },
        },
        { create: true, excl: true, replace: false },
        o,
      );
      runLinkwatch(this.#s, o);
    });
    return this.links().find((x) => x.name === spec.name)!;
  }

  /**
   * Changes a link's state, as `ip link set` would, with its notifications.
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
    const o = this.#s.origin();
    seeding("set link", () => {
      changeLink(this.#s, l, {
        ...(changes.up === undefined
          ? {}
          : { ifiFlags: changes.up ? [IFF.up] : [], ifiChange: IFF.up }),
        ...(changes.mtu === undefined ? {} : { mtu: changes.mtu }),
        ...(changes.name === undefined ? {} : { ifname: changes.name }),
      }, o);
      runLinkwatch(this.#s, o);
    });
  }

  /**
   * Deletes a link (a veth with its peer) with its addresses and routes,
   * with the notifications Linux sends.
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
    const l = this.#s.find(link);
    const o = this.#s.origin();
    seeding("delete link", () => {
      deleteLink(this.#s, l, o);
      runLinkwatch(this.#s, o);
    });
  }

  /**
   * Adds an address to a link, as `ip address add` would, with its
   * notifications (and the routes the kernel adds for it).
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
    const c = cidrOrProblem(address);
    if (typeof c === "string") throw new TypeError(`Cannot add address: ${c}`);
    const request = newaddr.encode({
      ifaFamily: c.family === "inet" ? AF.inet : AF.inet6,
      ifaPrefixlen: c.prefixLength,
      ifaIndex: l.index,
      local: c.address,
      address: c.address,
    }, { flags: HeaderFlags.Request | HeaderFlags.Create | HeaderFlags.Excl });
    seeding("add address", () => {
      newAddress(this.#s, request, this.#s.origin());
    });
  }

  /**
   * Adds a route, as `ip route add ... onlink` would (no reachability
   * check), with its notification.
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
    const c = cidrOrProblem(spec.destination);
    if (typeof c === "string") throw new TypeError(`Cannot add route: ${c}`);
    if (
      spec.gateway !== undefined &&
      typeof ipOrProblem(spec.gateway) === "string"
    ) {
      throw new TypeError(`Cannot add route: ${ipOrProblem(spec.gateway)}`);
    }
    const family = c.family === "inet" ? AF.inet : AF.inet6;
    const dst = formatIP(
      c.bytes.map((b, i) =>
        b &
        (i * 8 >= c.prefixLength
          ? 0
          : i * 8 + 8 <= c.prefixLength
          ? 0xff
          : (0xff << (8 - (c.prefixLength - i * 8))) & 0xff)
      ),
      0,
      c.bytes.length,
    );
    const r = {
      family,
      table: spec.table ?? TABLES.main,
      dst: c.prefixLength === 0 ? "" : dst,
      dstLength: c.prefixLength,
      tos: 0,
      protocol: PROTOCOLS.boot,
      scope: spec.gateway ? SCOPES.global : SCOPES.link,
      type: RTN.unicast,
      priority: spec.priority ?? (family === AF.inet6 ? 1024 : 0),
      gateway: spec.gateway,
      oif: spec.link === undefined ? 0 : this.#s.find(spec.link).index,
      prefsrc: undefined,
      flags: 0,
      multipath: undefined,
      hops: [],
    };
    this.#s.routes.push(r);
    send(
      this.#s.origin(),
      ROUTE_GROUP[family]!,
      routeMessage(this.#s, r, false),
      false,
      0x600,
    );
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
    const dump = (m.header.flags & HeaderFlags.Dump) === HeaderFlags.Dump;
    const f = DISPATCH.get(m.header.type);
    if (f === undefined) throw new KernelError(Errno.EOPNOTSUPP);
    try {
      return f(this.#s, m, ctx, o, dump);
    } catch (e) {
      // Dump requests are checked inside the dump: errors end it with NLMSG_DONE.
      if (dump && e instanceof KernelError) return { dump: [], error: e };
      throw e;
    } finally {
      runLinkwatch(this.#s, { ...o, sequence: 0, pid: 0, echo: false });
    }
  }
}
