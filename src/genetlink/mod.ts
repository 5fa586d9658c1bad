/**
 * Generic netlink (`NETLINK_GENERIC`): the 4-byte `struct genlmsghdr`
 * codec, the controller (`nlctrl`) constants, family descriptions with
 * their operations and multicast groups, the kernel's attribute policies
 * (`CTRL_CMD_GETPOLICY`) decoded into a tree, and {@linkcode GenlConn}, a
 * connection that looks families up and can check each request against the
 * running kernel's policy before sending it.
 *
 * Test code runs the same `GenlConn` over a simulated kernel with
 * `genltest` from `@nlkit/netlink/nltest`.
 *
 * @example Find a family and refuse a request its policy forbids
 * ```ts
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { PolicyError, PolicyType } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const family = {
 *   id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 1,
 *   operations: [{ id: 1, flags: 0xa }], groups: [{ id: 5, name: "events" }],
 *   policy: new Map([[1, { do: new Map([[1, { type: PolicyType.U8, minValue: 1n, maxValue: 3n }]]) }]]),
 * };
 * await using conn = genltest.dial(genltest.serveFamily(family, () => []), { validate: true });
 *
 * const demo = await conn.getFamily("demo");
 * assert.equal(demo.groups[0]!.name, "events");
 * await assert.rejects(
 *   conn.execute({ header: { command: 1, version: 1 }, data: new AttributeEncoder().uint8(1, 9).encode() }, demo.id, HeaderFlags.Request),
 *   PolicyError,
 * );
 * ```
 *
 * @module
 */

export * from "./message.ts";
export * from "./family.ts";
export * from "./policy.ts";
export * from "./conn.ts";
