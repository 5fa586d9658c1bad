/**
 * The simulated nl80211's replies: its state described in the wifi
 * package's terms and encoded by the wifi package's own encoders (beside
 * their decoders in `src/wifi/`), so that the simulator sends exactly what
 * the client reads. What a simulated device looks like (its MCS sets,
 * ciphers, interface combinations, the world regulatory rules) lives here.
 *
 * @module
 */

import { hexColon } from "../wifi/_bytes.ts";
import { type BSSDescription, encodeBSS } from "../wifi/bss.ts";
import { encodeInterface } from "../wifi/interface.ts";
import {
  BSSStatus,
  ChannelWidth,
  InterfaceType,
  Nl80211Command as C,
  Nl80211RegulatoryRuleFlags,
} from "../wifi/nl80211.ts";
import {
  type BandDescription,
  encodePHY as encodeWiphy,
  type PHYDescription,
} from "../wifi/phy.ts";
import { encodeRegulatoryDomain } from "../wifi/regulatory.ts";
import { encodeStationInfo } from "../wifi/station.ts";
import { encodeSurveyInfo } from "../wifi/survey.ts";
import type {
  APState,
  IfaceState,
  PHYState,
  SimRegulatoryRuleSpec,
  SimStationSpec,
  SimSurveySpec,
} from "./_nl80211_world.ts";

/** @internal The commands the simulator implements, for the family description. */
export const SUPPORTED_COMMANDS: number[] = [
  C.GetWiphy,
  C.GetInterface,
  C.GetStation,
  C.ReqSetReg,
  C.GetReg,
  C.GetScan,
  C.TriggerScan,
  C.Connect,
  C.Disconnect,
  C.GetSurvey,
  C.AbortScan,
  C.ReloadRegdb,
];

/** @internal */
export function encodeInterfaceState(
  ifi: IfaceState,
  generation: number,
): Uint8Array {
  const freq = ifi.connected?.frequency ?? ifi.frequency;
  return encodeInterface({
    index: ifi.index,
    name: ifi.name,
    hardwareAddr: hexColon(ifi.mac),
    phy: ifi.phy,
    device: ifi.wdev,
    type: ifi.type as InterfaceType,
    frequency: freq,
    channelWidth: ChannelWidth.Width20,
    ...(freq > 0 ? { centerFrequency1: freq, txPowerDbm: 20 } : {}),
    ...(ifi.connected
      ? { ssidBytes: new TextEncoder().encode(ifi.connected.spec.ssid) }
      : {}),
    generation,
  });
}

/** @internal */
export function encodeBSSState(
  ifi: IfaceState,
  ap: APState,
  generation: number,
): Uint8Array {
  const secured = ap.spec.security === "wpa2" || ap.spec.security === "wpa3";
  const b: BSSDescription = {
    generation,
    interfaceIndex: ifi.index,
    device: ifi.wdev,
    bssid: hexColon(ap.bssid),
    frequency: ap.frequency,
    tsf: 1_000_000n,
    beaconInterval: ap.spec.beaconInterval ?? 100,
    capability: secured ? 0x0411 : 0x0401,
    informationElements: ap.ies,
    signal: ap.spec.signal ?? -5000,
    lastSeenMs: ap.spec.lastSeenMs ?? 100,
  };
  if (ifi.connected === ap) b.status = BSSStatus.Associated;
  return encodeBSS(b);
}

/** @internal */
export function encodeStationState(
  ifi: IfaceState,
  s: SimStationSpec,
  generation: number,
): Uint8Array {
  return encodeStationInfo({
    interfaceIndex: ifi.index,
    hardwareAddr: s.mac,
    connectedSeconds: s.connectedSeconds ?? 0,
    inactiveMs: s.inactiveMs ?? 0,
    receivedBytes: s.receivedBytes ?? 0,
    transmittedBytes: s.transmittedBytes ?? 0,
    receivedPackets: s.receivedPackets ?? 0,
    transmittedPackets: s.transmittedPackets ?? 0,
    receiveBitrate: s.receiveBitrate ?? 54_000_000,
    transmitBitrate: s.transmitBitrate ?? 54_000_000,
    signal: s.signal ?? -50,
    signalAverage: s.signalAverage ?? s.signal ?? -50,
    transmitRetries: s.transmitRetries ?? 0,
    transmitFailed: s.transmitFailed ?? 0,
    beaconLoss: s.beaconLoss ?? 0,
  }, generation);
}

/** @internal */
export function encodeSurveyState(
  ifi: IfaceState,
  s: SimSurveySpec,
): Uint8Array {
  return encodeSurveyInfo({
    interfaceIndex: ifi.index,
    frequency: s.frequency,
    noise: s.noise ?? 0,
    inUse: s.inUse ?? false,
    channelTimeMs: s.channelTimeMs ?? 0,
    channelTimeBusyMs: s.channelTimeBusyMs ?? 0,
    channelTimeExtBusyMs: s.channelTimeExtBusyMs ?? 0,
    channelTimeBssRxMs: s.channelTimeBssRxMs ?? 0,
    channelTimeRxMs: s.channelTimeRxMs ?? 0,
    channelTimeTxMs: s.channelTimeTxMs ?? 0,
    channelTimeScanMs: s.channelTimeScanMs ?? 0,
  });
}

/** HT MCS 0-15 supported, highest rate unset, TX MCS set defined (16 bytes). */
const HT_MCS_SET = new Uint8Array([
  0xff,
  0xff,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x01,
  0,
  0,
  0,
]);
/** VHT MCS 0-9 on 2 streams, receive and transmit. */
const VHT_MCS_SET = new Uint8Array([0xfa, 0xff, 0, 0, 0xfa, 0xff, 0, 0]);

function describeBand(b: PHYState["bands"][number]): BandDescription {
  const out: BandDescription = {
    band: b.band,
    frequencies: b.channels.map((c) => ({
      frequency: c.frequency,
      maxPowerDbm: c.maxPowerDbm ?? 20,
      ...(c.disabled ? { disabled: true } : {}),
      ...(c.noIR ? { noIR: true } : {}),
      ...(c.radar ? { radar: true } : {}),
    })),
    bitrates: (b.bitrates ?? []).map((mbps) => ({
      mbps,
      // 2.4 GHz CCK rates above 1 Mb/s.
      ...(b.band === 0 && mbps > 1 && mbps <= 11
        ? { shortPreamble: true }
        : {}),
    })),
  };
  if (b.htCapabilities !== undefined) {
    out.ht = {
      capabilities: b.htCapabilities,
      ampduFactor: 3,
      ampduDensity: 6,
      mcsSet: HT_MCS_SET,
    };
  }
  if (b.vhtCapabilities !== undefined) {
    out.vht = { capabilities: b.vhtCapabilities, mcsSet: VHT_MCS_SET };
  }
  if (b.he) {
    const phy = new Uint8Array(11);
    phy[0] = 0x04; // 40 and 80 MHz in 5/6 GHz
    phy[1] = 0x20; // LDPC in payload
    out.interfaceTypeData = [{
      types: [InterfaceType.Station],
      heMAC: new Uint8Array([0x01, 0, 0, 0, 0, 0]),
      hePHY: phy,
      heMCSSet: new Uint8Array([0xfa, 0xff, 0xfa, 0xff]), // MCS 0-11, 2 streams
    }];
  }
  return out;
}

/**
 * @internal A wiphy as the kernel's split dump sends it: identity and
 * capabilities, one message per band, then interface combinations.
 * Without `split`, one message with everything.
 */
export function encodePHYState(
  p: PHYState,
  split: boolean,
  generation: number,
): Uint8Array[] {
  const d: PHYDescription = {
    index: p.index,
    name: p.name,
    generation,
    supportedIftypes: p.supportedIftypes as InterfaceType[],
    softwareIftypes: [InterfaceType.Monitor],
    maxScanSSIDs: 4,
    maxScanIELength: 2048,
    // WEP-40, WEP-104, TKIP, CCMP, BIP-CMAC-128.
    cipherSuites: [0x000fac01, 0x000fac05, 0x000fac02, 0x000fac04, 0x000fac06],
    extFeatures: p.extFeatures,
    featureFlags: 0,
    supportedCommands: SUPPORTED_COMMANDS,
    bands: p.bands.map(describeBand),
    interfaceCombinations: [{
      limits: [
        { max: 1, types: [InterfaceType.Station] },
        {
          max: 1,
          types: [
            InterfaceType.AP,
            InterfaceType.P2PClient,
            InterfaceType.P2PGO,
          ],
        },
      ],
      maxInterfaces: 2,
      channels: 1,
    }],
  };
  return encodeWiphy(d, split);
}

/** @internal */
export function encodeRegulatoryState(
  region: string,
  dfsRegion: number,
  rules: SimRegulatoryRuleSpec[],
): Uint8Array {
  return encodeRegulatoryDomain({
    region,
    dfsRegion,
    rules: rules.map((r) => ({
      startKHz: r.startKHz,
      endKHz: r.endKHz,
      maxBandwidthKHz: r.maxBandwidthKHz,
      maxAntennaGainDbi: 0,
      maxEIRPDbm: r.maxEIRPDbm,
      flags: r.flags ?? 0,
    })),
  });
}

/** @internal The world regulatory domain's rules (a subset of the kernel's "00"). */
export const WORLD_RULES: SimRegulatoryRuleSpec[] = [
  {
    startKHz: 2402000,
    endKHz: 2472000,
    maxBandwidthKHz: 40000,
    maxEIRPDbm: 20,
  },
  {
    startKHz: 2457000,
    endKHz: 2482000,
    maxBandwidthKHz: 20000,
    maxEIRPDbm: 20,
    flags: Nl80211RegulatoryRuleFlags.NoIR,
  },
  {
    startKHz: 5170000,
    endKHz: 5250000,
    maxBandwidthKHz: 80000,
    maxEIRPDbm: 20,
    flags: Nl80211RegulatoryRuleFlags.NoIR,
  },
  {
    startKHz: 5250000,
    endKHz: 5330000,
    maxBandwidthKHz: 80000,
    maxEIRPDbm: 20,
    flags: Nl80211RegulatoryRuleFlags.NoIR | Nl80211RegulatoryRuleFlags.DFS,
  },
];
