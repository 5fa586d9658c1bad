/**
 * {@linkcode Audit}: the kernel audit system over `NETLINK_AUDIT`, what
 * `auditctl` and `auditd` use.
 *
 * @module
 */

import {
  Conn,
  type ConnOptions,
  Family,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
  NetlinkError,
} from "../netlink/mod.ts";
import { Errno } from "../netlink/errno.ts";
import {
  AUDIT_TYPE_NAMES,
  AuditGroup,
  AuditStatusMask,
  AuditType,
  isUserMessageType,
} from "./constants.ts";
import {
  type AuditFeatures,
  type AuditStatus,
  decodeAuditFeatures,
  decodeAuditStatus,
  encodeAuditStatus,
} from "./status.ts";
import { type AuditRule, decodeAuditRule } from "./rule.ts";
import { type AuditEvent, decodeAuditEvent } from "./record.ts";
import { mapStream } from "../netlink/_conn_stream.ts";

/** `AUDIT_MESSAGE_TEXT_MAX`: the longest user message text the kernel logs. */
export const AUDIT_MESSAGE_TEXT_MAX = 8560;

/**
 * Options of {@linkcode Audit.open}: those of `Conn.dial`, or a connection
 * to use.
 */
export interface AuditOptions extends ConnOptions {
  /** A `NETLINK_AUDIT` connection to use (the client closes it; the other options are then ignored). Default: a new one. */
  conn?: Conn;
}

/**
 * Options of {@linkcode Audit.events}.
 */
export interface AuditEventsOptions {
  /** Ends the iteration (the pending `next()` rejects with the signal's reason). */
  signal?: AbortSignal;
}

const CONTROL =
  "this needs CAP_AUDIT_CONTROL, in the initial user and PID namespaces";
const REFUSED =
  "the kernel answers audit requests only from the initial user namespace";

const FAILURES: Readonly<Record<string, number>> = {
  silent: 0,
  printk: 1,
  panic: 2,
};

function request(type: number, flags: number, data: Uint8Array): Message {
  return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
}

/** Re-throws a kernel error naming the operation, with a hint for permission errors. */
function named(e: unknown, op: string, eperm: string): never {
  if (isNetlinkError(e) && e.name === "NetlinkError") {
    const options: ConstructorParameters<typeof NetlinkError>[2] = {
      cause: e,
    };
    if (e.code === "EPERM" || e.code === "EACCES") options.detail = eperm;
    else if (e.code === "ECONNREFUSED") options.detail = REFUSED;
    if (e.extAck !== undefined) options.extAck = e.extAck;
    if (e.sequence !== undefined) options.sequence = e.sequence;
    throw new NetlinkError(op, e.errno, options);
  }
  throw e;
}

function checkU32(op: string, what: string, v: unknown): number {
  if (
    typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff
  ) {
    throw new TypeError(
      `Cannot ${op}: ${what} must be an integer from 0 to 4294967295`,
    );
  }
  return v;
}

/**
 * The kernel's audit system: its status and features, the filter rules,
 * user messages, and the records it logs (the read-log multicast group).
 * Audit is not namespaced: the status and rules are the whole machine's,
 * and the kernel answers only processes in the initial user namespace
 * (control requests: also the initial PID namespace, with
 * `CAP_AUDIT_CONTROL`).
 *
 * @example Read the status and send a user message (simulated kernel)
 * ```ts
 * import { Audit, AuditType } from "@nlkit/netlink/audit";
 * import { SimAudit } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimAudit({ status: { backlogLimit: 8192 } });
 * // On Linux, as root: await Audit.open()
 * await using audit = await Audit.open({ conn: sim.dial() });
 * const status = await audit.status();
 * assert.equal(status.backlogLimit, 8192);
 *
 * const events = audit.events();
 * await audit.sendUser(AuditType.User, "hello from nlkit");
 * const { value } = await events.next();
 * assert.equal(value?.type, "USER");
 * assert.equal(value?.fields.msg, "hello from nlkit");
 * await events.return?.();
 * ```
 */
export class Audit implements AsyncDisposable {
  #conn: Conn;
  #listeners = 0;

  private constructor(conn: Conn) {
    this.#conn = conn;
  }

  /**
   * Opens a client: dials `NETLINK_AUDIT` unless `options.conn` is given.
   *
   * @param options Connection options, or a connection.
   * @returns The client.
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission (only when dialing).
   * @throws {NetlinkError} When the socket cannot be opened (EPROTONOSUPPORT: a kernel without audit).
   *
   * @example On Linux
   * ```ts ignore
   * import { Audit } from "@nlkit/netlink/audit";
   *
   * await using audit = await Audit.open();
   * console.log(await audit.status());
   * ```
   */
  static async open(options: AuditOptions = {}): Promise<Audit> {
    if (options.conn !== undefined) return new Audit(options.conn);
    const { conn: _, ...dial } = options;
    return new Audit(await Conn.dial(Family.Audit, dial));
  }

  /**
   * The connection this client uses.
   */
  get conn(): Conn {
    return this.#conn;
  }

  /** Sends a get request (no ACK: the kernel replies from a thread, after any ACK) and returns the reply of `type`. */
  async #get(type: number, op: string): Promise<Message> {
    let replies: Message[];
    try {
      replies = await this.#conn.execute(
        request(type, HeaderFlags.Request, new Uint8Array(0)),
      );
    } catch (e) {
      named(e, op, CONTROL);
    }
    const reply = replies.find((m) => m.header.type === type);
    if (reply === undefined) {
      throw new NetlinkError(op, Errno.EBADMSG, {
        detail: `no ${AUDIT_TYPE_NAMES[type]} reply`,
      });
    }
    return reply;
  }

  /**
   * Reads the audit status (`AUDIT_GET`), as `auditctl -s`.
   *
   * @returns The status; fields the kernel's struct lacks are absent.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_CONTROL` or outside the
   * initial PID namespace, ECONNREFUSED outside the initial user namespace.
   * @throws {RangeError} When the reply is malformed.
   *
   * @example Read the status
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using audit = await Audit.open({ conn: new SimAudit({ status: { enabled: 0 } }).dial() });
   * const s = await audit.status();
   * assert.equal(s.enabled, 0);
   * assert.equal(s.failure, 1); // AUDIT_FAIL_PRINTK
   * ```
   */
  async status(): Promise<AuditStatus> {
    const m = await this.#get(AuditType.Get, "get audit status");
    return decodeAuditStatus(m.data, 0, m.data.length);
  }

  /**
   * Reads the feature switches (`AUDIT_GET_FEATURE`).
   *
   * @returns The features.
   * @throws {NetlinkError} As {@linkcode Audit.status}.
   * @throws {RangeError} When the reply is malformed.
   *
   * @example Is the login uid immutable?
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using audit = await Audit.open({ conn: new SimAudit().dial() });
   * assert.equal((await audit.features()).loginuidImmutable, false);
   * ```
   */
  async features(): Promise<AuditFeatures> {
    const m = await this.#get(AuditType.GetFeature, "get audit features");
    return decodeAuditFeatures(m.data, 0, m.data.length);
  }

  /**
   * Lists the filter rules (`AUDIT_LIST_RULES`), as `auditctl -l`.
   *
   * @returns The rules, in the kernel's order.
   * @throws {NetlinkError} As {@linkcode Audit.status}.
   * @throws {RangeError} When a rule is malformed.
   *
   * @example List the rules
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimAudit({ rules: [{ list: "exit", action: "always", syscalls: [59], fields: [{ field: "filterkey", op: "=", value: "exec" }] }] });
   * await using audit = await Audit.open({ conn: sim.dial() });
   * const [rule] = await audit.rules();
   * assert.deepEqual(rule?.syscalls, [59]);
   * assert.equal(rule?.fields[0]?.value, "exec");
   * ```
   */
  async rules(): Promise<AuditRule[]> {
    const op = "list audit rules";
    const out: AuditRule[] = [];
    try {
      await this.#conn.visit(
        request(AuditType.ListRules, HeaderFlags.Request, new Uint8Array(0)),
        (v) => {
          if (v.header.type === AuditType.ListRules) {
            out.push(decodeAuditRule(v.bytes, v.offset, v.length));
          }
        },
      );
    } catch (e) {
      named(e, op, CONTROL);
    }
    return out;
  }

  /**
   * Sends a user message (`AUDIT_USER`, 1100 to 1199 or 2100 to 2999): the
   * kernel logs it as a record with the sender's pid, uid, login uid and
   * session, and `msg='text'`. While audit is disabled the kernel drops
   * every user message but `AUDIT_USER_AVC`; a text shorter than one
   * character is dropped too.
   *
   * @param type The message type, such as `AuditType.User`.
   * @param text The text (at most 8560 bytes of UTF-8).
   * @throws {TypeError} If `type` is not a user message type or `text` is not a string or too long.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_WRITE`, ECONNREFUSED
   * outside the initial user namespace.
   *
   * @example A message the read-log group sees
   * ```ts
   * import { Audit, AuditType } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimAudit();
   * await using audit = await Audit.open({ conn: sim.dial() });
   * await audit.sendUser(AuditType.User, "backup started");
   * assert.equal(sim.log.at(-1)?.fields.msg, "backup started");
   * await assert.rejects(audit.sendUser(1300, "x"), TypeError); // SYSCALL is not a user type
   * ```
   */
  async sendUser(type: number, text: string): Promise<void> {
    if (typeof type !== "number" || !isUserMessageType(type)) {
      throw new TypeError(
        `Cannot send audit user message: type ${
          String(type)
        } is not AUDIT_USER, 1100 to 1199 or 2100 to 2999`,
      );
    }
    if (typeof text !== "string") {
      throw new TypeError(
        "Cannot send audit user message: text must be a string",
      );
    }
    const body = new TextEncoder().encode(text);
    if (body.length > AUDIT_MESSAGE_TEXT_MAX) {
      throw new TypeError(
        `Cannot send audit user message: ${body.length} bytes exceed ${AUDIT_MESSAGE_TEXT_MAX}`,
      );
    }
    // The kernel overwrites the last byte with a NUL: send one.
    const data = new Uint8Array(body.length + 1);
    data.set(body);
    try {
      await this.#conn.execute(
        request(type, HeaderFlags.Request | HeaderFlags.Acknowledge, data),
      );
    } catch (e) {
      named(
        e,
        `send audit ${AUDIT_TYPE_NAMES[type] ?? type} message`,
        "this needs CAP_AUDIT_WRITE",
      );
    }
  }

  /**
   * Reads the records the kernel logs, from the read-log multicast group
   * (`AUDIT_NLGRP_READLOG`): joins it now and leaves it when the last
   * iterator ends. Needs `CAP_AUDIT_READ`. The kernel multicasts only to
   * sockets in the initial network namespace (open with
   * `netns: "/proc/1/ns/net"` from another one), and only while audit logs
   * (enabled, or `AUDIT_USER_AVC` and kernel records that ignore it).
   *
   * @param options `signal` ends the iteration.
   * @returns The records, as they come.
   * @throws {NetlinkError} When the group cannot be joined (EPERM without
   * `CAP_AUDIT_READ`); from `next()`, `OverrunError` when records were lost.
   * @throws {RangeError} From `next()`, when a record is malformed.
   *
   * @example Watch for a record
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const sim = new SimAudit();
   * await using audit = await Audit.open({ conn: sim.dial() });
   * const events = audit.events();
   * sim.emit(1305, "op=set audit_backlog_limit=8192 old=64 res=1"); // CONFIG_CHANGE
   * const { value } = await events.next();
   * assert.equal(value?.type, "CONFIG_CHANGE");
   * assert.equal(value?.fields.audit_backlog_limit, "8192");
   * await events.return?.();
   * ```
   */
  events(options: AuditEventsOptions = {}): AsyncIterableIterator<AuditEvent> {
    const conn = this.#conn;
    if (this.#listeners === 0) {
      try {
        conn.joinGroup(AuditGroup.ReadLog);
      } catch (e) {
        named(e, "read audit events", "this needs CAP_AUDIT_READ");
      }
    }
    this.#listeners++;
    const signal = options.signal;
    const source = conn.notifications(signal ? { signal } : {});
    // The group is left when the last stream of this client ends (its end,
    // a failure, a `break` or the signal): `onEnd` runs once for each.
    return mapStream(
      source,
      (m) =>
        m.header.type < HeaderType.MinType
          ? undefined
          : decodeAuditEvent(m.data, 0, m.data.length, m.header.type),
      {
        signal,
        onEnd: () => {
          if (--this.#listeners === 0 && !conn.closed) {
            try {
              conn.leaveGroup(AuditGroup.ReadLog);
            } catch {
              // The connection is closing; nothing to leave.
            }
          }
        },
      },
    );
  }

  async #set(status: Partial<AuditStatus>, op: string): Promise<void> {
    try {
      await this.#conn.execute(
        request(
          AuditType.Set,
          HeaderFlags.Request | HeaderFlags.Acknowledge,
          encodeAuditStatus(status),
        ),
      );
    } catch (e) {
      named(e, op, CONTROL);
    }
  }

  /**
   * Turns auditing on or off, or on and locked until reboot (`AUDIT_SET`
   * with `AUDIT_STATUS_ENABLED`), as `auditctl -e`. This changes the whole
   * machine.
   *
   * @param enabled `true`, `false`, or `"locked"`.
   * @throws {TypeError} On another value.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_CONTROL` or when the
   * configuration is locked.
   *
   * @example Disable auditing (simulated kernel)
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using audit = await Audit.open({ conn: new SimAudit().dial() });
   * await audit.setEnabled(false);
   * assert.equal((await audit.status()).enabled, 0);
   * ```
   */
  async setEnabled(enabled: boolean | "locked"): Promise<void> {
    if (enabled !== true && enabled !== false && enabled !== "locked") {
      throw new TypeError(
        'Cannot set audit enabled: want true, false or "locked"',
      );
    }
    await this.#set({
      mask: AuditStatusMask.Enabled,
      enabled: enabled === "locked" ? 2 : enabled ? 1 : 0,
    }, "set audit enabled");
  }

  /**
   * Sets what the kernel does when it cannot log a record (`auditctl -f`).
   *
   * @param mode `"silent"`, `"printk"` or `"panic"`.
   * @throws {TypeError} On another value.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_CONTROL` or when locked.
   */
  async setFailure(mode: "silent" | "printk" | "panic"): Promise<void> {
    const failure = FAILURES[mode];
    if (failure === undefined || !Object.hasOwn(FAILURES, mode)) {
      throw new TypeError(
        'Cannot set audit failure mode: want "silent", "printk" or "panic"',
      );
    }
    await this.#set(
      { mask: AuditStatusMask.Failure, failure },
      "set audit failure mode",
    );
  }

  /**
   * Sets the rate limit in records per second, 0 for none (`auditctl -r`).
   *
   * @param perSecond The limit.
   * @throws {TypeError} If it is not a u32.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_CONTROL` or when locked.
   */
  async setRateLimit(perSecond: number): Promise<void> {
    const op = "set audit rate limit";
    await this.#set({
      mask: AuditStatusMask.RateLimit,
      rateLimit: checkU32(op, "the limit", perSecond),
    }, op);
  }

  /**
   * Sets how many records may wait to be read (`auditctl -b`).
   *
   * @param records The limit.
   * @throws {TypeError} If it is not a u32.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_CONTROL` or when locked.
   *
   * @example Raise the backlog limit
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using audit = await Audit.open({ conn: new SimAudit().dial() });
   * await audit.setBacklogLimit(8192);
   * assert.equal((await audit.status()).backlogLimit, 8192);
   * ```
   */
  async setBacklogLimit(records: number): Promise<void> {
    const op = "set audit backlog limit";
    await this.#set({
      mask: AuditStatusMask.BacklogLimit,
      backlogLimit: checkU32(op, "the limit", records),
    }, op);
  }

  /**
   * Sets how long a task waits when the backlog is full, in jiffies
   * (`auditctl --backlog_wait_time`).
   *
   * @param time The wait time.
   * @throws {TypeError} If it is not a u32.
   * @throws {NetlinkError} EPERM without `CAP_AUDIT_CONTROL`, EINVAL out of
   * the kernel's range.
   */
  async setBacklogWaitTime(time: number): Promise<void> {
    const op = "set audit backlog wait time";
    await this.#set({
      mask: AuditStatusMask.BacklogWaitTime,
      backlogWaitTime: checkU32(op, "the time", time),
    }, op);
  }

  /**
   * Closes the connection. Safe to call twice.
   *
   * @returns When the connection is closed.
   */
  close(): Promise<void> {
    return this.#conn.close();
  }

  /**
   * Closes the connection (for `await using`).
   *
   * @returns When the connection is closed.
   *
   * @example Close with a using declaration
   * ```ts
   * import { Audit } from "@nlkit/netlink/audit";
   * import { SimAudit } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * let conn;
   * {
   *   await using audit = await Audit.open({ conn: new SimAudit().dial() });
   *   conn = audit.conn;
   * }
   * assert.equal(conn.closed, true);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
