/**
 * ovs_flow: the flows of an Open vSwitch datapath, as `ovs-dpctl
 * dump-flows` (generated `get` dump).
 *
 *     deno run --allow-ffi examples/families/ovs_flow.ts [--sim] [DP-IFINDEX]
 *
 * @module
 */

import process from "node:process";
import * as flow from "../../src/families/ovs_flow.ts";
import { isNetlinkError } from "../../src/netlink/mod.ts";
import { type FamilyExample, main, show } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: flow.family,
  handlers: {
    get: () => [
      {
        dpIfindex: 5,
        key: { inPort: 1, ethertype: 0x0800 },
        stats: { nPackets: 17n, nBytes: 1666n },
        used: 1234n,
      },
    ],
  },
  async main(conn, out) {
    const dpIfindex = Number(process.argv.find((a) => /^[0-9]+$/.test(a)) ?? 0);
    try {
      for await (const f of flow.get.dump(conn, { dpIfindex })) {
        out(
          `${
            show(f.key)
          }: packets ${f.stats?.nPackets}, bytes ${f.stats?.nBytes}, used ${f.used}`,
        );
      }
    } catch (e) {
      if (!isNetlinkError(e)) throw e;
      out(`datapath ${dpIfindex}: ${e.message}`);
    }
  },
};

await main(example, import.meta);
