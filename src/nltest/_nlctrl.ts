/**
 * The controller's (`nlctrl`) own attribute policies, as Linux 6.x reports
 * them through `CTRL_CMD_GETPOLICY`; shared by genltest and `SimKernel`.
 *
 * @module
 */

import {
  ControllerAttribute,
  ControllerCommand,
} from "../genetlink/message.ts";
import {
  type OperationPolicy,
  type PolicyTable,
  PolicyType,
} from "../genetlink/policy.ts";

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
