/**
 * `Conn` on the real kernel (run by run.sh under Deno and Bun; see
 * `_harness.ts` for the command line). Every operation builds a fresh
 * request object, as users write code.
 *
 * - `ack`: `Conn.execute` of a NOOP with `Acknowledge`, a header-only
 *   request (`{ header }`, no `data`).
 * - `ack-data`: the same with `data: new Uint8Array(0)`, as code written
 *   before `data` became optional does.
 * - `routes-visit` / `routes-dump`: the IPv4 route dump decoded into route
 *   objects, through `Conn.visit` (a reused view per reply) and through
 *   `Conn.dump` (a `Message` per reply, for-await).
 * - `routes-count`: the route dump through `Conn.visit`, counting the
 *   replies without decoding them: the floor set by the kernel, the system
 *   calls and the routing, under any decoder.
 * - `links-visit` / `links-dump`: the same for the link dump.
 *
 * @module
 */

import { Conn, Family, HeaderFlags } from "../../src/netlink/mod.ts";
import {
  getlink,
  type Ifinfomsg,
  type LinkAttrs,
} from "../../src/families/rt_link.ts";
import {
  getroute,
  type RouteAttrs,
  type Rtmsg,
} from "../../src/families/rt_route.ts";
import { type BenchCase, runCases, type Runner } from "./_harness.ts";

// The requests and decoders: the generated rt-link and rt-route codecs.
type Link = Ifinfomsg & LinkAttrs;
type Route = Rtmsg & RouteAttrs;
const Rtm = { NewRoute: getroute.dumpReply!, NewLink: getlink.dumpReply! };
const routeDumpRequest = (family: number) =>
  getroute.encode({ rtmFamily: family }, { dump: true });
const linkDumpRequest = () => getlink.encode({}, { dump: true });
const decodeRoute = (bytes: Uint8Array, offset: number, length: number) =>
  getroute.decodeView({ bytes, offset, length });
const decodeLink = (bytes: Uint8Array, offset: number, length: number) =>
  getlink.decodeView({ bytes, offset, length });

/** Results are kept here so no engine can drop the decoding as dead code. */
const sink: { items: unknown[] } = { items: [] };

async function withConn(
  op: (conn: Conn) => Promise<number>,
): Promise<Runner> {
  const conn = await Conn.dial(Family.Route);
  return { op: () => op(conn), close: () => conn.close() };
}

const ACK = HeaderFlags.Request | HeaderFlags.Acknowledge;

const cases: Record<string, BenchCase> = {
  "ack": {
    baseline: "ack",
    rounds: 11,
    n: 5000,
    label: "execute",
    prepare: () =>
      withConn(async (conn) => {
        await conn.execute({
          header: { length: 0, type: 1, flags: ACK, sequence: 0, pid: 0 },
        });
        return 1;
      }),
  },
  "ack-data": {
    baseline: "ack",
    rounds: 11,
    n: 5000,
    label: "execute+data",
    prepare: () =>
      withConn(async (conn) => {
        await conn.execute({
          header: { length: 0, type: 1, flags: ACK, sequence: 0, pid: 0 },
          data: new Uint8Array(0),
        });
        return 1;
      }),
  },
  "routes-visit": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "visit",
    prepare: () =>
      withConn(async (conn) => {
        const routes: Route[] = [];
        await conn.visit(routeDumpRequest(2), (v) => {
          if (v.header.type === Rtm.NewRoute) {
            routes.push(decodeRoute(v.bytes, v.offset, v.length));
          }
        });
        sink.items = routes;
        return routes.length;
      }),
  },
  "routes-dump": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "dump",
    prepare: () =>
      withConn(async (conn) => {
        const routes: Route[] = [];
        for await (const m of conn.dump(routeDumpRequest(2))) {
          if (m.header.type === Rtm.NewRoute) {
            routes.push(decodeRoute(m.data, 0, m.data.length));
          }
        }
        sink.items = routes;
        return routes.length;
      }),
  },
  "routes-count": {
    baseline: "routes",
    rounds: 11,
    n: 5,
    label: "visit,no-decode",
    prepare: () =>
      withConn(async (conn) => {
        let n = 0;
        await conn.visit(routeDumpRequest(2), (v) => {
          if (v.header.type === Rtm.NewRoute) n++;
        });
        return n;
      }),
  },
  "links-visit": {
    baseline: "links",
    rounds: 11,
    n: 5,
    label: "visit",
    prepare: () =>
      withConn(async (conn) => {
        const links: Link[] = [];
        await conn.visit(linkDumpRequest(), (v) => {
          if (v.header.type === Rtm.NewLink) {
            links.push(decodeLink(v.bytes, v.offset, v.length));
          }
        });
        sink.items = links;
        return links.length;
      }),
  },
  "links-dump": {
    baseline: "links",
    rounds: 11,
    n: 5,
    label: "dump",
    prepare: () =>
      withConn(async (conn) => {
        const links: Link[] = [];
        for await (const m of conn.dump(linkDumpRequest())) {
          if (m.header.type === Rtm.NewLink) {
            links.push(decodeLink(m.data, 0, m.data.length));
          }
        }
        sink.items = links;
        return links.length;
      }),
  },
};

await runCases(cases);
