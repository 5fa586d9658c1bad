/**
 * Typed operations on a connection: requests written straight into the
 * connection's send buffer (the bytes the kernel sees, nothing sent and no
 * sequence number used when the spec's checks refuse a request), `.dump`
 * streaming a datagram at a time, and decoded values sharing buffers only
 * within one decode call or one dump.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Message, parseMessages } from "../../src/netlink/mod.ts";
import { socketOf } from "../../src/netlink/conn.ts";
import type { Conn } from "../../src/netlink/conn.ts";
import { PolicyError } from "../../src/genetlink/mod.ts";
import { dial, genltest, multipart } from "../../src/nltest/mod.ts";
import * as rtLink from "../../src/families/rt_link.ts";
import * as rtRoute from "../../src/families/rt_route.ts";
import * as wireguard from "../../src/families/wireguard.ts";
import { hex } from "./_families.ts";

/** Records every request message sent on `conn` (a copy of its datagram's messages). */
function record(conn: Conn): Message[] {
  const socket = socketOf(conn) as unknown as {
    onSend: (s: unknown, d: Uint8Array) => unknown;
  };
  const sent: Message[] = [];
  const inner = socket.onSend;
  socket.onSend = (s, d) => {
    for (const m of parseMessages(d.slice())) sent.push(m);
    return inner(s, d);
  };
  return sent;
}

/** Counts the datagrams `conn` reads. */
function countReads(conn: Conn): () => number {
  const socket = socketOf(conn);
  const receive = socket.receive.bind(socket);
  let reads = 0;
  socket.receive = () => {
    const d = receive();
    if (d !== null) reads++;
    return d;
  };
  return () => reads;
}

const route = (i: number): Message =>
  rtRoute.getroute.encodeReply({
    rtmFamily: 2,
    rtmDstLen: 24,
    rtmTable: 254,
    rtmType: "unicast",
    dst: `10.0.${i}.0`,
    oif: 2,
  });

const badBond = {
  ifname: "bond0",
  linkinfo: { kind: "bond", data: { nsIp6Target: ["10.0.0.1"] } },
};

describe("families: typed requests on a connection", () => {
  it("sends the bytes `encode` gives, written into the send buffer", async () => {
    using conn = dial(() => []);
    const sent = record(conn);
    const request = {
      ifname: "br0",
      mtu: 1400,
      linkinfo: { kind: "bridge", data: { stpState: 1 } },
    };
    await rtLink.newlink.do(conn, request, { create: true, excl: true });
    await rtRoute.newroute.do(conn, {
      rtmFamily: 2,
      rtmDstLen: 24,
      dst: "192.0.2.0",
      gateway: "10.0.0.2",
    });
    assert.equal(sent.length, 2);
    assert.equal(hex(sent[0]!.data), hex(rtLink.newlink.encode(request).data));
    assert.equal(sent[0]!.header.type, 16); // RTM_NEWLINK
    assert.equal(sent[0]!.header.flags, 0x605); // Request | Ack | Excl | Create
    assert.equal(sent[0]!.header.length, 16 + sent[0]!.data.length);
    assert.equal(
      rtRoute.newroute.decodeRequest(sent[1]!).gateway,
      "10.0.0.2",
    );
    assert.equal(sent[1]!.header.sequence, sent[0]!.header.sequence + 1);
  });

  it("sends nothing and uses no sequence number when the spec's checks or the types refuse a request", async () => {
    using conn = dial(() => []);
    const sent = record(conn);
    await rtLink.dellink.do(conn, { ifname: "a" });
    // A written request fails while it is written into the send buffer.
    await assert.rejects(rtLink.newlink.do(conn, badBond), (e) => {
      assert.ok(e instanceof PolicyError, String(e));
      assert.match(e.message, /nsIp6Target > 0 .* is not 16 bytes/);
      return true;
    });
    await assert.rejects(
      rtLink.newlink.do(conn, { mtu: "big" as unknown as number }),
      TypeError,
    );
    await assert.rejects(
      rtLink.getlink.visit(conn, badBond, () => {}),
      PolicyError,
    );
    const it = rtLink.getlink.dump(conn, badBond);
    await assert.rejects(it.next(), PolicyError);
    // The next request goes out whole, with the next sequence number.
    await rtLink.dellink.do(conn, { ifname: "b" });
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.header.sequence, sent[0]!.header.sequence + 1);
    assert.equal(rtLink.dellink.decodeRequest(sent[1]!).ifname, "b");
    assert.equal(
      hex(sent[1]!.data),
      hex(rtLink.dellink.encode({ ifname: "b" }).data),
    );
  });

  it("does the same for generic netlink requests, the genl header written by GenlConn", async () => {
    const id = 0x21;
    const requests: number[] = [];
    await using genl = genltest.dial(
      genltest.serveFamily(
        {
          id,
          name: "wireguard",
          version: 1,
          headerSize: 0,
          maxAttribute: 8,
          operations: [],
          groups: [],
        },
        (req) => {
          requests.push(req.header.command);
          return [];
        },
      ),
    );
    const sent = record(genl.conn);
    const ok = { ifname: "wg0", listenPort: 51820 };
    await wireguard.setDevice.do(genl, ok);
    await assert.rejects(
      wireguard.setDevice.do(genl, { ifname: "a-name-far-too-long" }),
      PolicyError,
    );
    await wireguard.setDevice.do(genl, ok);
    assert.deepEqual(requests, [1, 1]); // WG_CMD_SET_DEVICE, twice
    const mine = sent.filter((m) => m.header.type === id);
    assert.equal(mine.length, 2);
    assert.equal(mine[1]!.header.sequence, mine[0]!.header.sequence + 1);
    const want = wireguard.setDevice.encode(ok, { familyId: id });
    assert.equal(hex(mine[0]!.data), hex(want.data));
    assert.equal(hex(mine[1]!.data), hex(want.data));
  });
});

describe("families: .dump streams", () => {
  it("reads the kernel's datagrams one at a time as the loop asks", async () => {
    // 64 routes: nltest hands them out in halves (33, 16, 8, 4, 2, 1 and DONE).
    using conn = dial(() =>
      multipart(Array.from({ length: 64 }, (_, i) => route(i)))
    );
    const reads = countReads(conn);
    const it = rtRoute.getroute.dump(conn, { rtmFamily: 2 });
    const first = await it.next();
    assert.equal(first.value?.dst, "10.0.0.0");
    assert.equal(reads(), 1);
    const dsts = [first.value!.dst];
    for await (const r of it) dsts.push(r.dst);
    assert.equal(dsts.length, 64);
    assert.equal(dsts[63], "10.0.63.0");
    assert.ok(reads() >= 6, `${reads()} datagrams read`);
  });

  it("leaving early drains the rest: the next dump is answered", async () => {
    using conn = dial(() =>
      multipart(Array.from({ length: 64 }, (_, i) => route(i)))
    );
    for await (const _ of rtRoute.getroute.dump(conn, { rtmFamily: 2 })) break;
    let n = 0;
    for await (const _ of rtRoute.getroute.dump(conn, { rtmFamily: 2 })) n++;
    assert.equal(n, 64);
  });

  it("names the operation in a kernel error, after the replies before it", async () => {
    using conn = dial((requests) => [
      { ...route(1), header: { ...route(1).header, flags: 2 } }, // NLM_F_MULTI
      {
        header: { length: 0, type: 3, flags: 2, sequence: 0, pid: 0 }, // NLMSG_DONE
        data: new Uint8Array([0xea, 0xff, 0xff, 0xff]), // -22
      },
      ...requests.slice(1),
    ]);
    const got: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of rtRoute.getroute.dump(conn, {})) got.push(r.dst!);
      })(),
      (e: Error) => /^Cannot dump rt-route getroute: EINVAL/.test(e.message),
    );
    assert.deepEqual(got, ["10.0.1.0"]);
  });
});

describe("families: decoded values' buffers", () => {
  const link = rtLink.getlink.encodeReply({
    ifiIndex: 2,
    ifname: "veth0",
    physPortId: new Uint8Array([1, 2, 3]),
    afSpec: { inet6: { token: new Uint8Array(16).fill(7) } },
    unknownAttributes: [{ type: 900, data: new Uint8Array([9, 9]) }],
  });

  it("share none between decode calls", () => {
    const a = rtLink.getlink.decode(link);
    const b = rtLink.getlink.decode(link);
    assert.notEqual(a.physPortId!.buffer, b.physPortId!.buffer);
    assert.notEqual(
      a.unknownAttributes![0]!.data.buffer,
      b.unknownAttributes![0]!.data.buffer,
    );
    assert.notEqual(a.physPortId!.buffer, link.data.buffer);
    // Within one call, copies may share one small buffer; each is its own bytes.
    a.physPortId![0] = 0;
    assert.deepEqual(a.afSpec!.inet6!.token, new Uint8Array(16).fill(7));
    assert.deepEqual(b.physPortId, new Uint8Array([1, 2, 3]));
  });

  it("share none between dumps, and none with the receive buffer", async () => {
    using conn = dial(() => multipart([link, link]));
    const first: Uint8Array[] = [];
    for await (const l of rtLink.getlink.dump(conn, {})) {
      first.push(l.physPortId!);
    }
    const second: Uint8Array[] = [];
    await rtLink.getlink.visit(conn, {}, (l) => second.push(l.physPortId!));
    assert.equal(first.length, 2);
    assert.equal(second.length, 2);
    for (const x of first) {
      for (const y of second) assert.notEqual(x.buffer, y.buffer);
      assert.deepEqual(x, new Uint8Array([1, 2, 3]));
    }
  });
});
