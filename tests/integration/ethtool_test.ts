// Real-kernel tests for @nlkit/netlink/ethtool. Run by .ci/run as root
// inside a fresh `unshare -n` namespace with NLKIT_INTEGRATION=1, under Deno
// and Bun. A veth pair and a tap device (names prefixed "et") are created
// and deleted here; the answers are compared with ethtool(8) (6.1:
// `--json` for -k, text for the rest) and with the simulated twin
// (nltest's ethtool) for what the unit tests rely on.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { findTool, gate, ip, needs, newTag, runs } from "./_gate.ts";
import { Ethtool, StringSet } from "../../src/ethtool/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import type { NetlinkError } from "../../src/netlink/mod.ts";
import { ethtool as sim, SimKernel } from "../../src/nltest/mod.ts";
import { GLOBAL_SETS } from "../../src/nltest/_ethtool_strings.ts";
import { Family } from "../../src/netlink/mod.ts";
import {
  channelsGet,
  featuresSet,
  linkinfoGet,
} from "../../src/families/ethtool.ts";

const ETHTOOL = findTool(["/usr/sbin/ethtool"], ["--version"]) ?? "ethtool";
const skip = await gate(
  import.meta.url,
  needs(
    ETHTOOL,
    ["--version"],
    "integration: needs ethtool(8) to compare with",
  ),
);

const tag = newTag();
const A = `et${tag}a`, B = `et${tag}b`, TAP = `et${tag}t`;

/** ethtool(8)'s output (stdout), and whether it succeeded. */
function tool(...args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(ETHTOOL, args, { encoding: "utf8" });
  return { ok: r.status === 0, out: r.stdout ?? "", err: r.stderr ?? "" };
}

/** `Key: value` lines of ethtool's text output (first occurrence wins). */
function fields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const k = line.slice(0, i).trim();
    if (!m.has(k)) m.set(k, line.slice(i + 1).trim());
  }
  return m;
}

async function errorOf(p: Promise<unknown>): Promise<NetlinkError> {
  return await p.then(() => assert.fail("no error"), (e) => e);
}

describe("integration: ethtool", { skip }, () => {
  let et: Ethtool;
  let twin: Ethtool;
  before(async () => {
    ip("link", "add", A, "type", "veth", "peer", "name", B);
    ip("tuntap", "add", TAP, "mode", "tap");
    et = await Ethtool.open();
    // The twin: the same devices as the simulator declares veth and tap ones.
    const kernel = new SimKernel();
    new sim.Simulator({
      devices: [{ name: A }, {
        name: TAP,
        channels: { combinedMax: 1, combinedCount: 0 },
        features: { changeable: [] },
        coalesce: { rxMaxFrames: 0 },
      }],
    }).register(kernel);
    twin = await Ethtool.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
    });
  });
  after(async () => {
    await et?.close();
    await twin?.close();
    for (const dev of [A, TAP]) {
      try {
        ip("link", "del", dev);
      } catch { /* gone already */ }
    }
  });

  it("integration: link info and link modes agree with `ethtool DEV`, and with the twin", async () => {
    const text = fields(tool(A).out);
    const info = await et.linkInfo(A);
    const ports: Record<string, string> = {
      "Twisted Pair": "tp",
      "FIBRE": "fibre",
      "MII": "mii",
    };
    assert.equal(info.port, ports[text.get("Port")!]);
    assert.equal(String(info.phyAddress), text.get("PHYAD"));
    assert.equal(info.transceiver, text.get("Transceiver"));
    assert.equal(text.get("MDI-X"), "Unknown");
    assert.equal(info.mdix, "invalid");
    const modes = await et.linkModes(A);
    assert.equal(`${modes.speed}Mb/s`, text.get("Speed"));
    assert.equal(modes.duplex, text.get("Duplex")!.toLowerCase());
    assert.equal(modes.autoneg ? "on" : "off", text.get("Auto-negotiation"));
    assert.equal(text.get("Supported link modes"), "Not reported");
    assert.deepEqual(modes.supported, []);
    // The twin answers a veth device the same way.
    const { index: _i, name: _n, ...real } = info;
    const { index: _j, name: _m, ...simmed } = await twin.linkInfo(A);
    assert.deepEqual(simmed, real);
    const { index: _k, ...realModes } = modes;
    const { index: _l, ...simModes } = await twin.linkModes(A);
    assert.deepEqual(simModes, realModes);
  });

  it("integration: link state follows the carrier, as `ethtool DEV` says", async () => {
    assert.equal((await et.linkState(A)).link, false);
    assert.equal(fields(tool(A).out).get("Link detected"), "no");
    ip("link", "set", A, "up");
    ip("link", "set", B, "up");
    try {
      let up = false;
      for (let i = 0; i < 50 && !up; i++) {
        up = (await et.linkState(A)).link === true;
        if (!up) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(up, true);
      assert.equal(fields(tool(A).out).get("Link detected"), "yes");
    } finally {
      ip("link", "set", A, "down");
      ip("link", "set", B, "down");
    }
  });

  it("integration: features agree with `ethtool --json -k` (active, requested, fixed), and with the twin", async () => {
    const json = JSON.parse(tool("--json", "-k", A).out)[0] as Record<
      string,
      { active: boolean; fixed: boolean | null; requested: boolean | null }
    >;
    const f = await et.features(A);
    // ethtool prints some features under older names.
    const legacy: Record<string, string> = {
      "rx-checksum": "rx-checksumming",
      "tx-generic-segmentation": "generic-segmentation-offload",
      "rx-gro": "generic-receive-offload",
      "rx-lro": "large-receive-offload",
      "rx-vlan-hw-parse": "rx-vlan-offload",
      "tx-vlan-hw-insert": "tx-vlan-offload",
      "rx-ntuple-filter": "ntuple-filters",
      "rx-hashing": "receive-hashing",
    };
    let compared = 0;
    for (const name of f.all) {
      const j = json[name] ?? json[legacy[name] ?? ""];
      if (j === undefined) continue;
      compared++;
      assert.equal(f.active.includes(name), j.active, `${name} active`);
      if (j.requested !== null) {
        assert.equal(f.wanted.includes(name), j.requested, `${name} requested`);
      }
      if (j.fixed !== null) {
        assert.equal(f.fixed.includes(name), j.fixed, `${name} fixed`);
      }
    }
    assert.ok(compared >= 50, `${compared} features compared`);
    const t = await twin.features(A);
    assert.deepEqual(
      [t.all, t.active, t.wanted, t.changeable, t.fixed, t.noChange],
      [f.all, f.active, f.wanted, f.changeable, f.fixed, f.noChange],
    );
  });

  it("integration: setting features changes what `ethtool -k` shows, and reports the refused ones as `ethtool -K` does", async () => {
    const r = await et.setFeatures(A, { "rx-gro": true, "rx-lro": true });
    assert.deepEqual(r.changed, { "rx-gro": true });
    assert.deepEqual(r.refused, { "rx-lro": true });
    const json = JSON.parse(tool("--json", "-k", A).out)[0];
    assert.equal(json["generic-receive-offload"].active, true);
    assert.equal(json["large-receive-offload"].active, false);
    assert.deepEqual(
      await twin.setFeatures(A, { "rx-gro": true, "rx-lro": true }),
      { ...r, index: (await twin.linkInfo(A)).index },
    );
    const back = await et.setFeatures(A, { "rx-gro": false });
    assert.deepEqual(back.changed, { "rx-gro": false });
    assert.equal(
      JSON.parse(tool("--json", "-k", A).out)[0]["generic-receive-offload"]
        .active,
      false,
    );
  });

  it("integration: channels agree with `ethtool -l`, and a setter round trip shows there", async () => {
    const text = tool("-l", A).out;
    const [max, cur] = text.split("Current hardware settings:");
    const c = await et.channels(A);
    assert.equal(String(c.rxMax), fields(max!).get("RX"));
    assert.equal(String(c.txMax), fields(max!).get("TX"));
    assert.equal(String(c.rxCount), fields(cur!).get("RX"));
    await et.setChannels(A, { rxCount: 2 });
    assert.equal(
      fields(tool("-l", A).out.split("Current hardware settings:")[1]!).get(
        "RX",
      ),
      "2",
    );
    assert.equal((await et.channels(A)).rxCount, 2);
    await et.setChannels(A, { rxCount: 1 });
    const { index: _i, name: _n, ...real } = await et.channels(A);
    const { index: _j, name: _m, ...simmed } = await twin.channels(A);
    assert.deepEqual(simmed, real);
  });

  it("integration: rings, pause and coalescing of a veth are unsupported, as ethtool says", async () => {
    for (
      const [p, args] of [[et.rings(A), ["-g", A]], [et.pause(A), ["-a", A]], [
        et.coalesce(A),
        ["-c", A],
      ]] as const
    ) {
      const e = await errorOf(p);
      assert.equal(e.code, "EOPNOTSUPP");
      const t = tool(...args);
      assert.match(t.out + t.err, /Operation not supported/);
    }
  });

  it("integration: a tap device's coalescing agrees with `ethtool -c`, and a setter round trip shows there", async () => {
    const c = await et.coalesce(TAP);
    assert.equal(
      String(c.rxMaxFrames),
      fields(tool("-c", TAP).out).get("rx-frames"),
    );
    await et.setCoalesce(TAP, { rxMaxFrames: 8 });
    assert.equal(fields(tool("-c", TAP).out).get("rx-frames"), "8");
    const e = await errorOf(et.setCoalesce(TAP, { rxUsecs: 5 }));
    const t = await errorOf(twin.setCoalesce(TAP, { rxUsecs: 5 }));
    assert.deepEqual([t.code, t.extAck?.message, t.extAck?.attributePath], [
      e.code,
      e.extAck?.message,
      e.extAck?.attributePath,
    ]);
    assert.equal(e.extAck?.message, "cannot modify an unsupported parameter");
  });

  it("integration: statistics groups agree with `ethtool --json -S --all-groups`", async () => {
    const json = JSON.parse(
      tool("--json", "-S", A, "--all-groups").out,
    )[0] as Record<string, unknown>;
    const s = await et.stats(A);
    const groups = Object.keys(json).filter((k) => k !== "ifname");
    assert.deepEqual(Object.keys(s.groups), groups);
    for (const g of groups) assert.deepEqual(s.groups[g]?.counters, {});
    const t = await twin.stats(A);
    assert.deepEqual(t.groups, s.groups);
  });

  it("integration: the kernel's global string sets are the twin's", async () => {
    for (const [id, names] of GLOBAL_SETS) {
      assert.deepEqual(await et.stringSet(id), names, `string set ${id}`);
    }
    assert.equal(
      (await et.stringSet(StringSet.LinkModes))[5],
      "1000baseT/Full",
    );
  });

  it("integration: errors carry the kernel's extended ACK, the twin's alike", async () => {
    const cases: [string, (x: Ethtool) => Promise<unknown>][] = [
      ["unknown name", (x) => x.linkInfo(`et${tag}zz`)],
      ["unknown index", (x) => x.linkModes(0x7fff_fff0)],
      ["channels past the maximum", (x) => x.setChannels(A, { rxCount: 9 })],
      ["no TX channel", (x) => x.setChannels(A, { txCount: 0 })],
      ["no RX channel", (x) => x.setChannels(A, { rxCount: 0 })],
      [
        "combined past the maximum",
        (x) => x.setChannels(A, { combinedCount: 1 }),
      ],
      ["no statistics group", (x) => x.stats(A, { groups: [] })],
    ];
    for (const [what, call] of cases) {
      const real = await errorOf(call(et));
      const simmed = await errorOf(call(twin));
      assert.deepEqual(
        [
          simmed.code,
          simmed.extAck?.message,
          simmed.extAck?.attributePath,
          simmed.extAck?.missingType,
        ],
        [
          real.code,
          real.extAck?.message,
          real.extAck?.attributePath,
          real.extAck?.missingType,
        ],
        what,
      );
      assert.ok(
        real.message.includes(`${A}`) ||
          real.message.includes("device index") ||
          real.message.includes(`et${tag}zz`),
        real.message,
      );
    }
    const e = await errorOf(et.linkInfo("lo"));
    const t = await errorOf(twin.linkInfo("lo"));
    assert.deepEqual([t.code, t.extAck?.message], [e.code, e.extAck?.message]);
  });

  it("integration: raw requests the client never sends get the kernel's answers from the twin too", async () => {
    const real = await GenlConn.dial();
    const kernel = new SimKernel();
    new sim.Simulator({ devices: [{ name: A }] }).register(kernel);
    const fake = GenlConn.from(kernel.dial(Family.Generic));
    try {
      const cases: [string, (c: GenlConn) => Promise<unknown>][] = [
        ["no header", (c) => linkinfoGet.do(c, {})],
        ["an empty header", (c) => linkinfoGet.do(c, { header: {} })],
        [
          "a reserved flag",
          (c) => linkinfoGet.do(c, { header: { devName: A, flags: [8] } }),
        ],
        [
          "index and name disagree",
          (c) => linkinfoGet.do(c, { header: { devIndex: 1, devName: A } }),
        ],
        [
          "an unknown bit name, second in the list",
          (c) =>
            featuresSet.do(c, {
              header: { devName: A },
              wanted: {
                bits: {
                  bit: [{ name: "rx-gro" }, { name: "no-such-feature" }],
                },
              },
            }),
        ],
        [
          "a dump naming an unknown device",
          (c) =>
            Array.fromAsync(
              channelsGet.dump(c, { header: { devName: `et${tag}zz` } }),
            ),
        ],
      ];
      for (const [what, call] of cases) {
        const r = await errorOf(call(real));
        const s = await errorOf(call(fake));
        assert.deepEqual(
          [
            s.code,
            s.extAck?.message,
            s.extAck?.offset,
            s.extAck?.attributePath,
            s.extAck?.missingType,
          ],
          [
            r.code,
            r.extAck?.message,
            r.extAck?.offset,
            r.extAck?.attributePath,
            r.extAck?.missingType,
          ],
          what,
        );
      }
      // A dump with a device lists every device that supports it.
      const names = (await Array.fromAsync(
        channelsGet.dump(real, { header: { devName: B } }),
      )).map((r) => r.header?.devName);
      assert.ok(names.includes(A) && names.includes(B), names.join());
    } finally {
      await real.close();
      await fake.close();
    }
  });

  it("integration: setters need CAP_NET_ADMIN (EPERM), as the twin says unprivileged", async () => {
    // A child without capabilities: setpriv drops them all.
    if (!runs("setpriv", ["--version"])) {
      console.log("note: no setpriv: the unprivileged setter is not checked");
      return;
    }
    const script = `
      import { Ethtool } from ${
      JSON.stringify(new URL("../../src/ethtool/mod.ts", import.meta.url).href)
    };
      const et = await Ethtool.open();
      await et.channels(${JSON.stringify(A)});
      try { await et.setChannels(${
      JSON.stringify(A)
    }, { rxCount: 2 }); console.log("no error"); }
      catch (e) { console.log(e.code); }
      await et.close();
    `;
    const runtime = process.execPath;
    const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
    const args = isBun ? ["-e", script] : ["eval", "--ext=ts", script];
    const r = spawnSync("setpriv", [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
      runtime,
      ...args,
    ], {
      encoding: "utf8",
      env: { ...process.env, DENO_DIR: process.env.DENO_DIR ?? "/tmp/deno-et" },
    });
    assert.equal(r.stdout.trim(), "EPERM", r.stderr);
    await using t = await Ethtool.open({
      conn: sim.dial({ devices: [{ name: A }], privileged: false }),
    });
    assert.equal(
      (await errorOf(t.setChannels(A, { rxCount: 2 }))).code,
      "EPERM",
    );
  });
});
