// The ethtool client against its simulated twin (nltest's ethtool), and
// against hand-made replies that check the requests: `want` first, the
// replies produced from it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Channels,
  Ethtool,
  type LinkInfo,
  type LinkModes,
  StringSet,
} from "../../src/ethtool/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import {
  Family,
  isNetlinkError,
  isNotExist,
  type NetlinkError,
} from "../../src/netlink/mod.ts";
import {
  ethtool,
  KernelError,
  serveYnlFamily,
  SimKernel,
  type YnlHandlers,
} from "../../src/nltest/mod.ts";
import {
  family,
  type Features,
  featuresNtf,
  type Header,
  type Stats,
} from "../../src/families/ethtool.ts";
import { decode } from "../../src/families/mod.ts";
import { FEATURES, LINK_MODES } from "../../src/nltest/_ethtool_strings.ts";

/** A client over a kernel serving ethtool with these handlers (string sets from the twin's tables). */
async function served(
  handlers: YnlHandlers,
): Promise<{ et: Ethtool; requests: unknown[] }> {
  const kernel = new SimKernel();
  const requests: unknown[] = [];
  const wrapped: Record<string, YnlHandlers[string]> = {
    strsetGet: (r) => {
      const id = (r as { stringsets?: { stringset?: { id?: number }[] } })
        .stringsets?.stringset?.[0]?.id;
      const list = id === StringSet.Features
        ? FEATURES
        : id === StringSet.LinkModes
        ? LINK_MODES
        : [];
      return {
        stringsets: {
          stringset: [{
            id,
            count: list.length,
            strings: [{
              string: list.map((value, index) => ({ index, value })),
            }],
          }],
        },
      };
    },
  };
  for (const [name, h] of Object.entries(handlers)) {
    wrapped[name] = (r, c) => {
      requests.push(r);
      return h(r, c);
    };
  }
  serveYnlFamily(kernel, family, wrapped);
  return {
    et: await Ethtool.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
    }),
    requests,
  };
}

const header: Header = { devIndex: 4, devName: "eth0" };

describe("Ethtool getters", () => {
  it("names link info values", async () => {
    const want: LinkInfo = {
      index: 4,
      name: "eth0",
      port: "fibre",
      phyAddress: 3,
      transceiver: "external",
      mdix: "mdi-x",
      mdixControl: "auto",
    };
    const { et, requests } = await served({
      linkinfoGet: () => ({
        header,
        port: 3,
        phyaddr: 3,
        tpMdix: 2,
        tpMdixCtrl: 3,
        transceiver: 1,
      }),
    });
    await using _ = et;
    assert.deepEqual(await et.linkInfo("eth0"), want);
    assert.deepEqual(await et.linkInfo(4), want);
    assert.deepEqual(requests, [
      { header: { devName: "eth0", flags: ["compact-bitsets"] } },
      { header: { devIndex: 4, flags: ["compact-bitsets"] } },
    ]);
  });

  it("reads link modes in both bitset forms, named by the kernel's string set", async () => {
    const want: LinkModes = {
      index: 4,
      name: "eth0",
      autoneg: true,
      duplex: "full",
      speed: 1000,
      supported: ["10baseT/Full", "1000baseT/Full", "Autoneg"],
      advertised: ["1000baseT/Full", "Autoneg"],
      peer: ["1000baseT/Full"],
      lanes: 1,
    };
    const idx = (n: string) => LINK_MODES.indexOf(n);
    // Verbose, as a kernel answers a request without compact-bitsets.
    const verbose = {
      header,
      autoneg: 1,
      ours: {
        size: LINK_MODES.length,
        bits: {
          bit: want.supported.map((name) =>
            want.advertised.includes(name)
              ? { index: idx(name), name, value: true }
              : { index: idx(name), name }
          ),
        },
      },
      peer: {
        nomask: true,
        size: LINK_MODES.length,
        bits: {
          bit: [{ index: idx("1000baseT/Full"), name: "1000baseT/Full" }],
        },
      },
      speed: 1000,
      duplex: 1,
      lanes: 1,
    };
    const { et } = await served({ linkmodesGet: () => verbose });
    await using _ = et;
    const got = await et.linkModes("eth0");
    assert.deepEqual({ ...got, supported: [...got.supported].sort() }, {
      ...want,
      supported: [...want.supported].sort(),
    });
    // Compact, from the twin.
    await using et2 = await Ethtool.open({
      conn: ethtool.dial({
        devices: [{
          name: "eth0",
          index: 4,
          linkModes: {
            autoneg: true,
            speed: 1000,
            duplex: "full",
            supported: want.supported,
            advertised: want.advertised,
            peer: want.peer,
            lanes: 1,
          },
        }],
      }),
    });
    const twin = await et2.linkModes("eth0");
    assert.deepEqual(
      { ...twin, supported: [...twin.supported].sort() },
      { ...want, supported: [...want.supported].sort(), rateMatching: 0 },
    );
  });

  it("reports an unknown speed as undefined", async () => {
    const { et } = await served({
      linkmodesGet: () => ({
        header,
        speed: 0xffff_ffff,
        duplex: 0xff,
        autoneg: 0,
      }),
    });
    await using _ = et;
    const m = await et.linkModes("eth0");
    assert.equal(m.speed, undefined);
    assert.equal(m.duplex, "unknown");
  });

  it("names the link's extended state", async () => {
    const { et } = await served({
      linkstateGet: () => ({
        header,
        link: 0,
        sqi: 3,
        sqiMax: 7,
        extState: 0,
        extSubstate: 2,
        extDownCnt: 5,
      }),
    });
    await using _ = et;
    assert.deepEqual(await et.linkState("eth0"), {
      index: 4,
      name: "eth0",
      link: false,
      sqi: 3,
      sqiMax: 7,
      extState: "autoneg",
      extSubstate: 2,
      extDownCount: 5,
    });
  });

  it("lists features: active, wanted, changeable, fixed", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({
        devices: [{
          name: "eth0",
          features: {
            changeable: ["rx-gro", "rx-checksum"],
            active: ["rx-checksum", "highdma"],
          },
        }],
      }),
    });
    const f = await et.features("eth0");
    assert.deepEqual(f.active, ["highdma", "rx-checksum"]);
    assert.deepEqual(f.changeable, ["rx-gro", "rx-checksum"]);
    assert.deepEqual(f.noChange, ["vlan-challenged"]);
    assert.ok(
      f.fixed.includes("highdma") && f.fixed.includes("vlan-challenged") &&
        !f.fixed.includes("rx-gro"),
    );
    assert.equal(f.all.length, FEATURES.filter((n) => n !== "").length);
  });

  it("keeps the generated names for rings, channels and coalescing, and makes pause boolean", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({
        devices: [{
          name: "eth0",
          rings: {
            rxMax: 4096,
            rx: 512,
            txMax: 4096,
            tx: 256,
            tcpDataSplit: "enabled",
          },
          channels: { combinedMax: 8, combinedCount: 4 },
          pause: { autoneg: 0, rx: 1, tx: 0 },
          coalesce: { rxUsecs: 50, useAdaptiveRx: 1 },
        }],
      }),
    });
    const want: Channels = {
      index: 2,
      name: "eth0",
      combinedMax: 8,
      combinedCount: 4,
    };
    assert.deepEqual(await et.channels("eth0"), want);
    assert.deepEqual(await et.rings("eth0"), {
      index: 2,
      name: "eth0",
      rxMax: 4096,
      rx: 512,
      txMax: 4096,
      tx: 256,
      tcpDataSplit: "enabled",
    });
    assert.deepEqual(await et.pause("eth0"), {
      index: 2,
      name: "eth0",
      autoneg: false,
      rx: true,
      tx: false,
    });
    assert.deepEqual(await et.coalesce("eth0"), {
      index: 2,
      name: "eth0",
      rxUsecs: 50,
      useAdaptiveRx: 1,
    });
  });

  it("reads statistics groups, counters and histograms the kernel's way (repeated groups, counter nests)", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({
        devices: [{
          name: "eth0",
          stats: {
            "eth-mac": { FramesTransmittedOK: 7n, OctetsReceivedOK: 9000n },
            rmon: { etherStatsJabbers: 1n },
          },
        }],
      }),
    });
    const s = await et.stats("eth0", {
      groups: ["eth-mac", "rmon", "eth-ctrl"],
    });
    assert.deepEqual(s.groups, {
      "eth-mac": {
        counters: { FramesTransmittedOK: 7n, OctetsReceivedOK: 9000n },
        histRx: [],
        histTx: [],
      },
      "eth-ctrl": { counters: {}, histRx: [], histTx: [] },
      rmon: { counters: { etherStatsJabbers: 1n }, histRx: [], histTx: [] },
    });
    assert.equal(s.source, 0);
    await assert.rejects(et.stats("eth0", { groups: ["eth-nope"] }), {
      name: "TypeError",
      message: 'Cannot get stats of eth0: unknown statistics group "eth-nope"',
    });
  });

  it("decodes RMON histograms, repeated", async () => {
    // stats-grp-hist nests repeat inside a group; build them with the codec's sets.
    const { AttributeEncoder } = await import("../../src/netlink/mod.ts");
    const hist = (low: number, high: number, v: bigint) =>
      new AttributeEncoder().uint32(7, low).uint32(8, high).uint64(9, v)
        .encode();
    const reply: Stats = {
      header,
      src: 0,
      grp: {
        id: 3,
        ssId: 20,
        histRx: { histBktLow: 0, histBktHi: 64, histVal: 5n },
        unknownAttributes: [
          { type: 5 | 0x8000, data: hist(65, 127, 6n) },
          { type: 6 | 0x8000, data: hist(0, 64, 1n) },
        ],
      },
    };
    const { et } = await served({
      statsGet: () => reply,
      strsetGet: () => ({
        stringsets: {
          stringset: [{
            id: 16,
            count: 4,
            strings: [{
              string: ["eth-phy", "eth-mac", "eth-ctrl", "rmon"].map((
                value,
                index,
              ) => ({ index, value })),
            }],
          }],
        },
      }),
    });
    await using _ = et;
    const s = await et.stats("eth0", { groups: ["rmon"] });
    assert.deepEqual(s.groups.rmon?.histRx, [{ low: 0, high: 64, value: 5n }, {
      low: 65,
      high: 127,
      value: 6n,
    }]);
    assert.deepEqual(s.groups.rmon?.histTx, [{ low: 0, high: 64, value: 1n }]);
  });

  it("asks for a global string set once per client", async () => {
    let asked = 0;
    const kernel = new SimKernel();
    serveYnlFamily(kernel, family, {
      strsetGet: () => {
        asked++;
        return {
          stringsets: {
            stringset: [{
              id: StringSet.Features,
              count: FEATURES.length,
              strings: [{
                string: FEATURES.map((value, index) => ({ index, value })),
              }],
            }],
          },
        };
      },
      featuresGet: () => ({
        header,
        active: {
          nomask: true,
          size: 64,
          bits: { bit: [{ index: 14, name: "rx-gro" }] },
        },
      }),
    });
    await using et = await Ethtool.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
    });
    await et.features("eth0");
    await et.features("eth0");
    assert.equal((await et.stringSet(StringSet.Features))[14], "rx-gro");
    assert.equal(asked, 1);
  });
});

describe("Ethtool setters", () => {
  it("sets features by name and reports what changed and what was refused", async () => {
    const sim = new ethtool.Simulator({ devices: [{ name: "veth0" }] });
    const kernel = new SimKernel();
    sim.register(kernel);
    await using listener = GenlConn.from(kernel.dial(Family.Generic));
    await family.joinGroup(listener, "monitor");
    await using et = await Ethtool.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
    });
    const r = await et.setFeatures("veth0", {
      "rx-gro": true,
      "rx-lro": true,
      highdma: true,
    });
    assert.deepEqual(r, {
      index: 2,
      name: "veth0",
      changed: { "rx-gro": true },
      refused: { "rx-lro": true },
    });
    const f = await et.features("veth0");
    assert.ok(f.active.includes("rx-gro") && f.wanted.includes("rx-gro"));
    assert.ok(!f.active.includes("rx-lro"));
    // Nothing to change: empty reports.
    assert.deepEqual(await et.setFeatures("veth0", { "rx-gro": true }), {
      index: 2,
      name: "veth0",
      changed: {},
      refused: {},
    });
    // The change was announced on "monitor".
    for await (const n of listener.notifications()) {
      const d = decode(family, {
        header: {
          length: 0,
          type: et.family.id,
          flags: 0,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array([
          n.header.command,
          n.header.version,
          0,
          0,
          ...n.data,
        ]),
      });
      assert.equal(d?.operation, featuresNtf);
      assert.equal((d?.value as Features).header?.devName, "veth0");
      break;
    }
  });

  it("refuses unknown features, settings and bad values before sending", async () => {
    const { et, requests } = await served({ channelsSet: () => undefined });
    await using _ = et;
    const cases: [Promise<unknown>, RegExp][] = [
      [
        et.setFeatures("eth0", { "no-such": true }),
        /unknown feature "no-such"/,
      ],
      [
        et.setFeatures("eth0", { "rx-gro": 1 as unknown as boolean }),
        /rx-gro: expected true or false/,
      ],
      [et.setFeatures("eth0", {}), /no feature given/],
      [
        et.setChannels("eth0", { rx: 1 } as never),
        /unknown setting "rx" \(known: rxCount, txCount, otherCount, combinedCount\)/,
      ],
      [et.setChannels("eth0", {}), /nothing to change/],
      [
        et.setChannels("eth0", { rxCount: -1 }),
        /^Cannot set channels of eth0: /,
      ],
      [
        et.setChannels("eth0", { rxCount: "2" as unknown as number }),
        /^Cannot set channels of eth0: /,
      ],
      [
        et.setPause("eth0", { rx: "yes" as unknown as boolean }),
        /rx: expected true or false/,
      ],
      [
        et.setLinkInfo("eth0", { port: "coax" }),
        /port "coax" is not one of tp, aui/,
      ],
      [
        et.setLinkModes("eth0", { duplex: "double" as "full" }),
        /duplex "double"/,
      ],
      [
        et.setLinkModes("eth0", { advertised: ["1000baseT/Full", "9G"] }),
        /unknown link mode "9G"/,
      ],
      [et.setCoalesce("eth0", null as never), /changes must be an object/],
      [et.linkInfo(""), /an interface name is 1 to 15 bytes/],
      [et.linkInfo("a-very-long-ifname"), /an interface name is 1 to 15 bytes/],
      [et.linkInfo(0), /expected an interface name or a positive index/],
      [
        et.linkInfo(null as never),
        /expected an interface name or a positive index/,
      ],
    ];
    for (const [p, re] of cases) {
      await assert.rejects(p, (e: Error) => {
        assert.ok(
          e instanceof TypeError || e instanceof RangeError,
          `${e.name}: ${e.message}`,
        );
        assert.match(e.message, re);
        return true;
      });
    }
    assert.deepEqual(requests, []);
  });

  it("answers channel changes as Linux does", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({ devices: [{ name: "veth0" }] }),
    });
    await et.setChannels("veth0", { rxCount: 2, txCount: 2 });
    assert.deepEqual(await et.channels("veth0"), {
      index: 2,
      name: "veth0",
      rxMax: 2,
      rxCount: 2,
      txMax: 2,
      txCount: 2,
    });
    const err = (p: Promise<unknown>) =>
      p.then(() => assert.fail("no error"), (e: NetlinkError) => e);
    let e = await err(et.setChannels("veth0", { rxCount: 3 }));
    assert.equal(
      e.message,
      "Cannot set channels of veth0: EINVAL (errno 22): requested channel count exceeds maximum (attribute 6)",
    );
    e = await err(et.setChannels("veth0", { txCount: 0 }));
    assert.equal(
      e.extAck?.message,
      "requested channel counts would result in no RX or TX channel being configured",
    );
    assert.deepEqual(e.extAck?.attributePath, [7]);
    e = await err(et.setChannels("veth0", { combinedCount: 1 }));
    assert.deepEqual(e.extAck?.attributePath, [9]);
  });

  it("changes rings, pause, coalescing and link modes where declared", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({
        devices: [{
          name: "eth0",
          rings: { rxMax: 1024, rx: 256, txMax: 1024, tx: 256 },
          pause: { autoneg: 0, rx: 0, tx: 0 },
          coalesce: { rxUsecs: 10, txUsecs: 10 },
          linkModes: {
            autoneg: true,
            supported: ["100baseT/Full", "1000baseT/Full"],
            advertised: ["1000baseT/Full"],
          },
        }],
      }),
    });
    await et.setRings("eth0", { rx: 1024, tx: 512 });
    assert.deepEqual(
      [(await et.rings("eth0")).rx, (await et.rings("eth0")).tx],
      [1024, 512],
    );
    await assert.rejects(et.setRings("eth0", { rx: 2048 }), {
      message: /requested ring size exceeds maximum \(attribute 6\)/,
    });
    await et.setPause("eth0", { rx: true, tx: true });
    assert.deepEqual((await et.pause("eth0")).tx, true);
    await et.setCoalesce("eth0", { rxUsecs: 99 });
    assert.equal((await et.coalesce("eth0")).rxUsecs, 99);
    await assert.rejects(et.setCoalesce("eth0", { rxMaxFrames: 4 }), {
      code: "EINVAL",
      message: /cannot modify an unsupported parameter/,
    });
    await et.setLinkModes("eth0", {
      autoneg: false,
      speed: 100,
      duplex: "full",
      advertised: ["100baseT/Full"],
    });
    const m = await et.linkModes("eth0");
    assert.deepEqual([m.autoneg, m.speed, m.duplex, m.advertised], [
      false,
      100,
      "full",
      ["100baseT/Full"],
    ]);
  });

  it("answers EPERM to setters without CAP_NET_ADMIN, naming the device", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({ devices: [{ name: "veth0" }], privileged: false }),
    });
    await et.channels("veth0");
    await assert.rejects(et.setChannels("veth0", { rxCount: 2 }), {
      code: "EPERM",
      message:
        "Cannot set channels of veth0: EPERM (errno 1): this needs CAP_NET_ADMIN",
    });
  });

  it("answers EOPNOTSUPP where the driver has no such operation", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({ devices: [{ name: "veth0" }] }),
    });
    for (
      const p of [
        et.rings("veth0"),
        et.pause("veth0"),
        et.coalesce("veth0"),
        et.setPause("veth0", { rx: true }),
        et.setLinkInfo("veth0", { phyAddress: 1 }),
        et.setLinkModes("veth0", { speed: 1000 }),
      ]
    ) {
      await assert.rejects(
        p,
        (e: NetlinkError) =>
          isNetlinkError(e) && e.code === "EOPNOTSUPP" &&
          / of veth0: /.test(e.message),
      );
    }
    await assert.rejects(et.linkInfo("lo"), {
      message:
        "Cannot get link info of lo: EOPNOTSUPP (errno 95): failed to retrieve link settings",
    });
  });
});

describe("Ethtool errors", () => {
  it("names the device and carries the kernel's extended ACK", async () => {
    await using et = await Ethtool.open({
      conn: ethtool.dial({ devices: [{ name: "veth0" }] }),
    });
    const e: NetlinkError = await et.linkModes("nope0").then(
      () => assert.fail("no error"),
      (x) => x,
    );
    assert.equal(
      e.message,
      "Cannot get link modes of nope0: ENODEV (errno 19): no device matches name (attribute 1 > 2)",
    );
    assert.equal(e.extAck?.message, "no device matches name");
    assert.equal((e.cause as NetlinkError).code, "ENODEV");
    await assert.rejects(et.features(99), {
      message:
        "Cannot get features of device index 99: ENODEV (errno 19): no device matches ifindex (attribute 1 > 1)",
    });
  });

  it("says the kernel has no ethtool family (isNotExist)", async () => {
    await using conn = GenlConn.from(new SimKernel().dial(Family.Generic));
    await assert.rejects(Ethtool.open({ conn }), (e: Error) => isNotExist(e));
  });

  it("is unusable once closed", async () => {
    const et = await Ethtool.open({
      conn: ethtool.dial({ devices: [{ name: "veth0" }] }),
    });
    await et.close();
    await et.close();
    await assert.rejects(et.linkInfo("veth0"), { code: "EBADF" });
  });

  it("passes a handler's errno through", async () => {
    const { et } = await served({
      linkstateGet: () => {
        throw new KernelError(16, { message: "busy" });
      },
    });
    await using _ = et;
    await assert.rejects(et.linkState("eth0"), {
      code: "EBUSY",
      message: "Cannot get link state of eth0: EBUSY (errno 16): busy",
    });
  });
});
