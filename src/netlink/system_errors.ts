/**
 * The two errors of the system layer, as pure classes: {@linkcode SyscallError}
 * (a libc call failed with an errno) and {@linkcode UnsupportedPlatformError}
 * (no netlink sockets here). They sit at the bottom of the dependency graph
 * with the errno table (`errno.ts`, their only import), so that `src/ffi`
 * throws them, the netlink layer wraps them and nltest's simulated sockets
 * throw the same classes without importing the FFI layer.
 *
 * @module
 */

import { errnoName } from "./errno.ts";

/**
 * A libc call failed; carries the call, the errno number and its name.
 *
 * @example Inspect a failed call
 * ```ts
 * import { SyscallError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new SyscallError("recvfrom", 11);
 * assert.equal(err.code, "EAGAIN");
 * assert.equal(err.message, "Cannot recvfrom: EAGAIN (errno 11)");
 * ```
 */
export class SyscallError extends Error {
  /**
   * The libc function that failed, such as `"recvfrom"`.
   *
   * @example The call behind a failed dial
   * ```ts
   * import { SyscallError } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * await using first = kernel.dial(0, { pid: 7 });
   * const err = (() => { try { kernel.dial(0, { pid: 7 }); } catch (e) { return e as Error; } })();
   * assert.ok(err?.cause instanceof SyscallError);
   * assert.equal(err.cause.syscall, "bind");
   * ```
   */
  readonly syscall: string;
  /**
   * The positive errno number.
   *
   * @example The errno number
   * ```ts
   * import { SyscallError } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const err = new SyscallError("sendto", 105);
   * assert.equal(err.errno, 105);
   * assert.equal(err.code, "ENOBUFS");
   * ```
   */
  readonly errno: number;
  /**
   * The errno name, such as `"EAGAIN"`.
   *
   * @example Branch on the errno name
   * ```ts
   * import { SyscallError } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const err = new SyscallError("recvfrom", 11);
   * const retry = err.code === "EAGAIN" || err.code === "EINTR";
   * assert.equal(retry, true);
   * ```
   */
  readonly code: string;

  /**
   * Creates the error for a failed libc call.
   *
   * @param syscall The libc function that failed.
   * @param errno The positive errno number read right after the call.
   * @param options Standard error options (`cause`).
   */
  constructor(syscall: string, errno: number, options?: ErrorOptions) {
    const code = errnoName(errno);
    super(`Cannot ${syscall}: ${code} (errno ${errno})`, options);
    this.name = "SyscallError";
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * Netlink sockets are not available here: not Linux, no FFI in this runtime,
 * or FFI not permitted (Deno without `--allow-ffi`). The message says what to do.
 *
 * @example Using UnsupportedPlatformError
 * ```ts
 * import { UnsupportedPlatformError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new UnsupportedPlatformError("Cannot open libc: netlink needs Linux");
 * assert.equal(err.name, "UnsupportedPlatformError");
 * ```
 */
export class UnsupportedPlatformError extends Error {
  /**
   * Creates the error with a message saying what to do.
   *
   * @param message What is missing and what to do about it.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnsupportedPlatformError";
  }
}
