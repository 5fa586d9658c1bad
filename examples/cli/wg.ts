/**
 * `nlkit wg [DEV]`: WireGuard devices and their peers, like `wg show`.
 * Private and preshared keys are shown as `(hidden)`, as `wg show` does.
 *
 * @module
 */

import { Family, isNotExist } from "../../src/netlink/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import { wireguard as simulated } from "../../src/nltest/mod.ts";
import {
  type Device,
  type Peer,
  WireGuard,
  type WireGuardOptions,
} from "../../src/wireguard/mod.ts";
import { type Command, toJSON, UsageError } from "./_common.ts";

/** `wg`'s byte counts: `B`, then KiB, MiB, GiB, TiB with two decimals. */
export function formatBytes(n: bigint): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  if (n < 1024n) return `${n} B`;
  let v = Number(n) / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

/** `wg`'s time spans: "1 hour, 2 minutes, 3 seconds". */
export function formatAgo(seconds: number): string {
  if (seconds < 1) return "Now";
  const parts: string[] = [];
  const units: [string, number][] = [
    ["year", 31_536_000],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
    ["second", 1],
  ];
  let left = Math.floor(seconds);
  for (const [name, size] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? "" : "s"}`);
  }
  return `${parts.join(", ")} ago`;
}

function peerText(p: Peer, now: number): string {
  let out = `peer: ${p.publicKey}\n`;
  if (p.presharedKey !== undefined) out += "  preshared key: (hidden)\n";
  if (p.endpoint !== undefined) out += `  endpoint: ${p.endpoint}\n`;
  out += `  allowed ips: ${
    p.allowedIPs.length ? p.allowedIPs.join(", ") : "(none)"
  }\n`;
  if (p.lastHandshake !== undefined) {
    out += `  latest handshake: ${
      formatAgo((now - p.lastHandshake.getTime()) / 1000)
    }\n`;
  }
  if (p.rxBytes !== 0n || p.txBytes !== 0n) {
    out += `  transfer: ${formatBytes(p.rxBytes)} received, ${
      formatBytes(p.txBytes)
    } sent\n`;
  }
  if (p.persistentKeepalive) {
    out += `  persistent keepalive: every ${p.persistentKeepalive} second${
      p.persistentKeepalive === 1 ? "" : "s"
    }\n`;
  }
  return out;
}

/**
 * `wg show`'s text for devices: the interface, then its peers, the most
 * recent handshake first.
 *
 * @param devices The devices.
 * @param now The current time in milliseconds (for "latest handshake").
 * @returns The text.
 */
export function formatWgShow(
  devices: Device[],
  now: number = Date.now(),
): string {
  const blocks: string[] = [];
  for (const d of devices) {
    let out = `interface: ${d.name}\n`;
    if (d.publicKey !== undefined) out += `  public key: ${d.publicKey}\n`;
    if (d.privateKey !== undefined) out += "  private key: (hidden)\n";
    if (d.listenPort) out += `  listening port: ${d.listenPort}\n`;
    if (d.firewallMark) out += `  fwmark: 0x${d.firewallMark.toString(16)}\n`;
    blocks.push(out);
    const peers = [...d.peers].sort((
      a,
      b,
    ) => (b.lastHandshakeNs > a.lastHandshakeNs
      ? 1
      : b.lastHandshakeNs < a.lastHandshakeNs
      ? -1
      : 0)
    );
    for (const p of peers) blocks.push(peerText(p, now));
  }
  return blocks.join("\n");
}

/**
 * The demo device of the simulated machine (`--sim`, and the exporter's
 * default): the example configuration of the WireGuard website.
 *
 * @param now The current time in milliseconds (the first peer shook hands 83 s before).
 * @returns The simulator's options.
 */
export function demoDevices(now: number = Date.now()): simulated.SimOptions {
  return {
    devices: [{
      name: "wg0",
      privateKey: "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
      listenPort: 51820,
      peers: [
        {
          publicKey: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
          endpoint: "192.95.5.67:1234",
          allowedIPs: ["10.192.122.3/32", "10.192.124.0/24"],
          lastHandshake: new Date(now - 83_000),
          rxBytes: 1_258_291n,
          txBytes: 3_565_158n,
        },
        {
          publicKey: "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",
          endpoint: "[2607:5300:60:6b0::c05f:543]:2468",
          allowedIPs: ["10.192.122.4/32", "192.168.0.0/16"],
          persistentKeepalive: 25,
        },
        {
          publicKey: "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=",
          allowedIPs: ["10.10.10.230/32"],
        },
      ],
    }],
  };
}

/** `nlkit wg [DEV]`. */
export const wg: Command = {
  name: "wg",
  usage: "wg [DEV]",
  summary: "WireGuard devices and peers (like `wg show`)",
  simulate(kernel) {
    new simulated.Simulator(demoDevices()).register(kernel);
  },
  async run({ args, backend }) {
    const dev = args.operands[0];
    if (args.operands.length > 1) {
      throw new UsageError("wg takes at most one device");
    }
    let options: WireGuardOptions;
    if (backend.kernel !== undefined) {
      options = {
        conn: GenlConn.from(backend.kernel.dial(Family.Generic)),
        route: backend.kernel.dial(Family.Route),
      };
    } else {
      options = {
        conn: await backend.genl(),
        route: await backend.conn(Family.Route),
      };
    }
    let client: WireGuard;
    try {
      client = await WireGuard.open(options);
    } catch (e) {
      await options.conn?.close();
      await options.route?.close();
      if (isNotExist(e)) {
        throw new UsageError("this kernel has no wireguard module (try --sim)");
      }
      throw e;
    }
    await using _ = client;
    const devices = dev === undefined
      ? await client.devices()
      : [await client.device(dev)];
    if (args.json) {
      // Secrets stay out of the JSON too.
      return toJSON(
        devices.map((d) => ({
          ...d,
          privateKey: d.privateKey && "(hidden)",
          peers: d.peers.map((p) => ({
            ...p,
            presharedKey: p.presharedKey && "(hidden)",
          })),
        })),
        2,
      );
    }
    return formatWgShow(devices);
  },
};
