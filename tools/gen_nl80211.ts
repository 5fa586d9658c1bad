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

// Runnable examples (on the simulated nl80211) for the enums users meet most.
const SIM_IMPORTS = [
  'import { nl80211 } from "@nlkit/netlink/nltest";',
  'import assert from "node:assert/strict";',
  "",
];
const EXAMPLES: Record<string, { title: string; code: string[] }> = {
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
      'import { AttributeEncoder } from "@nlkit/netlink/netlink";',
      'import assert from "node:assert/strict";',
      "",
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
};

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
  const tokens = expr.match(/0x[0-9a-fA-F]+|\d+|[A-Za-z_]\w*|<<|[|+\-()]/g) ??
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
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(t)) return Number(t);
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
    "/** `NL80211_GENL_NAME`: the generic netlink family name. */",
    `export const NL80211_GENL_NAME = ${quote(genl[1]!)};`,
    "",
    "/** nl80211 multicast group names (`NL80211_MULTICAST_GROUP_*`). */",
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
    const example = EXAMPLES[ts];
    if (example) {
      out.push(
        "/**",
        ` * ${spec.summary} (\`enum ${spec.cName}\` in \`linux/nl80211.h\`).`,
        " *",
        ` * @example ${example.title}`,
        " * ```ts",
        ...example.code.map((l) => (l ? ` * ${l}` : " *")),
        " * ```",
        " */",
      );
    } else {out.push(
        `/** ${spec.summary} (\`enum ${spec.cName}\` in \`linux/nl80211.h\`). */`,
      );}
    out.push(`export const ${ts} = {`);
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
      out.push(
        `  /** \`${m.cName}\`${doc ? `: ${doc}` : ""}. */`.replace(
          /\.\. \*\/$/,
          ". */",
        ),
      );
      const hex = ts.endsWith("Flags") || ts === "Nl80211WPAVersion";
      out.push(
        `  ${name}: ${hex ? "0x" + m.value.toString(16) : String(m.value)},`,
      );
    }
    out.push("} as const;", "");
    out.push(`/** A value of {@linkcode ${ts}}. */`, typeAlias(ts), "");
  }
  return out.join("\n");
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const [header = DEFAULT_HEADER, output = DEFAULT_OUTPUT] = args;
  writeFileSync(output, generate(readFileSync(header, "utf8")));
  console.log(`wrote ${output}`);
}
