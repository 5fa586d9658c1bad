import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  Family as Protocol,
  HeaderFlags,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";
import {
  type AttributePolicy,
  ControllerAttribute,
  ControllerCommand,
  decodeAttributePolicy,
  decodeFamily,
  encodeFamily,
  encodePolicy,
  type Family,
  GENL_ID_CTRL,
  GenlConn,
  type GenlMessage,
  type OperationPolicy,
  type PolicyTable,
  PolicyType,
} from "../../src/genetlink/mod.ts";
import { genltest, KernelError, SimKernel } from "../../src/nltest/mod.ts";
import { BIG_ENDIAN, toHex } from "./_hex.ts";

const none = new Uint8Array(0);
const msg = (command: number, data: Uint8Array = none): GenlMessage => ({
  header: { command, version: 1 },
  data,
});
const FOO: Family = {
  id: 1,
  name: "foo",
  version: 1,
  headerSize: 0,
  maxAttribute: 0,
  operations: [],
  groups: [{ id: 2, name: "bar" }, { id: 3, name: "baz" }],
};
const ctrl = (
  command: number,
  attrs: AttributeEncoder,
  flags: number = HeaderFlags.Request,
) => [msg(command, attrs.encode()), GENL_ID_CTRL, flags] as const;

describe("genltest.checkRequest()", () => {
  // vectors.md §3.5 (Go TestCheckRequest); 0 skips a check. The Go test uses
  // family ids 1 and 2; ids below 0x10 are netlink control types, so ours
  // are 0x21 and 0x22.
  const cases = [
    {
      name: "bad family",
      want: [0x21, 0, 0],
      got: [0x22, 1, HeaderFlags.Request],
      err: /family id 34, want 33/,
    },
    {
      name: "bad flags",
      want: [0, 0, HeaderFlags.Request],
      got: [0x21, 1, 0x100],
      err: /flags .*, want request/,
    },
    {
      name: "bad command",
      want: [0, 1, 0],
      got: [0x21, 2, HeaderFlags.Request],
      err: /command 2, want 1/,
    },
    {
      name: "all match",
      want: [0x21, 1, HeaderFlags.Request],
      got: [0x21, 1, HeaderFlags.Request],
      err: null,
    },
    {
      name: "all skipped",
      want: [0, 0, 0],
      got: [0x27, 9, HeaderFlags.Request],
      err: null,
    },
  ] as const;
  for (const c of cases) {
    it(
      c.err ? `fails the call on ${c.name}` : `passes when ${c.name}`,
      async () => {
        await using conn = genltest.dial(
          genltest.checkRequest(
            c.want[0],
            c.want[1],
            c.want[2],
            () => [msg(1)],
          ),
        );
        const p = conn.execute(msg(c.got[1]), c.got[0], c.got[2]);
        if (c.err) await assert.rejects(p, c.err);
        else assert.deepEqual(await p, [msg(1)]);
      },
    );
  }
});

describe("genltest.dial()", { skip: BIG_ENDIAN }, () => {
  it("stamps replies with the request's family id, sequence and port id", async () => {
    await using conn = genltest.dial(() => [msg(4)]);
    const sent = await conn.send(msg(1), 0x33, HeaderFlags.Request);
    const { netlink } = await conn.receive();
    assert.deepEqual(netlink[0]!.header, {
      length: 20,
      type: 0x33,
      flags: 0,
      sequence: sent.header.sequence,
      pid: 1,
    });
  });

  it("answers a malformed generic netlink header with EINVAL", async () => {
    await using conn = genltest.dial(() => [msg(1)]);
    await assert.rejects(
      conn.conn.execute({
        header: {
          length: 0,
          type: 0x20,
          flags: HeaderFlags.Request,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array([1, 1, 1, 0]),
      }),
      { code: "EINVAL" },
    );
  });

  it("turns a thrown errno (sync or async) into NLMSG_ERROR", async () => {
    await using a = genltest.dial(() => {
      throw new KernelError(1);
    });
    await assert.rejects(a.execute(msg(1), 0x20, HeaderFlags.Request), {
      code: "EPERM",
    });
    await using b = genltest.dial(() =>
      Promise.reject(new KernelError(13, { message: "no" }))
    );
    await assert.rejects(
      b.execute(msg(1), 0x20, HeaderFlags.Request),
      (e) =>
        isNetlinkError(e) && e.code === "EACCES" && e.extAck?.message === "no",
    );
  });

  it("applies connection options to the simulated socket", async () => {
    await using conn = genltest.dial(() => {
      throw new KernelError(22, { message: "hidden" });
    }, { extendedAck: false });
    await assert.rejects(
      conn.execute(msg(1), 0x20, HeaderFlags.Request),
      (e) => isNetlinkError(e) && e.extAck?.message === undefined,
    );
  });
});

describe("genltest.serveFamily()", { skip: BIG_ENDIAN }, () => {
  it("prefers the name over the id, as the kernel does", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    const [reply] = await conn.execute(
      ...ctrl(
        ControllerCommand.GetFamily,
        new AttributeEncoder().uint16(ControllerAttribute.FamilyId, 0x10)
          .string(ControllerAttribute.FamilyName, "foo"),
      ),
    );
    assert.deepEqual(reply!.header, {
      command: ControllerCommand.NewFamily,
      version: 2,
    });
    assert.equal((await conn.getFamily(1)).name, "foo");
    assert.equal((await conn.getFamily(GENL_ID_CTRL)).name, "nlctrl");
  });

  it("answers EINVAL without a name or id", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    await assert.rejects(
      conn.execute(
        ...ctrl(ControllerCommand.GetFamily, new AttributeEncoder()),
      ),
      { code: "EINVAL" },
    );
  });

  it("answers a too long name like the kernel: EINVAL, text, offset and the policy broken", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    await assert.rejects(conn.getFamily("a".repeat(20)), (e: unknown) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "EINVAL");
      // Measured on Linux 6.18: "Attribute failed policy validation", offset 20,
      // policy {NL_POLICY_TYPE_ATTR_MAX_LENGTH 15, NL_POLICY_TYPE_ATTR_TYPE 12}.
      assert.equal(e.extAck?.message, "Attribute failed policy validation");
      assert.equal(e.extAck?.offset, 20);
      assert.deepEqual(decodeAttributePolicy(e.extAck!.policy!), {
        type: PolicyType.NulString,
        maxLength: 15,
      });
      return true;
    });
  });

  it("answers a family list dump with attributes with every family, as the kernel does", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    const replies = await Array.fromAsync(
      conn.dump(
        msg(
          ControllerCommand.GetFamily,
          new AttributeEncoder().string(2, "nope").encode(),
        ),
        GENL_ID_CTRL,
      ),
    );
    assert.equal(replies.length, 2); // nlctrl and foo: the name is ignored
  });

  it("serves several families and passes other requests on", async () => {
    const seen: number[] = [];
    const bar = { ...FOO, id: 0x30, name: "bar" };
    await using conn = genltest.dial(
      genltest.serveFamily([FOO, bar], (g, m) => {
        seen.push(m.header.type, g.header.command);
        return [msg(9)];
      }),
    );
    assert.deepEqual((await conn.listFamilies()).map((f) => f.name), [
      "nlctrl",
      "foo",
      "bar",
    ]);
    assert.deepEqual(await conn.execute(msg(5), 0x30, HeaderFlags.Request), [
      msg(9),
    ]);
    // Controller commands it does not serve also go to the kernel.
    assert.deepEqual(
      await conn.execute(
        msg(ControllerCommand.GetOps),
        GENL_ID_CTRL,
        HeaderFlags.Request,
      ),
      [msg(9)],
    );
    assert.deepEqual(seen, [0x30, 5, GENL_ID_CTRL, ControllerCommand.GetOps]);
  });

  it("answers a non-dump GETPOLICY with EOPNOTSUPP, as the kernel does", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    await assert.rejects(
      conn.execute(
        ...ctrl(
          ControllerCommand.GetPolicy,
          new AttributeEncoder().string(2, "nlctrl"),
          HeaderFlags.Request | HeaderFlags.Acknowledge,
        ),
      ),
      { code: "EOPNOTSUPP" },
    );
  });

  it("answers GETPOLICY without a family with EINVAL, as the kernel does", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    await assert.rejects(
      Array.fromAsync(
        conn.dump(msg(ControllerCommand.GetPolicy), GENL_ID_CTRL),
      ),
      { code: "EINVAL" },
    );
  });
});

describe("genltest.checkPolicy()", { skip: BIG_ENDIAN }, () => {
  const table = new Map([[1, {
    type: PolicyType.U8,
    minValue: 1n,
    maxValue: 3n,
  }]]);
  it("answers like the kernel: errno, text, offset and policy", async () => {
    const calls: Message[] = [];
    await using conn = genltest.dial(genltest.checkPolicy(table, (_, m) => {
      calls.push(m);
      return [];
    }));
    await assert.rejects(
      conn.execute(
        msg(1, new AttributeEncoder().uint8(1, 2).uint8(1, 9).encode()),
        0x20,
        HeaderFlags.Request | HeaderFlags.Acknowledge,
      ),
      (e: unknown) => {
        assert.ok(isNetlinkError(e));
        assert.equal(e.code, "ERANGE");
        assert.equal(e.extAck?.message, "integer out of range");
        assert.equal(e.extAck?.offset, 28); // second attribute: 16 + 4 + 8
        assert.deepEqual(e.extAck?.attributePath, [1]);
        assert.deepEqual(
          decodeAttributePolicy(e.extAck!.policy!),
          table.get(1),
        );
        return true;
      },
    );
    await conn.execute(
      msg(1, new AttributeEncoder().uint8(1, 2).encode()),
      0x20,
      HeaderFlags.Request | HeaderFlags.Acknowledge,
    );
    assert.equal(calls.length, 1);
  });
});

describe("the simulated nlctrl (generated codec)", { skip: BIG_ENDIAN }, () => {
  // A policy with every kind of limit the kernel dumps: signed and unsigned
  // ranges, a mask, lengths, a bitfield32 mask, a nested table, a
  // recursive nest, and a command with only a dump handler.
  const inner: PolicyTable = new Map<number, AttributePolicy>([
    [1, { type: PolicyType.S32, minValue: -5n, maxValue: 7n }],
    [2, { type: PolicyType.U64, mask: 0xf0n }],
    [3, { type: PolicyType.Binary, minLength: 2, maxLength: 16 }],
  ]);
  const top: PolicyTable = new Map<number, AttributePolicy>([
    [1, { type: PolicyType.NulString, maxLength: 15 }],
    [2, { type: PolicyType.Nested, nested: inner, maxType: 3 }],
    [4, { type: PolicyType.Bitfield32, bitfield32Mask: 0x7 }],
    [6, { type: PolicyType.U16, minValue: 1n, maxValue: 4094n }],
  ]);
  top.set(5, { type: PolicyType.NestedArray, nested: top, maxType: 6 });
  const dumpOnly: PolicyTable = new Map([[1, { type: PolicyType.Flag }]]);
  const operations = new Map<number, OperationPolicy>([
    [1, { do: top, dump: top }],
    [2, { dump: dumpOnly }],
    [3, { do: inner }],
  ]);
  const RICH = {
    id: 0x25,
    name: "rich",
    version: 3,
    headerSize: 4,
    maxAttribute: 6,
    operations: [
      { id: 1, flags: 0xe },
      { id: 2, flags: 0xc },
      { id: 3, flags: 0xa | 0x1 },
    ],
    groups: [{ id: 7, name: "events" }, { id: 9, name: "more" }],
    policy: operations,
  };
  const dumpPolicy = async (conn: GenlConn, attrs: AttributeEncoder) =>
    (await Array.fromAsync(
      conn.dump(msg(ControllerCommand.GetPolicy, attrs.encode()), GENL_ID_CTRL),
    )).map((m) => toHex(m.data));

  it("dumps policies with the same bytes as genetlink's encodePolicy", async () => {
    await using conn = genltest.dial(genltest.serveFamily(RICH, () => []));
    const want = encodePolicy(0x25, operations, undefined, {
      linuxCommandNumbers: true,
    }).map((m) => toHex(m.data));
    assert.equal(want.length, 3 + 5 + 3 + 1); // 3 commands; tables top, inner, dumpOnly
    const name = new AttributeEncoder().string(2, "rich");
    assert.deepEqual(await dumpPolicy(conn, name), want);
    // One command, asked for with CTRL_ATTR_OP.
    assert.deepEqual(
      await dumpPolicy(
        conn,
        new AttributeEncoder().uint16(1, 0x25).uint32(10, 3),
      ),
      encodePolicy(0x25, operations, 3).map((m) => toHex(m.data)),
    );
    // And it decodes back to the same tables, the dump-only command by the operations.
    const policy = await conn.getPolicy("rich");
    assert.deepEqual(policy.operations.get(1)?.do, top);
    assert.deepEqual(policy.operations.get(2)?.dump, dumpOnly);
  });

  it("describes families with the same bytes as genetlink's encodeFamily", async () => {
    await using conn = genltest.dial(genltest.serveFamily(RICH, () => []));
    const [reply] = await conn.execute(
      ...ctrl(
        ControllerCommand.GetFamily,
        new AttributeEncoder().string(2, "rich"),
      ),
    );
    const { policy: _, ...family } = RICH;
    assert.equal(toHex(reply!.data), toHex(encodeFamily(family)));
    assert.deepEqual(decodeFamily(reply!.data), family);
  });

  it("announces registered and removed families (SimKernel) as the family reply", async () => {
    const kernel = new SimKernel();
    await using events = GenlConn.from(kernel.dial(Protocol.Generic));
    await events.joinGroup(GENL_ID_CTRL);
    const it = events.notifications()[Symbol.asyncIterator]();
    const family = kernel.registerFamily({ name: "demo", groups: ["g"] });
    kernel.unregisterFamily("demo");
    for (
      const command of [
        ControllerCommand.NewFamily,
        ControllerCommand.DelFamily,
      ]
    ) {
      const { value } = await it.next();
      const m = value as GenlMessage;
      assert.deepEqual(m.header, { command, version: 2 });
      assert.equal(toHex(m.data), toHex(encodeFamily(family)));
    }
  });

  it("reads the last of repeated attributes and ignores flag bits, as nla_parse() does", async () => {
    await using conn = genltest.dial(genltest.serveFamily(FOO, () => []));
    const [reply] = await conn.execute(
      ...ctrl(
        ControllerCommand.GetFamily,
        new AttributeEncoder().string(2, "nope").string(2 | 0x4000, "foo"),
      ),
    );
    assert.equal(decodeFamily(reply!.data).name, "foo");
    // GETFAMILY is liberal: a 4-byte id is read from its first two bytes.
    const [byId] = await conn.execute(
      ...ctrl(ControllerCommand.GetFamily, new AttributeEncoder().uint32(1, 1)),
    );
    assert.equal(decodeFamily(byId!.data).name, "foo");
  });

  it("validates GETPOLICY strictly: unknown types, lengths, trailing bytes", async () => {
    await using conn = genltest.dial(genltest.serveFamily(RICH, () => []));
    const refuse = (attrs: AttributeEncoder, extAck: object) =>
      assert.rejects(dumpPolicy(conn, attrs), (e: unknown) => {
        assert.ok(isNetlinkError(e));
        assert.equal(e.code, "EINVAL");
        const { message, offset } = e.extAck ?? {};
        assert.deepEqual({ message, offset }, extAck);
        return true;
      });
    await refuse(new AttributeEncoder().string(2, "rich").uint32(50, 1), {
      message: "Unknown attribute type",
      offset: 32,
    });
    await refuse(new AttributeEncoder().uint32(1, 0x25), {
      message: "invalid attribute length",
      offset: 20,
    });
    await refuse(
      new AttributeEncoder().string(2, "rich").raw(new Uint8Array([1, 2, 3])),
      { message: "bytes leftover after parsing attributes", offset: undefined },
    );
  });
});
