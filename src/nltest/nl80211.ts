/**
 * A simulated, stateful nl80211: wifi code (and the wifi examples) run
 * without wifi hardware or root. Describe a world as a plain object —
 * PHYs, interfaces, the access points scans find, stations, surveys, the
 * regulatory domain — and get a `GenlConn` that answers like the kernel:
 * the nl80211 family and its multicast groups (config, scan, regulatory,
 * mlme) through `nlctrl`, dumps as multipart replies, the split wiphy dump,
 * `TRIGGER_SCAN` answered and followed by `NEW_SCAN_RESULTS` (or
 * `SCAN_ABORTED`) on the scan group after a configurable delay, `CONNECT` and
 * `DISCONNECT` changing state and emitting events, and kernel errnos
 * (ENODEV, EBUSY, EALREADY, ENOTCONN, EOPNOTSUPP) where Linux returns them.
 *
 * Exported from `@nlkit/netlink/nltest` as the `nl80211` namespace.
 *
 * @example Declare a world in a few lines
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0" }],
 *     accessPoints: [{ ssid: "home", security: "wpa2", frequency: 5180 }, { ssid: "cafe" }],
 *   }),
 * });
 * const [wlan0] = await client.interfaces();
 * await client.scan(wlan0!);
 * assert.deepEqual((await client.accessPoints(wlan0!)).map((ap) => ap.ssid), ["home", "cafe"]);
 * ```
 *
 * @example Drive the world from the test (a station joins an AP)
 * ```ts
 * import { Client, InterfaceType } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new nl80211.Simulator({ interfaces: [{ name: "ap0", type: InterfaceType.AP }] });
 * await using client = await Client.open({ conn: sim.dial() });
 * const events = client.events();
 * sim.addStation(1, { mac: "02:00:00:00:99:00", signal: -40 });
 * const { value } = await events.next();
 * assert.equal(value?.type, "newStation");
 * assert.equal((await client.stationInfo({ index: 1 }))[0]?.signal, -40);
 * await events.return?.();
 * ```
 *
 * @module
 */

import { formatMAC } from "../families/_text.ts";
import { Errno } from "../netlink/errno.ts";
import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import { Family as NetlinkFamily } from "../netlink/header.ts";
import type { GenlConn } from "../genetlink/conn.ts";
import type { Family } from "../genetlink/family.ts";
import {
  encodeGenlMessage,
  type GenlMessage,
  OperationFlags,
} from "../genetlink/message.ts";
import {
  NL80211_GENL_NAME,
  Nl80211Attribute as A,
  Nl80211Command as C,
} from "../wifi/nl80211.ts";
import { derivePMK } from "../wifi/wpa.ts";
import * as genltest from "./genltest.ts";
import type { SimKernel } from "./kernel.ts";
import { KernelError } from "./kernel_handler.ts";
import {
  encodeBSSState,
  encodeInterfaceState,
  encodePHYState,
  encodeRegulatoryState,
  encodeStationState,
  encodeSurveyState,
  SUPPORTED_COMMANDS,
  WORLD_RULES,
} from "./_nl80211_replies.ts";
import {
  type APState,
  apState,
  type IfaceState,
  ifaceState,
  parseMAC,
  type PHYState,
  phyState,
  type SimInterfaceSpec,
  type SimRegulatoryRuleSpec,
  type SimStationSpec,
  type World,
} from "./_nl80211_world.ts";

export type {
  SimAccessPointSpec,
  SimBandSpec,
  SimInterfaceSpec,
  SimPHYSpec,
  SimRegulatoryRuleSpec,
  SimScanSpec,
  SimStationSpec,
  SimSurveySpec,
  World,
} from "./_nl80211_world.ts";

/** The nl80211 multicast groups the simulator announces, in the kernel's order. */
const GROUPS = [
  "config",
  "scan",
  "regulatory",
  "mlme",
  "vendor",
  "nan",
  "testmode",
];
/** The first group id (ids follow in the order above). */
const FIRST_GROUP = 5;

/** How many requests {@linkcode Simulator.requests} keeps (the oldest are dropped), so a long-running demo stays bounded. */
const MAX_REQUESTS = 10_000;

/**
 * One request the simulator received, for assertions.
 *
 * @example See which nl80211 commands a client sent
 * ```ts
 * import { Client, Nl80211Command } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }] });
 * await using client = await Client.open({ conn: sim.dial() });
 * assert.equal((await client.interfaces()).length, 1);
 * const request: nl80211.SimRequest | undefined = sim.requests.at(-1);
 * assert.equal(request?.command, Nl80211Command.GetInterface);
 * assert.equal(request?.dump, true);
 * ```
 */
export interface SimRequest {
  /** The nl80211 command. */
  command: number;
  /** True for a dump request. */
  dump: boolean;
  /** The attributes. */
  data: Uint8Array;
}

type Sink = (group: string, messages: GenlMessage[]) => void;

function kernelError(errno: number, message?: string): KernelError {
  return new KernelError(errno, message ? { message } : {});
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The simulated nl80211 kernel: the world's state and the command handlers.
 * Plug it into a genltest connection ({@linkcode Simulator.dial}) or into a
 * stateful `SimKernel` ({@linkcode Simulator.register}); change the world
 * with its methods, which emit the notifications the kernel would.
 *
 * @example Several clients see each other's changes
 * ```ts
 * import { Client, Nl80211Command } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "cafe" }] });
 * await using a = await Client.open({ conn: sim.dial() });
 * await using b = await Client.open({ conn: sim.dial() });
 * await a.connect({ index: 1 }, "cafe");
 * assert.equal((await b.bss({ index: 1 })).ssid, "cafe");
 * assert.deepEqual(sim.requests.map((r) => r.command), [Nl80211Command.Connect, Nl80211Command.GetScan]);
 * ```
 */
export class Simulator {
  /**
   * The nl80211 family as `nlctrl` describes it.
   *
   * @example The family a client resolves
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({});
   * await using client = await Client.open({ conn: sim.dial() });
   * assert.equal(sim.family.name, "nl80211");
   * assert.equal(client.family.id, sim.family.id);
   * ```
   */
  readonly family: Family;
  /**
   * The nl80211 requests received, in order (controller lookups excluded; the last 10 000).
   *
   * @example Check that a client sent a scan
   * ```ts
   * import { Client, Nl80211Command } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }] });
   * await using client = await Client.open({ conn: sim.dial() });
   * await client.scan({ index: 1 });
   * assert.equal(sim.requests[0]?.command, Nl80211Command.TriggerScan);
   * assert.equal(sim.requests[0]?.dump, false);
   * ```
   */
  readonly requests: SimRequest[] = [];
  #phys: PHYState[];
  #ifaces: IfaceState[];
  #aps: APState[];
  #region: string;
  #dfsRegion: number;
  #rules: SimRegulatoryRuleSpec[];
  #scanDelay: number;
  #scanOutcome: "results" | "aborted";
  #generation = 1;
  #sinks = new Set<Sink>();
  #conns = new Set<GenlConn>();

  /**
   * Builds the simulated kernel's state from a world description.
   *
   * @param world The world (see {@linkcode World}); `{}` is one PHY without interfaces.
   * @throws {TypeError} When the description is invalid (a bad MAC, an interface without a name).
   */
  constructor(world: World = {}) {
    this.#phys = (world.phys ?? [{}]).map((p, i) => phyState(p, i));
    this.#ifaces = (world.interfaces ?? []).map((s, i) => ifaceState(s, i));
    this.#aps = (world.accessPoints ?? []).map((s, i) => apState(s, i));
    this.#region = world.regulatory?.region ?? "00";
    this.#dfsRegion = world.regulatory?.dfsRegion ?? 0;
    this.#rules = world.regulatory?.rules ?? WORLD_RULES;
    this.#scanDelay = world.scan?.delayMs ?? 0;
    this.#scanOutcome = world.scan?.outcome ?? "results";
    (world.interfaces ?? []).forEach((s, i) => {
      if (s.connectedTo !== undefined) {
        const ap = this.#findAP(s.connectedTo);
        if (!ap) {
          throw new TypeError(
            `Cannot simulate nl80211: no access point "${s.connectedTo}" for ${s.name}`,
          );
        }
        this.#ifaces[i]!.connected = ap;
      }
    });
    const flags = (dump: boolean, doit = true) =>
      (doit ? OperationFlags.CanDo : 0) | (dump ? OperationFlags.CanDump : 0);
    const dumpable = new Set<number>([
      C.GetWiphy,
      C.GetInterface,
      C.GetStation,
      C.GetReg,
      C.GetScan,
      C.GetSurvey,
    ]);
    const dumpOnly = new Set<number>([C.GetScan, C.GetSurvey]);
    this.family = {
      id: world.familyId ?? 0x1c,
      name: NL80211_GENL_NAME,
      version: 1,
      headerSize: 0,
      maxAttribute: A.EmaRnrElems,
      operations: SUPPORTED_COMMANDS.map((id) => ({
        id,
        flags: flags(dumpable.has(id), !dumpOnly.has(id)),
      })),
      groups: GROUPS.map((name, i) => ({ id: FIRST_GROUP + i, name })),
    };
  }

  /**
   * Opens a generic netlink connection to this simulated kernel (through
   * genltest, with `nlctrl` serving the nl80211 family). Notifications go to
   * every connection that joined the group. When the last connection
   * closes, pending scans are cancelled (no timer outlives the test).
   *
   * @returns The connection, ready for `Client.open({ conn })`.
   *
   * @example Using dial
   * ```ts
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator();
   * await using conn = sim.dial();
   * assert.equal((await conn.getFamily("nl80211")).id, sim.family.id);
   * ```
   */
  dial(): GenlConn {
    const conn = genltest.dial(genltest.serveFamily(this.family, (req, m) => {
      const dump = (m.header.flags & 0x300) === 0x300;
      return this.handle(req, dump);
    }));
    this.attach(conn);
    return conn;
  }

  /**
   * Delivers this simulator's notifications to a genltest connection you
   * built yourself (to wrap {@linkcode Simulator.handle} with
   * `genltest.checkRequest` or a recorder), and cancels pending scans when
   * the last attached connection closes.
   *
   * @param conn A connection from `genltest.dial`.
   *
   * @example Record the raw requests
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { genltest, nl80211 } from "@nlkit/netlink/nltest";
   * import type { Message } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }] });
   * const seen: Message[] = [];
   * const conn = genltest.dial(genltest.serveFamily(sim.family, (g, m) => {
   *   seen.push(m);
   *   return sim.handle(g, (m.header.flags & 0x300) === 0x300);
   * }));
   * sim.attach(conn);
   * await using client = await Client.open({ conn });
   * await client.scan({ index: 1 });
   * assert.equal(seen.length, 1);
   * ```
   */
  attach(conn: GenlConn): void {
    const sink: Sink = (group, messages) => {
      const g = this.family.groups.find((x) => x.name === group);
      if (g) genltest.notify(conn, g.id, this.family.id, messages);
    };
    this.#sinks.add(sink);
    this.#conns.add(conn);
    const forget = () => {
      this.#sinks.delete(sink);
      this.#conns.delete(conn);
      if (this.#conns.size === 0) this.#cancelScans();
    };
    const close = conn.close.bind(conn);
    const dispose = conn[Symbol.dispose].bind(conn);
    Object.defineProperty(conn, "close", {
      configurable: true,
      value: () => {
        forget();
        return close();
      },
    });
    Object.defineProperty(conn, Symbol.dispose, {
      configurable: true,
      value: () => {
        forget();
        dispose();
      },
    });
  }

  /**
   * Registers this simulator as the nl80211 family of a stateful
   * `SimKernel`, which then allocates the family and group ids (read them
   * from the returned family) and delivers notifications to its sockets.
   *
   * @param kernel The simulated kernel.
   * @returns The family as registered.
   *
   * @example Using register
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211, SimKernel } from "@nlkit/netlink/nltest";
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * new nl80211.Simulator({ interfaces: [{ name: "wlan0" }] }).register(kernel);
   * await using client = await Client.open({ conn: GenlConn.from(kernel.dial(Family.Generic)) });
   * assert.equal((await client.interfaces())[0]?.name, "wlan0");
   * ```
   */
  register(kernel: SimKernel): Family {
    const f = kernel.registerFamily({
      name: this.family.name,
      version: this.family.version,
      maxAttribute: this.family.maxAttribute,
      operations: this.family.operations,
      groups: GROUPS,
      handler: async (req, ctx) => {
        const dump = (ctx.message.header.flags & 0x300) === 0x300;
        const replies = await this.handle(req, dump);
        return dump ? { dump: replies } : replies;
      },
    });
    this.#sinks.add((group, messages) => {
      const g = f.groups.find((x) => x.name === group);
      if (!g) return;
      kernel.notify(
        NetlinkFamily.Generic,
        g.id,
        messages.map((m) => ({
          header: { length: 0, type: f.id, flags: 0, sequence: 0, pid: 0 },
          data: encodeGenlMessage(m),
        })),
      );
    });
    return f;
  }

  #notify(group: string, command: number, data: Uint8Array): void {
    const m: GenlMessage = { header: { command, version: 1 }, data };
    for (const sink of this.#sinks) sink(group, [m]);
  }

  /** Emits after the current request's reply, as the kernel's asynchronous events arrive. */
  #later(group: string, command: number, data: Uint8Array): void {
    void Promise.resolve().then(() => this.#notify(group, command, data));
  }

  #iface(index: number | undefined): IfaceState {
    const ifi = this.#ifaces.find((i) => i.index === index);
    if (!ifi) throw kernelError(Errno.ENODEV);
    return ifi;
  }

  #findAP(ssidOrBssid: string): APState | undefined {
    return this.#aps.find((ap) =>
      ap.spec.ssid === ssidOrBssid || ap.spec.bssid === ssidOrBssid
    ) ??
      this.#aps.find((ap) =>
        ap.bssid.join() ===
          (/:/.test(ssidOrBssid) ? parseMAC(ssidOrBssid).join() : "")
      );
  }

  #cancelScans(): void {
    for (const ifi of this.#ifaces) {
      if (ifi.scanTimer !== undefined) clearTimeout(ifi.scanTimer);
      ifi.scanTimer = undefined;
      ifi.scanning = false;
    }
  }

  /**
   * Answers one nl80211 request: the replies, or a `KernelError` thrown with
   * the errno Linux would return. Used by {@linkcode Simulator.dial} and
   * {@linkcode Simulator.register}; call it directly to build another transport.
   *
   * @param req The decoded generic netlink request.
   * @param dump True for a dump request.
   * @returns The replies (generic netlink messages).
   * @throws {KernelError} With the errno of a refused request.
   *
   * @example Answer a request directly
   * ```ts
   * import { Nl80211Command } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }, { name: "wlan1" }] });
   * const request = { header: { command: Nl80211Command.GetInterface, version: 1 }, data: new Uint8Array(0) };
   * const replies = await sim.handle(request, true);
   * assert.equal(replies.length, 2);
   * assert.equal(replies[0]?.header.command, Nl80211Command.NewInterface);
   * ```
   */
  handle(
    req: GenlMessage,
    dump: boolean,
  ): GenlMessage[] | Promise<GenlMessage[]> {
    const a = new Map<number, AttributeDecoder>();
    const d = new AttributeDecoder(req.data);
    try {
      while (d.next()) {
        const one = new AttributeDecoder(req.data, d.offset - 4, d.length + 4);
        one.next();
        a.set(d.type, one);
      }
    } catch {
      throw kernelError(Errno.EINVAL, "Cannot parse attributes");
    }
    this.requests.push({
      command: req.header.command,
      dump,
      data: req.data.slice(),
    });
    if (this.requests.length > MAX_REQUESTS) {
      this.requests.splice(0, this.requests.length - MAX_REQUESTS);
    }
    // A wrong-size attribute is refused as the kernel's policy check would.
    const u32 = (t: number): number | undefined => {
      try {
        return a.get(t)?.uint32();
      } catch {
        throw kernelError(Errno.EINVAL, "Attribute failed policy validation");
      }
    };
    const reply = (command: number, data: Uint8Array): GenlMessage => ({
      header: { command, version: 1 },
      data,
    });
    switch (req.header.command) {
      case C.GetInterface: {
        const index = u32(A.Ifindex);
        const list = index === undefined ? this.#ifaces : [this.#iface(index)];
        return list.map((i) =>
          reply(C.NewInterface, encodeInterfaceState(i, this.#generation))
        );
      }
      case C.GetWiphy: {
        const split = a.has(A.SplitWiphyDump);
        let phys = this.#phys;
        const index = u32(A.Ifindex);
        const wiphy = u32(A.Wiphy);
        if (index !== undefined) {
          phys = phys.filter((p) => p.index === this.#iface(index).phy);
        }
        if (wiphy !== undefined) phys = phys.filter((p) => p.index === wiphy);
        if (!dump) phys = phys.slice(0, 1);
        return phys.flatMap((p) =>
          encodePHYState(p, split && dump, this.#generation).map((x) =>
            reply(C.NewWiphy, x)
          )
        );
      }
      case C.GetScan: {
        const ifi = this.#iface(u32(A.Ifindex));
        return this.#aps.map((ap) =>
          reply(C.NewScanResults, encodeBSSState(ifi, ap, this.#generation))
        );
      }
      case C.GetStation: {
        const ifi = this.#iface(u32(A.Ifindex));
        let stations = ifi.stations;
        if (stations.length === 0 && ifi.connected) {
          const ap = ifi.connected;
          stations = [{
            mac: formatMAC(ap.bssid, 0, ap.bssid.length),
            signal: Math.round((ap.spec.signal ?? -5000) / 100),
          }];
        }
        return stations.map((s) =>
          reply(C.NewStation, encodeStationState(ifi, s, this.#generation))
        );
      }
      case C.GetSurvey: {
        const ifi = this.#iface(u32(A.Ifindex));
        return ifi.survey.map((s) =>
          reply(C.NewSurveyResults, encodeSurveyState(ifi, s))
        );
      }
      case C.GetReg:
        return [
          reply(
            C.GetReg,
            encodeRegulatoryState(this.#region, this.#dfsRegion, this.#rules),
          ),
        ];
      case C.ReqSetReg: {
        const alpha2 = a.get(A.RegAlpha2)?.string();
        if (alpha2 === undefined || !/^[A-Za-z0-9]{2}$/.test(alpha2)) {
          throw kernelError(Errno.EINVAL);
        }
        this.#region = alpha2.toUpperCase();
        this.#later(
          "regulatory",
          C.RegChange,
          new AttributeEncoder().uint8(A.RegInitiator, 1).uint8(A.RegType, 0)
            .string(A.RegAlpha2, this.#region).encode(),
        );
        return [];
      }
      case C.ReloadRegdb:
        return [];
      case C.TriggerScan:
        return this.#triggerScan(this.#iface(u32(A.Ifindex)));
      case C.AbortScan: {
        const ifi = this.#iface(u32(A.Ifindex));
        if (!ifi.scanning) throw kernelError(Errno.ENOENT);
        this.#finishScan(ifi, "aborted");
        return [];
      }
      case C.Connect:
        return this.#connect(this.#iface(u32(A.Ifindex)), a);
      case C.Disconnect: {
        const ifi = this.#iface(u32(A.Ifindex));
        if (!ifi.connected) throw kernelError(Errno.ENOTCONN);
        this.#drop(ifi, 3, false);
        return [];
      }
      default:
        throw kernelError(Errno.EOPNOTSUPP);
    }
  }

  #scanEvent(ifi: IfaceState): Uint8Array {
    return new AttributeEncoder().uint32(A.Wiphy, ifi.phy).uint32(
      A.Ifindex,
      ifi.index,
    ).uint64(A.Wdev, BigInt(ifi.wdev))
      .encode();
  }

  #triggerScan(ifi: IfaceState): GenlMessage[] {
    if (ifi.scanning) throw kernelError(Errno.EBUSY);
    ifi.scanning = true;
    const freqs =
      this.#phys.find((p) => p.index === ifi.phy)?.bands.flatMap((b) =>
        b.channels.map((c) => c.frequency)
      ) ?? [];
    const started = new AttributeEncoder().uint32(A.Wiphy, ifi.phy).uint32(
      A.Ifindex,
      ifi.index,
    ).uint64(A.Wdev, BigInt(ifi.wdev))
      .nested(A.ScanFrequencies, (e) => freqs.forEach((f, i) => e.uint32(i, f)))
      .encode();
    // Linux announces the scan on the group before it answers the request.
    this.#notify("scan", C.TriggerScan, started);
    const finish = () => this.#finishScan(ifi, this.#scanOutcome);
    if (this.#scanDelay > 0) {
      ifi.scanTimer = setTimeout(finish, this.#scanDelay);
    } else void Promise.resolve().then(() => ifi.scanning && finish());
    return [];
  }

  #finishScan(ifi: IfaceState, outcome: "results" | "aborted"): void {
    if (ifi.scanTimer !== undefined) clearTimeout(ifi.scanTimer);
    ifi.scanTimer = undefined;
    if (!ifi.scanning) return;
    ifi.scanning = false;
    if (outcome === "results") this.#generation++;
    this.#notify(
      "scan",
      outcome === "results" ? C.NewScanResults : C.ScanAborted,
      this.#scanEvent(ifi),
    );
  }

  async #connect(
    ifi: IfaceState,
    a: Map<number, AttributeDecoder>,
  ): Promise<GenlMessage[]> {
    if (ifi.connected) throw kernelError(Errno.EALREADY);
    const ssid = a.get(A.SSID)?.bytes();
    if (!ssid) throw kernelError(Errno.EINVAL);
    const bssid = a.get(A.MAC)?.bytes();
    const ap = this.#aps.find((x) =>
      equalBytes(new TextEncoder().encode(x.spec.ssid), ssid) &&
      (!bssid || equalBytes(x.bssid, bssid))
    );
    const pmk = a.get(A.PMK)?.bytes();
    let status = 0;
    if (!ap) status = 1;
    else if (ap.spec.security === "wpa2" || ap.spec.security === "wpa3") {
      if (!pmk) status = 1;
      else if (
        ap.spec.passphrase !== undefined &&
        !equalBytes(pmk, await derivePMK(ap.spec.passphrase, ssid))
      ) {
        status = 1;
      }
    }
    const e = new AttributeEncoder().uint32(A.Wiphy, ifi.phy).uint32(
      A.Ifindex,
      ifi.index,
    );
    if (ap) e.bytes(A.MAC, ap.bssid);
    e.uint16(A.StatusCode, status);
    if (!ap) e.flag(A.TimedOut);
    if (status === 0 && ap) ifi.connected = ap;
    this.#later("mlme", C.Connect, e.encode());
    return [];
  }

  #drop(ifi: IfaceState, reason: number, byAP: boolean): void {
    ifi.connected = undefined;
    const e = new AttributeEncoder().uint32(A.Wiphy, ifi.phy).uint32(
      A.Ifindex,
      ifi.index,
    ).uint16(A.ReasonCode, reason);
    if (byAP) e.flag(A.DisconnectedByAP);
    this.#later("mlme", C.Disconnect, e.encode());
  }

  /**
   * Adds an interface and announces it (`NEW_INTERFACE` on "config").
   *
   * @param spec The interface; its index defaults to one past the highest.
   * @returns Its index.
   * @throws {TypeError} When the description is invalid.
   *
   * @example Plug in a new interface
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }] });
   * await using client = await Client.open({ conn: sim.dial() });
   * const index = sim.addInterface({ name: "wlan1" });
   * assert.equal(index, 2);
   * assert.deepEqual((await client.interfaces()).map((i) => i.name), ["wlan0", "wlan1"]);
   * ```
   */
  addInterface(spec: SimInterfaceSpec): number {
    const index = spec.index ??
      Math.max(0, ...this.#ifaces.map((i) => i.index)) + 1;
    const ifi = ifaceState({ ...spec, index }, index - 1);
    this.#ifaces.push(ifi);
    this.#generation++;
    this.#notify(
      "config",
      C.NewInterface,
      encodeInterfaceState(ifi, this.#generation),
    );
    return index;
  }

  /**
   * Removes an interface and announces it (`DEL_INTERFACE` on "config").
   *
   * @param index The interface index.
   * @returns False when there is no such interface.
   *
   * @example Unplug an interface
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }, { name: "wlan1" }] });
   * await using client = await Client.open({ conn: sim.dial() });
   * assert.equal(sim.removeInterface(1), true);
   * assert.equal(sim.removeInterface(1), false);
   * assert.deepEqual((await client.interfaces()).map((i) => i.name), ["wlan1"]);
   * ```
   */
  removeInterface(index: number): boolean {
    const i = this.#ifaces.findIndex((x) => x.index === index);
    if (i < 0) return false;
    const [ifi] = this.#ifaces.splice(i, 1);
    if (ifi!.scanTimer !== undefined) clearTimeout(ifi!.scanTimer);
    this.#generation++;
    this.#notify(
      "config",
      C.DelInterface,
      encodeInterfaceState(ifi!, this.#generation),
    );
    return true;
  }

  /**
   * Adds a station (peer) to an interface and announces it (`NEW_STATION` on "mlme").
   *
   * @param index The interface index.
   * @param station The station.
   * @throws {TypeError} When there is no such interface or the MAC is invalid.
   *
   * @example A station associates
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }] });
   * await using client = await Client.open({ conn: sim.dial() });
   * sim.addStation(1, { mac: "02:00:00:00:00:01", signal: -40 });
   * const [station] = await client.stationInfo({ index: 1 });
   * assert.equal(station?.hardwareAddr, "02:00:00:00:00:01");
   * ```
   */
  addStation(index: number, station: SimStationSpec): void {
    const ifi = this.#ifaces.find((i) => i.index === index);
    if (!ifi) {
      throw new TypeError(`Cannot add a station: no interface ${index}`);
    }
    parseMAC(station.mac);
    ifi.stations.push(station);
    this.#notify(
      "mlme",
      C.NewStation,
      encodeStationState(ifi, station, ++this.#generation),
    );
  }

  /**
   * Removes a station and announces it (`DEL_STATION` on "mlme").
   *
   * @param index The interface index.
   * @param mac The station's address.
   * @returns False when there is no such station.
   *
   * @example A station leaves
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0", stations: [{ mac: "02:00:00:00:00:01" }] }] });
   * await using client = await Client.open({ conn: sim.dial() });
   * assert.equal(sim.removeStation(1, "02:00:00:00:00:01"), true);
   * assert.equal(sim.removeStation(1, "02:00:00:00:00:01"), false);
   * assert.deepEqual(await client.stationInfo({ index: 1 }), []);
   * ```
   */
  removeStation(index: number, mac: string): boolean {
    const ifi = this.#ifaces.find((i) => i.index === index);
    const i =
      ifi?.stations.findIndex((s) =>
        s.mac.toLowerCase() === mac.toLowerCase()
      ) ?? -1;
    if (!ifi || i < 0) return false;
    ifi.stations.splice(i, 1);
    this.#notify(
      "mlme",
      C.DelStation,
      new AttributeEncoder().uint32(A.Ifindex, index).bytes(
        A.MAC,
        parseMAC(mac),
      ).uint32(A.Generation, ++this.#generation)
        .encode(),
    );
    return true;
  }

  /**
   * The access point drops a connected interface (`DISCONNECT` with
   * `DISCONNECTED_BY_AP` on "mlme").
   *
   * @param index The interface index.
   * @param reasonCode The IEEE 802.11 reason code (default 1, unspecified).
   * @returns False when the interface is not connected.
   *
   * @example The access point drops the client
   * ```ts
   * import { Client } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }], accessPoints: [{ ssid: "cafe" }] });
   * await using client = await Client.open({ conn: sim.dial() });
   * assert.equal(sim.kick(1), false); // not connected yet
   * await client.connect({ index: 1 }, "cafe");
   * assert.equal(sim.kick(1, 3), true); // reason 3: the AP is leaving
   * ```
   */
  kick(index: number, reasonCode = 1): boolean {
    const ifi = this.#ifaces.find((i) => i.index === index);
    if (!ifi?.connected) return false;
    this.#drop(ifi, reasonCode, true);
    return true;
  }

  /**
   * Cancels pending scans (their results are never sent). Connections
   * opened by {@linkcode Simulator.dial} do this when the last one closes.
   *
   * @example Cancel a pending scan
   * ```ts
   * import { Nl80211Attribute, Nl80211Command } from "@nlkit/netlink/wifi";
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new nl80211.Simulator({ interfaces: [{ name: "wlan0" }], scan: { delayMs: 60_000 } });
   * const data = new AttributeEncoder().uint32(Nl80211Attribute.Ifindex, 1).encode();
   * const trigger = { header: { command: Nl80211Command.TriggerScan, version: 1 }, data };
   * await sim.handle(trigger, false);
   * await assert.rejects(async () => await sim.handle(trigger, false), { code: "EBUSY" });
   * sim.close(); // the scan is cancelled: no timer is left behind
   * await sim.handle(trigger, false);
   * sim.close();
   * ```
   */
  close(): void {
    this.#cancelScans();
  }
}

/**
 * Opens a connection to a new simulated nl80211 built from `world`: the
 * shortest way to test wifi code (`Client.open({ conn: nl80211.dial(world) })`).
 * Use {@linkcode Simulator} to change the world during the test.
 *
 * @param world The world.
 * @returns A generic netlink connection serving nl80211.
 * @throws {TypeError} When the description is invalid.
 *
 * @example Using dial
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ interfaces: [{ name: "wlan0" }] }) });
 * assert.equal((await client.interfaces()).length, 1);
 * ```
 */
export function dial(world: World = {}): GenlConn {
  return new Simulator(world).dial();
}
