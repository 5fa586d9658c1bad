/**
 * The kernel audit system (`NETLINK_AUDIT`), what `auditctl` and `auditd`
 * talk to: the status (`auditctl -s`), the feature switches, the filter
 * rules (`auditctl -l`), user messages (`AUDIT_USER*`), and the records the
 * kernel logs, read from the read-log multicast group and parsed
 * (`audit(SEC.MS:SERIAL): key=value ...`, quoted and hex-encoded values).
 * Setters for the enabled flag and the limits are there too; they change
 * the whole machine (audit is not namespaced) and need `CAP_AUDIT_CONTROL`.
 *
 * The codecs (`decodeAuditStatus`, `decodeAuditRule`, `parseAuditRecord`,
 * ...) are hand-written from `linux/audit.h` and shared with the simulated
 * kernel of `@nlkit/netlink/nltest` (`SimAudit`).
 *
 * @example Status, rules and a user message (simulated kernel)
 * ```ts
 * import { Audit, AuditType } from "@nlkit/netlink/audit";
 * import { SimAudit } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimAudit({ rules: [{ list: "exit", action: "always", syscalls: "all", fields: [{ field: "filterkey", op: "=", value: "all" }] }] });
 * // On Linux, as root: await Audit.open()
 * await using audit = await Audit.open({ conn: sim.dial() });
 * const status = await audit.status();
 * assert.equal(status.enabled, 1);
 * assert.equal((await audit.rules())[0]?.syscalls, "all");
 *
 * const events = audit.events({ signal: AbortSignal.timeout(5000) });
 * await audit.sendUser(AuditType.User, "deploy finished");
 * const { value } = await events.next();
 * assert.equal(value?.fields.msg, "deploy finished");
 * await events.return?.();
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export {
  AUDIT_FEATURES_LENGTH,
  AUDIT_STATUS_LENGTH,
  AUDIT_STATUS_MIN_LENGTH,
  type AuditFeatures,
  type AuditStatus,
  decodeAuditFeatures,
  decodeAuditStatus,
  encodeAuditFeatures,
  encodeAuditStatus,
} from "./status.ts";
export {
  AUDIT_RULE_LENGTH,
  type AuditRule,
  type AuditRuleField,
  decodeAuditRule,
  encodeAuditRule,
} from "./rule.ts";
export {
  type AuditEvent,
  decodeAuditEvent,
  formatAuditRecord,
  parseAuditFields,
  parseAuditRecord,
} from "./record.ts";
export {
  Audit,
  AUDIT_MESSAGE_TEXT_MAX,
  type AuditEventsOptions,
  type AuditOptions,
} from "./client.ts";
