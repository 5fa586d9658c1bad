import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  align,
  AttributeDecoder,
  AttributeEncoder,
  AttributeFlags,
  decodeAttributes,
  decodeError,
  decodeExtendedAck,
  decodeMessage,
  encodeAttributes,
  encodeMessage,
  encodeMessages,
  findAttributePath,
  formatFlags,
  type Header,
  HeaderType,
  type Message,
  type MessageView,
  NetlinkError,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { visitDatagram } from "../../src/netlink/message.ts";

/** Runs `f`; passes when it returns or throws RangeError / NetlinkError. */
function onlyTypedErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (e instanceof RangeError || e instanceof NetlinkError) return;
    throw e;
  }
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

const headerArb: fc.Arbitrary<Header> = fc.record({
  length: fc.constant(0),
  type: u16,
  flags: u16,
  sequence: u32,
  pid: u32,
});
const messageArb: fc.Arbitrary<Message> = fc.record({
  header: headerArb,
  data: bytes(80),
});

describe("align() property", () => {
  it("rounds up to the next multiple of 4", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffffffc }), (n) => {
        const a = align(n);
        assert.equal(a % 4, 0);
        assert.ok(a >= n && a < n + 4);
        assert.equal(a, Math.ceil(n / 4) * 4);
        assert.equal(align(a), a);
      }),
    );
  });
  it("rejects what is not a length", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.double({ noInteger: true }),
          fc.constant(2 ** 32),
        ),
        (n) => {
          assert.throws(() => align(n), RangeError);
        },
      ),
    );
  });
});

describe("formatFlags() property", () => {
  const names: Record<string, Record<string, number>> = {
    get: { root: 0x100, match: 0x200, dump: 0x300, atomic: 0x400 },
    new: { replace: 0x100, excl: 0x200, create: 0x400, append: 0x800 },
    delete: { nonRecursive: 0x100, bulk: 0x200 },
    ack: { capped: 0x100, acknowledgeTLVs: 0x200 },
  };
  const base: Record<string, number> = {
    request: 1,
    multi: 2,
    acknowledge: 4,
    echo: 8,
    dumpInterrupted: 0x10,
    dumpFiltered: 0x20,
  };
  const all: Record<string, number> = Object.assign(
    {},
    base,
    ...Object.values(names),
  );
  it("names every bit exactly once, so the names add back up to the flags", () => {
    fc.assert(
      fc.property(
        u16,
        fc.constantFrom<"get" | "new" | "delete" | "ack" | number | undefined>(
          "get",
          "new",
          "delete",
          "ack",
          HeaderType.Error,
          0x10,
          undefined,
        ),
        (flags, ctx) => {
          const s = formatFlags(flags, ctx);
          if (flags === 0) return assert.equal(s, "0");
          const parts = s.split("|");
          assert.equal(new Set(parts).size, parts.length);
          let sum = 0;
          for (const p of parts) {
            const v = p.startsWith("0x") ? Number(p) : all[p];
            assert.ok(v !== undefined && v > 0, `${p} in ${s}`);
            assert.equal(sum & v, 0, `${p} overlaps in ${s}`);
            sum |= v;
          }
          assert.equal(sum, flags);
          assert.ok(parts.filter((p) => p.startsWith("0x")).length <= 1);
        },
      ),
    );
  });
});

describe("message properties", () => {
  it("decodeMessage(encodeMessage(m)) gives m back with its length filled in", () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const b = encodeMessage(m);
        assert.equal(b.length, align(16 + m.data.length));
        const got = decodeMessage(b);
        assert.deepEqual(got.header, {
          ...m.header,
          length: 16 + m.data.length,
        });
        assert.deepEqual([...got.data], [...m.data]);
      }),
    );
  });
  it("parseMessages(encodeMessages(ms)) gives ms back, and visitDatagram agrees", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 12 }), (ms) => {
        const b = encodeMessages(ms);
        const got = parseMessages(b);
        assert.equal(got.length, ms.length);
        const view: MessageView = {
          header: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
          bytes: b,
          offset: 0,
          length: 0,
        };
        let i = 0;
        const n = visitDatagram(b, b.length, view, (v) => {
          const want = ms[i]!;
          assert.deepEqual(v.header, {
            ...want.header,
            length: 16 + want.data.length,
          });
          assert.deepEqual(
            [...v.bytes.subarray(v.offset, v.offset + v.length)],
            [...want.data],
          );
          assert.deepEqual(got[i]!.header, v.header);
          i++;
        });
        assert.equal(n, ms.length);
      }),
    );
  });
});

describe("attribute properties", () => {
  const attrArb = fc.record({ type: u16, data: bytes(40) });
  it("decodeAttributes(encodeAttributes(as)) gives as back, flag bits included", () => {
    fc.assert(
      fc.property(fc.array(attrArb, { maxLength: 20 }), (as) => {
        const got = decodeAttributes(encodeAttributes(as));
        assert.deepEqual(
          got.map((a) => [a.type, [...a.data]]),
          as.map((a) => [a.type, [...a.data]]),
        );
      }),
    );
  });

  // A typed value tree: leaves of every kind in host, big or flagged byte order, and nests.
  type Order = "host" | "big" | "flag" | undefined;
  type Leaf =
    | { kind: "uint8" | "int8"; type: number; v: number }
    | {
      kind: "uint16" | "uint32" | "int16" | "int32";
      type: number;
      v: number;
      order: Order;
    }
    | { kind: "uint64" | "int64"; type: number; v: bigint; order: Order }
    | { kind: "string"; type: number; v: string }
    | { kind: "bytes"; type: number; v: Uint8Array }
    | { kind: "flag"; type: number };
  type Node = Leaf | { kind: "nested"; type: number; children: Node[] };

  const t = fc.integer({ min: 0, max: 0x3fff });
  const order = fc.constantFrom<Order>("host", "big", "flag", undefined);
  const leaf: fc.Arbitrary<Leaf> = fc.oneof(
    fc.record({
      kind: fc.constant("uint8" as const),
      type: t,
      v: fc.integer({ min: 0, max: 0xff }),
    }),
    fc.record({
      kind: fc.constant("int8" as const),
      type: t,
      v: fc.integer({ min: -0x80, max: 0x7f }),
    }),
    fc.record({ kind: fc.constant("uint16" as const), type: t, v: u16, order }),
    fc.record({
      kind: fc.constant("int16" as const),
      type: t,
      v: fc.integer({ min: -0x8000, max: 0x7fff }),
      order,
    }),
    fc.record({ kind: fc.constant("uint32" as const), type: t, v: u32, order }),
    fc.record({
      kind: fc.constant("int32" as const),
      type: t,
      v: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      order,
    }),
    fc.record({
      kind: fc.constant("uint64" as const),
      type: t,
      v: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      order,
    }),
    fc.record({
      kind: fc.constant("int64" as const),
      type: t,
      v: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      order,
    }),
    fc.record({
      kind: fc.constant("string" as const),
      type: t,
      v: fc.string({ unit: "grapheme", maxLength: 40 }).map((s) =>
        s.replaceAll("\0", "")
      ),
    }),
    fc.record({ kind: fc.constant("bytes" as const), type: t, v: bytes(24) }),
    fc.record({ kind: fc.constant("flag" as const), type: t }),
  );
  const tree = fc.letrec<{ node: Node; nodes: Node[] }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.record({
        kind: fc.constant("nested" as const),
        type: t,
        children: tie("nodes"),
      }),
    ),
    nodes: fc.array(tie("node"), { maxLength: 5 }),
  })).nodes;

  function typeOf(n: Node): number {
    return "order" in n && n.order === "flag"
      ? n.type | AttributeFlags.NetByteOrder
      : n.type;
  }
  function orderOf(n: Node): "host" | "big" | undefined {
    return "order" in n && n.order !== "flag" ? n.order : undefined;
  }

  function encode(e: AttributeEncoder, nodes: Node[]): void {
    for (const n of nodes) {
      const type = typeOf(n);
      const o = orderOf(n);
      switch (n.kind) {
        case "uint8":
          e.uint8(type, n.v);
          break;
        case "int8":
          e.int8(type, n.v);
          break;
        case "uint16":
          e.uint16(type, n.v, o);
          break;
        case "int16":
          e.int16(type, n.v, o);
          break;
        case "uint32":
          e.uint32(type, n.v, o);
          break;
        case "int32":
          e.int32(type, n.v, o);
          break;
        case "uint64":
          e.uint64(type, n.v, o);
          break;
        case "int64":
          e.int64(type, n.v, o);
          break;
        case "string":
          e.string(type, n.v);
          break;
        case "bytes":
          e.bytes(type, n.v);
          break;
        case "flag":
          e.flag(type);
          break;
        case "nested":
          e.nested(type, (c) => encode(c, n.children));
          break;
      }
    }
  }

  function check(
    d: AttributeDecoder,
    nodes: Node[],
    defaultBig: boolean,
  ): void {
    for (const n of nodes) {
      assert.ok(d.next());
      assert.equal(d.type, n.type);
      const o = orderOf(n);
      switch (n.kind) {
        case "uint8":
          assert.equal(d.uint8(), n.v);
          break;
        case "int8":
          assert.equal(d.int8(), n.v);
          break;
        case "uint16":
          assert.equal(d.uint16(o), n.v);
          break;
        case "int16":
          assert.equal(d.int16(o), n.v);
          break;
        case "uint32":
          assert.equal(d.uint32(o), n.v);
          break;
        case "int32":
          assert.equal(d.int32(o), n.v);
          break;
        case "uint64":
          assert.equal(d.uint64(o), n.v);
          break;
        case "int64":
          assert.equal(d.int64(o), n.v);
          break;
        case "string":
          assert.equal(d.string(), n.v);
          break;
        case "bytes":
          assert.deepEqual([...d.bytes()], [...n.v]);
          break;
        case "flag":
          assert.equal(d.flag(), true);
          break;
        case "nested":
          assert.equal(d.flags, AttributeFlags.Nested);
          d.nested((c) => check(c, n.children, defaultBig));
          break;
      }
      if (n.kind !== "nested") {
        assert.equal(
          d.flags,
          "order" in n && n.order === "flag" ? AttributeFlags.NetByteOrder : 0,
        );
      }
    }
    assert.equal(d.next(), false);
  }

  it("typed values round-trip through AttributeEncoder and AttributeDecoder, nested, in mixed byte order", () => {
    fc.assert(
      fc.property(tree, fc.boolean(), (nodes, big) => {
        const options = big ? { byteOrder: "big" as const } : {};
        const e = new AttributeEncoder(options);
        encode(e, nodes);
        const b = e.encode();
        assert.equal(b.length, e.length);
        check(new AttributeDecoder(b, 0, b.length, options), nodes, big);
        // The same bytes after a prefix, walked in place through offset and length.
        const shifted = new Uint8Array(b.length + 12);
        shifted.set(b, 8);
        check(new AttributeDecoder(shifted, 8, b.length, options), nodes, big);
      }),
    );
  });

  it("a reused encoder produces the same bytes as a fresh one", () => {
    fc.assert(
      fc.property(tree, tree, (a, b) => {
        const e = new AttributeEncoder();
        encode(e, a);
        e.reset();
        encode(e, b);
        const fresh = new AttributeEncoder();
        encode(fresh, b);
        assert.deepEqual([...e.encode()], [...fresh.encode()]);
      }),
    );
  });
});

/** Walks every attribute with every getter, descending into anything that parses. */
function exercise(d: AttributeDecoder): void {
  while (d.next()) {
    d.bytes();
    d.view();
    d.string();
    for (
      const get of [
        () => d.uint8(),
        () => d.uint16(),
        () => d.uint16("big"),
        () => d.uint32(),
        () => d.uint64("big"),
        () => d.int8(),
        () => d.int16(),
        () => d.int32("host"),
        () => d.int64(),
        () => d.flag(),
      ]
    ) onlyTypedErrors(get);
    onlyTypedErrors(() => d.nested(exercise));
  }
}

describe("fuzzing: malformed bytes only ever throw RangeError or NetlinkError", () => {
  const numRuns = 500;
  it("decodeMessage()", () => {
    fc.assert(
      fc.property(bytes(64), (b) => onlyTypedErrors(() => decodeMessage(b))),
      { numRuns },
    );
  });
  it("parseMessages() and visitDatagram()", () => {
    fc.assert(
      fc.property(bytes(128), fc.nat(140), (b, n) => {
        onlyTypedErrors(() => parseMessages(b));
        const view: MessageView = {
          header: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
          bytes: b,
          offset: 0,
          length: 0,
        };
        onlyTypedErrors(() => visitDatagram(b, n, view, () => {}));
      }),
      { numRuns },
    );
  });
  it("AttributeDecoder (iteration and every getter)", () => {
    fc.assert(
      fc.property(bytes(96), fc.nat(100), fc.nat(100), (b, o, l) => {
        onlyTypedErrors(() => exercise(new AttributeDecoder(b)));
        onlyTypedErrors(() => exercise(new AttributeDecoder(b, o, l)));
        onlyTypedErrors(() => decodeAttributes(b));
      }),
      { numRuns },
    );
  });
  it("AttributeDecoder on mutated valid attributes", () => {
    const valid = new AttributeEncoder().uint32(1, 7).nested(
      2,
      (e) => e.string(1, "x").nested(3, (n) => n.flag(4)),
    )
      .uint64(5, 9n).encode();
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })),
          { maxLength: 4 },
        ),
        (edits) => {
          const b = valid.slice();
          for (const [i, v] of edits) b[i] = v;
          onlyTypedErrors(() => exercise(new AttributeDecoder(b)));
        },
      ),
      { numRuns },
    );
  });
  it("decodeError() and decodeExtendedAck()", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(HeaderType.Error, HeaderType.Done, 0x10),
        fc.integer({ min: 0, max: 0xffff }),
        fc.oneof(
          bytes(64),
          fc.tuple(fc.integer({ min: -200, max: 0 }), bytes(60)).map(
            ([errno, rest]) => {
              const b = new Uint8Array(4 + rest.length);
              new DataView(b.buffer).setInt32(0, errno, true);
              b.set(rest, 4);
              return b;
            },
          ),
        ),
        fc.option(bytes(64)),
        (type, flags, data, request) => {
          const m: Message = {
            header: {
              length: 16 + data.length,
              type,
              flags,
              sequence: 1,
              pid: 0,
            },
            data,
          };
          const r = request ?? undefined;
          onlyTypedErrors(() => {
            const err = decodeError(m, "receive", r);
            assert.ok(err === null || err instanceof NetlinkError);
          });
          onlyTypedErrors(() => decodeExtendedAck(m, r));
        },
      ),
      { numRuns },
    );
  });
  it("findAttributePath() never throws", () => {
    fc.assert(
      fc.property(bytes(80), fc.integer({ min: -4, max: 100 }), (b, offset) => {
        const path = findAttributePath(b, offset);
        assert.ok(path === undefined || path.length > 0);
      }),
      { numRuns },
    );
  });
});
