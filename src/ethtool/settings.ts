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

type Body<T> = Omit<T, "header" | "unknownAttributes">;

/**
 * Ring sizes and their maximums (`ETHTOOL_MSG_RINGS_GET`), as `ethtool -g`.
 *
 * @example Ring sizes (simulated kernel)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "eth0", rings: { rxMax: 4096, rx: 512, txMax: 4096, tx: 512 } }] }) });
 * await et.setRings("eth0", { rx: 1024 });
 * assert.equal((await et.rings("eth0")).rx, 1024);
 * ```
 */
export type Rings = DeviceId & Body<RingsReply>;

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
 *
 * @example A veth device's channels (simulated kernel)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
 * const c = await et.channels("veth0");
 * assert.deepEqual([c.rxMax, c.rxCount, c.txMax, c.txCount], [2, 1, 2, 1]);
 * ```
 */
export type Channels = DeviceId & Body<ChannelsReply>;

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
 *
 * @example Pause frames (simulated kernel)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "eth0", pause: { autoneg: 1, rx: 1, tx: 0 } }] }) });
 * await et.setPause("eth0", { tx: true });
 * const p = await et.pause("eth0");
 * assert.deepEqual([p.autoneg, p.rx, p.tx], [true, true, true]);
 * ```
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
 *
 * @example A tap device's coalescing (simulated kernel)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "tap0", coalesce: { rxMaxFrames: 0 } }] }) });
 * await et.setCoalesce("tap0", { rxMaxFrames: 16 });
 * assert.equal((await et.coalesce("tap0")).rxMaxFrames, 16);
 * ```
 */
export type Coalesce = DeviceId & Body<CoalesceReply>;

/** The coalescing parameters {@linkcode Ethtool.setCoalesce} may change (`ethtool -C`). */
export type CoalesceChanges = Body<CoalesceReply>;

/** @internal */
export function body<
  T extends { header?: unknown; unknownAttributes?: unknown },
>(
  r: T,
): DeviceId & Body<T> {
  const { header, unknownAttributes: _, ...rest } = r;
  return { ...deviceOf(header as Parameters<typeof deviceOf>[0]), ...rest };
}
