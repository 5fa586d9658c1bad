/**
 * Arbitrary bytes into every generated decoder (every operation's body,
 * every attribute set): only RangeError, never another exception or a
 * hang; and whatever decodes encodes again (the value is one the encoder
 * takes), and is stable from then on. (Exact bytes are the corpus test's
 * job: arbitrary bytes may hold what no encoder writes, such as a
 * zero-length attribute header or a header of 3 bytes.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import { compiled, decodeWith, encodeWith, loadFamilies } from "./_families.ts";
import { FamilyArbitraries } from "./_arbitrary.ts";
import type { RtSet, RtStruct } from "../../src/families/_schema.ts";

const families = await loadFamilies();
const RUNS = Number(process.env.FAMILIES_RUNS ?? 20);

/** Random bytes, and valid encodings with bytes flipped, cut or grown. */
function inputs(
  arbs: FamilyArbitraries,
  header: RtStruct | null,
  set: RtSet | null,
): fc.Arbitrary<Uint8Array> {
  const valid = arbs.body(header, set).map((v) => encodeWith(header, set, v));
  const mutated = fc.tuple(
    valid,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      maxLength: 4,
    }),
    fc.nat(),
  )
    .map(([b, flips, cut]) => {
      const out = b.slice();
      for (const [at, v] of flips) if (out.length > 0) out[at % out.length] = v;
      return cut % 3 === 0
        ? out
        : out.subarray(0, out.length - (cut % Math.max(1, out.length)));
    });
  return fc.oneof(fc.uint8Array({ maxLength: 160 }), mutated);
}

function check(
  header: RtStruct | null,
  set: RtSet | null,
  b: Uint8Array,
  what: string,
): void {
  let v;
  try {
    v = decodeWith(header, set, b);
  } catch (e) {
    assert.ok(e instanceof RangeError, `${what}: ${e}`);
    return;
  }
  // What decodes is a value the encoder takes; one round later it is stable.
  const v2 = decodeWith(header, set, encodeWith(header, set, v));
  assert.deepEqual(
    decodeWith(header, set, encodeWith(header, set, v2)),
    v2,
    what,
  );
}

describe("families: arbitrary bytes into every decoder", () => {
  for (const [spec, mod] of families) {
    it(`${spec}: RangeError or a value that encodes back`, () => {
      const rt = compiled(mod.family);
      const arbs = new FamilyArbitraries(rt, 1);
      for (const set of rt.sets.values()) {
        fc.assert(
          fc.property(
            inputs(arbs, null, set),
            (b) => check(null, set, b, `set ${set.name}`),
          ),
          {
            numRuns: RUNS,
          },
        );
      }
      for (const op of rt.ops.values()) {
        if (op.header === null) continue;
        fc.assert(
          fc.property(
            inputs(arbs, op.header, op.set),
            (b) => check(op.header, op.set, b, `operation ${op.desc.name}`),
          ),
          { numRuns: RUNS },
        );
      }
    });
  }
});
