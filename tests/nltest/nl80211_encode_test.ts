// The nl80211 encoders beside their decoders in src/wifi (used by the
// simulated nl80211): each decodes back to what it encoded.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BSSStatus,
  ChannelWidth,
  decodeBSS,
  decodeInterface,
  decodePHYs,
  decodeRegulatoryDomain,
  decodeStationInfo,
  decodeSurveyInfo,
  type Interface,
  InterfaceType,
  type RegulatoryDomain,
  type SurveyInfo,
} from "../../src/wifi/mod.ts";
import { encodeInterface } from "../../src/wifi/interface.ts";
import { encodeBSS } from "../../src/wifi/bss.ts";
import { encodeStationInfo } from "../../src/wifi/station.ts";
import { encodeSurveyInfo } from "../../src/wifi/survey.ts";
import { encodeRegulatoryDomain } from "../../src/wifi/regulatory.ts";
import { encodePHY, type PHYDescription } from "../../src/wifi/phy.ts";

describe("nl80211 encoders (src/wifi)", () => {
  it("encodeInterface round-trips through decodeInterface", () => {
    const ifi: Interface = {
      index: 7,
      name: "wlan0",
      hardwareAddr: "02:00:00:00:07:01",
      phy: 1,
      device: 2 ** 40 + 3,
      type: InterfaceType.Station,
      frequency: 5180,
      channelWidth: ChannelWidth.Width80,
      centerFrequency1: 5210,
      txPowerDbm: 20.5,
      ssid: "café",
      ssidBytes: new TextEncoder().encode("café"),
      fourAddress: false,
      generation: 9,
    };
    assert.deepEqual(decodeInterface(encodeInterface(ifi)), ifi);
    const idle: Interface = { ...ifi, frequency: 0 };
    delete idle.centerFrequency1;
    delete idle.txPowerDbm;
    delete idle.ssid;
    delete idle.ssidBytes;
    delete idle.fourAddress;
    assert.deepEqual(decodeInterface(encodeInterface(idle)), {
      ...idle,
      channelWidth: ChannelWidth.Width20NoHT, // not sent without a channel
    });
    assert.throws(
      () => encodeInterface({ ...ifi, hardwareAddr: "nope" }),
      TypeError,
    );
  });

  it("encodeStationInfo round-trips the counters and rates", () => {
    const s = decodeStationInfo(encodeStationInfo({
      interfaceIndex: 3,
      hardwareAddr: "02:00:00:00:00:09",
      connectedSeconds: 30,
      inactiveMs: 12,
      receivedBytes: 2 ** 33 + 5,
      transmittedBytes: 77,
      receivedPackets: 4,
      transmittedPackets: 5,
      receiveBitrate: 54_000_000,
      transmitBitrate: 866_700_000,
      signal: -61,
      signalAverage: -60,
      transmitRetries: 1,
      transmitFailed: 2,
      beaconLoss: 3,
    }, 11))!;
    assert.equal(s.interfaceIndex, 3);
    assert.equal(s.hardwareAddr, "02:00:00:00:00:09");
    assert.equal(s.receivedBytes, 2 ** 33 + 5); // from the 64-bit counter
    assert.equal(s.transmittedBytes, 77);
    assert.equal(s.signal, -61);
    assert.equal(s.signalAverage, -60);
    assert.equal(s.transmitBitrate, 866_700_000);
    assert.equal(s.receiveBitrate, 54_000_000);
    assert.deepEqual(
      [
        s.connectedSeconds,
        s.inactiveMs,
        s.receivedPackets,
        s.transmittedPackets,
      ],
      [30, 12, 4, 5],
    );
    assert.deepEqual([s.transmitRetries, s.transmitFailed, s.beaconLoss], [
      1,
      2,
      3,
    ]);
  });

  it("encodeSurveyInfo round-trips through decodeSurveyInfo", () => {
    const s: SurveyInfo = {
      interfaceIndex: 3,
      frequency: 2412,
      noise: -95,
      inUse: true,
      channelTimeMs: 1000,
      channelTimeBusyMs: 100,
      channelTimeExtBusyMs: 0,
      channelTimeBssRxMs: 5,
      channelTimeRxMs: 50,
      channelTimeTxMs: 20,
      channelTimeScanMs: 0,
      frequencyOffsetKHz: 500,
    };
    assert.deepEqual(decodeSurveyInfo(encodeSurveyInfo(s)), s);
  });

  it("encodeRegulatoryDomain round-trips through decodeRegulatoryDomain", () => {
    const d: RegulatoryDomain = {
      region: "DE",
      dfsRegion: 2,
      rules: [
        {
          startKHz: 5250000,
          endKHz: 5330000,
          maxBandwidthKHz: 80000,
          maxAntennaGainDbi: 0,
          maxEIRPDbm: 20,
          flags: 0x800,
          dfsCACTimeMs: 60000,
        },
        {
          startKHz: 2400000,
          endKHz: 2483500,
          maxBandwidthKHz: 40000,
          maxAntennaGainDbi: 3,
          maxEIRPDbm: 20,
          flags: 0,
        },
      ],
    };
    assert.deepEqual(decodeRegulatoryDomain(encodeRegulatoryDomain(d)), d);
  });

  it("encodeBSS is what decodeBSS reads", () => {
    const ies = new Uint8Array([0, 4, 0x63, 0x61, 0x66, 0x65, 3, 1, 6]); // SSID "cafe", DS channel 6
    const bss = decodeBSS(encodeBSS({
      bssid: "02:00:00:00:01:01",
      frequency: 2437,
      tsf: 1_000_000n,
      beaconInterval: 100,
      capability: 0x0411,
      informationElements: ies,
      signal: -4500,
      lastSeenMs: 42,
      status: BSSStatus.Associated,
      interfaceIndex: 3,
      device: 1,
      generation: 2,
    }))!;
    assert.equal(bss.ssid, "cafe");
    assert.equal(bss.bssid, "02:00:00:00:01:01");
    assert.equal(bss.frequency, 2437);
    assert.equal(bss.tsf, 1_000_000n);
    assert.equal(bss.beaconIntervalMs, 102.4);
    assert.equal(bss.capability, 0x0411);
    assert.equal(bss.signal, -4500);
    assert.equal(bss.lastSeenMs, 42);
    assert.equal(bss.status, BSSStatus.Associated);
    assert.equal(bss.interfaceIndex, 3);
    assert.equal(bss.ies.dsChannel, 6);
  });

  it("encodePHY: a split dump and a single message decode to the same wiphy", () => {
    const p: PHYDescription = {
      index: 0,
      name: "phy0",
      generation: 1,
      supportedIftypes: [InterfaceType.Station, InterfaceType.AP],
      softwareIftypes: [InterfaceType.Monitor],
      maxScanSSIDs: 4,
      maxScanIELength: 2048,
      cipherSuites: [0x000fac04],
      extFeatures: [9],
      featureFlags: 0,
      supportedCommands: [1, 5],
      bands: [{
        band: 0,
        ht: {
          capabilities: 0x1ef,
          ampduFactor: 3,
          ampduDensity: 6,
          mcsSet: new Uint8Array(16).fill(0xff, 0, 2),
        },
        frequencies: [{ frequency: 2412, maxPowerDbm: 20 }, {
          frequency: 2484,
          maxPowerDbm: 20,
          disabled: true,
        }],
        bitrates: [{ mbps: 1 }, { mbps: 2, shortPreamble: true }],
      }, {
        band: 1,
        vht: { capabilities: 0x338001b2, mcsSet: new Uint8Array(8) },
        frequencies: [{ frequency: 5260, maxPowerDbm: 20, radar: true }],
        bitrates: [{ mbps: 6 }],
      }],
      interfaceCombinations: [{
        limits: [{ max: 1, types: [InterfaceType.Station] }],
        maxInterfaces: 1,
        channels: 1,
      }],
    };
    const split = encodePHY(p, true);
    assert.equal(split.length, 4); // identity, one message per band, combinations
    const [a] = decodePHYs(split);
    const [b] = decodePHYs(encodePHY(p, false));
    assert.deepEqual(a, b);
    assert.equal(a!.name, "phy0");
    assert.deepEqual(a!.bands.map((x) => x.band), [0, 1]);
    assert.deepEqual(a!.bands[0]!.frequencies.map((f) => f.frequency), [
      2412,
      2484,
    ]);
    assert.equal(a!.bands[0]!.frequencies[1]!.disabled, true);
    assert.equal(a!.bands[1]!.frequencies[0]!.radarDetection, true);
    assert.equal(a!.bands[1]!.frequencies[0]!.maxTxPowerDbm, 20);
    assert.deepEqual(a!.bands[0]!.bitrates.map((r) => r.mbps), [1, 2]);
    assert.deepEqual(a!.supportedCommands, [1, 5]);
  });
});
