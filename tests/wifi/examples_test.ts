// The wifi examples, run in-process on the simulated device.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nl80211 } from "../../src/nltest/mod.ts";
import { Client, InterfaceType } from "../../src/wifi/mod.ts";
import {
  DEMO_WORLD,
  formatIwDev,
  openClient,
  wifiInfo,
} from "../../examples/wifi_info.ts";
import {
  collectMetrics,
  escapeLabel,
  serveMetrics,
} from "../../examples/wifi_exporter.ts";

// Deno.serve on the loopback address needs --allow-net=127.0.0.1 (the
// project's test task grants it; a bare `deno test` does not).
const denoNet = (globalThis as {
  Deno?: {
    permissions: {
      querySync(d: { name: string; host?: string }): { state: string };
    };
  };
})
  .Deno?.permissions.querySync({ name: "net", host: "127.0.0.1" }).state;
const noNet = denoNet !== undefined && denoNet !== "granted";

describe("examples/wifi_info.ts", () => {
  it("prints iw dev, link and station dump for the demo device", async () => {
    const { client, simulated } = await openClient(true);
    await using _ = client;
    assert.match(simulated ?? "", /--sim/);
    const text = await wifiInfo(client);
    for (
      const line of [
        "phy#0\n\tInterface wlan0\n\t\tifindex 1\n\t\twdev 0x1\n\t\taddr 02:00:00:00:00:01\n\t\tssid nlkit-demo\n\t\ttype managed\n",
        "\t\tchannel 36 (5180 MHz), width: 20 MHz, center1: 5180 MHz\n",
        "Connected to 02:00:00:00:01:00 (on wlan0)\n\tSSID: nlkit-demo\n\tfreq: 5180\n",
        "\tsignal: -47 dBm\n\trx bitrate: 866.7 MBit/s\n\ttx bitrate: 780.0 MBit/s\n",
        "Station 02:00:00:00:01:00 (on wlan0)\n\tinactive time:\t12 ms\n",
        "\tconnected time:\t5421 seconds\n",
      ]
    ) {
      assert.ok(
        text.includes(line),
        `missing ${JSON.stringify(line)} in\n${text}`,
      );
    }
  });

  it("names a P2P device like iw and says 'Not connected.'", async () => {
    await using client = await Client.open({
      conn: nl80211.dial({
        interfaces: [{ name: "wlan0" }, {
          name: "p2p",
          index: 0,
          type: InterfaceType.P2PDevice,
        }],
      }),
    });
    const ifaces = await client.interfaces();
    assert.match(
      formatIwDev(ifaces),
      /\tUnnamed\/non-netdev interface\n\t\twdev 0x0\n[^]*type P2P-device/,
    );
    assert.match(
      await wifiInfo(client),
      /\$ iw dev wlan0 link\nNot connected\.\n/,
    );
  });
});

describe("examples/wifi_exporter.ts", () => {
  it("renders Prometheus metrics for the demo device", async () => {
    await using client = await Client.open({ conn: nl80211.dial(DEMO_WORLD) });
    const text = await collectMetrics(client);
    for (
      const line of [
        "# TYPE wifi_station_signal_dbm gauge\n",
        'wifi_station_signal_dbm{device="wlan0",mac="02:00:00:00:01:00"} -47\n',
        'wifi_station_info{device="wlan0",bssid="02:00:00:00:01:00",ssid="nlkit-demo",mode="client"} 1\n',
        'wifi_survey_noise_dbm{device="wlan0",frequency_mhz="5180"} -92\n',
        'wifi_access_point_signal_dbm{device="wlan0",bssid="02:00:00:00:03:00",ssid="neighbours",frequency_mhz="2462"} -83\n',
      ]
    ) assert.ok(text.includes(line), `missing ${JSON.stringify(line)}`);
    // Every sample line is "name{labels} value".
    for (const l of text.split("\n").filter((x) => x && !x.startsWith("#"))) {
      assert.match(l, /^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$/, l);
    }
    assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  });

  it("serves one request over HTTP with --once semantics, then stops", {
    skip: noNet && "needs --allow-net",
  }, async () => {
    await using client = await Client.open({ conn: nl80211.dial(DEMO_WORLD) });
    const server = serveMetrics(client, { port: 0, once: true });
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(
      res.headers.get("content-type") ?? "",
      /^text\/plain; version=0\.0\.4/,
    );
    assert.match(await res.text(), /wifi_interface_info\{device="wlan0"/);
    await server.finished;
  });
});
