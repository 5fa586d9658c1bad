/**
 * The `Route` client on the real kernel, beside the C reference (run.sh
 * picks this file up): `routes.list()` over the namespace's 10,000+ IPv4
 * routes and `links.list()` over its 1,001 links, each call as users write
 * it (a fresh request, every result a `RouteEntry`/`Link` with its
 * generated `attrs`).
 *
 *   deno run -A bench/real_kernel/route_bench.ts --list | <case> [ROUNDS N]
 *   bun bench/real_kernel/route_bench.ts <case> [ROUNDS N]
 *
 * The C case dumps IPv4 routes (`rtm_family = AF_INET`) and all links with
 * statistics; `routes.list({ family: "inet" })` sends the same request,
 * `links.list()` asks the kernel to skip statistics (its default), and
 * `links.list({}, { stats: true })` does not.
 *
 * @module
 */

import { Route } from "../../src/route/mod.ts";
import { type BenchCase, runCases, type Runner } from "./_harness.ts";

/** Results are kept here so no engine can drop the work as dead code. */
const sink: { items: unknown[] } = { items: [] };

async function withRoute(
  op: (route: Route) => Promise<unknown[]>,
): Promise<Runner> {
  const route = await Route.open();
  return {
    op: async () => {
      sink.items = await op(route);
      return sink.items.length;
    },
    close: () => route.close(),
  };
}

const cases: Record<string, BenchCase> = {
  "route-routes-list": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "routes.list(inet)",
    prepare: () => withRoute((r) => r.routes.list({ family: "inet" })),
  },
  "route-routes-list-all": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "routes.list()",
    prepare: () => withRoute((r) => r.routes.list()),
  },
  "route-links-list": {
    baseline: "links",
    rounds: 11,
    n: 5,
    label: "links.list()",
    prepare: () => withRoute((r) => r.links.list()),
  },
  "route-links-list-stats": {
    baseline: "links",
    rounds: 11,
    n: 5,
    label: "links.list(stats)",
    prepare: () => withRoute((r) => r.links.list({}, { stats: true })),
  },
};

await runCases(cases);
