/**
 * netdev: each device's XDP features and queues (generated `dev-get` and
 * `queue-get` dumps), as `ynl --family netdev --dump dev-get`.
 *
 *     deno run --allow-ffi examples/families/netdev.ts [--sim]
 *
 * @module
 */

import * as netdev from "../../src/families/netdev.ts";
import { isNetlinkError } from "../../src/netlink/mod.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: netdev.family,
  handlers: {
    devGet: () => [
      {
        ifindex: 1,
        xdpFeatures: [],
        xdpRxMetadataFeatures: [],
        xskFeatures: [],
      },
      {
        ifindex: 2,
        xdpFeatures: ["basic", "redirect", "ndo-xmit"],
        xdpRxMetadataFeatures: [],
        xskFeatures: [],
      },
    ],
    queueGet: () => [
      { ifindex: 2, id: 0, type: "rx" },
      { ifindex: 2, id: 0, type: "tx" },
    ],
  },
  async main(conn, out) {
    for await (const d of netdev.devGet.dump(conn, {})) {
      out(
        `ifindex ${d.ifindex}: xdp-features ${
          (d.xdpFeatures ?? []).join(",") || "none"
        }`,
      );
    }
    try {
      for await (const q of netdev.queueGet.dump(conn, {})) {
        out(
          `ifindex ${q.ifindex} queue ${q.type} ${q.id}${
            q.napiId ? ` napi ${q.napiId}` : ""
          }`,
        );
      }
    } catch (e) {
      if (!isNetlinkError(e)) throw e;
      out(`queues: ${e.message}`);
    }
  },
};

await main(example, import.meta);
