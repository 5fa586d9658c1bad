/**
 * Audit records as the kernel writes them: `audit(SEC.MS:SERIAL): key=value
 * ...`, with `"quoted"`, `'quoted'` and hex-encoded values.
 *
 * @module
 */

import { auditTypeName } from "./constants.ts";
import { checkRange } from "../netlink/_struct.ts";

/**
 * One audit record, decoded: its type, the event's serial number and time
 * (records of one event share both), and its `key=value` fields.
 *
 * @example Parse a record
 * ```ts
 * import { parseAuditRecord } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const e = parseAuditRecord(1107, "audit(1700000000.123:42): pid=1 uid=0 msg='hello world'");
 * assert.equal(e.type, "USER_AVC");
 * assert.equal(e.serial, 42);
 * assert.equal(e.time.getTime(), 1700000000123);
 * assert.deepEqual(e.fields, { pid: "1", uid: "0", msg: "hello world" });
 * ```
 */
export interface AuditEvent {
  /** The record type's name (`"SYSCALL"`, `"USER_AVC"`, `UNKNOWN[N]`). */
  type: string;
  /** The record type's number. */
  typeNumber: number;
  /** The event's serial number. */
  serial: number;
  /** The event's time (millisecond precision). */
  time: Date;
  /** The fields in record order; values unquoted and hex-decoded, numbers as text. */
  fields: Record<string, string>;
  /** The record's text after the `audit(...): ` header. */
  text: string;
}

const HEADER = /^audit\((\d+)\.(\d{3}):(\d+)\):? ?/;
const HEX = /^(?:[0-9A-F]{2})+$/;
/**
 * Keys whose values the kernel writes with `audit_log_untrustedstring`:
 * quoted when plain, hex-encoded when they hold a space, a quote, a control
 * or a non-ASCII byte.
 */
const UNTRUSTED =
  /^(?:comm|ocomm|exe|cwd|name|path|proctitle|key|data|a\d+(?:\[\d+\])?)$/;

const UTF8 = new TextDecoder();

function hexText(s: string): string {
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) {
    b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return UTF8.decode(b);
}

/**
 * Parses `key=value` fields the way the kernel writes them: `key="text"`,
 * `key='text'` (user messages' `msg`, which may hold more fields: parse it
 * again), `key=value`, and hex for the keys the kernel hex-encodes (`comm`,
 * `exe`, `cwd`, `name`, `proctitle`, `key`, execve's `a0`...). Words
 * without `=` are skipped. Never throws.
 *
 * @param text The fields.
 * @returns The fields in order.
 *
 * @example Parse a user message's msg field
 * ```ts
 * import { parseAuditFields } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const outer = parseAuditFields(`pid=9 msg='op=login acct="root" exe="/bin/login" res=success'`);
 * assert.deepEqual(parseAuditFields(outer.msg!), { op: "login", acct: "root", exe: "/bin/login", res: "success" });
 * assert.equal(parseAuditFields("comm=2F62696E2F7368").comm, "/bin/sh");
 * ```
 */
export function parseAuditFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && text[i] === " ") i++;
    const start = i;
    while (i < n && text[i] !== "=" && text[i] !== " ") i++;
    if (i === start) {
      i++; // a stray "="
      continue;
    }
    if (i >= n || text[i] !== "=") continue; // a word without a value
    const key = text.slice(start, i);
    i++;
    let value: string;
    const q = text[i];
    if (q === '"') {
      const end = text.indexOf('"', i + 1);
      value = text.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
    } else if (q === "'") {
      // The closing quote is one followed by a space or the end: user text may hold quotes.
      let end = text.indexOf("'", i + 1);
      while (end >= 0 && end + 1 < n && text[end + 1] !== " ") {
        end = text.indexOf("'", end + 1);
      }
      value = text.slice(i + 1, end < 0 ? n : end);
      i = end < 0 ? n : end + 1;
    } else {
      const end = text.indexOf(" ", i);
      value = text.slice(i, end < 0 ? n : end);
      i = end < 0 ? n : end;
      if (UNTRUSTED.test(key) && HEX.test(value)) value = hexText(value);
    }
    // An own property even for "__proto__", so hostile text cannot reach the prototype.
    Object.defineProperty(fields, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return fields;
}

/**
 * Parses one audit record's text (what the kernel multicasts on the
 * read-log group).
 *
 * @param type The netlink message type (the record type).
 * @param text The record's text, starting `audit(`.
 * @returns The record.
 * @throws {RangeError} If the text does not start with `audit(SEC.MS:SERIAL)`.
 *
 * @example A record without the header is a RangeError
 * ```ts
 * import { parseAuditRecord } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => parseAuditRecord(1300, "arch=c000003e"), RangeError);
 * ```
 */
export function parseAuditRecord(type: number, text: string): AuditEvent {
  const m = HEADER.exec(text);
  if (m === null) {
    throw new RangeError(
      `Cannot parse audit record of type ${type}: no audit(SEC.MS:SERIAL) header in ${
        JSON.stringify(text.slice(0, 40))
      }`,
    );
  }
  const body = text.slice(m[0].length);
  return {
    type: auditTypeName(type),
    typeNumber: type,
    serial: Number(m[3]),
    time: new Date(Number(m[1]) * 1000 + Number(m[2])),
    fields: parseAuditFields(body),
    text: body,
  };
}

/**
 * Decodes an audit record message's payload (UTF-8 text, up to a NUL if
 * there is one) and parses it.
 *
 * @param bytes The buffer.
 * @param offset Where the payload starts.
 * @param length The payload's length.
 * @param type The message type.
 * @returns The record.
 * @throws {RangeError} If the range is outside `bytes` or the text has no header.
 *
 * @example Decode a multicast record
 * ```ts
 * import { decodeAuditEvent } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const b = new TextEncoder().encode("audit(1.000:7): op=test\0");
 * assert.equal(decodeAuditEvent(b, 0, b.length, 1305).fields.op, "test");
 * ```
 */
export function decodeAuditEvent(
  bytes: Uint8Array,
  offset: number,
  length: number,
  type: number,
): AuditEvent {
  checkRange(bytes, offset, length, "audit record", 0);
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return parseAuditRecord(type, UTF8.decode(bytes.subarray(offset, end)));
}

/**
 * Writes a record's text as the kernel does (`audit(SEC.MS:SERIAL): `
 * then the body), for the simulated kernel.
 *
 * @param serial The event's serial number.
 * @param time The event's time.
 * @param body The fields, already formatted (`pid=1 uid=0 msg='...'`).
 * @returns The text.
 *
 * @example Format and parse back
 * ```ts
 * import { formatAuditRecord, parseAuditRecord } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const text = formatAuditRecord(5, new Date(1700000000005), "op=x");
 * assert.equal(text, "audit(1700000000.005:5): op=x");
 * assert.equal(parseAuditRecord(1305, text).serial, 5);
 * ```
 */
export function formatAuditRecord(
  serial: number,
  time: Date,
  body: string,
): string {
  const ms = time.getTime();
  const sec = Math.floor(ms / 1000);
  const frac = String(ms - sec * 1000).padStart(3, "0");
  return `audit(${sec}.${frac}:${serial}): ${body}`;
}
