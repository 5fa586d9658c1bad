/**
 * `route.links`: list, get, add, change and delete network links, as
 * `ip link` does, through the generated rt-link operations.
 *
 * @module
 */

import {
  dellink,
  getlink,
  IfinfoFlags,
  type Ifinfomsg,
  type LinkAttrs,
  type LinkinfoAttrs,
  type LinkinfoDataMsg,
  newlink,
  setlink,
} from "../families/rt_link.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import {
  checkRef,
  type Ctx,
  label,
  type LinkRef,
  receive,
} from "./_context.ts";
import { openNetns } from "./_netns.ts";
import { isNoDevice, named, noSuchLink } from "./errors.ts";
import type { Link } from "./link.ts";
import { DatagramCopy, readLink } from "./_fast.ts";
import {
  checkMTU,
  checkName,
  extMask,
  type LinkChanges,
  type LinkFilter,
  type LinkQueryOptions,
  type LinkSpec,
  mac,
} from "./link_spec.ts";
import { Errno } from "../netlink/errno.ts";
import { NetlinkError } from "../netlink/errors.ts";
import { HeaderFlags } from "../netlink/header.ts";
import {} from "./text.ts";

/**
 * The links of a `Route` (`route.links`).
 *
 * @example Create a veth pair, list it, delete it (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "veth0", kind: "veth", peer: "veth1" });
 * const names = (await route.links.list({ kind: "veth" })).map((l) => l.name);
 * assert.deepEqual(names, ["veth1", "veth0"]); // the kernel creates the peer first
 * await route.links.delete("veth0"); // deletes the pair
 * assert.equal((await route.links.list({ kind: "veth" })).length, 0);
 * ```
 */
export class Links {
  readonly #ctx: Ctx;

  /** @internal */
  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  /**
   * Lists the links, by index, as `ip link show`.
   *
   * @param filter Which links (by kind, master, up).
   * @param options Statistics, an abort signal, a timeout.
   * @returns The links.
   * @throws {NetlinkError} When the kernel refuses the dump.
   */
  async list(
    filter: LinkFilter = {},
    options: LinkQueryOptions = {},
  ): Promise<Link[]> {
    const master = filter.master === undefined
      ? undefined
      : await this.#ctx.index(filter.master, "list links");
    const out: Link[] = [];
    const want = getlink.dumpReply;
    const copies = new DatagramCopy();
    try {
      await this.#ctx.conn.visit(
        getlink.encode({ extMask: extMask(options) }, { dump: true }),
        (v) => {
          if (v.header.type !== want) return;
          const l = readLink(copies.of(v), v.offset, v.length, copies.flags);
          if (filter.kind !== undefined && l.kind !== filter.kind) return;
          if (master !== undefined && l.master !== master) return;
          if (filter.up !== undefined && l.up !== filter.up) return;
          out.push(l);
        },
        receive(options),
      );
    } catch (e) {
      throw named(e, "list links", "list");
    }
    return out;
  }

  /**
   * One link, by name or index, as `ip link show NAME`.
   *
   * @param ref The link.
   * @param options Statistics, an abort signal, a timeout.
   * @returns The link.
   * @throws {NetlinkError} ENOENT (`isNotExist(err)`) naming the link when there is none.
   */
  async get(ref: LinkRef, options: LinkQueryOptions = {}): Promise<Link> {
    const what = `get link ${label(ref)}`;
    checkRef(ref, what);
    const req: Partial<Ifinfomsg> & LinkAttrs = typeof ref === "number"
      ? { ifiIndex: ref, extMask: extMask(options) }
      : { ifname: ref, extMask: extMask(options) };
    try {
      const [m] = await this.#ctx.conn.execute(
        getlink.encode(req, { flags: HeaderFlags.Request }),
        receive(options),
      );
      if (m === undefined) {
        throw new NetlinkError("get", Errno.EPROTO, { detail: "no reply" });
      }
      return readLink(m.data, 0, m.data.length);
    } catch (e) {
      if (isNoDevice(e)) throw noSuchLink(ref, what, e);
      throw named(e, what, "get");
    }
  }

  /**
   * Creates a link, as `ip link add`, and returns it.
   *
   * @param spec The link: name, kind, kind settings, peer, master, ...
   * @param options An abort signal, a timeout.
   * @returns The new link (for a veth, the end named `spec.name`).
   * @throws {TypeError} For a bad name, MTU or address.
   * @throws {NetlinkError} With the kernel's errno and text, naming the link:
   * EEXIST when the name is taken, EOPNOTSUPP ("Unknown device type") for a
   * kind the kernel lacks.
   */
  async add(spec: LinkSpec, options: ReceiveOptions = {}): Promise<Link> {
    if (spec === null || typeof spec !== "object") {
      throw new TypeError("Cannot add link: spec must be an object");
    }
    const what = `add link ${String(spec.name)}${
      spec.kind === undefined ? "" : ` (${spec.kind})`
    }`;
    checkName(spec.name, what);
    const req: Partial<Ifinfomsg> & LinkAttrs = { ifname: spec.name };
    if (spec.up === true) {
      req.ifiFlags = ["up"];
      req.ifiChange = IfinfoFlags.up;
    }
    if (spec.mtu !== undefined) {
      checkMTU(spec.mtu, what);
      req.mtu = spec.mtu;
    }
    if (spec.address !== undefined) req.address = mac(spec.address, what);
    if (spec.txqlen !== undefined) req.txqlen = spec.txqlen;
    if (spec.link !== undefined) {
      req.link = await this.#ctx.index(spec.link, what);
    }
    if (spec.master !== undefined) {
      req.master = await this.#ctx.index(spec.master, what);
    }
    if (spec.kind !== undefined || spec.data !== undefined) {
      const info: LinkinfoAttrs = {};
      if (spec.kind !== undefined) info.kind = spec.kind;
      let data = spec.data;
      if (spec.peer !== undefined) {
        const p = typeof spec.peer === "string"
          ? { name: spec.peer }
          : spec.peer;
        checkName(p.name, what);
        const peer: Partial<Ifinfomsg> & LinkAttrs = { ifname: p.name };
        if (p.mtu !== undefined) {
          checkMTU(p.mtu, what);
          peer.mtu = p.mtu;
        }
        if (p.address !== undefined) peer.address = mac(p.address, what);
        data = { ...data, peer } as LinkinfoDataMsg;
      }
      if (data !== undefined) info.data = data;
      req.linkinfo = info;
    } else if (spec.peer !== undefined) {
      throw new TypeError(`Cannot ${what}: a peer needs kind "veth"`);
    }
    try {
      await newlink.do(this.#ctx.conn, req, {
        ...receive(options),
        create: true,
        excl: true,
      });
    } catch (e) {
      throw named(e, what, "add");
    }
    return await this.get(spec.name, options);
  }

  /**
   * Changes a link, as `ip link set`: every change given, in one request.
   *
   * @param ref The link.
   * @param changes What to change: up, mtu, name, master, address, txqlen, alias, netns.
   * @param options An abort signal, a timeout.
   * @throws {TypeError} For a bad value.
   * @throws {NetlinkError} ENOENT (`isNotExist`) when there is no such link; the kernel's errno and text otherwise (EINVAL "mtu greater than device maximum"...).
   */
  async set(
    ref: LinkRef,
    changes: LinkChanges,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const what = `set link ${label(ref)}`;
    checkRef(ref, what);
    if (changes === null || typeof changes !== "object") {
      throw new TypeError(`Cannot ${what}: changes must be an object`);
    }
    const req: Partial<Ifinfomsg> & LinkAttrs = {};
    if (typeof ref === "number") req.ifiIndex = ref;
    else if (changes.name !== undefined) {
      req.ifiIndex = await this.#ctx.index(ref, what);
    } else req.ifname = ref;
    if (changes.up !== undefined) {
      req.ifiFlags = changes.up ? ["up"] : [];
      req.ifiChange = IfinfoFlags.up;
    }
    if (changes.mtu !== undefined) {
      checkMTU(changes.mtu, what);
      req.mtu = changes.mtu;
    }
    if (changes.name !== undefined) {
      checkName(changes.name, what);
      req.ifname = changes.name;
    }
    if (changes.address !== undefined) {
      req.address = mac(changes.address, what);
    }
    if (changes.txqlen !== undefined) req.txqlen = changes.txqlen;
    if (changes.alias !== undefined) req.ifalias = changes.alias;
    if (changes.master !== undefined) {
      req.master = changes.master === null
        ? 0
        : await this.#ctx.index(changes.master, what);
    }
    const target = changes.netns === undefined
      ? undefined
      : await openNetns(changes.netns, what);
    try {
      if (target !== undefined) Object.assign(req, target.attrs);
      await setlink.do(this.#ctx.conn, req, receive(options));
    } catch (e) {
      if (isNoDevice(e)) {
        throw noSuchLink(ref, what, e);
      }
      throw named(e, what, "set");
    } finally {
      target?.close();
    }
  }

  /**
   * Deletes a link, as `ip link del` (a veth takes its peer along).
   *
   * @param ref The link.
   * @param options An abort signal, a timeout.
   * @throws {NetlinkError} ENOENT (`isNotExist`) when there is no such link; EOPNOTSUPP for a link that cannot be deleted (`lo`).
   */
  async delete(ref: LinkRef, options: ReceiveOptions = {}): Promise<void> {
    const what = `delete link ${label(ref)}`;
    checkRef(ref, what);
    try {
      await dellink.do(
        this.#ctx.conn,
        typeof ref === "number" ? { ifiIndex: ref } : { ifname: ref },
        receive(options),
      );
    } catch (e) {
      if (isNoDevice(e)) throw noSuchLink(ref, what, e);
      throw named(e, what, "delete");
    }
  }
}
