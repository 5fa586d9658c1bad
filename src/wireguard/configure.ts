/**
 * `configure`: what a caller asks for ({@linkcode Config}), checked in full
 * before anything is sent, then split into set-device messages that fit
 * the message size, the way `wg(8)` splits them: the first message carries
 * the device's attributes and `WGDEVICE_F_REPLACE_PEERS`, later ones only
 * peers; a peer whose allowed IPs do not fit continues in the next message
 * with its public key and the rest of its allowed IPs, without
 * `WGPEER_F_REPLACE_ALLOWEDIPS` (the kernel handles each message on its own,
 * so repeating it would drop what the previous message added).
 *
 * @module
 */

import type { Wgdevice, Wgpeer } from "../families/wireguard.ts";
import { align } from "../netlink/align.ts";
import { HEADER_LENGTH } from "../netlink/header.ts";
import { NetlinkError } from "../netlink/errors.ts";
import {
  AF_INET,
  type AllowedIP,
  parseAllowedIP,
  parseEndpoint,
} from "./address.ts";
import { KEY_LENGTH, parseKey } from "./keys.ts";
import { explainDeviceErrno } from "./_errors.ts";

/**
 * What {@linkcode WireGuard.configure} sets on a device, as `wg set` and
 * `wg setconf` do. Absent fields are left as they are.
 */
export interface Config {
  /** The private key (base64); `null` removes it. */
  privateKey?: string | null;
  /** The UDP port to listen on (0: a random one). */
  listenPort?: number;
  /** The firewall mark of outgoing packets (0: none). */
  firewallMark?: number;
  /** Remove every peer before adding `peers` (`WGDEVICE_F_REPLACE_PEERS`). */
  replacePeers?: boolean;
  /** Peers to add, change or remove. */
  peers?: PeerConfig[];
}

/**
 * One peer of a {@linkcode Config}: added when it does not exist, changed
 * when it does.
 */
export interface PeerConfig {
  /** The peer's public key (base64). */
  publicKey: string;
  /** The preshared key (base64); `null` removes it. */
  presharedKey?: string | null;
  /** `192.0.2.1:51820` or `[2001:db8::1]:51820` (no host names). */
  endpoint?: string;
  /** Allowed IPs in CIDR notation, added to the peer's (or replacing them, with `replaceAllowedIPs`). */
  allowedIPs?: string[];
  /** Remove the peer's allowed IPs before adding `allowedIPs` (`WGPEER_F_REPLACE_ALLOWEDIPS`). */
  replaceAllowedIPs?: boolean;
  /** Remove the peer (`WGPEER_F_REMOVE_ME`). */
  remove?: boolean;
  /** Change the peer only if it exists, never add it (`WGPEER_F_UPDATE_ONLY`). */
  updateOnly?: boolean;
  /** Persistent keepalive interval in seconds (0: off). */
  persistentKeepalive?: number;
}

/**
 * What one set-device message of a {@linkcode WireGuard.configure} carried,
 * for {@linkcode ConfigureError}.
 */
export interface MessageSummary {
  /** The device settings it carried: `privateKey`, `listenPort`, `firewallMark`, `replacePeers`. */
  device: string[];
  /** The peers it carried, with how many allowed IPs each. */
  peers: {
    publicKey: string;
    allowedIPs: number;
    /** True when this is the rest of a peer begun in an earlier message. */
    continued: boolean;
    remove: boolean;
  }[];
}

/**
 * The kernel refused a {@linkcode WireGuard.configure}: which message
 * (when the configuration took several), what it carried, and what the
 * messages before it had already applied. The kernel applies a message's
 * device settings and peers in order and stops at the first error, so the
 * peers of the failed message before the one it refused are applied too.
 *
 * @example The second message passes the peer limit (simulated kernel)
 * ```ts
 * import { ConfigureError, generatePrivateKey, publicKey, WireGuard } from "@nlkit/netlink/wireguard";
 * import { wireguard } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new wireguard.Simulator({ devices: [{ name: "wg0" }], maxPeers: 2 });
 * await using wg = await WireGuard.open({ ...wireguard.dial(sim), maxMessageSize: 512 });
 * const peers = [];
 * for (let i = 0; i < 4; i++) {
 *   const allowedIPs = Array.from({ length: 10 }, (_, j) => `10.${i}.${j}.0/24`);
 *   peers.push({ publicKey: await publicKey(generatePrivateKey()), allowedIPs });
 * }
 * const err = await wg.configure("wg0", { peers }).then(() => assert.fail(), (e) => e);
 * assert.ok(err instanceof ConfigureError);
 * assert.equal(err.code, "ENOMEM");
 * // 4 peers of 10 prefixes take 3 messages of 512 bytes; the second one adds the third peer
 * assert.deepEqual([err.messageIndex, err.messageCount, err.applied.length], [1, 3, 1]);
 * assert.equal((await wg.device("wg0")).peers.length, 2);
 * ```
 */
export class ConfigureError extends NetlinkError {
  /** The index of the refused message (0 for the first). */
  readonly messageIndex: number;
  /** How many messages the configuration took. */
  readonly messageCount: number;
  /** What the refused message carried. */
  readonly failed: MessageSummary;
  /** What the messages before it carried (applied by the kernel). */
  readonly applied: MessageSummary[];

  /**
   * Creates the error from the kernel's.
   *
   * @param device The device, for the message.
   * @param cause The kernel's error (ENODEV is reported as ENOENT, as
   * `WireGuard.device` does; the kernel's error stays the `cause`).
   * @param messages What each message carried.
   * @param index The refused message.
   */
  constructor(
    device: string,
    cause: NetlinkError,
    messages: MessageSummary[],
    index: number,
  ) {
    const failed = messages[index]!;
    const { errno, detail: meaning } = explainDeviceErrno(cause.errno);
    const details: string[] = [];
    if (meaning !== undefined) details.push(meaning);
    if (messages.length > 1) {
      details.push(
        `message ${index + 1} of ${messages.length} (${
          describe(failed)
        }) was refused; ${
          index === 0
            ? "nothing was applied"
            : `messages 1 to ${index} were applied`
        }`,
      );
    }
    const options: ConstructorParameters<typeof NetlinkError>[2] = {
      cause,
    };
    if (details.length > 0) options.detail = details.join("; ");
    if (cause.extAck !== undefined) options.extAck = cause.extAck;
    if (cause.sequence !== undefined) options.sequence = cause.sequence;
    super(`configure ${device}`, errno, options);
    this.name = "ConfigureError";
    this.messageIndex = index;
    this.messageCount = messages.length;
    this.failed = failed;
    this.applied = messages.slice(0, index);
  }
}

function describe(s: MessageSummary): string {
  const parts: string[] = [];
  if (s.device.length > 0) parts.push(s.device.join(", "));
  if (s.peers.length > 0) {
    const ips = s.peers.reduce((n, p) => n + p.allowedIPs, 0);
    parts.push(
      `${s.peers.length} peer${s.peers.length === 1 ? "" : "s"} from ${
        s.peers[0]!.publicKey
      }, ${ips} allowed IP${ips === 1 ? "" : "s"}`,
    );
  }
  return parts.length > 0 ? parts.join("; ") : "the device name only";
}

/** A peer checked and converted to bytes. */
interface PlannedPeer {
  text: string;
  publicKey: Uint8Array;
  presharedKey?: Uint8Array;
  endpoint?: Uint8Array;
  keepalive?: number;
  flags: ("remove-me" | "replace-allowedips" | "update-only")[];
  ips: AllowedIP[];
}

/** One set-device message, planned: its value and what it carries. */
export interface PlannedMessage {
  /** The set-device request. */
  value: Wgdevice;
  /** What it carries, for errors. */
  summary: MessageSummary;
  /** Its size in bytes, netlink header included. */
  size: number;
}

function checkInteger(
  v: unknown,
  what: string,
  min: number,
  max: number,
): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new TypeError(
      `Cannot use ${what} ${
        typeof v === "string" ? JSON.stringify(v) : String(v)
      }: expected an integer from ${min} to ${max}`,
    );
  }
  return v;
}

function checkBoolean(v: unknown, what: string): boolean {
  if (v !== undefined && typeof v !== "boolean") {
    throw new TypeError(`Cannot use ${what}: expected true or false`);
  }
  return v === true;
}

const ZERO_KEY = new Uint8Array(KEY_LENGTH);

/** `nla_total_size`: an attribute with `n` payload bytes, padding included. */
const attr = (n: number): number => 4 + align(n);
/** The genl header after the netlink header. */
const GENL = 4;
/** An allowed IP nest: family (u16), address, prefix length (u8). */
const ipSize = (ip: AllowedIP): number =>
  attr(0) + attr(2) + attr(ip.family === AF_INET ? 4 : 16) + attr(1);

/**
 * Checks a configuration in full (keys, endpoints, allowed IPs, numbers)
 * and splits it into set-device messages of at most `maxSize` bytes.
 *
 * @param ref The device: name or index.
 * @param config The configuration.
 * @param maxSize The largest message, in bytes.
 * @returns The messages, in order.
 * @throws {TypeError} When anything is wrong, naming the field; nothing is sent.
 *
 * @internal Used by `WireGuard.configure` and its tests.
 */
export function planConfigure(
  ref: string | number,
  config: Config,
  maxSize: number,
): PlannedMessage[] {
  if (config === null || typeof config !== "object") {
    throw new TypeError("Cannot configure: config must be an object");
  }
  const first: Wgdevice = typeof ref === "number"
    ? { ifindex: ref }
    : { ifname: ref };
  const deviceSummary: string[] = [];
  let base = HEADER_LENGTH + GENL +
    (typeof ref === "number"
      ? attr(4)
      : attr(new TextEncoder().encode(ref).length + 1));
  const later = base;
  if (config.privateKey !== undefined) {
    first.privateKey = config.privateKey === null
      ? ZERO_KEY
      : parseKey(config.privateKey, "private key");
    deviceSummary.push("privateKey");
    base += attr(KEY_LENGTH);
  }
  if (config.listenPort !== undefined) {
    first.listenPort = checkInteger(config.listenPort, "listen port", 0, 65535);
    deviceSummary.push("listenPort");
    base += attr(2);
  }
  if (config.firewallMark !== undefined) {
    first.fwmark = checkInteger(
      config.firewallMark,
      "firewall mark",
      0,
      0xffff_ffff,
    );
    deviceSummary.push("firewallMark");
    base += attr(4);
  }
  if (checkBoolean(config.replacePeers, "replacePeers")) {
    first.flags = ["replace-peers"];
    deviceSummary.push("replacePeers");
    base += attr(4);
  }
  if (config.peers !== undefined && !Array.isArray(config.peers)) {
    throw new TypeError("Cannot configure: peers must be an array");
  }
  const peers = (config.peers ?? []).map((p, i) => planPeer(p, i));
  const seen = new Set<string>();
  for (const p of peers) {
    if (seen.has(p.text)) {
      throw new TypeError(
        `Cannot configure: peer ${p.text} is listed twice`,
      );
    }
    seen.add(p.text);
  }

  const out: PlannedMessage[] = [];
  let value = first;
  let summary: MessageSummary = { device: deviceSummary, peers: [] };
  let size = base;
  const flush = (): void => {
    out.push({ value, summary, size });
    value = typeof ref === "number" ? { ifindex: ref } : { ifname: ref };
    summary = { device: [], peers: [] };
    size = later;
  };
  for (const p of peers) {
    let next = 0; // the next allowed IP to send
    let fresh = true;
    for (;;) {
      let fixed = attr(0) + attr(KEY_LENGTH); // the peer nest, public key
      if (fresh) {
        if (p.flags.length > 0) fixed += attr(4);
        if (p.presharedKey) fixed += attr(KEY_LENGTH);
        if (p.endpoint) fixed += attr(p.endpoint.length);
        if (p.keepalive !== undefined) fixed += attr(2);
      }
      const left = p.ips.length - next;
      if (left > 0) fixed += attr(0); // the allowed IPs nest
      const peersNest = value.peers === undefined ? attr(0) : 0;
      const need = fixed + peersNest + (left > 0 ? ipSize(p.ips[next]!) : 0);
      if (size + need > maxSize) {
        if (value.peers === undefined && summary.device.length === 0) {
          throw new TypeError(
            `Cannot configure: a message of ${maxSize} bytes cannot hold peer ${p.text}`,
          );
        }
        flush();
        continue;
      }
      size += fixed + peersNest;
      let n = 0;
      while (next + n < p.ips.length) {
        const s = ipSize(p.ips[next + n]!);
        if (size + s > maxSize) break;
        size += s;
        n++;
      }
      const peer: Wgpeer = { publicKey: p.publicKey };
      if (fresh) {
        if (p.flags.length > 0) peer.flags = p.flags;
        if (p.presharedKey) peer.presharedKey = p.presharedKey;
        if (p.endpoint) peer.endpoint = p.endpoint;
        if (p.keepalive !== undefined) {
          peer.persistentKeepaliveInterval = p.keepalive;
        }
      }
      if (left > 0) {
        peer.allowedips = p.ips.slice(next, next + n).map((ip) => ({
          family: ip.family,
          ipaddr: ip.address,
          cidrMask: ip.prefixLength,
        }));
      }
      (value.peers ??= []).push(peer);
      summary.peers.push({
        publicKey: p.text,
        allowedIPs: n,
        continued: !fresh,
        remove: p.flags.includes("remove-me"),
      });
      next += n;
      fresh = false;
      if (next >= p.ips.length) break;
      flush();
    }
  }
  out.push({ value, summary, size });
  return out;
}

function planPeer(p: PeerConfig, i: number): PlannedPeer {
  if (p === null || typeof p !== "object") {
    throw new TypeError(`Cannot configure: peers[${i}] must be an object`);
  }
  const publicKey = parseKey(p.publicKey, `peers[${i}].publicKey`);
  const text = p.publicKey;
  const what = (field: string): string => `peer ${text} ${field}`;
  const out: PlannedPeer = { text, publicKey, flags: [], ips: [] };
  if (p.presharedKey !== undefined) {
    out.presharedKey = p.presharedKey === null
      ? ZERO_KEY
      : parseKey(p.presharedKey, what("preshared key"));
  }
  if (p.endpoint !== undefined) {
    out.endpoint = parseEndpoint(p.endpoint, what("endpoint"));
  }
  if (p.persistentKeepalive !== undefined) {
    out.keepalive = checkInteger(
      p.persistentKeepalive,
      what("persistent keepalive"),
      0,
      65535,
    );
  }
  if (checkBoolean(p.remove, what("remove"))) out.flags.push("remove-me");
  if (checkBoolean(p.replaceAllowedIPs, what("replaceAllowedIPs"))) {
    out.flags.push("replace-allowedips");
  }
  if (checkBoolean(p.updateOnly, what("updateOnly"))) {
    out.flags.push("update-only");
  }
  if (p.allowedIPs !== undefined) {
    if (!Array.isArray(p.allowedIPs)) {
      throw new TypeError(
        `Cannot use ${what("allowedIPs")}: expected an array of prefixes`,
      );
    }
    out.ips = p.allowedIPs.map((a) => parseAllowedIP(a, what("allowed IP")));
  }
  return out;
}
