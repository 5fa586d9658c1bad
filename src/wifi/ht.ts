/**
 * HT (802.11n) capabilities and operation: the HT Capabilities element (45),
 * the HT Operation element (61), and the same capability bits that a PHY's
 * band reports in `NL80211_BAND_ATTR_HT_CAPA`.
 *
 * @module
 */

import { le16 } from "./_bytes.ts";

/**
 * HT capabilities (IEEE 802.11 §9.4.2.55), from an element or a PHY band.
 *
 * @example A PHY band's HT capabilities
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * const ht = phy!.bands[0]!.htCapabilities!;
 * assert.equal(ht.sgi20, true);
 * assert.deepEqual(ht.rxMCS.slice(0, 3), [0, 1, 2]);
 * ```
 */
export interface HTCapabilities {
  /** The HT Capability Information field. */
  capabilityInfo: number;
  /** Bit 0: LDPC coding receive. */
  rxLDPC: boolean;
  /** Bit 1: 20/40 MHz channel width supported. */
  cw40: boolean;
  /** Bits 2-3: SM power save mode (0 static, 1 dynamic, 3 disabled). */
  smPowerSave: number;
  /** Bit 4: HT-greenfield. */
  htGreenfield: boolean;
  /** Bit 5: short guard interval for 20 MHz. */
  sgi20: boolean;
  /** Bit 6: short guard interval for 40 MHz. */
  sgi40: boolean;
  /** Bit 7: transmit STBC. */
  txSTBC: boolean;
  /** Bits 8-9: number of receive STBC spatial streams (0-3). */
  rxSTBCStreams: number;
  /** Bit 10: HT-delayed block ack. */
  htDelayedBlockAck: boolean;
  /** Bit 11: maximum A-MSDU length 7935 octets (else 3839). */
  longMaxAMSDULength: boolean;
  /** Bit 12: DSSS/CCK mode in 40 MHz. */
  dsssCCKHT40: boolean;
  /** Bit 14: 40 MHz intolerant. */
  fortyMHzIntolerant: boolean;
  /** Bit 15: L-SIG TXOP protection. */
  lsigTXOPProtection: boolean;
  /** Maximum A-MPDU length the device receives, in octets (2^(13+e) - 1); 0 when unknown. */
  maxRxAMPDULength: number;
  /** Minimum spacing between MPDUs in an A-MPDU, in nanoseconds (0: no restriction). */
  minRxAMPDUSpacing: number;
  /** The 16-byte Supported MCS Set (empty when unknown). */
  supportedMCS: Uint8Array;
  /** The receive MCS indexes (0-76) set in the MCS bitmask. */
  rxMCS: number[];
}

// A-MPDU minimum start spacing codes 1..7 in ns (1/4, 1/2, 1, 2, 4, 8, 16 µs).
const SPACING_NS = [0, 250, 500, 1000, 2000, 4000, 8000, 16000];

/**
 * Builds {@linkcode HTCapabilities} from its parts, as found in the HT
 * Capabilities element or in a PHY band (`NL80211_BAND_ATTR_HT_CAPA`,
 * `HT_AMPDU_FACTOR`, `HT_AMPDU_DENSITY`, `HT_MCS_SET`).
 *
 * @param capabilityInfo The 16-bit HT Capability Information field.
 * @param ampduFactor The maximum A-MPDU length exponent (0-3), or undefined.
 * @param ampduDensity The minimum MPDU start spacing code (0-7), or undefined.
 * @param mcs The 16-byte Supported MCS Set, or undefined.
 * @returns The decoded capabilities.
 *
 * @example Using decodeHTCapabilityInfo
 * ```ts
 * import { decodeHTCapabilityInfo } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const ht = decodeHTCapabilityInfo(0x016e, 3, 6);
 * assert.equal(ht.cw40, true);
 * assert.equal(ht.sgi40, true);
 * assert.equal(ht.maxRxAMPDULength, 65535);
 * assert.equal(ht.minRxAMPDUSpacing, 8000);
 * ```
 */
export function decodeHTCapabilityInfo(
  capabilityInfo: number,
  ampduFactor?: number,
  ampduDensity?: number,
  mcs?: Uint8Array,
): HTCapabilities {
  const c = capabilityInfo;
  const supportedMCS = mcs ? mcs.slice(0, 16) : new Uint8Array(0);
  const rxMCS: number[] = [];
  for (let i = 0; i < 77 && i >> 3 < supportedMCS.length; i++) {
    if ((supportedMCS[i >> 3]! >> (i & 7)) & 1) rxMCS.push(i);
  }
  return {
    capabilityInfo: c,
    rxLDPC: (c & 0x1) !== 0,
    cw40: (c & 0x2) !== 0,
    smPowerSave: (c >> 2) & 3,
    htGreenfield: (c & 0x10) !== 0,
    sgi20: (c & 0x20) !== 0,
    sgi40: (c & 0x40) !== 0,
    txSTBC: (c & 0x80) !== 0,
    rxSTBCStreams: (c >> 8) & 3,
    htDelayedBlockAck: (c & 0x400) !== 0,
    longMaxAMSDULength: (c & 0x800) !== 0,
    dsssCCKHT40: (c & 0x1000) !== 0,
    fortyMHzIntolerant: (c & 0x4000) !== 0,
    lsigTXOPProtection: (c & 0x8000) !== 0,
    maxRxAMPDULength: ampduFactor === undefined
      ? 0
      : 2 ** (13 + (ampduFactor & 3)) - 1,
    minRxAMPDUSpacing: ampduDensity === undefined
      ? 0
      : SPACING_NS[ampduDensity & 7]!,
    supportedMCS,
    rxMCS,
  };
}

/**
 * Decodes the body of an HT Capabilities element (element ID 45): capability
 * information, A-MPDU parameters and the supported MCS set.
 *
 * @param b The element body (26 bytes; the trailing extended, beamforming and ASEL fields are not decoded).
 * @returns The decoded capabilities.
 * @throws {RangeError} If the body is shorter than 19 bytes.
 *
 * @example Using decodeHTCapabilities
 * ```ts
 * import { decodeHTCapabilities } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const body = new Uint8Array(26);
 * body[0] = 0x2d; // LDPC, SM PS disabled, SGI20
 * body[2] = 0x1b; // max A-MPDU 65535, spacing 8 µs
 * body[3] = 0xff; // MCS 0-7
 * const ht = decodeHTCapabilities(body);
 * assert.deepEqual(ht.rxMCS, [0, 1, 2, 3, 4, 5, 6, 7]);
 * assert.equal(ht.sgi20, true);
 * ```
 */
export function decodeHTCapabilities(b: Uint8Array): HTCapabilities {
  if (b.length < 19) {
    throw new RangeError(
      `Cannot decode HT Capabilities element: ${b.length} bytes is too short, want at least 19`,
    );
  }
  const params = b[2]!;
  return decodeHTCapabilityInfo(
    le16(b, 0),
    params & 3,
    (params >> 2) & 7,
    b.subarray(3, 19),
  );
}

/**
 * A decoded HT Operation element (element ID 61).
 *
 * @example An access point on channel 36, secondary above
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([61, 22, 36, 0x05, ...new Array(20).fill(0)]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.htOperation?.secondaryChannelOffset, 1);
 * ```
 */
export interface HTOperation {
  /** The primary channel number. */
  primaryChannel: number;
  /** Secondary channel offset: 0 none, 1 above the primary, 3 below. */
  secondaryChannelOffset: number;
  /** STA channel width: true when any width in the supported set may be used (20 or 40 MHz). */
  anyChannelWidth: boolean;
  /** RIFS permitted. */
  rifs: boolean;
  /** HT protection mode (0 none, 1 non-member, 2 20 MHz, 3 non-HT mixed). */
  protection: number;
  /** Non-greenfield HT STAs present. */
  nonGreenfieldPresent: boolean;
  /** OBSS non-HT STAs present. */
  obssNonHTPresent: boolean;
  /** Channel center frequency segment 2 (for 80+80 and 160 MHz). */
  centerSegment2: number;
  /** Dual beacon. */
  dualBeacon: boolean;
  /** Dual CTS protection. */
  dualCTSProtection: boolean;
  /** STBC beacon. */
  stbcBeacon: boolean;
  /** The 16-byte Basic HT-MCS Set. */
  basicMCS: Uint8Array;
}

/**
 * Decodes the body of an HT Operation element (element ID 61).
 *
 * @param b The element body (22 bytes).
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than 6 bytes.
 *
 * @example Using decodeHTOperation
 * ```ts
 * import { decodeHTOperation } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const body = new Uint8Array(22);
 * body[0] = 36;
 * body[1] = 0x05; // secondary above, any width
 * const op = decodeHTOperation(body);
 * assert.equal(op.primaryChannel, 36);
 * assert.equal(op.secondaryChannelOffset, 1);
 * assert.equal(op.anyChannelWidth, true);
 * ```
 */
export function decodeHTOperation(b: Uint8Array): HTOperation {
  if (b.length < 6) {
    throw new RangeError(
      `Cannot decode HT Operation element: ${b.length} bytes is too short, want at least 6`,
    );
  }
  const i1 = b[1]!;
  const i2 = le16(b, 2);
  const i3 = le16(b, 4);
  return {
    primaryChannel: b[0]!,
    secondaryChannelOffset: i1 & 3,
    anyChannelWidth: (i1 & 0x4) !== 0,
    rifs: (i1 & 0x8) !== 0,
    protection: i2 & 3,
    nonGreenfieldPresent: (i2 & 0x4) !== 0,
    obssNonHTPresent: (i2 & 0x10) !== 0,
    centerSegment2: (i2 >> 5) & 0xff,
    dualBeacon: (i3 & 0x40) !== 0,
    dualCTSProtection: (i3 & 0x80) !== 0,
    stbcBeacon: (i3 & 0x100) !== 0,
    basicMCS: b.slice(6, 22),
  };
}
