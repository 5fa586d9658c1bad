/**
 * The extended ACK (`NLMSGERR_ATTR_*`, `linux/netlink.h`) and the kernel's
 * error replies, both ways: the decoder the connection uses on every
 * `NLMSG_ERROR` and failed `NLMSG_DONE`, and the encoder nltest's simulated
 * kernels build their replies with. One codec: what the simulated kernel
 * sends is what the library reads.
 *
 * @module
 */

import { type Message, type MessageView, writeHeader } from "./message.ts";
import { AttributeDecoder, AttributeEncoder } from "./attribute.ts";
import {
  ATTRIBUTE_HEADER_LENGTH,
  ATTRIBUTE_TYPE_MASK,
  AttributeFlags,
  HEADER_LENGTH,
  HeaderFlags,
  HeaderType,
} from "./header.ts";
import { get16, get32, HOST_LITTLE_ENDIAN as LE } from "./_endian.ts";

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
 * `NLMSGERR_ATTR_*` in `linux/netlink.h`: the extended ACK attributes.
 *
 * @internal
 */
export const NLMSGERR_ATTR = {
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
  return get32(b, o, LE);
}

function readUint16(b: Uint8Array, o: number): number {
  return get16(b, o, LE);
}

/**
 * Where the parts of an `NLMSG_ERROR` or a dump's `NLMSG_DONE` are: the errno
 * (negative or 0) and the TLV region.
 *
 * @internal
 */
export interface ErrorLayout {
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
 * message; null for any other message (or an empty DONE). The decoder half
 * of {@linkcode errorReply} and {@linkcode doneReply}.
 *
 * @internal
 * @throws {RangeError} If the payload is too short or garbled.
 */
export function errorLayout(m: Message | MessageView): ErrorLayout | null {
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

/**
 * Decodes the TLVs located by {@linkcode errorLayout}; null when there are none.
 *
 * @internal
 */
export function parseExtendedAck(
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
  const l = errorLayout(message);
  if (l === null) return null;
  return parseExtendedAck(l, request);
}

/**
 * Encodes extended ACK attributes (`NLMSGERR_ATTR_*`) as the kernel appends
 * them to an error reply: every field that is set, in attribute order
 * (`attributePath` and `missingNestPath` are computed by the receiver and
 * not sent). The inverse of {@linkcode decodeExtendedAck}'s TLV part.
 *
 * @param ext The extended ACK.
 * @returns The attributes, empty when no field is set.
 *
 * @example Encode an extended ACK and read it back from an error reply
 * ```ts
 * import { AttributeDecoder, encodeExtendedAck } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const tlvs = encodeExtendedAck({ message: "Unknown device type", offset: 32 });
 * const d = new AttributeDecoder(tlvs);
 * const seen: [number, string | number][] = [];
 * while (d.next()) seen.push([d.type, d.type === 1 ? d.string() : d.uint32()]);
 * assert.deepEqual(seen, [[1, "Unknown device type"], [2, 32]]); // NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS
 * ```
 */
export function encodeExtendedAck(ext: ExtendedAck): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder();
  if (ext.message !== undefined) e.string(NLMSGERR_ATTR.MSG, ext.message);
  if (ext.offset !== undefined) e.uint32(NLMSGERR_ATTR.OFFS, ext.offset);
  if (ext.cookie !== undefined) e.bytes(NLMSGERR_ATTR.COOKIE, ext.cookie);
  if (ext.policy !== undefined) {
    e.bytes(NLMSGERR_ATTR.POLICY | AttributeFlags.Nested, ext.policy);
  }
  if (ext.missingType !== undefined) {
    e.uint32(NLMSGERR_ATTR.MISS_TYPE, ext.missingType);
  }
  if (ext.missingNest !== undefined) {
    e.uint32(NLMSGERR_ATTR.MISS_NEST, ext.missingNest);
  }
  return e.encode();
}

/**
 * Options for {@linkcode errorReply}.
 *
 * @internal
 */
export interface ErrorReplyOptions {
  /**
   * Echo only the request's header and set `NLM_F_CAPPED`. Default: only for
   * an ACK (errno 0), as `netlink_ack` does without `NETLINK_CAP_ACK`.
   */
  capped?: boolean;
  /**
   * The extended ACK to append (`NLM_F_ACK_TLVS` when any attribute is
   * sent). As `netlink_ack_tlv_fill`: an ACK carries only `message` and
   * `cookie`; an error carries every field.
   */
  extAck?: ExtendedAck | undefined;
  /** The reply's sequence number; default the request's. */
  sequence?: number;
  /** The reply's port id; default the request's. */
  pid?: number;
}

function checkErrno(errno: number): void {
  if (!Number.isInteger(errno) || errno < 0 || errno > 4095) {
    throw new RangeError(
      `Cannot build error reply: errno ${errno} is not an integer from 0 to 4095`,
    );
  }
}

/**
 * Builds the `NLMSG_ERROR` the kernel sends for `request` (`netlink_ack`):
 * the negative errno, the echoed request (`struct nlmsgerr`: its header,
 * with the original length, then its payload unless capped) and the
 * extended ACK attributes.
 *
 * @internal Shared by nltest's `error`, `ack`, `dial` and `SimKernel`.
 * @param errno The positive errno, or 0 for an ACK.
 * @param request The request answered.
 * @param options Capping, extended ACK, sequence and port id.
 * @returns The message (header length filled in).
 * @throws {RangeError} If `errno` is not an integer from 0 to 4095.
 */
export function errorReply(
  errno: number,
  request: Message,
  options: ErrorReplyOptions = {},
): Message {
  checkErrno(errno);
  const rh = request.header;
  const capped = options.capped ?? errno === 0;
  let tlvs: Uint8Array | null = null;
  const ext = options.extAck;
  if (ext !== undefined) {
    tlvs = encodeExtendedAck(
      errno === 0 ? pick(ext, ["message", "cookie"]) : ext,
    );
  }
  const echoed = capped ? 0 : pad4(request.data.length);
  const tlvLength = tlvs === null ? 0 : tlvs.length;
  const data = new Uint8Array(NLMSGERR_LENGTH + echoed + tlvLength);
  const view = new DataView(data.buffer);
  view.setInt32(0, -errno, LE);
  writeHeader(view, 4, {
    length: rh.length === 0 ? HEADER_LENGTH + request.data.length : rh.length,
    type: rh.type,
    flags: rh.flags,
    sequence: rh.sequence,
    pid: rh.pid,
  });
  if (!capped) data.set(request.data, NLMSGERR_LENGTH);
  if (tlvs !== null) data.set(tlvs, NLMSGERR_LENGTH + echoed);
  let flags = 0;
  if (capped) flags |= HeaderFlags.Capped;
  if (tlvLength > 0) flags |= HeaderFlags.AcknowledgeTLVs;
  return {
    header: {
      length: HEADER_LENGTH + data.length,
      type: HeaderType.Error,
      flags,
      sequence: options.sequence ?? rh.sequence,
      pid: options.pid ?? rh.pid,
    },
    data,
  };
}

/**
 * Options for {@linkcode doneReply}.
 *
 * @internal
 */
export interface DoneReplyOptions {
  /** The dump request's sequence number. */
  sequence: number;
  /** The requester's port id. */
  pid: number;
  /** The extended ACK; only `message` is sent, as `netlink_dump_done` does. */
  extAck?: ExtendedAck | undefined;
  /** More flags, such as `DumpInterrupted` (`NLM_F_MULTI` is always set). */
  flags?: number;
}

/**
 * Builds the `NLMSG_DONE` that ends a dump (`netlink_dump_done`): flagged
 * `NLM_F_MULTI`, the dump's errno (0 on success) as its payload, then the
 * extended ACK message (`NLM_F_ACK_TLVS`) when there is one.
 *
 * @internal Shared by nltest's kernels.
 * @param errno The positive errno the dump failed with, or 0.
 * @param options Sequence, port id, extended ACK, flags.
 * @returns The message (header length filled in).
 * @throws {RangeError} If `errno` is not an integer from 0 to 4095.
 */
export function doneReply(errno: number, options: DoneReplyOptions): Message {
  checkErrno(errno);
  const message = options.extAck?.message;
  const tlvs = message === undefined ? null : encodeExtendedAck({ message });
  const data = new Uint8Array(4 + (tlvs === null ? 0 : tlvs.length));
  new DataView(data.buffer).setInt32(0, -errno, LE);
  let flags = HeaderFlags.Multi | (options.flags ?? 0);
  if (tlvs !== null) {
    data.set(tlvs, 4);
    flags |= HeaderFlags.AcknowledgeTLVs;
  }
  return {
    header: {
      length: HEADER_LENGTH + data.length,
      type: HeaderType.Done,
      flags,
      sequence: options.sequence,
      pid: options.pid,
    },
    data,
  };
}

function pick(ext: ExtendedAck, keys: (keyof ExtendedAck)[]): ExtendedAck {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (ext[k] !== undefined) out[k] = ext[k];
  return out as ExtendedAck;
}
