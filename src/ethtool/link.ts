/**
 * Link information, link modes and link state, as `ethtool DEV` shows them:
 * the kernel's `ETHTOOL_MSG_LINKINFO_*`, `ETHTOOL_MSG_LINKMODES_*` and
 * `ETHTOOL_MSG_LINKSTATE_*` replies made readable (names for ports,
 * transceivers, MDI modes, duplex, link modes and extended states).
 *
 * @module
 */

import type {
  Header,
  Linkinfo,
  Linkmodes,
  Linkstate,
} from "../families/ethtool.ts";
import { bitNames, readBitset } from "./bitset.ts";
import {
  DUPLEX,
  LINK_EXT_STATE,
  MDI,
  PORT,
  SPEED_UNKNOWN,
  TRANSCEIVER,
} from "./constants.ts";

/**
 * The device an answer is about, from the reply's header.
 */
export interface DeviceId {
  /** The interface index. */
  index: number;
  /** The interface name. */
  name: string;
}

/** The device of a reply's header. @internal */
export function deviceOf(h: Header | undefined): DeviceId {
  return { index: h?.devIndex ?? 0, name: h?.devName ?? "" };
}

const named = (
  table: Readonly<Record<number, string>>,
  v: number | undefined,
) => v === undefined ? "unknown" : table[v] ?? String(v);

/**
 * Port, PHY address, transceiver and MDI(-X), as `ethtool DEV` shows them
 * (`ETHTOOL_MSG_LINKINFO_GET`).
 */
export interface LinkInfo extends DeviceId {
  /** The connector: `tp`, `aui`, `mii`, `fibre`, `bnc`, `da`, `none`, `other` (`PORT_*`). */
  port: string;
  /** The PHY address. */
  phyAddress: number;
  /** `internal` or `external` (`XCVR_*`). */
  transceiver: string;
  /** The MDI(-X) status: `mdi`, `mdi-x`, or `invalid` when unknown (`ETH_TP_MDI_*`). */
  mdix: string;
  /** The MDI(-X) control: `mdi`, `mdi-x`, `auto`, or `invalid` when not supported. */
  mdixControl: string;
}

/** @internal */
export function decodeLinkInfo(r: Linkinfo): LinkInfo {
  return {
    ...deviceOf(r.header),
    port: named(PORT, r.port),
    phyAddress: r.phyaddr ?? 0,
    transceiver: named(TRANSCEIVER, r.transceiver),
    mdix: named(MDI, r.tpMdix),
    mdixControl: named(MDI, r.tpMdixCtrl),
  };
}

/**
 * What {@linkcode Ethtool.setLinkInfo} may change (`ETHTOOL_MSG_LINKINFO_SET`).
 */
export interface LinkInfoChanges {
  /** The connector (a name of {@linkcode LinkInfo.port}). */
  port?: string;
  /** The PHY address (0-255). */
  phyAddress?: number;
  /** `mdi`, `mdi-x` or `auto`. */
  mdixControl?: string;
}

/**
 * Speed, duplex, autonegotiation and link modes, as `ethtool DEV` shows
 * them (`ETHTOOL_MSG_LINKMODES_GET`); mode names are the kernel's
 * (`ETH_SS_LINK_MODES`: `1000baseT/Full`, `Autoneg`, `Pause`, ...).
 */
export interface LinkModes extends DeviceId {
  /** Autonegotiation on. */
  autoneg: boolean;
  /** The speed in Mb/s; `undefined` when unknown (`SPEED_UNKNOWN`, the link is down). */
  speed?: number;
  /** `half`, `full` or `unknown`. */
  duplex: string;
  /** The modes the device supports. */
  supported: string[];
  /** The modes it advertises. */
  advertised: string[];
  /** The modes the link partner advertises. */
  peer: string[];
  /** The number of lanes, when reported. */
  lanes?: number;
  /** `MASTER_SLAVE_CFG_*`, when reported (0: unsupported). */
  masterSlaveConfig?: number;
  /** `MASTER_SLAVE_STATE_*`, when reported (0: unsupported). */
  masterSlaveState?: number;
  /** Rate matching mode (`RATE_MATCH_*`), when reported. */
  rateMatching?: number;
}

/** @internal */
export function decodeLinkModes(
  r: Linkmodes,
  names: readonly string[],
): LinkModes {
  const ours = readBitset(r.ours, names);
  const out: LinkModes = {
    ...deviceOf(r.header),
    autoneg: r.autoneg === 1,
    duplex: named(DUPLEX, r.duplex),
    supported: bitNames(ours.mask ?? ours.value, names),
    advertised: bitNames(ours.value, names),
    peer: bitNames(readBitset(r.peer, names).value, names),
  };
  if (r.speed !== undefined && r.speed !== SPEED_UNKNOWN) out.speed = r.speed;
  if (r.lanes !== undefined) out.lanes = r.lanes;
  if (r.masterSlaveCfg !== undefined) out.masterSlaveConfig = r.masterSlaveCfg;
  if (r.masterSlaveState !== undefined) {
    out.masterSlaveState = r.masterSlaveState;
  }
  if (r.rateMatching !== undefined) out.rateMatching = r.rateMatching;
  return out;
}

/**
 * What {@linkcode Ethtool.setLinkModes} may change, as `ethtool -s DEV`.
 */
export interface LinkModesChanges {
  /** Autonegotiation on or off. */
  autoneg?: boolean;
  /** The speed in Mb/s. */
  speed?: number;
  /** `half` or `full`. */
  duplex?: "half" | "full";
  /** Exactly the modes to advertise (the others are cleared). */
  advertised?: string[];
  /** The number of lanes. */
  lanes?: number;
}

/**
 * Whether the link is up, with the signal quality and the reason it is
 * down when the driver reports them (`ETHTOOL_MSG_LINKSTATE_GET`).
 */
export interface LinkState extends DeviceId {
  /** Link detected; `undefined` when the kernel did not say. */
  link?: boolean;
  /** Signal quality index, when the PHY reports it. */
  sqi?: number;
  /** The highest signal quality index. */
  sqiMax?: number;
  /** Why the link is down: `autoneg`, `no-cable`, ... (`enum ethtool_link_ext_state`). */
  extState?: string;
  /** The driver's detail of `extState` (a number of one of the `ethtool_link_ext_substate_*` enums). */
  extSubstate?: number;
  /** How many times the link went down. */
  extDownCount?: number;
}

/** @internal */
export function decodeLinkState(r: Linkstate): LinkState {
  const out: LinkState = deviceOf(r.header);
  if (r.link !== undefined) out.link = r.link !== 0;
  if (r.sqi !== undefined) out.sqi = r.sqi;
  if (r.sqiMax !== undefined) out.sqiMax = r.sqiMax;
  if (r.extState !== undefined) {
    out.extState = LINK_EXT_STATE[r.extState] ?? String(r.extState);
  }
  if (r.extSubstate !== undefined) out.extSubstate = r.extSubstate;
  if (r.extDownCnt !== undefined) out.extDownCount = r.extDownCnt;
  return out;
}
