// The audit codecs against annotated bytes (struct layouts from
// linux/audit.h, offsets checked with gcc) and record texts as the kernel
// writes them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AUDIT_RULE_LENGTH,
  AUDIT_STATUS_LENGTH,
  auditTypeName,
  decodeAuditEvent,
  decodeAuditFeatures,
  decodeAuditRule,
  decodeAuditStatus,
  encodeAuditFeatures,
  encodeAuditRule,
  encodeAuditStatus,
  formatAuditRecord,
  isUserMessageType,
  parseAuditFields,
  parseAuditRecord,
} from "../../src/audit/mod.ts";
import { hex, LITTLE_ENDIAN } from "../netlink/_hex.ts";

const skipBE = LITTLE_ENDIAN ? false : "literal bytes are little-endian";

/** sizeof/offsetof from gcc over this machine's linux/audit.h. */
// deno-fmt-ignore
const GCC = {
  audit_status: 44, feature_bitmap: 32, backlog_wait_time_actual: 40, audit_features: 16,
  audit_rule_data: 1040, mask: 12, fields: 268, values: 524, fieldflags: 780, buflen: 1036, buf: 1040,
};

describe("struct audit_status", { skip: skipBE }, () => {
  // The AUDIT_GET reply of Linux 6.18 on the machine the tests were written on.
  // deno-fmt-ignore
  const REAL = hex(
    "00000000" + // mask
    "00000000" + // enabled = 0
    "01000000" + // failure = AUDIT_FAIL_PRINTK
    "00000000" + // pid = 0 (no auditd)
    "00000000" + // rate_limit = 0
    "40000000" + // backlog_limit = 64
    "00000000" + // lost
    "00000000" + // backlog
    "7f000000" + // feature_bitmap = AUDIT_FEATURE_BITMAP_ALL
    "983a0000" + // backlog_wait_time = 15000 (60 * HZ, HZ 250)
    "00000000",  // backlog_wait_time_actual
  );

  it("has gcc's size", () => {
    assert.equal(AUDIT_STATUS_LENGTH, GCC.audit_status);
    assert.equal(REAL.length, GCC.audit_status);
  });

  it("decodes a real reply and encodes it back", () => {
    const s = decodeAuditStatus(REAL, 0, REAL.length);
    assert.deepEqual(s, {
      mask: 0,
      enabled: 0,
      failure: 1,
      pid: 0,
      rateLimit: 0,
      backlogLimit: 64,
      lost: 0,
      backlog: 0,
      featureBitmap: 0x7f,
      backlogWaitTime: 15000,
      backlogWaitTimeActual: 0,
    });
    assert.deepEqual(encodeAuditStatus(s), REAL);
  });

  it("decodes a shorter struct by its length", () => {
    assert.equal(
      decodeAuditStatus(REAL, 0, GCC.feature_bitmap).featureBitmap,
      undefined,
    );
    const s = decodeAuditStatus(REAL, 0, GCC.backlog_wait_time_actual);
    assert.equal(s.backlogWaitTime, 15000);
    assert.equal(s.backlogWaitTimeActual, undefined);
    assert.throws(
      () => decodeAuditStatus(REAL, 0, 28),
      /Cannot decode audit_status: length 28 is less than 32 at offset 0/,
    );
    assert.throws(() => decodeAuditStatus(REAL, 40, 8), RangeError);
  });

  it("refuses a field that is not a u32", () => {
    assert.throws(() => encodeAuditStatus({ rateLimit: -1 }), TypeError);
    assert.throws(() => encodeAuditStatus({ enabled: 1.5 }), TypeError);
  });
});

describe("struct audit_features", { skip: skipBE }, () => {
  it("decodes the kernel's default reply", () => {
    // deno-fmt-ignore
    const b = hex(
      "01000000" + // vers = AUDIT_FEATURE_VERSION
      "ffffffff" + // mask: all features
      "00000000" + // features
      "00000000",  // lock
    );
    const f = decodeAuditFeatures(b, 0, b.length);
    assert.deepEqual(f, {
      version: 1,
      mask: 0xffffffff,
      features: 0,
      lock: 0,
      onlyUnsetLoginuid: false,
      loginuidImmutable: false,
      onlyUnsetLoginuidLocked: false,
      loginuidImmutableLocked: false,
    });
    assert.deepEqual(encodeAuditFeatures(f), b);
    assert.equal(b.length, GCC.audit_features);
  });

  it("names the feature bits", () => {
    const b = encodeAuditFeatures({
      version: 1,
      mask: 3,
      features: 1,
      lock: 2,
    });
    const f = decodeAuditFeatures(b, 0, b.length);
    assert.equal(f.onlyUnsetLoginuid, true);
    assert.equal(f.loginuidImmutable, false);
    assert.equal(f.loginuidImmutableLocked, true);
  });
});

describe("struct audit_rule_data", { skip: skipBE }, () => {
  /** `-a always,exit -F arch=b64 -S execve -F key=exec` built field by field at gcc's offsets. */
  function execRule(): Uint8Array {
    const key = new TextEncoder().encode("exec");
    const b = new Uint8Array(GCC.buf + key.length);
    const v = new DataView(b.buffer);
    v.setUint32(0, 4, true); // flags = AUDIT_FILTER_EXIT
    v.setUint32(4, 2, true); // action = AUDIT_ALWAYS
    v.setUint32(8, 2, true); // field_count
    v.setUint32(GCC.mask + 4 * 1, 1 << (59 - 32), true); // mask: syscall 59 (execve)
    v.setUint32(GCC.fields + 0, 11, true); // fields[0] = AUDIT_ARCH
    v.setUint32(GCC.values + 0, 0xc000003e, true); // values[0] = AUDIT_ARCH_X86_64
    v.setUint32(GCC.fieldflags + 0, 0x40000000, true); // fieldflags[0] = AUDIT_EQUAL
    v.setUint32(GCC.fields + 4, 210, true); // fields[1] = AUDIT_FILTERKEY
    v.setUint32(GCC.values + 4, key.length, true); // values[1] = length of "exec" in buf
    v.setUint32(GCC.fieldflags + 4, 0x40000000, true); // AUDIT_EQUAL
    v.setUint32(GCC.buflen, key.length, true); // buflen
    b.set(key, GCC.buf); // buf = "exec"
    return b;
  }

  const decoded = {
    list: "exit",
    action: "always",
    syscalls: [59],
    fields: [
      { field: "arch", op: "=", value: 0xc000003e },
      { field: "filterkey", op: "=", value: "exec" },
    ],
  };

  it("has gcc's size", () => {
    assert.equal(AUDIT_RULE_LENGTH, GCC.audit_rule_data);
  });

  it("decodes a rule with a string field and encodes it back", () => {
    const b = execRule();
    assert.deepEqual(decodeAuditRule(b, 0, b.length), decoded);
    assert.deepEqual(encodeAuditRule(decoded), b);
  });

  it("decodes exit codes as signed and flags AUDIT_FILTER_PREPEND", () => {
    const b = encodeAuditRule({
      list: "exit",
      prepend: true,
      action: "never",
      syscalls: [],
      fields: [{ field: "exit", op: "!=", value: -13 }],
    });
    const r = decodeAuditRule(b, 0, b.length);
    assert.equal(r.prepend, true);
    assert.deepEqual(r.fields, [{ field: "exit", op: "!=", value: -13 }]);
  });

  const bad: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    [
      "a struct shorter than 1040 bytes",
      (b) => b.subarray(0, 1039),
      /length 1039 is less than 1040/,
    ],
    ["field_count above 64", (b) => {
      new DataView(b.buffer).setUint32(8, 65, true);
      return b;
    }, /field_count 65 exceeds 64/],
    ["buflen past the payload", (b) => {
      new DataView(b.buffer).setUint32(GCC.buflen, 5, true);
      return b;
    }, /buflen 5 exceeds the 4 bytes after the struct/],
    ["a string past buflen", (b) => {
      new DataView(b.buffer).setUint32(GCC.values + 4, 9, true);
      return b;
    }, /string of field 1 \(9 bytes\) overruns buflen 4/],
  ];
  for (const [name, mangle, message] of bad) {
    it(`rejects ${name} with RangeError`, () => {
      const b = mangle(execRule());
      assert.throws(
        () => decodeAuditRule(b, 0, b.length),
        (e: unknown) => e instanceof RangeError && message.test(e.message),
      );
    });
  }

  it("names unknown lists, actions, fields and operators instead of failing", () => {
    const b = execRule();
    const v = new DataView(b.buffer);
    v.setUint32(0, 9, true);
    v.setUint32(4, 7, true);
    v.setUint32(GCC.fields, 150, true);
    v.setUint32(GCC.fieldflags, 0x70000000, true);
    const r = decodeAuditRule(b, 0, b.length);
    assert.equal(r.list, "unknown-9");
    assert.equal(r.action, "unknown-7");
    assert.deepEqual(r.fields[0], {
      field: "unknown-150",
      op: "0x70000000",
      value: 0xc000003e,
    });
    // And the names encode back.
    assert.deepEqual(encodeAuditRule(r), b);
  });

  it("refuses unknown names and wrong value kinds with TypeError", () => {
    const base = { list: "exit", action: "always", syscalls: [] as number[] };
    assert.throws(
      () => encodeAuditRule({ ...base, list: "bogus", fields: [] }),
      TypeError,
    );
    assert.throws(
      () =>
        encodeAuditRule({
          ...base,
          fields: [{ field: "filterkey", op: "=", value: 5 }],
        }),
      TypeError,
    );
    assert.throws(
      () =>
        encodeAuditRule({
          ...base,
          fields: [{ field: "uid", op: "~", value: 5 }],
        }),
      TypeError,
    );
    assert.throws(
      () => encodeAuditRule({ ...base, syscalls: [2048], fields: [] }),
      TypeError,
    );
  });
});

describe("audit records", () => {
  it("parses a USER_AVC record as Linux 6.18 multicast it", () => {
    const text =
      "audit(1796401965.948:1): pid=14032 uid=0 auid=4294967295 ses=4294967295 msg='nlkit probe: USER_AVC format check'";
    const b = new TextEncoder().encode(text);
    const e = decodeAuditEvent(b, 0, b.length, 1107);
    assert.deepEqual(e, {
      type: "USER_AVC",
      typeNumber: 1107,
      serial: 1,
      time: new Date(1796401965948),
      fields: {
        pid: "14032",
        uid: "0",
        auid: "4294967295",
        ses: "4294967295",
        msg: "nlkit probe: USER_AVC format check",
      },
      text: text.slice(text.indexOf(" ") + 1),
    });
  });

  it("decodes hex-encoded untrusted strings and keeps quoted ones", () => {
    const f = parseAuditFields(
      'arch=c000003e syscall=59 success=yes exit=0 comm="bash" exe=2F746D702F6120622F78 key=(null) a0=6C73 a1="-l" proctitle=6C73002D6C',
    );
    assert.deepEqual(f, {
      arch: "c000003e", // not an untrusted string: stays as written
      syscall: "59",
      success: "yes",
      exit: "0",
      comm: "bash",
      exe: "/tmp/a b/x",
      key: "(null)",
      a0: "ls",
      a1: "-l",
      proctitle: "ls\0-l",
    });
  });

  it("finds the end of a single-quoted value holding quotes", () => {
    const f = parseAuditFields(
      `pid=1 msg='it's a "test" op=x' res=1`,
    );
    assert.equal(f.msg, `it's a "test" op=x`);
    assert.equal(f.res, "1");
  });

  it("skips words without a value and stray equal signs, never touching the prototype", () => {
    const f = parseAuditFields(
      "free text = x=1 =y __proto__=evil constructor=z",
    );
    assert.equal(f.x, "1");
    assert.equal(Object.getPrototypeOf(f), Object.prototype);
    assert.equal(Object.hasOwn(f, "__proto__"), true);
    assert.equal(f["constructor"], "z");
    assert.deepEqual(Object.keys(f), ["x", "__proto__", "constructor"]);
  });

  it("keeps an unterminated quote to the end", () => {
    assert.deepEqual(parseAuditFields('a="open'), { a: "open" });
    assert.deepEqual(parseAuditFields("a='open"), { a: "open" });
  });

  it("rejects a record without its header with RangeError", () => {
    assert.throws(
      () => parseAuditRecord(1300, "arch=c000003e"),
      /Cannot parse audit record of type 1300: no audit\(SEC.MS:SERIAL\) header/,
    );
    assert.throws(
      () => decodeAuditEvent(new Uint8Array(4), 2, 4, 1300),
      RangeError,
    );
  });

  it("formats a record as the kernel does", () => {
    assert.equal(
      formatAuditRecord(12, new Date(1700000000050), "op=x res=1"),
      "audit(1700000000.050:12): op=x res=1",
    );
    // An end-of-event record has no fields.
    const eoe = parseAuditRecord(1320, "audit(1700000000.050:12): ");
    assert.deepEqual([eoe.type, eoe.fields, eoe.text], ["EOE", {}, ""]);
  });

  it("names types and user message ranges", () => {
    assert.equal(auditTypeName(1005), "USER");
    assert.equal(auditTypeName(1300), "SYSCALL");
    assert.equal(auditTypeName(4000), "UNKNOWN[4000]");
    assert.deepEqual(
      [1005, 1099, 1100, 1199, 1200, 2100, 2999, 3000].map(isUserMessageType),
      [true, false, true, true, false, true, true, false],
    );
  });
});
