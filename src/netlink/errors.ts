/**
 * Errors raised by netlink operations.
 *
 * @module
 */

import { errnoName, SyscallError, UnsupportedPlatformError } from "../ffi/types.ts";
import type { Message } from "./message.ts";

export { SyscallError, UnsupportedPlatformError };

/**
 * The kernel's extended ACK (`NLMSGERR_ATTR_*` in `linux/netlink.h`), sent
 * with errors (and some ACKs) when `NETLINK_EXT_ACK` is on.
 */
export interface ExtendedAck {
  /** `NLMSGERR_ATTR_MSG`: the kernel's error text. */
  message?: string;
  /** `NLMSGERR_ATTR_OFFS`: offset of the offending attribute, in bytes from the start of the request's netlink header. */
  offset?: number;
  /** The attribute types leading to `offset` inside the request we sent (outermost first), when the request is known. */
  attributePath?: number[];
  /** `NLMSGERR_ATTR_POLICY`: the policy of the rejected attribute (`NL_POLICY_TYPE_ATTR_*` attributes, undecoded). */
  policy?: Uint8Array;
  /** `NLMSGERR_ATTR_MISS_TYPE`: the type of a missing required attribute. */
  missingType?: number;
  /** `NLMSGERR_ATTR_MISS_NEST`: offset of the nest in which `missingType` was missing. */
  missingNest?: number;
  /** `NLMSGERR_ATTR_COOKIE`: a subsystem-specific cookie. */
  cookie?: Uint8Array;
}

/** Options for {@linkcode NetlinkError}. */
export interface NetlinkErrorOptions extends ErrorOptions {
  /** The sequence number of the request that failed. */
  sequence?: number;
  /** The kernel's extended ACK. */
  extAck?: ExtendedAck;
}

/**
 * An operation on a netlink connection failed: the kernel answered with an
 * errno, or a system call failed (then `cause` is the {@linkcode SyscallError}).
 *
 * @example Match an error by code
 * ```ts
 * import { NetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new NetlinkError("execute", 95, {
 *   extAck: { message: "Unknown device type" },
 * });
 * assert.equal(err.code, "EOPNOTSUPP");
 * assert.equal(err.message, "Cannot execute: EOPNOTSUPP (errno 95): Unknown device type");
 * ```
 */
export class NetlinkError extends Error {
  /** The operation that failed, such as `"execute"` or `"receive"`. */
  readonly op: string;
  /** The positive errno number, such as 95. */
  readonly errno: number;
  /** The errno name, such as `"EOPNOTSUPP"`. */
  readonly code: string;
  /** The request's sequence number, when known. */
  readonly sequence?: number;
  /** The kernel's extended ACK, when it sent one. */
  readonly extAck?: ExtendedAck;

  /**
   * @param op The operation that failed.
   * @param errno The positive errno number.
   * @param options The request's sequence, the extended ACK and a cause.
   */
  constructor(op: string, errno: number, options: NetlinkErrorOptions = {}) {
    const code = errnoName(errno);
    let message = `Cannot ${op}: ${code} (errno ${errno})`;
    const ext = options.extAck;
    if (ext?.message) message += `: ${ext.message}`;
    if (ext?.attributePath && ext.attributePath.length > 0) {
      message += ` (attribute ${ext.attributePath.join(" > ")})`;
    } else if (ext?.offset !== undefined) {
      message += ` (offset ${ext.offset})`;
    }
    if (ext?.missingType !== undefined) message += ` (missing attribute ${ext.missingType})`;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NetlinkError";
    this.op = op;
    this.errno = errno;
    this.code = code;
    if (options.sequence !== undefined) this.sequence = options.sequence;
    if (options.extAck !== undefined) this.extAck = options.extAck;
  }
}

/**
 * A dump was marked `NLM_F_DUMP_INTR`: the data changed while the kernel was
 * dumping it, so the result may be inconsistent. `partial` holds what was
 * received; repeat the dump for a consistent view.
 *
 * @example
 * ```ts
 * import { DumpInterruptedError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new DumpInterruptedError("dump", []);
 * assert.equal(err.code, "EINTR");
 * ```
 */
export class DumpInterruptedError extends NetlinkError {
  /** The messages received before and including the interrupted part. */
  readonly partial: Message[];

  /**
   * @param op The operation that was interrupted.
   * @param partial The messages received.
   * @param options The request's sequence and a cause.
   */
  constructor(op: string, partial: Message[], options: NetlinkErrorOptions = {}) {
    super(op, 4, options);
    this.name = "DumpInterruptedError";
    this.message = `Cannot ${op}: dump interrupted (NLM_F_DUMP_INTR), the data changed during the dump; ${partial.length} messages received`;
    this.partial = partial;
  }
}

/**
 * The socket's receive buffer overflowed (ENOBUFS) and messages were lost,
 * typically notifications. The connection stays usable; dump again to resync.
 *
 * @example
 * ```ts
 * import { OverrunError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new OverrunError("receive").code, "ENOBUFS");
 * ```
 */
export class OverrunError extends NetlinkError {
  /**
   * @param op The operation that saw the overrun.
   * @param options A cause (the {@linkcode SyscallError}).
   */
  constructor(op: string, options: NetlinkErrorOptions = {}) {
    super(op, 105, options);
    this.name = "OverrunError";
    this.message = `Cannot ${op}: ENOBUFS (errno 105): receive buffer overrun, messages were lost; dump again to resync`;
  }
}

/**
 * Reports whether `e` is a {@linkcode NetlinkError} (or a subclass), by name
 * and shape, so that it works across copies of this package.
 *
 * @param e Any thrown value.
 * @returns True when `e` looks like a `NetlinkError`.
 *
 * @example
 * ```ts
 * import { isNetlinkError, NetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isNetlinkError(new NetlinkError("execute", 2)));
 * assert.ok(!isNetlinkError(new Error("x")));
 * ```
 */
export function isNetlinkError(e: unknown): e is NetlinkError {
  if (!(e instanceof Error)) return false;
  const x = e as Partial<NetlinkError>;
  return (e.name === "NetlinkError" || e.name === "DumpInterruptedError" ||
    e.name === "OverrunError") && typeof x.errno === "number" && typeof x.code === "string" &&
    typeof x.op === "string";
}

/**
 * Reports whether `e` means "does not exist": errno ENOENT from the kernel or
 * a system call, at any layer (a `cause` chain is followed).
 *
 * @param e Any thrown value.
 * @returns True for ENOENT.
 *
 * @example
 * ```ts
 * import { isNotExist, NetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isNotExist(new NetlinkError("getFamily", 2)));
 * assert.ok(!isNotExist(new NetlinkError("execute", 95)));
 * ```
 */
export function isNotExist(e: unknown): boolean {
  for (let i = 0; i < 8 && e instanceof Error; i++) {
    const x = e as { errno?: unknown; code?: unknown };
    if (x.errno === 2 || x.code === "ENOENT") return true;
    e = e.cause;
  }
  return false;
}
