/**
 * A request's attributes as a kernel handler sees them after
 * `nla_parse()`, for the simulated families that decode requests with a
 * generated codec (the simulated `nlctrl`, `serveYnlFamily`): one copy of
 * the rules, checked against Linux 6.18 by
 * `tests/integration/nlctrl_sim_test.ts` and
 * `tests/integration/ynl_family_sim_test.ts`.
 *
 * - The walk stops at the first header that does not fit or lies
 *   (`nla_ok()`); what follows is not seen.
 * - Of each attribute type the policy table has, the LAST one counts
 *   (`tb[type]` is overwritten); a multi-attr type, which the handler walks
 *   with `nla_for_each_attr()`, keeps every occurrence, in order.
 *   Attributes the table lacks are left out.
 * - Flag bits are ignored when reading (`nla_type()`): the output has
 *   `NLA_F_NESTED` on the attributes the policy calls nests and no flag
 *   on the others, whatever the request sent.
 * - An integer longer than its type is read from its first bytes
 *   (`nla_get_u16()` and the like, host order): a liberal parse lets such
 *   an attribute through. `NLA_UINT`/`NLA_SINT` keep 4 or 8 bytes.
 * - Inside a nest the same rules apply when the caller gives the nest's
 *   rules (`nla_parse_nested()`); each entry of a nested array likewise.
 *
 * The output is a canonical run of attributes (ordered by type) that the
 * generated codec decodes to what the kernel's handler would read.
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import { get16, HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { type PolicyTable, PolicyType } from "../genetlink/policy.ts";
import { INTEGER_LENGTHS } from "../genetlink/_policy_model.ts";

/** `NLA_F_NESTED` (`linux/netlink.h`). */
const NLA_F_NESTED = 0x8000;
/** `NLA_TYPE_MASK` (`linux/netlink.h`): the type without its flag bits. */
const NLA_TYPE_MASK = 0x3fff;

/** How one level of attributes is parsed. */
export interface NlaRules {
  /** The level's policy table (`nla_parse()`'s policy). */
  readonly table: PolicyTable;
  /** Whether the handler reads every attribute of `type` (a multi-attr), not only the last. */
  multi?(type: number): boolean;
  /**
   * The rules inside a nest of `type` (of each entry, for a nested array);
   * `undefined` keeps the nest's contents as sent.
   */
  inner?(type: number): NlaRules | undefined;
}

/** What {@linkcode parseAttributes} returns. */
export interface ParsedAttributes {
  /** The attributes as the handler reads them, canonical (see the module). */
  readonly attributes: Uint8Array<ArrayBuffer>;
  /** Attribute type to the offset, within the input, of the header of the one that counts (the last). */
  readonly offsets: Map<number, number>;
  /** Where the walk stopped (`nla_ok()` failed or the end): bytes past it are left over. */
  readonly end: number;
}

/**
 * The run of attributes in `bytes[start, end)` as `nla_parse()` leaves it
 * for a handler (see the module for the rules).
 *
 * @param bytes The buffer.
 * @param start Where the attributes start.
 * @param end Where they end.
 * @param rules The policy table and, for nests and multi-attrs, how to read them.
 * @returns The canonical attributes, the offsets of those that count, where the walk stopped.
 */
export function parseAttributes(
  bytes: Uint8Array,
  start: number,
  end: number,
  rules: NlaRules,
): ParsedAttributes {
  const e = new AttributeEncoder();
  const { offsets, end: stop } = write(bytes, start, end, rules, e);
  return { attributes: e.encode(), offsets, end: stop };
}

/** One attribute of a walk: its type (with flags), payload range and position. */
export interface Seen {
  /** `nla_type` with the flag bits. */
  raw: number;
  /** Where the payload starts. */
  at: number;
  /** The payload's length. */
  n: number;
  /** Where the attribute's header starts. */
  header: number;
}

/**
 * The attributes of `bytes[start, end)` as `nla_for_each_attr()` walks
 * them: until a header does not fit or its length lies; never throws.
 *
 * @returns The attributes and where the walk stopped.
 */
export function walk(bytes: Uint8Array, start: number, end: number): {
  seen: Seen[];
  end: number;
} {
  const seen: Seen[] = [];
  let p = start;
  while (end - p >= 4) {
    const len = get16(bytes, p, HOST_LITTLE_ENDIAN);
    if (len < 4 || len > end - p) break;
    seen.push({
      raw: get16(bytes, p + 2, HOST_LITTLE_ENDIAN),
      at: p + 4,
      n: len - 4,
      header: p,
    });
    p += (len + 3) & ~3;
  }
  return { seen, end: Math.min(p, end) };
}

function write(
  bytes: Uint8Array,
  start: number,
  end: number,
  rules: NlaRules,
  e: AttributeEncoder,
): { offsets: Map<number, number>; end: number } {
  const { seen, end: stop } = walk(bytes, start, end);
  const last = new Map<number, Seen>();
  const kept: Seen[] = [];
  for (const s of seen) {
    const type = s.raw & NLA_TYPE_MASK;
    if (!rules.table.has(type)) continue;
    if (rules.multi?.(type)) kept.push(s);
    else last.set(type, s);
  }
  kept.push(...last.values());
  // By type, the occurrences of a multi-attr in the order sent.
  kept.sort((x, y) =>
    (x.raw & NLA_TYPE_MASK) - (y.raw & NLA_TYPE_MASK) || x.at - y.at
  );
  const offsets = new Map<number, number>();
  for (const [type, s] of last) offsets.set(type, s.header);
  for (const s of kept) {
    const type = s.raw & NLA_TYPE_MASK;
    const policy = rules.table.get(type)!;
    const nest = policy.type === PolicyType.Nested ||
      policy.type === PolicyType.NestedArray;
    const inner = rules.inner?.(type);
    if (inner !== undefined && policy.type === PolicyType.Nested) {
      e.nested(type, (n) => void write(bytes, s.at, s.at + s.n, inner, n));
    } else if (inner !== undefined && policy.type === PolicyType.NestedArray) {
      e.nested(type, (n) => {
        for (const entry of walk(bytes, s.at, s.at + s.n).seen) {
          n.nested(
            entry.raw & NLA_TYPE_MASK,
            (m) => void write(bytes, entry.at, entry.at + entry.n, inner, m),
          );
        }
      });
    } else {
      const sizes = INTEGER_LENGTHS[policy.type];
      const n = sizes === undefined || sizes.includes(s.n) ? s.n : sizes[0]!;
      e.bytes(
        nest ? type | NLA_F_NESTED : type,
        bytes.subarray(s.at, s.at + Math.min(n, s.n)),
      );
    }
  }
  return { offsets, end: stop };
}
