/**
 * The uevent monitor: a `NETLINK_KOBJECT_UEVENT` socket joined to the
 * kernel's multicast group (or udev's), read as a stream of decoded
 * {@linkcode Uevent}s.
 *
 * Uevent datagrams are not netlink messages (no `nlmsghdr`), so the monitor
 * reads the connection's datagrams itself instead of through `Conn`'s
 * message reader.
 *
 * @module
 */

import { Conn, socketOf } from "../netlink/conn.ts";
import { Errno } from "../netlink/errno.ts";
import { NetlinkError } from "../netlink/errors.ts";
import { Family } from "../netlink/header.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import type { Socket } from "../netlink/_socket.ts";
import { decodeUevent, type Uevent, UeventGroup } from "./codec.ts";

/**
 * Options of {@linkcode Monitor.open} and {@linkcode events}.
 */
export interface MonitorOptions {
  /**
   * The `NETLINK_KOBJECT_UEVENT` connection to read (a simulated one from
   * `nltest`'s `uevent.Simulator`, or one you dialed). The monitor joins the
   * group on it and owns it once `open` succeeds. Default: a new connection.
   */
  conn?: Conn;
  /**
   * Which multicast group: `"kernel"` (group 1, the kernel's uevents; the
   * default) or `"udev"` (group 2, udev's re-broadcast after its rules ran,
   * in the `libudev` format).
   */
  group?: "kernel" | "udev";
  /** Network namespace of a new connection (see `ConnOptions.netns`). */
  netns?: string | number;
  /**
   * `SO_RCVBUF` of a new connection, in bytes. A burst (a module load, a
   * `udevadm trigger`) can overflow the default buffer; overruns are counted
   * in {@linkcode MonitorStats.overruns}.
   */
  receiveBufferSize?: number;
  /**
   * Called with each datagram skipped as malformed (a copy of its bytes)
   * and the reason, for logging; it must not throw.
   */
  onMalformed?: (error: RangeError, datagram: Uint8Array) => void;
}

/**
 * What a monitor has read so far.
 *
 * @example Count what was skipped
 * ```ts
 * import { Monitor, type MonitorStats } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * await using monitor = await Monitor.open({ conn: sim.dial() });
 * sim.emit(new TextEncoder().encode("garbage"));
 * sim.emit({ action: "add", devpath: "/devices/virtual/net/d0", subsystem: "net" });
 * for await (const e of monitor.events()) {
 *   assert.equal(e.devpath, "/devices/virtual/net/d0");
 *   break;
 * }
 * const stats: MonitorStats = monitor.stats;
 * assert.deepEqual(stats, { received: 2, delivered: 1, malformed: 1, foreign: 0, overruns: 0 });
 * ```
 */
export interface MonitorStats {
  /** Datagrams read from the socket. */
  received: number;
  /** Uevents yielded by `events()`. */
  delivered: number;
  /** Datagrams skipped because they did not decode (see {@linkcode decodeUevent}). */
  malformed: number;
  /**
   * Datagrams skipped because of their sender: on the kernel group, anything
   * not sent by the kernel (port id 0); on the udev group, anything not in
   * udev's format; and any unicast datagram.
   */
  foreign: number;
  /** Times the receive buffer overflowed (ENOBUFS): uevents were lost. */
  overruns: number;
}

/**
 * A uevent monitor, like `udevadm monitor --kernel`: the kernel's
 * uevents as they happen, decoded. Malformed datagrams are skipped and
 * counted ({@linkcode Monitor.stats}), never thrown from the iterator.
 *
 * Uevents of network devices go to the network namespace that holds the
 * device; other devices' uevents go to every namespace owned by the initial
 * user namespace. Listening needs no privilege. Only one `events()`
 * iteration may run at a time on a monitor; open another monitor for
 * another consumer (each socket gets every uevent).
 *
 * @example Follow uevents of a simulated kernel
 * ```ts
 * import { Monitor } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * // On Linux: await Monitor.open()
 * await using monitor = await Monitor.open({ conn: sim.dial() });
 * sim.kernel.rtnetlink.addLink({ name: "dummy0", kind: "dummy" });
 * sim.syncLinks(); // links made through rtnetlink requests are followed automatically
 * for await (const e of monitor.events()) {
 *   assert.equal(e.action, "add");
 *   assert.equal(e.subsystem, "net");
 *   assert.equal(e.env.INTERFACE, "dummy0");
 *   break;
 * }
 * ```
 */
export class Monitor implements AsyncDisposable, Disposable {
  #conn: Conn;
  #socket: Socket;
  #group: "kernel" | "udev";
  #onMalformed: MonitorOptions["onMalformed"];
  #reading = false;
  #stats: MonitorStats = {
    received: 0,
    delivered: 0,
    malformed: 0,
    foreign: 0,
    overruns: 0,
  };

  private constructor(conn: Conn, options: MonitorOptions) {
    this.#conn = conn;
    this.#socket = socketOf(conn);
    this.#group = options.group ?? "kernel";
    this.#onMalformed = options.onMalformed;
  }

  /**
   * Opens a monitor: a `NETLINK_KOBJECT_UEVENT` connection joined to the
   * kernel's group (or udev's).
   *
   * @param options The group, a connection to use, or options for a new one.
   * @returns The monitor.
   * @throws {TypeError} On an unknown group or a bad option.
   * @throws {NetlinkError} When the socket cannot be opened or joined.
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   *
   * @example An unknown group
   * ```ts
   * import { Monitor } from "@nlkit/netlink/uevent";
   * import assert from "node:assert/strict";
   *
   * await assert.rejects(Monitor.open({ group: "all" as "kernel" }), TypeError);
   * ```
   */
  static async open(options: MonitorOptions = {}): Promise<Monitor> {
    const group = options.group ?? "kernel";
    if (group !== "kernel" && group !== "udev") {
      throw new TypeError(
        `Cannot open uevent monitor: group ${
          JSON.stringify(group)
        } is not "kernel" or "udev"`,
      );
    }
    if (
      options.onMalformed !== undefined &&
      typeof options.onMalformed !== "function"
    ) {
      throw new TypeError(
        "Cannot open uevent monitor: onMalformed is not a function",
      );
    }
    let conn = options.conn;
    if (conn === undefined) {
      conn = await Conn.dial(Family.KobjectUevent, {
        extendedAck: false,
        ...(options.netns === undefined ? {} : { netns: options.netns }),
        ...(options.receiveBufferSize === undefined
          ? {}
          : { receiveBufferSize: options.receiveBufferSize }),
      });
    }
    try {
      conn.joinGroup(
        group === "kernel" ? UeventGroup.Kernel : UeventGroup.Udev,
      );
    } catch (e) {
      if (options.conn === undefined) await conn.close();
      throw e;
    }
    return new Monitor(conn, options);
  }

  /**
   * The group this monitor listens to.
   */
  get group(): "kernel" | "udev" {
    return this.#group;
  }

  /**
   * Counts of what was read, delivered and skipped (a copy).
   */
  get stats(): MonitorStats {
    return { ...this.#stats };
  }

  /**
   * The uevents as they arrive, decoded, until the monitor is closed (the
   * iteration then ends) or `signal` aborts (it then throws the signal's
   * reason). Malformed and foreign datagrams are skipped and counted;
   * receive-buffer overruns are counted and reading goes on.
   *
   * @param options An abort signal.
   * @returns The uevents.
   * @throws {TypeError} When another `events()` iteration is running on this monitor.
   * @throws {NetlinkError} When the socket fails (other than by an overrun).
   *
   * @example Stop after a deadline
   * ```ts
   * import { Monitor } from "@nlkit/netlink/uevent";
   * import { uevent } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using monitor = await Monitor.open({ conn: new uevent.Simulator().dial() });
   * await assert.rejects(async () => {
   *   for await (const _ of monitor.events({ signal: AbortSignal.timeout(20) })) break;
   * }, { name: "TimeoutError" });
   * ```
   */
  async *events(
    options: ReceiveOptions = {},
  ): AsyncGenerator<Uevent, void, undefined> {
    if (this.#reading) {
      throw new TypeError(
        "Cannot read uevents: another events() iteration is running on this monitor",
      );
    }
    this.#reading = true;
    const socket = this.#socket;
    const signal = options.signal;
    try {
      for (;;) {
        if (socket.closed) return;
        signal?.throwIfAborted();
        let d: Uint8Array | null;
        try {
          d = socket.receive();
        } catch (e) {
          if (socket.closed) return;
          const se = e as { name?: unknown; errno?: unknown };
          if (se?.name === "SyscallError" && se.errno === Errno.ENOBUFS) {
            this.#stats.overruns++;
            continue;
          }
          throw se?.name === "SyscallError" && typeof se.errno === "number"
            ? new NetlinkError("read uevents", se.errno, { cause: e })
            : e;
        }
        if (d === null) {
          await socket.wait(signal);
          continue;
        }
        const e = this.#decode(d, socket.senderPid, socket.senderGroups);
        if (e !== undefined) {
          this.#stats.delivered++;
          yield e;
        }
      }
    } finally {
      this.#reading = false;
    }
  }

  #decode(d: Uint8Array, pid: number, groups: number): Uevent | undefined {
    this.#stats.received++;
    const kernelGroup = this.#group === "kernel";
    // Multicast to our group only; the kernel's group only from the kernel.
    const mask = kernelGroup
      ? 1 << (UeventGroup.Kernel - 1)
      : 1 << (UeventGroup.Udev - 1);
    if ((groups & mask) === 0 || (kernelGroup && pid !== 0)) {
      this.#stats.foreign++;
      return undefined;
    }
    let e: Uevent;
    try {
      e = decodeUevent(d);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      this.#stats.malformed++;
      this.#onMalformed?.(err, d.slice());
      return undefined;
    }
    if (!kernelGroup && e.source !== "udev") {
      this.#stats.foreign++;
      return undefined;
    }
    return e;
  }

  /**
   * Closes the connection; a running `events()` iteration ends. Idempotent.
   *
   * @returns A promise that settles when the connection is closed.
   *
   * @example Close ends the iteration
   * ```ts
   * import { Monitor } from "@nlkit/netlink/uevent";
   * import { uevent } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const monitor = await Monitor.open({ conn: new uevent.Simulator().dial() });
   * const seen = (async () => { for await (const _ of monitor.events()) {} return "ended"; })();
   * await monitor.close();
   * assert.equal(await seen, "ended");
   * ```
   */
  close(): Promise<void> {
    return this.#conn.close();
  }

  /**
   * Closes the connection (see {@linkcode Monitor.close}).
   */
  [Symbol.dispose](): void {
    this.#conn[Symbol.dispose]();
  }

  /**
   * Closes the connection (see {@linkcode Monitor.close}).
   *
   * @returns A promise that settles when the connection is closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The kernel's uevents as they happen, decoded: opens a {@linkcode Monitor},
 * yields its events, and closes it when the iteration ends (a `break`, the
 * signal, or an error). Malformed datagrams are skipped, never thrown.
 *
 * @param options An abort signal, and the monitor's options.
 * @returns The uevents.
 * @throws {NetlinkError} When the socket cannot be opened or fails.
 * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
 *
 * @example Wait for a network device to appear (real kernel)
 * ```ts ignore
 * import { events } from "@nlkit/netlink/uevent";
 *
 * for await (const e of events({ signal: AbortSignal.timeout(10_000) })) {
 *   if (e.subsystem === "net" && e.action === "add") {
 *     console.log(`${e.env.INTERFACE} appeared (ifindex ${e.env.IFINDEX})`);
 *     break;
 *   }
 * }
 * ```
 *
 * @example The same on a simulated kernel
 * ```ts
 * import { events } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * const stream = events({ conn: sim.dial() });
 * const first = stream.next();
 * sim.emit({ action: "add", devpath: "/devices/virtual/net/veth9", subsystem: "net", env: { INTERFACE: "veth9" } });
 * assert.equal((await first).value?.env.INTERFACE, "veth9");
 * await stream.return();
 * ```
 */
export async function* events(
  options: MonitorOptions & ReceiveOptions = {},
): AsyncGenerator<Uevent, void, undefined> {
  const { signal, ...rest } = options;
  await using monitor = await Monitor.open(rest);
  yield* monitor.events(signal === undefined ? {} : { signal });
}
