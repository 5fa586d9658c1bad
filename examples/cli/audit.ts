/**
 * `nlkit audit`: the kernel audit system, like `auditctl -s`, `auditctl -l`
 * and a read-only `auditd` (records as they are logged).
 *
 * @module
 */

import { Family } from "../../src/netlink/mod.ts";
import {
  Audit,
  type AuditEvent,
  type AuditFeatures,
  type AuditRule,
  type AuditStatus,
} from "../../src/audit/mod.ts";
import { SimAudit } from "../../src/nltest/mod.ts";
import { type Command, toJSON, UsageError } from "./_common.ts";

/**
 * The status as `auditctl -s` prints it.
 *
 * @param s The status.
 * @param f The features, for the `loginuid_immutable` line.
 * @returns The lines.
 */
export function formatAuditStatus(s: AuditStatus, f?: AuditFeatures): string {
  const lines = [
    `enabled ${s.enabled}`,
    `failure ${s.failure}`,
    `pid ${s.pid}`,
    `rate_limit ${s.rateLimit}`,
    `backlog_limit ${s.backlogLimit}`,
    `lost ${s.lost}`,
    `backlog ${s.backlog}`,
  ];
  if (s.backlogWaitTime !== undefined) {
    lines.push(`backlog_wait_time ${s.backlogWaitTime}`);
  }
  if (s.backlogWaitTimeActual !== undefined) {
    lines.push(`backlog_wait_time_actual ${s.backlogWaitTimeActual}`);
  }
  if (f !== undefined) {
    lines.push(
      `loginuid_immutable ${f.loginuidImmutable ? 1 : 0} ${
        f.loginuidImmutableLocked ? "locked" : "unlocked"
      }`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * A rule in the spirit of `auditctl -l`.
 *
 * @param r The rule.
 * @returns One line.
 */
export function formatAuditRule(r: AuditRule): string {
  let s = `-a ${r.action},${r.list}`;
  if (r.syscalls === "all") s += " -S all";
  else if (r.syscalls.length > 0) s += ` -S ${r.syscalls.join(",")}`;
  for (const f of r.fields) s += ` -F ${f.field}${f.op}${f.value}`;
  return s;
}

/**
 * A record as auditd writes it to its log.
 *
 * @param e The record.
 * @returns One line.
 */
export function formatAuditEvent(e: AuditEvent): string {
  const t = e.time.getTime();
  const sec = Math.floor(t / 1000);
  return `type=${e.type} msg=audit(${sec}.${
    String(t - sec * 1000).padStart(3, "0")
  }:${e.serial}): ${e.text}`;
}

/** `nlkit audit`. */
export const audit: Command = {
  name: "audit",
  usage: "audit [status|rules|events]",
  summary:
    "the audit system (like `auditctl -s`, `auditctl -l`); events: records as logged",
  simulate(kernel) {
    const sim = new SimAudit({ status: { backlogLimit: 8192 } });
    sim.register(kernel);
  },
  async run({ args, backend, out, signal }) {
    const what = args.operands[0] ?? "status";
    const conn = await backend.conn(Family.Audit);
    await using client = await Audit.open({ conn });
    switch (what) {
      case "status": {
        const status = await client.status();
        const features = await client.features();
        return args.json
          ? toJSON({ ...status, features })
          : formatAuditStatus(status, features);
      }
      case "rules": {
        const rules = await client.rules();
        if (args.json) return toJSON(rules);
        return rules.length === 0
          ? "No rules\n"
          : rules.map(formatAuditRule).join("\n") + "\n";
      }
      case "events": {
        let count = args.count;
        const events = client.events(signal ? { signal } : {});
        if (backend.kernel !== undefined) {
          // Simulated: log something so there is a record to show.
          count ??= 1;
          setTimeout(() => {
            client.sendUser(1005, "hello from nlkit audit events --sim")
              .catch(() => {});
          }, 10);
        }
        let seen = 0;
        try {
          for await (const e of events) {
            out(args.json ? toJSON(e).trimEnd() : formatAuditEvent(e));
            if (count !== undefined && ++seen >= count) break;
          }
        } catch (e) {
          if (!(signal?.aborted)) throw e;
        }
        return "";
      }
      default:
        throw new UsageError(
          `unknown audit subcommand "${what}"; want status, rules or events`,
        );
    }
  },
};
