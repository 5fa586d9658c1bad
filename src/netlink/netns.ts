/**
 * Running a step inside another network namespace: `setns(2)` moves only the
 * calling thread, which for synchronous FFI calls is the JS thread, so the
 * step (creating a socket) runs there and the thread is moved back at once.
 * A socket keeps the namespace it was created in.
 *
 * The namespace is given as a name (`"blue"`: `/run/netns/blue`, as
 * `ip netns add` creates it), a path (anything with a slash:
 * `/proc/1234/ns/net`, `./ns`) or an open descriptor. A path is opened
 * non-blocking (a FIFO cannot stall the JS thread) and checked to be a
 * network namespace (`NS_GET_NSTYPE`) before `setns`; every failure names
 * the step and the path.
 *
 * @module
 */

import { type Libc, Sys } from "../ffi/mod.ts";
import { Errno } from "./errno.ts";
import { NetlinkError } from "./errors.ts";

/** The calling thread's own network namespace (the JS thread is the thread-group leader on both runtimes). */
const SELF = "/proc/thread-self/ns/net";
/** Where `ip netns add NAME` bind-mounts a namespace (iproute2's `NETNS_RUN_DIR`). */
export const NETNS_RUN_DIR = "/run/netns";

/** `CLONE_NEW*` (`linux/sched.h`) to the namespace kind's name, for messages. */
const NAMESPACE_KINDS: Record<number, string> = {
  0x00000080: "time", // CLONE_NEWTIME
  0x00020000: "mount", // CLONE_NEWNS
  0x02000000: "cgroup", // CLONE_NEWCGROUP
  0x04000000: "UTS", // CLONE_NEWUTS
  0x08000000: "IPC", // CLONE_NEWIPC
  0x10000000: "user", // CLONE_NEWUSER
  0x20000000: "PID", // CLONE_NEWPID
};

/** `S_IF*` (`linux/stat.h`) to a file kind, for messages. */
const FILE_KINDS: Record<number, string> = {
  [Sys.S_IFIFO]: "a FIFO",
  [Sys.S_IFDIR]: "a directory",
  [Sys.S_IFREG]: "a regular file",
  [Sys.S_IFCHR]: "a character device",
  [Sys.S_IFBLK]: "a block device",
  [Sys.S_IFSOCK]: "a socket",
  [Sys.S_IFLNK]: "a symbolic link",
};

/**
 * Checks a `netns` option and resolves a bare name: a string without a
 * slash names `/run/netns/NAME`; any other string is a path; a number is a
 * descriptor.
 *
 * @internal
 * @param netns The option.
 * @param op The operation to name in errors.
 * @returns The path or descriptor to open.
 * @throws {TypeError} On an empty string, a string with a NUL byte (C would
 * cut the path there), the names `.` and `..`, or a number that is not a
 * descriptor.
 */
export function resolveNetns(
  netns: string | number,
  op = "dial",
): string | number {
  if (typeof netns === "number") {
    if (!Number.isInteger(netns) || netns < 0 || netns > 0x7fff_ffff) {
      throw new TypeError(
        `Cannot ${op}: netns ${netns} is not a file descriptor`,
      );
    }
    return netns;
  }
  if (typeof netns !== "string" || netns.length === 0) {
    throw new TypeError(
      `Cannot ${op}: netns must be a namespace name, a path or a file descriptor`,
    );
  }
  if (netns.includes("\0")) {
    throw new TypeError(
      `Cannot ${op}: netns ${JSON.stringify(netns)} contains a NUL byte`,
    );
  }
  if (netns.includes("/")) return netns;
  if (netns === "." || netns === "..") {
    throw new TypeError(
      `Cannot ${op}: netns ${
        JSON.stringify(netns)
      } is not a namespace name (write "./${netns}" for a path)`,
    );
  }
  return `${NETNS_RUN_DIR}/${netns}`;
}

function syscallErrno(e: unknown): number | undefined {
  const x = e as { name?: unknown; errno?: unknown } | null;
  return x !== null && typeof x === "object" && x.name === "SyscallError" &&
      typeof x.errno === "number"
    ? x.errno
    : undefined;
}

/** Runs one step; a failed system call becomes a NetlinkError naming it. */
function attempt<T>(op: string, context: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    const errno = syscallErrno(e);
    if (errno === undefined) throw e;
    throw new NetlinkError(op, errno, { context, cause: e });
  }
}

/** Throws unless `fd` is a network namespace (`NS_GET_NSTYPE`). */
function checkNetwork(libc: Libc, fd: number, what: string, op: string) {
  let type: number;
  try {
    type = libc.ioctl(fd, Sys.NS_GET_NSTYPE);
  } catch (e) {
    const errno = syscallErrno(e);
    if (errno !== Errno.ENOTTY && errno !== Errno.EINVAL) {
      if (errno === undefined) throw e;
      throw new NetlinkError(op, errno, { context: `check ${what}`, cause: e });
    }
    // Not an nsfs file: say what it is instead.
    let kind = "not a namespace";
    try {
      kind = FILE_KINDS[libc.fileMode(fd) & Sys.S_IFMT] ?? kind;
    } catch {
      // statx unavailable: the generic wording stays.
    }
    throw new NetlinkError(op, Errno.EINVAL, {
      context: `setns ${what}`,
      detail: `${kind}, not a network namespace`,
      cause: e,
    });
  }
  if (type !== Sys.CLONE_NEWNET) {
    const kind = NAMESPACE_KINDS[type];
    throw new NetlinkError(op, Errno.EINVAL, {
      context: `setns ${what}`,
      detail: `${
        kind === undefined
          ? `a namespace of type 0x${type.toString(16)}`
          : `a ${kind} namespace`
      }, not a network namespace`,
    });
  }
}

/**
 * Runs `step` with the JS thread inside the network namespace `netns`, then
 * returns the thread to its original namespace, also when `step` or entering
 * fails. Every descriptor opened here is closed before returning.
 *
 * @param libc The libc bindings.
 * @param netns A namespace name (`"blue"` is `/run/netns/blue`), a path
 * (`/proc/PID/ns/net`) or an open descriptor of one (not closed here).
 * @param step The work to do inside, synchronously.
 * @param op The operation to name in errors; default `"dial"`.
 * @returns What `step` returned.
 * @throws {NetlinkError} When the namespace cannot be opened, is not a
 * network namespace (EINVAL) or cannot be entered (EPERM); the message
 * names the step and the path, as in "Cannot dial: open /run/netns/x:
 * ENOENT (No such file or directory)", and `cause` is the `SyscallError`.
 * @throws {TypeError} When `netns` is not a name, a path or a descriptor
 * (see {@linkcode resolveNetns}).
 *
 * @internal
 */
export function inNamespace<T>(
  libc: Libc,
  netns: string | number,
  step: () => T,
  op = "dial",
): T {
  const where = resolveNetns(netns, op);
  const flags = Sys.O_RDONLY | Sys.O_NONBLOCK | Sys.O_CLOEXEC;
  const what = typeof where === "number" ? `fd ${where}` : where;
  const target = typeof where === "number"
    ? where
    : attempt(op, `open ${where}`, () => libc.open(where, flags));
  try {
    checkNetwork(libc, target, what, op);
    const original = attempt(op, `open ${SELF}`, () => libc.open(SELF, flags));
    try {
      attempt(op, `setns ${what}`, () => libc.setns(target, Sys.CLONE_NEWNET));
      try {
        return step();
      } finally {
        attempt(
          op,
          `setns ${SELF}`,
          () => libc.setns(original, Sys.CLONE_NEWNET),
        );
      }
    } finally {
      libc.close(original);
    }
  } finally {
    if (target !== where) libc.close(target);
  }
}
