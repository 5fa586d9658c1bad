/**
 * {@linkcode Libc} through `bun:ffi`. Pointers (plain numbers in Bun) never
 * leave this file.
 *
 * - `bun:ffi` is typed by the local {@linkcode BunFfi} interface: Deno does
 *   not know the module and JSR forbids `declare module`, so the dynamic
 *   import is cast to it.
 * - errno: `__errno_location()` is looked up once and read through a cached
 *   `Int32Array` right after a call fails.
 * - Bun silently wraps out-of-range `i32` arguments; the netlink layer
 *   validates lengths and flags before they get here.
 * - Waiting for multicast: Bun ignores `nonblocking`, so a {@linkcode Poller}
 *   is a slot in a shared Worker (`_bun_poll_worker.ts`, one per 256 waiting
 *   sockets) blocked in `poll()` on every armed socket and its wake eventfd,
 *   signalling through a `SharedArrayBuffer` and `Atomics.waitAsync`
 *   (ffi-notes §2.2: no CPU while idle, no fs thread-pool starvation). The
 *   worker is ref'd only while a wait is pending, so it never keeps the
 *   process alive after `close()`.
 *
 * @module
 */

import {
  type Libc,
  type Poller,
  Sys,
  SyscallError,
  UnsupportedPlatformError,
} from "./types.ts";
import { pollWorker, type PollWorkerStart } from "./_bun_poll_worker.ts";

/** A `bun:ffi` function description. */
export interface BunFfiFunction {
  readonly args: readonly string[];
  readonly returns: string;
}

/** The few members of `bun:ffi` this package uses. */
export interface BunFfi {
  /** Opens a shared library and binds the described symbols. */
  dlopen(
    path: string,
    symbols: Record<string, BunFfiFunction>,
  ): { symbols: Record<string, unknown>; close(): void };
  /** The address of a typed array's first byte (plus `byteOffset`). */
  ptr(view: ArrayBufferView, byteOffset?: number): number;
  /** An `ArrayBuffer` over native memory. */
  toArrayBuffer(
    ptr: number,
    byteOffset?: number,
    byteLength?: number,
  ): ArrayBuffer;
}

/** A typed array or null, as passed to a `"buffer"` argument. */
type Buf = ArrayBufferView | null;

/** The bound symbols, typed by hand from {@linkcode SYMBOLS}. */
interface Symbols {
  getpid(): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buf, len: number): number;
  getsockname(fd: number, addr: Buf, len: Buf): number;
  send(fd: number, buf: Buf, len: number, flags: number): number;
  sendto(
    fd: number,
    buf: Buf,
    len: number,
    flags: number,
    addr: Buf,
    addrLen: number,
  ): number;
  recvfrom(
    fd: number,
    buf: Buf,
    len: number,
    flags: number,
    addr: Buf,
    addrLen: Buf,
  ): number;
  recvmsg(fd: number, msg: Buf, flags: number): number;
  setsockopt(
    fd: number,
    level: number,
    name: number,
    value: Buf,
    len: number,
  ): number;
  getsockopt(
    fd: number,
    level: number,
    name: number,
    value: Buf,
    len: Buf,
  ): number;
  close(fd: number): number;
  poll(fds: Buf, nfds: number, timeout: number): number;
  eventfd(initval: number, flags: number): number;
  read(fd: number, buf: Buf, len: number): number;
  write(fd: number, buf: Buf, len: number): number;
  open(path: Buf, flags: number): number;
  setns(fd: number, nstype: number): number;
  __errno_location(): number;
}

/** The C functions we bind, as data. */
const SYMBOLS = {
  getpid: { args: [], returns: "i32" },
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  bind: { args: ["i32", "buffer", "u32"], returns: "i32" },
  getsockname: { args: ["i32", "buffer", "buffer"], returns: "i32" },
  send: { args: ["i32", "buffer", "usize", "i32"], returns: "i32" },
  sendto: {
    args: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    returns: "i32",
  },
  recvfrom: {
    args: ["i32", "buffer", "usize", "i32", "ptr", "ptr"],
    returns: "i32",
  }, // ptr: may be null
  recvmsg: { args: ["i32", "buffer", "i32"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "buffer", "u32"], returns: "i32" },
  getsockopt: {
    args: ["i32", "i32", "i32", "buffer", "buffer"],
    returns: "i32",
  },
  close: { args: ["i32"], returns: "i32" },
  poll: { args: ["buffer", "u64", "i32"], returns: "i32" },
  eventfd: { args: ["u32", "i32"], returns: "i32" },
  read: { args: ["i32", "buffer", "usize"], returns: "i32" },
  write: { args: ["i32", "buffer", "usize"], returns: "i32" },
  open: { args: ["buffer", "i32"], returns: "i32" },
  setns: { args: ["i32", "i32"], returns: "i32" },
  __errno_location: { args: [], returns: "ptr" },
} as const satisfies Record<keyof Symbols, BunFfiFunction>;

const EINTR = 4;
const EAGAIN = 11;
/** Spill area for {@linkcode Libc.recv}: above `KMALLOC_MAX_SIZE` (4 MiB), the largest linear skb. */
const SPILL_LENGTH = 4 << 20;
const LIBC_NAMES = ["libc.so.6", "libc.so"];

/**
 * Loads `bun:ffi`. Only called on Bun (this file is imported lazily by
 * `mod.ts` after detecting Bun); Deno leaves the specifier untyped.
 *
 * @returns The module, typed by the local {@linkcode BunFfi} interface.
 */
export async function loadBunFfi(): Promise<BunFfi> {
  return (await import("bun:ffi")) as BunFfi;
}

/**
 * Opens libc with `dlopen` from `bun:ffi`, trying the usual names.
 *
 * @param ffi The `bun:ffi` module.
 * @param symbols The functions to bind.
 * @returns The library handle.
 * @throws {UnsupportedPlatformError} When no libc can be opened.
 */
export function dlopenLibc<S extends Record<string, BunFfiFunction>>(
  ffi: BunFfi,
  symbols: S,
): { symbols: Record<string, unknown>; close(): void } {
  let last: unknown;
  for (const name of LIBC_NAMES) {
    try {
      return ffi.dlopen(name, symbols);
    } catch (e) {
      last = e;
    }
  }
  throw new UnsupportedPlatformError(
    "Cannot open libc: libc.so.6 was not found (glibc Linux is required)",
    {
      cause: last,
    },
  );
}

/** Writes a pointer (a number below 2⁵³) as a little-endian u64 into `words` at `index` (u32 units). */
function setPointer(words: Uint32Array, index: number, p: number): void {
  words[index] = p >>> 0;
  words[index + 1] = Math.floor(p / 0x1_0000_0000);
}

/**
 * Opens libc with `bun:ffi`.
 *
 * @returns The bindings.
 * @throws {UnsupportedPlatformError} When libc cannot be loaded.
 */
export async function openLibc(): Promise<Libc> {
  const ffi = await loadBunFfi();
  const lib = dlopenLibc(ffi, SYMBOLS);
  const s = lib.symbols as unknown as Symbols;
  const errnoView = new Int32Array(
    ffi.toArrayBuffer(s.__errno_location(), 0, 4),
  );
  const fail = (call: string): never => {
    throw new SyscallError(call, errnoView[0]!);
  };

  const spill = new Uint8Array(SPILL_LENGTH);
  const msghdr = new Uint32Array(14); // struct msghdr, 56 bytes
  const iov = new Uint32Array(8); // struct iovec[2]
  setPointer(iov, 4, ffi.ptr(spill));
  iov[6] = SPILL_LENGTH;
  setPointer(msghdr, 4, ffi.ptr(iov)); // msg_iov
  msghdr[6] = 2; // msg_iovlen
  let lastBuf: Uint8Array | null = null;
  let lastFrom: Uint8Array | null = null;
  const addrLen = new Uint32Array(1);
  const byteLen = new Uint32Array(1);
  const fprog = new Uint32Array(4);

  const groups: PollGroup[] = [];
  const libc: Libc = {
    spillLength: SPILL_LENGTH,
    getpid: () => s.getpid(),
    socket(domain, type, protocol) {
      const fd = s.socket(domain, type, protocol);
      return fd < 0 ? fail("socket") : fd;
    },
    bind(fd, addr) {
      if (s.bind(fd, addr, addr.length) < 0) fail("bind");
    },
    getsockname(fd, addr) {
      byteLen[0] = addr.length;
      if (s.getsockname(fd, addr, byteLen) < 0) fail("getsockname");
      return byteLen[0]!;
    },
    send(fd, data, flags) {
      for (;;) {
        const n = s.send(fd, data, data.length, flags);
        if (n >= 0) return n;
        if (errnoView[0] !== EINTR) fail("send");
      }
    },
    sendto(fd, data, flags, addr) {
      for (;;) {
        const n = s.sendto(fd, data, data.length, flags, addr, addr.length);
        if (n >= 0) return n;
        if (errnoView[0] !== EINTR) fail("sendto");
      }
    },
    recvfrom(fd, buf, flags, from) {
      for (;;) {
        if (from !== null) addrLen[0] = from.length;
        const n = s.recvfrom(
          fd,
          buf,
          buf.length,
          flags,
          from,
          from === null ? null : addrLen,
        );
        if (n >= 0) return n;
        const e = errnoView[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("recvfrom");
      }
    },
    recv(fd, buf, flags, from) {
      if (buf !== lastBuf) {
        setPointer(iov, 0, ffi.ptr(buf));
        iov[2] = buf.length;
        iov[3] = 0;
        lastBuf = buf;
      }
      if (from !== lastFrom) {
        setPointer(msghdr, 0, ffi.ptr(from));
        lastFrom = from;
      }
      for (;;) {
        msghdr[2] = from.length; // msg_namelen, rewritten by the kernel
        const n = s.recvmsg(fd, msghdr, flags | Sys.MSG_TRUNC);
        if (n >= 0) return n;
        const e = errnoView[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("recvmsg");
      }
    },
    takeSpill(dest) {
      dest.set(spill.subarray(0, dest.length));
    },
    setsockopt(fd, level, name, value) {
      if (s.setsockopt(fd, level, name, value, value.length) < 0) {
        fail("setsockopt");
      }
    },
    getsockopt(fd, level, name, value) {
      byteLen[0] = value.length;
      if (s.getsockopt(fd, level, name, value, byteLen) < 0) fail("getsockopt");
      return byteLen[0]!;
    },
    attachFilter(fd, program) {
      fprog[0] = program.length / Sys.SOCK_FILTER_LENGTH; // unsigned short len (+ padding)
      setPointer(fprog, 2, ffi.ptr(program));
      if (
        s.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_ATTACH_FILTER, fprog, 16) < 0
      ) fail("setsockopt");
    },
    close(fd) {
      if (s.close(fd) < 0 && errnoView[0] !== EINTR) fail("close");
    },
    poll(fds, timeoutMs) {
      const r = s.poll(fds, fds.length >> 3, timeoutMs);
      if (r >= 0) return r;
      return errnoView[0] === EINTR ? 0 : fail("poll");
    },
    poller(fd, wakeFd) {
      return new BunPoller(groups, libc, fd, wakeFd);
    },
    eventfd(initval, flags) {
      const fd = s.eventfd(initval, flags);
      return fd < 0 ? fail("eventfd") : fd;
    },
    read(fd, buf) {
      for (;;) {
        const n = s.read(fd, buf, buf.length);
        if (n >= 0) return n;
        const e = errnoView[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("read");
      }
    },
    write(fd, buf) {
      for (;;) {
        const n = s.write(fd, buf, buf.length);
        if (n >= 0) return n;
        const e = errnoView[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("write");
      }
    },
    open(path, flags) {
      const fd = s.open(new TextEncoder().encode(path + "\0"), flags);
      return fd < 0 ? fail("open") : fd;
    },
    setns(fd, nstype) {
      if (s.setns(fd, nstype) < 0) fail("setns");
    },
  };
  return libc;
}

/**
 * Layout of the `Int32Array` shared with `_bun_poll_worker.ts`: a header,
 * then one slot per socket being waited on.
 */
export const Layout = {
  /** Header word: set to 1 to make the worker exit. */
  Exit: 0,
  /** Words before the first slot. */
  Header: 4,
  /** Words per slot. */
  SlotWords: 5,
  /** Slot word: 1 while the main thread waits (set by main, cleared by the worker). */
  Armed: 0,
  /** Slot word: the socket descriptor. */
  Fd: 1,
  /** Slot word: the socket's wake eventfd. */
  WakeFd: 2,
  /** Slot word: `revents` of the socket from the last poll (0: only the eventfd). */
  Result: 3,
  /** Slot word: incremented by the worker when a poll completes (the `Atomics.waitAsync` target). */
  Sequence: 4,
  /** Slots per worker. */
  Slots: 256,
} as const;

/** The members of Bun's `Worker` used here (`ref`/`unref` are Bun/Node extensions). */
interface BunWorker {
  postMessage(message: unknown): void;
  addEventListener(type: "error", listener: (event: Event) => void): void;
  ref(): void;
  unref(): void;
}

/** `Atomics.waitAsync`, which not every TypeScript lib declares. */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/**
 * One Worker blocked in `poll()` on a control eventfd plus, for every armed
 * slot, a socket and its wake eventfd (ffi-notes §2.2: "one Worker can serve
 * many fds with a multi-fd poll plus an eventfd to re-arm or cancel"). It is
 * created on the first wait and lives as long as the process, unref'd (no
 * CPU, does not keep the process alive) while nothing is armed.
 */
class PollGroup {
  readonly control = new Int32Array(
    new SharedArrayBuffer(
      (Layout.Header + Layout.Slots * Layout.SlotWords) * 4,
    ),
  );
  readonly #libc: Libc;
  readonly #ctlFd: number;
  readonly #worker: BunWorker;
  readonly #free: number[] = [];
  readonly #rejects = new Map<number, (e: Error) => void>();
  #armed = 0;
  failure: Error | null = null;

  constructor(libc: Libc) {
    this.#libc = libc;
    this.#ctlFd = libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK);
    for (let i = Layout.Slots - 1; i >= 0; i--) this.#free.push(i);
    const Ctor =
      (globalThis as unknown as { Worker: new (url: string) => BunWorker })
        .Worker;
    const worker = new Ctor(workerUrl());
    worker.unref();
    worker.addEventListener("error", (event) => {
      const detail = (event as { message?: unknown }).message;
      const failure = new UnsupportedPlatformError(
        `Cannot wait for the socket: the Bun poll worker failed${
          typeof detail === "string" ? `: ${detail}` : ""
        }`,
      );
      this.failure = failure;
      worker.unref();
      for (const reject of this.#rejects.values()) reject(failure);
      this.#rejects.clear();
    });
    const start: PollWorkerStart = {
      control: this.control.buffer as SharedArrayBuffer,
      ctlFd: this.#ctlFd,
      layout: { ...Layout },
      libcNames: LIBC_NAMES,
    };
    worker.postMessage(start);
    this.#worker = worker;
  }

  /** True while a slot is free. */
  get hasRoom(): boolean {
    return this.#free.length > 0 && this.failure === null;
  }

  /** Takes a slot for `fd`/`wakeFd`. */
  allocate(fd: number, wakeFd: number): number {
    const slot = this.#free.pop()!;
    const base = Layout.Header + slot * Layout.SlotWords;
    Atomics.store(this.control, base + Layout.Fd, fd);
    Atomics.store(this.control, base + Layout.WakeFd, wakeFd);
    return slot;
  }

  /** Returns a slot that is not armed. */
  release(slot: number): void {
    this.#free.push(slot);
  }

  /** Arms `slot` and resolves with its result when the worker completes it. */
  poll(slot: number): Promise<number> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const c = this.control;
    const base = Layout.Header + slot * Layout.SlotWords;
    const seq = Atomics.load(c, base + Layout.Sequence);
    Atomics.store(c, base + Layout.Armed, 1);
    // A pending poll keeps the process alive (as a pending read would).
    if (this.#armed++ === 0) this.#worker.ref();
    this.#kick();
    const waitAsync =
      (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    const w = waitAsync(c, base + Layout.Sequence, seq);
    return new Promise<number>((resolve, reject) => {
      this.#rejects.set(slot, reject);
      const done = (): void => {
        this.#rejects.delete(slot);
        if (--this.#armed === 0) this.#worker.unref();
        resolve(Atomics.load(c, base + Layout.Result));
      };
      if (w.async) w.value.then(done);
      else done();
    });
  }

  /** Makes the worker rebuild its poll set (control eventfd write). */
  #kick(): void {
    const one = new Uint8Array(8);
    new DataView(one.buffer).setBigUint64(0, 1n, true);
    this.#libc.write(this.#ctlFd, one);
  }
}

/** A Blob URL running {@linkcode pollWorker}: no worker file has to ship beside this one. */
function workerUrl(): string {
  const source = `(${pollWorker.toString()})();\n`;
  return URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
}

/** A socket's slot in a {@linkcode PollGroup}, taken on the first poll. */
class BunPoller implements Poller {
  readonly #groups: PollGroup[];
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #wakeFd: number;
  #group: PollGroup | null = null;
  #slot = -1;

  constructor(groups: PollGroup[], libc: Libc, fd: number, wakeFd: number) {
    this.#groups = groups;
    this.#libc = libc;
    this.#fd = fd;
    this.#wakeFd = wakeFd;
  }

  poll(): Promise<number> {
    if (this.#group === null) {
      let group = this.#groups.find((g) => g.hasRoom);
      if (group === undefined) {
        const failed = this.#groups.find((g) => g.failure !== null);
        if (failed !== undefined) return Promise.reject(failed.failure);
        group = new PollGroup(this.#libc);
        this.#groups.push(group);
      }
      this.#group = group;
      this.#slot = group.allocate(this.#fd, this.#wakeFd);
    }
    return this.#group.poll(this.#slot);
  }

  dispose(): void {
    if (this.#group === null) return;
    this.#group.release(this.#slot);
    this.#group = null;
    this.#slot = -1;
  }
}
