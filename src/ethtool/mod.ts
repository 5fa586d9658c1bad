/**
 * ethtool over netlink: what `ethtool DEV`, `-k`, `-g`, `-l`, `-a`, `-c`
 * and `-S` show, and what `-s`, `-K`, `-G`, `-L`, `-A` and `-C` change,
 * through the kernel's `ethtool` generic netlink family (the generated
 * operations of `@nlkit/netlink/families/ethtool`). Link modes, features
 * and statistics are named by the kernel's own string sets, asked once
 * per client.
 *
 * {@linkcode Ethtool.open} → {@linkcode Ethtool.linkInfo},
 * {@linkcode Ethtool.linkModes}, {@linkcode Ethtool.linkState},
 * {@linkcode Ethtool.features}, {@linkcode Ethtool.rings},
 * {@linkcode Ethtool.channels}, {@linkcode Ethtool.pause},
 * {@linkcode Ethtool.coalesce}, {@linkcode Ethtool.stats} and their
 * setters; a device by name or index; errors name the device and carry
 * the kernel's extended ACK. `nltest`'s `ethtool` simulator answers as the
 * kernel does for veth-like devices and any settings you declare.
 *
 * @example Read and change a device (simulated kernel)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux: await Ethtool.open()
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
 * const info = await et.linkInfo("veth0");
 * assert.equal(info.port, "tp");
 * const r = await et.setFeatures("veth0", { "rx-gro": true });
 * assert.deepEqual(r.changed, { "rx-gro": true });
 * assert.ok((await et.features("veth0")).active.includes("rx-gro"));
 * ```
 *
 * @module
 */

export { type DeviceRef, Ethtool, type EthtoolOptions } from "./client.ts";
export {
  DUPLEX,
  LINK_EXT_STATE,
  MDI,
  PORT,
  SPEED_UNKNOWN,
  StringSet,
  TRANSCEIVER,
} from "./constants.ts";
export type {
  DeviceId,
  LinkInfo,
  LinkInfoChanges,
  LinkModes,
  LinkModesChanges,
  LinkState,
} from "./link.ts";
export type { Features, FeaturesChange } from "./features.ts";
export type {
  Channels,
  ChannelsChanges,
  Coalesce,
  CoalesceChanges,
  Pause,
  PauseChanges,
  Rings,
  RingsChanges,
} from "./settings.ts";
export type { HistogramBucket, Stats, StatsGroup } from "./stats.ts";
