/**
 * The one simulated generic netlink controller (`nlctrl`), shared by
 * genltest's `serveFamily` and `SimKernel`: its own description and
 * attribute policies as Linux 6.x reports them, and its answers to
 * `CTRL_CMD_GETFAMILY` and `CTRL_CMD_GETPOLICY`, checked against Linux 6.18
 * by `tests/integration/nlctrl_sim_test.ts`:
 *
 * - Requests are parsed as `genl_family_rcv_msg_attrs_parse()` does:
 *   `GETFAMILY` liberally (unknown attributes, trailing bytes and longer
 *   integers pass), `GETPOLICY` strictly ("Unknown attribute type",
 *   "invalid attribute length", "bytes leftover after parsing
 *   attributes"), both against nlctrl's policy (an over-long name: EINVAL
 *   "Attribute failed policy validation", offset and policy); of repeated
 *   attributes the last counts, as in `nla_parse()`.
 * - `GETFAMILY` (`ctrl_getfamily`): a name, when present, wins over an id
 *   (an unknown name with a known id is ENOENT); neither: EINVAL; unknown:
 *   ENOENT without extended ACK. As a dump it lists every family and
 *   ignores the attributes.
 * - `GETPOLICY` (`ctrl_dumppolicy_start`, dump only; as a do request
 *   EOPNOTSUPP): an id, when present, wins over a name; neither: EINVAL;
 *   unknown family: ENOENT; an operation the family lacks: ENOENT with the
 *   offset of `CTRL_ATTR_OP`; no policy: ENODATA.
 *
 * One codec: requests are decoded and replies encoded by the generated
 * nlctrl codec (`families/nlctrl.ts`); what is Linux's and not the spec's
 * is done here and said where: the last of repeated attributes, the family
 * list's nests without `NLA_F_NESTED`, version 2 in the genl header. The
 * policy dump's order is genetlink's `policyDump`, the same one
 * `encodePolicy` writes.
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import { Errno } from "../netlink/errno.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import { HEADER_LENGTH } from "../netlink/header.ts";
import type { Family } from "../genetlink/family.ts";
import {
  ControllerAttribute,
  ControllerCommand,
  GENL_HEADER_LENGTH,
  GENL_ID_CTRL,
  type GenlMessage,
  OperationFlags,
} from "../genetlink/message.ts";
import {
  type AttributePolicy,
  type OperationPolicy,
  PolicyError,
  type PolicyTable,
  PolicyType,
  validateRequest,
} from "../genetlink/policy.ts";
import {
  policyDump,
  type PolicyDumpEntry,
  policyFields,
} from "../genetlink/_policy_encode.ts";
import {
  type CtrlAttrs,
  getfamily,
  getpolicy,
  type McastGroupAttrs,
  type OpAttrs,
} from "../families/nlctrl.ts";
import type { Operation } from "../families/family.ts";
import { META } from "../families/_codec.ts";
import { KernelError } from "./kernel_handler.ts";
import { parseAttributes } from "./_nla_parse.ts";

/** The policy of `CTRL_CMD_GETFAMILY` requests. */
export const CTRL_FAMILY_POLICY: PolicyTable = new Map([
  [ControllerAttribute.FamilyId, {
    type: PolicyType.U16,
    minValue: 0n,
    maxValue: 65535n,
  }],
  [ControllerAttribute.FamilyName, {
    type: PolicyType.NulString,
    maxLength: 15,
  }],
]);
/** The policy of `CTRL_CMD_GETPOLICY` requests. */
export const CTRL_POLICY_POLICY: PolicyTable = new Map([
  ...CTRL_FAMILY_POLICY,
  [ControllerAttribute.Operation, {
    type: PolicyType.U32,
    minValue: 0n,
    maxValue: 4294967295n,
  }],
]);
/** nlctrl's command number to the policies of its handlers. */
export const NLCTRL_POLICY: ReadonlyMap<number, OperationPolicy> = new Map([
  [ControllerCommand.GetFamily, {
    do: CTRL_FAMILY_POLICY,
    dump: CTRL_FAMILY_POLICY,
  }],
  [ControllerCommand.GetPolicy, { dump: CTRL_POLICY_POLICY }],
]);

/**
 * The controller's own description, as Linux 6.x reports it.
 *
 * @example nlctrl describes itself
 * ```ts
 * import { GENL_ID_CTRL } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(genltest.NLCTRL_FAMILY.id, GENL_ID_CTRL); // 0x10, linux/genetlink.h
 * await using conn = genltest.dial(genltest.serveFamily([], () => []));
 * assert.deepEqual(await conn.getFamily("nlctrl"), genltest.NLCTRL_FAMILY);
 * ```
 */
export const NLCTRL_FAMILY: Family = {
  id: GENL_ID_CTRL,
  name: "nlctrl",
  version: 2,
  headerSize: 0,
  maxAttribute: 0,
  operations: [
    {
      id: ControllerCommand.GetFamily,
      flags: OperationFlags.CanDo | OperationFlags.CanDump |
        OperationFlags.HasPolicy,
    },
    {
      id: ControllerCommand.GetPolicy,
      flags: OperationFlags.CanDump | OperationFlags.HasPolicy,
    },
  ],
  groups: [{ id: GENL_ID_CTRL, name: "notify" }],
};

/** A family the controller knows: its description and, optionally, its policies. */
export interface ControlledFamily extends Family {
  /** Command number to the tables of its handlers, answered to `CTRL_CMD_GETPOLICY`. */
  policy?: ReadonlyMap<number, OperationPolicy>;
}

/** nlctrl itself, with its policies. */
export const NLCTRL: ControlledFamily = {
  ...NLCTRL_FAMILY,
  policy: NLCTRL_POLICY,
};

/** Where a request's attributes start, from the netlink header: what extended ACK offsets count from. */
const ATTRIBUTES_OFFSET = HEADER_LENGTH + GENL_HEADER_LENGTH;

/** The version Linux puts in nlctrl's genl headers (`genl_ctrl.version`; the spec says 1). */
const CTRL_VERSION = NLCTRL_FAMILY.version;

/**
 * Marks a value for the generated codec to encode without `NLA_F_NESTED`,
 * the wire detail a decoded kernel reply carries: `ctrl_fill_info()` opens
 * the family list's nests with `nla_nest_start_noflag()`.
 */
function noNestedFlag<T extends object>(v: T): T {
  Object.defineProperty(v, META, { value: { nested: false } });
  return v;
}

/**
 * One attribute's policy as the `NLMSGERR_ATTR_POLICY` of an extended ACK
 * holds it (`netlink_policy_dump_write_attr()`): the attributes of one
 * entry of a policy dump, so the generated codec writes one entry and the
 * payload of its innermost nest is taken (after the genl header and the
 * three nest headers of `policy` > table > attribute).
 */
function errorPolicy(p: AttributePolicy): Uint8Array {
  const m = getpolicy.encodeReply({
    policy: [{ policyId: 0, attrId: 0, ...policyFields(p) }],
  });
  return m.data.slice(GENL_HEADER_LENGTH + 3 * 4);
}

/**
 * The kernel's answer to a request that breaks a policy: the errno and text
 * `validate_nla()` uses for the rule, the attribute's offset from the
 * netlink header and, for most rules, the policy it breaks
 * (`NL_SET_ERR_MSG_ATTR_POL`).
 */
export function policyFailure(
  e: unknown,
  attributesOffset: number,
): KernelError {
  if (!(e instanceof PolicyError)) return new KernelError(Errno.EINVAL);
  const extAck: ExtendedAck = { message: e.kernelMessage };
  if (e.offset !== undefined) extAck.offset = attributesOffset + e.offset;
  if (e.policy !== undefined) extAck.policy = errorPolicy(e.policy);
  return new KernelError(e.errno, extAck);
}

/** A controller request as its handler sees it. */
interface Parsed {
  /** The attributes, decoded by the generated codec. */
  request: CtrlAttrs;
  /** Attribute type to the offset (from the netlink header) of the one that counts. */
  offsets: Map<number, number>;
}

/**
 * Parses a controller request as `genl_family_rcv_msg_attrs_parse()` does
 * (`nla_parse()` against `table`): attributes are walked while `nla_ok()`
 * holds; each is checked against the policy (strictly or not); what is
 * left over is an error in strict mode only. Of each attribute type of the
 * table the last one counts, its flag bits ignored and an integer read from
 * its first bytes (`nla_get_u16()`): those attributes, rewritten in that
 * canonical form by `parseAttributes` (shared with `serveYnlFamily`), are
 * what the generated codec decodes.
 */
function parseRequest(
  g: GenlMessage,
  op: Operation<CtrlAttrs, CtrlAttrs>,
  table: PolicyTable,
  strict: boolean,
): Parsed {
  const b = g.data;
  const parsed = parseAttributes(b, 0, b.length, { table });
  try {
    validateRequest(table, b.subarray(0, parsed.end), { strict });
  } catch (e) {
    throw policyFailure(e, ATTRIBUTES_OFFSET);
  }
  if (strict && parsed.end < b.length) {
    throw new KernelError(Errno.EINVAL, {
      message: "bytes leftover after parsing attributes",
    });
  }
  const e = new AttributeEncoder()
    .raw(new Uint8Array([g.header.command, g.header.version, 0, 0]))
    .raw(parsed.attributes);
  const offsets = new Map<number, number>();
  for (const [type, at] of parsed.offsets) {
    offsets.set(type, ATTRIBUTES_OFFSET + at);
  }
  const request = op.decodeRequest({
    header: { length: 0, type: GENL_ID_CTRL, flags: 0, sequence: 0, pid: 0 },
    data: e.view(),
  });
  return { request, offsets };
}

/**
 * A family as `ctrl_fill_info()` describes it (a `GETFAMILY` reply, or the
 * `NEWFAMILY` / `DELFAMILY` notification), encoded by the generated codec.
 *
 * @param f The family.
 * @param command The genl command: `CTRL_CMD_NEWFAMILY` (the reply) or `CTRL_CMD_DELFAMILY`.
 * @returns The message.
 */
export function familyMessage(
  f: Family,
  command: number = ControllerCommand.NewFamily,
): GenlMessage {
  const value: CtrlAttrs = {
    familyName: f.name,
    familyId: f.id,
    version: f.version,
    hdrsize: f.headerSize,
    maxattr: f.maxAttribute,
  };
  if (f.operations.length > 0) {
    value.ops = noNestedFlag(
      f.operations.map((o): OpAttrs =>
        noNestedFlag({ id: o.id, flags: [o.flags] })
      ),
    );
  }
  if (f.groups.length > 0) {
    value.mcastGroups = noNestedFlag(
      f.groups.map((g): McastGroupAttrs =>
        noNestedFlag({ id: g.id, name: g.name })
      ),
    );
  }
  return {
    header: { command, version: CTRL_VERSION },
    data: getfamily.encodeReply(value).data.subarray(GENL_HEADER_LENGTH),
  };
}

/** One message of a policy dump, encoded by the generated codec. */
function policyMessage(familyId: number, entry: PolicyDumpEntry): GenlMessage {
  let value: CtrlAttrs;
  if ("opId" in entry) {
    const op: { opId: number; do?: number; dump?: number } = {
      opId: entry.opId,
    };
    if (entry.do !== undefined) op.do = entry.do;
    if (entry.dump !== undefined) op.dump = entry.dump;
    value = { familyId, opPolicy: [op] };
  } else {
    value = {
      familyId,
      policy: [{
        policyId: entry.policyId,
        attrId: entry.attrId,
        ...entry.fields,
      }],
    };
  }
  return {
    header: { command: ControllerCommand.GetPolicy, version: CTRL_VERSION },
    data: getpolicy.encodeReply(value, { dump: true }).data.subarray(
      GENL_HEADER_LENGTH,
    ),
  };
}

/**
 * Answers a controller request as Linux does (see the module doc).
 *
 * @param families Every family the kernel has, nlctrl included.
 * @param request The decoded request (sent to `GENL_ID_CTRL`).
 * @param dump Whether the request carries `NLM_F_DUMP`.
 * @returns The replies (`dump` for a multipart reply), or undefined for a
 * command other than `GETFAMILY` and `GETPOLICY`.
 * @throws {KernelError} The errno (and extended ACK) Linux answers.
 */
export function answerController(
  families: readonly ControlledFamily[],
  request: GenlMessage,
  dump: boolean,
): GenlMessage[] | { dump: GenlMessage[] } | undefined {
  switch (request.header.command) {
    case ControllerCommand.GetFamily: {
      // GENL_DONT_VALIDATE_DUMP: the dump reads no attributes.
      if (dump) return { dump: families.map((f) => familyMessage(f)) };
      const q = parseRequest(request, getfamily, CTRL_FAMILY_POLICY, false)
        .request;
      // ctrl_getfamily(): the name lookup, when there is a name, replaces
      // the id lookup.
      let f: ControlledFamily | undefined;
      if (q.familyName !== undefined) {
        f = families.find((x) => x.name === q.familyName);
      } else if (q.familyId !== undefined) {
        f = families.find((x) => x.id === q.familyId);
      } else throw new KernelError(Errno.EINVAL);
      if (f === undefined) throw new KernelError(Errno.ENOENT);
      return [familyMessage(f)];
    }
    case ControllerCommand.GetPolicy: {
      if (!dump) throw new KernelError(Errno.EOPNOTSUPP);
      const { request: q, offsets } = parseRequest(
        request,
        getpolicy,
        CTRL_POLICY_POLICY,
        true,
      );
      // ctrl_dumppolicy_start(): the id, when there is one, wins.
      let f: ControlledFamily | undefined;
      if (q.familyId !== undefined) {
        f = families.find((x) => x.id === q.familyId);
      } else if (q.familyName !== undefined) {
        f = families.find((x) => x.name === q.familyName);
      } else throw new KernelError(Errno.EINVAL);
      if (f === undefined) throw new KernelError(Errno.ENOENT);
      const cmd = q.op;
      if (cmd !== undefined) {
        if (!f.operations.some((op) => op.id === cmd)) {
          throw new KernelError(Errno.ENOENT, {
            offset: offsets.get(ControllerAttribute.Operation)!,
          });
        }
        const entry = f.policy?.get(cmd);
        if (entry?.do === undefined && entry?.dump === undefined) {
          throw new KernelError(Errno.ENODATA);
        }
      }
      // Policy dumps number a dump-only command 0, as Linux does.
      const entries = f.policy === undefined
        ? []
        : policyDump(f.policy, cmd, true);
      if (entries.length === 0) throw new KernelError(Errno.ENODATA);
      return { dump: entries.map((e) => policyMessage(f.id, e)) };
    }
    default:
      return undefined;
  }
}
