/**
 * `nlkit taskstats PID`: a task's statistics from the kernel's taskstats
 * family, like the kernel's `getdelays -d -q -p PID` (`-t` for a whole
 * thread group, like `getdelays -t TGID`).
 *
 * @module
 */

import process from "node:process";
import { isNotExist } from "../../src/netlink/mod.ts";
import { taskstats as simulated } from "../../src/nltest/mod.ts";
import { type Stats, Taskstats } from "../../src/taskstats/mod.ts";
import { type Command, toJSON, UsageError } from "./_common.ts";

/** Milliseconds, three decimals, from nanoseconds. */
function msFromNs(ns: bigint | undefined): string {
  return ns === undefined ? "-" : `${(Number(ns) / 1e6).toFixed(3)} ms`;
}

/** Seconds, three decimals, from microseconds. */
function sFromUs(us: bigint | undefined): string {
  return us === undefined ? "-" : `${(Number(us) / 1e6).toFixed(3)} s`;
}

function delay(
  name: string,
  count: bigint | undefined,
  total: bigint | undefined,
): string {
  if (count === undefined) return "";
  const avg = count === 0n ? 0 : Number(total ?? 0n) / Number(count) / 1e6;
  return `  ${name.padEnd(10)}${String(count).padStart(10)} ${
    msFromNs(total).padStart(14)
  }   avg ${avg.toFixed(3)} ms\n`;
}

/**
 * A task's statistics as text: who, CPU, memory, I/O, context switches,
 * delays.
 *
 * @param kind `"pid"` or `"tgid"`.
 * @param id The id asked for.
 * @param s The statistics.
 * @returns The text.
 */
export function formatTaskstats(
  kind: "pid" | "tgid",
  id: number,
  s: Stats,
): string {
  let out = kind === "pid"
    ? `pid ${id} (${s.acComm ?? "?"}) tgid ${s.acTgid ?? "?"} ppid ${
      s.acPpid ?? "?"
    } uid ${s.acUid ?? "?"} gid ${s.acGid ?? "?"}\n`
    : `tgid ${id} (summed over its threads)\n`;
  out += `  struct taskstats version ${s.version}\n`;
  out += `CPU\n  user ${sFromUs(s.acUtime)}, system ${
    sFromUs(s.acStime)
  }, run ${msFromNs(s.cpuRunVirtualTotal)}, elapsed ${sFromUs(s.acEtime)}\n`;
  if (kind === "pid") {
    out += `memory\n  high-water RSS ${s.hiwaterRss ?? "-"} KiB, VM ${
      s.hiwaterVm ?? "-"
    } KiB; page faults minor ${s.acMinflt ?? "-"}, major ${
      s.acMajflt ?? "-"
    }\n`;
    out += `I/O\n  read ${s.readChar ?? "-"} bytes (${
      s.readSyscalls ?? "-"
    } syscalls), written ${s.writeChar ?? "-"} bytes (${
      s.writeSyscalls ?? "-"
    } syscalls); storage read ${s.readBytes ?? "-"}, written ${
      s.writeBytes ?? "-"
    } bytes\n`;
  }
  out += `context switches\n  ${s.nvcsw ?? "-"} voluntary, ${
    s.nivcsw ?? "-"
  } involuntary\n`;
  out += `delays          count          total\n`;
  out += delay("cpu", s.cpuCount, s.cpuDelayTotal);
  out += delay("blkio", s.blkioCount, s.blkioDelayTotal);
  out += delay("swapin", s.swapinCount, s.swapinDelayTotal);
  out += delay("reclaim", s.freepagesCount, s.freepagesDelayTotal);
  out += delay("thrashing", s.thrashingCount, s.thrashingDelayTotal);
  out += delay("compact", s.compactCount, s.compactDelayTotal);
  out += delay("wpcopy", s.wpcopyCount, s.wpcopyDelayTotal);
  out += delay("irq", s.irqCount, s.irqDelayTotal);
  return out;
}

/** The demo process the simulated kernel reports (`--sim`). */
const DEMO: simulated.SimTask[] = [
  {
    pid: 1,
    stats: {
      acComm: "init",
      acUtime: 1_250_000n,
      acStime: 2_100_000n,
      nvcsw: 48_211n,
      nivcsw: 1_304n,
      hiwaterRss: 12_288n,
    },
  },
  {
    pid: 4242,
    stats: {
      acComm: "nginx",
      acPpid: 1,
      acUid: 33,
      acGid: 33,
      acUtime: 830_000n,
      acStime: 410_000n,
      acEtime: 86_400_000_000n,
      cpuRunVirtualTotal: 1_243_000_000n,
      cpuCount: 91_022n,
      cpuDelayTotal: 4_100_000_000n,
      blkioCount: 12n,
      blkioDelayTotal: 36_000_000n,
      hiwaterRss: 20_480n,
      hiwaterVm: 150_000n,
      acMinflt: 5_120n,
      readChar: 1_048_576n,
      readSyscalls: 300n,
      writeChar: 4_194_304n,
      writeSyscalls: 1_200n,
      nvcsw: 91_000n,
      nivcsw: 22n,
    },
  },
  {
    pid: 4243,
    tgid: 4242,
    stats: { acComm: "nginx", acUtime: 120_000n, nvcsw: 4_000n, nivcsw: 3n },
  },
];

/** `nlkit taskstats PID`. */
export const taskstats: Command = {
  name: "taskstats",
  usage: "taskstats [-t] PID|self",
  summary:
    "a task's CPU, memory, I/O and delay statistics (like `getdelays`); -t: its whole thread group",
  flags: ["-t"],
  simulate(kernel) {
    new simulated.Simulator({
      tasks: [...DEMO, { pid: process.pid, stats: { acComm: "nlkit" } }],
    }).register(kernel);
  },
  async run({ args, backend }) {
    const operand = args.operands[0];
    if (operand === undefined) {
      throw new UsageError(
        "taskstats needs a pid, e.g. `taskstats 1` or `taskstats self`",
      );
    }
    const id = operand === "self" ? process.pid : Number(operand);
    if (!Number.isInteger(id) || id < 1 || id > 0xffff_ffff) {
      throw new UsageError(`taskstats: "${operand}" is not a pid`);
    }
    const kind = args.flags.has("-t") ? "tgid" : "pid";
    await using ts = await Taskstats.open({ conn: await backend.genl() });
    let s: Stats;
    try {
      s = kind === "tgid" ? await ts.tgid(id) : await ts.pid(id);
    } catch (e) {
      if (isNotExist(e)) {
        throw new UsageError(`taskstats: no task with ${kind} ${id}`);
      }
      throw e;
    }
    return args.json
      ? toJSON({ [kind]: id, ...s }, 2)
      : formatTaskstats(kind, id, s);
  },
};
