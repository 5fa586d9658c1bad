/**
 * nl80211 notifications decoded into a typed union ({@linkcode WifiEvent}).
 *
 * @module
 */

import { AttributeDecoder } from "../netlink/attribute.ts";
import { hexColon } from "./_bytes.ts";
import { decodeInterface, type Interface } from "./interface.ts";
import { Nl80211Attribute as A, Nl80211Command as C } from "./nl80211.ts";
import { decodeStationInfo, type StationInfo } from "./station.ts";

/**
 * `NL80211_CMD_NEW_INTERFACE` / `DEL_INTERFACE`: an interface was created or removed.
 *
 * @example An interface appears
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new nl80211.Simulator();
 * await using client = await Client.open({ conn: sim.dial() });
 * const events = client.events();
 * sim.addInterface({ name: "mon0" });
 * const { value } = await events.next();
 * assert.ok(value?.type === "newInterface" && value.interface.name === "mon0");
 * await events.return?.();
 * ```
 */
export interface InterfaceEvent {
  /** `"newInterface"` or `"deleteInterface"`. */
  type: "newInterface" | "deleteInterface";
  /** The nl80211 command. */
  command: number;
  /** The interface. */
  interface: Interface;
}

/**
 * `NL80211_CMD_CONNECT`: the result of a connection attempt.
 *
 * @example A failed attempt
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * const events = client.events();
 * await client.connect({ index: 1 }, "missing");
 * const { value } = await events.next();
 * assert.ok(value?.type === "connect" && value.statusCode !== 0 && value.timedOut);
 * await events.return?.();
 * ```
 */
export interface ConnectEvent {
  /** `"connect"`. */
  type: "connect";
  /** The nl80211 command. */
  command: number;
  /** `NL80211_ATTR_IFINDEX`. */
  interfaceIndex: number;
  /** `NL80211_ATTR_WIPHY`, when sent. */
  wiphy?: number;
  /** `NL80211_ATTR_MAC`: the BSSID, when sent. */
  bssid?: string;
  /** `NL80211_ATTR_STATUS_CODE`: the IEEE 802.11 status code (0 is success). */
  statusCode: number;
  /** `NL80211_ATTR_TIMED_OUT`: the attempt timed out without a response. */
  timedOut: boolean;
}

/**
 * `NL80211_CMD_DISCONNECT`: the interface lost or left its connection.
 *
 * @example The AP drops the station
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0", connectedTo: "ap" }], accessPoints: [{ ssid: "ap" }] });
 * await using client = await Client.open({ conn: sim.dial() });
 * const events = client.events();
 * sim.kick(1, 4);
 * const { value } = await events.next();
 * assert.ok(value?.type === "disconnect" && value.byAP && value.reasonCode === 4);
 * await events.return?.();
 * ```
 */
export interface DisconnectEvent {
  /** `"disconnect"`. */
  type: "disconnect";
  /** The nl80211 command. */
  command: number;
  /** `NL80211_ATTR_IFINDEX`. */
  interfaceIndex: number;
  /** `NL80211_ATTR_WIPHY`, when sent. */
  wiphy?: number;
  /** `NL80211_ATTR_REASON_CODE`: the IEEE 802.11 reason code (0 when absent). */
  reasonCode: number;
  /** `NL80211_ATTR_DISCONNECTED_BY_AP`. */
  byAP: boolean;
}

/**
 * `NL80211_CMD_TRIGGER_SCAN`, `NEW_SCAN_RESULTS` or `SCAN_ABORTED` on the "scan" group.
 *
 * @example A scan starts, then finishes
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * const events = client.events();
 * await client.scan({ index: 1 });
 * const first = (await events.next()).value;
 * assert.ok(first?.type === "triggerScan" && first.frequencies.includes(2412));
 * assert.equal((await events.next()).value?.type, "newScanResults");
 * await events.return?.();
 * ```
 */
export interface ScanEvent {
  /** A scan started, finished with results, or was aborted. */
  type: "triggerScan" | "newScanResults" | "scanAborted";
  /** The nl80211 command. */
  command: number;
  /** `NL80211_ATTR_IFINDEX` (0 for a P2P device). */
  interfaceIndex: number;
  /** `NL80211_ATTR_WIPHY`, when sent. */
  wiphy?: number;
  /** `NL80211_ATTR_SCAN_FREQUENCIES`: the scanned frequencies in MHz. */
  frequencies: number[];
}

/**
 * `NL80211_CMD_NEW_STATION` / `DEL_STATION`: a peer appeared or went away.
 *
 * @example A client joins an AP
 * ```ts
 * import { Client, InterfaceType } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new nl80211.Simulator({ interfaces: [{ name: "ap0", type: InterfaceType.AP }] });
 * await using client = await Client.open({ conn: sim.dial() });
 * const events = client.events();
 * sim.addStation(1, { mac: "02:00:00:00:aa:01" });
 * const { value } = await events.next();
 * assert.ok(value?.type === "newStation" && value.hardwareAddr === "02:00:00:00:aa:01");
 * await events.return?.();
 * ```
 */
export interface StationEvent {
  /** `"newStation"` or `"deleteStation"`. */
  type: "newStation" | "deleteStation";
  /** The nl80211 command. */
  command: number;
  /** `NL80211_ATTR_IFINDEX`. */
  interfaceIndex: number;
  /** `NL80211_ATTR_MAC`: the station's address. */
  hardwareAddr: string;
  /** `NL80211_ATTR_STA_INFO`, when sent. */
  station?: StationInfo;
}

/**
 * `NL80211_CMD_REG_CHANGE` / `WIPHY_REG_CHANGE`: the regulatory domain changed.
 *
 * @example After setRegulatoryRegion
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const events = client.events();
 * await client.setRegulatoryRegion("JP");
 * const { value } = await events.next();
 * assert.ok(value?.type === "regulatoryChange" && value.region === "JP");
 * await events.return?.();
 * ```
 */
export interface RegulatoryChangeEvent {
  /** `"regulatoryChange"`. */
  type: "regulatoryChange";
  /** The nl80211 command. */
  command: number;
  /** `NL80211_ATTR_REG_INITIATOR` (`Nl80211RegulatoryInitiator`). */
  initiator?: number;
  /** `NL80211_ATTR_REG_TYPE` (`Nl80211RegulatoryType`). */
  regulatoryType?: number;
  /** `NL80211_ATTR_REG_ALPHA2`, for a country domain. */
  region?: string;
  /** `NL80211_ATTR_WIPHY`, for a wiphy-specific change. */
  wiphy?: number;
}

/**
 * Any other nl80211 notification, undecoded.
 *
 * @example Commands without a decoder
 * ```ts
 * import { decodeEvent, Nl80211Command } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decodeEvent(Nl80211Command.FrameTXStatus, new Uint8Array()).type, "unknown");
 * ```
 */
export interface UnknownEvent {
  /** `"unknown"`. */
  type: "unknown";
  /** The nl80211 command. */
  command: number;
  /** The attributes (generic netlink payload after the genl header). */
  data: Uint8Array;
}

/**
 * A decoded nl80211 notification; switch on `type`.
 *
 * @example Watch a simulated connection
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0" }],
 *     accessPoints: [{ ssid: "cafe", bssid: "02:00:00:00:01:00" }],
 *   }),
 * });
 * const [ifi] = await client.interfaces();
 * const events = client.events();
 * await client.connect(ifi!, "cafe");
 * const { value } = await events.next();
 * assert.equal(value?.type, "connect");
 * if (value?.type === "connect") assert.equal(value.bssid, "02:00:00:00:01:00");
 * await events.return?.();
 * ```
 */
export type WifiEvent =
  | InterfaceEvent
  | ConnectEvent
  | DisconnectEvent
  | ScanEvent
  | StationEvent
  | RegulatoryChangeEvent
  | UnknownEvent;

interface Common {
  interfaceIndex: number;
  wiphy?: number;
  mac?: string;
  statusCode: number;
  reasonCode: number;
  timedOut: boolean;
  byAP: boolean;
  frequencies: number[];
  initiator?: number;
  regulatoryType?: number;
  region?: string;
}

function common(data: Uint8Array): Common {
  const c: Common = {
    interfaceIndex: 0,
    statusCode: 0,
    reasonCode: 0,
    timedOut: false,
    byAP: false,
    frequencies: [],
  };
  const d = new AttributeDecoder(data);
  while (d.next()) {
    switch (d.type) {
      case A.Ifindex:
        c.interfaceIndex = d.uint32();
        break;
      case A.Wiphy:
        c.wiphy = d.uint32();
        break;
      case A.MAC:
        c.mac = hexColon(d.view());
        break;
      case A.StatusCode:
        c.statusCode = d.uint16();
        break;
      case A.ReasonCode:
        c.reasonCode = d.uint16();
        break;
      case A.TimedOut:
        c.timedOut = true;
        break;
      case A.DisconnectedByAP:
        c.byAP = true;
        break;
      case A.ScanFrequencies: {
        const n = d.decoder();
        while (n.next()) c.frequencies.push(n.uint32());
        break;
      }
      case A.RegInitiator:
        c.initiator = d.uint8();
        break;
      case A.RegType:
        c.regulatoryType = d.uint8();
        break;
      case A.RegAlpha2:
        c.region = d.string();
        break;
    }
  }
  return c;
}

/**
 * Decodes an nl80211 notification by command. Commands it does not model
 * become an {@linkcode UnknownEvent}.
 *
 * @param command The genl command.
 * @param data The generic netlink payload after the 4-byte genl header.
 * @returns The event.
 * @throws {RangeError} If an attribute is truncated or has the wrong size.
 *
 * @example Using decodeEvent
 * ```ts
 * import { decodeEvent, Nl80211Attribute, Nl80211Command } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().uint32(Nl80211Attribute.Ifindex, 3).uint16(Nl80211Attribute.ReasonCode, 3).encode();
 * const e = decodeEvent(Nl80211Command.Disconnect, data);
 * assert.deepEqual(e, { type: "disconnect", command: 0x30, interfaceIndex: 3, reasonCode: 3, byAP: false });
 * ```
 */
export function decodeEvent(command: number, data: Uint8Array): WifiEvent {
  switch (command) {
    case C.NewInterface:
    case C.DelInterface:
      return {
        type: command === C.NewInterface ? "newInterface" : "deleteInterface",
        command,
        interface: decodeInterface(data),
      };
    case C.Connect: {
      const c = common(data);
      const e: ConnectEvent = {
        type: "connect",
        command,
        interfaceIndex: c.interfaceIndex,
        statusCode: c.statusCode,
        timedOut: c.timedOut,
      };
      if (c.wiphy !== undefined) e.wiphy = c.wiphy;
      if (c.mac !== undefined) e.bssid = c.mac;
      return e;
    }
    case C.Disconnect: {
      const c = common(data);
      const e: DisconnectEvent = {
        type: "disconnect",
        command,
        interfaceIndex: c.interfaceIndex,
        reasonCode: c.reasonCode,
        byAP: c.byAP,
      };
      if (c.wiphy !== undefined) e.wiphy = c.wiphy;
      return e;
    }
    case C.TriggerScan:
    case C.NewScanResults:
    case C.ScanAborted: {
      const c = common(data);
      const type = command === C.TriggerScan
        ? "triggerScan"
        : command === C.NewScanResults
        ? "newScanResults"
        : "scanAborted";
      const e: ScanEvent = {
        type,
        command,
        interfaceIndex: c.interfaceIndex,
        frequencies: c.frequencies,
      };
      if (c.wiphy !== undefined) e.wiphy = c.wiphy;
      return e;
    }
    case C.NewStation:
    case C.DelStation: {
      const c = common(data);
      const e: StationEvent = {
        type: command === C.NewStation ? "newStation" : "deleteStation",
        command,
        interfaceIndex: c.interfaceIndex,
        hardwareAddr: c.mac ?? "",
      };
      const station = command === C.NewStation
        ? decodeStationInfo(data)
        : undefined;
      if (station) e.station = station;
      return e;
    }
    case C.RegChange:
    case C.WiphyRegChange: {
      const c = common(data);
      const e: RegulatoryChangeEvent = { type: "regulatoryChange", command };
      if (c.initiator !== undefined) e.initiator = c.initiator;
      if (c.regulatoryType !== undefined) e.regulatoryType = c.regulatoryType;
      if (c.region !== undefined) e.region = c.region;
      if (c.wiphy !== undefined) e.wiphy = c.wiphy;
      return e;
    }
    default:
      return { type: "unknown", command, data };
  }
}
