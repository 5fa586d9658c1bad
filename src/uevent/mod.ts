/**
 * Kernel uevents (`NETLINK_KOBJECT_UEVENT`): device add, remove, change,
 * move, bind... as they happen, decoded to `{ action, devpath, subsystem,
 * seqnum, env }`, like `udevadm monitor --kernel --property`.
 *
 * - {@linkcode events}: `for await (const e of events({ signal }))`, opening
 *   and closing its own socket.
 * - {@linkcode Monitor}: the same with the socket's lifetime in your hands,
 *   counters of what was skipped ({@linkcode Monitor.stats}), udev's group.
 * - {@linkcode decodeUevent} / {@linkcode encodeUevent}: the codec, for the
 *   kernel's `ACTION@DEVPATH\0KEY=VALUE\0...` format and udev's `libudev`
 *   format; strict, with `RangeError` naming what is wrong.
 *
 * Malformed datagrams (user space can inject uevents) are skipped and
 * counted, never thrown from the iterator; on the kernel group only
 * datagrams from the kernel (port id 0) are accepted. Listening needs no
 * privilege; a network device's uevents go to the network namespace that
 * holds it.
 *
 * `@nlkit/netlink/nltest` has a simulated twin (`uevent.Simulator`) that
 * emits uevents, and those of the simulated rtnetlink's links.
 *
 * @example Watch a simulated network device come and go
 * ```ts
 * import { Monitor } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * // On Linux: await Monitor.open()
 * await using monitor = await Monitor.open({ conn: sim.dial() });
 * sim.kernel.rtnetlink.addLink({ name: "dummy0", kind: "dummy" });
 * sim.kernel.rtnetlink.deleteLink("dummy0");
 * // Changes made with rtnetlink requests are followed; direct ones are announced:
 * sim.syncLinks();
 * sim.kernel.rtnetlink.addLink({ name: "dummy1", kind: "dummy" });
 * sim.syncLinks();
 * sim.kernel.rtnetlink.deleteLink("dummy1");
 * sim.syncLinks();
 * const seen: string[] = [];
 * for await (const e of monitor.events()) {
 *   seen.push(`${e.action} ${e.subsystem} ${e.env.INTERFACE}`);
 *   if (seen.length === 2) break;
 * }
 * assert.deepEqual(seen, ["add net dummy1", "remove net dummy1"]);
 * ```
 *
 * @module
 */

export * from "./codec.ts";
export * from "./monitor.ts";
