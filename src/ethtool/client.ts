/**
 * The ethtool client: the kernel's `ethtool` generic netlink family (the
 * generated operations of `@nlkit/netlink/families/ethtool`), with names
 * from the kernel's own string sets (cached per client).
 *
 * @module
 */

import {
  channelsGet,
  channelsSet,
  coalesceGet,
  coalesceSet,
  family as ethtoolFamily,
  featuresGet,
  featuresSet,
  type Header,
  linkinfoGet,
  linkinfoSet,
  linkmodesGet,
  linkmodesSet,
  linkstateGet,
  pauseGet,
  pauseSet,
  ringsGet,
  ringsSet,
  statsGet,
  strsetGet,
} from "../families/ethtool.ts";
import type { Operation } from "../families/family.ts";
import { GenlConn, type GenlConnOptions } from "../genetlink/conn.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import { Errno } from "../netlink/errno.ts";
import { isNetlinkError, NetlinkError } from "../netlink/errors.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { namedBitset } from "./bitset.ts";
import {
  DUPLEX,
  GLOBAL_STRING_SETS,
  MDI,
  PORT,
  StringSet,
  valueOf,
} from "./constants.ts";
import {
  decodeFeatures,
  decodeFeaturesChange,
  type Features,
  type FeaturesChange,
} from "./features.ts";
import {
  decodeLinkInfo,
  decodeLinkModes,
  decodeLinkState,
  type LinkInfo,
  type LinkInfoChanges,
  type LinkModes,
  type LinkModesChanges,
  type LinkState,
} from "./link.ts";
import {
  body,
  type Channels,
  CHANNELS_KEYS,
  type ChannelsChanges,
  type Coalesce,
  type CoalesceChanges,
  decodePause,
  type Pause,
  type PauseChanges,
  type Rings,
  RINGS_KEYS,
  type RingsChanges,
} from "./settings.ts";
import { counterStringSets, decodeStats, type Stats } from "./stats.ts";

/** `IFNAMSIZ - 1` (`linux/if.h`). */
const IFNAME_MAX = 15;

/**
 * Options of {@linkcode Ethtool.open}.
 */
export interface EthtoolOptions extends GenlConnOptions {
  /**
   * The generic netlink connection to use (a simulated one, or one you
   * opened); the client owns it once `open` succeeds and closes it in
   * {@linkcode Ethtool.close}. Default: a new connection.
   */
  conn?: GenlConn;
}

/** A device: its name, or its interface index. */
export type DeviceRef = string | number;

function describe(ref: DeviceRef): string {
  return typeof ref === "number" ? `device index ${ref}` : ref;
}

/**
 * An ethtool client: link information, link modes, link state, features,
 * rings, channels, pause, coalescing and standard statistics of a device
 * (by name or index), and the setters the kernel offers.
 *
 * Getters need no privilege; setters need `CAP_NET_ADMIN` (else EPERM).
 * A driver without an operation answers EOPNOTSUPP (a veth device has no
 * rings, pause or coalescing, for one). Errors name the device and carry
 * the kernel's extended ACK ("no device matches name", "requested channel
 * count exceeds maximum", ...).
 *
 * @example Read a device (simulated kernel)
 * ```ts
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 * import { ethtool } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux: await Ethtool.open()
 * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
 * const modes = await et.linkModes("veth0");
 * assert.equal(modes.speed, 10000);
 * await et.setChannels("veth0", { rxCount: 2 });
 * assert.equal((await et.channels("veth0")).rxCount, 2);
 * await assert.rejects(et.rings("veth0"), { code: "EOPNOTSUPP", message: /^Cannot get rings of veth0: / });
 * ```
 *
 * @example On the real kernel
 * ```ts ignore
 * import { Ethtool } from "@nlkit/netlink/ethtool";
 *
 * await using et = await Ethtool.open();
 * const f = await et.features("eth0");
 * console.log(f.active.join(" "));
 * ```
 */
export class Ethtool implements AsyncDisposable, Disposable {
  #conn: GenlConn;
  #family: GenlFamily;
  #strings = new Map<number, Promise<string[]>>();
  #closed = false;

  private constructor(conn: GenlConn, family: GenlFamily) {
    this.#conn = conn;
    this.#family = family;
  }

  /**
   * Opens a client: resolves the `ethtool` family through nlctrl.
   *
   * @param options A connection to use, or options for a new one.
   * @returns The client.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when the kernel has no
   * ethtool netlink (built without `CONFIG_ETHTOOL_NETLINK`).
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   *
   * @example A kernel without ethtool netlink
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { Family, isNotExist } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = GenlConn.from(new SimKernel().dial(Family.Generic)); // nlctrl only
   * await assert.rejects(Ethtool.open({ conn }), (e) => isNotExist(e));
   * ```
   */
  static async open(options: EthtoolOptions = {}): Promise<Ethtool> {
    const { conn: given, ...dialOptions } = options;
    const conn = given ?? await GenlConn.dial(dialOptions);
    try {
      return new Ethtool(conn, await ethtoolFamily.resolve(conn));
    } catch (e) {
      if (given === undefined) await conn.close();
      throw e;
    }
  }

  /**
   * The `ethtool` family as the kernel described it.
   */
  get family(): GenlFamily {
    return this.#family;
  }

  #header(ref: DeviceRef, what: string): Header {
    if (this.#closed) {
      throw new NetlinkError(`${what} of ${describe(ref)}`, Errno.EBADF, {
        detail: "the client is closed",
      });
    }
    if (typeof ref === "number") {
      if (Number.isInteger(ref) && ref > 0 && ref <= 0xffff_ffff) {
        return { devIndex: ref, flags: ["compact-bitsets"] };
      }
    } else if (typeof ref === "string") {
      const n = new TextEncoder().encode(ref).length;
      if (n > 0 && n <= IFNAME_MAX && !ref.includes("\0")) {
        return { devName: ref, flags: ["compact-bitsets"] };
      }
      throw new TypeError(
        `Cannot ${what} of ${
          JSON.stringify(ref)
        }: an interface name is 1 to ${IFNAME_MAX} bytes`,
      );
    }
    throw new TypeError(
      `Cannot ${what} of ${
        typeof ref === "string" ? JSON.stringify(ref) : String(ref)
      }: expected an interface name or a positive index`,
    );
  }

  /** Sends a do request; errors name the device and what was being done. */
  async #do<Req, Rep, DoRep>(
    op: Operation<Req, Rep, DoRep>,
    request: Req,
    what: string,
    ref: DeviceRef,
    options: ReceiveOptions,
  ): Promise<DoRep> {
    try {
      return await op.do(this.#conn, request, options);
    } catch (e) {
      throw this.#error(e, what, ref);
    }
  }

  #error(e: unknown, what: string, ref: DeviceRef): unknown {
    const where = `${what} of ${describe(ref)}`;
    if (isNetlinkError(e) && e.name === "NetlinkError") {
      const options: ConstructorParameters<typeof NetlinkError>[2] = {
        cause: e,
      };
      if (e.extAck !== undefined) options.extAck = e.extAck;
      if (e.sequence !== undefined) options.sequence = e.sequence;
      if (e.errno === Errno.EOPNOTSUPP && !e.extAck?.message) {
        options.detail = "the device's driver does not support it";
      } else if (e.errno === Errno.EPERM) {
        options.detail = "this needs CAP_NET_ADMIN";
      }
      return new NetlinkError(where, e.errno, options);
    }
    if (
      (e instanceof TypeError || e instanceof RangeError) &&
      e.message.startsWith("Cannot encode ")
    ) {
      const Ctor = e instanceof RangeError ? RangeError : TypeError;
      return new Ctor(
        `Cannot ${where}: ${e.message.replace(/^Cannot encode [^:]+: /, "")}`,
        { cause: e },
      );
    }
    return e;
  }

  /**
   * The names of a string set (`ETHTOOL_MSG_STRSET_GET`), such as the
   * feature names (`StringSet.Features`) or link mode names
   * (`StringSet.LinkModes`). Sets the same for every device are asked once
   * per client; per-device sets (driver statistics, private flags) need
   * the device.
   *
   * @param id The string set (`StringSet.*`).
   * @param ref The device, for a per-device set.
   * @param options An abort signal.
   * @returns The names by index (an unused index has an empty name).
   * @throws {NetlinkError} When the kernel refuses (an unknown device, ...).
   *
   * @example The kernel's link mode names (simulated kernel)
   * ```ts
   * import { Ethtool, StringSet } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({ conn: ethtool.dial() });
   * const modes = await et.stringSet(StringSet.LinkModes);
   * assert.equal(modes[5], "1000baseT/Full");
   * ```
   */
  stringSet(
    id: number,
    ref?: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<string[]> {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
      return Promise.reject(
        new TypeError(`Cannot get string set ${id}: not a string set id`),
      );
    }
    const global = GLOBAL_STRING_SETS.has(id) || ref === undefined;
    if (global) {
      const cached = this.#strings.get(id);
      if (cached !== undefined) return cached;
    }
    const p = (async () => {
      const header: Header = ref === undefined ? {} : this.#header(
        ref,
        `get string set ${id}`,
      );
      delete header.flags;
      const r = await this.#do(
        strsetGet,
        { header, stringsets: { stringset: [{ id }] } },
        `get string set ${id}`,
        ref ?? "the kernel",
        options,
      );
      const set = r.stringsets?.stringset?.find((s) => s.id === id);
      const out: string[] = new Array(set?.count ?? 0).fill("");
      for (const block of set?.strings ?? []) {
        for (const s of block.string ?? []) {
          if (s.index !== undefined) out[s.index] = s.value ?? "";
        }
      }
      return out;
    })();
    if (global) {
      this.#strings.set(id, p);
      p.catch(() => this.#strings.delete(id));
    }
    return p;
  }

  /**
   * Port, PHY address, transceiver and MDI(-X) of a device.
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The link information.
   * @throws {NetlinkError} ENODEV for no such device ("no device matches name").
   * @throws {TypeError} For a bad name or index.
   *
   * @example An unknown device
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({ conn: ethtool.dial() });
   * await assert.rejects(et.linkInfo("nope0"), {
   *   code: "ENODEV",
   *   message: "Cannot get link info of nope0: ENODEV (errno 19): no device matches name (attribute 1 > 2)",
   * });
   * ```
   */
  async linkInfo(
    ref: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<LinkInfo> {
    const what = "get link info";
    const header = this.#header(ref, what);
    return decodeLinkInfo(
      await this.#do(linkinfoGet, { header }, what, ref, options),
    );
  }

  /**
   * Changes the port, PHY address or MDI(-X) control (`ethtool -s DEV port
   * ... phyad ... mdix ...`); most drivers do not support it (EOPNOTSUPP).
   *
   * @param ref The device's name or index.
   * @param changes What to change.
   * @param options An abort signal.
   * @throws {TypeError} For an unknown name or a bad value.
   * @throws {NetlinkError} EOPNOTSUPP, EPERM, or the kernel's refusal.
   */
  async setLinkInfo(
    ref: DeviceRef,
    changes: LinkInfoChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = "set link info";
    const header = this.#header(ref, what);
    const c = checkChanges(
      changes,
      ["port", "phyAddress", "mdixControl"],
      what,
      ref,
    );
    const request: Parameters<typeof linkinfoSet.do>[1] = { header };
    if (c.port !== undefined) {
      request.port = lookup(PORT, c.port, "port", what, ref);
    }
    if (c.phyAddress !== undefined) request.phyaddr = c.phyAddress as number;
    if (c.mdixControl !== undefined) {
      request.tpMdixCtrl = lookup(MDI, c.mdixControl, "mdixControl", what, ref);
    }
    await this.#do(linkinfoSet, request, what, ref, options);
  }

  /**
   * Speed, duplex, autonegotiation and the supported, advertised and peer
   * link modes, named by the kernel's `ETH_SS_LINK_MODES` string set.
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The link modes.
   * @throws {NetlinkError} ENODEV for no such device.
   *
   * @example Modes of a NIC (simulated kernel)
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({
   *   conn: ethtool.dial({ devices: [{ name: "eth0", linkModes: { autoneg: true, speed: 1000, supported: ["1000baseT/Full", "Autoneg"], advertised: ["1000baseT/Full"] } }] }),
   * });
   * const m = await et.linkModes("eth0");
   * assert.deepEqual([m.autoneg, m.speed, m.supported], [true, 1000, ["1000baseT/Full", "Autoneg"]]);
   * ```
   */
  async linkModes(
    ref: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<LinkModes> {
    const what = "get link modes";
    const header = this.#header(ref, what);
    const [names, r] = await Promise.all([
      this.stringSet(StringSet.LinkModes, undefined, options),
      this.#do(linkmodesGet, { header }, what, ref, options),
    ]);
    return decodeLinkModes(r, names);
  }

  /**
   * Changes speed, duplex, autonegotiation, advertised modes or lanes
   * (`ethtool -s DEV speed ... duplex ... autoneg ... advertise ...`).
   *
   * @param ref The device's name or index.
   * @param changes What to change.
   * @param options An abort signal.
   * @throws {TypeError} For an unknown link mode name or a bad value (nothing is sent).
   * @throws {NetlinkError} EOPNOTSUPP, EPERM, or the kernel's refusal.
   *
   * @example Advertise two modes (simulated kernel)
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({
   *   conn: ethtool.dial({ devices: [{ name: "eth0", linkModes: { autoneg: true, supported: ["100baseT/Full", "1000baseT/Full"], advertised: ["1000baseT/Full"] } }] }),
   * });
   * await et.setLinkModes("eth0", { advertised: ["100baseT/Full", "1000baseT/Full"] });
   * assert.deepEqual((await et.linkModes("eth0")).advertised, ["100baseT/Full", "1000baseT/Full"]);
   * await assert.rejects(et.setLinkModes("eth0", { advertised: ["9baseX/Full"] }), TypeError);
   * ```
   */
  async setLinkModes(
    ref: DeviceRef,
    changes: LinkModesChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = "set link modes";
    const header = this.#header(ref, what);
    const c = checkChanges(
      changes,
      ["autoneg", "speed", "duplex", "advertised", "lanes"],
      what,
      ref,
    );
    const request: Parameters<typeof linkmodesSet.do>[1] = { header };
    if (c.autoneg !== undefined) {
      request.autoneg = boolean(c.autoneg, "autoneg", what, ref) ? 1 : 0;
    }
    if (c.speed !== undefined) request.speed = c.speed as number;
    if (c.duplex !== undefined) {
      request.duplex = lookup(DUPLEX, c.duplex, "duplex", what, ref);
    }
    if (c.lanes !== undefined) request.lanes = c.lanes as number;
    if (c.advertised !== undefined) {
      const names = await this.stringSet(
        StringSet.LinkModes,
        undefined,
        options,
      );
      request.ours = namedBitset(
        checkNames(c.advertised, names, "link mode", what, ref),
        true,
      );
    }
    await this.#do(linkmodesSet, request, what, ref, options);
  }

  /**
   * Whether the link is up, with the signal quality and the reason it is
   * down when the driver reports them.
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The link state.
   * @throws {NetlinkError} ENODEV for no such device.
   *
   * @example Why the link is down (simulated kernel)
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "eth0", link: false, extState: 4 }] }) });
   * const s = await et.linkState("eth0");
   * assert.deepEqual([s.link, s.extState], [false, "no-cable"]);
   * ```
   */
  async linkState(
    ref: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<LinkState> {
    const what = "get link state";
    const header = this.#header(ref, what);
    return decodeLinkState(
      await this.#do(linkstateGet, { header }, what, ref, options),
    );
  }

  /**
   * The device's features (offloads), named by the kernel's
   * `ETH_SS_FEATURES` string set: active, wanted, changeable and fixed.
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The features.
   * @throws {NetlinkError} ENODEV for no such device.
   */
  async features(
    ref: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<Features> {
    const what = "get features";
    const header = this.#header(ref, what);
    const [names, r] = await Promise.all([
      this.stringSet(StringSet.Features, undefined, options),
      this.#do(featuresGet, { header }, what, ref, options),
    ]);
    return decodeFeatures(r, names);
  }

  /**
   * Turns features on or off (`ethtool -K`). The kernel changes what it
   * can and reports the rest: a feature the device cannot change is
   * `refused`, not an error (as `ethtool -K` says "Could not change").
   *
   * @param ref The device's name or index.
   * @param changes Features by name, `true` for on.
   * @param options An abort signal.
   * @returns What changed and what was refused.
   * @throws {TypeError} For a name the kernel does not know (nothing is sent).
   * @throws {NetlinkError} EPERM, ENODEV, or the kernel's refusal.
   *
   * @example An unknown feature is refused before sending
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
   * await assert.rejects(et.setFeatures("veth0", { "rx-warp-drive": true }), {
   *   name: "TypeError",
   *   message: 'Cannot set features of veth0: unknown feature "rx-warp-drive"',
   * });
   * ```
   */
  async setFeatures(
    ref: DeviceRef,
    changes: Readonly<Record<string, boolean>>,
    options: ReceiveOptions = {},
  ): Promise<FeaturesChange> {
    const what = "set features";
    const header = this.#header(ref, what);
    if (changes === null || typeof changes !== "object") {
      throw new TypeError(
        `Cannot ${what} of ${
          describe(ref)
        }: changes must be an object of feature names`,
      );
    }
    const names = await this.stringSet(StringSet.Features, undefined, options);
    const map = new Map<string, boolean>();
    for (const [name, on] of Object.entries(changes)) {
      if (name === "" || !names.includes(name)) {
        throw new TypeError(
          `Cannot ${what} of ${describe(ref)}: unknown feature ${
            JSON.stringify(name)
          }`,
        );
      }
      map.set(name, boolean(on, name, what, ref));
    }
    if (map.size === 0) {
      throw new TypeError(
        `Cannot ${what} of ${describe(ref)}: no feature given`,
      );
    }
    const r = await this.#do(
      featuresSet,
      { header, wanted: namedBitset(map) },
      what,
      ref,
      options,
    );
    return decodeFeaturesChange(r, names);
  }

  /**
   * Ring sizes and their maximums (`ethtool -g`).
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The rings.
   * @throws {NetlinkError} EOPNOTSUPP when the driver has no rings (veth), ENODEV.
   */
  async rings(ref: DeviceRef, options: ReceiveOptions = {}): Promise<Rings> {
    const what = "get rings";
    const header = this.#header(ref, what);
    return body(await this.#do(ringsGet, { header }, what, ref, options));
  }

  /**
   * Changes ring sizes (`ethtool -G`).
   *
   * @param ref The device's name or index.
   * @param changes What to change.
   * @param options An abort signal.
   * @throws {TypeError} For an unknown key or a bad value (nothing is sent).
   * @throws {NetlinkError} EOPNOTSUPP, EPERM, EINVAL past a maximum.
   */
  async setRings(
    ref: DeviceRef,
    changes: RingsChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = "set rings";
    const header = this.#header(ref, what);
    const c = checkChanges(changes, RINGS_KEYS, what, ref);
    await this.#do(ringsSet, { ...c, header }, what, ref, options);
  }

  /**
   * Channel counts and their maximums (`ethtool -l`).
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The channels.
   * @throws {NetlinkError} EOPNOTSUPP when the driver has none, ENODEV.
   */
  async channels(
    ref: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<Channels> {
    const what = "get channels";
    const header = this.#header(ref, what);
    return body(await this.#do(channelsGet, { header }, what, ref, options));
  }

  /**
   * Changes channel counts (`ethtool -L`).
   *
   * @param ref The device's name or index.
   * @param changes What to change.
   * @param options An abort signal.
   * @throws {TypeError} For an unknown key or a bad value (nothing is sent).
   * @throws {NetlinkError} EINVAL past a maximum ("requested channel count
   * exceeds maximum") or without any RX or TX channel; EPERM; EOPNOTSUPP.
   *
   * @example Past the maximum (simulated veth)
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
   * await assert.rejects(et.setChannels("veth0", { rxCount: 5 }), {
   *   code: "EINVAL",
   *   message: "Cannot set channels of veth0: EINVAL (errno 22): requested channel count exceeds maximum (attribute 6)",
   * });
   * ```
   */
  async setChannels(
    ref: DeviceRef,
    changes: ChannelsChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = "set channels";
    const header = this.#header(ref, what);
    const c = checkChanges(changes, CHANNELS_KEYS, what, ref);
    await this.#do(channelsSet, { ...c, header }, what, ref, options);
  }

  /**
   * Pause frame settings (`ethtool -a`).
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The pause settings.
   * @throws {NetlinkError} EOPNOTSUPP when the driver has none (veth), ENODEV.
   */
  async pause(ref: DeviceRef, options: ReceiveOptions = {}): Promise<Pause> {
    const what = "get pause";
    const header = this.#header(ref, what);
    return decodePause(
      await this.#do(pauseGet, { header }, what, ref, options),
    );
  }

  /**
   * Changes pause frame settings (`ethtool -A`).
   *
   * @param ref The device's name or index.
   * @param changes What to change.
   * @param options An abort signal.
   * @throws {TypeError} For an unknown key or a value that is not boolean.
   * @throws {NetlinkError} EOPNOTSUPP, EPERM.
   */
  async setPause(
    ref: DeviceRef,
    changes: PauseChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = "set pause";
    const header = this.#header(ref, what);
    const c = checkChanges(changes, ["autoneg", "rx", "tx"], what, ref);
    const request: Parameters<typeof pauseSet.do>[1] = { header };
    for (const k of ["autoneg", "rx", "tx"] as const) {
      if (c[k] !== undefined) request[k] = boolean(c[k], k, what, ref) ? 1 : 0;
    }
    await this.#do(pauseSet, request, what, ref, options);
  }

  /**
   * Interrupt coalescing (`ethtool -c`): the parameters the driver supports.
   *
   * @param ref The device's name or index.
   * @param options An abort signal.
   * @returns The coalescing parameters.
   * @throws {NetlinkError} EOPNOTSUPP when the driver has none (veth), ENODEV.
   */
  async coalesce(
    ref: DeviceRef,
    options: ReceiveOptions = {},
  ): Promise<Coalesce> {
    const what = "get coalesce";
    const header = this.#header(ref, what);
    return body(await this.#do(coalesceGet, { header }, what, ref, options));
  }

  /**
   * Changes interrupt coalescing (`ethtool -C`); a parameter the driver
   * does not support is EINVAL ("cannot modify an unsupported parameter").
   *
   * @param ref The device's name or index.
   * @param changes What to change.
   * @param options An abort signal.
   * @throws {TypeError} For an unknown key or a bad value (nothing is sent).
   * @throws {NetlinkError} EINVAL, EOPNOTSUPP, EPERM.
   */
  async setCoalesce(
    ref: DeviceRef,
    changes: CoalesceChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = "set coalesce";
    const header = this.#header(ref, what);
    if (changes === null || typeof changes !== "object") {
      throw new TypeError(
        `Cannot ${what} of ${describe(ref)}: changes must be an object`,
      );
    }
    if ("header" in changes || "unknownAttributes" in changes) {
      throw new TypeError(
        `Cannot ${what} of ${
          describe(ref)
        }: changes must be coalescing parameters`,
      );
    }
    await this.#do(coalesceSet, { ...changes, header }, what, ref, options);
  }

  /**
   * Standard statistics (`ethtool -S DEV --all-groups`, or `--groups`):
   * counters named by the kernel's string sets.
   *
   * @param ref The device's name or index.
   * @param options The groups to ask for (default all the kernel knows:
   * `eth-phy`, `eth-mac`, `eth-ctrl`, `rmon`, ...), an abort signal.
   * @returns The statistics by group.
   * @throws {TypeError} For an unknown group name.
   * @throws {NetlinkError} ENODEV for no such device.
   *
   * @example Every group, none reported (simulated veth)
   * ```ts
   * import { Ethtool } from "@nlkit/netlink/ethtool";
   * import { ethtool } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using et = await Ethtool.open({ conn: ethtool.dial({ devices: [{ name: "veth0" }] }) });
   * const s = await et.stats("veth0");
   * assert.deepEqual(Object.keys(s.groups), ["eth-phy", "eth-mac", "eth-ctrl", "rmon", "phydev"]);
   * assert.deepEqual(s.groups["eth-mac"]?.counters, {});
   * ```
   */
  async stats(
    ref: DeviceRef,
    options: ReceiveOptions & { groups?: string[] } = {},
  ): Promise<Stats> {
    const what = "get stats";
    const header = this.#header(ref, what);
    const { groups, ...receive } = options;
    const groupNames = await this.stringSet(
      StringSet.StatsStd,
      undefined,
      receive,
    );
    const wanted = groups === undefined
      ? new Map(groupNames.filter((n) => n !== "").map((n) => [n, true]))
      : checkNames(groups, groupNames, "statistics group", what, ref);
    const r = await this.#do(
      statsGet,
      { header, groups: namedBitset(wanted, true) },
      what,
      ref,
      receive,
    );
    // The counters are named by each group's own string set.
    const counterSets = new Map<number, string[]>();
    for (const id of counterStringSets(r)) {
      counterSets.set(id, await this.stringSet(id, undefined, receive));
    }
    return decodeStats(r, groupNames, (id) => counterSets.get(id) ?? []);
  }

  /**
   * Closes the connection. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#conn.close();
  }

  /**
   * Closes the client (`await using`).
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Closes the client (`using`), without waiting.
   */
  [Symbol.dispose](): void {
    void this.close();
  }
}

function checkChanges(
  changes: unknown,
  keys: readonly string[],
  what: string,
  ref: DeviceRef,
): Record<string, unknown> {
  if (
    changes === null || typeof changes !== "object" || Array.isArray(changes)
  ) {
    throw new TypeError(
      `Cannot ${what} of ${describe(ref)}: changes must be an object`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(changes)) {
    if (!keys.includes(k)) {
      throw new TypeError(
        `Cannot ${what} of ${describe(ref)}: unknown setting ${
          JSON.stringify(k)
        } (known: ${keys.join(", ")})`,
      );
    }
    if (v !== undefined) out[k] = v;
  }
  if (Object.keys(out).length === 0) {
    throw new TypeError(
      `Cannot ${what} of ${describe(ref)}: nothing to change`,
    );
  }
  return out;
}

function boolean(
  v: unknown,
  key: string,
  what: string,
  ref: DeviceRef,
): boolean {
  if (typeof v !== "boolean") {
    throw new TypeError(
      `Cannot ${what} of ${describe(ref)}: ${key}: expected true or false`,
    );
  }
  return v;
}

function lookup(
  table: Readonly<Record<number, string>>,
  v: unknown,
  key: string,
  what: string,
  ref: DeviceRef,
): number {
  const n = typeof v === "string" ? valueOf(table, v) : undefined;
  if (n === undefined) {
    throw new TypeError(
      `Cannot ${what} of ${describe(ref)}: ${key} ${
        JSON.stringify(v)
      } is not one of ${Object.values(table).join(", ")}`,
    );
  }
  return n;
}

function checkNames(
  list: unknown,
  names: readonly string[],
  kind: string,
  what: string,
  ref: DeviceRef,
): Map<string, boolean> {
  if (!Array.isArray(list)) {
    throw new TypeError(
      `Cannot ${what} of ${describe(ref)}: expected an array of ${kind} names`,
    );
  }
  const out = new Map<string, boolean>();
  for (const n of list) {
    if (typeof n !== "string" || n === "" || !names.includes(n)) {
      throw new TypeError(
        `Cannot ${what} of ${describe(ref)}: unknown ${kind} ${
          JSON.stringify(n)
        }`,
      );
    }
    out.set(n, true);
  }
  return out;
}
