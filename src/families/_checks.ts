/**
 * The spec's `checks`, enforced before a request is sent, and the spec's
 * view of each attribute as a kernel policy (the form `GenlConn.getPolicy`
 * returns), to compare the two.
 *
 * @module
 */

import {
  type AttributePolicy,
  type PolicyTable,
  PolicyType,
} from "../genetlink/policy.ts";
import { Errno } from "../netlink/errno.ts";
import { H, K, type RtAttr, type RtSet } from "./_schema.ts";

/** A broken check, turned into a `PolicyError` with the attribute path by the caller. */
export class CheckFailure extends Error {
  readonly policyType: string;
  readonly rule: string;
  readonly policy: AttributePolicy;
  readonly errno: number;
  readonly kernelMessage: string;

  constructor(
    policy: AttributePolicy,
    rule: string,
    errno: number,
    kernelMessage: string,
  ) {
    super(rule);
    this.policy = policy;
    this.policyType = policyTypeName(policy.type);
    this.rule = rule;
    this.errno = errno;
    this.kernelMessage = kernelMessage;
  }
}

const FAILED = "Attribute failed policy validation";

const POLICY_TYPE: Readonly<Record<number, number>> = {
  [K.U8]: PolicyType.U8,
  [K.U16]: PolicyType.U16,
  [K.U32]: PolicyType.U32,
  [K.U64]: PolicyType.U64,
  [K.S8]: PolicyType.S8,
  [K.S16]: PolicyType.S16,
  [K.S32]: PolicyType.S32,
  [K.S64]: PolicyType.S64,
  [K.UINT]: PolicyType.Uint,
  [K.SINT]: PolicyType.Sint,
  [K.FLAG]: PolicyType.Flag,
  [K.BINARY]: PolicyType.Binary,
  [K.BITFIELD32]: PolicyType.Bitfield32,
  [K.NEST]: PolicyType.Nested,
  [K.NTV]: PolicyType.Nested,
  [K.SUBMSG]: PolicyType.Nested,
};

const RANGES: Readonly<Record<number, readonly [bigint, bigint]>> = {
  [PolicyType.U8]: [0n, 0xffn],
  [PolicyType.U16]: [0n, 0xffffn],
  [PolicyType.U32]: [0n, 0xffffffffn],
  [PolicyType.U64]: [0n, 0xffffffffffffffffn],
  [PolicyType.Uint]: [0n, 0xffffffffffffffffn],
  [PolicyType.S8]: [-0x80n, 0x7fn],
  [PolicyType.S16]: [-0x8000n, 0x7fffn],
  [PolicyType.S32]: [-0x80000000n, 0x7fffffffn],
  [PolicyType.S64]: [-0x8000000000000000n, 0x7fffffffffffffffn],
  [PolicyType.Sint]: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

/** `PolicyType` key → the kernel's name (`NulString` → `NUL_STRING`). */
export function policyTypeName(type: number): string {
  for (const [key, v] of Object.entries(PolicyType)) {
    if (v === type) {
      return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
    }
  }
  return `unknown(${type})`;
}

/** The policy type the spec gives an attribute, or undefined for pad and unused attributes. */
export function specPolicyType(a: RtAttr): number | undefined {
  if (a.kind === K.STRING) {
    return a.checks?.unterminatedOk ? PolicyType.String : PolicyType.NulString;
  }
  if (a.kind === K.INDEXED) {
    return a.sub === K.NEST ? PolicyType.NestedArray : PolicyType.Nested;
  }
  return POLICY_TYPE[a.kind];
}

const policies = new WeakMap<RtAttr, AttributePolicy>();
const tables = new WeakMap<RtSet, PolicyTable>();

/**
 * The spec's view of an attribute as a kernel policy: its type, the
 * integer range (the type's full range unless `min`/`max` narrow it), the
 * lengths, the mask, and the nested set's table.
 */
export function specPolicy(a: RtAttr): AttributePolicy | undefined {
  const cached = policies.get(a);
  if (cached !== undefined) return cached;
  const type = specPolicyType(a);
  if (type === undefined) return undefined;
  const p: AttributePolicy = { type };
  const c = a.checks;
  const range = RANGES[type];
  if (range !== undefined) {
    if (c?.mask !== undefined) p.mask = c.mask;
    else {
      p.minValue = c?.min ?? range[0];
      p.maxValue = c?.max ?? range[1];
    }
  }
  if (c?.exactLen !== undefined) {
    p.minLength = c.exactLen;
    p.maxLength = c.exactLen;
  }
  if (c?.minLen !== undefined) p.minLength = c.minLen;
  if (c?.maxLen !== undefined) p.maxLength = c.maxLen;
  if (a.kind === K.BITFIELD32 && a.en !== null) {
    let mask = 0;
    for (const [m] of a.en.flagMasks(a.flags === 2 ? "bit" : "mask")) {
      mask = (mask | m) >>> 0;
    }
    p.bitfield32Mask = mask;
  }
  policies.set(a, p);
  if (
    a.nested !== null &&
    (type === PolicyType.Nested || type === PolicyType.NestedArray)
  ) {
    p.nested = specTable(a.nested);
  }
  return p;
}

/** The spec's view of a whole attribute set as a kernel policy table. */
export function specTable(set: RtSet): PolicyTable {
  let t = tables.get(set);
  if (t !== undefined) return t;
  t = new Map();
  tables.set(set, t);
  for (const a of set.byKey.values()) {
    const p = specPolicy(a);
    if (p !== undefined) t.set(a.id, p);
  }
  return t;
}

/** Checks an integer value against `min`, `max` and `flags-mask`. */
export function checkInteger(a: RtAttr, v: number | bigint): void {
  const c = a.checks!;
  const x = BigInt(v);
  if (
    (c.min !== undefined && x < c.min) || (c.max !== undefined && x > c.max)
  ) {
    const p = specPolicy(a)!;
    throw new CheckFailure(
      p,
      `value ${x} is out of range [${p.minValue ?? "-inf"},${
        p.maxValue ?? "inf"
      }]`,
      Errno.ERANGE,
      "integer out of range",
    );
  }
  if (c.mask !== undefined && (x & ~c.mask) !== 0n) {
    throw new CheckFailure(
      specPolicy(a)!,
      `value 0x${x.toString(16)} has bits outside the mask 0x${
        c.mask.toString(16)
      }`,
      Errno.EINVAL,
      FAILED,
    );
  }
}

/**
 * Checks the payload length `n` of an encoded string or binary attribute
 * (`min-len`, `max-len`, `exact-len`; a string's NUL does not count).
 */
export function checkLength(a: RtAttr, n: number, isString: boolean): void {
  const c = a.checks!;
  const len = isString ? n - 1 : n;
  const p = (): AttributePolicy => specPolicy(a)!;
  const text = isString ? FAILED : "binary attribute size out of range";
  if (c.exactLen !== undefined && len !== c.exactLen) {
    throw new CheckFailure(
      p(),
      `length ${len} is not ${c.exactLen} bytes`,
      Errno.ERANGE,
      text,
    );
  }
  if (c.minLen !== undefined && len < c.minLen) {
    throw new CheckFailure(
      p(),
      `length ${len} is less than min len ${c.minLen}`,
      Errno.ERANGE,
      text,
    );
  }
  if (c.maxLen !== undefined && len > c.maxLen) {
    throw new CheckFailure(
      p(),
      `length ${len} is more than max len ${c.maxLen}`,
      isString ? Errno.EINVAL : Errno.ERANGE,
      text,
    );
  }
}

/** True for kinds whose checks are about lengths. */
export function hasLengthChecks(a: RtAttr): boolean {
  return a.kind === K.STRING || a.kind === K.BINARY || a.kind === K.INDEXED ||
    a.hint === H.IP;
}
