import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  ConnOption,
  DumpInterruptedError,
  encodeMessage,
  encodeMessages,
  Errno,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
  type MessageView,
  NetlinkError,
  OverrunError,
  parseMessages,
  SyscallError,
} from "../../src/netlink/mod.ts";
import {
  ack,
  dial,
  error,
  type Kernel,
  multipart,
  notify,
  PID,
} from "../../src/nltest/mod.ts";
import { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { connFromSocket, socketOf } from "../../src/netlink/conn.ts";

const { Request, Acknowledge, Dump, Multi, DumpInterrupted } = HeaderFlags;

function request(
  flags: number = Request,
  data: Uint8Array = new Uint8Array(0),
  type = 0x10,
  sequence = 0,
): Message {
  return { header: { length: 0, type, flags, sequence, pid: 0 }, data };
}

function reply(n: number, flags = 0, type = 0x10): Message {
  return {
    header: { length: 0, type, flags, sequence: 0, pid: 0 },
    data: new Uint8Array([n, 0, 0, 0]),
  };
}

function hex(s: string): Uint8Array {
  const h = s.replace(/\s+/g, "");
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}

/** Lets queued promise jobs and zero-delay macrotasks run (no wall-clock dependence). */
function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

function memory(conn: ReturnType<typeof dial>): MemorySocket {
  const s = socketOf(conn);
  assert.ok(s instanceof MemorySocket);
  return s;
}

/** A Conn over a MemorySocket whose kernel hook is written by the test. */
function rawConn(
  onSend: (s: MemorySocket, d: Uint8Array) => void,
  pid = PID,
): { conn: ReturnType<typeof dial>; socket: MemorySocket } {
  const socket = new MemorySocket({ pid, onSend });
  return { conn: connFromSocket(socket), socket };
}

/** Encodes `m` with the sequence of `req` (first message of the datagram `d`). */
function answer(d: Uint8Array, ms: Message[]): Uint8Array {
  const seq = parseMessages(d)[0]!.header.sequence;
  return encodeMessages(
    ms.map((m) => ({
      header: { ...m.header, sequence: m.header.sequence || seq },
      data: m.data,
    })),
  );
}

describe("Conn.send", () => {
  it("fills length, sequence and pid only when they are 0", () => {
    using conn = dial(() => []);
    const a = conn.send(request());
    assert.equal(a.header.length, 16);
    assert.equal(a.header.pid, PID);
    assert.notEqual(a.header.sequence, 0);
    const kept = conn.send({
      header: {
        length: 24,
        type: 0x10,
        flags: Request,
        sequence: 77,
        pid: 1234,
      },
      data: new Uint8Array(4),
    });
    assert.deepEqual(kept.header, {
      length: 24,
      type: 0x10,
      flags: Request,
      sequence: 77,
      pid: 1234,
    });
  });

  it("counts sequence numbers up from a random start, per Conn", () => {
    using conn = dial(() => []);
    const s = conn.send(request()).header.sequence;
    for (let i = 1; i <= 100; i++) {
      assert.equal(conn.send(request()).header.sequence, ((s + i) >>> 0) || 1);
    }
    const starts = new Set<number>();
    for (let i = 0; i < 8; i++) {
      using c = dial(() => []);
      starts.add(c.send(request()).header.sequence);
    }
    assert.ok(starts.size > 1, "sequence starts are random");
  });

  it("sends exactly the encoded bytes (padding zeroed) and a batch in one datagram", () => {
    using conn = dial(() => []);
    const s = memory(conn);
    s.keepSent = true;
    conn.send(request(Request, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])));
    conn.send(request(Request, new Uint8Array([1])));
    assert.equal(s.sent[1]!.length, 20);
    assert.deepEqual([...s.sent[1]!.subarray(16)], [1, 0, 0, 0]);
    const sent = conn.sendMessages([
      request(),
      request(Request, new Uint8Array(4)),
    ]);
    assert.equal(s.sent.length, 3);
    assert.deepEqual(
      parseMessages(s.sent[2]!).map((m) => m.header.sequence),
      sent.map((m) => m.header.sequence),
    );
  });

  it("rejects bad messages with TypeError/RangeError", () => {
    using conn = dial(() => []);
    assert.throws(
      () => conn.send({ header: null } as unknown as Message),
      TypeError,
    );
    assert.throws(
      () =>
        conn.send({
          header: { length: 0, type: 0x10000, flags: 0, sequence: 0, pid: 0 },
          data: new Uint8Array(0),
        }),
      RangeError,
    );
    assert.throws(
      () =>
        conn.send({
          header: { length: 17, type: 1, flags: 0, sequence: 0, pid: 0 },
          data: new Uint8Array(4),
        }),
      RangeError,
    );
    assert.throws(() => conn.sendMessages([]), RangeError);
  });
});

describe("Conn.execute", () => {
  it("returns the replies to its request", async () => {
    using conn = dial((rs) =>
      rs.map((r) => ({ header: { ...r.header, flags: 0 }, data: r.data }))
    );
    const got = await conn.execute(
      request(Request, new Uint8Array([9, 8, 7, 6])),
    );
    assert.equal(got.length, 1);
    assert.deepEqual([...got[0]!.data], [9, 8, 7, 6]);
    assert.equal(got[0]!.header.pid, PID);
  });

  it("follows a multipart reply across several datagrams and drops the DONE", async () => {
    using conn = dial(() =>
      multipart([reply(1), reply(2), reply(3), reply(4)])
    );
    const got = await conn.execute(request(Request | Dump));
    assert.deepEqual(got.map((m) => m.data[0]), [1, 2, 3, 4]);
    assert.ok(got.every((m) => (m.header.flags & Multi) !== 0));
    assert.equal(memory(conn).queued, 0);
  });

  it("follows a multipart reply whose parts arrive later (async kernel)", async () => {
    let release = (): void => {};
    const gate = new Promise<void>((r) => release = r);
    using conn = dial(async () => {
      await gate;
      return multipart([reply(1), reply(2), reply(3)]);
    });
    const p = conn.execute(request(Request | Dump));
    await tick();
    release();
    assert.deepEqual((await p).map((m) => m.data[0]), [1, 2, 3]);
  });

  it("returns a DONE without Multi as an ordinary message", async () => {
    using conn = dial(
      () => [{
        header: {
          length: 0,
          type: HeaderType.Done,
          flags: 0,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array(0),
      }],
    );
    const got = await conn.execute(request());
    assert.equal(got.length, 1);
    assert.equal(got[0]!.header.type, HeaderType.Done);
  });

  it("consumes the ACK of an Acknowledge request and leaves no stale ACK", async () => {
    let calls = 0;
    using conn = dial(() => {
      calls++;
      return calls === 2 ? [reply(42)] : [];
    });
    assert.deepEqual(await conn.execute(request(Request | Acknowledge)), []);
    // Reply plus a separate ACK datagram (genl_ctrl_getfamily_ethtool_ack): both consumed.
    const got = await conn.execute(request(Request | Acknowledge));
    assert.deepEqual(got.map((m) => m.data[0]), [42]);
    assert.equal(memory(conn).queued, 0);
    assert.deepEqual(await conn.execute(request(Request | Acknowledge)), []);
    assert.equal(calls, 3);
  });

  it("turns NLMSG_ERROR into NetlinkError with extended ACK and attribute path", async () => {
    const attrs = new AttributeEncoder().uint32(1, 7).nested(
      2,
      (e) => e.uint16(3, 1500),
    ).encode();
    const body = new Uint8Array(4 + attrs.length);
    body.set(attrs, 4);
    // Offset of attribute 3 inside nest 2: header 16 + family header 4 + attr 1 (8) + nest header 4.
    const offset = 16 + 4 + 8 + 4;
    using conn = dial((rs) =>
      error(34, rs[0]!, { message: "MTU out of range", offset })
    );
    await assert.rejects(
      conn.execute(request(Request | Acknowledge, body)),
      (e) => {
        assert.ok(isNetlinkError(e));
        assert.equal(e.code, "ERANGE");
        assert.equal(e.op, "execute");
        assert.equal(e.extAck?.message, "MTU out of range");
        assert.equal(e.extAck?.offset, offset);
        assert.deepEqual(e.extAck?.attributePath, [2, 3]);
        return true;
      },
    );
  });

  it("keeps the attribute path when the error arrives after a wait", async () => {
    const attrs = new AttributeEncoder().uint32(1, 7).uint32(5, 9).encode();
    const body = new Uint8Array(4 + attrs.length);
    body.set(attrs, 4);
    using conn = dial(async (rs) => {
      await tick();
      return error(22, rs[0]!, { offset: 16 + 4 + 8 });
    });
    const p = conn.execute(request(Request, body));
    conn.send(request(Request, new Uint8Array(64).fill(0xaa))); // overwrites the shared encode buffer
    await assert.rejects(
      p,
      (e) => isNetlinkError(e) && e.extAck?.attributePath?.[0] === 5,
    );
  });

  it("ends a dump with an error carried in DONE (with extended ACK)", async () => {
    // vectors §1.11 "done multi": errno -1 then NLMSGERR_ATTR_MSG "bad request", NLMSGERR_ATTR_OFFS 2.
    // deno-fmt-ignore
    const done = hex(
      "ffffffff" +                                 // error = -1 (EPERM)
      "10000100 62616420 72657175 65737400" +      // MSG "bad request"
      "08000200 02000000",                         // OFFS 2
    );
    let n = 0;
    using conn = dial(() =>
      n++ > 0 ? [] : [
        reply(1, Multi),
        {
          header: {
            length: 0,
            type: HeaderType.Done,
            flags: Multi | HeaderFlags.AcknowledgeTLVs,
            sequence: 0,
            pid: 0,
          },
          data: done,
        },
      ]
    );
    await assert.rejects(conn.execute(request(Request | Dump)), (e) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EPERM");
      assert.equal(e.extAck?.message, "bad request");
      assert.equal(e.extAck?.offset, 2);
      return true;
    });
    assert.deepEqual(await conn.execute(request(Request | Acknowledge)), []);
  });

  it("rejects a reply from another port id (validate) and stays usable", async () => {
    let n = 0;
    using conn = dial(() =>
      n++ === 0
        ? multipart([
          { ...reply(1), header: { ...reply(1).header, pid: 9999 } },
          reply(2),
        ])
        : [reply(3)]
    );
    await assert.rejects(
      conn.execute(request(Request | Dump)),
      (e) => isNetlinkError(e) && e.op === "validate",
    );
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      3,
    ]);
  });

  it("drops replies with a foreign sequence and unicast from a non-kernel port", async () => {
    const { conn, socket } = rawConn((s, d) => {
      const seq = parseMessages(d)[0]!.header.sequence;
      s.deliver(
        encodeMessage({
          header: { ...reply(1).header, sequence: seq + 1000 },
          data: new Uint8Array(4),
        }),
      );
      s.deliver(
        encodeMessage({
          header: { ...reply(2).header, sequence: seq },
          data: new Uint8Array([2, 0, 0, 0]),
        }),
        4242,
      );
      s.deliver(
        encodeMessage({
          header: { ...reply(3).header, sequence: seq },
          data: new Uint8Array([3, 0, 0, 0]),
        }),
      );
    });
    using _ = conn;
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      3,
    ]);
    assert.equal(socket.queued, 0);
  });

  it("fails on NLM_F_DUMP_INTR with every message as partial, then works again", async () => {
    let n = 0;
    using conn = dial(() =>
      n++ === 0
        ? multipart([
          reply(1),
          reply(2, DumpInterrupted),
          reply(3, DumpInterrupted),
        ])
        : [reply(9)]
    );
    await assert.rejects(conn.execute(request(Request | Dump)), (e) => {
      assert.ok(e instanceof DumpInterruptedError);
      assert.equal(e.code, "EINTR");
      assert.deepEqual(e.partial.map((m) => m.data[0]), [1, 2, 3]);
      return true;
    });
    assert.equal(memory(conn).queued, 0);
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      9,
    ]);
  });

  it("turns a truncated datagram into NetlinkError EBADMSG with a RangeError cause", async () => {
    const { conn } = rawConn((s, d) => {
      const bytes = answer(d, [reply(1)]);
      new DataView(bytes.buffer).setUint32(0, 64, true); // nlmsg_len beyond the datagram
      s.deliver(bytes);
    });
    using _ = conn;
    await assert.rejects(
      conn.execute(request()),
      (e) =>
        isNetlinkError(e) && e.code === "EBADMSG" &&
        e.cause instanceof RangeError,
    );
  });

  it("wraps send and receive failures in NetlinkError with the SyscallError cause", async () => {
    using conn = dial(() => [reply(1)]);
    memory(conn).failNextSend(1);
    await assert.rejects(conn.execute(request()), (e) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.op, "execute");
      assert.equal(e.code, "EPERM");
      assert.ok(e.cause instanceof SyscallError);
      return true;
    });
    memory(conn).failNextReceive(5);
    await assert.rejects(
      conn.execute(request()),
      (e) =>
        isNetlinkError(e) && e.code === "EIO" &&
        e.cause instanceof SyscallError,
    );
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      1,
    ]);
  });

  it("surfaces an exception thrown by the kernel", async () => {
    using conn = dial(() => {
      throw new Error("kernel bug");
    });
    await assert.rejects(conn.execute(request()), /kernel bug/);
  });

  it("rejects a sequence number that is already in flight", async () => {
    using conn = dial(async () => {
      await tick();
      return [reply(1)];
    });
    const p = conn.execute(request(Request, new Uint8Array(0), 0x10, 5));
    await assert.rejects(
      conn.execute(request(Request, new Uint8Array(0), 0x10, 5)),
      TypeError,
    );
    await p;
  });
});

describe("Conn real kernel error datagrams (vectors §7.3, §7.4)", () => {
  // deno-fmt-ignore
  const cases: { name: string; datagram: string; seq: number; pid?: number; code?: string; message?: string; offset?: number }[] = [
    { name: "rt_newlink_noop_ack", seq: 2001,
      datagram: "24000000 02000001 d1070000 44410000 00000000 20000000 10000500 d1070000 00000000" },
    { name: "rt_newlink_noop_ack_extack", seq: 2002,
      datagram: "24000000 02000001 d2070000 44410000 00000000 20000000 10000500 d2070000 00000000" },
    { name: "rt_newlink_badkind_noextack", seq: 2003, code: "EOPNOTSUPP",
      datagram: "54000000 02000000 d3070000 44410000 a1ffffff 40000000 10000506 d3070000 00000000 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000" },
    { name: "rt_newlink_badkind_extack", seq: 2003, code: "EOPNOTSUPP", message: "Unknown device type",
      datagram: "6c000000 02000002 d3070000 44410000 a1ffffff 40000000 10000506 d3070000 00000000 00000000 00000000 00000000 00000000 09000300 6e6c7430 00000000 14001280 0f000100 6e6f7375 63686b69 6e640000 18000100 556e6b6e 6f776e20 64657669 63652074 79706500" },
    // Go loses errno and message here (it ignores NLM_F_CAPPED); we must not.
    { name: "rt_newlink_badkind_extack_capack", seq: 2003, code: "EOPNOTSUPP", message: "Unknown device type",
      datagram: "3c000000 02000003 d3070000 44410000 a1ffffff 40000000 10000506 d3070000 00000000 18000100 556e6b6e 6f776e20 64657669 63652074 79706500" },
    { name: "rt_newlink_bad_mtu_len_extack", seq: 2004, code: "ERANGE", message: "Attribute failed policy validation", offset: 32,
      datagram: "90000000 02000002 d4070000 44410000 deffffff 28000000 10000500 d4070000 00000000 00000000 01000000 00000000 00000000 06000400 dc050000 27000100 41747472 69627574 65206661 696c6564 20706f6c 69637920 76616c69 64617469 6f6e0000 08000200 20000000 24000480 0c000400 00000000 00000000 0c000500 ffffffff 00000000 08000100 04000000" },
    { name: "rt_newaddr_bad_prefixlen_extack", seq: 2005, code: "EINVAL", message: "ipv4: Invalid prefix length",
      datagram: "5c000000 02000002 d5070000 44410000 eaffffff 28000000 14000506 d5070000 00000000 02210000 01000000 08000200 c6336409 08000100 c6336409 20000100 69707634 3a20496e 76616c69 64207072 65666978 206c656e 67746800" },
    { name: "rt_getlink_nodev", seq: 2006, code: "ENODEV",
      datagram: "34000000 02000000 d6070000 44410000 edffffff 20000000 12000100 d6070000 00000000 00000000 9f860100 00000000 00000000" },
    { name: "rt_getlink_strict_dump_bad_hdr (DONE)", seq: 2007, code: "EINVAL", message: "Filter by device index not supported for link dumps",
      datagram: "4c000000 03000202 d7070000 44410000 eaffffff 38000100 46696c74 65722062 79206465 76696365 20696e64 6578206e 6f742073 7570706f 72746564 20666f72 206c696e 6b206475 6d707300" },
    { name: "genl_ctrl_getfamily_missing", seq: 3005, code: "ENOENT",
      datagram: "34000000 02000000 bd0b0000 44410000 feffffff 20000000 10000500 bd0b0000 00000000 03010000 0c000200 6e6c3830 32313100" },
    { name: "genl_ctrl_getfamily_missing_capack", seq: 3005, code: "ENOENT",
      datagram: "24000000 02000001 bd0b0000 44410000 feffffff 20000000 10000500 bd0b0000 00000000" },
    { name: "genl_ctrl_getfamily_longname_extack", seq: 3007, code: "EINVAL", message: "Attribute failed policy validation", offset: 20,
      datagram: "9c000000 02000002 bf0b0000 44410000 eaffffff 44000000 10000500 bf0b0000 00000000 03010000 2d000200 78787878 78787878 78787878 78787878 78787878 78787878 78787878 78787878 78787878 78787878 00000000 27000100 41747472 69627574 65206661 696c6564 20706f6c 69637920 76616c69 64617469 6f6e0000 08000200 14000000 14000480 08000700 0f000000 08000100 0c000000" },
    { name: "genl_ethtool_linkinfo_nodev_extack", seq: 4102, code: "ENODEV", message: "no device matches name", offset: 24,
      datagram: "60000000 02000002 06100000 44410000 edffffff 28000000 15000500 06100000 00000000 02010000 14000180 0f000200 6e6f7375 63686465 76300000 1b000100 6e6f2064 65766963 65206d61 74636865 73206e61 6d650000 08000200 18000000" },
    { name: "issue #183 FIB dump (DONE)", seq: 3170989594, pid: 18027, code: "EINVAL", message: "Invalid values in header for FIB dump request",
      datagram: "48000000 03000202 1a7601bd 6b460000 eaffffff 32000100 496e7661 6c696420 76616c75 65732069 6e206865 61646572 20666f72 20464942 2064756d 70207265 71756573 74000000" },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code ?? "no error"}`, async () => {
      const { conn } = rawConn(
        (s) => s.deliver(hex(c.datagram)),
        c.pid ?? 0x4144,
      );
      using _ = conn;
      const p = conn.execute(
        request(Request | Acknowledge, new Uint8Array(0), 0x10, c.seq),
      );
      if (c.code === undefined) {
        assert.deepEqual(await p, []);
        return;
      }
      await assert.rejects(p, (e) => {
        assert.ok(isNetlinkError(e));
        assert.equal(e.code, c.code);
        assert.equal(e.sequence, c.seq);
        assert.equal(e.extAck?.message, c.message);
        assert.equal(e.extAck?.offset, c.offset);
        return true;
      });
    });
  }

  it("genl_ctrl_getfamily_ethtool_ack: reply then ACK datagram; the next call is not confused", async () => {
    const realAck = hex(
      "24000000 02000001 bb0b0000 44410000 00000000 20000000 10000500 bb0b0000 00000000",
    );
    const { conn } = rawConn((s, d) => {
      const seq = parseMessages(d)[0]!.header.sequence;
      if (seq === 3003) {
        s.deliver(
          encodeMessage({
            header: {
              length: 0,
              type: 0x10,
              flags: 0,
              sequence: 3003,
              pid: 0x4144,
            },
            data: new Uint8Array(1080),
          }),
        );
        s.deliver(realAck);
      } else s.deliver(answer(d, [reply(7)]));
    }, 0x4144);
    using _ = conn;
    const got = await conn.execute(
      request(Request | Acknowledge, new Uint8Array(0), 0x10, 3003),
    );
    assert.equal(got.length, 1);
    assert.equal(got[0]!.header.length, 1096);
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      7,
    ]);
  });

  it("genl_ctrl_getfamily_dump_ack_extack: 15 families then DONE with a zero errno", async () => {
    const { conn } = rawConn((s) => {
      s.deliver(encodeMessages(Array.from({ length: 15 }, (_, i) => ({
        header: {
          length: 0,
          type: 0x10,
          flags: Multi,
          sequence: 3008,
          pid: 0x4144,
        },
        data: new Uint8Array([i, 0, 0, 0]),
      }))));
      s.deliver(hex("14000000 03000200 c00b0000 44410000 00000000"));
    }, 0x4144);
    using _ = conn;
    const got = await conn.execute(
      request(Request | Acknowledge | Dump, new Uint8Array(0), 0x10, 3008),
    );
    assert.equal(got.length, 15);
  });
});

describe("Conn.dump", () => {
  it("yields messages as datagrams arrive", async () => {
    let release = (): void => {};
    const { conn, socket } = rawConn((s, d) => {
      const seq = parseMessages(d)[0]!.header.sequence;
      const m = (n: number, type = 0x10) => ({
        header: { length: 0, type, flags: Multi, sequence: seq, pid: PID },
        data: new Uint8Array([n, 0, 0, 0]),
      });
      s.deliver(encodeMessages([m(1), m(2)]));
      release = () => s.deliver(encodeMessages([m(3), m(0, HeaderType.Done)]));
    });
    using _ = conn;
    const it = conn.dump(request(Request | Dump));
    assert.equal((await it.next()).value?.data[0], 1);
    assert.equal((await it.next()).value?.data[0], 2);
    const third = it.next();
    await tick();
    assert.equal(socket.waiting, 1, "waits for the next datagram");
    release();
    assert.equal((await third).value?.data[0], 3);
    assert.equal((await it.next()).done, true);
  });

  it("drains the rest of the reply when left early, so the Conn stays usable", async () => {
    let n = 0;
    using conn = dial(() =>
      n++ === 0
        ? multipart([reply(1), reply(2), reply(3), reply(4), reply(5)])
        : [reply(6)]
    );
    for await (const m of conn.dump(request(Request | Dump))) {
      assert.equal(m.data[0], 1);
      break;
    }
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      6,
    ]);
    assert.equal(memory(conn).queued, 0);
  });

  it("yields everything then throws DumpInterruptedError", async () => {
    using conn = dial(() => multipart([reply(1), reply(2, DumpInterrupted)]));
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const m of conn.dump(request(Request | Dump))) {
        seen.push(m.data[0]!);
      }
    }, DumpInterruptedError);
    assert.deepEqual(seen, [1, 2]);
  });

  it("sends nothing until the first next()", async () => {
    let calls = 0;
    using conn = dial(() => {
      calls++;
      return multipart([]);
    });
    const it = conn.dump(request(Request | Dump));
    assert.equal(calls, 0);
    assert.equal((await it.next()).done, true);
    assert.equal(calls, 1);
  });
});

describe("Conn.visit", () => {
  it("visits every reply with one reused view and resolves to the count", async () => {
    using conn = dial(() =>
      multipart(Array.from({ length: 10 }, (_, i) => reply(i)))
    );
    const views = new Set<MessageView>();
    const headers = new Set<object>();
    const seen: number[] = [];
    const n = await conn.visit(request(Request | Dump), (v) => {
      views.add(v);
      headers.add(v.header);
      assert.equal(v.length, 4);
      seen.push(v.bytes[v.offset]!);
    });
    assert.equal(n, 10);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(views.size, 1);
    assert.equal(headers.size, 1);
  });

  it("does not visit the ACK of a non-dump request", async () => {
    using conn = dial(() => [reply(5)]);
    let visited = 0;
    assert.equal(
      await conn.visit(request(Request | Acknowledge), () => visited++),
      1,
    );
    assert.equal(visited, 1);
  });

  it("rejects with the visitor's exception, discards the rest and stays usable", async () => {
    let n = 0;
    using conn = dial(() =>
      n++ === 0 ? multipart([reply(1), reply(2), reply(3)]) : [reply(4)]
    );
    await assert.rejects(
      conn.visit(request(Request | Dump), () => {
        throw new Error("stop");
      }),
      /stop/,
    );
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      4,
    ]);
  });
});

describe("Conn concurrency", () => {
  it("routes several execute and dump calls in flight by sequence; dumps go one at a time", async () => {
    // The kernel holds every request and answers them out of order, interleaving datagrams.
    const held: Uint8Array[] = [];
    const { conn, socket } = rawConn((_s, d) => void held.push(d));
    using _ = conn;
    const e1 = conn.execute(request(Request, new Uint8Array([1, 0, 0, 0])));
    const e2 = conn.execute(
      request(Request | Acknowledge, new Uint8Array([2, 0, 0, 0])),
    );
    const dumped: number[] = [];
    const d3 = (async () => {
      for await (
        const m of conn.dump(
          request(Request | Dump, new Uint8Array([3, 0, 0, 0])),
        )
      ) dumped.push(m.data[0]!);
    })();
    const v4: number[] = [];
    const p4 = conn.visit(
      request(Request | Dump, new Uint8Array([4, 0, 0, 0])),
      (v) => void v4.push(v.bytes[v.offset]!),
    );
    await tick();
    // The second dump waits: the kernel runs one dump per socket.
    assert.equal(held.length, 3);
    const [r1, r2, r3] = held.map((d) => parseMessages(d)[0]!);
    const part = (r: Message, n: number, flags: number = Multi, type = 0x10) =>
      encodeMessage({
        header: {
          length: 0,
          type,
          flags,
          sequence: r.header.sequence,
          pid: PID,
        },
        data: new Uint8Array([n, 0, 0, 0]),
      });
    socket.deliver(part(r3!, 30));
    socket.deliver(encodeMessage(ack(r2!)[0]!));
    socket.deliver(part(r2!, 20, 0)); // arrives after its ACK: dropped, the call already ended
    socket.deliver(part(r3!, 31));
    await tick();
    assert.equal(held.length, 3, "no second dump before the first one's DONE");
    socket.deliver(part(r3!, 0, Multi, HeaderType.Done));
    await tick();
    assert.equal(held.length, 4, "the queued dump is sent after the DONE");
    const r4 = parseMessages(held[3]!)[0]!;
    assert.deepEqual([...r4.data], [4, 0, 0, 0]);
    socket.deliver(part(r4, 40));
    socket.deliver(part(r1!, 10, 0));
    socket.deliver(part(r4, 41));
    socket.deliver(part(r4, 0, Multi, HeaderType.Done));
    assert.deepEqual((await e1).map((m) => m.data[0]), [10]);
    assert.deepEqual(await e2, []);
    await d3;
    assert.deepEqual(dumped, [30, 31]);
    assert.equal(await p4, 2);
    assert.deepEqual(v4, [40, 41]);
  });

  it("completes many concurrent requests on a synchronous kernel", async () => {
    using conn = dial((
      rs,
    ) => [{ header: { ...rs[0]!.header, flags: 0 }, data: rs[0]!.data }]);
    const got = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => conn.execute(request(Request, new Uint8Array([i, 0, 0, 0]))),
      ),
    );
    assert.deepEqual(
      got.map((r) => r[0]!.data[0]),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

describe("Conn abort", () => {
  it("rejects at once with the reason when the signal is already aborted, sending nothing", async () => {
    let calls = 0;
    using conn = dial(() => {
      calls++;
      return [];
    });
    const reason = new Error("gave up");
    const signal = AbortSignal.abort(reason);
    await assert.rejects(
      conn.execute(request(), { signal }),
      (e) => e === reason,
    );
    await assert.rejects(
      conn.visit(request(), () => {}, { signal }),
      (e) => e === reason,
    );
    await assert.rejects(conn.receive({ signal }), (e) => e === reason);
    await assert.rejects(
      conn.dump(request(), { signal }).next(),
      (e) => e === reason,
    );
    await assert.rejects(
      conn.notifications({ signal }).next(),
      (e) => e === reason,
    );
    assert.equal(calls, 0);
  });

  it("rejects a waiting call on abort, discards its late reply and stays usable", async () => {
    const held: Uint8Array[] = [];
    const { conn, socket } = rawConn((s, d) => {
      if (held.length === 0) held.push(d);
      else s.deliver(answer(d, [reply(2)]));
    });
    using _ = conn;
    const ac = new AbortController();
    const p = conn.execute(request(), { signal: ac.signal });
    await tick();
    ac.abort(new Error("timeout"));
    await assert.rejects(p, /timeout/);
    socket.deliver(answer(held[0]!, [reply(1)])); // the late reply
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      2,
    ]);
    assert.equal(socket.waiting, 0);
  });

  it("ends dump and notifications iterators on abort", async () => {
    using conn = dial(async () => await new Promise<Message[]>(() => {}));
    const ac = new AbortController();
    const it = conn.dump(request(Request | Dump), { signal: ac.signal });
    const events = conn.notifications({ signal: ac.signal });
    const both = Promise.allSettled([it.next(), events.next()]);
    await tick();
    ac.abort();
    const [a, b] = await both;
    assert.equal(a.status === "rejected" && a.reason.name, "AbortError");
    assert.equal(b.status === "rejected" && b.reason.name, "AbortError");
    assert.equal((await it.next()).done, true);
    assert.equal((await events.next()).done, true);
  });
});

describe("Conn.close", () => {
  it("wakes every pending wait promptly and is idempotent", async () => {
    using conn = dial(async () => await new Promise<Message[]>(() => {}));
    conn.joinGroup(1);
    const e = conn.execute(request());
    const v = conn.visit(request(Request | Dump), () => {});
    const d = conn.dump(request(Request | Dump)).next();
    const r = conn.receive();
    const n = conn.notifications().next();
    await tick();
    assert.ok(memory(conn).waiting > 0);
    await conn.close();
    const closed = (x: unknown) =>
      isNetlinkError(x) && x.code === "EBADF" && /closed/.test(x.message);
    await assert.rejects(e, closed);
    await assert.rejects(v, closed);
    await assert.rejects(d, closed);
    await assert.rejects(r, closed);
    assert.deepEqual(await n, { value: undefined, done: true });
    assert.equal(memory(conn).closed, true);
    await conn.close();
    assert.equal(conn.closed, true);
    await assert.rejects(conn.execute(request()), closed);
    assert.throws(() => conn.send(request()), closed);
    assert.throws(() => conn.joinGroup(1), closed);
  });

  it("closes on Symbol.dispose and Symbol.asyncDispose", async () => {
    const a = dial(() => []);
    {
      using _ = a;
    }
    assert.equal(a.closed, true);
    const b = dial(() => []);
    {
      await using _ = b;
    }
    assert.equal(b.closed, true);
    assert.equal(memory(b).closed, true);
  });
});

describe("Conn.notifications", () => {
  const event = (n: number): Message => ({
    header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 },
    data: new Uint8Array([n, 0, 0, 0]),
  });

  it("delivers multicast to every open iterator, in order", async () => {
    using conn = dial(() => []);
    conn.joinGroup(3);
    const a = conn.notifications();
    const b = conn.notifications();
    assert.equal(notify(conn, 3, [event(1), event(2)]), true);
    assert.equal(notify(conn, 4, [event(3)]), false, "not joined");
    assert.equal((await a.next()).value?.data[0], 1);
    assert.equal((await a.next()).value?.data[0], 2);
    assert.equal((await b.next()).value?.data[0], 1);
    await a.return?.();
    await b.return?.();
  });

  it("treats unicast with sequence 0 and groups above 32 as notifications", async () => {
    const { conn, socket } = rawConn(() => {});
    using _ = conn;
    const it = conn.notifications();
    socket.deliver(encodeMessage(event(7))); // sequence 0, nl_groups 0 (e.g. genl group 40)
    assert.equal((await it.next()).value?.data[0], 7);
    await it.return?.();
  });

  it("waits for a notification that arrives later, while requests proceed", async () => {
    using conn = dial(() => [reply(5)], { groups: 1 });
    const it = conn.notifications();
    const next = it.next();
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      5,
    ]);
    notify(conn, 1, [event(8)]);
    assert.equal((await next).value?.data[0], 8);
    await it.return?.();
  });

  it("goes to receive() while no iterator is open", async () => {
    using conn = dial(() => [], { groups: 1 });
    notify(conn, 1, [event(9)]);
    const got = await conn.receive();
    assert.equal(got[0]!.data[0], 9);
  });

  it("throws OverrunError on ENOBUFS and ends; a new iterator works", async () => {
    using conn = dial(() => [], { groups: 1 });
    const it = conn.notifications();
    memory(conn).failNextReceive(Errno.ENOBUFS);
    await assert.rejects(it.next(), OverrunError);
    assert.equal((await it.next()).done, true);
    const again = conn.notifications();
    notify(conn, 1, [event(1)]);
    assert.equal((await again.next()).value?.data[0], 1);
    await again.return?.();
  });
});

describe("Conn overrun", () => {
  it("turns ENOBUFS into OverrunError, then completes a request", async () => {
    using conn = dial(() => [reply(1)]);
    memory(conn).failNextReceive(Errno.ENOBUFS);
    await assert.rejects(conn.execute(request()), (e) => {
      assert.ok(e instanceof OverrunError);
      assert.equal(e.code, "ENOBUFS");
      assert.ok(e.cause instanceof SyscallError);
      return true;
    });
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      1,
    ]);
    assert.equal(memory(conn).queued, 0);
  });

  it("an overrun taken by a notifications iterator is not reported to receive() again", async () => {
    using conn = dial(() => [], { groups: 1 });
    const it = conn.notifications();
    memory(conn).failNextReceive(Errno.ENOBUFS);
    await assert.rejects(it.next(), OverrunError);
    notify(conn, 1, [reply(3)]); // no iterator open: for receive()
    assert.equal((await conn.receive())[0]!.data[0], 3);
  });

  it("an iterator 4096 messages behind fails with OverrunError; later messages go to receive()", async () => {
    using conn = dial(() => [], { groups: 1 });
    const slow = conn.notifications();
    const fast = conn.notifications();
    notify(conn, 1, Array.from({ length: 4097 }, (_, i) => reply(i & 0xff)));
    let seen = 0;
    for await (const _ of fast) if (++seen === 4097) break; // routes all of them
    let n = 0;
    await assert.rejects(async () => {
      for await (const _ of slow) n++;
    }, OverrunError);
    assert.equal(n, 4096, "what was queued before the overrun is delivered");
    notify(conn, 1, [reply(7)]); // no iterator open any more
    assert.equal((await conn.receive())[0]!.data[0], 7);
  });

  it("reports the overrun to receive()", async () => {
    using conn = dial(() => [reply(1)]);
    memory(conn).failNextReceive(Errno.ENOBUFS);
    conn.send(request());
    await assert.rejects(conn.receive(), OverrunError);
    assert.equal((await conn.receive())[0]!.data[0], 1);
  });
});

describe("Conn.receive", () => {
  it("returns the reply to send(), following multipart across datagrams", async () => {
    using conn = dial(() =>
      multipart([reply(1), reply(2), reply(3), reply(4)])
    );
    conn.send(request(Request | Dump));
    assert.deepEqual((await conn.receive()).map((m) => m.data[0]), [
      1,
      2,
      3,
      4,
    ]);
  });

  it("returns ACKs as messages and throws kernel errors", async () => {
    let n = 0;
    using conn = dial((rs) => n++ === 0 ? ack(rs[0]!) : error(2, rs[0]!));
    conn.send(request(Request | Acknowledge));
    const [m] = await conn.receive();
    assert.equal(m!.header.type, HeaderType.Error);
    conn.send(request(Request | Acknowledge));
    await assert.rejects(
      conn.receive(),
      (e) => isNetlinkError(e) && e.code === "ENOENT" && e.op === "receive",
    );
  });

  it("waits for a reply that arrives later and serves callers in order", async () => {
    using conn = dial(async (rs) => {
      await tick();
      return [{ header: { ...rs[0]!.header, flags: 0 }, data: rs[0]!.data }];
    });
    const a = conn.receive();
    const b = conn.receive();
    conn.send(request(Request, new Uint8Array([1, 0, 0, 0])));
    conn.send(request(Request, new Uint8Array([2, 0, 0, 0])));
    assert.equal((await a)[0]!.data[0], 1);
    assert.equal((await b)[0]!.data[0], 2);
  });
});

describe("Conn options and socket settings", () => {
  it("applies dial options through the socket (extended ACK on by default)", () => {
    using a = dial(() => []);
    assert.deepEqual([...memory(a).options.entries()], [[
      ConnOption.ExtendedAcknowledge,
      true,
    ]]);
    using b = dial(() => [], {
      extendedAck: false,
      strict: true,
      capAck: true,
      noENOBUFS: true,
      broadcastError: true,
      listenAllNSID: true,
      receiveBufferSize: 1 << 20,
    });
    const s = memory(b);
    assert.equal(s.getOption(ConnOption.ExtendedAcknowledge), false);
    for (
      const o of [
        ConnOption.GetStrictCheck,
        ConnOption.CapAcknowledge,
        ConnOption.NoENOBUFS,
        ConnOption.BroadcastError,
        ConnOption.ListenAllNSID,
      ]
    ) {
      assert.equal(b.getOption(o), true);
    }
    assert.equal(s.receiveBufferSize, 1 << 20);
  });

  it("delegates groups, options, buffer sizes and BPF with argument checks", () => {
    using conn = dial(() => []);
    const s = memory(conn);
    conn.joinGroup(40);
    assert.ok(s.groups.has(40));
    conn.leaveGroup(40);
    assert.ok(!s.groups.has(40));
    conn.setReceiveBufferSize(4096, { force: true });
    assert.equal(s.receiveBufferForced, true);
    conn.setSendBufferSize(8192);
    assert.equal(s.sendBufferSize, 8192);
    conn.setBPF([{ code: 6, jt: 0, jf: 0, k: 0xffffffff }]);
    assert.deepEqual(s.bpf, [{ code: 6, jt: 0, jf: 0, k: 0xffffffff }]);
    conn.removeBPF();
    assert.equal(s.bpf, null);
    assert.throws(() => conn.joinGroup("1" as unknown as number), TypeError);
    assert.throws(() => conn.joinGroup(0), RangeError);
    assert.throws(() => conn.joinGroup(1.5), RangeError);
    assert.throws(
      () => conn.setOption(ConnOption.NoENOBUFS, 1 as unknown as boolean),
      TypeError,
    );
    assert.throws(() => conn.setOption(-1, true), RangeError);
    assert.throws(() => conn.setReceiveBufferSize(-1), RangeError);
    assert.throws(() => conn.setBPF([]), RangeError);
    assert.throws(() => conn.setBPF("x" as unknown as []), TypeError);
    assert.throws(
      () => conn.setBPF([{ code: 0x10000, jt: 0, jf: 0, k: 0 }]),
      RangeError,
    );
  });

  it("wraps a failing setsockopt in NetlinkError", () => {
    using conn = dial(() => []);
    const s = memory(conn);
    s.joinGroup = () => {
      throw new SyscallError("setsockopt", 1);
    };
    assert.throws(
      () => conn.joinGroup(2),
      (e) => isNetlinkError(e) && e.op === "joinGroup" && e.code === "EPERM",
    );
  });

  it("closes the socket when an explicitly requested option fails", () => {
    const socket = new MemorySocket();
    socket.setOption = () => {
      throw new SyscallError("setsockopt", 92);
    };
    assert.throws(
      () => connFromSocket(socket, { strict: true }),
      (e) => isNetlinkError(e) && e.code === "ENOPROTOOPT",
    );
    assert.equal(socket.closed, true);
    const ok = new MemorySocket();
    ok.setOption = socket.setOption;
    using conn = connFromSocket(ok); // the default extended ACK is best effort
    assert.equal(conn.closed, false);
  });
});

describe("Conn.dial", () => {
  it("checks its arguments before opening anything", async () => {
    const { Conn } = await import("../../src/netlink/mod.ts");
    await assert.rejects(Conn.dial("route" as unknown as number), TypeError);
    await assert.rejects(Conn.dial(32), RangeError);
  });
});

// The Kernel type is part of the public surface the tests build on.
const _typecheck: Kernel = () => [];
void _typecheck;

describe("Conn iterators", () => {
  it("serves concurrent next() calls on one notifications iterator", async () => {
    using conn = dial(() => [], { groups: 1 });
    const it = conn.notifications();
    const a = it.next();
    const b = it.next();
    await tick();
    const event = (n: number): Message => ({
      header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 },
      data: new Uint8Array([n, 0, 0, 0]),
    });
    notify(conn, 1, [event(1), event(2)]);
    const got = [(await a).value?.data[0], (await b).value?.data[0]];
    assert.deepEqual(got, [1, 2]);
    assert.equal(memory(conn).waiting, 0);
    await it.return?.();
  });
});

describe("Conn DUMP_INTR on the DONE", () => {
  it("fails execute and receive when only the DONE is marked", async () => {
    const marked = (): Message[] => {
      const ms = multipart([reply(1), reply(2)]);
      ms[ms.length - 1]!.header.flags |= DumpInterrupted;
      return ms;
    };
    using conn = dial(marked);
    await assert.rejects(
      conn.execute(request(Request | Dump)),
      (e) => e instanceof DumpInterruptedError && e.partial.length === 2,
    );
    conn.send(request(Request | Dump));
    await assert.rejects(conn.receive(), DumpInterruptedError);
  });
});

describe("Conn short datagrams", () => {
  it("fails the only request in flight on a datagram shorter than a header", async () => {
    let n = 0;
    const { conn } = rawConn((s, d) => {
      if (n++ === 0) s.deliver(new Uint8Array(12));
      else s.deliver(answer(d, [reply(4)]));
    });
    using _ = conn;
    await assert.rejects(
      conn.execute(request()),
      (e) =>
        isNetlinkError(e) && e.code === "EBADMSG" &&
        e.cause instanceof RangeError,
    );
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      4,
    ]);
  });
});

describe("Conn.receive Go parity (vectors §1.11, §8)", () => {
  // Each case: the datagrams the kernel answers with, and what receive() gives.
  const seqOf = (d: Uint8Array) => parseMessages(d)[0]!.header.sequence;
  const msg = (seq: number, type: number, flags: number, data: number[]) =>
    encodeMessage({
      header: { length: 0, type, flags, sequence: seq, pid: PID },
      data: new Uint8Array(data),
    });
  const cases: {
    name: string;
    answer: (seq: number) => Uint8Array[];
    want?: number[]; // types returned
    code?: string; // NetlinkError code thrown
  }[] = [
    {
      name:
        "a non-multipart datagram: exactly its messages, the next datagram stays queued",
      answer: (
        s,
      ) => [msg(s, 0x10, 0, [1, 0, 0, 0]), msg(s, 0x11, 0, [2, 0, 0, 0])],
      want: [0x10],
    },
    {
      name: "a DONE without Multi is an ordinary message",
      answer: (s) => [msg(s, HeaderType.Done, 0, [])],
      want: [HeaderType.Done],
    },
    {
      name: "Multi message then DONE|Multi with empty data",
      answer: (
        s,
      ) => [
        msg(s, 0x10, Multi, [1, 0, 0, 0]),
        msg(s, HeaderType.Done, Multi, []),
      ],
      want: [0x10],
    },
    {
      name: "Multi message then DONE|Multi with errno -2",
      answer: (
        s,
      ) => [
        msg(s, 0x10, Multi, [1, 0, 0, 0]),
        msg(s, HeaderType.Done, Multi, [0xfe, 0xff, 0xff, 0xff]),
      ],
      code: "ENOENT",
    },
    {
      name: "NLMSG_ERROR with errno -2 (TestConnReceiveErrorLinux)",
      answer: (s) => [msg(s, HeaderType.Error, 0, [0xfe, 0xff, 0xff, 0xff])],
      code: "ENOENT",
    },
    {
      name: "NLMSG_ERROR with 1 byte of data (not enough data for an errno)",
      answer: (s) => [msg(s, HeaderType.Error, 0, [0x01])],
      code: "EBADMSG",
    },
    {
      name: "NLMSG_ERROR with ACK_TLVS and a cut echoed header",
      answer: (
        s,
      ) => [
        msg(s, HeaderType.Error, HeaderFlags.AcknowledgeTLVs, [
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
        ]),
      ],
      code: "EBADMSG",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { conn } = rawConn((s, d) => {
        for (const b of c.answer(seqOf(d))) s.deliver(b);
      });
      using _ = conn;
      conn.send(request());
      if (c.code !== undefined) {
        await assert.rejects(
          conn.receive(),
          (e) => isNetlinkError(e) && e.code === c.code && e.op === "receive",
        );
      } else {
        assert.deepEqual(
          (await conn.receive()).map((m) => m.header.type),
          c.want,
        );
      }
    });
  }

  it("a socket error surfaces as NetlinkError with the SyscallError cause", async () => {
    using conn = dial(() => []);
    memory(conn).failNextReceive(Errno.ENOENT);
    await assert.rejects(conn.receive(), (e) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.op, "receive");
      assert.ok(e.cause instanceof SyscallError);
      assert.equal((e.cause as SyscallError).syscall, "recvmsg");
      return true;
    });
  });
});
