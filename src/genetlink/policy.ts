/**
 * Attribute policies of generic netlink families: the kernel's
 * `CTRL_CMD_GETPOLICY` dump decoded into a tree, encoded back (for
 * `genltest`), printed, and used to check a request before it is sent.
 *
 * One file per job: the model (`_policy_model.ts`), decoding
 * (`_policy_decode.ts`), encoding as Linux does (`_policy_encode.ts`),
 * printing (`_policy_format.ts`) and request validation with
 * {@linkcode PolicyError} (`_policy_validate.ts`); this module is their
 * public face.
 *
 * @module
 */

export {
  type AttributePolicy,
  type OperationPolicy,
  type Policy,
  policyFor,
  type PolicyTable,
  PolicyType,
  PolicyTypeAttribute,
} from "./_policy_model.ts";
export {
  decodeAttributePolicy,
  decodePolicy,
  type DecodePolicyOptions,
} from "./_policy_decode.ts";
export { encodeAttributePolicy, encodePolicy } from "./_policy_encode.ts";
export { formatAttributePolicy } from "./_policy_format.ts";
export {
  PolicyError,
  type PolicyErrorOptions,
  type ValidateOptions,
  validateRequest,
} from "./_policy_validate.ts";
