/**
 * Helpers of the specialised decoders the generator writes for hot
 * operations (rtnetlink dumps of routes, links, addresses, neighbours and
 * rules). A specialised decoder reads the common case straight from the
 * bytes with literal property names, and hands anything unusual (an
 * attribute the spec does not know, a length its type cannot have, flag
 * bits, a repeated attribute, padding that is not zero) back to the
 * table-driven decoder by returning `undefined`: both give the same value,
 * which the tests check on the corpus, on random values and on random
 * bytes.
 *
 * @module
 */

import {
  get16,
  get32,
  getString,
  HOST_LITTLE_ENDIAN,
} from "../netlink/_endian.ts";
import { decodeNested, type DecodeScope, type Obj, UNKNOWN } from "./_codec.ts";
import type { Attribute } from "../netlink/attribute.ts";
import { compiled, type YnlFamily } from "./family.ts";
import { type EnumTable, RtEnum } from "./_schema.ts";

export { DecodeScope, flagNames, placeUnknown } from "./_codec.ts";
export {
  formatIP as ip,
  formatIPv4Number as ipv4,
  formatMAC as mac,
} from "./_text.ts";
export { get16, get32 };

/**
 * The constructor of a decoded message's object (`new N_rtmsg(b, o, cx)`):
 * a generated function whose prototype is `Object.prototype`, so the
 * result is a plain object, built with room for the attributes added after
 * the fixed header (V8 reserves it for objects a constructor makes, not
 * for literals). `cx` is the decoding's scope (copies, 64-bit reads),
 * passed to the readers of structs that need it.
 */
export type Reader = new (
  b: Uint8Array,
  o: number,
  cx?: DecodeScope,
) => Record<string, unknown>;

/** The machine's byte order (netlink's): true for little-endian. */
export const LE: boolean = HOST_LITTLE_ENDIAN;

/** An enum or flags table compiled for decoding (value → name, masks). */
export function enumOf(table: EnumTable): RtEnum {
  return new RtEnum(table);
}

/** An enum's name for `v`, or `v` when the enum has none (as the table-driven decoder). */
export function enumName(e: RtEnum, v: number): string | number {
  return e.name(v) ?? v;
}

/** The same for a 64-bit value. */
export function enumBig(e: RtEnum, v: bigint): string | bigint {
  return v <= 0xffffffffn ? e.name(Number(v)) ?? v : v;
}

/** A string attribute's text: up to its first NUL, UTF-8 (as `AttributeDecoder.string()`). */
export function str(b: Uint8Array, o: number, n: number): string {
  return getString(b, o, o + n);
}

/** Keeps an attribute the spec does not know (type with its flags, a copy of its payload cut from `cx`), as the table-driven decoder does. */
export function keep(
  out: Obj,
  type: number,
  b: Uint8Array,
  o: number,
  n: number,
  cx: DecodeScope,
): void {
  const a: Attribute = { type, data: cx.copy(b, o, o + n) };
  const list = out[UNKNOWN] as Attribute[] | undefined;
  if (list === undefined) out[UNKNOWN] = [a];
  else list.push(a);
}

/** A nest of the named set, decoded by the table-driven decoder; undefined when it does not fit. */
export function nest(
  family: YnlFamily,
  set: string,
  b: Uint8Array,
  o: number,
  n: number,
  outer: Obj,
  type: number,
  cx: DecodeScope,
): Obj | undefined {
  return decodeNested(
    compiled(family).sets.get(set)!,
    b,
    o,
    n,
    outer,
    type,
    cx,
  );
}
