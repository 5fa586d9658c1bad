/**
 * rtnetlink address requests (`RTM_NEWADDR`, `RTM_DELADDR`, `RTM_GETADDR`)
 * of the simulated kernel, decoded with the generated rt-addr codec.
 *
 * IPv6 addresses skip duplicate address detection here: they are never
 * `tentative`, and the kernel's own link-local addresses are not made.
 *
 * @module
 */

import {
  type AddrAttrs,
  deladdr,
  getaddr,
  type Ifaddrmsg,
  IfaFlags,
  newaddr,
} from "../families/rt_addr.ts";
import { Errno } from "../netlink/errno.ts";
import type { Message } from "../netlink/message.ts";
import { SCOPES } from "../route/names.ts";
import type { HandlerResult, RequestContext } from "./kernel_handler.ts";
import { addressMessage, LIFETIME_FOREVER } from "./rtnl_encode.ts";
import { addAddressRoutes, network, removeAddressRoutes } from "./rtnl_fib.ts";
import { flagsOf, request } from "./rtnl_request.ts";
import {
  type AddressRecord,
  AF,
  fail,
  type Origin,
  type RtnlState,
  send,
} from "./rtnl_state.ts";

/** `RTNLGRP_IPV4_IFADDR` or `RTNLGRP_IPV6_IFADDR`, from the rt-addr spec. */
export function addressGroup(family: number): number {
  return getaddr.family.groups.find((g) =>
    g.name ===
      (family === AF.inet6 ? "rtnlgrp-ipv6-ifaddr" : "rtnlgrp-ipv4-ifaddr")
  )!.value!;
}

type AddrValue = Partial<Ifaddrmsg> & AddrAttrs;

function bits(names: readonly (string | number)[] | undefined): number {
  let n = 0;
  for (const f of names ?? []) {
    n |= typeof f === "number"
      ? f
      : (IfaFlags as Record<string, number>)[f] ?? 0;
  }
  return n >>> 0;
}

/** The scope the kernel gives an IPv6 address (`ipv6_addr_scope`). */
function scope6(text: string): number {
  if (text === "::1") return SCOPES.host;
  if (/^fe[89ab]/i.test(text)) return SCOPES.link;
  return SCOPES.global;
}

function prefixText(family: number): string {
  return family === AF.inet ? "ipv4: " : "ipv6: ";
}

/** Announces an address change (stamped with the requester's sequence when it caused it). */
export function notifyAddress(
  a: AddressRecord,
  del: boolean,
  o: Origin,
  caused: boolean,
): void {
  send(o, addressGroup(a.family), addressMessage(a, del), caused);
}

function args(m: Message, op: typeof newaddr | typeof deladdr) {
  const v: AddrValue = request(op, m);
  const family = v.ifaFamily ?? 0;
  if (family !== AF.inet && family !== AF.inet6) throw fail(Errno.EOPNOTSUPP);
  const v4 = family === AF.inet;
  for (const key of ["local", "address", "broadcast"] as const) {
    const t = v[key];
    if (t !== undefined && t.includes(":") === v4) {
      throw fail(Errno.ERANGE, "Attribute failed policy validation");
    }
  }
  return { v, family, v4 };
}

/**
 * `RTM_NEWADDR`: add (or, with `NLM_F_REPLACE`, change) an address.
 *
 * @internal
 */
export function newAddress(s: RtnlState, m: Message, o: Origin): Message[] {
  const { v, family, v4 } = args(m, newaddr);
  const p = prefixText(family);
  const length = v.ifaPrefixlen ?? 0;
  if (length > (v4 ? 32 : 128)) {
    throw fail(Errno.EINVAL, `${p}Invalid prefix length`);
  }
  if (v4 && v.local === undefined) {
    throw fail(Errno.EINVAL, "ipv4: Local address is not supplied");
  }
  const local = v4 ? v.local! : v.local ?? v.address;
  if (local === undefined) throw fail(Errno.EINVAL);
  const l = s.links.get(v.ifaIndex ?? 0);
  if (l === undefined) {
    throw fail(
      Errno.ENODEV,
      v4 ? "ipv4: Device not found" : "ipv6: Unable to find the interface",
    );
  }
  const valid = v.cacheinfo?.ifaValid ?? LIFETIME_FOREVER;
  const preferred = v.cacheinfo?.ifaPrefered ?? LIFETIME_FOREVER;
  if (valid === 0 || preferred > valid) {
    throw fail(Errno.EINVAL, `${p}address lifetime invalid`);
  }
  let flags = bits(v.flags ?? v.ifaFlags) &
    ~(IfaFlags.permanent | IfaFlags.secondary | IfaFlags.tentative);
  if (valid === LIFETIME_FOREVER) flags |= IfaFlags.permanent;
  if (preferred === 0) flags |= IfaFlags.deprecated;
  const existing = s.addresses.find((a) =>
    a.family === family && a.index === l.index && a.local === local &&
    (!v4 || a.prefixLength === length)
  );
  const f = flagsOf(m);
  if (existing !== undefined) {
    if (f.excl || !f.replace) {
      throw fail(
        Errno.EEXIST,
        v4
          ? "ipv4: Address already assigned"
          : "ipv6: address already assigned",
      );
    }
    existing.flags = flags | (existing.flags & IfaFlags.secondary);
    existing.validLifetime = valid;
    existing.preferredLifetime = preferred;
    notifyAddress(existing, false, o, true);
    return [];
  }
  if (!f.create) throw fail(Errno.ENOENT);
  if (
    v4 && s.addresses.some((a) =>
      a.family === family && a.index === l.index &&
      a.prefixLength === length && !(a.flags & IfaFlags.secondary) &&
      network(a.local, length) === network(local, length)
    )
  ) flags |= IfaFlags.secondary;
  const a: AddressRecord = {
    family,
    index: l.index,
    prefixLength: length,
    flags,
    scope: v4 ? v.ifaScope ?? 0 : scope6(local),
    local,
    address: v.address ?? local,
    broadcast: v4 ? v.broadcast : undefined,
    label: v4 ? v.label ?? l.name : undefined,
    validLifetime: valid,
    preferredLifetime: preferred,
    metric: v.rtPriority ?? 0,
  };
  s.addresses.push(a);
  notifyAddress(a, false, o, true);
  addAddressRoutes(s, a, o);
  return [];
}

/** Removes one address, announcing it and the routes it took. */
export function removeAddress(
  s: RtnlState,
  a: AddressRecord,
  o: Origin,
  caused: boolean,
): void {
  const i = s.addresses.indexOf(a);
  if (i < 0) return;
  if (a.family === AF.inet && !(a.flags & IfaFlags.secondary)) {
    // Without promote_secondaries, the primary takes its secondaries along.
    for (
      const x of s.addresses.filter((x) =>
        x !== a && x.family === AF.inet && x.index === a.index &&
        (x.flags & IfaFlags.secondary) && x.prefixLength === a.prefixLength &&
        network(x.local, x.prefixLength) === network(a.local, a.prefixLength)
      )
    ) removeAddress(s, x, o, false);
  }
  s.addresses.splice(s.addresses.indexOf(a), 1);
  notifyAddress(a, true, o, caused);
  removeAddressRoutes(s, a, o);
}

/**
 * `RTM_DELADDR`: remove an address.
 *
 * @internal
 */
export function delAddress(s: RtnlState, m: Message, o: Origin): Message[] {
  const { v, family, v4 } = args(m, deladdr);
  const local = v4 ? v.local : v.local ?? v.address;
  if (!v4 && local === undefined) throw fail(Errno.EINVAL);
  if (!s.links.get(v.ifaIndex ?? 0)) {
    throw fail(
      Errno.ENODEV,
      v4 ? "ipv4: Device not found" : "ipv6: Unable to find the interface",
    );
  }
  const length = v.ifaPrefixlen ?? 0;
  const a = s.addresses.find((a) =>
    a.family === family && a.index === v.ifaIndex &&
    (v4
      ? (local === undefined || a.local === local) &&
        (v.address === undefined || a.address === v.address) &&
        (length === 0 || a.prefixLength === length)
      : a.local === local && a.prefixLength === length)
  );
  if (a === undefined) {
    throw fail(
      Errno.EADDRNOTAVAIL,
      v4 ? "ipv4: Address not found" : "ipv6: address not found",
    );
  }
  removeAddress(s, a, o, true);
  return [];
}

/**
 * Dump order: IPv4 then IPv6, by link index, then each device's list:
 * IPv4 by scope, host first (`__inet_insert_ifa`); IPv6 global, then host,
 * then link scope (`ipv6_link_dev_addr`); ties in insertion order.
 *
 * @internal
 */
export function sortedAddresses(s: RtnlState): AddressRecord[] {
  const rank = (a: AddressRecord): number =>
    a.family === AF.inet
      ? 255 - a.scope
      : a.scope === SCOPES.host
      ? 1
      : a.scope === SCOPES.link
      ? 2
      : 0;
  return s.addresses.map((a, i) => ({ a, i })).sort((x, y) =>
    x.a.family - y.a.family || x.a.index - y.a.index ||
    rank(x.a) - rank(y.a) || x.i - y.i
  ).map((x) => x.a);
}

/**
 * `RTM_GETADDR` dump, with the strict header checks of `inet_valid_dump_ifaddr_req`.
 *
 * @internal
 */
export function dumpAddresses(
  s: RtnlState,
  m: Message,
  ctx: RequestContext,
): HandlerResult {
  const family = m.data[0] ?? 0;
  let index = 0;
  if (ctx.strict) {
    const p = family === AF.inet6 ? "ipv6: " : "ipv4: ";
    if (m.data.length < 8) {
      throw fail(Errno.EINVAL, `${p}Invalid header for address dump request`);
    }
    const v = request(getaddr, m);
    if (v.ifaPrefixlen || v.ifaFlags!.length || v.ifaScope) {
      throw fail(
        Errno.EINVAL,
        `${p}Invalid values in header for address dump request`,
      );
    }
    index = v.ifaIndex ?? 0;
    if (index && !s.links.get(index)) throw fail(Errno.ENODEV);
  }
  const list = sortedAddresses(s).filter((a) =>
    (family === 0 || a.family === family) && (index === 0 || a.index === index)
  );
  return {
    dump: list.map((a) => addressMessage(a, false)),
    filtered: index !== 0,
  };
}
