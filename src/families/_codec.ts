/**
 * The one codec of every generated family: table-driven, over the compiled
 * descriptors of `_schema.ts`. Decoding walks `(bytes, offset, length)`
 * with one {@linkcode AttributeDecoder} per nest level and allocates only
 * the values it returns; encoding writes straight into an
 * {@linkcode AttributeEncoder}.
 *
 * Lossless: attributes the spec does not know (or whose bytes do not fit
 * the spec, such as a struct shorter than the spec's) go to
 * `unknownAttributes` as `{ type, data }` (flag bits included); wire
 * details a value cannot show (a nest sent without `NLA_F_NESTED`, the
 * indexes of an indexed-array, the length of a struct) are kept in a
 * non-enumerable property, so decoding and encoding again gives the same
 * bytes, while `assert.deepEqual` and JSON see plain values.
 *
 * @module
 */

import {
  type Attribute,
  AttributeDecoder,
  type AttributeEncoder,
} from "../netlink/attribute.ts";
import {
  get16,
  get32,
  getString,
  HOST_LITTLE_ENDIAN,
  put16,
  put32,
} from "../netlink/_endian.ts";
import {
  formatIP,
  formatIPv4Number,
  formatMAC,
  parseIP,
  parseIPv4Into,
  parseIPv4Number,
  parseMAC,
} from "./_text.ts";
import { checkInteger, checkLength } from "./_checks.ts";
import {
  // deno-lint-ignore no-unused-vars -- named by the DecodeScope doc link
  type FastDecoder,
  H,
  INT_SIZE,
  K,
  type RtAttr,
  type RtEnum,
  type RtMember,
  RtSet,
  type RtStruct,
  type RtSubMessage,
  type RtValue,
} from "./_schema.ts";

/** A decoded or to-be-encoded value of an attribute set or struct. */
export type Obj = Record<string, unknown>;

/** The key under which attributes the spec does not describe are kept. */
export const UNKNOWN = "unknownAttributes";

/** Wire details a decoded value cannot show, kept for re-encoding. */
export interface WireMeta {
  /** The nest's `NLA_F_NESTED` bit, when it is not what the encoder writes by default. */
  nested?: boolean;
  /** An indexed-array's attribute types, when not 1, 2, 3, ... */
  indexes?: number[];
  /** A struct's payload length, when not the struct's size. */
  length?: number;
  /** A struct's bytes after its size (a newer kernel's fields). */
  tail?: Uint8Array;
  /** A struct's bytes, when its padding was not zero. */
  bytes?: Uint8Array;
  /**
   * Where each unknown attribute sat: the number of typed attributes before
   * it, when the unknown ones were not all together.
   */
  unknownAt?: number[];
  /**
   * The keys of the attributes in wire order, when repeated attributes
   * (multi-attr, unknown) were not next to each other: `["ifname",
   * "unknownAttributes", "mtu", "unknownAttributes"]`.
   */
  order?: string[];
}

/**
 * A property holding {@linkcode WireMeta}, read as well (for values built
 * by hand); decoding attaches it with {@linkcode setMeta} instead.
 */
export const META: unique symbol = Symbol("nlkit.families.wire");

/** Gives its argument back from `super()`, so a subclass's private field lands on any object. */
class Stamp {
  constructor(o: object) {
    return o;
  }
}

/**
 * The wire details attached to decoded values as a private field: unlike
 * a non-enumerable property (`Object.defineProperty`, some 380 ns per
 * object on V8, measured), adding one costs what adding a property does,
 * and like one it is invisible to `Object.keys`, JSON, spreading and
 * `assert.deepStrictEqual`; the object keeps its prototype.
 */
class Wire extends Stamp {
  #meta: WireMeta;
  private constructor(o: object, m: WireMeta) {
    super(o);
    this.#meta = m;
  }
  static get(o: object): WireMeta | undefined {
    return #meta in o ? (o as Wire).#meta : undefined;
  }
  static attach(o: object, m: WireMeta): void {
    if (#meta in o) Object.assign((o as Wire).#meta, m);
    else new Wire(o, m);
  }
}

const LE = HOST_LITTLE_ENDIAN;
const NESTED = 0x8000;
const NET_BYTEORDER = 0x4000;
const MAX_DEPTH = 32;

/** Read-only zeros, copied into the encoder to reserve room for a struct. */
const ZEROS = new Uint8Array(4096);

function zeros(n: number): Uint8Array {
  return n <= ZEROS.length ? ZEROS.subarray(0, n) : new Uint8Array(n);
}

/**
 * Largest slab a scope cuts copies from: a copy costs a view (some 30 ns)
 * instead of an ArrayBuffer of its own (0.3 to 1.4 µs on Deno, measured for
 * 2- and 16-byte copies; a link message from Linux 6.18 holds four).
 */
const SLAB = 8192;
/** First slab of a scope: a single message's copies fit; a dump's double it up to {@linkcode SLAB}. */
const FIRST_SLAB = 256;
/** Copies above this get an ArrayBuffer of their own. */
const OWN = 512;

/**
 * What one decoding owns: the slab its copies of small binary values and
 * unknown attributes are cut from, and a DataView over the buffer it reads
 * 64-bit values from. Each decode call makes one (an operation's `visit`
 * or `dump` one for all its replies) and passes it down, so copies share
 * an ArrayBuffer only with values of the same reply set, never with
 * another call's, and nothing outlives the call but the values. A copy's
 * `.buffer` is then its slab: use `byteOffset` and `byteLength` with it,
 * as with Node's pooled Buffers.
 *
 * Public as a type only: the specialised decoders in a family's
 * description ({@linkcode FastDecoder}) take one. Applications never need
 * to make one; each `decode`, `decodeView`, `.do`, `.dump` and `.visit`
 * does.
 *
 * @example Values of separate decode calls share no buffer
 * ```ts
 * import { getlink } from "@nlkit/netlink/families/rt-link";
 * import assert from "node:assert/strict";
 *
 * const m = getlink.encodeReply({ ifiIndex: 2, physPortId: new Uint8Array([1, 2]) });
 * const a = getlink.decode(m);
 * const b = getlink.decode(m);
 * assert.notEqual(a.physPortId!.buffer, b.physPortId!.buffer); // one scope per call
 * assert.deepEqual(b.physPortId, new Uint8Array([1, 2]));
 * ```
 */
export class DecodeScope {
  #slab: Uint8Array<ArrayBuffer> | null = null;
  #used = 0;
  #viewOf: ArrayBufferLike | null = null;
  #view: DataView | null = null;

  /**
   * A copy of `b[start, end)` that does not share `b`'s buffer.
   *
   * @throws {RangeError} When the range is not within `b`.
   */
  copy(b: Uint8Array, start: number, end: number): Uint8Array<ArrayBuffer> {
    const n = end - start;
    if (n < 0 || start < 0 || end > b.length) {
      throw new RangeError(
        `Cannot copy bytes ${start}..${end} of ${b.length}`,
      );
    }
    if (n > OWN) {
      const own = new Uint8Array(n);
      own.set(b.subarray(start, end));
      return own;
    }
    let slab = this.#slab;
    // (A slab whose buffer a user transferred is detached: length 0.)
    if (slab === null || this.#used + n > slab.length || slab.length === 0) {
      const grown = slab === null ? FIRST_SLAB : slab.length * 2;
      const size = Math.min(SLAB, Math.max(grown, FIRST_SLAB, n));
      slab = this.#slab = new Uint8Array(size);
      this.#used = 0;
    }
    const at = this.#used;
    const out = new Uint8Array(slab.buffer, at, n);
    for (let i = 0; i < n; i++) out[i] = b[start + i]!;
    this.#used = at + ((n + 7) & ~7); // 8-byte aligned, for typed views of a copy
    return out;
  }

  /**
   * A DataView over the whole buffer under `b` (offsets into it are
   * `b.byteOffset + o`; the caller checks they lie within `b`): one per
   * buffer read from, so reading u64 values allocates only their bigint.
   */
  view(b: Uint8Array): DataView {
    if (this.#viewOf !== b.buffer) {
      this.#view = new DataView(b.buffer);
      this.#viewOf = b.buffer;
    }
    return this.#view!;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Attaches wire details to a value (merged with those it has). */
export function setMeta(v: object, m: WireMeta): void {
  Wire.attach(v, m);
}

/** The wire details of a decoded value, if any. */
export function metaOf(v: unknown): WireMeta | undefined {
  return v !== null && typeof v === "object"
    ? Wire.get(v) ?? (v as { [META]?: WireMeta })[META]
    : undefined;
}

/** A chain of the values being decoded or encoded, innermost first: where selectors are looked up. */
interface Frame {
  readonly obj: Obj;
  readonly up: Frame | null;
  /** On the outermost frame of an encoding: apply the spec's checks (requests only). */
  readonly check?: boolean;
}

/** Whether the encoding this frame belongs to applies checks (its outermost frame says). */
function checking(up: Frame | null): boolean {
  for (let f = up; f !== null; f = f.up) {
    if (f.up === null) return f.check === true;
  }
  return false;
}

/** Returned by a value decoder when the bytes do not fit the spec: the attribute is kept unknown. */
const RAW: unique symbol = Symbol("raw");

// --- decoding --------------------------------------------------------------

export function flagNames(
  v: number | bigint,
  masks: [number, string][],
): (string | number)[] {
  const out: (string | number)[] = [];
  if (typeof v === "bigint" && v > 0xffffffffn) {
    let rest = v;
    for (const [mask, name] of masks) {
      const m = BigInt(mask);
      if (m !== 0n && (v & m) === m) {
        out.push(name);
        rest &= ~m;
      }
    }
    for (let bit = 0n; rest !== 0n; bit++) {
      if ((rest & (1n << bit)) !== 0n) {
        out.push(Number(1n << bit));
        rest &= ~(1n << bit);
      }
    }
    return out;
  }
  const n = Number(v);
  let rest = n >>> 0;
  for (let i = 0; i < masks.length; i++) {
    const mask = masks[i]![0];
    if (mask !== 0 && mask <= 0xffffffff && ((n & mask) >>> 0) === mask) {
      out.push(masks[i]![1]);
      rest = (rest & ~mask) >>> 0;
    }
  }
  for (let bit = 0; rest !== 0; bit++) {
    const m = 2 ** bit;
    if ((rest & m) !== 0) {
      out.push(m);
      rest = (rest & ~m) >>> 0;
    }
  }
  return out;
}

/** Applies an integer's enum, flags or display hint. */
function named(a: RtValue, n: number): unknown {
  if (a.flags !== 0) {
    return flagNames(n, a.en!.flagMasks(a.flags === 1 ? "mask" : "bit"));
  }
  if (a.en !== null) return a.en.name(n) ?? n;
  if (a.hint === H.IP) return formatIPv4Number(n);
  return n;
}

function namedBig(a: RtValue, n: bigint): unknown {
  if (a.flags !== 0) {
    return flagNames(n, a.en!.flagMasks(a.flags === 1 ? "mask" : "bit"));
  }
  if (a.en !== null && n <= 0xffffffffn) return a.en.name(Number(n)) ?? n;
  return n;
}

/** {@linkcode DecodeScope.view}, for a 64-bit value at `o` checked to lie within `b`. */
function bufferView(cx: DecodeScope, b: Uint8Array, o: number): DataView {
  if (o < 0 || o + 8 > b.length) {
    throw new RangeError(
      `Cannot read a 64-bit value at ${o}: ${b.length} bytes`,
    );
  }
  return cx.view(b);
}

/** Reads an integer member or value of kind `k` at `o` (a 64-bit one within `b`, which the caller checked). */
function readInt(
  k: number,
  b: Uint8Array,
  o: number,
  le: boolean,
  cx: DecodeScope,
): number | bigint {
  switch (k) {
    case K.U8:
      return b[o]!;
    case K.S8:
      return (b[o]! << 24) >> 24;
    case K.U16:
      return get16(b, o, le);
    case K.S16:
      return (get16(b, o, le) << 16) >> 16;
    case K.U32:
      return get32(b, o, le) >>> 0;
    case K.S32:
      return get32(b, o, le);
    case K.U64:
      return bufferView(cx, b, o).getBigUint64(b.byteOffset + o, le);
    default: // K.S64
      return bufferView(cx, b, o).getBigInt64(b.byteOffset + o, le);
  }
}

/** True when a struct's padding bytes at `o` (explicit pad members, alignment gaps) are not all zero. */
function dirtyPadding(st: RtStruct, b: Uint8Array, o: number): boolean {
  const gaps = st.gaps;
  for (let i = 0; i < gaps.length; i += 2) {
    for (let q = o + gaps[i]!; q < o + gaps[i + 1]!; q++) {
      if (b[q] !== 0) return true;
    }
  }
  return false;
}

/** Decodes a struct's members at `o` into `out`. The caller checks the length. */
export function decodeStruct(
  st: RtStruct,
  b: Uint8Array,
  o: number,
  out: Obj,
  cx: DecodeScope,
): Obj {
  if (st.gaps.length > 0 && o + st.size <= b.length && dirtyPadding(st, b, o)) {
    setMeta(out, { bytes: cx.copy(b, o, o + st.size) });
  }
  const ms = st.members;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const at = o + m.offset;
    const k = m.kind;
    if (k === K.PAD) continue;
    if (k <= K.S64) {
      if (k === K.U64 || k === K.S64) {
        out[m.key] = namedBig(
          m,
          readInt(k, b, at, m.be ? false : LE, cx) as bigint,
        );
      } else {
        out[m.key] = named(
          m,
          readInt(k, b, at, m.be ? false : LE, cx) as number,
        );
      }
    } else if (k === K.STRING) {
      out[m.key] = getString(b, at, at + m.size);
    } else if (m.struct !== null) {
      out[m.key] = decodeStruct(m.struct, b, at, {}, cx);
    } else if (m.hint === H.MAC) {
      out[m.key] = formatMAC(b, at, at + m.size);
    } else if (m.hint === H.IP) {
      out[m.key] = formatIP(b, at, at + m.size);
    } else {
      out[m.key] = cx.copy(b, at, at + m.size);
    }
  }
  return out;
}

/** Decodes the members of `st` that lie wholly in the first `n` bytes at `o`. */
function decodeStructPrefix(
  st: RtStruct,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  cx: DecodeScope,
): void {
  const fits = new RtStructView(st, n);
  decodeStruct(fits, b, o, out, cx);
}

/** A struct cut to its members that fit in `n` bytes. */
class RtStructView {
  readonly name: string;
  readonly size: number;
  readonly minSize: number;
  readonly members: RtMember[];
  readonly keys: Set<string>;
  readonly gaps: number[] = [];
  constructor(st: RtStruct, n: number) {
    this.name = st.name;
    this.size = n;
    this.minSize = n;
    this.members = st.members.filter((m) => m.offset + m.size <= n);
    this.keys = new Set(this.members.map((m) => m.key));
  }
}

/** A struct-typed payload: decoded when it holds every member; extra or missing padding kept. */
function decodeStructPayload(
  st: RtStruct,
  b: Uint8Array,
  o: number,
  n: number,
  cx: DecodeScope,
): Obj | typeof RAW {
  if (n < st.minSize) return RAW;
  const v = decodeStruct(st, b, o, {}, cx);
  if (n !== st.size) {
    const m: WireMeta = { length: n };
    if (n > st.size) m.tail = cx.copy(b, o + st.size, o + n);
    setMeta(v, m);
  }
  return v;
}

function keepUnknown(
  out: Obj,
  b: Uint8Array,
  d: AttributeDecoder,
  cx: DecodeScope,
): void {
  const o = d.offset;
  const a: Attribute = {
    type: d.type | d.flags,
    data: cx.copy(b, o, o + d.length),
  };
  const list = out[UNKNOWN] as Attribute[] | undefined;
  if (list === undefined) out[UNKNOWN] = [a];
  else list.push(a);
}

/** The selector's value, from the value being decoded or one enclosing it. */
function selectorValue(key: string, obj: Obj, up: Frame | null): unknown {
  let v = obj[key];
  for (let f = up; v === undefined && f !== null; f = f.up) v = f.obj[key];
  return v;
}

/** Decodes a scalar of an indexed-array or binary array element kind. */
function decodeScalar(
  a: RtAttr,
  k: number,
  b: Uint8Array,
  o: number,
  n: number,
  le: boolean,
  cx: DecodeScope,
): unknown {
  if (k === K.UINT || k === K.SINT) {
    if (n === 4) {
      return namedBig(
        a,
        k === K.UINT ? BigInt(get32(b, o, le) >>> 0) : BigInt(get32(b, o, le)),
      );
    }
    if (n !== 8) return RAW;
    return namedBig(
      a,
      readInt(k === K.UINT ? K.U64 : K.S64, b, o, le, cx) as bigint,
    );
  }
  const size = INT_SIZE[k]!;
  if (n !== size) return RAW;
  if (k === K.U64 || k === K.S64) {
    return namedBig(a, readInt(k, b, o, le, cx) as bigint);
  }
  return named(a, readInt(k, b, o, le, cx) as number);
}

/** Decodes a binary payload by its hint or struct. */
function decodeBinary(
  a: RtValue,
  b: Uint8Array,
  o: number,
  n: number,
  cx: DecodeScope,
): unknown {
  if (a.struct !== null) return decodeStructPayload(a.struct, b, o, n, cx);
  if (a.hint === H.MAC) return formatMAC(b, o, o + n);
  if (a.hint === H.IP) return formatIP(b, o, o + n);
  return cx.copy(b, o, o + n);
}

/** The flag bits the encoder writes for an attribute kind: only nests carry NLA_F_NESTED. */
function nestLike(k: number): boolean {
  return k === K.NEST || k === K.INDEXED || k === K.NTV || k === K.SUBMSG;
}

/** Decodes a nested set, or RAW when its payload is not attributes (the spec does not fit the bytes). */
function decodeNest(
  set: RtSet,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  cx: DecodeScope,
): Obj | typeof RAW {
  const inner: Obj = {};
  try {
    decodeAttrs(
      set,
      b,
      o,
      n,
      inner,
      set.selects ? { obj: out, up } : null,
      depth + 1,
      cx,
    );
  } catch (e) {
    if (e instanceof RangeError && depth + 1 <= MAX_DEPTH) return RAW;
    throw e;
  }
  return inner;
}

/**
 * Decodes a nest of `set` at `b[o, o + n)` inside the value `outer` (the
 * generic decoder's nest step, for the specialised decoders): the nested
 * value, or undefined when its bytes do not fit the spec.
 *
 * @param type The attribute's type field, flag bits included.
 * @param cx The decoding's scope.
 */
export function decodeNested(
  set: RtSet,
  b: Uint8Array,
  o: number,
  n: number,
  outer: Obj,
  type: number,
  cx: DecodeScope,
): Obj | undefined {
  const v = decodeNest(set, b, o, n, outer, null, 0, cx);
  if (v === RAW) return undefined;
  if ((type & NESTED) === 0) setMeta(v, { nested: false });
  return v;
}

/**
 * Decodes the attributes in `b[off, off + len)` of `set` into `out`. An
 * attribute whose bytes do not fit the spec (a length its type cannot
 * have, flag bits its type does not use, a nest that is not attributes, a
 * sub-message format the spec lacks) is kept in `unknownAttributes`; only
 * broken attribute framing throws.
 *
 * @param up The values enclosing `out`, for sub-message selectors.
 * @param cx The decoding's scope (copies, 64-bit reads).
 * @throws {RangeError} When an attribute header is cut short or runs past the end.
 */
export function decodeAttrs(
  set: RtSet,
  b: Uint8Array,
  off: number,
  len: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  cx: DecodeScope,
): Obj {
  if (depth > MAX_DEPTH) {
    throw new RangeError(
      `Cannot decode attribute set ${set.name}: nesting exceeds ${MAX_DEPTH} levels at offset ${off}`,
    );
  }
  const d = new AttributeDecoder(b, off, len);
  const byId = set.byId;
  let deferred: [RtAttr, number, number, number, number][] | null = null;
  // Where the wire order differs from the keys' order: each unknown
  // attribute's place (the typed attributes before it), and the whole order
  // once a repeated attribute comes back after others.
  let known = 0;
  let unknownAt: number[] | null = null;
  let order: string[] | null = null;
  let last = "";
  while (d.next()) {
    const a = byId[d.type];
    const flags = d.flags;
    if (
      a === undefined || a.kind === K.UNUSED || (flags & NET_BYTEORDER) !== 0 ||
      ((flags & NESTED) !== 0 && !nestLike(a.kind))
    ) {
      if (order !== null) order.push(UNKNOWN);
      (unknownAt ??= []).push(known);
      last = UNKNOWN;
      keepUnknown(out, b, d, cx);
      continue;
    }
    const o = d.offset;
    const n = d.length;
    let v: unknown;
    switch (a.kind) {
      case K.U8:
        v = n === 1 ? named(a, b[o]!) : RAW;
        break;
      case K.U16:
        v = n === 2 ? named(a, get16(b, o, a.be ? false : LE)) : RAW;
        break;
      case K.U32:
        v = n === 4 ? named(a, get32(b, o, a.be ? false : LE) >>> 0) : RAW;
        break;
      case K.S8:
      case K.S16:
      case K.S32:
      case K.U64:
      case K.S64:
      case K.UINT:
      case K.SINT:
        v = decodeScalar(a, a.kind, b, o, n, a.be ? false : LE, cx);
        break;
      case K.STRING:
        v = d.string();
        break;
      case K.FLAG:
        v = n === 0 ? true : RAW;
        break;
      case K.PAD:
        v = cx.copy(b, o, o + n);
        break;
      case K.BINARY:
        if (a.sub !== 0) {
          const size = INT_SIZE[a.sub]!;
          if (n % size !== 0) {
            v = RAW;
            break;
          }
          const count = n / size;
          const arr: unknown[] = new Array(count);
          const le = a.be ? false : LE;
          if (a.en === null && a.flags === 0 && a.sub === K.U32) {
            // (ipv4/ipv6 devconf: tens of plain u32 per link)
            for (let i = 0; i < count; i++) {
              arr[i] = get32(b, o + 4 * i, le) >>> 0;
            }
          } else if (
            a.en === null && a.flags === 0 && a.sub === K.U64 && count > 0
          ) {
            // (ipv6 statistics)
            const dv = bufferView(cx, b, o + n - 8);
            const at = b.byteOffset + o;
            for (let i = 0; i < count; i++) {
              arr[i] = dv.getBigUint64(at + 8 * i, le);
            }
          } else {
            for (let i = 0; i < count; i++) {
              arr[i] = decodeScalar(a, a.sub, b, o + size * i, size, le, cx);
            }
          }
          v = arr;
        } else {
          v = decodeBinary(a, b, o, n, cx);
        }
        break;
      case K.BITFIELD32: {
        if (n !== 8) {
          v = RAW;
          break;
        }
        const value = get32(b, o, LE) >>> 0;
        const selector = get32(b, o + 4, LE) >>> 0;
        v = a.en === null
          ? { value, selector }
          : { value: named(a, value), selector: named(a, selector) };
        break;
      }
      case K.NEST:
        v = decodeNest(a.nested!, b, o, n, out, up, depth, cx);
        if (v !== RAW && (flags & NESTED) === 0) {
          setMeta(v as Obj, { nested: false });
        }
        break;
      case K.INDEXED:
        v = decodeIndexed(
          a,
          b,
          o,
          n,
          out,
          up,
          depth,
          (flags & NESTED) === 0,
          cx,
        );
        break;
      case K.NTV:
        v = decodeNestTypeValue(
          a,
          b,
          o,
          n,
          out,
          up,
          depth,
          (flags & NESTED) === 0,
          cx,
        );
        break;
      default: { // K.SUBMSG
        const sel = selectorValue(a.sel!, out, up);
        if (sel === undefined) {
          // The selector may come later in this nest: decode this one after it.
          (deferred ??= []).push([a, o, n, d.type | flags, 0]);
          if (!a.multi) out[a.key] = undefined; // keeps the key's place
          if (order !== null) order.push(a.key);
          known++;
          last = a.key;
          continue;
        }
        v = decodeSubMessage(
          a.msg!,
          String(sel),
          b,
          o,
          n,
          out,
          up,
          depth,
          (flags & NESTED) !== 0,
          cx,
        );
      }
    }
    if (v === RAW || (!a.multi && out[a.key] !== undefined)) {
      // Bytes the spec does not fit, or a repeated single attribute (the
      // first stays typed): kept unknown.
      if (order !== null) order.push(UNKNOWN);
      (unknownAt ??= []).push(known);
      last = UNKNOWN;
      keepUnknown(out, b, d, cx);
      continue;
    }
    if (a.multi) {
      const list = out[a.key] as unknown[] | undefined;
      if (order !== null) order.push(a.key);
      else if (list !== undefined && last !== a.key) {
        order = wireOrder(set, out, unknownAt);
        order.push(a.key);
      }
      if (list === undefined) out[a.key] = [v];
      else list.push(v);
    } else {
      if (order !== null) order.push(a.key);
      out[a.key] = v;
    }
    known++;
    last = a.key;
  }
  // (A sub-message whose selector never came is kept unknown after the others.)
  if (deferred !== null) finishDeferred(deferred, b, out, up, depth, cx);
  if (order !== null) setMeta(out, { order });
  else if (unknownAt !== null) placeUnknown(out, unknownAt);
  return out;
}

/**
 * Records where unknown attributes sat among the typed ones, when they
 * were not all next to each other (new kernel attributes in the middle of
 * a link dump): encoding puts each back in its place.
 */
export function placeUnknown(out: Obj, at: readonly number[]): void {
  if (at[0] !== at[at.length - 1]) setMeta(out, { unknownAt: [...at] });
}

/**
 * The wire order so far of the attributes decoded into `out` (while
 * repeated ones were adjacent), unknown attributes in their places.
 */
function wireOrder(
  set: RtSet,
  out: Obj,
  unknownAt: readonly number[] | null,
): string[] {
  const typed: string[] = [];
  for (const key in out) {
    const a = set.byKey.get(key);
    if (a === undefined) continue; // a fixed-header member, or the unknown ones
    const n = a.multi ? (out[key] as unknown[]).length : 1;
    for (let i = 0; i < n; i++) typed.push(key);
  }
  const order: string[] = [];
  let u = 0;
  for (let k = 0; k <= typed.length; k++) {
    while (unknownAt !== null && u < unknownAt.length && unknownAt[u] === k) {
      order.push(UNKNOWN);
      u++;
    }
    if (k < typed.length) order.push(typed[k]!);
  }
  return order;
}

function finishDeferred(
  deferred: [RtAttr, number, number, number, number][],
  b: Uint8Array,
  out: Obj,
  up: Frame | null,
  depth: number,
  cx: DecodeScope,
): void {
  for (const [a, o, n, type] of deferred) {
    const sel = selectorValue(a.sel!, out, up);
    const v = sel === undefined ? RAW : decodeSubMessage(
      a.msg!,
      String(sel),
      b,
      o,
      n,
      out,
      up,
      depth,
      (type & NESTED) !== 0,
      cx,
    );
    if (v === RAW) {
      if (!a.multi && out[a.key] === undefined) delete out[a.key];
      const list = (out[UNKNOWN] ??= []) as Attribute[];
      list.push({ type, data: cx.copy(b, o, o + n) });
    } else if (a.multi) {
      ((out[a.key] ??= []) as unknown[]).push(v);
    } else {
      out[a.key] = v;
    }
  }
}

function decodeSubMessage(
  msg: RtSubMessage,
  sel: string,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  flagged: boolean,
  cx: DecodeScope,
): Obj | typeof RAW {
  const f = msg.formats.get(sel);
  if (f === undefined) return RAW;
  const v: Obj = {};
  let at = o;
  if (f.header !== null) {
    if (n < f.header.size) return RAW;
    decodeStruct(f.header, b, o, v, cx);
    at = o + pad4(f.header.size);
    if (at > o + n) at = o + n;
  } else if (f.set === null && n > 0) {
    return RAW;
  }
  if (f.set !== null) {
    try {
      decodeAttrs(
        f.set,
        b,
        at,
        o + n - at,
        v,
        f.set.selects ? { obj: out, up } : null,
        depth + 1,
        cx,
      );
    } catch (e) {
      if (e instanceof RangeError && depth + 1 <= MAX_DEPTH) return RAW;
      throw e;
    }
  } else if (at < o + n) return RAW;
  // Default flag: set for a nest of attributes, clear after a fixed header.
  const want = f.header === null && f.set !== null;
  if (flagged !== want) setMeta(v, { nested: flagged });
  return v;
}

function decodeIndexed(
  a: RtAttr,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  noFlag: boolean,
  cx: DecodeScope,
): unknown[] | typeof RAW {
  try {
    return indexedArray(a, b, o, n, out, up, depth, noFlag, cx);
  } catch (e) {
    if (
      e instanceof Raw || (e instanceof RangeError && depth + 1 <= MAX_DEPTH)
    ) return RAW;
    throw e;
  }
}

/** Thrown inside an array decoder when an element does not fit the spec. */
class Raw extends Error {}

function indexedArray(
  a: RtAttr,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  noFlag: boolean,
  cx: DecodeScope,
): unknown[] {
  const d = new AttributeDecoder(b, o, n);
  const arr: unknown[] = [];
  let indexes: number[] | null = null;
  const k = a.sub;
  while (d.next()) {
    const i = arr.length;
    if (indexes === null && d.type !== i + 1) {
      indexes = arr.map((_, j) => j + 1);
    }
    if (indexes !== null) indexes.push(d.type | d.flags);
    const p = d.offset;
    const len = d.length;
    let v: unknown;
    if (
      (d.flags & NET_BYTEORDER) !== 0 ||
      ((d.flags & NESTED) !== 0 && k !== K.NEST)
    ) throw new Raw();
    if (k === K.NEST) {
      const inner: Obj = {};
      decodeAttrs(
        a.nested!,
        b,
        p,
        len,
        inner,
        a.nested!.selects ? { obj: out, up } : null,
        depth + 1,
        cx,
      );
      if ((d.flags & NESTED) === 0) setMeta(inner, { nested: false });
      v = inner;
    } else if (k === K.BINARY) {
      v = decodeBinary(a, b, p, len, cx);
    } else if (k === K.STRING) {
      v = d.string();
    } else {
      v = decodeScalar(a, k, b, p, len, a.be ? false : LE, cx);
    }
    if (v === RAW) throw new Raw();
    arr.push(v);
  }
  const m: WireMeta = {};
  if (noFlag) m.nested = false;
  if (indexes !== null) m.indexes = indexes;
  if (noFlag || indexes !== null) setMeta(arr, m);
  return arr;
}

function decodeNestTypeValue(
  a: RtAttr,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  noFlag: boolean,
  cx: DecodeScope,
): Obj[] | typeof RAW {
  try {
    return nestTypeValue(a, b, o, n, out, up, depth, noFlag, cx);
  } catch (e) {
    if (e instanceof RangeError && depth + 1 <= MAX_DEPTH) return RAW;
    throw e;
  }
}

function nestTypeValue(
  a: RtAttr,
  b: Uint8Array,
  o: number,
  n: number,
  out: Obj,
  up: Frame | null,
  depth: number,
  noFlag: boolean,
  cx: DecodeScope,
): Obj[] {
  const keys = a.tv!;
  const entries: Obj[] = [];
  let innerNoFlag = false;
  const walk = (
    p: number,
    len: number,
    level: number,
    prefix: number[],
  ): void => {
    const d = new AttributeDecoder(b, p, len);
    while (d.next()) {
      if ((d.flags & NESTED) === 0) innerNoFlag = true;
      const path = [...prefix, d.type];
      if (level + 1 < keys.length) {
        walk(d.offset, d.length, level + 1, path);
        continue;
      }
      const entry: Obj = {};
      keys.forEach((key, i) => entry[key] = path[i]);
      decodeAttrs(
        a.nested!,
        b,
        d.offset,
        d.length,
        entry,
        a.nested!.selects ? { obj: out, up } : null,
        depth + 1,
        cx,
      );
      entries.push(entry);
    }
  };
  walk(o, n, 0, []);
  if (noFlag || innerNoFlag) {
    const m: WireMeta = {};
    if (noFlag) m.nested = false;
    setMeta(entries, m);
    if (innerNoFlag) { for (const e of entries) setMeta(e, { nested: false }); }
  }
  return entries;
}

// --- encoding --------------------------------------------------------------

/** An encoding failure inside a value: the keys leading to it are added on the way out. */
export class PathError extends Error {
  /** Keys (or array indexes) from the outermost value in. */
  readonly path: string[];
  /** Attribute types along the path (-1 where a key is no attribute). */
  readonly types: number[];
  readonly error: Error;

  constructor(path: string[], types: number[], error: Error) {
    super(error.message);
    this.path = path;
    this.types = types;
    this.error = error;
  }
}

function withPath(e: unknown, key: string, type = -1): PathError {
  if (e instanceof PathError) {
    e.path.unshift(key);
    e.types.unshift(type);
    return e;
  }
  return new PathError(
    [key],
    [type],
    e instanceof Error ? e : new TypeError(String(e)),
  );
}

function kindName(k: number): string {
  return [
    "",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "uint",
    "sint",
  ][k] ?? "value";
}

const INT_RANGES: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 0xff],
  [0, 0xffff],
  [0, 0xffffffff],
  [0, 0],
  [-0x80, 0x7f],
  [-0x8000, 0x7fff],
  [-0x80000000, 0x7fffffff],
];

function enumValue(en: RtEnum, name: string): number {
  const v = en.table[name];
  if (v === undefined) {
    throw new TypeError(
      `${JSON.stringify(name)} is not a name of the enum (${
        Object.keys(en.table).join(", ")
      })`,
    );
  }
  return v;
}

/** The number or bigint for a value of an integer attribute or member (names, flags, text applied). */
function toInt(a: RtValue, v: unknown, k: number): number | bigint {
  if (a.flags !== 0 && Array.isArray(v)) {
    let mask = 0n;
    const bits = a.flags === 2;
    for (const item of v) {
      if (typeof item === "number" || typeof item === "bigint") {
        mask |= BigInt(item);
      } else if (typeof item === "string") {
        const x = enumValue(a.en!, item);
        mask |= bits ? 1n << BigInt(x) : BigInt(x);
      } else {throw new TypeError(
          `flag ${String(item)} is not a name or a number`,
        );}
    }
    return k === K.U64 || k === K.S64 || k === K.UINT || k === K.SINT
      ? mask
      : Number(mask);
  }
  if (typeof v === "string") {
    if (a.en !== null) return enumValue(a.en, v);
    if (a.hint === H.IP) {
      const n = parseIPv4Number(v);
      if (n === undefined) {
        throw new TypeError(`${JSON.stringify(v)} is not an IPv4 address`);
      }
      return n;
    }
    throw new TypeError(`value ${JSON.stringify(v)} is not a number`);
  }
  if (typeof v === "number" || typeof v === "bigint") return v;
  throw new TypeError(
    `value ${String(v)} is not a ${a.flags !== 0 ? "list of flags" : "number"}`,
  );
}

function checkInt(k: number, v: number | bigint): number | bigint {
  if (k === K.U64 || k === K.S64 || k === K.UINT || k === K.SINT) {
    const x = typeof v === "bigint"
      ? v
      : Number.isSafeInteger(v)
      ? BigInt(v)
      : NaN;
    if (typeof x !== "bigint") throw new RangeError(`${v} is not an integer`);
    const ok = k === K.U64 || k === K.UINT
      ? x >= 0n && x <= 0xffffffffffffffffn
      : x >= -0x8000000000000000n && x <= 0x7fffffffffffffffn;
    if (!ok) throw new RangeError(`${v} is out of range for ${kindName(k)}`);
    return x;
  }
  const n = typeof v === "bigint" ? Number(v) : v;
  const [min, max] = INT_RANGES[k]!;
  if (!(n >= min && n <= max && n % 1 === 0)) {
    throw new RangeError(
      `${v} is not an integer from ${min} to ${max} (${kindName(k)})`,
    );
  }
  return n;
}

/** Writes integer `v` of kind `k` at `o` of `b`. */
function writeInt(
  k: number,
  b: Uint8Array,
  o: number,
  v: number | bigint,
  le: boolean,
): void {
  switch (k) {
    case K.U8:
    case K.S8:
      b[o] = v as number;
      return;
    case K.U16:
    case K.S16:
      put16(b, o, v as number, le);
      return;
    case K.U32:
    case K.S32:
      put32(b, o, v as number, le);
      return;
    default: { // 64-bit
      const x = BigInt.asUintN(64, v as bigint);
      const lo = Number(x & 0xffffffffn);
      const hi = Number(x >> 32n);
      put32(b, o, le ? lo : hi, le);
      put32(b, o + 4, le ? hi : lo, le);
    }
  }
}

function toBytes(a: RtValue, v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") {
    if (a.hint === H.MAC) {
      const out = parseMAC(v);
      if (out === undefined) {
        throw new TypeError(`${JSON.stringify(v)} is not a hardware address`);
      }
      return out;
    }
    if (a.hint === H.IP) {
      const out = parseIP(v);
      if (out === undefined) {
        throw new TypeError(`${JSON.stringify(v)} is not an IP address`);
      }
      return out;
    }
  }
  throw new TypeError(
    `${what} must be a Uint8Array${
      a.hint === H.MAC || a.hint === H.IP ? " or an address text" : ""
    }`,
  );
}

/**
 * Writes struct `st` from `v` at `o` of `b` (the bytes are zero already).
 * Keys that are no member are refused unless `header` (a fixed header
 * shares its value with the attributes, which check their own keys).
 */
export function writeStruct(
  st: RtStruct,
  b: Uint8Array,
  o: number,
  v: unknown,
  header = false,
): void {
  if (
    v === null || typeof v !== "object" || Array.isArray(v) ||
    v instanceof Uint8Array
  ) {
    throw new TypeError(`struct ${st.name} must be an object`);
  }
  const obj = v as Obj;
  const raw = metaOf(v)?.bytes;
  if (raw !== undefined && raw.length === st.size) b.set(raw, o);
  if (!header) {
    for (const key in obj) {
      if (!st.keys.has(key) && obj[key] !== undefined) {
        throw withPath(
          new TypeError(`is not a member of struct ${st.name}`),
          key,
        );
      }
    }
  }
  const ms = st.members;
  for (let i = 0; i < ms.length; i++) {
    const m: RtMember = ms[i]!;
    const x = obj[m.key];
    if (x === undefined || m.kind === K.PAD) continue;
    try {
      const at = o + m.offset;
      if (m.kind <= K.S64) {
        writeInt(
          m.kind,
          b,
          at,
          checkInt(m.kind, toInt(m, x, m.kind)),
          m.be ? false : LE,
        );
      } else if (m.kind === K.STRING) {
        if (typeof x !== "string") throw new TypeError("must be a string");
        const bytes = new TextEncoder().encode(x);
        if (bytes.length > m.size) {
          throw new RangeError(`${bytes.length} bytes do not fit ${m.size}`);
        }
        b.set(bytes, at);
      } else if (m.struct !== null) {
        writeStruct(m.struct, b, at, x);
      } else if (
        // IPv4 text, the common case, parsed straight into the struct.
        !(typeof x === "string" && m.hint === H.IP && m.size === 4 &&
          parseIPv4Into(x, b, at))
      ) {
        const bytes = toBytes(m, x, "member");
        if (bytes.length > m.size) {
          throw new RangeError(`${bytes.length} bytes do not fit ${m.size}`);
        }
        b.set(bytes, at);
      }
    } catch (e) {
      throw withPath(e, m.key);
    }
  }
}

/** Reserves `n` bytes at the end of `e` (as raw bytes or as attribute `type`) and returns the buffer and where they start. */
function reserve(
  e: AttributeEncoder,
  n: number,
  type: number,
): [Uint8Array, number] {
  if (type < 0) e.raw(zeros(n));
  else e.bytes(type, zeros(n));
  const buf = e.view();
  return [buf, buf.length - pad4(n)];
}

/** Writes a struct-typed payload (attribute `type`, or raw when `type` is -1), its wire length kept. */
function encodeStructPayload(
  e: AttributeEncoder,
  st: RtStruct,
  v: unknown,
  type: number,
): void {
  const meta = metaOf(v);
  const n = meta?.length ?? st.size;
  if (n < st.size) {
    // Sent shorter than the struct (without its trailing padding): the one
    // case written through a scratch copy, as the encoder cannot shrink.
    const tmp = new Uint8Array(st.size);
    writeStruct(st, tmp, 0, v);
    if (type < 0) e.raw(tmp.subarray(0, n));
    else e.bytes(type, tmp.subarray(0, n));
    return;
  }
  const [buf, at] = reserve(e, n, type);
  writeStruct(st, buf, at, v);
  if (n > st.size && meta?.tail !== undefined) {
    buf.set(meta.tail.subarray(0, n - st.size), at + st.size);
  }
}

function clearNested(e: AttributeEncoder, start: number): void {
  const buf = e.view();
  put16(buf, start + 2, get16(buf, start + 2, LE) & ~NESTED, LE);
}

function setNested(e: AttributeEncoder, start: number): void {
  const buf = e.view();
  put16(buf, start + 2, get16(buf, start + 2, LE) | NESTED, LE);
}

function encodeScalarAttr(
  e: AttributeEncoder,
  a: RtValue,
  k: number,
  type: number,
  v: unknown,
): void {
  const x = checkInt(
    k === K.UINT ? K.U64 : k === K.SINT ? K.S64 : k,
    toInt(a, v, k),
  );
  const order = a.be ? "big" : undefined;
  switch (k) {
    case K.U8:
      e.uint8(type, x as number);
      return;
    case K.S8:
      e.int8(type, x as number);
      return;
    case K.U16:
      e.uint16(type, x as number, order);
      return;
    case K.S16:
      e.int16(type, x as number, order);
      return;
    case K.U32:
      e.uint32(type, x as number, order);
      return;
    case K.S32:
      e.int32(type, x as number, order);
      return;
    case K.U64:
      e.uint64(type, x as bigint, order);
      return;
    case K.S64:
      e.int64(type, x as bigint, order);
      return;
    case K.UINT: {
      const big = x as bigint;
      if (big <= 0xffffffffn) e.uint32(type, Number(big), order);
      else e.uint64(type, big, order);
      return;
    }
    default: { // K.SINT
      const big = x as bigint;
      if (big >= -0x80000000n && big <= 0x7fffffffn) {
        e.int32(type, Number(big), order);
      } else e.int64(type, big, order);
    }
  }
}

function encodeBinary(
  e: AttributeEncoder,
  a: RtValue,
  type: number,
  v: unknown,
): void {
  if (a.struct !== null && !(v instanceof Uint8Array)) {
    encodeStructPayload(e, a.struct, v, type);
    return;
  }
  if (typeof v === "string" && a.hint === H.IP) {
    // IPv4 text, the common case, written as its number (no bytes between).
    const n = parseIPv4Number(v);
    if (n !== undefined) {
      e.uint32(type, n, "big");
      return;
    }
  }
  e.bytes(type, toBytes(a, v, "value"));
}

function writeUnknown(e: AttributeEncoder, v: unknown): void {
  if (!Array.isArray(v)) {
    throw withPath(
      new TypeError("must be an array of { type, data }"),
      UNKNOWN,
    );
  }
  for (const u of v as Attribute[]) {
    if (
      u === null || typeof u !== "object" || !(u.data instanceof Uint8Array)
    ) {
      throw withPath(
        new TypeError("must be an array of { type, data }"),
        UNKNOWN,
      );
    }
    e.bytes(u.type, u.data);
  }
}

/**
 * Encodes the attributes of `v` (a value of `set`) into `e`, in the order
 * of `v`'s keys. Keys of `header` (written by the caller) are skipped.
 */
export function encodeAttrs(
  set: RtSet,
  e: AttributeEncoder,
  v: unknown,
  header: RtStruct | null,
  up: Frame | null,
): void {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError(`a value of ${set.name} must be an object`);
  }
  const obj = v as Obj;
  const meta = metaOf(v);
  if (meta?.order !== undefined) {
    encodeInOrder(set, e, obj, header, up, meta.order);
    return;
  }
  // Unknown attributes go back where they sat among the typed ones.
  const at = meta?.unknownAt;
  const unknown = at === undefined ? undefined : obj[UNKNOWN];
  if (unknown !== undefined && !Array.isArray(unknown)) {
    writeUnknown(e, unknown);
  }
  let u = 0;
  let written = 0;
  const flush = (all: boolean): void => {
    const list = unknown as Attribute[];
    while (u < list.length && (all || (at![u] ?? Infinity) <= written)) {
      writeUnknown(e, [list[u++]]);
    }
  };
  for (const k in obj) {
    const x = obj[k];
    if (x === undefined) continue;
    const a = set.byKey.get(k);
    if (a === undefined) {
      if (header !== null && header.keys.has(k)) continue;
      if (k === UNKNOWN) {
        if (unknown === undefined) writeUnknown(e, x);
        continue;
      }
      throw withPath(new TypeError(`is not an attribute of ${set.name}`), k);
    }
    try {
      if (a.kind === K.UNUSED) throw new TypeError("is an unused attribute");
      if (a.multi) {
        if (!Array.isArray(x)) {
          throw new TypeError("must be an array (the attribute may repeat)");
        }
        for (const item of x) {
          if (unknown !== undefined) flush(false);
          encodeValue(a, e, item, obj, up);
          written++;
        }
      } else {
        if (unknown !== undefined) flush(false);
        encodeValue(a, e, x, obj, up);
        written++;
      }
    } catch (err) {
      throw withPath(err, k, a.id);
    }
  }
  if (unknown !== undefined) flush(true);
}

/**
 * Encodes the attributes of a decoded value in the wire order it came in
 * (`WireMeta.order`); what the order does not cover (keys added since)
 * follows in key order.
 */
function encodeInOrder(
  set: RtSet,
  e: AttributeEncoder,
  obj: Obj,
  header: RtStruct | null,
  up: Frame | null,
  order: readonly string[],
): void {
  const used = new Map<string, number>();
  const one = (k: string, item: unknown): void => {
    if (k === UNKNOWN) {
      writeUnknown(e, [item]);
      return;
    }
    const a = set.byKey.get(k);
    if (a === undefined) {
      throw withPath(new TypeError(`is not an attribute of ${set.name}`), k);
    }
    try {
      encodeValue(a, e, item, obj, up);
    } catch (err) {
      throw withPath(err, k, a.id);
    }
  };
  const repeats = (k: string): boolean =>
    k === UNKNOWN || set.byKey.get(k)?.multi === true;
  for (const k of order) {
    const x = obj[k];
    if (x === undefined) continue;
    const i = used.get(k) ?? 0;
    used.set(k, i + 1);
    if (repeats(k)) {
      if (Array.isArray(x) && i < x.length) one(k, x[i]);
    } else if (i === 0) {
      one(k, x);
    }
  }
  for (const k in obj) {
    const x = obj[k];
    if (x === undefined || (header !== null && header.keys.has(k))) continue;
    const i = used.get(k) ?? 0;
    if (repeats(k)) {
      if (!Array.isArray(x)) {
        throw withPath(new TypeError("must be an array"), k);
      }
      for (let j = i; j < x.length; j++) one(k, x[j]);
    } else if (i === 0) {
      one(k, x);
    }
  }
}

function encodeValue(
  a: RtAttr,
  e: AttributeEncoder,
  v: unknown,
  obj: Obj,
  up: Frame | null,
): void {
  if (a.checks !== null && checking(up)) encodeChecked(a, e, v, obj, up);
  else encodeUnchecked(a, e, v, obj, up);
}

/** Encodes a value whose attribute has `checks`, and applies them. */
function encodeChecked(
  a: RtAttr,
  e: AttributeEncoder,
  v: unknown,
  obj: Obj,
  up: Frame | null,
): void {
  const k = a.kind;
  if (k <= K.SINT || k === K.BITFIELD32) {
    if (k <= K.SINT) {
      checkInteger(
        a,
        checkInt(
          k === K.UINT ? K.U64 : k === K.SINT ? K.S64 : k,
          toInt(a, v, k),
        ),
      );
    }
    encodeUnchecked(a, e, v, obj, up);
    return;
  }
  const start = e.length;
  encodeUnchecked(a, e, v, obj, up);
  if (k === K.STRING || k === K.BINARY) {
    checkLength(a, get16(e.view(), start, LE) - 4, k === K.STRING);
  } else if (k === K.INDEXED && a.sub !== K.NEST) {
    const d = new AttributeDecoder(
      e.view(),
      start + 4,
      get16(e.view(), start, LE) - 4,
    );
    while (d.next()) {
      try {
        checkLength(a, d.length, a.sub === K.STRING);
      } catch (err) {
        throw withPath(err, String(d.type - 1), d.type);
      }
    }
  }
}

function encodeUnchecked(
  a: RtAttr,
  e: AttributeEncoder,
  v: unknown,
  obj: Obj,
  up: Frame | null,
): void {
  const type = a.id;
  const k = a.kind;
  if (k <= K.SINT) {
    encodeScalarAttr(e, a, k, type, v);
    return;
  }
  switch (k) {
    case K.STRING:
      if (typeof v !== "string") throw new TypeError("must be a string");
      e.string(type, v);
      return;
    case K.FLAG:
      if (v === true) e.flag(type);
      else if (v !== false) throw new TypeError("must be true or false");
      return;
    case K.PAD:
      e.bytes(type, v instanceof Uint8Array ? v : new Uint8Array(0));
      return;
    case K.BINARY:
      if (a.sub !== 0 && !(v instanceof Uint8Array)) {
        if (!Array.isArray(v)) {
          throw new TypeError("must be an array of integers");
        }
        const size = INT_SIZE[a.sub]!;
        const [buf, at] = reserve(e, size * v.length, type);
        v.forEach((item, i) =>
          writeInt(
            a.sub,
            buf,
            at + i * size,
            checkInt(a.sub, toInt(a, item, a.sub)),
            a.be ? false : LE,
          )
        );
        return;
      }
      encodeBinary(e, a, type, v);
      return;
    case K.BITFIELD32: {
      if (v === null || typeof v !== "object") {
        throw new TypeError("must be { value, selector }");
      }
      const bf = v as { value?: unknown; selector?: unknown };
      const value = checkInt(K.U32, toInt(a, bf.value ?? 0, K.U32)) as number;
      const selector = checkInt(
        K.U32,
        toInt(a, bf.selector ?? 0, K.U32),
      ) as number;
      const [buf, at] = reserve(e, 8, type);
      put32(buf, at, value, LE);
      put32(buf, at + 4, selector, LE);
      return;
    }
    case K.NEST: {
      const start = e.length;
      e.nested(type, (n) => encodeAttrs(a.nested!, n, v, null, { obj, up }));
      if (metaOf(v)?.nested === false) clearNested(e, start);
      return;
    }
    case K.INDEXED:
      encodeIndexed(a, e, v, obj, up);
      return;
    case K.NTV:
      encodeNestTypeValue(a, e, v, obj, up);
      return;
    default: // K.SUBMSG
      encodeSubMessage(a, e, v, obj, up);
  }
}

function encodeIndexed(
  a: RtAttr,
  e: AttributeEncoder,
  v: unknown,
  obj: Obj,
  up: Frame | null,
): void {
  if (!Array.isArray(v)) throw new TypeError("must be an array");
  const meta = metaOf(v);
  const start = e.length;
  e.nested(a.id, (n) => {
    v.forEach((item, i) => {
      const idx = meta?.indexes?.[i] ?? i + 1;
      try {
        const k = a.sub;
        if (k === K.NEST) {
          const s = n.length;
          n.nested(
            idx & 0x3fff,
            (m) => encodeAttrs(a.nested!, m, item, null, { obj, up }),
          );
          if (
            metaOf(item)?.nested === false ||
            (idx & NESTED) === 0 && meta?.indexes !== undefined
          ) {
            clearNested(n, s);
          }
        } else if (k === K.BINARY) {
          encodeBinary(n, a, idx, item);
        } else if (k === K.STRING) {
          if (typeof item !== "string") throw new TypeError("must be a string");
          n.string(idx, item);
        } else {
          encodeScalarAttr(n, a, k, idx, item);
        }
      } catch (err) {
        throw withPath(err, String(i), idx & 0x3fff);
      }
    });
  });
  if (meta?.nested === false) clearNested(e, start);
}

function encodeNestTypeValue(
  a: RtAttr,
  e: AttributeEncoder,
  v: unknown,
  obj: Obj,
  up: Frame | null,
): void {
  if (!Array.isArray(v)) throw new TypeError("must be an array");
  const keys = a.tv!;
  const entries = v as Obj[];
  const start = e.length;
  const noFlag = (x: unknown): boolean => metaOf(x)?.nested === false;
  // Consecutive entries with the same leading type values share their nests.
  const level = (
    n: AttributeEncoder,
    from: number,
    to: number,
    depth: number,
  ): void => {
    let i = from;
    while (i < to) {
      const entry = entries[i]!;
      if (entry === null || typeof entry !== "object") {
        throw withPath(new TypeError("must be an object"), String(i));
      }
      const t = entry[keys[depth]!];
      if (typeof t !== "number") {
        throw withPath(
          new TypeError(`${keys[depth]} must be a number`),
          String(i),
        );
      }
      let j = i + 1;
      if (depth + 1 < keys.length) {
        while (
          j < to && entries[j]![keys[depth]!] === t &&
          sameUpTo(entries[j]!, entry, keys, depth)
        ) j++;
      }
      const s = n.length;
      if (depth + 1 < keys.length) {
        n.nested(t, (m) => level(m, i, j, depth + 1));
      } else {
        const rest: Obj = {};
        for (const key in entry) {
          if (!keys.includes(key)) rest[key] = entry[key];
        }
        try {
          n.nested(
            t,
            (m) => encodeAttrs(a.nested!, m, rest, null, { obj, up }),
          );
        } catch (err) {
          throw withPath(err, String(i));
        }
      }
      if (noFlag(entry)) clearNested(n, s);
      i = j;
    }
  };
  e.nested(a.id, (n) => level(n, 0, entries.length, 0));
  if (noFlag(v)) clearNested(e, start);
}

function sameUpTo(
  x: Obj,
  y: Obj,
  keys: readonly string[],
  depth: number,
): boolean {
  for (let i = 0; i <= depth; i++) {
    if (x[keys[i]!] !== y[keys[i]!]) return false;
  }
  return true;
}

function encodeSubMessage(
  a: RtAttr,
  e: AttributeEncoder,
  v: unknown,
  obj: Obj,
  up: Frame | null,
): void {
  const sel = selectorValue(a.sel!, obj, up);
  if (sel === undefined) {
    throw new TypeError(`needs ${a.sel} to choose its format`);
  }
  const f = a.msg!.formats.get(String(sel));
  if (f === undefined) {
    throw new TypeError(
      `has no format for ${a.sel} ${JSON.stringify(sel)} (known: ${
        [...a.msg!.formats.keys()].join(", ")
      })`,
    );
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError("must be an object");
  }
  const start = e.length;
  e.nested(a.id, (n) => {
    if (f.header !== null) {
      const [buf, at] = reserve(n, f.header.size, -1);
      writeStruct(f.header, buf, at, v, f.set !== null);
    }
    if (f.set !== null) encodeAttrs(f.set, n, v, f.header, { obj, up });
    else if (f.header === null) {
      for (const key in v as Obj) {
        if ((v as Obj)[key] !== undefined) {
          throw withPath(
            new TypeError(`format ${String(sel)} has no attributes`),
            key,
          );
        }
      }
    }
  });
  const want = f.header === null && f.set !== null;
  const flag = metaOf(v)?.nested ?? want;
  if (!flag) clearNested(e, start);
  else setNested(e, start);
}

/**
 * Encodes a fixed header (raw, padded to 4 bytes) and the attributes of
 * `v`; `check` applies the spec's checks (requests, not the kernel's replies).
 */
export function encodeBody(
  e: AttributeEncoder,
  header: RtStruct | null,
  set: RtSet | null,
  v: unknown,
  check = false,
): void {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError("must be an object");
  }
  if (header !== null) {
    const n = metaOf(v)?.length;
    if (n !== undefined && n < header.size) {
      // A short header, as it came: only its bytes, no attributes.
      const tmp = new Uint8Array(header.size);
      const raw = metaOf(v)?.bytes;
      if (raw !== undefined) tmp.set(raw.subarray(0, header.size));
      writeStruct(header, tmp, 0, v, true);
      e.raw(tmp.subarray(0, n));
      return;
    }
    const [buf, at] = reserve(e, header.size, -1);
    writeStruct(header, buf, at, v, set !== null);
  }
  if (set !== null) {
    encodeAttrs(
      set,
      e,
      v,
      header,
      check ? { obj: {}, up: null, check: true } : null,
    );
  } else {
    for (const key in v as Obj) {
      if (
        (v as Obj)[key] !== undefined &&
        (header === null || !header.keys.has(key))
      ) {
        throw withPath(
          new TypeError(
            "is not a member of the message (the operation has no attributes)",
          ),
          key,
        );
      }
    }
  }
}

/**
 * Decodes a fixed header and attributes from `b[off, off + len)`, its
 * copies cut from `cx` (by default a scope of its own).
 */
export function decodeBody(
  header: RtStruct | null,
  set: RtSet | null,
  b: Uint8Array,
  off: number,
  len: number,
  cx: DecodeScope = new DecodeScope(),
): Obj {
  const out: Obj = {};
  let at = off;
  const end = off + len;
  if (header !== null) {
    if (len < header.size) {
      // A short header (an old `rtgenmsg` dump request instead of
      // `ifinfomsg`): the members it holds, its length kept.
      decodeStructPrefix(header, b, off, len, out, cx);
      setMeta(out, { length: len, bytes: cx.copy(b, off, off + len) });
      return out;
    }
    decodeStruct(header, b, off, out, cx);
    at = off + pad4(header.size);
    if (at > end) at = end;
  }
  if (set !== null) decodeAttrs(set, b, at, end - at, out, null, 0, cx);
  else if (at < end) {
    // No attribute set: whatever follows is kept, as unknown attributes would be.
    decodeAttrs(new RtSet("(none)"), b, at, end - at, out, null, 0, cx);
  }
  return out;
}
