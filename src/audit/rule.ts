/**
 * `struct audit_rule_data` (`linux/audit.h`): the filter rules
 * `AUDIT_LIST_RULES` returns, decoded and encoded.
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";
import { checkRange } from "../netlink/_struct.ts";
import {
  AUDIT_ACTION_NAMES,
  AUDIT_FIELD_NAMES,
  AUDIT_FILTER_NAMES,
  AUDIT_FILTER_PREPEND,
  AUDIT_OPERATOR_MASK,
  AUDIT_OPERATORS,
} from "./constants.ts";

const LE = HOST_LITTLE_ENDIAN;

/**
 * Fields whose value is a string in the rule's buffer (security labels,
 * `AUDIT_WATCH`, `AUDIT_DIR`, `AUDIT_EXE`, `AUDIT_FILTERKEY`), its length in
 * `values[i]`.
 */
const STRING_FIELDS: ReadonlySet<number> = new Set([
  13,
  14,
  15,
  16,
  17,
  19,
  20,
  21,
  22,
  23,
  105,
  107,
  112,
  210,
]);

/** `AUDIT_MAX_FIELDS`. */
const MAX_FIELDS = 64;
/** `AUDIT_BITMASK_SIZE`: u32 words of the syscall mask. */
const BITMASK_WORDS = 64;
/** `AUDIT_EXIT`: its value is a signed exit code. */
const EXIT_FIELD = 103;
/** Offsets in `struct audit_rule_data`. */
const MASK = 12;
const FIELDS = MASK + 4 * BITMASK_WORDS;
const VALUES = FIELDS + 4 * MAX_FIELDS;
const FIELDFLAGS = VALUES + 4 * MAX_FIELDS;
const BUFLEN = FIELDFLAGS + 4 * MAX_FIELDS;
/** `sizeof(struct audit_rule_data)` without its string buffer. */
export const AUDIT_RULE_LENGTH: number = BUFLEN + 4;

const UTF8 = new TextDecoder();
const UTF8_ENCODER = new TextEncoder();

/**
 * One comparison of a rule, as `auditctl -l` shows it (`-F arch=b64`).
 */
export interface AuditRuleField {
  /** The field's name ({@linkcode AUDIT_FIELD_NAMES}), or `unknown-N`. */
  field: string;
  /** The operator: `=`, `!=`, `<`, `>`, `<=`, `>=`, `&`, `&=`, or `0x...` for an unknown one. */
  op: string;
  /** A number (signed for `exit`), or a string for labels, paths, `exe` and `filterkey`. */
  value: number | string;
}

/**
 * An audit filter rule (`struct audit_rule_data`).
 *
 * @example Round trip
 * ```ts
 * import { type AuditRule, decodeAuditRule, encodeAuditRule } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const rule: AuditRule = {
 *   list: "exit", action: "always", syscalls: [2, 257],
 *   fields: [{ field: "arch", op: "=", value: 0xc000003e }, { field: "filterkey", op: "=", value: "opens" }],
 * };
 * const b = encodeAuditRule(rule);
 * assert.deepEqual(decodeAuditRule(b, 0, b.length), rule);
 * ```
 */
export interface AuditRule {
  /** The rule list ({@linkcode AUDIT_FILTER_NAMES}), or `unknown-N`. */
  list: string;
  /** `AUDIT_FILTER_PREPEND` was set. */
  prepend?: boolean;
  /** `never`, `possible`, `always`, or `unknown-N`. */
  action: string;
  /** The syscall numbers the rule applies to, or `"all"`. */
  syscalls: number[] | "all";
  /** The comparisons. */
  fields: AuditRuleField[];
}

function named(table: readonly string[], n: number): string {
  return table[n] ?? `unknown-${n}`;
}

/**
 * Decodes one `struct audit_rule_data` with its string buffer.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts.
 * @param length The payload's length.
 * @returns The rule.
 * @throws {RangeError} If the struct is short, has more than 64 fields, or
 * its strings overrun `buflen` or the payload.
 *
 * @example A truncated rule is a RangeError
 * ```ts
 * import { decodeAuditRule } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => decodeAuditRule(new Uint8Array(100), 0, 100), RangeError);
 * ```
 */
export function decodeAuditRule(
  bytes: Uint8Array,
  offset: number,
  length: number,
): AuditRule {
  checkRange(bytes, offset, length, "audit_rule_data", AUDIT_RULE_LENGTH);
  const u = (at: number): number => get32(bytes, offset + at, LE) >>> 0;
  const flags = u(0);
  const count = u(8);
  if (count > MAX_FIELDS) {
    throw new RangeError(
      `Cannot decode audit_rule_data: field_count ${count} exceeds ${MAX_FIELDS} at offset ${offset}`,
    );
  }
  const buflen = u(BUFLEN);
  if (buflen > length - AUDIT_RULE_LENGTH) {
    throw new RangeError(
      `Cannot decode audit_rule_data: buflen ${buflen} exceeds the ${
        length - AUDIT_RULE_LENGTH
      } bytes after the struct at offset ${offset}`,
    );
  }
  const syscalls: number[] = [];
  for (let w = 0; w < BITMASK_WORDS; w++) {
    const word = u(MASK + 4 * w);
    for (let bit = 0; word !== 0 && bit < 32; bit++) {
      if ((word >>> bit) & 1) syscalls.push(32 * w + bit);
    }
  }
  const rule: AuditRule = {
    list: named(AUDIT_FILTER_NAMES, flags & ~AUDIT_FILTER_PREPEND),
    action: named(AUDIT_ACTION_NAMES, u(4)),
    syscalls: syscalls.length === 32 * BITMASK_WORDS ? "all" : syscalls,
    fields: [],
  };
  if (flags & AUDIT_FILTER_PREPEND) rule.prepend = true;
  let used = 0;
  for (let i = 0; i < count; i++) {
    const field = u(FIELDS + 4 * i);
    const raw = u(VALUES + 4 * i);
    const opBits = u(FIELDFLAGS + 4 * i) & AUDIT_OPERATOR_MASK;
    let value: number | string = raw;
    if (STRING_FIELDS.has(field)) {
      if (raw > buflen - used) {
        throw new RangeError(
          `Cannot decode audit_rule_data: string of field ${i} (${raw} bytes) overruns buflen ${buflen} at offset ${offset}`,
        );
      }
      const start = offset + AUDIT_RULE_LENGTH + used;
      value = UTF8.decode(bytes.subarray(start, start + raw));
      used += raw;
    } else if (field === EXIT_FIELD) value = raw | 0;
    rule.fields.push({
      field: AUDIT_FIELD_NAMES[field] ?? `unknown-${field}`,
      op: AUDIT_OPERATORS[opBits] ?? `0x${opBits.toString(16)}`,
      value,
    });
  }
  return rule;
}

function lookup(
  table: Readonly<Record<number, string>> | readonly string[],
  name: string,
  what: string,
): number {
  for (const [k, v] of Object.entries(table)) {
    if (v === name) return Number(k);
  }
  const m = /^unknown-(\d+)$/.exec(name) ?? /^(0x[0-9a-f]+)$/.exec(name);
  if (m) return Number(m[1]);
  throw new TypeError(
    `Cannot encode audit rule: unknown ${what} ${JSON.stringify(name)}`,
  );
}

/**
 * Encodes a rule as `struct audit_rule_data` with its string buffer (for
 * the simulated kernel, or `AUDIT_ADD_RULE`).
 *
 * @param rule The rule.
 * @returns The struct's bytes.
 * @throws {TypeError} On an unknown list, action, field or operator, more
 * than 64 fields, a syscall outside 0 to 2047, or a value of the wrong kind.
 *
 * @example Every syscall
 * ```ts
 * import { decodeAuditRule, encodeAuditRule } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const b = encodeAuditRule({ list: "exit", action: "never", syscalls: "all", fields: [] });
 * assert.equal(b.length, 1040);
 * assert.equal(decodeAuditRule(b, 0, b.length).syscalls, "all");
 * ```
 */
export function encodeAuditRule(rule: AuditRule): Uint8Array<ArrayBuffer> {
  if (rule.fields.length > MAX_FIELDS) {
    throw new TypeError(
      `Cannot encode audit rule: ${rule.fields.length} fields exceed ${MAX_FIELDS}`,
    );
  }
  const strings: Uint8Array[] = [];
  const head = new Uint8Array(AUDIT_RULE_LENGTH);
  const list = lookup(AUDIT_FILTER_NAMES, rule.list, "list");
  put32(head, 0, list | (rule.prepend ? AUDIT_FILTER_PREPEND : 0), LE);
  put32(head, 4, lookup(AUDIT_ACTION_NAMES, rule.action, "action"), LE);
  put32(head, 8, rule.fields.length, LE);
  if (rule.syscalls === "all") {
    for (let w = 0; w < BITMASK_WORDS; w++) {
      put32(head, MASK + 4 * w, 0xffffffff, LE);
    }
  } else {
    for (const n of rule.syscalls) {
      if (!(Number.isInteger(n) && n >= 0 && n < 32 * BITMASK_WORDS)) {
        throw new TypeError(
          `Cannot encode audit rule: syscall ${n} is not from 0 to 2047`,
        );
      }
      const at = MASK + 4 * (n >> 5);
      put32(head, at, (get32(head, at, LE) | (1 << (n & 31))) >>> 0, LE);
    }
  }
  let buflen = 0;
  rule.fields.forEach((f, i) => {
    const field = lookup(AUDIT_FIELD_NAMES, f.field, "field");
    const op = lookup(AUDIT_OPERATORS, f.op, "operator");
    let value: number;
    if (STRING_FIELDS.has(field)) {
      if (typeof f.value !== "string") {
        throw new TypeError(
          `Cannot encode audit rule: field ${f.field} takes a string`,
        );
      }
      const s = UTF8_ENCODER.encode(f.value);
      strings.push(s);
      value = s.length;
      buflen += s.length;
    } else {
      if (
        typeof f.value !== "number" || !Number.isInteger(f.value) ||
        f.value < -0x80000000 || f.value > 0xffffffff
      ) {
        throw new TypeError(
          `Cannot encode audit rule: field ${f.field} takes a 32-bit number`,
        );
      }
      value = f.value >>> 0;
    }
    put32(head, FIELDS + 4 * i, field, LE);
    put32(head, VALUES + 4 * i, value, LE);
    put32(head, FIELDFLAGS + 4 * i, op, LE);
  });
  put32(head, BUFLEN, buflen, LE);
  const out = new Uint8Array(AUDIT_RULE_LENGTH + buflen);
  out.set(head);
  let at = AUDIT_RULE_LENGTH;
  for (const s of strings) {
    out.set(s, at);
    at += s.length;
  }
  return out;
}
