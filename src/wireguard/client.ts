/**
 * The WireGuard client, like `wgctrl`: read devices and their peers, and
 * configure them, over the kernel's `wireguard` generic netlink family
 * (the generated `getDevice` and `setDevice` operations).
 *
 * @module
 */

import {
  family as wgFamily,
  getDevice,
  setDevice,
  type Wgdevice,
} from "../families/wireguard.ts";
import { getlink } from "../families/rt_link.ts";
import { GenlConn, type GenlConnOptions } from "../genetlink/conn.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import { Conn } from "../netlink/conn.ts";
import { Errno } from "../netlink/errno.ts";
import { isNetlinkError, NetlinkError } from "../netlink/errors.ts";
import { Family } from "../netlink/header.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { type Config, ConfigureError, planConfigure } from "./configure.ts";
import { type Device, mergeDevice } from "./device.ts";
import { explainDeviceErrno } from "./_errors.ts";

/** The largest set-device message by default: `wg(8)`'s buffer on 4 KiB pages (`MNL_SOCKET_BUFFER_SIZE`). */
const DEFAULT_MAX_MESSAGE = 4096;
/** The smallest message size accepted: room for the device settings and one peer with an IPv6 allowed IP. */
const MIN_MAX_MESSAGE = 512;
/** `IFNAMSIZ - 1` (`linux/if.h`). */
const IFNAME_MAX = 15;

/**
 * Options of {@linkcode WireGuard.open}.
 */
export interface WireGuardOptions extends GenlConnOptions {
  /**
   * The generic netlink connection to use (a simulated one, or one you
   * opened); the client owns it once `open` succeeds and closes it in
   * {@linkcode WireGuard.close}. Default: a new connection.
   */
  conn?: GenlConn;
  /**
   * The rtnetlink connection {@linkcode WireGuard.devices} lists links
   * with (owned likewise). Default: a new one, dialled on first use
   * (with the other options), unless `conn` was given: then give this too.
   */
  route?: Conn;
  /**
   * The largest set-device message {@linkcode WireGuard.configure} sends,
   * in bytes (default 4096, as `wg(8)`); a bigger configuration is split.
   */
  maxMessageSize?: number;
}

/** A device reference: its name, or its interface index. */
export type DeviceRef = string | number;

function describeRef(ref: DeviceRef): string {
  return typeof ref === "number" ? `index ${ref}` : ref;
}

function checkRef(ref: unknown, what: string): DeviceRef {
  if (typeof ref === "number") {
    if (Number.isInteger(ref) && ref > 0 && ref <= 0xffff_ffff) return ref;
  } else if (typeof ref === "string") {
    const n = new TextEncoder().encode(ref).length;
    if (n > 0 && n <= IFNAME_MAX && !ref.includes("\0")) return ref;
    throw new TypeError(
      `Cannot ${what} ${
        JSON.stringify(ref)
      }: an interface name is 1 to ${IFNAME_MAX} bytes`,
    );
  }
  throw new TypeError(
    `Cannot ${what} ${
      typeof ref === "string" ? JSON.stringify(ref) : String(ref)
    }: expected an interface name or a positive index`,
  );
}

function deviceError(e: unknown, op: string, ref: DeviceRef): unknown {
  if (!isNetlinkError(e) || e.name !== "NetlinkError") return e;
  const { errno, detail } = explainDeviceErrno(e.errno);
  const options: ConstructorParameters<typeof NetlinkError>[2] = { cause: e };
  if (detail !== undefined) options.detail = detail;
  if (e.extAck !== undefined) options.extAck = e.extAck;
  if (e.sequence !== undefined) options.sequence = e.sequence;
  return new NetlinkError(`${op} ${describeRef(ref)}`, errno, options);
}

/**
 * A WireGuard client, like `wgctrl`: {@linkcode WireGuard.devices},
 * {@linkcode WireGuard.device} and {@linkcode WireGuard.configure}. Keys
 * are base64 text, endpoints `192.0.2.1:51820` or `[2001:db8::1]:51820`,
 * allowed IPs CIDR text.
 *
 * The kernel's wireguard family needs `CAP_NET_ADMIN` (in the device's
 * network namespace) for every request: without it, EPERM.
 *
 * @example Configure a device and read it back (simulated kernel)
 * ```ts
 * import { generatePrivateKey, publicKey, WireGuard } from "@nlkit/netlink/wireguard";
 * import { wireguard } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux with the wireguard module, as root: await WireGuard.open()
 * await using wg = await WireGuard.open(wireguard.dial({ devices: [{ name: "wg0" }] }));
 * const privateKey = generatePrivateKey();
 * const peer = await publicKey(generatePrivateKey());
 * await wg.configure("wg0", {
 *   privateKey,
 *   listenPort: 51820,
 *   peers: [{ publicKey: peer, endpoint: "[2001:db8::1]:51820", allowedIPs: ["10.0.0.2/32", "fd00::2/128"], persistentKeepalive: 25 }],
 * });
 * const d = await wg.device("wg0");
 * assert.equal(d.publicKey, await publicKey(privateKey));
 * assert.equal(d.listenPort, 51820);
 * assert.deepEqual(d.peers[0]?.allowedIPs, ["10.0.0.2/32", "fd00::2/128"]);
 * assert.equal(d.peers[0]?.endpoint, "[2001:db8::1]:51820");
 * ```
 *
 * @example On the real kernel
 * ```ts ignore
 * import { WireGuard } from "@nlkit/netlink/wireguard";
 *
 * await using wg = await WireGuard.open();
 * for (const d of await wg.devices()) console.log(d.name, d.publicKey, d.peers.length);
 * ```
 */
export class WireGuard implements AsyncDisposable, Disposable {
  #conn: GenlConn;
  #route: Conn | undefined;
  #routeGiven: boolean;
  #dialOptions: GenlConnOptions;
  #family: GenlFamily;
  #maxMessage: number;
  #closed = false;

  private constructor(
    conn: GenlConn,
    route: Conn | undefined,
    routeGiven: boolean,
    dialOptions: GenlConnOptions,
    family: GenlFamily,
    maxMessage: number,
  ) {
    this.#conn = conn;
    this.#route = route;
    this.#routeGiven = routeGiven;
    this.#dialOptions = dialOptions;
    this.#family = family;
    this.#maxMessage = maxMessage;
  }

  /**
   * Opens a client: resolves the `wireguard` family through nlctrl.
   *
   * @param options Connections to use, or options for new ones; the message size.
   * @returns The client.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when the kernel has no
   * wireguard family (the module is not loaded).
   * @throws {TypeError} For a bad `maxMessageSize`.
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   *
   * @example A kernel without the wireguard module
   * ```ts
   * import { WireGuard } from "@nlkit/netlink/wireguard";
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { Family, isNotExist } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = GenlConn.from(new SimKernel().dial(Family.Generic)); // nlctrl only
   * await assert.rejects(WireGuard.open({ conn }), (e) => isNotExist(e));
   * ```
   */
  static async open(options: WireGuardOptions = {}): Promise<WireGuard> {
    const { conn: given, route, maxMessageSize, ...dialOptions } = options;
    const max = maxMessageSize ?? DEFAULT_MAX_MESSAGE;
    if (
      typeof max !== "number" || !Number.isInteger(max) ||
      max < MIN_MAX_MESSAGE || max > 1 << 20
    ) {
      throw new TypeError(
        `Cannot open wireguard: maxMessageSize ${
          String(max)
        } is not an integer from ${MIN_MAX_MESSAGE} to ${1 << 20}`,
      );
    }
    const conn = given ?? await GenlConn.dial(dialOptions);
    try {
      const f = await wgFamily.resolve(conn);
      return new WireGuard(
        conn,
        route,
        route !== undefined || given !== undefined,
        dialOptions,
        f,
        max,
      );
    } catch (e) {
      if (given === undefined) await conn.close();
      if (isNetlinkError(e) && e.errno === Errno.ENOENT) {
        throw new NetlinkError("open wireguard", e.errno, {
          cause: e,
          detail:
            "the kernel has no wireguard family (is the wireguard module loaded?)",
        });
      }
      throw e;
    }
  }

  /**
   * The `wireguard` family as the kernel described it.
   */
  get family(): GenlFamily {
    return this.#family;
  }

  #check(): void {
    if (this.#closed) {
      throw new NetlinkError("use wireguard client", Errno.EBADF, {
        detail: "the client is closed",
      });
    }
  }

  /**
   * Every WireGuard device of the network namespace: the links of kind
   * `wireguard` (from an rtnetlink link dump), each read with
   * {@linkcode WireGuard.device}.
   *
   * @param options An abort signal.
   * @returns The devices, by interface index.
   * @throws {NetlinkError} EPERM without `CAP_NET_ADMIN`.
   * @throws {TypeError} When the client was opened with `conn` but no `route`.
   *
   * @example List the simulated devices
   * ```ts
   * import { WireGuard } from "@nlkit/netlink/wireguard";
   * import { wireguard } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using wg = await WireGuard.open(wireguard.dial({ devices: [{ name: "wg0" }, { name: "wg1" }] }));
   * assert.deepEqual((await wg.devices()).map((d) => d.name), ["wg0", "wg1"]);
   * ```
   */
  async devices(options: ReceiveOptions = {}): Promise<Device[]> {
    this.#check();
    if (this.#route === undefined) {
      if (this.#routeGiven) {
        throw new TypeError(
          "Cannot list wireguard devices: the client was opened with conn but no route connection",
        );
      }
      this.#route = await Conn.dial(Family.Route, this.#dialOptions);
    }
    const indexes: number[] = [];
    for await (const link of getlink.dump(this.#route, {}, options)) {
      if (link.linkinfo?.kind === "wireguard") indexes.push(link.ifiIndex);
    }
    const out: Device[] = [];
    for (const index of indexes) {
      try {
        out.push(await this.device(index, options));
      } catch (e) {
        // Gone since the link dump: skip it.
        if (!(isNetlinkError(e) && e.errno === Errno.ENOENT)) throw e;
      }
    }
    return out;
  }

  /**
   * One device, with its peers (a dump that spans several messages is
   * merged).
   *
   * @param ref The device's name or interface index.
   * @param options An abort signal.
   * @returns The device.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when there is no such
   * device (the kernel answers ENODEV, kept as `cause`); EOPNOTSUPP when
   * it is not a WireGuard device; EPERM without `CAP_NET_ADMIN`.
   * @throws {TypeError} For a bad name or index.
   *
   * @example An unknown device
   * ```ts
   * import { WireGuard } from "@nlkit/netlink/wireguard";
   * import { isNotExist } from "@nlkit/netlink/netlink";
   * import { wireguard } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using wg = await WireGuard.open(wireguard.dial());
   * await assert.rejects(wg.device("wg9"), (e: Error) => isNotExist(e) && e.message.startsWith("Cannot get wireguard device wg9"));
   * ```
   */
  async device(ref: DeviceRef, options: ReceiveOptions = {}): Promise<Device> {
    this.#check();
    checkRef(ref, "get wireguard device");
    const request: Wgdevice = typeof ref === "number"
      ? { ifindex: ref }
      : { ifname: ref };
    const messages: Wgdevice[] = [];
    try {
      await getDevice.visit(this.#conn, request, (m) => {
        messages.push(m);
      }, options);
    } catch (e) {
      throw deviceError(e, "get wireguard device", ref);
    }
    const d = mergeDevice(messages);
    if (d === undefined) {
      throw new NetlinkError(
        `get wireguard device ${describeRef(ref)}`,
        Errno.EPROTO,
        { detail: "the kernel sent no device" },
      );
    }
    return d;
  }

  /**
   * Configures a device, as `wg set` / `wg setconf`: everything is checked
   * first (keys, endpoints, allowed IPs, numbers), so bad input sends
   * nothing; a configuration too big for one message is split (see
   * `configure.ts`) and the messages are sent in order.
   *
   * @param ref The device's name or interface index.
   * @param config What to set.
   * @param options An abort signal.
   * @throws {TypeError} For bad input, naming the field (nothing is sent).
   * @throws {ConfigureError} When the kernel refuses a message: which one,
   * what it carried and what was applied before (a `NetlinkError`; ENOENT
   * for an unknown device, EPERM without `CAP_NET_ADMIN`).
   *
   * @example A bad key is refused before anything is sent
   * ```ts
   * import { WireGuard } from "@nlkit/netlink/wireguard";
   * import { wireguard } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using wg = await WireGuard.open(wireguard.dial({ devices: [{ name: "wg0" }] }));
   * await assert.rejects(
   *   wg.configure("wg0", { listenPort: 51820, peers: [{ publicKey: "not-a-key" }] }),
   *   { name: "TypeError", message: /peers\[0\]\.publicKey/ },
   * );
   * assert.equal((await wg.device("wg0")).listenPort, 0); // untouched
   * ```
   */
  async configure(
    ref: DeviceRef,
    config: Config,
    options: ReceiveOptions = {},
  ): Promise<void> {
    this.#check();
    checkRef(ref, "configure wireguard device");
    const plan = planConfigure(ref, config, this.#maxMessage);
    for (let i = 0; i < plan.length; i++) {
      try {
        await setDevice.do(this.#conn, plan[i]!.value, options);
      } catch (e) {
        if (!isNetlinkError(e) || e.name !== "NetlinkError") throw e;
        throw new ConfigureError(
          describeRef(ref),
          e,
          plan.map((p) => p.summary),
          i,
        );
      }
    }
  }

  /**
   * Closes the connections. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#conn.close();
    await this.#route?.close();
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
