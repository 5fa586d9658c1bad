/**
 * A WireGuard device and its peers as `wg show` reports them, and how a
 * get-device dump becomes one: the kernel splits a big device over
 * several messages (later messages carry only peers, and a peer whose
 * allowed IPs did not fit is repeated with its public key and the rest of
 * its allowed IPs), so the messages are merged.
 *
 * @module
 */

import type { Wgdevice, Wgpeer } from "../families/wireguard.ts";
import { formatEndpoint } from "./address.ts";
import { formatKey } from "./keys.ts";

/**
 * A WireGuard device, as `wg show` reports it.
 */
export interface Device {
  /** The interface name. */
  name: string;
  /** The interface index. */
  index: number;
  /** The private key (base64), when one is set. Secret: do not log it. */
  privateKey?: string;
  /** The public key (base64) derived from the private key, when one is set. */
  publicKey?: string;
  /** The UDP port it listens on (0: none chosen yet, the device is down). */
  listenPort: number;
  /** The firewall mark of its outgoing packets (0: none). */
  firewallMark: number;
  /** The peers, in the kernel's order. */
  peers: Peer[];
}

/**
 * A peer of a device.
 */
export interface Peer {
  /** The peer's public key (base64). */
  publicKey: string;
  /** The preshared key (base64), when one is set. Secret: do not log it. */
  presharedKey?: string;
  /** Where the peer was last seen or was configured: `192.0.2.1:51820`, `[2001:db8::1]:51820`. */
  endpoint?: string;
  /** The persistent keepalive interval in seconds (0: off). */
  persistentKeepalive: number;
  /** The time of the last handshake; `undefined` when there was none. */
  lastHandshake?: Date;
  /** The time of the last handshake in nanoseconds since the epoch (0n: none). */
  lastHandshakeNs: bigint;
  /** Bytes received from the peer. */
  rxBytes: bigint;
  /** Bytes sent to the peer. */
  txBytes: bigint;
  /** The allowed IPs in CIDR notation, in the kernel's order. */
  allowedIPs: string[];
  /** The protocol version (1). */
  protocolVersion: number;
}

function isZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

function keyOf(b: Uint8Array | undefined): string | undefined {
  return b !== undefined && b.length === 32 ? formatKey(b) : undefined;
}

function newPeer(p: Wgpeer, publicKey: string): Peer {
  const out: Peer = {
    publicKey,
    persistentKeepalive: p.persistentKeepaliveInterval ?? 0,
    lastHandshakeNs: 0n,
    rxBytes: p.rxBytes ?? 0n,
    txBytes: p.txBytes ?? 0n,
    allowedIPs: [],
    protocolVersion: p.protocolVersion ?? 0,
  };
  if (p.presharedKey !== undefined && !isZero(p.presharedKey)) {
    const k = keyOf(p.presharedKey);
    if (k !== undefined) out.presharedKey = k;
  }
  if (p.endpoint !== undefined) {
    const e = formatEndpoint(p.endpoint);
    if (e !== undefined) out.endpoint = e;
  }
  const t = p.lastHandshakeTime;
  if (t !== undefined && (t.sec !== 0n || t.nsec !== 0n)) {
    out.lastHandshakeNs = t.sec * 1_000_000_000n + t.nsec;
    out.lastHandshake = new Date(
      Number(t.sec) * 1000 + Number(t.nsec / 1_000_000n),
    );
  }
  return out;
}

/**
 * Merges the messages of one device's get-device dump into a
 * {@linkcode Device}.
 *
 * @param messages The decoded replies, in order.
 * @returns The device, or `undefined` when there was no message.
 * @throws {RangeError} When a peer comes without a 32-byte public key.
 *
 * @internal Used by the client and the simulator's tests.
 */
export function mergeDevice(messages: readonly Wgdevice[]): Device | undefined {
  let device: Device | undefined;
  for (const m of messages) {
    device ??= {
      name: "",
      index: 0,
      listenPort: 0,
      firewallMark: 0,
      peers: [],
    };
    if (m.ifname !== undefined && device.name === "") device.name = m.ifname;
    if (m.ifindex !== undefined && device.index === 0) device.index = m.ifindex;
    if (m.listenPort !== undefined) device.listenPort = m.listenPort;
    if (m.fwmark !== undefined) device.firewallMark = m.fwmark;
    const priv = keyOf(m.privateKey);
    if (priv !== undefined) device.privateKey = priv;
    const pub = keyOf(m.publicKey);
    if (pub !== undefined) device.publicKey = pub;
    for (const p of m.peers ?? []) {
      const key = keyOf(p.publicKey);
      if (key === undefined) {
        throw new RangeError(
          "Cannot decode wireguard device: a peer has no 32-byte public key",
        );
      }
      const last = device.peers[device.peers.length - 1];
      // The kernel repeats a peer whose allowed IPs continue in this message.
      const peer = last?.publicKey === key ? last : newPeer(p, key);
      if (peer !== last) device.peers.push(peer);
      for (const a of p.allowedips ?? []) {
        if (a.ipaddr !== undefined && a.cidrMask !== undefined) {
          peer.allowedIPs.push(`${a.ipaddr}/${a.cidrMask}`);
        }
      }
    }
  }
  return device;
}
