/**
 * A bridge and a veth pair, one end in the bridge, an address on the bridge
 * and a route via 10.1.2.1 (needs root; try it in `unshare -n`).
 *
 *   deno run --allow-ffi examples/bridge_veth.ts [BRIDGE VETH PEER]
 *   bun examples/bridge_veth.ts [BRIDGE VETH PEER]
 *
 * @module
 */

import process from "node:process";
import { Route } from "../src/route/mod.ts";

const [br = "br0", veth = "veth0", peer = "veth1"] = process.argv.slice(2);
await using route = await Route.open();
await route.links.add({ name: br, kind: "bridge", up: true });
await route.links.add({ name: veth, kind: "veth", peer, master: br, up: true });
await route.links.set(peer, { up: true });
await route.addresses.add(br, "10.1.2.3/24");
await route.routes.add({ dst: "10.9.0.0/16", gateway: "10.1.2.1" });
console.log((await route.routes.get("10.9.8.7")).gateway); // 10.1.2.1
