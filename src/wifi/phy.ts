/**
 * Physical devices (wiphys): the split `NL80211_CMD_GET_WIPHY` dump merged
 * per wiphy, with bands, HT/VHT/HE capabilities, channels, bitrates and
 * interface combinations. Attributes not decoded are kept in `extra`.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import { HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { nestedTypes } from "./_attr.ts";
import { decodeHECapabilityFields, type HECapabilities } from "./he.ts";
import { decodeHTCapabilityInfo, type HTCapabilities } from "./ht.ts";
import {
  type InterfaceType,
  Nl80211Attribute as A,
  Nl80211BandAttribute as BA,
  Nl80211BandInterfaceTypeAttribute as IA,
  Nl80211BitrateAttribute as RA,
  Nl80211FrequencyAttribute as FA,
  Nl80211InterfaceCombinationAttribute as CA,
  Nl80211InterfaceLimitAttribute as LA,
} from "./nl80211.ts";
import { decodeVHTCapabilityInfo, type VHTCapabilities } from "./vht.ts";

/**
 * One channel of a band (`NL80211_BAND_ATTR_FREQS`).
 *
 * @example A radar channel
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * const ch52 = phy!.bands[1]!.frequencies.find((f) => f.frequency === 5260);
 * assert.equal(ch52?.radarDetection, true);
 * assert.equal(ch52?.maxTxPowerDbm, 23);
 * ```
 */
export interface Frequency {
  /** `FREQ`: center frequency in MHz. */
  frequency: number;
  /** `OFFSET`: kHz to add to `frequency` (S1G). */
  offsetKHz?: number;
  /** `DISABLED`: not allowed here. */
  disabled: boolean;
  /** `NO_IR`: no initiating radiation (passive scan, no beaconing). */
  noIR: boolean;
  /** `RADAR`: radar detection (DFS) required. */
  radarDetection: boolean;
  /** `MAX_TX_POWER`: maximum transmit power in dBm (the kernel reports mBm; 0 when absent). */
  maxTxPowerDbm: number;
  /** `DFS_STATE` (`Nl80211DFSState`), on radar channels. */
  dfsState?: number;
  /** `NO_HT40_MINUS`. */
  noHT40Minus: boolean;
  /** `NO_HT40_PLUS`. */
  noHT40Plus: boolean;
  /** `NO_80MHZ`. */
  no80MHz: boolean;
  /** `NO_160MHZ`. */
  no160MHz: boolean;
  /** `INDOOR_ONLY`. */
  indoorOnly: boolean;
}

/**
 * One bitrate of a band (`NL80211_BAND_ATTR_RATES`).
 *
 * @example The legacy rates of 2.4 GHz
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * assert.deepEqual(phy!.bands[0]!.bitrates.slice(0, 4).map((r) => r.mbps), [1, 2, 5.5, 11]);
 * ```
 */
export interface Bitrate {
  /** `RATE`: the rate in Mb/s (the kernel reports units of 100 kb/s). */
  mbps: number;
  /** `2GHZ_SHORTPREAMBLE`: short preamble supported. */
  shortPreamble: boolean;
}

/**
 * HE capabilities of a band for some interface types (`NL80211_BAND_ATTR_IFTYPE_DATA`).
 *
 * @example HE capabilities for station interfaces
 * ```ts
 * import { decodePHYs, InterfaceType, Nl80211Attribute } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const phyCaps = new Uint8Array(11);
 * phyCaps[0] = 0x04; // 40 and 80 MHz in 5 GHz
 * const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.WiphyBands, (bands) =>
 *   bands.nested(1, (b) =>
 *     b.nested(9, (list) =>
 *       list.nested(1, (d) => {
 *         d.nested(1, (t) => t.flag(InterfaceType.Station));
 *         d.bytes(2, new Uint8Array(6)).bytes(3, phyCaps).bytes(4, new Uint8Array([0xfa, 0xff, 0xfa, 0xff]));
 *       })
 *     )
 *   )
 * ).encode();
 * const [phy] = decodePHYs([data]);
 * const [entry] = phy!.bands[0]!.interfaceTypeData;
 * assert.deepEqual(entry?.interfaceTypes, [InterfaceType.Station]);
 * assert.equal(entry?.he?.he40And80MHzIn5GHz, true);
 * ```
 */
export interface BandInterfaceTypeData {
  /** `IFTYPES`: the interface types these capabilities apply to. */
  interfaceTypes: InterfaceType[];
  /** `HE_CAP_*`: the HE capabilities, when the data has them. */
  he?: HECapabilities;
}

/**
 * A frequency band of a PHY (one entry of `NL80211_ATTR_WIPHY_BANDS`).
 *
 * @example The 5 GHz band of a simulated PHY
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * const band5 = phy!.bands.find((b) => b.band === 1);
 * assert.ok(band5?.vhtCapabilities);
 * ```
 */
export interface Band {
  /** The band (`Nl80211Band`: 0 2.4 GHz, 1 5 GHz, 2 60 GHz, 3 6 GHz, 4 S1G, 5 LC). */
  band: number;
  /** `HT_CAPA` with `HT_AMPDU_FACTOR`, `HT_AMPDU_DENSITY` and `HT_MCS_SET`. */
  htCapabilities?: HTCapabilities;
  /** `VHT_CAPA` with `VHT_MCS_SET`. */
  vhtCapabilities?: VHTCapabilities;
  /** `IFTYPE_DATA`: HE (and later) capabilities per interface type. */
  interfaceTypeData: BandInterfaceTypeData[];
  /** `FREQS`: the channels. */
  frequencies: Frequency[];
  /** `RATES`: the legacy bitrates. */
  bitrates: Bitrate[];
}

/**
 * A limit inside an interface combination.
 *
 * @example At most one station
 * ```ts
 * import { Client, InterfaceType } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * assert.deepEqual(phy!.interfaceCombinations[0]?.limits[0], { max: 1, interfaceTypes: [InterfaceType.Station] });
 * ```
 */
export interface InterfaceCombinationLimit {
  /** `MAX`: how many interfaces of these types. */
  max: number;
  /** `TYPES`: the interface types. */
  interfaceTypes: InterfaceType[];
}

/**
 * A combination of interfaces the PHY supports at once (`NL80211_ATTR_INTERFACE_COMBINATIONS`).
 *
 * @example A station and an AP at once
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [phy] = await client.phys();
 * assert.equal(phy!.interfaceCombinations[0]?.total, 2);
 * ```
 */
export interface InterfaceCombination {
  /** `LIMITS`. */
  limits: InterfaceCombinationLimit[];
  /** `MAXNUM`: the total number of interfaces. */
  total: number;
  /** `NUM_CHANNELS`: how many different channels. */
  numChannels: number;
  /** `STA_AP_BI_MATCH`: beacon intervals must match. */
  staApBiMatch: boolean;
  /** `RADAR_DETECT_WIDTHS`: bitmap of channel widths for radar detection. */
  radarDetectWidths?: number;
  /** `RADAR_DETECT_REGIONS`: bitmap of DFS regions for radar detection. */
  radarDetectRegions?: number;
  /** `BI_MIN_GCD`: minimum GCD of beacon intervals. */
  beaconIntervalMinGCD?: number;
}

/**
 * A physical wireless device (wiphy), merged from a split dump, as `iw phy`
 * shows it.
 *
 * @example The PHY of a simulated device
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * const [phy] = await client.phys();
 * assert.equal(phy?.name, "phy0");
 * assert.ok(phy!.bands[0]!.frequencies.some((f) => f.frequency === 2412));
 * ```
 */
export interface PHY {
  /** `NL80211_ATTR_WIPHY`: the wiphy index. */
  index: number;
  /** `NL80211_ATTR_WIPHY_NAME`: such as `"phy0"`. */
  name: string;
  /** `NL80211_ATTR_SUPPORTED_IFTYPES`. */
  supportedIftypes: InterfaceType[];
  /** `NL80211_ATTR_SOFTWARE_IFTYPES`. */
  softwareIftypes: InterfaceType[];
  /** `NL80211_ATTR_WIPHY_BANDS`, ordered by band. */
  bands: Band[];
  /** `NL80211_ATTR_INTERFACE_COMBINATIONS`. */
  interfaceCombinations: InterfaceCombination[];
  /** `NL80211_ATTR_EXT_FEATURES`: the extended feature bitmap (see {@linkcode hasExtFeature}). */
  extFeatures: Uint8Array;
  /** `NL80211_ATTR_FEATURE_FLAGS` (`Nl80211FeatureFlags`). */
  featureFlags: number;
  /** `NL80211_ATTR_CIPHER_SUITES`: supported cipher suite selectors. */
  cipherSuites: number[];
  /** `NL80211_ATTR_SUPPORTED_COMMANDS`: the `Nl80211Command` values the device supports. */
  supportedCommands: number[];
  /** `NL80211_ATTR_MAX_NUM_SCAN_SSIDS`. */
  maxScanSSIDs?: number;
  /** Every other top-level attribute, by type (a later message's value replaces an earlier one). */
  extra: Map<number, Uint8Array>;
}

/**
 * Reports whether a PHY has an extended feature (`Nl80211ExtFeature`), a bit
 * of `NL80211_ATTR_EXT_FEATURES` (bit `n` is bit `n % 8` of byte `n / 8`).
 *
 * @param phy The PHY (or anything with `extFeatures`).
 * @param feature The feature bit number.
 * @returns True when the bit is set.
 *
 * @example Using hasExtFeature
 * ```ts
 * import { hasExtFeature, Nl80211ExtFeature } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const extFeatures = new Uint8Array([0, 0x80]);
 * assert.ok(hasExtFeature({ extFeatures }, Nl80211ExtFeature.FourWayHandshakeSTAPSK));
 * ```
 */
export function hasExtFeature(
  phy: { extFeatures: Uint8Array },
  feature: number,
): boolean {
  const byte = phy.extFeatures[feature >> 3];
  return byte !== undefined && ((byte >> (feature & 7)) & 1) === 1;
}

function newPHY(index: number): PHY {
  return {
    index,
    name: "",
    supportedIftypes: [],
    softwareIftypes: [],
    bands: [],
    interfaceCombinations: [],
    extFeatures: new Uint8Array(0),
    featureFlags: 0,
    cipherSuites: [],
    supportedCommands: [],
    extra: new Map(),
  };
}

function decodeFrequency(d: AttributeDecoder): Frequency {
  const f: Frequency = {
    frequency: 0,
    disabled: false,
    noIR: false,
    radarDetection: false,
    maxTxPowerDbm: 0,
    noHT40Minus: false,
    noHT40Plus: false,
    no80MHz: false,
    no160MHz: false,
    indoorOnly: false,
  };
  while (d.next()) {
    switch (d.type) {
      case FA.Freq:
        f.frequency = d.uint32();
        break;
      case FA.Offset:
        f.offsetKHz = d.uint32();
        break;
      case FA.Disabled:
        f.disabled = true;
        break;
      case FA.NoIR:
        f.noIR = true;
        break;
      case FA.Radar:
        f.radarDetection = true;
        break;
      case FA.MaxTXPower:
        f.maxTxPowerDbm = d.uint32() / 100;
        break;
      case FA.DFSState:
        f.dfsState = d.uint32();
        break;
      case FA.NoHT40Minus:
        f.noHT40Minus = true;
        break;
      case FA.NoHT40Plus:
        f.noHT40Plus = true;
        break;
      case FA.No80MHz:
        f.no80MHz = true;
        break;
      case FA.No160MHz:
        f.no160MHz = true;
        break;
      case FA.IndoorOnly:
        f.indoorOnly = true;
        break;
    }
  }
  return f;
}

function decodeIftypeData(d: AttributeDecoder): BandInterfaceTypeData {
  const out: BandInterfaceTypeData = { interfaceTypes: [] };
  let mac: Uint8Array | undefined;
  let phy: Uint8Array | undefined;
  let mcs: Uint8Array | undefined;
  let ppe: Uint8Array | undefined;
  while (d.next()) {
    switch (d.type) {
      case IA.Iftypes:
        out.interfaceTypes = nestedTypes(d) as InterfaceType[];
        break;
      case IA.HECapMAC:
        mac = d.bytes();
        break;
      case IA.HECapPhy:
        phy = d.bytes();
        break;
      case IA.HECapMCSSet:
        mcs = d.bytes();
        break;
      case IA.HECapPpe:
        ppe = d.bytes();
        break;
    }
  }
  if (mac && phy && mcs) out.he = decodeHECapabilityFields(mac, phy, mcs, ppe);
  return out;
}

function mergeBand(bands: Band[], band: number, d: AttributeDecoder): void {
  let b = bands.find((x) => x.band === band);
  if (!b) {
    b = { band, interfaceTypeData: [], frequencies: [], bitrates: [] };
    bands.push(b);
    bands.sort((x, y) => x.band - y.band);
  }
  let htCapa: number | undefined;
  let factor: number | undefined;
  let density: number | undefined;
  let htMCS: Uint8Array | undefined;
  let vhtCapa: number | undefined;
  let vhtMCS: Uint8Array | undefined;
  while (d.next()) {
    switch (d.type) {
      case BA.HTCapa:
        htCapa = d.uint16();
        break;
      case BA.HTAMPDUFactor:
        factor = d.uint8();
        break;
      case BA.HTAMPDUDensity:
        density = d.uint8();
        break;
      case BA.HTMCSSet:
        htMCS = d.view();
        break;
      case BA.VHTCapa:
        vhtCapa = d.uint32();
        break;
      case BA.VHTMCSSet:
        vhtMCS = d.view();
        break;
      case BA.Freqs: {
        const c = d.decoder();
        while (c.next()) b.frequencies.push(decodeFrequency(c.decoder()));
        break;
      }
      case BA.Rates: {
        const c = d.decoder();
        while (c.next()) {
          const r: Bitrate = { mbps: 0, shortPreamble: false };
          const rd = c.decoder();
          while (rd.next()) {
            if (rd.type === RA.Rate) r.mbps = rd.uint32() / 10;
            else if (rd.type === RA.Band2GHzShortpreamble) {
              r.shortPreamble = true;
            }
          }
          b.bitrates.push(r);
        }
        break;
      }
      case BA.IftypeData: {
        const c = d.decoder();
        while (c.next()) {
          b.interfaceTypeData.push(decodeIftypeData(c.decoder()));
        }
        break;
      }
    }
  }
  if (htCapa !== undefined) {
    b.htCapabilities = decodeHTCapabilityInfo(htCapa, factor, density, htMCS);
  }
  if (vhtCapa !== undefined) {
    b.vhtCapabilities = decodeVHTCapabilityInfo(vhtCapa, vhtMCS);
  }
}

function decodeCombination(d: AttributeDecoder): InterfaceCombination {
  const c: InterfaceCombination = {
    limits: [],
    total: 0,
    numChannels: 0,
    staApBiMatch: false,
  };
  while (d.next()) {
    switch (d.type) {
      case CA.Limits: {
        const ls = d.decoder();
        while (ls.next()) {
          const limit: InterfaceCombinationLimit = {
            max: 0,
            interfaceTypes: [],
          };
          const l = ls.decoder();
          while (l.next()) {
            if (l.type === LA.Max) limit.max = l.uint32();
            else if (l.type === LA.Types) {
              limit.interfaceTypes = nestedTypes(l) as InterfaceType[];
            }
          }
          c.limits.push(limit);
        }
        break;
      }
      case CA.Maxnum:
        c.total = d.uint32();
        break;
      case CA.NumChannels:
        c.numChannels = d.uint32();
        break;
      case CA.STAAPBIMatch:
        c.staApBiMatch = true;
        break;
      case CA.RadarDetectWidths:
        c.radarDetectWidths = d.uint32();
        break;
      case CA.RadarDetectRegions:
        c.radarDetectRegions = d.uint32();
        break;
      case CA.BIMinGCD:
        c.beaconIntervalMinGCD = d.uint32();
        break;
    }
  }
  return c;
}

function u32List(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let o = 0; o + 4 <= b.length; o += 4) {
    out.push(v.getUint32(o, HOST_LITTLE_ENDIAN));
  }
  return out;
}

function mergeMessage(p: PHY, d: AttributeDecoder): void {
  while (d.next()) {
    switch (d.type) {
      case A.Wiphy:
        break;
      case A.WiphyName:
        p.name = d.string();
        break;
      case A.SupportedIftypes:
        p.supportedIftypes = nestedTypes(d) as InterfaceType[];
        break;
      case A.SoftwareIftypes:
        p.softwareIftypes = nestedTypes(d) as InterfaceType[];
        break;
      case A.WiphyBands: {
        const c = d.decoder();
        while (c.next()) mergeBand(p.bands, c.type, c.decoder());
        break;
      }
      case A.InterfaceCombinations: {
        const c = d.decoder();
        while (c.next()) {
          p.interfaceCombinations.push(decodeCombination(c.decoder()));
        }
        break;
      }
      case A.ExtFeatures:
        p.extFeatures = d.bytes();
        break;
      case A.FeatureFlags:
        p.featureFlags = d.uint32();
        break;
      case A.CipherSuites:
        p.cipherSuites = u32List(d.view());
        break;
      case A.SupportedCommands: {
        const c = d.decoder();
        while (c.next()) p.supportedCommands.push(c.uint32());
        break;
      }
      case A.MaxNumScanSSIDs:
        p.maxScanSSIDs = d.uint8();
        break;
      default:
        p.extra.set(d.type, d.bytes());
    }
  }
}

/**
 * Decodes and merges the messages of a (split) `NL80211_CMD_GET_WIPHY` dump:
 * messages with the same `NL80211_ATTR_WIPHY` form one PHY; a band that
 * spans several messages is merged (its channels appended).
 *
 * @param messages The generic netlink payloads (after the 4-byte genl header), in order.
 * @returns One PHY per wiphy, in the order first seen.
 * @throws {RangeError} If a message has no `NL80211_ATTR_WIPHY`, or an attribute is malformed.
 *
 * @example Two parts of one wiphy
 * ```ts
 * import { decodePHYs, Nl80211Attribute } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const a = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).string(Nl80211Attribute.WiphyName, "phy0").encode();
 * const b = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).uint32(Nl80211Attribute.Generation, 4).encode();
 * const [phy] = decodePHYs([a, b]);
 * assert.equal(phy?.name, "phy0");
 * assert.equal(phy?.extra.size, 1);
 * ```
 */
export function decodePHYs(messages: Iterable<Uint8Array>): PHY[] {
  const phys = new Map<number, PHY>();
  for (const data of messages) {
    const probe = new AttributeDecoder(data);
    let index: number | undefined;
    while (probe.next()) {
      if (probe.type === A.Wiphy) {
        index = probe.uint32();
        break;
      }
    }
    if (index === undefined) {
      throw new RangeError(
        "Cannot decode PHY: a message has no NL80211_ATTR_WIPHY attribute",
      );
    }
    let p = phys.get(index);
    if (!p) {
      p = newPHY(index);
      phys.set(index, p);
    }
    mergeMessage(p, new AttributeDecoder(data));
  }
  return [...phys.values()];
}

/**
 * One band of a {@linkcode PHYDescription}: raw capability fields, as
 * `NL80211_ATTR_WIPHY_BANDS` carries them.
 *
 * @internal
 */
export interface BandDescription {
  /** `enum nl80211_band` (0: 2.4 GHz, 1: 5 GHz, 3: 6 GHz...). */
  band: number;
  /** `NL80211_BAND_ATTR_HT_CAPA`, with the A-MPDU factor and density and the 16-byte MCS set. */
  ht?: {
    capabilities: number;
    ampduFactor: number;
    ampduDensity: number;
    mcsSet: Uint8Array;
  };
  /** `NL80211_BAND_ATTR_VHT_CAPA` and the 8-byte MCS set. */
  vht?: { capabilities: number; mcsSet: Uint8Array };
  /** `NL80211_BAND_ATTR_IFTYPE_DATA`: HE capabilities per set of interface types. */
  interfaceTypeData?: {
    types: number[];
    heMAC: Uint8Array;
    hePHY: Uint8Array;
    heMCSSet: Uint8Array;
  }[];
  /** `NL80211_BAND_ATTR_FREQS`. */
  frequencies: {
    frequency: number;
    disabled?: boolean;
    noIR?: boolean;
    radar?: boolean;
    /** dBm (sent as mBm). */
    maxPowerDbm: number;
  }[];
  /** `NL80211_BAND_ATTR_RATES`: Mb/s, and whether short preamble is supported. */
  bitrates: { mbps: number; shortPreamble?: boolean }[];
}

/**
 * A wiphy as {@linkcode encodePHY} sends it: raw fields, not the decoded
 * capabilities of {@linkcode PHY}.
 *
 * @internal
 */
export interface PHYDescription {
  /** `NL80211_ATTR_WIPHY`. */
  index: number;
  /** `NL80211_ATTR_WIPHY_NAME`. */
  name: string;
  /** `NL80211_ATTR_GENERATION`. */
  generation: number;
  /** `NL80211_ATTR_SUPPORTED_IFTYPES`. */
  supportedIftypes: InterfaceType[];
  /** `NL80211_ATTR_SOFTWARE_IFTYPES`. */
  softwareIftypes: InterfaceType[];
  /** `NL80211_ATTR_MAX_NUM_SCAN_SSIDS`. */
  maxScanSSIDs: number;
  /** `NL80211_ATTR_MAX_SCAN_IE_LEN`. */
  maxScanIELength: number;
  /** `NL80211_ATTR_CIPHER_SUITES`: suite selectors (`00-0f-ac:4` is `0x000fac04`). */
  cipherSuites: number[];
  /** `NL80211_ATTR_EXT_FEATURES`: the bit numbers set (`enum nl80211_ext_feature_index`). */
  extFeatures: number[];
  /** `NL80211_ATTR_FEATURE_FLAGS`. */
  featureFlags: number;
  /** `NL80211_ATTR_SUPPORTED_COMMANDS`. */
  supportedCommands: number[];
  /** `NL80211_ATTR_WIPHY_BANDS`. */
  bands: BandDescription[];
  /** `NL80211_ATTR_INTERFACE_COMBINATIONS`. */
  interfaceCombinations: {
    limits: { max: number; types: InterfaceType[] }[];
    maxInterfaces: number;
    channels: number;
  }[];
}

function extFeatureBytes(bits: readonly number[]): Uint8Array {
  const n = Math.max(8, ...bits.map((b) => (b >> 3) + 1));
  const out = new Uint8Array(n);
  for (const b of bits) out[b >> 3]! |= 1 << (b & 7);
  return out;
}

function encodeBand(bands: AttributeEncoder, b: BandDescription): void {
  bands.nested(b.band, (x) => {
    if (b.ht !== undefined) {
      x.uint16(BA.HTCapa, b.ht.capabilities)
        .uint8(BA.HTAMPDUFactor, b.ht.ampduFactor)
        .uint8(BA.HTAMPDUDensity, b.ht.ampduDensity)
        .bytes(BA.HTMCSSet, b.ht.mcsSet);
    }
    if (b.vht !== undefined) {
      x.uint32(BA.VHTCapa, b.vht.capabilities).bytes(
        BA.VHTMCSSet,
        b.vht.mcsSet,
      );
    }
    if (b.interfaceTypeData !== undefined) {
      const data = b.interfaceTypeData;
      x.nested(
        BA.IftypeData,
        (list) =>
          data.forEach((d, i) =>
            list.nested(i + 1, (y) => {
              y.nested(IA.Iftypes, (t) => d.types.forEach((ty) => t.flag(ty)));
              y.bytes(IA.HECapMAC, d.heMAC)
                .bytes(IA.HECapPhy, d.hePHY)
                .bytes(IA.HECapMCSSet, d.heMCSSet);
            })
          ),
      );
    }
    x.nested(
      BA.Freqs,
      (fs) =>
        b.frequencies.forEach((c, i) =>
          fs.nested(i, (f) => {
            f.uint32(FA.Freq, c.frequency);
            if (c.disabled) f.flag(FA.Disabled);
            if (c.noIR) f.flag(FA.NoIR);
            if (c.radar) f.flag(FA.Radar).uint32(FA.DFSState, 0);
            f.uint32(FA.MaxTXPower, Math.round(c.maxPowerDbm * 100));
          })
        ),
    );
    x.nested(
      BA.Rates,
      (rs) =>
        b.bitrates.forEach((r, i) =>
          rs.nested(i, (y) => {
            y.uint32(RA.Rate, Math.round(r.mbps * 10));
            if (r.shortPreamble) y.flag(RA.Band2GHzShortpreamble);
          })
        ),
    );
  });
}

/**
 * Encodes a wiphy as the kernel sends it (`NL80211_CMD_NEW_WIPHY`), what
 * {@linkcode decodePHYs} reads. Split (as the kernel answers a dump with
 * `NL80211_ATTR_SPLIT_WIPHY_DUMP`): identity and capabilities, then one
 * message per band, then the interface combinations; not split: one
 * message with everything.
 *
 * @internal Used by nltest's simulated nl80211.
 * @param p The wiphy.
 * @param split Send it in several messages.
 * @returns The messages' attributes (genl payloads after the 4-byte header).
 */
export function encodePHY(p: PHYDescription, split: boolean): Uint8Array[] {
  const head = (e: AttributeEncoder) =>
    e.uint32(A.Wiphy, p.index).string(A.WiphyName, p.name)
      .uint32(A.Generation, p.generation);
  const identity = (e: AttributeEncoder) => {
    e.nested(
      A.SupportedIftypes,
      (t) => p.supportedIftypes.forEach((i) => t.flag(i)),
    );
    e.nested(
      A.SoftwareIftypes,
      (t) => p.softwareIftypes.forEach((i) => t.flag(i)),
    );
    e.uint8(A.MaxNumScanSSIDs, p.maxScanSSIDs)
      .uint16(A.MaxScanIELen, p.maxScanIELength);
    const ciphers = new Uint8Array(4 * p.cipherSuites.length);
    const v = new DataView(ciphers.buffer);
    p.cipherSuites.forEach((c, i) => v.setUint32(4 * i, c, HOST_LITTLE_ENDIAN));
    e.bytes(A.CipherSuites, ciphers);
    e.bytes(A.ExtFeatures, extFeatureBytes(p.extFeatures));
    e.uint32(A.FeatureFlags, p.featureFlags);
    e.nested(
      A.SupportedCommands,
      (c) => p.supportedCommands.forEach((cmd, i) => c.uint32(i + 1, cmd)),
    );
  };
  const combos = (e: AttributeEncoder) =>
    e.nested(
      A.InterfaceCombinations,
      (cs) =>
        p.interfaceCombinations.forEach((combo, i) =>
          cs.nested(i + 1, (c) => {
            c.nested(CA.Limits, (ls) =>
              combo.limits.forEach((limit, j) =>
                ls.nested(j + 1, (l) =>
                  l.uint32(LA.Max, limit.max).nested(LA.Types, (t) =>
                    limit.types.forEach((ty) => t.flag(ty))))
              ));
            c.uint32(CA.Maxnum, combo.maxInterfaces)
              .uint32(CA.NumChannels, combo.channels);
          })
        ),
    );
  if (!split) {
    const e = new AttributeEncoder();
    head(e);
    identity(e);
    e.nested(
      A.WiphyBands,
      (bands) => p.bands.forEach((b) => encodeBand(bands, b)),
    );
    combos(e);
    return [e.encode()];
  }
  const out: Uint8Array[] = [];
  const first = new AttributeEncoder();
  head(first);
  identity(first);
  out.push(first.encode());
  for (const b of p.bands) {
    const e = new AttributeEncoder();
    head(e);
    e.nested(A.WiphyBands, (bands) => encodeBand(bands, b));
    out.push(e.encode());
  }
  const last = new AttributeEncoder();
  head(last);
  combos(last);
  out.push(last.encode());
  return out;
}
