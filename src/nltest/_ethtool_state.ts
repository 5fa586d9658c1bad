/**
 * The simulated ethtool family's device model: what each device's driver
 * holds (features, link modes, channels, rings, pause, coalescing, link
 * info), built from a {@linkcode SimDevice} with a veth device's defaults
 * (internal to `nltest/ethtool.ts`).
 *
 * @module
 */

import type {
  Channels,
  Coalesce,
  Header,
  Linkinfo,
  Pause,
  Rings,
} from "../families/ethtool.ts";
import type { SimLink } from "./rtnetlink.ts";
import type { SimDevice } from "./ethtool.ts";
import { FEATURES, LINK_MODES } from "./_ethtool_strings.ts";

/** The features a veth device has (Linux 6.18): what may change. */
const VETH_CHANGEABLE = [
  "tx-scatter-gather",
  "tx-checksum-ip-generic",
  "highdma",
  "tx-scatter-gather-fraglist",
  "tx-vlan-hw-insert",
  "rx-vlan-hw-parse",
  "tx-generic-segmentation",
  "rx-gro",
  "tx-tcp-segmentation",
  "tx-tcp-ecn-segmentation",
  "tx-tcp-mangleid-segmentation",
  "tx-tcp6-segmentation",
  "tx-gre-segmentation",
  "tx-gre-csum-segmentation",
  "tx-ipxip4-segmentation",
  "tx-ipxip6-segmentation",
  "tx-udp_tnl-segmentation",
  "tx-udp_tnl-csum-segmentation",
  "tx-sctp-segmentation",
  "tx-udp-segmentation",
  "tx-gso-list",
  "tx-tcp-accecn-segmentation",
  "tx-checksum-sctp",
  "rx-checksum",
  "tx-nocache-copy",
  "tx-vlan-stag-hw-insert",
  "rx-vlan-stag-hw-parse",
  "rx-gro-list",
  "rx-udp-gro-forwarding",
];
/** The features a new veth device has on (wanted and active alike). */
const VETH_ACTIVE = VETH_CHANGEABLE.filter((f) =>
  ![
    "rx-gro",
    "tx-nocache-copy",
    "rx-gro-list",
    "rx-udp-gro-forwarding",
  ].includes(f)
);
/** `NETIF_F_NEVER_CHANGE`. */
const NO_CHANGE = ["vlan-challenged"];

/** `DUPLEX_HALF`, `DUPLEX_FULL`, `DUPLEX_UNKNOWN` by name. */
const DUPLEX: Record<string, number> = { half: 0, full: 1, unknown: 0xff };

/** Link modes as the driver holds them: bit sets of `LINK_MODES` indexes. */
export interface ModesState {
  /** Autonegotiation on. */
  autoneg: boolean;
  /** Speed in Mb/s. */
  speed: number;
  /** `DUPLEX_*`. */
  duplex: number;
  /** The modes the device supports. */
  supported: Set<number>;
  /** The modes it advertises. */
  advertised: Set<number>;
  /** The modes the link partner advertises. */
  peer: Set<number>;
  /** The lane count, when declared. */
  lanes?: number;
}

/**
 * One device's driver state; `null` settings are operations the driver
 * lacks (EOPNOTSUPP). Feature sets hold `FEATURES` indexes.
 */
export interface DeviceState {
  /** The device as declared. */
  spec: SimDevice;
  /** Its link in the simulated kernel (refreshed on each lookup). */
  link: SimLink;
  /** The features that may change (`hw_features`). */
  hw: Set<number>;
  /** The features asked for (`wanted_features`). */
  wanted: Set<number>;
  /** The features on (`features`). */
  active: Set<number>;
  /** The features that never change. */
  noChange: Set<number>;
  /** Channel counts and maximums. */
  channels: Omit<Channels, "header" | "unknownAttributes"> | null;
  /** Ring sizes and maximums. */
  rings: Omit<Rings, "header" | "unknownAttributes"> | null;
  /** Pause parameters. */
  pause: Omit<Pause, "header" | "unknownAttributes" | "stats"> | null;
  /** The coalescing parameters the driver supports. */
  coalesce: Omit<Coalesce, "header" | "unknownAttributes"> | null;
  /** Link info. */
  linkInfo: Omit<Linkinfo, "header" | "unknownAttributes"> | null;
  /** Link modes. */
  modes: ModesState | null;
  /** Whether `setLinkModes` may change them (declared ones only). */
  modesSettable: boolean;
}

/**
 * The indexes of `list` in `names` (a string set).
 *
 * @throws {TypeError} For a name the set lacks.
 */
function indexes(
  names: readonly string[],
  list: readonly string[],
  what: string,
): Set<number> {
  const out = new Set<number>();
  for (const n of list) {
    const i = names.indexOf(n);
    if (n === "" || i < 0) {
      throw new TypeError(
        `Cannot simulate ethtool: unknown ${what} ${JSON.stringify(n)}`,
      );
    }
    out.add(i);
  }
  return out;
}

/**
 * The state of a declared device on `link`, absent settings a veth
 * device's.
 *
 * @throws {TypeError} For an unknown feature or link mode name.
 */
export function deviceState(spec: SimDevice, link: SimLink): DeviceState {
  const f = spec.features ?? {};
  const active = indexes(
    FEATURES,
    f.active ?? (f.changeable ? [] : VETH_ACTIVE),
    "feature",
  );
  const m = spec.linkModes;
  return {
    spec,
    link,
    hw: indexes(FEATURES, f.changeable ?? VETH_CHANGEABLE, "feature"),
    wanted: new Set(active),
    active,
    noChange: indexes(FEATURES, f.noChange ?? NO_CHANGE, "feature"),
    channels: spec.channels === undefined
      ? { rxMax: 2, rxCount: 1, txMax: 2, txCount: 1 }
      : spec.channels === null
      ? null
      : { ...spec.channels },
    rings: spec.rings ? { ...spec.rings } : null,
    pause: spec.pause ? { ...spec.pause } : null,
    coalesce: spec.coalesce ? { ...spec.coalesce } : null,
    linkInfo: spec.linkInfo === null ? null : {
      port: 0,
      phyaddr: 0,
      tpMdix: 0,
      tpMdixCtrl: 0,
      transceiver: 0,
      ...spec.linkInfo,
    },
    modes: m === null ? null : {
      autoneg: m?.autoneg ?? false,
      speed: m?.speed ?? 10000,
      duplex: DUPLEX[m?.duplex ?? "full"] ?? 1,
      supported: indexes(LINK_MODES, m?.supported ?? [], "link mode"),
      advertised: indexes(LINK_MODES, m?.advertised ?? [], "link mode"),
      peer: indexes(LINK_MODES, m?.peer ?? [], "link mode"),
      ...(m?.lanes === undefined ? {} : { lanes: m.lanes }),
    },
    modesSettable: m !== undefined && m !== null,
  };
}

/** The state of a link without declared ethtool data (`lo`): no driver operations. */
export function bareState(link: SimLink): DeviceState {
  return {
    spec: { name: link.name },
    link,
    hw: new Set(),
    wanted: new Set(),
    active: new Set(),
    noChange: indexes(FEATURES, NO_CHANGE, "feature"),
    channels: null,
    rings: null,
    pause: null,
    coalesce: null,
    linkInfo: null,
    modes: null,
    modesSettable: false,
  };
}

/** The reply header naming the device (`ethnl_fill_reply_header`). */
export function headerOf(d: DeviceState): Header {
  return { devIndex: d.link.index, devName: d.link.name };
}
