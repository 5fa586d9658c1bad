/**
 * The attributes of a `TASKSTATS_CMD_NEW` message (a reply to a pid or tgid
 * query, or an exit event): one aggregate nest per task or thread group,
 * each holding the id and a `struct taskstats`.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import { TaskstatsType } from "./constants.ts";
import { decodeTaskstats, encodeTaskstats, type Stats } from "./struct.ts";

/**
 * One `TASKSTATS_TYPE_AGGR_PID` or `TASKSTATS_TYPE_AGGR_TGID` nest.
 */
export interface Aggregate {
  /** `"pid"` for `TASKSTATS_TYPE_AGGR_PID`, `"tgid"` for `TASKSTATS_TYPE_AGGR_TGID`. */
  kind: "pid" | "tgid";
  /** The `TASKSTATS_TYPE_PID` or `TASKSTATS_TYPE_TGID` value: the id the stats are for. */
  id: number;
  /** The `TASKSTATS_TYPE_STATS` struct. */
  stats: Stats;
}

/**
 * Decodes the aggregates of a `TASKSTATS_CMD_NEW` message from its
 * attributes (the genl payload after the 4-byte genl header), in place.
 * `TASKSTATS_TYPE_NULL` padding and unknown attributes are skipped.
 *
 * @param bytes The buffer.
 * @param offset Where the attributes start.
 * @param length Their length.
 * @returns The aggregates, in message order.
 * @throws {RangeError} On malformed attributes, an aggregate without its id
 * or stats, an id that is not a u32, or a malformed struct.
 *
 * @example Decode a reply built by the simulated kernel's encoder
 * ```ts
 * import { decodeAggregates, encodeAggregates } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * const stats = { version: 16, cpuCount: 0n, cpuDelayTotal: 0n, blkioCount: 0n, blkioDelayTotal: 0n,
 *   swapinCount: 0n, swapinDelayTotal: 0n, cpuRunRealTotal: 0n, cpuRunVirtualTotal: 0n, acPid: 42 };
 * const attrs = encodeAggregates([{ kind: "pid", id: 42, stats }]);
 * assert.equal(decodeAggregates(attrs)[0]?.stats.acPid, 42);
 * ```
 */
export function decodeAggregates(
  bytes: Uint8Array,
  offset: number = 0,
  length: number = bytes.length - offset,
): Aggregate[] {
  const out: Aggregate[] = [];
  const d = new AttributeDecoder(bytes, offset, length);
  while (d.next()) {
    const kind = d.type === TaskstatsType.AggrPID
      ? "pid"
      : d.type === TaskstatsType.AggrTGID
      ? "tgid"
      : undefined;
    if (kind === undefined) continue;
    const idType = kind === "pid" ? TaskstatsType.PID : TaskstatsType.TGID;
    const at = d.offset - 4;
    let id: number | undefined;
    let stats: Stats | undefined;
    d.nested((n) => {
      while (n.next()) {
        if (n.type === idType) id = n.uint32();
        else if (n.type === TaskstatsType.Stats) {
          stats = decodeTaskstats(bytes, n.offset, n.length);
        }
      }
    });
    if (id === undefined || stats === undefined) {
      throw new RangeError(
        `Cannot decode taskstats aggregate at offset ${at}: no ${
          id === undefined
            ? (kind === "pid" ? "TASKSTATS_TYPE_PID" : "TASKSTATS_TYPE_TGID")
            : "TASKSTATS_TYPE_STATS"
        } attribute`,
      );
    }
    out.push({ kind, id, stats });
  }
  return out;
}

/**
 * Encodes aggregates as a `TASKSTATS_CMD_NEW` message's attributes, the
 * way the kernel lays them out (id, then stats; no `TASKSTATS_TYPE_NULL`
 * padding, as on architectures with efficient unaligned access).
 *
 * @param aggregates The aggregates.
 * @returns The attributes.
 * @throws {TypeError} When an id is not a u32 or a struct cannot be encoded.
 *
 * @example Encode a pid reply
 * ```ts
 * import { encodeAggregates } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * const stats = { version: 1, cpuCount: 0n, cpuDelayTotal: 0n, blkioCount: 0n, blkioDelayTotal: 0n,
 *   swapinCount: 0n, swapinDelayTotal: 0n, cpuRunRealTotal: 0n, cpuRunVirtualTotal: 0n };
 * // nest header 4 + pid attribute 8 + stats header 4 + 80-byte version 1 struct
 * assert.equal(encodeAggregates([{ kind: "pid", id: 1, stats }]).length, 96);
 * ```
 */
export function encodeAggregates(
  aggregates: readonly Aggregate[],
): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder();
  for (const a of aggregates) {
    const pid = a.kind === "pid";
    if (!pid && a.kind !== "tgid") {
      throw new TypeError(
        `Cannot encode taskstats aggregate: kind ${
          String(a.kind)
        } is not "pid" or "tgid"`,
      );
    }
    if (!Number.isInteger(a.id) || a.id < 0 || a.id > 0xffff_ffff) {
      throw new TypeError(
        `Cannot encode taskstats aggregate: id ${String(a.id)} is not a u32`,
      );
    }
    e.nested(pid ? TaskstatsType.AggrPID : TaskstatsType.AggrTGID, (n) => {
      n.uint32(pid ? TaskstatsType.PID : TaskstatsType.TGID, a.id);
      n.bytes(TaskstatsType.Stats, encodeTaskstats(a.stats));
    });
  }
  return e.encode();
}
