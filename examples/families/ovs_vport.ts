/**
 * ovs_vport: the ports of Open vSwitch datapaths (generated `get` dump).
 *
 *     deno run --allow-ffi examples/families/ovs_vport.ts [--sim]
 *
 * @module
 */

import * as vport from "../../src/families/ovs_vport.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: vport.family,
  handlers: {
    get: () => [
      { dpIfindex: 5, portNo: 0, type: "internal", name: "ovs-system" },
      { dpIfindex: 5, portNo: 1, type: "netdev", name: "eth1" },
    ],
  },
  async main(conn, out) {
    for await (const p of vport.get.dump(conn, { dpIfindex: 0 })) {
      out(`port ${p.portNo}: ${p.name} (${p.type})`);
    }
  },
};

await main(example, import.meta);
