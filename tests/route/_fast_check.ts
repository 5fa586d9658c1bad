// Both ways of reading a dump message: the list hot path (src/route/_fast.ts)
// and the generated decoder; used by tests/route/fast_test.ts and
// tests/integration/route_test.ts.
import assert from "node:assert/strict";
import type { Message } from "../../src/netlink/mod.ts";
import { getlink } from "../../src/families/rt_link.ts";
import { getroute } from "../../src/families/rt_route.ts";
import { readLink, readRoute } from "../../src/route/_fast.ts";
import { toLink } from "../../src/route/link.ts";
import { toRouteEntry } from "../../src/route/route_entry.ts";

/** Both ways of reading a message: the fast one (attrs forced) and the generated decoder's. */
export function bothWays(
  kind: "link" | "route",
  m: Message,
): [unknown, unknown] {
  const read = kind === "link" ? readLink : readRoute;
  const fast = (() => {
    try {
      const x = read(m.data, 0, m.data.length);
      return { ...x, attrs: x.attrs };
    } catch (e) {
      return e instanceof RangeError ? "RangeError" : e;
    }
  })();
  const slow = (() => {
    try {
      const x = kind === "link"
        ? toLink(getlink.decode(m))
        : toRouteEntry(getroute.decode(m));
      return { ...x, attrs: x.attrs };
    } catch (e) {
      return e instanceof RangeError ? "RangeError" : e;
    }
  })();
  return [fast, slow];
}

/** Asserts that the fast path and the generated decoder read every link and route message alike. */
export function assertBothWaysAgree(
  links: readonly Message[],
  routes: readonly Message[],
): void {
  for (const [kind, ms] of [["link", links], ["route", routes]] as const) {
    for (const m of ms) {
      const [fast, slow] = bothWays(kind, m);
      assert.deepEqual(fast, slow);
    }
  }
}
