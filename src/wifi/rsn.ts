/**
 * The RSN element (IEEE 802.11 element 48) and the WPA vendor element
 * (`00:50:f2` type 1): ciphers, AKM suites and RSN capabilities.
 *
 * @module
 */

import { be32, le16 } from "./_bytes.ts";

/**
 * RSN cipher suite selectors (`OUI << 8 | type`, IEEE 802.11 Table 9-149).
 * Unknown selectors are kept as numbers, so {@linkcode RSNCipher} is any u32.
 *
 * @example Compare a BSS's group cipher
 * ```ts
 * import { Client, RSNCipher } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "s", security: "wpa2" }] }) });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.rsn?.groupCipher, RSNCipher.CCMP128);
 * ```
 */
export const RSNCipher = {
  /** `00-0F-AC:0`: use the group cipher suite. */
  UseGroup: 0x000fac00,
  /** `00-0F-AC:1`: WEP-40. */
  WEP40: 0x000fac01,
  /** `00-0F-AC:2`: TKIP. */
  TKIP: 0x000fac02,
  /** `00-0F-AC:3`: reserved. */
  Reserved3: 0x000fac03,
  /** `00-0F-AC:4`: CCMP-128 (WPA2). */
  CCMP128: 0x000fac04,
  /** `00-0F-AC:5`: WEP-104. */
  WEP104: 0x000fac05,
  /** `00-0F-AC:6`: BIP-CMAC-128. */
  BIPCMAC128: 0x000fac06,
  /** `00-0F-AC:7`: group addressed traffic not allowed. */
  GroupNotAllowed: 0x000fac07,
  /** `00-0F-AC:8`: GCMP-128. */
  GCMP128: 0x000fac08,
  /** `00-0F-AC:9`: GCMP-256. */
  GCMP256: 0x000fac09,
  /** `00-0F-AC:10`: CCMP-256. */
  CCMP256: 0x000fac0a,
  /** `00-0F-AC:11`: BIP-GMAC-128. */
  BIPGMAC128: 0x000fac0b,
  /** `00-0F-AC:12`: BIP-GMAC-256. */
  BIPGMAC256: 0x000fac0c,
  /** `00-0F-AC:13`: BIP-CMAC-256. */
  BIPCMAC256: 0x000fac0d,
} as const;

/**
 * A cipher suite selector: a {@linkcode RSNCipher} value or any other u32.
 *
 * @example Unknown selectors are numbers too
 * ```ts
 * import { formatRSNCipher, type RSNCipher } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const vendor: RSNCipher = 0x00506f01;
 * assert.equal(formatRSNCipher(vendor), "Unknown-0x00506F01");
 * ```
 */
export type RSNCipher = number;

/**
 * RSN AKM suite selectors (`OUI << 8 | type`, IEEE 802.11 Table 9-151).
 * Unknown selectors are kept as numbers, so {@linkcode RSNAKM} is any u32.
 *
 * @example WPA3-Personal uses SAE
 * ```ts
 * import { Client, RSNAKM } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "s", security: "wpa3" }] }) });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.deepEqual(ap?.rsn?.akms, [RSNAKM.SAE]);
 * ```
 */
export const RSNAKM = {
  /** `00-0F-AC:0`: reserved. */
  Reserved0: 0x000fac00,
  /** `00-0F-AC:1`: IEEE 802.1X. */
  IEEE8021X: 0x000fac01,
  /** `00-0F-AC:2`: PSK (WPA2-Personal). */
  PSK: 0x000fac02,
  /** `00-0F-AC:3`: FT over IEEE 802.1X. */
  FT8021X: 0x000fac03,
  /** `00-0F-AC:4`: FT with PSK. */
  FTPSK: 0x000fac04,
  /** `00-0F-AC:5`: IEEE 802.1X with SHA-256. */
  IEEE8021XSHA256: 0x000fac05,
  /** `00-0F-AC:6`: PSK with SHA-256. */
  PSKSHA256: 0x000fac06,
  /** `00-0F-AC:7`: TDLS. */
  TDLS: 0x000fac07,
  /** `00-0F-AC:8`: SAE (WPA3-Personal). */
  SAE: 0x000fac08,
  /** `00-0F-AC:9`: FT with SAE. */
  FTSAE: 0x000fac09,
  /** `00-0F-AC:10`: AP PeerKey. */
  APPeerKey: 0x000fac0a,
  /** `00-0F-AC:11`: IEEE 802.1X Suite B. */
  IEEE8021XSuiteB: 0x000fac0b,
  /** `00-0F-AC:12`: IEEE 802.1X CNSA (Suite B 192-bit). */
  IEEE8021XCNSA: 0x000fac0c,
  /** `00-0F-AC:13`: FT over IEEE 802.1X with SHA-384. */
  FT8021XSHA384: 0x000fac0d,
  /** `00-0F-AC:14`: FILS with SHA-256. */
  FILSSHA256: 0x000fac0e,
  /** `00-0F-AC:15`: FILS with SHA-384. */
  FILSSHA384: 0x000fac0f,
  /** `00-0F-AC:16`: FT FILS with SHA-256. */
  FTFILSSHA256: 0x000fac10,
  /** `00-0F-AC:17`: FT FILS with SHA-384. */
  FTFILSSHA384: 0x000fac11,
  /** `00-0F-AC:18`: reserved (OWE in later amendments). */
  Reserved18: 0x000fac12,
  /** `00-0F-AC:19`: FT with PSK and SHA-384. */
  FTPSKSHA384: 0x000fac13,
  /** `00-0F-AC:20`: PSK with SHA-384. */
  PSKSHA384: 0x000fac14,
} as const;

/**
 * An AKM suite selector: a {@linkcode RSNAKM} value or any other u32.
 *
 * @example Any suite selector
 * ```ts
 * import { formatRSNAKM, type RSNAKM } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const owe: RSNAKM = 0x000fac12;
 * assert.equal(formatRSNAKM(owe), "Reserved\u201118");
 * ```
 */
export type RSNAKM = number;

/**
 * A decoded RSN element (IEEE 802.11 element 48).
 *
 * @example WPA3 requires management frame protection
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "s", security: "wpa3" }] }) });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.rsn?.mfpRequired, true);
 * ```
 */
export interface RSNInfo {
  /** The RSN version (1 in practice); 0 never appears in a decoded element. */
  version: number;
  /** The group data cipher suite. */
  groupCipher: RSNCipher;
  /** The pairwise cipher suites, in element order. */
  pairwiseCiphers: RSNCipher[];
  /** The AKM suites, in element order. */
  akms: RSNAKM[];
  /** The RSN Capabilities field (0 when absent). */
  capabilities: number;
  /** Capabilities bit 0: pre-authentication supported. */
  preauthentication: boolean;
  /** Capabilities bit 6: management frame protection required (MFPR). */
  mfpRequired: boolean;
  /** Capabilities bit 7: management frame protection capable (MFPC). */
  mfpCapable: boolean;
  /** Capabilities bits 2-3: PTKSA replay counters (1, 2, 4 or 16). */
  ptksaReplayCounters: number;
  /** Capabilities bits 4-5: GTKSA replay counters (1, 2, 4 or 16). */
  gtksaReplayCounters: number;
  /** The PMKIDs (16 bytes each), usually none in beacons. */
  pmkids: Uint8Array[];
  /** The group management cipher suite, 0 when absent. */
  groupManagementCipher: RSNCipher;
}

// The largest element body the Go reference accepts for RSN; 253 keeps room
// for the 2-byte element header inside a 255-byte element (vectors §5.6).
const RSN_MAX = 253;
// The most 4-byte suites that can fit in that body after the fixed fields.
const MAX_SUITES = Math.floor((RSN_MAX - 8) / 4);
const REPLAY = [1, 2, 4, 16];

function suiteList(
  b: Uint8Array,
  o: number,
  what: string,
  el: string,
): { list: number[]; next: number } {
  const count = le16(b, o);
  o += 2;
  if (count > MAX_SUITES) {
    throw new RangeError(
      `Cannot decode ${el} element: ${what} count ${count} is too large at offset ${
        o - 2
      }`,
    );
  }
  if (o + count * 4 > b.length) {
    throw new RangeError(
      `Cannot decode ${el} element: ${what} list of ${count} suites is truncated at offset ${o}`,
    );
  }
  const list: number[] = [];
  for (let i = 0; i < count; i++, o += 4) list.push(be32(b, o));
  return { list, next: o };
}

/**
 * Decodes the body of an RSN element (element ID 48). Suite selectors are
 * read as big-endian `OUI << 8 | type`; counts, version and capabilities are
 * little-endian. PMKIDs and the group management cipher are decoded when
 * present.
 *
 * @param b The element body (without the 2-byte element header).
 * @returns The decoded element.
 * @throws {RangeError} If the body is shorter than 8 bytes, longer than 253,
 *   has version 0, or a suite list is truncated or impossibly long.
 *
 * @example Decode a WPA2-PSK RSN element
 * ```ts
 * import { decodeRSN, formatRSNInfo, RSNAKM, RSNCipher } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const body = new Uint8Array([
 *   0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
 *   0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x80, 0x00,
 * ]);
 * const rsn = decodeRSN(body);
 * assert.equal(rsn.groupCipher, RSNCipher.CCMP128);
 * assert.deepEqual(rsn.akms, [RSNAKM.PSK]);
 * assert.equal(rsn.mfpCapable, true);
 * assert.equal(formatRSNInfo(rsn), "RSN v1  Group:CCMP\u2011128  Pairwise:[CCMP\u2011128]  AKM:[PSK]");
 * ```
 */
export function decodeRSN(b: Uint8Array): RSNInfo {
  if (b.length < 8) {
    throw new RangeError(
      `Cannot decode RSN element: ${b.length} bytes is too short, want at least 8`,
    );
  }
  if (b.length > RSN_MAX) {
    throw new RangeError(
      `Cannot decode RSN element: ${b.length} bytes is too long, want at most ${RSN_MAX}`,
    );
  }
  const version = le16(b, 0);
  if (version === 0) {
    throw new RangeError(
      "Cannot decode RSN element: version 0 is invalid at offset 0",
    );
  }
  const groupCipher = be32(b, 2);
  const pairwise = suiteList(b, 6, "pairwise cipher", "RSN");
  let o = pairwise.next;
  let akms: number[] = [];
  if (o + 2 <= b.length) {
    const a = suiteList(b, o, "AKM", "RSN");
    akms = a.list;
    o = a.next;
  }
  let capabilities = 0;
  if (o + 2 <= b.length) {
    capabilities = le16(b, o);
    o += 2;
  }
  const pmkids: Uint8Array[] = [];
  if (o + 2 <= b.length) {
    const count = le16(b, o);
    o += 2;
    if (o + count * 16 > b.length) {
      throw new RangeError(
        `Cannot decode RSN element: PMKID list of ${count} entries is truncated at offset ${o}`,
      );
    }
    for (let i = 0; i < count; i++, o += 16) pmkids.push(b.slice(o, o + 16));
  }
  let groupManagementCipher = 0;
  if (o + 4 <= b.length) groupManagementCipher = be32(b, o);
  return {
    version,
    groupCipher,
    pairwiseCiphers: pairwise.list,
    akms,
    capabilities,
    preauthentication: (capabilities & 0x1) !== 0,
    mfpRequired: (capabilities & 0x40) !== 0,
    mfpCapable: (capabilities & 0x80) !== 0,
    ptksaReplayCounters: REPLAY[(capabilities >> 2) & 3]!,
    gtksaReplayCounters: REPLAY[(capabilities >> 4) & 3]!,
    pmkids,
    groupManagementCipher,
  };
}

/**
 * A decoded WPA vendor element (Microsoft OUI `00:50:f2`, type 1): the pre-802.11i "WPA1".
 *
 * @example An old WPA1 access point
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([0xdd, 22, 0x00, 0x50, 0xf2, 0x01, 0x01, 0x00, 0x00, 0x50, 0xf2, 0x02, 0x01, 0x00, 0x00, 0x50, 0xf2, 0x02, 0x01, 0x00, 0x00, 0x50, 0xf2, 0x02]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.wpa?.groupCipher, 0x0050f202); // TKIP
 * ```
 */
export interface WPAInfo {
  /** The WPA version (1). */
  version: number;
  /** The group cipher suite (`0x0050f2XX` selectors, e.g. `0x0050f202` TKIP). */
  groupCipher: number;
  /** The pairwise (unicast) cipher suites. */
  pairwiseCiphers: number[];
  /** The AKM suites (`0x0050f201` 802.1X, `0x0050f202` PSK). */
  akms: number[];
}

/**
 * Decodes a WPA vendor element body after the OUI and type (`00:50:f2 01`).
 * Missing trailing lists default to empty.
 *
 * @param b The bytes after the 4-byte OUI and type.
 * @returns The decoded element.
 * @throws {RangeError} If the version or group cipher is missing, or a suite list is truncated.
 *
 * @example Using decodeWPA
 * ```ts
 * import { decodeWPA } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const wpa = decodeWPA(new Uint8Array([
 *   0x01, 0x00, 0x00, 0x50, 0xf2, 0x02, 0x01, 0x00, 0x00, 0x50, 0xf2, 0x02,
 *   0x01, 0x00, 0x00, 0x50, 0xf2, 0x02,
 * ]));
 * assert.deepEqual(wpa, { version: 1, groupCipher: 0x0050f202, pairwiseCiphers: [0x0050f202], akms: [0x0050f202] });
 * ```
 */
export function decodeWPA(b: Uint8Array): WPAInfo {
  if (b.length < 6) {
    throw new RangeError(
      `Cannot decode WPA element: ${b.length} bytes is too short, want at least 6`,
    );
  }
  const version = le16(b, 0);
  const groupCipher = be32(b, 2);
  let pairwiseCiphers: number[] = [];
  let akms: number[] = [];
  let o = 6;
  if (o + 2 <= b.length) {
    const p = suiteList(b, o, "pairwise cipher", "WPA");
    pairwiseCiphers = p.list;
    o = p.next;
  }
  if (o + 2 <= b.length) akms = suiteList(b, o, "AKM", "WPA").list;
  return { version, groupCipher, pairwiseCiphers, akms };
}

// U+2011 NON-BREAKING HYPHEN, as the Go reference's String() tables use.
const NB = "\u2011";
const CIPHER_NAMES = [
  "Use-group",
  "WEP-40",
  "TKIP",
  "Reserved-3",
  "CCMP-128",
  "WEP-104",
  "BIP-CMAC-128",
  "Group-not-allowed",
  "GCMP-128",
  "GCMP-256",
  "CCMP-256",
  "BIP-GMAC-128",
  "BIP-GMAC-256",
  "BIP-CMAC-256",
].map((s) => s.replaceAll("-", NB));
const AKM_NAMES = [
  "Reserved-0",
  "802.1X",
  "PSK",
  "FT-802.1X",
  "FT-PSK",
  "802.1X-SHA256",
  "PSK-SHA256",
  "TDLS",
  "SAE",
  "FT-SAE",
  "AP-PeerKey",
  "802.1X-Suite-B",
  "802.1X-CNSA",
  "FT-802.1X-SHA384",
  "FILS-SHA256",
  "FILS-SHA384",
  "FT-FILS-SHA256",
  "FT-FILS-SHA384",
  "Reserved-18",
  "FT-PSK-SHA384",
  "PSK-SHA384",
].map((s) => s.replaceAll("-", NB));

function unknown(v: number): string {
  return `Unknown-0x${(v >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

/**
 * Names a cipher suite like the Go reference's `RSNCipher.String()`
 * (U+2011 non-breaking hyphens; `Unknown-0x000FAC99` for others).
 *
 * @param c A cipher suite selector.
 * @returns The name.
 *
 * @example Using formatRSNCipher
 * ```ts
 * import { formatRSNCipher, RSNCipher } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatRSNCipher(RSNCipher.GCMP256), "GCMP\u2011256");
 * assert.equal(formatRSNCipher(0x000fac99), "Unknown-0x000FAC99");
 * ```
 */
export function formatRSNCipher(c: RSNCipher): string {
  const t = c - 0x000fac00;
  return t >= 0 && t < CIPHER_NAMES.length ? CIPHER_NAMES[t]! : unknown(c);
}

/**
 * Names an AKM suite like the Go reference's `RSNAKM.String()`.
 *
 * @param a An AKM suite selector.
 * @returns The name.
 *
 * @example Using formatRSNAKM
 * ```ts
 * import { formatRSNAKM, RSNAKM } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatRSNAKM(RSNAKM.SAE), "SAE");
 * assert.equal(formatRSNAKM(RSNAKM.FT8021X), "FT\u2011802.1X");
 * ```
 */
export function formatRSNAKM(a: RSNAKM): string {
  const t = a - 0x000fac00;
  return t >= 0 && t < AKM_NAMES.length ? AKM_NAMES[t]! : unknown(a);
}

/**
 * Formats an RSN element like the Go reference's `RSNInfo.String()`:
 * `RSN v1  Group:CCMP‑128  Pairwise:[CCMP‑128]  AKM:[PSK]`.
 *
 * @param info A decoded RSN element, or undefined.
 * @returns The text; empty when `info` is undefined or has version 0.
 *
 * @example Using formatRSNInfo
 * ```ts
 * import { formatRSNInfo } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatRSNInfo(undefined), "");
 * ```
 */
export function formatRSNInfo(info: RSNInfo | undefined): string {
  if (!info || info.version === 0) return "";
  return `RSN v${info.version}  Group:${
    formatRSNCipher(info.groupCipher)
  }  Pairwise:[${info.pairwiseCiphers.map(formatRSNCipher).join(" ")}]  AKM:[${
    info.akms.map(formatRSNAKM).join(" ")
  }]`;
}
