/**
 * Every attribute set and every operation body of every spec: values
 * derived from the spec (fast-check) → encode → decode → the same value.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import { compiled, decodeWith, encodeWith, loadFamilies } from "./_families.ts";
import { FamilyArbitraries } from "./_arbitrary.ts";

const families = await loadFamilies();

/** Runs per set (FAMILIES_RUNS=300 for a deeper run): bounded so the 28 specs take about a second. */
const RUNS = Number(process.env.FAMILIES_RUNS ?? 25);

describe("families: encode → decode round trip", () => {
  for (const [spec, mod] of families) {
    it(`${spec}: every attribute set and operation body`, () => {
      const rt = compiled(mod.family);
      const arbs = new FamilyArbitraries(rt);
      for (const set of rt.sets.values()) {
        fc.assert(
          fc.property(arbs.set(set), (v) => {
            const back = decodeWith(null, set, encodeWith(null, set, v, true));
            assert.deepEqual(back, v, `set ${set.name}`);
          }),
          { numRuns: RUNS },
        );
      }
      for (const op of rt.ops.values()) {
        if (op.header === null) continue;
        fc.assert(
          fc.property(arbs.body(op.header, op.set), (v) => {
            const back = decodeWith(
              op.header,
              op.set,
              encodeWith(op.header, op.set, v, true),
            );
            assert.deepEqual(back, v, `operation ${op.desc.name}`);
          }),
          { numRuns: RUNS },
        );
      }
    });
  }
});
