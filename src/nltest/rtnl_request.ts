/**
 * Reading an rtnetlink request in the simulated kernel with the generated
 * codec (the one the clients encode with), failing as the kernel's
 * `nlmsg_parse` does: EINVAL "Invalid header length" for a short fixed
 * header, ERANGE "Attribute failed policy validation" for an attribute
 * whose bytes do not fit its type.
 *
 * @module
 */

import { compiled, type Operation } from "../families/family.ts";
import { specTable } from "../families/_checks.ts";
import { validateRequest } from "../genetlink/policy.ts";
import { align } from "../netlink/align.ts";
import { Errno } from "../netlink/errno.ts";
import { HEADER_LENGTH, HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import { AttributeDecoder } from "../netlink/attribute.ts";
import { policyFailure } from "./_nlctrl.ts";
import { fail } from "./rtnl_state.ts";

/** The netlink header flags of a request that matter to NEW* handlers. */
export interface RequestFlags {
  create: boolean;
  excl: boolean;
  replace: boolean;
  append: boolean;
}

/** The `NLM_F_CREATE`/`EXCL`/`REPLACE`/`APPEND` bits of a request. */
export function flagsOf(m: Message): RequestFlags {
  const f = m.header.flags;
  return {
    create: (f & HeaderFlags.Create) !== 0,
    excl: (f & HeaderFlags.Excl) !== 0,
    replace: (f & HeaderFlags.Replace) !== 0,
    append: (f & HeaderFlags.Append) !== 0,
  };
}

/**
 * Checks a request's attributes against the spec's policy (liberally, as
 * rtnetlink's `nlmsg_parse_deprecated`: unknown types pass), then decodes
 * it with the operation's generated codec.
 *
 * @internal
 * @throws {KernelError} EINVAL for a short header or broken attribute
 * framing; the policy's errno, text, offset and policy (ERANGE "Attribute
 * failed policy validation" for an integer of the wrong size).
 */
export function request<T>(
  op: Operation<T, unknown, unknown>,
  m: Message,
): T {
  const rt = compiled(op.family).ops.get(op.specName)!;
  if (rt.header !== null && m.data.length < rt.header.size) {
    throw fail(Errno.EINVAL, "Invalid header length");
  }
  const at = rt.header === null ? 0 : align(rt.header.size);
  if (rt.set !== null && m.data.length > at) {
    try {
      validateRequest(specTable(rt.set), m.data.subarray(at), {
        strict: false,
      });
    } catch (e) {
      if (e instanceof RangeError) {
        throw fail(Errno.EINVAL, "bytes leftover after parsing attributes");
      }
      throw policyFailure(e, HEADER_LENGTH + at);
    }
  }
  try {
    return op.decodeRequest(lastWins(m, at));
  } catch (e) {
    if (e instanceof RangeError) {
      throw fail(Errno.EINVAL, "bytes leftover after parsing attributes");
    }
    throw e;
  }
}

/**
 * The request with only the last of each repeated top-level attribute, as
 * `nla_parse` keeps it (the codec keeps the first and files the others as
 * unknown).
 */
function lastWins(m: Message, at: number): Message {
  const seen = new Map<number, [number, number]>();
  let repeated = false;
  const d = new AttributeDecoder(m.data, at);
  while (d.next()) {
    const start = d.offset - 4;
    if (seen.has(d.type)) repeated = true;
    seen.set(d.type, [start, align(start + 4 + d.length)]);
  }
  if (!repeated) return m;
  const keep = [...seen.values()].sort((a, b) => a[0] - b[0]);
  const size = at +
    keep.reduce((n, [s, e]) => n + (Math.min(e, m.data.length) - s), 0);
  const data = new Uint8Array(size);
  data.set(m.data.subarray(0, at));
  let o = at;
  for (const [s, e] of keep) {
    const part = m.data.subarray(s, Math.min(e, m.data.length));
    data.set(part, o);
    o += part.length;
  }
  return { header: m.header, data };
}
