/**
 * `route.rules`: list, add and delete routing policy rules, as `ip rule`
 * does, through the generated rt-rule operations.
 *
 * The rt-rule spec types `FRA_SRC` and `FRA_DST` as u32, which fits an
 * IPv4 address only: this module writes an IPv4 address's bytes through
 * that u32 (host byte order, as the codec reads it) and an IPv6 address
 * as a raw attribute of the same type, and reads them back the same way.
 *
 * @module
 */

import { compiled } from "../families/family.ts";
import {
  delrule,
  family as ruleFamily,
  type FibRuleAttrs,
  type FibRuleHdr,
  FrAct,
  getrule,
  newrule,
} from "../families/rt_rule.ts";
import type { Attribute } from "../netlink/attribute.ts";
import { get32, HOST_LITTLE_ENDIAN as LE, put32 } from "../netlink/_endian.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { named } from "./errors.ts";
import { type Ctx, receive } from "./_context.ts";
import {
  nameOf,
  type Protocol,
  PROTOCOLS,
  type TableName,
  TABLES,
  valueOf,
} from "./names.ts";
import {
  type AddressFamily,
  type CIDR,
  cidrOrProblem,
  familyName,
  familyNumber,
  formatIP,
} from "./text.ts";

/** `FIB_RULE_INVERT` (`linux/fib_rules.h`): the selector is negated (`ip rule add not ...`). */
const FIB_RULE_INVERT = 0x2;

/**
 * A routing policy rule.
 *
 * @example The rules every kernel starts with (simulated kernel)
 * ```ts
 * import { Route, type Rule } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * const rules: Rule[] = await route.rules.list({ family: "inet" });
 * assert.deepEqual(rules.map((r) => [r.priority, r.table]), [[0, 255], [32766, 254], [32767, 253]]);
 * ```
 */
export interface Rule {
  /** `inet` or `inet6`. */
  family: AddressFamily | number;
  /** The priority (`pref`); rules are tried from the lowest. */
  priority: number;
  /** The table to look up (`RTA_TABLE`-style number). */
  table: number;
  /** What the rule does: `to-tbl` (look up `table`), `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`. */
  action: FrAct | number;
  /** The source prefix (`from`), absent for any. */
  src?: string;
  /** The destination prefix (`to`), absent for any. */
  dst?: string;
  /** The input link name (`iif`). */
  iif?: string;
  /** The output link name (`oif`). */
  oif?: string;
  /** The firewall mark. */
  fwmark?: number;
  /** The firewall mark's mask. */
  fwmask?: number;
  /** The TOS to match. */
  tos: number;
  /** The selector is negated (`not`). */
  invert: boolean;
  /** Who installed it. */
  protocol?: Protocol | number;
  /** Every attribute the kernel sent, as the generated rt-rule codec decodes it. */
  attrs: FibRuleHdr & FibRuleAttrs;
}

/**
 * A rule to add or delete, as the arguments of `ip rule add`.
 */
export interface RuleSpec {
  /** The family, when neither `src` nor `dst` says it (default `inet`). */
  family?: AddressFamily;
  /** The priority (`pref`). */
  priority?: number;
  /** The table (for the `to-tbl` action). */
  table?: number | TableName;
  /** The action (default `to-tbl`). */
  action?: FrAct;
  /** The source prefix (`from`). */
  src?: string;
  /** The destination prefix (`to`). */
  dst?: string;
  /** The input link name. */
  iif?: string;
  /** The output link name. */
  oif?: string;
  /** The firewall mark. */
  fwmark?: number;
  /** The firewall mark's mask. */
  fwmask?: number;
  /** The TOS. */
  tos?: number;
  /** Negate the selector (`not`). */
  invert?: boolean;
  /** Who installs it. */
  protocol?: Protocol | number;
}

/** Which rules `rules.list` returns. */
export interface RuleFilter {
  /** Only this family's (default both). */
  family?: AddressFamily;
  /** Only rules for this table. */
  table?: number | TableName;
}

function attrId(key: "src" | "dst"): number {
  return compiled(ruleFamily).sets.get("fib-rule-attrs")!.byKey.get(key)!.id;
}

function prefix(
  a: FibRuleHdr & FibRuleAttrs,
  key: "src" | "dst",
  length: number,
): string | undefined {
  if (length === 0 && a[key] === undefined) return undefined;
  let bytes: Uint8Array | undefined;
  const n = a[key];
  if (n !== undefined) {
    bytes = new Uint8Array(4);
    put32(bytes, 0, n, LE);
  } else {
    const id = attrId(key);
    bytes = a.unknownAttributes?.find((x: Attribute) =>
      (x.type & 0x3fff) === id && (x.data.length === 4 || x.data.length === 16)
    )?.data;
  }
  return bytes === undefined ? undefined : `${formatIP(bytes)}/${length}`;
}

/**
 * Builds a {@linkcode Rule} from a decoded rt-rule message.
 *
 * @internal
 */
export function toRule(a: FibRuleHdr & FibRuleAttrs): Rule {
  const r: Rule = {
    family: familyName(a.family),
    priority: a.priority ?? 0,
    table: a.table ?? a.fibRuleHdrTable,
    action: a.action,
    tos: a.tos,
    invert: (a.flags & FIB_RULE_INVERT) !== 0,
    attrs: a,
  };
  const src = prefix(a, "src", a.srcLen);
  if (src !== undefined) r.src = src;
  const dst = prefix(a, "dst", a.dstLen);
  if (dst !== undefined) r.dst = dst;
  if (a.iifname !== undefined) r.iif = a.iifname;
  if (a.oifname !== undefined) r.oif = a.oifname;
  if (a.fwmark !== undefined) r.fwmark = a.fwmark;
  if (a.fwmask !== undefined) r.fwmask = a.fwmask;
  if (a.protocol !== undefined) r.protocol = nameOf(PROTOCOLS, a.protocol);
  return r;
}

/**
 * The routing policy rules of a `Route` (`route.rules`).
 *
 * @example Add a rule and delete it (simulated kernel)
 * ```ts
 * import { Route } from "@nlkit/netlink/route";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using route = await Route.open({ conn: new SimKernel().dial(Family.Route) });
 * await route.rules.add({ src: "10.1.0.0/16", table: 100, priority: 1000 });
 * const [r] = (await route.rules.list({ table: 100 }));
 * assert.deepEqual([r?.priority, r?.src, r?.action], [1000, "10.1.0.0/16", "to-tbl"]);
 * await route.rules.delete({ src: "10.1.0.0/16", table: 100, priority: 1000 });
 * ```
 */
export class Rules {
  readonly #ctx: Ctx;

  /** @internal */
  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  /**
   * Lists the rules, as `ip rule show` (IPv4, then IPv6).
   *
   * @param filter Which: family, table.
   * @param options An abort signal, a timeout.
   * @returns The rules, by priority.
   * @throws {NetlinkError} When the kernel refuses the dump.
   */
  async list(
    filter: RuleFilter = {},
    options: ReceiveOptions = {},
  ): Promise<Rule[]> {
    const family = filter.family === undefined
      ? 0
      : familyNumber(filter.family);
    const table = filter.table === undefined
      ? undefined
      : valueOf(TABLES, filter.table, "Cannot list rules: table", 0xffffffff);
    const out: Rule[] = [];
    try {
      await getrule.visit(this.#ctx.conn, { family }, (a) => {
        if (family !== 0 && a.family !== family) return;
        if (table !== undefined && (a.table ?? a.fibRuleHdrTable) !== table) {
          return;
        }
        out.push(toRule(a));
      }, receive(options));
    } catch (e) {
      throw named(e, "list rules", "list");
    }
    return out;
  }

  /**
   * Adds a rule, as `ip rule add`; EEXIST when the same rule exists.
   *
   * @param spec The rule.
   * @param options An abort signal, a timeout.
   * @throws {TypeError} For bad text (quoted) or a bad option.
   * @throws {NetlinkError} Naming the rule.
   */
  add(spec: RuleSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("add", spec, options);
  }

  /**
   * Deletes the first rule matching the spec, as `ip rule del`.
   *
   * @param spec The rule (the fields given must match).
   * @param options An abort signal, a timeout.
   * @throws {NetlinkError} ENOENT when no rule matches.
   */
  delete(spec: RuleSpec, options: ReceiveOptions = {}): Promise<void> {
    return this.#change("delete", spec, options);
  }

  async #change(
    mode: "add" | "delete",
    spec: RuleSpec,
    options: ReceiveOptions,
  ): Promise<void> {
    if (spec === null || typeof spec !== "object") {
      throw new TypeError(`Cannot ${mode} rule: spec must be an object`);
    }
    const what = `${mode} rule${
      spec.priority === undefined ? "" : ` ${spec.priority}`
    }${spec.src === undefined ? "" : ` from ${spec.src}`}${
      spec.dst === undefined ? "" : ` to ${spec.dst}`
    }${spec.table === undefined ? "" : ` table ${spec.table}`}`;
    const parse = (text: string | undefined): CIDR | undefined => {
      if (text === undefined) return undefined;
      const c = cidrOrProblem(text);
      if (typeof c === "string") throw new TypeError(`Cannot ${what}: ${c}`);
      return c;
    };
    const src = parse(spec.src);
    const dst = parse(spec.dst);
    const family = src?.family ?? dst?.family ?? spec.family ?? "inet";
    if (src !== undefined && dst !== undefined && src.family !== dst.family) {
      throw new TypeError(`Cannot ${what}: from and to are of two families`);
    }
    const table = spec.table === undefined
      ? undefined
      : valueOf(TABLES, spec.table, `Cannot ${what}: table`, 0xffffffff);
    const action = spec.action === undefined
      ? (mode === "add" || table !== undefined ? FrAct["to-tbl"] : 0)
      : valueOf(FrAct, spec.action, `Cannot ${what}: action`);
    const req: Partial<FibRuleHdr> & FibRuleAttrs = {
      family: familyNumber(family),
      dstLen: dst?.prefixLength ?? 0,
      srcLen: src?.prefixLength ?? 0,
      tos: spec.tos ?? 0,
      fibRuleHdrTable: table !== undefined && table < 256 ? table : 0,
      action,
      flags: spec.invert === true ? FIB_RULE_INVERT : 0,
    };
    const raw: Attribute[] = [];
    for (const [key, c] of [["dst", dst], ["src", src]] as const) {
      if (c === undefined) continue;
      if (c.bytes.length === 4) req[key] = get32(c.bytes, 0, LE) >>> 0;
      else raw.push({ type: attrId(key), data: c.bytes });
    }
    if (raw.length > 0) req.unknownAttributes = raw;
    if (table !== undefined) req.table = table;
    if (spec.priority !== undefined) req.priority = spec.priority;
    if (spec.iif !== undefined) req.iifname = spec.iif;
    if (spec.oif !== undefined) req.oifname = spec.oif;
    if (spec.fwmark !== undefined) req.fwmark = spec.fwmark;
    if (spec.fwmask !== undefined) req.fwmask = spec.fwmask;
    if (spec.protocol !== undefined) {
      req.protocol = valueOf(
        PROTOCOLS,
        spec.protocol,
        `Cannot ${what}: protocol`,
      );
    }
    try {
      if (mode === "add") {
        await newrule.do(this.#ctx.conn, req, {
          ...receive(options),
          create: true,
          excl: true,
        });
      } else await delrule.do(this.#ctx.conn, req, receive(options));
    } catch (e) {
      throw named(e, what, mode);
    }
  }
}
