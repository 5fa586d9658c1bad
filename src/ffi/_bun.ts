/**
 * {@linkcode Libc} through `bun:ffi`: the symbol table, the errno view,
 * buffer addresses and the poller; everything else is the shared
 * `_libc.ts`. Pointers (plain numbers in Bun) never leave this file and
 * `_libc.ts`.
 *
 * - `bun:ffi` is typed by the local {@linkcode BunFfi} interface: Deno does
 *   not know the module and JSR forbids `declare module`, so the dynamic
 *   import is cast to it.
 * - errno: `__errno_location()` is looked up once and read through a cached
 *   `Int32Array` right after a call fails.
 * - Bun silently wraps out-of-range `i32` arguments; the netlink layer
 *   validates lengths and flags before they get here (and `_libc.ts`
 *   normalises them with `| 0`).
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
  UnsupportedPlatformError,
} from "./types.ts";
import { bindLibc, type RawLibc, type Size } from "./_libc.ts";
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
  ioctl: { args: ["i32", "u64", "u64"], returns: "i32" },
  statx: { args: ["i32", "buffer", "i32", "u32", "buffer"], returns: "i32" },
  __errno_location: { args: [], returns: "ptr" },
} as const satisfies Record<keyof RawLibc | "__errno_location", BunFfiFunction>;

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

/**
 * Opens libc with `bun:ffi`.
 *
 * @returns The bindings.
 * @throws {UnsupportedPlatformError} When libc cannot be loaded.
 */
export async function openLibc(): Promise<Libc> {
  const ffi = await loadBunFfi();
  const lib = dlopenLibc(ffi, SYMBOLS);
  const raw = lib.symbols as unknown as RawLibc & {
    __errno_location(): number;
  };
  const groups: PollGroup[] = [];
  return bindLibc({
    symbols: raw,
    errno: new Int32Array(ffi.toArrayBuffer(raw.__errno_location(), 0, 4)),
    address: (b) => BigInt(ffi.ptr(b)),
    // Bun takes a number for a usize/u64 parameter at no cost: no bigint per call.
    size: (n) => n as unknown as Size,
    poller: (libc, fd, wakeFd) => new BunPoller(groups, libc, fd, wakeFd),
  });
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
