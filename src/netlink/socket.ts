/**
 * The libc-backed {@linkcode Socket}: a real `AF_NETLINK` socket through
 * `src/ffi`. `Conn.dial` opens one with {@linkcode openSocket}; nothing else
 * in the netlink layer calls libc.
 *
 * How it receives (ffi-notes §3–§6):
 * - Synchronously, `MSG_DONTWAIT`: the kernel has queued a reply by the time
 *   `send()` returns, so request/reply traffic never waits.
 * - One `recvmsg` per datagram, scattered over the socket's reused 64 KiB
 *   buffer and libc's 4 MiB spill area, with `MSG_TRUNC`. A datagram is never
 *   cut and never needs a `MSG_PEEK` round first (mdlayher and iproute2 peek
 *   every time: one more syscall, ~0.5 µs per datagram); a longer one grows
 *   the buffer. Measured cost of the second iovec: ~0.1 µs per call.
 * - Waiting (multicast) is off the JS thread: Deno `nonblocking` poll, Bun
 *   Worker; an eventfd in the poll set wakes it on close or abort.
 * - After ENOBUFS the queue is drained into a backlog before the next send,
 *   because the kernel drops unicast replies to a congested socket.
 *
 * @module
 */

import { type Libc, openLibc, type Poller, Sys } from "../ffi/mod.ts";
import { SyscallError } from "../ffi/types.ts";
import { HOST_LITTLE_ENDIAN } from "./_endian.ts";
import { Errno } from "./errno.ts";
import type { BPFInstruction, Socket } from "./_socket.ts";
import { inNamespace } from "./netns.ts";

/** Options for {@linkcode openSocket}. */
export interface OpenSocketOptions {
  /** Legacy bind-time multicast group bitmask (`nl_groups`). */
  groups?: number;
  /** Port id to bind (`nl_pid`); 0 or absent: the kernel assigns one. */
  pid?: number;
  /** Network namespace to open the socket in: a name (`/run/netns/NAME`), a path or an open fd (see `netns.ts`). */
  netns?: string | number;
}

/** Most datagrams moved to the backlog by one drain (a flood may refill the queue forever). */
const DRAIN_LIMIT = 4096;
const EMPTY = new Uint8Array(0);
/** `BPF_MAXINSNS` in `linux/bpf_common.h`. */
const BPF_MAXINSNS = 4096;
/**
 * Initial receive buffer: dump datagrams are at most 32 KiB
 * (`SKB_WITH_OVERHEAD(32768)` in `netlink_recvmsg`), so one buffer of 64 KiB
 * holds every dump part and most unicast replies; a larger datagram spills
 * into libc's spill area and the buffer grows to fit it.
 */
const INITIAL_BUFFER = 64 * 1024;

function checkUint32(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new TypeError(
      `Cannot use ${what}: ${n} is not an unsigned 32-bit integer`,
    );
  }
  return n;
}

function checkInt31(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fff_ffff) {
    throw new TypeError(
      `Cannot use ${what}: ${n} is not an integer in [0, 2147483647]`,
    );
  }
  return n;
}

/**
 * Opens a netlink socket (`SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK`) for a
 * protocol family, binds it and reads back the port id the kernel assigned.
 *
 * @param family The netlink protocol, such as `Family.Route` (0) or `Family.Generic` (16).
 * @param options Bind-time groups and port id, and the network namespace.
 * @returns The bound socket.
 * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
 * @throws {SyscallError} When a call fails (EPROTONOSUPPORT for an unknown family, EADDRINUSE for a taken pid).
 * @throws {TypeError} When an option is out of range.
 *
 * @example Using openSocket
 * ```ts ignore
 * import { openSocket } from "./socket.ts";
 *
 * const socket = await openSocket(0, {});
 * console.log(socket.pid);
 * socket.close();
 * ```
 *
 * @internal
 */
export async function openSocket(
  family: number,
  options: OpenSocketOptions = {},
): Promise<Socket> {
  checkInt31("netlink family", family);
  const groups = checkUint32("groups", options.groups ?? 0);
  const pid = checkUint32("pid", options.pid ?? 0);
  const libc = await openLibc();
  const type = Sys.SOCK_RAW | Sys.SOCK_CLOEXEC | Sys.SOCK_NONBLOCK;
  const fd = options.netns === undefined
    ? libc.socket(Sys.AF_NETLINK, type, family)
    : inNamespace(
      libc,
      options.netns,
      () => libc.socket(Sys.AF_NETLINK, type, family),
    );
  try {
    const addr = new Uint8Array(Sys.SOCKADDR_NL_LENGTH);
    const view = new DataView(addr.buffer);
    view.setUint16(0, Sys.AF_NETLINK, HOST_LITTLE_ENDIAN);
    view.setUint32(4, pid, HOST_LITTLE_ENDIAN);
    view.setUint32(8, groups, HOST_LITTLE_ENDIAN);
    libc.bind(fd, addr);
    libc.getsockname(fd, addr);
    return new LibcSocket(libc, fd, view.getUint32(4, HOST_LITTLE_ENDIAN));
  } catch (e) {
    libc.close(fd);
    throw e;
  }
}

/** A datagram (or a receive error) read ahead by a drain. */
interface Queued {
  data: Uint8Array;
  pid: number;
  groups: number;
  error: unknown;
}

/**
 * A netlink socket over libc. Requests and replies use synchronous calls
 * (the kernel has queued its reply when `sendto` returns); {@linkcode wait}
 * polls off the JS thread, one poll per socket shared by every pending wait,
 * and an eventfd in the poll set wakes it on `close()` or when every waiter
 * aborted. The socket fd is closed only after that poll has returned, so its
 * number is never reused under a pending `poll()`.
 */
class LibcSocket implements Socket {
  readonly pid: number;
  senderPid = 0;
  senderGroups = 0;
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #from = new Uint8Array(Sys.SOCKADDR_NL_LENGTH);
  readonly #fromView = new DataView(this.#from.buffer);
  readonly #int = new Uint8Array(4);
  readonly #intView = new DataView(this.#int.buffer);
  #buffer: Uint8Array<ArrayBuffer> | null = null;
  #view: Uint8Array = new Uint8Array(0);
  #congested = false;
  readonly #backlog: Queued[] = [];
  #closed = false;
  // Waiting: created on the first wait().
  #wakeFd = -1;
  #poller: Poller | null = null;
  #pending: Promise<void> | null = null;
  #waiters = 0;
  #woken = false;

  constructor(libc: Libc, fd: number, pid: number) {
    this.#libc = libc;
    this.#fd = fd;
    this.pid = pid;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: Uint8Array): void {
    if (this.#closed) throw new SyscallError("send", Errno.EBADF);
    if (this.#congested) this.#drain();
    // No address: an unconnected netlink socket sends to the kernel.
    this.#libc.send(this.#fd, data, 0);
  }

  receive(): Uint8Array | null {
    if (this.#closed) throw new SyscallError("recvmsg", Errno.EBADF);
    if (this.#backlog.length > 0) return this.#fromBacklog();
    try {
      return this.#recv();
    } catch (e) {
      if (e instanceof SyscallError && e.errno === Errno.ENOBUFS) {
        this.#congested = true;
      }
      throw e;
    }
  }

  /** One `recvmsg` into the reused buffer; null on EAGAIN. */
  #recv(): Uint8Array | null {
    const libc = this.#libc;
    let buf = this.#buffer ??= new Uint8Array(INITIAL_BUFFER);
    const n = libc.recv(this.#fd, buf, Sys.MSG_DONTWAIT, this.#from);
    if (n < 0) {
      this.#congested = false; // an empty queue clears the kernel's congestion too
      return null;
    }
    const from = this.#fromView;
    this.senderPid = from.getUint32(4, HOST_LITTLE_ENDIAN);
    this.senderGroups = from.getUint32(8, HOST_LITTLE_ENDIAN);
    // Reuse the last view when the length repeats (ACKs): no allocation.
    // The view is always over the current buffer (it is re-made whenever the
    // buffer grows, below), so the length alone decides; reading `.buffer`
    // would cost about 16 ns per receive.
    const last = this.#view;
    if (last.length === n) return last;
    if (n > buf.length) {
      if (n > buf.length + libc.spillLength) {
        throw new SyscallError("recvmsg", Errno.EMSGSIZE);
      }
      const grown = new Uint8Array(Math.max(n, buf.length * 2));
      grown.set(buf);
      libc.takeSpill(grown.subarray(buf.length, n));
      this.#buffer = buf = grown;
    }
    return this.#view = buf.subarray(0, n);
  }

  #fromBacklog(): Uint8Array {
    const q = this.#backlog.shift()!;
    if (q.error !== null) throw q.error;
    this.senderPid = q.pid;
    this.senderGroups = q.groups;
    return q.data;
  }

  /**
   * After ENOBUFS the kernel keeps the socket "congested" and silently drops
   * every unicast datagram for it, including the reply to our next request,
   * until a `recvmsg` finds the queue empty (`netlink_rcv_wake`). So before
   * sending, move whatever is still queued into a backlog (copies, in order,
   * errors included) that `receive()` hands out first.
   */
  #drain(): void {
    const backlog = this.#backlog;
    for (let i = 0; i < DRAIN_LIMIT; i++) {
      let d: Uint8Array | null;
      try {
        d = this.#recv();
      } catch (e) {
        backlog.push({ data: EMPTY, pid: 0, groups: 0, error: e });
        continue;
      }
      if (d === null) break;
      backlog.push({
        data: d.slice(),
        pid: this.senderPid,
        groups: this.senderGroups,
        error: null,
      });
    }
    this.#congested = false;
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#backlog.length > 0) return Promise.resolve();
    const pending = this.#pending ?? this.#startPoll();
    this.#waiters++;
    if (signal === undefined) {
      return pending.then(() => {
        this.#waiters--;
      }, (e: unknown) => {
        this.#waiters--;
        throw e;
      });
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        if (--this.#waiters === 0 && this.#pending === pending) this.#wake();
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const settle = (e?: unknown): void => {
        signal.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        this.#waiters--;
        if (e === undefined) resolve();
        else reject(e);
      };
      pending.then(
        () => settle(),
        (e: unknown) => settle(e ?? new Error("Cannot wait: poll failed")),
      );
    });
  }

  joinGroup(group: number): void {
    this.#setInt(
      Sys.SOL_NETLINK,
      Sys.NETLINK_ADD_MEMBERSHIP,
      checkUint32("group", group),
    );
  }

  leaveGroup(group: number): void {
    this.#setInt(
      Sys.SOL_NETLINK,
      Sys.NETLINK_DROP_MEMBERSHIP,
      checkUint32("group", group),
    );
  }

  setOption(option: number, enable: boolean): void {
    this.#setInt(Sys.SOL_NETLINK, checkInt31("option", option), enable ? 1 : 0);
  }

  getOption(option: number): boolean {
    this.#open("getsockopt");
    this.#int.fill(0);
    this.#libc.getsockopt(
      this.#fd,
      Sys.SOL_NETLINK,
      checkInt31("option", option),
      this.#int,
    );
    return this.#intView.getUint32(0, HOST_LITTLE_ENDIAN) !== 0;
  }

  setReceiveBufferSize(bytes: number, force: boolean): void {
    const name = force ? Sys.SO_RCVBUFFORCE : Sys.SO_RCVBUF;
    this.#setInt(
      Sys.SOL_SOCKET,
      name,
      checkInt31("receive buffer size", bytes),
    );
  }

  setSendBufferSize(bytes: number): void {
    this.#setInt(
      Sys.SOL_SOCKET,
      Sys.SO_SNDBUF,
      checkInt31("send buffer size", bytes),
    );
  }

  setBPF(program: readonly BPFInstruction[]): void {
    if (program.length === 0 || program.length > BPF_MAXINSNS) {
      throw new TypeError(
        `Cannot attach BPF program: ${program.length} instructions, want 1 to ${BPF_MAXINSNS}`,
      );
    }
    const bytes = new Uint8Array(program.length * Sys.SOCK_FILTER_LENGTH);
    const view = new DataView(bytes.buffer);
    program.forEach((ins, i) => {
      const at = i * Sys.SOCK_FILTER_LENGTH;
      const { code, jt, jf, k } = ins;
      if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
        throw new TypeError(
          `Cannot attach BPF program: instruction ${i} has code ${code}`,
        );
      }
      if (
        !Number.isInteger(jt) || jt < 0 || jt > 0xff || !Number.isInteger(jf) ||
        jf < 0 || jf > 0xff
      ) {
        throw new TypeError(
          `Cannot attach BPF program: instruction ${i} has jumps ${jt}/${jf}`,
        );
      }
      if (!Number.isInteger(k) || k < -0x8000_0000 || k > 0xffff_ffff) {
        throw new TypeError(
          `Cannot attach BPF program: instruction ${i} has k ${k}`,
        );
      }
      view.setUint16(at, code, HOST_LITTLE_ENDIAN);
      view.setUint8(at + 2, jt);
      view.setUint8(at + 3, jf);
      view.setUint32(at + 4, k >>> 0, HOST_LITTLE_ENDIAN);
    });
    this.#open("setsockopt");
    this.#libc.attachFilter(this.#fd, bytes);
  }

  removeBPF(): void {
    try {
      this.#setInt(Sys.SOL_SOCKET, Sys.SO_DETACH_FILTER, 0);
    } catch (e) {
      // ENOENT: no filter was attached; removing nothing succeeds.
      if (!(e instanceof SyscallError && e.errno === Errno.ENOENT)) throw e;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pending !== null) this.#wake(); // #pollDone releases the fds
    else this.#release();
  }

  #open(call: string): void {
    // EBADF, as the call itself would report on a closed descriptor.
    if (this.#closed) throw new SyscallError(call, Errno.EBADF);
  }

  #setInt(level: number, name: number, value: number): void {
    this.#open("setsockopt");
    this.#intView.setUint32(0, value, HOST_LITTLE_ENDIAN);
    this.#libc.setsockopt(this.#fd, level, name, this.#int);
  }

  #startPoll(): Promise<void> {
    const libc = this.#libc;
    if (this.#poller === null) {
      this.#wakeFd = libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK);
      this.#poller = libc.poller(this.#fd, this.#wakeFd);
    }
    // A failing poller (Bun: the worker could not start) rejects every
    // pending wait; Conn then fails its waiting operations with the error.
    const pending = this.#poller.poll().then(
      () => this.#pollDone(),
      (e: unknown) => {
        this.#pollDone();
        throw e;
      },
    );
    this.#pending = pending;
    return pending;
  }

  #pollDone(): void {
    this.#pending = null;
    if (this.#closed) {
      this.#release();
    } else if (this.#woken) {
      this.#woken = false;
      this.#libc.read(this.#wakeFd, new Uint8Array(8)); // reset the counter
    }
  }

  /** Makes the pending poll return (eventfd write). */
  #wake(): void {
    if (this.#woken) return;
    this.#woken = true;
    const one = new Uint8Array(8);
    one[HOST_LITTLE_ENDIAN ? 0 : 7] = 1;
    this.#libc.write(this.#wakeFd, one);
  }

  #release(): void {
    this.#poller?.dispose();
    this.#poller = null;
    const libc = this.#libc;
    libc.close(this.#fd);
    if (this.#wakeFd >= 0) libc.close(this.#wakeFd);
    this.#wakeFd = -1;
    this.#buffer = null;
    this.#view = new Uint8Array(0);
    this.#backlog.length = 0;
  }
}
