/**
 * Errors raised by netlink operations.
 *
 * @module
 */

import {
  errnoName,
  SyscallError,
  UnsupportedPlatformError,
} from "../ffi/types.ts";
import type { Message, MessageView } from "./message.ts";
import { AttributeDecoder } from "./attribute.ts";
import {
  ATTRIBUTE_HEADER_LENGTH,
  ATTRIBUTE_TYPE_MASK,
  HEADER_LENGTH,
  HeaderFlags,
  HeaderType,
} from "./header.ts";
import { HOST_LITTLE_ENDIAN } from "./_endian.ts";

export { SyscallError, UnsupportedPlatformError };

/**
 * The kernel's extended ACK (`NLMSGERR_ATTR_*` in `linux/netlink.h`), sent
 * with errors (and some ACKs) when `NETLINK_EXT_ACK` is on.
 *
 * @example Read the kernel's explanation of an error
 * ```ts
 * import { type ExtendedAck, HeaderFlags, isNetlinkError } from "@nlkit/netlink/netlink";
 * import { dial, error } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const extAck: ExtendedAck = { message: "Unknown device type" };
 * using conn = dial(([request]) => error(95, request!, extAck));
 * await assert.rejects(
 *   conn.execute({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: new Uint8Array(0) }),
 *   (e) => isNetlinkError(e) && e.extAck?.message === "Unknown device type",
 * );
 * ```
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
  /** The attribute types leading to `missingNest` inside the request we sent, when the request is known. */
  missingNestPath?: number[];
  /** `NLMSGERR_ATTR_COOKIE`: a subsystem-specific cookie. */
  cookie?: Uint8Array;
}

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
    // Known: "ENOENT (errno 2)"; unknown: "errno 4000".
    let message = `Cannot ${op}: ${
      code === `errno ${errno}` ? code : `${code} (errno ${errno})`
    }`;
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
    super(op, 4, options);
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
    super(op, 105, options);
    this.name = "OverrunError";
    this.message =
      `Cannot ${op}: ENOBUFS (errno 105): receive buffer overrun, messages were lost; dump again to resync`;
  }
}

/**
 * Reports whether `e` is a {@linkcode NetlinkError} (or a subclass), by name
 * and shape, so that it works across copies of this package.
 *
 * @param e Any thrown value.
 * @returns True when `e` looks like a `NetlinkError`.
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
  return (e.name === "NetlinkError" || e.name === "DumpInterruptedError" ||
    e.name === "OverrunError") &&
    typeof x.errno === "number" && typeof x.code === "string" &&
    typeof x.op === "string";
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
    if (x.errno === 2 || x.code === "ENOENT") return true;
    e = e.cause;
  }
  return false;
}

/** `NLMSGERR_ATTR_*` in `linux/netlink.h`: the extended ACK attributes. */
const NLMSGERR_ATTR = {
  /** `NLMSGERR_ATTR_MSG`: error message string. */
  MSG: 1,
  /** `NLMSGERR_ATTR_OFFS`: u32 offset of the invalid attribute in the request. */
  OFFS: 2,
  /** `NLMSGERR_ATTR_COOKIE`: arbitrary subsystem-specific cookie. */
  COOKIE: 3,
  /** `NLMSGERR_ATTR_POLICY`: nested policy of the invalid attribute. */
  POLICY: 4,
  /** `NLMSGERR_ATTR_MISS_TYPE`: u32 type of a missing required attribute. */
  MISS_TYPE: 5,
  /** `NLMSGERR_ATTR_MISS_NEST`: u32 offset of the nest where an attribute was missing. */
  MISS_NEST: 6,
} as const;

/** Size of `struct nlmsgerr` without the echoed payload: errno + echoed `nlmsghdr`. */
const NLMSGERR_LENGTH = 4 + HEADER_LENGTH;

/** Deepest nest the attribute-path search descends into (as the attribute decoder). */
const MAX_PATH_DEPTH = 32;

function pad4(n: number): number {
  return n + 3 - ((n + 3) % 4);
}

function readInt32(b: Uint8Array, o: number): number {
  return HOST_LITTLE_ENDIAN
    ? b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)
    : (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

function readUint16(b: Uint8Array, o: number): number {
  return HOST_LITTLE_ENDIAN
    ? b[o]! | (b[o + 1]! << 8)
    : (b[o]! << 8) | b[o + 1]!;
}

/** Where an error message's parts are: errno (negative or 0) and the TLV region. */
interface ErrorLayout {
  bytes: Uint8Array;
  /** Absolute offset of the payload in `bytes`. */
  offset: number;
  /** The errno field as sent: 0 or negative. */
  value: number;
  /** Absolute offset of the extended ACK TLVs, or -1 without `NLM_F_ACK_TLVS`. */
  tlvs: number;
  /** End of the payload in `bytes`. */
  end: number;
}

/**
 * Finds the errno and TLVs of an `NLMSG_ERROR` or `NLMSG_DONE|NLM_F_MULTI`
 * message; null for any other message (or an empty DONE).
 */
function layout(m: Message | MessageView): ErrorLayout | null {
  const h = m.header;
  const isDone = h.type === HeaderType.Done;
  // The kernel always marks the DONE of a dump NLM_F_MULTI. A DONE without
  // it is not a dump end: the connector (NETLINK_CONNECTOR) sends all its
  // messages as NLMSG_DONE with flags 0 and a payload that is no errno.
  if (
    h.type !== HeaderType.Error &&
    !(isDone && (h.flags & HeaderFlags.Multi) !== 0)
  ) return null;
  const what = isDone ? "netlink done message" : "netlink error";
  let bytes: Uint8Array, offset: number, length: number;
  if ("data" in m) {
    bytes = m.data;
    offset = 0;
    length = m.data.length;
  } else {
    bytes = m.bytes;
    offset = m.offset;
    length = m.length;
    if (offset < 0 || offset + length > bytes.length) {
      throw new RangeError(
        `Cannot decode ${what}: view of ${length} bytes at ${offset} is outside its buffer`,
      );
    }
  }
  if (isDone && length === 0) return null;
  if (length < 4) {
    throw new RangeError(
      `Cannot decode ${what}: payload of ${length} bytes is too short for an errno at offset ${HEADER_LENGTH}`,
    );
  }
  const value = readInt32(bytes, offset);
  if (value > 0) {
    throw new RangeError(
      `Cannot decode ${what}: errno field ${value} is positive at offset ${HEADER_LENGTH}`,
    );
  }
  const end = offset + length;
  if ((h.flags & HeaderFlags.AcknowledgeTLVs) === 0) {
    return { bytes, offset, value, tlvs: -1, end };
  }
  if (isDone) return { bytes, offset, value, tlvs: offset + 4, end };
  // NLMSG_ERROR: errno, the echoed request, then the TLVs. With NLM_F_CAPPED
  // only the request's header was echoed, but its nlmsg_len still holds the
  // ORIGINAL length (the Go reference misses this and loses the error).
  if (length < NLMSGERR_LENGTH) {
    throw new RangeError(
      `Cannot decode ${what}: payload of ${length} bytes is too short for the echoed header at offset ${
        HEADER_LENGTH + 4
      }`,
    );
  }
  let skip = NLMSGERR_LENGTH;
  if ((h.flags & HeaderFlags.Capped) === 0) {
    const echoed = readInt32(bytes, offset + 4) >>> 0;
    if (echoed < HEADER_LENGTH) {
      throw new RangeError(
        `Cannot decode ${what}: echoed header length ${echoed} is less than 16 at offset ${
          HEADER_LENGTH + 4
        }`,
      );
    }
    if (echoed > length - 4) {
      throw new RangeError(
        `Cannot decode ${what}: echoed request of ${echoed} bytes exceeds the ${
          length - 4
        } bytes left at offset ${HEADER_LENGTH + 4}`,
      );
    }
    skip = Math.min(4 + pad4(echoed), length);
  }
  return { bytes, offset, value, tlvs: offset + skip, end };
}

/** Reads the request's bytes in request coordinates (0 = its nlmsghdr). */
interface RequestBytes {
  b: Uint8Array;
  /** Request position of `b[0]`. */
  shift: number;
  /** Request position of the end of the message. */
  end: number;
}

function requestBytes(request: Uint8Array | Message): RequestBytes | null {
  if (!(request instanceof Uint8Array)) {
    return {
      b: request.data,
      shift: HEADER_LENGTH,
      end: HEADER_LENGTH + request.data.length,
    };
  }
  if (request.length < HEADER_LENGTH) return null;
  const length = readInt32(request, 0) >>> 0;
  const end = length >= HEADER_LENGTH && length <= request.length
    ? length
    : request.length;
  return { b: request, shift: 0, end };
}

/** True when attributes tile [start, end) exactly (the last may lack padding). */
function tiles(r: RequestBytes, start: number, end: number): boolean {
  let p = start;
  while (p < end) {
    if (end - p < ATTRIBUTE_HEADER_LENGTH) return false;
    const len = readUint16(r.b, p - r.shift);
    if (len < ATTRIBUTE_HEADER_LENGTH || len > end - p) return false;
    p += pad4(len);
  }
  return true;
}

function descend(
  r: RequestBytes,
  start: number,
  end: number,
  target: number,
  depth: number,
): number[] | undefined {
  let p = start;
  while (p < end) {
    const len = readUint16(r.b, p - r.shift);
    const type = readUint16(r.b, p - r.shift + 2) & ATTRIBUTE_TYPE_MASK;
    if (p === target) return [type];
    if (target > p && target < p + len) {
      const inner = p + ATTRIBUTE_HEADER_LENGTH;
      if (
        target < inner || depth >= MAX_PATH_DEPTH || !tiles(r, inner, p + len)
      ) return undefined;
      const sub = descend(r, inner, p + len, target, depth + 1);
      return sub === undefined ? undefined : [type, ...sub];
    }
    p += pad4(len);
  }
  return undefined;
}

/**
 * Finds the attribute at `offset` in a request we sent and returns the
 * attribute types leading to it, outermost first (flag bits removed), as
 * the kernel's `NLMSGERR_ATTR_OFFS` and `NLMSGERR_ATTR_MISS_NEST` point at
 * an attribute header.
 *
 * The family header between the netlink header and the attributes has a
 * size only the family knows (4 bytes for generic netlink, 16 for
 * `ifinfomsg`, 12 for `rtmsg`...), so this searches: for each 4-byte
 * aligned start from 16 up to `offset`, it checks whether attributes from
 * there tile the rest of the message exactly; on the first tiling that has
 * an attribute header at `offset` (descending into attributes whose payload
 * tiles as attributes too) it returns that path. The smallest start is the
 * real one unless the family header itself happens to parse as attributes;
 * such a false start merges into the real chain, so it still gives the
 * right path for any offset inside the real attributes.
 *
 * @param request The request as sent: its encoded bytes (starting with the
 * netlink header) or the message.
 * @param offset The offset from the start of the request's netlink header.
 * @returns The attribute types, or undefined when no attribute starts at `offset`.
 *
 * @example Name the attribute an error points at
 * ```ts
 * import { AttributeEncoder, encodeMessage, findAttributePath } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // A generic netlink request: 4-byte genl header, then attributes.
 * const data = new AttributeEncoder().raw(new Uint8Array([3, 1, 0, 0]))
 *   .uint16(1, 0x15)
 *   .nested(2, (e) => e.string(3, "eth0"))
 *   .encode();
 * const request = encodeMessage({ header: { length: 0, type: 0x10, flags: 5, sequence: 1, pid: 0 }, data });
 * assert.deepEqual(findAttributePath(request, 28), [2]);
 * assert.deepEqual(findAttributePath(request, 32), [2, 3]);
 * assert.equal(findAttributePath(request, 30), undefined);
 * ```
 */
export function findAttributePath(
  request: Uint8Array | Message,
  offset: number,
): number[] | undefined {
  const r = requestBytes(request);
  if (
    r === null || !(offset >= HEADER_LENGTH && offset < r.end) ||
    offset % 4 !== 0
  ) return undefined;
  for (let s = HEADER_LENGTH; s <= offset; s += 4) {
    if (!tiles(r, s, r.end)) continue;
    const path = descend(r, s, r.end, offset, 0);
    if (path !== undefined) return path;
  }
  return undefined;
}

function parseExtendedAck(
  l: ErrorLayout,
  request: Uint8Array | Message | undefined,
): ExtendedAck | null {
  if (l.tlvs < 0 || l.tlvs >= l.end) return null;
  const ext: ExtendedAck = {};
  let any = false;
  const d = new AttributeDecoder(l.bytes, l.tlvs, l.end - l.tlvs);
  while (d.next()) {
    switch (d.type) {
      case NLMSGERR_ATTR.MSG:
        ext.message = d.string();
        break;
      case NLMSGERR_ATTR.OFFS:
        ext.offset = d.uint32();
        break;
      case NLMSGERR_ATTR.COOKIE:
        ext.cookie = d.bytes();
        break;
      case NLMSGERR_ATTR.POLICY:
        ext.policy = d.bytes();
        break;
      case NLMSGERR_ATTR.MISS_TYPE:
        ext.missingType = d.uint32();
        break;
      case NLMSGERR_ATTR.MISS_NEST:
        ext.missingNest = d.uint32();
        break;
      default:
        continue; // a newer kernel's attribute: ignored
    }
    any = true;
  }
  if (!any) return null;
  if (request !== undefined) {
    if (ext.offset !== undefined) {
      const path = findAttributePath(request, ext.offset);
      if (path !== undefined) ext.attributePath = path;
    }
    if (ext.missingNest !== undefined) {
      const path = findAttributePath(request, ext.missingNest);
      if (path !== undefined) ext.missingNestPath = path;
    }
  }
  return ext;
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
  const l = layout(message);
  if (l === null || l.value === 0) return null;
  const extAck = parseExtendedAck(l, request);
  const options: NetlinkErrorOptions = { sequence: message.header.sequence };
  if (extAck !== null) options.extAck = extAck;
  return new NetlinkError(op, -l.value, options);
}

/**
 * Decodes the extended ACK of an `NLMSG_ERROR` (an error or a successful
 * ACK, which may carry `NLMSGERR_ATTR_COOKIE`) or of a failed
 * `NLMSG_DONE`. Returns null when there is none.
 *
 * @param message A received message (or a view of one).
 * @param request The request the reply answers, to resolve offsets into attribute paths.
 * @returns The extended ACK, or null.
 * @throws {RangeError} If the message is malformed (see {@linkcode decodeError}).
 *
 * @example Read the cookie of a successful ACK
 * ```ts
 * import { AttributeEncoder, decodeExtendedAck, HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder()
 *   .raw(new Uint8Array(20)) // errno 0 + the echoed request header
 *   .bytes(3, new Uint8Array([0xca, 0xfe]))
 *   .encode();
 * const flags = HeaderFlags.Capped | HeaderFlags.AcknowledgeTLVs;
 * const ext = decodeExtendedAck({
 *   header: { length: 16 + data.length, type: HeaderType.Error, flags, sequence: 1, pid: 0 },
 *   data,
 * });
 * assert.deepEqual([...ext!.cookie!], [0xca, 0xfe]);
 * ```
 */
export function decodeExtendedAck(
  message: Message | MessageView,
  request?: Uint8Array | Message,
): ExtendedAck | null {
  const l = layout(message);
  if (l === null) return null;
  return parseExtendedAck(l, request);
}
