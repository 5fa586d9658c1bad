/**
 * The nlkit demo: what the library does on this machine, in one short run.
 *
 *   npx deno task demo            (deno run --allow-ffi examples/demo.ts)
 *   bun examples/demo.ts
 *
 * It lists the generic netlink families (like `genl ctrl list`), the network
 * links (like `ip link`), their addresses (like `ip -br addr`), the routes
 * of the main table (like `ip route`) and the wifi interfaces (real nl80211 when the
 * kernel has it, otherwise the simulated nl80211 from
 * `@nlkit/netlink/nltest`, with a line saying so). Where real netlink
 * sockets cannot be opened (not Linux, no FFI permission) it says why in one
 * line and shows the simulated kernel instead.
 *
 * @module
 */

import process from "node:process";
import {
  explain,
  formatFamilies,
  formatLink,
  openCliBackend,
} from "./nlkit.ts";
import { briefAddresses, formatRoute } from "./cli/route.ts";
import { Route } from "../src/route/mod.ts";
import { wifiInfo } from "./wifi_info.ts";

const runtime = "Bun" in globalThis
  ? `Bun ${process.versions.bun}`
  : `Deno ${
    (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno
  }`;

try {
  const backend = await openCliBackend(process.argv.includes("--sim"));
  console.log(
    `nlkit demo: netlink from TypeScript on ${runtime}, no native build`,
  );
  if (backend.simulated) {
    console.log(
      `(Real netlink sockets are not available: ${backend.simulated}.`,
    );
    console.log(
      " Showing the simulated kernel from @nlkit/netlink/nltest instead.)",
    );
  } else {
    console.log(
      "(Talking to this machine's kernel over AF_NETLINK through the runtime's FFI.)",
    );
  }

  {
    await using genl = await backend.genl();
    const families = await genl.listFamilies();
    console.log(
      `\n== Generic netlink families (like \`genl ctrl list\`): ${families.length}`,
    );
    process.stdout.write(formatFamilies(families));
  }

  {
    await using route = new Route(await backend.route());
    const links = await route.links.list();
    console.log(`\n== Links (like \`ip link\`): ${links.length}`);
    process.stdout.write(links.map(formatLink).join(""));
    const byIndex = new Map(links.map((l) => [l.index, l.name]));
    const addresses = await route.addresses.list();
    console.log(`\n== Addresses (like \`ip -br addr\`): ${addresses.length}`);
    for (const l of links) console.log(briefAddresses(l, addresses, byIndex));
    const routes = await route.routes.list({ table: "main" });
    console.log(
      `\n== Routes of the main table (like \`ip route\`): ${routes.length}`,
    );
    for (const r of routes) console.log(formatRoute(r, byIndex));
  }

  {
    const { client, simulated } = await backend.wifi();
    await using _client = client;
    console.log("\n== Wifi (like `iw dev`)");
    if (simulated) {
      console.log(
        `No real wifi here (${simulated}); this is the simulated nl80211 device.`,
      );
    }
    process.stdout.write(await wifiInfo(client));
  }

  console.log(
    "\nMore: deno run --allow-ffi examples/nlkit.ts --help   (or: bun examples/nlkit.ts --help)",
  );
  console.log(
    "  link/addr/route/neigh/rule (like ip), ss (sockets), ethtool DEV, wg (WireGuard),",
  );
  console.log(
    "  taskstats PID, uevent, audit status; examples/families/ for devlink, netdev, mptcp_pm...",
  );
} catch (e) {
  const line = explain(e);
  if (line === undefined) throw e;
  console.error(`nlkit demo: ${line}`);
  process.exit(1);
}
