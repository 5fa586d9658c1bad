/**
 * The taskstats client: per-task and per-thread-group statistics from the
 * kernel's `TASKSTATS` generic netlink family.
 *
 * @module
 */

import { GenlConn, type GenlConnOptions } from "../genetlink/conn.ts";
import type { Family } from "../genetlink/family.ts";
import type { GenlMessage } from "../genetlink/message.ts";
import { AttributeEncoder } from "../netlink/attribute.ts";
import { Errno } from "../netlink/errno.ts";
import { isNetlinkError, NetlinkError } from "../netlink/errors.ts";
import { HeaderFlags } from "../netlink/header.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import {
  TASKSTATS_GENL_NAME,
  TASKSTATS_GENL_VERSION,
  TaskstatsCommand,
  TaskstatsCommandAttribute,
} from "./constants.ts";
import { decodeAggregates } from "./message.ts";
import type { Stats } from "./struct.ts";

/**
 * Options of {@linkcode Taskstats.open}: a connection to use, or the
 * options of a new one.
 */
export interface TaskstatsOptions extends GenlConnOptions {
  /**
   * The generic netlink connection to use (a simulated one from
   * `nltest`'s `taskstats.dial`, or one you opened). The client owns it once
   * `open` succeeds and closes it in {@linkcode Taskstats.close}. Default: a
   * new connection to the kernel with the other options.
   */
  conn?: GenlConn;
}

/**
 * A taskstats client. `pid(n)` reports one task (thread); `tgid(n)` sums a
 * whole thread group (process) the way the kernel does.
 *
 * The kernel allows `TASKSTATS_CMD_GET` only with `CAP_NET_ADMIN` (the
 * command carries `GENL_ADMIN_PERM`): without it every query fails with
 * EPERM.
 *
 * For a thread group the kernel fills only some fields, summed over the
 * group's threads, the live ones and those that already exited (the kernel
 * keeps an exiting thread's totals for its group): the delay accounting
 * fields, `acEtime` (the sum of the threads' elapsed times), `acUtime`,
 * `acStime`, `nvcsw` and `nivcsw`; the rest (command, ids, memory, I/O)
 * stay 0. (Checked on Linux 6.18 by the integration tests.)
 *
 * @example Read a task's CPU time (simulated kernel)
 * ```ts
 * import { Taskstats } from "@nlkit/netlink/taskstats";
 * import { taskstats } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux, as root: await Taskstats.open()
 * await using ts = await Taskstats.open({
 *   conn: taskstats.dial({ tasks: [{ pid: 100, stats: { acComm: "nginx", acUtime: 2_000n, nvcsw: 5n } }] }),
 * });
 * const s = await ts.pid(100);
 * assert.equal(s.acComm, "nginx");
 * assert.equal(s.acUtime, 2_000n); // microseconds
 * assert.equal(s.version, 16);
 * ```
 *
 * @example Read this process on the real kernel
 * ```ts ignore
 * import { Taskstats } from "@nlkit/netlink/taskstats";
 *
 * await using ts = await Taskstats.open();
 * const s = await ts.tgid(process.pid);
 * console.log(`user ${s.acUtime} µs, system ${s.acStime} µs, ${s.nvcsw} voluntary switches`);
 * ```
 */
export class Taskstats implements AsyncDisposable, Disposable {
  #conn: GenlConn;
  #family: Family;

  private constructor(conn: GenlConn, family: Family) {
    this.#conn = conn;
    this.#family = family;
  }

  /**
   * Opens a client: resolves the `TASKSTATS` family through nlctrl.
   *
   * @param options A connection to use, or options for a new one.
   * @returns The client.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when the kernel has no
   * taskstats (built without `CONFIG_TASKSTATS`).
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   *
   * @example A kernel without taskstats
   * ```ts
   * import { Taskstats } from "@nlkit/netlink/taskstats";
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { Family, isNotExist } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = GenlConn.from(new SimKernel().dial(Family.Generic)); // nlctrl only
   * await assert.rejects(Taskstats.open({ conn }), (e) => isNotExist(e));
   * ```
   */
  static async open(options: TaskstatsOptions = {}): Promise<Taskstats> {
    const { conn: given, ...dialOptions } = options;
    const conn = given ?? await GenlConn.dial(dialOptions);
    try {
      return new Taskstats(conn, await conn.getFamily(TASKSTATS_GENL_NAME));
    } catch (e) {
      if (given === undefined) await conn.close();
      throw e;
    }
  }

  /**
   * The `TASKSTATS` family as the kernel described it.
   */
  get family(): Family {
    return this.#family;
  }

  /**
   * The statistics of one task (a thread; a process's main thread has the
   * process id).
   *
   * @param pid The task id, as the requester's pid namespace numbers it.
   * @param options An abort signal.
   * @returns The task's `struct taskstats`.
   * @throws {TypeError} When `pid` is not an integer from 0 to 4294967295.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when no task has that
   * id (the kernel answers ESRCH, kept as the error's `cause`); EPERM without
   * `CAP_NET_ADMIN`.
   * @throws {RangeError} When the reply is malformed.
   *
   * @example An unknown pid
   * ```ts
   * import { Taskstats } from "@nlkit/netlink/taskstats";
   * import { isNotExist } from "@nlkit/netlink/netlink";
   * import { taskstats } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using ts = await Taskstats.open({ conn: taskstats.dial({ tasks: [{ pid: 1 }] }) });
   * await assert.rejects(ts.pid(4242), (e: Error) => isNotExist(e) && e.message.includes("pid 4242"));
   * ```
   */
  pid(pid: number, options: ReceiveOptions = {}): Promise<Stats> {
    return this.#query("pid", pid, options);
  }

  /**
   * The statistics of a thread group (process), summed over its threads by
   * the kernel (see the class documentation for which fields it fills). Any
   * thread's id names its group.
   *
   * @param tgid The thread group id (or the id of any of its threads).
   * @param options An abort signal.
   * @returns The group's `struct taskstats`.
   * @throws {TypeError} When `tgid` is not an integer from 0 to 4294967295.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when no such task
   * exists (the kernel answers ESRCH); EPERM without `CAP_NET_ADMIN`.
   * @throws {RangeError} When the reply is malformed.
   *
   * @example Sum over a process's threads
   * ```ts
   * import { Taskstats } from "@nlkit/netlink/taskstats";
   * import { taskstats } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using ts = await Taskstats.open({
   *   conn: taskstats.dial({
   *     tasks: [{ pid: 10, stats: { nvcsw: 3n } }, { pid: 11, tgid: 10, stats: { nvcsw: 4n } }],
   *   }),
   * });
   * assert.equal((await ts.tgid(10)).nvcsw, 7n);
   * ```
   */
  tgid(tgid: number, options: ReceiveOptions = {}): Promise<Stats> {
    return this.#query("tgid", tgid, options);
  }

  async #query(
    kind: "pid" | "tgid",
    id: number,
    options: ReceiveOptions,
  ): Promise<Stats> {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
      throw new TypeError(
        `Cannot get taskstats of ${kind} ${
          String(id)
        }: not an integer from 0 to 4294967295`,
      );
    }
    const what = `taskstats of ${kind} ${id}`;
    const attribute = kind === "pid"
      ? TaskstatsCommandAttribute.PID
      : TaskstatsCommandAttribute.TGID;
    let replies: GenlMessage[];
    try {
      replies = await this.#conn.execute(
        {
          header: {
            command: TaskstatsCommand.Get,
            version: TASKSTATS_GENL_VERSION,
          },
          data: new AttributeEncoder().uint32(attribute, id).encode(),
        },
        this.#family.id,
        HeaderFlags.Request,
        options,
      );
    } catch (e) {
      throw relabel(e, kind, what);
    }
    for (const r of replies) {
      if (r.header.command !== TaskstatsCommand.New) continue;
      for (const a of decodeAggregates(r.data)) {
        if (a.kind === kind && a.id === id) return a.stats;
      }
    }
    throw new RangeError(
      `Cannot get ${what}: the reply has no ${
        kind === "pid" ? "TASKSTATS_TYPE_AGGR_PID" : "TASKSTATS_TYPE_AGGR_TGID"
      } for ${id}`,
    );
  }

  /**
   * Closes the connection. Idempotent.
   *
   * @returns A promise that settles when the connection is closed.
   */
  close(): Promise<void> {
    return this.#conn.close();
  }

  /**
   * Closes the connection (see {@linkcode Taskstats.close}).
   */
  [Symbol.dispose](): void {
    this.#conn[Symbol.dispose]();
  }

  /**
   * Closes the connection (see {@linkcode Taskstats.close}).
   *
   * @returns A promise that settles when the connection is closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A kernel error re-labelled with the query; ESRCH ("no such process")
 * becomes ENOENT so that `isNotExist` recognises it, with the kernel's error
 * as the cause.
 */
function relabel(e: unknown, op: string, what: string): unknown {
  if (!isNetlinkError(e) || e.name !== "NetlinkError") return e;
  const options: ConstructorParameters<typeof NetlinkError>[2] = { cause: e };
  if (e.sequence !== undefined) options.sequence = e.sequence;
  if (e.extAck !== undefined) options.extAck = e.extAck;
  if (e.errno === Errno.ESRCH) {
    const err = new NetlinkError(op, Errno.ENOENT, options);
    err.message =
      `Cannot get ${what}: ENOENT (errno ${Errno.ENOENT}): no such task (the kernel answered ESRCH)`;
    return err;
  }
  const err = new NetlinkError(op, e.errno, options);
  err.message = `Cannot get ${what}${err.message.slice(`Cannot ${op}`.length)}`;
  return err;
}
