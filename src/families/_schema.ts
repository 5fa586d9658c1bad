/**
 * The descriptor a generated module hands to the runtime (what the spec
 * says, compactly), and its compiled form: tables indexed by attribute
 * type, with every reference resolved, built once on first use.
 *
 * @module
 */

import { camelCase } from "./_names.ts";
import type { DecodeScope } from "./_codec.ts";

/** Integer types of the specs. */
export type IntName =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "uint"
  | "sint";

/** Attribute types of the specs. */
export type TypeName =
  | IntName
  | "unused"
  | "pad"
  | "flag"
  | "binary"
  | "bitfield32"
  | "string"
  | "nest"
  | "indexed-array"
  | "nest-type-value"
  | "sub-message";

/** `display-hint` values. */
export type HintName =
  | "hex"
  | "mac"
  | "fddi"
  | "ipv4"
  | "ipv6"
  | "ipv4-or-v6"
  | "uuid";

/** An enum or flags table as exported by a generated module: spec name → value. */
export type EnumTable = Readonly<Record<string, number>>;

/** Options of an attribute or a struct member. */
export interface ValueOptions {
  /** `byte-order: big-endian`. */
  be?: true;
  /** The linked enum or flags table. */
  enum?: EnumTable;
  /** Decode as flags: `"mask"` when the table holds masks (a `flags` definition), `"bit"` when it holds bit numbers (`enum-as-flags`). */
  flags?: "mask" | "bit";
  /** `display-hint`. */
  hint?: HintName;
  /** Name of the struct (struct-typed binary, or a struct member). */
  struct?: string;
}

/** `checks` of an attribute. */
export interface ChecksDesc {
  /** `min`: the smallest value. */
  min?: bigint;
  /** `max`: the largest value. */
  max?: bigint;
  /** `min-len`: the shortest payload (a string's NUL not counted). */
  minLen?: number;
  /** `max-len`: the longest payload (a string's NUL not counted). */
  maxLen?: number;
  /** `exact-len`: the only payload length. */
  exactLen?: number;
  /** `flags-mask`: the bits a value may have. */
  mask?: bigint;
  /** `unterminated-ok`: a string may lack its NUL. */
  unterminatedOk?: true;
}

/** Options of an attribute. */
export interface AttrOptions extends ValueOptions {
  /** `multi-attr`: the attribute may repeat. */
  multi?: true;
  /** Name of the nested attribute set. */
  nest?: string;
  /** Element type of an indexed-array or of a binary array of integers. */
  sub?: TypeName;
  /** Name of the sub-message. */
  msg?: string;
  /** The attribute selecting the sub-message format. */
  sel?: string;
  /** nest-type-value: names of the levels' types. */
  tv?: readonly string[];
  /** `checks`: what the kernel validates. */
  checks?: ChecksDesc;
}

/** One attribute: `[value, spec name, type, options]`. */
export type AttrDesc = readonly [number, string, TypeName, AttrOptions?];

/** Options of a struct member. */
export interface MemberOptions extends ValueOptions {
  /** Its key in values when not the camelCase of its name. */
  key?: string;
}

/** One struct member: `[spec name, type, byte offset, size, options]`. */
export type MemberDesc = readonly [
  string,
  IntName | "binary" | "string" | "pad",
  number,
  number,
  MemberOptions?,
];

/** A struct: its size and members. */
export interface StructDesc {
  /** Size in bytes (C layout). */
  size: number;
  /** The members, with their offsets. */
  members: readonly MemberDesc[];
}

/** An attribute set; `of` names the main set of a subset. */
export interface SetDesc {
  /** `subset-of`: the main set. */
  of?: string;
  /** The attributes the spec lists. */
  attrs: readonly AttrDesc[];
}

/** One sub-message format: `[selector value, fixed header struct, attribute set]`. */
export type FormatDesc = readonly [string, (string | null)?, string?];

/** An operation: request/reply message types (or genl commands) and what it carries. */
export interface OpDesc {
  /** The spec's name. */
  name: string;
  /** The attribute set of its messages. */
  set?: string;
  /** The fixed header struct of its messages. */
  header?: string;
  /** `[request, reply]` values of `do` (reply absent: the kernel answers with an ACK only). */
  do?: readonly [number, number?];
  /** `[request, reply]` values of `dump`. */
  dump?: readonly [number, number?];
  /** A notification or event: its message type or command. */
  ntf?: number;
  /** The multicast group of a notification or event. */
  mcgrp?: string;
  /** `flags`: permissions the kernel requires (`admin-perm`, `uns-admin-perm`). */
  flags?: readonly string[];
  /** `dont-validate`: validation the kernel skips for it (`strict`, `dump`, `dump-strict`). */
  dontValidate?: readonly string[];
}

/** What a generated module says about its family. */
export interface FamilyDesc {
  /** The family's name (the generic netlink family name). */
  name: string;
  /** The protocol level. */
  protocol: "genetlink" | "genetlink-c" | "genetlink-legacy" | "netlink-raw";
  /** netlink-raw: the netlink protocol number. */
  protonum?: number;
  /** Generic netlink: the family version (default 1). */
  version?: number;
  /** The structs, by spec name. */
  structs?: Readonly<Record<string, StructDesc>>;
  /** The attribute sets, by spec name. */
  sets: Readonly<Record<string, SetDesc>>;
  /** The sub-messages, by spec name. */
  msgs?: Readonly<Record<string, readonly FormatDesc[]>>;
  /** The operations, notifications and events, in spec order. */
  ops: readonly OpDesc[];
  /** The multicast groups: `[name, number]` (number for netlink-raw only). */
  groups?: readonly (readonly [string, number?])[];
  /** Specialised decoders of hot operations, by `"<fixed header> <attribute set>"`. */
  fast?: Readonly<Record<string, FastDecoder>>;
}

/**
 * A specialised decoder (generated for hot paths): the value of the
 * message body at `bytes[offset, offset + length)`, its copies cut from
 * `scope` (made by the decoder on first use when `null`), or `undefined`
 * to let the table-driven decoder do it. Both give the same value.
 */
export type FastDecoder = (
  bytes: Uint8Array,
  offset: number,
  length: number,
  scope: DecodeScope | null,
) => Record<string, unknown> | undefined;

// --- compiled form ---------------------------------------------------------

/** Value kinds, one per attribute type (numbers for a fast switch). */
export const K = {
  U8: 1,
  U16: 2,
  U32: 3,
  U64: 4,
  S8: 5,
  S16: 6,
  S32: 7,
  S64: 8,
  UINT: 9,
  SINT: 10,
  UNUSED: 11,
  PAD: 12,
  FLAG: 13,
  BINARY: 14,
  BITFIELD32: 15,
  STRING: 16,
  NEST: 17,
  INDEXED: 18,
  NTV: 19,
  SUBMSG: 20,
} as const;

const KINDS: Readonly<Record<TypeName, number>> = {
  u8: K.U8,
  u16: K.U16,
  u32: K.U32,
  u64: K.U64,
  s8: K.S8,
  s16: K.S16,
  s32: K.S32,
  s64: K.S64,
  uint: K.UINT,
  sint: K.SINT,
  unused: K.UNUSED,
  pad: K.PAD,
  flag: K.FLAG,
  binary: K.BINARY,
  bitfield32: K.BITFIELD32,
  string: K.STRING,
  nest: K.NEST,
  "indexed-array": K.INDEXED,
  "nest-type-value": K.NTV,
  "sub-message": K.SUBMSG,
};

/** Display hints as numbers. */
export const H = { NONE: 0, MAC: 1, IP: 2, HEX: 3, UUID: 4 } as const;

const HINTS: Readonly<Record<HintName, number>> = {
  hex: H.HEX,
  mac: H.MAC,
  fddi: H.MAC,
  ipv4: H.IP,
  ipv6: H.IP,
  "ipv4-or-v6": H.IP,
  uuid: H.UUID,
};

/** Byte sizes of the fixed-width integers (0: variable or not an integer). */
export const INT_SIZE: readonly number[] = [0, 1, 2, 4, 8, 1, 2, 4, 8, 0, 0];

/** An enum or flags table, compiled for both directions. */
export class RtEnum {
  readonly table: EnumTable;
  /** value → name for small values; larger ones in `byValue`. */
  readonly names: (string | undefined)[] = [];
  readonly byValue: Map<number, string> = new Map();
  /** For flags: `[mask, name]` in table order. */
  masks: [number, string][] | null = null;

  constructor(table: EnumTable) {
    this.table = table;
    for (const name of Object.keys(table)) {
      const v = table[name]!;
      if (v >= 0 && v < 1024 && v % 1 === 0) this.names[v] ??= name;
      else if (!this.byValue.has(v)) this.byValue.set(v, name);
    }
  }

  /** The name of a value, or `undefined`. */
  name(v: number): string | undefined {
    return v >= 0 && v < 1024 ? this.names[v] : this.byValue.get(v);
  }

  /** `[mask, name]` pairs: table masks (`"mask"`) or `1 << value` (`"bit"`). */
  flagMasks(how: "mask" | "bit"): [number, string][] {
    if (this.masks !== null) return this.masks;
    const out: [number, string][] = [];
    for (const name of Object.keys(this.table)) {
      const v = this.table[name]!;
      out.push([how === "mask" ? v : 2 ** v, name]);
    }
    return this.masks = out;
  }
}

/** Common fields of a struct member and an attribute. */
export interface RtValue {
  /** Spec name. */
  readonly name: string;
  /** Key in values. */
  readonly key: string;
  readonly kind: number;
  readonly be: boolean;
  readonly en: RtEnum | null;
  /** 0: plain, 1: flags from masks, 2: flags from bit numbers. */
  readonly flags: number;
  readonly hint: number;
  struct: RtStruct | null;
}

/** A struct member. */
export interface RtMember extends RtValue {
  readonly offset: number;
  readonly size: number;
  /** Member type: an integer kind, or 0 binary, -1 string, -2 pad. */
}

/** A compiled struct. */
export class RtStruct {
  readonly name: string;
  readonly size: number;
  /** Where the last member ends: a shorter payload cannot hold the struct. */
  readonly minSize: number;
  readonly members: RtMember[];
  readonly keys: Set<string>;
  /** Padding byte ranges `[start, end, start, end, ...]`: pad members, alignment gaps, the tail. */
  readonly gaps: number[] = [];

  constructor(name: string, size: number, members: RtMember[]) {
    this.name = name;
    this.size = size;
    this.members = members;
    let end = 0;
    for (const m of members) {
      if (m.offset + m.size > end) end = m.offset + m.size;
    }
    this.minSize = end;
    this.keys = new Set(
      members.filter((m) => m.kind !== K.PAD).map((m) => m.key),
    );
    const covered = new Uint8Array(size);
    for (const m of members) {
      if (m.kind !== K.PAD) covered.fill(1, m.offset, m.offset + m.size);
    }
    for (let i = 0; i < size;) {
      if (covered[i] === 1) {
        i++;
        continue;
      }
      const start = i;
      while (i < size && covered[i] === 0) i++;
      this.gaps.push(start, i);
    }
  }
}

/** A compiled attribute. */
export interface RtAttr extends RtValue {
  readonly id: number;
  readonly multi: boolean;
  /** Element kind of an indexed-array or binary array (0: none). */
  readonly sub: number;
  nested: RtSet | null;
  msg: RtSubMessage | null;
  /** Key of the selector attribute. */
  readonly sel: string | null;
  /** nest-type-value level keys. */
  readonly tv: readonly string[] | null;
  readonly checks: ChecksDesc | null;
  /** The descriptor, for descriptions and policies. */
  readonly desc: AttrDesc;
}

/** A compiled attribute set. */
export class RtSet {
  readonly name: string;
  /** Attribute by type number. */
  readonly byId: (RtAttr | undefined)[] = [];
  /** Attribute by key. */
  readonly byKey: Map<string, RtAttr> = new Map();
  /** The attributes as the spec lists them (for a subset, its own). */
  listed: RtAttr[] = [];
  /** Whether encoding a value of this set may need a check (its own or a nested set's). */
  hasChecks = false;
  /**
   * Whether a sub-message in this set or below may look outwards for its
   * selector: only then do decoders pass the enclosing values down.
   */
  selects = false;

  constructor(name: string) {
    this.name = name;
  }
}

/** A compiled sub-message. */
export class RtSubMessage {
  readonly name: string;
  readonly formats: Map<
    string,
    { header: RtStruct | null; set: RtSet | null }
  > = new Map();

  constructor(name: string) {
    this.name = name;
  }
}

/** A compiled operation. */
export interface RtOp {
  readonly desc: OpDesc;
  readonly set: RtSet | null;
  readonly header: RtStruct | null;
  /** The specialised decoder of its header and set, if one was generated. */
  readonly fast: FastDecoder | null;
}

/** A compiled family. */
export class RtFamily {
  readonly desc: FamilyDesc;
  readonly genl: boolean;
  readonly structs: Map<string, RtStruct> = new Map();
  readonly sets: Map<string, RtSet> = new Map();
  readonly msgs: Map<string, RtSubMessage> = new Map();
  readonly ops: Map<string, RtOp> = new Map();

  constructor(desc: FamilyDesc) {
    this.desc = desc;
    this.genl = desc.protocol !== "netlink-raw";
    const enums = new Map<EnumTable, RtEnum>();
    const rtEnum = (t: EnumTable | undefined): RtEnum | null => {
      if (t === undefined) return null;
      let e = enums.get(t);
      if (e === undefined) enums.set(t, e = new RtEnum(t));
      return e;
    };
    const flagsOf = (o: ValueOptions | undefined): number =>
      o?.flags === "mask" ? 1 : o?.flags === "bit" ? 2 : 0;
    const fixups: (() => void)[] = [];

    for (const [name, s] of Object.entries(desc.structs ?? {})) {
      const members: RtMember[] = s.members.map(
        ([mname, type, offset, size, o]) => {
          const m: RtMember = {
            name: mname,
            key: o?.key ?? camelCase(mname),
            kind: type === "binary"
              ? K.BINARY
              : type === "string"
              ? K.STRING
              : KINDS[type],
            offset,
            size,
            be: o?.be === true,
            en: rtEnum(o?.enum),
            flags: flagsOf(o),
            hint: o?.hint === undefined ? H.NONE : HINTS[o.hint],
            struct: null,
          };
          if (o?.struct !== undefined) {
            const ref = o.struct;
            fixups.push(() =>
              m.struct = this.#ref(this.structs, ref, "struct")
            );
          }
          return m;
        },
      );
      this.structs.set(name, new RtStruct(name, s.size, members));
    }
    const compileAttr = (desc: AttrDesc): RtAttr => {
      const [id, name, type, o] = desc;
      const a: RtAttr = {
        id,
        name,
        key: camelCase(name),
        kind: KINDS[type],
        multi: o?.multi === true,
        be: o?.be === true,
        en: rtEnum(o?.enum),
        flags: flagsOf(o),
        hint: o?.hint === undefined ? H.NONE : HINTS[o.hint],
        struct: null,
        sub: o?.sub === undefined ? 0 : KINDS[o.sub],
        nested: null,
        msg: null,
        sel: o?.sel === undefined ? null : camelCase(o.sel),
        tv: o?.tv === undefined ? null : o.tv.map(camelCase),
        checks: o?.checks ?? null,
        desc,
      };
      if (o?.struct !== undefined) {
        const ref = o.struct;
        fixups.push(() => a.struct = this.#ref(this.structs, ref, "struct"));
      }
      if (o?.nest !== undefined) {
        const ref = o.nest;
        fixups.push(() =>
          a.nested = this.#ref(this.sets, ref, "attribute set")
        );
      }
      if (o?.msg !== undefined) {
        const ref = o.msg;
        fixups.push(() => a.msg = this.#ref(this.msgs, ref, "sub-message"));
      }
      return a;
    };
    for (const name of Object.keys(desc.sets)) {
      this.sets.set(name, new RtSet(name));
    }
    for (const [name, s] of Object.entries(desc.sets)) {
      const set = this.sets.get(name)!;
      set.listed = s.attrs.map(compileAttr);
      const all: RtAttr[] = [];
      if (s.of !== undefined) {
        const main = desc.sets[s.of];
        if (main === undefined) {
          throw new TypeError(
            `Cannot load family ${desc.name}: no set ${s.of}`,
          );
        }
        const own = new Map(set.listed.map((a) => [a.name, a]));
        for (const m of main.attrs) all.push(own.get(m[1]) ?? compileAttr(m));
      } else {
        all.push(...set.listed);
      }
      for (const a of all) {
        if (a.kind !== K.UNUSED || set.byId[a.id] === undefined) {
          set.byId[a.id] = a;
        }
        set.byKey.set(a.key, a);
      }
    }
    for (const [name, formats] of Object.entries(desc.msgs ?? {})) {
      const m = new RtSubMessage(name);
      for (const [value, header, set] of formats) {
        fixups.push(() =>
          m.formats.set(value, {
            header: header == null
              ? null
              : this.#ref(this.structs, header, "struct"),
            set: set === undefined
              ? null
              : this.#ref(this.sets, set, "attribute set"),
          })
        );
      }
      this.msgs.set(name, m);
    }
    for (const f of fixups) f();
    for (const op of desc.ops) {
      this.ops.set(op.name, {
        desc: op,
        set: op.set === undefined
          ? null
          : this.#ref(this.sets, op.set, "attribute set"),
        header: op.header === undefined
          ? null
          : this.#ref(this.structs, op.header, "struct"),
        fast: desc.fast?.[`${op.header} ${op.set}`] ?? null,
      });
    }
    // selects: a set with a sub-message, or enclosing one (a fixed point).
    for (const s of this.sets.values()) {
      for (const a of s.byKey.values()) {
        if (a.kind === K.SUBMSG) s.selects = true;
      }
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const s of this.sets.values()) {
        if (s.selects) continue;
        for (const a of s.byKey.values()) {
          let inner = a.nested?.selects === true;
          for (const f of a.msg?.formats.values() ?? []) {
            if (f.set?.selects === true) inner = true;
          }
          if (inner) {
            s.selects = changed = true;
            break;
          }
        }
      }
    }
    // hasChecks: a fixed point over nests and sub-messages.
    for (const s of this.sets.values()) {
      for (const a of s.byKey.values()) {
        if (a.checks !== null) s.hasChecks = true;
      }
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const s of this.sets.values()) {
        if (s.hasChecks) continue;
        for (const a of s.byKey.values()) {
          let inner = a.nested?.hasChecks === true;
          for (const f of a.msg?.formats.values() ?? []) {
            if (f.set?.hasChecks === true) inner = true;
          }
          if (inner) {
            s.hasChecks = changed = true;
            break;
          }
        }
      }
    }
  }

  #ref<T>(map: Map<string, T>, name: string, what: string): T {
    const v = map.get(name);
    if (v === undefined) {
      throw new TypeError(
        `Cannot load family ${this.desc.name}: no ${what} named ${name}`,
      );
    }
    return v;
  }
}
