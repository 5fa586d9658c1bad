/**
 * Runs the cases of bench/corpus.ts (the netlink core) and
 * bench/families_corpus.ts (the generated families) with mitata and prints
 * ns/op and bytes allocated per op.
 *
 *     node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/run.ts [regex ...]
 *     node_modules/.bin/bun bench/run.ts [regex ...]
 *
 * Arguments are regular expressions; a case runs when its name matches any
 * of them (all cases without arguments). `--no-alloc` skips the allocation
 * column, `--calibrate` adds cases whose allocation is known (an empty
 * function, an object, small and large Uint8Arrays) to check the method.
 *
 * ## Time
 *
 * `ns/op` and `p75` come from mitata (mean and 75th percentile of its
 * samples); `per item` divides the mean by the case's `ops`, as `B/item`
 * divides `bytes/op`; `n` is the allocation window size (below).
 *
 * ## Bytes allocated per op
 *
 * mitata's own heap column is not used: on Deno it reads
 * `used_heap_size + malloced_memory`, which misses ArrayBuffer backing
 * stores and drops samples in which a GC ran, and on Bun it reads the
 * process RSS, which says almost nothing about one call. Instead, after
 * mitata has warmed every case up, each case's `run` is called `n` times in
 * a row (a "window") between two readings, and the difference divided by
 * `n` is printed, minus the same reading around a window of an empty
 * function (the cost of the readings themselves). An `async` case (one
 * that goes through a `Conn` over the simulated kernel) is awaited call by
 * call, in the timing and in the window, and the window of an async empty
 * function (`() => Promise.resolve(0)`, awaited) is subtracted instead.
 *
 * - Deno (V8): `node:v8` `getHeapStatistics()`. The bytes are the growth
 *   of `used_heap_size` (JS heap, including typed arrays of up to 64 bytes,
 *   which V8 keeps on the heap) plus the growth of `external_memory`
 *   (ArrayBuffer backing stores, outside the heap). Both only hold without
 *   a GC in the window, so a window is retried with half the calls when
 *   `used_heap_size` grew by over 512 KiB less than
 *   `total_allocated_bytes` (V8's running total, which a GC does not lower
 *   but which moves in 256 KiB pages) or `external_memory` shrank. With
 *   `--v8-flags=--expose-gc` two full GCs run before each window
 *   (`globalThis.gc`; two, because the first leaves ArrayBuffers to a
 *   sweeper that would lower `external_memory` during the window); without
 *   it (as in `deno task bench`) the figures agree, with more retries.
 * - Bun (JavaScriptCore): JSC keeps no running total of allocated bytes,
 *   and its `heapSize` only changes when a GC marks. So each measurement
 *   runs `Bun.gc(true)`, then a first, unmeasured window of `n` calls that
 *   uses up the free cells the GC left in the size classes the case
 *   allocates from, then the measured window of `n` calls. The bytes are,
 *   from `bun:jsc` `heapStats()`: the growth of the running totals of
 *   Bun's mimalloc (`mimalloc.malloc_normal.total + malloc_huge.total`:
 *   ArrayBuffer backing stores, string contents, ...) plus the growth of
 *   `heapCapacity` (GC blocks of 16 KiB) not already counted as mimalloc
 *   blocks of 16 KiB (JSC takes some of its GC blocks from mimalloc). JSC
 *   collects after a few MB, so if `heapSize - extraMemorySize` changed (a
 *   GC ran) the measurement is retried with half the calls; if even one
 *   call meets a GC, it is measured without the first window and printed
 *   as `>=` (free cells reused: a lower bound).
 *
 * Each case is measured three times and the least figure kept (JIT compiler
 * threads also allocate from mimalloc and only ever add). `n` is the window
 * size, picked to allocate about 1 MiB (Bun) or 4 MiB (Deno) or take 20 ms,
 * at most 4096 calls.
 *
 * Caveats: figures are JIT-dependent (an allocation the optimiser removes by
 * escape analysis is not counted) and the two engines lay objects out
 * differently, so Bun and Deno figures differ for the same code. V8 counts
 * bytes of objects; JSC counts cells rounded to size classes, and whole
 * 16 KiB blocks, so Bun's figure has an error of up to 16 KiB / n, printed
 * with `~` when that exceeds 10%. A genuine 16 KiB malloc on Bun is not
 * counted when GC blocks grow in the same window. Other threads' mallocs
 * (Bun) and heap-statistics bookkeeping add noise of a few hundred bytes
 * per window: small positive or negative values are noise around 0. `gc`
 * means every window met a GC.
 *
 * @module
 */

import process from "node:process";
import { bench, do_not_optimize, run } from "mitata";
import { type BenchCase, cases } from "./corpus.ts";
import { cases as familyCases } from "./families_corpus.ts";

interface Globals {
  Deno?: { version: { deno: string; v8: string } };
  Bun?: { version: string; gc(force: boolean): void };
  gc?: () => void;
}
const G = globalThis as unknown as Globals;

function runtime(): string {
  if (G.Bun) return `bun ${G.Bun.version}`;
  if (G.Deno) return `deno ${G.Deno.version.deno} (v8 ${G.Deno.version.v8})`;
  return `node ${process.version}`;
}

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith("-")));
const patterns = process.argv.slice(2).filter((a) => !a.startsWith("-")).map((
  a,
) => new RegExp(a));

let sink: unknown;
const calibration: BenchCase[] = [
  { name: "calibrate/empty", ops: 1, run: () => 0 },
  {
    name: "calibrate/object-5-props+array-1",
    ops: 1,
    run: () => ({ a: 1, b: 2, c: 3, d: 4, e: [sink] }),
  },
  { name: "calibrate/Uint8Array(16)", ops: 1, run: () => new Uint8Array(16) },
  {
    name: "calibrate/Uint8Array(1000)",
    ops: 1,
    run: () => new Uint8Array(1000),
  },
  {
    name: "calibrate/Uint8Array(5000)",
    ops: 1,
    run: () => new Uint8Array(5000),
  },
];

const selected = [
  ...(flags.has("--calibrate") ? calibration : []),
  ...cases,
  ...familyCases,
].filter((c) => patterns.length === 0 || patterns.some((p) => p.test(c.name)));

/** A reading of the allocation counters, and whether a GC may have run. */
interface Reading {
  /** Off-heap bytes: V8 external memory; Bun: mimalloc running total. */
  bytes: number;
  /** Bun: live GC heap size, which only a GC changes; V8: running total. */
  mark: number;
  /** GC heap: V8 used heap; Bun: heap capacity less mimalloc'd blocks. */
  heap: number;
}

interface Probe {
  name: string;
  read(): Reading;
  /** Forces a full GC, if the runtime lets us. */
  gc(): void;
  /** True when a GC ran between `a` and `b`. */
  collected(a: Reading, b: Reading): boolean;
  /** Bytes allocated between `a` and `b`. */
  delta(a: Reading, b: Reading): number;
  /** Run one unmeasured window first (to use up free cells), Bun only. */
  prefill: boolean;
  /** Granularity of `bytes`. */
  granule: number;
}

async function probe(): Promise<Probe | null> {
  if (G.Bun) {
    const jsc = await import("bun:jsc");
    const bun = G.Bun;
    // mimalloc's running totals of bytes handed out (a GC does not lower
    // them), less the 16 KiB blocks it gives JSC's GC heap, which
    // heapCapacity counts already.
    interface Bin {
      total: number;
      block_size: number;
    }
    interface Mi {
      malloc_normal?: { total: number };
      malloc_huge?: { total: number };
      malloc_bins?: Bin[];
    }
    const mi = (m: Mi | undefined): [number, number] => {
      const block = m?.malloc_bins?.find((x) => x.block_size === 16384);
      return [
        (m?.malloc_normal?.total ?? 0) + (m?.malloc_huge?.total ?? 0),
        (block?.total ?? 0) * 16384,
      ];
    };
    return {
      name: "bun:jsc heapStats(): heapCapacity growth + mimalloc malloc totals",
      read: () => {
        const h = jsc.heapStats() as
          & ReturnType<typeof jsc.heapStats>
          & { mimalloc?: Mi };
        const [malloced, blocks] = mi(h.mimalloc);
        return {
          bytes: malloced,
          mark: h.heapSize - h.extraMemorySize,
          heap: h.heapCapacity - blocks,
        };
      },
      gc: () => bun.gc(true),
      collected: (a, b) => a.mark !== b.mark,
      delta: (a, b) => (b.bytes - a.bytes) + Math.max(0, b.heap - a.heap),
      prefill: true,
      granule: 16384,
    };
  }
  try {
    const { getHeapStatistics } = await import("node:v8");
    const first = getHeapStatistics() as { total_allocated_bytes?: number };
    if (typeof first.total_allocated_bytes !== "number") return null;
    const gc = G.gc;
    return {
      name: `node:v8 getHeapStatistics(): used_heap_size + external_memory${
        gc ? ", gc exposed" : ", no --expose-gc"
      }`,
      read: () => {
        const s = getHeapStatistics() as unknown as Record<string, number>;
        return {
          bytes: s.external_memory!,
          mark: s.total_allocated_bytes!,
          heap: s.used_heap_size!,
        };
      },
      // Twice: the first GC leaves ArrayBuffers to a sweeper that would
      // lower external_memory during the window.
      gc: () => {
        gc?.();
        gc?.();
      },
      // total_allocated_bytes moves in pages of 256 KiB; a GC shows as the
      // used heap growing much less than it, or external memory shrinking.
      collected: (a, b) =>
        b.bytes < a.bytes || (b.heap - a.heap) + (1 << 19) < b.mark - a.mark,
      delta: (a, b) => (b.bytes - a.bytes) + (b.heap - a.heap),
      prefill: false,
      granule: 1,
    };
  } catch {
    return null;
  }
}

interface Alloc {
  /** Bytes per call, or null when every window met a GC. */
  perOp: number | null;
  /** Calls in the window measured. */
  n: number;
  /** Measured without the prefill window: a lower bound (Bun). */
  lower?: boolean;
}

/** A case's work: synchronous, or awaited call by call (`async`). */
interface Work {
  run: () => unknown;
  async?: true;
}

async function window(
  p: Probe,
  fn: Work,
  n: number,
  prefill = p.prefill,
): Promise<[Reading, Reading, number]> {
  let r: unknown;
  const run = fn.run;
  p.gc();
  if (fn.async) {
    if (prefill) { for (let i = 0; i < n; i++) r = await run(); }
    const t0 = performance.now();
    const a = p.read();
    for (let i = 0; i < n; i++) r = await run();
    const b = p.read();
    sink = r;
    return [a, b, performance.now() - t0];
  }
  if (prefill) { for (let i = 0; i < n; i++) r = run(); }
  const t0 = performance.now();
  const a = p.read();
  for (let i = 0; i < n; i++) r = run();
  const b = p.read();
  sink = r;
  return [a, b, performance.now() - t0];
}

/** Bytes per call of `fn` over `n` calls, halving `n` while a GC intrudes. */
async function measure(p: Probe, fn: Work, n: number): Promise<Alloc> {
  for (let tries = 0; tries < 12; tries++) {
    const [a, b] = await window(p, fn, n);
    if (!p.collected(a, b)) return { perOp: p.delta(a, b) / n, n };
    if (n > 1) n = Math.max(1, n >> 1);
  }
  if (p.prefill) {
    // One call allocates more than JSC lets pass without a GC when preceded
    // by a prefill window: measure without it, reusing free cells.
    for (let tries = 0; tries < 4; tries++) {
      const [a, b] = await window(p, fn, 1, false);
      if (!p.collected(a, b)) {
        return { perOp: p.delta(a, b), n: 1, lower: true };
      }
    }
  }
  return { perOp: null, n };
}

/** Picks a window size: about `target` bytes or 20 ms of calls, 1 to 4096 calls. */
async function windowSize(
  p: Probe,
  fn: Work,
  target: number,
): Promise<number> {
  let n = 1;
  for (;;) {
    // (The calls only: the full GCs before a window grow with the heap.)
    const [a, b, ms] = await window(p, fn, n);
    if (
      n >= 4096 || ms > 20 || (!p.collected(a, b) && p.delta(a, b) >= target)
    ) {
      return n;
    }
    if (p.collected(a, b)) return Math.max(1, n >> 1);
    n *= 2;
  }
}

console.log(
  `# nlkit bench: ${runtime()}, ${process.platform}/${process.arch}, ${selected.length} cases`,
);

for (const c of selected) {
  const run = c.run;
  if (c.async) {
    bench(c.name, async () => do_not_optimize(await run()));
  } else bench(c.name, () => do_not_optimize(run()));
}

const { benchmarks } = await run({ format: "quiet", throw: true });

const p = flags.has("--no-alloc") ? null : await probe();
const allocs = new Map<string, Alloc>();
if (p) {
  console.log(`# bytes/op: ${p.name}`);
  const target = G.Bun ? 1 << 20 : 4 << 20;
  // The cost of the readings, and for async cases of awaiting a call.
  const empty: Work = { run: () => 0 };
  const emptyAsync: Work = { run: () => Promise.resolve(0), async: true };
  const base = await measure(p, empty, 256);
  for (const c of selected) {
    const n = await windowSize(p, c, target);
    const zero = c.async ? emptyAsync : empty;
    // The least of three: JIT compiler threads and the like only add.
    let best: Alloc | undefined;
    for (let i = 0; i < 3; i++) {
      const m = await measure(p, c, n);
      const b0 = await measure(p, zero, m.n);
      if (m.perOp !== null) m.perOp -= b0.perOp ?? base.perOp ?? 0;
      if (
        !best || best.perOp === null ||
        (m.perOp !== null && m.perOp < best.perOp)
      ) best = m;
    }
    allocs.set(c.name, best!);
  }
} else if (!flags.has("--no-alloc")) {
  console.log("# bytes/op: no allocation counter on this runtime");
}

function ns(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} ms`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} µs`;
  return `${n.toFixed(1)} ns`;
}

function bytes(a: Alloc | undefined, granule: number): string {
  if (!a) return "";
  if (a.perOp === null) return "gc";
  const v = Math.round(a.perOp);
  const rough = granule / a.n > Math.max(0.1 * Math.abs(a.perOp), 8);
  return `${a.lower ? ">=" : rough ? "~" : ""}${v}`;
}

const width = Math.max(...selected.map((c) => c.name.length), 4);
console.log(
  `${"case".padEnd(width)}  ${"ns/op".padStart(12)}  ${"p75".padStart(10)}  ${
    "per item".padStart(10)
  }  ${"bytes/op".padStart(10)}  ${"B/item".padStart(7)}  ${"n".padStart(5)}`,
);
for (const b of benchmarks) {
  const stats = b.runs[0]?.stats;
  if (!stats) continue;
  const c = selected.find((x) => x.name === b.alias)!;
  const perItem = c.ops > 1 ? ns(stats.avg / c.ops) : "";
  const a = allocs.get(c.name);
  console.log(
    `${b.alias.padEnd(width)}  ${stats.avg.toFixed(1).padStart(12)}  ${
      ns(stats.p75).padStart(10)
    }  ${perItem.padStart(10)}  ${bytes(a, p?.granule ?? 1).padStart(10)}  ${
      (c.ops > 1 && a?.perOp != null ? String(Math.round(a.perOp / c.ops)) : "")
        .padStart(7)
    }  ${(a ? String(a.n) : "").padStart(5)}`,
  );
}
