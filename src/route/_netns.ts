/**
 * Where to move a link: a network namespace given by name, path, open
 * descriptor or process id, turned into the attribute `RTM_SETLINK` takes
 * (`IFLA_NET_NS_FD` or `IFLA_NET_NS_PID`). A name or path is opened here
 * for the request and closed after it.
 *
 * @module
 */

import { openLibc, Sys } from "../ffi/mod.ts";
import { NetlinkError } from "../netlink/errors.ts";
import { resolveNetns } from "../netlink/netns.ts";

/**
 * A network namespace to move a link to: a name (`"blue"`, as `ip netns
 * add` makes: `/run/netns/blue`), a path (`/proc/1234/ns/net`), an open
 * descriptor of one, or `{ pid }` for the namespace of a process.
 */
export type NetnsRef = string | number | { pid: number };

/** The attribute to send and how to release what was opened. */
export interface NetnsTarget {
  /** `netNsFd` or `netNsPid` for the rt-link request. */
  attrs: { netNsFd?: number; netNsPid?: number };
  /** Closes a descriptor opened here (none for an fd or a pid given). */
  close(): void;
}

/**
 * Opens the target namespace of a link move.
 *
 * @internal
 * @param netns The namespace.
 * @param what What is being done, for errors (`set link veth1`).
 * @returns The attribute and a release function.
 * @throws {TypeError} For a reference of the wrong shape.
 * @throws {NetlinkError} When the path cannot be opened (the path and errno named).
 */
export async function openNetns(
  netns: NetnsRef,
  what: string,
): Promise<NetnsTarget> {
  const none = (): void => {};
  if (typeof netns === "object" && netns !== null) {
    const pid = (netns as { pid?: unknown }).pid;
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) {
      throw new TypeError(
        `Cannot ${what}: netns { pid } must be a positive integer`,
      );
    }
    return { attrs: { netNsPid: pid }, close: none };
  }
  const where = resolveNetns(netns, what);
  if (typeof where === "number") {
    return { attrs: { netNsFd: where }, close: none };
  }
  const libc = await openLibc();
  let fd: number;
  try {
    fd = libc.open(where, Sys.O_RDONLY | Sys.O_CLOEXEC | Sys.O_NONBLOCK);
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno !== "number") throw e;
    throw new NetlinkError(what, errno, {
      context: `open ${where}`,
      cause: e,
    });
  }
  return { attrs: { netNsFd: fd }, close: () => libc.close(fd) };
}
