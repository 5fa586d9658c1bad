/**
 * The simulated WireGuard family's get-device dump, split into messages
 * by size the way the kernel's `wg_get_device_dump` splits it (internal
 * to `nltest/wireguard.ts`).
 *
 * @module
 */

import { align } from "../netlink/align.ts";
import type { Wgallowedip, Wgdevice, Wgpeer } from "../families/wireguard.ts";
import { formatIP } from "../families/_text.ts";
import type { DeviceState } from "./_wireguard_state.ts";

/**
 * `NLMSG_GOODSIZE` on x86-64 with 4 KiB pages: the smallest buffer the
 * kernel fills per dump message (it uses larger ones for readers whose
 * receive buffer is larger, up to 32 KiB).
 */
export const DEFAULT_DUMP_MESSAGE = 3776;

/** The bytes an attribute with an `n`-byte payload takes (`nla_total_size`). */
const attr = (n: number): number => 4 + align(n);

/**
 * The dump's messages for one device, each at most `maxSize` bytes: the
 * first carries the device attributes, later ones only peers; a peer
 * whose allowed IPs do not fit is repeated with its public key and the
 * rest (and while no peer was complete, the device attributes come again).
 *
 * @param d The device.
 * @param maxSize The largest message in bytes, netlink header included.
 * @returns The messages' values, in order.
 */
export function dumpDevice(d: DeviceState, maxSize: number): Wgdevice[] {
  const S = maxSize;
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
