/**
 * The `Route` client: rtnetlink as easy as `ip`, over one connection.
 *
 * @module
 */

import { Conn } from "../netlink/conn.ts";
import { Family } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { ConnOptions, ReceiveOptions } from "../netlink/options.ts";
import { Addresses } from "./addresses.ts";
import { Ctx } from "./_context.ts";
import { Links } from "./links.ts";
import {
  decodeEvent,
  groupNumbers,
  type MonitorGroup,
  type RouteEvent,
} from "./monitor.ts";
import { Neighbours } from "./neighbours.ts";
import { Routes } from "./routes.ts";
import { Rules } from "./rules.ts";

/**
 * Options of {@linkcode Route.open}: a connection to use (such as one to a
 * simulated kernel), or the options of a new one (`netns`: a namespace
 * name, a path or an open descriptor).
 */
export interface RouteOptions extends ConnOptions {
  /** A route connection to use instead of dialing one; the `Route` closes it. */
  conn?: Conn;
}

/**
 * rtnetlink (`NETLINK_ROUTE`) with names instead of numbers: links,
 * addresses, routes, neighbours and rules, as `ip link`, `ip address`,
 * `ip route`, `ip neigh` and `ip rule` show and change them, and typed
 * notifications (`monitor`). Every request goes through the generated
 * rt-* codecs; a kernel error becomes a `NetlinkError` naming the object
 * ("Cannot add address 10.1.2.3/24 to br0: EEXIST (File exists)").
 *
 * @example A bridge, a veth pair, an address and a route (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.links.add({ name: "br0", kind: "bridge", up: true });
 * await route.links.add({ name: "veth0", kind: "veth", peer: "veth1", master: "br0", up: true });
 * await route.links.set("veth1", { up: true });
 * await route.addresses.add("br0", "10.1.2.3/24");
 * await route.routes.add({ dst: "10.9.0.0/16", gateway: "10.1.2.1" });
 * const veth0 = await route.links.get("veth0");
 * assert.equal(veth0.master, (await route.links.get("br0")).index);
 * assert.equal((await route.routes.get("10.9.1.1")).gateway, "10.1.2.1");
 * ```
 */
export class Route implements AsyncDisposable {
  /** The rtnetlink connection every request goes through. */
  readonly conn: Conn;
  /** Links: list, get, add, set, delete. */
  readonly links: Links;
  /** Addresses: list, add, delete, flush. */
  readonly addresses: Addresses;
  /** Routes: list, get (the kernel's lookup), add, replace, delete. */
  readonly routes: Routes;
  /** Neighbour entries: list, add, delete. */
  readonly neighbours: Neighbours;
  /** Routing policy rules: list, add, delete. */
  readonly rules: Rules;
  readonly #joined = new Map<number, number>();

  /**
   * Wraps a route connection (use {@linkcode Route.open}).
   *
   * @param conn A `Family.Route` connection.
   */
  constructor(conn: Conn) {
    if (!(conn instanceof Conn)) {
      throw new TypeError("Cannot create Route: conn must be a Conn");
    }
    this.conn = conn;
    const ctx = new Ctx(conn);
    this.links = new Links(ctx);
    this.addresses = new Addresses(ctx);
    this.routes = new Routes(ctx);
    this.neighbours = new Neighbours(ctx);
    this.rules = new Rules(ctx);
  }

  /**
   * Opens a client: dials a route connection (in `options.netns` if given)
   * or uses `options.conn`.
   *
   * @param options A connection, or options for a new one.
   * @returns The client.
   * @throws {NetlinkError} When the socket cannot be opened, or the
   * namespace cannot be entered (the message names the path and the step:
   * "Cannot dial: open /run/netns/blue: ENOENT (No such file or directory)").
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   *
   * @example Open on the machine's kernel
   * ```ts ignore
   * import { Route } from "@nlkit/netlink/route";
   *
   * await using route = await Route.open();
   * for (const l of await route.links.list()) console.log(l.index, l.name, l.operstate);
   * ```
   */
  static async open(options: RouteOptions = {}): Promise<Route> {
    const { conn: given, ...dialOptions } = options;
    return new Route(given ?? await Conn.dial(Family.Route, dialOptions));
  }

  /**
   * Watches rtnetlink changes: joins the groups on this client's
   * connection and yields each notification as a typed event. The groups
   * are joined when `monitor` is called (changes from then on are kept
   * until read) and left when the iterator ends (`return()`, `break`, the
   * signal, or `close()`).
   *
   * @param groups What to watch (default `link`, `address`, `route`).
   * @param options `signal` ends the iterator.
   * @returns The events.
   * @throws {TypeError} For an unknown group.
   * @throws {OverrunError} From `next()` when notifications were lost (list again to resync).
   *
   * @example Watch a link being added (simulated kernel)
   * ```ts
   * import { Route } from "@nlkit/netlink/route";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
   * const events = route.monitor(["link"]);
   * await route.links.add({ name: "br0", kind: "bridge" });
   * const { value } = await events.next();
   * assert.equal(value?.type, "link");
   * if (value?.type === "link") assert.deepEqual([value.action, value.link.name], ["new", "br0"]);
   * await events.return?.();
   * ```
   */
  monitor(
    groups: readonly MonitorGroup[] = ["link", "address", "route"],
    options: ReceiveOptions = {},
  ): AsyncIterableIterator<RouteEvent> {
    if (!Array.isArray(groups)) {
      throw new TypeError("Cannot monitor: groups must be an array");
    }
    const numbers = [...new Set(groups.flatMap((g) => groupNumbers(g)))];
    for (const n of numbers) {
      const c = this.#joined.get(n) ?? 0;
      if (c === 0) this.conn.joinGroup(n);
      this.#joined.set(n, c + 1);
    }
    const source = this.conn.notifications(options);
    let open = true;
    const leave = () => {
      if (!open) return;
      open = false;
      for (const n of numbers) {
        const c = this.#joined.get(n)! - 1;
        this.#joined.set(n, c);
        if (c === 0) {
          try {
            this.conn.leaveGroup(n);
          } catch {
            // The connection is closed: nothing to leave.
          }
        }
      }
    };
    const done: IteratorReturnResult<undefined> = {
      value: undefined,
      done: true,
    };
    const iterator: AsyncIterableIterator<RouteEvent> = {
      next: async (): Promise<IteratorResult<RouteEvent>> => {
        while (open) {
          let r: IteratorResult<Message>;
          try {
            r = await source.next();
          } catch (e) {
            leave();
            throw e;
          }
          if (r.done) break;
          const e = decodeEvent(r.value);
          if (e !== undefined) return { value: e, done: false };
        }
        leave();
        return done;
      },
      return: async (): Promise<IteratorResult<RouteEvent>> => {
        leave();
        await source.return?.();
        return done;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /**
   * Closes the connection (ending every `monitor` iterator). Idempotent.
   *
   * @returns When closed.
   */
  close(): Promise<void> {
    return this.conn.close();
  }

  /**
   * Closes the connection at the end of an `await using` block.
   *
   * @returns When closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
