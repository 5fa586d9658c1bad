/**
 * rtnetlink policy rule requests (`RTM_NEWRULE`, `RTM_DELRULE`,
 * `RTM_GETRULE`) of the simulated kernel, decoded with the generated
 * rt-rule codec. A kernel starts with the rules `ip rule` shows: 0 local,
 * 32766 main and (IPv4) 32767 default.
 *
 * @module
 */

import { compiled } from "../families/family.ts";
import {
  delrule,
  type FibRuleAttrs,
  type FibRuleHdr,
  FrAct,
  newrule,
} from "../families/rt_rule.ts";
import { Errno } from "../netlink/errno.ts";
import { ATTRIBUTE_TYPE_MASK } from "../netlink/header.ts";
import { HOST_LITTLE_ENDIAN as LE, put32 } from "../netlink/_endian.ts";
import type { Message } from "../netlink/message.ts";
import { PROTOCOLS, TABLES } from "../route/names.ts";
import type { HandlerResult } from "./kernel_handler.ts";
import { ruleMessage } from "./rtnl_encode.ts";
import { flagsOf, request } from "./rtnl_request.ts";
import {
  AF,
  fail,
  type Origin,
  type RtnlState,
  type RuleRecord,
  send,
} from "./rtnl_state.ts";

type RuleValue = Partial<FibRuleHdr> & FibRuleAttrs;

function group(family: number): number {
  const name = family === AF.inet6 ? "rtnlgrp-ipv6-rule" : "rtnlgrp-ipv4-rule";
  return newrule.family.groups.find((g) => g.name === name)!.value!;
}

/** The rules a new network namespace has. @internal */
export function defaultRules(): RuleRecord[] {
  const rule = (
    family: number,
    priority: number,
    table: number,
  ): RuleRecord => ({
    family,
    priority,
    table,
    action: FrAct["to-tbl"],
    src: undefined,
    srcLength: 0,
    dst: undefined,
    dstLength: 0,
    tos: 0,
    flags: 0,
    iifname: undefined,
    oifname: undefined,
    fwmark: undefined,
    fwmask: undefined,
    protocol: PROTOCOLS.kernel,
    goto: undefined,
  });
  return [
    rule(AF.inet, 0, TABLES.local),
    rule(AF.inet, 32766, TABLES.main),
    rule(AF.inet, 32767, TABLES.default),
    rule(AF.inet6, 0, TABLES.local),
    rule(AF.inet6, 32766, TABLES.main),
  ];
}

function address(
  v: RuleValue,
  key: "src" | "dst",
  size: number,
): Uint8Array | undefined {
  const n = v[key];
  if (n !== undefined) {
    const b = new Uint8Array(4);
    put32(b, 0, n, LE);
    if (size !== 4) throw fail(Errno.EINVAL, "Invalid address length");
    return b;
  }
  const id =
    compiled(newrule.family).sets.get("fib-rule-attrs")!.byKey.get(key)!.id;
  const raw = v.unknownAttributes?.find((a) =>
    (a.type & ATTRIBUTE_TYPE_MASK) === id
  );
  if (raw === undefined) return undefined;
  if (raw.data.length !== size) {
    throw fail(Errno.EINVAL, "Invalid address length");
  }
  return raw.data;
}

function toRecord(v: RuleValue, s: RtnlState): RuleRecord {
  const family = v.family ?? 0;
  if (family !== AF.inet && family !== AF.inet6) throw fail(Errno.EAFNOSUPPORT);
  const size = family === AF.inet ? 4 : 16;
  const action = v.action === undefined
    ? 0
    : typeof v.action === "number"
    ? v.action
    : FrAct[v.action];
  const table = v.table ?? v.fibRuleHdrTable ?? 0;
  let priority = v.priority;
  if (priority === undefined) {
    // fib_default_rule_pref: just before the second rule of the family.
    const list = s.rules.filter((r) => r.family === family);
    priority = list.length > 1 && list[1]!.priority > 0
      ? list[1]!.priority - 1
      : 0;
  }
  return {
    family,
    priority,
    table,
    action,
    src: address(v, "src", size),
    srcLength: v.srcLen ?? 0,
    dst: address(v, "dst", size),
    dstLength: v.dstLen ?? 0,
    tos: v.tos ?? 0,
    flags: v.flags ?? 0,
    iifname: v.iifname,
    oifname: v.oifname,
    fwmark: v.fwmark,
    fwmask: v.fwmask,
    protocol: v.protocol ?? 0,
    goto: v.goto,
  };
}

function equal(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether rule `r` matches what a delete (or an exclusive add) gave. */
function matches(r: RuleRecord, want: RuleRecord, v: RuleValue): boolean {
  return r.family === want.family &&
    (v.priority === undefined || r.priority === want.priority) &&
    (want.table === 0 || r.table === want.table) &&
    (want.action === 0 || r.action === want.action) &&
    (want.src === undefined ||
      (equal(r.src, want.src) && r.srcLength === want.srcLength)) &&
    (want.dst === undefined ||
      (equal(r.dst, want.dst) && r.dstLength === want.dstLength)) &&
    (want.tos === 0 || r.tos === want.tos) &&
    (v.iifname === undefined || r.iifname === want.iifname) &&
    (v.oifname === undefined || r.oifname === want.oifname) &&
    (v.fwmark === undefined || r.fwmark === want.fwmark) &&
    (v.protocol === undefined || r.protocol === want.protocol);
}

/**
 * `RTM_NEWRULE`: add a rule (after those of the same priority).
 *
 * @internal
 */
export function newRule(s: RtnlState, m: Message, o: Origin): Message[] {
  const v: RuleValue = request(newrule, m);
  const r = toRecord(v, s);
  if (r.action === FrAct["to-tbl"] && r.table === 0) {
    throw fail(Errno.EINVAL, "Invalid table");
  }
  if (
    flagsOf(m).excl &&
    s.rules.some((x) =>
      matches(x, r, { ...v, priority: r.priority }) &&
      x.srcLength === r.srcLength && x.dstLength === r.dstLength &&
      equal(x.src, r.src) && equal(x.dst, r.dst) && x.table === r.table
    )
  ) throw fail(Errno.EEXIST);
  let at = s.rules.findIndex((x) =>
    x.family === r.family && x.priority > r.priority
  );
  if (at < 0) at = s.rules.length;
  s.rules.splice(at, 0, r);
  send(o, group(r.family), ruleMessage(r, false), true);
  return [];
}

/**
 * `RTM_DELRULE`: remove the first rule matching what was given.
 *
 * @internal
 */
export function delRule(s: RtnlState, m: Message, o: Origin): Message[] {
  const v: RuleValue = request(delrule, m);
  const want = toRecord(v, s);
  const i = s.rules.findIndex((x) => matches(x, want, v));
  if (i < 0) throw fail(Errno.ENOENT);
  const [r] = s.rules.splice(i, 1);
  send(o, group(r!.family), ruleMessage(r!, true), true);
  return [];
}

/**
 * `RTM_GETRULE` dump: IPv4 rules, then IPv6, by priority.
 *
 * @internal
 */
export function dumpRules(s: RtnlState, m: Message): HandlerResult {
  const family = m.data[0] ?? 0;
  const list = s.rules.filter((r) => family === 0 || r.family === family)
    .sort((a, b) => a.family - b.family);
  return { dump: list.map((r) => ruleMessage(r, false)) };
}
