/**
 * Checking a request against a kernel policy table with the kernel's own
 * rules (`validate_nla()`), and {@linkcode PolicyError}, what a request
 * that breaks them throws. Part of `policy.ts`.
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import {
  type Attribute,
  AttributeDecoder,
  encodeAttributes,
} from "../netlink/attribute.ts";
import { AttributeFlags } from "../netlink/header.ts";
import { HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import {
  type AttributePolicy,
  INTEGER_LENGTHS,
  type PolicyTable,
  PolicyType,
  SIGNED_TYPES,
  TYPE_NAMES,
} from "./_policy_model.ts";

/**
 * Details of a {@linkcode PolicyError}.
 *
 * @example What Linux would answer
 * ```ts
 * import { PolicyError, type PolicyErrorOptions, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const options: PolicyErrorOptions = {
 *   offset: 0, errno: 34, kernelMessage: "integer out of range", policy: { type: PolicyType.U8, maxValue: 3n },
 * };
 * const err = new PolicyError([1], "U8", "value 9 is out of range [0,3]", options);
 * assert.deepEqual([err.errno, err.kernelMessage, err.offset], [34, "integer out of range", 0]);
 * ```
 */
export interface PolicyErrorOptions {
  /** What was being done, for the message (default `"validate attributes"`). */
  op?: string;
  /** Offset of the offending attribute's header in the validated bytes. */
  offset?: number;
  /** The policy the attribute breaks (absent for an attribute the policy does not know). */
  policy?: AttributePolicy;
  /** The errno Linux answers for this rule: 22 (EINVAL, the default) or 34 (ERANGE). */
  errno?: number;
  /** The extended ACK text Linux answers for this rule (default `"Attribute failed policy validation"`). */
  kernelMessage?: string;
}

/**
 * A request breaks the kernel's attribute policy. A `TypeError`: the
 * request's arguments are wrong, so it was not sent.
 *
 * @example Using PolicyError
 * ```ts
 * import { PolicyError } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const err = new PolicyError([1, 2], "NUL_STRING", "length 200 is more than max len 127");
 * assert.ok(err instanceof TypeError);
 * assert.equal(
 *   err.message,
 *   "Cannot validate attributes: attribute 1 > 2 (NUL_STRING) breaks the policy: length 200 is more than max len 127",
 * );
 * ```
 */
export class PolicyError extends TypeError {
  /**
   * The attribute types leading to the offending attribute, outermost first.
   *
   * @example The path to the offending attribute
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.deepEqual(err?.attributePath, [9]);
   * ```
   */
  readonly attributePath: number[];
  /**
   * The policy type of the offending attribute, such as `"NUL_STRING"` (`"unknown"` when it has none).
   *
   * @example The policy type it breaks
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.equal(err?.policyType, "U32");
   * ```
   */
  readonly policyType: string;
  /**
   * The rule it breaks, such as `"value 9 is out of range [1,8]"`.
   *
   * @example The rule it breaks
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.equal(err?.rule, "value 9 is out of range [1,8]");
   * ```
   */
  readonly rule: string;
  /**
   * Offset of the offending attribute's header in the validated bytes, when known.
   *
   * @example Where the attribute is
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.equal(err?.offset, 4); // after the 4-byte flag attribute
   * ```
   */
  readonly offset?: number;
  /**
   * The policy the attribute breaks, when it has one.
   *
   * @example The broken policy
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.equal(err?.policy?.maxValue, 8n);
   * ```
   */
  readonly policy?: AttributePolicy;
  /**
   * The errno Linux answers when such a request is sent: 22 (EINVAL) or 34 (ERANGE), as `validate_nla()` does.
   *
   * @example The errno Linux would answer
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.equal(err?.errno, 34); // ERANGE
   * ```
   */
  readonly errno: number;
  /**
   * The extended ACK text Linux answers, such as `"integer out of range"` or `"Unknown attribute type"`.
   *
   * @example The text Linux would answer
   * ```ts
   * import { AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { type PolicyError, PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.Flag }], [9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const bytes = new AttributeEncoder().flag(1).uint32(9, 9).encode();
   * const err = (() => { try { validateRequest(table, bytes); } catch (e) { return e as PolicyError; } })();
   * assert.equal(err?.kernelMessage, "integer out of range");
   * ```
   */
  readonly kernelMessage: string;

  /**
   * Creates the error; the message names the path, the policy type and the rule.
   *
   * @param attributePath The attribute types leading to the attribute.
   * @param policyType The name of its policy type.
   * @param rule The rule it breaks.
   * @param options The operation, the attribute's offset and its policy.
   */
  constructor(
    attributePath: number[],
    policyType: string,
    rule: string,
    options: PolicyErrorOptions = {},
  ) {
    super(
      `Cannot ${options.op ?? "validate attributes"}: attribute ${
        attributePath.join(" > ")
      } (${policyType}) breaks the policy: ${rule}`,
    );
    this.name = "PolicyError";
    this.attributePath = attributePath;
    this.policyType = policyType;
    this.rule = rule;
    if (options.offset !== undefined) this.offset = options.offset;
    if (options.policy !== undefined) this.policy = options.policy;
    this.errno = options.errno ?? Errno.EINVAL;
    this.kernelMessage = options.kernelMessage ?? FAILED;
  }
}

const FAILED = "Attribute failed policy validation";

/** The lengths `nla_attr_len[]` fixes (checked exactly in strict validation). */
const FIXED_LENGTHS: Readonly<Record<number, number>> = {
  [PolicyType.U8]: 1,
  [PolicyType.U16]: 2,
  [PolicyType.U32]: 4,
  [PolicyType.U64]: 8,
  [PolicyType.S8]: 1,
  [PolicyType.S16]: 2,
  [PolicyType.S32]: 4,
  [PolicyType.S64]: 8,
};

/**
 * Options for {@linkcode validateRequest}.
 *
 * @example Liberal validation ignores unknown attributes
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { PolicyError, PolicyType, validateRequest, type ValidateOptions } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[1, { type: PolicyType.U32 }]]);
 * const attrs = new AttributeEncoder().uint32(1, 1).uint32(2, 2).encode(); // 2 is not in the table
 * assert.throws(() => validateRequest(table, attrs), PolicyError);
 * const options: ValidateOptions = { strict: false };
 * validateRequest(table, attrs, options);
 * ```
 */
export interface ValidateOptions {
  /**
   * Reject what the kernel rejects in strict validation (the default for
   * operations added since Linux 5.2): attribute types not in the policy,
   * nests without `NLA_F_NESTED`, `NLA_F_NESTED` on other types. Default true.
   */
  strict?: boolean;
  /**
   * The highest attribute type accepted at the top level (the handler's
   * `maxattr`, or the family's `CTRL_ATTR_MAXATTR`). 0 or absent: the
   * highest type the table knows.
   */
  maxType?: number;
  /** What was being done, for the error message (default `"validate attributes"`). */
  op?: string;
}

/**
 * Checks attributes against a kernel policy table with the kernel's own
 * rules, in the kernel's order (`validate_nla()` in `lib/nlattr.c`):
 * attribute types, exact integer sizes, `NLA_F_NESTED`, value ranges and
 * masks, string and binary lengths, NUL termination, bitfield32 selectors,
 * nested tables and nested arrays, recursively. The error says which
 * attribute breaks which rule, and what Linux would answer (`errno`,
 * `kernelMessage`, `offset`): on this project's test machine, thousands of
 * random requests got exactly the kernel's verdict, errno, text and
 * attribute. Integers are read in host byte order unless the attribute has
 * `NLA_F_NET_BYTEORDER`.
 *
 * @param table The policy table of the request's handler ({@linkcode policyFor}).
 * @param attributes The request's attributes, encoded or as a list.
 * @param options Strictness, the top-level maximum type and the operation name.
 * @throws {PolicyError} A `TypeError` naming the attribute path and the rule it breaks.
 * @throws {RangeError} When the attribute bytes are malformed.
 *
 * @example Refuse an out-of-range value
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { PolicyType, validateRequest } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[9, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
 * validateRequest(table, new AttributeEncoder().uint32(9, 4).encode());
 * assert.throws(
 *   () => validateRequest(table, new AttributeEncoder().uint32(9, 9).encode()),
 *   { name: "PolicyError", message: /attribute 9 \(U32\) breaks the policy: value 9 is out of range \[1,8\]/ },
 * );
 * ```
 */
export function validateRequest(
  table: PolicyTable,
  attributes: Uint8Array | readonly Attribute[],
  options: ValidateOptions = {},
): void {
  const bytes = attributes instanceof Uint8Array
    ? attributes
    : encodeAttributes([...attributes]);
  validateTable(new AttributeDecoder(bytes), table, options.maxType, [], {
    strict: options.strict ?? true,
    op: options.op ?? "validate attributes",
  });
}

interface Context {
  strict: boolean;
  op: string;
}

function validateTable(
  d: AttributeDecoder,
  table: PolicyTable,
  maxType: number | undefined,
  path: number[],
  ctx: Context,
): void {
  // The dump leaves out unchecked (NLA_UNSPEC) and rejected types; without
  // the handler's own maximum, take the highest type the table knows.
  const max = maxType !== undefined && maxType > 0
    ? maxType
    : Math.max(0, ...table.keys());
  while (d.next()) {
    const type = d.type;
    const at = [...path, type];
    // Above the maximum, even a type the table knows is unknown (a nest
    // may limit a shared table with POLICY_MAXTYPE).
    const p = type === 0 || type > max ? undefined : table.get(type);
    if (p === undefined) {
      if (!ctx.strict) continue;
      const unknown = type === 0 || type > max;
      const why = type === 0
        ? "attribute type 0 is never valid"
        : unknown
        ? `type ${type} is above the maximum ${max}`
        : `type ${type} is not in the kernel's policy (unchecked or rejected attribute)`;
      throw new PolicyError(at, "unknown", why, {
        op: ctx.op,
        offset: d.offset - 4,
        kernelMessage: unknown
          ? "Unknown attribute type"
          : "Unsupported attribute",
      });
    }
    validateAttribute(d, p, at, ctx);
  }
}

/** The checks of `validate_nla()` (lib/nlattr.c), in its order, with its errnos and texts. */
function validateAttribute(
  d: AttributeDecoder,
  p: AttributePolicy,
  at: number[],
  ctx: Context,
): void {
  const name = TYPE_NAMES[p.type] ?? `unknown(${p.type})`;
  const fail = (
    rule: string,
    errno: number = Errno.ERANGE,
    kernelMessage = FAILED,
  ): never => {
    throw new PolicyError(at, name, rule, {
      op: ctx.op,
      offset: d.offset - 4,
      policy: p,
      errno,
      kernelMessage,
    });
  };
  const len = d.length;

  const fixed = FIXED_LENGTHS[p.type];
  if (ctx.strict && fixed !== undefined && len !== fixed) {
    fail(
      `length ${len} is not ${fixed} bytes`,
      Errno.EINVAL,
      "invalid attribute length",
    );
  }
  const isNest = p.type === PolicyType.Nested ||
    p.type === PolicyType.NestedArray;
  const hasNestedFlag = (d.flags & AttributeFlags.Nested) !== 0;
  if (ctx.strict && isNest && !hasNestedFlag) {
    fail("NLA_F_NESTED is missing", Errno.EINVAL, "NLA_F_NESTED is missing");
  }
  if (ctx.strict && !isNest && hasNestedFlag) {
    fail(
      "NLA_F_NESTED is not expected",
      Errno.EINVAL,
      "NLA_F_NESTED not expected",
    );
  }

  switch (p.type) {
    case PolicyType.Flag:
      if (len !== 0) fail(`a flag has no payload, got ${len} bytes`);
      return;
    case PolicyType.Sint:
    case PolicyType.Uint:
      if (len !== 4 && len !== 8) {
        fail(
          `length ${len} is not 4 or 8 bytes`,
          Errno.EINVAL,
          "invalid attribute length",
        );
      }
      break;
    case PolicyType.Bitfield32: {
      if (len !== 8) fail(`length ${len} is not 8 bytes`);
      const view = d.view();
      const dv = new DataView(view.buffer, view.byteOffset, 8);
      const little = (d.flags & AttributeFlags.NetByteOrder) === 0 &&
        HOST_LITTLE_ENDIAN;
      const value = dv.getUint32(0, little);
      const selector = dv.getUint32(4, little);
      const valid = p.bitfield32Mask ?? 0xffffffff;
      const hex = (n: number): string => `0x${n.toString(16)}`;
      if (valid === 0) fail("the mask of valid bits is 0", Errno.EINVAL);
      if ((selector & ~valid) >>> 0 !== 0) {
        fail(
          `selector ${hex(selector)} has bits outside the mask ${hex(valid)}`,
          Errno.EINVAL,
        );
      }
      if ((value & ~valid) >>> 0 !== 0) {
        fail(
          `value ${hex(value)} has bits outside the mask ${hex(valid)}`,
          Errno.EINVAL,
        );
      }
      if ((value & ~selector) >>> 0 !== 0) {
        fail(
          `value ${hex(value)} sets bits not in the selector ${hex(selector)}`,
          Errno.EINVAL,
        );
      }
      return;
    }
    case PolicyType.NulString: {
      const b = d.view();
      const limit = p.maxLength !== undefined && p.maxLength > 0
        ? Math.min(len, p.maxLength + 1)
        : len;
      if (limit === 0 || b.subarray(0, limit).indexOf(0) < 0) {
        fail(
          p.maxLength !== undefined && len > p.maxLength
            ? `length ${len} is more than max len ${p.maxLength} plus the NUL`
            : "the string is not NUL-terminated",
          Errno.EINVAL,
        );
      }
      return;
    }
    case PolicyType.String: {
      if (len < 1) fail("the string is empty");
      const b = d.view();
      const n = b[len - 1] === 0 ? len - 1 : len;
      if (p.maxLength !== undefined && p.maxLength > 0 && n > p.maxLength) {
        fail(`length ${n} is more than max len ${p.maxLength}`);
      }
      if (p.minLength !== undefined && n < p.minLength) {
        fail(`length ${n} is less than min len ${p.minLength}`);
      }
      return;
    }
    case PolicyType.Binary: {
      // A minimum comes from range validation, whose text differs from the
      // plain maximum length check's.
      const text = p.minLength !== undefined
        ? "binary attribute size out of range"
        : FAILED;
      if (p.minLength !== undefined && len < p.minLength) {
        fail(
          `length ${len} is less than min len ${p.minLength}`,
          Errno.ERANGE,
          text,
        );
      }
      if (p.maxLength !== undefined && p.maxLength > 0 && len > p.maxLength) {
        fail(
          `length ${len} is more than max len ${p.maxLength}`,
          Errno.ERANGE,
          text,
        );
      }
      return;
    }
    case PolicyType.Nested:
      if (len === 0) return;
      if (len < 4) fail(`length ${len} is too short for a nest`);
      if (p.nested !== undefined) {
        validateTable(d.decoder(), p.nested, p.maxType, at, ctx);
      }
      return;
    case PolicyType.NestedArray: {
      if (len === 0) return;
      if (len < 4) fail(`length ${len} is too short for a nest`);
      if (p.nested === undefined) return;
      const entries = d.decoder();
      while (entries.next()) {
        if (entries.length === 0) continue;
        if (entries.length < 4) {
          throw new PolicyError(
            [...at, entries.type],
            name,
            `entry length ${entries.length} is too short for a nest`,
            {
              op: ctx.op,
              offset: entries.offset - 4,
              policy: p,
              errno: Errno.ERANGE,
              kernelMessage: "Array element too short",
            },
          );
        }
        validateTable(entries.decoder(), p.nested, p.maxType, [
          ...at,
          entries.type,
        ], ctx);
      }
      return;
    }
    default:
      // Fixed-size integers: shorter than the type fails; longer passes
      // without strict validation (the kernel reads the first bytes).
      if (fixed !== undefined && len < fixed) {
        fail(`length ${len} is not ${fixed} bytes`);
      }
      if (fixed !== undefined && len !== fixed) return;
  }

  // Further validation: ranges and masks of integers.
  if (INTEGER_LENGTHS[p.type] === undefined) return;
  let v: bigint;
  if (SIGNED_TYPES.has(p.type)) {
    v = len === 1
      ? BigInt(d.int8())
      : len === 2
      ? BigInt(d.int16())
      : len === 4
      ? BigInt(d.int32())
      : d.int64();
  } else {
    v = len === 1
      ? BigInt(d.uint8())
      : len === 2
      ? BigInt(d.uint16())
      : len === 4
      ? BigInt(d.uint32())
      : d.uint64();
  }
  if (
    (p.minValue !== undefined && v < p.minValue) ||
    (p.maxValue !== undefined && v > p.maxValue)
  ) {
    fail(
      `value ${v} is out of range [${p.minValue ?? "-inf"},${
        p.maxValue ?? "inf"
      }]`,
      Errno.ERANGE,
      "integer out of range",
    );
  }
  if (p.mask !== undefined && (v & ~p.mask) !== 0n) {
    fail(
      `value 0x${v.toString(16)} has bits outside the mask 0x${
        p.mask.toString(16)
      }`,
      Errno.EINVAL,
      "reserved bit set",
    );
  }
}
