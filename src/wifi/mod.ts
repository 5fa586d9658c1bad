/**
 * The wifi layer: an nl80211 client ({@linkcode Client}) on generic
 * netlink, decoders for every nl80211 reply it reads (interfaces, scan
 * results, stations, surveys, PHYs, the regulatory domain, notifications),
 * 802.11 information elements ({@linkcode parseInformationElements}: SSID,
 * rates, DS, TIM, country, BSS load, RSN, HT/VHT/HE capabilities and
 * operation, WPA and WMM vendor elements), and the nl80211 constants
 * generated from `linux/nl80211.h`.
 *
 * The decoders are pure (bytes in, plain objects out) and never throw on
 * information elements: a malformed element is listed in `ies.problems`.
 * The Go `wifi` package's bugs are not ported (see the notes on
 * `VHTCapabilities`, `BSS.status`, `Client.scan` and `SurveyInfo`).
 *
 * Without wifi hardware, use the simulated nl80211 of
 * `@nlkit/netlink/nltest` (`nl80211.dial(world)`), as the examples below do.
 *
 * @example Scan and connect on a simulated device
 * ```ts
 * import { Client, formatRSNInfo } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0" }],
 *     accessPoints: [{ ssid: "home", security: "wpa2", passphrase: "correct horse", frequency: 5180 }],
 *   }),
 * });
 * const [wlan0] = await client.interfaces();
 * await client.scan(wlan0!);
 * const [home] = await client.accessPoints(wlan0!);
 * assert.equal(formatRSNInfo(home!.rsn), "RSN v1  Group:CCMP\u2011128  Pairwise:[CCMP\u2011128]  AKM:[PSK]");
 * await client.connectWPAPSK(wlan0!, "home", "correct horse");
 * assert.equal((await client.bss(wlan0!)).ssid, "home");
 * ```
 *
 * @example On the real kernel
 * ```ts ignore
 * import { Client } from "@nlkit/netlink/wifi";
 *
 * await using client = await Client.open(); // isNotExist(err) without nl80211
 * for (const ifi of await client.interfaces()) {
 *   for (const sta of await client.stationInfo(ifi)) console.log(ifi.name, sta.hardwareAddr, sta.signal);
 * }
 * ```
 *
 * @module
 */

export * from "./client.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./interface.ts";
export * from "./bss.ts";
export * from "./station.ts";
export * from "./survey.ts";
export * from "./phy.ts";
export * from "./regulatory.ts";
export * from "./ie.ts";
export * from "./elements.ts";
export * from "./rsn.ts";
export * from "./ht.ts";
export * from "./vht.ts";
export * from "./he.ts";
export { derivePMK } from "./wpa.ts";
export * from "./nl80211.ts";
