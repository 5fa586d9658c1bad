/**
 * Errors raised by netlink operations.
 *
 * @module
 */

import { Errno, errnoMessage, errnoName } from "./errno.ts";
import { SyscallError, UnsupportedPlatformError } from "./system_errors.ts";
import type { Message, MessageView } from "./message.ts";
import { errorLayout, type ExtendedAck, parseExtendedAck } from "./ext_ack.ts";

export { SyscallError, UnsupportedPlatformError };
export {
  decodeExtendedAck,
  encodeExtendedAck,
  type ExtendedAck,
  findAttributePath,
} from "./ext_ack.ts";

/**
 * Options for {@linkcode NetlinkError}.
 *
 * @example Describe a failure in detail
 * ```ts
 * import { NetlinkError, type NetlinkErrorOptions } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const options: NetlinkErrorOptions = { sequence: 7, detail: "no family \"demo\"" };
 * const err = new NetlinkError("getFamily", 2, options);
 * assert.equal(err.sequence, 7);
 * assert.equal(err.message, 'Cannot getFamily: ENOENT (errno 2): no family "demo"');
 * ```
 */
export interface NetlinkErrorOptions extends ErrorOptions {
  /** The sequence number of the request that failed. */
  sequence?: number;
  /** The kernel's extended ACK. */
  extAck?: ExtendedAck;
  /** What went wrong, when the errno alone does not say it; appended to the message after the errno. */
  detail?: string;
  /**
   * The step that failed and what it worked on, such as
   * `"open /run/netns/blue"`, for a system call failure: the message then
   * reads "Cannot dial: open /run/netns/blue: ENOENT (No such file or
   * directory)", the errno explained in words.
   */
  context?: string;
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
  /**
   * The operation that failed, such as `"execute"` or `"receive"`.
   *
   * @example Which operation failed
   * ```ts
   * import { dial, error } from "@nlkit/netlink/nltest";
   * import type { NetlinkError } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * await using conn = dial(([request]) => error(1, request!));
   * const msg = { header: { length: 0, type: 16, flags: 1, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
   * const err: NetlinkError = await conn.execute(msg).then(() => assert.fail(), (e) => e);
   * assert.equal(err.op, "execute");
   * ```
   */
  readonly op: string;
  /**
   * The positive errno number, such as 95.
   *
   * @example The kernel's errno
   * ```ts
   * import { dial, error } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = dial(([request]) => error(19, request!));
   * const msg = { header: { length: 0, type: 16, flags: 1, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
   * await assert.rejects(conn.execute(msg), { name: "NetlinkError", errno: 19 });
   * ```
   */
  readonly errno: number;
  /**
   * The errno name, such as `"EOPNOTSUPP"`.
   *
   * @example Match the errno by name
   * ```ts
   * import { dial, error } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = dial(([request]) => error(2, request!));
   * const msg = { header: { length: 0, type: 16, flags: 1, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
   * await assert.rejects(conn.execute(msg), { code: "ENOENT" });
   * ```
   */
  readonly code: string;
  /**
   * The request's sequence number, when known.
   *
   * @example The failed request's sequence number
   * ```ts
   * import { dial, error } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = dial(([request]) => error(22, request!));
   * const msg = { header: { length: 0, type: 16, flags: 1, sequence: 42, pid: 0 }, data: new Uint8Array(0) };
   * await assert.rejects(conn.execute(msg), { sequence: 42 });
   * ```
   */
  readonly sequence?: number;
  /**
   * The kernel's extended ACK, when it sent one.
   *
   * @example Read the kernel's extended ACK
   * ```ts
   * import { dial, error } from "@nlkit/netlink/nltest";
   * import type { NetlinkError } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * await using conn = dial(([request]) => error(95, request!, { message: "Unknown device type" }));
   * const msg = { header: { length: 0, type: 16, flags: 1, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
   * const err: NetlinkError = await conn.execute(msg).then(() => assert.fail(), (e) => e);
   * assert.equal(err.extAck?.message, "Unknown device type");
   * ```
   */
  readonly extAck?: ExtendedAck;

  /**
   * Creates the error; the message names the operation, the errno, the
   * detail and the extended ACK.
   *
   * @param op The operation that failed.
   * @param errno The positive errno number.
   * @param options The request's sequence, the extended ACK and a cause.
   */
  constructor(op: string, errno: number, options: NetlinkErrorOptions = {}) {
    const code = errnoName(errno);
    let message: string;
    if (options.context !== undefined) {
      // "open /x: ENOENT (No such file or directory)"
      message = `Cannot ${op}: ${options.context}: ${
        code === `errno ${errno}` ? code : `${code} (${errnoMessage(errno)})`
      }`;
    } else {
      // Known: "ENOENT (errno 2)"; unknown: "errno 4000".
      message = `Cannot ${op}: ${
        code === `errno ${errno}` ? code : `${code} (errno ${errno})`
      }`;
    }
    if (options.detail) message += `: ${options.detail}`;
    const ext = options.extAck;
    if (ext?.message) message += `: ${ext.message}`;
    if (ext?.attributePath && ext.attributePath.length > 0) {
      message += ` (attribute ${ext.attributePath.join(" > ")})`;
    } else if (ext?.offset !== undefined) {
      message += ` (offset ${ext.offset})`;
    }
    if (ext?.missingType !== undefined) {
      message += ` (missing attribute ${ext.missingType}`;
      if (ext.missingNestPath && ext.missingNestPath.length > 0) {
        message += ` in ${ext.missingNestPath.join(" > ")}`;
      }
      message += ")";
    }
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
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
 * @example Using DumpInterruptedError
 * ```ts
 * import { DumpInterruptedError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new DumpInterruptedError("dump", []);
 * assert.equal(err.code, "EINTR");
 * ```
 */
export class DumpInterruptedError extends NetlinkError {
  /**
   * The messages received before and including the interrupted part.
   *
   * @example Keep what an interrupted dump returned
   * ```ts
   * import { type DumpInterruptedError, Family, HeaderFlags } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * kernel.inject({ type: "dumpInterrupted" });
   * await using conn = kernel.dial(Family.Route);
   * const err: DumpInterruptedError = await conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) }).then(() => assert.fail(), (e) => e);
   * assert.equal(err.partial.length, 1); // the loopback link
   * ```
   */
  readonly partial: Message[];

  /**
   * Creates the error with what the dump returned.
   *
   * @param op The operation that was interrupted.
   * @param partial The messages received.
   * @param options The request's sequence and a cause.
   */
  constructor(
    op: string,
    partial: Message[],
    options: NetlinkErrorOptions = {},
  ) {
    super(op, Errno.EINTR, options);
    this.name = "DumpInterruptedError";
    this.message =
      `Cannot ${op}: dump interrupted (NLM_F_DUMP_INTR), the data changed during the dump; ${partial.length} messages received`;
    this.partial = partial;
  }
}

/**
 * The socket's receive buffer overflowed (ENOBUFS) and messages were lost,
 * typically notifications. The connection stays usable; dump again to resync.
 *
 * @example Using OverrunError
 * ```ts
 * import { OverrunError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new OverrunError("receive").code, "ENOBUFS");
 * ```
 */
export class OverrunError extends NetlinkError {
  /**
   * Creates the error.
   *
   * @param op The operation that saw the overrun.
   * @param options A cause (the {@linkcode SyscallError}).
   */
  constructor(op: string, options: NetlinkErrorOptions = {}) {
    super(op, Errno.ENOBUFS, options);
    this.name = "OverrunError";
    this.message =
      `Cannot ${op}: ENOBUFS (errno ${Errno.ENOBUFS}): receive buffer overrun, messages were lost; dump again to resync`;
  }
}

/**
 * Reports whether `e` is a {@linkcode NetlinkError} or any subclass
 * (`DumpInterruptedError`, `OverrunError`, the clients' own such as
 * wireguard's `ConfigureError`), by shape rather than `instanceof` or a
 * list of names, so that it works across copies of this package and for
 * subclasses it does not know: an `Error` with the operation (`op`), the
 * errno (`errno`, a non-negative integer) and its name (`code`).
 * `SyscallError` (it has `syscall`, not `op`), `TypeError`s such as
 * `PolicyError` and sentinels without an errno such as `ScanAbortedError`
 * are not netlink errors.
 *
 * @param e Any thrown value.
 * @returns True when `e` has the shape of a `NetlinkError`.
 *
 * @example Using isNetlinkError
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
  return typeof x.op === "string" && typeof x.code === "string" &&
    Number.isInteger(x.errno) && x.errno! >= 0;
}

/**
 * Reports whether `e` means "does not exist": errno ENOENT from the kernel or
 * a system call, at any layer (a `cause` chain is followed).
 *
 * @param e Any thrown value.
 * @returns True for ENOENT.
 *
 * @example Using isNotExist
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
    if (x.errno === Errno.ENOENT || x.code === "ENOENT") return true;
    e = e.cause;
  }
  return false;
}

/**
 * Turns a reply into the error it carries: an `NLMSG_ERROR` with a non-zero
 * errno, or an `NLMSG_DONE` (with `NLM_F_MULTI`) carrying a negative errno,
 * the way a dump reports failure. Returns null for an ACK (errno 0), a
 * clean DONE and every other message.
 *
 * With `NLM_F_ACK_TLVS` the extended ACK is decoded: every
 * `NLMSGERR_ATTR_*` (message, offset, cookie, policy, missing type, missing
 * nest). The TLVs follow the echoed request, or only its header when
 * `NLM_F_CAPPED` is set. Given the request, the offsets are also turned
 * into attribute paths (see {@linkcode findAttributePath}).
 *
 * @param message A received message (or a view of one).
 * @param op The operation to name in the error, such as `"execute"`.
 * @param request The request the reply answers (its bytes or the message), to resolve offsets.
 * @returns The error, or null when the message reports success or is not an error.
 * @throws {RangeError} If the payload is too short for an errno, the errno
 * is positive, the echoed header is garbled, or the TLVs are malformed.
 *
 * @example Decode an error reply with an extended ACK
 * ```ts
 * import { AttributeEncoder, decodeError, HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // errno -95, the echoed request header (capped), then NLMSGERR_ATTR_MSG.
 * const data = new AttributeEncoder()
 *   .raw(new Uint8Array([0xa1, 0xff, 0xff, 0xff]))
 *   .raw(new Uint8Array([0x20, 0, 0, 0, 0x10, 0, 5, 0, 9, 0, 0, 0, 0, 0, 0, 0]))
 *   .string(1, "Unknown device type")
 *   .encode();
 * const err = decodeError({
 *   header: {
 *     length: 16 + data.length,
 *     type: HeaderType.Error,
 *     flags: HeaderFlags.Capped | HeaderFlags.AcknowledgeTLVs,
 *     sequence: 9,
 *     pid: 0,
 *   },
 *   data,
 * }, "execute");
 * assert.equal(err?.code, "EOPNOTSUPP");
 * assert.equal(err?.sequence, 9);
 * assert.equal(err?.message, "Cannot execute: EOPNOTSUPP (errno 95): Unknown device type");
 * ```
 */
export function decodeError(
  message: Message | MessageView,
  op: string,
  request?: Uint8Array | Message,
): NetlinkError | null {
  const l = errorLayout(message);
  if (l === null || l.value === 0) return null;
  const extAck = parseExtendedAck(l, request);
  const options: NetlinkErrorOptions = { sequence: message.header.sequence };
  if (extAck !== null) options.extAck = extAck;
  return new NetlinkError(op, -l.value, options);
}
