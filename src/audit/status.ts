/**
 * `struct audit_status` and `struct audit_features` (`linux/audit.h`),
 * decoded by length and encoded for `AUDIT_SET` and the simulated kernel.
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";
import { checkRange } from "../netlink/_struct.ts";

const LE = HOST_LITTLE_ENDIAN;

/** Bytes of `struct audit_status` up to `backlog` (every kernel with audit). */
export const AUDIT_STATUS_MIN_LENGTH = 32;
/** Bytes of `struct audit_status` in `linux/audit.h` (up to `backlog_wait_time_actual`). */
export const AUDIT_STATUS_LENGTH = 44;
/** `sizeof(struct audit_features)`. */
export const AUDIT_FEATURES_LENGTH = 16;

/**
 * The audit status (`struct audit_status`), what `auditctl -s` prints. The
 * last three fields were added to the struct over time: each is present
 * when the kernel's reply is long enough to hold it.
 *
 * @example Decode a status
 * ```ts
 * import { decodeAuditStatus, encodeAuditStatus } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const b = encodeAuditStatus({ enabled: 1, backlogLimit: 8192 });
 * const s = decodeAuditStatus(b, 0, b.length);
 * assert.equal(s.enabled, 1);
 * assert.equal(s.backlogLimit, 8192);
 * assert.equal(s.backlogWaitTimeActual, 0);
 * ```
 */
export interface AuditStatus {
  /** `mask`: in a reply 0; in `AUDIT_SET` the `AUDIT_STATUS_*` bits to change. */
  mask: number;
  /** `enabled`: 0 off, 1 on, 2 on and locked until reboot. */
  enabled: number;
  /** `failure`: what to do when a record cannot be logged ({@linkcode AuditFailure}). */
  failure: number;
  /** `pid`: the audit daemon's pid (0 for none). */
  pid: number;
  /** `rate_limit`: records per second (0 for no limit). */
  rateLimit: number;
  /** `backlog_limit`: records waiting to be read before the kernel drops or waits. */
  backlogLimit: number;
  /** `lost`: records lost. */
  lost: number;
  /** `backlog`: records waiting now. */
  backlog: number;
  /** `feature_bitmap` (formerly `version`): {@linkcode AuditFeatureBitmap} bits. */
  featureBitmap?: number;
  /** `backlog_wait_time`: how long a task waits when the backlog is full (jiffies). */
  backlogWaitTime?: number;
  /** `backlog_wait_time_actual`: time spent waiting while the backlog was full. */
  backlogWaitTimeActual?: number;
}

const FIELDS = [
  "mask",
  "enabled",
  "failure",
  "pid",
  "rateLimit",
  "backlogLimit",
  "lost",
  "backlog",
  "featureBitmap",
  "backlogWaitTime",
  "backlogWaitTimeActual",
] as const;

function u32(v: number | undefined, what: string): number {
  const x = v ?? 0;
  if (!(Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) {
    throw new TypeError(`Cannot encode ${what}: ${x} is not a u32`);
  }
  return x;
}

/**
 * Decodes `struct audit_status` from `length` bytes at `offset`: the fields
 * that length holds.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts (after the netlink header).
 * @param length How many bytes the kernel sent.
 * @returns The status.
 * @throws {RangeError} If the range is outside `bytes` or shorter than 32 bytes.
 *
 * @example An older kernel's 32-byte struct
 * ```ts
 * import { decodeAuditStatus } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const s = decodeAuditStatus(new Uint8Array(32), 0, 32);
 * assert.equal(s.featureBitmap, undefined);
 * assert.throws(() => decodeAuditStatus(new Uint8Array(20), 0, 20), RangeError);
 * ```
 */
export function decodeAuditStatus(
  bytes: Uint8Array,
  offset: number,
  length: number,
): AuditStatus {
  checkRange(bytes, offset, length, "audit_status", AUDIT_STATUS_MIN_LENGTH);
  const s = {} as Record<typeof FIELDS[number], number>;
  const count = Math.min(FIELDS.length, Math.floor(length / 4));
  for (let i = 0; i < count; i++) {
    s[FIELDS[i]!] = get32(bytes, offset + 4 * i, LE) >>> 0;
  }
  return s as AuditStatus;
}

/**
 * Encodes `struct audit_status` (44 bytes; absent fields are 0), for
 * `AUDIT_SET` or a simulated reply.
 *
 * @param s The fields.
 * @returns The struct's bytes.
 * @throws {TypeError} If a field is not a u32.
 *
 * @example Set the rate limit
 * ```ts
 * import { AuditStatusMask, encodeAuditStatus } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const b = encodeAuditStatus({ mask: AuditStatusMask.RateLimit, rateLimit: 100 });
 * assert.equal(b.length, 44);
 * assert.equal(new DataView(b.buffer).getUint32(16, true), 100); // rate_limit, on a little-endian machine
 * ```
 */
export function encodeAuditStatus(
  s: Partial<AuditStatus>,
): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(AUDIT_STATUS_LENGTH);
  FIELDS.forEach((name, i) =>
    put32(b, 4 * i, u32(s[name], `audit_status ${name}`), LE)
  );
  return b;
}

/**
 * The feature switches (`struct audit_features`) and their names: bit
 * `AUDIT_FEATURE_ONLY_UNSET_LOGINUID` (0) and
 * `AUDIT_FEATURE_LOGINUID_IMMUTABLE` (1).
 *
 * @example Decode the features
 * ```ts
 * import { decodeAuditFeatures, encodeAuditFeatures } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const b = encodeAuditFeatures({ version: 1, mask: 0xffffffff, features: 0b10, lock: 0 });
 * const f = decodeAuditFeatures(b, 0, b.length);
 * assert.equal(f.loginuidImmutable, true);
 * assert.equal(f.onlyUnsetLoginuid, false);
 * ```
 */
export interface AuditFeatures {
  /** `vers`: `AUDIT_FEATURE_VERSION` (1). */
  version: number;
  /** `mask`: which feature bits the reply speaks for. */
  mask: number;
  /** `features`: the enabled feature bits. */
  features: number;
  /** `lock`: the locked feature bits. */
  lock: number;
  /** `AUDIT_FEATURE_ONLY_UNSET_LOGINUID` is on: a login uid can be set only once. */
  onlyUnsetLoginuid: boolean;
  /** `AUDIT_FEATURE_LOGINUID_IMMUTABLE` is on: a login uid cannot change once set. */
  loginuidImmutable: boolean;
  /** The first is locked. */
  onlyUnsetLoginuidLocked: boolean;
  /** The second is locked. */
  loginuidImmutableLocked: boolean;
}

/**
 * Decodes `struct audit_features`.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts.
 * @param length The payload's length.
 * @returns The features.
 * @throws {RangeError} If the range is outside `bytes` or shorter than 16 bytes.
 *
 * @example A short struct is a RangeError
 * ```ts
 * import { decodeAuditFeatures } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => decodeAuditFeatures(new Uint8Array(8), 0, 8), RangeError);
 * ```
 */
export function decodeAuditFeatures(
  bytes: Uint8Array,
  offset: number,
  length: number,
): AuditFeatures {
  checkRange(bytes, offset, length, "audit_features", AUDIT_FEATURES_LENGTH);
  const at = (i: number): number => get32(bytes, offset + 4 * i, LE) >>> 0;
  const features = at(2);
  const lock = at(3);
  return {
    version: at(0),
    mask: at(1),
    features,
    lock,
    onlyUnsetLoginuid: (features & 1) !== 0,
    loginuidImmutable: (features & 2) !== 0,
    onlyUnsetLoginuidLocked: (lock & 1) !== 0,
    loginuidImmutableLocked: (lock & 2) !== 0,
  };
}

/**
 * Encodes `struct audit_features` from its four words (the named booleans
 * are not read).
 *
 * @param f The words.
 * @returns 16 bytes.
 * @throws {TypeError} If a word is not a u32.
 *
 * @example The kernel's default reply
 * ```ts
 * import { encodeAuditFeatures } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * const b = encodeAuditFeatures({ version: 1, mask: 0xffffffff, features: 0, lock: 0 });
 * assert.deepEqual([...b.subarray(0, 8)], [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]); // little-endian
 * ```
 */
export function encodeAuditFeatures(
  f: Pick<AuditFeatures, "version" | "mask" | "features" | "lock">,
): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(AUDIT_FEATURES_LENGTH);
  put32(b, 0, u32(f.version, "audit_features vers"), LE);
  put32(b, 4, u32(f.mask, "audit_features mask"), LE);
  put32(b, 8, u32(f.features, "audit_features features"), LE);
  put32(b, 12, u32(f.lock, "audit_features lock"), LE);
  return b;
}
