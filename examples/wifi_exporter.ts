/**
 * A Prometheus exporter for wifi metrics (interfaces, the associated BSS,
 * stations, channel surveys, scan results), served over HTTP with
 * `Deno.serve` or `Bun.serve`. Uses the simulated device by default, the
 * kernel's nl80211 with `--real`.
 *
 *     deno run --allow-net --allow-ffi examples/wifi_exporter.ts [--real] [--port 9120] [--once]
 *     bun examples/wifi_exporter.ts [--real] [--port 9120] [--once]
 *
 * `--once` answers one request, then exits (for tests and scripted checks);
 * `--port 0` picks a free port. The URL is printed on start.
 *
 * @module
 */

import process from "node:process";
import { isNotExist } from "../src/netlink/mod.ts";
import { type BSS, Client, formatInterfaceType } from "../src/wifi/mod.ts";
import { nl80211 } from "../src/nltest/mod.ts";
import { DEMO_WORLD } from "./wifi_info.ts";
import { Metrics, type MetricsServer, serveCollector } from "./_prometheus.ts";

export { escapeLabel, type MetricsServer } from "./_prometheus.ts";

/**
 * Collects the wifi metrics from a client and renders them in the Prometheus
 * text format, with the names of node_exporter's wifi collector where one exists.
 *
 * @param client The client.
 * @returns The metrics text.
 */
export async function collectMetrics(client: Client): Promise<string> {
  const m = new Metrics();
  for (const ifi of await client.interfaces()) {
    const device = ifi.name || `wdev${ifi.device}`;
    m.add(
      "wifi_interface_info",
      "gauge",
      "Wireless interface, with its type and PHY.",
      {
        device,
        type: formatInterfaceType(ifi.type),
        phy: `phy${ifi.phy}`,
        mac: ifi.hardwareAddr,
      },
      1,
    );
    m.add(
      "wifi_interface_frequency_hertz",
      "gauge",
      "The current frequency of the interface.",
      { device },
      ifi.frequency * 1e6,
    );
    if (ifi.index === 0) continue;
    const bss: BSS | undefined = await client.bss(ifi).catch((e) => {
      if (isNotExist(e)) return undefined;
      throw e;
    });
    if (bss) {
      m.add(
        "wifi_station_info",
        "gauge",
        "The BSS the interface is associated with.",
        {
          device,
          bssid: bss.bssid,
          ssid: bss.ssid,
          mode: "client",
        },
        1,
      );
    }
    for (const s of await client.stationInfo(ifi)) {
      const l = { device, mac: s.hardwareAddr };
      m.add(
        "wifi_station_connected_seconds_total",
        "counter",
        "Time the station has been connected.",
        l,
        s.connectedSeconds,
      );
      m.add(
        "wifi_station_inactive_seconds",
        "gauge",
        "Time since the station was last active.",
        l,
        s.inactiveMs / 1000,
      );
      m.add(
        "wifi_station_receive_bits_per_second",
        "gauge",
        "Receive bitrate of the last unicast frame.",
        l,
        s.receiveBitrate,
      );
      m.add(
        "wifi_station_transmit_bits_per_second",
        "gauge",
        "Transmit bitrate of the last unicast frame.",
        l,
        s.transmitBitrate,
      );
      m.add(
        "wifi_station_receive_bytes_total",
        "counter",
        "Bytes received from the station.",
        l,
        s.receivedBytes,
      );
      m.add(
        "wifi_station_transmit_bytes_total",
        "counter",
        "Bytes sent to the station.",
        l,
        s.transmittedBytes,
      );
      m.add(
        "wifi_station_receive_packets_total",
        "counter",
        "Packets received from the station.",
        l,
        s.receivedPackets,
      );
      m.add(
        "wifi_station_transmit_packets_total",
        "counter",
        "Packets sent to the station.",
        l,
        s.transmittedPackets,
      );
      m.add(
        "wifi_station_signal_dbm",
        "gauge",
        "Signal strength of the last frame from the station.",
        l,
        s.signal,
      );
      m.add(
        "wifi_station_transmit_retries_total",
        "counter",
        "Transmit retries to the station.",
        l,
        s.transmitRetries,
      );
      m.add(
        "wifi_station_transmit_failed_total",
        "counter",
        "Failed transmissions to the station.",
        l,
        s.transmitFailed,
      );
      m.add(
        "wifi_station_beacon_loss_total",
        "counter",
        "Beacon losses of the station.",
        l,
        s.beaconLoss,
      );
    }
    for (const s of await client.surveyInfo(ifi)) {
      const l = { device, frequency_mhz: s.frequency };
      if (s.noise !== 0) {
        m.add(
          "wifi_survey_noise_dbm",
          "gauge",
          "Noise level of the channel.",
          l,
          s.noise,
        );
      }
      m.add(
        "wifi_survey_channel_active_seconds_total",
        "counter",
        "Time the radio was on the channel.",
        l,
        s.channelTimeMs / 1000,
      );
      m.add(
        "wifi_survey_channel_busy_seconds_total",
        "counter",
        "Time the channel was sensed busy.",
        l,
        s.channelTimeBusyMs / 1000,
      );
      m.add(
        "wifi_survey_in_use",
        "gauge",
        "1 for the channel the interface is on.",
        l,
        s.inUse ? 1 : 0,
      );
    }
    for (const ap of await client.accessPoints(ifi)) {
      m.add(
        "wifi_access_point_signal_dbm",
        "gauge",
        "Signal strength of an access point in the last scan results.",
        {
          device,
          bssid: ap.bssid,
          ssid: ap.ssid,
          frequency_mhz: ap.frequency,
        },
        ap.signal / 100,
      );
    }
  }
  return m.render();
}

/**
 * Serves `/metrics` with `Deno.serve` or `Bun.serve`, whichever runtime runs this.
 *
 * @param client The client to collect from.
 * @param options Port (0 for a free one), hostname, and `once` to stop after one request.
 * @returns The server.
 */
export function serveMetrics(
  client: Client,
  options: { port?: number; hostname?: string; once?: boolean } = {},
): MetricsServer {
  return serveCollector(() => collectMetrics(client), {
    ...options,
    port: options.port ?? 9120,
    what: "wifi metrics",
  });
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--port");
  const port = at >= 0 ? Number(args[at + 1]) : 9120;
  let client: Client;
  if (args.includes("--real")) {
    try {
      client = await Client.open();
    } catch (e) {
      console.error(
        isNotExist(e)
          ? "Cannot export wifi metrics: this kernel has no nl80211"
          : String(e),
      );
      process.exit(1);
    }
  } else {
    client = await Client.open({ conn: nl80211.dial(DEMO_WORLD) });
    console.log(
      "# Serving a simulated nl80211 device (use --real for the kernel's).",
    );
  }
  const server = serveMetrics(client, { port, once: args.includes("--once") });
  console.log(`listening on ${server.url}`);
  await server.finished;
  await client.close();
}
