/**
 * Watches link changes: one line per event (COUNT events, or until Ctrl-C).
 *
 *   deno run --allow-ffi examples/watch_links.ts [COUNT]   or   bun examples/watch_links.ts [COUNT]
 *
 * @module
 */

import process from "node:process";
import { Route } from "../src/route/mod.ts";

const count = Number(process.argv[2] ?? Infinity);
await using route = await Route.open();
let seen = 0;
for await (const e of route.monitor(["link"])) {
  if (e.type !== "link") continue;
  const { index, name, operstate, master } = e.link;
  const port = master === undefined ? "" : ` master ${master}`;
  console.log(`${e.action} ${index} ${name} ${operstate}${port}`);
  if (++seen >= count) break;
}
