/**
 * The "code under test" of the README's "Testing your netlink code"
 * section: a bridge with an address and a default route.
 *
 * @module
 */

import type { Route } from "../src/route/mod.ts";

/**
 * Makes `name` a bridge, up, with 10.1.2.3/24 and a default route via
 * 10.1.2.1.
 *
 * @param route A route client (real or simulated kernel).
 * @param name The bridge's name.
 */
export async function addUplink(route: Route, name: string): Promise<void> {
  await route.links.add({ name, kind: "bridge", up: true });
  await route.addresses.add(name, "10.1.2.3/24");
  await route.routes.add({ dst: "default", gateway: "10.1.2.1" });
}
