/**
 * Decoding policies: a `CTRL_CMD_GETPOLICY` dump into a {@linkcode Policy}
 * tree, and one attribute's policy (as quoted in an extended ACK). Part of
 * `policy.ts`.
 *
 * @module
 */

import { AttributeDecoder } from "../netlink/attribute.ts";
import type { Operation } from "./family.ts";
import {
  ControllerAttribute,
  type GenlMessage,
  OperationFlags,
  OperationPolicyAttribute,
} from "./message.ts";
import {
  type AttributePolicy,
  type OperationPolicy,
  type Policy,
  type PolicyTable,
  PolicyType,
  PolicyTypeAttribute,
} from "./_policy_model.ts";

interface RawAttributePolicy {
  policy: AttributePolicy;
  index?: number;
}

function decodeRawAttributePolicy(d: AttributeDecoder): RawAttributePolicy {
  const p: AttributePolicy = { type: PolicyType.Invalid };
  const raw: RawAttributePolicy = { policy: p };
  while (d.next()) {
    switch (d.type) {
      case PolicyTypeAttribute.Type:
        p.type = d.uint32();
        break;
      case PolicyTypeAttribute.MinValueSigned:
        p.minValue = d.int64();
        break;
      case PolicyTypeAttribute.MaxValueSigned:
        p.maxValue = d.int64();
        break;
      case PolicyTypeAttribute.MinValueUnsigned:
        p.minValue = d.uint64();
        break;
      case PolicyTypeAttribute.MaxValueUnsigned:
        p.maxValue = d.uint64();
        break;
      case PolicyTypeAttribute.MinLength:
        p.minLength = d.uint32();
        break;
      case PolicyTypeAttribute.MaxLength:
        p.maxLength = d.uint32();
        break;
      case PolicyTypeAttribute.PolicyIndex:
        raw.index = d.uint32();
        break;
      case PolicyTypeAttribute.PolicyMaxType:
        p.maxType = d.uint32();
        break;
      case PolicyTypeAttribute.Bitfield32Mask:
        p.bitfield32Mask = d.uint32();
        break;
      case PolicyTypeAttribute.Mask:
        p.mask = d.uint64();
        break;
    }
  }
  return raw;
}

/**
 * Options for {@linkcode decodePolicy}.
 *
 * @example Key a dump-only command the kernel reports as 0
 * ```ts
 * import { decodePolicy, type DecodePolicyOptions, encodePolicy, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[1, { type: PolicyType.Flag }]]);
 * const messages = encodePolicy(0x20, new Map([[0, { dump: table }]])); // as the kernel answers for command 3
 * const options: DecodePolicyOptions = { command: 3 };
 * assert.deepEqual(decodePolicy(messages, options).operations.get(3)?.dump, table);
 * ```
 */
export interface DecodePolicyOptions {
  /**
   * The command the dump was asked for (`CTRL_ATTR_OP`). Its entry is keyed
   * by this command even when the kernel reports another number (kernels
   * up to at least 6.18 report 0 for a command that only has a dump handler).
   */
  command?: number;
  /**
   * The family's operations (from `getFamily`), to recover the command
   * numbers the kernel reports as 0 in a whole-family dump: entries are
   * matched in order with the operations flagged `HasPolicy`.
   */
  operations?: readonly Operation[];
}

/**
 * Decodes the replies of a `CTRL_CMD_GETPOLICY` dump into a policy tree:
 * per command, the tables of its do and dump handlers; per attribute, its
 * type and limits; nested tables resolved into objects (a table used twice
 * is the same object, and recursive policies make cycles).
 *
 * @param messages The dump's replies (generic netlink messages of `nlctrl`).
 * @param options The command asked for, or the family's operations.
 * @returns The policy.
 * @throws {RangeError} When an attribute is malformed.
 *
 * @example Decode a one-table dump built with encodePolicy
 * ```ts
 * import { decodePolicy, encodePolicy, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[1, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
 * const messages = encodePolicy(0x15, new Map([[2, { do: table }]]));
 * const policy = decodePolicy(messages);
 * assert.deepEqual(policy.operations.get(2)?.do, table);
 * ```
 */
export function decodePolicy(
  messages: readonly GenlMessage[],
  options: DecodePolicyOptions = {},
): Policy {
  let familyId = 0;
  const opIndexes: [number, { do?: number; dump?: number }][] = [];
  const rawTables = new Map<number, Map<number, RawAttributePolicy>>();
  for (const m of messages) {
    const d = new AttributeDecoder(m.data);
    while (d.next()) {
      switch (d.type) {
        case ControllerAttribute.FamilyId:
          familyId = d.uint16();
          break;
        case ControllerAttribute.OperationPolicy: {
          const ops = d.decoder();
          while (ops.next()) {
            const entry: { do?: number; dump?: number } = {};
            const od = ops.decoder();
            while (od.next()) {
              if (od.type === OperationPolicyAttribute.Do) {
                entry.do = od.uint32();
              } else if (od.type === OperationPolicyAttribute.Dump) {
                entry.dump = od.uint32();
              }
            }
            opIndexes.push([ops.type, entry]);
          }
          break;
        }
        case ControllerAttribute.Policy: {
          const tables = d.decoder();
          while (tables.next()) {
            let table = rawTables.get(tables.type);
            if (table === undefined) {
              table = new Map();
              rawTables.set(tables.type, table);
            }
            const attrs = tables.decoder();
            while (attrs.next()) {
              table.set(attrs.type, decodeRawAttributePolicy(attrs.decoder()));
            }
          }
          break;
        }
      }
    }
  }

  // The kernel numbers the tables 0..n-1 and every one is in the dump or
  // referenced by an operation or a nested attribute, so n is the number of
  // distinct indexes seen: an index at or beyond it is garbage (and would
  // size the table array from the wire: 0xfffffffe gave a 4-billion-slot array).
  const seen = new Set<number>(rawTables.keys());
  for (const [, idx] of opIndexes) {
    if (idx.do !== undefined) seen.add(idx.do);
    if (idx.dump !== undefined) seen.add(idx.dump);
  }
  for (const raw of rawTables.values()) {
    for (const r of raw.values()) if (r.index !== undefined) seen.add(r.index);
  }
  for (const i of seen) {
    if (i >= seen.size) {
      throw new RangeError(
        `Cannot decode policy: table index ${i} is beyond the ${seen.size} tables the dump describes`,
      );
    }
  }
  // A table whose attributes are all unchecked (NLA_UNSPEC) or rejected has
  // no message in the dump: an index with no messages is an empty table.
  const tables: PolicyTable[] = [];
  const tableAt = (i: number): PolicyTable => (tables[i] ??= new Map());
  for (const [index, raw] of [...rawTables].sort((a, b) => a[0] - b[0])) {
    const t = tableAt(index);
    for (const [type, r] of [...raw].sort((a, b) => a[0] - b[0])) {
      t.set(type, r.policy);
    }
  }
  for (const raw of rawTables.values()) {
    for (const r of raw.values()) {
      if (r.index !== undefined) r.policy.nested = tableAt(r.index);
    }
  }
  const table = (i: number | undefined): PolicyTable | undefined =>
    i === undefined ? undefined : tableAt(i);

  const commands = opIndexes.map(([cmd]) => cmd);
  if (options.command !== undefined && commands.length === 1) {
    commands[0] = options.command;
  } else if (options.operations !== undefined && commands.includes(0)) {
    const withPolicy = options.operations.filter((op) =>
      (op.flags & OperationFlags.HasPolicy) !== 0
    );
    if (withPolicy.length === commands.length) {
      for (let i = 0; i < commands.length; i++) {
        if (commands[i] === 0) commands[i] = withPolicy[i]!.id;
      }
    }
  }
  const operations = new Map<number, OperationPolicy>();
  opIndexes.forEach(([, idx], i) => {
    const op: OperationPolicy = {};
    const doTable = table(idx.do);
    const dumpTable = table(idx.dump);
    if (doTable !== undefined) op.do = doTable;
    if (dumpTable !== undefined) op.dump = dumpTable;
    operations.set(commands[i]!, op);
  });
  return { familyId, operations, tables };
}

/**
 * Decodes one attribute's policy (`NL_POLICY_TYPE_ATTR_*` attributes), such
 * as the `policy` of a kernel error's extended ACK (`NLMSGERR_ATTR_POLICY`),
 * which tells why the kernel refused an attribute. A nested policy index
 * cannot be resolved here and is left out.
 *
 * @param bytes The attributes.
 * @returns The policy.
 * @throws {RangeError} When an attribute is malformed.
 *
 * @example Read the policy the kernel quoted in an error
 * ```ts
 * import { decodeAttributePolicy, encodeAttributePolicy, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const p = { type: PolicyType.NulString, maxLength: 15 };
 * assert.deepEqual(decodeAttributePolicy(encodeAttributePolicy(p)), p);
 * ```
 */
export function decodeAttributePolicy(bytes: Uint8Array): AttributePolicy {
  return decodeRawAttributePolicy(new AttributeDecoder(bytes)).policy;
}
