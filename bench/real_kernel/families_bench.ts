/**
 * The generated families on the real kernel (run by run.sh under Deno and
 * Bun beside the C reference; see `_harness.ts` for the command line).
 * Every operation builds a fresh request object, as users write code.
 *
 * - `fam-routes-dump` / `fam-links-dump`: `getroute.dump` (IPv4) and
 *   `getlink.dump`, for-await, every reply decoded into a typed object
 *   (fixed header and attributes, enum names, addresses as text).
 * - `fam-routes-dump-nokeep`: `getroute.dump` where the loop keeps no
 *   route (a streamed dump then holds one datagram's routes at a time).
 * - `fam-routes-visit` / `fam-links-visit`: the same through `.visit`, the
 *   replies handed to a callback as they are decoded.
 * - `fam-newroute-do`, `fam-setlink-do`, `fam-getlink-do`: typed requests
 *   that the kernel ACKs (`newroute` replacing one route, `setlink` of
 *   va0's MTU to what it is) or answers (`getlink` of `lo`, decoded);
 *   `fam-linkinfo-do`: ethtool's `linkinfoGet` of va0 over generic
 *   netlink (the family id looked up once per connection). Compared with
 *   C's NOOP round trip, which does less: read them against their own
 *   `@base` rows (before/after).
 *
 * Bytes allocated per operation and per decoded item: `NLKIT_ALLOC=1
 * bench/real_kernel/run.sh` (the `--alloc` mode of `_harness.ts`, Deno).
 *
 * @module
 */

import { Conn, Family } from "../../src/netlink/mod.ts";
import { getroute, newroute } from "../../src/families/rt_route.ts";
import { getlink, setlink } from "../../src/families/rt_link.ts";
import { linkinfoGet } from "../../src/families/ethtool.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import { type BenchCase, runCases, type Runner } from "./_harness.ts";

/** Results are kept here so no engine can drop the decoding as dead code. */
const sink: { items: unknown[] } = { items: [] };

async function withConn(op: (conn: Conn) => Promise<number>): Promise<Runner> {
  const conn = await Conn.dial(Family.Route);
  return { op: () => op(conn), close: () => conn.close() };
}

/** va0's index (run.sh's namespace), looked up once. */
async function va0(conn: Conn): Promise<number> {
  return (await getlink.do(conn, { ifname: "va0" })).ifiIndex;
}

const cases: Record<string, BenchCase> = {
  "fam-newroute-do": {
    baseline: "ack",
    rounds: 11,
    n: 2000,
    label: "newroute.do(replace)",
    prepare: async () => {
      const conn = await Conn.dial(Family.Route);
      const oif = await va0(conn);
      return {
        op: async () => {
          await newroute.do(conn, {
            rtmFamily: 2,
            rtmDstLen: 24,
            rtmTable: 254,
            rtmProtocol: 3,
            rtmScope: 0,
            rtmType: "unicast",
            dst: "10.250.0.0",
            gateway: "10.0.0.2",
            oif,
            priority: 100,
          }, { create: true, replace: true });
          return 1;
        },
        close: () => conn.close(),
      };
    },
  },
  "fam-setlink-do": {
    baseline: "ack",
    rounds: 11,
    n: 2000,
    label: "setlink.do(mtu)",
    prepare: async () => {
      const conn = await Conn.dial(Family.Route);
      const index = await va0(conn);
      return {
        op: async () => {
          await setlink.do(conn, { ifiIndex: index, mtu: 1500 });
          return 1;
        },
        close: () => conn.close(),
      };
    },
  },
  "fam-getlink-do": {
    baseline: "ack",
    rounds: 11,
    n: 2000,
    label: "getlink.do(lo)",
    prepare: () =>
      withConn(async (conn) => {
        sink.items = [await getlink.do(conn, { ifiIndex: 1 })];
        return 1;
      }),
  },
  "fam-linkinfo-do": {
    baseline: "ack",
    rounds: 11,
    n: 2000,
    label: "ethtool.linkinfoGet.do",
    prepare: async () => {
      const genl = await GenlConn.dial();
      return {
        op: async () => {
          sink.items = [
            await linkinfoGet.do(genl, { header: { devName: "va0" } }),
          ];
          return 1;
        },
        close: () => genl.close(),
      };
    },
  },
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
  "fam-routes-dump-nokeep": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "getroute.dump,no-keep",
    prepare: () =>
      withConn(async (conn) => {
        let n = 0;
        let last: unknown = null;
        for await (const r of getroute.dump(conn, { rtmFamily: 2 })) {
          last = r;
          n++;
        }
        sink.items = [last];
        return n;
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

await runCases(cases);
