// `nlkit ethtool`, `nlkit wg` and the WireGuard exporter, run in-process on
// the simulated machine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nlkit } from "./_nlkit.ts";
import { formatAgo, formatBytes, formatWgShow } from "../../examples/cli/wg.ts";
import {
  renderMetrics,
  serveMetrics,
} from "../../examples/wireguard_exporter.ts";
import { demoDevices } from "../../examples/cli/wg.ts";
import { WireGuard } from "../../src/wireguard/mod.ts";
import { wireguard } from "../../src/nltest/mod.ts";

// Deno.serve on the loopback address needs --allow-net=127.0.0.1.
const denoNet = (globalThis as {
  Deno?: {
    permissions: {
      querySync(d: { name: string; host?: string }): { state: string };
    };
  };
}).Deno?.permissions.querySync({ name: "net", host: "127.0.0.1" }).state;
const noNet = denoNet !== undefined && denoNet !== "granted";

describe("nlkit ethtool", () => {
  it("shows link settings like `ethtool DEV`", async () => {
    const text = await nlkit("ethtool", "eth0");
    for (
      const line of [
        "Settings for eth0:\n",
        "\tSupported ports: [ TP ]\n",
        "\tSupported link modes:   10baseT/Half\n",
        "\tSupports auto-negotiation: Yes\n",
        "\tLink partner advertised link modes:  100baseT/Full\n",
        "\tSpeed: 1000Mb/s\n\tDuplex: Full\n\tAuto-negotiation: on\n\tPort: Twisted Pair\n\tPHYAD: 0\n\tTransceiver: internal\n\tMDI-X: Unknown\n\tLink detected: yes\n",
      ]
    ) {
      assert.ok(
        text.includes(line),
        `missing ${JSON.stringify(line)} in\n${text}`,
      );
    }
  });

  it("leaves out what the driver does not report (lo)", async () => {
    assert.equal(
      await nlkit("ethtool", "lo"),
      "Settings for lo:\n\tLink detected: no\n",
    );
  });

  it("-k, -g, -l, -a, -c, -S", async () => {
    const k = await nlkit("ethtool", "-k", "eth0");
    assert.ok(
      k.startsWith(
        "Features for eth0:\ntx-scatter-gather: on\ntx-checksum-ipv4: off [fixed]\n",
      ),
      k,
    );
    assert.match(k, /^rx-gro: off$/m);
    assert.equal(
      await nlkit("ethtool", "-l", "eth0"),
      "Channel parameters for eth0:\nPre-set maximums:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\t1\nCombined:\t\t8\nCurrent hardware settings:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\t1\nCombined:\t\t4\n",
    );
    assert.match(
      await nlkit("ethtool", "-g", "eth0"),
      /^Ring parameters for eth0:\nPre-set maximums:\nRX:\t\t4096\n/,
    );
    assert.equal(
      await nlkit("ethtool", "-a", "eth0"),
      "Pause parameters for eth0:\nAutonegotiate:\ton\nRX:\t\ton\nTX:\t\ton\n",
    );
    assert.match(await nlkit("ethtool", "-c", "eth0"), /^rx-usecs: 3$/m);
    assert.match(
      await nlkit("ethtool", "-S", "eth0"),
      /^eth-mac-FramesReceivedOK: 2009117$/m,
    );
    const json = JSON.parse(await nlkit("ethtool", "-l", "eth0", "--json"));
    assert.equal(json.combinedCount, 4);
  });

  it("says what is wrong in one line", async () => {
    await assert.rejects(nlkit("ethtool"), { name: "UsageError" });
    await assert.rejects(nlkit("ethtool", "-k", "-g", "eth0"), {
      name: "UsageError",
    });
    await assert.rejects(nlkit("ethtool", "nope0"), {
      code: "ENODEV",
      message: /^Cannot get link state of nope0: /,
    });
    await assert.rejects(nlkit("ethtool", "-g", "lo"), { code: "EOPNOTSUPP" });
  });
});

describe("nlkit wg", () => {
  it("shows the device like `wg show`, secrets hidden, peers by latest handshake", async () => {
    const text = await nlkit("wg");
    assert.ok(
      text.replace(/1 minute, \d+ seconds ago/, "1 minute, N seconds ago")
        .startsWith([
          "interface: wg0",
          "  public key: HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=",
          "  private key: (hidden)",
          "  listening port: 51820",
          "",
          "peer: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
          "  endpoint: 192.95.5.67:1234",
          "  allowed ips: 10.192.122.3/32, 10.192.124.0/24",
          "  latest handshake: 1 minute, N seconds ago",
          "  transfer: 1.20 MiB received, 3.40 MiB sent",
          "",
          "peer: TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",
          "",
        ].join("\n")),
      text,
    );
    assert.ok(text.includes("  persistent keepalive: every 25 seconds\n"));
    // The device by name: the same text, up to the handshake's age.
    const ago = / \d+ seconds ago/;
    assert.equal(
      (await nlkit("wg", "wg0")).replace(ago, ""),
      text.replace(ago, ""),
    );
    const json = JSON.parse(await nlkit("wg", "--json"));
    assert.equal(json[0].privateKey, "(hidden)");
    assert.equal(json[0].peers.length, 3);
  });

  it("says an unknown device does not exist", async () => {
    await assert.rejects(
      nlkit("wg", "wg9"),
      (e: Error) => /^Cannot get wireguard device wg9: ENOENT/.test(e.message),
    );
  });

  it("formats bytes and times as wg does", () => {
    const bytes: [bigint, string][] = [
      [0n, "0 B"],
      [1023n, "1023 B"],
      [1024n, "1.00 KiB"],
      [1_258_291n, "1.20 MiB"],
      [5n * 1024n ** 4n, "5.00 TiB"],
    ];
    for (const [n, want] of bytes) assert.equal(formatBytes(n), want);
    const times: [number, string][] = [[0.5, "Now"], [1, "1 second ago"], [
      61,
      "1 minute, 1 second ago",
    ], [90_061, "1 day, 1 hour, 1 minute, 1 second ago"]];
    for (const [s, want] of times) assert.equal(formatAgo(s), want);
  });

  it("orders peers by latest handshake, never-seen ones last", () => {
    const peer = (k: string, ns: bigint) => ({
      publicKey: k,
      persistentKeepalive: 0,
      lastHandshakeNs: ns,
      rxBytes: 0n,
      txBytes: 0n,
      allowedIPs: [],
      protocolVersion: 1,
    });
    const text = formatWgShow([{
      name: "wg1",
      index: 3,
      listenPort: 0,
      firewallMark: 0,
      peers: [peer("A", 0n), peer("B", 2n), peer("C", 5n)],
    }], 0);
    assert.deepEqual([...text.matchAll(/^peer: (\w)/gm)].map((m) => m[1]), [
      "C",
      "B",
      "A",
    ]);
  });
});

describe("examples/wireguard_exporter.ts", () => {
  it("renders peer metrics with public keys only", async () => {
    const now = Date.now();
    await using wg = await WireGuard.open(wireguard.dial(demoDevices(now)));
    const text = renderMetrics(await wg.devices());
    for (
      const line of [
        "# TYPE wireguard_sent_bytes_total counter\n",
        'wireguard_sent_bytes_total{interface="wg0",public_key="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",allowed_ips="10.192.122.3/32,10.192.124.0/24",endpoint="192.95.5.67:1234"} 3565158\n',
        'wireguard_received_bytes_total{interface="wg0",public_key="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",allowed_ips="10.192.122.3/32,10.192.124.0/24",endpoint="192.95.5.67:1234"} 1258291\n',
        `wireguard_latest_handshake_seconds{interface="wg0",public_key="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",allowed_ips="10.192.122.3/32,10.192.124.0/24",endpoint="192.95.5.67:1234"} ${
          Math.floor((now - 83_000) / 1000)
        }\n`,
        'wireguard_peers{interface="wg0"} 3\n',
        'wireguard_persistent_keepalive_seconds{interface="wg0",public_key="TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",allowed_ips="10.192.122.4/32,192.168.0.0/16",endpoint="[2607:5300:60:6b0::c05f:543]:2468"} 25\n',
      ]
    ) {
      assert.ok(
        text.includes(line),
        `missing ${JSON.stringify(line)} in\n${text}`,
      );
    }
    assert.ok(!text.includes("yAnz5TF"), "no private key");
  });

  it(
    "serves /metrics over HTTP, 404 elsewhere, and stops after one request with once",
    { skip: noNet ? "needs --allow-net=127.0.0.1" : false },
    async () => {
      await using wg = await WireGuard.open(wireguard.dial(demoDevices()));
      const server = serveMetrics(wg, { port: 0 });
      try {
        const res = await fetch(server.url);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /version=0\.0\.4/);
        assert.match(
          await res.text(),
          /^wireguard_peers\{interface="wg0"\} 3$/m,
        );
        const missing = await fetch(server.url.replace("/metrics", "/nope"));
        assert.equal(missing.status, 404);
        await missing.text();
      } finally {
        await server.stop();
      }
      const once = serveMetrics(wg, { port: 0, once: true });
      await (await fetch(once.url)).text();
      await once.finished;
    },
  );
});
