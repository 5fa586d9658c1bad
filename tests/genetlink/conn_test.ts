import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeDecoder,
  AttributeEncoder,
  encodeMessage,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  isNotExist,
  type Message,
} from "../../src/netlink/mod.ts";
import {
  ControllerCommand,
  decodePolicy,
  encodeGenlMessage,
  type Family,
  GENL_ID_CTRL,
  GenlConn,
  type GenlMessage,
  type OperationPolicy,
  PolicyError,
  type PolicyTable,
  PolicyType,
} from "../../src/genetlink/mod.ts";
import {
  dial as nltestDial,
  error,
  genltest,
  KernelError,
  notify,
} from "../../src/nltest/mod.ts";
import { BIG_ENDIAN, toHex } from "./_hex.ts";
import { genlReplies } from "./_fixtures.ts";

const none = new Uint8Array(0);
const msg = (
  command: number,
  data: Uint8Array = none,
  version = 1,
): GenlMessage => ({
  header: { command, version },
  data,
});

const DEMO: Family = {
  id: 0x20,
  name: "demo",
  version: 3,
  headerSize: 0,
  maxAttribute: 4,
  operations: [{ id: 1, flags: 0x0a }, { id: 2, flags: 0x0c }, {
    id: 3,
    flags: 0x02,
  }],
  groups: [{ id: 9, name: "events" }, { id: 10, name: "other" }],
};
const HEADER: PolicyTable = new Map([
  [1, { type: PolicyType.U32, minValue: 0n, maxValue: 4294967295n }],
  [2, { type: PolicyType.NulString, maxLength: 15 }],
]);
const DO_POLICY: PolicyTable = new Map([
  [1, { type: PolicyType.Nested, nested: HEADER, maxType: 2 }],
  [3, { type: PolicyType.U8, minValue: 1n, maxValue: 8n }],
]);
const DUMP_POLICY: PolicyTable = new Map([[1, {
  type: PolicyType.Nested,
  nested: HEADER,
  maxType: 2,
}]]);
const DEMO_POLICY = new Map<number, OperationPolicy>([[1, { do: DO_POLICY }], [
  2,
  { dump: DUMP_POLICY },
]]);

/** A kernel that records what it is asked and answers via `fn`. */
function recording(fn: genltest.GenlKernel = () => []) {
  const seen: { request: GenlMessage; message: Message }[] = [];
  const kernel: genltest.GenlKernel = (request, message) => {
    seen.push({ request, message });
    return fn(request, message);
  };
  return { seen, kernel };
}

describe("GenlConn.from()", () => {
  it("wraps a netlink Conn and exposes it as conn", async () => {
    const nl = nltestDial(() => []);
    await using conn = GenlConn.from(nl);
    assert.equal(conn.conn, nl);
  });
});

describe("GenlConn.getFamily()", { skip: BIG_ENDIAN }, () => {
  it("sends CTRL_CMD_GETFAMILY with the name, flags Request only (vectors §3.3)", async () => {
    let sent: Uint8Array | undefined;
    const fam = genlReplies("getfamily_nlctrl")[0]!;
    await using conn = GenlConn.from(nltestDial((reqs) => {
      sent = encodeMessage(reqs[0]!);
      return [{
        header: {
          length: 0,
          type: GENL_ID_CTRL,
          flags: 0,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array([1, 2, 0, 0, ...fam.data]),
      }];
    }));
    const f = await conn.getFamily("nlctrl");
    assert.equal(f.name, "nlctrl");
    // nlmsghdr: len 32, type 0x10, flags Request; seq varies; pid 1 (nltest.PID)
    assert.equal(toHex(sent!.subarray(0, 8)), "2000000010000100");
    assert.equal(
      toHex(sent!.subarray(12)),
      "01000000" + "03010000" + "0b0002006e6c6374726c0000",
    );
  });

  it("returns the served family by name and by id", async () => {
    await using conn = genltest.dial(genltest.serveFamily(DEMO, () => []));
    assert.deepEqual(await conn.getFamily("demo"), DEMO);
    assert.deepEqual(await conn.getFamily(0x20), DEMO);
  });

  it("returns what mdlayher's ServeFamily test expects (vectors §3.5)", async () => {
    const foo: Family = {
      id: 1,
      name: "foo",
      version: 1,
      headerSize: 0,
      maxAttribute: 0,
      operations: [],
      groups: [{ id: 2, name: "bar" }, { id: 3, name: "baz" }],
    };
    await using conn = genltest.dial(genltest.serveFamily(foo, () => []));
    assert.deepEqual(await conn.getFamily("foo"), foo);
  });

  it("fails with ENOENT (isNotExist) for an unknown family, naming it", async () => {
    await using conn = genltest.dial(genltest.serveFamily(DEMO, () => []));
    await assert.rejects(conn.getFamily("nl80211"), (e: unknown) => {
      assert.ok(isNotExist(e));
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "ENOENT");
      assert.equal(e.op, "getFamily");
      assert.equal(e.message, 'Cannot get family "nl80211": ENOENT (errno 2)');
      assert.equal(typeof e.sequence, "number");
      return true;
    });
    await assert.rejects(
      conn.getFamily(0x99),
      (e: Error) => isNotExist(e) && /family 153/.test(e.message),
    );
  });

  it("carries the kernel's extended ACK text when it sends one", async () => {
    await using conn = genltest.dial(() => {
      throw new KernelError(2, { message: "Unknown family name" });
    });
    await assert.rejects(conn.getFamily("x"), (e: unknown) => {
      assert.ok(isNotExist(e) && isNetlinkError(e));
      assert.equal(e.extAck?.message, "Unknown family name");
      assert.match(e.message, /: Unknown family name$/);
      return true;
    });
  });

  it("fails with EPROTO when the kernel sends other than one reply", async () => {
    const reply = (m: GenlMessage, type: number = GENL_ID_CTRL): Message => ({
      header: {
        length: 0,
        type,
        flags: HeaderFlags.Multi,
        sequence: 0,
        pid: 0,
      },
      data: type === HeaderType.Done ? new Uint8Array(4) : encodeGenlMessage(m),
    });
    await using conn = genltest.dial(
      () => [reply(msg(1)), reply(msg(1)), reply(msg(0), HeaderType.Done)],
    );
    await assert.rejects(conn.getFamily("demo"), {
      name: "NetlinkError",
      code: "EPROTO",
      message: /sent 2 replies, want 1/,
    });
    await using empty = genltest.dial(() => [reply(msg(0), HeaderType.Done)]);
    await assert.rejects(empty.getFamily("demo"), {
      message: /sent 0 replies, want 1/,
    });
  });

  it("fails with RangeError for a malformed reply", async () => {
    await using conn = genltest.dial(
      () => [msg(1, new Uint8Array([8, 0, 1, 0, 1, 0, 0, 0]))],
    );
    await assert.rejects(conn.getFamily("demo"), RangeError);
  });

  it("honours an aborted signal", async () => {
    await using conn = genltest.dial(() => [msg(1)]);
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await assert.rejects(conn.getFamily("demo", { signal: ac.signal }), /stop/);
  });
});

describe("GenlConn.listFamilies()", { skip: BIG_ENDIAN }, () => {
  it("dumps CTRL_CMD_GETFAMILY with Request|Dump and no attributes (vectors §3.3)", async () => {
    const { seen, kernel } = recording();
    await using conn = genltest.dial(genltest.serveFamily([DEMO], kernel));
    const list = await conn.listFamilies();
    assert.deepEqual(list.map((f) => f.name), ["nlctrl", "demo"]);
    assert.deepEqual(list[1], DEMO);
    assert.equal(list[0]!.groups[0]!.name, "notify");
    assert.equal(seen.length, 0); // answered by serveFamily
  });

  it("sends flags 0x301 and payload 03010000", async () => {
    let sent: Message | undefined;
    await using conn = GenlConn.from(nltestDial((reqs) => {
      sent = reqs[0];
      return [{
        header: {
          length: 0,
          type: HeaderType.Done,
          flags: HeaderFlags.Multi,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array(4),
      }];
    }));
    assert.deepEqual(await conn.listFamilies(), []);
    assert.equal(sent!.header.flags, 0x301);
    assert.equal(sent!.header.type, 0x10);
    assert.equal(toHex(sent!.data), "03010000");
  });
});

describe("GenlConn.getPolicy()", { skip: BIG_ENDIAN }, () => {
  const served = { ...DEMO, policy: DEMO_POLICY };

  it("decodes a served policy for every command and for one", async () => {
    await using conn = genltest.dial(genltest.serveFamily(served, () => []));
    const all = await conn.getPolicy("demo");
    assert.equal(all.familyId, 0x20);
    assert.deepEqual(all.operations, DEMO_POLICY);
    const one = await conn.getPolicy(0x20, 1);
    assert.deepEqual(one.operations, new Map([[1, { do: DO_POLICY }]]));
  });

  it("agrees with the real kernel's nlctrl policy", async () => {
    await using conn = genltest.dial(genltest.serveFamily([], () => []));
    const real = decodePolicy(genlReplies("getpolicy_nlctrl"), {
      operations: [{ id: 3, flags: 0xe }, { id: 10, flags: 0xc }],
    });
    const got = await conn.getPolicy("nlctrl");
    assert.deepEqual(got, real);
  });

  it("caches per family and command", async () => {
    let dumps = 0;
    const kernel = genltest.serveFamily(served, () => []);
    await using conn = genltest.dial((g, m) => {
      if (
        m.header.type === GENL_ID_CTRL &&
        g.header.command === ControllerCommand.GetPolicy
      ) dumps++;
      return kernel(g, m);
    });
    const a = await conn.getPolicy("demo", 1);
    const b = await conn.getPolicy("demo", 1);
    assert.equal(a, b);
    assert.equal(dumps, 1);
    await conn.getPolicy("demo", 2);
    assert.equal(dumps, 2);
  });

  it("does not cache a failure", async () => {
    let fail = true;
    const kernel = genltest.serveFamily(served, () => []);
    await using conn = genltest.dial((g, m) => {
      if (fail) {
        fail = false;
        throw new KernelError(16);
      }
      return kernel(g, m);
    });
    await assert.rejects(conn.getPolicy("demo"), {
      code: "EBUSY",
      op: "getPolicy",
    });
    assert.deepEqual((await conn.getPolicy("demo")).operations, DEMO_POLICY);
  });

  it("fails with ENODATA for a family without policy, ENOENT for an unknown command or family", async () => {
    await using conn = genltest.dial(
      genltest.serveFamily(
        [DEMO, { ...served, id: 0x21, name: "pol" }],
        () => [],
      ),
    );
    await assert.rejects(conn.getPolicy("demo"), {
      code: "ENODATA",
      message: /policy of family "demo"/,
    });
    await assert.rejects(conn.getPolicy("pol", 3), { code: "ENODATA" });
    await assert.rejects(conn.getPolicy("pol", 42), (e: unknown) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "ENOENT");
      // The CTRL_ATTR_OP attribute, from the netlink header, as Linux reports it:
      // 16 (nlmsghdr) + 4 (genlmsghdr) + 8 (FAMILY_NAME "pol").
      assert.equal(e.extAck?.offset, 28);
      return true;
    });
    await assert.rejects(conn.getPolicy("none"), (e) => isNotExist(e));
  });

  it("puts back the command numbers the kernel reports as 0", async () => {
    // The real nlctrl dump, replayed: GETPOLICY (10) is dump-only and reported as op 0.
    const replies = genlReplies("getpolicy_nlctrl");
    const family = genlReplies("getfamily_nlctrl")[0]!;
    await using conn = genltest.dial((
      g,
    ) => (g.header.command === ControllerCommand.GetPolicy
      ? replies
      : [family])
    );
    const policy = await conn.getPolicy("nlctrl");
    assert.deepEqual([...policy.operations.keys()], [3, 10]);
  });
});

describe("GenlConn.send() and receive()", { skip: BIG_ENDIAN }, () => {
  it("frames the message as vectors §3.2", async () => {
    const { seen, kernel } = recording(
      () => [msg(1, new Uint8Array([1, 2, 3, 4]))],
    );
    await using conn = genltest.dial(kernel);
    const sent = await conn.send(
      msg(1, new Uint8Array([0, 1, 2, 3])),
      0x10,
      HeaderFlags.Request,
    );
    assert.deepEqual({ ...sent.header, sequence: 0 }, {
      length: 24,
      type: 0x10,
      flags: 1,
      sequence: 0,
      pid: 1,
    });
    const wire = encodeMessage({
      header: { ...sent.header, sequence: 0 },
      data: sent.data,
    });
    assert.equal(
      toHex(wire),
      "18000000100001000000000001000000" + "01010000" + "00010203",
    );
    assert.equal(seen[0]!.message.header.sequence, sent.header.sequence);
    const { messages, netlink } = await conn.receive();
    assert.deepEqual(messages, [msg(1, new Uint8Array([1, 2, 3, 4]))]);
    assert.equal(netlink.length, 1);
    assert.equal(netlink[0]!.header.sequence, sent.header.sequence);
    assert.equal(netlink[0]!.header.type, 0x10);
  });

  it("leaves ACKs out of received genl messages", async () => {
    await using conn = genltest.dial(() => []);
    await conn.send(
      msg(1),
      0x20,
      HeaderFlags.Request | HeaderFlags.Acknowledge,
    );
    const { messages, netlink } = await conn.receive();
    assert.deepEqual(messages, []);
    assert.deepEqual(netlink, []);
  });

  it("rejects a family id that is not a u16 with TypeError", async () => {
    await using conn = genltest.dial(() => []);
    await assert.rejects(
      conn.send(msg(1), 0x10000, HeaderFlags.Request),
      TypeError,
    );
    await assert.rejects(
      conn.execute(msg(1), -1, HeaderFlags.Request),
      TypeError,
    );
  });

  it("rejects a command that is not a u8 with RangeError", async () => {
    await using conn = genltest.dial(() => []);
    await assert.rejects(
      conn.send(msg(256), 0x20, HeaderFlags.Request),
      RangeError,
    );
  });
});

describe("GenlConn.execute()", { skip: BIG_ENDIAN }, () => {
  it("sends and decodes replies (vectors §3.2)", async () => {
    const { seen, kernel } = recording(
      () => [msg(1, new Uint8Array([1, 2, 3, 4]))],
    );
    await using conn = genltest.dial(kernel);
    const replies = await conn.execute(msg(1), 0x10, HeaderFlags.Request);
    assert.deepEqual(replies, [msg(1, new Uint8Array([1, 2, 3, 4]))]);
    const h = seen[0]!.message.header;
    assert.deepEqual({ ...h, sequence: 0 }, {
      length: 20,
      type: 0x10,
      flags: 1,
      sequence: 0,
      pid: 1,
    });
    assert.deepEqual(seen[0]!.request, msg(1));
  });

  it("never returns the ACK as a genl message", async () => {
    await using conn = genltest.dial(() => [msg(2)]);
    assert.deepEqual(
      await conn.execute(
        msg(1),
        0x20,
        HeaderFlags.Request | HeaderFlags.Acknowledge,
      ),
      [msg(2)],
    );
    assert.deepEqual(
      await conn.execute(
        msg(1),
        0x20,
        HeaderFlags.Request | HeaderFlags.Acknowledge,
      ),
      [msg(2)],
    );
  });

  it("turns a kernel error into NetlinkError with its extended ACK", async () => {
    await using conn = genltest.dial(() => {
      throw new KernelError(22, { message: "bad attribute", offset: 20 });
    });
    await assert.rejects(
      conn.execute(
        msg(1, new AttributeEncoder().uint32(7, 1).encode()),
        0x20,
        HeaderFlags.Request | HeaderFlags.Acknowledge,
      ),
      (e: unknown) => {
        assert.ok(isNetlinkError(e));
        assert.equal(e.code, "EINVAL");
        assert.equal(e.extAck?.message, "bad attribute");
        assert.equal(e.extAck?.offset, 20);
        return true;
      },
    );
  });

  it("passes raw netlink replies from the kernel function through (nltest.error)", async () => {
    await using conn = genltest.dial((_, m) => error(1, m));
    await assert.rejects(conn.execute(msg(1), 0x20, HeaderFlags.Request), {
      code: "EPERM",
    });
  });

  it("surfaces any other kernel exception as is", async () => {
    await using conn = genltest.dial(() => {
      throw new Error("kernel bug");
    });
    await assert.rejects(
      conn.execute(msg(1), 0x20, HeaderFlags.Request),
      /kernel bug/,
    );
  });

  it("routes concurrent requests by sequence", async () => {
    // The first request is answered only after the second one arrived.
    let release!: () => void;
    const second = new Promise<void>((r) => release = r);
    await using conn = genltest.dial(async (g) => {
      if (g.header.command === 1) await second;
      else release();
      return [msg(g.header.command + 100)];
    });
    const [a, b] = await Promise.all([
      conn.execute(msg(1), 0x20, HeaderFlags.Request),
      conn.execute(msg(2), 0x20, HeaderFlags.Request),
    ]);
    assert.equal(a[0]!.header.command, 101);
    assert.equal(b[0]!.header.command, 102);
  });
});

describe("GenlConn.dump()", { skip: BIG_ENDIAN }, () => {
  const entries = Array.from(
    { length: 7 },
    (_, i) => msg(1, new Uint8Array([i, 0, 0, 0])),
  );

  it("streams a multipart reply spread over several datagrams", async () => {
    const { seen, kernel } = recording(() => entries);
    await using conn = genltest.dial(kernel);
    const got: number[] = [];
    for await (const m of conn.dump(msg(1), 0x20)) got.push(m.data[0]!);
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(
      seen[0]!.message.header.flags,
      HeaderFlags.Request | HeaderFlags.Dump,
    );
  });

  it("always sets Request|Dump and keeps extra flags", async () => {
    const { seen, kernel } = recording(() => []);
    await using conn = genltest.dial(kernel);
    assert.deepEqual(
      await Array.fromAsync(conn.dump(msg(1), 0x20, HeaderFlags.Acknowledge)),
      [],
    );
    assert.equal(seen[0]!.message.header.flags, 0x305);
  });

  it("sends nothing until iterated, and stays usable after an early break", async () => {
    const { seen, kernel } = recording(() => entries);
    await using conn = genltest.dial(kernel);
    const it = conn.dump(msg(1), 0x20);
    assert.equal(seen.length, 0);
    for await (const _ of it) break;
    assert.equal(seen.length, 1);
    assert.equal((await Array.fromAsync(conn.dump(msg(2), 0x20))).length, 7);
  });

  it("throws the kernel's error from next()", async () => {
    await using conn = genltest.dial(() => {
      throw new KernelError(95);
    });
    await assert.rejects(Array.fromAsync(conn.dump(msg(1), 0x20)), {
      code: "EOPNOTSUPP",
    });
  });
});

describe("GenlConn.visit()", { skip: BIG_ENDIAN }, () => {
  const entries = Array.from(
    { length: 9 },
    (_, i) => msg(7, new AttributeEncoder().uint32(1, i).encode(), 2),
  );

  it("visits every reply of a multipart dump over one reused view", async () => {
    const { seen, kernel } = recording(() => entries);
    await using conn = genltest.dial(kernel);
    const views = new Set<object>();
    const got: number[] = [];
    const n = await conn.visit(msg(7), 0x20, (v) => {
      views.add(v);
      assert.deepEqual(v.header, { command: 7, version: 2 });
      assert.equal(v.netlinkHeader.type, 0x20);
      const d = new AttributeDecoder(v.bytes, v.offset, v.length);
      while (d.next()) got.push(d.uint32());
    });
    assert.equal(n, 9);
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(views.size, 1);
    assert.equal(
      seen[0]!.message.header.flags,
      HeaderFlags.Request | HeaderFlags.Dump,
    );
  });

  it("works for a do request too, and never visits the ACK", async () => {
    await using conn = genltest.dial(() => [msg(3)]);
    let count = 0;
    const n = await conn.visit(
      msg(1),
      0x20,
      () => count++,
      HeaderFlags.Acknowledge,
    );
    assert.equal(n, 1);
    assert.equal(count, 1);
  });

  it("rejects a reply with non-zero reserved bytes with RangeError", async () => {
    await using conn = genltest.dial((_, m) => [{
      header: {
        length: 0,
        type: 0x20,
        flags: 0,
        sequence: m.header.sequence,
        pid: m.header.pid,
      },
      data: new Uint8Array([1, 1, 0, 9]),
    }]);
    await assert.rejects(
      conn.visit(msg(1), 0x20, () => {}, HeaderFlags.Request),
      {
        name: "RangeError",
        message: /reserved header byte/,
      },
    );
  });

  it("stops at a visitor's throw and stays usable", async () => {
    await using conn = genltest.dial(() => entries);
    await assert.rejects(
      conn.visit(msg(7), 0x20, () => {
        throw new Error("enough");
      }),
      /enough/,
    );
    assert.equal(await conn.visit(msg(7), 0x20, () => {}), 9);
  });

  it("rejects a visitor that is not a function with TypeError", async () => {
    await using conn = genltest.dial(() => []);
    // @ts-expect-error: testing a wrong argument
    await assert.rejects(conn.visit(msg(1), 0x20, null), TypeError);
  });
});

describe("GenlConn.notifications(), joinGroup() and leaveGroup()", {
  skip: BIG_ENDIAN,
}, () => {
  it("yields genl notifications of joined groups with their family id", async () => {
    await using conn = genltest.dial(() => []);
    assert.equal(genltest.notify(conn, 9, 0x20, [msg(5)]), false);
    conn.joinGroup(9);
    assert.equal(
      genltest.notify(conn, 9, 0x20, [
        msg(5),
        msg(6, new Uint8Array([1, 0, 0, 0])),
      ]),
      true,
    );
    const got = [];
    for await (const n of conn.notifications()) {
      got.push(n);
      if (got.length === 2) break;
    }
    assert.deepEqual(got, [
      { familyId: 0x20, header: { command: 5, version: 1 }, data: none },
      {
        familyId: 0x20,
        header: { command: 6, version: 1 },
        data: new Uint8Array([1, 0, 0, 0]),
      },
    ]);
    conn.leaveGroup(9);
    assert.equal(genltest.notify(conn, 9, 0x20, [msg(5)]), false);
  });

  it("keeps notifications sent between the call and the first next()", async () => {
    await using conn = genltest.dial(() => []);
    conn.joinGroup(9);
    const it = conn.notifications();
    genltest.notify(conn, 9, 0x20, [msg(5)]);
    const r = await it.next();
    assert.equal(r.done, false);
    assert.equal(r.value!.header.command, 5);
    await it.return!();
  });

  it("fails on a malformed notification with RangeError and unsubscribes", async () => {
    await using conn = genltest.dial(() => []);
    conn.joinGroup(9);
    const it = conn.notifications();
    notify(conn.conn, 9, [{
      header: { length: 0, type: 0x20, flags: 0, sequence: 0, pid: 0 },
      data: new Uint8Array([1, 1, 1, 1]),
    }]);
    await assert.rejects(it.next(), RangeError);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  it("ends the wait when the signal aborts", async () => {
    await using conn = genltest.dial(() => []);
    const ac = new AbortController();
    const it = conn.notifications({ signal: ac.signal });
    const p = it.next();
    ac.abort(new Error("enough"));
    await assert.rejects(p, /enough/);
  });
});

describe("GenlConn.close() and dispose", () => {
  it("is idempotent and fails later calls", async () => {
    const conn = genltest.dial(() => [msg(1)]);
    await conn.close();
    await conn.close();
    await assert.rejects(
      conn.execute(msg(1), 0x20, HeaderFlags.Request),
      (e) => isNetlinkError(e),
    );
  });

  it("closes on using and await using", async () => {
    let a: GenlConn;
    {
      using c = genltest.dial(() => []);
      a = c;
    }
    await assert.rejects(a.execute(msg(1), 0x20, HeaderFlags.Request));
    let b: GenlConn;
    {
      await using c = genltest.dial(() => []);
      b = c;
    }
    await assert.rejects(b.execute(msg(1), 0x20, HeaderFlags.Request));
  });
});

describe("GenlConn validate option", { skip: BIG_ENDIAN }, () => {
  const served = { ...DEMO, policy: DEMO_POLICY };
  const header = (name: string) =>
    new AttributeEncoder().nested(1, (h) => h.uint32(1, 1).string(2, name));

  function setup(validate: boolean | { strict?: boolean } = true) {
    const calls: number[] = [];
    let policyDumps = 0;
    const inner = genltest.serveFamily(served, (g) => {
      calls.push(g.header.command);
      return [msg(g.header.command)];
    });
    const conn = genltest.dial((g, m) => {
      if (
        m.header.type === GENL_ID_CTRL &&
        g.header.command === ControllerCommand.GetPolicy
      ) policyDumps++;
      return inner(g, m);
    }, { validate });
    return { conn, calls, dumps: () => policyDumps };
  }

  it("refuses a request that breaks the kernel's policy before sending it", async () => {
    const { conn, calls } = setup();
    await using _ = conn;
    await assert.rejects(
      conn.execute(
        msg(1, header("x".repeat(16)).encode()),
        0x20,
        HeaderFlags.Request,
      ),
      (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.ok(e instanceof PolicyError);
        assert.deepEqual(e.attributePath, [1, 2]);
        assert.equal(
          e.message,
          "Cannot execute demo command 1: attribute 1 > 2 (NUL_STRING) breaks the policy: length 17 is more than max len 15 plus the NUL",
        );
        return true;
      },
    );
    await assert.rejects(
      conn.execute(
        msg(1, new AttributeEncoder().uint8(3, 9).encode()),
        0x20,
        HeaderFlags.Request,
      ),
      {
        name: "PolicyError",
        message:
          /attribute 3 \(U8\) breaks the policy: value 9 is out of range \[1,8\]/,
      },
    );
    await assert.rejects(
      conn.send(
        msg(1, new AttributeEncoder().uint8(4, 1).encode()),
        0x20,
        HeaderFlags.Request,
      ),
      {
        name: "PolicyError",
        message: /^Cannot send demo command 1: attribute 4 \(unknown\)/,
      },
    );
    assert.deepEqual(calls, []);
  });

  it("sends a request that follows the policy, fetching it once per command", async () => {
    const { conn, calls, dumps } = setup();
    await using _ = conn;
    const ok = msg(1, header("eth0").uint8(3, 8).encode());
    assert.deepEqual(await conn.execute(ok, 0x20, HeaderFlags.Request), [
      msg(1),
    ]);
    assert.deepEqual(await conn.execute(ok, 0x20, HeaderFlags.Request), [
      msg(1),
    ]);
    assert.equal(dumps(), 1);
    assert.deepEqual(calls, [1, 1]);
  });

  it("checks a dump against the dump policy", async () => {
    const { conn, calls } = setup();
    await using _ = conn;
    await assert.rejects(
      Array.fromAsync(
        conn.dump(msg(2, new AttributeEncoder().uint8(3, 1).encode()), 0x20),
      ),
      {
        message:
          /^Cannot dump demo command 2 \(dump\): attribute 3 \(unknown\)/,
      },
    );
    assert.equal(
      (await Array.fromAsync(conn.dump(msg(2, header("lo").encode()), 0x20)))
        .length,
      1,
    );
    assert.deepEqual(calls, [2]);
  });

  it("does not check commands or families without a policy", async () => {
    const { conn, calls } = setup();
    await using _ = conn;
    const anything = new AttributeEncoder().uint8(99, 1).encode();
    await conn.execute(msg(3, anything), 0x20, HeaderFlags.Request);
    // Family 0x99 is unknown to the controller: left for the kernel to answer.
    await conn.execute(msg(3, anything), 0x99, HeaderFlags.Request);
    assert.deepEqual(calls, [3, 3]);
  });

  it("allows unknown attributes when not strict", async () => {
    const { conn, calls } = setup({ strict: false });
    await using _ = conn;
    await conn.execute(
      msg(1, new AttributeEncoder().uint8(4, 1).encode()),
      0x20,
      HeaderFlags.Request,
    );
    await assert.rejects(
      conn.execute(
        msg(1, new AttributeEncoder().uint8(3, 0).encode()),
        0x20,
        HeaderFlags.Request,
      ),
      PolicyError,
    );
    assert.deepEqual(calls, [1]);
  });

  it("skips the family's own header before the attributes", async () => {
    const withHeader = { ...served, id: 0x40, name: "hdr", headerSize: 4 };
    const calls: number[] = [];
    await using conn = genltest.dial(
      genltest.serveFamily(withHeader, (g) => {
        calls.push(g.header.command);
        return [];
      }),
      { validate: true },
    );
    const familyHeader = new Uint8Array([9, 9, 9, 9]);
    const attrs = (v: number) =>
      new Uint8Array([
        ...familyHeader,
        ...new AttributeEncoder().uint8(3, v).encode(),
      ]);
    await conn.execute(
      msg(1, attrs(2)),
      0x40,
      HeaderFlags.Request | HeaderFlags.Acknowledge,
    );
    await assert.rejects(
      conn.execute(msg(1, attrs(9)), 0x40, HeaderFlags.Request),
      { name: "PolicyError" },
    );
    assert.deepEqual(calls, [1]);
  });

  it("is off by default: the kernel sees the bad request", async () => {
    const { conn, calls } = setup(false);
    await using _ = conn;
    await conn.execute(
      msg(1, new AttributeEncoder().uint8(3, 9).encode()),
      0x20,
      HeaderFlags.Request,
    );
    assert.deepEqual(calls, [1]);
  });
});
