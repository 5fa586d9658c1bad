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
import type { Conn } from "../netlink/conn.ts";
import { Family as NetlinkFamily } from "../netlink/header.ts";
import { Errno } from "../netlink/errno.ts";
import { family as wgFamily, type Wgdevice } from "../families/wireguard.ts";
import { parseIP } from "../families/_text.ts";
import { parseAllowedIP, parseEndpoint } from "../wireguard/address.ts";
import type { Device } from "../wireguard/device.ts";
import { parseKey } from "../wireguard/keys.ts";
import { SimKernel } from "./kernel.ts";
import { toHex } from "./_recording.ts";
import { KernelError } from "./kernel_handler.ts";
import { DEFAULT_LINK_KINDS, type LinkKind } from "./rtnetlink.ts";
import { IfinfoFlags } from "../families/rt_link.ts";
import { serveYnlFamily } from "./ynl_family.ts";
import { DEFAULT_DUMP_MESSAGE, dumpDevice } from "./_wireguard_dump.ts";
import { policies, setDevice } from "./_wireguard_set.ts";
import {
  type DeviceState,
  deviceView,
  insertIP,
  newDevice,
  newPeer,
  setPrivateKey,
  setStats,
} from "./_wireguard_state.ts";

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
      getDevice: async (request) => {
        const d = this.#lookup(request as Wgdevice);
        await d.pending;
        return dumpDevice(d, this.#dumpSize);
      },
      setDevice: async (request, context) => {
        this.setRequests.push(request as Wgdevice);
        const d = this.#lookup(request as Wgdevice);
        return await setDevice(d, request as Wgdevice, context, {
          policies: this.#policies,
          maxPeers: this.#maxPeers,
        });
      },
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
    const d = newDevice(
      link.name,
      link.index,
      spec.listenPort ?? 0,
      spec.firewallMark ?? 0,
    );
    if (spec.privateKey !== undefined) {
      d.pending = setPrivateKey(d, parseKey(spec.privateKey, "private key"));
    }
    for (const p of spec.peers ?? []) {
      const peer = newPeer(parseKey(p.publicKey, "peer public key"));
      if (p.presharedKey !== undefined) {
        peer.presharedKey = parseKey(p.presharedKey, "preshared key");
      }
      if (p.endpoint !== undefined) peer.endpoint = parseEndpoint(p.endpoint);
      peer.keepalive = p.persistentKeepalive ?? 0;
      d.peers.set(peer.hex, peer);
      for (const text of p.allowedIPs ?? []) {
        const a = parseAllowedIP(text);
        insertIP(d, peer, {
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
    return d === undefined ? undefined : deviceView(d);
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
    setStats(p, stats);
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
