/**
 * Constants of the taskstats generic netlink family, from
 * `linux/taskstats.h` (commands, attribute types, the family name) and
 * `linux/acct.h` (the accounting flags in `ac_flag`).
 *
 * @module
 */

/**
 * `TASKSTATS_GENL_NAME`: the generic netlink family name.
 */
export const TASKSTATS_GENL_NAME = "TASKSTATS";

/**
 * `TASKSTATS_GENL_VERSION`: the family version sent in the genl header.
 */
export const TASKSTATS_GENL_VERSION = 1;

/**
 * `TS_COMM_LEN`: the size of `ac_comm`, the command name, in bytes (NUL included).
 */
export const TS_COMM_LEN = 32;

/**
 * Commands (`TASKSTATS_CMD_*` in `linux/taskstats.h`).
 *
 * @example Ask for a task's statistics by hand
 * ```ts
 * import { TaskstatsCommand, TaskstatsCommandAttribute, TASKSTATS_GENL_NAME } from "@nlkit/netlink/taskstats";
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { taskstats } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = taskstats.dial({ tasks: [{ pid: 42 }] });
 * const family = await conn.getFamily(TASKSTATS_GENL_NAME);
 * const [reply] = await conn.execute(
 *   { header: { command: TaskstatsCommand.Get, version: 1 }, data: new AttributeEncoder().uint32(TaskstatsCommandAttribute.PID, 42).encode() },
 *   family.id,
 *   HeaderFlags.Request,
 * );
 * assert.equal(reply?.header.command, TaskstatsCommand.New);
 * ```
 */
export const TaskstatsCommand = {
  /** `TASKSTATS_CMD_UNSPEC`: reserved. */
  Unspec: 0,
  /** `TASKSTATS_CMD_GET`: user to kernel, a request (the reply is a `New`). */
  Get: 1,
  /** `TASKSTATS_CMD_NEW`: kernel to user, a reply or an exit event. */
  New: 2,
} as const;

/**
 * Attribute types of a reply or exit event (`TASKSTATS_TYPE_*` in `linux/taskstats.h`).
 */
export const TaskstatsType = {
  /** `TASKSTATS_TYPE_UNSPEC`: reserved. */
  Unspec: 0,
  /** `TASKSTATS_TYPE_PID`: a u32 process (thread) id. */
  PID: 1,
  /** `TASKSTATS_TYPE_TGID`: a u32 thread group id. */
  TGID: 2,
  /** `TASKSTATS_TYPE_STATS`: a `struct taskstats`. */
  Stats: 3,
  /** `TASKSTATS_TYPE_AGGR_PID`: a nest of `PID` and `Stats`. */
  AggrPID: 4,
  /** `TASKSTATS_TYPE_AGGR_TGID`: a nest of `TGID` and `Stats`. */
  AggrTGID: 5,
  /** `TASKSTATS_TYPE_NULL`: padding before a 64-bit aligned `Stats`; carries nothing. */
  Null: 6,
} as const;

/**
 * Attribute types of a request (`TASKSTATS_CMD_ATTR_*` in `linux/taskstats.h`).
 */
export const TaskstatsCommandAttribute = {
  /** `TASKSTATS_CMD_ATTR_UNSPEC`: reserved. */
  Unspec: 0,
  /** `TASKSTATS_CMD_ATTR_PID`: u32, the task (thread) id to report. */
  PID: 1,
  /** `TASKSTATS_CMD_ATTR_TGID`: u32, the thread group to report. */
  TGID: 2,
  /** `TASKSTATS_CMD_ATTR_REGISTER_CPUMASK`: string, CPUs whose exiting tasks to report. */
  RegisterCPUMask: 3,
  /** `TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK`: string, stop reporting those CPUs. */
  DeregisterCPUMask: 4,
} as const;

/**
 * Accounting flags in `ac_flag` (`linux/acct.h`).
 */
export const AccountingFlags = {
  /** `AFORK`: forked but did not exec. */
  Fork: 0x01,
  /** `ASU`: used super-user privileges. */
  SuperUser: 0x02,
  /** `ACOMPAT`: used compatibility mode (VAX only, unused). */
  Compat: 0x04,
  /** `ACORE`: dumped core. */
  Core: 0x08,
  /** `AXSIG`: was killed by a signal. */
  KilledBySignal: 0x10,
  /** `AGROUP`: was the last task of its thread group (taskstats version 12 on). */
  Group: 0x20,
} as const;
