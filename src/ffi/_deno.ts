/**
 * {@linkcode Libc} through `Deno.dlopen`: the symbol table, the errno view,
 * buffer addresses and the poller; everything else is the shared
 * `_libc.ts`. Pointers never leave this file and `_libc.ts`.
 *
 * - errno: `__errno_location()` is looked up once (the pointer is fixed for
 *   the JS thread) and read through a cached `Int32Array` right after a call
 *   fails, before anything else runs.
 * - `usize` parameters are passed as `bigint` (a `number` leaves Deno's fast
 *   path), `ssize_t` results are declared `i32` (lengths stay far below 2³¹).
 *   The last length converted is kept with its `bigint`: requests repeat
 *   their lengths, and a `BigInt()` per `send` cost 0.3 to 0.5 µs of a
 *   4 to 5 µs NOOP round trip (send + recvmsg through these bindings,
 *   measured A/B in one process on Linux 6.18; a `number` cost 0.6 to 0.9
 *   µs more).
 * - Waiting for multicast: `poll` bound a second time with
 *   `nonblocking: true` runs on a tokio blocking thread, so its errno is not
 *   readable here; a failure (-1, e.g. EINTR) is treated as a spurious
 *   wake-up and the synchronous receive that follows reports any real error.
 *
 * @module
 */

import {
  type Libc,
  type Poller,
  Sys,
  UnsupportedPlatformError,
} from "./types.ts";
import { bindLibc, type RawLibc } from "./_libc.ts";

/** The C functions we bind, as data (`name:` binds `poll` twice). */
const SYMBOLS = {
  getpid: { parameters: [], result: "i32" },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "i32",
  },
  recvfrom: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"],
    result: "i32",
  },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  close: { parameters: ["i32"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  poll_nb: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  setns: { parameters: ["i32", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "u64"], result: "i32" },
  statx: {
    parameters: ["i32", "buffer", "i32", "u32", "buffer"],
    result: "i32",
  },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

const LIBC_NAMES = ["libc.so.6", "libc.so"];

type DenoLib = Deno.DynamicLibrary<typeof SYMBOLS>;

function dlopen(): DenoLib {
  // Ask first, so that a terminal run without --allow-ffi gets our one-line
  // explanation instead of Deno's interactive permission prompt.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    throw new UnsupportedPlatformError(
      "Cannot open libc: FFI is not permitted; run deno with --allow-ffi (unscoped: errno is read through a pointer view)",
    );
  }
  let last: unknown;
  for (const name of LIBC_NAMES) {
    try {
      return Deno.dlopen(name, SYMBOLS);
    } catch (e) {
      if (
        e instanceof Deno.errors.NotCapable ||
        (e instanceof Error && e.name === "NotCapable")
      ) {
        throw new UnsupportedPlatformError(
          "Cannot open libc: FFI is not permitted; run deno with --allow-ffi (unscoped: errno is read through a pointer view)",
          { cause: e },
        );
      }
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
 * Opens libc with `Deno.dlopen`.
 *
 * @returns The bindings.
 * @throws {UnsupportedPlatformError} Without `--allow-ffi`, or without glibc.
 */
export function openLibc(): Libc {
  const lib = dlopen();
  let errno: Int32Array;
  try {
    const p = lib.symbols.__errno_location();
    if (p === null) throw new Error("__errno_location returned NULL");
    errno = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(p, 4));
  } catch (e) {
    lib.close();
    throw new UnsupportedPlatformError(
      "Cannot open libc: cannot read errno; run deno with the unscoped --allow-ffi flag",
      { cause: e },
    );
  }
  return bindLibc({
    // The symbols match RawLibc except for Deno's pointer and buffer typing.
    symbols: lib.symbols as unknown as RawLibc,
    errno,
    address: (b) => Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)),
    size: lastSize(),
    poller: (_libc, fd, wakeFd) => new DenoPoller(lib, fd, wakeFd),
  });
}

/** `BigInt(n)`, the last result kept for the next call with the same `n` (per binding). */
function lastSize(): (n: number) => bigint {
  let n0 = -1;
  let big = 0n;
  return (n) => {
    if (n !== n0) {
      big = BigInt(n);
      n0 = n;
    }
    return big;
  };
}

/** A `poll([fd, wakeFd], -1)` on a tokio blocking thread. */
class DenoPoller implements Poller {
  readonly #lib: DenoLib;
  /** Two `struct pollfd`; kept referenced while a call is pending (Deno does not pin it). */
  readonly #fds = new Int32Array(4);
  readonly #bytes = new Uint8Array(this.#fds.buffer);
  readonly #events = new Int16Array(this.#fds.buffer);

  constructor(lib: DenoLib, fd: number, wakeFd: number) {
    this.#lib = lib;
    this.#fds[0] = fd;
    this.#fds[2] = wakeFd;
    this.#events[2] = Sys.POLLIN;
    this.#events[6] = Sys.POLLIN;
  }

  async poll(): Promise<number> {
    this.#events[3] = 0;
    const r = await this.#lib.symbols.poll_nb(this.#bytes, 2n, -1);
    return r > 0 ? this.#events[3]! : 0;
  }

  dispose(): void {}
}
