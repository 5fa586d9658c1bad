/**
 * A simulated `ethtool` generic netlink family, served from the kernel's
 * YNL spec (`serveYnlFamily`): devices are the simulated kernel's links,
 * answering as Linux 6.18 answers for a veth device unless you declare
 * more (link modes, rings, pause, coalescing, statistics), encoded with
 * the same codec the client decodes with (`@nlkit/netlink/ethtool`).
 *
 * What it mirrors of Linux (checked against the real kernel in
 * `tests/integration/ethtool_test.ts`):
 * - the request header: none at all is EINVAL (missing attribute 1);
 *   neither index nor name, "neither ifindex nor name specified"; an
 *   unknown name or index, ENODEV "no device matches name" / "no device
 *   matches ifindex"; both not matching, ENODEV "ifindex and name do not
 *   match"; an unknown flag, EINVAL "reserved bit set" (each pointing at
 *   the attribute);
 * - bitsets in both forms, answered compact when the request asks
 *   (`compact-bitsets`) and verbose otherwise; bit names from the kernel's
 *   string sets (`_ethtool_strings.ts`, captured from Linux 6.18); a bit
 *   name the kernel does not know, EOPNOTSUPP "bit name not found";
 * - a veth device: port TP, internal transceiver, 10 Gb/s full duplex, no
 *   link modes, the veth feature set, 2 RX and 2 TX channels (1 and 1 in
 *   use); no rings, pause or coalescing (EOPNOTSUPP); empty statistics
 *   groups; a link without declared ethtool data (`lo`) answers link
 *   info and link modes with EOPNOTSUPP "failed to retrieve link settings";
 * - setters (EPERM when unprivileged): features (what the device cannot
 *   change is reported refused, not an error), channels ("requested
 *   channel count exceeds maximum", "... no RX or TX channel being
 *   configured"), rings ("requested ring size exceeds maximum"),
 *   coalescing ("cannot modify an unsupported parameter"), pause, link
 *   modes and link info where declared; a change is notified on the
 *   `monitor` group;
 * - dumps list every link (a device in the header is checked, not used as
 *   a filter), skipping those whose driver lacks the operation;
 * - statistics need groups ("no stats requested").
 *
 * Not simulated: feature dependencies (turning one feature off turning
 * others off), link mode and link info setters' driver checks, per-device
 * string sets (driver statistics, private flags), the other operations.
 *
 * Exported from `@nlkit/netlink/nltest` as the `ethtool` namespace.
 *
 * @example A veth device, read and changed with the client
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
 * await et.setChannels("veth0", { txCount: 2 });
 * assert.equal((await et.channels("veth0")).txCount, 2);
 * ```
 *
 * @module
 */

import { GenlConn } from "../genetlink/conn.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import { Family as NetlinkFamily } from "../netlink/header.ts";
import {
  type Channels,
  type Coalesce,
  family as ethtoolFamily,
  type Features,
  type Header,
  type Linkinfo,
  type Linkmodes,
  type Pause,
  type Rings,
  type Stats,
  type Strset,
} from "../families/ethtool.ts";
import { SimKernel } from "./kernel.ts";
import {
  serveYnlFamily,
  type YnlHandler,
  type YnlRequestContext,
} from "./ynl_family.ts";
import { Devices } from "./_ethtool_devices.ts";
import {
  featuresReply,
  linkinfoReply,
  linkmodesReply,
  linkstateReply,
  requestedGroups,
  settingsReply,
  statsReply,
  strsetReply,
} from "./_ethtool_replies.ts";
import {
  setChannels,
  setCoalesce,
  setFeatures,
  setLinkinfo,
  setLinkmodes,
  setPause,
  setRings,
} from "./_ethtool_setters.ts";
import type { DeviceState } from "./_ethtool_state.ts";

/**
 * A device to simulate: a link of the simulated kernel (created as a veth
 * link when none has the name) and what its driver answers. Absent
 * settings are a veth device's; `null` makes the driver lack the
 * operation (EOPNOTSUPP).
 */
export interface SimDevice {
  /** The interface name. */
  name: string;
  /** The interface index, for a new link. */
  index?: number;
  /** Link detected (default false). */
  link?: boolean;
  /** `enum ethtool_link_ext_state`, why the link is down. */
  extState?: number;
  /** Signal quality index and its maximum. */
  sqi?: { value: number; max: number };
  /** Link info (default a veth's: all zero); `linkInfoSettable` lets it change. */
  linkInfo?: Omit<Linkinfo, "header" | "unknownAttributes"> | null;
  /** Allow `setLinkInfo` (default false: EOPNOTSUPP). */
  linkInfoSettable?: boolean;
  /**
   * Link modes (default a veth's: 10 Gb/s full duplex, none). Declaring
   * them makes them settable.
   */
  linkModes?: {
    autoneg?: boolean;
    speed?: number;
    duplex?: "half" | "full" | "unknown";
    supported?: string[];
    advertised?: string[];
    peer?: string[];
    lanes?: number;
  } | null;
  /** Features by name (default a veth's). */
  features?: { changeable?: string[]; active?: string[]; noChange?: string[] };
  /** Channels (default a veth's: 2 and 2, 1 and 1 in use). */
  channels?: Omit<Channels, "header" | "unknownAttributes"> | null;
  /** Rings (default none). */
  rings?: Omit<Rings, "header" | "unknownAttributes"> | null;
  /** Pause (default none). */
  pause?: Omit<Pause, "header" | "unknownAttributes" | "stats"> | null;
  /** Coalescing: the parameters the driver supports (default none). */
  coalesce?: Omit<Coalesce, "header" | "unknownAttributes"> | null;
  /** Standard statistics by group name, counters by name (default none). */
  stats?: Record<string, Record<string, bigint>>;
}

/**
 * Options of the {@linkcode Simulator}.
 *
 * @example An unprivileged requester
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const options: ethtool.SimOptions = { devices: [{ name: "veth0" }], privileged: false };
 * await using et = await Ethtool.open({ conn: ethtool.dial(options) });
 * await et.channels("veth0"); // reading needs no privilege
 * await assert.rejects(et.setChannels("veth0", { rxCount: 2 }), { code: "EPERM" });
 * ```
 */
export interface SimOptions {
  /** The devices. */
  devices?: SimDevice[];
  /** Whether the requester has `CAP_NET_ADMIN` (default true). */
  privileged?: boolean;
}

/**
 * The simulated family. {@linkcode dial} builds one on a fresh simulated
 * kernel; {@linkcode Simulator.register} adds it to a `SimKernel` you share
 * with other simulated protocols (its links are the devices).
 *
 * @example Share a kernel with rtnetlink
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Family } from "@nlkit/netlink/netlink";
 * import { ethtool, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0", up: true });
 * new ethtool.Simulator({ devices: [{ name: "eth0", link: true }] }).register(kernel);
 * await using et = await Ethtool.open({ conn: GenlConn.from(kernel.dial(Family.Generic)) });
 * assert.equal((await et.linkState("eth0")).link, true);
 * await assert.rejects(et.linkInfo("lo"), { code: "EOPNOTSUPP" }); // no ethtool data declared
 * ```
 */
export class Simulator {
  #specs: SimDevice[];
  #privileged: boolean;
  #devices: Devices | undefined;

  /**
   * Creates the simulator.
   *
   * @param options The devices and the requester's privilege.
   * @throws {TypeError} For an unknown feature or link mode name.
   */
  constructor(options: SimOptions = {}) {
    this.#specs = options.devices ?? [];
    this.#privileged = options.privileged ?? true;
  }

  /**
   * Registers the family with `kernel`, creating a link for each device
   * no link has the name of.
   *
   * @param kernel The simulated kernel.
   * @returns The family as registered.
   * @throws {TypeError} For bad device data, or when registered twice.
   */
  register(kernel: SimKernel): GenlFamily {
    if (this.#devices !== undefined) {
      throw new TypeError("Cannot register the ethtool simulator twice");
    }
    const devices = new Devices(kernel);
    this.#devices = devices;
    for (const spec of this.#specs) devices.add(spec);
    // A get answers one device or, dumped, every one; a set applies to
    // the device the header names.
    const get = (
      reply: (d: DeviceState, compact: boolean) => object,
    ): YnlHandler =>
    (r, c) => devices.get(r, c, reply);
    const set = <R extends { header?: Header }>(
      apply: (d: DeviceState, r: R, c: YnlRequestContext) => object | undefined,
    ): YnlHandler =>
    (r, c) => apply(devices.resolve(r, c, true)!, r as R, c);
    const handlers: Record<string, YnlHandler> = {
      strsetGet: (r, c) =>
        strsetReply(devices.resolve(r, c, false), r as Strset),
      linkinfoGet: get(linkinfoReply),
      linkmodesGet: get(linkmodesReply),
      linkstateGet: get(linkstateReply),
      featuresGet: get(featuresReply),
      channelsGet: get((d) => settingsReply(d, "channels")),
      ringsGet: get((d) => settingsReply(d, "rings")),
      pauseGet: get((d) => settingsReply(d, "pause")),
      coalesceGet: get((d) => settingsReply(d, "coalesce")),
      statsGet: (r, c) => {
        const groups = requestedGroups(r as Stats, c);
        return devices.get(r, c, (d) => statsReply(d, groups));
      },
      featuresSet: set<Features>(setFeatures),
      channelsSet: set<Channels>(setChannels),
      ringsSet: set<Rings>(setRings),
      pauseSet: set<Pause>(setPause),
      coalesceSet: set<Coalesce>(setCoalesce),
      linkinfoSet: set<Linkinfo>(setLinkinfo),
      linkmodesSet: set<Linkmodes>(setLinkmodes),
    };
    const permissions: Record<string, "uns-admin-perm"> = {};
    for (const name of Object.keys(handlers)) {
      if (name.endsWith("Set")) permissions[name] = "uns-admin-perm";
    }
    return serveYnlFamily(kernel, ethtoolFamily, handlers, {
      privileged: () => this.#privileged,
      permissions,
    }).family;
  }

  /**
   * Adds a device after registration (a link with ethtool data).
   *
   * @param spec The device.
   * @throws {TypeError} Before registration, or for bad data.
   */
  addDevice(spec: SimDevice): void {
    if (this.#devices === undefined) {
      throw new TypeError(
        "Cannot add an ethtool device: register the simulator first",
      );
    }
    this.#devices.add(spec);
  }
}

/**
 * A fresh simulated kernel with the family registered (the devices
 * created as links), and a generic netlink connection to it.
 *
 * @param options The simulator's options, or a simulator to register.
 * @returns A generic netlink connection.
 */
export function dial(options: SimOptions | Simulator = {}): GenlConn {
  const kernel = new SimKernel();
  const sim = options instanceof Simulator ? options : new Simulator(options);
  sim.register(kernel);
  return GenlConn.from(kernel.dial(NetlinkFamily.Generic));
}
