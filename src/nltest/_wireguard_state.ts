/**
 * The simulated WireGuard family's device model: devices, peers and the
 * device-wide allowed IPs table as `drivers/net/wireguard` holds them, the
 * changes every request path shares (private key, new peer, allowed IP),
 * and a device in the client's shape (internal to `nltest/wireguard.ts`).
 *
 * @module
 */

import { formatIP } from "../families/_text.ts";
import { formatEndpoint, parseEndpoint } from "../wireguard/address.ts";
import type { Device } from "../wireguard/device.ts";
import { formatKey, parseKey, publicKey } from "../wireguard/keys.ts";
import { toHex } from "./_recording.ts";
import type { SimPeer } from "./wireguard.ts";

/** An allowed IP prefix (host bits cleared once in the table). */
export interface IpState {
  /** `AF_INET` or `AF_INET6`. */
  family: number;
  /** The address, 4 or 16 bytes. */
  bytes: Uint8Array;
  /** The prefix length. */
  cidr: number;
}

/** A peer of a device. */
export interface PeerState {
  /** The public key, 32 bytes. */
  publicKey: Uint8Array;
  /** The public key in hex: the peer's key in its device's map. */
  hex: string;
  /** The preshared key, all zeros for none. */
  presharedKey: Uint8Array;
  /** The endpoint as a `sockaddr_in` or `sockaddr_in6`. */
  endpoint: Uint8Array | null;
  /** Persistent keepalive interval in seconds. */
  keepalive: number;
  /** The last handshake: seconds since the epoch. */
  handshakeSec: bigint;
  /** The last handshake: nanoseconds within the second. */
  handshakeNsec: bigint;
  /** Bytes received. */
  rx: bigint;
  /** Bytes sent. */
  tx: bigint;
  /** Its allowed IPs, in insertion order. */
  ips: IpState[];
}

/** A WireGuard device: a link of kind `wireguard` and its configuration. */
export interface DeviceState {
  /** The link's name (refreshed from rtnetlink). */
  name: string;
  /** The link's index. */
  index: number;
  /** The private key (clamped), or none. */
  privateKey: Uint8Array | null;
  /** The public key derived from it. */
  publicKey: Uint8Array | null;
  /** The listen port. */
  listenPort: number;
  /** The firewall mark. */
  fwmark: number;
  /** The peers by public key in hex, in insertion order. */
  peers: Map<string, PeerState>;
  /** A private key's public key being derived. */
  pending: Promise<void> | null;
}

/** The table key of an allowed IP. */
export const ipKey = (ip: IpState): string => `${toHex(ip.bytes)}/${ip.cidr}`;

/** Whether every byte is zero (no key). */
export const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/** Clamps a Curve25519 private key (`curve25519_clamp_secret`). */
function clamp(key: Uint8Array): Uint8Array {
  const k = key.slice();
  k[0]! &= 248;
  k[31] = (k[31]! & 127) | 64;
  return k;
}

/** Clears the host bits of an address past `cidr`. */
function maskIP(bytes: Uint8Array, cidr: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, cidr - 8 * i));
    out[i]! &= (0xff00 >> keep) & 0xff;
  }
  return out;
}

/** A new device on the link `index` named `name`, without keys or peers. */
export function newDevice(
  name: string,
  index: number,
  listenPort: number,
  fwmark: number,
): DeviceState {
  return {
    name,
    index,
    privateKey: null,
    publicKey: null,
    listenPort,
    fwmark,
    peers: new Map(),
    pending: null,
  };
}

/** A new peer with `publicKey` and nothing else set. */
export function newPeer(publicKey: Uint8Array): PeerState {
  return {
    publicKey,
    hex: toHex(publicKey),
    presharedKey: new Uint8Array(32),
    endpoint: null,
    keepalive: 0,
    handshakeSec: 0n,
    handshakeNsec: 0n,
    rx: 0n,
    tx: 0n,
    ips: [],
  };
}

/**
 * Sets the private key as `wg_set_device` does: clamped, the public key
 * derived (X25519, asynchronous), a peer with that public key removed; all
 * zeros removes the key; the same key again changes nothing.
 */
export async function setPrivateKey(
  d: DeviceState,
  key: Uint8Array,
): Promise<void> {
  if (d.privateKey !== null && toHex(d.privateKey) === toHex(key)) return;
  if (isZero(key)) {
    d.privateKey = null;
    d.publicKey = null;
    return;
  }
  const priv = clamp(key);
  const pub = await publicKey(formatKey(priv));
  const pubBytes = parseKey(pub);
  d.peers.delete(toHex(pubBytes)); // a peer with our own public key goes
  d.privateKey = priv;
  d.publicKey = pubBytes;
}

/**
 * Gives `peer` the prefix `ip` (host bits cleared), taking it from
 * whichever peer of the device had it.
 */
export function insertIP(d: DeviceState, peer: PeerState, ip: IpState): void {
  const masked = { ...ip, bytes: maskIP(ip.bytes, ip.cidr) };
  const key = ipKey(masked);
  for (const p of d.peers.values()) {
    p.ips = p.ips.filter((x) => ipKey(x) !== key);
  }
  peer.ips.push(masked);
}

/** Takes the prefix `ip` (host bits cleared) from `peer`, if it has it. */
export function removeIP(peer: PeerState, ip: IpState): void {
  const key = ipKey({ ...ip, bytes: maskIP(ip.bytes, ip.cidr) });
  peer.ips = peer.ips.filter((x) => ipKey(x) !== key);
}

/** Sets what traffic would on a peer: counters, last handshake, endpoint. */
export function setStats(
  p: PeerState,
  stats: Pick<SimPeer, "rxBytes" | "txBytes" | "lastHandshake" | "endpoint">,
): void {
  if (stats.rxBytes !== undefined) p.rx = stats.rxBytes;
  if (stats.txBytes !== undefined) p.tx = stats.txBytes;
  if (stats.endpoint !== undefined) {
    p.endpoint = parseEndpoint(stats.endpoint);
  }
  const t = stats.lastHandshake;
  if (t !== undefined) {
    const ns = t instanceof Date ? BigInt(t.getTime()) * 1_000_000n : t;
    p.handshakeSec = ns / 1_000_000_000n;
    p.handshakeNsec = ns % 1_000_000_000n;
  }
}

/** The device in the client's shape (`WireGuard.device()`). */
export function deviceView(d: DeviceState): Device {
  const out: Device = {
    name: d.name,
    index: d.index,
    listenPort: d.listenPort,
    firewallMark: d.fwmark,
    peers: [...d.peers.values()].map((p) => {
      const peer: Device["peers"][number] = {
        publicKey: formatKey(p.publicKey),
        persistentKeepalive: p.keepalive,
        lastHandshakeNs: p.handshakeSec * 1_000_000_000n + p.handshakeNsec,
        rxBytes: p.rx,
        txBytes: p.tx,
        allowedIPs: p.ips.map((ip) =>
          `${formatIP(ip.bytes, 0, ip.bytes.length)}/${ip.cidr}`
        ),
        protocolVersion: 1,
      };
      if (!isZero(p.presharedKey)) {
        peer.presharedKey = formatKey(p.presharedKey);
      }
      const e = p.endpoint ? formatEndpoint(p.endpoint) : undefined;
      if (e !== undefined) peer.endpoint = e;
      if (peer.lastHandshakeNs !== 0n) {
        peer.lastHandshake = new Date(
          Number(peer.lastHandshakeNs / 1_000_000n),
        );
      }
      return peer;
    }),
  };
  if (d.privateKey && d.publicKey) {
    out.privateKey = formatKey(d.privateKey);
    out.publicKey = formatKey(d.publicKey);
  }
  return out;
}
