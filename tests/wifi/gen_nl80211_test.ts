import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import {
  DEFAULT_HEADER,
  friendlyName,
  generate,
  parseEnums,
} from "../../tools/gen_nl80211.ts";
import {
  ChannelWidth,
  InterfaceType,
  Nl80211Attribute,
  Nl80211Command,
  Nl80211ExtFeature,
  Nl80211MulticastGroup,
} from "../../src/wifi/mod.ts";

const committed = new URL("../../src/wifi/nl80211.ts", import.meta.url);

describe("gen_nl80211", () => {
  it("regenerates src/wifi/nl80211.ts identically from the kernel header", {
    skip: !existsSync(DEFAULT_HEADER),
  }, () => {
    const want = readFileSync(committed, "utf8");
    assert.equal(generate(readFileSync(DEFAULT_HEADER, "utf8")), want);
  });

  it("evaluates implicit, explicit, aliased, shifted, suffixed and sentinel members", () => {
    const header = `
enum nl80211_commands {
  NL80211_CMD_UNSPEC,
  NL80211_CMD_A = 5, /* comment */
  NL80211_CMD_B,
  NL80211_CMD_C = NL80211_CMD_A,
  __NL80211_CMD_AFTER_LAST,
  NL80211_CMD_MAX = __NL80211_CMD_AFTER_LAST - 1
};
enum nl80211_scan_flags { NL80211_SCAN_FLAG_X = 1<<3, NL80211_SCAN_FLAG_Y = 0x10 | (1 << 5), NL80211_SCAN_FLAG_Z = 1U << 31 };`;
    const enums = parseEnums(header);
    assert.deepEqual(enums.get("nl80211_commands"), [
      { cName: "NL80211_CMD_UNSPEC", value: 0 },
      { cName: "NL80211_CMD_A", value: 5 },
      { cName: "NL80211_CMD_B", value: 6 },
      { cName: "NL80211_CMD_C", value: 5, aliasOf: "NL80211_CMD_A" },
      { cName: "__NL80211_CMD_AFTER_LAST", value: 6 },
      { cName: "NL80211_CMD_MAX", value: 5, sentinel: true },
    ]);
    assert.deepEqual(enums.get("nl80211_scan_flags")?.map((m) => m.value), [
      8,
      0x30,
      0x80000000,
    ]);
  });

  it("rejects a header without an enum the wifi layer needs", () => {
    assert.throws(
      () => generate(`#define NL80211_GENL_NAME "nl80211"`),
      /enum nl80211_commands is missing/,
    );
  });

  it("makes friendly names", () => {
    assert.equal(friendlyName("GET_WIPHY"), "GetWiphy");
    assert.equal(friendlyName("20_NOHT", "Width"), "Width20NoHT");
    assert.equal(friendlyName("0_8", "GI"), "GI0_8");
    assert.equal(
      friendlyName("4WAY_HANDSHAKE_STA_PSK"),
      "FourWayHandshakeSTAPSK",
    );
    assert.equal(friendlyName("RX_BYTES64"), "RXBytes64");
  });
});

describe("generated constants", () => {
  it("match the values the Go reference and vectors.md use", () => {
    assert.equal(Nl80211Command.GetWiphy, 1);
    assert.equal(Nl80211Command.GetInterface, 5);
    assert.equal(Nl80211Command.GetStation, 0x11);
    assert.equal(Nl80211Command.ReqSetReg, 0x1b);
    assert.equal(Nl80211Command.GetReg, 0x1f);
    assert.equal(Nl80211Command.GetScan, 0x20);
    assert.equal(Nl80211Command.TriggerScan, 0x21);
    assert.equal(Nl80211Command.NewScanResults, 0x22);
    assert.equal(Nl80211Command.ScanAborted, 0x23);
    assert.equal(Nl80211Command.Connect, 0x2e);
    assert.equal(Nl80211Command.Disconnect, 0x30);
    assert.equal(Nl80211Command.GetSurvey, 0x32);
    assert.equal(Nl80211Command.ReloadRegdb, 0x7e);
    assert.equal(Nl80211Command.NewBeacon, Nl80211Command.StartAP);
    assert.equal(Nl80211Attribute.Ifindex, 3);
    assert.equal(Nl80211Attribute.BSS, 0x2f);
    assert.equal(Nl80211Attribute.SSID, 0x34);
    assert.equal(Nl80211Attribute.SplitWiphyDump, 0xae);
    assert.equal(Nl80211Attribute.ExtFeatures, 0xd9);
    assert.equal(Nl80211Attribute.PMK, 0xfe);
    assert.equal(Nl80211Attribute.Want1xFourWayHs, 0x101);
    assert.equal(Nl80211Attribute.UserRegHintType, 0x9a);
    assert.equal(Nl80211Attribute.ChannelWidth, 0x9f);
    assert.equal(Nl80211ExtFeature.FourWayHandshakeSTAPSK, 15);
    assert.equal(InterfaceType.P2PDevice, 10);
    assert.equal(ChannelWidth.Width320, 13);
    assert.equal(Nl80211MulticastGroup.Scan, "scan");
  });
});
