/**
 * `Client`: the nl80211 client (interfaces, PHYs, scan results, stations,
 * surveys, scanning, connecting, regulatory domain, notifications).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { AttributeEncoder } from "../netlink/attribute.ts";
import { isNetlinkError, NetlinkError } from "../netlink/errors.ts";
import { HeaderFlags } from "../netlink/header.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { GenlConn } from "../genetlink/conn.ts";
import type { Family } from "../genetlink/family.ts";
import type { GenlMessage } from "../genetlink/message.ts";
import { type BSS, decodeBSS } from "./bss.ts";
import { NotSupportedError } from "./errors.ts";
import type { WifiEvent } from "./events.ts";
import { eventStream, waitForScan } from "./_stream.ts";
import { decodeInterface, type Interface } from "./interface.ts";
import {
  NL80211_GENL_NAME,
  Nl80211Attribute as A,
  Nl80211AuthType,
  Nl80211Command as C,
  Nl80211ExtFeature,
  Nl80211MulticastGroup,
  Nl80211WPAVersion,
  RegulatoryHint,
} from "./nl80211.ts";
import { decodePHYs, hasExtFeature, type PHY } from "./phy.ts";
import { decodeRegulatoryDomain, type RegulatoryDomain } from "./regulatory.ts";
import { RSNAKM, RSNCipher } from "./rsn.ts";
import { decodeStationInfo, type StationInfo } from "./station.ts";
import { decodeSurveyInfo, type SurveyInfo } from "./survey.ts";
import { derivePMK, ssidBytes } from "./wpa.ts";

const REQUEST_ACK = HeaderFlags.Request | HeaderFlags.Acknowledge;

/**
 * The interface an operation applies to: an {@linkcode Interface} from
 * {@linkcode Client.interfaces}, or just its index (and hardware address).
 *
 * @example An index is enough
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * assert.deepEqual(await client.stationInfo({ index: 1 }), []);
 * ```
 */
export interface InterfaceRef {
  /** The interface index (`NL80211_ATTR_IFINDEX`). */
  index: number;
  /** The hardware address, `"aa:bb:cc:dd:ee:ff"`; sent as `NL80211_ATTR_MAC` where the Go reference sends it. */
  hardwareAddr?: string;
}

/**
 * Options for {@linkcode Client.open}.
 *
 * @example Hand the client a simulated connection
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const client = await Client.open({ conn: nl80211.dial({}) });
 * assert.equal(client.family.name, "nl80211");
 * await client.close(); // closes the connection too
 * ```
 */
export interface ClientOptions {
  /**
   * The generic netlink connection to use, such as one from
   * `nltest.nl80211.dial(...)`. The client owns it once `open` succeeds and
   * closes it in {@linkcode Client.close}. Default: a new connection to the kernel.
   */
  conn?: GenlConn;
}

/**
 * Options for {@linkcode Client.events}.
 *
 * @example Stop watching with a signal
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const controller = new AbortController();
 * const events = client.events({ signal: controller.signal });
 * const next = events.next();
 * controller.abort(new Error("done"));
 * await assert.rejects(next, /done/);
 * ```
 */
export interface EventsOptions {
  /** Aborting ends the iterator (its `next()` rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Options for {@linkcode Client.scan}.
 *
 * @example Probe one SSID on one channel
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * await client.scan({ index: 1 }, { ssids: ["hidden"], frequencies: [2412], signal: AbortSignal.timeout(10_000) });
 * ```
 */
export interface ScanOptions {
  /** Aborting ends the wait at once and asks the kernel to abort the scan. */
  signal?: AbortSignal;
  /**
   * SSIDs to probe for (active scan). Default: one wildcard (empty) SSID, as
   * `iw` sends; the Go reference sends a 1-byte NUL SSID instead.
   */
  ssids?: (string | Uint8Array)[];
  /** Frequencies in MHz to scan; default: all the device supports. */
  frequencies?: number[];
}

function macBytes(mac: string | undefined): Uint8Array | undefined {
  if (mac === undefined || mac === "") return undefined;
  const parts = mac.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(
      `Cannot use hardware address "${mac}": want six hex bytes separated by colons`,
    );
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function checkInterface(ifi: InterfaceRef, what: string): void {
  if (
    typeof ifi !== "object" || ifi === null || !Number.isInteger(ifi.index) ||
    ifi.index < 0 || ifi.index > 0xffffffff
  ) {
    throw new TypeError(
      `Cannot ${what}: the interface must have an integer index`,
    );
  }
}

function notFound(op: string, text: string): NetlinkError {
  const err = new NetlinkError(op, Errno.ENOENT);
  err.message = `Cannot ${text}: ENOENT (errno ${Errno.ENOENT})`;
  return err;
}

/**
 * An nl80211 client: lists wireless interfaces, PHYs, scan results,
 * stations and channel surveys, triggers scans, connects and disconnects,
 * reads and sets the regulatory domain, and streams decoded notifications.
 * Methods mirror the Go `wifi` package, without its bugs (see the
 * deviations in each method's notes).
 *
 * Every method that waits takes an `AbortSignal` where it can block long
 * (`scan`, `events`); close the client to end everything at once.
 *
 * @example On the simulated nl80211 (runs anywhere)
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0" }],
 *     accessPoints: [{ ssid: "cafe", bssid: "02:00:00:00:01:00" }],
 *   }),
 * });
 * const [wlan0] = await client.interfaces();
 * await client.scan(wlan0!);
 * const aps = await client.accessPoints(wlan0!);
 * assert.deepEqual(aps.map((ap) => ap.ssid), ["cafe"]);
 * await client.connect(wlan0!, "cafe");
 * assert.equal((await client.bss(wlan0!)).bssid, "02:00:00:00:01:00");
 * ```
 *
 * @example On the real kernel
 * ```ts ignore
 * import { Client } from "@nlkit/netlink/wifi";
 *
 * await using client = await Client.open();
 * for (const ifi of await client.interfaces()) console.log(ifi.name, ifi.frequency);
 * ```
 */
export class Client implements Disposable, AsyncDisposable {
  #conn: GenlConn;
  #family: Family;
  #groups = new Map<string, number>();
  #joined = new Map<number, number>();

  private constructor(conn: GenlConn, family: Family) {
    this.#conn = conn;
    this.#family = family;
    for (const g of family.groups) this.#groups.set(g.name, g.id);
  }

  /**
   * Opens a client: dials generic netlink (unless a connection is given)
   * and resolves the nl80211 family and its multicast groups.
   *
   * @param options A connection to use instead of a new one.
   * @returns The client.
   * @throws {NetlinkError} ENOENT when the kernel has no nl80211 (`isNotExist(err)` is true).
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission (only when dialing).
   *
   * @example Without nl80211, `isNotExist` is true
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { isNotExist } from "@nlkit/netlink/netlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const conn = genltest.dial(genltest.serveFamily([], () => []));
   * await assert.rejects(Client.open({ conn }), (err) => isNotExist(err));
   * await conn.close();
   * ```
   */
  static async open(options: ClientOptions = {}): Promise<Client> {
    const conn = options.conn ?? await GenlConn.dial();
    try {
      return new Client(conn, await conn.getFamily(NL80211_GENL_NAME));
    } catch (e) {
      if (options.conn === undefined) await conn.close();
      throw e;
    }
  }

  /**
   * The nl80211 family as the kernel described it (id, version, multicast groups).
   *
   * @example The nl80211 family the client talks to
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({}) });
   * assert.equal(client.family.name, "nl80211");
   * assert.ok(client.family.groups.some((g) => g.name === "scan"));
   * ```
   */
  get family(): Family {
    return this.#family;
  }

  #message(
    command: number,
    attributes?: (e: AttributeEncoder) => void,
  ): GenlMessage {
    const e = new AttributeEncoder();
    attributes?.(e);
    return {
      header: { command, version: this.#family.version },
      data: e.encode(),
    };
  }

  async #dump(
    command: number,
    attributes?: (e: AttributeEncoder) => void,
    options?: ReceiveOptions,
  ): Promise<GenlMessage[]> {
    const out: GenlMessage[] = [];
    for await (
      const m of this.#conn.dump(
        this.#message(command, attributes),
        this.#family.id,
        undefined,
        options,
      )
    ) {
      out.push(m);
    }
    return out;
  }

  #execute(
    command: number,
    flags: number,
    attributes?: (e: AttributeEncoder) => void,
    options?: ReceiveOptions,
  ): Promise<GenlMessage[]> {
    return this.#conn.execute(
      this.#message(command, attributes),
      this.#family.id,
      flags,
      options,
    );
  }

  #ifindex(ifi: InterfaceRef, withMAC: boolean): (e: AttributeEncoder) => void {
    const mac = withMAC ? macBytes(ifi.hardwareAddr) : undefined;
    return (e) => {
      e.uint32(A.Ifindex, ifi.index);
      if (mac) e.bytes(A.MAC, mac);
    };
  }

  /**
   * Lists the wireless interfaces (`NL80211_CMD_GET_INTERFACE` dump).
   *
   * @returns One entry per interface (P2P devices have index 0).
   * @throws {NetlinkError} When the kernel refuses.
   *
   * @example Using interfaces
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }, { name: "wlan1" }] }) });
   * assert.deepEqual((await client.interfaces()).map((i) => i.name), ["wlan0", "wlan1"]);
   * ```
   */
  async interfaces(): Promise<Interface[]> {
    return (await this.#dump(C.GetInterface)).map((m) =>
      decodeInterface(m.data)
    );
  }

  /**
   * Lists the PHYs (`NL80211_CMD_GET_WIPHY` split dump, merged per wiphy).
   *
   * @returns One entry per wiphy, with bands, channels, bitrates, capabilities and interface combinations.
   * @throws {NetlinkError} When the kernel refuses.
   * @throws {RangeError} When a reply is malformed.
   *
   * @example Using phys
   * ```ts
   * import { Client, InterfaceType } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({}) });
   * const [phy] = await client.phys();
   * assert.ok(phy?.supportedIftypes.includes(InterfaceType.Station));
   * ```
   */
  async phys(): Promise<PHY[]> {
    const replies = await this.#dump(
      C.GetWiphy,
      (e) => e.flag(A.SplitWiphyDump),
    );
    return decodePHYs(replies.map((m) => m.data));
  }

  /**
   * Returns the BSS the interface is authenticated or associated with: the
   * first scan result with `NL80211_BSS_STATUS`.
   *
   * @param ifi The interface.
   * @returns The BSS.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) when the interface is not associated.
   *
   * @example Not connected
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { isNotExist } from "@nlkit/netlink/netlink";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
   * await assert.rejects(client.bss({ index: 1 }), (e) => isNotExist(e));
   * ```
   */
  async bss(ifi: InterfaceRef): Promise<BSS> {
    checkInterface(ifi, "get the BSS");
    for (const m of await this.#dump(C.GetScan, this.#ifindex(ifi, true))) {
      const bss = decodeBSS(m.data);
      if (bss?.status !== undefined) return bss;
    }
    throw notFound(
      "bss",
      `get the BSS: interface ${ifi.index} is not associated`,
    );
  }

  /**
   * Lists the scan results the kernel holds for the interface
   * (`NL80211_CMD_GET_SCAN` dump). Call {@linkcode Client.scan} first for fresh ones.
   *
   * @param ifi The interface.
   * @returns One entry per BSS; malformed information elements are in `ies.problems`.
   * @throws {NetlinkError} When the kernel refuses (ENODEV for an unknown interface).
   *
   * @example Using accessPoints
   * ```ts
   * import { Client, RSNAKM } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "home", security: "wpa2" }] }),
   * });
   * const [ap] = await client.accessPoints({ index: 1 });
   * assert.deepEqual(ap?.rsn?.akms, [RSNAKM.PSK]);
   * ```
   */
  async accessPoints(ifi: InterfaceRef): Promise<BSS[]> {
    checkInterface(ifi, "list access points");
    const out: BSS[] = [];
    for (const m of await this.#dump(C.GetScan, this.#ifindex(ifi, false))) {
      const bss = decodeBSS(m.data);
      if (bss) out.push(bss);
    }
    return out;
  }

  /**
   * Lists the stations (peers) of the interface (`NL80211_CMD_GET_STATION`
   * dump): the AP for a station interface, the clients for an AP.
   *
   * @param ifi The interface.
   * @returns One entry per station; none gives `[]`.
   * @throws {NetlinkError} ENOENT when a reply lacks `NL80211_ATTR_STA_INFO` (as the Go reference).
   *
   * @example Using stationInfo
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
   * assert.deepEqual(await client.stationInfo({ index: 1 }), []);
   * ```
   */
  async stationInfo(ifi: InterfaceRef): Promise<StationInfo[]> {
    checkInterface(ifi, "get station info");
    const out: StationInfo[] = [];
    for (const m of await this.#dump(C.GetStation, this.#ifindex(ifi, true))) {
      const s = decodeStationInfo(m.data);
      if (!s) {
        throw notFound(
          "stationInfo",
          "get station info: a reply has no NL80211_ATTR_STA_INFO",
        );
      }
      out.push(s);
    }
    return out;
  }

  /**
   * Lists the channel surveys of the interface (`NL80211_CMD_GET_SURVEY` dump).
   *
   * @param ifi The interface.
   * @returns One entry per channel; none gives `[]`.
   * @throws {NetlinkError} ENOENT when a reply lacks `NL80211_ATTR_SURVEY_INFO` (as the Go reference).
   *
   * @example Using surveyInfo
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({ interfaces: [{ name: "wlan0", survey: [{ frequency: 5180, noise: -92 }] }] }),
   * });
   * assert.equal((await client.surveyInfo({ index: 1 }))[0]?.frequency, 5180);
   * ```
   */
  async surveyInfo(ifi: InterfaceRef): Promise<SurveyInfo[]> {
    checkInterface(ifi, "get survey info");
    const out: SurveyInfo[] = [];
    for (const m of await this.#dump(C.GetSurvey, this.#ifindex(ifi, true))) {
      const s = decodeSurveyInfo(m.data);
      if (!s) {
        throw notFound(
          "surveyInfo",
          "get survey info: a reply has no NL80211_ATTR_SURVEY_INFO",
        );
      }
      out.push(s);
    }
    return out;
  }

  #join(name: string, what: string): number {
    const id = this.#groups.get(name);
    if (id === undefined) {
      throw new NotSupportedError(
        `Cannot ${what}: nl80211 has no "${name}" multicast group`,
      );
    }
    const n = this.#joined.get(id) ?? 0;
    if (n === 0) this.#conn.joinGroup(id);
    this.#joined.set(id, n + 1);
    return id;
  }

  #leave(id: number): void {
    const n = this.#joined.get(id) ?? 0;
    if (n <= 1) {
      this.#joined.delete(id);
      try {
        this.#conn.leaveGroup(id);
      } catch {
        // The connection is closed: nothing to leave.
      }
    } else this.#joined.set(id, n - 1);
  }

  /**
   * Scans: sends `NL80211_CMD_TRIGGER_SCAN`, then waits on the "scan"
   * multicast group for `NEW_SCAN_RESULTS` (resolves) or `SCAN_ABORTED`
   * (rejects with {@linkcode ScanAbortedError}) for this interface. Read the
   * results with {@linkcode Client.accessPoints}.
   *
   * Unlike the Go reference this uses the client's connection (replies and
   * notifications are told apart by sequence number), ignores other
   * interfaces' aborts, and aborting `signal` ends the wait at once, asks
   * the kernel to abort the scan (`NL80211_CMD_ABORT_SCAN`) and leaves the
   * group: nothing hangs and no socket is left open.
   *
   * @param ifi The interface.
   * @param options SSIDs and frequencies to scan, and an abort signal.
   * @returns When the results are ready.
   * @throws {ScanAbortedError} When the kernel aborts the scan.
   * @throws {NetlinkError} When the kernel refuses (EBUSY while another scan runs).
   * @throws {NotSupportedError} When nl80211 has no "scan" group.
   *
   * @example Cancel a slow scan
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], scan: { delayMs: 60_000 } }),
   * });
   * const controller = new AbortController();
   * const scanning = client.scan({ index: 1 }, { signal: controller.signal });
   * controller.abort(new Error("user cancelled"));
   * await assert.rejects(scanning, /user cancelled/);
   * ```
   */
  async scan(ifi: InterfaceRef, options: ScanOptions = {}): Promise<void> {
    checkInterface(ifi, "scan");
    const { signal } = options;
    signal?.throwIfAborted();
    const ssids = (options.ssids ?? [new Uint8Array(0)]).map((s) =>
      typeof s === "string" || s.length > 0
        ? ssidBytes(s, "scan")
        : new Uint8Array(0)
    );
    const group = this.#join(Nl80211MulticastGroup.Scan, "scan");
    // Listen before triggering: the results may come before the ACK.
    const events = this.#conn.conn.notifications(signal ? { signal } : {});
    // Set once the kernel accepted the trigger, or once an abort cut the
    // wait for its answer short (it may have been accepted): then an abort
    // also stops the scan. A trigger the kernel refused (EBUSY: someone
    // else's scan) must not lead to aborting that scan.
    let triggered = false;
    try {
      await this.#execute(C.TriggerScan, REQUEST_ACK, (e) => {
        e.uint32(A.Ifindex, ifi.index);
        e.nested(
          A.ScanSSIDs,
          (n) => ssids.forEach((s, i) => n.bytes(i + 1, s)),
        );
        if (options.frequencies) {
          const fs = options.frequencies;
          e.nested(
            A.ScanFrequencies,
            (n) => fs.forEach((f, i) => n.uint32(i + 1, f)),
          );
        }
      }, signal ? { signal } : {});
      triggered = true;
      await waitForScan(events, this.#family.id, ifi.index);
    } catch (e) {
      if (signal?.aborted && (triggered || !isNetlinkError(e))) {
        // Best effort: stop the radio's scan too (ENOENT when it already ended).
        await this.#execute(
          C.AbortScan,
          REQUEST_ACK,
          (a) => a.uint32(A.Ifindex, ifi.index),
        ).catch(() => {});
      }
      throw e;
    } finally {
      await events.return?.();
      this.#leave(group);
    }
  }

  /**
   * Connects to an open network (`NL80211_CMD_CONNECT` with open system
   * authentication); the SSID is sent without a NUL. The result arrives
   * as a `connect` event ({@linkcode Client.events}).
   *
   * @param ifi The interface.
   * @param ssid The SSID (text or bytes, 1 to 32 bytes).
   * @returns When the kernel accepted the request.
   * @throws {NetlinkError} When the kernel refuses (EALREADY when connected).
   * @throws {TypeError} When the SSID is invalid.
   *
   * @example Using connect
   * ```ts
   * import { Client, BSSStatus } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "cafe" }] }),
   * });
   * await client.connect({ index: 1 }, "cafe");
   * assert.equal((await client.bss({ index: 1 })).status, BSSStatus.Associated);
   * ```
   */
  async connect(ifi: InterfaceRef, ssid: string | Uint8Array): Promise<void> {
    checkInterface(ifi, "connect");
    const b = ssidBytes(ssid, "connect");
    await this.#execute(C.Connect, REQUEST_ACK, (e) => {
      e.uint32(A.Ifindex, ifi.index).bytes(A.SSID, b).uint32(
        A.AuthType,
        Nl80211AuthType.OpenSystem,
      );
    });
  }

  /**
   * Connects to a WPA2-Personal network with the 4-way handshake offloaded
   * to the device: checks `NL80211_EXT_FEATURE_4WAY_HANDSHAKE_STA_PSK` first,
   * derives the PMK (PBKDF2-SHA1 through WebCrypto), then sends
   * `NL80211_CMD_CONNECT` with WPA2, CCMP, PSK and the PMK.
   *
   * @param ifi The interface.
   * @param ssid The SSID (text or bytes, 1 to 32 bytes).
   * @param passphrase 8 to 63 printable ASCII characters, or the 64-hex-digit PSK.
   * @returns When the kernel accepted the request.
   * @throws {NotSupportedError} When the device lacks the 4-way handshake offload.
   * @throws {NetlinkError} When the kernel refuses.
   * @throws {TypeError} When the SSID or passphrase is invalid.
   *
   * @example Using connectWPAPSK
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({
   *     interfaces: [{ name: "wlan0" }],
   *     accessPoints: [{ ssid: "home", security: "wpa2", passphrase: "correct horse" }],
   *   }),
   * });
   * const events = client.events();
   * await client.connectWPAPSK({ index: 1 }, "home", "correct horse");
   * const { value } = await events.next();
   * assert.equal(value?.type === "connect" && value.statusCode, 0);
   * await events.return?.();
   * ```
   */
  async connectWPAPSK(
    ifi: InterfaceRef,
    ssid: string | Uint8Array,
    passphrase: string,
  ): Promise<void> {
    checkInterface(ifi, "connect with WPA-PSK");
    const b = ssidBytes(ssid, "connect with WPA-PSK");
    const pmk = await derivePMK(passphrase, b); // checks the passphrase before anything is sent
    const replies = await this.#dump(
      C.GetWiphy,
      (e) => e.uint32(A.Ifindex, ifi.index).flag(A.SplitWiphyDump),
    );
    let supported = false;
    for (const m of replies) {
      const [phy] = decodePHYs([m.data]);
      if (phy && phy.extFeatures.length > 0) {
        supported = hasExtFeature(
          phy,
          Nl80211ExtFeature.FourWayHandshakeSTAPSK,
        );
        break;
      }
    }
    if (!supported) {
      throw new NotSupportedError(
        "Cannot connect with WPA-PSK: the device does not offload the 4-way handshake (NL80211_EXT_FEATURE_4WAY_HANDSHAKE_STA_PSK); use wpa_supplicant",
      );
    }
    await this.#execute(C.Connect, REQUEST_ACK, (e) => {
      e.uint32(A.Ifindex, ifi.index).bytes(A.SSID, b);
      e.uint32(A.WPAVersions, Nl80211WPAVersion.WPA2);
      // Suite selectors as host-order u32 (the kernel reads arrays of u32).
      e.uint32(A.CipherSuiteGroup, RSNCipher.CCMP128);
      e.uint32(A.CipherSuitesPairwise, RSNCipher.CCMP128);
      e.uint32(A.AKMSuites, RSNAKM.PSK);
      e.flag(A.Want1xFourWayHs).bytes(A.PMK, pmk).uint32(
        A.AuthType,
        Nl80211AuthType.OpenSystem,
      );
    });
  }

  /**
   * Disconnects the interface (`NL80211_CMD_DISCONNECT`).
   *
   * @param ifi The interface.
   * @returns When the kernel accepted the request.
   * @throws {NetlinkError} When the kernel refuses (ENOTCONN when not connected).
   *
   * @example Using disconnect
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({ interfaces: [{ name: "wlan0", connectedTo: "cafe" }], accessPoints: [{ ssid: "cafe" }] }),
   * });
   * await client.disconnect({ index: 1 });
   * await assert.rejects(client.disconnect({ index: 1 }), { code: "ENOTCONN" });
   * ```
   */
  async disconnect(ifi: InterfaceRef): Promise<void> {
    checkInterface(ifi, "disconnect");
    await this.#execute(
      C.Disconnect,
      REQUEST_ACK,
      (e) => e.uint32(A.Ifindex, ifi.index),
    );
  }

  /**
   * Returns the global regulatory domain (`NL80211_CMD_GET_REG`).
   *
   * @returns The domain with its rules.
   * @throws {NetlinkError} ENOENT when the kernel sent nothing.
   *
   * @example Using regulatoryDomain
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({}) });
   * assert.equal((await client.regulatoryDomain()).region, "00");
   * ```
   */
  async regulatoryDomain(): Promise<RegulatoryDomain> {
    const [reply] = await this.#execute(C.GetReg, HeaderFlags.Request);
    if (!reply) {
      throw notFound("regulatoryDomain", "get the regulatory domain: no reply");
    }
    return decodeRegulatoryDomain(reply.data);
  }

  /**
   * Asks the kernel to use a country's regulatory rules
   * (`NL80211_CMD_REQ_SET_REG`); the change is announced as a
   * `regulatoryChange` event.
   *
   * @param region ISO 3166-1 alpha2, such as `"DE"`, or `"00"` for the world domain.
   * @param hint How the region was determined (default `RegulatoryHint.User`).
   * @returns When the kernel accepted the request.
   * @throws {TypeError} When `region` is not two characters.
   * @throws {NetlinkError} When the kernel refuses (EPERM without CAP_NET_ADMIN).
   *
   * @example Using setRegulatoryRegion
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({}) });
   * await client.setRegulatoryRegion("FR");
   * assert.equal((await client.regulatoryDomain()).region, "FR");
   * ```
   */
  async setRegulatoryRegion(
    region: string,
    hint: RegulatoryHint = RegulatoryHint.User,
  ): Promise<void> {
    if (typeof region !== "string" || !/^[A-Za-z0-9]{2}$/.test(region)) {
      throw new TypeError(
        `Cannot set the regulatory region: "${region}" is not two letters`,
      );
    }
    await this.#execute(
      C.ReqSetReg,
      REQUEST_ACK,
      (e) => e.string(A.RegAlpha2, region).uint32(A.UserRegHintType, hint),
    );
  }

  /**
   * Asks the kernel to reload its regulatory database (`NL80211_CMD_RELOAD_REGDB`).
   *
   * @returns When the kernel accepted the request.
   * @throws {NetlinkError} When the kernel refuses.
   *
   * @example Using reloadRegulatoryDatabase
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   *
   * await using client = await Client.open({ conn: nl80211.dial({}) });
   * await client.reloadRegulatoryDatabase();
   * ```
   */
  async reloadRegulatoryDatabase(): Promise<void> {
    await this.#execute(C.ReloadRegdb, REQUEST_ACK);
  }

  /**
   * Streams decoded nl80211 notifications from the "config", "scan",
   * "regulatory" and "mlme" groups. The groups are joined and listening
   * starts when `events()` is called, so events caused right after are not
   * missed. `return()` (or `break` in `for await`) leaves the groups.
   *
   * @param options An abort signal; aborting ends the iterator.
   * @returns The events.
   * @throws {OverrunError} From `next()` when notifications were lost.
   *
   * @example Using events
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
   * const seen: string[] = [];
   * const events = client.events();
   * await client.scan({ index: 1 });
   * for await (const e of events) {
   *   seen.push(e.type);
   *   if (e.type === "newScanResults") break;
   * }
   * assert.deepEqual(seen, ["triggerScan", "newScanResults"]);
   * ```
   */
  events(options: EventsOptions = {}): AsyncIterableIterator<WifiEvent> {
    const ids: number[] = [];
    for (
      const name of [
        Nl80211MulticastGroup.Config,
        Nl80211MulticastGroup.Scan,
        Nl80211MulticastGroup.Regulatory,
        Nl80211MulticastGroup.MLME,
      ]
    ) {
      if (this.#groups.has(name)) ids.push(this.#join(name, "watch events"));
    }
    return eventStream(this.#conn.conn, this.#family.id, options.signal, () => {
      for (const id of ids) this.#leave(id);
    });
  }

  /**
   * Closes the connection; waiting calls end. Idempotent.
   *
   * @returns When closed.
   *
   * @example Using close
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   *
   * const client = await Client.open({ conn: nl80211.dial({}) });
   * await client.close();
   * await client.close();
   * ```
   */
  close(): Promise<void> {
    return this.#conn.close();
  }

  /**
   * Closes the connection (see {@linkcode Client.close}).
   *
   * @example Close with a using declaration
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({});
   * let outer: Client;
   * {
   *   using client = await Client.open({ conn: sim.dial() });
   *   outer = client;
   * }
   * await assert.rejects(outer.interfaces(), /closed/);
   * ```
   */
  [Symbol.dispose](): void {
    this.#conn[Symbol.dispose]();
  }

  /**
   * Closes the connection (see {@linkcode Client.close}).
   *
   * @example Close with an await using declaration
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * let outer: Client;
   * {
   *   await using client = await Client.open({ conn: nl80211.dial({}) });
   *   outer = client;
   * }
   * await assert.rejects(outer.interfaces(), /closed/);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
