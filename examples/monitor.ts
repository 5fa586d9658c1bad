/**
 * Prints link changes as they happen, like `ip monitor link`, with the
 * `Route` client's typed events. Ctrl-C closes the client, which ends the
 * loop, and the program exits cleanly.
 *
 *   deno run --allow-ffi examples/monitor.ts [NETNS]
 *   bun examples/monitor.ts [NETNS]
 *
 * @module
 */

import process from "node:process";
import { isNetlinkError } from "../src/netlink/mod.ts";
import { Route } from "../src/route/mod.ts";
import { formatLink } from "./nlkit.ts";

const netns = process.argv[2];
const route = await Route.open(netns === undefined ? {} : { netns });
const stop = (): void => void route.close();
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
console.error(
  `listening for link changes (port id ${route.conn.pid}); Ctrl-C to stop`,
);

try {
  for await (const e of route.monitor(["link"])) {
    if (e.type !== "link") continue;
    const deleted = e.action === "delete" ? "Deleted " : "";
    console.log(`${deleted}${formatLink(e.link).trimEnd()}`);
  }
} catch (e) {
  // Notifications were lost: a real program would list the links again here.
  if (isNetlinkError(e) && e.code === "ENOBUFS") {
    console.error("overrun: some changes were lost");
  } else throw e;
} finally {
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await route.close();
}
console.error("stopped");
