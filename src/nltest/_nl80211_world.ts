/**
 * The simulated nl80211's state: the plain world description with defaults
 * filled in (internal to `nltest/nl80211.ts`).
 *
 * @module
 */

import { parseHexColon } from "../wifi/_bytes.ts";
import { InterfaceType, Nl80211ExtFeature } from "../wifi/nl80211.ts";

/** A band of a simulated PHY. */
export interface SimBandSpec {
  /** `Nl80211Band`: 0 2.4 GHz, 1 5 GHz, 3 6 GHz. */
  band: number;
  /** Channels: frequency in MHz, and optional flags and power. */
  channels: {
    frequency: number;
    maxPowerDbm?: number;
    disabled?: boolean;
    noIR?: boolean;
    radar?: boolean;
  }[];
  /** Legacy bitrates in Mb/s. */
  bitrates?: number[];
  /** `NL80211_BAND_ATTR_HT_CAPA`, when the band has HT. */
  htCapabilities?: number;
  /** `NL80211_BAND_ATTR_VHT_CAPA`, when the band has VHT. */
  vhtCapabilities?: number;
  /** Advertise HE (802.11ax, 2 streams, 40/80 MHz) for station interfaces in `NL80211_BAND_ATTR_IFTYPE_DATA`. */
  he?: boolean;
}

/** A simulated PHY (wiphy). Everything is optional. */
export interface SimPHYSpec {
  /** Default `phyN`. */
  name?: string;
  /** Default: 2.4 GHz (channels 1-14) and 5 GHz (36-64) with HT, and VHT and HE on 5 GHz. */
  bands?: SimBandSpec[];
  /** Extended feature bits (`Nl80211ExtFeature`); default: the 4-way handshake offload for PSK. */
  extFeatures?: number[];
  /** Default: station, AP, monitor, P2P client, P2P GO, P2P device. */
  supportedIftypes?: number[];
}

/** A station (peer) of a simulated interface. */
export interface SimStationSpec {
  /** The station's address. */
  mac: string;
  /** dBm (default -50). */
  signal?: number;
  /** dBm (default: `signal`). */
  signalAverage?: number;
  /** Default 0. */
  receivedBytes?: number;
  /** Default 0. */
  transmittedBytes?: number;
  /** Default 0. */
  receivedPackets?: number;
  /** Default 0. */
  transmittedPackets?: number;
  /** bit/s (default 54 Mb/s). */
  receiveBitrate?: number;
  /** bit/s (default 54 Mb/s). */
  transmitBitrate?: number;
  /** Default 0. */
  connectedSeconds?: number;
  /** Default 0. */
  inactiveMs?: number;
  /** Default 0. */
  transmitRetries?: number;
  /** Default 0. */
  transmitFailed?: number;
  /** Default 0. */
  beaconLoss?: number;
}

/** A channel survey entry of a simulated interface. */
export interface SimSurveySpec {
  /** MHz. */
  frequency: number;
  /** dBm. */
  noise?: number;
  /** The interface's current channel. */
  inUse?: boolean;
  /** ms. */
  channelTimeMs?: number;
  /** ms. */
  channelTimeBusyMs?: number;
  /** ms. */
  channelTimeExtBusyMs?: number;
  /** ms. */
  channelTimeRxMs?: number;
  /** ms. */
  channelTimeTxMs?: number;
  /** ms. */
  channelTimeScanMs?: number;
  /** ms. */
  channelTimeBssRxMs?: number;
}

/** A simulated wireless interface. Only the name is required. */
export interface SimInterfaceSpec {
  /** The interface name, such as `"wlan0"`. */
  name: string;
  /** Default: its position in the list + 1. */
  index?: number;
  /** Default `InterfaceType.Station`. */
  type?: number;
  /** The PHY index (default 0). */
  phy?: number;
  /** Default `02:00:00:00:NN:00` with NN the index. */
  mac?: string;
  /** MHz when not connected (default 0). */
  frequency?: number;
  /** The SSID or BSSID of the access point it is connected to at start. */
  connectedTo?: string;
  /** Its peers; a connected station without any reports the AP. */
  stations?: SimStationSpec[];
  /** Its channel survey. */
  survey?: SimSurveySpec[];
}

/** An access point that scans find. Only the SSID is required. */
export interface SimAccessPointSpec {
  /** The SSID (text). */
  ssid: string;
  /** Default `02:00:00:01:NN:00` with NN its position + 1. */
  bssid?: string;
  /** MHz (default 2412). */
  frequency?: number;
  /** mBm (default -5000, -50 dBm). */
  signal?: number;
  /** Time units (default 100). */
  beaconInterval?: number;
  /** Default `"open"`; `"wpa2"` advertises RSN CCMP/PSK, `"wpa3"` RSN CCMP/SAE with MFP required. */
  security?: "open" | "wpa2" | "wpa3";
  /** When set, `connectWPAPSK` succeeds only with this passphrase. */
  passphrase?: string;
  /** A BSS Load element to advertise. */
  load?: {
    stationCount: number;
    channelUtilization: number;
    availableAdmissionCapacity: number;
  };
  /** More elements, appended as they are (any bytes, even malformed). */
  ies?: Uint8Array;
  /** Default 100. */
  lastSeenMs?: number;
}

/** How simulated scans behave. */
export interface SimScanSpec {
  /** Milliseconds between the trigger and the results (default 0: right after the ACK). */
  delayMs?: number;
  /** `"results"` (default) sends `NEW_SCAN_RESULTS`; `"aborted"` sends `SCAN_ABORTED`. */
  outcome?: "results" | "aborted";
}

/** A regulatory rule of the simulated domain. */
export interface SimRegulatoryRuleSpec {
  /** kHz. */
  startKHz: number;
  /** kHz. */
  endKHz: number;
  /** kHz. */
  maxBandwidthKHz: number;
  /** dBm. */
  maxEIRPDbm: number;
  /** `Nl80211RegulatoryRuleFlags`. */
  flags?: number;
}

/**
 * A simulated wifi world, as a plain object. Everything is optional: `{}`
 * is one PHY without interfaces, in the world regulatory domain.
 */
export interface World {
  /** The nl80211 family id (default 0x1c). */
  familyId?: number;
  /** The PHYs (default: one). */
  phys?: SimPHYSpec[];
  /** The interfaces. */
  interfaces?: SimInterfaceSpec[];
  /** The access points scans find. */
  accessPoints?: SimAccessPointSpec[];
  /** The regulatory domain (default `"00"`). */
  regulatory?: {
    region: string;
    dfsRegion?: number;
    rules?: SimRegulatoryRuleSpec[];
  };
  /** Scan timing and outcome. */
  scan?: SimScanSpec;
}

/** @internal Normalized state. */
export interface IfaceState {
  index: number;
  name: string;
  type: number;
  phy: number;
  wdev: number;
  mac: Uint8Array;
  frequency: number;
  connected?: APState | undefined;
  stations: SimStationSpec[];
  survey: SimSurveySpec[];
  scanTimer?: ReturnType<typeof setTimeout> | undefined;
  scanning: boolean;
}

/** @internal */
export interface APState {
  spec: SimAccessPointSpec;
  bssid: Uint8Array;
  frequency: number;
  ies: Uint8Array;
}

/** @internal */
export interface PHYState {
  index: number;
  name: string;
  bands: SimBandSpec[];
  extFeatures: number[];
  supportedIftypes: number[];
}

/** @internal Parses `"aa:bb:cc:dd:ee:ff"`. */
export function parseMAC(mac: string): Uint8Array {
  let b: Uint8Array | undefined;
  try {
    b = parseHexColon(mac);
  } catch {
    // reported below
  }
  if (b?.length !== 6) {
    throw new TypeError(
      `Cannot simulate nl80211: "${mac}" is not a MAC address`,
    );
  }
  return b;
}

/** @internal The channel number of a frequency in MHz. */
export function channelOf(frequency: number): number {
  if (frequency === 2484) return 14;
  if (frequency >= 2412 && frequency < 2484) return (frequency - 2407) / 5;
  if (frequency >= 5955 && frequency <= 7115) return (frequency - 5950) / 5;
  if (frequency >= 5000 && frequency < 5955) return (frequency - 5000) / 5;
  return 0;
}

const ch24 = Array.from(
  { length: 13 },
  (_, i) => ({ frequency: 2412 + 5 * i, maxPowerDbm: 20 }),
);
const ch5 = [36, 40, 44, 48, 52, 56, 60, 64].map((c) => ({
  frequency: 5000 + 5 * c,
  maxPowerDbm: c >= 52 ? 23 : 20,
  ...(c >= 52 ? { radar: true, noIR: true } : {}),
}));

/** @internal The default bands: 2.4 GHz with HT, 5 GHz with HT, VHT and HE. */
export const DEFAULT_BANDS: SimBandSpec[] = [
  {
    band: 0,
    channels: [...ch24, { frequency: 2484, maxPowerDbm: 20, disabled: true }],
    bitrates: [1, 2, 5.5, 11, 6, 9, 12, 18, 24, 36, 48, 54],
    htCapabilities: 0x01ef,
  },
  {
    band: 1,
    channels: ch5,
    bitrates: [6, 9, 12, 18, 24, 36, 48, 54],
    htCapabilities: 0x01ef,
    vhtCapabilities: 0x038071b1,
    he: true,
  },
];

/** @internal Fills in the PHY defaults. */
export function phyState(spec: SimPHYSpec, index: number): PHYState {
  return {
    index,
    name: spec.name ?? `phy${index}`,
    bands: spec.bands ?? DEFAULT_BANDS,
    extFeatures: spec.extFeatures ?? [Nl80211ExtFeature.FourWayHandshakeSTAPSK],
    supportedIftypes: spec.supportedIftypes ?? [
      InterfaceType.Station,
      InterfaceType.AP,
      InterfaceType.Monitor,
      InterfaceType.P2PClient,
      InterfaceType.P2PGO,
      InterfaceType.P2PDevice,
    ],
  };
}

/** @internal Fills in the interface defaults. */
export function ifaceState(
  spec: SimInterfaceSpec,
  position: number,
): IfaceState {
  if (typeof spec?.name !== "string") {
    throw new TypeError("Cannot simulate nl80211: an interface needs a name");
  }
  const index = spec.index ?? position + 1;
  const phy = spec.phy ?? 0;
  return {
    index,
    name: spec.name,
    type: spec.type ?? InterfaceType.Station,
    phy,
    wdev: phy * 2 ** 32 + index,
    mac: spec.mac !== undefined
      ? parseMAC(spec.mac)
      : new Uint8Array([2, 0, 0, 0, index & 0xff, 0]),
    frequency: spec.frequency ?? 0,
    stations: [...(spec.stations ?? [])],
    survey: [...(spec.survey ?? [])],
    scanning: false,
  };
}

const RATES_24 = [0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24];
const RATES_5 = [0x8c, 0x12, 0x98, 0x24, 0xb0, 0x48, 0x60, 0x6c];
/**
 * An RSN element body (IEEE 802.11 9.4.2.24) with CCMP-128 as group and
 * pairwise cipher and one AKM suite of the 00-0F-AC OUI.
 */
function rsnBody(akm: number, capabilities: number): number[] {
  // deno-fmt-ignore
  return [
    0x01, 0x00,             // version 1
    0x00, 0x0f, 0xac, 0x04, // group cipher: CCMP-128
    0x01, 0x00,             // pairwise count 1
    0x00, 0x0f, 0xac, 0x04, // pairwise: CCMP-128
    0x01, 0x00,             // AKM count 1
    0x00, 0x0f, 0xac, akm,  // AKM suite
    capabilities & 0xff, capabilities >> 8, // RSN capabilities
  ];
}
/** WPA2-Personal: AKM 2 (PSK). */
const RSN_WPA2 = rsnBody(0x02, 0x0000);
/** WPA3-Personal: AKM 8 (SAE), management frame protection required and capable. */
const RSN_WPA3 = rsnBody(0x08, 0x00c0);

/** @internal Builds an access point's state and its information elements. */
export function apState(spec: SimAccessPointSpec, position: number): APState {
  if (typeof spec?.ssid !== "string") {
    throw new TypeError(
      "Cannot simulate nl80211: an access point needs an SSID",
    );
  }
  const frequency = spec.frequency ?? 2412;
  const ssid = new TextEncoder().encode(spec.ssid);
  const ies: number[] = [0, ssid.length, ...ssid];
  const rates = frequency < 3000 ? RATES_24 : RATES_5;
  ies.push(1, rates.length, ...rates);
  const ch = channelOf(frequency);
  if (ch > 0 && ch < 256) ies.push(3, 1, ch);
  if (spec.load) {
    const l = spec.load;
    ies.push(
      11,
      5,
      l.stationCount & 0xff,
      l.stationCount >> 8,
      l.channelUtilization,
      l.availableAdmissionCapacity & 0xff,
      l.availableAdmissionCapacity >> 8,
    );
  }
  if (spec.security === "wpa2") ies.push(48, RSN_WPA2.length, ...RSN_WPA2);
  if (spec.security === "wpa3") ies.push(48, RSN_WPA3.length, ...RSN_WPA3);
  const extra = spec.ies ?? new Uint8Array(0);
  const all = new Uint8Array(ies.length + extra.length);
  all.set(ies);
  all.set(extra, ies.length);
  return {
    spec,
    bssid: spec.bssid !== undefined
      ? parseMAC(spec.bssid)
      : new Uint8Array([2, 0, 0, 1, (position + 1) & 0xff, 0]),
    frequency,
    ies: all,
  };
}
