import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  AttributeEncoder,
  Family,
  HeaderFlags,
  isNotExist,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import {
  dial,
  parseRecording,
  readPcap,
  record,
  recordingFromPcap,
  replay,
  SimKernel,
  summarizeDatagram,
} from "../../src/nltest/mod.ts";

const REQUEST = HeaderFlags.Request;
const ACK = HeaderFlags.Acknowledge;
const DUMP = HeaderFlags.Dump;

function msg(
  type: number,
  flags: number,
  data: Uint8Array = new Uint8Array(0),
): Message {
  return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
}

const dumpLinks = (): Message => msg(18, REQUEST | DUMP, new Uint8Array(16));

function newLink(name: string, kind: string): Message {
  const attrs = new AttributeEncoder().string(3, name).nested(
    18,
    (e) => e.string(1, kind),
  ).encode();
  const data = new Uint8Array(16 + attrs.length);
  data.set(attrs, 16);
  return msg(16, REQUEST | ACK | HeaderFlags.Create | HeaderFlags.Excl, data);
}

const payloads = (ms: Message[]) =>
  ms.map((m) => [m.header.type, m.header.flags, Array.from(m.data)]);

function fixture(name: string): Uint8Array {
  return new Uint8Array(
    readFileSync(new URL(`../fixtures/nltest/${name}`, import.meta.url)),
  );
}

describe("record", () => {
  it("writes one JSON line per datagram with hex and a readable summary", async () => {
    const k = new SimKernel();
    const conn = k.dial(Family.Route);
    const seen: string[] = [];
    const rec = record(conn, {
      family: Family.Route,
      onLine: (l) => seen.push(l),
    });
    await conn.execute(dumpLinks());
    assert.deepEqual(seen, rec.lines);
    const lines = parseRecording(rec.toString());
    assert.deepEqual(lines.map((l) => l.dir), ["send", "recv", "recv"]);
    assert.equal(lines[0]!.pid, conn.pid);
    assert.deepEqual(lines[0]!.messages?.map((m) => [m.name, m.flags]), [[
      "RTM_GETLINK",
      "request|dump",
    ]]);
    assert.deepEqual(lines[2]!.messages?.map((m) => [m.name, m.errno]), [[
      "NLMSG_DONE",
      0,
    ]]);
    rec.stop();
    await conn.execute(dumpLinks());
    assert.equal(rec.lines.length, 3, "stopped");
    await conn.close();
  });

  it("records receive errors such as ENOBUFS and replays them", async () => {
    const k = new SimKernel();
    const conn = k.dial(Family.Route, { groups: 1 });
    const rec = record(conn, { family: Family.Route });
    k.inject({ type: "overrun" }, { conn });
    const events = conn.notifications();
    k.rtnetlink.addLink({ name: "d0" });
    await assert.rejects(events.next(), { name: "OverrunError" });
    assert.deepEqual(rec.datagrams.map((d) => [d.dir, d.errno]), [[
      "error",
      105,
    ]]);
    const replayed = replay(rec.toString()).dial();
    await assert.rejects(replayed.notifications().next(), {
      name: "OverrunError",
    });
    await replayed.close();
    await conn.close();
  });
});

describe("replay", () => {
  it("gives identical decoded results for an rtnetlink session, errors included", async () => {
    const k = new SimKernel();
    const live = k.dial(Family.Route, { groups: 1 });
    const rec = record(live, { family: Family.Route });
    const session = async (conn: typeof live) => {
      const out: unknown[] = [];
      out.push(payloads(await conn.execute(dumpLinks())));
      out.push(payloads(await conn.execute(newLink("d0", "dummy"))));
      out.push(
        await conn.execute(newLink("d0", "dummy")).catch((
          e,
        ) => [e.code, e.extAck]),
      );
      out.push(
        await conn.execute(newLink("x0", "nokind")).catch((
          e,
        ) => [e.code, e.extAck]),
      );
      out.push(payloads(await conn.execute(dumpLinks())));
      return out;
    };
    const want = await session(live);
    await live.close();

    const replayer = replay(rec.toString());
    const conn = replayer.dial({ pid: 4321 });
    const events = conn.notifications();
    assert.deepEqual(await session(conn), want);
    assert.equal(replayer.unused, 0);
    assert.equal(
      (await events.next()).value?.header.type,
      16,
      "the recorded notification is replayed",
    );
    await conn.close();
  });

  it("gives identical decoded results for a generic netlink session", async () => {
    const k = new SimKernel();
    k.registerFamily({ name: "demo", operations: [{ id: 1 }], groups: ["g"] });
    const liveConn = k.dial(Family.Generic);
    const rec = record(liveConn, { family: Family.Generic });
    const live = GenlConn.from(liveConn);
    const session = async (g: GenlConn) => [
      await g.getFamily("demo"),
      await g.listFamilies(),
      await g.getFamily("missing").catch((e) => isNotExist(e)),
    ];
    const want = await session(live);
    await live.close();
    await using replayed = GenlConn.from(
      replay(rec.toString(), Family.Generic).dial(),
    );
    assert.deepEqual(await session(replayed), want);
  });

  it("answers identical requests in recorded order, then repeats the last", async () => {
    const k = new SimKernel();
    const live = k.dial(Family.Route);
    const rec = record(live, { family: Family.Route });
    const first = await live.execute(dumpLinks());
    k.rtnetlink.addLink({ name: "d0" });
    const second = await live.execute(dumpLinks());
    await live.close();
    await using conn = replay(rec.toString()).dial();
    assert.equal((await conn.execute(dumpLinks())).length, first.length);
    assert.equal((await conn.execute(dumpLinks())).length, second.length);
    assert.equal((await conn.execute(dumpLinks())).length, second.length);
  });

  it("fails the call with an error naming an unrecorded request, and goes on", async () => {
    const k = new SimKernel();
    const live = k.dial(Family.Route);
    const rec = record(live, { family: Family.Route });
    await live.execute(dumpLinks());
    await live.close();
    await using conn = replay(rec.toString()).dial();
    await assert.rejects(conn.execute(newLink("d0", "dummy")), (e: Error) => {
      assert.match(
        e.message,
        /no recorded request matches RTM_NEWLINK \(type 16\) flags request\|acknowledge\|excl\|create/,
      );
      return true;
    });
    await assert.rejects(
      conn.execute(msg(18, REQUEST | DUMP, new Uint8Array(4))),
      /RTM_GETLINK/,
    );
    assert.equal((await conn.execute(dumpLinks())).length, 1);
  });

  it("rewrites sequence numbers and port ids, the echoed request included", async () => {
    const k = new SimKernel();
    const live = k.dial(Family.Route);
    const rec = record(live, { family: Family.Route });
    await live.execute(newLink("d0", "nokind")).catch(() => {});
    await live.close();
    const replayer = replay(rec.toString());
    const raw: Uint8Array[] = [];
    await using conn = dial(async (reqs) => {
      const out = await replayer.kernel(reqs);
      raw.push(...out.map((m) => m.data));
      return out;
    });
    await assert.rejects(conn.execute(newLink("d0", "nokind")), {
      code: "EOPNOTSUPP",
    });
    const echoed = new DataView(raw[0]!.buffer, raw[0]!.byteOffset + 4);
    assert.equal(echoed.getUint32(12, true), conn.pid, "echoed nlmsg_pid");
  });

  it("rejects malformed recordings", () => {
    assert.throws(() => parseRecording("{"), TypeError);
    assert.throws(() => parseRecording('{"dir":"sideways"}'), TypeError);
    assert.throws(() => parseRecording('{"dir":"send"}'), TypeError);
    assert.throws(() => replay('{"dir":"send","hex":"zz"}'), TypeError);
  });
});

describe("nlmon pcap", () => {
  it("reads every packet of a real capture (pyroute2 nl0.pcap)", () => {
    const packets = readPcap(fixture("nl0.pcap"));
    assert.equal(packets.length, 19);
    assert.deepEqual([...new Set(packets.map((p) => p.family))], [
      Family.Generic,
      Family.Route,
    ]);
    // nl0.json (pyroute2's own decode) covers the NETLINK_ROUTE packets 3 to 11.
    const expected = JSON.parse(
      new TextDecoder().decode(fixture("nl0.json")),
    ) as { "pcap header": string }[];
    const route = packets.filter((p) => p.family === Family.Route);
    assert.equal(route.length, expected.length);
    route.forEach((p, i) => {
      const m = /ts_sec=(\d+), ts_usec=(\d+), incl_len=(\d+)/.exec(
        expected[i]!["pcap header"],
      )!;
      assert.equal(p.data.length + 16, Number(m[3]));
      assert.equal(
        Math.round(p.timestamp * 1000),
        Number(m[1]) * 1e6 + Number(m[2]),
      );
    });
    const [getlink] = parseMessages(route[0]!.data);
    assert.deepEqual([getlink!.header.type, getlink!.header.flags], [
      18,
      0x301,
    ]);
    assert.equal(summarizeDatagram(route[1]!.data, Family.Route).length, 2);
  });

  it("rejects files that are not nlmon captures", () => {
    assert.throws(() => readPcap(new Uint8Array(10)), RangeError);
    const ethernet = fixture("nl0.pcap").slice(0, 24);
    new DataView(ethernet.buffer).setUint32(20, 1, true);
    assert.throws(
      () => readPcap(ethernet),
      /link type 1 is not LINKTYPE_NETLINK/,
    );
    const cut = fixture("nl0.pcap").slice(0, 24 + 16 + 10);
    assert.throws(() => readPcap(cut), RangeError);
  });

  it("replays the captured rtnetlink and genetlink dumps", async () => {
    const file = fixture("nl0.pcap");
    for (const family of [Family.Route, Family.Generic]) {
      const lines = recordingFromPcap(file, family);
      const sent = lines.filter((l) => l.dir === "send");
      assert.equal(sent.length, family === Family.Route ? 2 : 4);
      await using conn = replay(lines).dial();
      for (const s of sent) {
        const hex = s.hex!;
        const bytes = new Uint8Array(hex.length / 2).map((_, i) =>
          parseInt(hex.slice(2 * i, 2 * i + 2), 16)
        );
        const [req] = parseMessages(bytes);
        const got = await conn.execute({
          header: { ...req!.header, sequence: 0, pid: 0 },
          data: req!.data,
        })
          .catch((e) => e);
        const recorded = lines.filter((l) =>
          l.dir === "recv" && l.messages?.[0]?.seq === req!.header.sequence
        )
          .flatMap((l) => l.messages!).filter((m) => m.name !== "NLMSG_DONE");
        if (Array.isArray(got)) {
          assert.deepEqual(
            got.map((m: Message) => m.header.length),
            recorded.map((m) => m.length),
          );
        } else {
          assert.equal(
            got.errno,
            recorded[0]!.errno,
            `${s.messages?.[0]?.name}: ${got}`,
          );
        }
      }
    }
  });
});

test("replay.kernel plugs into nltest.dial", async () => {
  const k = new SimKernel();
  const live = k.dial(Family.Route);
  const rec = record(live, { family: Family.Route });
  const want = await live.execute(dumpLinks());
  await live.close();
  await using conn = dial(replay(rec.toString()).kernel);
  assert.deepEqual(payloads(await conn.execute(dumpLinks())), payloads(want));
});
