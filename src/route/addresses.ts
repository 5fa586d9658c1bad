/**
 * `route.addresses`: list, add, delete and flush IPv4 and IPv6 addresses,
 * as `ip address` does, through the generated rt-addr operations.
 *
 * @module
 */

import {
  type AddrAttrs,
  deladdr,
  getaddr,
  type Ifaddrmsg,
  type IfaFlags,
  newaddr,
} from "../families/rt_addr.ts";
import { Errno } from "../netlink/errno.ts";
import { isNetlinkError } from "../netlink/errors.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { type Ctx, label, type LinkRef, receive } from "./_context.ts";
import { named } from "./errors.ts";
import { nameOf, type Scope, SCOPES, valueOf } from "./names.ts";
import {
  type AddressFamily,
  type CIDR,
  cidrOrProblem,
  familyName,
  familyNumber,
  ipOrProblem,
} from "./text.ts";

/** `INFINITY_LIFE_TIME` (`include/net/addrconf.h`): a lifetime that never ends. */
const FOREVER = 0xffffffff;

/**
 * An IPv4 or IPv6 address of a link.
 *
 * @example An address as `addresses.list` returns it (simulated kernel)
 * ```ts
 * import { type Address, Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge" });
 * await route.addresses.add("br0", "10.1.2.3/24");
 * const [a]: Address[] = await route.addresses.list({ link: "br0" });
 * assert.deepEqual([a?.family, a?.address, a?.prefixLength, a?.scope, a?.label], ["inet", "10.1.2.3", 24, "global", "br0"]);
 * ```
 */
export interface Address {
  /** The link's index. */
  index: number;
  /** `inet` (IPv4) or `inet6` (IPv6). */
  family: AddressFamily | number;
  /** The address (`IFA_LOCAL` for IPv4, `IFA_ADDRESS` for IPv6). */
  address: string;
  /** The prefix length. */
  prefixLength: number;
  /** The peer address of a point-to-point link, when it differs from `address`. */
  peer?: string;
  /** The broadcast address (IPv4), when set. */
  broadcast?: string;
  /** The scope by name (`global`, `link`, `host`). */
  scope: Scope | number;
  /** The label (IPv4; `eth0:1` style). */
  label?: string;
  /** The flags (`permanent`, `tentative`, `secondary`, `noprefixroute`, ...). */
  flags: (IfaFlags | number)[];
  /** Seconds left of the valid lifetime; `Infinity` for forever. */
  validLifetime: number;
  /** Seconds left of the preferred lifetime; `Infinity` for forever. */
  preferredLifetime: number;
  /** Every attribute the kernel sent, as the generated rt-addr codec decodes it. */
  attrs: Ifaddrmsg & AddrAttrs;
}

/**
 * Settings of an address to add, as the options of `ip address add`.
 */
export interface AddressOptions {
  /** The label (IPv4): the link's name or `NAME:suffix`. */
  label?: string;
  /** The broadcast address (IPv4). */
  broadcast?: string;
  /** The peer of a point-to-point link. */
  peer?: string;
  /** The scope; default `global` (the kernel's choice for `::1`, `127.0.0.1`...). */
  scope?: Scope | number;
  /** Seconds the address stays valid; default forever. */
  validLifetime?: number;
  /** Seconds the address stays preferred; default forever. */
  preferredLifetime?: number;
  /** Flags: `nodad`, `noprefixroute`, `homeaddress`, `managetempaddr`, `mcautojoin`. */
  flags?: IfaFlags[];
  /** The metric of the prefix route the kernel adds. */
  metric?: number;
  /** Replace an existing address (`ip address replace`) instead of failing with EEXIST. */
  replace?: boolean;
}

/**
 * Which addresses `addresses.list` returns.
 */
export interface AddressFilter {
  /** Only this link's. */
  link?: LinkRef;
  /** Only this family's. */
  family?: AddressFamily;
}

function lifetime(v: number): number {
  return v === FOREVER ? Infinity : v;
}

function seconds(v: number | undefined, what: string): number {
  if (v === undefined || v === Infinity) return FOREVER;
  if (!Number.isInteger(v) || v < 0 || v >= FOREVER) {
    throw new TypeError(
      `Cannot ${what}: a lifetime must be whole seconds or Infinity, got ${v}`,
    );
  }
  return v;
}

/**
 * Builds an {@linkcode Address} from a decoded rt-addr message.
 *
 * @internal
 */
export function toAddress(a: Ifaddrmsg & AddrAttrs): Address {
  const v4 = a.ifaFamily === 2;
  const address = (v4 ? a.local ?? a.address : a.address ?? a.local) ?? "";
  const out: Address = {
    index: a.ifaIndex,
    family: familyName(a.ifaFamily),
    address,
    prefixLength: a.ifaPrefixlen,
    scope: nameOf(SCOPES, a.ifaScope),
    flags: a.flags ?? a.ifaFlags,
    validLifetime: lifetime(a.cacheinfo?.ifaValid ?? FOREVER),
    preferredLifetime: lifetime(a.cacheinfo?.ifaPrefered ?? FOREVER),
    attrs: a,
  };
  const peer = v4 ? a.address : a.local;
  if (peer !== undefined && peer !== address) out.peer = peer;
  if (a.broadcast !== undefined) out.broadcast = a.broadcast;
  if (a.label !== undefined) out.label = a.label;
  return out;
}

/**
 * The addresses of a `Route` (`route.addresses`).
 *
 * @example Add, list and delete an IPv6 address (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge" });
 * await route.addresses.add("br0", "2001:db8::1/64", { flags: ["nodad"] });
 * const mine = await route.addresses.list({ link: "br0", family: "inet6" });
 * assert.deepEqual(mine.map((a) => `${a.address}/${a.prefixLength}`), ["2001:db8::1/64"]);
 * await route.addresses.delete("br0", "2001:db8::1/64");
 * assert.equal((await route.addresses.list({ link: "br0" })).length, 0);
 * ```
 */
export class Addresses {
  readonly #ctx: Ctx;

  /** @internal */
  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  /**
   * Lists the addresses, as `ip address show` (IPv4, then IPv6).
   *
   * @param filter Which: a link, a family.
   * @param options An abort signal, a timeout.
   * @returns The addresses.
   * @throws {NetlinkError} ENOENT (`isNotExist`) when the filter's link does not exist.
   */
  async list(
    filter: AddressFilter = {},
    options: ReceiveOptions = {},
  ): Promise<Address[]> {
    const index = filter.link === undefined ? 0 : await this.#ctx.index(
      filter.link,
      `list addresses of ${label(filter.link)}`,
    );
    const family = filter.family === undefined
      ? 0
      : familyNumber(filter.family);
    const out: Address[] = [];
    try {
      await getaddr.visit(this.#ctx.conn, { ifaFamily: family }, (a) => {
        if (index !== 0 && a.ifaIndex !== index) return;
        if (family !== 0 && a.ifaFamily !== family) return;
        out.push(toAddress(a));
      }, receive(options));
    } catch (e) {
      throw named(e, "list addresses", "list");
    }
    return out;
  }

  /**
   * Adds an address to a link, as `ip address add CIDR dev LINK`.
   *
   * @param ref The link.
   * @param cidr The address and prefix length, such as `10.1.2.3/24` or `2001:db8::1/64`.
   * @param options Label, broadcast, peer, scope, lifetimes, flags, metric, replace.
   * @throws {TypeError} For bad text (quoted) or a bad option.
   * @throws {NetlinkError} Naming the address and the link: "Cannot add address 10.1.2.3/24 to br0: EEXIST (File exists)"; ENOENT (`isNotExist`) for an unknown link.
   */
  async add(
    ref: LinkRef,
    cidr: string,
    options: AddressOptions & ReceiveOptions = {},
  ): Promise<void> {
    const what = `add address ${String(cidr)} to ${label(ref)}`;
    const c = checked(cidr, what);
    const index = await this.#ctx.index(ref, what);
    const req: Partial<Ifaddrmsg> & AddrAttrs = {
      ifaFamily: familyNumber(c.family),
      ifaPrefixlen: c.prefixLength,
      ifaIndex: index,
      ifaScope: options.scope === undefined
        ? 0
        : valueOf(SCOPES, options.scope, `Cannot ${what}: scope`),
      local: c.address,
      address: options.peer === undefined
        ? c.address
        : text(options.peer, what),
    };
    if (options.flags !== undefined) {
      req.ifaFlags = options.flags.filter((f) =>
        [
          "secondary",
          "nodad",
          "optimistic",
          "dadfailed",
          "homeaddress",
          "deprecated",
          "tentative",
          "permanent",
        ].includes(f)
      );
      req.flags = options.flags;
    }
    if (options.label !== undefined) req.label = options.label;
    if (options.broadcast !== undefined) {
      req.broadcast = text(options.broadcast, what);
    }
    if (
      options.validLifetime !== undefined ||
      options.preferredLifetime !== undefined
    ) {
      req.cacheinfo = {
        ifaPrefered: seconds(options.preferredLifetime, what),
        ifaValid: seconds(options.validLifetime, what),
        cstamp: 0,
        tstamp: 0,
      };
    }
    if (options.metric !== undefined) req.rtPriority = options.metric;
    try {
      await newaddr.do(this.#ctx.conn, req, {
        ...receive(options),
        create: true,
        ...(options.replace === true ? { replace: true } : { excl: true }),
      });
    } catch (e) {
      throw named(e, what, "add");
    }
  }

  /**
   * Removes an address from a link, as `ip address del CIDR dev LINK`.
   *
   * @param ref The link.
   * @param cidr The address and prefix length.
   * @param options An abort signal, a timeout.
   * @throws {NetlinkError} EADDRNOTAVAIL when the link has no such address; ENOENT (`isNotExist`) for an unknown link.
   */
  async delete(
    ref: LinkRef,
    cidr: string,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = `delete address ${String(cidr)} from ${label(ref)}`;
    const c = checked(cidr, what);
    const index = await this.#ctx.index(ref, what);
    try {
      await deladdr.do(this.#ctx.conn, {
        ifaFamily: familyNumber(c.family),
        ifaPrefixlen: c.prefixLength,
        ifaIndex: index,
        local: c.address,
        address: c.address,
      }, receive(options));
    } catch (e) {
      throw named(e, what, "delete");
    }
  }

  /**
   * Removes every address of a link (of one family, if given), as `ip
   * address flush dev LINK`.
   *
   * @param ref The link.
   * @param options Only this family; an abort signal, a timeout.
   * @returns How many addresses were removed (an IPv4 primary takes its secondaries along).
   * @throws {NetlinkError} ENOENT (`isNotExist`) for an unknown link.
   */
  async flush(
    ref: LinkRef,
    options: { family?: AddressFamily } & ReceiveOptions = {},
  ): Promise<number> {
    const filter: AddressFilter = { link: ref };
    if (options.family !== undefined) filter.family = options.family;
    const list = await this.list(filter, options);
    let n = 0;
    for (const a of list) {
      try {
        await deladdr.do(this.#ctx.conn, {
          ifaFamily: a.attrs.ifaFamily,
          ifaPrefixlen: a.prefixLength,
          ifaIndex: a.index,
          ...(a.attrs.local === undefined ? {} : { local: a.attrs.local }),
          ...(a.attrs.address === undefined
            ? {}
            : { address: a.attrs.address }),
        }, receive(options));
        n++;
      } catch (e) {
        // A secondary went with its primary.
        if (isNetlinkError(e) && e.errno === Errno.EADDRNOTAVAIL) continue;
        throw named(
          e,
          `flush address ${a.address}/${a.prefixLength} from ${label(ref)}`,
          "flush",
        );
      }
    }
    return n;
  }
}

function checked(cidr: string, what: string): CIDR {
  const c = cidrOrProblem(cidr);
  if (typeof c === "string") throw new TypeError(`Cannot ${what}: ${c}`);
  return c;
}

function text(ip: string, what: string): string {
  const b = ipOrProblem(ip);
  if (typeof b === "string") throw new TypeError(`Cannot ${what}: ${b}`);
  return ip;
}
