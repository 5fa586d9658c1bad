/**
 * nfsd: the NFS server's threads and protocol versions (generated
 * `threads-get` and `version-get`).
 *
 *     deno run --allow-ffi examples/families/nfsd.ts [--sim]
 *
 * @module
 */

import * as nfsd from "../../src/families/nfsd.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: nfsd.family,
  handlers: {
    threadsGet: () => ({ threads: [8], gracetime: 90, leasetime: 90 }),
    versionGet: () => ({
      version: [{ major: 3, enabled: true }, {
        major: 4,
        minor: 1,
        enabled: true,
      }, { major: 4, minor: 2, enabled: true }],
    }),
  },
  async main(conn, out) {
    const t = await nfsd.threadsGet.do(conn, {});
    out(
      `threads ${
        (t.threads ?? []).join(",")
      }, grace ${t.gracetime} s, lease ${t.leasetime} s`,
    );
    const v = await nfsd.versionGet.do(conn, {});
    out(
      `versions ${
        (v.version ?? []).filter((x) => x.enabled).map((x) =>
          `${x.major}${x.minor === undefined ? "" : `.${x.minor}`}`
        ).join(" ")
      }`,
    );
  },
};

await main(example, import.meta);
