/**
 * Stations (`NL80211_CMD_NEW_STATION` replies): the peers of an interface,
 * with counters, signal and transmit/receive rates.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import { HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { hexColon, parseHexColon } from "./_bytes.ts";
import { readCounter, readUint } from "./_attr.ts";
import {
  Nl80211Attribute as A,
  Nl80211RateInfo as R,
  Nl80211StationBSSParam as P,
  Nl80211StationFlag as F,
  Nl80211StationInfo as S,
} from "./nl80211.ts";

/**
 * A transmit or receive rate (`enum nl80211_rate_info`).
 *
 * @example The transmit rate of a station
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "ap0", stations: [{ mac: "02:00:00:00:aa:01", transmitBitrate: 144_400_000 }] }] }),
 * });
 * const [sta] = await client.stationInfo({ index: 1 });
 * assert.equal(sta?.transmitRate?.bitrate, 144_400_000);
 * ```
 */
export interface RateInfo {
  /** The bitrate in bit/s (`BITRATE32`, else `BITRATE`, × 100 kbit/s). */
  bitrate: number;
  /** The channel width in MHz the rate was used with (20 when no width flag is set). */
  widthMHz: number;
  /** `NL80211_RATE_INFO_SHORT_GI`: HT/VHT short guard interval. */
  shortGI: boolean;
  /** `NL80211_RATE_INFO_MCS`: the HT MCS index. */
  mcs?: number;
  /** `NL80211_RATE_INFO_VHT_MCS`. */
  vhtMCS?: number;
  /** `NL80211_RATE_INFO_VHT_NSS`. */
  vhtNSS?: number;
  /** `NL80211_RATE_INFO_HE_MCS`. */
  heMCS?: number;
  /** `NL80211_RATE_INFO_HE_NSS`. */
  heNSS?: number;
  /** `NL80211_RATE_INFO_HE_GI` (`Nl80211HEGuardInterval`). */
  heGI?: number;
  /** `NL80211_RATE_INFO_HE_DCM`. */
  heDCM?: number;
  /** `NL80211_RATE_INFO_HE_RU_ALLOC`. */
  heRUAlloc?: number;
  /** `NL80211_RATE_INFO_EHT_MCS`. */
  ehtMCS?: number;
  /** `NL80211_RATE_INFO_EHT_NSS`. */
  ehtNSS?: number;
  /** `NL80211_RATE_INFO_EHT_GI`. */
  ehtGI?: number;
}

/**
 * The station's view of the BSS (`NL80211_STA_INFO_BSS_PARAM`).
 *
 * @example Decoded from NL80211_STA_INFO_BSS_PARAM
 * ```ts
 * import { decodeStationInfo, Nl80211Attribute, Nl80211StationBSSParam, Nl80211StationInfo } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) =>
 *   s.nested(Nl80211StationInfo.BSSParam, (p) => p.flag(Nl80211StationBSSParam.ShortSlotTime).uint8(Nl80211StationBSSParam.DTIMPeriod, 2))
 * ).encode();
 * assert.deepEqual(decodeStationInfo(data)?.bssParam, { ctsProtection: false, shortPreamble: false, shortSlotTime: true, dtimPeriod: 2 });
 * ```
 */
export interface StationBSSParam {
  /** CTS protection enabled. */
  ctsProtection: boolean;
  /** Short preamble enabled. */
  shortPreamble: boolean;
  /** Short slot time enabled. */
  shortSlotTime: boolean;
  /** DTIM period. */
  dtimPeriod?: number;
  /** Beacon interval in time units. */
  beaconInterval?: number;
}

/**
 * Station flags from `NL80211_STA_INFO_STA_FLAGS`; a flag is present only when its mask bit is set.
 *
 * @example Only the flags in the mask are reported
 * ```ts
 * import { decodeStationInfo, Nl80211Attribute, Nl80211StationInfo } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const update = new Uint8Array(8);
 * const v = new DataView(update.buffer);
 * v.setUint32(0, 1 << 1, true); // mask: authorized (little-endian host)
 * v.setUint32(4, 1 << 1, true); // set: authorized
 * const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) => s.bytes(Nl80211StationInfo.STAFlags, update)).encode();
 * assert.deepEqual(decodeStationInfo(data)?.flags, { authorized: true });
 * ```
 */
export interface StationFlags {
  /** 802.1X authorized. */
  authorized?: boolean;
  /** Short preamble. */
  shortPreamble?: boolean;
  /** WME/QoS capable. */
  wme?: boolean;
  /** Management frame protection in use. */
  mfp?: boolean;
  /** Authenticated. */
  authenticated?: boolean;
  /** A TDLS peer. */
  tdlsPeer?: boolean;
  /** Associated. */
  associated?: boolean;
}

/**
 * A station (peer) of an interface, as `iw dev X station dump` shows it.
 * The fields of the Go reference are always present (0 when not reported);
 * the others only when the kernel sent them.
 *
 * @example The station of a simulated connection
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0", stations: [{ mac: "02:00:00:00:01:00", signal: -52, receivedBytes: 1000 }] }],
 *   }),
 * });
 * const [ifi] = await client.interfaces();
 * const [sta] = await client.stationInfo(ifi!);
 * assert.equal(sta?.signal, -52);
 * assert.equal(sta?.receivedBytes, 1000);
 * ```
 */
export interface StationInfo {
  /** `NL80211_ATTR_IFINDEX`. */
  interfaceIndex: number;
  /** `NL80211_ATTR_MAC`: the station's address. */
  hardwareAddr: string;
  /** `CONNECTED_TIME`: seconds since the station connected. */
  connectedSeconds: number;
  /** `INACTIVE_TIME`: milliseconds since the last activity. */
  inactiveMs: number;
  /** `RX_BYTES64` (or `RX_BYTES`). */
  receivedBytes: number;
  /** `TX_BYTES64` (or `TX_BYTES`). */
  transmittedBytes: number;
  /** `RX_PACKETS`. */
  receivedPackets: number;
  /** `TX_PACKETS`. */
  transmittedPackets: number;
  /** The receive bitrate in bit/s (from `RX_BITRATE`). */
  receiveBitrate: number;
  /** The transmit bitrate in bit/s (from `TX_BITRATE`). */
  transmitBitrate: number;
  /** `SIGNAL`: dBm of the last received frame. */
  signal: number;
  /** `SIGNAL_AVG`: average signal in dBm. */
  signalAverage: number;
  /** `TX_RETRIES`. */
  transmitRetries: number;
  /** `TX_FAILED`. */
  transmitFailed: number;
  /** `BEACON_LOSS`. */
  beaconLoss: number;
  /** `RX_BITRATE`: the full receive rate description. */
  receiveRate?: RateInfo;
  /** `TX_BITRATE`: the full transmit rate description. */
  transmitRate?: RateInfo;
  /** `CHAIN_SIGNAL`: per-antenna signal in dBm. */
  chainSignal?: number[];
  /** `CHAIN_SIGNAL_AVG`: per-antenna average signal in dBm. */
  chainSignalAverage?: number[];
  /** `EXPECTED_THROUGHPUT` in kbit/s. */
  expectedThroughputKbps?: number;
  /** `BEACON_RX`: beacons received from this peer. */
  beaconsReceived?: number;
  /** `BEACON_SIGNAL_AVG` in dBm. */
  beaconSignalAverage?: number;
  /** `RX_DROP_MISC`. */
  receiveDropped?: number;
  /** `RX_DURATION` in µs. */
  receiveDurationUs?: number;
  /** `TX_DURATION` in µs. */
  transmitDurationUs?: number;
  /** `ACK_SIGNAL` in dBm. */
  ackSignal?: number;
  /** `BSS_PARAM`. */
  bssParam?: StationBSSParam;
  /** `STA_FLAGS`. */
  flags?: StationFlags;
  /** `ASSOC_AT_BOOTTIME` in ns (CLOCK_BOOTTIME). */
  associatedAtBoottimeNs?: bigint;
}

function signed8(v: number): number {
  return (v << 24) >> 24;
}

/**
 * Decodes a rate info nest (`NL80211_STA_INFO_TX_BITRATE` / `RX_BITRATE`).
 *
 * @param d A decoder over the nest's payload.
 * @returns The rate.
 * @throws {RangeError} If an attribute has the wrong size.
 */
function decodeRateInfo(d: AttributeDecoder): RateInfo {
  const r: RateInfo = { bitrate: 0, widthMHz: 20, shortGI: false };
  let bitrate16 = 0;
  let bitrate32 = 0;
  while (d.next()) {
    switch (d.type) {
      case R.Bitrate:
        bitrate16 = d.uint16();
        break;
      case R.Bitrate32:
        bitrate32 = d.uint32();
        break;
      case R.MCS:
        r.mcs = d.uint8();
        break;
      case R.ShortGI:
        r.shortGI = true;
        break;
      case R.Rate40MHzWidth:
        r.widthMHz = 40;
        break;
      case R.Rate80MHzWidth:
        r.widthMHz = 80;
        break;
      case R.Rate80P80MHzWidth:
      case R.Rate160MHzWidth:
        r.widthMHz = 160;
        break;
      case R.Rate320MHzWidth:
        r.widthMHz = 320;
        break;
      case R.Rate10MHzWidth:
        r.widthMHz = 10;
        break;
      case R.Rate5MHzWidth:
        r.widthMHz = 5;
        break;
      case R.VHTMCS:
        r.vhtMCS = d.uint8();
        break;
      case R.VHTNSS:
        r.vhtNSS = d.uint8();
        break;
      case R.HEMCS:
        r.heMCS = d.uint8();
        break;
      case R.HENSS:
        r.heNSS = d.uint8();
        break;
      case R.HEGI:
        r.heGI = d.uint8();
        break;
      case R.HEDCM:
        r.heDCM = d.uint8();
        break;
      case R.HERUAlloc:
        r.heRUAlloc = d.uint8();
        break;
      case R.EHTMCS:
        r.ehtMCS = d.uint8();
        break;
      case R.EHTNSS:
        r.ehtNSS = d.uint8();
        break;
      case R.EHTGI:
        r.ehtGI = d.uint8();
        break;
    }
  }
  r.bitrate = (bitrate32 || bitrate16) * 100_000;
  return r;
}

function signals(d: AttributeDecoder): number[] {
  const out: number[] = [];
  const c = d.decoder();
  while (c.next()) out.push(signed8(c.uint8()));
  return out;
}

function decodeBSSParam(d: AttributeDecoder): StationBSSParam {
  const p: StationBSSParam = {
    ctsProtection: false,
    shortPreamble: false,
    shortSlotTime: false,
  };
  while (d.next()) {
    switch (d.type) {
      case P.CTSProt:
        p.ctsProtection = true;
        break;
      case P.ShortPreamble:
        p.shortPreamble = true;
        break;
      case P.ShortSlotTime:
        p.shortSlotTime = true;
        break;
      case P.DTIMPeriod:
        p.dtimPeriod = d.uint8();
        break;
      case P.BeaconInterval:
        p.beaconInterval = d.uint16();
        break;
    }
  }
  return p;
}

const FLAG_NAMES: [number, keyof StationFlags][] = [
  [F.Authorized, "authorized"],
  [F.ShortPreamble, "shortPreamble"],
  [F.Wme, "wme"],
  [F.MFP, "mfp"],
  [F.Authenticated, "authenticated"],
  [F.TDLSPeer, "tdlsPeer"],
  [F.Associated, "associated"],
];

function decodeFlags(b: Uint8Array): StationFlags {
  if (b.length < 8) {
    throw new RangeError(
      `Cannot decode station flags: ${b.length} bytes, want 8`,
    );
  }
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const mask = v.getUint32(0, HOST_LITTLE_ENDIAN);
  const set = v.getUint32(4, HOST_LITTLE_ENDIAN);
  const f: StationFlags = {};
  for (const [bit, name] of FLAG_NAMES) {
    if (mask & (1 << bit)) f[name] = (set & (1 << bit)) !== 0;
  }
  return f;
}

function decodeStaInfo(d: AttributeDecoder, s: StationInfo): void {
  let rx32 = 0;
  let tx32 = 0;
  let rx64 = -1;
  let tx64 = -1;
  while (d.next()) {
    switch (d.type) {
      case S.ConnectedTime:
        s.connectedSeconds = d.uint32();
        break;
      case S.InactiveTime:
        s.inactiveMs = d.uint32();
        break;
      case S.RXBytes:
        rx32 = d.uint32();
        break;
      case S.TXBytes:
        tx32 = d.uint32();
        break;
      case S.RXBytes64:
        rx64 = Number(d.uint64());
        break;
      case S.TXBytes64:
        tx64 = Number(d.uint64());
        break;
      case S.RXPackets:
        s.receivedPackets = d.uint32();
        break;
      case S.TXPackets:
        s.transmittedPackets = d.uint32();
        break;
      case S.Signal:
        s.signal = signed8(d.uint8());
        break;
      case S.SignalAvg:
        s.signalAverage = signed8(d.uint8());
        break;
      case S.TXRetries:
        s.transmitRetries = d.uint32();
        break;
      case S.TXFailed:
        s.transmitFailed = d.uint32();
        break;
      case S.BeaconLoss:
        s.beaconLoss = d.uint32();
        break;
      case S.RXBitrate:
        s.receiveRate = decodeRateInfo(d.decoder());
        s.receiveBitrate = s.receiveRate.bitrate;
        break;
      case S.TXBitrate:
        s.transmitRate = decodeRateInfo(d.decoder());
        s.transmitBitrate = s.transmitRate.bitrate;
        break;
      case S.ChainSignal:
        s.chainSignal = signals(d);
        break;
      case S.ChainSignalAvg:
        s.chainSignalAverage = signals(d);
        break;
      case S.ExpectedThroughput:
        s.expectedThroughputKbps = d.uint32();
        break;
      case S.BeaconRX:
        s.beaconsReceived = readCounter(d);
        break;
      case S.BeaconSignalAvg:
        s.beaconSignalAverage = signed8(d.uint8());
        break;
      case S.RXDropMisc:
        s.receiveDropped = readCounter(d);
        break;
      case S.RXDuration:
        s.receiveDurationUs = readCounter(d);
        break;
      case S.TXDuration:
        s.transmitDurationUs = readCounter(d);
        break;
      case S.ACKSignal:
        s.ackSignal = signed8(readUint(d));
        break;
      case S.BSSParam:
        s.bssParam = decodeBSSParam(d.decoder());
        break;
      case S.STAFlags:
        s.flags = decodeFlags(d.view());
        break;
      case S.AssocAtBoottime:
        s.associatedAtBoottimeNs = d.uint64();
        break;
    }
  }
  s.receivedBytes = rx64 >= 0 ? rx64 : rx32;
  s.transmittedBytes = tx64 >= 0 ? tx64 : tx32;
}

/**
 * Decodes a station message (`NL80211_CMD_NEW_STATION`). Returns undefined
 * when the message has no `NL80211_ATTR_STA_INFO`.
 *
 * @param data The generic netlink payload after the 4-byte genl header.
 * @returns The station, or undefined.
 * @throws {RangeError} If an attribute is truncated or has the wrong size.
 *
 * @example Using decodeStationInfo
 * ```ts
 * import { decodeStationInfo, Nl80211Attribute, Nl80211StationInfo } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder()
 *   .uint32(Nl80211Attribute.Ifindex, 3)
 *   .nested(Nl80211Attribute.STAInfo, (e) => e.uint8(Nl80211StationInfo.Signal, 0xce))
 *   .encode();
 * assert.equal(decodeStationInfo(data)?.signal, -50);
 * ```
 */
export function decodeStationInfo(data: Uint8Array): StationInfo | undefined {
  const s: StationInfo = {
    interfaceIndex: 0,
    hardwareAddr: "",
    connectedSeconds: 0,
    inactiveMs: 0,
    receivedBytes: 0,
    transmittedBytes: 0,
    receivedPackets: 0,
    transmittedPackets: 0,
    receiveBitrate: 0,
    transmitBitrate: 0,
    signal: 0,
    signalAverage: 0,
    transmitRetries: 0,
    transmitFailed: 0,
    beaconLoss: 0,
  };
  let found = false;
  const d = new AttributeDecoder(data);
  while (d.next()) {
    switch (d.type) {
      case A.Ifindex:
        s.interfaceIndex = d.uint32();
        break;
      case A.MAC:
        s.hardwareAddr = hexColon(d.view());
        break;
      case A.STAInfo:
        found = true;
        decodeStaInfo(d.decoder(), s);
        break;
    }
  }
  return found ? s : undefined;
}

/**
 * Encodes a station as the kernel sends it (`NL80211_CMD_NEW_STATION`), the
 * inverse of {@linkcode decodeStationInfo} for the counters every driver
 * reports: the interface, the address, the generation when given, then in
 * `NL80211_ATTR_STA_INFO` the inactive and connected times, bytes (32- and
 * 64-bit), packets, signal and its average, retries, failures, beacon
 * losses and the transmit and receive bitrates (`NL80211_RATE_INFO_BITRATE32`).
 *
 * @internal Used by nltest's simulated nl80211.
 * @param s The station.
 * @param generation `NL80211_ATTR_GENERATION`, when the dump has one.
 * @returns The attributes (the genl payload after the 4-byte header).
 * @throws {TypeError} If `hardwareAddr` is not colon-separated hex.
 */
export function encodeStationInfo(
  s: StationInfo,
  generation?: number,
): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder()
    .uint32(A.Ifindex, s.interfaceIndex)
    .bytes(A.MAC, parseHexColon(s.hardwareAddr));
  if (generation !== undefined) e.uint32(A.Generation, generation);
  const rate = (x: AttributeEncoder, type: number, bitrate: number) =>
    x.nested(
      type,
      (r) => r.uint32(R.Bitrate32, Math.round(bitrate / 100_000)),
    );
  return e.nested(A.STAInfo, (x) => {
    x.uint32(S.InactiveTime, s.inactiveMs)
      .uint32(S.RXBytes, s.receivedBytes % 2 ** 32)
      .uint32(S.TXBytes, s.transmittedBytes % 2 ** 32)
      .uint64(S.RXBytes64, BigInt(s.receivedBytes))
      .uint64(S.TXBytes64, BigInt(s.transmittedBytes))
      .uint8(S.Signal, s.signal & 0xff)
      .uint8(S.SignalAvg, s.signalAverage & 0xff)
      .uint32(S.RXPackets, s.receivedPackets)
      .uint32(S.TXPackets, s.transmittedPackets)
      .uint32(S.TXRetries, s.transmitRetries)
      .uint32(S.TXFailed, s.transmitFailed)
      .uint32(S.BeaconLoss, s.beaconLoss)
      .uint32(S.ConnectedTime, s.connectedSeconds);
    rate(x, S.TXBitrate, s.transmitBitrate);
    rate(x, S.RXBitrate, s.receiveBitrate);
  }).encode();
}
