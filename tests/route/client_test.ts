// The Route client's own behaviour on the simulated kernel: argument checks,
// error wording, the monitor's groups, the multipath codec on hostile bytes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Family, isNetlinkError } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { decodeEvent, Route, type RouteEvent } from "../../src/route/mod.ts";
import { decodeMultipath, encodeMultipath } from "../../src/route/nexthop.ts";
import { getroute } from "../../src/families/rt_route.ts";
import { newneighNtf } from "../../src/families/rt_neigh.ts";
import { newruleNtf } from "../../src/families/rt_rule.ts";

async function open(kernel = new SimKernel()) {
  return await Route.open({ conn: kernel.dial(Family.Route) });
}

describe("Route arguments", () => {
  it("refuses bad references, names, MTUs and options with a TypeError naming the call", async () => {
    await using route = await open();
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => route.links.get(0),
        /^Cannot get link index 0: a link index must be a positive integer, got 0$/,
      ],
      [() => route.links.get(""), /^Cannot get link : a link must be a name/],
      [() => route.links.get(1.5), /a link index must be a positive integer/],
      [
        () => route.links.add({ name: "a/b", kind: "bridge" }),
        /^Cannot add link a\/b \(bridge\): a link name must be/,
      ],
      [
        () => route.links.add({ name: "rtx", kind: "bridge", mtu: -1 }),
        /mtu must be an integer/,
      ],
      [
        () =>
          route.links.add({ name: "rtx", kind: "bridge", address: "02:00" }),
        /"02:00" is not a MAC address/,
      ],
      [
        () => route.links.add({ name: "rtx", peer: "rty" }),
        /a peer needs kind "veth"/,
      ],
      [
        () => route.links.add(null as never),
        /^Cannot add link: spec must be an object$/,
      ],
      [() => route.links.set("lo", null as never), /changes must be an object/],
      [
        () => route.links.set("lo", { netns: { pid: -1 } }),
        /netns \{ pid \} must be a positive integer/,
      ],
      [
        () =>
          route.addresses.add("lo", "10.0.0.1/8", { scope: "galaxy" as never }),
        /scope must be one of global, site, link, host, nowhere or a number/,
      ],
      [
        () => route.addresses.add("lo", "10.0.0.1/8", { validLifetime: 1.5 }),
        /a lifetime must be whole seconds or Infinity/,
      ],
      [
        () => route.routes.add({ dst: "10.0.0.0/8", table: "nope" as never }),
        /table must be one of default, main, local or a number/,
      ],
      [
        () =>
          route.routes.add({ dst: "10.0.0.0/8", type: "teleport" as never }),
        /type must be one of/,
      ],
      [
        () => route.routes.add({ dst: "10.0.0.0/8", gateway: "10.0.0.256" }),
        /^Cannot add route 10\.0\.0\.0\/8 via 10\.0\.0\.256: "10\.0\.0\.256" is not an IP address$/,
      ],
      [
        () =>
          route.routes.add({
            dst: "10.0.0.0/8",
            nexthops: [{ gateway: "10.0.0.1", weight: 0 }],
          }),
        /weight must be 1 to 256, got 0/,
      ],
      [
        () => route.routes.get("nope"),
        /^Cannot get route to nope: "nope" is not an IP address$/,
      ],
      [
        () =>
          route.neighbours.add({
            dev: "lo",
            address: "10.0.0.9",
            lladdr: "xx",
          }),
        /"xx" is not a MAC address/,
      ],
      [
        () => route.rules.add({ src: "10.0.0.0/8", dst: "2001:db8::/32" }),
        /from and to are of two families/,
      ],
      [
        () => Promise.resolve().then(() => route.monitor(["galaxy" as never])),
        /unknown group "galaxy"/,
      ],
    ];
    for (const [call, message] of cases) {
      await assert.rejects(call(), (e: Error) => {
        assert.equal(e.name, "TypeError", `${message}: ${e.message}`);
        assert.match(e.message, message);
        return true;
      });
    }
    assert.throws(() => new Route({} as never), TypeError);
    // The client is still usable after every refusal.
    assert.deepEqual((await route.links.list()).map((l) => l.name), ["lo"]);
  });

  it("lists with filters, gets by index or name, keeps the generated object in attrs", async () => {
    await using route = await open();
    await route.links.add({ name: "rtbr0", kind: "bridge", up: true });
    await route.links.add({
      name: "rtv0",
      kind: "veth",
      peer: "rtv1",
      master: "rtbr0",
    });
    assert.deepEqual(
      (await route.links.list({ kind: "veth" })).map((l) => l.name),
      ["rtv1", "rtv0"],
    );
    assert.deepEqual(
      (await route.links.list({ master: "rtbr0" })).map((l) => l.name),
      ["rtv0"],
    );
    assert.deepEqual(
      (await route.links.list({ up: true })).map((l) => l.name),
      ["lo", "rtbr0"],
    );
    const lo = await route.links.get(1);
    assert.deepEqual([lo.name, lo.type, lo.operstate, lo.attrs.ifname], [
      "lo",
      "loopback",
      "unknown",
      "lo",
    ]);
    await assert.rejects(
      route.links.list({ master: "nope0" }),
      (e: Error) => isNetlinkError(e) && e.message.includes('"nope0"'),
    );
  });

  it("replaces an address and a neighbour entry when asked to", async () => {
    await using route = await open();
    await route.links.add({ name: "rtbr0", kind: "bridge", up: true });
    await route.addresses.add("rtbr0", "10.1.2.3/24", {
      validLifetime: 600,
      preferredLifetime: 600,
    });
    await route.addresses.add("rtbr0", "10.1.2.3/24", { replace: true });
    const [a] = await route.addresses.list({ link: "rtbr0" });
    assert.equal(a?.validLifetime, Infinity);
    assert.ok(a?.flags.includes("permanent"));
  });
});

describe("kind settings through the rt-link sub-messages", () => {
  it("creates a vlan, a bond and a bridge with their settings and reads them back", async () => {
    const ether = {
      type: 1,
      flags: 0x1002,
      mtu: 1500,
      minMTU: 68,
      maxMTU: 65535,
      addressLength: 6,
    };
    const kernel = new SimKernel({
      linkKinds: { dummy: ether, bridge: ether, vlan: ether, bond: ether },
    });
    await using route = await open(kernel);
    await route.links.add({ name: "eth0", kind: "dummy", up: true });
    await route.links.add({
      name: "eth0.100",
      kind: "vlan",
      link: "eth0",
      data: { id: 100, protocol: "8021ad" },
    });
    await route.links.add({
      name: "bond0",
      kind: "bond",
      data: { mode: 4, miimon: 100 },
    });
    await route.links.add({
      name: "br0",
      kind: "bridge",
      data: { stpState: 1, forwardDelay: 400 },
    });
    const vlan = await route.links.get("eth0.100");
    assert.deepEqual([vlan.kind, vlan.link], [
      "vlan",
      (await route.links.get("eth0")).index,
    ]);
    assert.deepEqual(vlan.attrs.linkinfo?.data, {
      id: 100,
      protocol: "8021ad",
    });
    assert.deepEqual((await route.links.get("bond0")).attrs.linkinfo?.data, {
      mode: 4,
      miimon: 100,
    });
    assert.deepEqual((await route.links.get("br0")).attrs.linkinfo?.data, {
      stpState: 1,
      forwardDelay: 400,
    });
    await assert.rejects(
      route.links.add({
        name: "x0",
        kind: "ipvlan",
        data: { mode: 1 } as never,
      }),
      {
        name: "TypeError",
        message: /linkinfo > data: has no format for kind "ipvlan"/,
      },
    );
  });
});

describe("Route.monitor", () => {
  it("joins the groups it is asked for, leaves them when done, and types each event", async () => {
    const kernel = new SimKernel();
    await using route = await open(kernel);
    const events = route.monitor(["link", "neighbour", "rule"]);
    const second = route.monitor(["link"]);
    await route.links.add({ name: "rtbr0", kind: "bridge", up: true });
    await route.neighbours.add({
      dev: "rtbr0",
      address: "10.1.2.9",
      lladdr: "02:00:00:00:00:09",
    });
    await route.rules.add({ src: "10.1.0.0/16", table: 100, priority: 5 });
    await route.addresses.add("rtbr0", "10.1.2.3/24"); // not watched
    const got: RouteEvent[] = [];
    for (let i = 0; i < 3; i++) got.push((await events.next()).value!);
    assert.deepEqual(got.map((e) => e.type), ["link", "neighbour", "rule"]);
    const n = got[1]!;
    assert.ok(
      n.type === "neighbour" && n.neighbour.lladdr === "02:00:00:00:00:09" &&
        n.header.pid === route.conn.pid,
    );
    await events.return?.();
    assert.equal(
      (await second.next()).value?.type,
      "link",
      "the other monitor still has its group",
    );
    await second.return?.();
    assert.deepEqual(await events.next(), { value: undefined, done: true });
  });

  it("ends its iterators when the Route closes", async () => {
    const route = await open();
    const events = route.monitor();
    const pending = events.next();
    await route.close();
    assert.deepEqual(await pending, { value: undefined, done: true });
  });
});

describe("decodeEvent", () => {
  it("types route, neighbour and rule messages and ignores others", () => {
    const r = decodeEvent(
      getroute.encodeReply({
        rtmFamily: 2,
        rtmDstLen: 8,
        rtmTable: 254,
        rtmType: "unicast",
        dst: "10.0.0.0",
        oif: 2,
      }),
    );
    assert.ok(
      r?.type === "route" && r.route.dst === "10.0.0.0/8" && r.action === "new",
    );
    const n = decodeEvent(
      newneighNtf.encodeReply({
        ndmFamily: 10,
        ndmIfindex: 2,
        ndmState: ["reachable"],
        dst: "fe80::1",
      }),
    );
    assert.ok(
      n?.type === "neighbour" && n.neighbour.family === "inet6" &&
        n.neighbour.state[0] === "reachable",
    );
    const u = decodeEvent(
      newruleNtf.encodeReply({
        family: 2,
        action: "to-tbl",
        table: 100,
        priority: 9,
      }),
    );
    assert.ok(
      u?.type === "rule" && u.rule.table === 100 && u.rule.priority === 9,
    );
    assert.equal(
      decodeEvent({
        header: { length: 0, type: 3, flags: 0, sequence: 0, pid: 0 },
        data: new Uint8Array(4),
      }),
      undefined,
    );
  });

  it("throws RangeError on broken attribute framing, never anything else", () => {
    const m = getroute.encodeReply({ rtmFamily: 2, dst: "10.0.0.0" });
    m.data[12] = 0xff; // the first attribute's length, past the end
    assert.throws(() => decodeEvent(m), RangeError);
  });
});

describe("multipath next hops (struct rtnexthop)", () => {
  it("encodes and decodes IPv4 and IPv6 hops", () => {
    const b = encodeMultipath([
      { gateway: "10.0.0.1", oif: 2, weight: 3, flags: 4 },
      { oif: 5, weight: 256, flags: 0 },
      { gateway: "2001:db8::1", oif: 6, weight: 1, flags: 0 },
    ]);
    assert.deepEqual(
      decodeMultipath(b).map((h) => [h.gateway, h.oif, h.weight, h.flags]),
      [["10.0.0.1", 2, 3, ["onlink"]], [undefined, 5, 256, []], [
        "2001:db8::1",
        6,
        1,
        [],
      ]],
    );
  });

  it("refuses a hop whose length is short or runs past the end", () => {
    const b = encodeMultipath([{
      gateway: "10.0.0.1",
      oif: 2,
      weight: 1,
      flags: 0,
    }]);
    for (const len of [4, b.length + 4]) {
      const bad = b.slice();
      bad[0] = len;
      assert.throws(() => decodeMultipath(bad), {
        name: "RangeError",
        message: /^Cannot decode multipath next hop at byte 0/,
      });
    }
    assert.throws(
      () => decodeMultipath(new Uint8Array([16, 0, 0, 0, 1, 0, 0, 0, 1])),
      RangeError,
    );
    assert.deepEqual(decodeMultipath(new Uint8Array(0)), []);
    assert.throws(() => decodeMultipath(b.subarray(0, 5)), {
      name: "RangeError",
      message: /5 bytes left over/,
    });
  });

  it("never throws anything but RangeError on random bytes", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: rnd() % 40 }, rnd);
      try {
        decodeMultipath(b);
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e));
      }
    }
  });
});
