/**
 * `route.neighbours`: list, add and delete neighbour (ARP and NDP) entries,
 * as `ip neigh` does, through the generated rt-neigh operations.
 *
 * @module
 */

import {
  delneigh,
  getneigh,
  type Ndmsg,
  type NeighbourAttrs,
  newneigh,
  type NtfFlags,
  NudState,
} from "../families/rt_neigh.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { type Ctx, label, type LinkRef, receive } from "./_context.ts";
import { named } from "./errors.ts";
import {
  type AddressFamily,
  familyName,
  familyNumber,
  ipOrProblem,
  macOrProblem,
} from "./text.ts";

/**
 * A neighbour entry: an IP address and the link-layer address it maps to
 * on a link.
 *
 * @example A permanent entry (simulated kernel)
 * ```ts
 * import { type Neighbour, Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.neighbours.add({ dev: "br0", address: "10.1.2.9", lladdr: "02:00:00:00:00:09" });
 * const [n]: Neighbour[] = await route.neighbours.list({ link: "br0" });
 * assert.deepEqual([n?.address, n?.lladdr, n?.state], ["10.1.2.9", "02:00:00:00:00:09", ["permanent"]]);
 * ```
 */
export interface Neighbour {
  /** The link's index. */
  index: number;
  /** `inet` or `inet6` (a bridge's forwarding entries have family 7). */
  family: AddressFamily | number;
  /** The IP address (`NDA_DST`). */
  address?: string;
  /** The link-layer address (`NDA_LLADDR`). */
  lladdr?: string;
  /** The state (`NUD_*` by name: `reachable`, `stale`, `permanent`, ...). */
  state: (NudState | number)[];
  /** The flags (`router`, `proxy`, `ext-learned`, ...). */
  flags: (NtfFlags | number)[];
  /** Every attribute the kernel sent, as the generated rt-neigh codec decodes it. */
  attrs: Ndmsg & NeighbourAttrs;
}

/**
 * A neighbour entry to add or delete, as `ip neigh add ADDRESS lladdr MAC dev LINK`.
 */
export interface NeighbourSpec {
  /** The link. */
  dev: LinkRef;
  /** The IP address. */
  address: string;
  /** The link-layer address (needed to add, except for `proxy`). */
  lladdr?: string;
  /** The state to set (default `permanent`). */
  state?: NudState;
  /** The neighbour is a router (IPv6). */
  router?: boolean;
  /** A proxy entry (`ip neigh add proxy`). */
  proxy?: boolean;
  /** Replace an existing entry instead of failing with EEXIST. */
  replace?: boolean;
}

/**
 * Which entries `neighbours.list` returns.
 */
export interface NeighbourFilter {
  /** Only this link's. */
  link?: LinkRef;
  /** Only this family's. */
  family?: AddressFamily;
}

/**
 * Builds a {@linkcode Neighbour} from a decoded rt-neigh message.
 *
 * @internal
 */
export function toNeighbour(a: Ndmsg & NeighbourAttrs): Neighbour {
  const n: Neighbour = {
    index: a.ndmIfindex,
    family: familyName(a.ndmFamily),
    state: a.ndmState,
    flags: a.ndmFlags,
    attrs: a,
  };
  if (a.dst !== undefined) n.address = a.dst;
  if (a.lladdr !== undefined) n.lladdr = a.lladdr;
  return n;
}

/**
 * The neighbour tables of a `Route` (`route.neighbours`).
 *
 * @example Add and delete an entry (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.neighbours.add({ dev: "br0", address: "10.1.2.9", lladdr: "02:00:00:00:00:09" });
 * await route.neighbours.delete({ dev: "br0", address: "10.1.2.9" });
 * assert.equal((await route.neighbours.list({ link: "br0" })).length, 0);
 * ```
 */
export class Neighbours {
  readonly #ctx: Ctx;

  /** @internal */
  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  /**
   * Lists the neighbour entries, as `ip neigh show`.
   *
   * @param filter Which: a link, a family.
   * @param options An abort signal, a timeout.
   * @returns The entries.
   * @throws {NetlinkError} ENOENT (`isNotExist`) when the filter's link does not exist.
   */
  async list(
    filter: NeighbourFilter = {},
    options: ReceiveOptions = {},
  ): Promise<Neighbour[]> {
    const index = filter.link === undefined ? 0 : await this.#ctx.index(
      filter.link,
      `list neighbours of ${label(filter.link)}`,
    );
    const family = filter.family === undefined
      ? 0
      : familyNumber(filter.family);
    const out: Neighbour[] = [];
    try {
      await getneigh.visit(this.#ctx.conn, { ndmFamily: family }, (a) => {
        if (index !== 0 && a.ndmIfindex !== index) return;
        if (family !== 0 && a.ndmFamily !== family) return;
        out.push(toNeighbour(a));
      }, receive(options));
    } catch (e) {
      throw named(e, "list neighbours", "list");
    }
    return out;
  }

  /**
   * Adds a neighbour entry, as `ip neigh add` (or `replace`).
   *
   * @param spec The entry.
   * @param options An abort signal, a timeout.
   * @throws {TypeError} For bad text (quoted).
   * @throws {NetlinkError} Naming the entry: EEXIST when it exists (without `replace`).
   */
  add(spec: NeighbourSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("add", spec, options);
  }

  /**
   * Deletes a neighbour entry, as `ip neigh del ADDRESS dev LINK`.
   *
   * @param spec The entry (link and address).
   * @param options An abort signal, a timeout.
   * @throws {NetlinkError} ENOENT when there is no such entry.
   */
  delete(spec: NeighbourSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("delete", spec, options);
  }

  async #change(
    mode: "add" | "delete",
    spec: NeighbourSpec,
    options: ReceiveOptions,
  ): Promise<void> {
    if (spec === null || typeof spec !== "object") {
      throw new TypeError(`Cannot ${mode} neighbour: spec must be an object`);
    }
    const what = `${mode} neighbour ${String(spec.address)} ${
      mode === "add" ? "on" : "from"
    } ${label(spec.dev)}`;
    const ip = ipOrProblem(spec.address);
    if (typeof ip === "string") throw new TypeError(`Cannot ${what}: ${ip}`);
    if (spec.lladdr !== undefined) {
      const mac = macOrProblem(spec.lladdr);
      if (typeof mac === "string") {
        throw new TypeError(`Cannot ${what}: ${mac}`);
      }
    }
    const flags: NtfFlags[] = [];
    if (spec.router === true) flags.push("router");
    if (spec.proxy === true) flags.push("proxy");
    const req: Partial<Ndmsg> & NeighbourAttrs = {
      ndmFamily: ip.length === 4 ? 2 : 10,
      ndmIfindex: await this.#ctx.index(spec.dev, what),
      ndmState: mode === "add" ? [spec.state ?? "permanent"] : [],
      ndmFlags: flags,
      dst: spec.address,
    };
    if (spec.state !== undefined && NudState[spec.state] === undefined) {
      throw new TypeError(
        `Cannot ${what}: state must be one of ${
          Object.keys(NudState).join(", ")
        }`,
      );
    }
    if (spec.lladdr !== undefined) req.lladdr = spec.lladdr.toLowerCase();
    try {
      if (mode === "delete") {
        await delneigh.do(this.#ctx.conn, req, receive(options));
      } else {
        await newneigh.do(this.#ctx.conn, req, {
          ...receive(options),
          create: true,
          ...(spec.replace === true ? { replace: true } : { excl: true }),
        });
      }
    } catch (e) {
      throw named(e, what, mode);
    }
  }
}
