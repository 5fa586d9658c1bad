/**
 * Running a step inside another network namespace: `setns(2)` moves only the
 * calling thread, which for synchronous FFI calls is the JS thread, so the
 * step (creating a socket) runs there and the thread is moved back at once.
 * A socket keeps the namespace it was created in.
 *
 * @module
 */

import { type Libc, Sys } from "../ffi/mod.ts";

/** The calling thread's own network namespace (the JS thread is the thread-group leader on both runtimes). */
const SELF = "/proc/thread-self/ns/net";

/**
 * Runs `step` with the JS thread inside the network namespace `netns`, then
 * returns the thread to its original namespace, also when `step` or entering
 * fails. Every descriptor opened here is closed before returning.
 *
 * @param libc The libc bindings.
 * @param netns A namespace path (`/var/run/netns/NAME`, `/proc/PID/ns/net`)
 * or an open descriptor of one (not closed here).
 * @param step The work to do inside, synchronously.
 * @returns What `step` returned.
 * @throws {SyscallError} When the namespace cannot be opened or entered
 * (ENOENT, EPERM, EINVAL for a descriptor that is not a network namespace).
 * @throws {TypeError} When `netns` is neither a string nor a descriptor.
 *
 * @internal
 */
export function inNamespace<T>(
  libc: Libc,
  netns: string | number,
  step: () => T,
): T {
  if (typeof netns === "number") {
    if (!Number.isInteger(netns) || netns < 0 || netns > 0x7fff_ffff) {
      throw new TypeError(
        `Cannot enter network namespace: ${netns} is not a file descriptor`,
      );
    }
  } else if (typeof netns !== "string" || netns.length === 0) {
    throw new TypeError(
      "Cannot enter network namespace: want a path or a file descriptor",
    );
  }
  const flags = Sys.O_RDONLY | Sys.O_CLOEXEC;
  const original = libc.open(SELF, flags);
  try {
    const target = typeof netns === "number" ? netns : libc.open(netns, flags);
    try {
      libc.setns(target, Sys.CLONE_NEWNET);
      try {
        return step();
      } finally {
        libc.setns(original, Sys.CLONE_NEWNET);
      }
    } finally {
      if (target !== netns) libc.close(target);
    }
  } finally {
    libc.close(original);
  }
}
