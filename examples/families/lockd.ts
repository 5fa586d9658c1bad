/**
 * lockd: the NFS lock manager's settings (generated `server-get`).
 *
 *     deno run --allow-ffi examples/families/lockd.ts [--sim]
 *
 * @module
 */

import * as lockd from "../../src/families/lockd.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: lockd.family,
  handlers: { serverGet: () => ({ gracetime: 90, tcpPort: 0, udpPort: 0 }) },
  async main(conn, out) {
    const s = await lockd.serverGet.do(conn, {});
    out(
      `grace time ${s.gracetime} s, TCP port ${s.tcpPort || "any"}, UDP port ${
        s.udpPort || "any"
      }`,
    );
  },
};

await main(example, import.meta);
