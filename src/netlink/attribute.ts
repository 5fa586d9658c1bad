/**
 * Netlink attributes (`struct nlattr` in `linux/netlink.h`): a 4-byte
 * header (`nla_len`, `nla_type`) and a payload padded to 4 bytes.
 *
 * {@linkcode AttributeEncoder} writes typed attributes into one growable
 * buffer; {@linkcode AttributeDecoder} walks them with one `DataView` and
 * offsets, without an object or a copy per attribute.
 *
 * @module
 */

import {
  ATTRIBUTE_HEADER_LENGTH,
  ATTRIBUTE_TYPE_MASK,
  AttributeFlags,
} from "./header.ts";
import {
  get16,
  get32,
  getString,
  HOST_LITTLE_ENDIAN,
  put16,
  put32,
} from "./_endian.ts";

/**
 * One netlink attribute: its type (flag bits included) and its payload (without padding).
 *
 * @example Encode and decode a list of attributes
 * ```ts
 * import { type Attribute, AttributeFlags, decodeAttributes, encodeAttributes } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const attrs: Attribute[] = [
 *   { type: 1, data: new Uint8Array([0x2a]) },
 *   { type: 2 | AttributeFlags.Nested, data: new Uint8Array(0) },
 * ];
 * const b = encodeAttributes(attrs);
 * assert.equal(b.length, 8 + 4); // 5 bytes padded to 8, then an empty nest
 * assert.deepEqual(decodeAttributes(b), attrs);
 * ```
 */
export interface Attribute {
  /** `nla_type`, including the `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER` bits when set. */
  type: number;
  /** The payload, `nla_len - 4` bytes. */
  data: Uint8Array;
}

/**
 * Byte order of a number in an attribute: `"host"` (netlink's default, the
 * machine's order) or `"big"` (network order, as some families use).
 *
 * @example Write a port number in network byte order
 * ```ts
 * import { AttributeEncoder, type ByteOrder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const order: ByteOrder = "big";
 * const b = new AttributeEncoder().uint16(1, 8080, order).encode();
 * assert.deepEqual([...b.subarray(4, 6)], [0x1f, 0x90]);
 * ```
 */
export type ByteOrder = "host" | "big";

/**
 * Options for {@linkcode AttributeEncoder} and {@linkcode AttributeDecoder}.
 *
 * @example A big-endian encoder and decoder
 * ```ts
 * import { AttributeDecoder, AttributeEncoder, type AttributeOptions } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const options: AttributeOptions = { byteOrder: "big" };
 * const b = new AttributeEncoder(options).uint32(1, 0x0a000001).encode();
 * assert.deepEqual([...b.subarray(4)], [10, 0, 0, 1]);
 * const d = new AttributeDecoder(b, 0, b.length, options);
 * assert.ok(d.next());
 * assert.equal(d.uint32(), 0x0a000001);
 * ```
 */
export interface AttributeOptions {
  /** Byte order of numbers when a call does not name one (default `"host"`). */
  byteOrder?: ByteOrder;
}

const LE = HOST_LITTLE_ENDIAN;
const NESTED = AttributeFlags.Nested;
const NET_BYTEORDER = AttributeFlags.NetByteOrder;
const FLAG_BITS = NESTED | NET_BYTEORDER;

/**
 * Largest payload of one attribute: `nla_len` is a u16 that counts the
 * 4-byte header too, so 65535 - 4.
 */
const MAX_DATA = 0xffff - ATTRIBUTE_HEADER_LENGTH;

/**
 * Deepest nesting the encoder and decoder accept. The kernel's own policy
 * recursion stops at 10 levels (`MAX_POLICY_RECURSION_DEPTH`) and real
 * messages nest fewer than 8; 32 leaves headroom while bounding recursion
 * (and stack use) on hostile bytes walked by generic code.
 */
const MAX_DEPTH = 32;

/**
 * First capacity of an encoder's buffer. 256 bytes hold a typical request
 * (a family header and a handful of attributes) in one allocation; bigger
 * messages double from there, so a 64 KiB message costs 9 growths.
 */
const INITIAL_CAPACITY = 256;

/**
 * A zero-length buffer shared by every encoder that has not written yet, so
 * an unused encoder allocates nothing. It cannot be written to.
 */
const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

const UTF8_ENCODER = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function checkType(type: number): void {
  if (!(type >= 0 && type <= 0xffff && type % 1 === 0)) {
    throw new RangeError(
      `Cannot encode attribute type ${type}: must be an integer from 0 to 65535`,
    );
  }
}

function checkDataLength(type: number, n: number): void {
  if (n > MAX_DATA) {
    throw new RangeError(
      `Cannot encode attribute ${type}: ${n} bytes of data exceed the limit of ${MAX_DATA}`,
    );
  }
}

function checkByteOrder(order: ByteOrder | undefined): void {
  if (order !== undefined && order !== "host" && order !== "big") {
    throw new TypeError(
      `Cannot use byte order ${String(order)}: must be "host" or "big"`,
    );
  }
}

/**
 * Encodes attributes back to back, each padded to 4 bytes. `nla_len` is
 * `4 + data.length`; the type is written as given, flag bits included.
 *
 * @param as The attributes.
 * @returns A new buffer.
 * @throws {RangeError} If a type is not a u16 or a payload exceeds 65531 bytes.
 *
 * @example Encode two attributes
 * ```ts
 * import { encodeAttributes } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeAttributes([
 *   { type: 1, data: new Uint8Array([0xff]) },
 *   { type: 2, data: new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd]) },
 * ]);
 * assert.deepEqual([...b], [5, 0, 1, 0, 0xff, 0, 0, 0, 8, 0, 2, 0, 0xaa, 0xbb, 0xcc, 0xdd]);
 * ```
 */
export function encodeAttributes(
  as: readonly Attribute[],
): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (let i = 0; i < as.length; i++) {
    const a = as[i]!;
    checkType(a.type);
    checkDataLength(a.type, a.data.length);
    total += ATTRIBUTE_HEADER_LENGTH + pad4(a.data.length);
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < as.length; i++) {
    const a = as[i]!;
    put16(out, pos, ATTRIBUTE_HEADER_LENGTH + a.data.length, LE);
    put16(out, pos + 2, a.type, LE);
    out.set(a.data, pos + ATTRIBUTE_HEADER_LENGTH);
    pos += ATTRIBUTE_HEADER_LENGTH + pad4(a.data.length);
  }
  return out;
}

/**
 * Decodes a run of attributes into objects (types keep their flag bits).
 * The bytes are copied once; every `data` is a view into that copy, never
 * into `b`. Framing rules are those of {@linkcode AttributeDecoder.next}.
 *
 * @param b The attribute bytes (for example a message payload after its family header).
 * @returns The attributes in order.
 * @throws {RangeError} On a truncated or overlong attribute, naming its offset.
 *
 * @example Decode attributes
 * ```ts
 * import { decodeAttributes } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const as = decodeAttributes(new Uint8Array([5, 0, 1, 0, 0xff, 0, 0, 0, 4, 0, 3, 0x80]));
 * assert.deepEqual(as.map((a) => a.type), [1, 0x8003]);
 * assert.deepEqual([...as[0]!.data], [0xff]);
 * ```
 */
export function decodeAttributes(b: Uint8Array): Attribute[] {
  const out: Attribute[] = [];
  if (b.length === 0) return out;
  const copy = b.slice();
  const d = new AttributeDecoder(copy);
  while (d.next()) {
    out.push({
      type: d.type | d.flags,
      data: copy.subarray(d.offset, d.offset + d.length),
    });
  }
  return out;
}

/**
 * Builds a run of netlink attributes in one growable buffer. Every method
 * returns the encoder, so calls chain; `encode()` returns the bytes.
 *
 * Numbers are written in the encoder's byte order (`"host"` unless the
 * options say `"big"`), or the order a call names. A type that carries
 * `NLA_F_NET_BYTEORDER` is always written big-endian, so it decodes back
 * through {@linkcode AttributeDecoder}. Values out of range throw
 * `RangeError` at the call, which leaves the encoder unchanged.
 *
 * @example Build attributes with a nest
 * ```ts
 * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = new AttributeEncoder()
 *   .uint16(1, 1)
 *   .string(2, "hello world")
 *   .nested(3, (e) => e.uint32(1, 2).uint32(2, 3))
 *   .encode();
 *
 * const d = new AttributeDecoder(b);
 * const got: Record<number, unknown> = {};
 * while (d.next()) {
 *   if (d.type === 1) got[1] = d.uint16();
 *   if (d.type === 2) got[2] = d.string();
 *   if (d.type === 3) d.nested((n) => { while (n.next()) got[30 + n.type] = n.uint32(); });
 * }
 * assert.deepEqual(got, { 1: 1, 2: "hello world", 31: 2, 32: 3 });
 * ```
 */
export class AttributeEncoder {
  #buf: Uint8Array<ArrayBuffer> = EMPTY;
  // Only 64-bit values go through a DataView, created on first use.
  #view: DataView<ArrayBuffer> = EMPTY_VIEW;
  #pos = 0;
  #little: boolean;
  #depth = 0;

  /**
   * Creates an empty encoder; it allocates nothing until the first write.
   *
   * @param options The default byte order of numbers.
   * @throws {TypeError} If the byte order is not `"host"` or `"big"`.
   */
  constructor(options: AttributeOptions = {}) {
    checkByteOrder(options.byteOrder);
    this.#little = options.byteOrder === "big" ? false : LE;
  }

  /**
   * The number of bytes {@linkcode AttributeEncoder.encode} would return now.
   *
   * @example Count the bytes written
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const e = new AttributeEncoder().uint8(1, 7);
   * assert.equal(e.length, 8); // 4-byte header + 1 byte, padded to 4
   * e.flag(2);
   * assert.equal(e.length, 12);
   * ```
   */
  get length(): number {
    return this.#pos;
  }

  #grow(need: number): void {
    let cap = this.#buf.length * 2;
    if (cap < INITIAL_CAPACITY) cap = INITIAL_CAPACITY;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = EMPTY_VIEW;
  }

  #dv(): DataView<ArrayBuffer> {
    if (this.#view === EMPTY_VIEW) this.#view = new DataView(this.#buf.buffer);
    return this.#view;
  }

  /** Writes a header for `n` bytes of data, zeroes its padding, returns the data offset. */
  #header(type: number, n: number): number {
    checkType(type);
    checkDataLength(type, n);
    const start = this.#pos;
    const end = start + ATTRIBUTE_HEADER_LENGTH + pad4(n);
    if (end > this.#buf.length) this.#grow(end);
    const buf = this.#buf;
    put16(buf, start, ATTRIBUTE_HEADER_LENGTH + n, LE);
    put16(buf, start + 2, type, LE);
    // Padding may hold old bytes after reset() or a failed nest.
    for (let q = start + ATTRIBUTE_HEADER_LENGTH + n; q < end; q++) buf[q] = 0;
    this.#pos = end;
    return start + ATTRIBUTE_HEADER_LENGTH;
  }

  #le(type: number, order: ByteOrder | undefined): boolean {
    if ((type & NET_BYTEORDER) !== 0) return false;
    if (order === undefined) return this.#little;
    checkByteOrder(order);
    return order === "host" ? LE : false;
  }

  #int(type: number, what: string, v: number, min: number, max: number): void {
    if (typeof v !== "number") {
      throw new TypeError(
        `Cannot encode attribute ${type} as ${what}: value is not a number`,
      );
    }
    if (!(v >= min && v <= max && v % 1 === 0)) {
      throw new RangeError(
        `Cannot encode attribute ${type} as ${what}: ${v} is not an integer from ${min} to ${max}`,
      );
    }
  }

  #bigint(
    type: number,
    what: string,
    v: bigint,
    min: bigint,
    max: bigint,
  ): void {
    if (typeof v !== "bigint") {
      throw new TypeError(
        `Cannot encode attribute ${type} as ${what}: value is not a bigint`,
      );
    }
    if (v < min || v > max) {
      throw new RangeError(
        `Cannot encode attribute ${type} as ${what}: ${v} is not from ${min} to ${max}`,
      );
    }
  }

  /**
   * Appends an unsigned 8-bit attribute.
   *
   * @param type The attribute type.
   * @param v An integer from 0 to 255.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   *
   * @example Append a uint8
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().uint8(1, 0xff).encode();
   * assert.deepEqual([...b], [5, 0, 1, 0, 0xff, 0, 0, 0]);
   * ```
   */
  uint8(type: number, v: number): this {
    this.#int(type, "uint8", v, 0, 0xff);
    const p = this.#header(type, 1);
    this.#buf[p] = v;
    return this;
  }

  /**
   * Appends an unsigned 16-bit attribute.
   *
   * @param type The attribute type.
   * @param v An integer from 0 to 65535.
   * @param byteOrder Overrides the encoder's byte order for this value.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   *
   * @example Append a uint16 in network byte order
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().uint16(1, 0x0102, "big").encode();
   * assert.deepEqual([...b], [6, 0, 1, 0, 0x01, 0x02, 0, 0]);
   * ```
   */
  uint16(type: number, v: number, byteOrder?: ByteOrder): this {
    this.#int(type, "uint16", v, 0, 0xffff);
    const le = this.#le(type, byteOrder);
    const p = this.#header(type, 2);
    put16(this.#buf, p, v, le);
    return this;
  }

  /**
   * Appends an unsigned 32-bit attribute.
   *
   * @param type The attribute type.
   * @param v An integer from 0 to 2^32 - 1.
   * @param byteOrder Overrides the encoder's byte order for this value.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   *
   * @example Append a uint32 and read it back
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().uint32(1, 0xdeadbeef).encode();
   * const d = new AttributeDecoder(b);
   * assert.ok(d.next());
   * assert.equal(d.uint32(), 0xdeadbeef);
   * ```
   */
  uint32(type: number, v: number, byteOrder?: ByteOrder): this {
    this.#int(type, "uint32", v, 0, 0xffffffff);
    const le = this.#le(type, byteOrder);
    const p = this.#header(type, 4);
    put32(this.#buf, p, v, le);
    return this;
  }

  /**
   * Appends an unsigned 64-bit attribute.
   *
   * @param type The attribute type.
   * @param v A bigint from 0 to 2^64 - 1.
   * @param byteOrder Overrides the encoder's byte order for this value.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   * @throws {TypeError} If `v` is not a bigint.
   *
   * @example Append a uint64 and read it back
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().uint64(1, 2n ** 64n - 1n).encode();
   * assert.equal(b.length, 12);
   * const d = new AttributeDecoder(b);
   * assert.ok(d.next());
   * assert.equal(d.uint64(), 2n ** 64n - 1n);
   * ```
   */
  uint64(type: number, v: bigint, byteOrder?: ByteOrder): this {
    this.#bigint(type, "uint64", v, 0n, 0xffff_ffff_ffff_ffffn);
    const le = this.#le(type, byteOrder);
    const p = this.#header(type, 8);
    this.#dv().setBigUint64(p, v, le);
    return this;
  }

  /**
   * Appends a signed 8-bit attribute.
   *
   * @param type The attribute type.
   * @param v An integer from -128 to 127.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   *
   * @example Append an int8
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().int8(1, -1).encode();
   * assert.deepEqual([...b], [5, 0, 1, 0, 0xff, 0, 0, 0]);
   * assert.throws(() => new AttributeEncoder().int8(1, 128), RangeError);
   * ```
   */
  int8(type: number, v: number): this {
    this.#int(type, "int8", v, -0x80, 0x7f);
    const p = this.#header(type, 1);
    this.#buf[p] = v;
    return this;
  }

  /**
   * Appends a signed 16-bit attribute.
   *
   * @param type The attribute type.
   * @param v An integer from -32768 to 32767.
   * @param byteOrder Overrides the encoder's byte order for this value.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   *
   * @example Append an int16 in network byte order
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().int16(1, -2, "big").encode();
   * assert.deepEqual([...b], [6, 0, 1, 0, 0xff, 0xfe, 0, 0]);
   * ```
   */
  int16(type: number, v: number, byteOrder?: ByteOrder): this {
    this.#int(type, "int16", v, -0x8000, 0x7fff);
    const le = this.#le(type, byteOrder);
    const p = this.#header(type, 2);
    put16(this.#buf, p, v, le);
    return this;
  }

  /**
   * Appends a signed 32-bit attribute.
   *
   * @param type The attribute type.
   * @param v An integer from -2^31 to 2^31 - 1.
   * @param byteOrder Overrides the encoder's byte order for this value.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   *
   * @example Append an int32 and read it back
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().int32(1, -100000).encode();
   * const d = new AttributeDecoder(b);
   * assert.ok(d.next());
   * assert.equal(d.int32(), -100000);
   * ```
   */
  int32(type: number, v: number, byteOrder?: ByteOrder): this {
    this.#int(type, "int32", v, -0x8000_0000, 0x7fff_ffff);
    const le = this.#le(type, byteOrder);
    const p = this.#header(type, 4);
    put32(this.#buf, p, v, le);
    return this;
  }

  /**
   * Appends a signed 64-bit attribute.
   *
   * @param type The attribute type.
   * @param v A bigint from -2^63 to 2^63 - 1.
   * @param byteOrder Overrides the encoder's byte order for this value.
   * @returns This encoder.
   * @throws {RangeError} If `type` or `v` is out of range.
   * @throws {TypeError} If `v` is not a bigint.
   *
   * @example Append an int64 and read it back
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().int64(1, -(2n ** 63n)).encode();
   * const d = new AttributeDecoder(b);
   * assert.ok(d.next());
   * assert.equal(d.int64(), -(2n ** 63n));
   * ```
   */
  int64(type: number, v: bigint, byteOrder?: ByteOrder): this {
    this.#bigint(
      type,
      "int64",
      v,
      -0x8000_0000_0000_0000n,
      0x7fff_ffff_ffff_ffffn,
    );
    const le = this.#le(type, byteOrder);
    const p = this.#header(type, 8);
    this.#dv().setBigInt64(p, v, le);
    return this;
  }

  /**
   * Appends a string attribute: UTF-8 with a terminating NUL added.
   *
   * @param type The attribute type.
   * @param s The string.
   * @returns This encoder.
   * @throws {RangeError} If `type` is out of range or the encoded string exceeds 65530 bytes.
   * @throws {TypeError} If `s` is not a string.
   *
   * @example Append a NUL-terminated string
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().string(3, "lo").encode();
   * assert.deepEqual([...b], [7, 0, 3, 0, 0x6c, 0x6f, 0, 0]);
   * ```
   */
  string(type: number, s: string): this {
    checkType(type);
    if (typeof s !== "string") {
      throw new TypeError(
        `Cannot encode attribute ${type} as string: value is not a string`,
      );
    }
    // UTF-8 needs at least one byte per UTF-16 unit: reject early what cannot fit.
    checkDataLength(type, s.length + 1);
    const start = this.#pos;
    const room = start + ATTRIBUTE_HEADER_LENGTH + s.length * 3 + 4;
    if (room > this.#buf.length) this.#grow(room);
    const b = this.#buf;
    let p = start + ATTRIBUTE_HEADER_LENGTH;
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[p++] = c;
    }
    if (i < s.length) {
      p += UTF8_ENCODER.encodeInto(s.slice(i), b.subarray(p)).written;
    }
    b[p++] = 0;
    const n = p - start - ATTRIBUTE_HEADER_LENGTH;
    checkDataLength(type, n);
    this.#header(type, n); // rewrites the header and zeroes the padding at `start`
    return this;
  }

  /**
   * Appends an attribute holding a copy of `data`.
   *
   * @param type The attribute type.
   * @param data The payload.
   * @returns This encoder.
   * @throws {RangeError} If `type` is out of range or `data` exceeds 65531 bytes.
   *
   * @example Append raw payload bytes
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const mac = new Uint8Array([0x02, 0, 0, 0, 0, 1]);
   * const b = new AttributeEncoder().bytes(1, mac).encode();
   * assert.equal(b.length, 12);
   * assert.deepEqual([...b.subarray(4, 10)], [...mac]);
   * ```
   */
  bytes(type: number, data: Uint8Array): this {
    const p = this.#header(type, data.length);
    this.#buf.set(data, p);
    return this;
  }

  /**
   * Appends a flag attribute (`NLA_FLAG`): a header with no payload.
   *
   * @param type The attribute type.
   * @returns This encoder.
   * @throws {RangeError} If `type` is out of range.
   *
   * @example Append a flag
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().flag(9).encode();
   * assert.deepEqual([...b], [4, 0, 9, 0]);
   * ```
   */
  flag(type: number): this {
    this.#header(type, 0);
    return this;
  }

  /**
   * Appends raw bytes, zero-padded to 4, with no attribute header: for a
   * family header (such as `struct ifinfomsg`) before the attributes, so a
   * whole message payload is built in one buffer.
   *
   * @param data The bytes.
   * @returns This encoder.
   *
   * @example Family header then attributes
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().raw(new Uint8Array([3, 1])).flag(7).encode();
   * assert.deepEqual([...b], [3, 1, 0, 0, 4, 0, 7, 0]);
   * ```
   */
  raw(data: Uint8Array): this {
    const start = this.#pos;
    const end = start + pad4(data.length);
    if (end > this.#buf.length) this.#grow(end);
    if ((data.length & 3) !== 0) put32(this.#buf, end - 4, 0, LE);
    this.#buf.set(data, start);
    this.#pos = end;
    return this;
  }

  /**
   * Appends a nested attribute: `fn` writes the inner attributes into this
   * same encoder, then the nest's length is back-patched. Sets
   * `NLA_F_NESTED` on `type`. If `fn` throws, everything it wrote is
   * discarded and the error propagates.
   *
   * @param type The attribute type (`NLA_F_NESTED` is added).
   * @param fn Writes the nested attributes.
   * @returns This encoder.
   * @throws {RangeError} If `type` is out of range, the nest exceeds 65535 bytes, or nesting exceeds 32 levels.
   *
   * @example Nest attributes
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().nested(1, (e) => e.uint8(2, 5)).encode();
   * // nla_len 12, type 1 | NLA_F_NESTED (0x8000), then the inner attribute
   * assert.deepEqual([...b], [12, 0, 1, 0x80, 5, 0, 2, 0, 5, 0, 0, 0]);
   * ```
   */
  nested(type: number, fn: (e: AttributeEncoder) => void): this {
    checkType(type);
    if (this.#depth >= MAX_DEPTH) {
      throw new RangeError(
        `Cannot encode nested attribute ${type}: nesting exceeds ${MAX_DEPTH} levels`,
      );
    }
    const start = this.#pos;
    const body = start + ATTRIBUTE_HEADER_LENGTH;
    if (body > this.#buf.length) this.#grow(body);
    this.#pos = body;
    this.#depth++;
    try {
      fn(this);
    } catch (e) {
      this.#pos = start;
      throw e;
    } finally {
      this.#depth--;
    }
    const n = this.#pos - start;
    if (n > 0xffff) {
      this.#pos = start;
      throw new RangeError(
        `Cannot encode nested attribute ${type}: ${n} bytes exceed the limit of 65535`,
      );
    }
    put16(this.#buf, start, n, LE);
    put16(this.#buf, start + 2, type | NESTED, LE);
    return this;
  }

  /**
   * Returns a copy of the bytes written so far. The encoder stays usable.
   *
   * @returns The attributes, `length` bytes.
   *
   * @example Copy out the encoded bytes
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const e = new AttributeEncoder().flag(1);
   * const first = e.encode();
   * e.flag(2);
   * assert.equal(first.length, 4); // a copy: later writes do not change it
   * assert.equal(e.encode().length, 8);
   * ```
   */
  encode(): Uint8Array<ArrayBuffer> {
    return this.#buf.slice(0, this.#pos);
  }

  /**
   * Returns the bytes written so far without copying: a view into the
   * encoder's buffer, valid until the next write or `reset()`. For handing
   * the attributes straight to {@linkcode encodeMessage} or `Conn.send`,
   * which copy them anyway.
   *
   * @returns The attributes, `length` bytes.
   *
   * @example Encode a message without an intermediate copy
   * ```ts
   * import { AttributeEncoder, encodeMessage } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const e = new AttributeEncoder().uint32(1, 7);
   * const header = { length: 0, type: 0x10, flags: 1, sequence: 1, pid: 0 };
   * const b = encodeMessage({ header, data: e.view() });
   * assert.equal(b.length, 16 + 8);
   * ```
   */
  view(): Uint8Array<ArrayBuffer> {
    return this.#buf.subarray(0, this.#pos);
  }

  /**
   * Forgets what was written but keeps the buffer, to build another message
   * without allocating again.
   *
   * @returns This encoder.
   *
   * @example Reuse an encoder
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const e = new AttributeEncoder().uint32(1, 1);
   * e.reset().flag(2);
   * assert.deepEqual([...e.encode()], [4, 0, 2, 0]);
   * ```
   */
  reset(): this {
    this.#pos = 0;
    return this;
  }
}

/**
 * Walks a run of netlink attributes in place: `next()` moves to the next
 * one and sets `type`, `flags`, `offset` and `length`; typed getters read
 * the current payload. One `DataView` and offsets, no allocation per
 * attribute.
 *
 * Framing: an attribute whose `nla_len` is below 4 (but not 0) or runs past
 * the end, or 1 to 3 trailing bytes, throw `RangeError` naming the offset.
 * A header with `nla_len` 0 is skipped as 4 bytes of padding. The last
 * attribute may lack its padding.
 *
 * A getter on an attribute of the wrong length throws `RangeError` naming
 * the attribute type and length: there is no error state to check later.
 * Numbers are read in the decoder's byte order, or the order the call
 * names; an attribute with `NLA_F_NET_BYTEORDER` is always read big-endian.
 *
 * @example Iterate attributes of a message payload without copying
 * ```ts
 * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const familyHeader = 4;
 * const payload = new AttributeEncoder().raw(new Uint8Array(familyHeader))
 *   .uint32(1, 42).string(2, "eth0").flag(3).encode();
 * const d = new AttributeDecoder(payload, familyHeader);
 * const seen: unknown[] = [];
 * while (d.next()) {
 *   switch (d.type) {
 *     case 1: seen.push(d.uint32()); break;
 *     case 2: seen.push(d.string()); break;
 *     case 3: seen.push(d.flag()); break;
 *   }
 * }
 * assert.deepEqual(seen, [42, "eth0", true]);
 * ```
 */
export class AttributeDecoder {
  #bytes: Uint8Array;
  #view: DataView | undefined;
  #pos: number;
  #end: number;
  #little: boolean;
  #depth = 0;
  #type = 0;
  #flags = 0;
  #offset = 0;
  #length = 0;

  /**
   * Creates a decoder over `length` bytes of attributes at `offset` in
   * `bytes` (by default all of `bytes`), positioned before the first one.
   *
   * @param bytes The buffer holding the attributes.
   * @param offset Where the attributes start in `bytes`.
   * @param length How many bytes of attributes follow `offset`.
   * @param options The default byte order of numbers.
   * @throws {RangeError} If `offset` and `length` do not lie within `bytes`.
   * @throws {TypeError} If the byte order is not `"host"` or `"big"`.
   */
  constructor(
    bytes: Uint8Array,
    offset: number = 0,
    length: number = bytes.length - offset,
    options: AttributeOptions = {},
  ) {
    if (
      !(offset >= 0 && length >= 0 && offset % 1 === 0 && length % 1 === 0 &&
        offset + length <= bytes.length)
    ) {
      throw new RangeError(
        `Cannot decode attributes: range of ${length} bytes at offset ${offset} is outside the ${bytes.length}-byte buffer`,
      );
    }
    checkByteOrder(options.byteOrder);
    this.#bytes = bytes;
    this.#pos = offset;
    this.#end = offset + length;
    this.#little = options.byteOrder === "big" ? false : LE;
  }

  /**
   * Points this decoder at another run of attributes, keeping its byte
   * order, so one decoder serves every message of a dump without an
   * allocation per message (see `Conn.visit`).
   *
   * @param bytes The buffer holding the attributes.
   * @param offset Where the attributes start in `bytes`.
   * @param length How many bytes of attributes follow `offset`.
   * @returns This decoder, before its first attribute.
   * @throws {RangeError} If `offset` and `length` do not lie within `bytes`.
   *
   * @example Reuse one decoder
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const a = new AttributeEncoder().uint32(1, 10).encode();
   * const b = new AttributeEncoder().uint32(1, 20).encode();
   * const d = new AttributeDecoder(a);
   * let sum = 0;
   * for (const bytes of [a, b]) {
   *   d.reset(bytes);
   *   while (d.next()) sum += d.uint32();
   * }
   * assert.equal(sum, 30);
   * ```
   */
  reset(
    bytes: Uint8Array,
    offset: number = 0,
    length: number = bytes.length - offset,
  ): this {
    if (
      !(offset >= 0 && length >= 0 && offset % 1 === 0 && length % 1 === 0 &&
        offset + length <= bytes.length)
    ) {
      throw new RangeError(
        `Cannot decode attributes: range of ${length} bytes at offset ${offset} is outside the ${bytes.length}-byte buffer`,
      );
    }
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#view = undefined;
    }
    this.#pos = offset;
    this.#end = offset + length;
    this.#type = 0;
    this.#flags = 0;
    this.#offset = 0;
    this.#length = 0;
    return this;
  }

  /**
   * The current attribute's type, without the `NLA_F_*` flag bits.
   *
   * @example Read the type without its flag bits
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().nested(5, () => {}).encode());
   * assert.ok(d.next());
   * assert.equal(d.type, 5);
   * assert.equal(d.flags, 0x8000); // NLA_F_NESTED
   * ```
   */
  get type(): number {
    return this.#type;
  }

  /**
   * The current attribute's flag bits (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`).
   *
   * @example Tell a nest by its flag bits
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * import { AttributeFlags } from "@nlkit/netlink/netlink";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().nested(1, () => {}).flag(2).encode());
   * assert.ok(d.next());
   * assert.equal(d.flags & AttributeFlags.Nested, AttributeFlags.Nested);
   * assert.ok(d.next());
   * assert.equal(d.flags, 0);
   * ```
   */
  get flags(): number {
    return this.#flags;
  }

  /**
   * The current attribute's payload length in bytes (`nla_len - 4`).
   *
   * @example Read the payload length
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().string(1, "abc").encode());
   * assert.ok(d.next());
   * assert.equal(d.length, 4); // "abc" and its NUL, without the 4-byte header
   * ```
   */
  get length(): number {
    return this.#length;
  }

  /**
   * The current attribute's payload offset in the buffer given to the constructor.
   *
   * @example Find the payload in the buffer
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().flag(1).uint8(2, 42).encode();
   * const d = new AttributeDecoder(b);
   * d.next();
   * d.next();
   * assert.equal(d.offset, 8);
   * assert.equal(b[d.offset], 42);
   * ```
   */
  get offset(): number {
    return this.#offset;
  }

  /**
   * Moves to the next attribute.
   *
   * @returns False when no attribute is left.
   * @throws {RangeError} If the next attribute is truncated or overlong, naming its offset.
   *
   * @example Walk attributes until none is left
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().flag(1).flag(2).encode());
   * const types: number[] = [];
   * while (d.next()) types.push(d.type);
   * assert.deepEqual(types, [1, 2]);
   * assert.throws(() => new AttributeDecoder(new Uint8Array([8, 0, 1, 0])).next(), RangeError);
   * ```
   */
  next(): boolean {
    const b = this.#bytes;
    const end = this.#end;
    let p = this.#pos;
    for (;;) {
      const left = end - p;
      if (left === 0) return false;
      if (left < ATTRIBUTE_HEADER_LENGTH) {
        throw new RangeError(
          `Cannot decode attribute: ${left} trailing bytes are too short for a 4-byte header at offset ${p}`,
        );
      }
      const len = get16(b, p, LE);
      if (len === 0) {
        p += ATTRIBUTE_HEADER_LENGTH;
        this.#pos = p;
        continue;
      }
      if (len < ATTRIBUTE_HEADER_LENGTH) {
        throw new RangeError(
          `Cannot decode attribute: length ${len} is less than 4 at offset ${p}`,
        );
      }
      if (len > left) {
        throw new RangeError(
          `Cannot decode attribute: length ${len} exceeds the ${left} bytes left at offset ${p}`,
        );
      }
      const t = get16(b, p + 2, LE);
      this.#type = t & ATTRIBUTE_TYPE_MASK;
      this.#flags = t & FLAG_BITS;
      this.#offset = p + ATTRIBUTE_HEADER_LENGTH;
      this.#length = len - ATTRIBUTE_HEADER_LENGTH;
      const next = p + pad4(len);
      this.#pos = next > end ? end : next;
      return true;
    }
  }

  #dv(): DataView {
    const b = this.#bytes;
    return this.#view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  #need(n: number, what: string): void {
    if (this.#length !== n) {
      throw new RangeError(
        `Cannot decode attribute ${this.#type} as ${what}: length is ${this.#length} bytes, want ${n}, at offset ${
          this.#offset - ATTRIBUTE_HEADER_LENGTH
        }`,
      );
    }
  }

  #le(order: ByteOrder | undefined): boolean {
    if ((this.#flags & NET_BYTEORDER) !== 0) return false;
    if (order === undefined) return this.#little;
    checkByteOrder(order);
    return order === "host" ? LE : false;
  }

  /**
   * Returns a copy of the current payload.
   *
   * @returns `length` bytes that do not alias the buffer.
   *
   * @example Copy the payload
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().bytes(1, new Uint8Array([1, 2, 3])).encode();
   * const d = new AttributeDecoder(b);
   * d.next();
   * const copy = d.bytes();
   * b[4] = 9;
   * assert.deepEqual([...copy], [1, 2, 3]);
   * ```
   */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#bytes.slice(this.#offset, this.#offset + this.#length);
  }

  /**
   * Returns the current payload without copying.
   *
   * @returns A view into the buffer given to the constructor.
   *
   * @example View the payload without copying
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().bytes(1, new Uint8Array([1, 2, 3])).encode();
   * const d = new AttributeDecoder(b);
   * d.next();
   * const v = d.view();
   * b[4] = 9;
   * assert.deepEqual([...v], [9, 2, 3]);
   * ```
   */
  view(): Uint8Array {
    return this.#bytes.subarray(this.#offset, this.#offset + this.#length);
  }

  /**
   * Reads the current payload as an unsigned 8-bit integer.
   *
   * @returns The value.
   * @throws {RangeError} If the payload is not 1 byte long.
   *
   * @example Read a uint8
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().uint8(1, 200).encode());
   * d.next();
   * assert.equal(d.uint8(), 200);
   * assert.throws(() => d.uint16(), RangeError);
   * ```
   */
  uint8(): number {
    this.#need(1, "uint8");
    return this.#bytes[this.#offset]!;
  }

  /**
   * Reads the current payload as an unsigned 16-bit integer.
   *
   * @param byteOrder Overrides the decoder's byte order (not `NLA_F_NET_BYTEORDER`).
   * @returns The value.
   * @throws {RangeError} If the payload is not 2 bytes long.
   *
   * @example Read a uint16 in network byte order
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new Uint8Array([6, 0, 1, 0, 0x01, 0x02, 0, 0]));
   * d.next();
   * assert.equal(d.uint16("big"), 0x0102);
   * ```
   */
  uint16(byteOrder?: ByteOrder): number {
    this.#need(2, "uint16");
    return get16(this.#bytes, this.#offset, this.#le(byteOrder));
  }

  /**
   * Reads the current payload as an unsigned 32-bit integer.
   *
   * @param byteOrder Overrides the decoder's byte order (not `NLA_F_NET_BYTEORDER`).
   * @returns The value.
   * @throws {RangeError} If the payload is not 4 bytes long.
   *
   * @example Read a uint32
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().uint32(1, 4000000000).encode());
   * d.next();
   * assert.equal(d.uint32(), 4000000000);
   * ```
   */
  uint32(byteOrder?: ByteOrder): number {
    this.#need(4, "uint32");
    return get32(this.#bytes, this.#offset, this.#le(byteOrder)) >>> 0;
  }

  /**
   * Reads the current payload as an unsigned 64-bit integer.
   *
   * @param byteOrder Overrides the decoder's byte order (not `NLA_F_NET_BYTEORDER`).
   * @returns The value.
   * @throws {RangeError} If the payload is not 8 bytes long.
   *
   * @example Read a uint64
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().uint64(1, 1n << 40n).encode());
   * d.next();
   * assert.equal(d.uint64(), 1n << 40n);
   * ```
   */
  uint64(byteOrder?: ByteOrder): bigint {
    this.#need(8, "uint64");
    return this.#dv().getBigUint64(this.#offset, this.#le(byteOrder));
  }

  /**
   * Reads the current payload as a signed 8-bit integer.
   *
   * @returns The value.
   * @throws {RangeError} If the payload is not 1 byte long.
   *
   * @example Read an int8
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new Uint8Array([5, 0, 1, 0, 0xff, 0, 0, 0]));
   * d.next();
   * assert.equal(d.int8(), -1);
   * assert.equal(d.uint8(), 255);
   * ```
   */
  int8(): number {
    this.#need(1, "int8");
    return (this.#bytes[this.#offset]! << 24) >> 24;
  }

  /**
   * Reads the current payload as a signed 16-bit integer.
   *
   * @param byteOrder Overrides the decoder's byte order (not `NLA_F_NET_BYTEORDER`).
   * @returns The value.
   * @throws {RangeError} If the payload is not 2 bytes long.
   *
   * @example Read an int16
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().int16(1, -300).encode());
   * d.next();
   * assert.equal(d.int16(), -300);
   * ```
   */
  int16(byteOrder?: ByteOrder): number {
    this.#need(2, "int16");
    return (get16(this.#bytes, this.#offset, this.#le(byteOrder)) << 16) >> 16;
  }

  /**
   * Reads the current payload as a signed 32-bit integer.
   *
   * @param byteOrder Overrides the decoder's byte order (not `NLA_F_NET_BYTEORDER`).
   * @returns The value.
   * @throws {RangeError} If the payload is not 4 bytes long.
   *
   * @example Read an int32
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().int32(1, -7).encode());
   * d.next();
   * assert.equal(d.int32(), -7);
   * ```
   */
  int32(byteOrder?: ByteOrder): number {
    this.#need(4, "int32");
    return get32(this.#bytes, this.#offset, this.#le(byteOrder));
  }

  /**
   * Reads the current payload as a signed 64-bit integer.
   *
   * @param byteOrder Overrides the decoder's byte order (not `NLA_F_NET_BYTEORDER`).
   * @returns The value.
   * @throws {RangeError} If the payload is not 8 bytes long.
   *
   * @example Read an int64
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().int64(1, -5n).encode());
   * d.next();
   * assert.equal(d.int64(), -5n);
   * ```
   */
  int64(byteOrder?: ByteOrder): bigint {
    this.#need(8, "int64");
    return this.#dv().getBigInt64(this.#offset, this.#le(byteOrder));
  }

  /**
   * Reads the current payload as a UTF-8 string, up to the first NUL (as C
   * reads it; the Go reference trims trailing NULs only). Invalid UTF-8
   * becomes U+FFFD.
   *
   * @returns The string.
   *
   * @example Read a string up to its NUL
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new Uint8Array([8, 0, 1, 0, 0x68, 0x69, 0, 0]));
   * d.next();
   * assert.equal(d.string(), "hi");
   * ```
   */
  string(): string {
    return getString(this.#bytes, this.#offset, this.#offset + this.#length);
  }

  /**
   * Reads the current attribute as a flag (`NLA_FLAG`): present means true.
   *
   * @returns True.
   * @throws {RangeError} If the attribute has a payload.
   *
   * @example Read a flag
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const d = new AttributeDecoder(new AttributeEncoder().flag(1).uint8(2, 0).encode());
   * d.next();
   * assert.equal(d.flag(), true);
   * d.next();
   * assert.throws(() => d.flag(), RangeError); // a payload is not a flag
   * ```
   */
  flag(): boolean {
    this.#need(0, "flag");
    return true;
  }

  /**
   * Returns a decoder over the current payload, inheriting this decoder's
   * byte order. This decoder does not move.
   *
   * @returns A child decoder.
   * @throws {RangeError} If nesting exceeds 32 levels.
   *
   * @example Decode a nest with a child decoder
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().nested(1, (e) => e.uint16(2, 80)).encode();
   * const d = new AttributeDecoder(b);
   * d.next();
   * const child = d.decoder();
   * assert.ok(child.next());
   * assert.deepEqual([child.type, child.uint16()], [2, 80]);
   * ```
   */
  decoder(): AttributeDecoder {
    if (this.#depth >= MAX_DEPTH) {
      throw new RangeError(
        `Cannot decode attribute ${this.#type} as nested: nesting exceeds ${MAX_DEPTH} levels at offset ${
          this.#offset - ATTRIBUTE_HEADER_LENGTH
        }`,
      );
    }
    const c = new AttributeDecoder(this.#bytes, this.#offset, this.#length);
    c.#little = this.#little;
    c.#depth = this.#depth + 1;
    c.#view = this.#view;
    return c;
  }

  /**
   * Calls `fn` with a decoder over the current payload (nested attributes),
   * inheriting this decoder's byte order.
   *
   * @param fn Reads the nested attributes.
   * @throws {RangeError} If nesting exceeds 32 levels, or whatever `fn` throws.
   *
   * @example Decode a nest with a callback
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const b = new AttributeEncoder().nested(1, (e) => e.string(1, "a").string(2, "b")).encode();
   * const d = new AttributeDecoder(b);
   * d.next();
   * const got: string[] = [];
   * d.nested((n) => { while (n.next()) got.push(n.string()); });
   * assert.deepEqual(got, ["a", "b"]);
   * ```
   */
  nested(fn: (d: AttributeDecoder) => void): void {
    fn(this.decoder());
  }
}
