/**
 * A simulated `wireguard` generic netlink family, served from the kernel's
 * YNL spec (`serveYnlFamily`): devices with private keys, listen ports,
 * firewall marks and peers (preshared keys, endpoints, allowed IPs,
 * keepalive, traffic counters), answered as the kernel's
 * `drivers/net/wireguard/netlink.c` answers, encoded with the same codec
 * the client decodes with (`@nlkit/netlink/wireguard`).
 *
 * What it mirrors of Linux (6.18):
 * - the family: name `wireguard`, version 1, `get-device` (dump only) and
 *   `set-device` (do only), both `GENL_UNS_ADMIN_PERM` (EPERM when the
 *   simulator is told the requester is unprivileged), liberal validation
 *   of the device attributes against the spec (over-long name, keys not
 *   32 bytes: EINVAL/ERANGE with the kernel's extended ACK);
 * - device lookup: exactly one of `ifindex` and `ifname` (else EBADR), an
 *   unknown device ENODEV, a link that is not a WireGuard device EOPNOTSUPP;
 * - the dump split by size as the kernel splits it: the first message
 *   carries the device attributes, later ones only peers, a peer whose
 *   allowed IPs do not fit is repeated with its public key and the rest
 *   (and while no peer was complete, the device attributes come again);
 * - set-device in the kernel's order: unknown device flags EOPNOTSUPP;
 *   firewall mark, listen port, `REPLACE_PEERS`, private key (clamped; the
 *   public key derived with X25519; a peer with the new public key
 *   removed; all zeros removes the key), then each peer in turn, checked
 *   strictly as the kernel parses it (no extended ACK: EINVAL, ERANGE, a
 *   missing public key EINVAL, unknown flags EOPNOTSUPP, protocol version
 *   other than 1 EPFNOSUPPORT, the peer limit ENOMEM), so the peers before a
 *   refused one stay applied; a new peer with the device's own public key
 *   is ignored; allowed IPs are a device-wide table (host bits cleared; a
 *   prefix given to another peer moves to it).
 *
 * Not simulated: traffic, handshakes and roaming (set counters, handshake
 * times and endpoints with {@linkcode Simulator.setPeerStats}), binding the
 * listen port (no EADDRINUSE), `NLM_F_DUMP_INTR` on concurrent changes.
 * Devices are links of kind `wireguard` in the kernel's rtnetlink, so the
 * kernel must know that kind ({@linkcode LINK_KIND}; {@linkcode dial} and
 * {@linkcode kernel} set it up).
 *
 * Exported from `@nlkit/netlink/nltest` as the `wireguard` namespace.
 *
 * @example A device with a peer, read with the client
 * ```ts
 * import { generatePrivateKey, publicKey, WireGuard } from "@nlkit/netlink/wireguard";
 * import { wireguard } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const peer = await publicKey(generatePrivateKey());
 * await using wg = await WireGuard.open(wireguard.dial({
 *   devices: [{ name: "wg0", privateKey: generatePrivateKey(), listenPort: 51820, peers: [{ publicKey: peer, allowedIPs: ["10.0.0.2/32"] }] }],
 * }));
 * const d = await wg.device("wg0");
 * assert.equal(d.peers[0]?.publicKey, peer);
 * ```
 *
 * @module
 */

import { GenlConn } from "../genetlink/conn.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import {
  type PolicyTable,
  PolicyType,
  validateRequest,
} from "../genetlink/policy.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import type { Conn } from "../netlink/conn.ts";
import { Errno } from "../netlink/errno.ts";
import { AttributeFlags, Family as NetlinkFamily } from "../netlink/header.ts";
import { align } from "../netlink/align.ts";
import { compiled } from "../families/family.ts";
import { specTable } from "../families/_checks.ts";
import {
  family as wgFamily,
  type Wgallowedip,
  type Wgdevice,
  type Wgpeer,
} from "../families/wireguard.ts";
import { formatIP, parseIP } from "../families/_text.ts";
import {
  AF_INET,
  AF_INET6,
  formatEndpoint,
  parseAllowedIP,
  parseEndpoint,
} from "../wireguard/address.ts";
import type { Device } from "../wireguard/device.ts";
import { formatKey, parseKey, publicKey } from "../wireguard/keys.ts";
import { PolicyError } from "../genetlink/policy.ts";
import { SimKernel } from "./kernel.ts";
import { toHex } from "./_recording.ts";
import { KernelError } from "./kernel_handler.ts";
import { DEFAULT_LINK_KINDS, type LinkKind } from "./rtnetlink.ts";
import { IfinfoFlags } from "../families/rt_link.ts";
import { serveYnlFamily, type YnlRequestContext } from "./ynl_family.ts";

/**
 * The rtnetlink link kind of a WireGuard device (`wg_setup`): no hardware
 * address, point-to-point, no ARP, MTU 1420 (1500 less the IPv6 and UDP
 * and WireGuard overhead).
 *
 * @example A kernel that can hold WireGuard links
 * ```ts
 * import { DEFAULT_LINK_KINDS, SimKernel, wireguard } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel({ linkKinds: { ...DEFAULT_LINK_KINDS, wireguard: wireguard.LINK_KIND } });
 * kernel.rtnetlink.addLink({ name: "wg0", kind: "wireguard" });
 * assert.equal(kernel.rtnetlink.links()[1]?.mtu, 1420);
 * ```
 */
export const LINK_KIND: LinkKind = {
  type: 65534, // ARPHRD_NONE
  flags: IfinfoFlags["point-to-point"] | IfinfoFlags["no-arp"],
  mtu: 1420,
  minMTU: 68,
  maxMTU: 65535 - 80,
  addressLength: 0,
};

/** `MAX_PEERS_PER_DEVICE` (`drivers/net/wireguard/device.h`). */
const MAX_PEERS_PER_DEVICE = 1 << 20;
/**
 * `NLMSG_GOODSIZE` on x86-64 with 4 KiB pages: the smallest buffer the
 * kernel fills per dump message (it uses larger ones for readers whose
 * receive buffer is larger, up to 32 KiB).
 */
const DEFAULT_DUMP_MESSAGE = 3776;

/**
 * A peer to start with.
 */
export interface SimPeer {
  /** The public key (base64). */
  publicKey: string;
  /** The preshared key (base64). */
  presharedKey?: string;
  /** `192.0.2.1:51820` or `[2001:db8::1]:51820`. */
  endpoint?: string;
  /** Allowed IPs in CIDR notation. */
  allowedIPs?: string[];
  /** Persistent keepalive interval in seconds. */
  persistentKeepalive?: number;
  /** The last handshake, as a time or nanoseconds since the epoch. */
  lastHandshake?: Date | bigint;
  /** Bytes received. */
  rxBytes?: bigint;
  /** Bytes sent. */
  txBytes?: bigint;
}

/**
 * A device to start with.
 */
export interface SimDevice {
  /** The interface name (a link of kind `wireguard`; an existing link of that name is used). */
  name: string;
  /** The interface index; default the next free one. */
  index?: number;
  /** The private key (base64). */
  privateKey?: string;
  /** The listen port. */
  listenPort?: number;
  /** The firewall mark. */
  firewallMark?: number;
  /** The peers. */
  peers?: SimPeer[];
}

/**
 * Options of the {@linkcode Simulator}.
 */
export interface SimOptions {
  /** The devices. */
  devices?: SimDevice[];
  /** Whether the requester has `CAP_NET_ADMIN` (default true). */
  privileged?: boolean;
  /** The largest dump message in bytes (default 3776, `NLMSG_GOODSIZE`; at least 512). */
  dumpMessageSize?: number;
  /** The peer limit of a device (default `MAX_PEERS_PER_DEVICE`, 1048576): past it, ENOMEM. */
  maxPeers?: number;
}

interface IpState {
  family: number;
  bytes: Uint8Array;
  cidr: number;
}

interface PeerState {
  publicKey: Uint8Array;
  hex: string;
  presharedKey: Uint8Array;
  endpoint: Uint8Array | null;
  keepalive: number;
  handshakeSec: bigint;
  handshakeNsec: bigint;
  rx: bigint;
  tx: bigint;
  ips: IpState[];
}

interface DeviceState {
  name: string;
  index: number;
  privateKey: Uint8Array | null;
  publicKey: Uint8Array | null;
  listenPort: number;
  fwmark: number;
  peers: Map<string, PeerState>;
  /** A private key's public key being derived. */
  pending: Promise<void> | null;
}

const ipKey = (ip: IpState): string => `${toHex(ip.bytes)}/${ip.cidr}`;
const attr = (n: number): number => 4 + align(n);
const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

function clamp(key: Uint8Array): Uint8Array {
  const k = key.slice();
  k[0]! &= 248;
  k[31] = (k[31]! & 127) | 64;
  return k;
}

function maskIP(bytes: Uint8Array, cidr: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, cidr - 8 * i));
    out[i]! &= (0xff00 >> keep) & 0xff;
  }
  return out;
}

/** The kernel's policies: peers (and allowed IPs) are checked in the handler, not by genetlink. */
function policies(): {
  device: PolicyTable;
  peer: PolicyTable;
  allowedip: PolicyTable;
  peersType: number;
  allowedipsType: number;
} {
  const rt = compiled(wgFamily);
  const set = (name: string) => rt.sets.get(name)!;
  const shallow = (name: string, nest: string): [PolicyTable, number] => {
    const t: PolicyTable = new Map(specTable(set(name)));
    const id = set(name).byKey.get(nest)!.id;
    t.set(id, { type: PolicyType.Nested });
    return [t, id];
  };
  const [device, peersType] = shallow("wgdevice", "peers");
  const [peer, allowedipsType] = shallow("wgpeer", "allowedips");
  return {
    device,
    peer,
    allowedip: specTable(set("wgallowedip")),
    peersType,
    allowedipsType,
  };
}

/**
 * The simulated family. {@linkcode dial} builds one on a fresh simulated
 * kernel; {@linkcode Simulator.register} adds it to a `SimKernel` you share
 * with other simulated protocols.
 *
 * @example Read what a configure sent, message by message
 * ```ts
 * import { generatePrivateKey, publicKey, WireGuard } from "@nlkit/netlink/wireguard";
 * import { wireguard } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new wireguard.Simulator({ devices: [{ name: "wg0" }] });
 * await using wg = await WireGuard.open({ ...wireguard.dial(sim), maxMessageSize: 512 });
 * const peer = await publicKey(generatePrivateKey());
 * const allowedIPs = Array.from({ length: 40 }, (_, i) => `10.0.${i}.0/24`);
 * await wg.configure("wg0", { replacePeers: true, peers: [{ publicKey: peer, allowedIPs }] });
 * assert.ok(sim.setRequests.length > 1); // split: 40 prefixes do not fit 512 bytes
 * assert.deepEqual(sim.setRequests[0]?.flags, ["replace-peers"]);
 * assert.equal(sim.setRequests[1]?.flags, undefined);
 * assert.equal((await wg.device("wg0")).peers[0]?.allowedIPs.length, 40);
 * ```
 */
export class Simulator {
  #devices: DeviceState[] = [];
  #specs: SimDevice[];
  #privileged: boolean;
  #dumpSize: number;
  #maxPeers: number;
  #kernel: SimKernel | undefined;
  #policies = policies();
  /** The set-device requests received, decoded, in order (for tests). */
  readonly setRequests: Wgdevice[] = [];

  /**
   * Creates the simulator.
   *
   * @param options The devices, privilege, dump message size, peer limit.
   * @throws {TypeError} For a bad key, endpoint, allowed IP or size.
   */
  constructor(options: SimOptions = {}) {
    this.#specs = options.devices ?? [];
    this.#privileged = options.privileged ?? true;
    this.#dumpSize = options.dumpMessageSize ?? DEFAULT_DUMP_MESSAGE;
    if (!Number.isInteger(this.#dumpSize) || this.#dumpSize < 512) {
      throw new TypeError(
        `Cannot simulate wireguard: dumpMessageSize ${this.#dumpSize} is not an integer of at least 512`,
      );
    }
    this.#maxPeers = options.maxPeers ?? MAX_PEERS_PER_DEVICE;
  }

  /**
   * Registers the family with `kernel` and creates the devices as links of
   * kind `wireguard` (the kernel must know that kind: {@linkcode LINK_KIND}).
   * Public keys are derived from private keys in the background (X25519
   * is asynchronous); requests wait for them.
   *
   * @param kernel The simulated kernel.
   * @returns The family as registered.
   * @throws {TypeError} When the kernel has no `wireguard` link kind, or for bad device data.
   */
  register(kernel: SimKernel): GenlFamily {
    if (this.#kernel !== undefined) {
      throw new TypeError("Cannot register the wireguard simulator twice");
    }
    this.#kernel = kernel;
    for (const d of this.#specs) this.addDevice(d);
    return serveYnlFamily(kernel, wgFamily, {
      getDevice: (request) => this.#get(request as Wgdevice),
      setDevice: (request, context) => this.#set(request as Wgdevice, context),
    }, {
      privileged: () => this.#privileged,
      // Both operations are older than the family's resv_start_op.
      validation: "liberal",
      policies: {
        getDevice: this.#policies.device,
        setDevice: this.#policies.device,
      },
    }).family;
  }

  /**
   * Adds a device after registration (as `ip link add wg1 type wireguard`
   * and `wg set`).
   *
   * @param spec The device.
   * @throws {TypeError} Before registration, for a kernel without the link kind, or bad data.
   */
  addDevice(spec: SimDevice): void {
    const kernel = this.#kernel;
    if (kernel === undefined) {
      throw new TypeError(
        "Cannot add a wireguard device: register the simulator first",
      );
    }
    let link = kernel.rtnetlink.links().find((l) => l.name === spec.name);
    if (link !== undefined && link.kind !== "wireguard") {
      throw new TypeError(
        `Cannot add wireguard device ${spec.name}: a link of kind "${link.kind}" has the name`,
      );
    }
    if (link === undefined) {
      try {
        const linkSpec: Parameters<SimKernel["rtnetlink"]["addLink"]>[0] = {
          name: spec.name,
          kind: "wireguard",
        };
        if (spec.index !== undefined) linkSpec.index = spec.index;
        link = kernel.rtnetlink.addLink(linkSpec);
      } catch (e) {
        if (e instanceof TypeError && /kind/.test(e.message)) {
          throw new TypeError(
            `Cannot add wireguard device ${spec.name}: the simulated kernel has no link kind "wireguard" (create it with linkKinds: { ...DEFAULT_LINK_KINDS, wireguard: wireguard.LINK_KIND }, or use wireguard.kernel())`,
          );
        }
        throw e;
      }
    }
    const d: DeviceState = {
      name: link.name,
      index: link.index,
      privateKey: null,
      publicKey: null,
      listenPort: spec.listenPort ?? 0,
      fwmark: spec.firewallMark ?? 0,
      peers: new Map(),
      pending: null,
    };
    if (spec.privateKey !== undefined) {
      d.pending = this.#setPrivateKey(
        d,
        parseKey(spec.privateKey, "private key"),
      );
    }
    for (const p of spec.peers ?? []) {
      const peer = this.#newPeer(parseKey(p.publicKey, "peer public key"));
      if (p.presharedKey !== undefined) {
        peer.presharedKey = parseKey(p.presharedKey, "preshared key");
      }
      if (p.endpoint !== undefined) peer.endpoint = parseEndpoint(p.endpoint);
      peer.keepalive = p.persistentKeepalive ?? 0;
      d.peers.set(peer.hex, peer);
      for (const text of p.allowedIPs ?? []) {
        const a = parseAllowedIP(text);
        this.#insertIP(d, peer, {
          family: a.family,
          bytes: parseIP(a.address)!,
          cidr: a.prefixLength,
        });
      }
      this.setPeerStats(d, p.publicKey, p);
    }
    this.#devices = this.#devices.filter((x) => x.index !== d.index);
    this.#devices.push(d);
  }

  /**
   * A device as the simulator holds it, in the client's shape.
   *
   * @param name The device name.
   * @returns The device, or `undefined`.
   */
  device(name: string): Device | undefined {
    const d = this.#live().find((x) => x.name === name);
    if (d === undefined) return undefined;
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

  /**
   * Sets what traffic would: a peer's counters, last handshake and
   * endpoint (as the kernel updates them when packets flow).
   *
   * @param device The device (name or state).
   * @param peerKey The peer's public key.
   * @param stats What to set.
   * @throws {TypeError} For an unknown device or peer.
   *
   * @example Traffic on a peer
   * ```ts
   * import { generatePrivateKey, publicKey, WireGuard } from "@nlkit/netlink/wireguard";
   * import { wireguard } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const peer = await publicKey(generatePrivateKey());
   * const sim = new wireguard.Simulator({ devices: [{ name: "wg0", peers: [{ publicKey: peer }] }] });
   * await using wg = await WireGuard.open(wireguard.dial(sim));
   * sim.setPeerStats("wg0", peer, { rxBytes: 10n, txBytes: 20n, lastHandshake: new Date(1_700_000_000_000) });
   * const [p] = (await wg.device("wg0")).peers;
   * assert.equal(p?.txBytes, 20n);
   * assert.equal(p?.lastHandshake?.getTime(), 1_700_000_000_000);
   * ```
   */
  setPeerStats(
    device: string | DeviceState,
    peerKey: string,
    stats: Pick<SimPeer, "rxBytes" | "txBytes" | "lastHandshake" | "endpoint">,
  ): void {
    const d = typeof device === "string"
      ? this.#live().find((x) => x.name === device)
      : device;
    if (d === undefined) {
      throw new TypeError(`Cannot set peer stats: no device ${device}`);
    }
    const p = d.peers.get(toHex(parseKey(peerKey, "peer public key")));
    if (p === undefined) {
      throw new TypeError(`Cannot set peer stats: no peer ${peerKey}`);
    }
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

  /** The devices whose links still exist (a deleted link takes its device with it). */
  #live(): DeviceState[] {
    const links = this.#kernel?.rtnetlink.links() ?? [];
    this.#devices = this.#devices.filter((d) =>
      links.some((l) => l.index === d.index && l.kind === "wireguard")
    );
    for (const d of this.#devices) {
      d.name = links.find((l) => l.index === d.index)!.name;
    }
    return this.#devices;
  }

  #lookup(request: Wgdevice): DeviceState {
    if ((request.ifindex === undefined) === (request.ifname === undefined)) {
      throw new KernelError(Errno.EBADR);
    }
    const links = this.#kernel!.rtnetlink.links();
    const link = request.ifindex !== undefined
      ? links.find((l) => l.index === request.ifindex)
      : links.find((l) => l.name === request.ifname);
    if (link === undefined) throw new KernelError(Errno.ENODEV);
    const d = this.#live().find((x) => x.index === link.index);
    if (d === undefined) throw new KernelError(Errno.EOPNOTSUPP);
    return d;
  }

  #newPeer(publicKey: Uint8Array): PeerState {
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

  async #setPrivateKey(d: DeviceState, key: Uint8Array): Promise<void> {
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

  #insertIP(d: DeviceState, peer: PeerState, ip: IpState): void {
    const masked = { ...ip, bytes: maskIP(ip.bytes, ip.cidr) };
    const key = ipKey(masked);
    for (const p of d.peers.values()) {
      p.ips = p.ips.filter((x) => ipKey(x) !== key);
    }
    peer.ips.push(masked);
  }

  // ---- get-device ------------------------------------------------------

  async #get(request: Wgdevice): Promise<Wgdevice[]> {
    const d = this.#lookup(request);
    await d.pending;
    return this.#dump(d);
  }

  /** The dump's messages, split by size the way `wg_get_device_dump` splits them. */
  #dump(d: DeviceState): Wgdevice[] {
    const S = this.#dumpSize;
    const peers = [...d.peers.values()];
    const out: Wgdevice[] = [];
    let cursor = -1; // the last peer dumped in full
    let resume: number | null = null; // a partly dumped peer's next allowed IP
    for (;;) {
      let size = 16 + 4;
      const m: Wgdevice = {};
      if (cursor < 0) {
        m.listenPort = d.listenPort;
        m.fwmark = d.fwmark;
        m.ifindex = d.index;
        m.ifname = d.name;
        size += attr(2) + attr(4) + attr(4) +
          attr(new TextEncoder().encode(d.name).length + 1);
        if (d.privateKey && d.publicKey) {
          m.privateKey = d.privateKey;
          m.publicKey = d.publicKey;
          size += 2 * attr(32);
        }
      }
      if (peers.length === 0) {
        out.push(m);
        return out;
      }
      size += attr(0); // the peers nest
      const list: Wgpeer[] = [];
      let done = true;
      for (let i = cursor + 1; i < peers.length; i++) {
        const p = peers[i]!;
        const fresh = resume === null;
        let need = attr(0) + attr(32);
        if (fresh) {
          need += attr(32) + attr(16) + attr(2) + attr(8) + attr(8) + attr(4) +
            (p.endpoint ? attr(p.endpoint.length) : 0);
        }
        // The kernel cancels a peer whose nest, key or (first time) fixed
        // attributes, or whose allowed IPs nest, do not fit.
        if (size + need + (p.ips.length > 0 ? attr(0) : 0) > S) {
          done = false;
          break;
        }
        size += need;
        const peer: Wgpeer = { publicKey: p.publicKey };
        if (fresh) {
          peer.presharedKey = p.presharedKey;
          peer.lastHandshakeTime = {
            sec: p.handshakeSec,
            nsec: p.handshakeNsec,
          };
          peer.persistentKeepaliveInterval = p.keepalive;
          peer.txBytes = p.tx;
          peer.rxBytes = p.rx;
          peer.protocolVersion = 1;
          if (p.endpoint) peer.endpoint = p.endpoint;
        }
        list.push(peer);
        if (p.ips.length > 0) {
          size += attr(0);
          const ips: Wgallowedip[] = [];
          let k: number = resume ?? 0;
          for (; k < p.ips.length; k++) {
            const ip = p.ips[k]!;
            const s = attr(0) + attr(1) + attr(2) + attr(ip.bytes.length);
            if (size + s > S) break;
            size += s;
            ips.push({
              cidrMask: ip.cidr,
              family: ip.family,
              ipaddr: formatIP(ip.bytes, 0, ip.bytes.length),
            });
          }
          peer.allowedips = ips; // possibly empty: the kernel ends the nest
          if (k < p.ips.length) {
            resume = k; // the next message continues this peer
            done = false;
            break;
          }
        }
        resume = null;
        cursor = i;
      }
      if (list.length > 0) m.peers = list;
      out.push(m);
      if (done) return out;
    }
  }

  // ---- set-device ------------------------------------------------------

  async #set(
    request: Wgdevice,
    context: YnlRequestContext,
  ): Promise<undefined> {
    this.setRequests.push(request);
    const d = this.#lookup(request);
    await d.pending;
    let flags = 0;
    for (const f of request.flags ?? []) {
      flags |= typeof f === "number" ? f : f === "replace-peers" ? 1 : 0;
    }
    if (flags & ~1) throw new KernelError(Errno.EOPNOTSUPP);
    if (request.fwmark !== undefined) d.fwmark = request.fwmark;
    if (request.listenPort !== undefined) d.listenPort = request.listenPort;
    if (flags & 1) d.peers.clear();
    if (request.privateKey !== undefined && request.privateKey.length === 32) {
      await this.#setPrivateKey(d, request.privateKey);
    }
    // Each peer is parsed strictly when its turn comes, without an extended ACK.
    const raw = this.#rawPeers(context);
    for (let i = 0; i < raw.length; i++) {
      this.#setPeer(d, raw[i]!, request.peers?.[i] ?? {});
    }
    return undefined;
  }

  /** The peer nests of a set-device request, as bytes, in order. */
  #rawPeers(context: YnlRequestContext): Uint8Array[] {
    const data = context.message.data;
    const out: Uint8Array[] = [];
    const d = new AttributeDecoder(data, 4, data.length - 4);
    while (d.next()) {
      if (d.type !== this.#policies.peersType) continue;
      const n = d.decoder();
      while (n.next()) {
        if ((n.flags & AttributeFlags.Nested) === 0) {
          throw new KernelError(Errno.EINVAL); // "NLA_F_NESTED is missing"
        }
        out.push(data.subarray(n.offset, n.offset + n.length));
      }
    }
    return out;
  }

  #strict(table: PolicyTable, bytes: Uint8Array): void {
    try {
      validateRequest(table, bytes, { strict: true });
    } catch (e) {
      throw new KernelError(e instanceof PolicyError ? e.errno : Errno.EINVAL);
    }
  }

  #setPeer(d: DeviceState, raw: Uint8Array, p: Wgpeer): void {
    this.#strict(this.#policies.peer, raw);
    if (p.publicKey === undefined || p.publicKey.length !== 32) {
      throw new KernelError(Errno.EINVAL);
    }
    let flags = 0;
    for (const f of p.flags ?? []) {
      flags |= typeof f === "number"
        ? f
        : { "remove-me": 1, "replace-allowedips": 2, "update-only": 4 }[f];
    }
    if (flags & ~7) throw new KernelError(Errno.EOPNOTSUPP);
    if (p.protocolVersion !== undefined && p.protocolVersion !== 1) {
      throw new KernelError(Errno.EPFNOSUPPORT);
    }
    const key = toHex(p.publicKey);
    let peer = d.peers.get(key);
    if (peer === undefined) {
      if (flags & (1 | 4)) return; // remove-me or update-only: nothing to do
      flags &= ~2;
      if (d.publicKey !== null && toHex(d.publicKey) === key) return; // ignored
      if (d.peers.size >= this.#maxPeers) throw new KernelError(Errno.ENOMEM);
      peer = this.#newPeer(p.publicKey);
      d.peers.set(key, peer);
    }
    if (flags & 1) {
      d.peers.delete(key);
      return;
    }
    if (p.presharedKey !== undefined && p.presharedKey.length === 32) {
      peer.presharedKey = p.presharedKey;
    }
    if (p.endpoint !== undefined) {
      const fam = p.endpoint.length >= 2
        ? new DataView(p.endpoint.buffer, p.endpoint.byteOffset).getUint16(
          0,
          true,
        )
        : 0;
      if (
        (p.endpoint.length === 16 && fam === AF_INET) ||
        (p.endpoint.length === 28 && fam === AF_INET6)
      ) {
        peer.endpoint = p.endpoint.slice();
      }
    }
    if (flags & 2) peer.ips = [];
    if (p.allowedips !== undefined) {
      const rawIPs = this.#rawAllowedIPs(raw);
      for (let i = 0; i < rawIPs.length; i++) {
        this.#strict(this.#policies.allowedip, rawIPs[i]!);
        this.#setAllowedIP(d, peer, p.allowedips[i] ?? {});
      }
    }
    if (p.persistentKeepaliveInterval !== undefined) {
      peer.keepalive = p.persistentKeepaliveInterval;
    }
  }

  #rawAllowedIPs(peer: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const d = new AttributeDecoder(peer);
    while (d.next()) {
      if (d.type !== this.#policies.allowedipsType) continue;
      const n = d.decoder();
      while (n.next()) {
        if ((n.flags & AttributeFlags.Nested) === 0) {
          throw new KernelError(Errno.EINVAL);
        }
        out.push(peer.subarray(n.offset, n.offset + n.length));
      }
    }
    return out;
  }

  #setAllowedIP(d: DeviceState, peer: PeerState, a: Wgallowedip): void {
    if (
      a.family === undefined || a.ipaddr === undefined ||
      a.cidrMask === undefined
    ) {
      throw new KernelError(Errno.EINVAL);
    }
    let flags = 0;
    for (const f of a.flags ?? []) flags |= typeof f === "number" ? f : 1;
    if (flags & ~1) throw new KernelError(Errno.EOPNOTSUPP);
    const bytes = parseIP(a.ipaddr);
    const ok = bytes !== undefined &&
      ((a.family === AF_INET && a.cidrMask <= 32 && bytes.length === 4) ||
        (a.family === AF_INET6 && a.cidrMask <= 128 && bytes.length === 16));
    if (!ok) throw new KernelError(Errno.EINVAL);
    const ip = { family: a.family, bytes: bytes!, cidr: a.cidrMask };
    if (flags & 1) {
      const key = ipKey({ ...ip, bytes: maskIP(ip.bytes, ip.cidr) });
      peer.ips = peer.ips.filter((x) => ipKey(x) !== key);
      return;
    }
    this.#insertIP(d, peer, ip);
  }
}

/**
 * A simulated kernel that knows the `wireguard` link kind (and the default
 * kinds), with nothing registered yet.
 *
 * @returns The kernel.
 */
export function kernel(): SimKernel {
  return new SimKernel({
    linkKinds: { ...DEFAULT_LINK_KINDS, wireguard: LINK_KIND },
  });
}

/**
 * The connections {@linkcode dial} gives: what `WireGuard.open` takes.
 */
export interface SimConnections {
  /** A generic netlink connection to the simulated kernel. */
  conn: GenlConn;
  /** An rtnetlink connection to the same kernel (for `devices()`). */
  route: Conn;
}

/**
 * A fresh simulated kernel with the family registered (the devices
 * created), and connections to it for `WireGuard.open`.
 *
 * @param options The simulator's options, or a simulator to register.
 * @returns A generic netlink and an rtnetlink connection.
 */
export function dial(options: SimOptions | Simulator = {}): SimConnections {
  const k = kernel();
  const sim = options instanceof Simulator ? options : new Simulator(options);
  sim.register(k);
  return {
    conn: GenlConn.from(k.dial(NetlinkFamily.Generic)),
    route: k.dial(NetlinkFamily.Route),
  };
}
