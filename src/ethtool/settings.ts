/**
 * Ring sizes, channels, pause frames and interrupt coalescing, as
 * `ethtool -g`, `-l`, `-a` and `-c` show them and `-G`, `-L`, `-A` and
 * `-C` change them. Values keep the generated family's names (DESIGN §6:
 * `rxMax`, `rxCount`, `rxUsecs`, ...), without the request header.
 *
 * @module
 */

import type {
  Channels as ChannelsReply,
  Coalesce as CoalesceReply,
  Pause as PauseReply,
  Rings as RingsReply,
} from "../families/ethtool.ts";
import { type DeviceId, deviceOf } from "./link.ts";

/**
 * Ring sizes and their maximums (`ETHTOOL_MSG_RINGS_GET`), as `ethtool -g`.
 */
export type Rings = DeviceId & Omit<RingsReply, "header" | "unknownAttributes">;

/** The ring settings {@linkcode Ethtool.setRings} may change (`ethtool -G`). */
export type RingsChanges = Pick<
  RingsReply,
  | "rx"
  | "rxMini"
  | "rxJumbo"
  | "tx"
  | "rxBufLen"
  | "tcpDataSplit"
  | "cqeSize"
  | "txPush"
  | "rxPush"
  | "txPushBufLen"
  | "hdsThresh"
>;

/** The keys of {@linkcode RingsChanges}. @internal */
export const RINGS_KEYS: readonly string[] = [
  "rx",
  "rxMini",
  "rxJumbo",
  "tx",
  "rxBufLen",
  "tcpDataSplit",
  "cqeSize",
  "txPush",
  "rxPush",
  "txPushBufLen",
  "hdsThresh",
];

/**
 * Channel counts and their maximums (`ETHTOOL_MSG_CHANNELS_GET`), as
 * `ethtool -l`.
 */
export type Channels =
  & DeviceId
  & Omit<ChannelsReply, "header" | "unknownAttributes">;

/** The channel counts {@linkcode Ethtool.setChannels} may change (`ethtool -L`). */
export type ChannelsChanges = Pick<
  ChannelsReply,
  "rxCount" | "txCount" | "otherCount" | "combinedCount"
>;

/** The keys of {@linkcode ChannelsChanges}. @internal */
export const CHANNELS_KEYS: readonly string[] = [
  "rxCount",
  "txCount",
  "otherCount",
  "combinedCount",
];

/**
 * Pause frame settings (`ETHTOOL_MSG_PAUSE_GET`), as `ethtool -a`.
 */
export interface Pause extends DeviceId {
  /** Pause autonegotiation. */
  autoneg: boolean;
  /** Receive pause frames. */
  rx: boolean;
  /** Send pause frames. */
  tx: boolean;
  /** Pause frame counters, when asked for and reported. */
  stats?: { txFrames?: bigint; rxFrames?: bigint };
}

/** @internal */
export function decodePause(r: PauseReply): Pause {
  const out: Pause = {
    ...deviceOf(r.header),
    autoneg: r.autoneg === 1,
    rx: r.rx === 1,
    tx: r.tx === 1,
  };
  if (r.stats !== undefined) {
    const s: { txFrames?: bigint; rxFrames?: bigint } = {};
    if (r.stats.txFrames !== undefined) s.txFrames = r.stats.txFrames;
    if (r.stats.rxFrames !== undefined) s.rxFrames = r.stats.rxFrames;
    out.stats = s;
  }
  return out;
}

/** What {@linkcode Ethtool.setPause} may change (`ethtool -A`). */
export interface PauseChanges {
  /** Pause autonegotiation. */
  autoneg?: boolean;
  /** Receive pause frames. */
  rx?: boolean;
  /** Send pause frames. */
  tx?: boolean;
}

/**
 * Interrupt coalescing (`ETHTOOL_MSG_COALESCE_GET`), as `ethtool -c`: the
 * parameters the driver supports (the others are absent).
 */
export type Coalesce =
  & DeviceId
  & Omit<CoalesceReply, "header" | "unknownAttributes">;

/** The coalescing parameters {@linkcode Ethtool.setCoalesce} may change (`ethtool -C`). */
export type CoalesceChanges = Omit<
  CoalesceReply,
  "header" | "unknownAttributes"
>;

/** @internal */
export function body<
  T extends { header?: unknown; unknownAttributes?: unknown },
>(
  r: T,
): DeviceId & Omit<T, "header" | "unknownAttributes"> {
  const { header, unknownAttributes: _, ...rest } = r;
  return { ...deviceOf(header as Parameters<typeof deviceOf>[0]), ...rest };
}
