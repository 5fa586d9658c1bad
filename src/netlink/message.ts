/**
 * Netlink message codec: `struct nlmsghdr` plus payload, pure and
 * allocation-light.
 *
 * @module
 */

import { align } from "./align.ts";
import { type Header, HEADER_LENGTH, HeaderType } from "./header.ts";
import { get16, get32, HOST_LITTLE_ENDIAN, put16, put32 } from "./_endian.ts";

/**
 * A netlink message: a decoded header and the payload after it (without padding).
 *
 * @example Round-trip a message
 * ```ts
 * import { decodeMessage, encodeMessage, HeaderFlags, type Message } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const m: Message = {
 *   header: { length: 0, type: 0x10, flags: HeaderFlags.Request, sequence: 1, pid: 0 },
 *   data: new Uint8Array([1, 2, 3, 4]),
 * };
 * const b = encodeMessage(m);
 * assert.equal(b.length, 20);
 * assert.deepEqual(decodeMessage(b), { ...m, header: { ...m.header, length: 20 } });
 * ```
 */
export interface Message {
  /** The decoded `struct nlmsghdr`. */
  header: Header;
  /** The payload: `header.length - 16` bytes after the header. */
  data: Uint8Array;
}

/**
 * A message inside a received datagram, without a copy: the payload is
 * `bytes.subarray(offset, offset + length)`. Views handed to a visitor are
 * reused and valid only during the call.
 *
 * @example Read replies in place with Conn.visit
 * ```ts
 * import { HeaderFlags, type MessageView } from "@nlkit/netlink/netlink";
 * import { dial, multipart } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const reply = (i: number) => ({ header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array([i, 0]) });
 * using conn = dial(() => multipart([reply(7), reply(9)]));
 * const seen: number[] = [];
 * const visitor = (view: MessageView) => seen.push(view.bytes[view.offset]!, view.length);
 * await conn.visit({ header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(0) }, visitor);
 * assert.deepEqual(seen, [7, 2, 9, 2]);
 * ```
 */
export interface MessageView {
  /** The decoded header (reused between calls on the fast path). */
  header: Header;
  /** The whole receive buffer. */
  bytes: Uint8Array;
  /** Offset of the payload (just after the header) in `bytes`. */
  offset: number;
  /** Length of the payload in bytes. */
  length: number;
}

const LE = HOST_LITTLE_ENDIAN;

/** Writes a header whose length is `length` into `b` at `o`, byte by byte. */
function putHeader(b: Uint8Array, o: number, length: number, h: Header): void {
  put32(b, o, length, LE);
  put16(b, o + 4, h.type, LE);
  put16(b, o + 6, h.flags, LE);
  put32(b, o + 8, h.sequence, LE);
  put32(b, o + 12, h.pid, LE);
}

/**
 * Writes a 16-byte `struct nlmsghdr` at `offset`, in host byte order. No
 * checks: the caller guarantees 16 bytes of room and field ranges.
 *
 * @internal
 * @param view The buffer to write into.
 * @param offset Where the header starts.
 * @param h The header fields (`length` is written as given).
 */
export function writeHeader(view: DataView, offset: number, h: Header): void {
  view.setUint32(offset, h.length, LE);
  view.setUint16(offset + 4, h.type, LE);
  view.setUint16(offset + 6, h.flags, LE);
  view.setUint32(offset + 8, h.sequence, LE);
  view.setUint32(offset + 12, h.pid, LE);
}

/**
 * Reads a 16-byte `struct nlmsghdr` at `offset` into `out` (no allocation)
 * and returns `out`. No bounds checks beyond DataView's own.
 *
 * @internal
 * @param view The buffer to read from.
 * @param offset Where the header starts.
 * @param out The header object to fill in.
 * @returns `out`.
 */
export function readHeader(
  view: DataView,
  offset: number,
  out: Header,
): Header {
  out.length = view.getUint32(offset, LE);
  out.type = view.getUint16(offset + 4, LE);
  out.flags = view.getUint16(offset + 6, LE);
  out.sequence = view.getUint32(offset + 8, LE);
  out.pid = view.getUint32(offset + 12, LE);
  return out;
}

function checkField(name: string, v: number, max: number): void {
  // `v >= 0 && v <= max` is false for NaN; `% 1` rejects fractions.
  if (!(v >= 0 && v <= max && v % 1 === 0)) {
    throw new RangeError(
      `Cannot encode netlink message: ${name} ${v} is not an integer from 0 to ${max}`,
    );
  }
}

/** Validates `m` and returns the `nlmsg_len` to write. */
function messageLength(m: Message): number {
  const h = m.header;
  const need = HEADER_LENGTH + m.data.length;
  checkField("type", h.type, 0xffff);
  checkField("flags", h.flags, 0xffff);
  checkField("sequence", h.sequence, 0xffffffff);
  checkField("pid", h.pid, 0xffffffff);
  if (h.length === 0) {
    if (need > 0xfffffffc) {
      throw new RangeError(
        `Cannot encode netlink message: ${m.data.length} bytes of data do not fit in nlmsg_len`,
      );
    }
    return need;
  }
  checkField("length", h.length, 0xfffffffc);
  if (h.length < need) {
    throw new RangeError(
      `Cannot encode netlink message: header length ${h.length} is less than 16 + ${m.data.length} bytes of data`,
    );
  }
  return h.length;
}

/**
 * Encodes one netlink message: the 16-byte header in host byte order, then
 * the data, zero-padded to a multiple of 4 bytes.
 *
 * When `header.length` is 0 it is filled in as `16 + data.length` (the
 * exact length, `NLMSG_LENGTH`, which is what the kernel itself writes).
 * A non-zero length is kept; it must be at least `16 + data.length` (extra
 * room is zero-filled), so data is never silently cut. Unlike the Go
 * reference, an unaligned non-zero length is accepted: the kernel accepts it
 * and the output is padded anyway.
 *
 * @param m The message to encode.
 * @returns A new buffer of `align(length)` bytes.
 * @throws {RangeError} If a header field is out of range or the length is too small for the data.
 *
 * @example Encode a request
 * ```ts
 * import { encodeMessage, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeMessage({
 *   header: { length: 0, type: 0x10, flags: HeaderFlags.Request, sequence: 1, pid: 0 },
 *   data: new Uint8Array([1, 2, 3]),
 * });
 * assert.equal(b.length, 20);
 * assert.equal(b[0], 19); // nlmsg_len = 16 + 3
 * ```
 */
export function encodeMessage(m: Message): Uint8Array<ArrayBuffer> {
  const length = messageLength(m);
  const out = new Uint8Array(align(length));
  putHeader(out, 0, length, m.header);
  out.set(m.data, HEADER_LENGTH);
  return out;
}

/**
 * Encodes several messages into one buffer, as one datagram: each message
 * as {@linkcode encodeMessage} encodes it, padded to 4 bytes, back to back.
 * Every message is checked before anything is written.
 *
 * @param ms The messages to encode.
 * @returns A new buffer holding all messages.
 * @throws {RangeError} If any message is invalid (see {@linkcode encodeMessage}).
 *
 * @example Batch two messages
 * ```ts
 * import { encodeMessages, parseMessages } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const header = { length: 0, type: 0x10, flags: 1, sequence: 1, pid: 0 };
 * const b = encodeMessages([
 *   { header, data: new Uint8Array([1]) },
 *   { header: { ...header, sequence: 2 }, data: new Uint8Array(0) },
 * ]);
 * assert.equal(b.length, 20 + 16);
 * assert.deepEqual(parseMessages(b).map((m) => m.header.sequence), [1, 2]);
 * ```
 */
export function encodeMessages(
  ms: readonly Message[],
): Uint8Array<ArrayBuffer> {
  const lengths = new Array<number>(ms.length);
  let total = 0;
  for (let i = 0; i < ms.length; i++) {
    const length = messageLength(ms[i]!);
    lengths[i] = length;
    total += align(length);
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const length = lengths[i]!;
    putHeader(out, pos, length, m.header);
    out.set(m.data, pos + HEADER_LENGTH);
    pos += align(length);
  }
  return out;
}

/**
 * Decodes exactly one netlink message. The buffer must hold the message and
 * at most its padding (up to a multiple of 4 bytes); an unpadded final
 * message is accepted. Use {@linkcode parseMessages} for a datagram that may
 * hold several.
 *
 * @param b The encoded message.
 * @returns The message; `data` is a copy (it does not alias `b`).
 * @throws {RangeError} If `b` is shorter than 16 bytes, the header length is
 * below 16 or beyond `b`, or more than padding follows the message.
 *
 * @example Decode a message
 * ```ts
 * import { decodeMessage } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // deno-fmt-ignore
 * const m = decodeMessage(new Uint8Array([
 *   0x14, 0, 0, 0, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0x14, 0, 0, 0, // header
 *   0x61, 0x62, 0x63, 0x64,                                       // data
 * ]));
 * assert.deepEqual(m.header, { length: 20, type: 2, flags: 0, sequence: 2, pid: 20 });
 * assert.deepEqual([...m.data], [0x61, 0x62, 0x63, 0x64]);
 * ```
 */
export function decodeMessage(b: Uint8Array): Message {
  if (b.length < HEADER_LENGTH) {
    throw new RangeError(`Cannot decode netlink message: ${b.length} bytes are too short for a 16-byte header at offset 0`);
  }
  const length = (get32(b, 0, LE) >>> 0);
  if (length < HEADER_LENGTH) {
    throw new RangeError(`Cannot decode netlink message: header length ${length} is less than 16 at offset 0`);
  }
  if (length > b.length) {
    throw new RangeError(
      `Cannot decode netlink message: header length ${length} exceeds the ${b.length} bytes given at offset 0`,
    );
  }
  if (b.length > align(length)) {
    throw new RangeError(
      `Cannot decode netlink message: ${b.length - align(length)} bytes follow the message at offset ${
        align(length)
      }; use parseMessages for several messages`,
    );
  }
  const header: Header = {
    length,
    type: get16(b, 4, LE),
    flags: get16(b, 6, LE),
    sequence: (get32(b, 8, LE) >>> 0),
    pid: (get32(b, 12, LE) >>> 0),
  };
  return { header, data: b.slice(HEADER_LENGTH, length) };
}

/** Throws unless a message of `length` fits at `pos` of `end`. Returns the aligned step. */
function step(length: number, pos: number, end: number): number {
  if (length < HEADER_LENGTH) {
    throw new RangeError(
      `Cannot decode netlink message: header length ${length} is less than 16 at offset ${pos}`,
    );
  }
  if (length > end - pos) {
    throw new RangeError(
      `Cannot decode netlink message: header length ${length} exceeds the ${
        end - pos
      } bytes left at offset ${pos}`,
    );
  }
  // An unpadded final message is accepted: the step may pass `end`.
  return align(length);
}

/**
 * Splits one received datagram into messages.
 *
 * Rules (those of the Go reference's `parseMessagesIter`, vectors §1.5, with
 * one relaxation): messages follow each other at 4-byte aligned offsets while
 * at least 16 bytes remain; fewer than 16 trailing bytes are ignored; a
 * header length below 16 or beyond the end throws. Unlike Go, the final
 * message may lack its padding (a datagram of exactly `nlmsg_len` bytes).
 *
 * The bytes are copied once per call, so `data` of the returned messages
 * never aliases `b` (which may be a reused receive buffer); the messages'
 * `data` are views into that one copy.
 *
 * @param b One datagram.
 * @returns Its messages in order (empty for fewer than 16 bytes).
 * @throws {RangeError} If a header length is below 16 or runs past the end.
 *
 * @example Parse a datagram of two messages
 * ```ts
 * import { encodeMessages, parseMessages } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const header = { length: 0, type: 0x10, flags: 2, sequence: 7, pid: 0 };
 * const datagram = encodeMessages([
 *   { header, data: new Uint8Array([1, 2, 3, 4]) },
 *   { header: { ...header, type: 3 }, data: new Uint8Array(4) },
 * ]);
 * const ms = parseMessages(datagram);
 * assert.deepEqual(ms.map((m) => m.header.type), [0x10, 3]);
 * ```
 */
export function parseMessages(b: Uint8Array): Message[] {
  const out: Message[] = [];
  if (b.length < HEADER_LENGTH) return out;
  // One copy for the whole datagram; every message's data is a view into it.
  const copy = b.slice();
  const end = copy.length;
  let pos = 0;
  while (end - pos >= HEADER_LENGTH) {
    const header: Header = {
      length: get32(copy, pos, LE) >>> 0,
      type: get16(copy, pos + 4, LE),
      flags: get16(copy, pos + 6, LE),
      sequence: get32(copy, pos + 8, LE) >>> 0,
      pid: get32(copy, pos + 12, LE) >>> 0,
    };
    const s = step(header.length, pos, end);
    out.push({
      header,
      data: copy.subarray(pos + HEADER_LENGTH, pos + header.length),
    });
    pos += s;
  }
  return out;
}

/**
 * Calls `fn` for every message in the first `length` bytes of `bytes`,
 * reusing ONE `view` (and its `header` object) for all of them: no object is
 * allocated per message. `view.bytes` is set to `bytes`, `view.offset` and
 * `view.length` to the payload. The view is valid only during the call.
 *
 * The framing rules are those of {@linkcode parseMessages}. Messages before a
 * malformed one have been visited when the RangeError is thrown. An
 * exception thrown by `fn` stops the walk and propagates.
 *
 * No allocation at all: the headers are read byte by byte, or through
 * `dv` when the caller keeps a DataView over its receive buffer.
 *
 * @internal Used by `Conn.visit`; not exported from `mod.ts`.
 * @param bytes The receive buffer.
 * @param length How many bytes of `bytes` hold the datagram.
 * @param view The view to fill in and hand to `fn`.
 * @param fn Called once per message.
 * @param dv Optional: a DataView over the same memory as `bytes` (same
 * `buffer` and `byteOffset`, at least `length` bytes), used to read headers.
 * @returns The number of messages visited.
 * @throws {RangeError} If a header length is below 16 or runs past `length`.
 */
export function visitDatagram(
  bytes: Uint8Array,
  length: number,
  view: MessageView,
  fn: (v: MessageView) => void,
  dv?: DataView,
): number {
  const end = length < bytes.length ? length : bytes.length;
  const header = view.header;
  view.bytes = bytes;
  let pos = 0;
  let n = 0;
  while (end - pos >= HEADER_LENGTH) {
    if (dv !== undefined) {
      readHeader(dv, pos, header);
    } else {
      header.length = get32(bytes, pos, LE) >>> 0;
      header.type = get16(bytes, pos + 4, LE);
      header.flags = get16(bytes, pos + 6, LE);
      header.sequence = get32(bytes, pos + 8, LE) >>> 0;
      header.pid = get32(bytes, pos + 12, LE) >>> 0;
    }
    const s = step(header.length, pos, end);
    view.offset = pos + HEADER_LENGTH;
    view.length = header.length - HEADER_LENGTH;
    n++;
    fn(view);
    pos += s;
  }
  return n;
}

/**
 * The meaning of flag bits 0x100 to 0x800, which depends on the message kind
 * (see {@linkcode formatFlags}).
 *
 * @example The same bit means different things
 * ```ts
 * import { type FlagContext, formatFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const contexts: FlagContext[] = ["get", "new", "delete", "ack"];
 * assert.deepEqual(contexts.map((c) => formatFlags(0x100, c)), ["root", "replace", "nonRecursive", "capped"]);
 * ```
 */
export type FlagContext = "get" | "new" | "delete" | "ack";

const BASE_NAMES = [
  "request",
  "multi",
  "acknowledge",
  "echo",
  "dumpInterrupted",
  "dumpFiltered",
] as const;
// Names of bits 0x100, 0x200, 0x400, 0x800 per context (undefined: no name).
const CONTEXT_NAMES: Record<FlagContext, readonly (string | undefined)[]> = {
  get: ["root", "match", "atomic", undefined],
  new: ["replace", "excl", "create", "append"],
  delete: ["nonRecursive", "bulk", undefined, undefined],
  ack: ["capped", "acknowledgeTLVs", undefined, undefined],
};

/** Picks the context for bits 0x100..0x800 (see formatFlags' rule). */
function flagContext(
  flags: number,
  type: number | FlagContext | undefined,
): FlagContext | undefined {
  if (typeof type === "string") return type;
  if (type === HeaderType.Error || type === HeaderType.Done) return "ack";
  if ((flags & 0xf00) === 0) return undefined;
  if ((flags & 0xc00) !== 0) return "new"; // atomic alone is rare; create/append are common
  if ((flags & 0x300) === 0x300) return "get"; // dump
  return undefined; // 0x100 or 0x200 alone: ambiguous without a context
}

/**
 * Formats netlink header flags as names joined by `|`, such as
 * `"request|acknowledge"` or `"request|dump"`, for logs and error messages.
 *
 * Bits 0x1 to 0x20 always have names (`request`, `multi`, `acknowledge`,
 * `echo`, `dumpInterrupted`, `dumpFiltered`: the {@linkcode HeaderFlags}
 * keys). Bits 0x100 to 0x800 mean different things by message kind, chosen
 * by `type`:
 *
 * - `"get"`: `root`, `match` (both together: `dump`), `atomic`;
 * - `"new"`: `replace`, `excl`, `create`, `append`;
 * - `"delete"`: `nonRecursive`, `bulk`;
 * - `"ack"` or the number `HeaderType.Error` / `HeaderType.Done`: `capped`,
 *   `acknowledgeTLVs`;
 * - any other number or no `type` (family message types cannot tell GET
 *   from NEW in general): bits 0x400/0x800 mean NEW (`create`, `append`),
 *   else 0x300 means `dump`; a lone 0x100 or 0x200 is ambiguous.
 *
 * Bits without a name in the chosen context are printed once, together, in
 * hex (`"request|0x100"`); 0 prints `"0"`.
 *
 * @param flags The `nlmsg_flags` value.
 * @param type The message type, or the kind of message as a {@linkcode FlagContext}.
 * @returns A readable form of `flags`.
 *
 * @example Name flags by context
 * ```ts
 * import { formatFlags, HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatFlags(HeaderFlags.Request | HeaderFlags.Dump), "request|dump");
 * assert.equal(formatFlags(0x605), "request|acknowledge|excl|create");
 * assert.equal(formatFlags(0x200, HeaderType.Error), "acknowledgeTLVs");
 * assert.equal(formatFlags(0x101, "delete"), "request|nonRecursive");
 * assert.equal(formatFlags(0x101), "request|0x100");
 * ```
 */
export function formatFlags(
  flags: number,
  type?: number | FlagContext,
): string {
  if (flags === 0) return "0";
  const parts: string[] = [];
  let rest = flags >>> 0;
  for (let i = 0; i < BASE_NAMES.length; i++) {
    const bit = 1 << i;
    if (rest & bit) {
      parts.push(BASE_NAMES[i]!);
      rest &= ~bit;
    }
  }
  const ctx = flagContext(rest, type);
  if (ctx !== undefined) {
    if (ctx === "get" && (rest & 0x300) === 0x300) {
      parts.push("dump");
      rest &= ~0x300;
    }
    const names = CONTEXT_NAMES[ctx];
    for (let i = 0; i < 4; i++) {
      const bit = 0x100 << i;
      const name = names[i];
      if ((rest & bit) !== 0 && name !== undefined) {
        parts.push(name);
        rest &= ~bit;
      }
    }
  }
  if (rest !== 0) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.join("|");
}
