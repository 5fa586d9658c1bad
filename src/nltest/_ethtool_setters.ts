/**
 * The simulated ethtool family's set operations, each applied to a
 * resolved device as Linux's `ethnl_set_*` applies it: the request checked
 * against what the driver supports, the state changed, and a change
 * notified on the `monitor` group (internal to `nltest/ethtool.ts`).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import type {
  Channels,
  Coalesce,
  Features,
  Linkinfo,
  Linkmodes,
  Pause,
  Rings,
} from "../families/ethtool.ts";
import { KernelError } from "./kernel_handler.ts";
import type { YnlRequestContext } from "./ynl_family.ts";
import { putBitset, readBitset } from "./_ethtool_bitset.ts";
import { ackAt, attrId } from "./_ethtool_devices.ts";
import {
  featuresReply,
  linkinfoReply,
  linkmodesReply,
  settingsReply,
} from "./_ethtool_replies.ts";
import { type DeviceState, headerOf } from "./_ethtool_state.ts";
import { FEATURES, LINK_MODES } from "./_ethtool_strings.ts";

/** Multicasts the notification `op` on the family's `monitor` group. */
function notify(context: YnlRequestContext, op: string, value: object): void {
  context.notifyOp(op, value, "monitor");
}

/** A `JSON.stringify` replacer that writes bigints as decimal text. */
function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/**
 * Stores `next` as the device's `key` settings and notifies the change,
 * when there is one.
 */
function store<K extends "channels" | "rings" | "pause" | "coalesce">(
  d: DeviceState,
  key: K,
  next: NonNullable<DeviceState[K]>,
  context: YnlRequestContext,
): undefined {
  if (JSON.stringify(next, big) !== JSON.stringify(d[key], big)) {
    d[key] = next;
    notify(context, `${key}Ntf`, settingsReply(d, key));
  }
  return undefined;
}

/**
 * `ETHTOOL_MSG_FEATURES_SET`: what the device cannot change is reported
 * refused in the reply, not an error.
 */
export function setFeatures(
  d: DeviceState,
  request: Features,
  context: YnlRequestContext,
): Features {
  const req = readBitset(request.wanted, FEATURES, ["wanted"], context);
  if (req === undefined) {
    throw new KernelError(Errno.EINVAL, {
      missingType: attrId("features", "wanted"),
    });
  }
  // As ethnl_set_features: the request inside its mask, the old wanted
  // set outside; only what the device lets change (hw) takes effect.
  const size = FEATURES.length;
  const mask = req.mask ?? new Set(FEATURES.map((_, i) => i));
  const oldActive = new Set(d.active);
  const reqWanted = new Set<number>();
  for (let i = 0; i < size; i++) {
    if (mask.has(i) ? req.value.has(i) : d.wanted.has(i)) reqWanted.add(i);
  }
  for (const i of d.hw) {
    if (reqWanted.has(i)) d.wanted.add(i);
    else d.wanted.delete(i);
    if (d.wanted.has(i)) d.active.add(i);
    else d.active.delete(i);
  }
  const refused = new Set<number>();
  for (const i of mask) {
    if (reqWanted.has(i) !== d.active.has(i)) refused.add(i);
  }
  const changed = new Set<number>();
  for (let i = 0; i < size; i++) {
    if (oldActive.has(i) !== d.active.has(i)) changed.add(i);
  }
  const compact = (request.header?.flags ?? []).includes("compact-bitsets");
  if (changed.size > 0) {
    notify(context, "featuresNtf", featuresReply(d, false));
  }
  return {
    header: headerOf(d),
    wanted: putBitset(reqWanted, refused, size, FEATURES, compact),
    active: putBitset(d.active, changed, size, FEATURES, compact),
  };
}

/** `ETHTOOL_MSG_CHANNELS_SET`, checked as `ethnl_set_channels` checks it. */
export function setChannels(
  d: DeviceState,
  request: Channels,
  context: YnlRequestContext,
): undefined {
  const c = d.channels;
  if (c === null) throw new KernelError(Errno.EOPNOTSUPP);
  const keys = ["rxCount", "txCount", "otherCount", "combinedCount"] as const;
  const max = {
    rxCount: "rxMax",
    txCount: "txMax",
    otherCount: "otherMax",
    combinedCount: "combinedMax",
  } as const;
  const next = { ...c };
  for (const k of keys) if (request[k] !== undefined) next[k] = request[k];
  for (const k of keys) {
    if (request[k] !== undefined && (next[k] ?? 0) > (c[max[k]] ?? 0)) {
      throw new KernelError(Errno.EINVAL, {
        message: "requested channel count exceeds maximum",
        ...ackAt(context, [k]),
      });
    }
  }
  const none =
    "requested channel counts would result in no RX or TX channel being configured";
  if ((next.combinedCount ?? 0) + (next.rxCount ?? 0) === 0) {
    throw new KernelError(Errno.EINVAL, {
      message: none,
      ...ackAt(context, [
        request.rxCount !== undefined ? "rxCount" : "combinedCount",
      ]),
    });
  }
  if ((next.combinedCount ?? 0) + (next.txCount ?? 0) === 0) {
    throw new KernelError(Errno.EINVAL, {
      message: none,
      ...ackAt(context, [
        request.txCount !== undefined ? "txCount" : "combinedCount",
      ]),
    });
  }
  return store(d, "channels", next, context);
}

/** `ETHTOOL_MSG_RINGS_SET`: sizes within the maximums, supported settings only. */
export function setRings(
  d: DeviceState,
  request: Rings,
  context: YnlRequestContext,
): undefined {
  const r = d.rings;
  if (r === null) throw new KernelError(Errno.EOPNOTSUPP);
  const pairs = [
    ["rx", "rxMax"],
    ["rxMini", "rxMiniMax"],
    ["rxJumbo", "rxJumboMax"],
    ["tx", "txMax"],
  ] as const;
  const next = { ...r };
  for (const [k, m] of pairs) {
    const v = request[k];
    if (v === undefined) continue;
    if (v > (r[m] ?? 0)) {
      throw new KernelError(Errno.EINVAL, {
        message: "requested ring size exceeds maximum",
        ...ackAt(context, [k]),
      });
    }
    next[k] = v;
  }
  for (
    const k of [
      "rxBufLen",
      "tcpDataSplit",
      "cqeSize",
      "txPush",
      "rxPush",
      "txPushBufLen",
      "hdsThresh",
    ] as const
  ) {
    if (request[k] === undefined) continue;
    if (r[k] === undefined) {
      throw new KernelError(Errno.EOPNOTSUPP, {
        message: "setting is not supported by the device",
        ...ackAt(context, [k]),
      });
    }
    (next as Record<string, unknown>)[k] = request[k];
  }
  return store(d, "rings", next, context);
}

/** `ETHTOOL_MSG_PAUSE_SET`. */
export function setPause(
  d: DeviceState,
  request: Pause,
  context: YnlRequestContext,
): undefined {
  if (d.pause === null) throw new KernelError(Errno.EOPNOTSUPP);
  const next = { ...d.pause };
  for (const k of ["autoneg", "rx", "tx"] as const) {
    if (request[k] !== undefined) next[k] = request[k] ? 1 : 0;
  }
  return store(d, "pause", next, context);
}

/** `ETHTOOL_MSG_COALESCE_SET`: only the parameters the driver supports. */
export function setCoalesce(
  d: DeviceState,
  request: Coalesce,
  context: YnlRequestContext,
): undefined {
  const c = d.coalesce;
  if (c === null) throw new KernelError(Errno.EOPNOTSUPP);
  const next: Record<string, unknown> = { ...c };
  for (const [k, v] of Object.entries(request)) {
    if (k === "header" || k === "unknownAttributes" || v === undefined) {
      continue;
    }
    if (!(k in c)) {
      throw new KernelError(Errno.EINVAL, {
        message: "cannot modify an unsupported parameter",
        ...ackAt(context, [k]),
      });
    }
    next[k] = v;
  }
  return store(d, "coalesce", next as typeof c, context);
}

/** `ETHTOOL_MSG_LINKINFO_SET`, where the device lets it (`linkInfoSettable`). */
export function setLinkinfo(
  d: DeviceState,
  request: Linkinfo,
  context: YnlRequestContext,
): undefined {
  if (d.linkInfo === null || d.spec.linkInfoSettable !== true) {
    throw new KernelError(Errno.EOPNOTSUPP);
  }
  const next = { ...d.linkInfo };
  if (request.port !== undefined) next.port = request.port;
  if (request.phyaddr !== undefined) next.phyaddr = request.phyaddr;
  if (request.tpMdixCtrl !== undefined) next.tpMdixCtrl = request.tpMdixCtrl;
  if (JSON.stringify(next) !== JSON.stringify(d.linkInfo)) {
    d.linkInfo = next;
    notify(context, "linkinfoNtf", linkinfoReply(d));
  }
  return undefined;
}

/** `ETHTOOL_MSG_LINKMODES_SET`, where link modes were declared; advertised modes must be supported. */
export function setLinkmodes(
  d: DeviceState,
  request: Linkmodes,
  context: YnlRequestContext,
): undefined {
  const m = d.modes;
  if (m === null || !d.modesSettable) throw new KernelError(Errno.EOPNOTSUPP);
  const ours = readBitset(request.ours, LINK_MODES, ["ours"], context);
  const snapshot = (): string =>
    JSON.stringify([m.autoneg, m.speed, m.duplex, [...m.advertised], m.lanes]);
  const before = snapshot();
  if (request.autoneg !== undefined) m.autoneg = request.autoneg === 1;
  if (request.speed !== undefined) m.speed = request.speed;
  if (request.duplex !== undefined) m.duplex = request.duplex;
  if (request.lanes !== undefined) m.lanes = request.lanes;
  if (ours !== undefined) {
    for (const i of ours.value) {
      if (!m.supported.has(i)) {
        throw new KernelError(Errno.EINVAL, {
          message: "requested link mode is not supported",
        });
      }
    }
    if (ours.mask === null) m.advertised = new Set(ours.value);
    else {
      for (const i of ours.mask) {
        if (ours.value.has(i)) m.advertised.add(i);
        else m.advertised.delete(i);
      }
    }
  }
  if (snapshot() !== before) {
    notify(context, "linkmodesNtf", linkmodesReply(d, false));
  }
  return undefined;
}
