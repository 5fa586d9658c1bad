/**
 * The one simulated generic netlink controller (`nlctrl`), shared by
 * genltest's `serveFamily` and `SimKernel`: its own description and
 * attribute policies as Linux 6.x reports them, and its answers to
 * `CTRL_CMD_GETFAMILY` and `CTRL_CMD_GETPOLICY`, checked against Linux 6.18
 * by `tests/integration/nlctrl_sim_test.ts`:
 *
 * - `GETFAMILY` (`ctrl_getfamily`): a name, when present, wins over an id
 *   (an unknown name with a known id is ENOENT); neither: EINVAL; unknown:
 *   ENOENT without extended ACK. As a dump it lists every family and
 *   ignores the attributes.
 * - `GETPOLICY` (`ctrl_dumppolicy_start`, dump only; as a do request
 *   EOPNOTSUPP): an id, when present, wins over a name; neither: EINVAL;
 *   unknown family: ENOENT; an operation the family lacks: ENOENT with the
 *   offset of `CTRL_ATTR_OP`; no policy: ENODATA.
 * - Attributes are validated against nlctrl's policy first (an over-long
 *   name: EINVAL "Attribute failed policy validation", offset and policy).
 *
 * @module
 */

import { AttributeDecoder } from "../netlink/attribute.ts";
import { Errno } from "../netlink/errno.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import { HEADER_LENGTH } from "../netlink/header.ts";
import { encodeFamily, type Family } from "../genetlink/family.ts";
import {
  ControllerAttribute,
  ControllerCommand,
  GENL_HEADER_LENGTH,
  GENL_ID_CTRL,
  type GenlMessage,
  OperationFlags,
} from "../genetlink/message.ts";
import {
  encodeAttributePolicy,
  encodePolicy,
  type OperationPolicy,
  PolicyError,
  type PolicyTable,
  PolicyType,
  validateRequest,
} from "../genetlink/policy.ts";
import { KernelError } from "./kernel_handler.ts";

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

/** Policy dumps number a dump-only command 0, as Linux does. */
const LINUX = { linuxCommandNumbers: true };

/** Where a request's attributes start, from the netlink header: what extended ACK offsets count from. */
const ATTRIBUTES_OFFSET = HEADER_LENGTH + GENL_HEADER_LENGTH;

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
  if (e.policy !== undefined) extAck.policy = encodeAttributePolicy(e.policy);
  return new KernelError(e.errno, extAck);
}

interface Lookup {
  id?: number;
  name?: string;
  op?: { command: number; offset: number };
}

/** Reads FAMILY_ID, FAMILY_NAME and OP from a controller request, checked against its policy. */
function parseLookup(g: GenlMessage, table: PolicyTable): Lookup {
  try {
    validateRequest(table, g.data, { strict: false });
  } catch (e) {
    throw policyFailure(e, ATTRIBUTES_OFFSET);
  }
  const out: Lookup = {};
  const d = new AttributeDecoder(g.data);
  while (d.next()) {
    switch (d.type) {
      case ControllerAttribute.FamilyId:
        out.id = d.uint16();
        break;
      case ControllerAttribute.FamilyName:
        out.name = d.string();
        break;
      case ControllerAttribute.Operation:
        out.op = {
          command: d.uint32(),
          offset: ATTRIBUTES_OFFSET + d.offset - 4,
        };
        break;
    }
  }
  return out;
}

function newFamily(f: Family): GenlMessage {
  return {
    header: { command: ControllerCommand.NewFamily, version: 2 },
    data: encodeFamily(f),
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
      if (dump) return { dump: families.map(newFamily) };
      const q = parseLookup(request, CTRL_FAMILY_POLICY);
      // ctrl_getfamily(): the name lookup, when there is a name, replaces
      // the id lookup.
      let f: ControlledFamily | undefined;
      if (q.name !== undefined) f = families.find((x) => x.name === q.name);
      else if (q.id !== undefined) f = families.find((x) => x.id === q.id);
      else throw new KernelError(Errno.EINVAL);
      if (f === undefined) throw new KernelError(Errno.ENOENT);
      return [newFamily(f)];
    }
    case ControllerCommand.GetPolicy: {
      if (!dump) throw new KernelError(Errno.EOPNOTSUPP);
      const q = parseLookup(request, CTRL_POLICY_POLICY);
      // ctrl_dumppolicy_start(): the id, when there is one, wins.
      let f: ControlledFamily | undefined;
      if (q.id !== undefined) f = families.find((x) => x.id === q.id);
      else if (q.name !== undefined) {
        f = families.find((x) => x.name === q.name);
      } else throw new KernelError(Errno.EINVAL);
      if (f === undefined) throw new KernelError(Errno.ENOENT);
      if (q.op !== undefined) {
        const cmd = q.op.command;
        if (!f.operations.some((op) => op.id === cmd)) {
          throw new KernelError(Errno.ENOENT, { offset: q.op.offset });
        }
        const entry = f.policy?.get(cmd);
        if (entry?.do === undefined && entry?.dump === undefined) {
          throw new KernelError(Errno.ENODATA);
        }
        return { dump: encodePolicy(f.id, f.policy!, cmd, LINUX) };
      }
      const out = f.policy === undefined
        ? []
        : encodePolicy(f.id, f.policy, undefined, LINUX);
      if (out.length === 0) throw new KernelError(Errno.ENODATA);
      return { dump: out };
    }
    default:
      return undefined;
  }
}
