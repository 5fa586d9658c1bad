/**
 * rtnetlink link requests (`RTM_NEWLINK`, `RTM_SETLINK`, `RTM_DELLINK`,
 * `RTM_GETLINK`) of the simulated kernel, decoded with the generated
 * rt-link codec, with the kernel's errors and extended ACK texts.
 *
 * @module
 */

import {
  dellink,
  getlink,
  type Ifinfomsg,
  type LinkAttrs,
  newlink as setlink,
} from "../families/rt_link.ts";
import { formatMAC } from "../families/_text.ts";
import { Errno } from "../netlink/errno.ts";
import type { Message } from "../netlink/message.ts";
import { OPER_STATES } from "../route/names.ts";
import type { HandlerResult, RequestContext } from "./kernel_handler.ts";
import { linkMessage } from "./rtnl_encode.ts";
import { forgetLink } from "./rtnl_fib.ts";
import { removeAddress } from "./rtnl_addresses.ts";
import {
  addPort,
  close,
  deviceEvent,
  newlink,
  open,
  removePort,
  unregister,
} from "./rtnl_netdev.ts";
import { request } from "./rtnl_request.ts";
import type { LinkKind } from "./rtnl_types.ts";
import {
  fail,
  IFF,
  type LinkRecord,
  MAX_NAME,
  type Origin,
  type RtnlState,
} from "./rtnl_state.ts";

/** A link request's value, as the generated rt-link codec decodes it. @internal */
export type LinkValue = Partial<Ifinfomsg> & LinkAttrs;

/** `IFF_*` bits `RTM_NEWLINK`/`RTM_SETLINK` may change (`dev_change_flags`). */
const CHANGEABLE = IFF.up | IFF.noarp | IFF.promisc | IFF.multicast |
  0x200 /* ALLMULTI */ |
  0x4 /* DEBUG */ | 0x8000 /* DYNAMIC */;

/** @internal */
export function flagBits(v: LinkValue): number {
  let n = 0;
  for (const f of v.ifiFlags ?? []) {
    n |= typeof f === "number" ? f : (IFF as Record<string, number>)[f] ?? 0;
  }
  return n >>> 0;
}

function randomMac(index: number): string {
  const mac = new Uint8Array([2, 0, 0, 0, (index >> 8) & 0xff, index & 0xff]);
  return formatMAC(mac, 0, mac.length);
}

/**
 * A new link record of a kind, with the index given (not yet in the table).
 *
 * @internal
 */
export function makeLink(
  s: RtnlState,
  kind: string,
  name: string,
  index: number,
  k: LinkKind = s.kinds[kind]!,
): LinkRecord {
  return {
    index,
    name,
    kind,
    type: k.type,
    flags: k.flags,
    carrier: true,
    operstate: OPER_STATES.unknown,
    mtu: k.mtu,
    minMtu: k.minMTU,
    maxMtu: k.maxMTU,
    txqlen: 1000,
    group: 0,
    address: k.addressLength === 6 ? randomMac(index) : "",
    broadcast: k.addressLength === 6 ? "ff:ff:ff:ff:ff:ff" : "",
    addressSet: false,
    master: 0,
    peer: 0,
    parent: 0,
    alias: "",
    promiscuity: 0,
    data: undefined,
    portState: undefined,
    linkwatch: false,
    registered: true,
  };
}

/** @internal */
export function checkMtu(
  l: { minMtu: number; maxMtu: number },
  mtu: number,
): void {
  if (mtu < l.minMtu) throw fail(Errno.EINVAL, "mtu less than device minimum");
  if (l.maxMtu > 0 && mtu > l.maxMtu) {
    throw fail(Errno.EINVAL, "mtu greater than device maximum");
  }
}

/** @internal */
export function checkName(s: RtnlState, name: string, self?: LinkRecord): void {
  if (name === "" || new TextEncoder().encode(name).length > MAX_NAME) {
    throw fail(Errno.EINVAL);
  }
  const other = s.byName(name);
  if (other !== undefined && other !== self) throw fail(Errno.EEXIST);
}

/**
 * `RTM_GETLINK` without `NLM_F_DUMP`: one link by index or name.
 *
 * @internal
 */
export function getLink(
  s: RtnlState,
  m: Message,
  ctx: RequestContext,
): Message[] {
  const v = request(getlink, m);
  if (
    ctx.strict && (v.ifiType || v.ifiFlags!.length || v.ifiChange)
  ) {
    throw fail(Errno.EINVAL, "Invalid values in header for link get request");
  }
  const l = s.lookup(v.ifiIndex ?? 0, v.ifname ?? v.altIfname);
  return [linkMessage(s, l, false, 0)];
}

/**
 * `RTM_GETLINK` dump, with the strict header checks of
 * `rtnl_valid_dump_ifinfo_req`.
 *
 * @internal
 */
export function dumpLinks(
  s: RtnlState,
  m: Message,
  ctx: RequestContext,
): HandlerResult {
  if (ctx.strict) {
    if (m.data.length < 16) {
      throw fail(Errno.EINVAL, "Invalid header for link dump");
    }
    const v = request(getlink, m);
    if (v.ifiType || v.ifiFlags!.length || v.ifiChange) {
      throw fail(
        Errno.EINVAL,
        "Invalid values in header for link dump request",
      );
    }
    if (v.ifiIndex) {
      throw fail(
        Errno.EINVAL,
        "Filter by device index not supported for link dumps",
      );
    }
    const master = v.master;
    const kind = v.linkinfo?.kind;
    if (master !== undefined || kind !== undefined) {
      const list = s.sortedLinks().filter((l) =>
        (master === undefined || l.master === master) &&
        (kind === undefined || l.kind === kind)
      );
      return {
        dump: list.map((l) => linkMessage(s, l, false, 0)),
        filtered: true,
      };
    }
  }
  return { dump: s.sortedLinks().map((l) => linkMessage(s, l, false, 0)) };
}

/** Sets the master (a bridge) of `l`, or none (`do_set_master`). */
/** @internal */
export function setMaster(
  s: RtnlState,
  l: LinkRecord,
  index: number,
  o: Origin,
) {
  if (index === l.master) return;
  if (l.master !== 0) removePort(s, l, o);
  if (index === 0) return;
  const br = s.links.get(index);
  if (br === undefined || br === l) throw fail(Errno.EINVAL);
  if (br.kind !== "bridge") {
    throw fail(Errno.EOPNOTSUPP, "Master device does not support enslaving");
  }
  addPort(s, br, l, o);
}

/**
 * Checks the changes of an `RTM_SETLINK`/`RTM_NEWLINK` before making any.
 */
function validate(s: RtnlState, l: LinkRecord, v: LinkValue): void {
  if (v.mtu !== undefined) checkMtu(l, v.mtu);
  if (v.ifname !== undefined && v.ifname !== l.name) checkName(s, v.ifname, l);
  if (v.master !== undefined && v.master !== 0) {
    const br = s.links.get(v.master);
    if (br === undefined || br === l) throw fail(Errno.EINVAL);
  }
  if (v.address !== undefined && v.address.length !== l.address.length) {
    throw fail(Errno.EINVAL);
  }
}

/**
 * Applies the changes of an `RTM_SETLINK` (or of an `RTM_NEWLINK` on an
 * existing link), in `do_setlink`'s order, each with its notification.
 *
 * @internal
 */
export function changeLink(
  s: RtnlState,
  l: LinkRecord,
  v: LinkValue,
  o: Origin,
): void {
  validate(s, l, v);
  if (v.netNsPid !== undefined || v.netNsFd !== undefined) {
    leave(s, l, o);
    return;
  }
  if (v.mtu !== undefined && v.mtu !== l.mtu) {
    l.mtu = v.mtu;
    newlink(s, l, 0, o); // NETDEV_CHANGEMTU
  }
  if (v.ifname !== undefined && v.ifname !== l.name) {
    const old = l.name;
    l.name = v.ifname;
    for (const a of s.addresses) {
      if (a.index !== l.index || a.label === undefined) continue;
      if (a.label === old) a.label = l.name;
      else if (a.label.startsWith(`${old}:`)) {
        a.label = l.name + a.label.slice(old.length);
      }
    }
    newlink(s, l, 0, o); // NETDEV_CHANGENAME
  }
  if (v.address !== undefined && v.address !== l.address) {
    l.address = v.address;
    l.addressSet = true;
    newlink(s, l, 0, o); // NETDEV_CHANGEADDR
    deviceEvent(s, l, "changeaddr", o);
  }
  if (v.txqlen !== undefined && v.txqlen !== l.txqlen) {
    l.txqlen = v.txqlen;
    newlink(s, l, 0, o);
  }
  if (v.ifalias !== undefined) l.alias = v.ifalias;
  if (v.ifiFlags !== undefined && (v.ifiFlags.length > 0 || v.ifiChange)) {
    // rtnl_dev_combine_flags: ifi_change == 0 means "every bit".
    const mask = (v.ifiChange ? v.ifiChange : 0xffffffff) & CHANGEABLE;
    const want = ((l.flags & ~mask) | (flagBits(v) & mask)) >>> 0;
    const other = (want ^ l.flags) & ~IFF.up;
    if (other) {
      l.flags = (l.flags & ~other) | (want & other);
      newlink(s, l, other, o);
    }
    if ((want & IFF.up) && !(l.flags & IFF.up)) open(s, l, o);
    else if (!(want & IFF.up) && (l.flags & IFF.up)) close(s, l, o);
  }
  if (v.master !== undefined) setMaster(s, l, v.master, o);
}

/** The link moves to another namespace: it leaves this one as if deleted, its veth peer stays. */
function leave(s: RtnlState, l: LinkRecord, o: Origin): void {
  if (l.flags & IFF.up) close(s, l, o);
  unregister(s, [l], o, (x) => forgetAddresses(s, x, o));
}

/** A link going away takes its addresses (each announced, with its routes) and routes along. */
function forgetAddresses(s: RtnlState, l: LinkRecord, o: Origin): void {
  for (const a of s.addresses.filter((a) => a.index === l.index)) {
    removeAddress(s, a, o, false);
  }
  forgetLink(s, l);
}

/**
 * `RTM_SETLINK`: change a link.
 *
 * @internal
 */
export function setLinkRequest(s: RtnlState, m: Message, o: Origin): Message[] {
  const v = request(setlink, m);
  const l = (v.ifiIndex ?? 0) > 0
    ? s.links.get(v.ifiIndex!)
    : v.ifname === undefined
    ? undefined
    : s.byName(v.ifname);
  if (l === undefined) {
    throw fail(
      (v.ifiIndex ?? 0) > 0 || v.ifname !== undefined
        ? Errno.ENODEV
        : Errno.EINVAL,
    );
  }
  if ((v.ifiIndex ?? 0) === 0) delete v.ifname; // the name only found the link
  changeLink(s, l, v, o);
  return [];
}

/**
 * Deletes a link and what goes with it: a veth's peer; a bridge's ports
 * are released first (`br_dev_delete`).
 *
 * @internal
 */
export function deleteLink(s: RtnlState, l: LinkRecord, o: Origin): void {
  if (l.kind === "") throw fail(Errno.EOPNOTSUPP);
  const batch = [l];
  if (l.kind === "veth") {
    const peer = s.links.get(l.peer);
    l.peer = 0;
    if (peer !== undefined) {
      peer.peer = 0;
      batch.push(peer);
    }
  } else if (l.kind === "bridge") {
    for (const p of s.sortedLinks()) {
      if (p.master === l.index) removePort(s, p, o, false);
    }
  }
  unregister(s, batch, o, (x) => forgetAddresses(s, x, o));
}

/**
 * `RTM_DELLINK`: delete a link.
 *
 * @internal
 */
export function delLink(s: RtnlState, m: Message, o: Origin): Message[] {
  const v = request(dellink, m);
  deleteLink(s, s.lookup(v.ifiIndex ?? 0, v.ifname ?? v.altIfname), o);
  return [];
}
