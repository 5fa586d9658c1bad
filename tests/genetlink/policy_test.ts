import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AttributeEncoder, AttributeFlags } from "../../src/netlink/mod.ts";
import {
  decodePolicy,
  encodeGenlMessage,
  encodePolicy,
  formatAttributePolicy,
  type OperationPolicy,
  type Policy,
  PolicyError,
  policyFor,
  type PolicyTable,
  PolicyType,
  PolicyTypeAttribute,
  validateRequest,
} from "../../src/genetlink/mod.ts";
import { BIG_ENDIAN, toHex } from "./_hex.ts";
import { genlReplies } from "./_fixtures.ts";

const FAMILY_POLICY: PolicyTable = new Map([
  [1, { type: PolicyType.U16, minValue: 0n, maxValue: 65535n }],
  [2, { type: PolicyType.NulString, maxLength: 15 }],
]);
const POLICY_POLICY: PolicyTable = new Map([
  ...FAMILY_POLICY,
  [10, { type: PolicyType.U32, minValue: 0n, maxValue: 4294967295n }],
]);

describe("decodePolicy()", { skip: BIG_ENDIAN }, () => {
  it("decodes the real nlctrl dump and recovers the command the kernel reports as 0", () => {
    const replies = genlReplies("getpolicy_nlctrl");
    // Without the family's operations, the kernel's numbers are kept.
    assert.deepEqual([...decodePolicy(replies).operations.keys()], [3, 0]);
    const policy = decodePolicy(replies, {
      operations: [{ id: 3, flags: 0xe }, { id: 10, flags: 0xc }],
    });
    assert.equal(policy.familyId, 0x10);
    assert.deepEqual(policy.tables, [FAMILY_POLICY, POLICY_POLICY]);
    assert.deepEqual(
      policy.operations,
      new Map<number, OperationPolicy>([
        [3, { do: FAMILY_POLICY, dump: FAMILY_POLICY }],
        [10, { dump: POLICY_POLICY }],
      ]),
    );
    // do and dump share one table object, as they share one kernel index.
    assert.equal(policy.operations.get(3)!.do, policy.operations.get(3)!.dump);
  });

  it("keys a single-command dump by the command asked for", () => {
    const replies = genlReplies("getpolicy_nlctrl_op10");
    const policy = decodePolicy(replies, { command: 10 });
    assert.deepEqual([...policy.operations.keys()], [10]);
    assert.deepEqual(policy.operations.get(10)?.dump, POLICY_POLICY);
    assert.equal(policy.operations.get(10)?.do, undefined);
  });

  it("decodes ethtool LINKINFO_GET with a nested header policy and a mask", () => {
    const policy = decodePolicy(genlReplies("getpolicy_ethtool_op2"), {
      command: 2,
    });
    const header: PolicyTable = new Map([
      [1, { type: PolicyType.U32, minValue: 0n, maxValue: 4294967295n }],
      [2, { type: PolicyType.NulString, maxLength: 127 }],
      [3, { type: PolicyType.U32, mask: 3n }],
    ]);
    const top: PolicyTable = new Map([[1, {
      type: PolicyType.Nested,
      nested: header,
      maxType: 3,
    }]]);
    assert.deepEqual(policy.operations.get(2), { do: top, dump: top });
    assert.equal(policy.tables.length, 2);
    assert.equal(policy.tables[0]!.get(1)!.nested, policy.tables[1]);
  });

  it("treats an index with no attribute in the dump as an empty table", () => {
    const data = new AttributeEncoder().uint16(1, 0x20).nested(
      8,
      (t) =>
        t.nested(
          0,
          (a) =>
            a.nested(1, (p) =>
              p.uint32(PolicyTypeAttribute.PolicyIndex, 1).uint32(1, 13)),
        ),
    )
      .encode();
    const policy = decodePolicy([{
      header: { command: 10, version: 2 },
      data,
    }]);
    assert.deepEqual(policy.tables[0]!.get(1)!.nested, new Map());
    assert.equal(policy.tables[0]!.get(1)!.nested, policy.tables[1]);
  });

  it("refuses a table index beyond the tables the dump describes (issue 15: 0xfffffffe)", () => {
    for (const index of [0xfffffffe, 1e8, 2]) {
      const data = new AttributeEncoder().uint16(1, 0x20).nested(
        8,
        (t) =>
          t.nested(
            0,
            (a) =>
              a.nested(1, (p) =>
                p.uint32(PolicyTypeAttribute.PolicyIndex, index).uint32(1, 13)),
          ),
      ).encode();
      const t0 = performance.now();
      assert.throws(
        () => decodePolicy([{ header: { command: 10, version: 2 }, data }]),
        (e: unknown) =>
          e instanceof RangeError &&
          e.message ===
            `Cannot decode policy: table index ${index} is beyond the 2 tables the dump describes`,
      );
      assert.ok(performance.now() - t0 < 100);
    }
  });

  it("refuses an operation pointing beyond the tables", () => {
    const data = new AttributeEncoder().uint16(1, 0x20).nested(
      9, // CTRL_ATTR_OP_POLICY
      (ops) => ops.nested(3, (op) => op.uint32(1, 0xfffffffe)),
    ).encode();
    assert.throws(
      () => decodePolicy([{ header: { command: 10, version: 2 }, data }]),
      /table index 4294967294 is beyond the 1 tables/,
    );
  });

  it("throws RangeError for a malformed dump", () => {
    const data = new AttributeEncoder().nested(
      8,
      (t) => t.nested(0, (a) => a.nested(1, (p) => p.uint16(1, 13))),
    )
      .encode();
    assert.throws(
      () => decodePolicy([{ header: { command: 10, version: 2 }, data }]),
      RangeError,
    );
  });

  it("returns an empty policy for no messages", () => {
    assert.deepEqual(decodePolicy([]), {
      familyId: 0,
      operations: new Map(),
      tables: [],
    });
  });
});

describe("encodePolicy()", { skip: BIG_ENDIAN }, () => {
  it("re-encodes the real ethtool LINKINFO_GET dump byte for byte", () => {
    const replies = genlReplies("getpolicy_ethtool_op2");
    const policy = decodePolicy(replies, { command: 2 });
    const again = encodePolicy(policy.familyId, policy.operations);
    assert.deepEqual(
      again.map((m) => toHex(encodeGenlMessage(m))),
      replies.map((m) => toHex(encodeGenlMessage(m))),
    );
  });

  it("numbers shared and recursive tables once", () => {
    const inner: PolicyTable = new Map();
    const outer: PolicyTable = new Map([[1, {
      type: PolicyType.Nested,
      nested: inner,
    }]]);
    inner.set(1, { type: PolicyType.NestedArray, nested: outer });
    inner.set(2, { type: PolicyType.S32, minValue: -5n, maxValue: 5n });
    const ops = new Map<number, OperationPolicy>([[1, { do: outer }], [2, {
      do: inner,
      dump: outer,
    }]]);
    const policy = decodePolicy(encodePolicy(0x30, ops));
    assert.equal(policy.tables.length, 2);
    assert.deepEqual(policy.operations, ops);
    const o = policy.operations.get(1)!.do!;
    assert.equal(o.get(1)!.nested!.get(1)!.nested, o);
  });

  it("encodes only the asked command", () => {
    const t: PolicyTable = new Map([[1, { type: PolicyType.Flag }]]);
    const u: PolicyTable = new Map([[1, { type: PolicyType.U8 }]]);
    const messages = encodePolicy(
      0x30,
      new Map([[1, { do: t }], [2, { do: u }]]),
      2,
    );
    assert.equal(messages.length, 2);
    assert.deepEqual(
      decodePolicy(messages).operations,
      new Map([[2, { do: u }]]),
    );
  });
});

describe("policyFor()", () => {
  const t: PolicyTable = new Map();
  const d: PolicyTable = new Map();
  const policy: Policy = {
    familyId: 1,
    operations: new Map([[4, { do: t, dump: d }]]),
    tables: [t, d],
  };
  it("picks the do or dump table", () => {
    assert.equal(policyFor(policy, 4, false), t);
    assert.equal(policyFor(policy, 4, true), d);
    assert.equal(policyFor(policy, 5, false), undefined);
  });
  it("falls back to table 0 when the kernel sent no per-command entries", () => {
    assert.equal(
      policyFor({ familyId: 1, operations: new Map(), tables: [t] }, 9, false),
      t,
    );
  });
});

describe("formatAttributePolicy()", () => {
  const cases: [string, Parameters<typeof formatAttributePolicy>[0], string][] =
    [
      [
        "u16 range",
        { type: PolicyType.U16, minValue: 0n, maxValue: 65535n },
        "type=U16 range:[0,65535]",
      ],
      [
        "signed",
        { type: PolicyType.S32, minValue: -3n, maxValue: 3n },
        "type=S32 range:[-3,3]",
      ],
      [
        "nul string",
        { type: PolicyType.NulString, maxLength: 15 },
        "type=NUL_STRING max len:15",
      ],
      [
        "binary",
        { type: PolicyType.Binary, minLength: 4, maxLength: 16 },
        "type=BINARY min len:4 max len:16",
      ],
      ["mask", { type: PolicyType.U32, mask: 3n }, "type=U32 mask:0x3"],
      [
        "bitfield",
        { type: PolicyType.Bitfield32, bitfield32Mask: 7 },
        "type=BITFIELD32 mask:0x7",
      ],
      ["flag", { type: PolicyType.Flag }, "type=FLAG"],
      ["unknown", { type: 99 }, "type=unknown(99)"],
    ];
  for (const [name, p, want] of cases) {
    it(`prints ${name}`, () => assert.equal(formatAttributePolicy(p), want));
  }
  it("prints the index of a nested table", () => {
    const inner: PolicyTable = new Map();
    assert.equal(
      formatAttributePolicy({
        type: PolicyType.Nested,
        nested: inner,
        maxType: 3,
      }, [new Map(), inner]),
      "type=NESTED policy:1 maxattr:3",
    );
  });
});

describe("validateRequest()", { skip: BIG_ENDIAN }, () => {
  const header: PolicyTable = new Map([
    [1, { type: PolicyType.U32, minValue: 0n, maxValue: 4294967295n }],
    [2, { type: PolicyType.NulString, maxLength: 15 }],
    [3, { type: PolicyType.U32, mask: 3n }],
  ]);
  const table: PolicyTable = new Map([
    [1, { type: PolicyType.Nested, nested: header, maxType: 3 }],
    [2, { type: PolicyType.U8, minValue: 1n, maxValue: 8n }],
    [3, { type: PolicyType.Flag }],
    [4, { type: PolicyType.String, maxLength: 4 }],
    [5, { type: PolicyType.Binary, minLength: 2, maxLength: 4 }],
    [6, { type: PolicyType.Bitfield32, bitfield32Mask: 0x5 }],
    [7, { type: PolicyType.S16, minValue: -10n, maxValue: 10n }],
    [8, { type: PolicyType.NestedArray, nested: header, maxType: 3 }],
    [9, { type: PolicyType.Uint, minValue: 0n, maxValue: 1000n }],
    [10, { type: PolicyType.U16, minValue: 1n, maxValue: 100n }],
  ]);
  const e = (): AttributeEncoder => new AttributeEncoder();
  const bitfield = (value: number, selector: number): Uint8Array =>
    new Uint8Array(new Uint32Array([value, selector]).buffer);

  const ok: [string, AttributeEncoder][] = [
    [
      "a full valid request",
      e().nested(1, (h) => h.uint32(1, 7).string(2, "eth0").uint32(3, 2)).uint8(
        2,
        8,
      ).flag(3)
        .string(4, "abcd").bytes(5, new Uint8Array(3)).bytes(6, bitfield(4, 5))
        .int16(7, -10)
        .nested(
          8,
          (a) =>
            a.nested(0, (x) => x.uint32(1, 1)).nested(
              1,
              (x) => x.string(2, "lo"),
            ),
        )
        .uint32(9, 1000).uint64(9, 5n),
    ],
    ["an empty nest", e().nested(1, () => {})],
    [
      "a string of max length without NUL",
      e().bytes(4, new TextEncoder().encode("abcd")),
    ],
    [
      "a NUL string of 15 characters",
      e().nested(1, (h) => h.string(2, "a".repeat(15))),
    ],
    [
      "a big-endian value honoured by NLA_F_NET_BYTEORDER",
      e().raw(
        new Uint8Array([
          6,
          0,
          10,
          AttributeFlags.NetByteOrder >> 8,
          0,
          50,
          0,
          0,
        ]),
      ),
    ],
  ];
  for (const [name, enc] of ok) {
    it(`accepts ${name}`, () => validateRequest(table, enc.encode()));
  }

  const bad: [string, AttributeEncoder, RegExp][] = [
    [
      "a value above the maximum",
      e().uint8(2, 9),
      /attribute 2 \(U8\) breaks the policy: value 9 is out of range \[1,8\]/,
    ],
    [
      "a value below the minimum",
      e().uint8(2, 0),
      /value 0 is out of range \[1,8\]/,
    ],
    [
      "a signed value out of range",
      e().int16(7, -11),
      /attribute 7 \(S16\).*value -11 is out of range \[-10,10\]/,
    ],
    [
      "a wrong integer length",
      e().uint16(2, 1),
      /attribute 2 \(U8\) breaks the policy: length 2 is not 1 bytes/,
    ],
    ["a uint of 2 bytes", e().uint16(9, 1), /length 2 is not 4 or 8 bytes/],
    ["a uint out of range", e().uint64(9, 1001n), /value 1001 is out of range/],
    [
      "bits outside a mask",
      e().nested(1, (h) => h.uint32(3, 4)),
      /attribute 1 > 3 \(U32\) breaks the policy: value 0x4 has bits outside the mask 0x3/,
    ],
    [
      "a NUL string too long",
      e().nested(1, (h) => h.string(2, "a".repeat(16))),
      /attribute 1 > 2 \(NUL_STRING\).*length 17 is more than max len 15/,
    ],
    [
      "a NUL string without NUL",
      e().nested(1, (h) => h.bytes(2, new Uint8Array([0x61]))),
      /not NUL-terminated/,
    ],
    [
      "a string too long",
      e().string(4, "abcde"),
      /attribute 4 \(STRING\).*length 5 is more than max len 4/,
    ],
    ["an empty string", e().bytes(4, new Uint8Array()), /the string is empty/],
    [
      "binary too short",
      e().bytes(5, new Uint8Array(1)),
      /length 1 is less than min len 2/,
    ],
    [
      "binary too long",
      e().bytes(5, new Uint8Array(5)),
      /length 5 is more than max len 4/,
    ],
    [
      "a flag with payload",
      e().uint8(3, 1),
      /attribute 3 \(FLAG\).*a flag has no payload, got 1 bytes/,
    ],
    [
      "a bitfield selector outside the mask",
      e().bytes(6, bitfield(0, 2)),
      /selector 0x2 has bits outside the mask 0x5/,
    ],
    [
      "a bitfield value outside the mask",
      e().bytes(6, bitfield(2, 0)),
      /value 0x2 has bits outside the mask 0x5/,
    ],
    [
      "a bitfield value not selected",
      e().bytes(6, bitfield(4, 1)),
      /value 0x4 sets bits not in the selector 0x1/,
    ],
    ["a bitfield of wrong length", e().uint32(6, 1), /length 4 is not 8 bytes/],
    [
      "an unknown attribute",
      e().uint8(11, 1),
      /attribute 11 \(unknown\).*type 11 is above the maximum 10/,
    ],
    ["attribute type 0", e().uint8(0, 1), /attribute type 0 is never valid/],
    [
      "a type above a nest's max type",
      e().nested(1, (h) => h.uint32(4, 1)),
      /attribute 1 > 4 \(unknown\).*type 4 is above the maximum 3/,
    ],
    [
      "a bad entry of a nested array",
      e().nested(
        8,
        (a) =>
          a.nested(0, (x) => x.uint32(1, 1)).nested(
            1,
            (x) => x.string(2, "x".repeat(20)),
          ),
      ),
      /attribute 8 > 1 > 2 \(NUL_STRING\)/,
    ],
    [
      "a nest without NLA_F_NESTED",
      e().bytes(1, e().uint32(1, 1).encode()),
      /attribute 1 \(NESTED\) breaks the policy: NLA_F_NESTED is missing/,
    ],
    [
      "NLA_F_NESTED on binary data",
      e().bytes(5 | AttributeFlags.Nested, new Uint8Array(3)),
      /attribute 5 \(BINARY\) breaks the policy: NLA_F_NESTED is not expected/,
    ],
    [
      "a nest of 2 bytes",
      e().bytes(1 | AttributeFlags.Nested, new Uint8Array(2)),
      /length 2 is too short for a nest/,
    ],
  ];
  for (const [name, enc, message] of bad) {
    it(`refuses ${name} with a TypeError naming attribute and rule`, () => {
      assert.throws(
        () => validateRequest(table, enc.encode()),
        (err: unknown) => {
          assert.ok(err instanceof TypeError);
          assert.ok(err instanceof PolicyError);
          assert.equal(err.name, "PolicyError");
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it("checks an integer's length before its NLA_F_NESTED flag, as validate_nla() does", () => {
    assert.throws(
      () =>
        validateRequest(table, e().nested(2, (x) => x.uint8(1, 1)).encode()),
      {
        message:
          /attribute 2 \(U8\) breaks the policy: length 8 is not 1 bytes/,
      },
    );
  });

  it("tells an unknown type from an unchecked one below the maximum", () => {
    const small: PolicyTable = new Map([[1, { type: PolicyType.U8 }], [3, {
      type: PolicyType.U8,
    }]]);
    assert.throws(() => validateRequest(small, e().uint8(2, 1).encode()), {
      message: /type 2 is not in the kernel's policy/,
      kernelMessage: "Unsupported attribute",
    });
    assert.throws(() => validateRequest(small, e().uint8(4, 1).encode()), {
      message: /type 4 is above the maximum 3/,
      kernelMessage: "Unknown attribute type",
    });
    assert.throws(
      () => validateRequest(small, e().uint8(3, 1).encode(), { maxType: 2 }),
      {
        kernelMessage: "Unknown attribute type",
      },
    );
  });

  // What Linux answers for each rule (validate_nla() in lib/nlattr.c).
  const answers: [string, AttributeEncoder, number, string][] = [
    ["range", e().uint8(2, 9), 34, "integer out of range"],
    ["mask", e().nested(1, (h) => h.uint32(3, 4)), 22, "reserved bit set"],
    ["strict length", e().uint16(2, 1), 22, "invalid attribute length"],
    ["uint length", e().uint16(9, 1), 22, "invalid attribute length"],
    [
      "nul string",
      e().nested(1, (h) => h.string(2, "a".repeat(16))),
      22,
      "Attribute failed policy validation",
    ],
    [
      "string length",
      e().string(4, "abcde"),
      34,
      "Attribute failed policy validation",
    ],
    ["flag payload", e().uint8(3, 1), 34, "Attribute failed policy validation"],
    [
      "binary range",
      e().bytes(5, new Uint8Array(5)),
      34,
      "binary attribute size out of range",
    ],
    [
      "bitfield bits",
      e().bytes(6, bitfield(4, 1)),
      22,
      "Attribute failed policy validation",
    ],
    [
      "bitfield length",
      e().uint32(6, 1),
      34,
      "Attribute failed policy validation",
    ],
    [
      "nested flag",
      e().bytes(1, e().uint32(1, 1).encode()),
      22,
      "NLA_F_NESTED is missing",
    ],
    ["unknown", e().uint8(11, 1), 22, "Unknown attribute type"],
  ];
  for (const [name, enc, errno, kernelMessage] of answers) {
    it(`reports what Linux answers for ${name}: errno ${errno}, "${kernelMessage}"`, () => {
      assert.throws(() => validateRequest(table, enc.encode()), {
        errno,
        kernelMessage,
      });
    });
  }

  it("reports the attribute path and rule as properties", () => {
    try {
      validateRequest(table, e().nested(1, (h) => h.uint32(3, 8)).encode());
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof PolicyError);
      assert.deepEqual(err.attributePath, [1, 3]);
      assert.equal(err.policyType, "U32");
      assert.equal(err.rule, "value 0x8 has bits outside the mask 0x3");
    }
  });

  it("accepts unknown attributes and missing NLA_F_NESTED when not strict", () => {
    validateRequest(
      table,
      e().uint8(11, 1).bytes(1, e().uint32(1, 1).encode()).encode(),
      { strict: false },
    );
  });

  it("accepts a longer integer when not strict, as the kernel does, but never a shorter one", () => {
    validateRequest(table, e().uint16(2, 1).encode(), { strict: false });
    assert.throws(
      () =>
        validateRequest(table, e().uint8(10, 1).encode(), { strict: false }),
      /length 1 is not 2 bytes/,
    );
  });

  it("refuses an empty nest without NLA_F_NESTED when strict", () => {
    assert.throws(
      () => validateRequest(table, e().bytes(1, new Uint8Array()).encode()),
      /NLA_F_NESTED is missing/,
    );
    validateRequest(table, e().bytes(1, new Uint8Array()).encode(), {
      strict: false,
    });
  });

  it("takes a list of attributes", () => {
    assert.throws(
      () => validateRequest(table, [{ type: 2, data: new Uint8Array([9]) }]),
      PolicyError,
    );
    validateRequest(table, [{ type: 2, data: new Uint8Array([3]) }]);
  });

  it("names the operation in the message", () => {
    assert.throws(
      () =>
        validateRequest(table, e().uint8(2, 9).encode(), {
          op: "execute ethtool command 2",
        }),
      {
        message: /^Cannot execute ethtool command 2: attribute 2/,
      },
    );
  });

  it("throws RangeError for malformed bytes", () => {
    assert.throws(
      () => validateRequest(table, new Uint8Array([8, 0, 2, 0, 1])),
      RangeError,
    );
  });
});
