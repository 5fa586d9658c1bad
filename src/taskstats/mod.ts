/**
 * Taskstats: per-task and per-process statistics from the kernel's
 * `TASKSTATS` generic netlink family (no YNL spec; the codec follows
 * `struct taskstats` in `linux/taskstats.h`). CPU time, delays waiting for a
 * CPU, I/O, memory reclaim and more, memory high-water marks, I/O counters,
 * context switches.
 *
 * - {@linkcode Taskstats}: `Taskstats.open()`, then `pid(n)` for one task
 *   (thread) or `tgid(n)` for a whole process; unknown ids reject with
 *   `isNotExist(err)`; the kernel wants `CAP_NET_ADMIN`.
 * - {@linkcode decodeTaskstats} / {@linkcode encodeTaskstats}: the
 *   version-aware struct codec (versions 1 to 16; version 15's shifted
 *   layout included), and {@linkcode decodeAggregates} for the reply's
 *   attributes.
 * - Constants with their kernel macros: {@linkcode TaskstatsCommand},
 *   {@linkcode TaskstatsType}, {@linkcode TaskstatsCommandAttribute},
 *   {@linkcode AccountingFlags}.
 *
 * Numbers: `__u64` fields are `bigint`, smaller ones `number`; times keep
 * the struct's units (ns for delays, µs for accounting times), given in each
 * field's documentation.
 *
 * `@nlkit/netlink/nltest` has a simulated twin (`taskstats.dial`,
 * `taskstats.Simulator`) answering from declared tasks with this codec.
 *
 * @example Read a simulated process and its threads
 * ```ts
 * import { Taskstats } from "@nlkit/netlink/taskstats";
 * import { taskstats } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux, as root: await Taskstats.open()
 * await using ts = await Taskstats.open({
 *   conn: taskstats.dial({
 *     tasks: [
 *       { pid: 500, stats: { acComm: "postgres", acUtime: 1_000n, hiwaterRss: 20_480n } },
 *       { pid: 501, tgid: 500, stats: { acUtime: 250n } },
 *     ],
 *   }),
 * });
 * const main = await ts.pid(500);
 * assert.equal(main.acComm, "postgres");
 * assert.equal(main.hiwaterRss, 20_480n); // KiB
 * assert.equal((await ts.tgid(500)).acUtime, 1_250n); // µs, summed over the threads
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./struct.ts";
export * from "./message.ts";
export * from "./client.ts";
