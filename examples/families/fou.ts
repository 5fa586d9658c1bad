/**
 * fou: foo-over-UDP receive ports, as `ip fou show` (generated `get` dump).
 *
 *     deno run --allow-ffi examples/families/fou.ts [--sim]
 *
 * @module
 */

import * as fou from "../../src/families/fou.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: fou.family,
  handlers: {
    get: () => [
      { port: 5555, af: 2, ipproto: 4, type: 1 },
      { port: 6666, af: 2, type: 2 },
    ],
  },
  async main(conn, out) {
    for await (const f of fou.get.dump(conn, {})) {
      // The port is in network byte order on the wire: the codec reads it.
      out(
        `port ${f.port} ${f.type === 2 ? "gue" : `ipproto ${f.ipproto}`}${
          f.af === 10 ? " -6" : ""
        }`,
      );
    }
  },
};

await main(example, import.meta);
