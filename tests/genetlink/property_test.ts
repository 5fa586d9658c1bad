import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AttributePolicy,
  decodeAttributePolicy,
  decodeFamily,
  decodeGenlMessage,
  decodePolicy,
  encodeAttributePolicy,
  encodeFamily,
  encodeGenlMessage,
  encodePolicy,
  type Family,
  type OperationPolicy,
  PolicyError,
  type PolicyTable,
  PolicyType,
  validateRequest,
} from "../../src/genetlink/mod.ts";

/** Passes when `f` returns or throws one of the allowed error classes. */
function onlyTypedErrors(
  f: () => unknown,
  allowed: (new (...a: never[]) => Error)[] = [RangeError],
): void {
  try {
    f();
  } catch (e) {
    if (!allowed.some((c) => e instanceof c)) throw e;
  }
}

/** fast-check's records have a null prototype; deepEqual compares prototypes. */
function record<T extends Record<string, unknown>>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
): fc.Arbitrary<T> {
  return fc.record(model).map((r) => ({ ...r }) as T);
}

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const name = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz_0123456789"),
  minLength: 1,
  maxLength: 15,
});

describe("properties: generic netlink messages", () => {
  it("decode(encode(m)) is m", () => {
    fc.assert(
      fc.property(
        u8,
        u8,
        fc.uint8Array({ maxLength: 64 }),
        (command, version, data) => {
          const m = { header: { command, version }, data };
          const back = decodeGenlMessage(encodeGenlMessage(m));
          assert.deepEqual(back.header, m.header);
          assert.deepEqual([...back.data], [...data]);
        },
      ),
    );
  });

  it("decoding arbitrary bytes only throws RangeError", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 16 }),
        (b) => onlyTypedErrors(() => decodeGenlMessage(b)),
      ),
    );
  });
});

describe("properties: families", () => {
  const family: fc.Arbitrary<Family> = record({
    id: u16,
    name,
    version: u8,
    headerSize: u32,
    maxAttribute: u32,
    operations: fc.array(record({ id: u32, flags: u32 }), { maxLength: 20 }),
    groups: fc.array(record({ id: u32, name }), { maxLength: 8 }),
  });

  it("decodeFamily(encodeFamily(f)) is f", () => {
    fc.assert(
      fc.property(
        family,
        (f) => assert.deepEqual(decodeFamily(encodeFamily(f)), f),
      ),
    );
  });

  it("decoding arbitrary bytes only throws RangeError", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 96 }),
        (b) => onlyTypedErrors(() => decodeFamily(b)),
      ),
    );
  });
});

const S64_MIN = -(2n ** 63n);
const S64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/** An attribute policy without nesting (nesting is linked afterwards). */
const leaf: fc.Arbitrary<AttributePolicy> = fc.oneof(
  record({ type: fc.constantFrom(PolicyType.Flag) }),
  fc.tuple(
    fc.constantFrom(
      PolicyType.U8,
      PolicyType.U16,
      PolicyType.U32,
      PolicyType.U64,
      PolicyType.Uint,
    ),
    fc.bigInt(0n, U64_MAX),
    fc.bigInt(0n, U64_MAX),
  )
    .map(([type, a, b]) => ({
      type,
      minValue: a < b ? a : b,
      maxValue: a < b ? b : a,
    })),
  fc.tuple(
    fc.constantFrom(
      PolicyType.S8,
      PolicyType.S16,
      PolicyType.S32,
      PolicyType.S64,
      PolicyType.Sint,
    ),
    fc.bigInt(S64_MIN, S64_MAX),
    fc.bigInt(S64_MIN, S64_MAX),
  )
    .map(([type, a, b]) => ({
      type,
      minValue: a < b ? a : b,
      maxValue: a < b ? b : a,
    })),
  record({
    type: fc.constantFrom(PolicyType.U32, PolicyType.U64),
    mask: fc.bigInt(0n, U64_MAX),
  }),
  record({
    type: fc.constantFrom(
      PolicyType.Binary,
      PolicyType.String,
      PolicyType.NulString,
    ),
    maxLength: u16,
  }),
  record({
    type: fc.constant(PolicyType.Binary),
    minLength: u16,
    maxLength: u16,
  }),
  record({ type: fc.constant(PolicyType.Bitfield32), bitfield32Mask: u32 }),
  record({ type: fc.constant(PolicyType.Nested) }),
);

/** Several tables whose nested attributes point at any table (cycles included), and commands using them. */
const policyArb = fc.tuple(
  fc.array(
    fc.uniqueArray(
      fc.tuple(
        fc.integer({ min: 1, max: 40 }),
        leaf,
        fc.nat(),
        fc.option(u16, { nil: undefined }),
      ),
      {
        selector: ([t]) => t,
        maxLength: 6,
      },
    ),
    { minLength: 1, maxLength: 5 },
  ),
  fc.uniqueArray(
    fc.tuple(
      u8,
      fc.option(fc.nat(), { nil: undefined }),
      fc.option(fc.nat(), { nil: undefined }),
    ),
    {
      selector: ([c]) => c,
      maxLength: 6,
    },
  ),
).map(([specs, ops]) => {
  const tables: PolicyTable[] = specs.map(() => new Map());
  specs.forEach((attrs, i) => {
    for (
      const [type, p, target, maxType] of [...attrs].sort((a, b) => a[0] - b[0])
    ) {
      const q: AttributePolicy = { ...p };
      if (q.type === PolicyType.Nested) {
        q.nested = tables[target % tables.length]!;
        if (maxType !== undefined) q.maxType = maxType;
      }
      tables[i]!.set(type, q);
    }
  });
  const operations = new Map<number, OperationPolicy>();
  for (const [cmd, d, u] of ops) {
    const op: OperationPolicy = {};
    if (d !== undefined) op.do = tables[d % tables.length]!;
    if (u !== undefined) op.dump = tables[u % tables.length]!;
    if (op.do !== undefined || op.dump !== undefined) operations.set(cmd, op);
  }
  return { tables, operations };
});

describe("properties: policies", () => {
  it("decodePolicy(encodePolicy(p)) has the same operations and tables", () => {
    fc.assert(fc.property(policyArb, ({ operations }) => {
      const decoded = decodePolicy(encodePolicy(0x30, operations));
      assert.equal(decoded.familyId, operations.size === 0 ? 0 : 0x30);
      assert.deepEqual(decoded.operations, operations);
    }));
  });

  it("decodeAttributePolicy(encodeAttributePolicy(p)) is p without its nested table", () => {
    fc.assert(
      fc.property(
        leaf,
        (p) =>
          assert.deepEqual(decodeAttributePolicy(encodeAttributePolicy(p)), p),
      ),
    );
  });

  it("decoding arbitrary dumps only throws RangeError", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }),
        (datas) =>
          onlyTypedErrors(() =>
            decodePolicy(
              datas.map((data) => ({
                header: { command: 10, version: 2 },
                data,
              })),
            )
          ),
      ),
    );
  });

  it("validating arbitrary bytes only throws PolicyError or RangeError", () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.uint8Array({ maxLength: 64 }),
        fc.boolean(),
        ({ tables }, b, strict) =>
          onlyTypedErrors(() => validateRequest(tables[0]!, b, { strict }), [
            PolicyError,
            RangeError,
          ]),
      ),
    );
  });

  it("validates what a policy allows: in-range values of every integer type", () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 255n),
        fc.bigInt(0n, 255n),
        fc.bigInt(0n, 255n),
        (a, b, v) => {
          const [min, max] = a < b ? [a, b] : [b, a];
          const table: PolicyTable = new Map([[1, {
            type: PolicyType.U8,
            minValue: min,
            maxValue: max,
          }]]);
          const bytes = new Uint8Array([5, 0, 1, 0, Number(v), 0, 0, 0]);
          const inRange = v >= min && v <= max;
          if (inRange) validateRequest(table, bytes);
          else {assert.throws(
              () => validateRequest(table, bytes),
              PolicyError,
            );}
        },
      ),
    );
  });
});
