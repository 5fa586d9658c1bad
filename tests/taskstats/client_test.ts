import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GenlConn, PolicyType } from "../../src/genetlink/mod.ts";
import {
  AttributeEncoder,
  Family,
  HeaderFlags,
  isNetlinkError,
  isNotExist,
  type NetlinkError,
} from "../../src/netlink/mod.ts";
import { SimKernel, taskstats } from "../../src/nltest/mod.ts";
import {
  emptyTaskstats,
  type Stats,
  Taskstats,
  TASKSTATS_GENL_NAME,
  TaskstatsCommand,
  TaskstatsCommandAttribute,
} from "../../src/taskstats/mod.ts";

const PROCESS: taskstats.SimTask[] = [
  {
    pid: 100,
    stats: {
      acComm: "server",
      acUid: 1000,
      acUtime: 5_000n,
      acStime: 1_000n,
      acEtime: 90_000n,
      nvcsw: 10n,
      nivcsw: 2n,
      cpuCount: 4n,
      cpuDelayTotal: 800n,
      cpuDelayMax: 300n,
      cpuDelayMin: 100n,
      hiwaterRss: 2048n,
    },
  },
  {
    pid: 101,
    tgid: 100,
    stats: {
      acComm: "worker",
      acUtime: 7_000n,
      nvcsw: 5n,
      cpuCount: 1n,
      cpuDelayTotal: 50n,
      cpuDelayMax: 500n,
      cpuDelayMin: 50n,
    },
  },
  { pid: 200, stats: { acComm: "other", nvcsw: 99n } },
];

async function open(
  options: taskstats.SimOptions = { tasks: PROCESS },
): Promise<Taskstats> {
  return await Taskstats.open({ conn: taskstats.dial(options) });
}

/** Sends a raw TASKSTATS_CMD_GET with the given attributes. */
async function raw(
  data: Uint8Array,
  flags: number = HeaderFlags.Request,
): Promise<unknown> {
  await using conn = taskstats.dial({ tasks: PROCESS });
  const f = await conn.getFamily(TASKSTATS_GENL_NAME);
  return await conn.execute(
    { header: { command: TaskstatsCommand.Get, version: 1 }, data },
    f.id,
    flags,
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("Taskstats against the simulated kernel", () => {
  it("reports a task with the declared values and the defaults", async () => {
    await using ts = await open();
    const s = await ts.pid(101);
    assert.equal(s.version, 16);
    assert.equal(s.acComm, "worker");
    assert.equal(s.acPid, 101);
    assert.equal(s.acTgid, 100);
    assert.equal(s.acUtime, 7_000n);
    assert.equal(s.acStime, 0n);
    assert.equal(s.hiwaterRss, 0n);
  });

  it("sums a thread group like fill_stats_for_tgid and zeroes the rest", async () => {
    await using ts = await open();
    const g = await ts.tgid(100);
    const want: Stats = {
      ...emptyTaskstats(16),
      acUtime: 12_000n,
      acStime: 1_000n,
      acEtime: 90_000n,
      nvcsw: 15n,
      nivcsw: 2n,
      cpuCount: 5n,
      cpuDelayTotal: 850n,
      cpuDelayMax: 500n,
      cpuDelayMin: 50n,
    };
    assert.deepEqual(g, want);
    assert.equal(g.acComm, ""); // not filled for a group
    assert.equal(g.hiwaterRss, 0n);
  });

  it("answers a tgid query for any thread of the group", async () => {
    await using ts = await open();
    assert.equal((await ts.tgid(101)).nvcsw, 15n);
    assert.equal((await ts.tgid(200)).nvcsw, 99n);
  });

  it("rejects an unknown pid with isNotExist, the pid in the message and ESRCH as cause", async () => {
    await using ts = await open();
    for (
      const q of [() => ts.pid(4242), () => ts.tgid(4242), () => ts.pid(0)]
    ) {
      const e = await q().then(
        () => assert.fail("resolved"),
        (x: NetlinkError) => x,
      );
      assert.ok(isNotExist(e));
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "ENOENT");
      assert.match(
        e.message,
        /^Cannot get taskstats of (pid|tgid) (4242|0): ENOENT \(errno 2\): no such task \(the kernel answered ESRCH\)$/,
      );
      assert.equal((e.cause as NetlinkError).code, "ESRCH");
    }
  });

  for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, "7" as unknown as number]) {
    it(`refuses pid ${String(bad)} with TypeError before sending`, async () => {
      await using ts = await open();
      await assert.rejects(
        ts.pid(bad),
        (e: Error) =>
          e instanceof TypeError && e.message.includes(`pid ${String(bad)}`),
      );
      await assert.rejects(ts.tgid(bad), TypeError);
    });
  }

  it("decodes whichever struct version the kernel answers with", async () => {
    for (const version of [1, 3, 10, 14, 15, 16, 17]) {
      await using ts = await open({
        version,
        tasks: [{ pid: 5, stats: { cpuCount: 9n } }],
      });
      const s = await ts.pid(5);
      assert.equal(s.version, version);
      assert.equal(s.cpuCount, 9n);
      assert.equal(s.acTgid, version >= 12 ? 5 : undefined);
      assert.equal(s.cpuDelayMax, version >= 15 ? 0n : undefined);
    }
  });

  it("sees tasks change, appear and exit", async () => {
    const kernel = new SimKernel();
    const sim = new taskstats.Simulator({ tasks: [{ pid: 1 }] });
    sim.register(kernel);
    await using ts = await Taskstats.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
    });
    sim.update(1, { nvcsw: 3n });
    sim.addTask({ pid: 2, tgid: 1, stats: { nvcsw: 4n } });
    assert.equal((await ts.tgid(1)).nvcsw, 7n);
    assert.equal(sim.removeTask(2), true);
    await assert.rejects(ts.pid(2), (e) => isNotExist(e));
    // An exited thread still counts in its group's sums, as in the kernel.
    assert.equal((await ts.tgid(1)).nvcsw, 7n);
    sim.update(1, { nvcsw: 5n });
    assert.equal((await ts.tgid(1)).nvcsw, 9n);
    // The whole group gone: nothing is kept.
    sim.removeTask(1);
    sim.addTask({ pid: 1, stats: { nvcsw: 1n } });
    assert.equal((await ts.tgid(1)).nvcsw, 1n);
  });

  it("opens with isNotExist when the kernel has no TASKSTATS family", async () => {
    await using conn = GenlConn.from(new SimKernel().dial(Family.Generic));
    await assert.rejects(Taskstats.open({ conn }), (e) => isNotExist(e));
  });

  it("stops waiting when the signal aborts", async () => {
    await using ts = await open();
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await assert.rejects(ts.pid(100, { signal: ac.signal }), /stop/);
    assert.equal((await ts.pid(100)).acPid, 100); // still usable
  });

  it("closes idempotently and refuses queries afterwards", async () => {
    const ts = await open();
    await ts.close();
    await ts.close();
    await assert.rejects(ts.pid(100));
  });
});

describe("the simulated TASKSTATS family", () => {
  it("answers the kernel's errors", async () => {
    const enc = () => new AttributeEncoder();
    const cases: [string, Uint8Array, number, string][] = [
      ["no attribute", new Uint8Array(0), HeaderFlags.Request, "EINVAL"],
      [
        "a 2-byte pid",
        enc().uint16(TaskstatsCommandAttribute.PID, 1).encode(),
        HeaderFlags.Request,
        "ERANGE",
      ],
      [
        "a dump",
        enc().uint32(TaskstatsCommandAttribute.PID, 100).encode(),
        HeaderFlags.Request | HeaderFlags.Dump,
        "EOPNOTSUPP",
      ],
      [
        "an unknown attribute only",
        enc().uint32(9, 1).encode(),
        HeaderFlags.Request,
        "EINVAL",
      ],
    ];
    for (const [name, data, flags, code] of cases) {
      const e = await raw(data, flags) as NetlinkError;
      assert.equal(e?.code, code, name);
    }
    const e = await raw(
      enc().uint16(TaskstatsCommandAttribute.PID, 1).encode(),
    ) as NetlinkError;
    assert.equal(e.extAck?.message, "Attribute failed policy validation");
    assert.deepEqual(e.extAck?.attributePath, [TaskstatsCommandAttribute.PID]);
  });

  it("accepts a pid attribute longer than 4 bytes and prefers PID over TGID, as Linux does", async () => {
    await using conn = taskstats.dial({ tasks: PROCESS });
    const f = await conn.getFamily(TASKSTATS_GENL_NAME);
    const send = (data: Uint8Array) =>
      conn.execute(
        { header: { command: TaskstatsCommand.Get, version: 1 }, data },
        f.id,
        HeaderFlags.Request,
      );
    assert.equal(
      (await send(
        new AttributeEncoder().uint64(TaskstatsCommandAttribute.PID, 100n)
          .encode(),
      )).length,
      1,
    );
    const [r] = await send(
      new AttributeEncoder().uint32(TaskstatsCommandAttribute.TGID, 200).uint32(
        TaskstatsCommandAttribute.PID,
        101,
      ).encode(),
    );
    assert.equal(r?.data[2], 4); // the nest is TASKSTATS_TYPE_AGGR_PID
  });

  it("describes the family and its policy as Linux 6.18 does", async () => {
    await using conn = taskstats.dial();
    const f = await conn.getFamily(TASKSTATS_GENL_NAME);
    assert.equal(f.version, 1);
    assert.deepEqual(f.operations, [{ id: 1, flags: 0x0b }, {
      id: 4,
      flags: 0x0a,
    }]);
    assert.deepEqual(f.groups, []);
    const p = await conn.getPolicy(TASKSTATS_GENL_NAME);
    const table = p.operations.get(TaskstatsCommand.Get)?.do;
    assert.equal(
      table?.get(TaskstatsCommandAttribute.PID)?.type,
      PolicyType.U32,
    );
    assert.equal(
      table?.get(TaskstatsCommandAttribute.RegisterCPUMask)?.type,
      PolicyType.String,
    );
  });

  it("refuses bad task declarations with TypeError", () => {
    assert.throws(
      () => new taskstats.Simulator({ tasks: [{ pid: 0 }] }),
      TypeError,
    );
    assert.throws(
      () => new taskstats.Simulator({ tasks: [{ pid: 1 }, { pid: 1 }] }),
      /declared twice/,
    );
    assert.throws(
      () =>
        new taskstats.Simulator({
          version: 10,
          tasks: [{ pid: 1, stats: { acTgid: 1 } }],
        }),
      /acTgid is not in version 10/,
    );
    assert.throws(() => new taskstats.Simulator({ version: 0 }), TypeError);
    assert.throws(() => new taskstats.Simulator().update(9, {}), /no task 9/);
  });
});
