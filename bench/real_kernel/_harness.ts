/**
 * The shared runner of the `bench/real_kernel/*_bench.ts` files: run.sh lists
 * each file's cases with `--list`, then runs one case per process, under
 * Deno and under Bun, interleaved with the C, libnl and pyroute2 references.
 *
 *   <file>_bench.ts --list            one line per case:
 *                                     "CASE <name> <baseline> <rounds> <n> <label>"
 *   <file>_bench.ts <name> [ROUNDS N] "RESULT <name> <median µs> <min µs> <items>"
 *   <file>_bench.ts --alloc <name> [N] "ALLOC <name> <bytes/op> <items> <bytes/item>" (Deno)
 *
 * `baseline` names the C case the result is compared with (`ack`, `routes`
 * or `links`, the cases of nlbench.c); ROUNDS and N default to the case's.
 * Each round times N operations and keeps their mean; a warm-up round comes
 * first; the median and the minimum are over the rounds, like nlbench.c.
 *
 * `--alloc` (run.sh with `NLKIT_ALLOC=1`, Deno with `--expose-gc`): bytes
 * allocated per operation, the median over 7 windows of N operations after
 * a warm-up, from the growth of V8's used heap (its running total of
 * allocated bytes when a GC ran in the window) plus that of ArrayBuffer
 * memory (`node:v8` `getHeapStatistics()`); everything the
 * process allocates in the window counts, the reads of the kernel's replies
 * too. Bun keeps no running total: there it prints nothing.
 *
 * To add cases: write `bench/real_kernel/<area>_bench.ts` calling
 * {@linkcode runCases}; run.sh picks every `*_bench.ts` file up by itself.
 *
 * @module
 */

/** The C case a result is compared with. */
export type Baseline = "ack" | "routes" | "links";

/** One benchmark case. */
export interface BenchCase {
  /** The C case this compares with. */
  baseline: Baseline;
  /** Default number of timed rounds (the median is over rounds). */
  rounds: number;
  /** Default number of operations per round. */
  n: number;
  /** What one operation does, for the table (no spaces needed). */
  label: string;
  /**
   * Opens what the case needs (a connection...) and returns the operation:
   * `op()` runs once and resolves to the number of items it produced
   * (routes, links; 1 for a round trip). Build a fresh request object per
   * call, as users write code.
   */
  prepare(): Promise<Runner>;
}

/** A prepared case. */
export interface Runner {
  /** One operation; resolves to the number of items. */
  op(): Promise<number>;
  /** Releases what `prepare` opened. */
  close(): Promise<void> | void;
}

const argv = (globalThis as { process?: { argv: string[] } }).process!.argv
  .slice(2);

/**
 * Lists or runs the cases, as told by the command line (see the module doc).
 *
 * @param cases The cases by name.
 */
export async function runCases(
  cases: Readonly<Record<string, BenchCase>>,
): Promise<void> {
  if (argv[0] === "--alloc") {
    await allocOf(cases, argv[1] ?? "", argv[2]);
    return;
  }
  const [name = "--list", roundsText, nText] = argv;
  if (name === "--list") {
    for (const [k, c] of Object.entries(cases)) {
      console.log(`CASE ${k} ${c.baseline} ${c.rounds} ${c.n} ${c.label}`);
    }
    return;
  }
  const c = cases[name];
  if (c === undefined) {
    throw new TypeError(`Cannot run case: unknown case ${name}`);
  }
  const rounds = roundsText === undefined ? c.rounds : Number(roundsText);
  const n = nText === undefined ? c.n : Number(nText);
  const runner = await c.prepare();
  const means: number[] = [];
  let count = 0;
  try {
    for (let r = -1; r < rounds; r++) { // round -1 warms up
      const t0 = performance.now();
      for (let i = 0; i < n; i++) count = await runner.op();
      if (r >= 0) means.push((performance.now() - t0) * 1000 / n);
    }
  } finally {
    await runner.close();
  }
  means.sort((a, b) => a - b);
  console.log(
    `RESULT ${name} ${means[means.length >> 1]!.toFixed(3)} ${
      means[0]!.toFixed(3)
    } ${count}`,
  );
}

/** Bytes allocated per operation of case `name` (see the module doc). */
async function allocOf(
  cases: Readonly<Record<string, BenchCase>>,
  name: string,
  nText: string | undefined,
): Promise<void> {
  const c = cases[name];
  if (c === undefined) {
    throw new TypeError(`Cannot run case: unknown case ${name}`);
  }
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) return;
  const { getHeapStatistics } = await import("node:v8");
  const gc = (globalThis as { gc?: () => void }).gc;
  const read = (): number[] => {
    const h = getHeapStatistics() as unknown as Record<string, number>;
    return [h.total_allocated_bytes!, h.used_heap_size!, h.external_memory!];
  };
  // The used heap's growth when no GC ran in the window (exact), else the
  // running total's (which moves in pages of 256 KiB); plus ArrayBuffers.
  const bytes = (a: number[], b: number[]): number => {
    const total = b[0]! - a[0]!;
    const used = b[1]! - a[1]!;
    const external = Math.max(0, b[2]! - a[2]!);
    return (used >= 0 && total - used < 1 << 19 ? used : total) + external;
  };
  const n = nText === undefined ? c.n : Number(nText);
  const runner = await c.prepare();
  const perOp: number[] = [];
  let count = 0;
  try {
    for (let w = -2; w < 7; w++) { // two warm-up windows
      gc?.();
      gc?.();
      const a = read();
      for (let i = 0; i < n; i++) count = await runner.op();
      const b = read();
      if (w >= 0) perOp.push(bytes(a, b) / n);
    }
  } finally {
    await runner.close();
  }
  perOp.sort((x, y) => x - y);
  const median = perOp[perOp.length >> 1]!;
  console.log(
    `ALLOC ${name} ${median.toFixed(0)} ${count} ${
      (median / Math.max(1, count)).toFixed(0)
    }${gc ? "" : " (no --expose-gc)"}`,
  );
}
