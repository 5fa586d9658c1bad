/**
 * Device features (offloads), as `ethtool -k` shows them and `ethtool -K`
 * changes them: `ETHTOOL_MSG_FEATURES_GET` / `_SET`, named by the kernel's
 * `ETH_SS_FEATURES` string set.
 *
 * @module
 */

import type { Features as FeaturesReply } from "../families/ethtool.ts";
import { bitNames, readBitset } from "./bitset.ts";
import { type DeviceId, deviceOf } from "./link.ts";

/**
 * A device's features by name (`rx-gro`, `tx-checksum-ip-generic`, ...),
 * as `ethtool -k` lists them: which are on (`active`), which were asked
 * for (`wanted`, "requested" in `ethtool --json -k`), which may change.
 */
export interface Features extends DeviceId {
  /** Every feature the kernel names, in its order. */
  all: string[];
  /** The features on. */
  active: string[];
  /** The features asked for (on when the device and the stack allow it). */
  wanted: string[];
  /** The features the device lets change (`hw`). */
  changeable: string[];
  /** The features that cannot change: not changeable, or never changed (`ethtool -k`'s "[fixed]"). */
  fixed: string[];
  /** The features the kernel never lets change (`nochange`). */
  noChange: string[];
}

/** @internal */
export function decodeFeatures(
  r: FeaturesReply,
  names: readonly string[],
): Features {
  const all: number[] = [];
  names.forEach((n, i) => {
    if (n !== "") all.push(i);
  });
  const hw = new Set(readBitset(r.hw, names).value);
  const noChange = new Set(readBitset(r.nochange, names).value);
  return {
    ...deviceOf(r.header),
    all: bitNames(all, names),
    active: bitNames(readBitset(r.active, names).value, names),
    wanted: bitNames(readBitset(r.wanted, names).value, names),
    changeable: bitNames([...hw].sort((a, b) => a - b), names),
    fixed: bitNames(
      all.filter((i) => !hw.has(i) || noChange.has(i)),
      names,
    ),
    noChange: bitNames([...noChange].sort((a, b) => a - b), names),
  };
}

/**
 * What {@linkcode Ethtool.setFeatures} reports: what changed, and what the
 * kernel did not do as asked (a fixed feature, or one that depends on
 * another), as `ethtool -K` prints "Actual changes" and "Could not change
 * any device features".
 *
 * @example Turn GRO on, LRO on (simulated veth: LRO is fixed off)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
 * const r = await et.setFeatures("veth0", { "rx-gro": true, "rx-lro": true });
 * assert.deepEqual(r.changed, { "rx-gro": true });
 * assert.deepEqual(r.refused, { "rx-lro": true });
 * ```
 */
export interface FeaturesChange extends DeviceId {
  /** The features whose state changed, with their new state. */
  changed: Record<string, boolean>;
  /** The features asked for whose state is not what was asked, with what was asked. */
  refused: Record<string, boolean>;
}

/** @internal */
export function decodeFeaturesChange(
  r: FeaturesReply,
  names: readonly string[],
): FeaturesChange {
  const wanted = readBitset(r.wanted, names);
  const active = readBitset(r.active, names);
  const changed: Record<string, boolean> = {};
  const refused: Record<string, boolean> = {};
  const wantedOn = new Set(wanted.value);
  const activeOn = new Set(active.value);
  for (const i of wanted.mask ?? []) {
    refused[names[i] || `#${i}`] = wantedOn.has(i);
  }
  for (const i of active.mask ?? []) {
    changed[names[i] || `#${i}`] = activeOn.has(i);
  }
  return { ...deviceOf(r.header), changed, refused };
}
