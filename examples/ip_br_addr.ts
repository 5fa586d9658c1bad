/**
 * Every link with its addresses, one line each, like `ip -br addr`.
 *
 *   deno run --allow-ffi examples/ip_br_addr.ts   or   bun examples/ip_br_addr.ts
 *
 * @module
 */

import { Route } from "../src/route/mod.ts";

await using route = await Route.open();
const links = await route.links.list();
const addresses = await route.addresses.list();
const names = new Map(links.map((l) => [l.index, l.name]));
for (const l of links) {
  const peer = l.link === undefined ? "" : `@${names.get(l.link) ?? "NONE"}`;
  const state = String(l.operstate).toUpperCase();
  const mine = addresses.filter((a) => a.index === l.index);
  const text = mine.map((a) => `${a.address}/${a.prefixLength}`).join(" ");
  console.log(
    `${(l.name + peer).padEnd(16)} ${state.padEnd(14)} ${text}`.trimEnd(),
  );
}
