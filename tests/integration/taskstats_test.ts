// Real-kernel tests for the taskstats client: this process reads itself and
// compares with /proc. Run by .ci/run as root inside a fresh `unshare -n`
// namespace with NLKIT_INTEGRATION=1, under Deno and Bun. Taskstats is not
// per network namespace; nothing is created or left behind.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenlConn, PolicyType } from "../../src/genetlink/mod.ts";
import {
  AttributeEncoder,
  HeaderFlags,
  isNotExist,
  type NetlinkError,
} from "../../src/netlink/mod.ts";
import {
  type Stats,
  Taskstats,
  TASKSTATS_GENL_NAME,
  TaskstatsCommand,
  TaskstatsCommandAttribute,
} from "../../src/taskstats/mod.ts";
import { gate } from "./_gate.ts";

const skip = await gate(import.meta.url);

/** Fails the test instead of hanging when `p` takes longer than `ms`. */
async function deadline<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`deadline of ${ms} ms passed`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `USER_HZ`: the unit of utime/stime in /proc/PID/stat. */
function clockTicks(): number {
  return Number(
    execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(),
  );
}

interface Proc {
  /** utime and stime of /proc/self/task/PID/stat, milliseconds. */
  utimeMs: number;
  stimeMs: number;
  /** voluntary/nonvoluntary_ctxt_switches of /proc/self/status (this thread: the leader). */
  nvcsw: bigint;
  nivcsw: bigint;
  /** VmHWM and VmPeak of /proc/self/status, KiB. */
  vmHWM: bigint;
  vmPeak: bigint;
}

function statusField(text: string, name: string): bigint {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text);
  assert.ok(m, `no ${name} in /proc/self/status`);
  return BigInt(m[1]!);
}

function readProc(hz: number): Proc {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = readFileSync("/proc/self/status", "utf8");
  return {
    utimeMs: Number(rest[11]) * 1000 / hz,
    stimeMs: Number(rest[12]) * 1000 / hz,
    nvcsw: statusField(status, "voluntary_ctxt_switches"),
    nivcsw: statusField(status, "nonvoluntary_ctxt_switches"),
    vmHWM: statusField(status, "VmHWM"),
    vmPeak: statusField(status, "VmPeak"),
  };
}

/** voluntary_ctxt_switches of one thread of this process (0 once it is gone). */
function switchesOf(tid: string): bigint {
  try {
    return statusField(
      readFileSync(`/proc/self/task/${tid}/status`, "utf8"),
      "voluntary_ctxt_switches",
    );
  } catch {
    return 0n;
  }
}

/** voluntary_ctxt_switches of each live thread of this process. */
function snapshot(): Map<string, bigint> {
  return new Map(readdirSync("/proc/self/task").map((t) => [t, switchesOf(t)]));
}

/** Sum of voluntary_ctxt_switches over this process's live threads. */
function threadSwitches(): { nvcsw: bigint } {
  let nvcsw = 0n;
  for (const t of readdirSync("/proc/self/task")) nvcsw += switchesOf(t);
  return { nvcsw };
}

const ms = (ns: bigint) => Number(ns) / 1e6;
const usToMs = (us: bigint | undefined) => Number(us ?? -1n) / 1e3;

describe("integration: taskstats", { skip }, () => {
  it("integration: pid(process.pid) agrees with /proc/self within stated tolerances", async () => {
    await using ts = await Taskstats.open();
    const hz = clockTicks();
    const a = readProc(hz);
    const t: Stats = await deadline(5_000, ts.pid(process.pid));
    const b = readProc(hz);

    assert.ok(t.version >= 12, `version ${t.version}`);
    assert.equal(t.acPid, process.pid);
    assert.equal(t.acTgid, process.pid);
    assert.equal(t.acPpid, process.ppid);
    assert.equal(
      t.acComm,
      readFileSync(`/proc/self/task/${process.pid}/comm`, "utf8").trim(),
    );

    // CPU time. /proc/PID/stat splits the scheduler's runtime (sum_exec_runtime,
    // which taskstats reports as cpu_run_virtual_total) in proportion to the
    // tick-sampled utime/stime (cputime_adjust), each truncated to 1/USER_HZ.
    // So /proc's total lies in (runtime - 2 ticks, runtime], and the runtime
    // only grows: total(a) <= runtime(t) < total(b) + 2 ticks.
    const runtime = ms(t.cpuRunVirtualTotal);
    const tick = 1000 / hz;
    assert.ok(
      a.utimeMs + a.stimeMs <= runtime + 1e-6,
      `proc ${a.utimeMs + a.stimeMs} ms > taskstats runtime ${runtime} ms`,
    );
    assert.ok(
      runtime < b.utimeMs + b.stimeMs + 2 * tick,
      `taskstats runtime ${runtime} ms >= proc ${
        b.utimeMs + b.stimeMs
      } + 2 ticks`,
    );
    // The split: taskstats reports the raw tick-sampled utime/stime (µs);
    // /proc scales them to the runtime, which moves each part by at most
    // |runtime - raw total|; add one USER_HZ tick of truncation and the CPU
    // time used between the two /proc reads.
    const raw = usToMs(t.acUtime) + usToMs(t.acStime);
    const slack = Math.abs(runtime - raw) + tick +
      (b.utimeMs + b.stimeMs - a.utimeMs - a.stimeMs);
    for (
      const [what, got, proc] of [["utime", usToMs(t.acUtime), b.utimeMs], [
        "stime",
        usToMs(t.acStime),
        b.stimeMs,
      ]] as const
    ) {
      assert.ok(
        Math.abs(got - proc) <= slack,
        `${what}: taskstats ${got} ms, /proc ${proc} ms, tolerance ${
          slack.toFixed(1)
        } ms`,
      );
    }

    // Context switches: the same per-task counters, only growing: exact bounds.
    assert.ok(
      a.nvcsw <= t.nvcsw! && t.nvcsw! <= b.nvcsw,
      `nvcsw ${a.nvcsw} <= ${t.nvcsw} <= ${b.nvcsw}`,
    );
    assert.ok(
      a.nivcsw <= t.nivcsw! && t.nivcsw! <= b.nivcsw,
      `nivcsw ${a.nivcsw} <= ${t.nivcsw} <= ${b.nivcsw}`,
    );

    // Memory high-water marks: the same kernel functions (get_mm_hiwater_rss,
    // get_mm_hiwater_vm) as VmHWM and VmPeak, read a moment apart. VmPeak uses
    // an exact page count; VmHWM reads approximate per-CPU RSS counters, off
    // by up to batch x CPUs pages per counter (32 x 2 x 4 KiB x 3 counters
    // = 768 KiB here); allow 1 MiB.
    const lo = (x: bigint, y: bigint) => (x < y ? x : y);
    const hi = (x: bigint, y: bigint) => (x > y ? x : y);
    const rss = t.hiwaterRss!, vm = t.hiwaterVm!;
    assert.ok(
      lo(a.vmHWM, b.vmHWM) - 1024n <= rss &&
        rss <= hi(a.vmHWM, b.vmHWM) + 1024n,
      `hiwater_rss ${rss} KiB vs VmHWM ${a.vmHWM}..${b.vmHWM}`,
    );
    assert.ok(
      lo(a.vmPeak, b.vmPeak) <= vm && vm <= hi(a.vmPeak, b.vmPeak),
      `hiwater_vm ${vm} KiB vs VmPeak ${a.vmPeak}..${b.vmPeak}`,
    );

    // The executable: device and inode as stat(2) reports them.
    const exe = statSync(`/proc/self/exe`, { bigint: true });
    assert.equal(t.acExeInode, exe.ino);
    assert.equal(t.acExeDev, exe.dev);
    // Begin time: seconds since 1970, before now.
    assert.ok(t.acBtime64! <= BigInt(Math.ceil(Date.now() / 1000)));
  });

  it("integration: tgid(process.pid) covers every live thread and leaves the rest zero", async () => {
    await using ts = await Taskstats.open();
    const a = threadSwitches();
    const g = await deadline(5_000, ts.tgid(process.pid));
    // Every live thread's switches are in the group's sum (exited ones too, below).
    assert.ok(
      a.nvcsw <= g.nvcsw!,
      `live threads ${a.nvcsw} <= group ${g.nvcsw}`,
    );
    // What fill_stats_for_tgid does not fill stays zero (the simulator relies on it).
    assert.equal(g.acComm, "");
    assert.equal(g.acPid, 0);
    assert.equal(g.acTgid, 0);
    assert.equal(g.acUid, 0);
    assert.equal(g.hiwaterRss, 0n);
    assert.equal(g.readChar, 0n);
    const p = await ts.pid(process.pid);
    assert.ok(g.cpuRunVirtualTotal >= p.cpuRunVirtualTotal);
    assert.ok(
      g.acEtime! >= p.acEtime!,
      "the group's elapsed time is the sum over its threads",
    );
  });

  it("integration: a thread that exits still counts in its group's sums", async () => {
    await using ts = await Taskstats.open();
    // A worker thread that makes about 300 voluntary context switches.
    // It stays alive (the interval) until terminate(): Bun ends a worker whose
    // script has nothing left to do.
    const code = "const ia = new Int32Array(new SharedArrayBuffer(4));" +
      "for (let i = 0; i < 300; i++) Atomics.wait(ia, 0, 0, 1);" +
      "setInterval(() => {}, 1000); postMessage('done');";
    const url = URL.createObjectURL(
      new Blob([code], { type: "application/javascript" }),
    );
    const before = snapshot();
    const worker = new Worker(url, { type: "module" });
    try {
      await deadline(
        10_000,
        new Promise((resolve) => (worker.onmessage = resolve)),
      );
    } catch (e) {
      worker.terminate();
      throw e;
    }
    // The thread that ran the loop: the one whose count rose the most (a new
    // thread on Deno; Bun under load may run the worker on another thread).
    const after = snapshot();
    let busy = "", rise = -1n;
    for (const [t, n] of after) {
      const d = n - (before.get(t) ?? 0n);
      if (d > rise) [busy, rise] = [t, d];
    }
    assert.ok(rise >= 250n, `the worker's thread made ${rise} switches`);
    const w = after.get(busy)!;
    const a1 = threadSwitches();
    const g1 = await ts.tgid(process.pid);
    const b1 = threadSwitches();
    worker.terminate();
    URL.revokeObjectURL(url);
    // Wait (up to 10 s) until that thread is gone.
    await deadline(
      10_000,
      (async () => {
        while (existsSync(`/proc/self/task/${busy}`)) {
          await new Promise((r) => setTimeout(r, 20));
        }
      })(),
    );
    const a2 = threadSwitches();
    const g2 = await ts.tgid(process.pid);
    // The exited part of the group sum (group minus live threads) grew by the
    // worker's switches: (g2 - live(a2)) >= (g1 - live(b1)) + w. Had the
    // kernel dropped the worker, the left side would be short by about w.
    assert.ok(
      g2.nvcsw! - a2.nvcsw >= g1.nvcsw! - b1.nvcsw + w,
      `exited part before ${g1.nvcsw! - b1.nvcsw}..${
        g1.nvcsw! - a1.nvcsw
      }, after at most ${g2.nvcsw! - a2.nvcsw}, worker ${w}`,
    );
  });

  it("integration: tgid(another thread's id) answers for the whole group", async () => {
    await using ts = await Taskstats.open();
    const other = readdirSync("/proc/self/task").map(Number).find((t) =>
      t !== process.pid
    );
    if (other === undefined) return; // a single-threaded runtime: nothing to check
    const byLeader = await deadline(5_000, ts.tgid(process.pid));
    const byThread = await deadline(5_000, ts.tgid(other));
    assert.ok(byThread.nvcsw! >= byLeader.nvcsw!);
    assert.equal((await ts.pid(other)).acTgid, process.pid);
  });

  it("integration: a negative nice value decodes as negative", async () => {
    await using ts = await Taskstats.open();
    const child = spawn("nice", ["-n", "-5", "sleep", "30"], {
      stdio: "ignore",
    });
    try {
      // `nice` execs `sleep` in the same process; wait until it has.
      let s: Stats | undefined;
      for (let i = 0; i < 100; i++) {
        s = await deadline(5_000, ts.pid(child.pid!));
        if (s.acComm === "sleep") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(s?.acComm, "sleep");
      assert.equal(s?.acNice, -5);
      assert.equal(s?.acPpid, process.pid);
    } finally {
      child.kill();
    }
  });

  it("integration: an unknown pid rejects with isNotExist (the kernel answers ESRCH)", async () => {
    await using ts = await Taskstats.open();
    const max = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
    let pid = max - 1;
    while (existsSync(`/proc/${pid}`)) pid--;
    for (const q of [ts.pid(pid), ts.tgid(pid)]) {
      const e = await deadline(
        5_000,
        q.then(() => assert.fail("resolved"), (x: NetlinkError) => x),
      );
      assert.ok(isNotExist(e), String(e));
      assert.ok(e.message.includes(` ${pid}:`), e.message);
      assert.equal((e.cause as NetlinkError).code, "ESRCH");
    }
  });

  it("integration: the family, its policy and its errors are what the simulator answers", async () => {
    await using conn = await GenlConn.dial();
    const f = await conn.getFamily(TASKSTATS_GENL_NAME);
    assert.equal(f.version, 1);
    assert.deepEqual(f.operations, [{ id: 1, flags: 0x0b }, {
      id: 4,
      flags: 0x0a,
    }]);
    assert.deepEqual(f.groups, []);
    const table = (await conn.getPolicy(TASKSTATS_GENL_NAME)).operations.get(
      TaskstatsCommand.Get,
    )?.do;
    assert.equal(
      table?.get(TaskstatsCommandAttribute.PID)?.type,
      PolicyType.U32,
    );
    assert.equal(
      table?.get(TaskstatsCommandAttribute.TGID)?.type,
      PolicyType.U32,
    );
    assert.equal(
      table?.get(TaskstatsCommandAttribute.RegisterCPUMask)?.type,
      PolicyType.String,
    );
    const send = (data: Uint8Array, flags: number = HeaderFlags.Request) =>
      deadline(
        5_000,
        conn.execute(
          { header: { command: TaskstatsCommand.Get, version: 1 }, data },
          f.id,
          flags,
        ),
      );
    const code = (p: Promise<unknown>) =>
      p.then(() => "OK", (e: NetlinkError) => e.code);
    const enc = () => new AttributeEncoder();
    assert.equal(await code(send(new Uint8Array(0))), "EINVAL");
    assert.equal(await code(send(enc().uint32(9, 1).encode())), "EINVAL");
    assert.equal(
      await code(
        send(
          enc().uint32(TaskstatsCommandAttribute.PID, process.pid).encode(),
          HeaderFlags.Request | HeaderFlags.Dump,
        ),
      ),
      "EOPNOTSUPP",
    );
    const e = await send(
      enc().uint16(TaskstatsCommandAttribute.PID, 1).encode(),
    ).then(() => assert.fail("accepted"), (x: NetlinkError) => x);
    assert.equal(e.code, "ERANGE");
    assert.equal(e.extAck?.message, "Attribute failed policy validation");
    assert.deepEqual(e.extAck?.attributePath, [TaskstatsCommandAttribute.PID]);
    assert.equal(
      (await send(
        enc().uint64(TaskstatsCommandAttribute.PID, BigInt(process.pid))
          .encode(),
      )).length,
      1,
    );
    const [r] = await send(
      enc().uint32(TaskstatsCommandAttribute.TGID, process.pid).uint32(
        TaskstatsCommandAttribute.PID,
        process.pid,
      ).encode(),
    );
    assert.equal(
      r?.data[2],
      4,
      "PID wins over TGID: the nest is TASKSTATS_TYPE_AGGR_PID",
    );
  });

  it("integration: without CAP_NET_ADMIN the kernel refuses with EPERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nlkit-taskstats-"));
    try {
      const mod = new URL("../../src/taskstats/mod.ts", import.meta.url).href;
      const script = join(dir, "child.ts");
      writeFileSync(
        script,
        `import { Taskstats } from ${JSON.stringify(mod)};
try {
  await using ts = await Taskstats.open();
  await ts.pid(process.pid);
  console.log("OK");
} catch (e) {
  console.log(e.code ?? e.name, e.message);
}
`,
      );
      const versions = process.versions as Record<string, string | undefined>;
      const runtime = versions.bun !== undefined
        ? [process.execPath, script]
        : [process.execPath, "run", "-A", script];
      const out = await deadline(
        20_000,
        run("setpriv", [
          "--inh-caps=-net_admin",
          "--bounding-set=-net_admin",
          "--",
          ...runtime,
        ]),
      );
      assert.match(
        out,
        /^EPERM Cannot get taskstats of pid \d+: EPERM \(errno 1\)/,
        out,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on(
      "data",
      (d: Uint8Array) => (out += new TextDecoder().decode(d)),
    );
    child.stderr.on(
      "data",
      (d: Uint8Array) => (err += new TextDecoder().decode(d)),
    );
    child.on("error", reject);
    child.on(
      "close",
      (code) =>
        code === 0
          ? resolve(out)
          : reject(new Error(`${cmd} exited ${code}: ${err}`)),
    );
  });
}
