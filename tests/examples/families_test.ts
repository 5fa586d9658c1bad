// examples/families/: one runnable example per generic netlink family
// without a hand-written client, run in-process on the simulated family
// (serveYnlFamily) and, where this machine lets it, on the real kernel.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import process from "node:process";
import {
  type FamilyExample,
  runExample,
} from "../../examples/families/_run.ts";

const dir = new URL("../../examples/families/", import.meta.url);
const specs = new URL("../../src/families/", import.meta.url);

/** Generic netlink families with a client of their own (no example needed). */
const WITH_CLIENT = new Set(["ethtool", "wireguard", "nl80211", "nlctrl"]);

/** What each example prints on the simulated family (a line of it). */
const EXPECT: Record<string, string> = {
  devlink: "netdevsim/netdevsim1/0: type eth flavour physical netdev eni1np1",
  dpll: "device 0 (ice, eec): locked-ho-acq, clock 1122334455667788",
  fou: "port 6666 gue",
  handshake: "handshake on fd 7: clienthello, x509, timeout 5000 ms",
  lockd: "grace time 90 s, TCP port any, UDP port any",
  mptcp_pm: "192.0.2.10 id 1 flags 0x1",
  net_shaper: "ifindex 1 queue: MetricBps, BwMax, Weight",
  netdev: "ifindex 2: xdp-features basic,redirect,ndo-xmit",
  nfsd: "versions 3 4.1 4.2",
  ovpn: "peer 1: 192.0.2.1:1194 vpn 10.8.0.2",
  ovs_datapath:
    "ovs-system (ifindex 5): lookups hit 1200 missed 34 lost 0, flows 12",
  ovs_flow: '{"inPort":1,"ethertype":2048}: packets 17, bytes 1666, used 1234',
  ovs_vport: "port 1: eth1 (netdev)",
  psp:
    "psp device 1 on ifindex 2: can hdr0-aes-gcm-128,hdr0-aes-gcm-256, enabled hdr0-aes-gcm-128",
  tcp_metrics: "192.0.2.7 age 12000 ms rtt 24000us cwnd 10 source 192.0.2.1",
  team: "mode: activebackup",
};

async function load(name: string): Promise<FamilyExample> {
  return (await import(new URL(`${name}.ts`, dir).href))
    .example as FamilyExample;
}

async function genlSpecs(): Promise<string[]> {
  const out: string[] = [];
  for (const f of readdirSync(specs)) {
    if (
      !f.endsWith(".ts") || f.startsWith("_") || f === "family.ts" ||
      f === "mod.ts"
    ) continue;
    const m = await import(new URL(f, specs).href) as {
      family?: { genl: boolean };
    };
    if (m.family?.genl) out.push(f.slice(0, -3));
  }
  return out.sort();
}

describe("examples/families", () => {
  it("has one example per generic netlink family without a client of its own", async () => {
    const examples = readdirSync(dir).filter((f) =>
      f.endsWith(".ts") && !f.startsWith("_")
    ).map((f) => f.slice(0, -3)).sort();
    const want = (await genlSpecs()).filter((n) => !WITH_CLIENT.has(n));
    assert.deepEqual(examples, want);
    assert.deepEqual(Object.keys(EXPECT).sort(), want);
  });

  for (const [name, line] of Object.entries(EXPECT)) {
    it(`${name}.ts --sim: prints what the simulated family answers`, async () => {
      const out: string[] = [];
      assert.equal(
        await runExample(await load(name), ["--sim"], (l) => out.push(l)),
        0,
      );
      assert.ok(out[0]?.startsWith("# "), String(out[0]));
      assert.ok(
        out.includes(line),
        `missing ${JSON.stringify(line)} in\n${out.join("\n")}`,
      );
    });
  }

  it("each runs on the real kernel, or says the kernel lacks the family", {
    skip: process.platform !== "linux",
  }, async (t) => {
    for (const name of Object.keys(EXPECT)) {
      const out: string[] = [];
      try {
        assert.equal(
          await runExample(await load(name), [], (l) => out.push(l)),
          0,
          name,
        );
      } catch (e) {
        if (e instanceof Error && e.name === "UnsupportedPlatformError") {
          t.skip(`no real sockets here: ${e.message}`);
          return;
        }
        throw new Error(`${name}: ${e instanceof Error ? e.message : e}`, {
          cause: e,
        });
      }
      const absent = out.some((l) => l.startsWith("# this kernel has no"));
      assert.ok(
        absent || !out.some((l) => l.startsWith("#")),
        `${name}: ${out.join("\n")}`,
      );
    }
  });
});
