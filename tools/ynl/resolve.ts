/**
 * Step 2 of the generator: resolve and check a parsed spec into the typed
 * model (`model.ts`). References (enums, structs, attribute sets,
 * `subset-of`, sub-messages, selectors, operations, groups, constants in
 * `checks`) must exist; values are numbered as the kernel numbers them;
 * names are mapped (DESIGN §6). Every failure is a {@linkcode SpecError}
 * naming the file, the path inside it and the reason.
 *
 * Numbering: attributes count from 1 in each set unless `value` says
 * otherwise (a subset takes the main set's values); enums count from
 * `value-start` (default 0); `flags` entries take bits from `value-start`
 * (default bit 0), an entry's `value` being a bit number. Operations in the
 * `unified` model count from 1; in the `directional` model requests and
 * replies are counted apart (a request for every op with `do` or `dump`, a
 * reply for every op with a reply, and for every notification and event),
 * explicit values resetting either count.
 *
 * @module
 */

import {
  camelCase,
  operationName,
  pascalCase,
} from "../../src/families/_names.ts";
import { itemPath, SpecError } from "./errors.ts";
import type {
  AttrModel,
  AttrType,
  ChecksModel,
  ConstModel,
  EnumModel,
  FamilyModel,
  FormatModel,
  GroupModel,
  Hint,
  IntType,
  MemberModel,
  ModeModel,
  OpModel,
  SetModel,
  StructModel,
  SubMessageModel,
} from "./model.ts";

type Obj = Record<string, unknown>;

const INT_SIZES: Readonly<Record<string, number>> = {
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  s8: 1,
  s16: 2,
  s32: 4,
  s64: 8,
};

/** Limits a `min`/`max` check may name (`u32-max`, `s16-min`, ...). */
function limit(name: string): bigint | undefined {
  const m = /^([us])(8|16|32|64)-(min|max)$/.exec(name);
  if (m === null) return undefined;
  const bits = BigInt(m[2]!);
  if (m[1] === "u") return m[3] === "min" ? 0n : (1n << bits) - 1n;
  return m[3] === "min" ? -(1n << (bits - 1n)) : (1n << (bits - 1n)) - 1n;
}

/** Where to put the module of a spec, and its export. */
export function moduleNames(
  specName: string,
): { moduleFile: string; exportPath: string } {
  return {
    moduleFile: `${specName.replaceAll("-", "_")}.ts`,
    exportPath: `./families/${specName.replaceAll("_", "-")}`,
  };
}

/**
 * Resolves a spec checked against its meta-schema into the model.
 *
 * @param file The spec's path, for errors and the generated header.
 * @param spec The parsed spec.
 * @param spdx The spec's SPDX licence expression.
 */
export function resolve(
  file: string,
  spec: Obj,
  spdx: string,
  warnings: SpecError[] = [],
): FamilyModel {
  const fail = (path: string, reason: string): never => {
    throw new SpecError(file, path, reason);
  };
  /** A problem in documentation-only parts (operation attribute lists): reported, not fatal. */
  const warn = (path: string, reason: string): void => {
    warnings.push(new SpecError(file, path, reason));
  };
  const specName = file.replace(/^.*\//, "").replace(/\.yaml$/, "");
  const protocol = (spec.protocol ?? "genetlink") as FamilyModel["protocol"];
  const raw = protocol === "netlink-raw";
  const doc = (o: Obj): string | undefined =>
    typeof o.doc === "string" && o.doc.trim() !== "" ? o.doc.trim() : undefined;

  // --- definitions ---------------------------------------------------------
  const defs = (spec.definitions ?? []) as Obj[];
  const consts = new Map<string, ConstModel>();
  const constAliases = new Map<string, ConstModel>();
  const enums = new Map<string, EnumModel>();
  const structs = new Map<string, StructModel>();
  const structDefs = new Map<string, { def: Obj; path: string }>();
  const defNames = new Set<string>();
  defs.forEach((d, i) => {
    const path = itemPath("definitions", i, d);
    const name = d.name as string;
    if (defNames.has(name)) fail(path, `definition ${name} is defined twice`);
    defNames.add(name);
    const type = d.type as string;
    if (type === "const") {
      const c: ConstModel = {
        name,
        tsName: camelCase(name),
        value: d.value as number | string,
        path,
      };
      const dd = doc(d);
      if (dd !== undefined) c.doc = dd;
      consts.set(name, c);
      if (typeof d["name-prefix"] === "string") {
        constAliases.set(`${d["name-prefix"]}${name}`, c);
      }
    } else if (type === "enum" || type === "flags") {
      const start = d["value-start"] ?? 0;
      if (typeof start !== "number") {
        fail(itemPath(path, "value-start"), "must be an integer");
      }
      let next = start as number;
      const seen = new Set<string>();
      const entries = ((d.entries ?? []) as unknown[]).map((e, j) => {
        const ep = itemPath(itemPath(path, "entries"), j, e);
        const eo: Obj = typeof e === "string" ? { name: e } : e as Obj;
        const en = eo.name as string;
        if (seen.has(en)) fail(ep, `entry ${en} appears twice`);
        seen.add(en);
        const v = typeof eo.value === "number" ? eo.value : next;
        next = v + 1;
        if (type === "flags" && (v < 0 || v > 63)) {
          fail(ep, `flag bit ${v} is outside 0..63`);
        }
        const entry = {
          name: en,
          value: type === "flags" ? 2 ** v : v,
          path: ep,
        } as EnumModel["entries"][number];
        const ed = doc(eo);
        if (ed !== undefined) entry.doc = ed;
        return entry;
      });
      const m: EnumModel = {
        name,
        tsName: pascalCase(name),
        kind: type,
        entries,
        path,
      };
      const dd = doc(d);
      if (dd !== undefined) m.doc = dd;
      enums.set(name, m);
    } else if (type === "struct") {
      structDefs.set(name, { def: d, path });
    } else {
      fail(itemPath(path, "type"), `unknown definition type ${type}`);
    }
  });

  const lookupConst = (ref: string): ConstModel | undefined =>
    consts.get(ref) ?? constAliases.get(ref);

  /** A length: an integer or a constant's name, optionally `name - 1`. */
  const length = (v: unknown, path: string): number => {
    if (typeof v === "number") return v;
    const m = /^(.+?)( - 1)?$/.exec(String(v))!;
    const c = lookupConst(m[1]!);
    if (c === undefined || typeof c.value !== "number") {
      return fail(
        path,
        `${JSON.stringify(v)} is not a number or a numeric constant`,
      );
    }
    return c.value - (m[2] === undefined ? 0 : 1);
  };

  /** A min/max value: an integer, a limit (`u32-max`) or a constant. */
  const bound = (v: unknown, path: string): bigint => {
    if (typeof v === "number") return BigInt(v);
    const l = limit(String(v));
    if (l !== undefined) return l;
    const c = lookupConst(String(v));
    if (c === undefined || typeof c.value !== "number") {
      return fail(
        path,
        `${JSON.stringify(v)} is not a number, a limit or a numeric constant`,
      );
    }
    return BigInt(c.value);
  };

  const enumRef = (o: Obj, path: string): EnumModel | undefined => {
    if (o.enum === undefined) {
      if (o["enum-as-flags"] === true) {
        fail(itemPath(path, "enum-as-flags"), "needs an enum");
      }
      return undefined;
    }
    const e = enums.get(o.enum as string);
    if (e === undefined) {
      fail(itemPath(path, "enum"), `no enum or flags named ${o.enum}`);
    }
    return e;
  };

  const structInProgress = new Set<string>();
  const structRef = (name: string, path: string): StructModel => {
    const done = structs.get(name);
    if (done !== undefined) return done;
    const entry = structDefs.get(name);
    if (entry === undefined) return fail(path, `no struct named ${name}`);
    if (structInProgress.has(name)) {
      return fail(path, `struct ${name} contains itself`);
    }
    structInProgress.add(name);
    const { def, path: sp } = entry;
    // Members sit where a C compiler puts them: each integer aligned to its
    // size, a nested struct to its largest member, the struct's size
    // rounded up to that (tc's tc-u32-sel puts offmask at 4, not 3;
    // ovs-key-ct-tuple-ipv4 is 16 bytes, not 13). Byte arrays align to 1.
    let offset = 0;
    let align = 1;
    const members: MemberModel[] = ((def.members ?? []) as Obj[]).map(
      (m, j) => {
        const mp = itemPath(itemPath(sp, "members"), j, m);
        const type = m.type as MemberModel["type"];
        let size: number;
        let struct: StructModel | undefined;
        if (type in INT_SIZES) size = INT_SIZES[type]!;
        else if (m.struct !== undefined) {
          if (type !== "binary") {
            fail(
              itemPath(mp, "struct"),
              "only a binary member can be a struct",
            );
          }
          struct = structRef(m.struct as string, itemPath(mp, "struct"));
          size = m.len === undefined
            ? struct.size
            : length(m.len, itemPath(mp, "len"));
          if (size !== struct.size) {
            fail(
              itemPath(mp, "len"),
              `is ${size}, struct ${struct.name} has ${struct.size} bytes`,
            );
          }
        } else if (m.len !== undefined) {
          size = length(m.len, itemPath(mp, "len"));
        } else return fail(mp, `a ${type} member needs len`);
        const a = type in INT_SIZES
          ? INT_SIZES[type]!
          : struct !== undefined
          ? struct.align
          : 1;
        offset = Math.ceil(offset / a) * a;
        if (a > align) align = a;
        const member: MemberModel = {
          name: m.name as string,
          key: camelCase(m.name as string),
          type,
          offset,
          size,
          bigEndian: m["byte-order"] === "big-endian",
          asFlags: m["enum-as-flags"] === true,
          path: mp,
        };
        offset += size;
        const e = enumRef(m, mp);
        if (e !== undefined) member.enum = e;
        if (struct !== undefined) member.struct = struct;
        if (m["display-hint"] !== undefined) {
          member.hint = m["display-hint"] as Hint;
        }
        const md = doc(m);
        if (md !== undefined) member.doc = md;
        // byte-order on a binary member (ovs_flow ipv6-src) changes no byte: ignored.
        if (type === "binary") member.bigEndian = false;
        if (
          (member.enum !== undefined || member.bigEndian) &&
          !(type in INT_SIZES)
        ) {
          fail(mp, `enum and byte-order need an integer member, not ${type}`);
        }
        return member;
      },
    );
    const seen = new Set<string>();
    for (const m of members) {
      if (m.type === "pad") continue;
      if (seen.has(m.key)) fail(m.path, `member name ${m.key} is used twice`);
      seen.add(m.key);
    }
    const size = Math.ceil(offset / align) * align;
    const s: StructModel = {
      name,
      tsName: pascalCase(name),
      members,
      size,
      align,
      path: sp,
    };
    const dd = doc(def);
    if (dd !== undefined) s.doc = dd;
    structInProgress.delete(name);
    structs.set(name, s);
    return s;
  };
  for (const name of structDefs.keys()) {
    structRef(name, structDefs.get(name)!.path);
  }

  // --- attribute sets --------------------------------------------------------
  const setDefs = (spec["attribute-sets"] ?? []) as Obj[];
  const sets = new Map<string, SetModel>();
  const setObjs = new Map<string, { def: Obj; path: string }>();
  setDefs.forEach((s, i) => {
    const path = itemPath("attribute-sets", i, s);
    if (setObjs.has(s.name as string)) {
      fail(path, `attribute set ${s.name} is defined twice`);
    }
    setObjs.set(s.name as string, { def: s, path });
  });
  const subMessageDefs = new Map<string, { def: Obj; path: string }>();
  ((spec["sub-messages"] ?? []) as Obj[]).forEach((m, i) => {
    const path = itemPath("sub-messages", i, m);
    if (subMessageDefs.has(m.name as string)) {
      fail(path, `sub-message ${m.name} is defined twice`);
    }
    subMessageDefs.set(m.name as string, { def: m, path });
  });

  /**
   * The attributes listed in a set, duplicates with the same definition
   * dropped (two kernel specs repeat one), conflicting ones refused.
   */
  const listed = (def: Obj, path: string): { a: Obj; path: string }[] => {
    const out: { a: Obj; path: string }[] = [];
    const byName = new Map<string, Obj>();
    ((def.attributes ?? []) as Obj[]).forEach((a, j) => {
      const ap = itemPath(itemPath(path, "attributes"), j, a);
      const prev = byName.get(a.name as string);
      if (prev !== undefined) {
        if (JSON.stringify(prev) !== JSON.stringify(a)) {
          fail(
            ap,
            `attribute ${a.name} appears twice with different definitions`,
          );
        }
        return;
      }
      byName.set(a.name as string, a);
      out.push({ a, path: ap });
    });
    return out;
  };

  // Create every set first (nests refer to each other), then fill them in.
  for (const [name, { path, def }] of setObjs) {
    const s: SetModel = {
      name,
      tsName: pascalCase(name),
      attrs: [],
      all: [],
      path,
    };
    const d = doc(def);
    if (d !== undefined) s.doc = d;
    sets.set(name, s);
  }
  const setRef = (name: unknown, path: string): SetModel => {
    const s = sets.get(name as string);
    if (s === undefined) return fail(path, `no attribute set named ${name}`);
    return s;
  };

  const subMessages = new Map<string, SubMessageModel>();
  const subMessageRef = (name: string, path: string): SubMessageModel => {
    const done = subMessages.get(name);
    if (done !== undefined) return done;
    const entry = subMessageDefs.get(name);
    if (entry === undefined) return fail(path, `no sub-message named ${name}`);
    const sm: SubMessageModel = {
      name,
      tsName: pascalCase(name),
      formats: [],
      path: entry.path,
    };
    subMessages.set(name, sm);
    const seen = new Set<string>();
    sm.formats = ((entry.def.formats ?? []) as Obj[]).map((f, j) => {
      const fp = itemPath(itemPath(entry.path, "formats"), j, f);
      const value = String(f.value);
      if (seen.has(value)) {
        fail(itemPath(fp, "value"), `format ${value} appears twice`);
      }
      seen.add(value);
      const format: FormatModel = { value, path: fp };
      if (f["fixed-header"] !== undefined) {
        format.fixedHeader = structRef(
          f["fixed-header"] as string,
          itemPath(fp, "fixed-header"),
        );
      }
      if (f["attribute-set"] !== undefined) {
        format.set = setRef(f["attribute-set"], itemPath(fp, "attribute-set"));
      }
      return format;
    });
    return sm;
  };

  const checks = (
    a: Obj,
    type: AttrType,
    path: string,
  ): ChecksModel | undefined => {
    const c = a.checks as Obj | undefined;
    if (c === undefined) return undefined;
    const cp = itemPath(path, "checks");
    const out: ChecksModel = {};
    const intType = type in INT_SIZES || type === "uint" || type === "sint";
    const lenType = type === "string" || type === "binary" ||
      type === "indexed-array";
    if (c.min !== undefined) out.min = bound(c.min, itemPath(cp, "min"));
    if (c.max !== undefined) out.max = bound(c.max, itemPath(cp, "max"));
    if ((out.min !== undefined || out.max !== undefined) && !intType) {
      fail(cp, `min and max need an integer attribute, not ${type}`);
    }
    if (c["min-len"] !== undefined) {
      out.minLen = length(c["min-len"], itemPath(cp, "min-len"));
    }
    if (c["max-len"] !== undefined) {
      out.maxLen = length(c["max-len"], itemPath(cp, "max-len"));
    }
    if (c["exact-len"] !== undefined) {
      out.exactLen = length(c["exact-len"], itemPath(cp, "exact-len"));
    }
    if (
      (out.minLen !== undefined || out.maxLen !== undefined ||
        out.exactLen !== undefined) && !lenType
    ) {
      fail(cp, `length checks need a string or binary attribute, not ${type}`);
    }
    if (c["flags-mask"] !== undefined) {
      const e = enums.get(c["flags-mask"] as string);
      if (e === undefined || e.kind !== "flags") {
        fail(
          itemPath(cp, "flags-mask"),
          `no flags definition named ${c["flags-mask"]}`,
        );
      }
      out.flagsMask = {
        enum: e!.name,
        mask: e!.entries.reduce((m, x) => m | BigInt(x.value), 0n),
      };
    }
    if (c["unterminated-ok"] === true) {
      if (type !== "string") {
        fail(itemPath(cp, "unterminated-ok"), "applies to strings only");
      }
      out.unterminatedOk = true;
    }
    return out;
  };

  /** Builds one attribute from its definition (`a`), numbered `value`. */
  const attribute = (
    a: Obj,
    value: number,
    path: string,
    set: SetModel,
  ): AttrModel => {
    const type = a.type as AttrType;
    const attr: AttrModel = {
      name: a.name as string,
      key: camelCase(a.name as string),
      value,
      type,
      multi: a["multi-attr"] === true,
      bigEndian: a["byte-order"] === "big-endian",
      asFlags: a["enum-as-flags"] === true,
      path,
    };
    const d = doc(a);
    if (d !== undefined) attr.doc = d;
    const e = enumRef(a, path);
    if (e !== undefined) attr.enum = e;
    if (a["display-hint"] !== undefined) attr.hint = a["display-hint"] as Hint;
    if (a["sub-type"] !== undefined) attr.subType = a["sub-type"] as AttrType;
    const needsNest = type === "nest" || type === "nest-type-value" ||
      (type === "indexed-array" && attr.subType === "nest");
    if (a["nested-attributes"] !== undefined) {
      if (!needsNest) {
        fail(
          itemPath(path, "nested-attributes"),
          `does not apply to ${type}${
            attr.subType ? ` of ${attr.subType}` : ""
          }`,
        );
      }
      attr.nested = setRef(
        a["nested-attributes"],
        itemPath(path, "nested-attributes"),
      );
    } else if (needsNest) {
      fail(path, `a ${type} needs nested-attributes`);
    }
    if (a.struct !== undefined) {
      if (
        type !== "binary" &&
        !(type === "indexed-array" && attr.subType === "binary")
      ) {
        fail(
          itemPath(path, "struct"),
          `a struct needs a binary attribute, not ${type}`,
        );
      }
      attr.struct = structRef(a.struct as string, itemPath(path, "struct"));
    }
    if (type === "indexed-array" && attr.subType === undefined) {
      fail(path, "an indexed-array needs sub-type");
    }
    if (attr.subType !== undefined) {
      const ok = type === "indexed-array"
        ? attr.subType === "nest" || attr.subType === "binary" ||
          attr.subType in INT_SIZES ||
          attr.subType === "uint" || attr.subType === "sint" ||
          attr.subType === "string"
        : type === "binary" && attr.subType in INT_SIZES;
      if (!ok) {
        fail(
          itemPath(path, "sub-type"),
          `${attr.subType} is not a sub-type of ${type} the generator knows`,
        );
      }
    }
    if (type === "sub-message") {
      if (a["sub-message"] === undefined || a.selector === undefined) {
        fail(path, "a sub-message needs sub-message and selector");
      }
      attr.subMessage = subMessageRef(
        a["sub-message"] as string,
        itemPath(path, "sub-message"),
      );
      attr.selector = a.selector as string;
    } else if (a["sub-message"] !== undefined || a.selector !== undefined) {
      fail(
        path,
        `sub-message and selector apply to sub-message attributes, not ${type}`,
      );
    }
    if (type === "nest-type-value") {
      const tv = a["type-value"];
      if (!Array.isArray(tv) || tv.length === 0) {
        fail(path, "a nest-type-value needs type-value");
      }
      attr.typeValue = tv as string[];
    }
    const isInt = type in INT_SIZES || type === "uint" || type === "sint" ||
      type === "bitfield32" ||
      (type === "indexed-array" &&
        (attr.subType! in INT_SIZES || attr.subType === "uint" ||
          attr.subType === "sint")) ||
      (type === "binary" && attr.subType !== undefined);
    if (attr.enum !== undefined && !isInt) {
      fail(itemPath(path, "enum"), `needs an integer attribute, not ${type}`);
    }
    // byte-order on a binary attribute (tcp_metrics addr-ipv6) changes no byte: ignored.
    if (type === "binary" && attr.subType === undefined) attr.bigEndian = false;
    if (attr.bigEndian && !isInt) {
      fail(
        itemPath(path, "byte-order"),
        `needs an integer attribute, not ${type}`,
      );
    }
    const c = checks(a, type, path);
    if (c !== undefined) attr.checks = c;
    void set;
    return attr;
  };

  // Main sets first (subsets take their values), in spec order.
  for (const [name, { def, path }] of setObjs) {
    if (def["subset-of"] !== undefined) continue;
    const s = sets.get(name)!;
    let next = 1;
    const used = new Map<number, string>();
    for (const { a, path: ap } of listed(def, path)) {
      if (a.type === undefined) fail(ap, "type is required outside a subset");
      const value = typeof a.value === "number" ? a.value : next;
      next = value + 1;
      if (value > 0x3fff) {
        fail(
          ap,
          `value ${value} does not fit the 14 bits of an attribute type`,
        );
      }
      const other = used.get(value);
      if (other !== undefined && a.type !== "unused") {
        fail(ap, `value ${value} is already attribute ${other}`);
      }
      used.set(value, a.name as string);
      s.attrs.push(attribute(a, value, ap, s));
    }
    s.all = s.attrs;
  }
  for (const [name, { def, path }] of setObjs) {
    const of = def["subset-of"];
    if (of === undefined) continue;
    const s = sets.get(name)!;
    const main = setRef(of, itemPath(path, "subset-of"));
    if (main.subsetOf !== undefined) {
      fail(itemPath(path, "subset-of"), `${of} is itself a subset`);
    }
    s.subsetOf = main;
    const mainDef = setObjs.get(main.name)!.def;
    const mainAttrs = new Map(
      ((mainDef.attributes ?? []) as Obj[]).map((a) => [a.name as string, a]),
    );
    const own = new Map<string, AttrModel>();
    for (const { a, path: ap } of listed(def, path)) {
      const base = mainAttrs.get(a.name as string);
      if (base === undefined) {
        fail(ap, `${a.name} is not an attribute of ${main.name}`);
      }
      if (
        a.value !== undefined &&
        a.value !== main.attrs.find((x) => x.name === a.name)!.value
      ) {
        fail(itemPath(ap, "value"), "a subset cannot renumber an attribute");
      }
      const merged = { ...base, ...a };
      const attr = attribute(
        merged,
        main.attrs.find((x) => x.name === a.name)!.value,
        ap,
        s,
      );
      own.set(attr.name, attr);
      s.attrs.push(attr);
    }
    s.all = main.attrs.map((m) => own.get(m.name) ?? m);
  }

  // Selectors: a sibling attribute, or one of a set that encloses this one.
  const parents = new Map<SetModel, Set<SetModel>>();
  const addParent = (child: SetModel, parent: SetModel): void => {
    let p = parents.get(child);
    if (p === undefined) parents.set(child, p = new Set());
    p.add(parent);
  };
  for (const s of sets.values()) {
    for (const a of s.all) {
      if (a.nested !== undefined) addParent(a.nested, s);
      for (const f of a.subMessage?.formats ?? []) {
        if (f.set !== undefined) addParent(f.set, s);
      }
    }
  }
  const selectorVisible = (
    s: SetModel,
    name: string,
    seen = new Set<SetModel>(),
  ): boolean => {
    if (seen.has(s)) return false;
    seen.add(s);
    if (s.all.some((a) => a.name === name)) return true;
    for (const p of parents.get(s) ?? []) {
      if (selectorVisible(p, name, seen)) return true;
    }
    return false;
  };
  for (const s of sets.values()) {
    for (const a of s.attrs) {
      if (a.selector !== undefined && !selectorVisible(s, a.selector)) {
        fail(
          itemPath(a.path, "selector"),
          `no attribute ${a.selector} in ${s.name} or a set enclosing it`,
        );
      }
    }
  }

  // --- operations ----------------------------------------------------------
  const operations = (spec.operations ?? {}) as Obj;
  const opsPath = "operations";
  const model = (operations["enum-model"] ?? "unified") as string;
  const defaultHeader = operations["fixed-header"] as string | undefined;
  const list = (operations.list ?? []) as Obj[];
  const opNames = new Set<string>();
  const groupsList =
    (((spec["mcast-groups"] ?? {}) as Obj).list ?? []) as Obj[];
  const groupNames = new Set(groupsList.map((g) => g.name as string));
  let req = 1;
  let rsp = 1;
  let unified = 1;
  const ops: OpModel[] = [];
  // The attribute lists of requests and replies only document an operation
  // (decoding accepts the whole set): a name the set lacks (conntrack's
  // `counter-orig`, nftables' `name` in rule-attrs) is reported and left out.
  const attrList = (
    m: Obj | undefined,
    mp: string,
    set: SetModel | undefined,
  ): string[] => {
    const names = (m?.attributes ?? []) as string[];
    if (names.length > 0 && set === undefined) {
      fail(
        itemPath(mp, "attributes"),
        "lists attributes but the operation has no attribute-set",
      );
    }
    return names.filter((n, j) => {
      if (set!.all.some((a) => a.name === n)) return true;
      warn(
        itemPath(itemPath(mp, "attributes"), j),
        `${n} is not an attribute of ${set!.name}: left out`,
      );
      return false;
    });
  };
  list.forEach((o, i) => {
    const path = itemPath(itemPath(opsPath, "list"), i, o);
    const name = o.name as string;
    if (opNames.has(name)) fail(path, `operation ${name} is defined twice`);
    opNames.add(name);
    const op: OpModel = {
      name,
      key: operationName(name),
      flags: (o.flags ?? []) as string[],
      dontValidate: (o["dont-validate"] ?? []) as string[],
      path,
    };
    const d = doc(o);
    if (d !== undefined) op.doc = d;
    if (o["attribute-set"] !== undefined) {
      op.set = setRef(o["attribute-set"], itemPath(path, "attribute-set"));
    }
    const fh = (o["fixed-header"] ?? defaultHeader) as string | undefined;
    if (fh !== undefined) {
      op.fixedHeader = structRef(fh, itemPath(path, "fixed-header"));
    }
    if (o.mcgrp !== undefined) {
      if (!groupNames.has(o.mcgrp as string)) {
        fail(itemPath(path, "mcgrp"), `no multicast group named ${o.mcgrp}`);
      }
      op.mcgrp = o.mcgrp as string;
    }
    const isNote = o.notify !== undefined || o.event !== undefined;
    const hasMode = o.do !== undefined || o.dump !== undefined;
    if (isNote && hasMode) {
      fail(
        path,
        "an operation is either a request (do, dump) or a notification (notify, event)",
      );
    }
    if (!isNote && !hasMode) {
      // A placeholder reserving a value (fou and mptcp_pm's `unspec`, value 0):
      // numbered, never emitted.
      if (typeof o.value !== "number") {
        fail(path, "an operation needs do, dump, notify or event");
      }
      if (model === "unified") unified = (o.value as number) + 1;
      return;
    }
    if (model === "unified") {
      const value = typeof o.value === "number" ? o.value : unified;
      unified = value + 1;
      if (isNote) {
        op.notification = { value, attrs: [] };
      } else {
        for (const kind of ["do", "dump"] as const) {
          const m = o[kind] as Obj | undefined;
          if (m === undefined) continue;
          const mp = itemPath(path, kind);
          const mode: ModeModel = {
            request: {
              value,
              attrs: attrList(
                m.request as Obj | undefined,
                itemPath(mp, "request"),
                op.set,
              ),
            },
          };
          if (m.reply !== undefined) {
            mode.reply = {
              value,
              attrs: attrList(m.reply as Obj, itemPath(mp, "reply"), op.set),
            };
          }
          op[kind] = mode;
        }
      }
    } else if (model === "directional") {
      if (isNote) {
        const value = typeof o.value === "number" ? o.value : rsp;
        rsp = value + 1;
        op.notification = { value, attrs: [] };
      } else {
        // One request value and at most one reply value per operation.
        const modes = (["do", "dump"] as const).filter((k) =>
          o[k] !== undefined
        );
        const explicit = (side: "request" | "reply"): number | undefined => {
          for (const k of modes) {
            const v = ((o[k] as Obj)[side] as Obj | undefined)?.value;
            if (typeof v === "number") return v;
          }
          return undefined;
        };
        const reqValue = explicit("request") ?? req;
        req = reqValue + 1;
        const hasReply = modes.some((k) => (o[k] as Obj).reply !== undefined);
        let rspValue: number | undefined;
        if (hasReply) {
          rspValue = explicit("reply") ?? rsp;
          rsp = rspValue + 1;
        }
        // Each mode may name its own values (devlink's port-get dump replies
        // with DEVLINK_CMD_NEW, 3, its do with 7); the op's values are the
        // first explicit ones, or the counts.
        for (const kind of modes) {
          const m = o[kind] as Obj;
          const mp = itemPath(path, kind);
          const own = (side: "request" | "reply"): number | undefined => {
            const v = (m[side] as Obj | undefined)?.value;
            return typeof v === "number" ? v : undefined;
          };
          const mode: ModeModel = {
            request: {
              value: own("request") ?? reqValue,
              attrs: attrList(
                m.request as Obj | undefined,
                itemPath(mp, "request"),
                op.set,
              ),
            },
          };
          if (m.reply !== undefined) {
            mode.reply = {
              value: own("reply") ?? rspValue!,
              attrs: attrList(m.reply as Obj, itemPath(mp, "reply"), op.set),
            };
          }
          op[kind] = mode;
        }
      }
    } else {
      fail(itemPath(opsPath, "enum-model"), `unknown enum-model ${model}`);
    }
    if (hasMode && op.set === undefined) {
      const lists = (["do", "dump"] as const).some((k) =>
        ((o[k] as Obj | undefined)?.request as Obj | undefined)?.attributes !==
          undefined ||
        ((o[k] as Obj | undefined)?.reply as Obj | undefined)?.attributes !==
          undefined
      );
      if (lists) fail(path, "lists attributes but has no attribute-set");
    }
    ops.push(op);
  });
  // Notifications take their contents from the operation they name.
  for (const op of ops) {
    if (op.notification === undefined) continue;
    const o = list.find((x) => x.name === op.name)!;
    if (o.notify !== undefined) {
      const target = ops.find((x) => x.name === o.notify);
      if (target === undefined) {
        fail(itemPath(op.path, "notify"), `no operation named ${o.notify}`);
      }
      op.notification.notify = target!.name;
      if (op.set === undefined && target!.set !== undefined) {
        op.set = target!.set;
      }
      if (op.fixedHeader === undefined && target!.fixedHeader !== undefined) {
        op.fixedHeader = target!.fixedHeader;
      }
      op.notification.attrs = target!.do?.reply?.attrs ??
        target!.dump?.reply?.attrs ?? [];
      if (op.set === undefined) {
        fail(itemPath(op.path, "notify"), `${o.notify} has no attribute-set`);
      }
    } else {
      op.notification.attrs = attrList(
        o.event as Obj,
        itemPath(op.path, "event"),
        op.set,
      );
    }
  }

  const groups: GroupModel[] = groupsList.map((g, i) => {
    const path = itemPath(itemPath("mcast-groups", "list"), i, g);
    const group: GroupModel = { name: g.name as string, path };
    if (typeof g.value === "number") group.value = g.value;
    // nftables names its group without a value: it cannot be joined by name.
    if (raw && group.value === undefined) {
      warn(
        path,
        "a netlink-raw multicast group has no value: it cannot be joined",
      );
    }
    const d = doc(g);
    if (d !== undefined) group.doc = d;
    return group;
  });

  // Referenced structs must have been resolved; sub-messages referenced by no attribute still count.
  for (const name of subMessageDefs.keys()) {
    subMessageRef(name, subMessageDefs.get(name)!.path);
  }

  // A fixed header's members sit beside the attributes in one value: a member
  // whose name an attribute takes is renamed `<struct><Member>` (rt-rule's
  // fib-rule-hdr `table` becomes `fibRuleHdrTable`, beside the attribute
  // `table`), in every use of the struct.
  const pairs: { header: StructModel; set: SetModel; path: string }[] = [];
  for (const op of ops) {
    if (op.fixedHeader !== undefined && op.set !== undefined) {
      pairs.push({ header: op.fixedHeader, set: op.set, path: op.path });
    }
  }
  for (const sm of subMessages.values()) {
    for (const f of sm.formats) {
      if (f.fixedHeader !== undefined && f.set !== undefined) {
        pairs.push({ header: f.fixedHeader, set: f.set, path: f.path });
      }
    }
  }
  for (const { header, set } of pairs) {
    for (const m of header.members) {
      if (m.type !== "pad" && set.all.some((a) => a.key === m.key)) {
        m.key = camelCase(`${header.name}-${m.name}`);
      }
    }
  }
  for (const { header, set, path } of pairs) {
    for (const m of header.members) {
      if (m.type !== "pad" && set.all.some((a) => a.key === m.key)) {
        fail(
          path,
          `member ${m.name} of ${header.name} and an attribute of ${set.name} share the name ${m.key}`,
        );
      }
    }
  }

  const names = moduleNames(specName);
  const family: FamilyModel = {
    file,
    specName,
    moduleFile: names.moduleFile,
    exportPath: names.exportPath,
    name: spec.name as string,
    protocol,
    version: typeof spec.version === "number" ? spec.version : 1,
    spdx,
    consts: [...consts.values()],
    enums: [...enums.values()],
    structs: [...structDefs.keys()].map((n) => structs.get(n)!),
    sets: [...sets.values()],
    subMessages: [...subMessageDefs.keys()].map((n) => subMessages.get(n)!),
    ops,
    groups,
  };
  if (raw) {
    if (typeof spec.protonum !== "number") {
      fail("protonum", "a netlink-raw spec needs protonum");
    }
    family.protonum = spec.protonum as number;
  }
  const d = doc(spec);
  if (d !== undefined) family.doc = d;
  if (typeof spec["uapi-header"] === "string") {
    family.uapiHeader = spec["uapi-header"];
  }
  checkNames(file, family);
  return family;
}

/** Generated names must not collide: types with types, values with values, keys inside one value. */
function checkNames(file: string, f: FamilyModel): void {
  const types = new Map<string, string>();
  const values = new Map<string, string>([["family", "the family export"]]);
  const claim = (
    map: Map<string, string>,
    name: string,
    what: string,
    path: string,
  ): void => {
    const prev = map.get(name);
    if (prev !== undefined) {
      throw new SpecError(
        file,
        path,
        `${what} would be named ${name}, like ${prev}`,
      );
    }
    map.set(name, what);
  };
  for (const e of f.enums) {
    claim(types, e.tsName, `${e.kind} ${e.name}`, e.path);
    claim(values, e.tsName, `${e.kind} ${e.name}`, e.path);
  }
  for (const s of f.structs) claim(types, s.tsName, `struct ${s.name}`, s.path);
  for (const s of f.sets) {
    // A set named like a definition (ethtool's set and enum `stringset`)
    // takes the suffix Attrs.
    if (types.has(s.tsName)) s.tsName += "Attrs";
    claim(types, s.tsName, `attribute set ${s.name}`, s.path);
  }
  for (const m of f.subMessages) {
    claim(types, m.tsName, `sub-message ${m.name}`, m.path);
  }
  for (const c of f.consts) claim(values, c.tsName, `const ${c.name}`, c.path);
  for (const o of f.ops) claim(values, o.key, `operation ${o.name}`, o.path);
  for (const s of f.sets) {
    const keys = new Map<string, string>([[
      "unknownAttributes",
      "the unknown attributes",
    ]]);
    for (const a of s.all) claim(keys, a.key, `attribute ${a.name}`, a.path);
  }
  void ({} as IntType);
}
