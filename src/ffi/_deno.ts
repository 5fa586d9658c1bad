/**
 * {@linkcode Libc} through `Deno.dlopen`. Pointers never leave this file.
 *
 * - errno: `__errno_location()` is looked up once (the pointer is fixed for
 *   the JS thread) and read through a cached `Int32Array` right after a call
 *   fails, before anything else runs.
 * - `usize` parameters are passed as `bigint` (a `number` leaves Deno's fast
 *   path), `ssize_t` results are declared `i32` (lengths stay far below 2³¹).
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
  SyscallError,
  UnsupportedPlatformError,
} from "./types.ts";

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
  __errno_location: { parameters: [], result: "pointer" },
} as const;

const EINTR = 4;
const EAGAIN = 11;
/** Spill area for {@linkcode Libc.recv}: above `KMALLOC_MAX_SIZE` (4 MiB), the largest linear skb. */
const SPILL_LENGTH = 4 << 20;
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
  const s = lib.symbols;
  let errnoView: Int32Array;
  try {
    const p = s.__errno_location();
    if (p === null) throw new Error("__errno_location returned NULL");
    errnoView = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(p, 4));
  } catch (e) {
    lib.close();
    throw new UnsupportedPlatformError(
      "Cannot open libc: cannot read errno; run deno with the unscoped --allow-ffi flag",
      { cause: e },
    );
  }

  const fail = (call: string): never => {
    throw new SyscallError(call, errnoView[0]!);
  };

  // recvmsg state: one msghdr + two iovecs, rebuilt only when `buf`/`from` change.
  const spill = new Uint8Array(SPILL_LENGTH);
  const msghdr = new Uint8Array(56);
  const iov = new Uint8Array(32);
  const msgWords = new BigUint64Array(msghdr.buffer);
  const msgInts = new Uint32Array(msghdr.buffer);
  const iovWords = new BigUint64Array(iov.buffer);
  const address = (b: Uint8Array): bigint =>
    Deno.UnsafePointer.value(Deno.UnsafePointer.of(b));
  iovWords[2] = address(spill);
  iovWords[3] = BigInt(SPILL_LENGTH);
  msgWords[2] = address(iov); // msg_iov
  msgWords[3] = 2n; // msg_iovlen
  let lastBuf: Uint8Array | null = null;
  let lastFrom: Uint8Array | null = null;
  const addrLen = new Uint32Array(1);
  const fprog = new Uint8Array(16);
  const fprogView = new DataView(fprog.buffer);
  const fprogWords = new BigUint64Array(fprog.buffer);
  const byteLen = new Uint32Array(1);

  const libc: Libc = {
    spillLength: SPILL_LENGTH,
    getpid: () => s.getpid(),
    socket(domain, type, protocol) {
      const fd = s.socket(domain | 0, type | 0, protocol | 0);
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
        const n = s.send(fd, data, BigInt(data.length), flags | 0);
        if (n >= 0) return n;
        if (errnoView[0] !== EINTR) fail("send");
      }
    },
    sendto(fd, data, flags, addr) {
      for (;;) {
        const n = s.sendto(
          fd,
          data,
          BigInt(data.length),
          flags | 0,
          addr,
          addr.length,
        );
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
          BigInt(buf.length),
          flags | 0,
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
        iovWords[0] = address(buf);
        iovWords[1] = BigInt(buf.length);
        lastBuf = buf;
      }
      if (from !== lastFrom) {
        msgWords[0] = address(from);
        lastFrom = from;
      }
      for (;;) {
        msgInts[2] = from.length; // msg_namelen, rewritten by the kernel
        const n = s.recvmsg(fd, msghdr, (flags | Sys.MSG_TRUNC) | 0);
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
      if (s.setsockopt(fd, level | 0, name | 0, value, value.length) < 0) {
        fail("setsockopt");
      }
    },
    getsockopt(fd, level, name, value) {
      byteLen[0] = value.length;
      if (s.getsockopt(fd, level | 0, name | 0, value, byteLen) < 0) {
        fail("getsockopt");
      }
      return byteLen[0]!;
    },
    attachFilter(fd, program) {
      fprogView.setUint16(0, program.length / Sys.SOCK_FILTER_LENGTH, true);
      fprogWords[1] = address(program);
      const r = s.setsockopt(
        fd,
        Sys.SOL_SOCKET,
        Sys.SO_ATTACH_FILTER,
        fprog,
        16,
      );
      if (r < 0) fail("setsockopt");
    },
    close(fd) {
      if (s.close(fd) < 0 && errnoView[0] !== EINTR) fail("close");
    },
    poll(fds, timeoutMs) {
      const r = s.poll(fds, BigInt(fds.length >> 3), timeoutMs | 0);
      if (r >= 0) return r;
      return errnoView[0] === EINTR ? 0 : fail("poll");
    },
    poller(fd, wakeFd) {
      return new DenoPoller(lib, fd, wakeFd);
    },
    eventfd(initval, flags) {
      const fd = s.eventfd(initval >>> 0, flags | 0);
      return fd < 0 ? fail("eventfd") : fd;
    },
    read(fd, buf) {
      for (;;) {
        const n = s.read(fd, buf, BigInt(buf.length));
        if (n >= 0) return n;
        const e = errnoView[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("read");
      }
    },
    write(fd, buf) {
      for (;;) {
        const n = s.write(fd, buf, BigInt(buf.length));
        if (n >= 0) return n;
        const e = errnoView[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("write");
      }
    },
    open(path, flags) {
      const fd = s.open(new TextEncoder().encode(path + "\0"), flags | 0);
      return fd < 0 ? fail("open") : fd;
    },
    setns(fd, nstype) {
      if (s.setns(fd, nstype | 0) < 0) fail("setns");
    },
  };
  return libc;
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
