/**
 * Simulated kernel uevents (`NETLINK_KOBJECT_UEVENT`) on a `SimKernel`:
 * `dial()` opens a connection of that protocol, `emit()` multicasts a
 * uevent (or any bytes) to every one that joined the group, encoded with
 * the codec `@nlkit/netlink/uevent` decodes with, and the simulated
 * rtnetlink's links are followed: creating, deleting or renaming a link
 * emits the `add`, `remove` or `move` uevent of subsystem `net` that Linux
 * sends (`INTERFACE=` and `IFINDEX=` included, checked against the real
 * kernel in `tests/integration/uevent_test.ts`).
 *
 * Links changed through rtnetlink requests are followed as the request is
 * answered (the uevent is queued before the reply, as in Linux); links
 * changed directly on `kernel.rtnetlink` are announced by `syncLinks()`.
 * Not simulated: the `queues` subsystem's uevents Linux also sends for each
 * device's rx/tx queues.
 *
 * Exported from `@nlkit/netlink/nltest` as the `uevent` namespace.
 *
 * @example A veth pair appears
 * ```ts
 * import { Monitor } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * await using monitor = await Monitor.open({ conn: sim.dial() });
 * sim.kernel.rtnetlink.addLink({ name: "veth0", kind: "veth" });
 * sim.syncLinks();
 * const seen: string[] = [];
 * for await (const e of monitor.events()) {
 *   seen.push(`${e.action} ${e.env.INTERFACE}`);
 *   if (seen.length === 1) break;
 * }
 * assert.deepEqual(seen, ["add veth0"]);
 * ```
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import { type Conn, socketOf } from "../netlink/conn.ts";
import { Family } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { ConnOptions } from "../netlink/options.ts";
import {
  encodeUevent,
  type Uevent,
  UeventGroup,
  type UeventSpec,
} from "../uevent/codec.ts";
import { groupMask, type MemorySocket } from "./_memory_socket.ts";
import { SimKernel } from "./kernel.ts";
import type { HandlerResult, RequestContext } from "./kernel_handler.ts";

/** `RTM_DELLINK` (`linux/rtnetlink.h`). */
const RTM_DELLINK = 17;
/** `IFLA_IFNAME` (`linux/if_link.h`). */
const IFLA_IFNAME = 3;
/** `sizeof(struct ifinfomsg)`. */
const IFINFOMSG_LENGTH = 16;

/**
 * A uevent to emit: the fields of a {@linkcode UeventSpec}, the sequence
 * number optional (the simulator's counter assigns the next one).
 */
export interface SimUevent extends Omit<UeventSpec, "seqnum"> {
  /** The sequence number; default: the simulator's next one. */
  seqnum?: bigint;
}

/**
 * Options of {@linkcode Simulator.emit}.
 *
 * @example Emit in udev's format on udev's group
 * ```ts
 * import { Monitor } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * await using monitor = await Monitor.open({ conn: sim.dial(), group: "udev" });
 * const options: uevent.EmitOptions = { format: "udev" };
 * sim.emit({ action: "add", devpath: "/devices/virtual/net/d1", subsystem: "net" }, options);
 * for await (const e of monitor.events()) {
 *   assert.equal(e.source, "udev");
 *   break;
 * }
 * ```
 */
export interface EmitOptions {
  /** The format: `"kernel"` (default) or `"udev"` (the `libudev` format). */
  format?: "kernel" | "udev";
  /**
   * The multicast group: default 1 (kernel) for the kernel's format, 2
   * (udev) for udev's.
   */
  group?: number;
  /** The sender's port id: default 0 (the kernel) for group 1, 4242 (udevd) for others. */
  senderPid?: number;
}

/** Options of the {@linkcode Simulator}. */
export interface SimulatorOptions {
  /**
   * Follow the simulated rtnetlink's links: answer the kernel's `Family.Route`
   * requests through `kernel.rtnetlink` and emit the uevents of the links
   * they create, delete or rename. Default true. (It serves `Family.Route`
   * with `kernel.rtnetlink.handle` wrapped; if you serve that protocol
   * yourself, turn it off and call `syncLinks()`.)
   */
  followLinks?: boolean;
  /** The first sequence number; default 1000. */
  firstSeqnum?: bigint;
}

/**
 * Simulated uevents on a simulated kernel.
 *
 * @example Emit a raw (here malformed) datagram
 * ```ts
 * import { Monitor } from "@nlkit/netlink/uevent";
 * import { uevent } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new uevent.Simulator();
 * await using monitor = await Monitor.open({ conn: sim.dial() });
 * sim.emit(new Uint8Array([0x61, 0x40]));
 * sim.emit({ action: "remove", devpath: "/devices/virtual/net/x", subsystem: "net" });
 * for await (const e of monitor.events()) {
 *   assert.equal(e.action, "remove");
 *   break;
 * }
 * assert.equal(monitor.stats.malformed, 1);
 * ```
 */
export class Simulator {
  /**
   * The simulated kernel (its rtnetlink state is followed).
   */
  readonly kernel: SimKernel;
  #sockets = new Set<MemorySocket>();
  #seqnum: bigint;
  #links = new Map<number, string>();

  /**
   * Attaches uevents to a simulated kernel.
   *
   * @param kernel The kernel; default a new one.
   * @param options Whether to follow links, the first sequence number.
   * @throws {TypeError} When `firstSeqnum` is not a u64 bigint.
   */
  constructor(
    kernel: SimKernel = new SimKernel(),
    options: SimulatorOptions = {},
  ) {
    this.kernel = kernel;
    const first = options.firstSeqnum ?? 1000n;
    if (
      typeof first !== "bigint" || first < 0n || first > 0xffff_ffff_ffff_ffffn
    ) {
      throw new TypeError(
        `Cannot simulate uevents: firstSeqnum ${
          String(first)
        } is not a u64 bigint`,
      );
    }
    this.#seqnum = first;
    for (const l of kernel.rtnetlink.links()) this.#links.set(l.index, l.name);
    if (options.followLinks ?? true) {
      kernel.handle(Family.Route, (m, ctx) => this.#route(m, ctx));
    }
  }

  /**
   * Opens a `NETLINK_KOBJECT_UEVENT` connection on the kernel that receives
   * the simulated uevents of the groups it joins (`Monitor.open` joins one;
   * or pass `{ groups: 1 }`).
   *
   * @param options The same options as `Conn.dial`.
   * @returns The connection.
   */
  dial(options: ConnOptions = {}): Conn {
    const conn = this.kernel.dial(Family.KobjectUevent, options);
    this.attach(conn);
    return conn;
  }

  /**
   * Delivers this simulator's uevents to a connection opened elsewhere on
   * its kernel (`kernel.dial(Family.KobjectUevent)`, as a program under test
   * does through its own dial function).
   *
   * @param conn A simulated connection of this simulator's kernel.
   * @throws {TypeError} When `conn` is not a simulated connection.
   *
   * @example Attach a connection the code under test opened
   * ```ts
   * import { Monitor } from "@nlkit/netlink/uevent";
   * import { SimKernel, uevent } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * const sim = new uevent.Simulator(kernel);
   * const conn = kernel.dial(Family.KobjectUevent);
   * sim.attach(conn);
   * await using monitor = await Monitor.open({ conn });
   * sim.emit({ action: "add", devpath: "/devices/virtual/misc/m", subsystem: "misc" });
   * for await (const e of monitor.events()) {
   *   assert.equal(e.subsystem, "misc");
   *   break;
   * }
   * ```
   */
  attach(conn: Conn): void {
    const socket = socketOf(conn) as Partial<MemorySocket>;
    if (
      typeof socket?.deliver !== "function" || !(socket.groups instanceof Set)
    ) {
      throw new TypeError(
        "Cannot attach connection: it is not a simulated connection",
      );
    }
    this.#sockets.add(socket as MemorySocket);
  }

  /**
   * Multicasts a uevent to every connection of this simulator that joined
   * the group. An object is encoded (and given the next sequence number
   * unless it has one); bytes are sent as they are.
   *
   * @param event The uevent, or raw datagram bytes.
   * @param options Format, group and sender.
   * @returns The uevent as sent (with its sequence number; for raw bytes,
   * `undefined`).
   * @throws {TypeError} When the uevent cannot be encoded.
   *
   * @example Sequence numbers count up
   * ```ts
   * import { uevent } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new uevent.Simulator(undefined, { firstSeqnum: 7n });
   * const spec = { action: "add", devpath: "/devices/virtual/misc/x", subsystem: "misc" };
   * assert.equal(sim.emit(spec).seqnum, 7n);
   * assert.equal(sim.emit(spec).seqnum, 8n);
   * ```
   */
  emit(event: SimUevent, options?: EmitOptions): Uevent;
  /**
   * Multicasts raw datagram bytes (well-formed or not) to every connection
   * of this simulator that joined the group.
   *
   * @param event The datagram.
   * @param options Group and sender.
   * @returns `undefined`.
   */
  emit(event: Uint8Array, options?: EmitOptions): undefined;
  emit(
    event: SimUevent | Uint8Array,
    options: EmitOptions = {},
  ): Uevent | undefined {
    const format = options.format ?? "kernel";
    const group = options.group ??
      (format === "kernel" ? UeventGroup.Kernel : UeventGroup.Udev);
    const pid = options.senderPid ?? (group === UeventGroup.Kernel ? 0 : 4242);
    let bytes: Uint8Array;
    let sent: Uevent | undefined;
    if (event instanceof Uint8Array) {
      bytes = event;
    } else {
      const seqnum = event.seqnum ?? this.#seqnum;
      const spec: UeventSpec = { ...event, seqnum };
      bytes = encodeUevent(spec, format);
      if (event.seqnum === undefined) this.#seqnum++;
      sent = {
        action: spec.action,
        devpath: spec.devpath,
        subsystem: spec.subsystem,
        seqnum,
        env: {
          ACTION: spec.action,
          DEVPATH: spec.devpath,
          SUBSYSTEM: spec.subsystem,
          ...spec.env,
          SEQNUM: String(seqnum),
        },
        source: format,
      };
    }
    const mask = groupMask(group);
    for (const s of [...this.#sockets]) {
      if (s.closed) {
        this.#sockets.delete(s);
        continue;
      }
      if (s.groups.has(group)) s.deliver(bytes, pid, mask);
    }
    return sent;
  }

  /**
   * Emits the uevents of the links created, deleted or renamed on
   * `kernel.rtnetlink` since the last look: `add`, then `move` (a rename),
   * then `remove`, each in ifindex order (the request's own link first when
   * a deletion took a veth peer along).
   *
   * @returns The uevents emitted.
   *
   * @example A link added directly on the simulated kernel
   * ```ts
   * import { uevent } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new uevent.Simulator();
   * sim.kernel.rtnetlink.addLink({ name: "br0", kind: "bridge" });
   * const [e] = sim.syncLinks();
   * assert.equal(e?.devpath, "/devices/virtual/net/br0");
   * assert.equal(e?.env.IFINDEX, "2");
   * ```
   */
  syncLinks(): Uevent[] {
    return this.#sync(undefined);
  }

  #sync(first: number | undefined): Uevent[] {
    const now = new Map<number, string>();
    for (const l of this.kernel.rtnetlink.links()) now.set(l.index, l.name);
    const out: Uevent[] = [];
    const emit = (
      action: string,
      index: number,
      name: string,
      old?: string,
    ) => {
      const path = `/devices/virtual/net/${name}`;
      out.push(this.emit({
        action,
        devpath: path,
        subsystem: "net",
        env: {
          ...(old === undefined
            ? {}
            : { DEVPATH_OLD: `/devices/virtual/net/${old}` }),
          INTERFACE: name,
          IFINDEX: String(index),
        },
      }));
    };
    const byIndex = (a: number, b: number) => a - b;
    for (const i of [...now.keys()].sort(byIndex)) {
      if (!this.#links.has(i)) emit("add", i, now.get(i)!);
    }
    for (const i of [...now.keys()].sort(byIndex)) {
      const old = this.#links.get(i);
      if (old !== undefined && old !== now.get(i)) {
        emit("move", i, now.get(i)!, old);
      }
    }
    const gone = [...this.#links.keys()].filter((i) => !now.has(i)).sort(
      byIndex,
    );
    if (first !== undefined && gone.includes(first)) {
      gone.splice(gone.indexOf(first), 1);
      gone.unshift(first);
    }
    for (const i of gone) emit("remove", i, this.#links.get(i)!);
    this.#links = now;
    return out;
  }

  /** Serves a route request, then emits the uevents of the links it changed. */
  #route(m: Message, ctx: RequestContext): HandlerResult {
    const target = m.header.type === RTM_DELLINK ? this.#target(m) : undefined;
    const result = this.kernel.rtnetlink.handle(m, ctx);
    this.#sync(target);
    return result;
  }

  /** The ifindex an `RTM_DELLINK` names (by index or `IFLA_IFNAME`). */
  #target(m: Message): number | undefined {
    if (m.data.length < IFINFOMSG_LENGTH) return undefined;
    const index = get32(m.data, 4, HOST_LITTLE_ENDIAN);
    if (index > 0) return index;
    try {
      const d = new AttributeDecoder(m.data, IFINFOMSG_LENGTH);
      while (d.next()) {
        if (d.type === IFLA_IFNAME) {
          const name = d.string();
          for (const [i, n] of this.#links) if (n === name) return i;
        }
      }
    } catch {
      // A malformed request: the handler answers it.
    }
    return undefined;
  }
}
