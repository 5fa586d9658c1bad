/**
 * Encoding policies as Linux does: one attribute's policy
 * (`netlink_policy_dump_write_attr()`) and a whole `CTRL_CMD_GETPOLICY`
 * dump (`netlink_policy_dump_add_policy()`, `ctrl_dumppolicy_put_op()`).
 * The kernel's choices (table numbering, attribute order, signedness, the
 * dump-only command numbered 0) are made once, in {@linkcode policyDump}
 * and {@linkcode policyFields}; {@linkcode encodePolicy} writes their
 * entries here, and the simulated `nlctrl` of `nltest` writes the same
 * entries with the generated nlctrl codec (this layer sits below the
 * generated families and cannot use it). Part of `policy.ts`.
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import {
  ControllerAttribute,
  ControllerCommand,
  type GenlMessage,
  OperationPolicyAttribute,
} from "./message.ts";
import {
  type AttributePolicy,
  type OperationPolicy,
  type PolicyTable,
  PolicyTypeAttribute,
  SIGNED_TYPES,
} from "./_policy_model.ts";

/**
 * One attribute's policy as the `NL_POLICY_TYPE_ATTR_*` values Linux
 * writes, in its order: the limits, then the type. The keys are the names
 * of the nlctrl spec's `policy-attrs` attributes, so the simulated
 * controller hands an object to the generated codec as it is.
 */
export interface PolicyFields {
  /** `NL_POLICY_TYPE_ATTR_MIN_VALUE_S`. */
  minValueS?: bigint;
  /** `NL_POLICY_TYPE_ATTR_MIN_VALUE_U`. */
  minValueU?: bigint;
  /** `NL_POLICY_TYPE_ATTR_MAX_VALUE_S`. */
  maxValueS?: bigint;
  /** `NL_POLICY_TYPE_ATTR_MAX_VALUE_U`. */
  maxValueU?: bigint;
  /** `NL_POLICY_TYPE_ATTR_MASK`. */
  mask?: bigint;
  /** `NL_POLICY_TYPE_ATTR_MIN_LENGTH`. */
  minLength?: number;
  /** `NL_POLICY_TYPE_ATTR_MAX_LENGTH`. */
  maxLength?: number;
  /** `NL_POLICY_TYPE_ATTR_POLICY_IDX`. */
  policyIdx?: number;
  /** `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE`. */
  policyMaxtype?: number;
  /** `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK`. */
  bitfield32Mask?: number;
  /** `NL_POLICY_TYPE_ATTR_TYPE`. */
  type: number;
}

/**
 * The values Linux writes for one attribute's policy, in its order.
 *
 * @param p The policy.
 * @param nestedIndex The index of `p.nested` in the dump, if it is written.
 * @returns The values, keyed by the nlctrl spec's names.
 */
export function policyFields(
  p: AttributePolicy,
  nestedIndex?: number,
): PolicyFields {
  // Built in wire order: both writers follow the keys' order.
  const f: Partial<PolicyFields> = {};
  const signed = SIGNED_TYPES.has(p.type);
  if (p.minValue !== undefined) {
    f[signed ? "minValueS" : "minValueU"] = p.minValue;
  }
  if (p.maxValue !== undefined) {
    f[signed ? "maxValueS" : "maxValueU"] = p.maxValue;
  }
  if (p.mask !== undefined) f.mask = p.mask;
  if (p.minLength !== undefined) f.minLength = p.minLength;
  if (p.maxLength !== undefined) f.maxLength = p.maxLength;
  if (p.nested !== undefined && nestedIndex !== undefined) {
    f.policyIdx = nestedIndex;
  }
  if (p.maxType !== undefined) f.policyMaxtype = p.maxType;
  if (p.bitfield32Mask !== undefined) f.bitfield32Mask = p.bitfield32Mask;
  f.type = p.type;
  return f as PolicyFields;
}

/**
 * One message of a `CTRL_CMD_GETPOLICY` dump: a command's tables
 * (`CTRL_ATTR_OP_POLICY`) or one attribute of one table
 * (`CTRL_ATTR_POLICY`), keyed as the nlctrl spec's type values are.
 */
export type PolicyDumpEntry =
  | { opId: number; do?: number; dump?: number }
  | { policyId: number; attrId: number; fields: PolicyFields };

/**
 * The messages of a `CTRL_CMD_GETPOLICY` dump, in the kernel's order: one
 * per command, then one per attribute of every table, tables numbered from
 * 0 in the order they are first reached (commands in map order, do before
 * dump, nested tables breadth first, as `netlink_policy_dump_add_policy()`
 * does), attributes in type order.
 *
 * @param operations Command number to the tables of its handlers.
 * @param command Only this command's entry and tables.
 * @param linuxCommandNumbers Number a command with no `do` table 0, as Linux does.
 * @returns The entries.
 */
export function policyDump(
  operations: ReadonlyMap<number, OperationPolicy>,
  command?: number,
  linuxCommandNumbers = false,
): PolicyDumpEntry[] {
  const index = new Map<PolicyTable, number>();
  const order: PolicyTable[] = [];
  const addOne = (t: PolicyTable | undefined): void => {
    if (t === undefined || index.has(t)) return;
    index.set(t, order.length);
    order.push(t);
  };
  // As netlink_policy_dump_add_policy(): add the table, then walk every
  // known table in index order adding the nested ones (breadth first).
  const add = (t: PolicyTable | undefined): void => {
    addOne(t);
    for (let i = 0; i < order.length; i++) {
      const table = order[i]!;
      for (const type of [...table.keys()].sort((a, b) => a - b)) {
        addOne(table.get(type)!.nested);
      }
    }
  };
  const out: PolicyDumpEntry[] = [];
  for (const [cmd, op] of operations) {
    if (command !== undefined && cmd !== command) continue;
    if (op.do === undefined && op.dump === undefined) continue;
    add(op.do);
    add(op.dump);
    // ctrl_dumppolicy_put_op() nests under doit->cmd, 0 without a do handler.
    const entry: PolicyDumpEntry = {
      opId: linuxCommandNumbers && op.do === undefined ? 0 : cmd,
    };
    if (op.do !== undefined) entry.do = index.get(op.do)!;
    if (op.dump !== undefined) entry.dump = index.get(op.dump)!;
    out.push(entry);
  }
  order.forEach((t, i) => {
    for (const type of [...t.keys()].sort((a, b) => a - b)) {
      const p = t.get(type)!;
      const nested = p.nested === undefined ? undefined : index.get(p.nested);
      out.push({ policyId: i, attrId: type, fields: policyFields(p, nested) });
    }
  });
  return out;
}

/** Writes policy fields as `NL_POLICY_TYPE_ATTR_*` attributes, in their order. */
function writeFields(e: AttributeEncoder, f: PolicyFields): void {
  for (const key in f) {
    const v = f[key as keyof PolicyFields];
    if (v === undefined) continue;
    switch (key as keyof PolicyFields) {
      case "minValueS":
        e.int64(PolicyTypeAttribute.MinValueSigned, v as bigint);
        break;
      case "maxValueS":
        e.int64(PolicyTypeAttribute.MaxValueSigned, v as bigint);
        break;
      case "minValueU":
        e.uint64(PolicyTypeAttribute.MinValueUnsigned, v as bigint);
        break;
      case "maxValueU":
        e.uint64(PolicyTypeAttribute.MaxValueUnsigned, v as bigint);
        break;
      case "mask":
        e.uint64(PolicyTypeAttribute.Mask, v as bigint);
        break;
      case "minLength":
        e.uint32(PolicyTypeAttribute.MinLength, v as number);
        break;
      case "maxLength":
        e.uint32(PolicyTypeAttribute.MaxLength, v as number);
        break;
      case "policyIdx":
        e.uint32(PolicyTypeAttribute.PolicyIndex, v as number);
        break;
      case "policyMaxtype":
        e.uint32(PolicyTypeAttribute.PolicyMaxType, v as number);
        break;
      case "bitfield32Mask":
        e.uint32(PolicyTypeAttribute.Bitfield32Mask, v as number);
        break;
      case "type":
        e.uint32(PolicyTypeAttribute.Type, v as number);
        break;
    }
  }
}

/**
 * Encodes policies as the kernel's `CTRL_CMD_GETPOLICY` dump does: one
 * message per command (`CTRL_ATTR_OP_POLICY`), then one message per
 * attribute of every table (`CTRL_ATTR_POLICY`), tables numbered from 0 in
 * the order they are first reached (commands in map order, do before dump,
 * nested tables breadth first, as `netlink_policy_dump_add_policy()` does).
 * The simulated `nlctrl` of `nltest` sends the same messages, written by
 * the generated nlctrl codec from {@linkcode policyDump}'s entries.
 *
 * @param familyId The family id to put in every message.
 * @param operations Command number to the tables of its handlers.
 * @param command Encode only this command's entry and tables (like a request with `CTRL_ATTR_OP`).
 * @param options `linuxCommandNumbers`: number a command with no `do`
 * table 0, as Linux (up to at least 6.18) does for a command that only has
 * a dump handler (`ctrl_dumppolicy_put_op()` nests under `doit->cmd`);
 * what the simulated controller sends, so that code reading real dumps
 * (see {@linkcode DecodePolicyOptions}) is tested against the real quirk.
 * @returns The replies (`CTRL_CMD_GETPOLICY`, version 2), without netlink headers.
 * @throws {RangeError} When a number does not fit its attribute.
 *
 * @example Encode and decode a nested policy
 * ```ts
 * import { decodePolicy, encodePolicy, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const header = new Map([[2, { type: PolicyType.NulString, maxLength: 15 }]]);
 * const top = new Map([[1, { type: PolicyType.Nested, nested: header, maxType: 2 }]]);
 * const messages = encodePolicy(0x20, new Map([[7, { do: top, dump: top }]]));
 * assert.equal(messages.length, 3);
 * const policy = decodePolicy(messages);
 * const nested = policy.operations.get(7)?.do?.get(1)?.nested;
 * assert.equal(nested, policy.tables[1]);
 * assert.deepEqual(nested, header);
 * ```
 */
export function encodePolicy(
  familyId: number,
  operations: ReadonlyMap<number, OperationPolicy>,
  command?: number,
  options: { linuxCommandNumbers?: boolean } = {},
): GenlMessage[] {
  const header = { command: ControllerCommand.GetPolicy, version: 2 };
  return policyDump(operations, command, options.linuxCommandNumbers).map(
    (entry) => {
      const e = new AttributeEncoder().uint16(
        ControllerAttribute.FamilyId,
        familyId,
      );
      if ("opId" in entry) {
        e.nested(
          ControllerAttribute.OperationPolicy,
          (ops) =>
            ops.nested(entry.opId, (op) => {
              if (entry.do !== undefined) {
                op.uint32(OperationPolicyAttribute.Do, entry.do);
              }
              if (entry.dump !== undefined) {
                op.uint32(OperationPolicyAttribute.Dump, entry.dump);
              }
            }),
        );
      } else {
        e.nested(
          ControllerAttribute.Policy,
          (tables) =>
            tables.nested(
              entry.policyId,
              (attrs) =>
                attrs.nested(entry.attrId, (p) => writeFields(p, entry.fields)),
            ),
        );
      }
      return { header, data: e.encode() };
    },
  );
}

/**
 * Encodes one attribute's policy as the kernel does (limits first, then
 * `NL_POLICY_TYPE_ATTR_TYPE`), as in the `NLMSGERR_ATTR_POLICY` of an
 * extended ACK. A nested table's index is written when `nestedIndex` is given.
 *
 * @param p The policy.
 * @param nestedIndex The index to write for `p.nested`.
 * @returns The attributes.
 * @throws {RangeError} When a number does not fit its attribute.
 *
 * @example Using encodeAttributePolicy
 * ```ts
 * import { encodeAttributePolicy, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * // NL_POLICY_TYPE_ATTR_MAX_LENGTH 15, NL_POLICY_TYPE_ATTR_TYPE 12 (NUL_STRING)
 * assert.equal(encodeAttributePolicy({ type: PolicyType.NulString, maxLength: 15 }).length, 16);
 * ```
 */
export function encodeAttributePolicy(
  p: AttributePolicy,
  nestedIndex?: number,
): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder();
  writeFields(e, policyFields(p, nestedIndex));
  return e.encode();
}
