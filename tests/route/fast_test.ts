// The list hot paths (src/route/_fast.ts) give exactly what the generated
// decoder gives: on the simulated kernel's link and route messages, and on
// the same messages with random bytes changed (both then either agree or
// throw RangeError). tests/integration/route_test.ts checks the real
// kernel's messages the same way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Family, HeaderFlags, type Message } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { getlink } from "../../src/families/rt_link.ts";
import { getroute } from "../../src/families/rt_route.ts";
import { Route } from "../../src/route/mod.ts";
import { assertBothWaysAgree, bothWays } from "./_fast_check.ts";

async function messages(): Promise<{ links: Message[]; routes: Message[] }> {
  const kernel = new SimKernel();
  await using route = await Route.open({ conn: kernel.dial(Family.Route) });
  await route.links.add({ name: "br0", kind: "bridge", up: true });
  await route.links.add({
    name: "veth0",
    kind: "veth",
    peer: "veth1",
    master: "br0",
    up: true,
  });
  await route.links.add({ name: "mv0", kind: "macvlan", link: "br0" });
  await route.links.set("veth0", { alias: "uplink", txqlen: 500 });
  await route.addresses.add("br0", "10.1.2.3/24");
  await route.addresses.add("br0", "2001:db8::3/64", { flags: ["nodad"] });
  await route.routes.add({
    dst: "10.9.0.0/16",
    gateway: "10.1.2.1",
    metric: 9,
  });
  await route.routes.add({
    dst: "10.8.0.0/16",
    nexthops: [{ gateway: "10.1.2.1" }, { gateway: "10.1.2.2", weight: 3 }],
  });
  await route.routes.add({
    dst: "10.7.0.0/16",
    type: "unreachable",
    table: 1000,
  });
  await route.routes.add({ dst: "default", gateway: "2001:db8::1" });
  const dump = (m: Message) =>
    route.conn.execute({
      ...m,
      header: { ...m.header, flags: HeaderFlags.Request | HeaderFlags.Dump },
    });
  return {
    links: await dump(getlink.encode({}, { dump: true })),
    routes: await dump(getroute.encode({}, { dump: true })),
  };
}

describe("the list hot paths", () => {
  it("read links and routes exactly as the generated decoder does", async () => {
    const { links, routes } = await messages();
    assert.ok(
      links.length >= 5 && routes.length >= 12,
      `${links.length} links, ${routes.length} routes`,
    );
    assertBothWaysAgree(links, routes);
  });

  it("agree with it (or both throw RangeError) on messages with random bytes changed", async () => {
    const { links, routes } = await messages();
    let seed = 12345;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (let i = 0; i < 3000; i++) {
      const kind = i % 2 === 0 ? "link" : "route";
      const list = kind === "link" ? links : routes;
      const m = list[rnd(list.length)]!;
      const data = m.data.slice(0, m.data.length - (rnd(4) === 0 ? rnd(8) : 0));
      for (let k = rnd(4) + 1; k > 0; k--) data[rnd(data.length)] = rnd(256);
      const [fast, slow] = bothWays(kind, { header: m.header, data });
      assert.deepEqual(fast, slow, `${kind} case ${i}`);
    }
  });
});
