import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  Family as NetlinkFamily,
  HeaderFlags,
  isNotExist,
  type Message,
} from "../../src/netlink/mod.ts";
import {
  type GenlConn,
  GenlConn as GenlConnClass,
  type GenlMessage,
} from "../../src/genetlink/mod.ts";
import { genltest, nl80211, SimKernel } from "../../src/nltest/mod.ts";
import {
  BSSStatus,
  Client,
  InterfaceType,
  Nl80211Attribute as A,
  Nl80211Command as C,
  NotSupportedError,
  RegulatoryHint,
  ScanAbortedError,
  type WifiEvent,
} from "../../src/wifi/mod.ts";
import { hex, toHex } from "./_fixtures.ts";

/** A simulator behind a genltest connection that also records the raw requests. */
function recording(world: nl80211.World = {}) {
  const sim = new nl80211.Simulator(world);
  const sent: Message[] = [];
  const conn = genltest.dial(genltest.serveFamily(sim.family, (g, m) => {
    sent.push(m);
    return sim.handle(
      g,
      (m.header.flags & HeaderFlags.Dump) === HeaderFlags.Dump,
    );
  }));
  sim.attach(conn);
  return { sim, sent, conn };
}

const IFI = { index: 1, hardwareAddr: "0e:ad:be:ef:de:ad" };
const WORLD: nl80211.World = {
  interfaces: [{ name: "wlan0", mac: "0e:ad:be:ef:de:ad" }],
  accessPoints: [
    {
      ssid: "ssid",
      bssid: "02:00:00:00:01:00",
      frequency: 2437,
      signal: -4200,
      security: "wpa2",
      passphrase: "psk-secret",
    },
    { ssid: "open", bssid: "02:00:00:00:02:00", frequency: 5180 },
  ],
};

async function next(
  events: AsyncIterableIterator<WifiEvent>,
): Promise<WifiEvent> {
  const r = await events.next();
  assert.equal(r.done, false);
  return r.value as WifiEvent;
}

describe("Client.open()", () => {
  it("fails with isNotExist when the kernel has no nl80211", async () => {
    const conn = genltest.dial(genltest.serveFamily([], () => []));
    await assert.rejects(Client.open({ conn }), (e) => isNotExist(e));
    await conn.close();
  });
  it("resolves the family and its multicast groups", async () => {
    await using client = await Client.open({ conn: nl80211.dial() });
    assert.equal(client.family.name, "nl80211");
    assert.deepEqual(client.family.groups.map((g) => g.name), [
      "config",
      "scan",
      "regulatory",
      "mlme",
      "vendor",
      "nan",
      "testmode",
    ]);
  });
});

describe("Client requests (vectors §4)", () => {
  const RD = HeaderFlags.Request | HeaderFlags.Dump;
  const RA = HeaderFlags.Request | HeaderFlags.Acknowledge;
  const cases: {
    name: string;
    call: (c: Client) => Promise<unknown>;
    want: [number, string][];
  }[] = [
    {
      name: "interfaces()",
      call: (c) => c.interfaces(),
      want: [[RD, "05010000"]],
    },
    {
      name: "phys()",
      call: (c) => c.phys(),
      want: [[RD, "01010000 0400ae00"]],
    },
    {
      name: "bss(ifi)",
      call: (c) => c.bss(IFI).catch(() => {}),
      want: [[RD, "20010000 08000300 01000000 0a000600 0eadbeef dead0000"]],
    },
    {
      name: "accessPoints(ifi)",
      call: (c) => c.accessPoints(IFI),
      want: [[RD, "20010000 08000300 01000000"]],
    },
    {
      name: "stationInfo(ifi)",
      call: (c) => c.stationInfo(IFI),
      want: [[RD, "11010000 08000300 01000000 0a000600 0eadbeef dead0000"]],
    },
    {
      name: "surveyInfo(ifi)",
      call: (c) => c.surveyInfo(IFI),
      want: [[RD, "32010000 08000300 01000000 0a000600 0eadbeef dead0000"]],
    },
    {
      name: 'connect(ifi, "ssid")',
      call: (c) => c.connect(IFI, "ssid"),
      want: [[
        RA,
        "2e010000 08000300 01000000 08003400 73736964 08003500 00000000",
      ]],
    },
    {
      name: "disconnect(ifi)",
      call: (c) => c.connect(IFI, "open").then(() => c.disconnect(IFI)),
      want: [[
        RA,
        "2e010000 08000300 01000000 08003400 6f70656e 08003500 00000000",
      ], [
        RA,
        "30010000 08000300 01000000",
      ]],
    },
    {
      name: "reloadRegulatoryDatabase()",
      call: (c) => c.reloadRegulatoryDatabase(),
      want: [[RA, "7e010000"]],
    },
    {
      name: "regulatoryDomain()",
      call: (c) => c.regulatoryDomain(),
      want: [[HeaderFlags.Request, "1f010000"]],
    },
    {
      name: 'setRegulatoryRegion("GB", User)',
      call: (c) => c.setRegulatoryRegion("GB", RegulatoryHint.User),
      want: [[RA, "1b010000 07002100 47420000 08009a00 00000000"]],
    },
    {
      name: 'connectWPAPSK(ifi, "ssid", "psk-secret")',
      call: (c) => c.connectWPAPSK(IFI, "ssid", "psk-secret"),
      want: [
        [RD, "01010000 08000300 01000000 0400ae00"],
        [
          RA,
          "2e010000 08000300 01000000 08003400 73736964 08004b00 02000000 08004a00 04ac0f00 08004900 04ac0f00 08004c00 02ac0f00 04000101 2400fe00 b8be2773 b88cb572 e733f86e 8e70957e e3abf4a7 901cf71f 1539cde5 1acf41ed 08003500 00000000",
        ],
      ],
    },
    {
      // Deliberate deviation: a zero-length wildcard SSID (as iw sends), not the
      // Go reference's 1-byte NUL SSID; on the client's own connection.
      name: "scan(ifi)",
      call: (c) => c.scan(IFI),
      want: [[RA, "21010000 08000300 01000000 08002d80 04000100"]],
    },
  ];
  for (const c of cases) {
    it(`${c.name} sends what the Go reference sends`, async () => {
      const { sent, conn } = recording(WORLD);
      await using client = await Client.open({ conn });
      sent.length = 0; // the family lookup went to nlctrl, not nl80211
      await c.call(client);
      assert.deepEqual(
        sent.map((m) => [m.header.flags, toHex(m.data)]),
        c.want.map(([flags, h]) => [flags, toHex(hex(h))]),
      );
      assert.ok(sent.every((m) => m.header.type === client.family.id));
    });
  }
});

describe("Client on the simulated nl80211", () => {
  it("lists interfaces, PHYs, access points, stations and surveys", async () => {
    await using client = await Client.open({
      conn: nl80211.dial({
        ...WORLD,
        interfaces: [
          {
            name: "wlan0",
            connectedTo: "open",
            survey: [{
              frequency: 5180,
              noise: -92,
              inUse: true,
              channelTimeMs: 50,
              channelTimeBusyMs: 5,
            }],
          },
          {
            name: "ap0",
            type: InterfaceType.AP,
            stations: [{
              mac: "02:00:00:00:aa:00",
              signal: -33,
              receivedBytes: 5e9,
            }],
          },
        ],
      }),
    });
    const ifaces = await client.interfaces();
    assert.deepEqual(
      ifaces.map((i) => [i.index, i.name, i.type, i.frequency, i.ssid]),
      [
        [1, "wlan0", InterfaceType.Station, 5180, "open"],
        [2, "ap0", InterfaceType.AP, 0, undefined],
      ],
    );
    const [phy] = await client.phys();
    assert.equal(phy?.bands.length, 2);
    assert.equal(
      phy?.bands[1]?.frequencies.find((f) => f.frequency === 5260)
        ?.radarDetection,
      true,
    );
    assert.equal(phy?.bands[0]?.frequencies[0]?.maxTxPowerDbm, 20);
    assert.ok(phy?.bands[1]?.vhtCapabilities);
    const he = phy?.bands[1]?.interfaceTypeData[0];
    assert.deepEqual(he?.interfaceTypes, [InterfaceType.Station]);
    assert.deepEqual([
      he?.he?.he40And80MHzIn5GHz,
      he?.he?.ldpcInPayload,
      he?.he?.rxMaxMCS,
    ], [true, true, [11, 11]]);
    assert.equal(phy?.interfaceCombinations[0]?.total, 2);
    const aps = await client.accessPoints(ifaces[0]!);
    assert.deepEqual(
      aps.map((b) => [b.ssid, b.bssid, b.frequency, b.signal, b.status]),
      [
        ["ssid", "02:00:00:00:01:00", 2437, -4200, undefined],
        ["open", "02:00:00:00:02:00", 5180, -5000, BSSStatus.Associated],
      ],
    );
    assert.equal(aps[0]?.ies.dsChannel, 6);
    assert.equal((await client.bss(ifaces[0]!)).ssid, "open");
    const [ap] = await client.stationInfo(ifaces[0]!);
    assert.equal(ap?.hardwareAddr, "02:00:00:00:02:00");
    assert.equal(ap?.signal, -50);
    const [sta] = await client.stationInfo(ifaces[1]!);
    assert.deepEqual([sta?.hardwareAddr, sta?.signal, sta?.receivedBytes], [
      "02:00:00:00:aa:00",
      -33,
      5e9,
    ]);
    const [survey] = await client.surveyInfo(ifaces[0]!);
    assert.deepEqual([
      survey?.frequency,
      survey?.noise,
      survey?.inUse,
      survey?.channelTimeBusyMs,
    ], [5180, -92, true, 5]);
  });

  it("reports malformed information elements instead of failing the scan results", async () => {
    await using client = await Client.open({
      conn: nl80211.dial({
        interfaces: [{ name: "wlan0" }],
        accessPoints: [{
          ssid: "odd",
          ies: new Uint8Array([48, 3, 1, 0, 0, 11, 9, 1]),
        }, { ssid: "fine" }],
      }),
    });
    const [odd, fine] = await client.accessPoints(IFI);
    assert.equal(odd?.ssid, "odd");
    assert.equal(odd?.rsn, undefined);
    assert.deepEqual(odd?.ies.problems.map((p) => p.id), [48, 11]);
    assert.deepEqual(fine?.ies.problems, []);
  });

  it("answers ENODEV for an unknown interface", async () => {
    await using client = await Client.open({ conn: nl80211.dial(WORLD) });
    await assert.rejects(client.accessPoints({ index: 9 }), { code: "ENODEV" });
    await assert.rejects(client.scan({ index: 9 }), { code: "ENODEV" });
  });

  it("answers EINVAL, as the kernel's policy check, for a malformed request", () => {
    const sim = new nl80211.Simulator(WORLD);
    const bad = new AttributeEncoder().uint16(A.Ifindex, 1).encode();
    assert.throws(
      () =>
        sim.handle(
          { header: { command: C.GetScan, version: 1 }, data: bad },
          true,
        ),
      { errno: 22 },
    );
    assert.throws(
      () =>
        sim.handle({
          header: { command: 0x99, version: 1 },
          data: new Uint8Array(),
        }, false),
      {
        errno: 95,
      },
    );
  });

  it("bss() fails with isNotExist when not associated", async () => {
    await using client = await Client.open({ conn: nl80211.dial(WORLD) });
    await assert.rejects(
      client.bss(IFI),
      (e) => isNotExist(e) && /not associated/.test((e as Error).message),
    );
  });

  it("rejects a bad interface or MAC with TypeError", async () => {
    await using client = await Client.open({ conn: nl80211.dial(WORLD) });
    await assert.rejects(client.stationInfo({ index: -1 }), TypeError);
    await assert.rejects(
      client.bss({ index: 1, hardwareAddr: "nope" }),
      TypeError,
    );
    await assert.rejects(client.connect(IFI, ""), TypeError);
    await assert.rejects(client.setRegulatoryRegion("GBR"), TypeError);
  });

  it("connects and disconnects, with events, and refuses what Linux refuses", async () => {
    await using client = await Client.open({ conn: nl80211.dial(WORLD) });
    const events = client.events();
    await client.connect(IFI, "open");
    assert.deepEqual(await next(events), {
      type: "connect",
      command: C.Connect,
      interfaceIndex: 1,
      wiphy: 0,
      bssid: "02:00:00:00:02:00",
      statusCode: 0,
      timedOut: false,
    });
    assert.equal((await client.bss(IFI)).status, BSSStatus.Associated);
    await assert.rejects(client.connect(IFI, "open"), { code: "EALREADY" });
    await client.disconnect(IFI);
    assert.deepEqual(await next(events), {
      type: "disconnect",
      command: C.Disconnect,
      interfaceIndex: 1,
      wiphy: 0,
      reasonCode: 3,
      byAP: false,
    });
    await assert.rejects(client.disconnect(IFI), { code: "ENOTCONN" });
    await client.connect(IFI, "nowhere");
    const failed = await next(events);
    assert.equal(
      failed.type === "connect" && failed.timedOut && failed.statusCode,
      1,
    );
    await events.return?.();
  });

  it("connectWPAPSK() checks the offload, derives the PMK and connects", async () => {
    await using client = await Client.open({ conn: nl80211.dial(WORLD) });
    const events = client.events();
    await client.connectWPAPSK(IFI, "ssid", "wrong-secret");
    const bad = await next(events);
    assert.equal(bad.type === "connect" && bad.statusCode, 1);
    await client.connectWPAPSK(IFI, "ssid", "psk-secret");
    const good = await next(events);
    assert.equal(good.type === "connect" && good.statusCode, 0);
    assert.equal((await client.bss(IFI)).rsn?.version, 1);
    await assert.rejects(client.connectWPAPSK(IFI, "ssid", "short"), TypeError);
    await events.return?.();
  });

  it("connectWPAPSK() refuses clearly without the 4-way handshake offload", async () => {
    const { conn, sent } = recording({ ...WORLD, phys: [{ extFeatures: [] }] });
    await using client = await Client.open({ conn });
    sent.length = 0;
    await assert.rejects(
      client.connectWPAPSK(IFI, "ssid", "psk-secret"),
      (e) =>
        e instanceof NotSupportedError &&
        /4WAY_HANDSHAKE_STA_PSK/.test(e.message),
    );
    assert.deepEqual(sent.map((m) => m.data[0]), [C.GetWiphy]); // nothing connected
  });

  it("reads and sets the regulatory domain, with an event", async () => {
    await using client = await Client.open({
      conn: nl80211.dial({ regulatory: { region: "DE", dfsRegion: 2 } }),
    });
    const reg = await client.regulatoryDomain();
    assert.equal(reg.region, "DE");
    assert.equal(reg.dfsRegion, 2);
    assert.ok(reg.rules.length > 0);
    const events = client.events();
    await client.setRegulatoryRegion("us");
    assert.deepEqual(await next(events), {
      type: "regulatoryChange",
      command: C.RegChange,
      initiator: 1,
      regulatoryType: 0,
      region: "US",
    });
    assert.equal((await client.regulatoryDomain()).region, "US");
    await events.return?.();
  });

  it("streams interface, station and kick events from the world", async () => {
    const sim = new nl80211.Simulator({
      ...WORLD,
      interfaces: [{ name: "wlan0", connectedTo: "open" }],
    });
    await using client = await Client.open({ conn: sim.dial() });
    const events = client.events();
    const idx = sim.addInterface({ name: "mon0", type: InterfaceType.Monitor });
    sim.addStation(1, { mac: "02:00:00:00:77:00", signal: -61 });
    sim.removeStation(1, "02:00:00:00:77:00");
    sim.kick(1, 7);
    sim.removeInterface(idx);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await next(events);
      if (e.type === "newInterface" || e.type === "deleteInterface") {
        got.push(`${e.type} ${e.interface.name}`);
      } else if (e.type === "newStation") {
        got.push(`${e.type} ${e.hardwareAddr} ${e.station?.signal}`);
      } else if (e.type === "deleteStation") {
        got.push(`${e.type} ${e.hardwareAddr}`);
      } else if (e.type === "disconnect") {
        got.push(`${e.type} ${e.reasonCode} ${e.byAP}`);
      }
    }
    assert.deepEqual(got, [
      "newInterface mon0",
      "newStation 02:00:00:00:77:00 -61",
      "deleteStation 02:00:00:00:77:00",
      "deleteInterface mon0",
      "disconnect 7 true",
    ]);
    await events.return?.();
    assert.deepEqual(await events.next(), { value: undefined, done: true });
  });

  it("events() ends when its signal aborts", async () => {
    await using client = await Client.open({ conn: nl80211.dial(WORLD) });
    const controller = new AbortController();
    const events = client.events({ signal: controller.signal });
    const pending = events.next();
    controller.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
  });
});

describe("Client.scan()", () => {
  it("triggers, waits for the results, and leaves the scan group", async () => {
    const sim = new nl80211.Simulator({ ...WORLD, scan: { delayMs: 5 } });
    const conn = sim.dial();
    await using client = await Client.open({ conn });
    const events = client.events();
    await client.scan(IFI);
    assert.deepEqual([(await next(events)).type, (await next(events)).type], [
      "triggerScan",
      "newScanResults",
    ]);
    await events.return?.();
    // No group left joined: a notification on "scan" is not delivered.
    const scanGroup = client.family.groups.find((g) => g.name === "scan")!.id;
    assert.equal(genltest.notify(conn, scanGroup, client.family.id, []), false);
  });

  it("rejects with ScanAbortedError when the kernel aborts", async () => {
    await using client = await Client.open({
      conn: nl80211.dial({ ...WORLD, scan: { outcome: "aborted" } }),
    });
    await assert.rejects(
      client.scan(IFI),
      (e) => e instanceof ScanAbortedError && e.interfaceIndex === 1,
    );
  });

  it("ignores other interfaces' results and aborts", async () => {
    const family = new nl80211.Simulator().family;
    const scanGroup = family.groups.find((g) => g.name === "scan")!.id;
    const ev = (command: number, ifindex: number): GenlMessage => ({
      header: { command, version: 1 },
      data: new AttributeEncoder().uint32(A.Ifindex, ifindex).encode(),
    });
    const conn: GenlConn = genltest.dial(genltest.serveFamily(family, (g) => {
      if (g.header.command === C.TriggerScan) {
        queueMicrotask(() =>
          genltest.notify(conn, scanGroup, family.id, [
            ev(C.ScanAborted, 2),
            ev(C.NewScanResults, 2),
            {
              header: { command: C.NewScanResults, version: 1 },
              data: new Uint8Array(),
            }, // no interface index
            ev(C.NewScanResults, 1),
          ])
        );
      }
      return [];
    }));
    await using client = await Client.open({ conn });
    await client.scan({ index: 1 });
  });

  it("answers EBUSY while a scan runs, and an abort cancels cleanly without a hang", async () => {
    const sim = new nl80211.Simulator({ ...WORLD, scan: { delayMs: 60_000 } });
    await using client = await Client.open({ conn: sim.dial() });
    const controller = new AbortController();
    const first = client.scan(IFI, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 1));
    await assert.rejects(client.scan(IFI), { code: "EBUSY" });
    controller.abort(new Error("cancelled"));
    await assert.rejects(first, /cancelled/);
    // The client asked the kernel to stop the scan; a new one can start.
    assert.ok(sim.requests.some((r) => r.command === C.AbortScan));
    const again = new AbortController();
    const second = client.scan(IFI, { signal: again.signal });
    again.abort(new Error("again"));
    await assert.rejects(second, /again/);
  });

  it("asks the kernel to abort a scan whose trigger was still unanswered", async () => {
    const family = new nl80211.Simulator().family;
    const seen: number[] = [];
    let answer!: () => void;
    const conn = genltest.dial(genltest.serveFamily(family, (g) => {
      seen.push(g.header.command);
      if (g.header.command === C.TriggerScan) {
        return new Promise((r) => answer = () => r([]));
      }
      return [];
    }));
    await using client = await Client.open({ conn });
    const controller = new AbortController();
    const scanning = client.scan({ index: 1 }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 1));
    controller.abort(new Error("too slow"));
    await assert.rejects(scanning, /too slow/);
    assert.deepEqual(seen, [C.TriggerScan, C.AbortScan]);
    answer();
  });

  it("does not abort someone else's scan after EBUSY", async () => {
    const family = new nl80211.Simulator().family;
    const seen: number[] = [];
    const conn = genltest.dial(genltest.serveFamily(family, (g) => {
      seen.push(g.header.command);
      throw Object.assign(new Error("busy"), { errno: 16 });
    }));
    await using client = await Client.open({ conn });
    const controller = new AbortController();
    await assert.rejects(
      client.scan({ index: 1 }, { signal: controller.signal }),
      { code: "EBUSY" },
    );
    assert.deepEqual(seen, [C.TriggerScan]);
  });

  it("rejects at once with an already aborted signal", async () => {
    const { sent, conn } = recording(WORLD);
    await using client = await Client.open({ conn });
    sent.length = 0;
    await assert.rejects(
      client.scan(IFI, { signal: AbortSignal.abort(new Error("no")) }),
      /no/,
    );
    assert.equal(sent.length, 0);
  });

  it("does not hang when the connection closes while waiting", async () => {
    const client = await Client.open({
      conn: nl80211.dial({ ...WORLD, scan: { delayMs: 60_000 } }),
    });
    const scanning = client.scan(IFI);
    await new Promise((r) => setTimeout(r, 1));
    await client.close();
    await assert.rejects(scanning, (e) => e instanceof Error);
    await client.close(); // idempotent
  });

  it("scans specific SSIDs and frequencies", async () => {
    const { sent, conn } = recording(WORLD);
    await using client = await Client.open({ conn });
    sent.length = 0;
    await client.scan(IFI, { ssids: ["home"], frequencies: [2412] });
    assert.equal(
      toHex(sent[0]!.data),
      toHex(
        hex(
          "21010000 08000300 01000000 0c002d80 08000100 686f6d65 0c002c80 08000100 6c090000",
        ),
      ),
    );
  });
});

describe("Simulator.register() into SimKernel", () => {
  it("serves a Client through the stateful kernel, notifications included", async () => {
    const kernel = new SimKernel();
    const sim = new nl80211.Simulator(WORLD);
    const family = sim.register(kernel);
    await using client = await Client.open({
      conn: GenlConnClass.from(kernel.dial(NetlinkFamily.Generic)),
    });
    assert.equal(client.family.id, family.id);
    assert.deepEqual((await client.interfaces()).map((i) => i.name), ["wlan0"]);
    await client.scan(IFI);
    const events = client.events();
    await client.connect(IFI, "open");
    const e = await next(events);
    assert.equal(e.type === "connect" && e.bssid, "02:00:00:00:02:00");
    assert.equal((await client.phys())[0]?.name, "phy0");
    await events.return?.();
  });
});
