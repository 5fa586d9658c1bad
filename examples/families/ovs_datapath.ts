/**
 * ovs_datapath: Open vSwitch datapaths, as `ovs-dpctl show` lists them
 * (generated `get` dump; the `ovs_header` fixed header carries the
 * datapath's ifindex).
 *
 *     deno run --allow-ffi examples/families/ovs_datapath.ts [--sim]
 *
 * @module
 */

import * as dp from "../../src/families/ovs_datapath.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: dp.family,
  handlers: {
    get: () => [
      {
        dpIfindex: 5,
        name: "ovs-system",
        stats: { nHit: 1200n, nMissed: 34n, nLost: 0n, nFlows: 12n },
        userFeatures: ["unaligned"],
      },
    ],
  },
  async main(conn, out) {
    for await (const d of dp.get.dump(conn, {})) {
      out(
        `${d.name} (ifindex ${d.dpIfindex}): lookups hit ${d.stats?.nHit} missed ${d.stats?.nMissed} lost ${d.stats?.nLost}, flows ${d.stats?.nFlows}`,
      );
    }
  },
};

await main(example, import.meta);
