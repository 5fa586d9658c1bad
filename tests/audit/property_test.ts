// Properties of the audit codecs: hostile bytes and text give only
// RangeError (or nothing at all), and values round-trip.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  AUDIT_FIELD_NAMES,
  type AuditRule,
  decodeAuditEvent,
  decodeAuditFeatures,
  decodeAuditRule,
  decodeAuditStatus,
  encodeAuditRule,
  encodeAuditStatus,
  formatAuditRecord,
  parseAuditFields,
  parseAuditRecord,
} from "../../src/audit/mod.ts";

/** Runs `f`; passes when it returns or throws RangeError. */
function onlyRangeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (e instanceof RangeError) return;
    throw e;
  }
}

describe("hostile bytes", () => {
  it("into the struct decoders: RangeError or a value", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1200 }),
        fc.nat(1300),
        fc.nat(1300),
        fc.integer({ min: 0, max: 0xffff }),
        (b, offset, length, type) => {
          onlyRangeError(() => decodeAuditStatus(b, offset, length));
          onlyRangeError(() => decodeAuditFeatures(b, offset, length));
          onlyRangeError(() => decodeAuditRule(b, offset, length));
          onlyRangeError(() => decodeAuditEvent(b, offset, length, type));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("into decodeAuditRule() with a plausible head: RangeError or a value", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1040, maxLength: 1100 }),
        fc.integer({ min: 0, max: 70 }),
        fc.nat(80),
        (b, count, buflen) => {
          const v = new DataView(b.buffer);
          v.setUint32(8, count, true);
          v.setUint32(1036, buflen, true);
          onlyRangeError(() => decodeAuditRule(b, 0, b.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("into the record parsers: fields never throw, records only RangeError", () => {
    const pieces = fc.constantFrom(
      " ",
      "=",
      '"',
      "'",
      "key",
      "msg",
      "comm",
      "41",
      "__proto__",
      "audit(",
      "1.000:1): ",
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.array(pieces).map((a) => a.join(""))),
        (text) => {
          const f = parseAuditFields(text);
          assert.equal(Object.getPrototypeOf(f), Object.prototype);
          onlyRangeError(() => parseAuditRecord(1300, text));
          onlyRangeError(() =>
            parseAuditRecord(1300, `audit(1.000:1): ${text}`)
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("round trips", () => {
  it("status: encode then decode", () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(
        fc.tuple(u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32),
        (w) => {
          const s = {
            mask: w[0],
            enabled: w[1],
            failure: w[2],
            pid: w[3],
            rateLimit: w[4],
            backlogLimit: w[5],
            lost: w[6],
            backlog: w[7],
            featureBitmap: w[8],
            backlogWaitTime: w[9],
            backlogWaitTimeActual: w[10],
          };
          const b = encodeAuditStatus(s);
          assert.deepEqual(decodeAuditStatus(b, 0, b.length), s);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rules: encode then decode", () => {
    const numeric = Object.entries(AUDIT_FIELD_NAMES)
      .filter(([n]) =>
        ![13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 103, 105, 107, 112, 210]
          .includes(Number(n))
      ).map(([, name]) => name);
    const field = fc.oneof(
      fc.record({
        field: fc.constantFrom(...numeric),
        op: fc.constantFrom("=", "!=", "<", ">", "<=", ">=", "&", "&="),
        value: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      fc.record({
        field: fc.constantFrom("filterkey", "exe", "dir", "watch", "subj_type"),
        op: fc.constantFrom("=", "!="),
        value: fc.string({ maxLength: 40 }),
      }),
      fc.record({
        field: fc.constant("exit"),
        op: fc.constantFrom("=", "!="),
        value: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("user", "task", "entry", "exit", "exclude"),
        fc.constantFrom("never", "always"),
        fc.oneof(
          fc.constant("all" as const),
          fc.uniqueArray(fc.integer({ min: 0, max: 2047 }), { maxLength: 20 })
            .map((a) => a.sort((x, y) => x - y)),
        ),
        fc.array(field, { maxLength: 64 }),
        (list, action, syscalls, fields) => {
          const rule: AuditRule = { list, action, syscalls, fields };
          const b = encodeAuditRule(rule);
          const d = decodeAuditRule(b, 0, b.length);
          // Strings are UTF-8: lone surrogates do not survive, as in C.
          const norm = (r: AuditRule) =>
            JSON.stringify(
              r,
              (_k, v) =>
                typeof v === "string"
                  ? new TextDecoder().decode(new TextEncoder().encode(v))
                  : v,
            );
          assert.equal(norm(d), norm(rule));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("records: format then parse gives the serial, time and fields", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 0, max: 4102444800000 }),
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
          fc.stringMatching(/^[A-Za-z0-9/._:-]{0,20}$/),
          { maxKeys: 10 },
        ),
        (serial, ms, fields) => {
          const body = Object.entries(fields).map(([k, v]) => `${k}="${v}"`)
            .join(" ");
          const e = parseAuditRecord(
            1300,
            formatAuditRecord(serial, new Date(ms), body),
          );
          assert.equal(e.serial, serial);
          assert.equal(e.time.getTime(), ms);
          assert.deepEqual({ ...e.fields }, { ...fields });
        },
      ),
      { numRuns: 300 },
    );
  });
});
