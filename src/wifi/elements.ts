/**
 * Decoders for the simple 802.11 elements: supported rates, DS parameter
 * set, TIM, country, BSS load, and vendor-specific elements (WMM).
 *
 * @module
 */

import { le16 } from "./_bytes.ts";

/**
 * One entry of the Supported Rates (1) or Extended Supported Rates (50) element.
 *
 * @example The basic rates of a 2.4 GHz access point
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "b" }] }) });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.deepEqual(ap?.ies.supportedRates.filter((r) => r.basic).map((r) => r.rate), [1, 2, 5.5, 11]);
 * ```
 */
export interface SupportedRate {
  /** The rate in Mb/s (units of 500 kb/s in the element). */
  rate: number;
  /** True when the rate is in the BSS basic rate set (bit 7). */
  basic: boolean;
}

/**
 * BSS membership selector values that appear in the rates elements (bit 7 set).
 *
 * @example The HT PHY selector among the rates
 * ```ts
 * import { decodeSupportedRates, MembershipSelector } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeSupportedRates(new Uint8Array([0x8c, 0xff])).selectors, [MembershipSelector.HTPHY]);
 * ```
 */
export const MembershipSelector = {
  /** 127: HT PHY. */
  HTPHY: 127,
  /** 126: VHT PHY. */
  VHTPHY: 126,
  /** 124: GLK. */
  GLK: 124,
  /** 123: SAE hash-to-element only. */
  SAEH2EOnly: 123,
  /** 122: HE PHY. */
  HEPHY: 122,
  /** 121: EHT PHY. */
  EHTPHY: 121,
} as const;

const SELECTORS = new Set<number>(Object.values(MembershipSelector));

/**
 * Decodes a Supported Rates or Extended Supported Rates element body. BSS
 * membership selectors are returned apart from the rates.
 *
 * @param b The element body.
 * @returns The rates and the membership selectors.
 *
 * @example Using decodeSupportedRates
 * ```ts
 * import { decodeSupportedRates } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const { rates, selectors } = decodeSupportedRates(new Uint8Array([0x82, 0x0c, 0xff]));
 * assert.deepEqual(rates, [{ rate: 1, basic: true }, { rate: 6, basic: false }]);
 * assert.deepEqual(selectors, [127]);
 * ```
 */
export function decodeSupportedRates(
  b: Uint8Array,
): { rates: SupportedRate[]; selectors: number[] } {
  const rates: SupportedRate[] = [];
  const selectors: number[] = [];
  for (const x of b) {
    const v = x & 0x7f;
    if ((x & 0x80) !== 0 && SELECTORS.has(v)) selectors.push(v);
    else rates.push({ rate: v / 2, basic: (x & 0x80) !== 0 });
  }
  return { rates, selectors };
}

/**
 * A decoded TIM element (element ID 5).
 *
 * @example A DTIM period of 3
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([5, 4, 0, 3, 0, 0]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.tim?.dtimPeriod, 3);
 * ```
 */
export interface TIM {
  /** DTIM count: beacons until the next DTIM. */
  dtimCount: number;
  /** DTIM period in beacon intervals. */
  dtimPeriod: number;
  /** Bitmap control field. */
  bitmapControl: number;
  /** The partial virtual bitmap. */
  partialVirtualBitmap: Uint8Array;
}

/**
 * Decodes a TIM element body (element ID 5).
 *
 * @param b The element body.
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than 3 bytes.
 *
 * @example Using decodeTIM
 * ```ts
 * import { decodeTIM } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeTIM(new Uint8Array([1, 2, 0, 0])).dtimPeriod, 2);
 * ```
 */
export function decodeTIM(b: Uint8Array): TIM {
  if (b.length < 3) {
    throw new RangeError(
      `Cannot decode TIM element: ${b.length} bytes is too short, want at least 3`,
    );
  }
  return {
    dtimCount: b[0]!,
    dtimPeriod: b[1]!,
    bitmapControl: b[2]!,
    partialVirtualBitmap: b.slice(3),
  };
}

/**
 * One subband triplet of a Country element.
 *
 * @example Channels 1-11 at 30 dBm
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([7, 6, 0x55, 0x53, 0x20, 1, 11, 30]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.deepEqual(ap?.ies.country?.channels, [{ firstChannel: 1, count: 11, maxPowerDbm: 30 }]);
 * ```
 */
export interface CountryChannels {
  /** The first channel number. */
  firstChannel: number;
  /** The number of channels. */
  count: number;
  /** The maximum transmit power in dBm. */
  maxPowerDbm: number;
}

/**
 * A decoded Country element (element ID 7).
 *
 * @example A country element seen in a scan
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([7, 6, 0x55, 0x53, 0x20, 1, 11, 30]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.country?.code, "US");
 * ```
 */
export interface Country {
  /** The ISO 3166-1 alpha-2 code, such as `"US"` (`"XX"` for a non-country entity). */
  code: string;
  /** The environment byte as a character: `" "` any, `"O"` outdoor, `"I"` indoor, `"X"` non-country. */
  environment: string;
  /** Subband triplets (first channel, count, maximum power). */
  channels: CountryChannels[];
  /** Operating extension triplets (first byte >= 201): extension ID, operating class, coverage class. */
  extensions: {
    extensionId: number;
    operatingClass: number;
    coverageClass: number;
  }[];
}

/**
 * Decodes a Country element body (element ID 7). A trailing pad byte is ignored.
 *
 * @param b The element body.
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than 3 bytes.
 *
 * @example Using decodeCountry
 * ```ts
 * import { decodeCountry } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const c = decodeCountry(new Uint8Array([0x44, 0x45, 0x20, 1, 13, 20, 0]));
 * assert.equal(c.code, "DE");
 * assert.deepEqual(c.channels, [{ firstChannel: 1, count: 13, maxPowerDbm: 20 }]);
 * ```
 */
export function decodeCountry(b: Uint8Array): Country {
  if (b.length < 3) {
    throw new RangeError(
      `Cannot decode Country element: ${b.length} bytes is too short, want at least 3`,
    );
  }
  const code = String.fromCharCode(b[0]!, b[1]!);
  const environment = String.fromCharCode(b[2]!);
  const channels: CountryChannels[] = [];
  const extensions: Country["extensions"] = [];
  for (let o = 3; o + 3 <= b.length; o += 3) {
    const first = b[o]!;
    if (first >= 201) {
      extensions.push({
        extensionId: first,
        operatingClass: b[o + 1]!,
        coverageClass: b[o + 2]!,
      });
    } else {channels.push({
        firstChannel: first,
        count: b[o + 1]!,
        maxPowerDbm: (b[o + 2]! << 24) >> 24,
      });}
  }
  return { code, environment, channels, extensions };
}

/**
 * A decoded BSS Load element (element ID 11).
 *
 * @example The load an access point advertises
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0" }],
 *     accessPoints: [{ ssid: "busy", load: { stationCount: 12, channelUtilization: 200, availableAdmissionCapacity: 0 } }],
 *   }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.load?.stationCount, 12);
 * ```
 */
export interface BSSLoad {
  /** 2 for the standard 5-byte element, 1 for the 4-byte Cisco QBSS variant. */
  version: number;
  /** The number of associated stations. */
  stationCount: number;
  /** Channel utilization, 0-255 (255 is 100%). */
  channelUtilization: number;
  /** Available admission capacity in units of 32 µs/s (version 1: one byte). */
  availableAdmissionCapacity: number;
}

/**
 * Decodes a BSS Load element body (element ID 11): 5 bytes (version 2) or
 * the 4-byte Cisco QBSS version 1.
 *
 * @param b The element body.
 * @returns The decoded element.
 * @throws {RangeError} If the body is neither 4 nor 5 bytes.
 *
 * @example Using decodeBSSLoad
 * ```ts
 * import { decodeBSSLoad, formatBSSLoad } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const load = decodeBSSLoad(new Uint8Array([0x03, 0x00, 0x08, 0x8d, 0x5b]));
 * assert.deepEqual(load, { version: 2, stationCount: 3, channelUtilization: 8, availableAdmissionCapacity: 23437 });
 * assert.match(formatBSSLoad(load), /stationCount: 3/);
 * ```
 */
export function decodeBSSLoad(b: Uint8Array): BSSLoad {
  if (b.length === 5) {
    return {
      version: 2,
      stationCount: le16(b, 0),
      channelUtilization: b[2]!,
      availableAdmissionCapacity: le16(b, 3),
    };
  }
  if (b.length === 4) {
    return {
      version: 1,
      stationCount: le16(b, 0),
      channelUtilization: b[2]!,
      availableAdmissionCapacity: b[3]!,
    };
  }
  throw new RangeError(
    `Cannot decode BSS Load element: ${b.length} bytes, want 4 or 5`,
  );
}

/**
 * Formats a BSS Load element like the Go reference's `BSSLoad.String()`.
 *
 * @param l The decoded element.
 * @returns One line ending in a newline.
 *
 * @example Using formatBSSLoad
 * ```ts
 * import { formatBSSLoad } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatBSSLoad({ version: 1, stationCount: 9, channelUtilization: 8, availableAdmissionCapacity: 141 }),
 *   "BSSLoad Version: 1    stationCount: 9    channelUtilization: 8/255     availableAdmissionCapacity: 141\n",
 * );
 * ```
 */
export function formatBSSLoad(l: BSSLoad): string {
  if (l.version !== 1 && l.version !== 2) {
    return `invalid BSSLoad Version: ${l.version}`;
  }
  return `BSSLoad Version: ${l.version}    stationCount: ${l.stationCount}    channelUtilization: ${l.channelUtilization}/255     availableAdmissionCapacity: ${l.availableAdmissionCapacity}${
    l.version === 2 ? " [*32us/s]" : ""
  }\n`;
}

/**
 * A vendor-specific element (element ID 221).
 *
 * @example Every vendor element is kept
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([0xdd, 4, 0x00, 0x10, 0x18, 0x02]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.deepEqual(ap?.ies.vendor.map((v) => [v.oui, v.type]), [[0x001018, 2]]);
 * ```
 */
export interface VendorElement {
  /** The organization identifier, as a 24-bit number (`0x0050f2` Microsoft/WFA). */
  oui: number;
  /** The vendor-specific type byte after the OUI, when present. */
  type?: number;
  /** The bytes after the OUI (including the type byte). */
  data: Uint8Array;
}

/**
 * Well-known vendor OUIs.
 *
 * @example Find the Microsoft (WPA/WMM) elements
 * ```ts
 * import { Client, VendorOUI } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([0xdd, 4, 0x00, 0x50, 0xf2, 0x04]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.vendor.filter((v) => v.oui === VendorOUI.Microsoft).length, 1);
 * ```
 */
export const VendorOUI = {
  /** `00:50:f2`: Microsoft (WPA, WMM, WPS). */
  Microsoft: 0x0050f2,
  /** `50:6f:9a`: Wi-Fi Alliance (P2P, OWE transition, ...). */
  WiFiAlliance: 0x506f9a,
  /** `00:10:18`: Broadcom. */
  Broadcom: 0x001018,
} as const;

/**
 * One access category of a WMM parameter element.
 *
 * @example The voice queue's TXOP limit
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([0xdd, 24, 0x00, 0x50, 0xf2, 0x02, 0x01, 0x01, 0x00, 0x00, 0x03, 0xa4, 0, 0, 0x27, 0xa4, 0, 0, 0x42, 0x43, 0x5e, 0, 0x62, 0x32, 0x2f, 0]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.wmm?.accessCategories.find((ac) => ac.aci === 3)?.txopLimit, 47);
 * ```
 */
export interface WMMAccessCategory {
  /** ACI: 0 best effort, 1 background, 2 video, 3 voice. */
  aci: number;
  /** Admission control mandatory. */
  acm: boolean;
  /** AIFSN. */
  aifsn: number;
  /** ECWmin (contention window minimum is 2^ecwMin - 1). */
  ecwMin: number;
  /** ECWmax. */
  ecwMax: number;
  /** TXOP limit in units of 32 µs. */
  txopLimit: number;
}

/**
 * A decoded WMM information (subtype 0) or parameter (subtype 1) element.
 *
 * @example A WMM parameter element
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([0xdd, 24, 0x00, 0x50, 0xf2, 0x02, 0x01, 0x01, 0x00, 0x00, 0x03, 0xa4, 0, 0, 0x27, 0xa4, 0, 0, 0x42, 0x43, 0x5e, 0, 0x62, 0x32, 0x2f, 0]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.wmm?.subtype, 1);
 * assert.equal(ap?.ies.wmm?.accessCategories.length, 4);
 * ```
 */
export interface WMMInfo {
  /** 0 information element, 1 parameter element. */
  subtype: number;
  /** The WMM version (1). */
  version: number;
  /** The QoS Info field. */
  qosInfo: number;
  /** QoS Info bit 7 (AP): U-APSD supported. */
  uapsd: boolean;
  /** QoS Info bits 0-3 (AP): parameter set count. */
  parameterSetCount: number;
  /** The access category parameters (parameter element only). */
  accessCategories: WMMAccessCategory[];
}

/**
 * Decodes a WMM element body after the OUI and type (`00:50:f2 02`).
 *
 * @param b The bytes after the 4-byte OUI and type: subtype, version, QoS info, ...
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than 3 bytes, or a parameter element is shorter than 20.
 *
 * @example Using decodeWMM
 * ```ts
 * import { decodeWMM } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const wmm = decodeWMM(new Uint8Array([
 *   0x01, 0x01, 0x00, 0x00, 0x03, 0xa4, 0x00, 0x00, 0x27, 0xa4, 0x00, 0x00,
 *   0x42, 0x43, 0x5e, 0x00, 0x62, 0x32, 0x2f, 0x00,
 * ]));
 * assert.equal(wmm.accessCategories[2]?.txopLimit, 94);
 * ```
 */
export function decodeWMM(b: Uint8Array): WMMInfo {
  if (b.length < 3) {
    throw new RangeError(
      `Cannot decode WMM element: ${b.length} bytes is too short, want at least 3`,
    );
  }
  const subtype = b[0]!;
  const qosInfo = b[2]!;
  const accessCategories: WMMAccessCategory[] = [];
  if (subtype === 1) {
    if (b.length < 20) {
      throw new RangeError(
        `Cannot decode WMM parameter element: ${b.length} bytes is too short, want 20`,
      );
    }
    for (let o = 4; o + 4 <= 20; o += 4) {
      const a = b[o]!;
      const ecw = b[o + 1]!;
      accessCategories.push({
        aci: (a >> 5) & 3,
        acm: (a & 0x10) !== 0,
        aifsn: a & 0xf,
        ecwMin: ecw & 0xf,
        ecwMax: ecw >> 4,
        txopLimit: le16(b, o + 2),
      });
    }
  }
  return {
    subtype,
    version: b[1]!,
    qosInfo,
    uapsd: (qosInfo & 0x80) !== 0,
    parameterSetCount: qosInfo & 0xf,
    accessCategories,
  };
}
