/**
 * The simulated ethtool family's get replies, one builder per operation,
 * from a device's state; each throws EOPNOTSUPP when the device's driver
 * lacks the operation (internal to `nltest/ethtool.ts`).
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import { Errno } from "../netlink/errno.ts";
import type {
  Features,
  Linkinfo,
  Linkmodes,
  Linkstate,
  Stats,
  StatsGrp,
  Strset,
} from "../families/ethtool.ts";
import { KernelError } from "./kernel_handler.ts";
import type { YnlRequestContext } from "./ynl_family.ts";
import { putBitset, readBitset } from "./_ethtool_bitset.ts";
import { attrId } from "./_ethtool_devices.ts";
import { type DeviceState, headerOf } from "./_ethtool_state.ts";
import {
  FEATURES,
  GLOBAL_SETS,
  LINK_MODES,
  STATS_STD,
} from "./_ethtool_strings.ts";

/** `ETH_SS_*` of each standard statistics group's counters, by group index. */
const GROUP_SETS = [17, 18, 19, 20, 21];

/** The driver lacks link settings (`__ethtool_get_link_ksettings` failed). */
const noLinkSettings = (): KernelError =>
  new KernelError(Errno.EOPNOTSUPP, {
    message: "failed to retrieve link settings",
  });

/** `ETHTOOL_MSG_LINKINFO_GET_REPLY`. */
export function linkinfoReply(d: DeviceState): Linkinfo {
  if (d.linkInfo === null) throw noLinkSettings();
  return { header: headerOf(d), ...d.linkInfo };
}

/** `ETHTOOL_MSG_LINKMODES_GET_REPLY`. */
export function linkmodesReply(d: DeviceState, compact: boolean): Linkmodes {
  const m = d.modes;
  if (m === null || d.linkInfo === null) throw noLinkSettings();
  const out: Linkmodes = {
    header: headerOf(d),
    autoneg: m.autoneg ? 1 : 0,
    ours: putBitset(
      m.advertised,
      m.supported,
      LINK_MODES.length,
      LINK_MODES,
      compact,
    ),
  };
  if (m.peer.size > 0) {
    out.peer = putBitset(m.peer, null, LINK_MODES.length, LINK_MODES, compact);
  }
  out.speed = m.speed;
  out.duplex = m.duplex;
  if (m.lanes !== undefined) out.lanes = m.lanes;
  out.rateMatching = 0;
  return out;
}

/** `ETHTOOL_MSG_LINKSTATE_GET_REPLY`. */
export function linkstateReply(d: DeviceState): Linkstate {
  const out: Linkstate = { header: headerOf(d), link: d.spec.link ? 1 : 0 };
  if (d.spec.sqi !== undefined) {
    out.sqi = d.spec.sqi.value;
    out.sqiMax = d.spec.sqi.max;
  }
  if (d.spec.extState !== undefined) out.extState = d.spec.extState;
  return out;
}

/** `ETHTOOL_MSG_FEATURES_GET_REPLY`. */
export function featuresReply(d: DeviceState, compact: boolean): Features {
  const size = FEATURES.length;
  const all = new Set(FEATURES.map((_, i) => i));
  return {
    header: headerOf(d),
    hw: putBitset(d.hw, all, size, FEATURES, compact),
    wanted: putBitset(d.wanted, null, size, FEATURES, compact),
    active: putBitset(d.active, null, size, FEATURES, compact),
    nochange: putBitset(d.noChange, null, size, FEATURES, compact),
  };
}

/** The reply of channels, rings, pause or coalescing: the driver's values. */
export function settingsReply(
  d: DeviceState,
  key: "channels" | "rings" | "pause" | "coalesce",
): object {
  const v = d[key];
  if (v === null) throw new KernelError(Errno.EOPNOTSUPP);
  return { header: headerOf(d), ...v };
}

/**
 * `ETHTOOL_MSG_STRSET_GET_REPLY`: the global string sets asked for (all
 * without a list), with their strings unless only counts are asked.
 *
 * @param d The device the header names, if any.
 */
export function strsetReply(
  d: DeviceState | undefined,
  request: Strset,
): Strset {
  const wanted = request.stringsets?.stringset?.map((s) => s.id ?? -1);
  const ids = wanted ?? [...GLOBAL_SETS.keys()];
  const out: Strset = {};
  if (d !== undefined) out.header = headerOf(d);
  const sets = ids.map((id) => {
    const list = GLOBAL_SETS.get(id) ?? [];
    const s: {
      id: number;
      count: number;
      strings?: { string: { index: number; value: string }[] }[];
    } = { id, count: list.length };
    if (request.countsOnly !== true && list.length > 0) {
      s.strings = [{ string: list.map((value, index) => ({ index, value })) }];
    }
    return s;
  });
  out.stringsets = { stringset: sets };
  return out;
}

/**
 * The standard statistics groups a stats request asks for.
 *
 * @throws {KernelError} EINVAL "no stats requested" for none.
 */
export function requestedGroups(
  request: Stats,
  context: YnlRequestContext,
): Set<number> {
  const groups = readBitset(request.groups, STATS_STD, ["groups"], context);
  if (groups === undefined || groups.value.size === 0) {
    throw new KernelError(Errno.EINVAL, { message: "no stats requested" });
  }
  return groups.value;
}

/** `ETHTOOL_MSG_STATS_GET_REPLY` for the standard groups `groups`. */
export function statsReply(d: DeviceState, groups: Set<number>): Stats {
  const grpType = attrId("stats", "grp");
  const statType = attrId("stats-grp", "stat");
  const idType = attrId("stats-grp", "id");
  const ssType = attrId("stats-grp", "ssId");
  const unknown: { type: number; data: Uint8Array }[] = [];
  let first: StatsGrp | undefined;
  for (const g of [...groups].sort((a, b) => a - b)) {
    const ss = GROUP_SETS[g] ?? 0;
    const names = GLOBAL_SETS.get(ss) ?? [];
    // One nest per counter holding a u64 whose type is the counter's
    // index in the group's string set (as stat_put does); the spec
    // cannot describe it, so the codec carries it as unknown attributes.
    const stats = Object.entries(d.spec.stats?.[STATS_STD[g] ?? ""] ?? {})
      .filter(([c]) => names.includes(c))
      .map(([c, v]) => ({
        type: statType | 0x8000,
        data: new AttributeEncoder().uint64(names.indexOf(c), v).encode(),
      }));
    if (first === undefined) {
      first = { id: g, ssId: ss };
      if (stats.length > 0) first.unknownAttributes = stats;
    } else {
      const e = new AttributeEncoder().uint32(idType, g).uint32(ssType, ss);
      for (const a of stats) e.bytes(a.type, a.data);
      unknown.push({ type: grpType | 0x8000, data: e.encode() });
    }
  }
  const out: Stats = { header: headerOf(d), src: 0 };
  if (first !== undefined) out.grp = first;
  if (unknown.length > 0) out.unknownAttributes = unknown;
  return out;
}
