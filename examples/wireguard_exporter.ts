/**
 * A Prometheus exporter for WireGuard peers (traffic, latest handshake,
 * keepalive), served over HTTP with `Deno.serve` or `Bun.serve`. Uses a
 * simulated device by default, the kernel's wireguard family with
 * `--real`.
 *
 *     deno run --allow-net --allow-ffi examples/wireguard_exporter.ts [--real] [--port 9586] [--once]
 *     bun examples/wireguard_exporter.ts [--real] [--port 9586] [--once]
 *
 * `--once` answers one request, then exits (for tests and scripted checks);
 * `--port 0` picks a free port. The URL is printed on start. Metric names
 * follow the common WireGuard exporters (`wireguard_sent_bytes_total`,
 * `wireguard_received_bytes_total`, `wireguard_latest_handshake_seconds`).
 *
 * @module
 */

import process from "node:process";
import { isNotExist } from "../src/netlink/mod.ts";
import { wireguard } from "../src/nltest/mod.ts";
import { type Device, WireGuard } from "../src/wireguard/mod.ts";
import {
  type Labels,
  Metrics,
  type MetricsServer,
  serveCollector,
} from "./_prometheus.ts";
import { demoDevices } from "./cli/wg.ts";

export type { MetricsServer } from "./_prometheus.ts";

/**
 * Renders the metrics of WireGuard devices (no keys but public ones).
 *
 * @param devices The devices, as `WireGuard.devices()` reads them.
 * @returns The metrics text.
 */
export function renderMetrics(devices: Device[]): string {
  const m = new Metrics();
  for (const d of devices) {
    m.add(
      "wireguard_device_info",
      "gauge",
      "A WireGuard device, with its public key and listen port.",
      {
        interface: d.name,
        public_key: d.publicKey ?? "",
        listen_port: d.listenPort,
      },
      1,
    );
    m.add("wireguard_peers", "gauge", "The number of peers of a device.", {
      interface: d.name,
    }, d.peers.length);
    for (const p of d.peers) {
      const l: Labels = {
        interface: d.name,
        public_key: p.publicKey,
        allowed_ips: p.allowedIPs.join(","),
        endpoint: p.endpoint ?? "",
      };
      m.add(
        "wireguard_sent_bytes_total",
        "counter",
        "Bytes sent to the peer.",
        l,
        p.txBytes,
      );
      m.add(
        "wireguard_received_bytes_total",
        "counter",
        "Bytes received from the peer.",
        l,
        p.rxBytes,
      );
      m.add(
        "wireguard_latest_handshake_seconds",
        "gauge",
        "UNIX time of the latest handshake with the peer (0: none yet).",
        l,
        p.lastHandshakeNs / 1_000_000_000n,
      );
      m.add(
        "wireguard_persistent_keepalive_seconds",
        "gauge",
        "The persistent keepalive interval of the peer (0: off).",
        l,
        p.persistentKeepalive,
      );
    }
  }
  return m.render();
}

/**
 * Serves the WireGuard metrics of `client` at `/metrics`.
 *
 * @param client The WireGuard client to read devices with.
 * @param options Port (0 for a free one, default 9586), hostname, and `once` to stop after one request.
 * @returns The server.
 */
export function serveMetrics(
  client: WireGuard,
  options: { port?: number; hostname?: string; once?: boolean } = {},
): MetricsServer {
  return serveCollector(
    async () => renderMetrics(await client.devices()),
    { ...options, port: options.port ?? 9586, what: "wireguard metrics" },
  );
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--port");
  const port = at >= 0 ? Number(args[at + 1]) : 9586;
  let client: WireGuard;
  if (args.includes("--real")) {
    try {
      client = await WireGuard.open();
    } catch (e) {
      console.error(
        isNotExist(e)
          ? "Cannot export wireguard metrics: this kernel has no wireguard module"
          : String(e),
      );
      process.exit(1);
    }
  } else {
    client = await WireGuard.open(wireguard.dial(demoDevices()));
    console.log(
      "# Serving a simulated WireGuard device (use --real for the kernel's).",
    );
  }
  const server = serveMetrics(client, { port, once: args.includes("--once") });
  console.log(`listening on ${server.url}`);
  await server.finished;
  await client.close();
}
