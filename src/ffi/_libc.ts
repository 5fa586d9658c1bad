/**
 * The one {@linkcode Libc} implementation both runtimes share: errno
 * handling (read right after a failing call, EINTR retried, EAGAIN returned
 * as -1), the `recvmsg` scatter buffers, the BPF program struct and the
 * argument normalisation. A runtime file (`_deno.ts`, `_bun.ts`) only binds
 * the C functions ({@linkcode RawLibc}) and supplies what differs: how to
 * read errno, how to take a buffer's address, how to pass a `size_t`, and
 * how to wait off the JS thread ({@linkcode Poller}).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { SyscallError } from "../netlink/system_errors.ts";
import { type Libc, type Poller, Sys } from "./types.ts";

/** A `size_t` as the runtime passes it fastest (Deno: bigint; Bun: number). */
export type Size = bigint;

/**
 * The C functions, bound by a runtime file. Every one returns the C result
 * (-1 on failure, with errno set); sizes are {@linkcode Size}s, descriptors
 * and flags `i32`, everything pointed to a typed array (or null).
 *
 * @internal
 */
export interface RawLibc {
  getpid(): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  getsockname(fd: number, addr: Uint8Array, len: Uint32Array): number;
  send(fd: number, buf: Uint8Array, len: Size, flags: number): number;
  sendto(
    fd: number,
    buf: Uint8Array,
    len: Size,
    flags: number,
    addr: Uint8Array,
    addrLen: number,
  ): number;
  recvfrom(
    fd: number,
    buf: Uint8Array,
    len: Size,
    flags: number,
    addr: Uint8Array | null,
    addrLen: Uint32Array | null,
  ): number;
  recvmsg(fd: number, msg: Uint8Array, flags: number): number;
  setsockopt(
    fd: number,
    level: number,
    name: number,
    value: Uint8Array,
    len: number,
  ): number;
  getsockopt(
    fd: number,
    level: number,
    name: number,
    value: Uint8Array,
    len: Uint32Array,
  ): number;
  close(fd: number): number;
  poll(fds: Uint8Array, nfds: Size, timeout: number): number;
  eventfd(initval: number, flags: number): number;
  read(fd: number, buf: Uint8Array, len: Size): number;
  write(fd: number, buf: Uint8Array, len: Size): number;
  open(path: Uint8Array, flags: number): number;
  setns(fd: number, nstype: number): number;
  /** `ioctl(fd, request, arg)`: variadic in C, bound with a `u64` third argument. */
  ioctl(fd: number, request: Size, arg: Size): number;
  statx(
    dirfd: number,
    path: Uint8Array,
    flags: number,
    mask: number,
    buf: Uint8Array,
  ): number;
}

/**
 * What a runtime file hands to {@linkcode bindLibc}.
 *
 * @internal
 */
export interface Runtime {
  /** The bound C functions. */
  readonly symbols: RawLibc;
  /** The JS thread's `errno`, as a one-element view over `__errno_location()`. */
  readonly errno: Int32Array;
  /** The address of a buffer's first byte, to store in a struct (`msghdr`, `iovec`, `sock_fprog`). */
  address(buffer: Uint8Array): bigint;
  /** A length as the runtime's `size_t` parameters take it fastest. */
  size(n: number): Size;
  /** Waits for `fd` (or `wakeFd`) off the JS thread; may use the finished bindings. */
  poller(libc: Libc, fd: number, wakeFd: number): Poller;
}

/** Spill area for {@linkcode Libc.recv}: above `KMALLOC_MAX_SIZE` (4 MiB), the largest linear skb. */
const SPILL_LENGTH = 4 << 20;
/** `sizeof(struct msghdr)` and `sizeof(struct iovec[2])` on 64-bit Linux. */
const MSGHDR_LENGTH = 56;
const IOVECS_LENGTH = 32;
/** `sizeof(struct statx)`; `stx_mode` is a u16 at offset 0x1c (`linux/stat.h`). */
const STATX_LENGTH = 256;
const STATX_MODE_OFFSET = 0x1c;

const EMPTY_PATH = new Uint8Array(1); // "" (a lone NUL) for AT_EMPTY_PATH

/**
 * Builds the {@linkcode Libc} bindings over a runtime's C functions.
 *
 * @internal
 * @param rt The runtime's symbols, errno view, address and size conversions, poller.
 * @returns The bindings.
 */
export function bindLibc(rt: Runtime): Libc {
  const s = rt.symbols;
  const errno = rt.errno;
  const size = rt.size;
  const EINTR = Errno.EINTR;
  const EAGAIN = Errno.EAGAIN;
  const fail = (call: string): never => {
    throw new SyscallError(call, errno[0]!);
  };

  // recvmsg state: one msghdr + two iovecs (the caller's buffer, then the
  // spill area), rewritten only when `buf`/`from` change.
  const spill = new Uint8Array(SPILL_LENGTH);
  const msghdr = new Uint8Array(MSGHDR_LENGTH);
  const msgWords = new BigUint64Array(msghdr.buffer);
  const msgInts = new Uint32Array(msghdr.buffer);
  const iov = new Uint8Array(IOVECS_LENGTH);
  const iovWords = new BigUint64Array(iov.buffer);
  iovWords[2] = rt.address(spill);
  iovWords[3] = BigInt(SPILL_LENGTH);
  msgWords[2] = rt.address(iov); // msg_iov
  msgWords[3] = 2n; // msg_iovlen
  let lastBuf: Uint8Array | null = null;
  let lastFrom: Uint8Array | null = null;
  const addrLen = new Uint32Array(1);
  const byteLen = new Uint32Array(1);
  const fprog = new Uint8Array(16); // struct sock_fprog
  const fprogShorts = new Uint16Array(fprog.buffer);
  const fprogWords = new BigUint64Array(fprog.buffer);
  const statxBuf = new Uint8Array(STATX_LENGTH);
  const statxShorts = new Uint16Array(statxBuf.buffer);
  const encoder = new TextEncoder();

  const libc: Libc = {
    spillLength: SPILL_LENGTH,
    getpid: () => s.getpid(),
    socket(domain, type, protocol) {
      const fd = s.socket(domain | 0, type | 0, protocol | 0);
      return fd < 0 ? fail("socket") : fd;
    },
    bind(fd, addr) {
      if (s.bind(fd | 0, addr, addr.length) < 0) fail("bind");
    },
    getsockname(fd, addr) {
      byteLen[0] = addr.length;
      if (s.getsockname(fd | 0, addr, byteLen) < 0) fail("getsockname");
      return byteLen[0]!;
    },
    send(fd, data, flags) {
      for (;;) {
        const n = s.send(fd | 0, data, size(data.length), flags | 0);
        if (n >= 0) return n;
        if (errno[0] !== EINTR) fail("send");
      }
    },
    sendto(fd, data, flags, addr) {
      for (;;) {
        const n = s.sendto(
          fd | 0,
          data,
          size(data.length),
          flags | 0,
          addr,
          addr.length,
        );
        if (n >= 0) return n;
        if (errno[0] !== EINTR) fail("sendto");
      }
    },
    recvfrom(fd, buf, flags, from) {
      for (;;) {
        if (from !== null) addrLen[0] = from.length;
        const n = s.recvfrom(
          fd | 0,
          buf,
          size(buf.length),
          flags | 0,
          from,
          from === null ? null : addrLen,
        );
        if (n >= 0) return n;
        const e = errno[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("recvfrom");
      }
    },
    recv(fd, buf, flags, from) {
      if (buf !== lastBuf) {
        iovWords[0] = rt.address(buf);
        iovWords[1] = BigInt(buf.length);
        lastBuf = buf;
      }
      if (from !== lastFrom) {
        msgWords[0] = rt.address(from);
        lastFrom = from;
      }
      for (;;) {
        msgInts[2] = from.length; // msg_namelen, rewritten by the kernel
        const n = s.recvmsg(fd | 0, msghdr, (flags | Sys.MSG_TRUNC) | 0);
        if (n >= 0) return n;
        const e = errno[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("recvmsg");
      }
    },
    takeSpill(dest) {
      dest.set(spill.subarray(0, dest.length));
    },
    setsockopt(fd, level, name, value) {
      if (s.setsockopt(fd | 0, level | 0, name | 0, value, value.length) < 0) {
        fail("setsockopt");
      }
    },
    getsockopt(fd, level, name, value) {
      byteLen[0] = value.length;
      if (s.getsockopt(fd | 0, level | 0, name | 0, value, byteLen) < 0) {
        fail("getsockopt");
      }
      return byteLen[0]!;
    },
    attachFilter(fd, program) {
      fprogShorts[0] = program.length / Sys.SOCK_FILTER_LENGTH; // len (u16)
      fprogWords[1] = rt.address(program);
      const r = s.setsockopt(
        fd | 0,
        Sys.SOL_SOCKET,
        Sys.SO_ATTACH_FILTER,
        fprog,
        fprog.length,
      );
      if (r < 0) fail("setsockopt");
    },
    close(fd) {
      if (s.close(fd | 0) < 0 && errno[0] !== EINTR) fail("close");
    },
    poll(fds, timeoutMs) {
      const r = s.poll(fds, size(fds.length >> 3), timeoutMs | 0);
      if (r >= 0) return r;
      return errno[0] === EINTR ? 0 : fail("poll");
    },
    poller(fd, wakeFd) {
      return rt.poller(libc, fd, wakeFd);
    },
    eventfd(initval, flags) {
      const fd = s.eventfd(initval >>> 0, flags | 0);
      return fd < 0 ? fail("eventfd") : fd;
    },
    read(fd, buf) {
      for (;;) {
        const n = s.read(fd | 0, buf, size(buf.length));
        if (n >= 0) return n;
        const e = errno[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("read");
      }
    },
    write(fd, buf) {
      for (;;) {
        const n = s.write(fd | 0, buf, size(buf.length));
        if (n >= 0) return n;
        const e = errno[0]!;
        if (e === EAGAIN) return -1;
        if (e !== EINTR) fail("write");
      }
    },
    open(path, flags) {
      if (path.includes("\0")) {
        throw new TypeError(
          `Cannot open ${JSON.stringify(path)}: the path contains a NUL byte`,
        );
      }
      const bytes = encoder.encode(path + "\0");
      for (;;) {
        const fd = s.open(bytes, flags | 0);
        if (fd >= 0) return fd;
        if (errno[0] !== EINTR) fail("open");
      }
    },
    setns(fd, nstype) {
      if (s.setns(fd | 0, nstype | 0) < 0) fail("setns");
    },
    ioctl(fd, request) {
      for (;;) {
        const r = s.ioctl(fd | 0, size(request >>> 0), size(0));
        if (r >= 0) return r;
        if (errno[0] !== EINTR) fail("ioctl");
      }
    },
    fileMode(fd) {
      statxBuf.fill(0);
      const r = s.statx(
        fd | 0,
        EMPTY_PATH,
        Sys.AT_EMPTY_PATH,
        Sys.STATX_TYPE,
        statxBuf,
      );
      if (r < 0) fail("statx");
      return statxShorts[STATX_MODE_OFFSET >> 1]!;
    },
  };
  return libc;
}
