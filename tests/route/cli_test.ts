// `nlkit link|addr|route|neigh|rule` on the simulated machine their
// `simulate` seeds (a bridge with a veth port, addresses, a default route).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../examples/nlkit.ts";
import { runNlkit, simulatedMachine } from "../examples/_nlkit.ts";

async function nlkit(backend: Backend, ...argv: string[]): Promise<string> {
  return (await runNlkit(argv, { backend })).text;
}

describe("nlkit route commands", () => {
  it("lists links and addresses like ip -br, routes like ip route, rules like ip rule", async () => {
    const b = simulatedMachine();
    assert.equal(
      await nlkit(b, "link"),
      [
        "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP>",
        "eth0             UNKNOWN        02:00:00:00:00:10 <BROADCAST,NOARP,UP,LOWER_UP>",
        "wlan0            UNKNOWN        02:00:00:00:00:01 <BROADCAST,NOARP,UP,LOWER_UP>",
        "br0              UP             02:00:00:00:00:06 <BROADCAST,MULTICAST,UP,LOWER_UP>",
        "veth1@veth0      UP             02:00:00:00:00:05 <BROADCAST,MULTICAST,UP,LOWER_UP>",
        "veth0@veth1      UP             02:00:00:00:00:06 <BROADCAST,MULTICAST,UP,LOWER_UP>",
        "wg0              DOWN            <POINTOPOINT,NOARP>", // `nlkit wg`'s device
        "",
      ].join("\n"),
    );
    assert.match(
      await nlkit(b, "addr"),
      /^br0 +UP +10\.1\.2\.3\/24 2001:db8:1::3\/64$/m,
    );
    const routes = await nlkit(b, "route");
    assert.match(routes, /^default via 10\.1\.2\.1 dev br0 metric 100$/m);
    assert.match(
      routes,
      /^10\.1\.2\.0\/24 dev br0 proto kernel scope link src 10\.1\.2\.3$/m,
    );
    assert.match(
      routes,
      /^local 10\.1\.2\.3 dev br0 table local proto kernel scope host src 10\.1\.2\.3$/m,
    );
    assert.equal(
      await nlkit(b, "rule"),
      "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n" +
        "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n",
    );
    assert.equal(await nlkit(b, "neigh"), "");
  });

  it("adds and deletes links, addresses, routes; route get; --json without attrs", async () => {
    const b = simulatedMachine();
    await nlkit(b, "link", "add", "rtb1", "type", "bridge", "up");
    await nlkit(
      b,
      "link",
      "add",
      "rtv1",
      "type",
      "veth",
      "peer",
      "rtp1",
      "master",
      "rtb1",
    );
    await nlkit(b, "link", "set", "rtv1", "up", "mtu", "1400");
    await nlkit(
      b,
      "addr",
      "add",
      "10.5.0.1/24",
      "dev",
      "rtb1",
      "label",
      "rtb1:a",
    );
    await nlkit(
      b,
      "route",
      "add",
      "10.6.0.0/16",
      "via",
      "10.5.0.2",
      "metric",
      "5",
    );
    await nlkit(b, "route", "add", "blackhole", "10.7.0.0/16", "table", "100");
    assert.equal(
      await nlkit(b, "route", "get", "10.6.1.1"),
      "10.6.1.1 via 10.5.0.2 dev rtb1 proto unspec src 10.5.0.1 cloned\n",
    );
    const links = JSON.parse(await nlkit(b, "link", "--json")) as Record<
      string,
      unknown
    >[];
    const v = links.find((l) => l.name === "rtv1")!;
    assert.deepEqual([v.kind, v.mtu, v.portKind, "attrs" in v], [
      "veth",
      1400,
      "bridge",
      false,
    ]);
    const addrs = JSON.parse(await nlkit(b, "addr", "--json")) as Record<
      string,
      unknown
    >[];
    assert.ok(
      addrs.some((a) => a.label === "rtb1:a" && a.validLifetime === "forever"),
    );
    assert.match(
      await nlkit(b, "route"),
      /^blackhole 10\.7\.0\.0\/16 table 100$/m,
    );
    await nlkit(b, "route", "del", "blackhole", "10.7.0.0/16", "table", "100");
    await nlkit(b, "route", "del", "10.6.0.0/16", "metric", "5");
    await nlkit(b, "addr", "del", "10.5.0.1/24", "dev", "rtb1");
    await nlkit(b, "link", "del", "rtv1");
    await nlkit(b, "link", "del", "rtb1");
    assert.doesNotMatch(await nlkit(b, "link"), /rt[bvp]1/);
  });

  it("refuses bad input with one line the CLI prints", async () => {
    const b = simulatedMachine();
    await assert.rejects(nlkit(b, "link", "frob"), {
      name: "UsageError",
      message: 'link: unknown subcommand "frob"',
    });
    await assert.rejects(nlkit(b, "addr", "add", "10.1.2.9/24"), {
      name: "UsageError",
    });
    await assert.rejects(
      nlkit(b, "link", "add", "rtx", "type", "bridge", "mtu", "big"),
      { name: "UsageError" },
    );
    await assert.rejects(nlkit(b, "addr", "add", "10.1.2/24", "dev", "br0"), {
      name: "TypeError",
      message:
        'Cannot add address 10.1.2/24 to br0: "10.1.2/24": "10.1.2" is not an IP address',
    });
    await assert.rejects(nlkit(b, "addr", "add", "10.1.2.3/24", "dev", "br0"), {
      name: "NetlinkError",
      message:
        "Cannot add address 10.1.2.3/24 to br0: EEXIST (File exists): ipv4: Address already assigned",
    });
    await assert.rejects(nlkit(b, "link", "del", "nope0"), { code: "ENOENT" });
  });

  it("monitor shows a simulated link's creation and deletion", async () => {
    const { lines } = await runNlkit(["monitor"]);
    // After the seeded links (lo, eth0, wlan0, br0, the veth pair, wg0).
    assert.deepEqual(lines.map((l) => l.split(":")[0]), [
      "[NEWLINK] 8",
      "[DELLINK] 8",
    ]);
  });
});
