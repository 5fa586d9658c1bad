/**
 * A simulated `TASKSTATS` generic netlink family: declare tasks (pid,
 * thread group, any `struct taskstats` values) and get a `GenlConn` that
 * answers pid and tgid queries like the kernel, encoded with the same codec
 * the client decodes with (`@nlkit/netlink/taskstats`).
 *
 * What it mirrors of Linux (checked against the real kernel in
 * `tests/integration/taskstats_test.ts`):
 * - the family: name `TASKSTATS`, version 1, `TASKSTATS_CMD_GET` (do only,
 *   `GENL_ADMIN_PERM`) and `CGROUPSTATS_CMD_GET` (4), the policy nlctrl reports;
 * - a pid reply: `TASKSTATS_CMD_NEW` with `TASKSTATS_TYPE_AGGR_PID` holding
 *   the pid and the struct (version 16 by default);
 * - a tgid reply: `TASKSTATS_TYPE_AGGR_TGID` echoing the id asked for (any
 *   thread of the group), with the struct zeroed except what the kernel sums
 *   over the group's threads, the live ones and those that exited while
 *   others lived on: the delay accounting counts and totals,
 *   `cpuRunRealTotal`, `cpuRunVirtualTotal`, `cpuScaledRunRealTotal`,
 *   `acEtime`, `acUtime`, `acStime`, `nvcsw`, `nivcsw` (max/min delays:
 *   the largest max and the smallest non-zero min, an approximation);
 * - errors: an unknown id → ESRCH; no PID or TGID attribute → EINVAL; a
 *   PID or TGID shorter than 4 bytes → ERANGE "Attribute failed policy
 *   validation" pointing at it; a dump → EOPNOTSUPP.
 *
 * Not simulated: exit events (`TASKSTATS_CMD_ATTR_REGISTER_CPUMASK` answers
 * EOPNOTSUPP), cgroupstats, and the `CAP_NET_ADMIN` check.
 *
 * Exported from `@nlkit/netlink/nltest` as the `taskstats` namespace.
 *
 * @example Query a declared task
 * ```ts
 * import { Taskstats } from "@nlkit/netlink/taskstats";
 * import { taskstats } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using ts = await Taskstats.open({
 *   conn: taskstats.dial({ tasks: [{ pid: 1, stats: { acComm: "init", nvcsw: 12n } }] }),
 * });
 * const s = await ts.pid(1);
 * assert.equal(s.acComm, "init");
 * assert.equal(s.nvcsw, 12n);
 * ```
 *
 * @module
 */

import { GenlConn } from "../genetlink/conn.ts";
import type { Family } from "../genetlink/family.ts";
import type { GenlMessage } from "../genetlink/message.ts";
import { GENL_HEADER_LENGTH, OperationFlags } from "../genetlink/message.ts";
import { type OperationPolicy, PolicyType } from "../genetlink/policy.ts";
import { get32, HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import { Errno } from "../netlink/errno.ts";
import { Family as NetlinkFamily, HEADER_LENGTH } from "../netlink/header.ts";
import {
  emptyTaskstats,
  encodeAggregates,
  encodeTaskstats,
  LATEST_TASKSTATS_VERSION,
  type Stats,
  TASKSTATS_GENL_NAME,
  TASKSTATS_GENL_VERSION,
  TaskstatsCommand,
  TaskstatsCommandAttribute,
} from "../taskstats/mod.ts";
import { SimKernel } from "./kernel.ts";
import { KernelError } from "./kernel_handler.ts";
import { DELAYS } from "../taskstats/_delays.ts";

/**
 * A task the simulator knows.
 */
export interface SimTask {
  /** The task (thread) id. */
  pid: number;
  /** Its thread group id; default `pid` (a process's main thread). */
  tgid?: number;
  /**
   * Values of `struct taskstats`; every other field the version has is 0,
   * except `acPid` (the pid), `acTgid` (the tgid) and `acComm` (`"task"`).
   * `version` is the simulator's.
   */
  stats?: Partial<Omit<Stats, "version">>;
}

/**
 * Options of the {@linkcode Simulator}.
 */
export interface SimOptions {
  /** The tasks. */
  tasks?: SimTask[];
  /** The `struct taskstats` version to answer with; default 16 (as Linux 6.18 sends). */
  version?: number;
}

/** `CGROUPSTATS_CMD_GET` (`linux/cgroupstats.h`): the family's other command. */
const CGROUPSTATS_CMD_GET = 4;

/** The policy the kernel reports for the family's commands (`CTRL_CMD_GETPOLICY`, Linux 6.18). */
const POLICY: ReadonlyMap<number, OperationPolicy> = new Map([
  [TaskstatsCommand.Get, {
    do: new Map([
      [TaskstatsCommandAttribute.PID, {
        type: PolicyType.U32,
        minValue: 0n,
        maxValue: 0xffff_ffffn,
      }],
      [TaskstatsCommandAttribute.TGID, {
        type: PolicyType.U32,
        minValue: 0n,
        maxValue: 0xffff_ffffn,
      }],
      [TaskstatsCommandAttribute.RegisterCPUMask, { type: PolicyType.String }],
      [TaskstatsCommandAttribute.DeregisterCPUMask, {
        type: PolicyType.String,
      }],
    ]),
  }],
  [CGROUPSTATS_CMD_GET, {
    do: new Map([[1, {
      type: PolicyType.U32,
      minValue: 0n,
      maxValue: 0xffff_ffffn,
    }]]),
  }],
]);

const OPERATIONS = [
  {
    id: TaskstatsCommand.Get,
    flags: OperationFlags.AdminPerm | OperationFlags.CanDo |
      OperationFlags.HasPolicy,
  },
  {
    id: CGROUPSTATS_CMD_GET,
    flags: OperationFlags.CanDo | OperationFlags.HasPolicy,
  },
];

/** Fields `fill_stats_for_tgid` adds up over a thread group's live threads. */
const SUMMED = [
  "cpuCount",
  "cpuDelayTotal",
  "blkioCount",
  "blkioDelayTotal",
  "swapinCount",
  "swapinDelayTotal",
  "cpuRunRealTotal",
  "cpuRunVirtualTotal",
  "acEtime",
  "acUtime",
  "acStime",
  "nvcsw",
  "nivcsw",
  "cpuScaledRunRealTotal",
  "freepagesCount",
  "freepagesDelayTotal",
  "thrashingCount",
  "thrashingDelayTotal",
  "compactCount",
  "compactDelayTotal",
  "wpcopyCount",
  "wpcopyDelayTotal",
  "irqCount",
  "irqDelayTotal",
] as const satisfies readonly (keyof Stats)[];

interface TaskState {
  pid: number;
  tgid: number;
  stats: Stats;
  spec: SimTask;
}

function checkId(what: string, n: unknown): number {
  if (
    typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 0xffff_ffff
  ) {
    throw new TypeError(
      `Cannot simulate taskstats: ${what} ${
        String(n)
      } is not an integer from 1 to 4294967295`,
    );
  }
  return n;
}

/**
 * The simulated family. {@linkcode dial} builds one on a fresh simulated
 * kernel; {@linkcode Simulator.register} adds it to a `SimKernel` you share
 * with other simulated families.
 *
 * @example Change a task while a client watches it
 * ```ts
 * import { Taskstats } from "@nlkit/netlink/taskstats";
 * import { SimKernel, taskstats } from "@nlkit/netlink/nltest";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const sim = new taskstats.Simulator({ tasks: [{ pid: 50, stats: { acUtime: 10n } }] });
 * sim.register(kernel);
 * await using ts = await Taskstats.open({ conn: GenlConn.from(kernel.dial(Family.Generic)) });
 * sim.update(50, { acUtime: 40n });
 * assert.equal((await ts.pid(50)).acUtime, 40n);
 * sim.removeTask(50);
 * await assert.rejects(ts.pid(50), { code: "ENOENT" });
 * ```
 */
export class Simulator {
  /**
   * The struct version the simulator answers with.
   */
  readonly version: number;
  #tasks = new Map<number, TaskState>();
  /** Per thread group: the sums of its threads that exited (the kernel's `signal->stats`). */
  #exited = new Map<number, Record<string, bigint>>();

  /**
   * Creates the simulator with its tasks.
   *
   * @param options The tasks and the struct version.
   * @throws {TypeError} On a bad task (id out of range, a pid declared twice,
   * a value the struct version cannot hold).
   */
  constructor(options: SimOptions = {}) {
    const version = options.version ?? LATEST_TASKSTATS_VERSION;
    emptyTaskstats(version);
    this.version = version;
    for (const t of options.tasks ?? []) this.addTask(t);
  }

  /**
   * Adds a task.
   *
   * @param task The task.
   * @throws {TypeError} When the pid is taken, an id is out of range, or a
   * value does not fit the struct version.
   */
  addTask(task: SimTask): void {
    const pid = checkId("pid", task.pid);
    const tgid = checkId("tgid", task.tgid ?? pid);
    if (this.#tasks.has(pid)) {
      throw new TypeError(
        `Cannot simulate taskstats: pid ${pid} is declared twice`,
      );
    }
    this.#tasks.set(pid, {
      pid,
      tgid,
      stats: this.#build(pid, tgid, task.stats ?? {}),
      spec: structuredClone(task),
    });
  }

  /**
   * Changes values of a task's struct (the others stay).
   *
   * @param pid The task.
   * @param stats The new values.
   * @throws {TypeError} When there is no such task or a value does not fit.
   */
  update(pid: number, stats: Partial<Omit<Stats, "version">>): void {
    const t = this.#tasks.get(pid);
    if (t === undefined) {
      throw new TypeError(`Cannot simulate taskstats: no task ${pid}`);
    }
    const merged = { ...t.spec.stats, ...stats };
    t.stats = this.#build(t.pid, t.tgid, merged);
    t.spec = { ...t.spec, stats: structuredClone(merged) };
  }

  /**
   * Removes a task (it exited); later queries for it answer ESRCH. A thread
   * that exits while others of its group live on still counts in the
   * group's sums, as in the kernel.
   *
   * @param pid The task.
   * @returns False when there was no such task.
   */
  removeTask(pid: number): boolean {
    const t = this.#tasks.get(pid);
    if (t === undefined) return false;
    this.#tasks.delete(pid);
    if (![...this.#tasks.values()].some((x) => x.tgid === t.tgid)) {
      this.#exited.delete(t.tgid); // the whole group is gone
      return true;
    }
    const acc = this.#exited.get(t.tgid) ?? {};
    const s = t.stats as unknown as Record<string, bigint | undefined>;
    for (const k of SUMMED) {
      const v = s[k];
      if (v !== undefined) acc[k] = (acc[k] ?? 0n) + v;
    }
    this.#exited.set(t.tgid, acc);
    return true;
  }

  /**
   * The declared tasks (copies), in the order they were added.
   *
   * @returns The tasks.
   */
  tasks(): SimTask[] {
    return [...this.#tasks.values()].map((t) => structuredClone(t.spec));
  }

  /**
   * Registers the family with a simulated kernel, which allocates its id
   * and answers nlctrl lookups and policy dumps for it.
   *
   * @param kernel The simulated kernel.
   * @returns The family as registered.
   *
   * @example Register with a shared kernel
   * ```ts
   * import { SimKernel, taskstats } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * const family = new taskstats.Simulator().register(kernel);
   * assert.equal(family.name, "TASKSTATS");
   * assert.ok(kernel.families().some((f) => f.id === family.id));
   * ```
   */
  register(kernel: SimKernel): Family {
    return kernel.registerFamily({
      name: TASKSTATS_GENL_NAME,
      version: TASKSTATS_GENL_VERSION,
      operations: OPERATIONS,
      policy: POLICY,
      handler: (request, context) =>
        this.handle(request, context.message.header.flags),
    });
  }

  /**
   * Answers one request of the family, as the kernel would.
   *
   * @param request The generic netlink request.
   * @param flags Its netlink header flags (a dump is refused, as the kernel does).
   * @returns The replies.
   * @throws {KernelError} With the kernel's errno.
   *
   * @example Answer a request directly
   * ```ts
   * import { decodeAggregates, TaskstatsCommand, TaskstatsCommandAttribute } from "@nlkit/netlink/taskstats";
   * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
   * import { taskstats } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new taskstats.Simulator({ tasks: [{ pid: 5 }] });
   * const [reply] = sim.handle({
   *   header: { command: TaskstatsCommand.Get, version: 1 },
   *   data: new AttributeEncoder().uint32(TaskstatsCommandAttribute.PID, 5).encode(),
   * }, HeaderFlags.Request);
   * assert.equal(decodeAggregates(reply!.data)[0]?.stats.acPid, 5);
   * ```
   */
  handle(request: GenlMessage, flags: number): GenlMessage[] {
    if ((flags & 0x300) !== 0) {
      throw new KernelError(Errno.EOPNOTSUPP);
    }
    if (request.header.command === CGROUPSTATS_CMD_GET) {
      throw new KernelError(Errno.EOPNOTSUPP, {
        message: "nltest: CGROUPSTATS_CMD_GET is not simulated",
      });
    }
    if (request.header.command !== TaskstatsCommand.Get) {
      throw new KernelError(Errno.EOPNOTSUPP);
    }
    let pid: number | undefined;
    let tgid: number | undefined;
    let cpumask = false;
    const d = new AttributeDecoder(request.data);
    while (d.next()) {
      const t = d.type;
      if (
        t === TaskstatsCommandAttribute.PID ||
        t === TaskstatsCommandAttribute.TGID
      ) {
        if (d.length < 4) {
          // The policy check (NLA_U32) runs before the command.
          throw new KernelError(Errno.ERANGE, {
            message: "Attribute failed policy validation",
            offset: HEADER_LENGTH + GENL_HEADER_LENGTH + d.offset - 4,
          });
        }
        const v = get32(request.data, d.offset, HOST_LITTLE_ENDIAN) >>> 0;
        if (t === TaskstatsCommandAttribute.PID) pid = v;
        else tgid = v;
      } else if (
        t === TaskstatsCommandAttribute.RegisterCPUMask ||
        t === TaskstatsCommandAttribute.DeregisterCPUMask
      ) cpumask = true;
    }
    if (cpumask) {
      throw new KernelError(Errno.EOPNOTSUPP, {
        message: "nltest: taskstats exit listeners are not simulated",
      });
    }
    if (pid !== undefined) {
      const t = this.#tasks.get(pid);
      if (t === undefined) throw new KernelError(Errno.ESRCH);
      return [this.#reply({ kind: "pid", id: pid, stats: t.stats })];
    }
    if (tgid !== undefined) {
      const first = this.#tasks.get(tgid);
      if (first === undefined) throw new KernelError(Errno.ESRCH);
      return [
        this.#reply({ kind: "tgid", id: tgid, stats: this.#group(first.tgid) }),
      ];
    }
    throw new KernelError(Errno.EINVAL);
  }

  #reply(a: Parameters<typeof encodeAggregates>[0][number]): GenlMessage {
    return {
      header: {
        command: TaskstatsCommand.New,
        version: TASKSTATS_GENL_VERSION,
      },
      data: encodeAggregates([a]),
    };
  }

  #build(
    pid: number,
    tgid: number,
    values: Partial<Omit<Stats, "version">>,
  ): Stats {
    const base = emptyTaskstats(this.version) as unknown as Record<
      string,
      unknown
    >;
    if ("acPid" in base) base.acPid = pid;
    if ("acTgid" in base) base.acTgid = tgid;
    if ("acComm" in base) base.acComm = "task";
    const stats = { ...base, ...values, version: this.version } as Stats;
    encodeTaskstats(stats); // throws TypeError now rather than at query time
    return stats;
  }

  #group(tgid: number): Stats {
    const out = emptyTaskstats(this.version) as unknown as Record<
      string,
      unknown
    >;
    const has = (k: string) => k in out;
    for (const [k, v] of Object.entries(this.#exited.get(tgid) ?? {})) {
      if (has(k)) out[k] = v;
    }
    for (const t of this.#tasks.values()) {
      if (t.tgid !== tgid) continue;
      const s = t.stats as unknown as Record<string, unknown>;
      for (const k of SUMMED) {
        if (has(k)) {
          out[k] = (out[k] as bigint) + ((s[k] as bigint | undefined) ?? 0n);
        }
      }
      for (const d of DELAYS) {
        const max = `${d}DelayMax`, min = `${d}DelayMin`;
        if (has(max) && (s[max] as bigint) > (out[max] as bigint)) {
          out[max] = s[max];
        }
        const m = s[min] as bigint | undefined;
        if (has(min) && m !== undefined && m !== 0n) {
          const cur = out[min] as bigint;
          if (cur === 0n || m < cur) out[min] = m;
        }
      }
    }
    return out as unknown as Stats;
  }
}

/**
 * Opens a generic netlink connection to a fresh simulated kernel with a
 * taskstats family answering for `options.tasks`.
 *
 * @param options The tasks and the struct version.
 * @returns The connection, ready for `Taskstats.open({ conn })`.
 * @throws {TypeError} On a bad task.
 *
 * @example Dial and query
 * ```ts
 * import { Taskstats } from "@nlkit/netlink/taskstats";
 * import { taskstats } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using ts = await Taskstats.open({ conn: taskstats.dial({ tasks: [{ pid: 77, stats: { acUid: 1000 } }] }) });
 * assert.equal((await ts.pid(77)).acUid, 1000);
 * ```
 */
export function dial(options: SimOptions = {}): GenlConn {
  const kernel = new SimKernel();
  new Simulator(options).register(kernel);
  return GenlConn.from(kernel.dial(NetlinkFamily.Generic));
}
