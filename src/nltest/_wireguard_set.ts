/**
 * The simulated WireGuard family's set-device, in the kernel's order
 * (`wg_set_device`, `set_peer`, `set_allowedip`): the device attributes,
 * then each peer parsed strictly when its turn comes, so the peers before
 * a refused one stay applied (internal to `nltest/wireguard.ts`).
 *
 * @module
 */

import {
  PolicyError,
  type PolicyTable,
  PolicyType,
  validateRequest,
} from "../genetlink/policy.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import { Errno } from "../netlink/errno.ts";
import { AttributeFlags } from "../netlink/header.ts";
import { compiled } from "../families/family.ts";
import { specTable } from "../families/_checks.ts";
import {
  family as wgFamily,
  type Wgallowedip,
  type Wgdevice,
  type Wgpeer,
} from "../families/wireguard.ts";
import { parseIP } from "../families/_text.ts";
import { AF_INET, AF_INET6 } from "../wireguard/address.ts";
import { KernelError } from "./kernel_handler.ts";
import type { YnlRequestContext } from "./ynl_family.ts";
import { toHex } from "./_recording.ts";
import {
  type DeviceState,
  insertIP,
  newPeer,
  type PeerState,
  removeIP,
  setPrivateKey,
} from "./_wireguard_state.ts";

/** The kernel's attribute policies of the family, and the nests' types. */
export interface Policies {
  /** The device's: the peers nest is only checked to be a nest. */
  device: PolicyTable;
  /** A peer's: the allowed IPs nest is only checked to be a nest. */
  peer: PolicyTable;
  /** An allowed IP's. */
  allowedip: PolicyTable;
  /** `WGDEVICE_A_PEERS`. */
  peersType: number;
  /** `WGPEER_A_ALLOWEDIPS`. */
  allowedipsType: number;
}

/** The kernel's policies: peers (and allowed IPs) are checked in the handler, not by genetlink. */
export function policies(): Policies {
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

/** What set-device checks against: the policies and the peer limit. */
export interface SetRules {
  /** The family's policies. */
  policies: Policies;
  /** The most peers a device may have (ENOMEM past it). */
  maxPeers: number;
}

/**
 * The elements of every `type` nest among the attributes of
 * `data[start..]`, as bytes, in order.
 *
 * @throws {KernelError} EINVAL for an element without `NLA_F_NESTED`.
 */
function nestedElements(
  data: Uint8Array,
  start: number,
  type: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  const d = new AttributeDecoder(data, start, data.length - start);
  while (d.next()) {
    if (d.type !== type) continue;
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

/** Checks a nest strictly (`nla_parse_nested`); failures carry no extended ACK. */
function strict(table: PolicyTable, bytes: Uint8Array): void {
  try {
    validateRequest(table, bytes, { strict: true });
  } catch (e) {
    throw new KernelError(e instanceof PolicyError ? e.errno : Errno.EINVAL);
  }
}

/**
 * Applies a set-device request to `d` as `wg_set_device` does: unknown
 * device flags EOPNOTSUPP; firewall mark, listen port, `REPLACE_PEERS`,
 * private key, then each peer in turn.
 *
 * @param request The request, decoded.
 * @param context The request's context (its raw bytes for the peers).
 * @throws {KernelError} The kernel's errno, without extended ACK.
 */
export async function setDevice(
  d: DeviceState,
  request: Wgdevice,
  context: YnlRequestContext,
  rules: SetRules,
): Promise<undefined> {
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
    await setPrivateKey(d, request.privateKey);
  }
  // Each peer is parsed strictly when its turn comes, without an extended ACK.
  const raw = nestedElements(
    context.message.data,
    4,
    rules.policies.peersType,
  );
  for (let i = 0; i < raw.length; i++) {
    setPeer(d, raw[i]!, request.peers?.[i] ?? {}, rules);
  }
  return undefined;
}

/** One peer of a set-device request (`set_peer`). */
function setPeer(
  d: DeviceState,
  raw: Uint8Array,
  p: Wgpeer,
  rules: SetRules,
): void {
  strict(rules.policies.peer, raw);
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
    if (d.peers.size >= rules.maxPeers) throw new KernelError(Errno.ENOMEM);
    peer = newPeer(p.publicKey);
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
    const rawIPs = nestedElements(raw, 0, rules.policies.allowedipsType);
    for (let i = 0; i < rawIPs.length; i++) {
      strict(rules.policies.allowedip, rawIPs[i]!);
      setAllowedIP(d, peer, p.allowedips[i] ?? {});
    }
  }
  if (p.persistentKeepaliveInterval !== undefined) {
    peer.keepalive = p.persistentKeepaliveInterval;
  }
}

/** One allowed IP of a peer (`set_allowedip`): added, or removed with `remove-me`. */
function setAllowedIP(d: DeviceState, peer: PeerState, a: Wgallowedip): void {
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
    removeIP(peer, ip);
    return;
  }
  insertIP(d, peer, ip);
}
