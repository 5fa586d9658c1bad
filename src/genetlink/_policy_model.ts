/**
 * The policy model: what `CTRL_CMD_GETPOLICY` describes (attribute types,
 * limits, nested tables, per-command tables) as plain data, and the table
 * that applies to a request. Part of `policy.ts`.
 *
 * @module
 */

/**
 * Attribute types of a policy (`NL_ATTR_TYPE_*`, `enum netlink_attribute_type`
 * in `linux/netlink.h`), the value of {@linkcode AttributePolicy.type}.
 *
 * @example Check a string against its maximum length
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[1, { type: PolicyType.NulString, maxLength: 15 }]]);
 * validateRequest(table, new AttributeEncoder().string(1, "wlan0").encode());
 * assert.throws(() => validateRequest(table, new AttributeEncoder().string(1, "x".repeat(20)).encode()), PolicyError);
 * ```
 */
export const PolicyType = {
  /** `NL_ATTR_TYPE_INVALID`: unused. */
  Invalid: 0,
  /** `NL_ATTR_TYPE_FLAG`: present or not, no payload. */
  Flag: 1,
  /** `NL_ATTR_TYPE_U8`: 8-bit unsigned. */
  U8: 2,
  /** `NL_ATTR_TYPE_U16`: 16-bit unsigned. */
  U16: 3,
  /** `NL_ATTR_TYPE_U32`: 32-bit unsigned. */
  U32: 4,
  /** `NL_ATTR_TYPE_U64`: 64-bit unsigned. */
  U64: 5,
  /** `NL_ATTR_TYPE_S8`: 8-bit signed. */
  S8: 6,
  /** `NL_ATTR_TYPE_S16`: 16-bit signed. */
  S16: 7,
  /** `NL_ATTR_TYPE_S32`: 32-bit signed. */
  S32: 8,
  /** `NL_ATTR_TYPE_S64`: 64-bit signed. */
  S64: 9,
  /** `NL_ATTR_TYPE_BINARY`: bytes, with an optional minimum and maximum length. */
  Binary: 10,
  /** `NL_ATTR_TYPE_STRING`: a string, NUL-terminated or not, with an optional maximum length. */
  String: 11,
  /** `NL_ATTR_TYPE_NUL_STRING`: a NUL-terminated string, with an optional maximum length. */
  NulString: 12,
  /** `NL_ATTR_TYPE_NESTED`: attributes, with an optional policy for them. */
  Nested: 13,
  /** `NL_ATTR_TYPE_NESTED_ARRAY`: an array of nests whose types are indexes; the policy applies inside each. */
  NestedArray: 14,
  /** `NL_ATTR_TYPE_BITFIELD32`: `struct nla_bitfield32` (value, selector), with a mask of valid bits. */
  Bitfield32: 15,
  /** `NL_ATTR_TYPE_SINT`: a signed integer of 4 or 8 bytes (Linux 6.7 and later). */
  Sint: 16,
  /** `NL_ATTR_TYPE_UINT`: an unsigned integer of 4 or 8 bytes (Linux 6.7 and later). */
  Uint: 17,
} as const;

/**
 * Attributes describing one attribute's policy (`NL_POLICY_TYPE_ATTR_*`,
 * `enum netlink_policy_type_attr` in `linux/netlink.h`).
 *
 * @example Decode a policy quoted by the kernel
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { decodeAttributePolicy, PolicyType, PolicyTypeAttribute } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const bytes = new AttributeEncoder()
 *   .uint64(PolicyTypeAttribute.MinValueUnsigned, 1n)
 *   .uint64(PolicyTypeAttribute.MaxValueUnsigned, 4094n)
 *   .uint32(PolicyTypeAttribute.Type, PolicyType.U16)
 *   .encode();
 * assert.deepEqual(decodeAttributePolicy(bytes), { type: PolicyType.U16, minValue: 1n, maxValue: 4094n });
 * ```
 */
export const PolicyTypeAttribute = {
  /** `NL_POLICY_TYPE_ATTR_UNSPEC`: unused. */
  Unspec: 0,
  /** `NL_POLICY_TYPE_ATTR_TYPE`: the {@linkcode PolicyType} (u32). */
  Type: 1,
  /** `NL_POLICY_TYPE_ATTR_MIN_VALUE_S`: minimum of a signed integer (s64). */
  MinValueSigned: 2,
  /** `NL_POLICY_TYPE_ATTR_MAX_VALUE_S`: maximum of a signed integer (s64). */
  MaxValueSigned: 3,
  /** `NL_POLICY_TYPE_ATTR_MIN_VALUE_U`: minimum of an unsigned integer (u64). */
  MinValueUnsigned: 4,
  /** `NL_POLICY_TYPE_ATTR_MAX_VALUE_U`: maximum of an unsigned integer (u64). */
  MaxValueUnsigned: 5,
  /** `NL_POLICY_TYPE_ATTR_MIN_LENGTH`: minimum length of binary data (u32). */
  MinLength: 6,
  /** `NL_POLICY_TYPE_ATTR_MAX_LENGTH`: maximum length of binary data or a string (u32). */
  MaxLength: 7,
  /** `NL_POLICY_TYPE_ATTR_POLICY_IDX`: index of the policy of a nest's contents (u32). */
  PolicyIndex: 8,
  /** `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE`: the highest attribute type allowed in the nest (u32). */
  PolicyMaxType: 9,
  /** `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK`: the valid bits of a bitfield32 (u32). */
  Bitfield32Mask: 10,
  /** `NL_POLICY_TYPE_ATTR_PAD`: padding for 64-bit alignment. */
  Pad: 11,
  /** `NL_POLICY_TYPE_ATTR_MASK`: the valid bits of an unsigned integer (u64). */
  Mask: 12,
} as const;

/**
 * What the kernel accepts for one attribute type, as `CTRL_CMD_GETPOLICY` reports it.
 *
 * @example A VLAN id policy
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { type AttributePolicy, formatAttributePolicy, PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const vlan: AttributePolicy = { type: PolicyType.U16, minValue: 1n, maxValue: 4094n };
 * assert.equal(formatAttributePolicy(vlan), "type=U16 range:[1,4094]");
 * const table = new Map([[1, vlan]]);
 * assert.throws(() => validateRequest(table, new AttributeEncoder().uint16(1, 4095).encode()), PolicyError);
 * ```
 */
export interface AttributePolicy {
  /** A {@linkcode PolicyType}. */
  type: number;
  /** Smallest accepted integer value (`MIN_VALUE_S` or `MIN_VALUE_U`). */
  minValue?: bigint;
  /** Largest accepted integer value (`MAX_VALUE_S` or `MAX_VALUE_U`). */
  maxValue?: bigint;
  /** Smallest accepted payload length in bytes (`MIN_LENGTH`). */
  minLength?: number;
  /** Largest accepted payload length in bytes, or string length without the NUL (`MAX_LENGTH`). */
  maxLength?: number;
  /** The bits an unsigned integer may have set (`MASK`). */
  mask?: bigint;
  /** The bits a bitfield32 may select (`BITFIELD32_MASK`). */
  bitfield32Mask?: number;
  /** The policy of a nest's contents (of each entry, for a nested array) (`POLICY_IDX`, resolved). */
  nested?: PolicyTable;
  /** The highest attribute type allowed inside the nest (`POLICY_MAXTYPE`). */
  maxType?: number;
}

/**
 * A policy table: attribute type to its policy. Attributes the kernel rejects or ignores are absent.
 *
 * @example Check attribute sizes
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { PolicyError, type PolicyTable, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const table: PolicyTable = new Map([[1, { type: PolicyType.U32 }], [2, { type: PolicyType.Flag }]]);
 * validateRequest(table, new AttributeEncoder().uint32(1, 7).flag(2).encode());
 * assert.throws(() => validateRequest(table, new AttributeEncoder().uint8(1, 7).encode()), PolicyError);
 * ```
 */
export type PolicyTable = Map<number, AttributePolicy>;

/**
 * The policies of one command's handlers (`CTRL_ATTR_POLICY_DO` and `CTRL_ATTR_POLICY_DUMP`, resolved).
 *
 * @example Different policies for do and dump
 * ```ts
 * import { decodePolicy, encodePolicy, type OperationPolicy, policyFor, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const op: OperationPolicy = {
 *   do: new Map([[1, { type: PolicyType.U32 }]]),
 *   dump: new Map([[2, { type: PolicyType.Flag }]]),
 * };
 * const policy = decodePolicy(encodePolicy(0x20, new Map([[5, op]])));
 * assert.deepEqual(policyFor(policy, 5, false), op.do);
 * assert.deepEqual(policyFor(policy, 5, true), op.dump);
 * ```
 */
export interface OperationPolicy {
  /** The policy of the do (single request) handler. */
  do?: PolicyTable;
  /** The policy of the dump handler. */
  dump?: PolicyTable;
}

/**
 * A family's attribute policies, decoded from a `CTRL_CMD_GETPOLICY` dump.
 *
 * @example Fetch a family's policy
 * ```ts
 * import { type Policy, policyFor, PolicyType } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[1, { type: PolicyType.U8 }]]);
 * await using conn = genltest.dial(genltest.serveFamily({ id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2, operations: [{ id: 1, flags: 0xa }], groups: [], policy: new Map([[1, { do: table }]]) }, () => []));
 * const policy: Policy = await conn.getPolicy("demo");
 * assert.equal(policy.familyId, 0x20);
 * assert.deepEqual(policyFor(policy, 1, false), table);
 * ```
 */
export interface Policy {
  /** The family id the kernel reported. */
  familyId: number;
  /** Command number to the policies of its handlers. */
  operations: Map<number, OperationPolicy>;
  /** Every table, by the kernel's policy index (nested tables included). */
  tables: PolicyTable[];
}

/** The signed policy types: their limits are `MIN_VALUE_S` / `MAX_VALUE_S`. */
export const SIGNED_TYPES: ReadonlySet<number> = new Set([
  PolicyType.S8,
  PolicyType.S16,
  PolicyType.S32,
  PolicyType.S64,
  PolicyType.Sint,
]);

/** The payload lengths an integer policy type accepts. */
export const INTEGER_LENGTHS: Readonly<Record<number, readonly number[]>> = {
  [PolicyType.U8]: [1],
  [PolicyType.U16]: [2],
  [PolicyType.U32]: [4],
  [PolicyType.U64]: [8],
  [PolicyType.S8]: [1],
  [PolicyType.S16]: [2],
  [PolicyType.S32]: [4],
  [PolicyType.S64]: [8],
  [PolicyType.Sint]: [4, 8],
  [PolicyType.Uint]: [4, 8],
};

/** The kernel's names of the policy types (`NL_ATTR_TYPE_*` without the prefix). */
export const TYPE_NAMES: Readonly<Record<number, string>> = {
  [PolicyType.Invalid]: "INVALID",
  [PolicyType.Flag]: "FLAG",
  [PolicyType.U8]: "U8",
  [PolicyType.U16]: "U16",
  [PolicyType.U32]: "U32",
  [PolicyType.U64]: "U64",
  [PolicyType.S8]: "S8",
  [PolicyType.S16]: "S16",
  [PolicyType.S32]: "S32",
  [PolicyType.S64]: "S64",
  [PolicyType.Binary]: "BINARY",
  [PolicyType.String]: "STRING",
  [PolicyType.NulString]: "NUL_STRING",
  [PolicyType.Nested]: "NESTED",
  [PolicyType.NestedArray]: "NESTED_ARRAY",
  [PolicyType.Bitfield32]: "BITFIELD32",
  [PolicyType.Sint]: "SINT",
  [PolicyType.Uint]: "UINT",
};

/**
 * Finds the table that applies to a request: the do or dump handler's
 * policy of `command` (a request is a dump when its flags contain all of
 * `HeaderFlags.Dump`). Falls back to table 0 when the kernel reported
 * tables but no per-command entries (Linux 5.8 to 5.9 dumped only the
 * family-wide policy).
 *
 * @param policy The family's policy.
 * @param command The command.
 * @param dump Whether the request is a dump.
 * @returns The table, or undefined when the handler has no policy.
 *
 * @example Using policyFor
 * ```ts
 * import { policyFor, PolicyType, type Policy } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const t = new Map([[1, { type: PolicyType.Flag }]]);
 * const policy: Policy = { familyId: 0x20, operations: new Map([[3, { dump: t }]]), tables: [t] };
 * assert.equal(policyFor(policy, 3, true), t);
 * assert.equal(policyFor(policy, 3, false), undefined);
 * ```
 */
export function policyFor(
  policy: Policy,
  command: number,
  dump: boolean,
): PolicyTable | undefined {
  if (policy.operations.size === 0) return policy.tables[0];
  const op = policy.operations.get(command);
  return dump ? op?.dump : op?.do;
}
