import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeDecoder,
  AttributeEncoder,
  ConnOption,
  decodeMessage,
  Family,
  HeaderFlags,
  HeaderType,
  isNotExist,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import {
  ControllerAttribute,
  ControllerCommand,
  decodeFamily,
  decodeGenlMessage,
  encodeGenlMessage,
  GENL_ID_CTRL,
  GenlConn,
  PolicyType,
} from "../../src/genetlink/mod.ts";
import { KernelError, SimKernel } from "../../src/nltest/mod.ts";
import { hex, LITTLE_ENDIAN, toHex } from "../netlink/_hex.ts";

const REQUEST = HeaderFlags.Request;
const ACK = HeaderFlags.Acknowledge;
const DUMP = HeaderFlags.Dump;

function msg(
  type: number,
  flags: number,
  data: Uint8Array = new Uint8Array(0),
  sequence = 0,
): Message {
  return { header: { length: 0, type, flags, sequence, pid: 0 }, data };
}

/** The last datagram the kernel sent to `pid`. */
function lastReply(k: SimKernel, pid: number): Uint8Array {
  const r = k.trace.filter((t) => t.pid === pid && t.direction !== "request");
  assert.ok(r.length > 0, "no reply");
  return r[r.length - 1]!.data;
}

// Real kernel datagrams (reference/vectors.md §7.3, §7.4). The port id of the
// capturing socket was 0x4144; we bind the same one. Conn fills the request's
// nlmsg_pid with its port id, so the echoed request carries 44410000 where the
// capture (sent with pid 0) has 00000000: `echoPid` marks that field.
const vectors = [
  {
    name:
      "NEWLINK of an unknown kind, no extended ACK (rt_newlink_badkind_noextack)",
    options: { extendedAck: false },
    request:
      "40000000 10000506 d3070000 00000000 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000",
    reply:
      "54000000 02000000 d3070000 44410000 a1ffffff 40000000 10000506 d3070000 echoPid 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000",
  },
  {
    name:
      "NEWLINK of an unknown kind with extended ACK (rt_newlink_badkind_extack)",
    options: {},
    request:
      "40000000 10000506 d3070000 00000000 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000",
    reply:
      "6c000000 02000002 d3070000 44410000 a1ffffff 40000000 10000506 d3070000 echoPid 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000 18000100 556e6b6e 6f776e20 64657669 63652074 79706500",
  },
  {
    name:
      "NEWLINK of an unknown kind with extended and capped ACK (rt_newlink_badkind_extack_capack)",
    options: { capAck: true },
    request:
      "40000000 10000506 d3070000 00000000 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000",
    reply:
      "3c000000 02000003 d3070000 44410000 a1ffffff 40000000 10000506 d3070000 echoPid 18000100 556e6b6e 6f776e20 64657669 63652074 79706500",
  },
  {
    name: "NEWLINK with a 2-byte MTU (rt_newlink_bad_mtu_len_extack)",
    options: {},
    request:
      "28000000 10000500 d4070000 00000000 00000000 01000000 00000000 00000000 06000400 dc050000",
    reply:
      "90000000 02000002 d4070000 44410000 deffffff 28000000 10000500 d4070000 echoPid 00000000 01000000 00000000 00000000 06000400 dc050000 27000100 41747472 69627574 65206661 696c6564 20706f6c 69637920 76616c69 64617469 6f6e0000 08000200 20000000 24000480 0c000400 00000000 00000000 0c000500 ffffffff 00000000 08000100 04000000",
  },
  {
    name: "NEWADDR with prefix length 33 (rt_newaddr_bad_prefixlen_extack)",
    options: {},
    request:
      "28000000 14000506 d5070000 00000000 02210000 01000000 08000200 c6336409 08000100 c6336409",
    reply:
      "5c000000 02000002 d5070000 44410000 eaffffff 28000000 14000506 d5070000 echoPid 02210000 01000000 08000200 c6336409 08000100 c6336409 20000100 69707634 3a20496e 76616c69 64207072 65666978 206c656e 67746800",
  },
  {
    name: "GETLINK of a missing index (rt_getlink_nodev)",
    options: {},
    request:
      "20000000 12000100 d6070000 00000000 00000000 9f860100 00000000 00000000",
    reply:
      "34000000 02000000 d6070000 44410000 edffffff 20000000 12000100 d6070000 echoPid 00000000 9f860100 00000000 00000000",
  },
  {
    name: "strict link dump with an index (rt_getlink_strict_dump_bad_hdr)",
    options: { strict: true },
    request:
      "20000000 12000103 d7070000 00000000 00000000 01000000 00000000 00000000",
    reply:
      "4c000000 03000202 d7070000 44410000 eaffffff 38000100 46696c74 65722062 79206465 76696365 20696e64 6578206e 6f742073 7570706f 72746564 20666f72 206c696e 6b206475 6d707300",
  },
  {
    name: "GETFAMILY of a missing family (genl_ctrl_getfamily_missing)",
    family: Family.Generic,
    options: { extendedAck: false },
    request:
      "20000000 10000500 bd0b0000 00000000 03010000 0c000200 6e6c3830 32313100",
    reply:
      "34000000 02000000 bd0b0000 44410000 feffffff 20000000 10000500 bd0b0000 echoPid 03010000 0c000200 6e6c3830 32313100",
  },
  {
    name:
      "GETFAMILY of a missing family, capped (genl_ctrl_getfamily_missing_capack)",
    family: Family.Generic,
    options: { extendedAck: false, capAck: true },
    request:
      "20000000 10000500 bd0b0000 00000000 03010000 0c000200 6e6c3830 32313100",
    reply:
      "24000000 02000001 bd0b0000 44410000 feffffff 20000000 10000500 bd0b0000 echoPid",
  },
  {
    name: "GETFAMILY nlctrl (genl_ctrl_getfamily_nlctrl)",
    family: Family.Generic,
    options: {},
    request:
      "20000000 10000100 ba0b0000 00000000 03010000 0b000200 6e6c6374 726c0000",
    reply:
      "88000000 10000000 ba0b0000 44410000 01020000 0b000200 6e6c6374 726c0000 06000100 10000000 08000300 02000000 08000400 00000000 08000500 00000000 2c000600 14000100 08000100 03000000 08000200 0e000000 14000200 08000100 0a000000 08000200 0c000000 1c000700 18000100 08000200 10000000 0b000100 6e6f7469 66790000",
  },
  {
    name:
      "GETFAMILY dump with ACK ends in DONE and no ACK (genl_ctrl_getfamily_dump_ack_extack)",
    family: Family.Generic,
    options: {},
    request: "14000000 10000503 c00b0000 00000000 03010000",
    reply: "14000000 03000200 c00b0000 44410000 00000000",
  },
];

describe(
  "SimKernel replies like the real kernel",
  { skip: !LITTLE_ENDIAN },
  () => {
    for (const v of vectors) {
      it(v.name, async () => {
        const k = new SimKernel({ trace: true });
        const conn = k.dial(v.family ?? Family.Route, {
          pid: 0x4144,
          ...v.options,
        });
        const request = decodeMessage(hex(v.request));
        conn.send(request);
        await k.settled();
        if ((request.header.flags & HeaderFlags.Dump) === HeaderFlags.Dump) {
          // A dump's later parts (here its DONE) come as the socket is read.
          await conn.receive().catch(() => {});
        }
        assert.equal(
          toHex(lastReply(k, 0x4144)),
          toHex(hex(v.reply.replace("echoPid", "44410000"))),
        );
        await conn.close();
      });
    }

    it("acknowledges with a capped echo of the header (rt_newlink_noop_ack)", async () => {
      const k = new SimKernel({ trace: true });
      const conn = k.dial(Family.Route, { pid: 0x4144, extendedAck: false });
      const data = new Uint8Array(16);
      data[4] = 1; // ifi_index = 1 (lo): nothing to change
      conn.send({
        header: {
          length: 0,
          type: 16,
          flags: REQUEST | ACK,
          sequence: 2001,
          pid: 0,
        },
        data,
      });
      await k.settled();
      assert.equal(
        toHex(lastReply(k, 0x4144)),
        toHex(
          hex(
            "24000000 02000001 d1070000 44410000 00000000 20000000 10000500 d1070000 44410000",
          ),
        ),
      );
      await conn.close();
    });

    it("answers a GET with ACK with the reply, then the ACK, in two datagrams", async () => {
      const k = new SimKernel({ trace: true });
      const conn = k.dial(Family.Generic);
      const replies = await conn.execute(
        msg(
          GENL_ID_CTRL,
          REQUEST | ACK,
          hex("03010000 0b000200 6e6c6374 726c0000"),
        ),
      );
      assert.deepEqual(replies.map((m) => m.header.type), [GENL_ID_CTRL]);
      const out = k.trace.filter((t) => t.direction === "reply");
      assert.equal(out.length, 2);
      assert.equal(
        parseMessages(out[1]!.data)[0]!.header.type,
        HeaderType.Error,
      );
      await conn.close();
    });
  },
);

describe("SimKernel ports", () => {
  it("assigns distinct port ids, or the one asked for", async () => {
    const k = new SimKernel();
    const a = k.dial(Family.Route);
    const b = k.dial(Family.Route);
    const c = k.dial(Family.Generic, { pid: 77 });
    assert.notEqual(a.pid, b.pid);
    assert.equal(c.pid, 77);
    assert.deepEqual(k.ports.sort(), [a.pid, b.pid, 77].sort());
    assert.throws(() => k.dial(Family.Route, { pid: 77 }), {
      code: "EADDRINUSE",
    });
    await c.close();
    assert.ok(!k.ports.includes(77));
    k.dial(Family.Route, { pid: 77 }).close();
    await a.close();
    await b.close();
  });

  it("routes each reply to the requesting port only", async () => {
    const k = new SimKernel({ trace: true });
    const a = k.dial(Family.Route);
    const b = k.dial(Family.Route);
    const [ra, rb] = await Promise.all([
      a.execute(msg(18, REQUEST | DUMP, new Uint8Array(16))),
      b.execute(msg(18, REQUEST, hex("00000000 01000000 00000000 00000000"))),
    ]);
    assert.equal(ra.length, 1);
    assert.equal(rb.length, 1);
    for (const t of k.trace.filter((t) => t.direction === "reply")) {
      for (const m of parseMessages(t.data)) assert.equal(m.header.pid, t.pid);
    }
    await a.close();
    await b.close();
  });

  it("acknowledges a NOOP with ACK and ignores messages without the request flag", async () => {
    const k = new SimKernel({ trace: true });
    const conn = k.dial(Family.Route);
    assert.deepEqual(
      await conn.execute(msg(HeaderType.Noop, REQUEST | ACK)),
      [],
    ); // Conn consumes the ACK
    assert.equal(
      parseMessages(lastReply(k, conn.pid))[0]!.header.type,
      HeaderType.Error,
    );
    conn.send(msg(18, DUMP, new Uint8Array(16)));
    await k.settled();
    assert.equal(k.trace.filter((t) => t.direction === "reply").length, 1);
    await conn.close();
  });

  it("answers EOPNOTSUPP on a protocol nobody serves, and serves one after handle()", async () => {
    const k = new SimKernel();
    const conn = k.dial(Family.SockDiag);
    await assert.rejects(conn.execute(msg(20, REQUEST | ACK)), {
      code: "EOPNOTSUPP",
    });
    k.handle(Family.SockDiag, (m) => {
      if (m.data.length === 0) throw new KernelError(22, { message: "empty" });
      return [msg(20, 0, m.data)];
    });
    await assert.rejects(conn.execute(msg(20, REQUEST)), {
      code: "EINVAL",
      extAck: { message: "empty" },
    });
    const r = await conn.execute(msg(20, REQUEST, hex("01020304")));
    assert.deepEqual(Array.from(r[0]!.data), [1, 2, 3, 4]);
    await conn.close();
  });
});

describe("SimKernel multicast", () => {
  const GROUP_LINK = 1;

  it("fans out to members joined by joinGroup or by the bind-time mask, not to others", async () => {
    const k = new SimKernel({ trace: true });
    const joined = k.dial(Family.Route);
    joined.joinGroup(GROUP_LINK);
    const bound = k.dial(Family.Route, { groups: 1 });
    const other = k.dial(Family.Route, { groups: 0x10 });
    const generic = k.dial(Family.Generic, { groups: 1 });
    const ej = joined.notifications();
    const eb = bound.notifications();
    k.rtnetlink.addLink({ name: "d0" });
    assert.equal((await ej.next()).value?.header.type, 16);
    assert.equal((await eb.next()).value?.header.type, 16);
    const got = new Set(
      k.trace.filter((t) => t.direction === "notification").map((t) => t.pid),
    );
    assert.deepEqual([...got].sort(), [joined.pid, bound.pid].sort());
    assert.ok(
      k.trace.filter((t) => t.direction === "notification").every((t) =>
        t.groups === 1
      ),
    );
    joined.leaveGroup(GROUP_LINK);
    k.rtnetlink.deleteLink("d0");
    assert.equal((await eb.next()).value?.header.type, 17);
    assert.ok(!k.trace.slice(-1).some((t) => t.pid === joined.pid));
    for (const c of [joined, bound, other, generic]) await c.close();
  });

  it("notifies the requester too, and with NLM_F_ECHO as a unicast reply", async () => {
    const k = new SimKernel({ trace: true });
    const conn = k.dial(Family.Route, { groups: 1 });
    const events = conn.notifications();
    const create = (name: string, flags: number) =>
      msg(
        16,
        REQUEST | ACK | HeaderFlags.Create | HeaderFlags.Excl | flags,
        new Uint8Array([
          ...new Uint8Array(16),
          ...new AttributeEncoder().string(3, name).nested(18, (e) =>
            e.string(1, "dummy")).encode(),
        ]),
      );
    const plain = await conn.execute(create("d0", 0));
    assert.deepEqual(plain, []);
    assert.equal((await events.next()).value?.header.type, 16);
    const echoed = await conn.execute(create("d1", HeaderFlags.Echo));
    assert.deepEqual(echoed.map((m) => m.header.type), [16]);
    const mine = k.trace.filter((t) =>
      t.pid === conn.pid && t.direction === "notification"
    );
    assert.equal(mine.length, 1, "the echo replaces the multicast copy");
    await conn.close();
  });

  it("multicasts kernel.notify() messages on any protocol", async () => {
    const k = new SimKernel();
    const conn = k.dial(Family.KobjectUevent, { groups: 1 });
    const events = conn.notifications();
    k.notify(Family.KobjectUevent, 1, [msg(0x20, 0, hex("01020304"))]);
    const { value } = await events.next();
    assert.equal(value?.header.type, 0x20);
    await conn.close();
  });
});

describe("SimKernel options", () => {
  it("omits the extended ACK when the socket turned it off", async () => {
    const k = new SimKernel();
    const conn = k.dial(Family.Route, { extendedAck: false });
    await assert.rejects(
      conn.execute(
        msg(16, REQUEST | ACK | HeaderFlags.Create, new Uint8Array(16)),
      ),
      (e: { code?: string; extAck?: unknown }) =>
        e.code === "EOPNOTSUPP" && e.extAck === undefined,
    );
    conn.setOption(ConnOption.ExtendedAcknowledge, true);
    await assert.rejects(
      conn.execute(
        msg(16, REQUEST | ACK | HeaderFlags.Create, new Uint8Array(16)),
      ),
      { code: "EOPNOTSUPP", extAck: { message: "Unknown device type" } },
    );
    await conn.close();
  });

  it("rejects bad dump headers only with strict checking", async () => {
    const k = new SimKernel();
    const bad = hex("00000000 00000000 00000000 01000000"); // ifi_change = 1
    const lax = k.dial(Family.Route);
    assert.equal((await lax.execute(msg(18, REQUEST | DUMP, bad))).length, 1);
    const strict = k.dial(Family.Route, { strict: true });
    await assert.rejects(strict.execute(msg(18, REQUEST | DUMP, bad)), {
      code: "EINVAL",
      extAck: { message: "Invalid values in header for link dump request" },
    });
    const routes = hex("02200000 00000000 00000000"); // rtm_dst_len = 32
    await assert.rejects(strict.execute(msg(26, REQUEST | DUMP, routes)), {
      code: "EINVAL",
      extAck: { message: "Invalid values in header for FIB dump request" },
    });
    assert.equal(
      (await strict.execute(msg(18, REQUEST | DUMP, new Uint8Array(16))))
        .length,
      1,
    );
    await lax.close();
    await strict.close();
  });

  it("splits a big dump across datagrams and ends it with a DONE of its own", async () => {
    const k = new SimKernel({ trace: true, dumpDatagramSize: 400 });
    for (let i = 0; i < 9; i++) k.rtnetlink.addLink({ name: `d${i}` });
    const conn = k.dial(Family.Route);
    const links = await conn.execute(
      msg(18, REQUEST | DUMP, new Uint8Array(16)),
    );
    assert.equal(links.length, 10);
    const out = k.trace.filter((t) => t.direction === "reply");
    assert.ok(out.length >= 4, `${out.length} datagrams`);
    assert.deepEqual(
      parseMessages(out[out.length - 1]!.data).map((m) => m.header.type),
      [HeaderType.Done],
    );
    await conn.close();
  });
});

describe("SimKernel generic netlink", () => {
  it("resolves families and groups through nlctrl from the registered data", async () => {
    const k = new SimKernel();
    const demo = k.registerFamily({
      name: "demo",
      version: 3,
      operations: [{ id: 1 }, { id: 2 }],
      groups: ["a", "b"],
    });
    const other = k.registerFamily({ name: "other" });
    assert.equal(demo.id, 0x13);
    assert.equal(other.id, 0x14);
    assert.deepEqual(demo.groups.map((g) => g.id), [2, 3]);
    await using genl = GenlConn.from(k.dial(Family.Generic));
    assert.deepEqual(await genl.getFamily("demo"), demo);
    assert.deepEqual((await genl.listFamilies()).map((f) => f.name), [
      "nlctrl",
      "demo",
      "other",
    ]);
    await assert.rejects(genl.getFamily("missing"), (e) => isNotExist(e));
    assert.throws(() => k.registerFamily({ name: "demo" }), { code: "EEXIST" });
    assert.throws(
      () => k.registerFamily({ name: "a-name-far-too-long" }),
      TypeError,
    );
  });

  it("serves commands, multicasts on the family's groups and announces families", async () => {
    const k = new SimKernel();
    const ctrlEvents = k.dial(Family.Generic);
    ctrlEvents.joinGroup(0x10);
    const announced = ctrlEvents.notifications();
    const family = k.registerFamily({
      name: "echo",
      operations: [{ id: 1 }],
      groups: ["events"],
      handler: (req, ctx) => {
        ctx.notifyGenl("events", [{
          header: { command: 2, version: 1 },
          data: req.data,
        }]);
        if ((ctx.message.header.flags & DUMP) === DUMP) {
          return { dump: [req, req] };
        }
        return [{ header: { command: 1, version: 1 }, data: req.data }];
      },
    });
    const first = (await announced.next()).value!;
    const g = decodeGenlMessage(first.data);
    assert.equal(g.header.command, ControllerCommand.NewFamily);
    assert.equal(decodeFamily(g.data).name, "echo");

    const listener = k.dial(Family.Generic);
    listener.joinGroup(family.groups[0]!.id);
    const events = listener.notifications();
    const conn = k.dial(Family.Generic);
    const body = encodeGenlMessage({
      header: { command: 1, version: 1 },
      data: hex("08000100 2a000000"),
    });
    const [reply] = await conn.execute(msg(family.id, REQUEST, body));
    assert.equal(reply!.header.type, family.id);
    assert.deepEqual(
      decodeGenlMessage(reply!.data).data,
      hex("08000100 2a000000"),
    );
    assert.equal(
      decodeGenlMessage((await events.next()).value!.data).header.command,
      2,
    );
    assert.equal(
      (await conn.execute(msg(family.id, REQUEST | DUMP, body))).length,
      2,
    );
    await assert.rejects(
      conn.execute(
        msg(
          family.id,
          REQUEST,
          encodeGenlMessage({
            header: { command: 9, version: 1 },
            data: new Uint8Array(0),
          }),
        ),
      ),
      { code: "EOPNOTSUPP" },
    );
    await assert.rejects(conn.execute(msg(0x50, REQUEST, body)), {
      code: "ENOENT",
    });
    for (const c of [ctrlEvents, listener, conn]) await c.close();
  });

  it("serves a family with a genltest-style kernel function", async () => {
    const k = new SimKernel();
    const family = k.registerFamily({
      name: "gk",
      operations: [{ id: 1 }],
      // A genltest GenlKernel: (request, message) => replies.
      handler: (req, message: Message) => {
        if (req.data.length === 0) {
          throw Object.assign(new Error("empty"), { errno: 22 });
        }
        return [{ header: { command: 1, version: 1 }, data: req.data }, {
          header: { command: 1, version: 1 },
          data: new Uint8Array([message.header.flags & 0xff, 0, 0, 0]),
        }];
      },
    });
    await using genl = GenlConn.from(k.dial(Family.Generic));
    const req = {
      header: { command: 1, version: 1 },
      data: hex("08000100 07000000"),
    };
    assert.equal((await genl.execute(req, family.id, REQUEST)).length, 2);
    const dumped: unknown[] = [];
    for await (const m of genl.dump(req, family.id)) dumped.push(m.data[0]);
    assert.deepEqual(
      dumped,
      [8, 0x01],
      "a dump request gets a multipart reply",
    );
    await assert.rejects(
      genl.execute(
        { header: { command: 1, version: 1 }, data: new Uint8Array(0) },
        family.id,
        REQUEST,
      ),
      {
        code: "EINVAL",
      },
    );
  });

  it("answers policy dumps from the registered policy", async () => {
    const k = new SimKernel();
    const table = new Map([[1, { type: PolicyType.U32 }], [2, {
      type: PolicyType.NulString,
      maxLength: 15,
    }]]);
    k.registerFamily({
      name: "pol",
      operations: [{ id: 1 }],
      policy: new Map([[1, { do: table }]]),
    });
    k.registerFamily({ name: "nopol", operations: [{ id: 1 }] });
    await using genl = GenlConn.from(k.dial(Family.Generic));
    const policy = await genl.getPolicy("pol");
    assert.deepEqual(policy.operations.get(1)?.do, table);
    await assert.rejects(genl.getPolicy("nopol"), { code: "ENODATA" });
    const family = await genl.getFamily("pol");
    assert.equal(family.operations[0]!.flags & 0x8, 0x8);
  });

  it("rejects nlctrl lookups without name or id", async () => {
    const k = new SimKernel();
    const conn = k.dial(Family.Generic);
    const body = encodeGenlMessage({
      header: { command: ControllerCommand.GetFamily, version: 2 },
      data: new Uint8Array(0),
    });
    await assert.rejects(conn.execute(msg(GENL_ID_CTRL, REQUEST, body)), {
      code: "EINVAL",
    });
    const byId = encodeGenlMessage({
      header: { command: ControllerCommand.GetFamily, version: 2 },
      data: new AttributeEncoder().uint16(
        ControllerAttribute.FamilyId,
        GENL_ID_CTRL,
      ).encode(),
    });
    const [r] = await conn.execute(msg(GENL_ID_CTRL, REQUEST, byId));
    const d = new AttributeDecoder(decodeGenlMessage(r!.data).data);
    const names: string[] = [];
    while (d.next()) {
      if (d.type === ControllerAttribute.FamilyName) names.push(d.string());
    }
    assert.deepEqual(names, ["nlctrl"]);
    await conn.close();
  });
});

test("KernelError carries errno, code and extended ACK", () => {
  const e = new KernelError(19, { message: "no device" });
  assert.equal(e.code, "ENODEV");
  assert.equal(e.name, "KernelError");
  assert.deepEqual(e.extAck, { message: "no device" });
});
