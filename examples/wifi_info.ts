/**
 * Shows the wireless interfaces, their connection and their stations, the
 * way `iw dev`, `iw dev X link` and `iw dev X station dump` do. Uses the
 * kernel's nl80211 when it has one; otherwise (no wifi, no cfg80211, not
 * Linux) a simulated device, and says so.
 *
 *     deno run --allow-ffi examples/wifi_info.ts [--sim]
 *     bun examples/wifi_info.ts [--sim]
 *
 * `--sim` always uses the simulated device.
 *
 * @module
 */

import process from "node:process";
import { isNotExist } from "../src/netlink/mod.ts";
import {
  type BSS,
  ChannelWidth,
  channelWidthMHz,
  Client,
  type Interface,
  InterfaceType,
  type StationInfo,
} from "../src/wifi/mod.ts";
import { nl80211 } from "../src/nltest/mod.ts";

/** The simulated world the wifi examples fall back to: one radio, connected to a WPA2 network. */
export const DEMO_WORLD: nl80211.World = {
  interfaces: [{
    name: "wlan0",
    mac: "02:00:00:00:00:01",
    connectedTo: "nlkit-demo",
    stations: [{
      mac: "02:00:00:00:01:00",
      signal: -47,
      signalAverage: -48,
      receivedBytes: 51_234_567,
      transmittedBytes: 8_765_432,
      receivedPackets: 40_213,
      transmittedPackets: 18_774,
      receiveBitrate: 866_700_000,
      transmitBitrate: 780_000_000,
      connectedSeconds: 5421,
      inactiveMs: 12,
      transmitRetries: 41,
      transmitFailed: 2,
    }],
    survey: [
      {
        frequency: 5180,
        noise: -92,
        inUse: true,
        channelTimeMs: 86_400,
        channelTimeBusyMs: 9_100,
      },
      { frequency: 5200, noise: -93, channelTimeMs: 120, channelTimeBusyMs: 8 },
      {
        frequency: 2412,
        noise: -89,
        channelTimeMs: 120,
        channelTimeBusyMs: 40,
      },
    ],
  }],
  accessPoints: [
    {
      ssid: "nlkit-demo",
      bssid: "02:00:00:00:01:00",
      frequency: 5180,
      signal: -4700,
      security: "wpa2",
    },
    {
      ssid: "cafe",
      bssid: "02:00:00:00:02:00",
      frequency: 2437,
      signal: -7100,
    },
    {
      ssid: "neighbours",
      bssid: "02:00:00:00:03:00",
      frequency: 2462,
      signal: -8300,
      security: "wpa3",
    },
  ],
  regulatory: { region: "DE" },
};

const IW_TYPES: Record<number, string> = {
  [InterfaceType.AdHoc]: "IBSS",
  [InterfaceType.Station]: "managed",
  [InterfaceType.AP]: "AP",
  [InterfaceType.APVLAN]: "AP/VLAN",
  [InterfaceType.WDS]: "WDS",
  [InterfaceType.Monitor]: "monitor",
  [InterfaceType.MeshPoint]: "mesh point",
  [InterfaceType.P2PClient]: "P2P-client",
  [InterfaceType.P2PGO]: "P2P-GO",
  [InterfaceType.P2PDevice]: "P2P-device",
  [InterfaceType.OCB]: "outside context of a BSS",
  [InterfaceType.NAN]: "NAN",
};

/**
 * The channel number of a frequency (2.4, 5 and 6 GHz).
 *
 * @param mhz The frequency in MHz.
 * @returns The channel, or 0 when unknown.
 */
export function channelOf(mhz: number): number {
  if (mhz === 2484) return 14;
  if (mhz >= 2412 && mhz < 2484) return (mhz - 2407) / 5;
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5;
  if (mhz >= 5000 && mhz < 5955) return (mhz - 5000) / 5;
  return 0;
}

function mbit(bitsPerSecond: number): string {
  return `${(bitsPerSecond / 1e6).toFixed(1)} MBit/s`;
}

/**
 * Formats interfaces as `iw dev` does.
 *
 * @param interfaces The interfaces.
 * @returns The text.
 */
export function formatIwDev(interfaces: readonly Interface[]): string {
  let out = "";
  const byPhy = Map.groupBy(interfaces, (i) => i.phy);
  for (const [phy, list] of [...byPhy].sort((a, b) => a[0] - b[0])) {
    out += `phy#${phy}\n`;
    for (const i of list) {
      out += i.index === 0
        ? `\tUnnamed/non-netdev interface\n`
        : `\tInterface ${i.name}\n\t\tifindex ${i.index}\n`;
      out += `\t\twdev 0x${
        i.device.toString(16)
      }\n\t\taddr ${i.hardwareAddr}\n`;
      if (i.ssid !== undefined) out += `\t\tssid ${i.ssid}\n`;
      out += `\t\ttype ${IW_TYPES[i.type] ?? `unknown (${i.type})`}\n`;
      if (i.frequency > 0) {
        const width = i.channelWidth === ChannelWidth.Width20NoHT
          ? "20 MHz (no HT)"
          : `${channelWidthMHz(i.channelWidth)} MHz`;
        out += `\t\tchannel ${
          channelOf(i.frequency)
        } (${i.frequency} MHz), width: ${width}`;
        if (i.centerFrequency1 !== undefined) {
          out += `, center1: ${i.centerFrequency1} MHz`;
        }
        out += "\n";
      }
      if (i.txPowerDbm !== undefined) {
        out += `\t\ttxpower ${i.txPowerDbm.toFixed(2)} dBm\n`;
      }
    }
  }
  return out;
}

/**
 * Formats a station interface's connection as `iw dev X link` does.
 *
 * @param ifi The interface.
 * @param bss The associated BSS, or undefined when not connected.
 * @param stations The interface's stations (the AP's counters).
 * @returns The text.
 */
export function formatLink(
  ifi: Interface,
  bss: BSS | undefined,
  stations: readonly StationInfo[],
): string {
  if (!bss) return "Not connected.\n";
  const sta = stations.find((s) => s.hardwareAddr === bss.bssid);
  let out =
    `Connected to ${bss.bssid} (on ${ifi.name})\n\tSSID: ${bss.ssid}\n\tfreq: ${bss.frequency}\n`;
  if (sta) {
    out +=
      `\tRX: ${sta.receivedBytes} bytes (${sta.receivedPackets} packets)\n`;
    out +=
      `\tTX: ${sta.transmittedBytes} bytes (${sta.transmittedPackets} packets)\n`;
    out += `\tsignal: ${sta.signal} dBm\n`;
    out += `\trx bitrate: ${mbit(sta.receiveBitrate)}\n\ttx bitrate: ${
      mbit(sta.transmitBitrate)
    }\n`;
  } else {
    out += `\tsignal: ${bss.signal / 100} dBm\n`;
  }
  if (bss.ies.tim) out += `\tdtim period: ${bss.ies.tim.dtimPeriod}\n`;
  out += `\tbeacon int: ${Math.round(bss.beaconIntervalMs / 1.024)}\n`;
  return out;
}

/**
 * Formats stations as `iw dev X station dump` does.
 *
 * @param ifi The interface.
 * @param stations Its stations.
 * @returns The text.
 */
export function formatStationDump(
  ifi: Interface,
  stations: readonly StationInfo[],
): string {
  let out = "";
  for (const s of stations) {
    out += `Station ${s.hardwareAddr} (on ${ifi.name})\n`;
    out += `\tinactive time:\t${s.inactiveMs} ms\n`;
    out +=
      `\trx bytes:\t${s.receivedBytes}\n\trx packets:\t${s.receivedPackets}\n`;
    out +=
      `\ttx bytes:\t${s.transmittedBytes}\n\ttx packets:\t${s.transmittedPackets}\n`;
    out +=
      `\ttx retries:\t${s.transmitRetries}\n\ttx failed:\t${s.transmitFailed}\n`;
    out += `\tbeacon loss:\t${s.beaconLoss}\n`;
    out +=
      `\tsignal:  \t${s.signal} dBm\n\tsignal avg:\t${s.signalAverage} dBm\n`;
    out += `\ttx bitrate:\t${mbit(s.transmitBitrate)}\n\trx bitrate:\t${
      mbit(s.receiveBitrate)
    }\n`;
    out += `\tconnected time:\t${s.connectedSeconds} seconds\n`;
  }
  return out;
}

/**
 * Opens a client on the kernel's nl80211, or on the simulated device when
 * there is none (or `simulate` is set).
 *
 * @param simulate Use the simulated device.
 * @returns The client and, when simulated, why.
 */
export async function openClient(
  simulate = false,
): Promise<{ client: Client; simulated?: string }> {
  if (simulate) {
    return {
      client: await Client.open({ conn: nl80211.dial(DEMO_WORLD) }),
      simulated: "--sim was given",
    };
  }
  try {
    return { client: await Client.open() };
  } catch (e) {
    const why = isNotExist(e)
      ? "this kernel has no nl80211 (no cfg80211)"
      : `nl80211 is not reachable (${
        e instanceof Error ? e.message : String(e)
      })`;
    return {
      client: await Client.open({ conn: nl80211.dial(DEMO_WORLD) }),
      simulated: why,
    };
  }
}

/**
 * Prints `iw dev`, then `iw dev X link` and `iw dev X station dump` for
 * every interface with a netdev.
 *
 * @param client The client.
 * @returns The text.
 */
export async function wifiInfo(client: Client): Promise<string> {
  const interfaces = await client.interfaces();
  let out = formatIwDev(interfaces);
  for (const ifi of interfaces) {
    if (ifi.index === 0) continue;
    const stations = await client.stationInfo(ifi);
    let bss: BSS | undefined;
    if (ifi.type === InterfaceType.Station) {
      bss = await client.bss(ifi).catch((e) => {
        if (isNotExist(e)) return undefined;
        throw e;
      });
      out += `\n$ iw dev ${ifi.name} link\n${formatLink(ifi, bss, stations)}`;
    }
    out += `\n$ iw dev ${ifi.name} station dump\n${
      formatStationDump(ifi, stations)
    }`;
  }
  return out;
}

if (import.meta.main) {
  const { client, simulated } = await openClient(
    process.argv.includes("--sim"),
  );
  await using _ = client;
  if (simulated) {
    console.log(`# Using a simulated nl80211 device: ${simulated}.\n`);
  }
  process.stdout.write(`$ iw dev\n${await wifiInfo(client)}`);
}
