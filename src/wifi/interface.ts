/**
 * Wireless interfaces (`NL80211_CMD_NEW_INTERFACE` replies and
 * notifications) and the names of interface types and channel widths.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import {
  decodeUTF8Go as decodeSSIDText,
  hexColon,
  parseHexColon,
} from "./_bytes.ts";
import {
  ChannelWidth,
  InterfaceType,
  Nl80211Attribute as A,
} from "./nl80211.ts";

/**
 * A wireless interface, as `iw dev` lists it. Every field the Go reference
 * has is always present (0 or "" when the kernel left it out); the others
 * are present only when the kernel sent them.
 *
 * @example List the interfaces of a simulated device
 * ```ts
 * import { Client, InterfaceType } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * const [ifi] = await client.interfaces();
 * assert.equal(ifi?.name, "wlan0");
 * assert.equal(ifi?.type, InterfaceType.Station);
 * ```
 */
export interface Interface {
  /** `NL80211_ATTR_IFINDEX`: the network interface index (0 for a P2P device without a netdev). */
  index: number;
  /** `NL80211_ATTR_IFNAME`. */
  name: string;
  /** `NL80211_ATTR_MAC`: the hardware address, `"aa:bb:cc:dd:ee:ff"`. */
  hardwareAddr: string;
  /** `NL80211_ATTR_WIPHY`: the index of the PHY this interface belongs to. */
  phy: number;
  /** `NL80211_ATTR_WDEV`: the wireless device id (u64; exact below 2^53). */
  device: number;
  /** `NL80211_ATTR_IFTYPE`. */
  type: InterfaceType;
  /** `NL80211_ATTR_WIPHY_FREQ`: the operating frequency in MHz (0 when not operating). */
  frequency: number;
  /** `NL80211_ATTR_CHANNEL_WIDTH`. */
  channelWidth: ChannelWidth;
  /** `NL80211_ATTR_CENTER_FREQ1`: the center frequency of the channel in MHz. */
  centerFrequency1?: number;
  /** `NL80211_ATTR_CENTER_FREQ2`: the second segment's center frequency (80+80) in MHz. */
  centerFrequency2?: number;
  /** `NL80211_ATTR_WIPHY_TX_POWER_LEVEL`: transmit power in dBm (the kernel reports mBm). */
  txPowerDbm?: number;
  /** `NL80211_ATTR_SSID`: the SSID of the connected network or AP, as text. */
  ssid?: string;
  /** `NL80211_ATTR_SSID`: the raw SSID bytes. */
  ssidBytes?: Uint8Array;
  /** `NL80211_ATTR_4ADDR`: 4-address (WDS) mode. */
  fourAddress?: boolean;
  /** `NL80211_ATTR_GENERATION`: the interface list generation counter. */
  generation?: number;
}

/**
 * Decodes the attributes of an interface message (`NL80211_CMD_NEW_INTERFACE`
 * reply or a `NEW_INTERFACE`/`DEL_INTERFACE` notification).
 *
 * @param data The generic netlink payload after the 4-byte genl header.
 * @returns The interface.
 * @throws {RangeError} If an attribute is truncated or has the wrong size.
 *
 * @example Using decodeInterface
 * ```ts
 * import { decodeInterface } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().uint32(3, 7).string(4, "wlan0").uint32(5, 2).encode();
 * const ifi = decodeInterface(data);
 * assert.equal(ifi.index, 7);
 * assert.equal(ifi.name, "wlan0");
 * ```
 */
export function decodeInterface(data: Uint8Array): Interface {
  const ifi: Interface = {
    index: 0,
    name: "",
    hardwareAddr: "",
    phy: 0,
    device: 0,
    type: InterfaceType.Unspecified,
    frequency: 0,
    channelWidth: ChannelWidth.Width20NoHT,
  };
  const d = new AttributeDecoder(data);
  while (d.next()) {
    switch (d.type) {
      case A.Ifindex:
        ifi.index = d.uint32();
        break;
      case A.Ifname:
        ifi.name = d.string();
        break;
      case A.MAC:
        ifi.hardwareAddr = hexColon(d.view());
        break;
      case A.Wiphy:
        ifi.phy = d.uint32();
        break;
      case A.Wdev:
        ifi.device = Number(d.uint64());
        break;
      case A.Iftype:
        ifi.type = d.uint32() as InterfaceType;
        break;
      case A.WiphyFreq:
        ifi.frequency = d.uint32();
        break;
      case A.ChannelWidth:
        ifi.channelWidth = d.uint32() as ChannelWidth;
        break;
      case A.CenterFreq1:
        ifi.centerFrequency1 = d.uint32();
        break;
      case A.CenterFreq2:
        ifi.centerFrequency2 = d.uint32();
        break;
      case A.WiphyTXPowerLevel:
        ifi.txPowerDbm = d.int32() / 100;
        break;
      case A.SSID: {
        const b = d.bytes();
        ifi.ssidBytes = b;
        ifi.ssid = decodeSSIDText(b);
        break;
      }
      case A.FourAddr:
        ifi.fourAddress = d.uint8() !== 0;
        break;
      case A.Generation:
        ifi.generation = d.uint32();
        break;
    }
  }
  return ifi;
}

const IFTYPE_NAMES = [
  "unspecified",
  "ad-hoc",
  "station",
  "access point",
  "access point/VLAN",
  "wireless distribution",
  "monitor",
  "mesh point",
  "P2P client",
  "P2P group owner",
  "P2P device",
  "outside context of BSS",
  "near-me area network",
];

/**
 * Names an interface type like the Go reference's `InterfaceType.String()`.
 *
 * @param t The interface type.
 * @returns Such as `"station"`; `"unknown(13)"` for values it does not know.
 *
 * @example Using formatInterfaceType
 * ```ts
 * import { formatInterfaceType, InterfaceType } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatInterfaceType(InterfaceType.AP), "access point");
 * assert.equal(formatInterfaceType(13), "unknown(13)");
 * ```
 */
export function formatInterfaceType(t: number): string {
  return IFTYPE_NAMES[t] ?? `unknown(${t})`;
}

const WIDTH_NAMES = [
  "20 MHz (no HT)",
  "20 MHz",
  "40 MHz",
  "80 MHz",
  "80+80 MHz",
  "160 MHz",
  "5 MHz",
  "10 MHz",
  "1 MHz",
  "2 MHz",
  "4 MHz",
  "8 MHz",
  "16 MHz",
  "320 MHz",
];

/**
 * Names a channel width like the Go reference's `ChannelWidth.String()`.
 *
 * @param w The channel width.
 * @returns Such as `"80 MHz"`; `"unknown(14)"` for values it does not know.
 *
 * @example Using formatChannelWidth
 * ```ts
 * import { ChannelWidth, formatChannelWidth } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatChannelWidth(ChannelWidth.Width80P80), "80+80 MHz");
 * ```
 */
export function formatChannelWidth(w: number): string {
  return WIDTH_NAMES[w] ?? `unknown(${w})`;
}

/** MHz of each {@linkcode ChannelWidth} value (20 MHz for "no HT"). */
const WIDTH_MHZ = [20, 20, 40, 80, 160, 160, 5, 10, 1, 2, 4, 8, 16, 320];

/**
 * The total width in MHz of a {@linkcode ChannelWidth} value (80+80 counts as 160).
 *
 * @param w The channel width.
 * @returns The width in MHz, or 0 for an unknown value.
 *
 * @example Using channelWidthMHz
 * ```ts
 * import { ChannelWidth, channelWidthMHz } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(channelWidthMHz(ChannelWidth.Width160), 160);
 * ```
 */
export function channelWidthMHz(w: number): number {
  return WIDTH_MHZ[w] ?? 0;
}

/**
 * Encodes an interface as the kernel sends it (`NL80211_CMD_NEW_INTERFACE`),
 * the inverse of {@linkcode decodeInterface}: index, name, PHY, type,
 * wireless device id, hardware address, then what is set among the
 * generation, the channel (sent with a frequency), the transmit power
 * (dBm, sent as mBm), the SSID and 4-address mode.
 *
 * @internal Used by nltest's simulated nl80211 (one codec: the simulator
 * sends what this package reads).
 * @param ifi The interface.
 * @returns The attributes (the genl payload after the 4-byte header).
 * @throws {TypeError} If `hardwareAddr` is not colon-separated hex.
 */
export function encodeInterface(ifi: Interface): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder()
    .uint32(A.Ifindex, ifi.index)
    .string(A.Ifname, ifi.name)
    .uint32(A.Wiphy, ifi.phy)
    .uint32(A.Iftype, ifi.type)
    .uint64(A.Wdev, BigInt(ifi.device))
    .bytes(A.MAC, parseHexColon(ifi.hardwareAddr));
  if (ifi.generation !== undefined) e.uint32(A.Generation, ifi.generation);
  if (ifi.frequency > 0) {
    e.uint32(A.WiphyFreq, ifi.frequency).uint32(
      A.ChannelWidth,
      ifi.channelWidth,
    );
    if (ifi.centerFrequency1 !== undefined) {
      e.uint32(A.CenterFreq1, ifi.centerFrequency1);
    }
    if (ifi.centerFrequency2 !== undefined) {
      e.uint32(A.CenterFreq2, ifi.centerFrequency2);
    }
  }
  if (ifi.txPowerDbm !== undefined) {
    e.int32(A.WiphyTXPowerLevel, Math.round(ifi.txPowerDbm * 100));
  }
  const ssid = ifi.ssidBytes ??
    (ifi.ssid === undefined ? undefined : new TextEncoder().encode(ifi.ssid));
  if (ssid !== undefined) e.bytes(A.SSID, ssid);
  if (ifi.fourAddress !== undefined) {
    e.uint8(A.FourAddr, ifi.fourAddress ? 1 : 0);
  }
  return e.encode();
}
