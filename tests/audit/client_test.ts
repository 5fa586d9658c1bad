// Audit against the simulated audit system (SimAudit) and hand-built kernels.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Family,
  HeaderFlags,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";
import { dial, SimAudit, SimKernel } from "../../src/nltest/mod.ts";
import {
  Audit,
  AuditGroup,
  AuditType,
  decodeAuditStatus,
} from "../../src/audit/mod.ts";
import {
  COMMANDS,
  parseArgs,
  run,
  simulatedBackend,
} from "../../examples/nlkit.ts";

const T0 = new Date(1700000000000);

function sim(options: ConstructorParameters<typeof SimAudit>[0] = {}) {
  return new SimAudit({ clock: () => T0, ...options });
}

describe("Audit.status()", () => {
  it("sends AUDIT_GET without an ACK request (the kernel answers from a thread)", async () => {
    const seen: Message[] = [];
    const s = sim();
    await using audit = await Audit.open({
      conn: dial((requests) => {
        seen.push(...requests);
        return requests.flatMap((r) => {
          const out = s.handle(r) as Message[];
          return out.map((m) => ({
            ...m,
            header: { ...m.header, sequence: r.header.sequence },
          }));
        });
      }),
    });
    await audit.status();
    assert.equal(seen[0]!.header.type, AuditType.Get);
    assert.equal(seen[0]!.header.flags, HeaderFlags.Request);
    assert.equal(seen[0]!.data.length, 0);
  });

  it("decodes the status and its shorter form from an older kernel", async () => {
    {
      await using audit = await Audit.open({ conn: sim().dial() });
      assert.deepEqual(await audit.status(), {
        mask: 0,
        enabled: 1,
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
    }
    {
      await using audit = await Audit.open({
        conn: sim({ statusLength: 32 }).dial(),
      });
      const s = await audit.status();
      assert.equal(s.backlog, 0);
      assert.equal(s.featureBitmap, undefined);
      assert.equal(s.backlogWaitTime, undefined);
    }
  });

  it("fails naming the operation, with the capability it needs", async () => {
    await using audit = await Audit.open({
      conn: sim({ capabilities: { control: false } }).dial(),
    });
    const err = await audit.status().then(() => assert.fail(), (e) => e);
    assert.ok(isNetlinkError(err));
    assert.equal(
      err.message,
      "Cannot get audit status: EPERM (errno 1): this needs CAP_AUDIT_CONTROL, in the initial user and PID namespaces",
    );
  });

  it("answers ECONNREFUSED outside the initial user namespace and EPERM outside the initial PID namespace", async () => {
    {
      await using audit = await Audit.open({
        conn: sim({ initialUserNamespace: false }).dial(),
      });
      await assert.rejects(
        audit.status(),
        (e: Error) =>
          isNetlinkError(e) && e.code === "ECONNREFUSED" &&
          /initial user namespace/.test(e.message),
      );
      await assert.rejects(audit.sendUser(AuditType.User, "x"), {
        code: "ECONNREFUSED",
      });
    }
    {
      await using audit = await Audit.open({
        conn: sim({ initialPidNamespace: false }).dial(),
      });
      await assert.rejects(audit.features(), { code: "EPERM" });
      await audit.sendUser(AuditType.User, "user messages are allowed");
    }
  });

  it("is an EBADMSG NetlinkError when the kernel sends no status", async () => {
    await using audit = await Audit.open({
      conn: dial((requests) =>
        requests.map((r) => ({
          header: { ...r.header, type: 1999, flags: 0 },
          data: new Uint8Array(0),
        }))
      ),
    });
    await assert.rejects(
      audit.status(),
      (e: Error) =>
        isNetlinkError(e) && e.code === "EBADMSG" &&
        /no GET reply/.test(e.message),
    );
  });

  it("passes RangeError through for a short status", async () => {
    await using audit = await Audit.open({
      conn: dial((requests) =>
        requests.map((r) => ({
          header: { ...r.header, flags: 0 },
          data: new Uint8Array(12),
        }))
      ),
    });
    await assert.rejects(audit.status(), RangeError);
  });
});

describe("Audit.features() and rules()", () => {
  it("decodes the features", async () => {
    await using audit = await Audit.open({
      conn: sim({ features: { features: 2, lock: 2 } }).dial(),
    });
    const f = await audit.features();
    assert.equal(f.loginuidImmutable, true);
    assert.equal(f.loginuidImmutableLocked, true);
    assert.equal(f.version, 1);
  });

  it("lists no rules as a bare NLMSG_DONE, and rules as a multipart reply", async () => {
    {
      await using audit = await Audit.open({ conn: sim().dial() });
      assert.deepEqual(await audit.rules(), []);
    }
    const rules = [
      {
        list: "exit",
        action: "always",
        syscalls: [2, 257],
        fields: [{ field: "filterkey", op: "=", value: "open" }],
      },
      {
        list: "exclude",
        action: "never",
        syscalls: "all" as const,
        fields: [{ field: "msgtype", op: "=", value: 1305 }],
      },
    ];
    await using audit = await Audit.open({ conn: sim({ rules }).dial() });
    assert.deepEqual(await audit.rules(), rules);
  });
});

describe("Audit.sendUser()", () => {
  it("sends the text with a NUL and an ACK request; the record reaches the log", async () => {
    const s = sim();
    const kernel = new SimKernel({ rtnetlink: false });
    const seen: Message[] = [];
    s.register(kernel);
    kernel.handle(Family.Audit, (m) => {
      seen.push({ header: { ...m.header }, data: m.data.slice() });
      return s.handle(m);
    });
    await using audit = await Audit.open({ conn: kernel.dial(Family.Audit) });
    await audit.sendUser(AuditType.User, "héllo");
    assert.equal(
      seen[0]!.header.flags,
      HeaderFlags.Request | HeaderFlags.Acknowledge,
    );
    assert.deepEqual(
      [...seen[0]!.data],
      [...new TextEncoder().encode("héllo"), 0],
    );
    assert.equal(s.log.length, 1);
    assert.deepEqual(s.log[0], {
      type: "USER",
      typeNumber: 1005,
      serial: 1,
      time: T0,
      fields: {
        pid: "4242",
        uid: "0",
        auid: "4294967295",
        ses: "4294967295",
        msg: "héllo",
      },
      text: "pid=4242 uid=0 auid=4294967295 ses=4294967295 msg='héllo'",
    });
  });

  it("is dropped while audit is disabled, except AUDIT_USER_AVC", async () => {
    const s = sim({ status: { enabled: 0 } });
    await using audit = await Audit.open({ conn: s.dial() });
    await audit.sendUser(AuditType.User, "dropped");
    await audit.sendUser(2100, "dropped too");
    assert.equal(s.log.length, 0);
    await audit.sendUser(AuditType.UserAvc, "kept");
    assert.deepEqual(s.log.map((e) => e.type), ["USER_AVC"]);
  });

  it("drops an empty text as the kernel does", async () => {
    const s = sim();
    await using audit = await Audit.open({ conn: s.dial() });
    await audit.sendUser(AuditType.User, "");
    assert.equal(s.log.length, 0);
  });

  it("needs CAP_AUDIT_WRITE", async () => {
    await using audit = await Audit.open({
      conn: sim({ capabilities: { write: false } }).dial(),
    });
    await assert.rejects(
      audit.sendUser(AuditType.User, "x"),
      (e: Error) =>
        isNetlinkError(e) && e.code === "EPERM" &&
        e.message ===
          "Cannot send audit USER message: EPERM (errno 1): this needs CAP_AUDIT_WRITE",
    );
  });

  it("refuses a type that is not a user message, a non-string and a long text with TypeError", async () => {
    await using audit = await Audit.open({ conn: sim().dial() });
    for (const t of [1000, 1099, 1300, 2000, 3000, Number.NaN]) {
      await assert.rejects(audit.sendUser(t, "x"), TypeError, String(t));
    }
    await assert.rejects(
      audit.sendUser(AuditType.User, 5 as unknown as string),
      TypeError,
    );
    await assert.rejects(
      audit.sendUser(AuditType.User, "x".repeat(8561)),
      TypeError,
    );
  });
});

describe("Audit.events()", () => {
  it("joins the read-log group, decodes records in order and leaves when done", async () => {
    const s = sim();
    const kernel = new SimKernel({ rtnetlink: false, trace: true });
    s.register(kernel);
    await using audit = await Audit.open({ conn: kernel.dial(Family.Audit) });
    const events = audit.events();
    await audit.sendUser(AuditType.User, "one");
    s.emit(1300, 'arch=c000003e syscall=59 comm="sh" exe=2F62696E2F7368');
    s.emit(1320, "");
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await events.next()).value!);
    assert.deepEqual(got.map((e) => [e.type, e.serial]), [
      ["USER", 1],
      ["SYSCALL", 2],
      ["EOE", 3],
    ]);
    assert.equal(got[1]!.fields.exe, "/bin/sh");
    assert.deepEqual(await events.return!(), { value: undefined, done: true });
    // Left the group: the kernel delivers later records to no one.
    const delivered = () =>
      kernel.trace.filter((t) => t.direction === "notification").length;
    const before = delivered();
    s.emit(1305, "op=x");
    assert.equal(delivered(), before);
    const again = audit.events();
    s.emit(1305, "op=y");
    assert.equal((await again.next()).value?.fields.op, "y");
    await again.return!();
  });

  it("serves two iterators at once", async () => {
    const s = sim();
    await using audit = await Audit.open({ conn: s.dial() });
    const a = audit.events();
    const b = audit.events();
    s.emit(1305, "op=both");
    assert.equal((await a.next()).value?.fields.op, "both");
    assert.equal((await b.next()).value?.fields.op, "both");
    await a.return!();
    s.emit(1305, "op=b-only");
    assert.equal((await b.next()).value?.fields.op, "b-only");
    await b.return!();
  });

  it("ends at the signal", async () => {
    await using audit = await Audit.open({ conn: sim().dial() });
    const stop = new AbortController();
    const events = audit.events({ signal: stop.signal });
    const pending = events.next();
    stop.abort(new Error("stop"));
    await assert.rejects(pending, { message: "stop" });
  });

  it("throws RangeError for a record without its header", async () => {
    const kernel = new SimKernel({ rtnetlink: false });
    sim().register(kernel);
    await using audit = await Audit.open({ conn: kernel.dial(Family.Audit) });
    const events = audit.events();
    kernel.notify(Family.Audit, AuditGroup.ReadLog, [{
      header: { length: 0, type: 1300, flags: 0, sequence: 0, pid: 0 },
      data: new TextEncoder().encode("garbage"),
    }]);
    await assert.rejects(events.next(), RangeError);
  });
});

describe("Audit setters", () => {
  it("change the status and log CONFIG_CHANGE records", async () => {
    const s = sim();
    await using audit = await Audit.open({ conn: s.dial() });
    await audit.setBacklogLimit(8192);
    await audit.setRateLimit(100);
    await audit.setFailure("silent");
    await audit.setBacklogWaitTime(6000);
    const st = await audit.status();
    assert.deepEqual(
      [st.backlogLimit, st.rateLimit, st.failure, st.backlogWaitTime],
      [8192, 100, 0, 6000],
    );
    assert.deepEqual(
      s.log.map((e) => e.text),
      [
        "op=set audit_backlog_limit=8192 old=64 auid=4294967295 ses=4294967295 res=1",
        "op=set audit_rate_limit=100 old=0 auid=4294967295 ses=4294967295 res=1",
        "op=set audit_failure=0 old=1 auid=4294967295 ses=4294967295 res=1",
        "op=set audit_backlog_wait_time=6000 old=15000 auid=4294967295 ses=4294967295 res=1",
      ],
    );
    await audit.setEnabled(false);
    assert.equal((await audit.status()).enabled, 0);
    await audit.setEnabled(true);
    assert.equal((await audit.status()).enabled, 1);
  });

  it("send AUDIT_SET with the mask of the one field and an ACK request", async () => {
    const seen: Message[] = [];
    await using audit = await Audit.open({
      conn: dial((requests) => {
        seen.push(...requests);
        return [];
      }),
    });
    await audit.setRateLimit(7);
    const m = seen[0]!;
    assert.equal(m.header.type, AuditType.Set);
    assert.equal(m.header.flags, HeaderFlags.Request | HeaderFlags.Acknowledge);
    const st = decodeAuditStatus(m.data, 0, m.data.length);
    assert.equal(st.mask, 0x8);
    assert.equal(st.rateLimit, 7);
  });

  it("are refused once the configuration is locked, and without CAP_AUDIT_CONTROL", async () => {
    {
      const s = sim();
      await using audit = await Audit.open({ conn: s.dial() });
      await audit.setEnabled("locked");
      assert.equal((await audit.status()).enabled, 2);
      await assert.rejects(audit.setRateLimit(1), { code: "EPERM" });
      assert.match(s.log.at(-1)!.text, /audit_rate_limit=1 old=0 .* res=0$/);
    }
    {
      await using audit = await Audit.open({
        conn: sim({ capabilities: { control: false } }).dial(),
      });
      await assert.rejects(
        audit.setEnabled(false),
        (e: Error) =>
          isNetlinkError(e) &&
          e.message ===
            "Cannot set audit enabled: EPERM (errno 1): this needs CAP_AUDIT_CONTROL, in the initial user and PID namespaces",
      );
    }
  });

  it("refuse bad values locally with TypeError, and the kernel's range with EINVAL", async () => {
    await using audit = await Audit.open({ conn: sim().dial() });
    await assert.rejects(audit.setEnabled(1 as unknown as boolean), TypeError);
    await assert.rejects(
      audit.setFailure("loud" as "silent"),
      TypeError,
    );
    await assert.rejects(audit.setRateLimit(-1), TypeError);
    await assert.rejects(audit.setBacklogLimit(2 ** 32), TypeError);
    await assert.rejects(audit.setBacklogWaitTime(150001), {
      code: "EINVAL",
    });
  });
});

describe("SimAudit", () => {
  function request(type: number, data = new Uint8Array(0)): Message {
    return {
      header: {
        length: 0,
        type,
        flags: HeaderFlags.Request,
        sequence: 0,
        pid: 0,
      },
      data,
    };
  }

  it("answers EINVAL for an unknown type and EOPNOTSUPP for the deprecated rule requests", async () => {
    await using conn = sim().dial();
    await assert.rejects(conn.execute(request(999)), { code: "EINVAL" });
    await assert.rejects(conn.execute(request(1050)), { code: "EINVAL" });
    for (const t of [AuditType.List, AuditType.Add, AuditType.Del]) {
      await assert.rejects(conn.execute(request(t)), { code: "EOPNOTSUPP" });
    }
  });
});

describe("nlkit audit", () => {
  const nlkit = async (...argv: string[]): Promise<string> => {
    const lines: string[] = [];
    const out = await run(
      parseArgs(argv),
      simulatedBackend("test", COMMANDS),
      (l) => lines.push(l),
    );
    return out + lines.join("\n");
  };

  it("status prints what auditctl -s prints", async () => {
    assert.equal(
      await nlkit("audit", "status"),
      [
        "enabled 1",
        "failure 1",
        "pid 0",
        "rate_limit 0",
        "backlog_limit 8192",
        "lost 0",
        "backlog 0",
        "backlog_wait_time 15000",
        "backlog_wait_time_actual 0",
        "loginuid_immutable 0 unlocked",
        "",
      ].join("\n"),
    );
    const json = JSON.parse(await nlkit("audit", "--json"));
    assert.equal(json.backlogLimit, 8192);
    assert.equal(json.features.version, 1);
  });

  it("rules and events", async () => {
    assert.equal(await nlkit("audit", "rules"), "No rules\n");
    assert.match(
      await nlkit("audit", "events"),
      /^type=USER msg=audit\(\d+\.\d{3}:1\): pid=4242 uid=0 .* msg='hello from nlkit audit events --sim'$/,
    );
    await assert.rejects(nlkit("audit", "bogus"), { name: "UsageError" });
  });
});
