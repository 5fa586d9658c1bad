/**
 * VHT (802.11ac) capabilities and operation: the VHT Capabilities element
 * (191), the VHT Operation element (192), and `NL80211_BAND_ATTR_VHT_CAPA`.
 *
 * @module
 */

import { le16, le32, mcsMapMax } from "./_bytes.ts";

/**
 * VHT capabilities (IEEE 802.11 §9.4.2.157). Unlike the Go reference this
 * computes the maximum A-MPDU length as 2^(13+e) - 1 (upstream XORs),
 * reports beamformee STS and sounding dimensions as counts (field + 1), and
 * reads link adaptation from bits 26-27.
 *
 * @example A PHY band's VHT capabilities
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * const vht = phy!.bands[1]!.vhtCapabilities!;
 * assert.equal(vht.maxMPDULength, 7991);
 * assert.deepEqual(vht.rxMaxMCS, [9, 9]);
 * ```
 */
export interface VHTCapabilities {
  /** The VHT Capabilities Information field. */
  capabilityInfo: number;
  /** Bits 0-1: maximum MPDU length in octets (3895, 7991 or 11454; 0 when reserved). */
  maxMPDULength: number;
  /** Bits 2-3: supported channel width set (0: up to 80 MHz, 1: 160, 2: 160 and 80+80). */
  supportedChannelWidthSet: number;
  /** 160 MHz supported (width set 1 or 2). */
  vht160: boolean;
  /** 80+80 MHz supported (width set 2). */
  vht80Plus80: boolean;
  /** Bit 4: LDPC receive. */
  rxLDPC: boolean;
  /** Bit 5: short GI for 80 MHz. */
  shortGI80: boolean;
  /** Bit 6: short GI for 160 and 80+80 MHz. */
  shortGI160: boolean;
  /** Bit 7: transmit STBC. */
  txSTBC: boolean;
  /** Bits 8-10: receive STBC spatial streams (0-4). */
  rxSTBC: number;
  /** Bit 11: SU beamformer. */
  suBeamformer: boolean;
  /** Bit 12: SU beamformee. */
  suBeamformee: boolean;
  /** Bits 13-15 + 1: the most space-time streams receivable in a VHT NDP as beamformee. */
  beamformeeSTS: number;
  /** Bits 16-18 + 1: the number of sounding dimensions as beamformer. */
  soundingDimensions: number;
  /** Bit 19: MU beamformer. */
  muBeamformer: boolean;
  /** Bit 20: MU beamformee. */
  muBeamformee: boolean;
  /** Bit 21: VHT TXOP power save. */
  vhtTXOPPS: boolean;
  /** Bit 22: +HTC-VHT capable. */
  htcVHT: boolean;
  /** Bits 23-25: maximum A-MPDU length in octets, 2^(13+e) - 1. */
  maxAMPDULength: number;
  /** Bits 26-27: VHT link adaptation (0 none, 2 unsolicited, 3 both). */
  linkAdaptation: number;
  /** Bit 28: receive antenna pattern consistency. */
  rxAntennaPattern: boolean;
  /** Bit 29: transmit antenna pattern consistency. */
  txAntennaPattern: boolean;
  /** Bits 30-31: extended NSS bandwidth support. */
  extendedNSSBW: number;
  /** The 8-byte Supported VHT-MCS and NSS Set (empty when unknown). */
  supportedMCS: Uint8Array;
  /** Receive MCS map: 2 bits per stream count 1-8 (0: MCS 0-7, 1: 0-8, 2: 0-9, 3: unsupported). */
  rxMCSMap: number;
  /** Transmit MCS map, same encoding as `rxMCSMap`. */
  txMCSMap: number;
  /** The largest receive MCS index per spatial stream count (index 0 is one stream); unsupported counts omitted. */
  rxMaxMCS: number[];
}

const MPDU = [3895, 7991, 11454, 0];

/**
 * Builds {@linkcode VHTCapabilities} from the 32-bit capability word and the
 * optional 8-byte MCS set (as in `NL80211_BAND_ATTR_VHT_CAPA` and `VHT_MCS_SET`).
 *
 * @param capabilityInfo The VHT Capabilities Information field.
 * @param mcs The 8-byte Supported VHT-MCS and NSS Set, or undefined.
 * @returns The decoded capabilities.
 *
 * @example The A-MPDU exponent computed correctly
 * ```ts
 * import { decodeVHTCapabilityInfo } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const vht = decodeVHTCapabilityInfo(7 << 23 | 2);
 * assert.equal(vht.maxAMPDULength, 1048575);
 * assert.equal(vht.maxMPDULength, 11454);
 * ```
 */
export function decodeVHTCapabilityInfo(
  capabilityInfo: number,
  mcs?: Uint8Array,
): VHTCapabilities {
  const c = capabilityInfo >>> 0;
  const width = (c >> 2) & 3;
  const supportedMCS = mcs && mcs.length >= 8
    ? mcs.slice(0, 8)
    : new Uint8Array(0);
  const rxMCSMap = supportedMCS.length ? le16(supportedMCS, 0) : 0xffff;
  const txMCSMap = supportedMCS.length ? le16(supportedMCS, 4) : 0xffff;
  return {
    capabilityInfo: c,
    maxMPDULength: MPDU[c & 3]!,
    supportedChannelWidthSet: width,
    vht160: width === 1 || width === 2,
    vht80Plus80: width === 2,
    rxLDPC: (c & 0x10) !== 0,
    shortGI80: (c & 0x20) !== 0,
    shortGI160: (c & 0x40) !== 0,
    txSTBC: (c & 0x80) !== 0,
    rxSTBC: (c >> 8) & 7,
    suBeamformer: (c & (1 << 11)) !== 0,
    suBeamformee: (c & (1 << 12)) !== 0,
    beamformeeSTS: ((c >> 13) & 7) + 1,
    soundingDimensions: ((c >> 16) & 7) + 1,
    muBeamformer: (c & (1 << 19)) !== 0,
    muBeamformee: (c & (1 << 20)) !== 0,
    vhtTXOPPS: (c & (1 << 21)) !== 0,
    htcVHT: (c & (1 << 22)) !== 0,
    maxAMPDULength: 2 ** (13 + ((c >> 23) & 7)) - 1,
    linkAdaptation: (c >> 26) & 3,
    rxAntennaPattern: (c & (1 << 28)) !== 0,
    txAntennaPattern: (c & (1 << 29)) !== 0,
    extendedNSSBW: (c >>> 30) & 3,
    supportedMCS,
    rxMCSMap,
    txMCSMap,
    rxMaxMCS: mcsMapMax(rxMCSMap, [7, 8, 9]),
  };
}

/**
 * Decodes the body of a VHT Capabilities element (element ID 191).
 *
 * @param b The element body (12 bytes).
 * @returns The decoded capabilities.
 * @throws {RangeError} If the body is shorter than 12 bytes.
 *
 * @example Using decodeVHTCapabilities
 * ```ts
 * import { decodeVHTCapabilities } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * // 11454-byte MPDUs, SGI80; MCS 0-9 on 2 streams.
 * const vht = decodeVHTCapabilities(new Uint8Array([
 *   0x22, 0x00, 0x00, 0x00, 0xfa, 0xff, 0x00, 0x00, 0xfa, 0xff, 0x00, 0x00,
 * ]));
 * assert.equal(vht.shortGI80, true);
 * assert.deepEqual(vht.rxMaxMCS, [9, 9]);
 * ```
 */
export function decodeVHTCapabilities(b: Uint8Array): VHTCapabilities {
  if (b.length < 12) {
    throw new RangeError(
      `Cannot decode VHT Capabilities element: ${b.length} bytes is too short, want 12`,
    );
  }
  return decodeVHTCapabilityInfo(le32(b, 0), b.subarray(4, 12));
}

/**
 * A decoded VHT Operation element (element ID 192).
 *
 * @example An 80 MHz access point
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([192, 5, 1, 42, 0, 0xfc, 0xff]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.vhtOperation?.width, "80 MHz");
 * ```
 */
export interface VHTOperation {
  /** Channel width: 0 20/40 MHz, 1 80/160/80+80 MHz, 2 160 MHz (deprecated), 3 80+80 MHz (deprecated). */
  channelWidth: number;
  /** Channel center frequency segment 0 (a channel number). */
  centerSegment0: number;
  /** Channel center frequency segment 1 (a channel number, 0 when unused). */
  centerSegment1: number;
  /** The Basic VHT-MCS and NSS Set (2 bits per stream). */
  basicMCSMap: number;
  /** The operating width the fields describe: `"20 or 40 MHz"`, `"80 MHz"`, `"160 MHz"` or `"80+80 MHz"`. */
  width: string;
}

/**
 * Decodes the body of a VHT Operation element (element ID 192).
 *
 * @param b The element body (5 bytes).
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than 5 bytes.
 *
 * @example An 80 MHz channel centred on channel 42
 * ```ts
 * import { decodeVHTOperation } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const op = decodeVHTOperation(new Uint8Array([0x01, 0x2a, 0x00, 0xfc, 0xff]));
 * assert.equal(op.centerSegment0, 42);
 * assert.equal(op.width, "80 MHz");
 * ```
 */
export function decodeVHTOperation(b: Uint8Array): VHTOperation {
  if (b.length < 5) {
    throw new RangeError(
      `Cannot decode VHT Operation element: ${b.length} bytes is too short, want 5`,
    );
  }
  const channelWidth = b[0]!;
  const centerSegment0 = b[1]!;
  const centerSegment1 = b[2]!;
  let width = "20 or 40 MHz";
  if (channelWidth === 1) {
    const d = Math.abs(centerSegment1 - centerSegment0);
    width = centerSegment1 === 0 ? "80 MHz" : d === 8 ? "160 MHz" : "80+80 MHz";
  } else if (channelWidth === 2) width = "160 MHz";
  else if (channelWidth === 3) width = "80+80 MHz";
  return {
    channelWidth,
    centerSegment0,
    centerSegment1,
    basicMCSMap: le16(b, 3),
    width,
  };
}
