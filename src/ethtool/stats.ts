/**
 * Standard statistics (`ETHTOOL_MSG_STATS_GET`), as `ethtool -S DEV
 * --all-groups`: groups (`eth-phy`, `eth-mac`, `eth-ctrl`, `rmon`, ...)
 * of named counters, and RMON histograms.
 *
 * The kernel's reply repeats `ETHTOOL_A_STATS_GRP` (one per group) and,
 * inside, `ETHTOOL_A_STATS_GRP_STAT` (a nest holding one u64 whose type is
 * the counter's index in the group's string set); the YNL spec describes
 * both as single attributes, so the generated codec keeps the repeats and
 * the nests as unknown attributes, decoded here with the spec's sets.
 *
 * @module
 */

import type { Attribute } from "../netlink/attribute.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import { ATTRIBUTE_TYPE_MASK } from "../netlink/header.ts";
import {
  family,
  type Stats as StatsReply,
  type StatsGrp,
  type StatsGrpHist,
} from "../families/ethtool.ts";
import { compiled } from "../families/family.ts";
import { decodeBody } from "../families/_codec.ts";
import { type DeviceId, deviceOf } from "./link.ts";

/**
 * One bucket of an RMON histogram: packets of `low` to `high` bytes.
 */
export interface HistogramBucket {
  /** The smallest packet size in the bucket, in bytes. */
  low: number;
  /** The largest, in bytes. */
  high: number;
  /** The packet count. */
  value: bigint;
}

/**
 * One statistics group: counters by name (the group's string set), and
 * the RMON histograms.
 */
export interface StatsGroup {
  /** The counters the driver reports, by the kernel's names. */
  counters: Record<string, bigint>;
  /** Received packets by size (RMON). */
  histRx: HistogramBucket[];
  /** Sent packets by size (RMON). */
  histTx: HistogramBucket[];
}

/**
 * A device's standard statistics, by group name.
 */
export interface Stats extends DeviceId {
  /** Which MAC the counters are from (`ETHTOOL_MAC_STATS_SRC_*`: 0 aggregate, 1 eMAC, 2 pMAC). */
  source?: number;
  /** The groups asked for, by name; a group the driver does not report has no counters. */
  groups: Record<string, StatsGroup>;
}

const rt = () => compiled(family);

function raw(attrs: Attribute[] | undefined, type: number): Attribute[] {
  return (attrs ?? []).filter((a) => (a.type & ATTRIBUTE_TYPE_MASK) === type);
}

/**
 * The groups of a stats reply, first one decoded by the codec, the repeats
 * from its unknown attributes.
 */
function groupsOf(r: StatsReply): StatsGrp[] {
  const stats = rt().sets.get("stats")!;
  const grpSet = rt().sets.get("stats-grp")!;
  const out: StatsGrp[] = r.grp === undefined ? [] : [r.grp];
  for (const a of raw(r.unknownAttributes, stats.byKey.get("grp")!.id)) {
    out.push(decodeBody(null, grpSet, a.data, 0, a.data.length) as StatsGrp);
  }
  return out;
}

function histograms(g: StatsGrp, key: "histRx" | "histTx"): HistogramBucket[] {
  const grpSet = rt().sets.get("stats-grp")!;
  const histSet = rt().sets.get("stats-grp-hist") ?? grpSet;
  const all: StatsGrpHist[] = g[key] === undefined ? [] : [g[key]!];
  const type = grpSet.byKey.get(key)!.id;
  for (const a of raw(g.unknownAttributes, type)) {
    all.push(
      decodeBody(null, histSet, a.data, 0, a.data.length) as StatsGrpHist,
    );
  }
  return all.map((h) => ({
    low: h.histBktLow ?? 0,
    high: h.histBktHi ?? 0,
    value: h.histVal ?? 0n,
  }));
}

/** The string sets naming the counters of a stats reply's groups. @internal */
export function counterStringSets(r: StatsReply): number[] {
  const ids = new Set<number>();
  for (const g of groupsOf(r)) if (g.ssId !== undefined) ids.add(g.ssId);
  return [...ids];
}

/** @internal */
export function decodeStats(
  r: StatsReply,
  groupNames: readonly string[],
  counterNames: (stringSet: number) => readonly string[],
): Stats {
  const statType = rt().sets.get("stats-grp")!.byKey.get("stat")!.id;
  const out: Stats = { ...deviceOf(r.header), groups: {} };
  if (r.src !== undefined) out.source = r.src;
  for (const g of groupsOf(r)) {
    const names = g.ssId === undefined ? [] : counterNames(g.ssId);
    const counters: Record<string, bigint> = {};
    for (const a of raw(g.unknownAttributes, statType)) {
      // One u64 whose type is the counter's index in the string set.
      const d = new AttributeDecoder(a.data);
      while (d.next()) {
        if (d.length === 8) {
          counters[names[d.type] || `#${d.type}`] = d.uint64();
        }
      }
    }
    const name = g.id === undefined ? "?" : groupNames[g.id] || `#${g.id}`;
    out.groups[name] = {
      counters,
      histRx: histograms(g, "histRx"),
      histTx: histograms(g, "histTx"),
    };
  }
  return out;
}
