/**
 * The state behind the simulated rtnetlink: links, addresses and routes,
 * and the bookkeeping the kernel does around them (indexes, names, the
 * routes of IPv4 addresses, notifications).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import type { Message } from "../netlink/message.ts";
import { KernelError } from "./kernel_handler.ts";
import {
  type AddressRecord,
  attrString,
  encodeAddress,
  encodeLink,
  encodeRoute,
  type LinkRecord,
  type RequestAttribute,
  type RouteRecord,
} from "./rtnl_codec.ts";
import {
  AF_INET,
  AF_INET6,
  ARPHRD_LOOPBACK,
  IFA_F_PERMANENT,
  LinkAttribute,
  LinkFlags,
  RouteGroup,
  RouteType,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTN_UNICAST,
} from "./rtnl_constants.ts";
import { bytesEqual } from "./rtnl_ip.ts";
import type { LinkKind, RouteNotifier } from "./rtnetlink.ts";

/** `EINVAL` (the handlers' errnos come from the one table, `Errno` in `errno.ts`). */
export const EINVAL = Errno.EINVAL;
/** `ENODEV`. */
export const ENODEV = Errno.ENODEV;
/** `EEXIST`. */
export const EEXIST = Errno.EEXIST;
/** `ENOENT`. */
export const ENOENT = Errno.ENOENT;
/** `EOPNOTSUPP`. */
export const EOPNOTSUPP = Errno.EOPNOTSUPP;
/** `EADDRNOTAVAIL`. */
export const EADDRNOTAVAIL = Errno.EADDRNOTAVAIL;
/** `ESRCH`. */
export const ESRCH = Errno.ESRCH;
/** `ENETDOWN`. */
export const ENETDOWN = Errno.ENETDOWN;
/** `ENETUNREACH`. */
export const ENETUNREACH = Errno.ENETUNREACH;
/** `EBUSY`. */
export const EBUSY = Errno.EBUSY;
/** `IFNAMSIZ`: names are at most 15 bytes. */
export const IFNAMSIZ = 16;
/** `IFLA_ALT_IFNAME`. */
export const IFLA_ALT_IFNAME = 53;
/** `RTM_F_CLONED`. */
export const RTM_F_CLONED = 0x200;
/** `RTM_F_PREFIX`. */
export const RTM_F_PREFIX = 0x800;

/** Who caused a change: the notification header and how to send it. */
export interface Origin {
  /** Sequence number of the request (0: none). */
  sequence: number;
  /** Port id of the requester (0: the kernel itself). */
  pid: number;
  /** The request had `NLM_F_ECHO`. */
  echo: boolean;
  /** Sends a notification. */
  notify: RouteNotifier;
}

/** Sets sequence, pid and flags of a notification. */
export function stamp(m: Message, o: Origin, flags = 0): Message {
  m.header.sequence = o.sequence;
  m.header.pid = o.pid;
  m.header.flags = flags;
  return m;
}

const LOOPBACK6 = new Uint8Array([
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
]);
/** `RTPROT_KERNEL`: routes the kernel installs for addresses. */
export const RTPROT_KERNEL = 2;
/** `RTN_LOCAL`. */
const RTN_LOCAL = 2;
/** `RTN_BROADCAST`. */
const RTN_BROADCAST = 3;

/** The byte `i` of a netmask of `length` bits. */
function maskByte(length: number, i: number): number {
  const left = length - 8 * i;
  return left >= 8 ? 0xff : left <= 0 ? 0 : (0xff << (8 - left)) & 0xff;
}

/** `RTNLGRP_IPV4_IFADDR` or `RTNLGRP_IPV6_IFADDR`. */
export function addressGroup(family: number): number {
  return family === AF_INET6 ? RouteGroup.IPv6Address : RouteGroup.IPv4Address;
}

/** `RTNLGRP_IPV4_ROUTE` or `RTNLGRP_IPV6_ROUTE`. */
export function routeGroup(family: number): number {
  return family === AF_INET6 ? RouteGroup.IPv6Route : RouteGroup.IPv4Route;
}

/**
 * The mutable rtnetlink state shared by the request handlers.
 *
 * @internal
 */
export class RtnlState {
  links = new Map<number, LinkRecord>();
  addresses: AddressRecord[] = [];
  routes: RouteRecord[] = [];
  kinds: Record<string, LinkKind>;
  nextIndex = 1;
  notify: RouteNotifier;

  /** Starts with `lo` (index 1, up) holding 127.0.0.1/8 and ::1/128. */
  constructor(
    notify: RouteNotifier,
    kinds: Record<string, LinkKind>,
  ) {
    this.notify = notify;
    this.kinds = kinds;
    const lo: LinkRecord = {
      index: 1,
      name: "lo",
      kind: "",
      type: ARPHRD_LOOPBACK,
      flags: LinkFlags.Up | LinkFlags.Loopback | LinkFlags.Running |
        LinkFlags.LowerUp,
      mtu: 65536,
      minMTU: 0,
      maxMTU: 0,
      txQueueLength: 1000,
      address: new Uint8Array(6),
      broadcast: new Uint8Array(6),
      master: 0,
      alias: "",
      group: 0,
      peer: 0,
    };
    this.links.set(1, lo);
    this.nextIndex = 2;
    this.addresses.push({
      family: AF_INET,
      index: 1,
      prefixLength: 8,
      flags: IFA_F_PERMANENT,
      scope: RT_SCOPE_HOST,
      local: new Uint8Array([127, 0, 0, 1]),
      address: new Uint8Array([127, 0, 0, 1]),
      broadcast: undefined,
      label: "lo",
    });
    this.addresses.push({
      family: AF_INET6,
      index: 1,
      prefixLength: 128,
      flags: IFA_F_PERMANENT,
      scope: RT_SCOPE_HOST,
      local: LOOPBACK6,
      address: LOOPBACK6,
      broadcast: undefined,
      label: "lo",
    });
    this.routes.push(...this.addresses.flatMap((a) => this.kernelRoutes(a)));
  }

  origin(): Origin {
    return { sequence: 0, pid: 0, echo: false, notify: this.notify };
  }

  find(link: string | number): LinkRecord {
    const l = typeof link === "number"
      ? this.links.get(link)
      : this.byName(link);
    if (!l) throw new TypeError(`Cannot find link: ${link}`);
    return l;
  }

  // ---- links ----

  byName(name: string): LinkRecord | undefined {
    for (const l of this.links.values()) if (l.name === name) return l;
    return undefined;
  }

  lookup(
    index: number,
    attrs: Map<number, RequestAttribute>,
  ): LinkRecord | undefined | null {
    if (index > 0) return this.links.get(index);
    const name = attrString(attrs.get(LinkAttribute.Name), IFNAMSIZ - 1) ??
      attrString(attrs.get(IFLA_ALT_IFNAME), 127);
    if (name === undefined) return null;
    return this.byName(name);
  }

  setFlags(l: LinkRecord, flags: number, o: Origin = this.origin()): void {
    const wasUp = (l.flags & LinkFlags.Up) !== 0;
    const up = (flags & LinkFlags.Up) !== 0;
    let f = flags & ~(LinkFlags.Running | LinkFlags.LowerUp);
    if (up) f |= LinkFlags.Running | LinkFlags.LowerUp;
    l.flags = f;
    if (!up) {
      // IPv4 routes through a link that goes down are flushed without notification.
      this.routes = this.routes.filter((r) => r.oif !== l.index);
    } else if (!wasUp) {
      for (const a of this.addresses) {
        if (a.index === l.index) this.addKernelRoutes(a, o);
      }
    }
  }

  /** The routes `fib_add_ifaddr` installs for an IPv4 address on an up link. */
  kernelRoutes(a: AddressRecord): RouteRecord[] {
    const l = this.links.get(a.index);
    if (!l || !(l.flags & LinkFlags.Up)) return [];
    if (a.family === AF_INET6) {
      // addrconf: a local route for the address, a prefix route (metric 256).
      const route6 = (
        table: number,
        type: number,
        dst: Uint8Array,
        dstLength: number,
        priority: number,
      ): RouteRecord => ({
        family: AF_INET6,
        table,
        dst,
        dstLength,
        tos: 0,
        protocol: RTPROT_KERNEL,
        scope: 0,
        type,
        priority,
        gateway: undefined,
        oif: l.index,
        prefsrc: undefined,
      });
      const out6 = [route6(RT_TABLE_LOCAL, RTN_LOCAL, a.address, 128, 0)];
      if (a.prefixLength < 128) {
        const prefix6 = a.address.map((b, i) =>
          b & maskByte(a.prefixLength, i)
        );
        out6.push(
          route6(RT_TABLE_MAIN, RTN_UNICAST, prefix6, a.prefixLength, 256),
        );
      }
      return out6;
    }
    if (a.family !== AF_INET) return [];
    const loopback = (l.flags & LinkFlags.Loopback) !== 0;
    const route = (
      table: number,
      type: number,
      dst: Uint8Array,
      dstLength: number,
      scope: number,
    ): RouteRecord => ({
      family: AF_INET,
      table,
      dst,
      dstLength,
      tos: 0,
      protocol: RTPROT_KERNEL,
      scope,
      type,
      priority: 0,
      gateway: undefined,
      oif: l.index,
      prefsrc: a.local,
    });
    const out = [route(RT_TABLE_LOCAL, RTN_LOCAL, a.local, 32, RT_SCOPE_HOST)];
    const prefix = a.local.map((b, i) => b & maskByte(a.prefixLength, i));
    if (a.prefixLength < 32) {
      out.push(
        loopback
          ? route(
            RT_TABLE_LOCAL,
            RTN_LOCAL,
            prefix,
            a.prefixLength,
            RT_SCOPE_HOST,
          )
          : route(
            RT_TABLE_MAIN,
            RTN_UNICAST,
            prefix,
            a.prefixLength,
            RT_SCOPE_LINK,
          ),
      );
    }
    if (a.prefixLength < 31) {
      const broadcast = a.local.map((b, i) =>
        b | (~maskByte(a.prefixLength, i) & 0xff)
      );
      out.push(
        route(RT_TABLE_LOCAL, RTN_BROADCAST, broadcast, 32, RT_SCOPE_LINK),
      );
    }
    return out;
  }

  addKernelRoutes(a: AddressRecord, o: Origin): void {
    for (const r of this.kernelRoutes(a)) {
      const exists = this.routes.some((x) =>
        x.table === r.table && x.type === r.type && x.oif === r.oif &&
        x.dstLength === r.dstLength &&
        bytesEqual(x.dst, r.dst)
      );
      if (exists) continue;
      this.routes.push(r);
      o.notify(routeGroup(r.family), [
        stamp(encodeRoute(RouteType.NewRoute, r), {
          ...o,
          sequence: 0,
          pid: 0,
        }),
      ]);
    }
  }

  removeKernelRoutes(a: AddressRecord, o: Origin): void {
    const key = (r: RouteRecord) =>
      `${r.family}/${r.table}/${r.type}/${r.dst}/${r.dstLength}/${r.oif}`;
    const mine = new Set(this.kernelRoutes(a).map(key));
    for (const x of this.addresses) {
      if (x !== a && x.index === a.index) {
        for (const r of this.kernelRoutes(x)) {
          mine.delete(key(r));
        }
      }
    }
    this.routes = this.routes.filter((r) => {
      const derived = r.protocol === RTPROT_KERNEL && mine.has(key(r));
      if (derived) {
        o.notify(routeGroup(r.family), [
          stamp(encodeRoute(RouteType.DelRoute, r), {
            ...o,
            sequence: 0,
            pid: 0,
          }),
        ]);
      }
      return !derived;
    });
  }

  notifyLink(l: LinkRecord, change: number, o: Origin): void {
    o.notify(RouteGroup.Link, [
      stamp(encodeLink(RouteType.NewLink, l, change), o),
    ], o.echo);
  }

  create(kind: string, name: string, index: number, o: Origin): LinkRecord {
    const k = this.kinds[kind]!;
    if (index > 0 && this.links.has(index)) throw new KernelError(EBUSY);
    const i = index > 0 ? index : this.freeIndex();
    const address = new Uint8Array(k.addressLength);
    if (k.addressLength === 6) {
      address.set([0x02, 0, 0, 0, (i >> 8) & 0xff, i & 0xff]);
    }
    const l: LinkRecord = {
      index: i,
      name: name !== "" ? name : this.freeName(kind),
      kind,
      type: k.type,
      flags: k.flags,
      mtu: k.mtu,
      minMTU: k.minMTU,
      maxMTU: k.maxMTU,
      txQueueLength: 1000,
      address,
      broadcast: new Uint8Array(k.addressLength).fill(0xff),
      master: 0,
      alias: "",
      group: 0,
      peer: 0,
    };
    this.links.set(i, l);
    o.notify(RouteGroup.Link, [
      stamp(encodeLink(RouteType.NewLink, l, 0xffffffff), o),
    ], o.echo);
    return l;
  }

  freeIndex(): number {
    while (this.links.has(this.nextIndex)) this.nextIndex++;
    return this.nextIndex++;
  }

  freeName(kind: string): string {
    for (let n = 0;; n++) {
      if (!this.byName(`${kind}${n}`)) return `${kind}${n}`;
    }
  }

  delete(l: LinkRecord, o: Origin): void {
    for (const a of this.addresses.filter((a) => a.index === l.index)) {
      this.addresses.splice(this.addresses.indexOf(a), 1);
      this.notifyAddress(RouteType.DelAddress, a, o);
    }
    this.routes = this.routes.filter((r) => r.oif !== l.index);
    this.links.delete(l.index);
    o.notify(RouteGroup.Link, [
      stamp(encodeLink(RouteType.DelLink, l, 0xffffffff), o),
    ], o.echo);
    if (l.peer !== 0) {
      const peer = this.links.get(l.peer);
      if (peer) {
        peer.peer = 0;
        this.delete(peer, o);
      }
    }
  }

  // ---- addresses ----

  /**
   * Dump order: IPv4 then IPv6, by link index, then each device's list:
   * IPv4 primaries by scope, host first (`__inet_insert_ifa`); IPv6 global,
   * then host, then link scope (`ipv6_link_dev_addr`); ties in insertion order.
   */
  sortedAddresses(): AddressRecord[] {
    const rank = (a: AddressRecord): number =>
      a.family === AF_INET
        ? 255 - a.scope
        : a.scope === RT_SCOPE_HOST
        ? 1
        : a.scope === RT_SCOPE_LINK
        ? 2
        : 0;
    return this.addresses.map((a, i) => ({ a, i })).sort((x, y) =>
      x.a.family - y.a.family || x.a.index - y.a.index ||
      rank(x.a) - rank(y.a) || x.i - y.i
    ).map((x) => x.a);
  }

  notifyAddress(type: number, a: AddressRecord, o: Origin): void {
    o.notify(
      addressGroup(a.family),
      [stamp(encodeAddress(type, a), o)],
      o.echo,
    );
  }

  // ---- routes ----

  /** Dump order: family, table, then the FIB trie's order (key, then longer prefixes first). */
  sortedRoutes(): RouteRecord[] {
    const key = (
      r: RouteRecord,
    ): number[] => [r.family, r.table, ...r.dst, 255 - r.dstLength];
    return [...this.routes].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i]) return x[i]! - y[i]!;
      }
      return 0;
    });
  }
}
