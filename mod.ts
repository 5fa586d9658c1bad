/**
 * nlkit: Linux netlink for TypeScript on Deno and Bun, with no native build.
 *
 * This entry point re-exports the three client layers:
 *
 * - `@nlkit/netlink/netlink`: messages, attributes, errors and `Conn`;
 * - `@nlkit/netlink/genetlink`: generic netlink (`GenlConn`, families,
 *   multicast groups, policies);
 * - `@nlkit/netlink/wifi`: the nl80211 client and 802.11 elements.
 *
 * The simulated kernel for tests is `@nlkit/netlink/nltest`.
 *
 * @example List generic netlink families (simulated kernel)
 * ```ts
 * import { Family, GenlConn } from "@nlkit/netlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux: await GenlConn.dial()
 * await using genl = GenlConn.from(new SimKernel().dial(Family.Generic));
 * const families = await genl.listFamilies();
 * assert.equal(families[0]!.name, "nlctrl");
 * ```
 *
 * @module
 */

export * from "./src/netlink/mod.ts";
// `Family` is taken by the netlink protocol numbers (`Family.Generic`); the
// generic netlink family description is re-exported here as `GenlFamily`.
export * from "./src/genetlink/mod.ts";
export type { Family as GenlFamily } from "./src/genetlink/mod.ts";
export { Family } from "./src/netlink/mod.ts";
export * from "./src/wifi/mod.ts";
