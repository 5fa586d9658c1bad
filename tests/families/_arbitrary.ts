/**
 * fast-check arbitraries derived from a compiled family: a value of any
 * attribute set, struct or operation body, in the canonical form the
 * decoder gives (names where the spec links an enum, text for address
 * hints, bigint for 64-bit), respecting the spec's checks.
 */
import fc from "fast-check";
import {
  formatIP,
  formatIPv4Number,
  formatMAC,
} from "../../src/families/_text.ts";
import {
  H,
  INT_SIZE,
  K,
  type RtAttr,
  type RtFamily,
  type RtMember,
  type RtSet,
  type RtStruct,
  type RtValue,
} from "../../src/families/_schema.ts";

type Arb = fc.Arbitrary<unknown>;

const RANGE: Readonly<Record<number, [bigint, bigint]>> = {
  [K.U8]: [0n, 0xffn],
  [K.U16]: [0n, 0xffffn],
  [K.U32]: [0n, 0xffffffffn],
  [K.U64]: [0n, 0xffffffffffffffffn],
  [K.UINT]: [0n, 0xffffffffffffffffn],
  [K.S8]: [-0x80n, 0x7fn],
  [K.S16]: [-0x8000n, 0x7fffn],
  [K.S32]: [-0x80000000n, 0x7fffffffn],
  [K.S64]: [-0x8000000000000000n, 0x7fffffffffffffffn],
  [K.SINT]: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

function big(k: number): boolean {
  return k === K.U64 || k === K.S64 || k === K.UINT || k === K.SINT;
}

/** An integer of kind `k` for value `a`: a name, a list of flags, an address text or a number. */
function intArb(a: RtValue, k: number, min?: bigint, max?: bigint): Arb {
  const [lo0, hi0] = RANGE[k]!;
  const lo = min !== undefined && min > lo0 ? min : lo0;
  const hi = max !== undefined && max < hi0 ? max : hi0;
  const en = a.en;
  if (a.flags !== 0 && en !== null) {
    // Names with distinct single masks that fit the type, in table order (as decoded).
    const seen = new Set<number>();
    const names: string[] = [];
    for (const [mask, name] of en.flagMasks(a.flags === 1 ? "mask" : "bit")) {
      if (
        mask === 0 || seen.has(mask) || BigInt(mask) > hi0 ||
        !Number.isInteger(Math.log2(mask))
      ) continue;
      seen.add(mask);
      names.push(name);
    }
    return fc.subarray(names);
  }
  const number: fc.Arbitrary<number | bigint> = big(k)
    ? fc.bigInt(lo, hi)
    : fc.integer({ min: Number(lo), max: Number(hi) });
  if (en !== null) {
    const inRange = Object.keys(en.table).filter((n) => {
      const v = BigInt(en.table[n]!);
      return v >= lo && v <= hi && en.name(en.table[n]!) === n;
    });
    const unnamed = number.filter((x: number | bigint) =>
      x > 0xffffffffn || en.name(Number(x)) === undefined
    );
    return inRange.length === 0
      ? unnamed
      : fc.oneof(fc.constantFrom(...inRange), unnamed);
  }
  if (a.hint === H.IP && k === K.U32) {
    return fc.integer({ min: 0, max: 0xffffffff }).map(formatIPv4Number);
  }
  return number;
}

function bytesArb(a: RtValue, minLength = 0, maxLength = 24): Arb {
  const b = fc.uint8Array({ minLength, maxLength });
  if (a.hint === H.MAC) return b.map((x) => formatMAC(x, 0, x.length));
  if (a.hint === H.IP) {
    const sizes = [4, 16].filter((n) => n >= minLength && n <= maxLength);
    if (sizes.length === 0) return b.map((x) => formatIP(x, 0, x.length));
    return fc.constantFrom(...sizes).chain((n) =>
      fc.uint8Array({ minLength: n, maxLength: n })
    ).map((x) => formatIP(x, 0, x.length));
  }
  return b;
}

/** Builds arbitraries for the sets, structs and bodies of one family. */
export class FamilyArbitraries {
  readonly rt: RtFamily;
  readonly #depthLimit: number;

  constructor(rt: RtFamily, depthLimit = 2) {
    this.rt = rt;
    this.#depthLimit = depthLimit;
  }

  /** A value of struct `st` (every member). */
  struct(
    st: RtStruct,
    only?: Set<string>,
  ): fc.Arbitrary<Record<string, unknown>> {
    const model: Record<string, Arb> = {};
    for (const m of st.members) {
      if (m.kind === K.PAD || (only !== undefined && !only.has(m.key))) {
        continue;
      }
      model[m.key] = this.#member(m);
    }
    return fc.record(model, { noNullPrototype: true });
  }

  #member(m: RtMember): Arb {
    if (m.kind <= K.S64) return intArb(m, m.kind);
    if (m.kind === K.STRING) {
      return fc.string({ maxLength: Math.max(0, m.size - 1) }).filter((s) =>
        !s.includes("\0") && new TextEncoder().encode(s).length < m.size
      );
    }
    if (m.struct !== null) return this.struct(m.struct);
    if (m.hint === H.MAC) {
      return fc.uint8Array({ minLength: m.size, maxLength: m.size }).map((x) =>
        formatMAC(x, 0, x.length)
      );
    }
    if (m.hint === H.IP) {
      return fc.uint8Array({ minLength: m.size, maxLength: m.size }).map((x) =>
        formatIP(x, 0, x.length)
      );
    }
    return fc.uint8Array({ minLength: m.size, maxLength: m.size });
  }

  readonly #sets = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

  /** A value of attribute set `set`, `depth` levels of nesting deep. */
  set(set: RtSet, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const key = `${set.name}:${depth}`;
    let arb = this.#sets.get(key);
    if (arb === undefined) this.#sets.set(key, arb = this.#set(set, depth));
    return arb;
  }

  #set(set: RtSet, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const model: Record<string, Arb> = {};
    const subs: RtAttr[] = [];
    for (const a of set.byKey.values()) {
      if (a.kind === K.UNUSED || set.byId[a.id] !== a) continue;
      if (a.kind === K.SUBMSG) {
        if (set.byKey.has(a.sel!)) subs.push(a);
        continue;
      }
      if (set.byKey.get(a.key) !== a) continue;
      if (subs.some((s) => s.sel === a.key)) continue;
      const one = this.#one(a, depth);
      if (one === null) continue;
      model[a.key] = a.multi
        ? fc.array(one, { minLength: 1, maxLength: 3 })
        : one;
    }
    // A sub-message travels with its selector: pick a format, set both.
    for (const a of subs) delete model[a.sel!];
    // A few attributes per value (wide sets nest wide sets): up to 12 at
    // the top, 4 below.
    const keys = Object.keys(model);
    let arb: fc.Arbitrary<Record<string, unknown>> = fc.subarray(keys, {
      maxLength: Math.min(keys.length, depth === 0 ? 12 : 4),
    })
      .chain((chosen) => {
        const part: Record<string, Arb> = {};
        for (const k of chosen) part[k] = model[k]!;
        return fc.record(part, { noNullPrototype: true });
      });
    // Sub-messages sharing a selector (tc's options and xstats, both by
    // kind) take one selector value, each its format for it.
    const bySel = new Map<string, RtAttr[]>();
    for (const a of subs) bySel.set(a.sel!, [...(bySel.get(a.sel!) ?? []), a]);
    for (const [selKey, group] of bySel) {
      if (depth >= this.#depthLimit) continue;
      const values = [
        ...new Set(group.flatMap((a) => [...a.msg!.formats.keys()])),
      ];
      if (values.length === 0) continue;
      const pick = fc.option(
        fc.constantFrom(...values).chain((value) =>
          fc.tuple(
            fc.constant(value),
            ...group.map((a) => {
              const f = a.msg!.formats.get(value);
              return f === undefined
                ? fc.constant(undefined)
                : fc.option(this.#format(f.header, f.set, depth + 1), {
                  nil: undefined,
                });
            }),
          )
        ),
        { nil: null },
      );
      arb = fc.tuple(arb, pick).map(([o, p]) => {
        const out = { ...o };
        if (p !== null) {
          const [value, ...parts] = p;
          out[selKey] = value;
          group.forEach((a, i) => {
            if (parts[i] !== undefined) {
              out[a.key] = a.multi ? [parts[i]] : parts[i];
            }
          });
        }
        return out;
      });
    }
    return arb;
  }

  #format(
    header: RtStruct | null,
    set: RtSet | null,
    depth: number,
  ): fc.Arbitrary<Record<string, unknown>> {
    const h = header === null ? fc.constant({}) : this.struct(header);
    const s = set === null ? fc.constant({}) : this.set(set, depth);
    return fc.tuple(h, s).map(([x, y]) => ({ ...x, ...y }));
  }

  /** A body of an operation: its fixed header and its set. */
  body(
    header: RtStruct | null,
    set: RtSet | null,
  ): fc.Arbitrary<Record<string, unknown>> {
    return this.#format(header, set, 0);
  }

  #one(a: RtAttr, depth: number): Arb | null {
    const c = a.checks;
    const k = a.kind;
    if (k <= K.SINT) return intArb(a, k, c?.min, c?.max);
    const lenMin = c?.exactLen ?? c?.minLen ?? 0;
    const lenMax = c?.exactLen ??
      Math.max(lenMin, c?.maxLen !== undefined ? Math.min(c.maxLen, 64) : 24);
    switch (k) {
      case K.STRING:
        return fc.string({ minLength: lenMin, maxLength: lenMax }).filter(
          (s) => {
            const n = new TextEncoder().encode(s).length;
            return !s.includes("\0") && n >= lenMin && n <= lenMax;
          },
        );
      case K.FLAG:
        return fc.constant(true);
      case K.PAD:
        return fc.uint8Array({ maxLength: 8 });
      case K.BINARY:
        if (a.sub !== 0) {
          const size = INT_SIZE[a.sub]!;
          return fc.array(intArb(a, a.sub), {
            minLength: Math.ceil(lenMin / size),
            maxLength: Math.max(
              Math.ceil(lenMin / size),
              Math.floor(lenMax / size),
            ),
          });
        }
        if (a.struct !== null) return this.struct(a.struct);
        return bytesArb(a, lenMin, lenMax);
      case K.BITFIELD32: {
        const part = intArb(a, K.U32);
        return fc.record({ value: part, selector: part }, {
          noNullPrototype: true,
        });
      }
      case K.NEST:
        return depth >= this.#depthLimit
          ? fc.constant({})
          : this.set(a.nested!, depth + 1);
      case K.INDEXED: {
        let el: Arb;
        if (a.sub === K.NEST) {
          if (depth >= this.#depthLimit) return fc.constant([]);
          el = this.set(a.nested!, depth + 1);
        } else if (a.sub === K.BINARY) {
          el = a.struct !== null
            ? this.struct(a.struct)
            : bytesArb(a, lenMin, lenMax);
        } else if (a.sub === K.STRING) {
          el = fc.string({ maxLength: 12 }).filter((s) => !s.includes("\0"));
        } else {
          el = intArb(a, a.sub);
        }
        return fc.array(el, { maxLength: 3 });
      }
      case K.NTV: {
        if (depth >= this.#depthLimit) return fc.constant([]);
        const keys = a.tv!;
        const entry = fc.tuple(
          fc.array(fc.integer({ min: 1, max: 0x3fff }), {
            minLength: keys.length,
            maxLength: keys.length,
          }),
          this.set(a.nested!, depth + 1),
        ).map(([types, rest]) => {
          const e: Record<string, unknown> = {};
          keys.forEach((key, i) => e[key] = types[i]);
          return Object.assign(e, rest);
        });
        return fc.array(entry, { maxLength: 3 });
      }
      default:
        return null;
    }
  }
}
