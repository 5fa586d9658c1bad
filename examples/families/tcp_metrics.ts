/**
 * tcp_metrics: the kernel's cache of per-destination TCP metrics, as
 * `ip tcp_metrics show` (generated `get` dump).
 *
 *     deno run --allow-ffi examples/families/tcp_metrics.ts [--sim]
 *
 * @module
 */

import * as tcp from "../../src/families/tcp_metrics.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: tcp.family,
  handlers: {
    get: () => [
      {
        addrIpv4: "192.0.2.7",
        age: 12_000n,
        vals: { rtt: 24_000, rttvar: 8_000, cwnd: 10 },
        saddrIpv4: "192.0.2.1",
      },
    ],
  },
  async main(conn, out) {
    let n = 0;
    for await (const m of tcp.get.dump(conn, {})) {
      n++;
      out(
        `${m.addrIpv4 ?? m.addrIpv6} age ${m.age} ms${
          m.vals?.rtt ? ` rtt ${m.vals.rtt}us` : ""
        }${m.vals?.cwnd ? ` cwnd ${m.vals.cwnd}` : ""} source ${
          m.saddrIpv4 ?? m.saddrIpv6 ?? "-"
        }`,
      );
    }
    out(`${n} entr${n === 1 ? "y" : "ies"}`);
  },
};

await main(example, import.meta);
