/**
 * 802.11 information elements: the element walk and a decoded summary of the
 * elements a BSS advertises. Pure and forgiving: a truncated or malformed
 * element is reported in `problems`, never thrown.
 *
 * @module
 */

import { decodeUTF8Go } from "./_bytes.ts";
import {
  decodeBSSLoad,
  decodeCountry,
  decodeSupportedRates,
  decodeTIM,
  decodeWMM,
  VendorOUI,
} from "./elements.ts";
import type {
  BSSLoad,
  Country,
  SupportedRate,
  TIM,
  VendorElement,
  WMMInfo,
} from "./elements.ts";
import {
  decodeHTCapabilities,
  decodeHTOperation,
  type HTCapabilities,
  type HTOperation,
} from "./ht.ts";
import {
  decodeVHTCapabilities,
  decodeVHTOperation,
  type VHTCapabilities,
  type VHTOperation,
} from "./vht.ts";
import {
  decodeHECapabilities,
  decodeHEOperation,
  type HECapabilities,
  type HEOperation,
} from "./he.ts";
import { decodeRSN, decodeWPA, type RSNInfo, type WPAInfo } from "./rsn.ts";

/**
 * Element IDs (IEEE 802.11 Table 9-92) that this module decodes or names.
 *
 * @example Find an element by ID
 * ```ts
 * import { Client, ElementID } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.ok(ap?.ies.elements.some((e) => e.id === ElementID.DSParameterSet));
 * ```
 */
export const ElementID = {
  /** 0: SSID. */
  SSID: 0,
  /** 1: Supported Rates and BSS Membership Selectors. */
  SupportedRates: 1,
  /** 3: DSSS Parameter Set (current channel). */
  DSParameterSet: 3,
  /** 5: Traffic Indication Map. */
  TIM: 5,
  /** 7: Country. */
  Country: 7,
  /** 11: BSS Load. */
  BSSLoad: 11,
  /** 42: ERP Information. */
  ERP: 42,
  /** 45: HT Capabilities. */
  HTCapabilities: 45,
  /** 48: RSN. */
  RSN: 48,
  /** 50: Extended Supported Rates. */
  ExtendedSupportedRates: 50,
  /** 54: Mobility Domain. */
  MobilityDomain: 54,
  /** 61: HT Operation. */
  HTOperation: 61,
  /** 127: Extended Capabilities. */
  ExtendedCapabilities: 127,
  /** 191: VHT Capabilities. */
  VHTCapabilities: 191,
  /** 192: VHT Operation. */
  VHTOperation: 192,
  /** 221: Vendor Specific. */
  VendorSpecific: 221,
  /** 255: Element ID Extension (the next byte is the extension ID). */
  Extension: 255,
} as const;

/**
 * Extension element IDs (after element ID 255).
 *
 * @example Find an extension element
 * ```ts
 * import { Client, ElementExtensionID } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([255, 7, 36, 0x04, 0, 0, 12, 0xfc, 0xff]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.ok(ap?.ies.elements.some((e) => e.extensionId === ElementExtensionID.HEOperation));
 * ```
 */
export const ElementExtensionID = {
  /** 35: HE Capabilities. */
  HECapabilities: 35,
  /** 36: HE Operation. */
  HEOperation: 36,
  /** 106: EHT Operation. */
  EHTOperation: 106,
  /** 108: EHT Capabilities. */
  EHTCapabilities: 108,
} as const;

/**
 * One element as found on the air: ID, (extension ID) and body.
 *
 * @example The raw elements, in order
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.deepEqual(ap?.ies.elements.map((e) => e.id), [0, 1, 3]);
 * ```
 */
export interface InformationElement {
  /** The element ID. */
  id: number;
  /** For element ID 255, the extension ID (the body's first byte). */
  extensionId?: number;
  /** The body: after the 2-byte header, and after the extension ID for ID 255. A view of the input bytes. */
  data: Uint8Array;
}

/**
 * Something wrong with one element; decoding went on without it.
 *
 * @example A malformed element is reported, not thrown
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([11, 2, 1, 0]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.deepEqual(ap?.ies.problems.map((p) => p.id), [11]);
 * assert.equal(ap?.load, undefined);
 * ```
 */
export interface ElementProblem {
  /** The element ID (or -1 when the header itself was truncated). */
  id: number;
  /** The offset of the element header in the input. */
  offset: number;
  /** What was wrong, in "Cannot decode X: detail" style. */
  message: string;
}

/**
 * The SSID as text (for display) and as the raw bytes (for comparison and reuse).
 *
 * @example Text and bytes
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.ssid?.text, "lab");
 * assert.deepEqual([...ap!.ies.ssid!.bytes], [0x6c, 0x61, 0x62]);
 * ```
 */
export interface SSID {
  /** UTF-8 decoded the Go way: each invalid byte becomes one U+FFFD. */
  text: string;
  /** The SSID bytes as sent (0-32 bytes). */
  bytes: Uint8Array;
}

/**
 * The elements of a beacon or probe response, with the common ones decoded.
 *
 * @example What a scan result advertises
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "lab", ies: new Uint8Array([]) }] }),
 * });
 * const [ap] = await client.accessPoints({ index: 1 });
 * assert.equal(ap?.ies.ssid?.text, "lab");
 * assert.equal(ap?.ies.dsChannel, 1);
 * assert.deepEqual(ap?.ies.problems, []);
 * ```
 */
export interface InformationElements {
  /** Every well-formed element, in order. */
  elements: InformationElement[];
  /** Elements that were truncated or could not be decoded (they are skipped, not thrown). */
  problems: ElementProblem[];
  /** Element 0 (the last one wins, as in the Go reference). */
  ssid?: SSID;
  /** Elements 1 and 50 together, in order. */
  supportedRates: SupportedRate[];
  /** BSS membership selectors found in elements 1 and 50 (e.g. 127 HT PHY). */
  membershipSelectors: number[];
  /** Element 3: the current channel. */
  dsChannel?: number;
  /** Element 5. */
  tim?: TIM;
  /** Element 7. */
  country?: Country;
  /** Element 11. */
  bssLoad?: BSSLoad;
  /** Element 48. */
  rsn?: RSNInfo;
  /** Vendor element `00:50:f2` type 1 (WPA1). */
  wpa?: WPAInfo;
  /** Vendor element `00:50:f2` type 2 (WMM information or parameter). */
  wmm?: WMMInfo;
  /** Element 45. */
  htCapabilities?: HTCapabilities;
  /** Element 61. */
  htOperation?: HTOperation;
  /** Element 191. */
  vhtCapabilities?: VHTCapabilities;
  /** Element 192. */
  vhtOperation?: VHTOperation;
  /** Extension element 35. */
  heCapabilities?: HECapabilities;
  /** Extension element 36. */
  heOperation?: HEOperation;
  /** Every vendor-specific element (221), in order. */
  vendor: VendorElement[];
}

/**
 * Walks the element list (ID, length, body) without decoding bodies. A
 * truncated final element ends the walk and is reported in `problems`.
 *
 * @param b The element bytes (for example `NL80211_BSS_INFORMATION_ELEMENTS`).
 * @returns The elements (views of `b`) and at most one problem.
 *
 * @example The vectors of the Go reference's parseIEs
 * ```ts
 * import { splitElements } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const ok = splitElements(new Uint8Array([0x00, 0x03, 0x66, 0x6f, 0x6f, 0x01, 0x00]));
 * assert.deepEqual(ok.elements.map((e) => e.id), [0, 1]);
 * assert.equal(splitElements(new Uint8Array([0x00, 0xff, 0x00])).problems.length, 1);
 * ```
 */
export function splitElements(
  b: Uint8Array,
): { elements: InformationElement[]; problems: ElementProblem[] } {
  const elements: InformationElement[] = [];
  const problems: ElementProblem[] = [];
  let o = 0;
  while (o < b.length) {
    if (o + 2 > b.length) {
      problems.push({
        id: -1,
        offset: o,
        message:
          `Cannot decode element: 1 trailing byte is too short for a header at offset ${o}`,
      });
      break;
    }
    const id = b[o]!;
    const len = b[o + 1]!;
    if (o + 2 + len > b.length) {
      problems.push({
        id,
        offset: o,
        message: `Cannot decode element ${id}: length ${len} exceeds the ${
          b.length - o - 2
        } bytes left at offset ${o}`,
      });
      break;
    }
    const body = b.subarray(o + 2, o + 2 + len);
    if (id === ElementID.Extension) {
      if (len === 0) {
        problems.push({
          id,
          offset: o,
          message: `Cannot decode element 255: no extension ID at offset ${o}`,
        });
      } else {elements.push({
          id,
          extensionId: body[0]!,
          data: body.subarray(1),
        });}
    } else elements.push({ id, data: body });
    o += 2 + len;
  }
  return { elements, problems };
}

/**
 * Decodes an SSID the way the Go reference does (each invalid UTF-8 byte
 * becomes one U+FFFD), keeping the raw bytes.
 *
 * @param b The SSID element body.
 * @returns The text and a copy of the bytes.
 *
 * @example Using decodeSSID
 * ```ts
 * import { decodeSSID } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeSSID(new Uint8Array([0xe2, 0x82, 0x41])).text, "\ufffd\ufffdA");
 * ```
 */
export function decodeSSID(b: Uint8Array): SSID {
  return { text: decodeUTF8Go(b), bytes: b.slice() };
}

/**
 * Parses 802.11 information elements and decodes the common ones: SSID,
 * rates, DS parameter, TIM, country, BSS load, RSN, HT/VHT/HE capabilities
 * and operation, and vendor elements (WPA, WMM). Never throws: a truncated
 * element ends the walk, and an element whose body cannot be decoded is
 * skipped; both are listed in `problems`.
 *
 * @param b The element bytes.
 * @returns The elements and their decoded summary.
 *
 * @example Decode a beacon's elements
 * ```ts
 * import { parseInformationElements, RSNAKM } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const ies = parseInformationElements(new Uint8Array([
 *   0x00, 0x04, 0x68, 0x6f, 0x6d, 0x65,             // SSID "home"
 *   0x03, 0x01, 0x06,                               // DS: channel 6
 *   0x30, 0x14, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, // RSN v1, group CCMP
 *   0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00,
 *   0x0b, 0x02, 0x01,                               // truncated BSS Load
 * ]));
 * assert.equal(ies.ssid?.text, "home");
 * assert.equal(ies.dsChannel, 6);
 * assert.deepEqual(ies.rsn?.akms, [RSNAKM.PSK]);
 * assert.equal(ies.problems.length, 1);
 * ```
 */
export function parseInformationElements(b: Uint8Array): InformationElements {
  const { elements, problems } = splitElements(b);
  const out: InformationElements = {
    elements,
    problems,
    supportedRates: [],
    membershipSelectors: [],
    vendor: [],
  };
  for (const e of elements) {
    // The element header's offset, recovered from the body view.
    const offset = e.data.byteOffset - b.byteOffset -
      (e.extensionId === undefined ? 2 : 3);
    try {
      decodeOne(e, out);
    } catch (err) {
      problems.push({
        id: e.id,
        offset,
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
  problems.sort((x, y) => x.offset - y.offset);
  return out;
}

function decodeOne(e: InformationElement, out: InformationElements): void {
  const d = e.data;
  switch (e.id) {
    case ElementID.SSID:
      out.ssid = decodeSSID(d);
      return;
    case ElementID.SupportedRates:
    case ElementID.ExtendedSupportedRates: {
      const r = decodeSupportedRates(d);
      out.supportedRates.push(...r.rates);
      out.membershipSelectors.push(...r.selectors);
      return;
    }
    case ElementID.DSParameterSet:
      if (d.length !== 1) {
        throw new RangeError(
          `Cannot decode DS Parameter Set element: ${d.length} bytes, want 1`,
        );
      }
      out.dsChannel = d[0]!;
      return;
    case ElementID.TIM:
      out.tim = decodeTIM(d);
      return;
    case ElementID.Country:
      out.country = decodeCountry(d);
      return;
    case ElementID.BSSLoad:
      out.bssLoad = decodeBSSLoad(d);
      return;
    case ElementID.RSN:
      out.rsn = decodeRSN(d);
      return;
    case ElementID.HTCapabilities:
      out.htCapabilities = decodeHTCapabilities(d);
      return;
    case ElementID.HTOperation:
      out.htOperation = decodeHTOperation(d);
      return;
    case ElementID.VHTCapabilities:
      out.vhtCapabilities = decodeVHTCapabilities(d);
      return;
    case ElementID.VHTOperation:
      out.vhtOperation = decodeVHTOperation(d);
      return;
    case ElementID.VendorSpecific:
      decodeVendor(d, out);
      return;
    case ElementID.Extension:
      if (e.extensionId === ElementExtensionID.HECapabilities) {
        out.heCapabilities = decodeHECapabilities(d);
      } else if (e.extensionId === ElementExtensionID.HEOperation) {
        out.heOperation = decodeHEOperation(d);
      }
      return;
  }
}

function decodeVendor(d: Uint8Array, out: InformationElements): void {
  if (d.length < 3) {
    throw new RangeError(
      `Cannot decode Vendor Specific element: ${d.length} bytes is too short, want at least 3`,
    );
  }
  const oui = (d[0]! << 16) | (d[1]! << 8) | d[2]!;
  const v: VendorElement = { oui, data: d.subarray(3) };
  if (d.length >= 4) v.type = d[3]!;
  out.vendor.push(v);
  if (oui !== VendorOUI.Microsoft || d.length < 4) return;
  if (d[3] === 1) out.wpa = decodeWPA(d.subarray(4));
  else if (d[3] === 2) out.wmm = decodeWMM(d.subarray(4));
}
