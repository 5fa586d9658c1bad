/**
 * Encoders of the simulated nl80211's replies, attribute for attribute as
 * the kernel sends them (internal to `nltest/nl80211.ts`).
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import {
  BSSStatus,
  ChannelWidth,
  InterfaceType,
  Nl80211Attribute as A,
  Nl80211BandAttribute as BA,
  Nl80211BandInterfaceTypeAttribute as IA,
  Nl80211BitrateAttribute as RA,
  Nl80211BSSAttribute as B,
  Nl80211Command as C,
  Nl80211FrequencyAttribute as FA,
  Nl80211InterfaceCombinationAttribute as CA,
  Nl80211InterfaceLimitAttribute as LA,
  Nl80211RateInfo as R,
  Nl80211RegulatoryRuleAttribute as RR,
  Nl80211RegulatoryRuleFlags,
  Nl80211StationInfo as S,
  Nl80211SurveyInfo as SV,
} from "../wifi/nl80211.ts";
import type {
  APState,
  IfaceState,
  PHYState,
  SimRegulatoryRuleSpec,
  SimStationSpec,
  SimSurveySpec,
} from "./_nl80211_world.ts";
import { parseMAC } from "./_nl80211_world.ts";

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
export function encodeInterface(
  ifi: IfaceState,
  generation: number,
): Uint8Array {
  const e = new AttributeEncoder()
    .uint32(A.Ifindex, ifi.index)
    .string(A.Ifname, ifi.name)
    .uint32(A.Wiphy, ifi.phy)
    .uint32(A.Iftype, ifi.type)
    .uint64(A.Wdev, BigInt(ifi.wdev))
    .bytes(A.MAC, ifi.mac)
    .uint32(A.Generation, generation);
  const freq = ifi.connected?.frequency ?? ifi.frequency;
  if (freq > 0) {
    e.uint32(A.WiphyFreq, freq).uint32(A.ChannelWidth, ChannelWidth.Width20)
      .uint32(A.CenterFreq1, freq);
    e.uint32(A.WiphyTXPowerLevel, 2000);
  }
  if (ifi.connected) {
    e.bytes(A.SSID, new TextEncoder().encode(ifi.connected.spec.ssid));
  }
  return e.encode();
}

/** @internal */
export function encodeBSS(
  ifi: IfaceState,
  ap: APState,
  generation: number,
): Uint8Array {
  const secured = ap.spec.security === "wpa2" || ap.spec.security === "wpa3";
  return new AttributeEncoder()
    .uint32(A.Generation, generation)
    .uint32(A.Ifindex, ifi.index)
    .uint64(A.Wdev, BigInt(ifi.wdev))
    .nested(A.BSS, (b) => {
      b.bytes(B.BSSID, ap.bssid)
        .uint32(B.Frequency, ap.frequency)
        .uint64(B.TSF, 1_000_000n)
        .uint16(B.BeaconInterval, ap.spec.beaconInterval ?? 100)
        .uint16(B.Capability, secured ? 0x0411 : 0x0401)
        .bytes(B.InformationElements, ap.ies)
        .int32(B.SignalMBM, ap.spec.signal ?? -5000)
        .uint32(B.SeenMsAgo, ap.spec.lastSeenMs ?? 100);
      if (ifi.connected === ap) b.uint32(B.Status, BSSStatus.Associated);
    })
    .encode();
}

function rate(e: AttributeEncoder, type: number, bitrate: number): void {
  e.nested(type, (r) => r.uint32(R.Bitrate32, Math.round(bitrate / 100_000)));
}

/** @internal */
export function encodeStation(
  ifi: IfaceState,
  s: SimStationSpec,
  generation: number,
): Uint8Array {
  const s8 = (v: number) => v & 0xff;
  const rx = s.receivedBytes ?? 0;
  const tx = s.transmittedBytes ?? 0;
  return new AttributeEncoder()
    .uint32(A.Ifindex, ifi.index)
    .bytes(A.MAC, parseMAC(s.mac))
    .uint32(A.Generation, generation)
    .nested(A.STAInfo, (e) => {
      e.uint32(S.InactiveTime, s.inactiveMs ?? 0)
        .uint32(S.RXBytes, rx % 2 ** 32)
        .uint32(S.TXBytes, tx % 2 ** 32)
        .uint64(S.RXBytes64, BigInt(rx))
        .uint64(S.TXBytes64, BigInt(tx))
        .uint8(S.Signal, s8(s.signal ?? -50))
        .uint8(S.SignalAvg, s8(s.signalAverage ?? s.signal ?? -50))
        .uint32(S.RXPackets, s.receivedPackets ?? 0)
        .uint32(S.TXPackets, s.transmittedPackets ?? 0)
        .uint32(S.TXRetries, s.transmitRetries ?? 0)
        .uint32(S.TXFailed, s.transmitFailed ?? 0)
        .uint32(S.BeaconLoss, s.beaconLoss ?? 0)
        .uint32(S.ConnectedTime, s.connectedSeconds ?? 0);
      rate(e, S.TXBitrate, s.transmitBitrate ?? 54_000_000);
      rate(e, S.RXBitrate, s.receiveBitrate ?? 54_000_000);
    })
    .encode();
}

/** @internal */
export function encodeSurvey(ifi: IfaceState, s: SimSurveySpec): Uint8Array {
  return new AttributeEncoder()
    .uint32(A.Ifindex, ifi.index)
    .nested(A.SurveyInfo, (e) => {
      e.uint32(SV.Frequency, s.frequency);
      if (s.noise !== undefined) e.uint8(SV.Noise, s.noise & 0xff);
      if (s.inUse) e.flag(SV.InUse);
      const times: [number, number | undefined][] = [
        [SV.Time, s.channelTimeMs],
        [SV.TimeBusy, s.channelTimeBusyMs],
        [SV.TimeExtBusy, s.channelTimeExtBusyMs],
        [SV.TimeRX, s.channelTimeRxMs],
        [SV.TimeTX, s.channelTimeTxMs],
        [SV.TimeScan, s.channelTimeScanMs],
        [SV.TimeBSSRX, s.channelTimeBssRxMs],
      ];
      for (const [t, v] of times) if (v !== undefined) e.uint64(t, BigInt(v));
    })
    .encode();
}

function extFeatureBytes(bits: number[]): Uint8Array {
  const n = Math.max(8, ...bits.map((b) => (b >> 3) + 1));
  const out = new Uint8Array(n);
  for (const b of bits) out[b >> 3]! |= 1 << (b & 7);
  return out;
}

/**
 * @internal A wiphy as the kernel's split dump sends it: identity and
 * capabilities, one message per band, then interface combinations.
 * Without `split`, one message with everything.
 */
export function encodePHY(
  p: PHYState,
  split: boolean,
  generation: number,
): Uint8Array[] {
  const head = (e: AttributeEncoder) =>
    e.uint32(A.Wiphy, p.index).string(A.WiphyName, p.name).uint32(
      A.Generation,
      generation,
    );
  const identity = (e: AttributeEncoder) => {
    e.nested(
      A.SupportedIftypes,
      (t) => p.supportedIftypes.forEach((i) => t.flag(i)),
    );
    e.nested(A.SoftwareIftypes, (t) => t.flag(InterfaceType.Monitor));
    e.uint8(A.MaxNumScanSSIDs, 4).uint16(A.MaxScanIELen, 2048);
    const ciphers = new Uint8Array(
      new Uint32Array([
        0x000fac01,
        0x000fac05,
        0x000fac02,
        0x000fac04,
        0x000fac06,
      ]).buffer,
    );
    e.bytes(A.CipherSuites, ciphers);
    e.bytes(A.ExtFeatures, extFeatureBytes(p.extFeatures));
    e.uint32(A.FeatureFlags, 0);
    e.nested(
      A.SupportedCommands,
      (c) => SUPPORTED_COMMANDS.forEach((cmd, i) => c.uint32(i + 1, cmd)),
    );
  };
  const band = (e: AttributeEncoder, b: PHYState["bands"][number]) =>
    e.nested(A.WiphyBands, (bands) =>
      bands.nested(b.band, (x) => {
        if (b.htCapabilities !== undefined) {
          x.uint16(BA.HTCapa, b.htCapabilities).uint8(BA.HTAMPDUFactor, 3)
            .uint8(BA.HTAMPDUDensity, 6);
          x.bytes(
            BA.HTMCSSet,
            new Uint8Array([
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
            ]),
          );
        }
        if (b.vhtCapabilities !== undefined) {
          x.uint32(BA.VHTCapa, b.vhtCapabilities).bytes(
            BA.VHTMCSSet,
            new Uint8Array([0xfa, 0xff, 0, 0, 0xfa, 0xff, 0, 0]),
          );
        }
        if (b.he) {
          const phy = new Uint8Array(11);
          phy[0] = 0x04; // 40 and 80 MHz in 5/6 GHz
          phy[1] = 0x20; // LDPC in payload
          x.nested(BA.IftypeData, (list) =>
            list.nested(1, (d) => {
              d.nested(IA.Iftypes, (t) => t.flag(InterfaceType.Station));
              d.bytes(IA.HECapMAC, new Uint8Array([0x01, 0, 0, 0, 0, 0]));
              d.bytes(IA.HECapPhy, phy);
              d.bytes(IA.HECapMCSSet, new Uint8Array([0xfa, 0xff, 0xfa, 0xff])); // MCS 0-11, 2 streams
            }));
        }
        x.nested(BA.Freqs, (fs) =>
          b.channels.forEach((c, i) =>
            fs.nested(i, (f) => {
              f.uint32(FA.Freq, c.frequency);
              if (c.disabled) {
                f.flag(FA.Disabled);
              }
              if (c.noIR) {
                f.flag(FA.NoIR);
              }
              if (c.radar) {
                f.flag(FA.Radar).uint32(FA.DFSState, 0);
              }
              f.uint32(FA.MaxTXPower, Math.round((c.maxPowerDbm ?? 20) * 100));
            })
          ));
        x.nested(BA.Rates, (rs) =>
          (b.bitrates ?? []).forEach((mbps, i) =>
            rs.nested(i, (r) => {
              r.uint32(RA.Rate, Math.round(mbps * 10));
              if (b.band === 0 && mbps > 1 && mbps <= 11) {
                r.flag(RA.Band2GHzShortpreamble);
              }
            })
          ));
      }));
  const combos = (e: AttributeEncoder) =>
    e.nested(A.InterfaceCombinations, (cs) =>
      cs.nested(1, (c) => {
        c.nested(CA.Limits, (ls) => {
          ls.nested(1, (l) =>
            l.uint32(LA.Max, 1).nested(LA.Types, (t) =>
              t.flag(InterfaceType.Station)));
          ls.nested(2, (l) =>
            l.uint32(LA.Max, 1).nested(LA.Types, (t) =>
              t.flag(InterfaceType.AP).flag(InterfaceType.P2PClient).flag(
                InterfaceType.P2PGO,
              )));
        });
        c.uint32(CA.Maxnum, 2).uint32(CA.NumChannels, 1);
      }));
  if (!split) {
    const e = new AttributeEncoder();
    head(e);
    identity(e);
    // Without a split dump the kernel sends every band in one nest.
    e.nested(A.WiphyBands, (bands) => {
      for (const b of p.bands) {
        const one = new AttributeEncoder();
        band(one, b);
        // Re-nest: take the inner band attribute out of the single-band encoding.
        bands.raw(one.encode().subarray(4));
      }
    });
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
    band(e, b);
    out.push(e.encode());
  }
  const last = new AttributeEncoder();
  head(last);
  combos(last);
  out.push(last.encode());
  return out;
}

/** @internal */
export function encodeRegulatory(
  region: string,
  dfsRegion: number,
  rules: SimRegulatoryRuleSpec[],
): Uint8Array {
  return new AttributeEncoder()
    .string(A.RegAlpha2, region)
    .uint8(A.DFSRegion, dfsRegion)
    .nested(
      A.RegRules,
      (rs) =>
        rules.forEach((r, i) =>
          rs.nested(i + 1, (x) =>
            x.uint32(RR.RegRuleFlags, r.flags ?? 0)
              .uint32(RR.FreqRangeStart, r.startKHz)
              .uint32(RR.FreqRangeEnd, r.endKHz)
              .uint32(RR.FreqRangeMaxBW, r.maxBandwidthKHz)
              .uint32(RR.PowerRuleMaxAntGain, 0)
              .uint32(RR.PowerRuleMaxEirp, Math.round(r.maxEIRPDbm * 100)))
        ),
    )
    .encode();
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
