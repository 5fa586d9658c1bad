/**
 * An in-memory implementation of the internal Socket seam, the transport
 * under every simulated `Conn`.
 *
 * A `MemorySocket` is a queue of datagrams plus the socket state a kernel
 * looks at (port id, joined groups, options, buffer sizes, BPF program).
 * It knows nothing about netlink: whatever answers requests (nltest's
 * function kernel in `dial.ts`, or the stateful simulated kernel) sees each
 * sent datagram through `onSend` and answers with `deliver()`.
 *
 * Building a kernel with many connections:
 *
 * ```ts ignore
 * const sockets = new Map<number, MemorySocket>();
 * function open(pid: number, groups = 0): Conn {
 *   const socket = new MemorySocket({
 *     pid, groups,
 *     onSend: (s, datagram) => handle(s, datagram),  // parse, answer with s.deliver(...)
 *     onClose: (s) => sockets.delete(s.pid),          // unregister the port
 *   });
 *   sockets.set(pid, socket);
 *   return connFromSocket(socket, {});
 * }
 * // multicast fan-out: for every socket with s.groups.has(group):
 * //   s.deliver(bytes, 0, groupMask(group));
 * // faults: s.failNextReceive(105) (ENOBUFS), s.deliver(truncatedBytes), s.deliver(bytes, 4242) (non-kernel sender)
 * ```
 *
 * @module
 */

import type { BPFInstruction, Socket } from "../netlink/_socket.ts";
import { Errno } from "../netlink/errno.ts";
import { SyscallError } from "../netlink/errors.ts";

/** Called with each datagram sent through the socket (a private copy). */
export type SendHandler = (
  socket: MemorySocket,
  datagram: Uint8Array,
) => void | Promise<void>;

/** Options for {@linkcode MemorySocket}. */
export interface MemorySocketOptions {
  /** The port id (`nl_pid`) of this socket; default 1. */
  pid?: number;
  /** Bind-time multicast group bitmask (`nl_groups`): bit `n - 1` joins group `n`. */
  groups?: number;
  /** Called for every sent datagram; may deliver replies synchronously or later. */
  onSend?: SendHandler;
  /** Called once when the socket closes (to unregister its port id). */
  onClose?: (socket: MemorySocket) => void;
  /**
   * Called after each `receive()` that returned a datagram: where the
   * kernel produces a running dump's next part (`netlink_recvmsg` calls
   * `netlink_dump`).
   */
  onReceive?: (socket: MemorySocket) => void;
}

interface Queued {
  data: Uint8Array;
  pid: number;
  groups: number;
}

/**
 * Returns the `nl_groups` mask the kernel reports for a datagram sent to
 * multicast `group`: `1 << (group - 1)` for groups 1 to 32, and 0 above
 * (`netlink_group_mask` in `net/netlink/af_netlink.c`).
 *
 * @param group The group number.
 * @returns The mask (unsigned).
 */
export function groupMask(group: number): number {
  return group >= 1 && group <= 32 ? (2 ** (group - 1)) >>> 0 : 0;
}

/**
 * An in-memory netlink socket: the nltest side of the Socket seam.
 *
 * @internal Reached through nltest's `dial` and the simulated kernel.
 */
export class MemorySocket implements Socket {
  /** The port id. */
  readonly pid: number;
  /** Called for every sent datagram. Replace it freely (e.g. to record traffic). */
  onSend: SendHandler | undefined;
  /** Called once on close. */
  onClose: ((socket: MemorySocket) => void) | undefined;
  /** Called after each `receive()` that returned a datagram. */
  onReceive: ((socket: MemorySocket) => void) | undefined;
  /** Sender port id of the datagram last returned by `receive()`. */
  senderPid = 0;
  /** Sender group mask of the datagram last returned by `receive()`. */
  senderGroups = 0;
  /** The joined multicast groups (bind-time mask bits and `joinGroup`). */
  readonly groups: Set<number> = new Set();
  /** Boolean `SOL_NETLINK` options that were set (`ConnOption` value → on). */
  readonly options: Map<number, boolean> = new Map();
  /** `SO_RCVBUF` as last set (0: never set). */
  receiveBufferSize = 0;
  /** Whether the last receive buffer size was forced (`SO_RCVBUFFORCE`). */
  receiveBufferForced = false;
  /** `SO_SNDBUF` as last set (0: never set). */
  sendBufferSize = 0;
  /** The attached BPF program, or null. Stored, not run. */
  bpf: BPFInstruction[] | null = null;
  /** Every datagram sent, in order (copies), when `keepSent` is true. */
  readonly sent: Uint8Array[] = [];
  /** Keep a copy of every sent datagram in {@linkcode MemorySocket.sent}. */
  keepSent = false;
  #queue: Queued[] = [];
  #head = 0;
  #queuedBytes = 0;
  #closed = false;
  #failReceive: unknown[] = [];
  #failSend: number[] = [];
  #waiters: (() => void)[] = [];

  /**
   * @param options Port id, bind-time groups and hooks.
   */
  constructor(options: MemorySocketOptions = {}) {
    this.pid = options.pid ?? 1;
    this.onSend = options.onSend;
    this.onClose = options.onClose;
    this.onReceive = options.onReceive;
    const mask = options.groups ?? 0;
    for (let g = 1; g <= 32; g++) {
      if ((mask >>> (g - 1)) & 1) this.groups.add(g);
    }
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The number of datagrams waiting to be received. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** The bytes of the datagrams waiting to be received. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** The number of pending `wait()` calls. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Sends a datagram "to the kernel": copies it and calls `onSend`. A throw
   * or rejection of the hook is kept and thrown by the next `receive()`.
   *
   * @param data The datagram.
   */
  send(data: Uint8Array): void {
    this.#check("sendmsg");
    const errno = this.#failSend.shift();
    if (errno !== undefined) throw new SyscallError("sendmsg", errno);
    const copy = data.slice();
    if (this.keepSent) this.sent.push(copy);
    const hook = this.onSend;
    if (hook === undefined) return;
    try {
      const r = hook(this, copy);
      if (r !== undefined && typeof (r as Promise<void>).then === "function") {
        (r as Promise<void>).then(
          undefined,
          (e: unknown) => this.failNextReceive(e),
        );
      }
    } catch (e) {
      this.failNextReceive(e);
    }
  }

  /**
   * Queues a datagram for `receive()` and wakes waiters. Ignored once closed.
   *
   * @param datagram The bytes (copied).
   * @param senderPid The sender's port id (0: the kernel).
   * @param groups The sender's group mask (0: unicast); see {@linkcode groupMask}.
   */
  deliver(datagram: Uint8Array, senderPid = 0, groups = 0): void {
    if (this.#closed) return;
    this.#queue.push({ data: datagram.slice(), pid: senderPid, groups });
    this.#queuedBytes += datagram.length;
    this.#wakeAll();
  }

  /**
   * Makes the next `receive()` throw: a number is an errno thrown as
   * `SyscallError("recvmsg", errno)` (105, ENOBUFS, becomes `OverrunError`
   * in `Conn`); anything else is thrown as is. Wakes waiters.
   *
   * @param error An errno or an error.
   */
  failNextReceive(error: number | unknown): void {
    this.#failReceive.push(
      typeof error === "number" ? new SyscallError("recvmsg", error) : error,
    );
    this.#wakeAll();
  }

  /**
   * Makes the next `send()` throw `SyscallError("sendmsg", errno)`.
   *
   * @param errno The errno.
   */
  failNextSend(errno: number): void {
    this.#failSend.push(errno);
  }

  receive(): Uint8Array | null {
    this.#check("recvmsg");
    if (this.#failReceive.length > 0) throw this.#failReceive.shift();
    if (this.#head >= this.#queue.length) return null;
    const q = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as unknown as Queued;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#queuedBytes -= q.data.length;
    this.senderPid = q.pid;
    this.senderGroups = q.groups;
    this.onReceive?.(this);
    return q.data;
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (
      this.#closed || this.#head < this.#queue.length ||
      this.#failReceive.length > 0
    ) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(wake);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal!.reason);
      };
      this.#waiters.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  joinGroup(group: number): void {
    this.#check("setsockopt");
    this.groups.add(group);
  }

  leaveGroup(group: number): void {
    this.#check("setsockopt");
    this.groups.delete(group);
  }

  setOption(option: number, enable: boolean): void {
    this.#check("setsockopt");
    this.options.set(option, enable);
  }

  getOption(option: number): boolean {
    this.#check("getsockopt");
    return this.options.get(option) ?? false;
  }

  setReceiveBufferSize(bytes: number, force: boolean): void {
    this.#check("setsockopt");
    this.receiveBufferSize = bytes;
    this.receiveBufferForced = force;
  }

  setSendBufferSize(bytes: number): void {
    this.#check("setsockopt");
    this.sendBufferSize = bytes;
  }

  setBPF(program: readonly BPFInstruction[]): void {
    this.#check("setsockopt");
    this.bpf = program.map((i) => ({ ...i }));
  }

  removeBPF(): void {
    this.#check("setsockopt");
    this.bpf = null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#wakeAll();
    this.onClose?.(this);
  }

  #check(syscall: string): void {
    if (this.#closed) throw new SyscallError(syscall, Errno.EBADF);
  }

  #wakeAll(): void {
    const ws = this.#waiters;
    if (ws.length === 0) return;
    this.#waiters = [];
    for (const w of ws) w();
  }
}
