/**
 * `RTM_NEWLINK` of the simulated kernel: creating a link (a veth pair peer
 * first, as `veth_newlink`), or changing the one the request names.
 *
 * @module
 */

import { newlink as newlinkOp } from "../families/rt_link.ts";
import { Errno } from "../netlink/errno.ts";
import type { Message } from "../netlink/message.ts";
import { OPER_STATES } from "../route/names.ts";
import {
  changeLink,
  checkMtu,
  checkName,
  flagBits,
  type LinkValue,
  makeLink,
  setMaster,
} from "./rtnl_links.ts";
import { newlink, open, setCarrier, STACKED } from "./rtnl_netdev.ts";
import { flagsOf, request } from "./rtnl_request.ts";
import {
  fail,
  IFF,
  type LinkRecord,
  type Origin,
  type RtnlState,
} from "./rtnl_state.ts";

/**
 * Registers a new link with its settings and announces it
 * (`rtnl_configure_link`: `RTM_NEWLINK` with change `~0`, up already if
 * asked). `registered` runs between registering and announcing (a veth
 * turns its carrier off there).
 */
function register(
  s: RtnlState,
  l: LinkRecord,
  v: LinkValue,
  o: Origin,
  registered?: () => void,
): void {
  if (v.mtu !== undefined) l.mtu = v.mtu;
  if (v.address !== undefined) {
    l.address = v.address;
    l.addressSet = true;
  }
  if (v.txqlen !== undefined) l.txqlen = v.txqlen;
  if (v.group !== undefined) l.group = v.group;
  s.links.set(l.index, l);
  registered?.();
  const up = v.ifiFlags !== undefined &&
    (flagBits(v) & (v.ifiChange ? v.ifiChange : 0xffffffff) & IFF.up) !== 0;
  if (up) open(s, l, o, 0xffffffff, o.echo);
  else newlink(s, l, 0xffffffff, o, undefined, o.echo);
}

/**
 * `RTM_NEWLINK`: create (with `NLM_F_CREATE`) or change a link.
 *
 * @internal
 */
export function newLink(s: RtnlState, m: Message, o: Origin): Message[] {
  createLink(s, request(newlinkOp, m), flagsOf(m), o);
  return [];
}

/**
 * Creates a link (or changes the one the request names), as `rtnl_newlink`.
 *
 * @internal
 */
export function createLink(
  s: RtnlState,
  v: LinkValue,
  f: { create: boolean; excl: boolean; replace: boolean },
  o: Origin,
): void {
  const existing = (v.ifiIndex ?? 0) > 0
    ? s.links.get(v.ifiIndex!)
    : v.ifname === undefined
    ? undefined
    : s.byName(v.ifname);
  if (existing !== undefined) {
    if (f.excl) throw fail(Errno.EEXIST);
    if (f.replace) throw fail(Errno.EOPNOTSUPP);
    changeLink(s, existing, v, o);
    return;
  }
  if (!f.create) throw fail(Errno.ENODEV);
  const kind = v.linkinfo?.kind;
  if (kind === undefined || s.kinds[kind] === undefined) {
    throw fail(Errno.EOPNOTSUPP, "Unknown device type");
  }
  if (v.ifname !== undefined) checkName(s, v.ifname);
  if ((v.ifiIndex ?? 0) > 0 && s.links.has(v.ifiIndex!)) {
    throw fail(Errno.EBUSY);
  }
  const k = s.kinds[kind]!;
  const limits = { minMtu: k.minMTU, maxMtu: k.maxMTU };
  if (v.mtu !== undefined) {
    // veth_validate refuses a bad MTU before the core checks it: no text.
    if (kind === "veth") {
      try {
        checkMtu(limits, v.mtu);
      } catch {
        throw fail(Errno.EINVAL);
      }
    } else checkMtu(limits, v.mtu);
  }
  if (v.address !== undefined && v.address.length !== k.addressLength * 3 - 1) {
    throw fail(Errno.EINVAL);
  }
  if (v.master !== undefined && v.master !== 0) {
    const br = s.links.get(v.master);
    if (br === undefined) throw fail(Errno.EINVAL);
  }
  let parent: LinkRecord | undefined;
  if (STACKED.has(kind)) {
    if (v.link === undefined) throw fail(Errno.EINVAL);
    parent = s.links.get(v.link);
    if (parent === undefined) throw fail(Errno.ENODEV);
  }
  const data = v.linkinfo?.data as Record<string, unknown> | undefined;
  if (kind === "vxlan") {
    // vxlan_validate, vxlan_dev_configure: a VNI, unique per port.
    if (data?.id === undefined) {
      throw fail(
        Errno.EINVAL,
        "Required attributes not provided to perform the operation",
      );
    }
    for (const x of s.links.values()) {
      if (
        x.kind === "vxlan" && x.data?.id === data.id &&
        (x.data?.port ?? 0) === (data.port ?? 0)
      ) {
        throw fail(
          Errno.EEXIST,
          "A VXLAN device with the specified VNI already exists",
        );
      }
    }
  }
  if (kind === "veth") {
    // veth_newlink: the peer first (its index is the lower one).
    const pv = (data?.peer ?? {}) as LinkValue;
    if (pv.ifname !== undefined) {
      checkName(s, pv.ifname);
      if (pv.ifname === v.ifname) throw fail(Errno.EEXIST);
    }
    if (pv.mtu !== undefined) {
      try {
        checkMtu(limits, pv.mtu);
      } catch {
        throw fail(Errno.EINVAL);
      }
    }
    const pi = (pv.ifiIndex ?? 0) > 0 ? pv.ifiIndex! : s.freeIndex();
    if (s.links.has(pi)) throw fail(Errno.EBUSY);
    const peer = makeLink(s, kind, pv.ifname ?? s.freeName(kind), pi);
    register(s, peer, pv, o, () => setCarrier(s, peer, false));
    const l = makeLink(
      s,
      kind,
      v.ifname ?? s.freeName(kind),
      (v.ifiIndex ?? 0) > 0 ? v.ifiIndex! : s.freeIndex(),
    );
    l.peer = peer.index;
    register(s, l, v, o, () => {
      setCarrier(s, l, false);
      peer.peer = l.index;
    });
    if (v.master !== undefined && v.master !== 0) setMaster(s, l, v.master, o);
    return;
  }
  const l = makeLink(
    s,
    kind,
    v.ifname ?? s.freeName(kind),
    (v.ifiIndex ?? 0) > 0 ? v.ifiIndex! : s.freeIndex(),
  );
  if (data !== undefined) l.data = data;
  if (parent !== undefined) {
    l.parent = parent.index;
    l.carrier = parent.carrier && parent.operstate !== OPER_STATES.down;
  }
  register(s, l, v, o);
  if (v.master !== undefined && v.master !== 0) setMaster(s, l, v.master, o);
}
