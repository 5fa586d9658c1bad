/**
 * Generates `src/wifi/nl80211.ts` from the kernel's `linux/nl80211.h`.
 *
 * Usage (either runtime):
 *
 * ```sh
 * node_modules/.bin/deno run --allow-read --allow-write tools/gen_nl80211.ts [header] [output]
 * node_modules/.bin/bun tools/gen_nl80211.ts [header] [output]
 * ```
 *
 * The defaults are `/usr/include/linux/nl80211.h` and `src/wifi/nl80211.ts`.
 * The output is committed; `tests/wifi/gen_nl80211_test.ts` regenerates it
 * and compares when the header is present. The generator is pure
 * ({@linkcode generate} maps header text to file text) and its output is
 * already `deno fmt` clean.
 *
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";

/** Where the generator reads the header by default. */
export const DEFAULT_HEADER = "/usr/include/linux/nl80211.h";
/** Where the generator writes by default (relative to the repository root). */
export const DEFAULT_OUTPUT = "src/wifi/nl80211.ts";

/** One kernel enum to export as an `as const` object. */
interface EnumSpec {
  /** The C enum name (`nl80211_commands`). */
  cName: string;
  /** The exported TypeScript name. */
  tsName: string;
  /** The prefix stripped from member names. */
  prefix: string;
  /** Prepended to a friendly name that would start with a digit. */
  digitPrefix?: string;
  /** A summary for the object's doc comment. */
  summary: string;
}

// The enums the wifi layer uses, in output order.
const ENUMS: EnumSpec[] = [
  {
    cName: "nl80211_commands",
    tsName: "Nl80211Command",
    prefix: "NL80211_CMD_",
    summary: "nl80211 generic netlink commands",
  },
  {
    cName: "nl80211_attrs",
    tsName: "Nl80211Attribute",
    prefix: "NL80211_ATTR_",
    summary: "Top-level nl80211 attributes",
  },
  {
    cName: "nl80211_iftype",
    tsName: "InterfaceType",
    prefix: "NL80211_IFTYPE_",
    summary: "Virtual interface types",
  },
  {
    cName: "nl80211_chan_width",
    tsName: "ChannelWidth",
    prefix: "NL80211_CHAN_WIDTH_",
    digitPrefix: "Width",
    summary: "Channel widths",
  },
  {
    cName: "nl80211_channel_type",
    tsName: "Nl80211ChannelType",
    prefix: "NL80211_CHAN_",
    summary: "Legacy channel types (HT20/HT40)",
  },
  {
    cName: "nl80211_bss",
    tsName: "Nl80211BSSAttribute",
    prefix: "NL80211_BSS_",
    summary: "Attributes nested in `NL80211_ATTR_BSS` (scan results)",
  },
  {
    cName: "nl80211_bss_status",
    tsName: "BSSStatus",
    prefix: "NL80211_BSS_STATUS_",
    summary:
      "The interface's status with respect to a BSS (`NL80211_BSS_STATUS`)",
  },
  {
    cName: "nl80211_sta_info",
    tsName: "Nl80211StationInfo",
    prefix: "NL80211_STA_INFO_",
    summary: "Attributes nested in `NL80211_ATTR_STA_INFO`",
  },
  {
    cName: "nl80211_sta_flags",
    tsName: "Nl80211StationFlag",
    prefix: "NL80211_STA_FLAG_",
    summary: "Station flags (bit numbers in `struct nl80211_sta_flag_update`)",
  },
  {
    cName: "nl80211_sta_bss_param",
    tsName: "Nl80211StationBSSParam",
    prefix: "NL80211_STA_BSS_PARAM_",
    summary: "Attributes nested in `NL80211_STA_INFO_BSS_PARAM`",
  },
  {
    cName: "nl80211_rate_info",
    tsName: "Nl80211RateInfo",
    prefix: "NL80211_RATE_INFO_",
    digitPrefix: "Rate",
    summary:
      "Attributes nested in station rate info (`NL80211_STA_INFO_TX_BITRATE`, `RX_BITRATE`)",
  },
  {
    cName: "nl80211_he_gi",
    tsName: "Nl80211HEGuardInterval",
    prefix: "NL80211_RATE_INFO_HE_GI_",
    digitPrefix: "GI",
    summary: "HE guard intervals (`NL80211_RATE_INFO_HE_GI`)",
  },
  {
    cName: "nl80211_eht_gi",
    tsName: "Nl80211EHTGuardInterval",
    prefix: "NL80211_RATE_INFO_EHT_GI_",
    digitPrefix: "GI",
    summary: "EHT guard intervals (`NL80211_RATE_INFO_EHT_GI`)",
  },
  {
    cName: "nl80211_survey_info",
    tsName: "Nl80211SurveyInfo",
    prefix: "NL80211_SURVEY_INFO_",
    summary: "Attributes nested in `NL80211_ATTR_SURVEY_INFO`",
  },
  {
    cName: "nl80211_band",
    tsName: "Nl80211Band",
    prefix: "NL80211_BAND_",
    digitPrefix: "Band",
    summary:
      "Frequency bands (the attribute types inside `NL80211_ATTR_WIPHY_BANDS`)",
  },
  {
    cName: "nl80211_band_attr",
    tsName: "Nl80211BandAttribute",
    prefix: "NL80211_BAND_ATTR_",
    summary: "Attributes of one band inside `NL80211_ATTR_WIPHY_BANDS`",
  },
  {
    cName: "nl80211_band_iftype_attr",
    tsName: "Nl80211BandInterfaceTypeAttribute",
    prefix: "NL80211_BAND_IFTYPE_ATTR_",
    summary:
      "Per-interface-type band data (`NL80211_BAND_ATTR_IFTYPE_DATA`): HE/EHT capabilities",
  },
  {
    cName: "nl80211_frequency_attr",
    tsName: "Nl80211FrequencyAttribute",
    prefix: "NL80211_FREQUENCY_ATTR_",
    digitPrefix: "Allow",
    summary: "Attributes of one channel inside `NL80211_BAND_ATTR_FREQS`",
  },
  {
    cName: "nl80211_dfs_state",
    tsName: "Nl80211DFSState",
    prefix: "NL80211_DFS_",
    summary: "DFS states of a channel (`NL80211_FREQUENCY_ATTR_DFS_STATE`)",
  },
  {
    cName: "nl80211_bitrate_attr",
    tsName: "Nl80211BitrateAttribute",
    prefix: "NL80211_BITRATE_ATTR_",
    digitPrefix: "Band",
    summary: "Attributes of one bitrate inside `NL80211_BAND_ATTR_RATES`",
  },
  {
    cName: "nl80211_if_combination_attrs",
    tsName: "Nl80211InterfaceCombinationAttribute",
    prefix: "NL80211_IFACE_COMB_",
    summary:
      "Attributes of one interface combination (`NL80211_ATTR_INTERFACE_COMBINATIONS`)",
  },
  {
    cName: "nl80211_iface_limit_attrs",
    tsName: "Nl80211InterfaceLimitAttribute",
    prefix: "NL80211_IFACE_LIMIT_",
    summary: "Attributes of one limit inside `NL80211_IFACE_COMB_LIMITS`",
  },
  {
    cName: "nl80211_reg_initiator",
    tsName: "Nl80211RegulatoryInitiator",
    prefix: "NL80211_REGDOM_SET_BY_",
    summary: "Who asked for a regulatory change (`NL80211_ATTR_REG_INITIATOR`)",
  },
  {
    cName: "nl80211_reg_type",
    tsName: "Nl80211RegulatoryType",
    prefix: "NL80211_REGDOM_TYPE_",
    summary: "Regulatory domain types (`NL80211_ATTR_REG_TYPE`)",
  },
  {
    cName: "nl80211_reg_rule_attr",
    tsName: "Nl80211RegulatoryRuleAttribute",
    prefix: "NL80211_ATTR_",
    summary: "Attributes of one rule inside `NL80211_ATTR_REG_RULES`",
  },
  {
    cName: "nl80211_reg_rule_flags",
    tsName: "Nl80211RegulatoryRuleFlags",
    prefix: "NL80211_RRF_",
    summary: "Regulatory rule flags (`NL80211_ATTR_REG_RULE_FLAGS`, bit masks)",
  },
  {
    cName: "nl80211_dfs_regions",
    tsName: "Nl80211DFSRegion",
    prefix: "NL80211_DFS_",
    summary: "DFS regions (`NL80211_ATTR_DFS_REGION`)",
  },
  {
    cName: "nl80211_user_reg_hint_type",
    tsName: "RegulatoryHint",
    prefix: "NL80211_USER_REG_HINT_",
    summary:
      "Hint types for a user regulatory request (`NL80211_ATTR_USER_REG_HINT_TYPE`)",
  },
  {
    cName: "nl80211_auth_type",
    tsName: "Nl80211AuthType",
    prefix: "NL80211_AUTHTYPE_",
    summary: "Authentication types (`NL80211_ATTR_AUTH_TYPE`)",
  },
  {
    cName: "nl80211_wpa_versions",
    tsName: "Nl80211WPAVersion",
    prefix: "NL80211_WPA_VERSION_",
    digitPrefix: "WPA",
    summary: "WPA versions (`NL80211_ATTR_WPA_VERSIONS`, bit masks)",
  },
  {
    cName: "nl80211_mfp",
    tsName: "Nl80211MFP",
    prefix: "NL80211_MFP_",
    summary: "Management frame protection settings (`NL80211_ATTR_USE_MFP`)",
  },
  {
    cName: "nl80211_scan_flags",
    tsName: "Nl80211ScanFlags",
    prefix: "NL80211_SCAN_FLAG_",
    summary: "Scan request flags (`NL80211_ATTR_SCAN_FLAGS`, bit masks)",
  },
  {
    cName: "nl80211_feature_flags",
    tsName: "Nl80211FeatureFlags",
    prefix: "NL80211_FEATURE_",
    summary: "Device feature flags (`NL80211_ATTR_FEATURE_FLAGS`, bit masks)",
  },
  {
    cName: "nl80211_ext_feature_index",
    tsName: "Nl80211ExtFeature",
    prefix: "NL80211_EXT_FEATURE_",
    digitPrefix: "Ext",
    summary:
      "Extended feature bit numbers (`NL80211_ATTR_EXT_FEATURES` is a bitmap indexed by these)",
  },
];

// Runnable examples for the enums' objects: on the simulated nl80211, or
// decoding attributes built with the constants. Enums without an entry get
// an example comparing members with their kernel values (see `generate`).
const ASSERT = 'import assert from "node:assert/strict";';
const SIM_IMPORTS = [
  'import { nl80211 } from "@nlkit/netlink/nltest";',
  ASSERT,
  "",
];
const ENCODER_IMPORTS = [
  'import { AttributeEncoder } from "@nlkit/netlink/netlink";',
  ASSERT,
  "",
];
interface Example {
  title: string;
  code: string[];
}
const EXAMPLES: Record<string, Example> = {
  Nl80211Command: {
    title: "The command of a notification",
    code: [
      'import { Client, Nl80211Command } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({ conn: nl80211.dial({}) });",
      "const events = client.events();",
      'await client.setRegulatoryRegion("NZ");',
      "assert.equal((await events.next()).value?.command, Nl80211Command.RegChange);",
      "await events.return?.();",
    ],
  },
  Nl80211Attribute: {
    title: "Build an nl80211 request's attributes",
    code: [
      'import { Nl80211Attribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const attrs = new AttributeEncoder().uint32(Nl80211Attribute.Ifindex, 3).encode();",
      "assert.deepEqual([...attrs], [8, 0, 3, 0, 3, 0, 0, 0]);",
    ],
  },
  InterfaceType: {
    title: "Tell stations from access points",
    code: [
      'import { Client, InterfaceType } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      'await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "ap0", type: InterfaceType.AP }] }) });',
      "assert.equal((await client.interfaces())[0]?.type, InterfaceType.AP);",
    ],
  },
  ChannelWidth: {
    title: "The width of the current channel",
    code: [
      'import { ChannelWidth, Client } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({",
      '  conn: nl80211.dial({ interfaces: [{ name: "wlan0", connectedTo: "ap" }], accessPoints: [{ ssid: "ap" }] }),',
      "});",
      "assert.equal((await client.interfaces())[0]?.channelWidth, ChannelWidth.Width20);",
    ],
  },
  Nl80211BSSAttribute: {
    title: "Decode a scan result",
    code: [
      'import { decodeBSS, Nl80211Attribute, Nl80211BSSAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.BSS, (e) => {",
      "  e.uint32(Nl80211BSSAttribute.Frequency, 5180).int32(Nl80211BSSAttribute.SignalMBM, -6000);",
      "}).encode();",
      "const bss = decodeBSS(data);",
      "assert.deepEqual([bss?.frequency, bss?.signal], [5180, -6000]);",
    ],
  },
  BSSStatus: {
    title: "The associated BSS",
    code: [
      'import { BSSStatus, Client } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({",
      '  conn: nl80211.dial({ interfaces: [{ name: "wlan0", connectedTo: "ap" }], accessPoints: [{ ssid: "ap" }] }),',
      "});",
      "assert.equal((await client.bss({ index: 1 })).status, BSSStatus.Associated);",
    ],
  },
  Nl80211StationInfo: {
    title: "Decode a station's signal and traffic",
    code: [
      'import { decodeStationInfo, Nl80211Attribute, Nl80211StationInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) => {",
      "  s.int8(Nl80211StationInfo.Signal, -52).uint32(Nl80211StationInfo.RXBytes, 1000);",
      "}).encode();",
      "const sta = decodeStationInfo(data);",
      "assert.deepEqual([sta?.signal, sta?.receivedBytes], [-52, 1000]);",
    ],
  },
  Nl80211StationFlag: {
    title: "Bits of struct nl80211_sta_flag_update",
    code: [
      'import { decodeStationInfo, Nl80211Attribute, Nl80211StationFlag, Nl80211StationInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const update = new Uint8Array(8);",
      "const view = new DataView(update.buffer);",
      "view.setUint32(0, 1 << Nl80211StationFlag.Authorized, true); // mask (little-endian host)",
      "view.setUint32(4, 1 << Nl80211StationFlag.Authorized, true); // set",
      "const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) => s.bytes(Nl80211StationInfo.STAFlags, update)).encode();",
      "assert.deepEqual(decodeStationInfo(data)?.flags, { authorized: true });",
    ],
  },
  Nl80211StationBSSParam: {
    title: "Decode the BSS parameters of a station",
    code: [
      'import { decodeStationInfo, Nl80211Attribute, Nl80211StationBSSParam, Nl80211StationInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) =>",
      "  s.nested(Nl80211StationInfo.BSSParam, (p) => p.uint8(Nl80211StationBSSParam.DTIMPeriod, 3).uint16(Nl80211StationBSSParam.BeaconInterval, 100))",
      ").encode();",
      "const param = decodeStationInfo(data)?.bssParam;",
      "assert.deepEqual([param?.dtimPeriod, param?.beaconInterval], [3, 100]);",
    ],
  },
  Nl80211RateInfo: {
    title: "Decode a VHT transmit rate",
    code: [
      'import { decodeStationInfo, Nl80211Attribute, Nl80211RateInfo, Nl80211StationInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) =>",
      "  s.nested(Nl80211StationInfo.TXBitrate, (r) =>",
      "    r.uint32(Nl80211RateInfo.Bitrate32, 4333).uint8(Nl80211RateInfo.VHTMCS, 9).flag(Nl80211RateInfo.Rate80MHzWidth))",
      ").encode();",
      "const rate = decodeStationInfo(data)?.transmitRate;",
      "assert.deepEqual([rate?.bitrate, rate?.widthMHz, rate?.vhtMCS], [433_300_000, 80, 9]);",
    ],
  },
  Nl80211HEGuardInterval: {
    title: "The guard interval of an HE rate",
    code: [
      'import { decodeStationInfo, Nl80211Attribute, Nl80211HEGuardInterval, Nl80211RateInfo, Nl80211StationInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) =>",
      "  s.nested(Nl80211StationInfo.RXBitrate, (r) =>",
      "    r.uint32(Nl80211RateInfo.Bitrate32, 5764).uint8(Nl80211RateInfo.HEMCS, 11).uint8(Nl80211RateInfo.HEGI, Nl80211HEGuardInterval.GI1_6))",
      ").encode();",
      "assert.equal(decodeStationInfo(data)?.receiveRate?.heGI, Nl80211HEGuardInterval.GI1_6);",
    ],
  },
  Nl80211EHTGuardInterval: {
    title: "The guard interval of an EHT rate",
    code: [
      'import { decodeStationInfo, Nl80211Attribute, Nl80211EHTGuardInterval, Nl80211RateInfo, Nl80211StationInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.STAInfo, (s) =>",
      "  s.nested(Nl80211StationInfo.TXBitrate, (r) =>",
      "    r.uint32(Nl80211RateInfo.Bitrate32, 6882).uint8(Nl80211RateInfo.EHTMCS, 13).uint8(Nl80211RateInfo.EHTGI, Nl80211EHTGuardInterval.GI3_2))",
      ").encode();",
      "assert.equal(decodeStationInfo(data)?.transmitRate?.ehtGI, Nl80211EHTGuardInterval.GI3_2);",
    ],
  },
  Nl80211SurveyInfo: {
    title: "Decode the survey of a channel",
    code: [
      'import { decodeSurveyInfo, Nl80211Attribute, Nl80211SurveyInfo } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().nested(Nl80211Attribute.SurveyInfo, (e) => {",
      "  e.uint32(Nl80211SurveyInfo.Frequency, 2412).int8(Nl80211SurveyInfo.Noise, -95).flag(Nl80211SurveyInfo.InUse);",
      "}).encode();",
      "const survey = decodeSurveyInfo(data);",
      "assert.deepEqual([survey?.frequency, survey?.noise, survey?.inUse], [2412, -95, true]);",
    ],
  },
  Nl80211Band: {
    title: "The bands of a simulated PHY",
    code: [
      'import { Client, Nl80211Band } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({ conn: nl80211.dial({}) });",
      "const [phy] = await client.phys();",
      "assert.deepEqual(phy!.bands.map((b) => b.band), [Nl80211Band.Band2GHz, Nl80211Band.Band5GHz]);",
    ],
  },
  Nl80211BandAttribute: {
    title: "Decode the rates of a band",
    code: [
      'import { decodePHYs, Nl80211Attribute, Nl80211Band, Nl80211BandAttribute, Nl80211BitrateAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.WiphyBands, (bands) =>",
      "  bands.nested(Nl80211Band.Band5GHz, (band) =>",
      "    band.nested(Nl80211BandAttribute.Rates, (rates) => rates.nested(0, (r) => r.uint32(Nl80211BitrateAttribute.Rate, 60))))",
      ").encode();",
      "const [phy] = decodePHYs([data]);",
      "assert.deepEqual(phy!.bands[0]!.bitrates.map((r) => r.mbps), [6]);",
    ],
  },
  Nl80211BandInterfaceTypeAttribute: {
    title: "The interface types of a band's capabilities",
    code: [
      'import { decodePHYs, InterfaceType, Nl80211Attribute, Nl80211Band, Nl80211BandAttribute, Nl80211BandInterfaceTypeAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.WiphyBands, (bands) =>",
      "  bands.nested(Nl80211Band.Band5GHz, (band) =>",
      "    band.nested(Nl80211BandAttribute.IftypeData, (list) =>",
      "      list.nested(1, (d) => d.nested(Nl80211BandInterfaceTypeAttribute.Iftypes, (t) => t.flag(InterfaceType.Station)))))",
      ").encode();",
      "const [entry] = decodePHYs([data])[0]!.bands[0]!.interfaceTypeData;",
      "assert.deepEqual(entry?.interfaceTypes, [InterfaceType.Station]);",
    ],
  },
  Nl80211FrequencyAttribute: {
    title: "Decode a radar channel",
    code: [
      'import { decodePHYs, Nl80211Attribute, Nl80211Band, Nl80211BandAttribute, Nl80211FrequencyAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.WiphyBands, (bands) =>",
      "  bands.nested(Nl80211Band.Band5GHz, (band) =>",
      "    band.nested(Nl80211BandAttribute.Freqs, (freqs) =>",
      "      freqs.nested(0, (f) => f.uint32(Nl80211FrequencyAttribute.Freq, 5260).flag(Nl80211FrequencyAttribute.Radar))))",
      ").encode();",
      "const [channel] = decodePHYs([data])[0]!.bands[0]!.frequencies;",
      "assert.deepEqual([channel?.frequency, channel?.radarDetection], [5260, true]);",
    ],
  },
  Nl80211DFSState: {
    title: "The DFS state of a channel",
    code: [
      'import { decodePHYs, Nl80211Attribute, Nl80211Band, Nl80211BandAttribute, Nl80211DFSState, Nl80211FrequencyAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.WiphyBands, (bands) =>",
      "  bands.nested(Nl80211Band.Band5GHz, (band) =>",
      "    band.nested(Nl80211BandAttribute.Freqs, (freqs) =>",
      "      freqs.nested(0, (f) => f.uint32(Nl80211FrequencyAttribute.Freq, 5260).uint32(Nl80211FrequencyAttribute.DFSState, Nl80211DFSState.Available))))",
      ").encode();",
      "const [channel] = decodePHYs([data])[0]!.bands[0]!.frequencies;",
      "assert.equal(channel?.dfsState, Nl80211DFSState.Available);",
    ],
  },
  Nl80211BitrateAttribute: {
    title: "A 2.4 GHz rate with short preamble",
    code: [
      'import { decodePHYs, Nl80211Attribute, Nl80211Band, Nl80211BandAttribute, Nl80211BitrateAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.WiphyBands, (bands) =>",
      "  bands.nested(Nl80211Band.Band2GHz, (band) =>",
      "    band.nested(Nl80211BandAttribute.Rates, (rates) =>",
      "      rates.nested(0, (r) => r.uint32(Nl80211BitrateAttribute.Rate, 55).flag(Nl80211BitrateAttribute.Band2GHzShortpreamble))))",
      ").encode();",
      "const [phy] = decodePHYs([data]);",
      "assert.deepEqual(phy!.bands[0]!.bitrates, [{ mbps: 5.5, shortPreamble: true }]);",
    ],
  },
  Nl80211InterfaceCombinationAttribute: {
    title: "Decode an interface combination",
    code: [
      'import { decodePHYs, Nl80211Attribute, Nl80211InterfaceCombinationAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.InterfaceCombinations, (combinations) =>",
      "  combinations.nested(1, (c) => c.uint32(Nl80211InterfaceCombinationAttribute.Maxnum, 2).uint32(Nl80211InterfaceCombinationAttribute.NumChannels, 1))",
      ").encode();",
      "const [combination] = decodePHYs([data])[0]!.interfaceCombinations;",
      "assert.deepEqual([combination?.total, combination?.numChannels], [2, 1]);",
    ],
  },
  Nl80211InterfaceLimitAttribute: {
    title: "At most one access point",
    code: [
      'import { decodePHYs, InterfaceType, Nl80211Attribute, Nl80211InterfaceCombinationAttribute, Nl80211InterfaceLimitAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0).nested(Nl80211Attribute.InterfaceCombinations, (combinations) =>",
      "  combinations.nested(1, (c) =>",
      "    c.nested(Nl80211InterfaceCombinationAttribute.Limits, (limits) =>",
      "      limits.nested(1, (l) => l.uint32(Nl80211InterfaceLimitAttribute.Max, 1).nested(Nl80211InterfaceLimitAttribute.Types, (t) => t.flag(InterfaceType.AP)))))",
      ").encode();",
      "const [combination] = decodePHYs([data])[0]!.interfaceCombinations;",
      "assert.deepEqual(combination?.limits, [{ max: 1, interfaceTypes: [InterfaceType.AP] }]);",
    ],
  },
  Nl80211RegulatoryInitiator: {
    title: "Who changed the regulatory domain",
    code: [
      'import { Client, Nl80211RegulatoryInitiator } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({ conn: nl80211.dial({}) });",
      "const events = client.events();",
      'await client.setRegulatoryRegion("NZ");',
      "const { value } = await events.next();",
      'assert.equal(value?.type === "regulatoryChange" && value.initiator, Nl80211RegulatoryInitiator.User);',
      "await events.return?.();",
    ],
  },
  Nl80211RegulatoryType: {
    title: "Decode a regulatory change notification",
    code: [
      'import { decodeEvent, Nl80211Attribute, Nl80211Command, Nl80211RegulatoryType } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint8(Nl80211Attribute.RegType, Nl80211RegulatoryType.World).encode();",
      "const event = decodeEvent(Nl80211Command.RegChange, data);",
      'assert.equal(event.type === "regulatoryChange" && event.regulatoryType, Nl80211RegulatoryType.World);',
    ],
  },
  Nl80211RegulatoryRuleAttribute: {
    title: "Decode a regulatory rule",
    code: [
      'import { decodeRegulatoryDomain, Nl80211Attribute, Nl80211RegulatoryRuleAttribute } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      'const data = new AttributeEncoder().string(Nl80211Attribute.RegAlpha2, "DE").nested(Nl80211Attribute.RegRules, (rules) =>',
      "  rules.nested(1, (r) => r.uint32(Nl80211RegulatoryRuleAttribute.FreqRangeStart, 5170000).uint32(Nl80211RegulatoryRuleAttribute.PowerRuleMaxEirp, 2300))",
      ").encode();",
      "const [rule] = decodeRegulatoryDomain(data).rules;",
      "assert.deepEqual([rule?.startKHz, rule?.maxEIRPDbm], [5170000, 23]);",
    ],
  },
  Nl80211RegulatoryRuleFlags: {
    title: "Rules that forbid initiating radiation",
    code: [
      'import { Client, Nl80211RegulatoryRuleFlags } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({ conn: nl80211.dial({}) });",
      "const { rules } = await client.regulatoryDomain();",
      "assert.equal(rules[0]!.flags & Nl80211RegulatoryRuleFlags.NoIR, 0);",
      "assert.ok(rules.some((r) => r.flags & Nl80211RegulatoryRuleFlags.NoIR));",
    ],
  },
  Nl80211DFSRegion: {
    title: "The DFS region of a simulated domain",
    code: [
      'import { Client, Nl80211DFSRegion } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({",
      '  conn: nl80211.dial({ regulatory: { region: "DE", dfsRegion: Nl80211DFSRegion.Etsi } }),',
      "});",
      "assert.equal((await client.regulatoryDomain()).dfsRegion, Nl80211DFSRegion.Etsi);",
    ],
  },
  RegulatoryHint: {
    title: "Set the region from a cellular base station's hint",
    code: [
      'import { Client, RegulatoryHint } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({ conn: nl80211.dial({}) });",
      'await client.setRegulatoryRegion("CA", RegulatoryHint.CellBase);',
      'assert.equal((await client.regulatoryDomain()).region, "CA");',
    ],
  },
  Nl80211AuthType: {
    title: "The authentication type Client.connect asks for",
    code: [
      'import { Client, Nl80211Attribute, Nl80211AuthType, Nl80211Command } from "@nlkit/netlink/wifi";',
      'import { AttributeDecoder } from "@nlkit/netlink/netlink";',
      ...SIM_IMPORTS,
      'const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "cafe" }] });',
      "await using client = await Client.open({ conn: sim.dial() });",
      'await client.connect({ index: 1 }, "cafe");',
      "const d = new AttributeDecoder(sim.requests.find((r) => r.command === Nl80211Command.Connect)!.data);",
      "while (d.next() && d.type !== Nl80211Attribute.AuthType);",
      "assert.equal(d.uint32(), Nl80211AuthType.OpenSystem);",
    ],
  },
  Nl80211WPAVersion: {
    title: "The WPA version Client.connectWPAPSK asks for",
    code: [
      'import { Client, Nl80211Attribute, Nl80211Command, Nl80211WPAVersion } from "@nlkit/netlink/wifi";',
      'import { AttributeDecoder } from "@nlkit/netlink/netlink";',
      ...SIM_IMPORTS,
      "const sim = new nl80211.Simulator({",
      '  interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "home", security: "wpa2", passphrase: "correct horse" }],',
      "});",
      "await using client = await Client.open({ conn: sim.dial() });",
      'await client.connectWPAPSK({ index: 1 }, "home", "correct horse");',
      "const d = new AttributeDecoder(sim.requests.find((r) => r.command === Nl80211Command.Connect)!.data);",
      "while (d.next() && d.type !== Nl80211Attribute.WPAVersions);",
      "assert.equal(d.uint32(), Nl80211WPAVersion.WPA2);",
    ],
  },
  Nl80211FeatureFlags: {
    title: "Test a PHY's feature flags",
    code: [
      'import { decodePHYs, Nl80211Attribute, Nl80211FeatureFlags } from "@nlkit/netlink/wifi";',
      ...ENCODER_IMPORTS,
      "const data = new AttributeEncoder().uint32(Nl80211Attribute.Wiphy, 0)",
      "  .uint32(Nl80211Attribute.FeatureFlags, Nl80211FeatureFlags.SAE | Nl80211FeatureFlags.ScanFlush).encode();",
      "const [phy] = decodePHYs([data]);",
      "assert.ok(phy!.featureFlags & Nl80211FeatureFlags.SAE);",
      "assert.equal(phy!.featureFlags & Nl80211FeatureFlags.APScan, 0);",
    ],
  },
  Nl80211ExtFeature: {
    title: "Ask a PHY for an extended feature",
    code: [
      'import { Client, hasExtFeature, Nl80211ExtFeature } from "@nlkit/netlink/wifi";',
      ...SIM_IMPORTS,
      "await using client = await Client.open({ conn: nl80211.dial({ phys: [{ extFeatures: [Nl80211ExtFeature.SAEOffload] }] }) });",
      "const [phy] = await client.phys();",
      "assert.ok(hasExtFeature(phy!, Nl80211ExtFeature.SAEOffload));",
      "assert.equal(hasExtFeature(phy!, Nl80211ExtFeature.FourWayHandshakeSTAPSK), false);",
    ],
  },
};

// Examples of the two constants written before the enums.
const GENL_NAME_EXAMPLE: Example = {
  title: "Look the family up",
  code: [
    'import { NL80211_GENL_NAME } from "@nlkit/netlink/wifi";',
    ...SIM_IMPORTS,
    "// On Linux: await GenlConn.dial()",
    "await using conn = nl80211.dial({});",
    "const family = await conn.getFamily(NL80211_GENL_NAME);",
    'assert.equal(family.name, "nl80211");',
  ],
};
const MULTICAST_GROUP_EXAMPLE: Example = {
  title: "Join the scan group",
  code: [
    'import { NL80211_GENL_NAME, Nl80211MulticastGroup } from "@nlkit/netlink/wifi";',
    ...SIM_IMPORTS,
    "await using conn = nl80211.dial({});",
    "const { groups } = await conn.getFamily(NL80211_GENL_NAME);",
    "const scan = groups.find((g) => g.name === Nl80211MulticastGroup.Scan);",
    "assert.ok(scan);",
    "conn.joinGroup(scan.id);",
  ],
};

/** The lines of a doc comment: a summary, then one titled, runnable example. */
function docWithExample(summary: string, example: Example): string[] {
  return [
    "/**",
    ` * ${summary}`,
    " *",
    ` * @example ${example.title}`,
    " * ```ts",
    ...example.code.map((l) => (l ? ` * ${l}` : " *")),
    " * ```",
    " */",
  ];
}

/** One exported member of a generated enum object. */
interface Entry {
  name: string;
  cName: string;
  value: number;
  doc: string;
}

/** The default example of an enum object: two members and their kernel values. */
function valuesExample(
  ts: string,
  entries: readonly Entry[],
  format: (v: number) => string,
): Example {
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  const picked = first === last ? [first] : [first, last];
  return {
    title: "The kernel's values",
    code: [
      `import { ${ts} } from "@nlkit/netlink/wifi";`,
      ASSERT,
      "",
      `// ${picked.map((e) => e.cName).join(" and ")} in linux/nl80211.h`,
      ...picked.map((e) =>
        `assert.equal(${ts}.${e.name}, ${format(e.value)});`
      ),
    ],
  };
}

/** The example of an enum's type: narrow a number read from an attribute to it. */
function typeExample(
  ts: string,
  entries: readonly Entry[],
  format: (v: number) => string,
): Example {
  const known = entries[1] ?? entries[0]!;
  const unknown = Math.max(...entries.map((e) => e.value)) + 1;
  return {
    title: "Narrow a number read from an attribute",
    code: [
      `import { ${ts} } from "@nlkit/netlink/wifi";`,
      ASSERT,
      "",
      `const values: readonly number[] = Object.values(${ts});`,
      `const is${ts} = (n: number): n is ${ts} => values.includes(n);`,
      `assert.ok(is${ts}(${format(known.value)})); // ${ts}.${known.name}`,
      `assert.equal(is${ts}(${format(unknown)}), false);`,
    ],
  };
}

// Words whose capitalisation is not simply "Capitalised".
const WORDS: Record<string, string> = {
  "4ADDR": "FourAddr",
  "4WAY": "FourWay",
  ACK: "ACK",
  ACL: "ACL",
  ADHOC: "AdHoc",
  AKM: "AKM",
  AKMS: "AKMs",
  AMPDU: "AMPDU",
  AMSDU: "AMSDU",
  AP: "AP",
  BI: "BI",
  BIP: "BIP",
  BSS: "BSS",
  BSSID: "BSSID",
  BW: "BW",
  CAC: "CAC",
  CCK: "CCK",
  CCMP: "CCMP",
  CQM: "CQM",
  CRIT: "Crit",
  CSA: "CSA",
  CTS: "CTS",
  DCM: "DCM",
  DFS: "DFS",
  DTIM: "DTIM",
  EDMG: "EDMG",
  EHT: "EHT",
  EML: "EML",
  EMLSR: "EMLSR",
  FILS: "FILS",
  FT: "FT",
  FTM: "FTM",
  GCD: "GCD",
  GCMP: "GCMP",
  GHZ: "GHz",
  GI: "GI",
  GO: "GO",
  GTK: "GTK",
  HE: "HE",
  HT: "HT",
  HT20: "HT20",
  HT40: "HT40",
  HT40MINUS: "HT40Minus",
  HT40PLUS: "HT40Plus",
  HW: "HW",
  IBSS: "IBSS",
  ID: "ID",
  IE: "IE",
  IES: "IEs",
  IR: "IR",
  KCK: "KCK",
  KEK: "KEK",
  LDPC: "LDPC",
  LLID: "LLID",
  LTF: "LTF",
  MAC: "MAC",
  MBM: "MBM",
  MBSSID: "MBSSID",
  MCS: "MCS",
  MFP: "MFP",
  MHZ: "MHz",
  MLD: "MLD",
  MLME: "MLME",
  MLO: "MLO",
  MPDU: "MPDU",
  MPDUS: "MPDUs",
  MS: "Ms",
  MU: "MU",
  NAN: "NAN",
  NOHT: "NoHT",
  NSS: "NSS",
  OBSS: "OBSS",
  OCB: "OCB",
  OCE: "OCE",
  OFDM: "OFDM",
  OFDMA: "OFDMA",
  OWE: "OWE",
  P2P: "P2P",
  "80P80": "80P80",
  PD: "PD",
  PLID: "PLID",
  PM: "PM",
  PMK: "PMK",
  PMKID: "PMKID",
  PMKR0: "PMKR0",
  PMKSA: "PMKSA",
  PSK: "PSK",
  PTK: "PTK",
  QOS: "QoS",
  RRM: "RRM",
  RSN: "RSN",
  RSSI: "RSSI",
  RTS: "RTS",
  RU: "RU",
  RX: "RX",
  S1G: "S1G",
  S1GHZ: "S1GHz",
  SAE: "SAE",
  SAR: "SAR",
  SMPS: "SMPS",
  SN: "SN",
  SSID: "SSID",
  SSIDS: "SSIDs",
  STA: "STA",
  STBC: "STBC",
  SU: "SU",
  LC: "LC",
  TDLS: "TDLS",
  TID: "TID",
  TKIP: "TKIP",
  TSF: "TSF",
  TWT: "TWT",
  TX: "TX",
  TXQ: "TXQ",
  UHB: "UHB",
  UNSPEC: "Unspec",
  VHT: "VHT",
  VLAN: "VLAN",
  WDS: "WDS",
  WEP: "WEP",
  WMM: "WMM",
  WPA: "WPA",
};

/** Friendly PascalCase name for a member name with its prefix removed. */
export function friendlyName(rest: string, digitPrefix = ""): string {
  const parts = rest.split("_").filter((p) => p !== "");
  let out = "";
  let previousNumeric = false;
  for (const p of parts) {
    const numeric = /^\d+$/.test(p);
    let word: string;
    if (WORDS[p] !== undefined) word = WORDS[p]!;
    else if (/^\d+(MHZ|GHZ)$/.test(p)) {
      word = p.replace(/(MHZ|GHZ)$/, (m) => WORDS[m]!);
    } else if (/^\d+$/.test(p)) word = p;
    else if (/^\d/.test(p)) word = p.toLowerCase();
    else word = p[0]! + p.slice(1).toLowerCase();
    // Keep "0_8" readable as "0_8" rather than "08".
    out += previousNumeric && numeric ? `_${word}` : word;
    previousNumeric = numeric;
  }
  if (/^\d/.test(out)) out = (digitPrefix || "N") + out;
  return out;
}

/** One enum member with its value. */
export interface Member {
  cName: string;
  value: number;
  aliasOf?: string;
  /** True for counters such as `NL80211_ATTR_MAX = __NL80211_ATTR_AFTER_LAST - 1`. */
  sentinel?: boolean;
}

/** Evaluates a C enum initializer: numbers, names, `<<`, `|`, `+`, `-`, parentheses. */
function evaluate(expr: string, names: Map<string, number>): number {
  // Integer suffixes (`1U << 31`) are part of the number token.
  const tokens =
    expr.match(/(?:0x[0-9a-fA-F]+|\d+)[uUlL]*|[A-Za-z_]\w*|<<|[|+\-()]/g) ??
      [];
  let i = 0;
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) {
      throw new SyntaxError(`Cannot evaluate "${expr}": unexpected end`);
    }
    if (t === "(") {
      const v = or();
      i++;
      return v;
    }
    if (/^(0x[0-9a-fA-F]+|\d+)[uUlL]*$/.test(t)) {
      return Number(t.replace(/[uUlL]+$/, ""));
    }
    const v = names.get(t);
    if (v === undefined) {
      throw new SyntaxError(`Cannot evaluate "${expr}": unknown name ${t}`);
    }
    return v;
  };
  const additive = (): number => {
    let v = primary();
    while (tokens[i] === "+" || tokens[i] === "-") {
      const op = tokens[i++];
      const r = primary();
      v = op === "+" ? v + r : v - r;
    }
    return v;
  };
  const shift = (): number => {
    let v = additive();
    while (tokens[i] === "<<") {
      i++;
      v = (v << additive()) >>> 0;
    }
    return v;
  };
  const or = (): number => {
    let v = shift();
    while (tokens[i] === "|") {
      i++;
      v = (v | shift()) >>> 0;
    }
    return v;
  };
  return or();
}

/** Every `enum name { ... }` body in the header, with its members' values. */
export function parseEnums(text: string): Map<string, Member[]> {
  const enums = new Map<string, Member[]>();
  const values = new Map<string, number>();
  const re = /enum\s+(\w+)\s*\{([\s\S]*?)\};/g;
  for (const m of text.matchAll(re)) {
    const body = m[2]!.replace(/\/\*[\s\S]*?\*\//g, "").replace(
      /\/\/.*$/gm,
      "",
    );
    const members: Member[] = [];
    let next = 0;
    for (const raw of body.split(",")) {
      const item = raw.trim();
      if (item === "") continue;
      const eq = item.indexOf("=");
      const cName = (eq < 0 ? item : item.slice(0, eq)).trim();
      let value = next;
      let aliasOf: string | undefined;
      let sentinel = false;
      if (eq >= 0) {
        const expr = item.slice(eq + 1).trim();
        value = evaluate(expr, values);
        if (/^[A-Za-z_]\w*$/.test(expr)) aliasOf = expr;
        sentinel = /\b(__|NUM_)\w+/.test(expr);
      }
      values.set(cName, value);
      const member: Member = { cName, value };
      if (aliasOf !== undefined) member.aliasOf = aliasOf;
      if (sentinel) member.sentinel = true;
      members.push(member);
      next = value + 1;
    }
    enums.set(m[1]!, members);
  }
  return enums;
}

/** `@NAME: description` entries from every kernel-doc comment. */
function parseDocs(text: string): Map<string, string> {
  const docs = new Map<string, string>();
  for (const block of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = block[1]!.split("\n").map((l) => l.replace(/^\s*\*?/, ""));
    let name: string | undefined;
    let desc = "";
    const flush = () => {
      if (name !== undefined && !docs.has(name)) {
        docs.set(name, desc.replace(/\s+/g, " ").trim());
      }
      name = undefined;
      desc = "";
    };
    for (const line of lines) {
      const m = line.match(/^\s*@(\w+)\s*:(.*)$/);
      if (m) {
        flush();
        name = m[1];
        desc = m[2]!;
      } else if (line.trim() === "") {
        flush();
      } else if (name !== undefined) {
        desc += " " + line;
      }
    }
    flush();
  }
  return docs;
}

/** The first sentence of a kernel-doc description, made safe for a one-line JSDoc comment. */
function summarize(desc: string): string {
  let s = desc
    .replace(/%(\w+)/g, "`$1`")
    .replace(/&(?:enum|struct) (\w+)/g, "`$1`")
    .replace(/@/g, "")
    .replace(/\*\//g, "*\\/")
    .trim();
  const end = s.search(/\.(\s|$)/);
  if (end >= 0) s = s.slice(0, end);
  if (s.length > 150) s = s.slice(0, 147).replace(/\s+\S*$/, "") + "...";
  return s;
}

/** `export type X = typeof X[keyof typeof X];`, wrapped the way `deno fmt` wraps it at 80 columns. */
function typeAlias(ts: string): string {
  const one = `export type ${ts} = typeof ${ts}[keyof typeof ${ts}];`;
  if (one.length <= 80) return one;
  const two = `  typeof ${ts}[keyof typeof ${ts}];`;
  if (two.length <= 80) return `export type ${ts} =\n${two}`;
  return `export type ${ts} =\n  typeof ${ts}[\n    keyof typeof ${ts}\n  ];`;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * Generates the text of `src/wifi/nl80211.ts` from the text of `linux/nl80211.h`.
 *
 * @param header The header's text.
 * @returns The TypeScript module's text, `deno fmt` clean.
 * @throws {SyntaxError} When an enum the wifi layer needs is missing or cannot be evaluated.
 */
export function generate(header: string): string {
  const enums = parseEnums(header);
  const docs = parseDocs(header);
  const out: string[] = [];
  out.push(
    "// Code generated by tools/gen_nl80211.ts from linux/nl80211.h. DO NOT EDIT.",
    "// The summaries come from the kernel-doc comments of linux/nl80211.h",
    "// (Copyright 2006-2010 Johannes Berg and others, ISC licence).",
    "",
    "/**",
    " * nl80211 constants generated from `linux/nl80211.h`: commands, attributes",
    " * and the nested enums the wifi client uses, as `as const` objects. Each",
    " * member's doc comment names the kernel constant.",
    " *",
    " * @example Look up a command number",
    " * ```ts",
    ' * import { Nl80211Command, NL80211_GENL_NAME } from "@nlkit/netlink/wifi";',
    ' * import assert from "node:assert/strict";',
    " *",
    ' * assert.equal(NL80211_GENL_NAME, "nl80211");',
    " * assert.equal(Nl80211Command.GetInterface, 5);",
    " * ```",
    " *",
    " * @module",
    " */",
    "",
  );
  const genl = header.match(/#define\s+NL80211_GENL_NAME\s+"([^"]*)"/);
  if (!genl) {
    throw new SyntaxError(
      "Cannot generate nl80211 constants: NL80211_GENL_NAME is missing",
    );
  }
  out.push(
    ...docWithExample(
      "`NL80211_GENL_NAME`: the generic netlink family name.",
      GENL_NAME_EXAMPLE,
    ),
    `export const NL80211_GENL_NAME = ${quote(genl[1]!)};`,
    "",
    ...docWithExample(
      "nl80211 multicast group names (`NL80211_MULTICAST_GROUP_*`).",
      MULTICAST_GROUP_EXAMPLE,
    ),
    "export const Nl80211MulticastGroup = {",
  );
  for (
    const m of header.matchAll(
      /#define\s+NL80211_MULTICAST_GROUP_(\w+)\s+"([^"]*)"/g,
    )
  ) {
    const name = m[1] === "REG" ? "Regulatory" : friendlyName(m[1]!);
    out.push(
      `  /** \`NL80211_MULTICAST_GROUP_${m[1]}\`. */`,
      `  ${name}: ${quote(m[2]!)},`,
    );
  }
  out.push("} as const;", "");
  for (const spec of ENUMS) {
    const members = enums.get(spec.cName);
    if (!members) {
      throw new SyntaxError(
        `Cannot generate nl80211 constants: enum ${spec.cName} is missing`,
      );
    }
    const ts = spec.tsName;
    const hex = ts.endsWith("Flags") || ts === "Nl80211WPAVersion";
    const format = (v: number): string =>
      hex ? "0x" + v.toString(16) : String(v);
    // The exported members: [friendly name, value, doc line].
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for (const m of members) {
      if (
        m.cName.startsWith("__") || m.cName.startsWith("NUM_") ||
        m.cName.startsWith("MAX_")
      ) continue;
      if (!m.cName.startsWith(spec.prefix)) continue;
      if (m.sentinel) continue;
      const name = friendlyName(
        m.cName.slice(spec.prefix.length),
        spec.digitPrefix,
      );
      if (seen.has(name)) {
        throw new SyntaxError(
          `Cannot generate nl80211 constants: duplicate name ${ts}.${name}`,
        );
      }
      seen.add(name);
      let doc = summarize(docs.get(m.cName) ?? "");
      if (m.aliasOf !== undefined) {
        doc = `alias of \`${m.aliasOf}\`` + (doc ? `; ${doc}` : "");
      }
      entries.push({ name, cName: m.cName, value: m.value, doc });
    }
    if (entries.length === 0) {
      throw new SyntaxError(
        `Cannot generate nl80211 constants: enum ${spec.cName} has no members`,
      );
    }
    const summary =
      `${spec.summary} (\`enum ${spec.cName}\` in \`linux/nl80211.h\`).`;
    out.push(
      ...docWithExample(
        summary,
        EXAMPLES[ts] ?? valuesExample(ts, entries, format),
      ),
      `export const ${ts} = {`,
    );
    for (const e of entries) {
      out.push(
        `  /** \`${e.cName}\`${e.doc ? `: ${e.doc}` : ""}. */`.replace(
          /\.\. \*\/$/,
          ". */",
        ),
        `  ${e.name}: ${format(e.value)},`,
      );
    }
    out.push("} as const;", "");
    out.push(
      ...docWithExample(
        `A value of {@linkcode ${ts}}.`,
        typeExample(ts, entries, format),
      ),
      typeAlias(ts),
      "",
    );
  }
  return out.join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const [header = DEFAULT_HEADER, output = DEFAULT_OUTPUT] = args;
  writeFileSync(output, generate(readFileSync(header, "utf8")));
  console.log(`wrote ${output}`);
}
