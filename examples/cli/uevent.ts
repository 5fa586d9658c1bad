/**
 * `nlkit uevent`: kernel uevents as they happen, like
 * `udevadm monitor --kernel` (`-p` adds the properties, `-u` reads udev's
 * group instead of the kernel's).
 *
 * @module
 */

import { Family } from "../../src/netlink/mod.ts";
import { type SimKernel, uevent as simulated } from "../../src/nltest/mod.ts";
import { Monitor, type Uevent } from "../../src/uevent/mod.ts";
import type { Command } from "./_common.ts";

/**
 * One uevent as `udevadm monitor` prints it (`KERNEL[seqnum] action devpath
 * (subsystem)`), with its properties below when asked.
 *
 * @param e The uevent.
 * @param properties Add the `KEY=VALUE` lines.
 * @returns The text, without a final newline.
 */
export function formatUevent(e: Uevent, properties = false): string {
  const head = `${e.source === "udev" ? "UDEV" : "KERNEL"}[${e.seqnum}] ${
    e.action.padEnd(8)
  } ${e.devpath} (${e.subsystem})`;
  if (!properties) return head;
  return [head, ...Object.entries(e.env).map(([k, v]) => `${k}=${v}`), ""].join(
    "\n",
  );
}

/** The uevent simulator of each simulated kernel (`--sim`), made on the first run. */
const SIMULATORS = new WeakMap<SimKernel, simulated.Simulator>();

/** `nlkit uevent`. */
export const uevent: Command = {
  name: "uevent",
  usage: "uevent [-p] [-u] [--count N]",
  summary:
    "kernel uevents as they happen (like `udevadm monitor --kernel`); -p properties, -u udev's group; Ctrl-C stops",
  flags: ["-p", "-u"],
  // No simulate(): the uevent simulator is made when the command first runs
  // on a simulated kernel, after every command has seeded it, so that the
  // links they seeded (wg0 of `nlkit wg`) are not announced as new.
  async run({ args, backend, out, signal }) {
    const conn = await backend.conn(Family.KobjectUevent);
    const kernel = backend.kernel;
    let sim = kernel === undefined ? undefined : SIMULATORS.get(kernel);
    if (kernel !== undefined && sim === undefined) {
      SIMULATORS.set(kernel, sim = new simulated.Simulator(kernel));
    }
    sim?.attach(conn);
    await using monitor = await Monitor.open({
      conn,
      group: args.flags.has("-u") ? "udev" : "kernel",
    });
    let count = args.count;
    if (sim !== undefined) {
      // Simulated: make something happen so there is something to show.
      count ??= 2;
      setTimeout(() => {
        sim.kernel.rtnetlink.addLink({ name: "dummy7", kind: "dummy" });
        sim.syncLinks();
        sim.kernel.rtnetlink.deleteLink("dummy7");
        sim.syncLinks();
      }, 10);
    }
    let seen = 0;
    try {
      for await (const e of monitor.events(signal ? { signal } : {})) {
        out(
          args.json
            ? JSON.stringify({ ...e, seqnum: String(e.seqnum) })
            : formatUevent(e, args.flags.has("-p")),
        );
        if (count !== undefined && ++seen >= count) break;
      }
    } catch (e) {
      if (!(signal?.aborted)) throw e;
    }
    return "";
  },
};
