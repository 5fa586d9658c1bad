/**
 * Scan results: a BSS (`NL80211_ATTR_BSS` in `NL80211_CMD_NEW_SCAN_RESULTS`)
 * with its information elements decoded.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import { hexColon, parseHexColon } from "./_bytes.ts";
import { readUint } from "./_attr.ts";
import type { BSSLoad } from "./elements.ts";
import { type InformationElements, parseInformationElements } from "./ie.ts";
import {
  type BSSStatus,
  Nl80211Attribute as A,
  Nl80211BSSAttribute as B,
} from "./nl80211.ts";
import type { RSNInfo } from "./rsn.ts";

/**
 * A BSS (an access point or IBSS) from a scan. `status` is set only for the
 * BSS the interface is authenticated or associated with; unlike the Go
 * reference there is no invented "not associated" value (which collided
 * with the kernel's `NL80211_BSS_STATUS_IBSS_JOINED` = 2).
 *
 * @example The access points a simulated device sees
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0" }],
 *     accessPoints: [{ ssid: "cafe", bssid: "02:00:00:00:01:00", frequency: 2437, signal: -6000 }],
 *   }),
 * });
 * const [ifi] = await client.interfaces();
 * const [ap] = await client.accessPoints(ifi!);
 * assert.equal(ap?.ssid, "cafe");
 * assert.equal(ap?.ies.dsChannel, 6);
 * assert.equal(ap?.status, undefined);
 * ```
 */
export interface BSS {
  /** The SSID as text (from the SSID element; each invalid UTF-8 byte becomes U+FFFD). */
  ssid: string;
  /** The raw SSID bytes. */
  ssidBytes: Uint8Array;
  /** `NL80211_BSS_BSSID`: `"aa:bb:cc:dd:ee:ff"`. */
  bssid: string;
  /** `NL80211_BSS_FREQUENCY`: MHz. */
  frequency: number;
  /** `NL80211_BSS_BEACON_INTERVAL` in milliseconds (time units × 1.024). */
  beaconIntervalMs: number;
  /** `NL80211_BSS_SEEN_MS_AGO`. */
  lastSeenMs: number;
  /** `NL80211_BSS_STATUS`: present only when the interface is authenticated, associated or joined. */
  status?: BSSStatus;
  /** `NL80211_BSS_SIGNAL_MBM`: signal strength in mBm (100 × dBm); 0 when not reported. */
  signal: number;
  /** `NL80211_BSS_SIGNAL_UNSPEC`: signal quality 0-100 when the driver has no dBm value; 0 otherwise. */
  signalUnspecified: number;
  /** `NL80211_BSS_CAPABILITY`: the 802.11 capability information field. */
  capability: number;
  /** `NL80211_BSS_TSF`: the timing synchronization function value in µs. */
  tsf?: bigint;
  /** `NL80211_BSS_CHAN_WIDTH` (`enum nl80211_bss_scan_width`), when reported. */
  scanWidth?: number;
  /** The BSS Load element, when advertised. */
  load?: BSSLoad;
  /** The RSN element, when advertised and well-formed. */
  rsn?: RSNInfo;
  /**
   * The decoded information elements: from `NL80211_BSS_INFORMATION_ELEMENTS`,
   * or from `NL80211_BSS_BEACON_IES` when the former is absent. Malformed
   * elements are listed in `ies.problems`.
   */
  ies: InformationElements;
  /** `NL80211_ATTR_IFINDEX` of the message, the interface that scanned. */
  interfaceIndex?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes one scan result message (`NL80211_CMD_NEW_SCAN_RESULTS`). Returns
 * undefined when the message has no `NL80211_ATTR_BSS`. Never throws
 * because of information elements (problems are reported in `ies.problems`).
 *
 * @param data The generic netlink payload after the 4-byte genl header.
 * @returns The BSS, or undefined.
 * @throws {RangeError} If a netlink attribute is truncated or has the wrong size.
 *
 * @example Using decodeBSS
 * ```ts
 * import { decodeBSS, Nl80211Attribute, Nl80211BSSAttribute } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().nested(Nl80211Attribute.BSS, (e) => {
 *   e.bytes(Nl80211BSSAttribute.BSSID, new Uint8Array([2, 0, 0, 0, 0, 1]));
 *   e.bytes(Nl80211BSSAttribute.InformationElements, new Uint8Array([0, 2, 0x68, 0x69]));
 * }).encode();
 * const bss = decodeBSS(data);
 * assert.equal(bss?.ssid, "hi");
 * assert.equal(bss?.bssid, "02:00:00:00:00:01");
 * ```
 */
export function decodeBSS(data: Uint8Array): BSS | undefined {
  const d = new AttributeDecoder(data);
  let bss: BSS | undefined;
  let interfaceIndex: number | undefined;
  while (d.next()) {
    if (d.type === A.Ifindex) interfaceIndex = d.uint32();
    else if (d.type === A.BSS) bss = decodeBSSAttributes(d.decoder());
  }
  if (bss && interfaceIndex !== undefined) bss.interfaceIndex = interfaceIndex;
  return bss;
}

function decodeBSSAttributes(d: AttributeDecoder): BSS {
  const bss: BSS = {
    ssid: "",
    ssidBytes: EMPTY,
    bssid: "",
    frequency: 0,
    beaconIntervalMs: 0,
    lastSeenMs: 0,
    signal: 0,
    signalUnspecified: 0,
    capability: 0,
    ies: parseInformationElements(EMPTY),
  };
  let ies: Uint8Array | undefined;
  let beaconIEs: Uint8Array | undefined;
  while (d.next()) {
    switch (d.type) {
      case B.BSSID:
        bss.bssid = hexColon(d.view());
        break;
      case B.Frequency:
        bss.frequency = d.uint32();
        break;
      case B.BeaconInterval:
        bss.beaconIntervalMs = d.uint16() * 1.024;
        break;
      case B.SeenMsAgo:
        bss.lastSeenMs = d.uint32();
        break;
      case B.Status:
        bss.status = d.uint32() as BSSStatus;
        break;
      case B.SignalMBM:
        bss.signal = d.int32();
        break;
      case B.SignalUnspec:
        bss.signalUnspecified = readUint(d);
        break;
      case B.Capability:
        bss.capability = d.uint16();
        break;
      case B.TSF:
        bss.tsf = d.uint64();
        break;
      case B.ChanWidth:
        bss.scanWidth = d.uint32();
        break;
      case B.InformationElements:
        ies = d.bytes();
        break;
      case B.BeaconIEs:
        beaconIEs = d.bytes();
        break;
    }
  }
  const raw = ies ?? beaconIEs;
  if (raw) {
    bss.ies = parseInformationElements(raw);
    if (bss.ies.ssid) {
      bss.ssid = bss.ies.ssid.text;
      bss.ssidBytes = bss.ies.ssid.bytes;
    }
    if (bss.ies.bssLoad) bss.load = bss.ies.bssLoad;
    if (bss.ies.rsn) bss.rsn = bss.ies.rsn;
  }
  return bss;
}

const STATUS_NAMES = ["authenticated", "associated", "IBSS joined"];

/**
 * Names a BSS status: `"authenticated"`, `"associated"`, `"IBSS joined"`,
 * `"unassociated"` for undefined (the Go reference's name), `"unknown(N)"` otherwise.
 *
 * @param s The status, or undefined.
 * @returns The name.
 *
 * @example Using formatBSSStatus
 * ```ts
 * import { BSSStatus, formatBSSStatus } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatBSSStatus(BSSStatus.Associated), "associated");
 * assert.equal(formatBSSStatus(undefined), "unassociated");
 * ```
 */
export function formatBSSStatus(s: number | undefined): string {
  if (s === undefined) return "unassociated";
  return STATUS_NAMES[s] ?? `unknown(${s})`;
}

/**
 * What {@linkcode encodeBSS} sends for one BSS: the raw fields of
 * `NL80211_ATTR_BSS` (the information elements as bytes), plus the
 * message's interface.
 *
 * @internal
 */
export interface BSSDescription {
  /** `NL80211_BSS_BSSID`, `"aa:bb:cc:dd:ee:ff"`. */
  bssid: string;
  /** `NL80211_BSS_FREQUENCY`, MHz. */
  frequency: number;
  /** `NL80211_BSS_TSF`, µs. */
  tsf?: bigint;
  /** `NL80211_BSS_BEACON_INTERVAL`, in time units (1.024 ms). */
  beaconInterval: number;
  /** `NL80211_BSS_CAPABILITY`. */
  capability: number;
  /** `NL80211_BSS_INFORMATION_ELEMENTS`. */
  informationElements: Uint8Array;
  /** `NL80211_BSS_SIGNAL_MBM`, mBm. */
  signal: number;
  /** `NL80211_BSS_SEEN_MS_AGO`. */
  lastSeenMs: number;
  /** `NL80211_BSS_STATUS`, when the interface is associated with it. */
  status?: BSSStatus;
  /** `NL80211_ATTR_IFINDEX` of the message. */
  interfaceIndex?: number;
  /** `NL80211_ATTR_WDEV` of the message. */
  device?: number;
  /** `NL80211_ATTR_GENERATION` of the message. */
  generation?: number;
}

/**
 * Encodes a scan result as the kernel sends it
 * (`NL80211_CMD_NEW_SCAN_RESULTS`), what {@linkcode decodeBSS} reads.
 *
 * @internal Used by nltest's simulated nl80211.
 * @param b The BSS.
 * @returns The attributes (the genl payload after the 4-byte header).
 * @throws {TypeError} If `bssid` is not colon-separated hex.
 */
export function encodeBSS(b: BSSDescription): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder();
  if (b.generation !== undefined) e.uint32(A.Generation, b.generation);
  if (b.interfaceIndex !== undefined) e.uint32(A.Ifindex, b.interfaceIndex);
  if (b.device !== undefined) e.uint64(A.Wdev, BigInt(b.device));
  return e.nested(A.BSS, (x) => {
    x.bytes(B.BSSID, parseHexColon(b.bssid))
      .uint32(B.Frequency, b.frequency);
    if (b.tsf !== undefined) x.uint64(B.TSF, b.tsf);
    x.uint16(B.BeaconInterval, b.beaconInterval)
      .uint16(B.Capability, b.capability)
      .bytes(B.InformationElements, b.informationElements)
      .int32(B.SignalMBM, b.signal)
      .uint32(B.SeenMsAgo, b.lastSeenMs);
    if (b.status !== undefined) x.uint32(B.Status, b.status);
  }).encode();
}
