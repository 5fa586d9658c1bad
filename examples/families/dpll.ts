/**
 * dpll: the digital phase-locked loops and their pins (generated
 * `device-get` and `pin-get` dumps; they need `CAP_NET_ADMIN`).
 *
 *     deno run --allow-ffi examples/families/dpll.ts [--sim]
 *
 * @module
 */

import * as dpll from "../../src/families/dpll.ts";
import { type FamilyExample, main, show } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: dpll.family,
  handlers: {
    deviceGet: () => [
      {
        id: 0,
        moduleName: "ice",
        clockId: 0x1122334455667788n,
        mode: "automatic",
        lockStatus: "locked-ho-acq",
        type: "eec",
      },
      {
        id: 1,
        moduleName: "ice",
        clockId: 0x1122334455667788n,
        mode: "automatic",
        lockStatus: "unlocked",
        type: "pps",
      },
    ],
    pinGet: () => [
      {
        id: 3,
        moduleName: "ice",
        clockId: 0x1122334455667788n,
        boardLabel: "GNSS-1PPS",
        type: "gnss",
        frequency: 1n,
      },
    ],
  },
  async main(conn, out) {
    for await (const d of dpll.deviceGet.dump(conn, {})) {
      out(
        `device ${d.id} (${d.moduleName}, ${d.type}): ${d.lockStatus}, clock ${
          d.clockId?.toString(16)
        }`,
      );
    }
    for await (const p of dpll.pinGet.dump(conn, {})) out(`pin ${show(p)}`);
  },
};

await main(example, import.meta);
