/**
 * The Route client's test bodies, written once and run twice: against the
 * real kernel in the CI namespace (tests/integration/route_test.ts, where
 * every result is also compared with what `ip -j` prints) and against the
 * simulated kernel (tests/route/route_test.ts, where the same assertions
 * hold without `ip`).
 */

import assert from "node:assert/strict";
import { isNotExist } from "../../src/netlink/mod.ts";
import type { Link, NetnsRef, Route, RouteEntry } from "../../src/route/mod.ts";

/** What a body gets. */
export interface Env {
  route: Route;
  /** `ip -j ARGS`, parsed, on the real kernel; undefined on the simulator. */
  ip?: (...args: string[]) => unknown[];
  /** A name for a link of this run: `rt` + `tag` + a counter (at most 15 bytes). */
  name(tag: string): string;
  /**
   * A namespace to move links to and a way to list the links there; on the
   * simulator, the move only takes the link away.
   */
  otherNamespace(): Promise<{
    refs: NetnsRef[];
    links(): Promise<string[]>;
    back(name: string): Promise<void>;
    close(): Promise<void>;
  }>;
}

/** One body. */
export interface Body {
  name: string;
  run(env: Env): Promise<void>;
}

type IpLink = {
  ifindex: number;
  ifname: string;
  mtu: number;
  operstate: string;
  address?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
};

/** A link as `ip -j -d link show` would describe it. */
function linkView(l: Link, byIndex: Map<number, string>) {
  return {
    ifindex: l.index,
    ifname: l.name,
    kind: l.kind,
    master: l.master === undefined ? undefined : byIndex.get(l.master),
    mtu: l.mtu,
    operstate: String(l.operstate).toUpperCase(),
    address: l.address,
  };
}

function ipLinkView(x: IpLink) {
  return {
    ifindex: x.ifindex,
    ifname: x.ifname,
    kind: x.linkinfo?.info_kind,
    master: x.master,
    mtu: x.mtu,
    operstate: x.operstate,
    address: x.address,
  };
}

async function checkLinks(env: Env, names: string[]): Promise<Link[]> {
  // RTM_GETLINK of a link runs its pending linkwatch work (Linux defers a
  // carrier change's operational state a little): both views then agree.
  // Twice: a port's work can queue its bridge's.
  for (const n of [...names, ...names]) {
    await env.route.links.get(n).catch(() => {});
  }
  const all = await env.route.links.list();
  const byIndex = new Map(all.map((l) => [l.index, l.name]));
  const mine = all.filter((l) => names.includes(l.name));
  if (env.ip !== undefined) {
    const ip = (env.ip("-d", "link", "show") as IpLink[])
      .filter((x) => names.includes(x.ifname));
    assert.deepEqual(
      mine.map((l) => linkView(l, byIndex)),
      ip.map(ipLinkView),
      "links.list() agrees with `ip -j -d link show`",
    );
  }
  return mine;
}

type IpAddr = {
  family: string;
  local: string;
  prefixlen: number;
  scope: string;
  label?: string;
};

async function checkAddresses(env: Env, link: string) {
  const list = await env.route.addresses.list({ link });
  const mine = list.filter((a) => a.scope !== "link"); // no link-local: the simulator makes none
  if (env.ip !== undefined) {
    const [ip] = env.ip("addr", "show", "dev", link) as {
      addr_info: IpAddr[];
    }[];
    assert.deepEqual(
      mine.map((a) => ({
        family: a.family,
        local: a.address,
        prefixlen: a.prefixLength,
        scope: a.scope,
        label: a.label,
      })),
      ip!.addr_info.filter((x) => x.scope !== "link").map((x) => ({
        family: x.family,
        local: x.local,
        prefixlen: x.prefixlen,
        scope: x.scope,
        label: x.label,
      })),
      "addresses.list() agrees with `ip -j addr show`",
    );
  }
  return mine;
}

type IpRoute = {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
};

const TABLE_NAMES: Record<string, number> = {
  local: 255,
  main: 254,
  default: 253,
};

/** A route as `ip -j route show table all` prints it (`/32` and `/128` dropped, defaults left out). */
function routeView(r: RouteEntry, byIndex: Map<number, string>) {
  const host = r.family === "inet" ? 32 : 128;
  return {
    type: r.type,
    dst: r.dstLength === host ? r.dst.replace(/\/\d+$/, "") : r.dst,
    gateway: r.gateway,
    dev: r.oif === undefined ? undefined : byIndex.get(r.oif),
    table: r.table,
    protocol: r.protocol,
    scope: r.scope,
    metric: r.family === "inet6" ? r.priority : r.priority || undefined,
  };
}

function ipRouteView(x: IpRoute) {
  return {
    type: x.type ?? "unicast",
    dst: x.dst,
    gateway: x.gateway,
    dev: x.dev,
    table: x.table === undefined
      ? 254
      : TABLE_NAMES[x.table] ?? Number(x.table),
    protocol: x.protocol ?? "boot",
    scope: x.scope ?? "global",
    metric: x.metric,
  };
}

async function checkRoutes(env: Env, family: "inet" | "inet6", dev: string) {
  const all = await env.route.links.list();
  const byIndex = new Map(all.map((l) => [l.index, l.name]));
  const mine = (await env.route.routes.list({ family })).filter((r) =>
    r.oif !== undefined
      ? byIndex.get(r.oif) === dev
      : r.dst.startsWith(family === "inet" ? "10.6" : "2001:db8:6")
  ).filter((r) =>
    r.dst !== "fe80::/64" && r.dst !== "ff00::/8" && !r.dst.startsWith("fe80:")
  );
  if (env.ip !== undefined) {
    const ip = (env.ip(
      family === "inet" ? "-4" : "-6",
      "route",
      "show",
      "table",
      "all",
    ) as IpRoute[])
      .filter((x) =>
        x.dev !== undefined
          ? x.dev === dev
          : x.dst.startsWith(family === "inet" ? "10.6" : "2001:db8:6")
      )
      .filter((x) =>
        x.dst !== "fe80::/64" && x.dst !== "ff00::/8" &&
        !x.dst.startsWith("fe80:")
      );
    assert.deepEqual(
      mine.map((r) => routeView(r, byIndex)),
      ip.map(ipRouteView),
      "routes.list() agrees with `ip -j route show table all`",
    );
  }
  return mine;
}

export const BODIES: Body[] = [
  {
    name:
      "links: add a bridge and a veth pair, get, set, delete, with the kernel's errors",
    async run(env) {
      const { route } = env;
      const br = env.name("br"), v0 = env.name("v"), v1 = env.name("p");
      const created = await route.links.add({ name: br, kind: "bridge" });
      assert.deepEqual([
        created.name,
        created.kind,
        created.up,
        created.operstate,
      ], [br, "bridge", false, "down"]);
      const veth = await route.links.add({
        name: v0,
        kind: "veth",
        peer: { name: v1, mtu: 1400 },
      });
      const peer = await route.links.get(v1);
      assert.ok(peer.index < veth.index, "the kernel registers the peer first");
      assert.equal(veth.link, peer.index);
      assert.equal(peer.mtu, 1400);
      assert.deepEqual(
        await route.links.get(veth.index),
        await route.links.get(v0),
      );
      await route.links.set(v0, {
        master: br,
        up: true,
        mtu: 1450,
        address: "02:00:5e:00:53:01",
      });
      await route.links.set(br, { up: true });
      await route.links.set(v1, { up: true });
      let [b, p, v] = await checkLinks(env, [br, v1, v0]);
      assert.deepEqual([b!.operstate, p!.operstate, v!.operstate], [
        "up",
        "up",
        "up",
      ]);
      assert.equal(v!.master, b!.index);
      assert.equal(v!.portKind, "bridge");
      assert.equal(v!.address, "02:00:5e:00:53:01");
      assert.equal(v!.mtu, 1450);
      assert.deepEqual(
        (await route.links.list({ master: br })).map((l) => l.name),
        [v0],
      );
      const renamed = env.name("r");
      await route.links.set(v0, { name: renamed, master: null });
      await route.links.set(v1, { up: false });
      [b, p, v] = await checkLinks(env, [br, v1, renamed]);
      assert.equal(v!.master, undefined);
      assert.deepEqual([p!.operstate, v!.operstate], [
        "down",
        "lowerlayerdown",
      ]);
      await assert.rejects(
        route.links.get(v0),
        (e: Error) => isNotExist(e) && e.message.includes(JSON.stringify(v0)),
      );
      await assert.rejects(route.links.add({ name: br, kind: "bridge" }), {
        name: "NetlinkError",
        code: "EEXIST",
        message: `Cannot add link ${br} (bridge): EEXIST (File exists)`,
      });
      await assert.rejects(
        route.links.add({ name: env.name("k"), kind: "rtnokind" }),
        (e: Error & { code?: string; extAck?: { message?: string } }) =>
          e.code === "EOPNOTSUPP" &&
          e.extAck?.message === "Unknown device type" &&
          e.message.endsWith(
            ": EOPNOTSUPP (Operation not supported): Unknown device type",
          ),
      );
      await assert.rejects(route.links.set(renamed, { mtu: 70000 }), {
        code: "EINVAL",
        message:
          `Cannot set link ${renamed}: EINVAL (Invalid argument): mtu greater than device maximum`,
      });
      await assert.rejects(route.links.delete(1), { code: "EOPNOTSUPP" });
      await assert.rejects(
        route.links.set(env.name("x"), { up: true }),
        (e) => isNotExist(e),
      );
      await assert.rejects(
        route.links.add({ name: "way-too-long-name0" }),
        TypeError,
      );
      await route.links.delete(renamed);
      await assert.rejects(
        route.links.get(v1),
        (e) => isNotExist(e),
        "the peer goes too",
      );
      await route.links.delete(br);
      assert.equal((await checkLinks(env, [br, v0, v1, renamed])).length, 0);
    },
  },
  {
    name:
      "links: a macvlan on a bridge, and moving a link to another namespace",
    async run(env) {
      const { route } = env;
      const br = env.name("br"),
        mv = env.name("m"),
        v0 = env.name("v"),
        v1 = env.name("p");
      await route.links.add({ name: br, kind: "bridge", up: true });
      const m = await route.links.add({ name: mv, kind: "macvlan", link: br });
      assert.equal(m.kind, "macvlan");
      assert.equal(m.link, (await route.links.get(br)).index);
      await checkLinks(env, [br, mv]);
      await assert.rejects(
        route.links.add({ name: env.name("m"), kind: "macvlan" }),
        {
          code: "EINVAL", // no lower link
        },
      );
      await route.links.delete(mv);
      await route.links.delete(br);
      const vx = env.name("x");
      const vxlan = await route.links.add({
        name: vx,
        kind: "vxlan",
        data: { id: 4242, port: 4789 },
      });
      assert.equal(vxlan.kind, "vxlan");
      const data = vxlan.attrs.linkinfo?.data as { id?: number; port?: number };
      assert.deepEqual([data.id, data.port], [4242, 4789]);
      if (env.ip !== undefined) {
        const [x] = env.ip("-d", "link", "show", vx) as {
          linkinfo: { info_data: { id: number; port: number } };
        }[];
        assert.deepEqual(
          [x!.linkinfo.info_data.id, x!.linkinfo.info_data.port],
          [4242, 4789],
        );
      }
      await checkLinks(env, [vx]);
      await assert.rejects(
        route.links.add({
          name: env.name("x"),
          kind: "vxlan",
          data: { id: 4242, port: 4789 },
        }),
        {
          code: "EEXIST",
          message:
            /: EEXIST \(File exists\): A VXLAN device with the specified VNI already exists$/,
        },
      );
      await assert.rejects(
        route.links.add({ name: env.name("x"), kind: "vxlan" }),
        {
          code: "EINVAL",
          message: /Required attributes not provided to perform the operation$/,
        },
      );
      await route.links.delete(vx);
      const ns = await env.otherNamespace();
      try {
        await route.links.add({ name: v0, kind: "veth", peer: v1 });
        for (const ref of ns.refs) {
          await route.links.set(v1, { netns: ref });
          await assert.rejects(route.links.get(v1), (e) => isNotExist(e));
          assert.deepEqual(
            (await ns.links()).filter((n) => n === v1),
            env.ip === undefined ? [] : [v1],
          );
          await ns.back(v1);
        }
      } finally {
        await route.links.delete(v0).catch(() => {});
        await ns.close();
      }
    },
  },
  {
    name:
      "addresses: IPv4 and IPv6, labels, lifetimes, flags, duplicates, delete, flush",
    async run(env) {
      const { route } = env;
      const br = env.name("br");
      await route.links.add({ name: br, kind: "bridge", up: true });
      await route.addresses.add(br, "10.61.2.3/24");
      await route.addresses.add(br, "10.61.2.4/24", {
        label: `${br}:x`,
        validLifetime: 300,
        preferredLifetime: 100,
      });
      await route.addresses.add(br, "2001:db8:61::1/64", { flags: ["nodad"] });
      const list = await checkAddresses(env, br);
      assert.deepEqual(
        list.map((
          a,
        ) => [a.family, a.address, a.prefixLength, a.scope, a.label]),
        [
          ["inet", "10.61.2.3", 24, "global", br],
          ["inet", "10.61.2.4", 24, "global", `${br}:x`],
          ["inet6", "2001:db8:61::1", 64, "global", undefined],
        ],
      );
      assert.ok(list[0]!.flags.includes("permanent"));
      assert.ok(list[1]!.flags.includes("secondary"));
      assert.ok(!list[1]!.flags.includes("permanent"));
      assert.ok(list[1]!.validLifetime <= 300 && list[1]!.validLifetime > 250);
      assert.equal(list[0]!.validLifetime, Infinity);
      assert.ok(list[2]!.flags.includes("nodad"));
      await assert.rejects(route.addresses.add(br, "10.61.2.3/24"), {
        name: "NetlinkError",
        code: "EEXIST",
        message:
          `Cannot add address 10.61.2.3/24 to ${br}: EEXIST (File exists): ipv4: Address already assigned`,
      });
      await assert.rejects(route.addresses.add(br, "10.61.2/24"), {
        name: "TypeError",
        message:
          `Cannot add address 10.61.2/24 to ${br}: "10.61.2/24": "10.61.2" is not an IP address`,
      });
      await assert.rejects(
        route.addresses.add(env.name("x"), "10.61.9.1/24"),
        (e) => isNotExist(e),
      );
      await assert.rejects(route.addresses.delete(br, "10.61.9.1/24"), {
        code: "EADDRNOTAVAIL",
        message:
          `Cannot delete address 10.61.9.1/24 from ${br}: EADDRNOTAVAIL (Cannot assign requested address): ipv4: Address not found`,
      });
      await route.addresses.delete(br, "2001:db8:61::1/64");
      assert.equal(
        (await checkAddresses(env, br)).length,
        2,
        "the Route is still usable",
      );
      assert.equal(
        await route.addresses.flush(br, { family: "inet" }),
        1,
        "the secondary goes with the primary",
      );
      assert.deepEqual(await checkAddresses(env, br), []);
      await route.links.delete(br);
    },
  },
  {
    name:
      "routes: gateway, device, table, metric, types, multipath, default, lookup, replace, delete",
    async run(env) {
      const { route } = env;
      const br = env.name("br");
      await route.links.add({ name: br, kind: "bridge", up: true });
      await route.addresses.add(br, "10.62.2.3/24");
      await route.addresses.add(br, "2001:db8:62::3/64", { flags: ["nodad"] });
      await route.routes.add({
        dst: "10.69.0.0/16",
        gateway: "10.62.2.1",
        metric: 5,
      });
      await route.routes.add({ dst: "10.68.0.0/16", dev: br, table: 100 });
      await route.routes.add({
        dst: "10.67.0.0/16",
        nexthops: [{ gateway: "10.62.2.1", weight: 2 }, {
          gateway: "10.62.2.2",
        }],
      });
      await route.routes.add({
        dst: "10.66.1.0/24",
        type: "blackhole",
        table: 100,
      });
      await route.routes.add({
        dst: "10.66.2.0/24",
        type: "unreachable",
        table: 100,
      });
      await route.routes.add({
        dst: "10.66.3.0/24",
        type: "prohibit",
        table: 100,
      });
      await route.routes.add({
        dst: "2001:db8:69::/48",
        gateway: "2001:db8:62::1",
      });
      await route.routes.add({
        dst: "default",
        gateway: "10.62.2.1",
        table: 101,
      });
      const v4 = await checkRoutes(env, "inet", br);
      const multi = v4.find((r) => r.dst === "10.67.0.0/16")!;
      if (env.ip !== undefined) {
        const [x] = env.ip("route", "show", "10.67.0.0/16") as {
          nexthops: { gateway: string; dev: string; weight: number }[];
        }[];
        assert.deepEqual(
          multi.nexthops?.map((h) => [h.gateway, h.oif, h.weight]),
          x!.nexthops.map((
            h,
          ) => [
            h.gateway,
            h.dev === br ? multi.nexthops![0]!.oif : -1,
            h.weight,
          ]),
          "next hops agree with `ip -j route show`",
        );
      }
      assert.deepEqual(multi.nexthops?.map((h) => [h.gateway, h.weight]), [[
        "10.62.2.1",
        2,
      ], ["10.62.2.2", 1]]);
      assert.deepEqual(
        v4.filter((r) => r.dst.startsWith("10.66.")).map((
          r,
        ) => [r.dst, r.type, r.table]),
        [["10.66.1.0/24", "blackhole", 100], [
          "10.66.2.0/24",
          "unreachable",
          100,
        ], ["10.66.3.0/24", "prohibit", 100]],
      );
      const def = (await route.routes.list({ table: 101 }))[0]!;
      assert.deepEqual([def.dst, def.dstLength, def.gateway], [
        "default",
        0,
        "10.62.2.1",
      ]);
      const v6 = await checkRoutes(env, "inet6", br);
      assert.ok(
        v6.some((r) =>
          r.dst === "2001:db8:69::/48" && r.gateway === "2001:db8:62::1" &&
          r.priority === 1024
        ),
      );
      const hit = await route.routes.get("10.69.1.1");
      assert.deepEqual([hit.dst, hit.gateway, hit.prefsrc, hit.table], [
        "10.69.1.1/32",
        "10.62.2.1",
        "10.62.2.3",
        254,
      ]);
      if (env.ip !== undefined) {
        const [g] = env.ip("route", "get", "10.69.1.1") as {
          gateway: string;
          dev: string;
          prefsrc: string;
        }[];
        assert.deepEqual([g!.gateway, g!.dev, g!.prefsrc], [
          hit.gateway,
          br,
          hit.prefsrc,
        ]);
      }
      await route.routes.replace({
        dst: "10.69.0.0/16",
        gateway: "10.62.2.2",
        metric: 5,
      });
      assert.equal((await route.routes.get("10.69.1.1")).gateway, "10.62.2.2");
      await assert.rejects(
        route.routes.add({
          dst: "10.69.0.0/16",
          gateway: "10.62.2.2",
          metric: 5,
        }),
        { code: "EEXIST" },
      );
      await assert.rejects(
        route.routes.add({ dst: "10.65.0.0/16", gateway: "10.99.0.1" }),
        {
          code: "ENETUNREACH",
          message:
            "Cannot add route 10.65.0.0/16 via 10.99.0.1: ENETUNREACH (Network is unreachable): Nexthop has invalid gateway",
        },
      );
      await assert.rejects(route.routes.add({ dst: "10.65.0.1/16", dev: br }), {
        code: "EINVAL",
        message:
          `Cannot add route 10.65.0.1/16 dev ${br}: EINVAL (Invalid argument): Invalid prefix for given prefix length`,
      });
      await assert.rejects(
        route.routes.add({ dst: "10.65.0.0/99" }),
        TypeError,
      );
      await route.routes.delete({ dst: "10.69.0.0/16", metric: 5 });
      await assert.rejects(
        route.routes.delete({ dst: "10.69.0.0/16", metric: 5 }),
        {
          name: "NetlinkError",
          code: "ESRCH",
          message:
            "Cannot delete route 10.69.0.0/16 metric 5: ESRCH (No such process)",
        },
      );
      await route.routes.delete({
        dst: "10.66.1.0/24",
        type: "blackhole",
        table: 100,
      });
      await route.routes.delete({ dst: "2001:db8:69::/48" });
      await route.routes.delete({ dst: "default", table: 101 });
      assert.equal((await route.routes.list({ table: 101 })).length, 0);
      await checkRoutes(env, "inet", br);
      await route.links.delete(br);
      assert.deepEqual(
        (await route.routes.list({ table: 100 })).filter((r) =>
          r.dst.startsWith("10.68")
        ),
        [],
      );
      for (const dst of ["10.66.2.0/24", "10.66.3.0/24"]) {
        await route.routes.delete({ dst, table: 100 });
      }
    },
  },
  {
    name: "neighbours and rules: add, list, delete, with the kernel's errors",
    async run(env) {
      const { route } = env;
      const br = env.name("br");
      await route.links.add({ name: br, kind: "bridge", up: true });
      await route.neighbours.add({
        dev: br,
        address: "10.63.2.9",
        lladdr: "02:00:00:00:00:09",
      });
      await route.neighbours.add({
        dev: br,
        address: "2001:db8:63::9",
        lladdr: "02:00:00:00:00:0a",
        router: true,
      });
      const n = (await route.neighbours.list({ link: br })).filter((x) =>
        x.address?.startsWith("10.63") || x.address?.startsWith("2001:db8:63")
      );
      assert.deepEqual(n.map((x) => [x.address, x.lladdr, x.state]), [
        ["10.63.2.9", "02:00:00:00:00:09", ["permanent"]],
        ["2001:db8:63::9", "02:00:00:00:00:0a", ["permanent"]],
      ]);
      assert.ok(n[1]!.flags.includes("router"));
      if (env.ip !== undefined) {
        const ip = (env.ip("neigh", "show", "dev", br) as {
          dst: string;
          lladdr: string;
          state: string[];
          router?: boolean;
        }[])
          .filter((x) =>
            x.dst.startsWith("10.63") || x.dst.startsWith("2001:db8:63")
          );
        assert.deepEqual(
          n.map((x) => [
            x.address,
            x.lladdr,
            x.state.map((s) => String(s).toUpperCase()),
            x.flags.includes("router"),
          ]),
          ip.map((x) => [x.dst, x.lladdr, x.state, "router" in x]), // ip prints "router": null
        );
      }
      await assert.rejects(
        route.neighbours.add({
          dev: br,
          address: "10.63.2.9",
          lladdr: "02:00:00:00:00:0b",
        }),
        {
          code: "EEXIST",
          message:
            `Cannot add neighbour 10.63.2.9 on ${br}: EEXIST (File exists)`,
        },
      );
      await route.neighbours.add({
        dev: br,
        address: "10.63.2.9",
        lladdr: "02:00:00:00:00:0b",
        replace: true,
      });
      await route.neighbours.delete({ dev: br, address: "10.63.2.9" });
      await route.neighbours.delete({ dev: br, address: "2001:db8:63::9" });
      await assert.rejects(
        route.neighbours.delete({ dev: br, address: "10.63.2.9" }),
        { code: "ENOENT" },
      );
      await route.links.delete(br);

      await route.rules.add({
        src: "10.64.0.0/16",
        table: 164,
        priority: 1640,
      });
      await route.rules.add({
        src: "2001:db8:64::/48",
        table: 164,
        priority: 1641,
      });
      await route.rules.add({
        dst: "10.64.1.0/24",
        action: "blackhole",
        priority: 1642,
      });
      const rules = (await route.rules.list()).filter((r) =>
        r.priority >= 1640 && r.priority <= 1642
      );
      assert.deepEqual(
        rules.map((
          r,
        ) => [r.family, r.priority, r.src ?? r.dst, r.action, r.table]),
        [
          ["inet", 1640, "10.64.0.0/16", "to-tbl", 164],
          ["inet", 1642, "10.64.1.0/24", "blackhole", 0],
          ["inet6", 1641, "2001:db8:64::/48", "to-tbl", 164],
        ],
      );
      if (env.ip !== undefined) {
        type IpRule = {
          priority: number;
          src?: string;
          srclen?: number;
          table?: string;
        };
        const ip = [
          ...env.ip("-4", "rule"),
          ...env.ip("-6", "rule"),
        ] as IpRule[];
        for (const r of rules.filter((r) => r.src !== undefined)) {
          const x = ip.find((x) => x.priority === r.priority)!;
          assert.deepEqual([`${x.src}/${x.srclen}`, Number(x.table)], [
            r.src,
            r.table,
          ]);
        }
        assert.deepEqual(
          (await route.rules.list()).map((r) => r.priority),
          ip.map((x) => x.priority),
          "rules.list() agrees with `ip -j rule` (IPv4, then IPv6)",
        );
      }
      await assert.rejects(
        route.rules.add({ src: "10.64.0.0/16", table: 164, priority: 1640 }),
        { code: "EEXIST" },
      );
      for (
        const spec of [
          { src: "10.64.0.0/16", table: 164, priority: 1640 },
          { src: "2001:db8:64::/48", table: 164, priority: 1641 },
          { dst: "10.64.1.0/24", action: "blackhole" as const, priority: 1642 },
        ]
      ) await route.rules.delete(spec);
      await assert.rejects(
        route.rules.delete({ src: "10.64.0.0/16", table: 164 }),
        {
          code: "ENOENT",
          message:
            "Cannot delete rule from 10.64.0.0/16 table 164: ENOENT (No such file or directory)",
        },
      );
    },
  },
];
