/**
 * Lists network interfaces as JSON, like `ip -j link show`, through a real
 * netlink socket.
 *
 *   deno run --allow-ffi examples/links.ts [NETNS]
 *   bun examples/links.ts [NETNS]
 *
 * NETNS: a namespace name (`ip netns add NAME`) or a path such as
 * `/proc/PID/ns/net` (needs root).
 *
 * @module
 */

import process from "node:process";
import { Conn, Family } from "../src/netlink/mod.ts";
import { decodeLink, linkDumpRequest, Rtm } from "./_rtnl.ts";
import { linkJSON } from "./nlkit.ts";

const netns = process.argv[2];
const options = netns === undefined
  ? {}
  : { netns: netns.includes("/") ? netns : `/var/run/netns/${netns}` };

await using conn = await Conn.dial(Family.Route, options);
const links: Record<string, unknown>[] = [];
await conn.visit(linkDumpRequest(), (view) => {
  if (view.header.type !== Rtm.NewLink) return;
  links.push(linkJSON(decodeLink(view.bytes, view.offset, view.length)));
});
console.log(JSON.stringify(links));
