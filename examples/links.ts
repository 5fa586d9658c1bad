/**
 * Lists network interfaces as JSON, like `ip -j link show`, through a real
 * netlink socket and the `Route` client.
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
import { Route } from "../src/route/mod.ts";
import { linkJSON } from "./nlkit.ts";

const netns = process.argv[2];
await using route = await Route.open(netns === undefined ? {} : { netns });
console.log(JSON.stringify((await route.links.list()).map(linkJSON)));
