/**
 * Runs the cases of bench/corpus.ts with mitata and prints ns/op.
 *
 *     node_modules/.bin/deno run -A bench/run.ts [regex ...]
 *     node_modules/.bin/bun bench/run.ts [regex ...]
 *
 * Arguments are regular expressions; a case runs when its name matches any
 * of them (all cases without arguments).
 *
 * @module
 */

import process from "node:process";
import { bench, do_not_optimize, run } from "mitata";
import { cases } from "./corpus.ts";

function runtime(): string {
  const g = globalThis as {
    Deno?: { version: { deno: string; v8: string } };
    Bun?: { version: string };
  };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno} (v8 ${g.Deno.version.v8})`;
  return `node ${process.version}`;
}

const patterns = process.argv.slice(2).filter((a) => !a.startsWith("-")).map((
  a,
) => new RegExp(a));
const selected = cases.filter((c) =>
  patterns.length === 0 || patterns.some((p) => p.test(c.name))
);

console.log(
  `# nlkit bench: ${runtime()}, ${process.platform}/${process.arch}, ${selected.length} cases`,
);

for (const c of selected) {
  bench(c.name, () => do_not_optimize(c.run()));
}

const { benchmarks } = await run({ format: "quiet", throw: true });

function ns(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} ms`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} µs`;
  return `${n.toFixed(1)} ns`;
}

const width = Math.max(...selected.map((c) => c.name.length), 4);
console.log(
  `${"case".padEnd(width)}  ${"ns/op".padStart(12)}  ${"p75".padStart(10)}  ${
    "per item".padStart(10)
  }`,
);
for (const b of benchmarks) {
  const stats = b.runs[0]?.stats;
  if (!stats) continue;
  const c = selected.find((x) => x.name === b.alias)!;
  const perItem = c.ops > 1 ? ns(stats.avg / c.ops) : "";
  console.log(
    `${b.alias.padEnd(width)}  ${stats.avg.toFixed(1).padStart(12)}  ${
      ns(stats.p75).padStart(10)
    }  ${perItem.padStart(10)}`,
  );
}
