/**
 * HE (802.11ax) capabilities and operation: the HE Capabilities (extension
 * 35) and HE Operation (extension 36) elements, and a PHY band's HE data
 * (`NL80211_BAND_IFTYPE_ATTR_HE_CAP_*`).
 *
 * @module
 */

import { le16, mcsMapMax } from "./_bytes.ts";

/**
 * HE capabilities (IEEE 802.11ax §9.4.2.248), from an element or a PHY band.
 *
 * @example An HE access point
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([255, 22, 35, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfa, 0xff, 0xfa, 0xff]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.heCapabilities?.he40And80MHzIn5GHz, true);
 * assert.deepEqual(ap?.ies.heCapabilities?.rxMaxMCS, [11, 11]);
 * ```
 */
export interface HECapabilities {
  /** The 6-byte HE MAC Capabilities Information field. */
  macCapabilities: Uint8Array;
  /** The 11-byte HE PHY Capabilities Information field. */
  phyCapabilities: Uint8Array;
  /** PHY bits 1-7: the Supported Channel Width Set bitmap (shifted down by one). */
  channelWidthSet: number;
  /** Width set bit 0: 40 MHz in 2.4 GHz. */
  he40MHzIn2GHz: boolean;
  /** Width set bit 1: 40 and 80 MHz in 5/6 GHz. */
  he40And80MHzIn5GHz: boolean;
  /** Width set bit 2: 160 MHz in 5/6 GHz. */
  he160MHz: boolean;
  /** Width set bit 3: 160 and 80+80 MHz in 5/6 GHz. */
  he80Plus80MHz: boolean;
  /** PHY B13: LDPC coding in payload. */
  ldpcInPayload: boolean;
  /** PHY B31: SU beamformer. */
  suBeamformer: boolean;
  /** PHY B32: SU beamformee. */
  suBeamformee: boolean;
  /** PHY B33: MU beamformer. */
  muBeamformer: boolean;
  /** Receive HE-MCS map for up to 80 MHz (2 bits per stream: 0 MCS 0-7, 1 0-9, 2 0-11, 3 unsupported). */
  rxMCSMap80: number;
  /** Transmit HE-MCS map for up to 80 MHz. */
  txMCSMap80: number;
  /** Receive HE-MCS map for 160 MHz, when supported. */
  rxMCSMap160?: number;
  /** Transmit HE-MCS map for 160 MHz, when supported. */
  txMCSMap160?: number;
  /** Receive HE-MCS map for 80+80 MHz, when supported. */
  rxMCSMap80Plus80?: number;
  /** Transmit HE-MCS map for 80+80 MHz, when supported. */
  txMCSMap80Plus80?: number;
  /** The largest receive MCS per spatial stream count for up to 80 MHz. */
  rxMaxMCS: number[];
  /** The PPE Thresholds field (empty when absent). */
  ppeThresholds: Uint8Array;
}

/**
 * Builds {@linkcode HECapabilities} from the MAC, PHY, MCS-NSS and PPE
 * fields, as a PHY band reports them (`HE_CAP_MAC`, `HE_CAP_PHY`,
 * `HE_CAP_MCS_SET`, `HE_CAP_PPE`).
 *
 * @param mac The 6-byte MAC capabilities.
 * @param phy The 11-byte PHY capabilities.
 * @param mcs The MCS-NSS set (4, 8 or 12 bytes).
 * @param ppe The PPE thresholds, or undefined.
 * @returns The decoded capabilities.
 * @throws {RangeError} If a field is too short for what the PHY capabilities announce.
 *
 * @example Using decodeHECapabilityFields
 * ```ts
 * import { decodeHECapabilityFields } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const phy = new Uint8Array(11);
 * phy[0] = 0x0c; // 40/80 and 160 MHz in 5 GHz
 * const he = decodeHECapabilityFields(new Uint8Array(6), phy, new Uint8Array([0xfa, 0xff, 0xfa, 0xff, 0xfa, 0xff, 0xfa, 0xff]));
 * assert.equal(he.he160MHz, true);
 * assert.equal(he.rxMCSMap160, 0xfffa);
 * assert.deepEqual(he.rxMaxMCS, [11, 11]);
 * ```
 */
export function decodeHECapabilityFields(
  mac: Uint8Array,
  phy: Uint8Array,
  mcs: Uint8Array,
  ppe?: Uint8Array,
): HECapabilities {
  if (mac.length < 6) {
    throw new RangeError(
      `Cannot decode HE capabilities: MAC field is ${mac.length} bytes, want 6`,
    );
  }
  if (phy.length < 11) {
    throw new RangeError(
      `Cannot decode HE capabilities: PHY field is ${phy.length} bytes, want 11`,
    );
  }
  const set = (phy[0]! >> 1) & 0x7f;
  const he160 = (set & 0x4) !== 0;
  const he8080 = (set & 0x8) !== 0;
  const want = 4 + (he160 ? 4 : 0) + (he8080 ? 4 : 0);
  if (mcs.length < want) {
    throw new RangeError(
      `Cannot decode HE capabilities: MCS-NSS set is ${mcs.length} bytes, want ${want}`,
    );
  }
  const rx80 = le16(mcs, 0);
  const out: HECapabilities = {
    macCapabilities: mac.slice(0, 6),
    phyCapabilities: phy.slice(0, 11),
    channelWidthSet: set,
    he40MHzIn2GHz: (set & 0x1) !== 0,
    he40And80MHzIn5GHz: (set & 0x2) !== 0,
    he160MHz: he160,
    he80Plus80MHz: he8080,
    ldpcInPayload: (phy[1]! & 0x20) !== 0,
    suBeamformer: (phy[3]! & 0x80) !== 0,
    suBeamformee: (phy[4]! & 0x01) !== 0,
    muBeamformer: (phy[4]! & 0x02) !== 0,
    rxMCSMap80: rx80,
    txMCSMap80: le16(mcs, 2),
    rxMaxMCS: mcsMapMax(rx80, [7, 9, 11]),
    ppeThresholds: ppe ? ppe.slice() : new Uint8Array(0),
  };
  let o = 4;
  if (he160) {
    out.rxMCSMap160 = le16(mcs, o);
    out.txMCSMap160 = le16(mcs, o + 2);
    o += 4;
  }
  if (he8080) {
    out.rxMCSMap80Plus80 = le16(mcs, o);
    out.txMCSMap80Plus80 = le16(mcs, o + 2);
  }
  return out;
}

/**
 * Decodes the body of an HE Capabilities element (element 255, extension
 * 35), after the extension ID byte.
 *
 * @param b The element body after the extension ID.
 * @returns The decoded capabilities.
 * @throws {RangeError} If the body is too short for the fields it announces.
 *
 * @example Using decodeHECapabilities
 * ```ts
 * import { decodeHECapabilities } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const body = new Uint8Array(21);
 * body[6] = 0x02; // 40 MHz in 2.4 GHz
 * body.set([0xfd, 0xff, 0xfd, 0xff], 17); // MCS 0-9, one stream
 * const he = decodeHECapabilities(body);
 * assert.equal(he.he40MHzIn2GHz, true);
 * assert.deepEqual(he.rxMaxMCS, [9]);
 * ```
 */
export function decodeHECapabilities(b: Uint8Array): HECapabilities {
  if (b.length < 21) {
    throw new RangeError(
      `Cannot decode HE Capabilities element: ${b.length} bytes is too short, want at least 21`,
    );
  }
  const phy = b.subarray(6, 17);
  const set = (phy[0]! >> 1) & 0x7f;
  const mcsLen = 4 + (set & 0x4 ? 4 : 0) + (set & 0x8 ? 4 : 0);
  const ppePresent = (phy[6]! & 0x80) !== 0;
  return decodeHECapabilityFields(
    b.subarray(0, 6),
    phy,
    b.subarray(17, 17 + mcsLen),
    ppePresent ? b.subarray(17 + mcsLen) : undefined,
  );
}

/**
 * A decoded HE Operation element (element 255, extension 36).
 *
 * @example BSS color 12
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([255, 7, 36, 0x04, 0, 0, 12, 0xfc, 0xff]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.heOperation?.bssColor, 12);
 * ```
 */
export interface HEOperation {
  /** The 24-bit HE Operation Parameters field. */
  parameters: number;
  /** Default PE duration (bits 0-2). */
  defaultPEDuration: number;
  /** TWT required (bit 3). */
  twtRequired: boolean;
  /** TXOP duration RTS threshold (bits 4-13). */
  txopDurationRTSThreshold: number;
  /** ER SU disabled (bit 16). */
  erSUDisable: boolean;
  /** BSS color (0-63). */
  bssColor: number;
  /** Partial BSS color. */
  partialBSSColor: boolean;
  /** BSS color disabled. */
  bssColorDisabled: boolean;
  /** The Basic HE-MCS and NSS Set. */
  basicMCSMap: number;
  /** The VHT Operation Information, when present (bit 14). */
  vhtOperation?: {
    channelWidth: number;
    centerSegment0: number;
    centerSegment1: number;
  };
  /** The Max Co-Hosted BSSID Indicator, when present (bit 15). */
  maxCoHostedBSSIDIndicator?: number;
  /** The 6 GHz Operation Information, when present (bit 17). */
  sixGHz?: {
    /** Primary channel number. */
    primaryChannel: number;
    /** Channel width (0 20, 1 40, 2 80, 3 160 or 80+80 MHz). */
    channelWidth: number;
    /** Duplicate beacon. */
    duplicateBeacon: boolean;
    /** Regulatory info (bits 3-5 of the control field). */
    regulatoryInfo: number;
    /** Channel center frequency segment 0. */
    centerSegment0: number;
    /** Channel center frequency segment 1. */
    centerSegment1: number;
    /** Minimum rate in Mb/s. */
    minimumRate: number;
  };
}

/**
 * Decodes the body of an HE Operation element (element 255, extension 36),
 * after the extension ID byte.
 *
 * @param b The element body after the extension ID.
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than the fields it announces.
 *
 * @example Using decodeHEOperation
 * ```ts
 * import { decodeHEOperation } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const op = decodeHEOperation(new Uint8Array([0x04, 0x00, 0x00, 0x05, 0xfc, 0xff]));
 * assert.equal(op.defaultPEDuration, 4);
 * assert.equal(op.bssColor, 5);
 * ```
 */
export function decodeHEOperation(b: Uint8Array): HEOperation {
  if (b.length < 6) {
    throw new RangeError(
      `Cannot decode HE Operation element: ${b.length} bytes is too short, want at least 6`,
    );
  }
  const p = b[0]! | (b[1]! << 8) | (b[2]! << 16);
  const color = b[3]!;
  const out: HEOperation = {
    parameters: p,
    defaultPEDuration: p & 7,
    twtRequired: (p & 0x8) !== 0,
    txopDurationRTSThreshold: (p >> 4) & 0x3ff,
    erSUDisable: (p & 0x10000) !== 0,
    bssColor: color & 0x3f,
    partialBSSColor: (color & 0x40) !== 0,
    bssColorDisabled: (color & 0x80) !== 0,
    basicMCSMap: le16(b, 4),
  };
  let o = 6;
  const need = (n: number, what: string) => {
    if (o + n > b.length) {
      throw new RangeError(
        `Cannot decode HE Operation element: ${what} is truncated at offset ${o}`,
      );
    }
  };
  if (p & 0x4000) {
    need(3, "VHT Operation Information");
    out.vhtOperation = {
      channelWidth: b[o]!,
      centerSegment0: b[o + 1]!,
      centerSegment1: b[o + 2]!,
    };
    o += 3;
  }
  if (p & 0x8000) {
    need(1, "Max Co-Hosted BSSID Indicator");
    out.maxCoHostedBSSIDIndicator = b[o]!;
    o += 1;
  }
  if (p & 0x20000) {
    need(5, "6 GHz Operation Information");
    const control = b[o + 1]!;
    out.sixGHz = {
      primaryChannel: b[o]!,
      channelWidth: control & 3,
      duplicateBeacon: (control & 0x4) !== 0,
      regulatoryInfo: (control >> 3) & 7,
      centerSegment0: b[o + 2]!,
      centerSegment1: b[o + 3]!,
      minimumRate: b[o + 4]!,
    };
  }
  return out;
}
