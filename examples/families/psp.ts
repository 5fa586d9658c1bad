/**
 * psp: devices offloading the PSP security protocol (generated `dev-get`
 * dump).
 *
 *     deno run --allow-ffi examples/families/psp.ts [--sim]
 *
 * @module
 */

import * as psp from "../../src/families/psp.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: psp.family,
  handlers: {
    devGet: () => [{
      id: 1,
      ifindex: 2,
      pspVersionsCap: ["hdr0-aes-gcm-128", "hdr0-aes-gcm-256"],
      pspVersionsEna: ["hdr0-aes-gcm-128"],
    }],
  },
  async main(conn, out) {
    for await (const d of psp.devGet.dump(conn, {})) {
      out(
        `psp device ${d.id} on ifindex ${d.ifindex}: can ${
          (d.pspVersionsCap ?? []).join(",")
        }, enabled ${(d.pspVersionsEna ?? []).join(",") || "none"}`,
      );
    }
  },
};

await main(example, import.meta);
