/**
 * nlkit side of bench/real_kernel (run by run.sh under Deno and Bun).
 *
 *   bench.ts ack ROUNDS N           Conn.execute(NOOP | ACK)
 *   bench.ts routes-visit ROUNDS N  Conn.visit + decodeRoute per reply
 *   bench.ts routes-dump ROUNDS N   Conn.dump (a Message per reply) + decodeRoute
 *   bench.ts links-visit ROUNDS N   Conn.visit + decodeLink
 *   bench.ts links-dump ROUNDS N    Conn.dump + decodeLink
 *
 * Prints "RESULT <case> <median µs> <min µs> <items per op>" like nlbench.c:
 * the median and minimum over ROUNDS of the mean of N operations, after a
 * warm-up round.
 *
 * @module
 */

import {
  Conn,
  Family,
  HeaderFlags,
  type Message,
} from "../../src/netlink/mod.ts";
import {
  decodeLink,
  decodeRoute,
  type Link,
  linkDumpRequest,
  type Route,
  routeDumpRequest,
} from "../../examples/_rtnl.ts";

const args = (globalThis as { process?: { argv: string[] } }).process!.argv
  .slice(2);
const [name = "ack", roundsText = "5", nText = "1000"] = args;
const rounds = Number(roundsText), n = Number(nText);

const conn = await Conn.dial(Family.Route);
const noop: Message = {
  header: {
    length: 0,
    type: 1,
    flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
    sequence: 0,
    pid: 0,
  },
  data: new Uint8Array(0),
};
const routeRequest = routeDumpRequest(2);
const linkRequest = linkDumpRequest();
let sink: Route[] | Link[] = [];

/** Runs the case `n` times; returns the item count of the last run. */
async function run(n: number): Promise<number> {
  let count = 0;
  switch (name) {
    case "ack":
      // The loop awaits execute() directly: no extra async layer per call.
      for (let i = 0; i < n; i++) await conn.execute(noop);
      return 1;
    case "routes-visit":
      for (let i = 0; i < n; i++) {
        const routes: Route[] = [];
        await conn.visit(routeRequest, (v) => {
          if (v.header.type === 24) {
            routes.push(decodeRoute(v.bytes, v.offset, v.length));
          }
        });
        sink = routes;
        count = routes.length;
      }
      return count;
    case "routes-dump":
      for (let i = 0; i < n; i++) {
        const routes: Route[] = [];
        for await (const m of conn.dump(routeRequest)) {
          if (m.header.type === 24) {
            routes.push(decodeRoute(m.data, 0, m.data.length));
          }
        }
        sink = routes;
        count = routes.length;
      }
      return count;
    case "links-visit":
      for (let i = 0; i < n; i++) {
        const links: Link[] = [];
        await conn.visit(linkRequest, (v) => {
          if (v.header.type === 16) {
            links.push(decodeLink(v.bytes, v.offset, v.length));
          }
        });
        sink = links;
        count = links.length;
      }
      return count;
    case "links-dump":
      for (let i = 0; i < n; i++) {
        const links: Link[] = [];
        for await (const m of conn.dump(linkRequest)) {
          if (m.header.type === 16) {
            links.push(decodeLink(m.data, 0, m.data.length));
          }
        }
        sink = links;
        count = links.length;
      }
      return count;
  }
  throw new TypeError(`Cannot run case: unknown case ${name}`);
}

const means: number[] = [];
let count = 0;
for (let r = -1; r < rounds; r++) {
  const t0 = performance.now();
  count = await run(n);
  if (r >= 0) means.push((performance.now() - t0) * 1000 / n);
}
means.sort((a, b) => a - b);
await conn.close();
if (sink.length !== (name === "ack" ? 0 : count)) {
  throw new Error("Cannot check result: sink mismatch");
}
console.log(
  `RESULT ${name} ${means[means.length >> 1]!.toFixed(3)} ${
    means[0]!.toFixed(3)
  } ${count}`,
);
