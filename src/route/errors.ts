/**
 * Errors that name the object: a kernel error on a route request is thrown
 * again as a `NetlinkError` whose message says what was done to what
 * ("Cannot add address 10.1.2.3/24 to br0: EEXIST (File exists)"), with
 * the kernel's errno, code, extended ACK and sequence, and the original
 * error as `cause`.
 *
 * @module
 */

import { Errno, errnoMessage, errnoName } from "../netlink/errno.ts";
import {
  isNetlinkError,
  NetlinkError,
  type NetlinkErrorOptions,
} from "../netlink/errors.ts";

function text(errno: number): string {
  const code = errnoName(errno);
  return code.startsWith("errno ") ? code : `${code} (${errnoMessage(errno)})`;
}

/**
 * A route request failed: re-labels a kernel `NetlinkError` with what the
 * request did (`what`, such as `add address 10.1.2.3/24 to br0`). Other
 * errors (a `TypeError` for a bad argument, a `PolicyError`...) pass
 * unchanged.
 *
 * @internal
 * @param e What was thrown.
 * @param what What the request did, for "Cannot <what>: ...".
 * @param op The error's `op` (`"add address"`).
 * @returns The error to throw.
 */
export function named(e: unknown, what: string, op: string): unknown {
  if (!isNetlinkError(e) || e.name !== "NetlinkError") return e;
  const options: NetlinkErrorOptions = { cause: e };
  if (e.sequence !== undefined) options.sequence = e.sequence;
  if (e.extAck !== undefined) options.extAck = e.extAck;
  const err = new NetlinkError(op, e.errno, options);
  const ext = e.extAck?.message ? `: ${e.extAck.message}` : "";
  err.message = `Cannot ${what}: ${text(e.errno)}${ext}`;
  return err;
}

/**
 * No link has this name or index: ENOENT, so that `isNotExist(err)` is
 * true, naming the link; the kernel's own error (ENODEV, "No such device")
 * is the `cause` when it answered.
 *
 * @internal
 * @param ref The name or index asked for.
 * @param what What was being done (`set link rt9`).
 * @param cause The kernel's error, when there was one.
 * @returns The error.
 */
export function noSuchLink(
  ref: string | number,
  what: string,
  cause?: unknown,
): NetlinkError {
  const options: NetlinkErrorOptions = {};
  if (cause !== undefined) options.cause = cause;
  if (isNetlinkError(cause)) {
    if (cause.sequence !== undefined) options.sequence = cause.sequence;
    if (cause.extAck !== undefined) options.extAck = cause.extAck;
  }
  const err = new NetlinkError(
    what.split(" ")[0] ?? "get",
    Errno.ENOENT,
    options,
  );
  const label = typeof ref === "number" ? `index ${ref}` : JSON.stringify(ref);
  const kernel = isNetlinkError(cause)
    ? ` (the kernel answered ${cause.code})`
    : "";
  err.message = `Cannot ${what}: ${
    text(Errno.ENOENT)
  }: no link ${label}${kernel}`;
  return err;
}

/**
 * Whether `e` is the kernel saying "no such device" (ENODEV) about a link.
 *
 * @internal
 */
export function isNoDevice(e: unknown): boolean {
  return isNetlinkError(e) && e.errno === Errno.ENODEV;
}
