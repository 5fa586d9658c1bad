/**
 * The specialised decoders of hot operations (rtnetlink dumps) give the
 * same values as the table-driven decoder, and the same bytes when encoded
 * again: on valid values, on arbitrary and mutated bytes, on the corpus.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import {
  compiled,
  decodeWith,
  encodeWith,
  hex,
  loadFamilies,
} from "./_families.ts";
import { FamilyArbitraries } from "./_arbitrary.ts";
import { loadCorpus, samples } from "./_corpus.ts";
import type { RtOp } from "../../src/families/_schema.ts";
import { DecodeScope } from "../../src/families/_codec.ts";

const families = await loadFamilies();
const RUNS = Number(process.env.FAMILIES_RUNS ?? 60);

/** Every operation with a specialised decoder, once per header and set. */
const hot: { spec: string; op: RtOp; arbs: FamilyArbitraries }[] = [];
for (const [spec, mod] of families) {
  const rt = compiled(mod.family);
  const seen = new Set<unknown>();
  for (const op of rt.ops.values()) {
    if (op.fast === null || seen.has(op.fast)) continue;
    seen.add(op.fast);
    hot.push({ spec, op, arbs: new FamilyArbitraries(rt) });
  }
}

/** Fast and table-driven decoding agree (when the fast one decodes at all). */
function same(op: RtOp, b: Uint8Array): boolean {
  const fast = op.fast!(b, 0, b.length, new DecodeScope());
  if (fast === undefined) return false;
  const slow = decodeWith(op.header, op.set, b);
  assert.deepEqual(fast, slow);
  assert.equal(
    hex(encodeWith(op.header, op.set, fast)),
    hex(encodeWith(op.header, op.set, slow)),
  );
  return true;
}

describe("families: specialised decoders", () => {
  it("exist for the rtnetlink dumps", () => {
    assert.deepEqual(
      hot.map((h) => `${h.spec} ${h.op.header!.name} ${h.op.set!.name}`).sort(),
      [
        "rt-addr ifaddrmsg addr-attrs",
        "rt-link ifinfomsg link-attrs",
        "rt-neigh ndmsg neighbour-attrs",
        "rt-route rtmsg route-attrs",
        "rt-rule fib-rule-hdr fib-rule-attrs",
      ],
    );
  });

  for (const { spec, op, arbs } of hot) {
    it(`${spec}: valid values decode the same through both decoders`, () => {
      let fast = 0;
      fc.assert(
        fc.property(arbs.body(op.header, op.set), (v) => {
          const b = encodeWith(op.header, op.set, v);
          if (same(op, b)) fast++;
        }),
        { numRuns: RUNS },
      );
      // Values with arrays, sub-messages and the like go the table-driven way.
      assert.ok(fast > 0, `${fast} of ${RUNS} on the fast path`);
    });

    it(`${spec}: arbitrary and mutated bytes decode the same or fall back`, () => {
      const valid = arbs.body(op.header, op.set).map((v) =>
        encodeWith(op.header, op.set, v)
      );
      const mutated = fc.tuple(
        valid,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
      ).map(([b, at, x]) => {
        const out = b.slice();
        if (out.length > 0) out[at % out.length] = x;
        return out;
      });
      fc.assert(
        fc.property(
          fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated),
          (b) => {
            try {
              same(op, b);
            } catch (e) {
              // Only the table-driven decoder throws (the fast one gives up first).
              assert.ok(e instanceof RangeError, String(e));
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  for (const { spec, op, arbs } of hot) {
    it(`${spec}: attributes the spec does not know stay in place on the fast path`, () => {
      const firstUnknown = op.set!.byId.length;
      const headerEnd = (op.header!.size + 3) & ~3;
      let fast = 0;
      fc.assert(
        fc.property(
          arbs.body(op.header, op.set),
          fc.array(
            fc.tuple(
              fc.nat(),
              fc.nat({ max: 3 }),
              fc.uint8Array({ maxLength: 9 }),
            ),
            { minLength: 1, maxLength: 4 },
          ),
          (v, extra) => {
            const b = encodeWith(op.header, op.set, v);
            // Attribute boundaries after the header.
            const starts: number[] = [];
            for (let p = headerEnd; p < b.length;) {
              starts.push(p);
              p += (b[p]! | (b[p + 1]! << 8)) + 3 & ~3;
            }
            starts.push(b.length);
            const parts: Uint8Array[] = [b.subarray(0, headerEnd)];
            let prev = headerEnd;
            const inserts = extra.map(([at, id, data]) => {
              const len = 4 + data.length;
              const a = new Uint8Array((len + 3) & ~3);
              a[0] = len & 0xff;
              a[2] = (firstUnknown + id) & 0xff;
              a[3] = (firstUnknown + id) >> 8;
              a.set(data, 4);
              return [starts[at % starts.length]!, a] as const;
            }).sort((x, y) => x[0] - y[0]);
            for (const [at, a] of inserts) {
              parts.push(b.subarray(prev, at), a);
              prev = at;
            }
            parts.push(b.subarray(prev));
            const withUnknown = new Uint8Array(
              parts.reduce((n, p) => n + p.length, 0),
            );
            let o = 0;
            for (const p of parts) {
              withUnknown.set(p, o);
              o += p.length;
            }
            if (same(op, withUnknown)) {
              fast++;
              const value = op.fast!(
                withUnknown,
                0,
                withUnknown.length,
                new DecodeScope(),
              )!;
              assert.equal(
                hex(encodeWith(op.header, op.set, value)),
                hex(withUnknown),
              );
            }
          },
        ),
        { numRuns: RUNS },
      );
      assert.ok(fast > 0, `${fast} of ${RUNS} on the fast path`);
    });
  }

  it("give up on a view that claims bytes past the buffer", () => {
    for (const { op, arbs } of hot) {
      const b = encodeWith(
        op.header,
        op.set,
        fc.sample(arbs.body(op.header, op.set), { numRuns: 1, seed: 7 })[0],
      );
      assert.notEqual(op.fast!(b, 0, b.length, new DecodeScope()), undefined);
      assert.equal(op.fast!(b, 0, b.length + 8, new DecodeScope()), undefined);
      assert.equal(op.fast!(b, -4, b.length, new DecodeScope()), undefined);
    }
  });

  it("corpus samples of hot operations decode the same", () => {
    const { samples: all } = samples(families, loadCorpus());
    let fast = 0;
    for (const s of all) {
      const h = hot.find((x) => x.op.header === s.header && x.op.set === s.set);
      if (h === undefined) continue;
      try {
        if (same(h.op, s.body)) fast++;
      } catch (e) {
        assert.ok(e instanceof RangeError, `${s.record.id}: ${e}`);
      }
    }
    assert.ok(fast >= 20, `${fast} corpus samples on the fast path`);
  });
});
