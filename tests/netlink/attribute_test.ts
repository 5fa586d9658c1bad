import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Attribute,
  AttributeDecoder,
  AttributeEncoder,
  AttributeFlags,
  decodeAttributes,
  encodeAttributes,
} from "../../src/netlink/mod.ts";
import { hex, LITTLE_ENDIAN, toHex } from "./_hex.ts";

const skip = !LITTLE_ENDIAN;

function attr(type: number, data: string): Attribute {
  return { type, data: hex(data) };
}

function isRange(re: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof RangeError && re.test(e.message);
}

describe("encodeAttributes()", { skip }, () => {
  // vectors §1.7 (our Attribute has no Length field: it is always computed)
  const cases: [string, Attribute[], string][] = [
    ["one attribute, no data", [attr(1, "")], "04000100"],
    ["one attribute, padded", [attr(1, "ff")], "05000100 ff000000"],
    ["one attribute, aligned", [attr(2, "aabbccdd")], "08000200 aabbccdd"],
    [
      "multiple attributes",
      [
        attr(1, "ff"),
        attr(2, "aabbccdd"),
        attr(3, ""),
        attr(4, "11111111 22222222 33333333"),
      ],
      // deno-fmt-ignore
      "05000100 ff000000" +            // len 5, type 1, ff + padding
        "08000200 aabbccdd" +          // len 8, type 2
        "04000300" +                   // len 4, type 3, no data
        "10000400 11111111 22222222 33333333", // len 16, type 4
    ],
    ["max type space, flags kept verbatim", [attr(0xffff, "")], "0400ffff"],
    ["nothing", [], ""],
  ];
  for (const [name, as, want] of cases) {
    it(name, () => assert.equal(toHex(encodeAttributes(as)), toHex(hex(want))));
  }

  it("throws RangeError on a type above 65535", () => {
    assert.throws(
      () => encodeAttributes([attr(0x10000, "")]),
      isRange(/type 65536/),
    );
  });
  it("throws RangeError on data over 65531 bytes", () => {
    assert.throws(
      () => encodeAttributes([{ type: 1, data: new Uint8Array(65532) }]),
      isRange(/65532 bytes/),
    );
    assert.equal(
      encodeAttributes([{ type: 1, data: new Uint8Array(65531) }]).length,
      65535 + 1,
    );
  });
});

describe("decodeAttributes()", { skip }, () => {
  // vectors §1.8
  const errors: [string, string, RegExp][] = [
    [
      "short slice",
      "000000",
      /3 trailing bytes are too short for a 4-byte header at offset 0/,
    ],
    ["length too short (<4 bytes)", "030000", /3 trailing bytes/],
    [
      "length too long",
      "ffff0000",
      /length 65535 exceeds the 4 bytes left at offset 0/,
    ],
    [
      "fuzz crasher: length 1, too short",
      "01003030",
      /length 1 is less than 4 at offset 0/,
    ],
    [
      "second attribute truncated",
      "04000100 0900 0200 aabbccdd",
      /length 9 exceeds the 8 bytes left at offset 4/,
    ],
    [
      "tail after a valid attribute",
      "04000100 0000",
      /2 trailing bytes .* at offset 4/,
    ],
  ];
  for (const [name, bytes, re] of errors) {
    it(`throws RangeError on ${name}`, () =>
      assert.throws(() => decodeAttributes(hex(bytes)), isRange(re)));
  }

  const ok: [string, string, [number, string][]][] = [
    ["empty slice", "", []],
    ["one attribute, not aligned (final padding missing)", "05000100 ff", [[
      1,
      "ff",
    ]]],
    ["no attributes, length 0 (skipped as padding)", "00000000", []],
    ["one attribute, no data", "04000100", [[1, ""]]],
    ["one attribute, padded", "05000100 ff000000", [[1, "ff"]]],
    ["one attribute, aligned", "08000200 aabbccdd", [[2, "aabbccdd"]]],
    [
      "multiple attributes",
      "05000100 ff000000 08000200 aabbccdd 04000300 10000400 11111111 22222222 33333333",
      [[1, "ff"], [2, "aabbccdd"], [3, ""], [4, "111111112222222233333333"]],
    ],
    ["max type space keeps the flag bits", "0400ffff", [[0xffff, ""]]],
    [
      "zero-length header between attributes",
      "04000100 00000000 05000200 aa000000",
      [[1, ""], [2, "aa"]],
    ],
  ];
  for (const [name, bytes, want] of ok) {
    it(name, () => {
      assert.deepEqual(
        decodeAttributes(hex(bytes)).map((a) => [a.type, toHex(a.data)]),
        want,
      );
    });
  }

  it("returns data that does not alias the input", () => {
    const b = hex("08000200 aabbccdd");
    const [a] = decodeAttributes(b);
    b.fill(0);
    assert.equal(toHex(a!.data), "aabbccdd");
  });
});

// vectors §1.9 / §1.10: the eight integers, little endian and big endian.
// deno-fmt-ignore
const INTS_LE = hex(
  "05000100 01000000" +         // u8  type 1 = 1
  "06000200 02000000" +         // u16 type 2 = 2
  "08000300 03000000" +         // u32 type 3 = 3
  "0c000400 04000000 00000000" + // u64 type 4 = 4
  "05000500 05000000" +         // s8  type 5 = 5
  "06000600 06000000" +         // s16 type 6 = 6
  "08000700 07000000" +         // s32 type 7 = 7
  "0c000800 08000000 00000000",  // s64 type 8 = 8
);
// deno-fmt-ignore
const INTS_BE = hex(
  "05000100 01000000" +
  "06000200 00020000" +
  "08000300 00000003" +
  "0c000400 00000000 00000004" +
  "05000500 05000000" +
  "06000600 00060000" +
  "08000700 00000007" +
  "0c000800 00000000 00000008",
);

function encodeInts(e: AttributeEncoder): Uint8Array {
  return e.uint8(1, 1).uint16(2, 2).uint32(3, 3).uint64(4, 4n).int8(5, 5).int16(
    6,
    6,
  ).int32(7, 7).int64(8, 8n)
    .encode();
}

function decodeInts(d: AttributeDecoder): unknown[] {
  const out: unknown[] = [];
  while (d.next()) {
    switch (d.type) {
      case 1:
        out.push(d.uint8());
        break;
      case 2:
        out.push(d.uint16());
        break;
      case 3:
        out.push(d.uint32());
        break;
      case 4:
        out.push(d.uint64());
        break;
      case 5:
        out.push(d.int8());
        break;
      case 6:
        out.push(d.int16());
        break;
      case 7:
        out.push(d.int32());
        break;
      case 8:
        out.push(d.int64());
        break;
    }
  }
  return out;
}

const INT_VALUES = [1, 2, 3, 4n, 5, 6, 7, 8n];

describe("AttributeEncoder", { skip }, () => {
  it("encodes integers in host (little) endian", () => {
    assert.equal(toHex(encodeInts(new AttributeEncoder())), toHex(INTS_LE));
  });
  it("encodes integers big endian with byteOrder big", () => {
    assert.equal(
      toHex(encodeInts(new AttributeEncoder({ byteOrder: "big" }))),
      toHex(INTS_BE),
    );
  });
  it("takes a byte order per call", () => {
    const b = new AttributeEncoder().uint16(1, 0x102, "big").uint16(2, 0x102)
      .uint32(3, 1, "host").encode();
    assert.equal(
      toHex(b),
      "06000100 01020000 06000200 02010000 08000300 01000000".replaceAll(
        " ",
        "",
      ),
    );
  });
  it("writes big endian when the type carries NLA_F_NET_BYTEORDER", () => {
    const t = 1 | AttributeFlags.NetByteOrder;
    const b = new AttributeEncoder().uint16(t, 0x102).uint32(
      t,
      0x1020304,
      "host",
    ).encode();
    assert.equal(
      toHex(b),
      "06000140 01020000 08000140 01020304".replaceAll(" ", ""),
    );
  });
  it("encodes a flag", () =>
    assert.equal(toHex(new AttributeEncoder().flag(1).encode()), "04000100"));
  it("encodes a string with a NUL, padded", () => {
    const b = new AttributeEncoder().string(1, "hello netlink").encode();
    assert.equal(
      toHex(b),
      "12000100 68656c6c 6f206e65 746c696e 6b000000".replaceAll(" ", ""),
    );
  });
  it("encodes a non-ASCII string as UTF-8", () => {
    const b = new AttributeEncoder().string(1, "aé😀").encode();
    assert.equal(toHex(b), "0c000100 61c3a9f0 9f988000".replaceAll(" ", ""));
  });
  it("encodes bytes", () => {
    assert.equal(
      toHex(new AttributeEncoder().bytes(1, hex("dead")).encode()),
      "06000100dead0000",
    );
  });
  it("encodes nested attributes with NLA_F_NESTED", () => {
    const b = new AttributeEncoder()
      .nested(1, (e) => e.uint16(1, 1).nested(2, (n) => n.uint32(1, 2)))
      .encode();
    // deno-fmt-ignore
    const want = hex(
      "18000180" +            // len 24, type 1 | NLA_F_NESTED
        "06000100 01000000" + //   u16 type 1 = 1
        "0c000280" +          //   len 12, type 2 | NLA_F_NESTED
          "08000100 02000000", //     u32 type 1 = 2
    );
    assert.equal(toHex(b), toHex(want));
  });
  it("returns an empty buffer when empty", () => {
    const e = new AttributeEncoder();
    assert.equal(e.length, 0);
    assert.equal(e.encode().length, 0);
  });
  it("reports length like the Go Len() vectors", () => {
    const len = (f: (e: AttributeEncoder) => unknown) => {
      const e = new AttributeEncoder();
      f(e);
      return e.length;
    };
    assert.equal(len((e) => e.uint8(1, 1)), 8);
    assert.equal(len((e) => e.uint16(1, 1)), 8);
    assert.equal(len((e) => e.uint32(1, 1)), 8);
    assert.equal(len((e) => e.uint64(1, 1n)), 12);
    assert.equal(len((e) => e.int8(1, 1)), 8);
    assert.equal(len((e) => e.int16(1, 1)), 8);
    assert.equal(len((e) => e.int32(1, 1)), 8);
    assert.equal(len((e) => e.int64(1, 1n)), 12);
    assert.equal(len((e) => e.flag(1)), 4);
    assert.equal(len((e) => e.string(1, "test")), 12);
    assert.equal(len((e) => e.bytes(1, hex("010203"))), 8);
    assert.equal(len((e) => e.nested(1, (n) => n.uint32(1, 1))), 12);
  });
  it("grows past its first capacity and keeps earlier bytes", () => {
    const e = new AttributeEncoder();
    for (let i = 0; i < 1000; i++) e.uint32(i, i);
    const d = new AttributeDecoder(e.encode());
    let n = 0;
    while (d.next()) {
      assert.equal(d.uint32(), n);
      assert.equal(d.type, n);
      n++;
    }
    assert.equal(n, 1000);
  });
  it("reuses its buffer after reset() and zeroes padding", () => {
    const e = new AttributeEncoder().bytes(1, hex("ffffffff ffffffff"));
    e.reset().uint8(2, 1);
    assert.equal(toHex(e.encode()), "0500020001000000");
  });
  it("view() shows the bytes written without a copy", () => {
    const e = new AttributeEncoder().uint16(1, 5);
    const v = e.view();
    assert.equal(toHex(v), toHex(e.encode()));
    e.reset().uint16(1, 6);
    assert.equal(toHex(v), "0600010006000000"); // the view aliases the buffer
    assert.equal(new AttributeEncoder().view().length, 0);
  });
  it("writes raw bytes padded", () => {
    assert.equal(
      toHex(new AttributeEncoder().raw(hex("0102 03")).flag(1).encode()),
      "0102030004000100",
    );
  });

  const rangeCases: [string, (e: AttributeEncoder) => unknown, RegExp][] = [
    ["uint8 256", (e) => e.uint8(1, 256), /attribute 1 as uint8: 256/],
    ["uint8 -1", (e) => e.uint8(1, -1), /uint8: -1/],
    ["uint16 65536", (e) => e.uint16(1, 65536), /uint16: 65536/],
    ["uint32 2^32", (e) => e.uint32(1, 2 ** 32), /uint32: 4294967296/],
    ["uint32 1.5", (e) => e.uint32(1, 1.5), /uint32: 1.5/],
    ["uint64 -1n", (e) => e.uint64(1, -1n), /uint64: -1/],
    ["uint64 2^64", (e) => e.uint64(1, 2n ** 64n), /uint64/],
    ["int8 128", (e) => e.int8(1, 128), /int8: 128/],
    ["int16 -32769", (e) => e.int16(1, -32769), /int16/],
    ["int32 2^31", (e) => e.int32(1, 2 ** 31), /int32/],
    ["int64 2^63", (e) => e.int64(1, 2n ** 63n), /int64/],
    ["type -1", (e) => e.flag(-1), /type -1/],
    ["type 65536", (e) => e.uint8(65536, 1), /type 65536/],
    ["bytes of 65532", (e) => e.bytes(1, new Uint8Array(65532)), /65532 bytes/],
    [
      "string of 65531 bytes (65532 with NUL)",
      (e) => e.string(1, "x".repeat(65531)),
      /65532 bytes/,
    ],
    [
      "string that grows past the limit in UTF-8",
      (e) => e.string(1, "é".repeat(40000)),
      /80001 bytes/,
    ],
    [
      "nest over 65535 bytes",
      (e) => e.nested(1, (n) => n.bytes(2, new Uint8Array(65531)).flag(3)),
      /65544 bytes/,
    ],
  ];
  for (const [name, f, re] of rangeCases) {
    it(`throws RangeError on ${name} and stays unchanged`, () => {
      const e = new AttributeEncoder().flag(9);
      assert.throws(() => f(e), isRange(re));
      assert.equal(toHex(e.encode()), "04000900");
    });
  }
  it("accepts the largest string", () => {
    assert.equal(
      new AttributeEncoder().string(1, "x".repeat(65530)).length,
      65536,
    );
  });
  it("throws TypeError on a number for a 64-bit value and a bad byte order", () => {
    assert.throws(
      () => new AttributeEncoder().uint64(1, 1 as unknown as bigint),
      TypeError,
    );
    assert.throws(
      () => new AttributeEncoder().uint16(1, 1, "little" as "big"),
      TypeError,
    );
    assert.throws(
      () => new AttributeEncoder({ byteOrder: "little" as "big" }),
      TypeError,
    );
  });
  it("discards a nest whose callback throws", () => {
    const e = new AttributeEncoder().flag(1);
    assert.throws(() =>
      e.nested(2, (n) => {
        n.uint32(1, 1);
        throw new Error("boom");
      }), /boom/);
    assert.equal(
      toHex(e.uint8(3, 7).encode()),
      "04000100" + "0500030007000000",
    );
  });
  it("caps nesting at 32 levels", () => {
    const deep = (e: AttributeEncoder, n: number): void => {
      if (n > 0) e.nested(1, (c) => deep(c, n - 1));
    };
    assert.equal(
      new AttributeEncoder().nested(1, (e) => deep(e, 31)).length,
      32 * 4,
    );
    assert.throws(
      () => new AttributeEncoder().nested(1, (e) => deep(e, 32)),
      isRange(/exceeds 32 levels/),
    );
  });
});

describe("AttributeDecoder", { skip }, () => {
  it("decodes integers in host (little) endian", () => {
    assert.deepEqual(decodeInts(new AttributeDecoder(INTS_LE)), INT_VALUES);
  });
  it("decodes integers big endian with byteOrder big", () => {
    assert.deepEqual(
      decodeInts(
        new AttributeDecoder(INTS_BE, 0, INTS_BE.length, { byteOrder: "big" }),
      ),
      INT_VALUES,
    );
  });
  it("takes a byte order per call", () => {
    const d = new AttributeDecoder(hex("06000100 01020000"));
    assert.ok(d.next());
    assert.equal(d.uint16("big"), 0x102);
    assert.equal(d.uint16(), 0x201);
    assert.equal(d.uint16("host"), 0x201);
  });
  it("honours NLA_F_NET_BYTEORDER whatever the requested order", () => {
    const d = new AttributeDecoder(hex("06000140 01020000 08000240 fffffffe"));
    assert.ok(d.next());
    assert.equal(d.type, 1);
    assert.equal(d.flags, AttributeFlags.NetByteOrder);
    assert.equal(d.uint16(), 0x102);
    assert.equal(d.uint16("host"), 0x102);
    assert.ok(d.next());
    assert.equal(d.int32(), -2);
  });
  it("decodes bytes as a copy and view() without one", () => {
    const b = hex("06000100 dead0000");
    const d = new AttributeDecoder(b);
    assert.ok(d.next());
    const copy = d.bytes();
    copy[0] = 0;
    assert.equal(toHex(d.bytes()), "dead");
    const view = d.view();
    assert.equal(view.buffer, b.buffer);
    assert.equal(toHex(view), "dead");
    assert.equal(d.offset, 4);
    assert.equal(d.length, 2);
  });
  it("decodes a string (trailing NULs trimmed)", () => {
    const d = new AttributeDecoder(
      hex("13000100 68656c6c 6f20776f 726c6400 00000000"),
    );
    assert.ok(d.next());
    assert.equal(d.string(), "hello world");
  });
  it("decodes a string up to the first NUL, as C does", () => {
    const d = new AttributeDecoder(hex("0c000100 61620063 64000000"));
    assert.ok(d.next());
    assert.equal(d.string(), "ab");
  });
  it("decodes a string without a NUL and long UTF-8", () => {
    const long = "ü".repeat(40);
    const b = new AttributeEncoder().bytes(1, hex("616263")).string(2, long)
      .string(3, "x".repeat(50)).encode();
    const d = new AttributeDecoder(b);
    const got: string[] = [];
    while (d.next()) got.push(d.string());
    assert.deepEqual(got, ["abc", long, "x".repeat(50)]);
  });
  it("decodes a flag", () => {
    const d = new AttributeDecoder(hex("04000100"));
    assert.ok(d.next());
    assert.equal(d.flag(), true);
  });
  it("decodes nested attributes (vectors 'nested')", () => {
    // deno-fmt-ignore
    const b = hex(
      "18000180" +              // len 24, type 1 | NLA_F_NESTED
        "06000100 01000000" +   //   u16 type 1 = 1
        "0c000280" +            //   len 12, type 2 | NLA_F_NESTED
          "08000100 02000000",  //     u32 type 1 = 2
    );
    const d = new AttributeDecoder(b);
    assert.ok(d.next());
    assert.equal(d.type, 1);
    assert.equal(d.flags, AttributeFlags.Nested);
    const got: unknown[] = [];
    d.nested((n) => {
      while (n.next()) {
        if (n.type === 1) got.push(n.uint16());
        if (n.type === 2) n.nested((nn) => nn.next() && got.push(nn.uint32()));
      }
    });
    assert.deepEqual(got, [1, 2]);
    assert.equal(d.next(), false);
  });
  it("nested decoders inherit the byte order", () => {
    const b = new AttributeEncoder({ byteOrder: "big" }).nested(
      1,
      (e) => e.uint32(2, 7),
    ).encode();
    const d = new AttributeDecoder(b, 0, b.length, { byteOrder: "big" });
    assert.ok(d.next());
    const c = d.decoder();
    assert.ok(c.next());
    assert.equal(c.uint32(), 7);
  });
  it("splits type and flags (vectors 'typeflags')", () => {
    const d = new AttributeDecoder(hex("0400ffff"));
    assert.ok(d.next());
    assert.equal(d.type, 0x3fff);
    assert.equal(d.flags, 0xc000);
  });
  it("is empty over no bytes", () => {
    assert.equal(new AttributeDecoder(new Uint8Array(0)).next(), false);
  });
  it("walks a sub-range given by offset and length", () => {
    const b = hex("ffffffff 08000100 2a000000 08000200 2b000000 eeeeeeee");
    const d = new AttributeDecoder(b, 4, 16);
    const got: number[] = [];
    while (d.next()) got.push(d.uint32());
    assert.deepEqual(got, [42, 43]);
  });
  it("throws RangeError on a range outside the buffer", () => {
    assert.throws(
      () => new AttributeDecoder(new Uint8Array(4), 2, 4),
      isRange(/outside the 4-byte buffer/),
    );
    assert.throws(
      () => new AttributeDecoder(new Uint8Array(4), -1),
      RangeError,
    );
    assert.throws(() => new AttributeDecoder(new Uint8Array(4), 5), RangeError);
  });
  it("keeps throwing on a truncated attribute", () => {
    const d = new AttributeDecoder(hex("04000100 09000200 aabbccdd"));
    assert.ok(d.next());
    assert.throws(
      () => d.next(),
      isRange(/length 9 exceeds the 8 bytes left at offset 4/),
    );
    assert.throws(() => d.next(), RangeError);
  });

  // vectors §1.9 error cases: `07000100 0eadbe00` is a 3-byte attribute of type 1.
  const getters: [string, (d: AttributeDecoder) => unknown][] = [
    ["uint8", (d) => d.uint8()],
    ["uint16", (d) => d.uint16()],
    ["uint32", (d) => d.uint32()],
    ["uint64", (d) => d.uint64()],
    ["int8", (d) => d.int8()],
    ["int16", (d) => d.int16()],
    ["int32", (d) => d.int32()],
    ["int64", (d) => d.int64()],
    ["flag", (d) => d.flag()],
  ];
  for (const [name, get] of getters) {
    it(`${name}() throws RangeError naming the attribute type and length`, () => {
      const d = new AttributeDecoder(hex("07000100 0eadbe00"));
      assert.ok(d.next());
      assert.throws(
        () => get(d),
        isRange(
          new RegExp(
            `^Cannot decode attribute 1 as ${name}: length is 3 bytes`,
          ),
        ),
      );
    });
  }
  it("flag() throws on a 1-byte attribute", () => {
    const d = new AttributeDecoder(hex("05000100 ff000000"));
    assert.ok(d.next());
    assert.throws(
      () => d.flag(),
      isRange(/attribute 1 as flag: length is 1 bytes/),
    );
  });
  it("keeps no error state: a failed getter does not stop iteration (unlike Go's Err())", () => {
    const d = new AttributeDecoder(hex("07000100 0eadbe00 08000200 2a000000"));
    assert.ok(d.next());
    assert.throws(() => d.uint32(), RangeError);
    assert.equal(toHex(d.bytes()), "0eadbe");
    assert.ok(d.next());
    assert.equal(d.uint32(), 42);
    assert.equal(d.next(), false);
  });
  it("skips zero-length headers as padding", () => {
    const d = new AttributeDecoder(hex("00000000 08000200 2a000000 00000000"));
    assert.ok(d.next());
    assert.equal(d.type, 2);
    assert.equal(d.offset, 8);
    assert.equal(d.next(), false);
  });
  it("reset() points the decoder at other bytes and keeps its byte order", () => {
    const big = new AttributeEncoder({ byteOrder: "big" }).uint16(1, 0x1234)
      .encode();
    const d = new AttributeDecoder(new Uint8Array(0), 0, 0, {
      byteOrder: "big",
    });
    assert.equal(d.next(), false);
    const framed = new Uint8Array(big.length + 4);
    framed.set(big, 4);
    assert.equal(d.reset(framed, 4).next(), true);
    assert.equal(d.uint16(), 0x1234);
    assert.equal(d.offset, 8);
    assert.equal(d.next(), false);
    assert.throws(() => d.reset(framed, 4, 100), RangeError);
  });
  it("caps nesting at 32 levels", () => {
    // 40 nested headers, each holding the rest.
    const n = 40;
    const b = new Uint8Array(4 * n);
    const v = new DataView(b.buffer);
    for (let i = 0; i < n; i++) {
      v.setUint16(i * 4, (n - i) * 4, true);
      v.setUint16(i * 4 + 2, 0x8001, true);
    }
    let depth = 0;
    const walk = (d: AttributeDecoder): void => {
      while (d.next()) {
        depth++;
        d.nested(walk);
      }
    };
    assert.throws(
      () => walk(new AttributeDecoder(b)),
      isRange(/nesting exceeds 32 levels/),
    );
    assert.equal(depth, 33);
  });
});
