/**
 * net-shaper: what traffic shaping a device's driver can do (generated
 * `cap-get` dump for a device).
 *
 *     deno run --allow-ffi examples/families/net_shaper.ts [--sim] [IFINDEX]
 *
 * @module
 */

import process from "node:process";
import * as shaper from "../../src/families/net_shaper.ts";
import { isNetlinkError } from "../../src/netlink/mod.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: shaper.family,
  handlers: {
    capGet: (r) => [
      {
        ifindex: r.ifindex,
        scope: "netdev",
        supportMetricBps: true,
        supportBwMax: true,
      },
      {
        ifindex: r.ifindex,
        scope: "queue",
        supportMetricBps: true,
        supportBwMax: true,
        supportWeight: true,
      },
    ],
  },
  async main(conn, out) {
    const ifindex = Number(process.argv.find((a) => /^[0-9]+$/.test(a)) ?? 1);
    try {
      for await (const c of shaper.capGet.dump(conn, { ifindex })) {
        const can = Object.keys(c).filter((k) => k.startsWith("support")).map((
          k,
        ) => k.slice(7));
        out(`ifindex ${c.ifindex} ${c.scope}: ${can.join(", ") || "nothing"}`);
      }
    } catch (e) {
      if (!isNetlinkError(e)) throw e;
      out(`ifindex ${ifindex}: ${e.message}`);
    }
  },
};

await main(example, import.meta);
