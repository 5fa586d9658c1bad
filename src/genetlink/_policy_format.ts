/**
 * Printing policies, the way `genl ctrl policy` (iproute2) does. Part of
 * `policy.ts`.
 *
 * @module
 */

import {
  type AttributePolicy,
  type PolicyTable,
  TYPE_NAMES,
} from "./_policy_model.ts";

function formatBig(v: bigint): string {
  return v.toString();
}

/**
 * Prints one attribute policy the way `genl ctrl policy` (iproute2) does,
 * plus what iproute2 leaves out: `type=U16 range:[0,65535]`,
 * `type=NUL_STRING max len:15`, `type=NESTED policy:3 maxattr:3`,
 * `type=U32 mask:0x3`, `type=BITFIELD32 mask:0x7`.
 *
 * @param p The attribute policy.
 * @param tables The policy's tables, to print the index of a nested table.
 * @returns The description.
 *
 * @example Using formatAttributePolicy
 * ```ts
 * import { formatAttributePolicy, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatAttributePolicy({ type: PolicyType.U16, minValue: 0n, maxValue: 65535n }),
 *   "type=U16 range:[0,65535]",
 * );
 * ```
 */
export function formatAttributePolicy(
  p: AttributePolicy,
  tables: readonly PolicyTable[] = [],
): string {
  let s = `type=${TYPE_NAMES[p.type] ?? `unknown(${p.type})`}`;
  if (p.minValue !== undefined && p.maxValue !== undefined) {
    s += ` range:[${formatBig(p.minValue)},${formatBig(p.maxValue)}]`;
  } else if (p.minValue !== undefined) {
    s += ` min:${formatBig(p.minValue)}`;
  } else if (p.maxValue !== undefined) {
    s += ` max:${formatBig(p.maxValue)}`;
  }
  if (p.minLength !== undefined) s += ` min len:${p.minLength}`;
  if (p.maxLength !== undefined) s += ` max len:${p.maxLength}`;
  if (p.nested !== undefined) {
    const i = tables.indexOf(p.nested);
    if (i >= 0) s += ` policy:${i}`;
  }
  if (p.maxType !== undefined) s += ` maxattr:${p.maxType}`;
  if (p.mask !== undefined) s += ` mask:0x${p.mask.toString(16)}`;
  if (p.bitfield32Mask !== undefined) {
    s += ` mask:0x${p.bitfield32Mask.toString(16)}`;
  }
  return s;
}
