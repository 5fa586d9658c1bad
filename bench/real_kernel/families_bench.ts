/**
 * The generated families on the real kernel (run by run.sh under Deno and
 * Bun beside the C reference; see `_harness.ts` for the command line).
 * Every operation builds a fresh request object, as users write code.
 *
 * - `fam-routes-dump` / `fam-links-dump`: `getroute.dump` (IPv4) and
 *   `getlink.dump`, for-await, every reply decoded into a typed object
 *   (fixed header and attributes, enum names, addresses as text).
 * - `fam-routes-visit` / `fam-links-visit`: the same through `.visit`, the
 *   replies handed to a callback as they are decoded.
 *
 * Bytes allocated per decoded route (Deno, V8's running total of allocated
 * bytes plus ArrayBuffer memory, over one dump; needs the namespace of
 * run.sh):
 *
 *   ip netns exec NS node_modules/.bin/deno run -A --v8-flags=--expose-gc \
 *     bench/real_kernel/families_bench.ts --alloc
 *
 * @module
 */

import { Conn, Family } from "../../src/netlink/mod.ts";
import { getroute } from "../../src/families/rt_route.ts";
import { getlink } from "../../src/families/rt_link.ts";
import { type BenchCase, runCases, type Runner } from "./_harness.ts";

/** Results are kept here so no engine can drop the decoding as dead code. */
const sink: { items: unknown[] } = { items: [] };

async function withConn(op: (conn: Conn) => Promise<number>): Promise<Runner> {
  const conn = await Conn.dial(Family.Route);
  return { op: () => op(conn), close: () => conn.close() };
}

const cases: Record<string, BenchCase> = {
  "fam-routes-dump": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "getroute.dump",
    prepare: () =>
      withConn(async (conn) => {
        const routes = [];
        for await (const r of getroute.dump(conn, { rtmFamily: 2 })) {
          routes.push(r);
        }
        sink.items = routes;
        return routes.length;
      }),
  },
  "fam-routes-visit": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "getroute.visit",
    prepare: () =>
      withConn(async (conn) => {
        const routes: unknown[] = [];
        await getroute.visit(conn, { rtmFamily: 2 }, (r) => {
          routes.push(r);
        });
        sink.items = routes;
        return routes.length;
      }),
  },
  "fam-links-dump": {
    baseline: "links",
    rounds: 11,
    n: 5,
    label: "getlink.dump",
    prepare: () =>
      withConn(async (conn) => {
        const links = [];
        for await (const l of getlink.dump(conn, {})) links.push(l);
        sink.items = links;
        return links.length;
      }),
  },
  "fam-links-visit": {
    baseline: "links",
    rounds: 11,
    n: 5,
    label: "getlink.visit",
    prepare: () =>
      withConn(async (conn) => {
        const links: unknown[] = [];
        await getlink.visit(conn, {}, (l) => {
          links.push(l);
        });
        sink.items = links;
        return links.length;
      }),
  },
};

/** Bytes allocated per decoded route over one `getroute.dump` (Deno/V8 only). */
async function alloc(): Promise<void> {
  const { getHeapStatistics } = await import("node:v8");
  const gc = (globalThis as { gc?: () => void }).gc;
  const conn = await Conn.dial(Family.Route);
  const read = () => getHeapStatistics() as unknown as Record<string, number>;
  const results: number[] = [];
  for (let round = -2; round < 7; round++) {
    gc?.();
    gc?.();
    const a = read();
    const routes = [];
    for await (const r of getroute.dump(conn, { rtmFamily: 2 })) routes.push(r);
    const b = read();
    sink.items = routes;
    if (round < 0) continue;
    const bytes = (b.total_allocated_bytes! - a.total_allocated_bytes!) +
      (b.external_memory! - a.external_memory!);
    results.push(bytes / routes.length);
  }
  await conn.close();
  results.sort((x, y) => x - y);
  console.log(
    `ALLOC fam-routes-dump ${
      results[results.length >> 1]!.toFixed(0)
    } bytes/route (median of ${results.length} dumps of ${sink.items.length} routes${
      gc ? "" : ", no --expose-gc"
    })`,
  );
}

const argv = (globalThis as { process?: { argv: string[] } }).process!.argv
  .slice(2);
if (argv[0] === "--alloc") await alloc();
else await runCases(cases);
