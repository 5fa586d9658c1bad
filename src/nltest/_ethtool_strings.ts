/**
 * The global ethtool string sets of Linux 6.18, as its
 * `ETHTOOL_MSG_STRSET_GET` answers them (captured from the kernel;
 * `tests/integration/ethtool_test.ts` compares them with the running
 * kernel's). The simulated ethtool family answers string set requests with
 * them.
 *
 * @module
 */

/** `ETH_SS_FEATURES` (4): netdev feature names (`netdev_features_strings`). */
export const FEATURES: readonly string[] = [
  "tx-scatter-gather",
  "tx-checksum-ipv4",
  "",
  "tx-checksum-ip-generic",
  "tx-checksum-ipv6",
  "highdma",
  "tx-scatter-gather-fraglist",
  "tx-vlan-hw-insert",
  "rx-vlan-hw-parse",
  "rx-vlan-filter",
  "vlan-challenged",
  "tx-generic-segmentation",
  "",
  "",
  "rx-gro",
  "rx-lro",
  "tx-tcp-segmentation",
  "tx-gso-robust",
  "tx-tcp-ecn-segmentation",
  "tx-tcp-mangleid-segmentation",
  "tx-tcp6-segmentation",
  "tx-fcoe-segmentation",
  "tx-gre-segmentation",
  "tx-gre-csum-segmentation",
  "tx-ipxip4-segmentation",
  "tx-ipxip6-segmentation",
  "tx-udp_tnl-segmentation",
  "tx-udp_tnl-csum-segmentation",
  "tx-gso-partial",
  "tx-tunnel-remcsum-segmentation",
  "tx-sctp-segmentation",
  "tx-esp-segmentation",
  "",
  "tx-udp-segmentation",
  "tx-gso-list",
  "tx-tcp-accecn-segmentation",
  "tx-checksum-fcoe-crc",
  "tx-checksum-sctp",
  "rx-ntuple-filter",
  "rx-hashing",
  "rx-checksum",
  "tx-nocache-copy",
  "loopback",
  "rx-fcs",
  "rx-all",
  "tx-vlan-stag-hw-insert",
  "rx-vlan-stag-hw-parse",
  "rx-vlan-stag-filter",
  "l2-fwd-offload",
  "hw-tc-offload",
  "esp-hw-offload",
  "esp-tx-csum-hw-offload",
  "rx-udp_tunnel-port-offload",
  "tls-hw-tx-offload",
  "tls-hw-rx-offload",
  "rx-gro-hw",
  "tls-hw-record",
  "rx-gro-list",
  "macsec-hw-offload",
  "rx-udp-gro-forwarding",
  "hsr-tag-ins-offload",
  "hsr-tag-rm-offload",
  "hsr-fwd-offload",
  "hsr-dup-offload",
];

/** `ETH_SS_RSS_HASH_FUNCS` (5): RSS hash function names. */
export const RSS_HASH_FUNCS: readonly string[] = ["toeplitz", "xor", "crc32"];

/** `ETH_SS_TUNABLES` (6): tunable names. */
export const TUNABLES: readonly string[] = [
  "Unspec",
  "rx-copybreak",
  "tx-copybreak",
  "pfc-prevention-tout",
  "tx-copybreak-buf-size",
];

/** `ETH_SS_PHY_TUNABLES` (8): PHY tunable names. */
export const PHY_TUNABLES: readonly string[] = [
  "Unspec",
  "phy-downshift",
  "phy-fast-link-down",
  "phy-energy-detect-power-down",
];

/** `ETH_SS_LINK_MODES` (9): link mode names (`link_mode_names`). */
export const LINK_MODES: readonly string[] = [
  "10baseT/Half",
  "10baseT/Full",
  "100baseT/Half",
  "100baseT/Full",
  "1000baseT/Half",
  "1000baseT/Full",
  "Autoneg",
  "TP",
  "AUI",
  "MII",
  "FIBRE",
  "BNC",
  "10000baseT/Full",
  "Pause",
  "Asym_Pause",
  "2500baseX/Full",
  "Backplane",
  "1000baseKX/Full",
  "10000baseKX4/Full",
  "10000baseKR/Full",
  "10000baseR_FEC",
  "20000baseMLD2/Full",
  "20000baseKR2/Full",
  "40000baseKR4/Full",
  "40000baseCR4/Full",
  "40000baseSR4/Full",
  "40000baseLR4/Full",
  "56000baseKR4/Full",
  "56000baseCR4/Full",
  "56000baseSR4/Full",
  "56000baseLR4/Full",
  "25000baseCR/Full",
  "25000baseKR/Full",
  "25000baseSR/Full",
  "50000baseCR2/Full",
  "50000baseKR2/Full",
  "100000baseKR4/Full",
  "100000baseSR4/Full",
  "100000baseCR4/Full",
  "100000baseLR4_ER4/Full",
  "50000baseSR2/Full",
  "1000baseX/Full",
  "10000baseCR/Full",
  "10000baseSR/Full",
  "10000baseLR/Full",
  "10000baseLRM/Full",
  "10000baseER/Full",
  "2500baseT/Full",
  "5000baseT/Full",
  "None",
  "RS",
  "BASER",
  "50000baseKR/Full",
  "50000baseSR/Full",
  "50000baseCR/Full",
  "50000baseLR_ER_FR/Full",
  "50000baseDR/Full",
  "100000baseKR2/Full",
  "100000baseSR2/Full",
  "100000baseCR2/Full",
  "100000baseLR2_ER2_FR2/Full",
  "100000baseDR2/Full",
  "200000baseKR4/Full",
  "200000baseSR4/Full",
  "200000baseLR4_ER4_FR4/Full",
  "200000baseDR4/Full",
  "200000baseCR4/Full",
  "100baseT1/Full",
  "1000baseT1/Full",
  "400000baseKR8/Full",
  "400000baseSR8/Full",
  "400000baseLR8_ER8_FR8/Full",
  "400000baseDR8/Full",
  "400000baseCR8/Full",
  "LLRS",
  "100000baseKR/Full",
  "100000baseSR/Full",
  "100000baseLR_ER_FR/Full",
  "100000baseCR/Full",
  "100000baseDR/Full",
  "200000baseKR2/Full",
  "200000baseSR2/Full",
  "200000baseLR2_ER2_FR2/Full",
  "200000baseDR2/Full",
  "200000baseCR2/Full",
  "400000baseKR4/Full",
  "400000baseSR4/Full",
  "400000baseLR4_ER4_FR4/Full",
  "400000baseDR4/Full",
  "400000baseCR4/Full",
  "100baseFX/Half",
  "100baseFX/Full",
  "10baseT1L/Full",
  "800000baseCR8/Full",
  "800000baseKR8/Full",
  "800000baseDR8/Full",
  "800000baseDR8_2/Full",
  "800000baseSR8/Full",
  "800000baseVR8/Full",
  "10baseT1S/Full",
  "10baseT1S/Half",
  "10baseT1S_P2MP/Half",
  "10baseT1BRR/Full",
  "200000baseCR/Full",
  "200000baseKR/Full",
  "200000baseDR/Full",
  "200000baseDR_2/Full",
  "200000baseSR/Full",
  "200000baseVR/Full",
  "400000baseCR2/Full",
  "400000baseKR2/Full",
  "400000baseDR2/Full",
  "400000baseDR2_2/Full",
  "400000baseSR2/Full",
  "400000baseVR2/Full",
  "800000baseCR4/Full",
  "800000baseKR4/Full",
  "800000baseDR4/Full",
  "800000baseDR4_2/Full",
  "800000baseSR4/Full",
  "800000baseVR4/Full",
];

/** `ETH_SS_MSG_CLASSES` (10): debug message class names. */
export const MSG_CLASSES: readonly string[] = [
  "drv",
  "probe",
  "link",
  "timer",
  "ifdown",
  "ifup",
  "rx_err",
  "tx_err",
  "tx_queued",
  "intr",
  "tx_done",
  "rx_status",
  "pktdata",
  "hw",
  "wol",
];

/** `ETH_SS_WOL_MODES` (11): wake-on-LAN mode names. */
export const WOL_MODES: readonly string[] = [
  "phy",
  "ucast",
  "mcast",
  "bcast",
  "arp",
  "magic",
  "magicsecure",
  "filter",
];

/** `ETH_SS_SOF_TIMESTAMPING` (12): timestamping flag names. */
export const SOF_TIMESTAMPING: readonly string[] = [
  "hardware-transmit",
  "software-transmit",
  "hardware-receive",
  "software-receive",
  "software-system-clock",
  "hardware-legacy-clock",
  "hardware-raw-clock",
  "option-id",
  "sched-transmit",
  "ack-transmit",
  "option-cmsg",
  "option-tsonly",
  "option-stats",
  "option-pktinfo",
  "option-tx-swhw",
  "bind-phc",
  "option-id-tcp",
  "option-rx-filter",
  "tx-completion",
];

/** `ETH_SS_TS_TX_TYPES` (13): timestamping transmit types. */
export const TS_TX_TYPES: readonly string[] = [
  "off",
  "on",
  "onestep-sync",
  "onestep-p2p",
];

/** `ETH_SS_TS_RX_FILTERS` (14): timestamping receive filters. */
export const TS_RX_FILTERS: readonly string[] = [
  "none",
  "all",
  "some",
  "ptpv1-l4-event",
  "ptpv1-l4-sync",
  "ptpv1-l4-delay-req",
  "ptpv2-l4-event",
  "ptpv2-l4-sync",
  "ptpv2-l4-delay-req",
  "ptpv2-l2-event",
  "ptpv2-l2-sync",
  "ptpv2-l2-delay-req",
  "ptpv2-event",
  "ptpv2-sync",
  "ptpv2-delay-req",
  "ntp-all",
];

/** `ETH_SS_UDP_TUNNEL_TYPES` (15): UDP tunnel types. */
export const UDP_TUNNEL_TYPES: readonly string[] = [
  "vxlan",
  "geneve",
  "vxlan-gpe",
];

/** `ETH_SS_STATS_STD` (16): standard statistics groups (`stats_std_names`). */
export const STATS_STD: readonly string[] = [
  "eth-phy",
  "eth-mac",
  "eth-ctrl",
  "rmon",
  "phydev",
];

/** `ETH_SS_STATS_ETH_PHY` (17): IEEE 802.3 PHY statistics. */
export const STATS_ETH_PHY: readonly string[] = ["SymbolErrorDuringCarrier"];

/** `ETH_SS_STATS_ETH_MAC` (18): IEEE 802.3 MAC statistics. */
export const STATS_ETH_MAC: readonly string[] = [
  "FramesTransmittedOK",
  "SingleCollisionFrames",
  "MultipleCollisionFrames",
  "FramesReceivedOK",
  "FrameCheckSequenceErrors",
  "AlignmentErrors",
  "OctetsTransmittedOK",
  "FramesWithDeferredXmissions",
  "LateCollisions",
  "FramesAbortedDueToXSColls",
  "FramesLostDueToIntMACXmitError",
  "CarrierSenseErrors",
  "OctetsReceivedOK",
  "FramesLostDueToIntMACRcvError",
  "MulticastFramesXmittedOK",
  "BroadcastFramesXmittedOK",
  "FramesWithExcessiveDeferral",
  "MulticastFramesReceivedOK",
  "BroadcastFramesReceivedOK",
  "InRangeLengthErrors",
  "OutOfRangeLengthField",
  "FrameTooLongErrors",
];

/** `ETH_SS_STATS_ETH_CTRL` (19): IEEE 802.3 MAC Control statistics. */
export const STATS_ETH_CTRL: readonly string[] = [
  "MACControlFramesTransmitted",
  "MACControlFramesReceived",
  "UnsupportedOpcodesReceived",
];

/** `ETH_SS_STATS_RMON` (20): RMON statistics. */
export const STATS_RMON: readonly string[] = [
  "etherStatsUndersizePkts",
  "etherStatsOversizePkts",
  "etherStatsFragments",
  "etherStatsJabbers",
];

/**
 * String set 21 (newer than this machine's `linux/ethtool.h`): PHY
 * statistics counters, as Linux 6.18 names them.
 */
export const SET_21: readonly string[] = [
  "RxFrames",
  "RxOctets",
  "RxErrors",
  "TxFrames",
  "TxOctets",
  "TxErrors",
];

/**
 * String set 22 (newer than this machine's `linux/ethtool.h`), as Linux
 * 6.18 answers it.
 */
export const SET_22: readonly string[] = ["bonded-phc-index"];

/** The global string sets by id. */
export const GLOBAL_SETS: ReadonlyMap<number, readonly string[]> = new Map([
  [4, FEATURES],
  [5, RSS_HASH_FUNCS],
  [6, TUNABLES],
  [8, PHY_TUNABLES],
  [9, LINK_MODES],
  [10, MSG_CLASSES],
  [11, WOL_MODES],
  [12, SOF_TIMESTAMPING],
  [13, TS_TX_TYPES],
  [14, TS_RX_FILTERS],
  [15, UDP_TUNNEL_TYPES],
  [16, STATS_STD],
  [17, STATS_ETH_PHY],
  [18, STATS_ETH_MAC],
  [19, STATS_ETH_CTRL],
  [20, STATS_RMON],
  [21, SET_21],
  [22, SET_22],
]);
