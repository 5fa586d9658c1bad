/**
 * rtnetlink link requests (`RTM_NEWLINK`, `RTM_SETLINK`, `RTM_DELLINK`, `RTM_GETLINK`) of the simulated kernel.
 *
 * @module
 */

import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import {
  type HandlerResult,
  KernelError,
  type RequestContext,
} from "./kernel_handler.ts";
import {
  attrString,
  attrU32,
  decodeIfInfo,
  encodeLink,
  linkInfoKind,
  type LinkRecord,
  parseRequestAttributes,
  type RequestAttribute,
  requireHeader,
} from "./rtnl_codec.ts";
import {
  IFINFOMSG_LENGTH,
  LinkAttribute,
  LinkFlags,
  RouteType,
  VETH_INFO_PEER,
} from "./rtnl_constants.ts";
import {
  EEXIST,
  EINVAL,
  ENODEV,
  EOPNOTSUPP,
  IFNAMSIZ,
  type Origin,
  type RtnlState,
} from "./rtnl_state.ts";

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
  const h = decodeIfInfo(m.data);
  if (ctx.strict && (h.pad || h.type || h.flags || h.change)) {
    throw new KernelError(EINVAL, {
      message: "Invalid values in header for link get request",
    });
  }
  requireHeader(m, IFINFOMSG_LENGTH);
  const attrs = parseRequestAttributes(m, IFINFOMSG_LENGTH);
  const l = s.lookup(h.index, attrs);
  if (l === null) throw new KernelError(EINVAL);
  if (!l) throw new KernelError(ENODEV);
  return [encodeLink(RouteType.NewLink, l)];
}

/**
 * `RTM_GETLINK` dump, with the strict header checks of `rtnl_valid_dump_ifinfo_req`.
 *
 * @internal
 */
export function dumpLinks(
  s: RtnlState,
  m: Message,
  ctx: RequestContext,
): HandlerResult {
  if (ctx.strict) {
    if (m.data.length < IFINFOMSG_LENGTH) {
      throw new KernelError(EINVAL, {
        message: "Invalid header for link dump",
      });
    }
    const h = decodeIfInfo(m.data);
    if (h.pad || h.type || h.flags || h.change) {
      throw new KernelError(EINVAL, {
        message: "Invalid values in header for link dump request",
      });
    }
    if (h.index) {
      throw new KernelError(EINVAL, {
        message: "Filter by device index not supported for link dumps",
      });
    }
  }
  const links = [...s.links.values()].sort((a, b) => a.index - b.index);
  return { dump: links.map((l) => encodeLink(RouteType.NewLink, l)) };
}

/**
 * Applies the attributes and flags of a NEWLINK/SETLINK to a link (validating first).
 *
 * @internal
 */
export function applyLinkChanges(
  s: RtnlState,
  l: LinkRecord,
  h: { flags: number; change: number },
  attrs: Map<number, RequestAttribute>,
): void {
  const mtu = attrU32(attrs.get(LinkAttribute.MTU));
  if (mtu !== undefined) {
    if (mtu < l.minMTU) {
      throw new KernelError(EINVAL, {
        message: "mtu less than device minimum",
        offset: attrs.get(LinkAttribute.MTU)!.offset,
      });
    }
    if (l.maxMTU > 0 && mtu > l.maxMTU) {
      throw new KernelError(EINVAL, {
        message: "mtu greater than device maximum",
        offset: attrs.get(LinkAttribute.MTU)!.offset,
      });
    }
  }
  const master = attrU32(attrs.get(LinkAttribute.Master));
  if (master !== undefined && master !== 0 && !s.links.get(master)) {
    throw new KernelError(EINVAL);
  }
  const txq = attrU32(attrs.get(LinkAttribute.TxQueueLength));
  const hw = attrs.get(LinkAttribute.Address);
  if (hw && hw.data.length < l.address.length) throw new KernelError(EINVAL);
  const name = attrString(attrs.get(LinkAttribute.Name), IFNAMSIZ - 1);
  if (name !== undefined && name !== l.name) {
    if (s.byName(name)) throw new KernelError(EEXIST);
    l.name = name;
  }
  if (mtu !== undefined) l.mtu = mtu;
  if (master !== undefined) l.master = master;
  if (txq !== undefined) l.txQueueLength = txq;
  if (hw) l.address = hw.data.slice(0, l.address.length);
  const alias = attrString(attrs.get(LinkAttribute.Alias), 255);
  if (alias !== undefined) l.alias = alias;
  if (h.flags || h.change) {
    // rtnl_dev_combine_flags: ifi_change == 0 means "every bit".
    const changeable = LinkFlags.Up | LinkFlags.Promisc | LinkFlags.NoARP |
      LinkFlags.Multicast | 0x200 | 0x4 |
      0x8000;
    const mask = (h.change === 0 ? 0xffffffff : h.change) & changeable;
    s.setFlags(l, ((l.flags & ~mask) | (h.flags & mask)) >>> 0);
  }
}

/**
 * `RTM_NEWLINK`: create (with `NLM_F_CREATE`) or change a link.
 *
 * @internal
 */
export function newLink(s: RtnlState, m: Message, o: Origin): Message[] {
  requireHeader(m, IFINFOMSG_LENGTH);
  const h = decodeIfInfo(m.data);
  const attrs = parseRequestAttributes(m, IFINFOMSG_LENGTH);
  const name = attrString(attrs.get(LinkAttribute.Name), IFNAMSIZ - 1);
  const info = linkInfoKind(attrs.get(LinkAttribute.LinkInfo));
  const existing = s.lookup(h.index, attrs);
  if (existing) {
    if (m.header.flags & HeaderFlags.Excl) throw new KernelError(EEXIST);
    if (m.header.flags & HeaderFlags.Replace) {
      throw new KernelError(EOPNOTSUPP);
    }
    const old = existing.flags;
    applyLinkChanges(s, existing, h, attrs);
    s.notifyLink(existing, old ^ existing.flags, o);
    return [];
  }
  if (!(m.header.flags & HeaderFlags.Create)) throw new KernelError(ENODEV);
  if (attrs.has(LinkAttribute.Map) || attrs.has(LinkAttribute.ProtocolInfo)) {
    throw new KernelError(EOPNOTSUPP);
  }
  if (info.kind === undefined || !s.kinds[info.kind]) {
    throw new KernelError(EOPNOTSUPP, { message: "Unknown device type" });
  }
  const kind = info.kind;
  if (name !== undefined && name === "") throw new KernelError(EINVAL);
  let peerName = "";
  if (kind === "veth" && info.data) {
    const peer = parseRequestAttributes({
      header: m.header,
      data: info.data.data,
    }, 0);
    const p = peer.get(VETH_INFO_PEER);
    if (p) {
      const inner = parseRequestAttributes(
        { header: m.header, data: p.data },
        IFINFOMSG_LENGTH,
      );
      peerName = attrString(inner.get(LinkAttribute.Name), IFNAMSIZ - 1) ??
        "";
      if (peerName !== "" && s.byName(peerName)) {
        throw new KernelError(EEXIST);
      }
    }
  }
  // Validate everything before anything is created.
  const k = s.kinds[kind]!;
  const probe: LinkRecord = {
    index: 0,
    name: name ?? "",
    kind,
    type: k.type,
    flags: k.flags,
    mtu: k.mtu,
    minMTU: k.minMTU,
    maxMTU: k.maxMTU,
    txQueueLength: 1000,
    address: new Uint8Array(k.addressLength),
    broadcast: new Uint8Array(k.addressLength),
    master: 0,
    alias: "",
    group: 0,
    peer: 0,
  };
  applyLinkChanges(
    s,
    probe,
    h,
    new Map([...attrs].filter(([t]) => t !== LinkAttribute.Name)),
  );
  const l = s.create(kind, name ?? "", h.index, o);
  applyLinkChanges(
    s,
    l,
    h,
    new Map([...attrs].filter(([t]) => t !== LinkAttribute.Name)),
  );
  if (kind === "veth") {
    const peer = s.create(kind, peerName, 0, o);
    peer.peer = l.index;
    l.peer = peer.index;
  }
  if (l.flags !== k.flags || probe.mtu !== k.mtu) s.notifyLink(l, 0, o);
  return [];
}

/**
 * `RTM_SETLINK`: change a link.
 *
 * @internal
 */
export function setLinkRequest(s: RtnlState, m: Message, o: Origin): Message[] {
  requireHeader(m, IFINFOMSG_LENGTH);
  const h = decodeIfInfo(m.data);
  const attrs = parseRequestAttributes(m, IFINFOMSG_LENGTH);
  const l = h.index > 0 ? s.links.get(h.index) : s.lookup(0, attrs);
  if (!l) throw new KernelError(ENODEV);
  const old = l.flags;
  applyLinkChanges(s, l, h, attrs);
  s.notifyLink(l, old ^ l.flags, o);
  return [];
}

/**
 * `RTM_DELLINK`: delete a link with its addresses and routes.
 *
 * @internal
 */
export function delLink(s: RtnlState, m: Message, o: Origin): Message[] {
  requireHeader(m, IFINFOMSG_LENGTH);
  const h = decodeIfInfo(m.data);
  const attrs = parseRequestAttributes(m, IFINFOMSG_LENGTH);
  const l = s.lookup(h.index, attrs);
  if (l === null) throw new KernelError(EINVAL);
  if (!l) throw new KernelError(ENODEV);
  if (l.kind === "") throw new KernelError(EOPNOTSUPP);
  s.delete(l, o);
  return [];
}
