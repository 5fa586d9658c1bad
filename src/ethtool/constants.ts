/**
 * ethtool constants from `linux/ethtool.h` that the YNL spec leaves as
 * plain numbers: string set ids, and the names of ports, transceivers,
 * MDI modes, duplex and link extended states.
 *
 * @module
 */

/**
 * String set ids (`enum ethtool_stringset`, `ETH_SS_*` in
 * `linux/ethtool.h`): which names `ETHTOOL_MSG_STRSET_GET` returns.
 */
export const StringSet = {
  /** `ETH_SS_TEST`: self-test result names. */
  Test: 0,
  /** `ETH_SS_STATS`: driver statistic names (per device). */
  Stats: 1,
  /** `ETH_SS_PRIV_FLAGS`: driver private flag names (per device). */
  PrivFlags: 2,
  /** `ETH_SS_FEATURES`: device feature names. */
  Features: 4,
  /** `ETH_SS_RSS_HASH_FUNCS`: RSS hash function names. */
  RssHashFuncs: 5,
  /** `ETH_SS_TUNABLES`: tunable names. */
  Tunables: 6,
  /** `ETH_SS_PHY_STATS`: PHY statistic names (per device). */
  PhyStats: 7,
  /** `ETH_SS_PHY_TUNABLES`: PHY tunable names. */
  PhyTunables: 8,
  /** `ETH_SS_LINK_MODES`: link mode names. */
  LinkModes: 9,
  /** `ETH_SS_MSG_CLASSES`: debug message class names. */
  MsgClasses: 10,
  /** `ETH_SS_WOL_MODES`: wake-on-LAN mode names. */
  WolModes: 11,
  /** `ETH_SS_SOF_TIMESTAMPING`: `SOF_TIMESTAMPING_*` flag names. */
  SofTimestamping: 12,
  /** `ETH_SS_TS_TX_TYPES`: timestamping transmit types. */
  TsTxTypes: 13,
  /** `ETH_SS_TS_RX_FILTERS`: timestamping receive filters. */
  TsRxFilters: 14,
  /** `ETH_SS_UDP_TUNNEL_TYPES`: UDP tunnel types. */
  UdpTunnelTypes: 15,
  /** `ETH_SS_STATS_STD`: standard statistics group names. */
  StatsStd: 16,
  /** `ETH_SS_STATS_ETH_PHY`: IEEE 802.3 PHY statistic names. */
  StatsEthPhy: 17,
  /** `ETH_SS_STATS_ETH_MAC`: IEEE 802.3 MAC statistic names. */
  StatsEthMac: 18,
  /** `ETH_SS_STATS_ETH_CTRL`: IEEE 802.3 MAC Control statistic names. */
  StatsEthCtrl: 19,
  /** `ETH_SS_STATS_RMON`: RMON statistic names. */
  StatsRmon: 20,
} as const;

/** String sets that are the same for every device (cached per client). */
export const GLOBAL_STRING_SETS: ReadonlySet<number> = new Set([
  StringSet.Features,
  StringSet.RssHashFuncs,
  StringSet.Tunables,
  StringSet.PhyTunables,
  StringSet.LinkModes,
  StringSet.MsgClasses,
  StringSet.WolModes,
  StringSet.SofTimestamping,
  StringSet.TsTxTypes,
  StringSet.TsRxFilters,
  StringSet.UdpTunnelTypes,
  StringSet.StatsStd,
  StringSet.StatsEthPhy,
  StringSet.StatsEthMac,
  StringSet.StatsEthCtrl,
  StringSet.StatsRmon,
]);

/** `SPEED_UNKNOWN` (`linux/ethtool.h`), as the u32 the kernel sends. */
export const SPEED_UNKNOWN = 0xffff_ffff;

/**
 * Duplex names by value (`DUPLEX_HALF` 0, `DUPLEX_FULL` 1,
 * `DUPLEX_UNKNOWN` 0xff).
 */
export const DUPLEX: Readonly<Record<number, "half" | "full" | "unknown">> = {
  0x00: "half",
  0x01: "full",
  0xff: "unknown",
};

/**
 * Port names by value (`PORT_*`): twisted pair, AUI, MII, fibre, BNC,
 * direct attach, none, other.
 */
export const PORT: Readonly<Record<number, string>> = {
  0x00: "tp",
  0x01: "aui",
  0x02: "mii",
  0x03: "fibre",
  0x04: "bnc",
  0x05: "da",
  0xef: "none",
  0xff: "other",
};

/**
 * Transceiver names by value (`XCVR_INTERNAL` 0, `XCVR_EXTERNAL` 1).
 */
export const TRANSCEIVER: Readonly<Record<number, string>> = {
  0x00: "internal",
  0x01: "external",
};

/**
 * MDI(-X) names by value (`ETH_TP_MDI_*`): `invalid` is "unknown or not
 * applicable" for the status and "not supported" for the control.
 */
export const MDI: Readonly<Record<number, string>> = {
  0x00: "invalid",
  0x01: "mdi",
  0x02: "mdi-x",
  0x03: "auto",
};

/**
 * Link extended state names by value (`enum ethtool_link_ext_state`): why
 * a link is down.
 */
export const LINK_EXT_STATE: readonly string[] = [
  "autoneg",
  "link-training-failure",
  "link-logical-mismatch",
  "bad-signal-integrity",
  "no-cable",
  "cable-issue",
  "eeprom-issue",
  "calibration-failure",
  "power-budget-exceeded",
  "overheat",
  "module",
];

/**
 * The value of a name in one of the tables above, for setters.
 *
 * @internal
 */
export function valueOf(
  table: Readonly<Record<number, string>>,
  name: string,
): number | undefined {
  for (const [k, v] of Object.entries(table)) if (v === name) return Number(k);
  return undefined;
}
