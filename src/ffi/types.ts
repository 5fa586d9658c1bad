/**
 * Pure types shared by the runtime bindings: errno names, the errors thrown
 * by libc calls, and the {@linkcode Libc} interface. Nothing here touches a
 * runtime.
 *
 * @module
 */

// The errno table and the two system errors are pure modules at the bottom
// of the dependency graph, shared with the netlink layer and nltest (which
// must not import the FFI layer); re-exported here for the FFI layer's callers.
export { Errno, ERRNO_NAMES, errnoName } from "../netlink/errno.ts";
export {
  SyscallError,
  UnsupportedPlatformError,
} from "../netlink/system_errors.ts";

/**
 * Constants for the libc calls below, from `linux/socket.h`, `linux/net.h`,
 * `asm-generic/socket.h`, `linux/netlink.h`, `asm-generic/poll.h`,
 * `linux/eventfd.h`, `asm-generic/fcntl.h` and `linux/sched.h`. The values
 * are the generic ones used by x86_64, arm64, riscv64 and most other Linux
 * architectures.
 */
export const Sys = {
  /** `AF_NETLINK`: the netlink address family. */
  AF_NETLINK: 16,
  /** `SOCK_RAW`: netlink sockets are raw datagram sockets. */
  SOCK_RAW: 3,
  /** `SOCK_NONBLOCK` (`O_NONBLOCK`): calls fail with EAGAIN instead of blocking. */
  SOCK_NONBLOCK: 0o4000,
  /** `SOCK_CLOEXEC` (`O_CLOEXEC`): close the descriptor in spawned programs. */
  SOCK_CLOEXEC: 0o2000000,
  /** `SOL_SOCKET`: the socket-level option namespace. */
  SOL_SOCKET: 1,
  /** `SOL_NETLINK`: the netlink option namespace (`NETLINK_*` options). */
  SOL_NETLINK: 270,
  /** `SO_SNDBUF`: send buffer size (the kernel doubles the value). */
  SO_SNDBUF: 7,
  /** `SO_RCVBUF`: receive buffer size (the kernel doubles the value). */
  SO_RCVBUF: 8,
  /** `SO_SNDBUFFORCE`: like `SO_SNDBUF`, ignoring `wmem_max` (CAP_NET_ADMIN). */
  SO_SNDBUFFORCE: 32,
  /** `SO_RCVBUFFORCE`: like `SO_RCVBUF`, ignoring `rmem_max` (CAP_NET_ADMIN). */
  SO_RCVBUFFORCE: 33,
  /** `SO_ATTACH_FILTER`: attach a classic BPF program (`struct sock_fprog`). */
  SO_ATTACH_FILTER: 26,
  /** `SO_DETACH_FILTER`: remove the attached BPF program. */
  SO_DETACH_FILTER: 27,
  /** `NETLINK_ADD_MEMBERSHIP`: join a multicast group. */
  NETLINK_ADD_MEMBERSHIP: 1,
  /** `NETLINK_DROP_MEMBERSHIP`: leave a multicast group. */
  NETLINK_DROP_MEMBERSHIP: 2,
  /** `MSG_PEEK`: read without removing the datagram from the queue. */
  MSG_PEEK: 0x2,
  /** `MSG_TRUNC`: return the datagram's real length even when it was cut. */
  MSG_TRUNC: 0x20,
  /** `MSG_DONTWAIT`: fail with EAGAIN instead of blocking. */
  MSG_DONTWAIT: 0x40,
  /** `POLLIN`: data to read. */
  POLLIN: 0x1,
  /** `POLLERR`: an error is pending (for netlink: ENOBUFS). */
  POLLERR: 0x8,
  /** `POLLHUP`: hang up. */
  POLLHUP: 0x10,
  /** `POLLNVAL`: the descriptor is not open. */
  POLLNVAL: 0x20,
  /** `EFD_NONBLOCK`: eventfd reads fail with EAGAIN when the counter is 0. */
  EFD_NONBLOCK: 0o4000,
  /** `EFD_CLOEXEC`: close the eventfd in spawned programs. */
  EFD_CLOEXEC: 0o2000000,
  /** `O_RDONLY`. */
  O_RDONLY: 0,
  /** `O_CLOEXEC`. */
  O_CLOEXEC: 0o2000000,
  /** `O_NONBLOCK`: `open(2)` of a FIFO returns at once instead of waiting for a writer. */
  O_NONBLOCK: 0o4000,
  /** `AT_EMPTY_PATH` (`linux/fcntl.h`): `statx(2)` on the descriptor itself. */
  AT_EMPTY_PATH: 0x1000,
  /** `STATX_TYPE` (`linux/stat.h`): ask for the file type bits of `stx_mode`. */
  STATX_TYPE: 0x1,
  /** `S_IFMT` (`linux/stat.h`): the file type bits of a mode. */
  S_IFMT: 0o170000,
  /** `S_IFSOCK`: a socket. */
  S_IFSOCK: 0o140000,
  /** `S_IFLNK`: a symbolic link. */
  S_IFLNK: 0o120000,
  /** `S_IFREG`: a regular file (a namespace file bind-mounted under `/run/netns` is one too). */
  S_IFREG: 0o100000,
  /** `S_IFBLK`: a block device. */
  S_IFBLK: 0o060000,
  /** `S_IFDIR`: a directory. */
  S_IFDIR: 0o040000,
  /** `S_IFCHR`: a character device. */
  S_IFCHR: 0o020000,
  /** `S_IFIFO`: a FIFO. */
  S_IFIFO: 0o010000,
  /** `NS_GET_NSTYPE` (`linux/nsfs.h`, `_IO(0xb7, 0x3)`): the `CLONE_NEW*` type of a namespace descriptor. */
  NS_GET_NSTYPE: 0xb703,
  /** `CLONE_NEWNET`: the network namespace type for `setns(2)`. */
  CLONE_NEWNET: 0x40000000,
  /** `sizeof(struct sockaddr_nl)`. */
  SOCKADDR_NL_LENGTH: 12,
  /** `sizeof(struct sock_filter)`: one classic BPF instruction. */
  SOCK_FILTER_LENGTH: 8,
} as const;

/**
 * An off-thread wait for one descriptor to become readable, created by
 * {@linkcode Libc.poller}. Only numbers cross: the runtime file owns every
 * pointer and thread.
 */
export interface Poller {
  /**
   * Waits, off the JS thread, until `fd` or `wakeFd` is readable (or in
   * error). Resolves with the `revents` of `fd` (0 when only `wakeFd` woke
   * it, or on a spurious wake-up). Costs no CPU while waiting. At most one
   * call may be pending at a time.
   */
  poll(): Promise<number>;
  /**
   * Releases the poller's thread or worker. Call only when no `poll()` is
   * pending. Idempotent.
   */
  dispose(): void;
}

/**
 * The libc calls the netlink layer needs, whatever the runtime. Only numbers,
 * strings and `Uint8Array`s cross this interface; pointers stay in the
 * runtime file. Every method throws {@linkcode SyscallError} (errno and its
 * name, read right after the failing call on the JS thread) unless it says
 * otherwise.
 */
export interface Libc {
  /** `getpid(2)`. */
  getpid(): number;
  /** `socket(2)`; returns the new file descriptor. */
  socket(domain: number, type: number, protocol: number): number;
  /** `bind(2)` with a socket address already encoded into `addr`. */
  bind(fd: number, addr: Uint8Array): void;
  /** `getsockname(2)` into `addr`; returns the address length the kernel reported. */
  getsockname(fd: number, addr: Uint8Array): number;
  /**
   * `send(2)`: for a netlink socket that never called `connect`, the
   * destination is the kernel (port id 0, no groups), with no address to copy
   * in. Returns the number of bytes sent. EINTR is retried.
   */
  send(fd: number, data: Uint8Array, flags: number): number;
  /** `sendto(2)` to `addr`; returns the number of bytes sent. EINTR is retried. */
  sendto(fd: number, data: Uint8Array, flags: number, addr: Uint8Array): number;
  /**
   * `recvfrom(2)` into `buf`, writing the sender's address into `from` when
   * given. With `MSG_TRUNC` the result is the datagram's full length (which
   * may exceed `buf.length`). Returns -1 instead of throwing on EAGAIN;
   * EINTR is retried.
   */
  recvfrom(
    fd: number,
    buf: Uint8Array,
    flags: number,
    from: Uint8Array | null,
  ): number;
  /**
   * Receives one datagram in one `recvmsg(2)` call that scatters it over
   * `buf` and then a spill area owned by the runtime file (4 MiB, larger than
   * any skb the kernel can build), so nothing is cut and no `MSG_PEEK` round
   * is needed. Returns the datagram's full length; when it exceeds
   * `buf.length`, copy the rest with {@linkcode Libc.takeSpill} before any
   * other call. The sender's address goes into `from` (12 bytes). Returns -1
   * on EAGAIN; EINTR is retried. `MSG_TRUNC` is always added, so a result
   * above `buf.length + spill` means the datagram was cut.
   */
  recv(fd: number, buf: Uint8Array, flags: number, from: Uint8Array): number;
  /**
   * Copies bytes `[0, dest.length)` of the spill area filled by the last
   * {@linkcode Libc.recv} into `dest`.
   */
  takeSpill(dest: Uint8Array): void;
  /** The size of the spill area used by {@linkcode Libc.recv}. */
  readonly spillLength: number;
  /** `setsockopt(2)` with the option value encoded into `value`. */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): void;
  /** `getsockopt(2)` into `value`; returns the length the kernel reported. */
  getsockopt(
    fd: number,
    level: number,
    name: number,
    value: Uint8Array,
  ): number;
  /**
   * `setsockopt(SOL_SOCKET, SO_ATTACH_FILTER)` with a `struct sock_fprog`
   * built in the runtime file over `program` (8 bytes per instruction).
   */
  attachFilter(fd: number, program: Uint8Array): void;
  /** `close(2)`. */
  close(fd: number): void;
  /**
   * `poll(2)` on an array of `struct pollfd` encoded into `fds` (8 bytes
   * each), on the JS thread. Returns the number of ready entries; EINTR is
   * reported as 0.
   */
  poll(fds: Uint8Array, timeoutMs: number): number;
  /** Creates an off-thread {@linkcode Poller} for `fd`, woken early by `wakeFd` (an eventfd). */
  poller(fd: number, wakeFd: number): Poller;
  /** `eventfd(2)`; returns the new descriptor. */
  eventfd(initval: number, flags: number): number;
  /** `read(2)`; returns -1 instead of throwing on EAGAIN. */
  read(fd: number, buf: Uint8Array): number;
  /** `write(2)`; returns -1 instead of throwing on EAGAIN. */
  write(fd: number, buf: Uint8Array): number;
  /**
   * `open(2)` of a path (encoded as UTF-8 with a NUL added); returns the
   * descriptor. EINTR is retried.
   *
   * @throws {TypeError} When the path contains a NUL byte (C would cut it there).
   */
  open(path: string, flags: number): number;
  /** `ioctl(2)` with no argument (such as `NS_GET_NSTYPE`); returns the result. EINTR is retried. */
  ioctl(fd: number, request: number): number;
  /** `statx(2)` of a descriptor (`AT_EMPTY_PATH`): its `stx_mode` (file type bits, `S_IFMT`). */
  fileMode(fd: number): number;
  /** `setns(2)`: moves the calling (JS) thread into the namespace behind `fd`. */
  setns(fd: number, nstype: number): void;
}
