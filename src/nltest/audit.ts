/**
 * A simulated `NETLINK_AUDIT`: the status, the feature switches, the rules,
 * user messages logged as records on the read-log group, and the kernel's
 * answers to requests it refuses, with the same codec as the
 * `@nlkit/netlink/audit` client. What it mirrors (checked against the real
 * kernel by `tests/integration/audit_test.ts`):
 *
 * - `AUDIT_GET` and `AUDIT_GET_FEATURE` answer one message each (no
 *   multipart); `AUDIT_LIST_RULES` answers a multipart reply ending in
 *   `NLMSG_DONE` (just the `NLMSG_DONE` with no rules);
 * - an unknown message type is EINVAL, the deprecated `AUDIT_LIST`,
 *   `AUDIT_ADD` and `AUDIT_DEL` are EOPNOTSUPP;
 * - outside the initial user namespace every request is ECONNREFUSED;
 *   control requests need the initial PID namespace and `CAP_AUDIT_CONTROL`
 *   (else EPERM), user messages `CAP_AUDIT_WRITE` (else EPERM);
 * - while audit is disabled, user messages other than `AUDIT_USER_AVC` are
 *   accepted and dropped; a record reads
 *   `audit(SEC.MS:SERIAL): pid=P uid=U auid=A ses=S msg='text'`.
 *
 * One difference: for a request with `NLM_F_ACK`, Linux sends the ACK
 * first and the reply later from a kernel thread; here the reply comes
 * first (the `Audit` client never asks for an ACK on a get).
 *
 * Not simulated: `CAP_AUDIT_READ` on joining the read-log group (any
 * simulated socket may join), the `EVENT_LISTENER` record, rule changes,
 * the audit daemon (`AUDIT_STATUS_PID`) and TTY auditing.
 *
 * @example An unprivileged requester
 * ```ts
 * import { Audit } from "@nlkit/netlink/audit";
 * import { SimAudit } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimAudit({ capabilities: { control: false } });
 * await using audit = await Audit.open({ conn: sim.dial() });
 * await assert.rejects(audit.setEnabled(false), (e: Error) => /EPERM.*CAP_AUDIT_CONTROL/.test(e.message));
 * ```
 *
 * @module
 */

import { Family, type Message } from "../netlink/mod.ts";
import { Errno } from "../netlink/errno.ts";
import type { Conn } from "../netlink/conn.ts";
import type { ConnOptions } from "../netlink/options.ts";
import {
  AUDIT_UID_UNSET,
  type AuditEvent,
  AuditGroup,
  type AuditRule,
  type AuditStatus,
  AuditStatusMask,
  AuditType,
  decodeAuditStatus,
  encodeAuditFeatures,
  encodeAuditRule,
  encodeAuditStatus,
  formatAuditRecord,
  isUserMessageType,
  parseAuditRecord,
} from "../audit/mod.ts";
import { type HandlerResult, KernelError } from "./kernel_handler.ts";
import { SimKernel } from "./kernel.ts";

/** The kernel's default `backlog_wait_time` with HZ=250 (`60 * HZ`). */
const DEFAULT_WAIT_TIME = 15000;

/**
 * Who sends requests to the simulated audit system.
 */
export interface SimAuditOptions {
  /** The status (defaults: enabled 1, failure 1, backlog limit 64, feature bitmap 0x7f, wait time 15000). */
  status?: Partial<AuditStatus>;
  /** How many bytes of `struct audit_status` the kernel sends (default 44; 32 for an old kernel). */
  statusLength?: number;
  /** The feature switches (`features` and `lock` bits; default all off). */
  features?: { features?: number; lock?: number };
  /** The filter rules. */
  rules?: AuditRule[];
  /** The requester's capabilities (default all). */
  capabilities?: { control?: boolean; write?: boolean };
  /** The requester is in the initial user namespace (default true; false: ECONNREFUSED). */
  initialUserNamespace?: boolean;
  /** The requester is in the initial PID namespace (default true; false: control requests EPERM). */
  initialPidNamespace?: boolean;
  /** The requester's pid, uid, login uid and session, as records show them (default pid 4242, uid 0, unset auid and ses). */
  sender?: { pid?: number; uid?: number; auid?: number; ses?: number };
  /** The clock for record times (default: now). */
  clock?: () => Date;
}

/**
 * A simulated audit system for `SimKernel` (`Family.Audit`) or on its own
 * (`dial()`).
 *
 * @example Records of the simulated machine
 * ```ts
 * import { Audit, AuditType } from "@nlkit/netlink/audit";
 * import { SimAudit } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimAudit({ clock: () => new Date(1700000000000) });
 * await using audit = await Audit.open({ conn: sim.dial() });
 * await audit.sendUser(AuditType.User, "hi");
 * assert.equal(sim.log[0]?.text, "pid=4242 uid=0 auid=4294967295 ses=4294967295 msg='hi'");
 * assert.equal(sim.log[0]?.time.getTime(), 1700000000000);
 * ```
 */
export class SimAudit {
  /**
   * Every record logged, in order (also those no socket was listening for).
   *
   * @example The log
   * ```ts
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimAudit();
   * sim.emit(1305, "op=test");
   * assert.equal(sim.log[0]?.type, "CONFIG_CHANGE");
   * ```
   */
  readonly log: AuditEvent[] = [];
  #status: AuditStatus;
  #statusLength: number;
  #features: number;
  #lock: number;
  #rules: AuditRule[];
  #control: boolean;
  #write: boolean;
  #userNs: boolean;
  #pidNs: boolean;
  #sender: { pid: number; uid: number; auid: number; ses: number };
  #clock: () => Date;
  #serial = 0;
  #kernels = new Set<SimKernel>();

  /**
   * Creates the audit system.
   *
   * @param options Its state and the requester.
   * @throws {TypeError} On a rule that cannot be encoded.
   */
  constructor(options: SimAuditOptions = {}) {
    this.#status = {
      mask: 0,
      enabled: 1,
      failure: 1,
      pid: 0,
      rateLimit: 0,
      backlogLimit: 64,
      lost: 0,
      backlog: 0,
      featureBitmap: 0x7f,
      backlogWaitTime: DEFAULT_WAIT_TIME,
      backlogWaitTimeActual: 0,
      ...options.status,
    };
    this.#statusLength = options.statusLength ?? 44;
    this.#features = options.features?.features ?? 0;
    this.#lock = options.features?.lock ?? 0;
    this.#rules = [...(options.rules ?? [])];
    for (const r of this.#rules) encodeAuditRule(r);
    this.#control = options.capabilities?.control ?? true;
    this.#write = options.capabilities?.write ?? true;
    this.#userNs = options.initialUserNamespace ?? true;
    this.#pidNs = options.initialPidNamespace ?? true;
    this.#sender = {
      pid: options.sender?.pid ?? 4242,
      uid: options.sender?.uid ?? 0,
      auid: options.sender?.auid ?? AUDIT_UID_UNSET,
      ses: options.sender?.ses ?? AUDIT_UID_UNSET,
    };
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * The current status.
   */
  get status(): AuditStatus {
    return { ...this.#status };
  }

  /**
   * Logs a kernel record: appends it to {@linkcode SimAudit.log} and
   * multicasts it to the read-log group of every kernel this is registered
   * on.
   *
   * @param type The record type, such as 1300 (`AUDIT_SYSCALL`).
   * @param body The fields, formatted as the kernel does (`arch=c000003e syscall=59 ...`).
   * @returns The record as a listener decodes it.
   *
   * @example Emit a SYSCALL record
   * ```ts
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const e = new SimAudit().emit(1300, "arch=c000003e syscall=59 success=yes comm=\"sh\"");
   * assert.equal(e.fields.comm, "sh");
   * assert.equal(e.serial, 1);
   * ```
   */
  emit(type: number, body: string): AuditEvent {
    const text = formatAuditRecord(++this.#serial, this.#clock(), body);
    const event = parseAuditRecord(type, text);
    this.log.push(event);
    const m: Message = {
      header: { length: 0, type, flags: 0, sequence: 0, pid: 0 },
      data: new TextEncoder().encode(text),
    };
    for (const k of this.#kernels) {
      k.notify(Family.Audit, AuditGroup.ReadLog, [m]);
    }
    return event;
  }

  #reply(type: number, data: Uint8Array): Message[] {
    return [{
      header: { length: 0, type, flags: 0, sequence: 0, pid: 0 },
      data,
    }];
  }

  /**
   * Answers one request (the `ProtocolHandler` of `Family.Audit`).
   *
   * @param request The request message.
   * @returns The replies.
   * @throws {KernelError} With the errno Linux answers.
   */
  handle(request: Message): HandlerResult {
    const type = request.header.type;
    // audit_netlink_ok()
    if (!this.#userNs) throw new KernelError(Errno.ECONNREFUSED);
    if (
      type === AuditType.List || type === AuditType.Add ||
      type === AuditType.Del
    ) {
      throw new KernelError(Errno.EOPNOTSUPP);
    }
    if (isUserMessageType(type)) {
      if (!this.#write) throw new KernelError(Errno.EPERM);
      return this.#user(type, request.data);
    }
    const control = [
      AuditType.Get,
      AuditType.Set,
      AuditType.GetFeature,
      AuditType.SetFeature,
      AuditType.ListRules,
      AuditType.AddRule,
      AuditType.DelRule,
      AuditType.SignalInfo,
      AuditType.TtyGet,
      AuditType.TtySet,
      AuditType.Trim,
      AuditType.MakeEquiv,
    ] as number[];
    if (!control.includes(type)) throw new KernelError(Errno.EINVAL);
    if (!this.#pidNs || !this.#control) throw new KernelError(Errno.EPERM);
    switch (type) {
      case AuditType.Get:
        return this.#reply(
          type,
          encodeAuditStatus(this.#status).subarray(0, this.#statusLength),
        );
      case AuditType.GetFeature:
        return this.#reply(
          type,
          encodeAuditFeatures({
            version: 1,
            mask: 0xffffffff,
            features: this.#features,
            lock: this.#lock,
          }),
        );
      case AuditType.ListRules:
        return {
          dump: this.#rules.map((r) =>
            this.#reply(type, encodeAuditRule(r))[0]!
          ),
        };
      case AuditType.Set:
        this.#set(request.data);
        return [];
      default:
        // Rule changes, TTY auditing and the rest are not simulated.
        throw new KernelError(Errno.EOPNOTSUPP, {
          message: "not simulated by nltest",
        });
    }
  }

  #user(type: number, data: Uint8Array): HandlerResult {
    if (this.#status.enabled === 0 && type !== AuditType.UserAvc) return [];
    if (data.length < 2) return [];
    // The kernel makes the last byte a NUL and prints up to the first NUL.
    let end = 0;
    while (end < data.length - 1 && data[end] !== 0) end++;
    const text = new TextDecoder().decode(data.subarray(0, end));
    const s = this.#sender;
    this.emit(
      type,
      `pid=${s.pid} uid=${s.uid} auid=${s.auid} ses=${s.ses} msg='${text}'`,
    );
    return [];
  }

  #set(data: Uint8Array): void {
    const b = new Uint8Array(44);
    b.set(data.subarray(0, 44));
    const want = decodeAuditStatus(b, 0, 44);
    const s = this.#status;
    const change = (name: string, key: keyof AuditStatus, v: number): void => {
      if (s.enabled === 2) {
        this.#configChange(name, v, s[key] ?? 0, 0);
        throw new KernelError(Errno.EPERM);
      }
      this.#configChange(name, v, s[key] ?? 0, 1);
      s[key] = v;
    };
    if (want.mask & AuditStatusMask.Enabled) {
      if (want.enabled > 2) throw new KernelError(Errno.EINVAL);
      change("audit_enabled", "enabled", want.enabled);
    }
    if (want.mask & AuditStatusMask.Failure) {
      if (want.failure > 2) throw new KernelError(Errno.EINVAL);
      change("audit_failure", "failure", want.failure);
    }
    if (want.mask & AuditStatusMask.RateLimit) {
      change("audit_rate_limit", "rateLimit", want.rateLimit);
    }
    if (want.mask & AuditStatusMask.BacklogLimit) {
      change("audit_backlog_limit", "backlogLimit", want.backlogLimit);
    }
    if (want.mask & AuditStatusMask.BacklogWaitTime) {
      if (data.length < 44 || want.backlogWaitTime! > 10 * DEFAULT_WAIT_TIME) {
        throw new KernelError(Errno.EINVAL);
      }
      change(
        "audit_backlog_wait_time",
        "backlogWaitTime",
        want.backlogWaitTime!,
      );
    }
  }

  /** audit_log_config_change(): logged only while audit is not off. */
  #configChange(name: string, value: number, old: number, res: number): void {
    if (this.#status.enabled === 0) return;
    const s = this.#sender;
    this.emit(
      1305,
      `op=set ${name}=${value} old=${old} auid=${s.auid} ses=${s.ses} res=${res}`,
    );
  }

  /**
   * Serves `Family.Audit` on `kernel` and multicasts records to its
   * read-log group.
   *
   * @param kernel The simulated kernel.
   *
   * @example Register and dial
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit, SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * new SimAudit({ status: { enabled: 0 } }).register(kernel);
   * await using audit = await Audit.open({ conn: kernel.dial(Family.Audit) });
   * assert.equal((await audit.status()).enabled, 0);
   * ```
   */
  register(kernel: SimKernel): void {
    this.#kernels.add(kernel);
    kernel.handle(Family.Audit, (m) => this.handle(m));
  }

  /**
   * A connection to a fresh `SimKernel` serving this audit system.
   *
   * @param options Connection options (as `Conn.dial`).
   * @returns The connection.
   */
  dial(options: ConnOptions = {}): Conn {
    const kernel = new SimKernel({ rtnetlink: false });
    this.register(kernel);
    return kernel.dial(Family.Audit, options);
  }
}
