import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeTaskstats,
  emptyTaskstats,
  encodeTaskstats,
  LATEST_TASKSTATS_VERSION,
  type Stats,
  TASKSTATS_V1_SIZE,
  taskstatsOffsets,
} from "../../src/taskstats/mod.ts";
import { hex, LITTLE_ENDIAN } from "../netlink/_hex.ts";

const skipBE = LITTLE_ENDIAN ? false : "literal bytes are little-endian";

/**
 * `offsetof(struct taskstats, f)` and `sizeof` as gcc computes them from
 * this machine's /usr/include/linux/taskstats.h (version 13), printed by a
 * throwaway C program (one printf per field).
 */
// deno-fmt-ignore
const GCC_V13: Record<string, number> = {
  version: 0, ac_exitcode: 4, ac_flag: 8, ac_nice: 9, cpu_count: 16, cpu_delay_total: 24,
  blkio_count: 32, blkio_delay_total: 40, swapin_count: 48, swapin_delay_total: 56,
  cpu_run_real_total: 64, cpu_run_virtual_total: 72, ac_comm: 80, ac_sched: 112, ac_uid: 120,
  ac_gid: 124, ac_pid: 128, ac_ppid: 132, ac_btime: 136, ac_etime: 144, ac_utime: 152,
  ac_stime: 160, ac_minflt: 168, ac_majflt: 176, coremem: 184, virtmem: 192, hiwater_rss: 200,
  hiwater_vm: 208, read_char: 216, write_char: 224, read_syscalls: 232, write_syscalls: 240,
  read_bytes: 248, write_bytes: 256, cancelled_write_bytes: 264, nvcsw: 272, nivcsw: 280,
  ac_utimescaled: 288, ac_stimescaled: 296, cpu_scaled_run_real_total: 304, freepages_count: 312,
  freepages_delay_total: 320, thrashing_count: 328, thrashing_delay_total: 336, ac_btime64: 344,
  compact_count: 352, compact_delay_total: 360, ac_tgid: 368, ac_tgetime: 376, ac_exe_dev: 384,
  ac_exe_inode: 392, wpcopy_count: 400, wpcopy_delay_total: 408,
};
const GCC_V13_SIZE = 416;

function camel(c: string): string {
  return c.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
}

/** The version 1 fields every struct has, all zero. */
const V1 = {
  cpuCount: 0n,
  cpuDelayTotal: 0n,
  blkioCount: 0n,
  blkioDelayTotal: 0n,
  swapinCount: 0n,
  swapinDelayTotal: 0n,
  cpuRunRealTotal: 0n,
  cpuRunVirtualTotal: 0n,
};

/** Little-endian u64 bytes. */
function le64(n: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
  return out;
}

describe("struct taskstats layout", () => {
  it("matches gcc's offsetof for every version 13 field", () => {
    const ours = taskstatsOffsets(13);
    for (const [c, offset] of Object.entries(GCC_V13)) {
      assert.equal(ours[camel(c) as keyof Stats], offset, c);
    }
    assert.equal(Object.keys(ours).length, Object.keys(GCC_V13).length);
    assert.equal(encodeTaskstats(emptyTaskstats(13)).length, GCC_V13_SIZE);
  });

  it("has the sizes the kernel sends: version 1 80 bytes, 14 432, 15 and 16 560", () => {
    const size = (v: number) => encodeTaskstats(emptyTaskstats(v)).length;
    assert.equal(size(1), TASKSTATS_V1_SIZE);
    assert.equal(size(2), 248);
    assert.equal(size(3), 272);
    assert.equal(size(12), 400);
    assert.equal(size(14), 432);
    assert.equal(size(15), 560);
    assert.equal(size(16), 560); // measured: Linux 6.18 sends 560 bytes, version 16
  });

  it("puts version 15's max/min pairs after each total and version 16's at the end", () => {
    const v15 = taskstatsOffsets(15), v16 = taskstatsOffsets(16);
    assert.equal(v15.cpuDelayMax, 32);
    assert.equal(v15.blkioCount, 48);
    assert.equal(v15.acComm, 128);
    assert.equal(v15.irqDelayMin, 552);
    assert.equal(v16.cpuDelayMax, 432);
    assert.equal(v16.blkioCount, 32);
    assert.equal(v16.irqDelayMin, 552);
  });
});

describe("decodeTaskstats()", () => {
  it("decodes an annotated version 1 struct (no exit code, flag or nice)", {
    skip: skipBE,
  }, () => {
    // deno-fmt-ignore
    const b = new Uint8Array([
      0x01, 0x00,                   // version = 1
      0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, // padding[3] (version 2 put ac_exitcode/flag/nice here)
      0, 0, 0, 0, 0, 0, 0, 0,       // (alignment)
      ...le64(5n),                  // cpu_count
      ...le64(1_000_000n),          // cpu_delay_total (ns)
      ...le64(2n),                  // blkio_count
      ...le64(300n),                // blkio_delay_total
      ...le64(0n),                  // swapin_count
      ...le64(0n),                  // swapin_delay_total
      ...le64(40_000_000n),         // cpu_run_real_total
      ...le64(39_500_000n),         // cpu_run_virtual_total
    ]);
    assert.equal(b.length, 80);
    assert.deepEqual(decodeTaskstats(b), {
      version: 1,
      cpuCount: 5n,
      cpuDelayTotal: 1_000_000n,
      blkioCount: 2n,
      blkioDelayTotal: 300n,
      swapinCount: 0n,
      swapinDelayTotal: 0n,
      cpuRunRealTotal: 40_000_000n,
      cpuRunVirtualTotal: 39_500_000n,
    });
  });

  it("decodes version 2 fields from the same bytes once the version says 2", {
    skip: skipBE,
  }, () => {
    const b = new Uint8Array(248);
    b.set([0x02, 0x00], 0); // version 2
    b.set([0x09, 0x00, 0x00, 0x00], 4); // ac_exitcode = 9 (killed by SIGKILL)
    b[8] = 0x10; // ac_flag = AXSIG
    b[9] = 0xfb; // ac_nice = -5 stored in a __u8
    b.set(new TextEncoder().encode("bash"), 80); // ac_comm
    b.set([0xe8, 0x03, 0, 0], 120); // ac_uid = 1000
    b.set(le64(123_456n), 152); // ac_utime (µs)
    b.set(le64(9n), 240); // write_syscalls: the last version 2 field
    const s = decodeTaskstats(b);
    assert.equal(s.acExitcode, 9);
    assert.equal(s.acFlag, 0x10);
    assert.equal(s.acNice, -5);
    assert.equal(s.acComm, "bash");
    assert.equal(s.acUid, 1000);
    assert.equal(s.acUtime, 123_456n);
    assert.equal(s.writeSyscalls, 9n);
    assert.equal(s.readBytes, undefined); // version 3
    assert.equal(s.nvcsw, undefined);
  });

  it(
    "reads the same bytes differently as version 15 and 16",
    { skip: skipBE },
    () => {
      const b = new Uint8Array(560);
      b.set(le64(777n), 32); // v16: blkio_count; v15: cpu_delay_max
      b.set(le64(31n), 272); // v16: nvcsw; v15: write_char
      b.set(le64(42n), 320); // v15: nvcsw
      b[0] = 16;
      const v16 = decodeTaskstats(b);
      assert.equal(v16.blkioCount, 777n);
      assert.equal(v16.cpuDelayMax, 0n);
      assert.equal(v16.nvcsw, 31n);
      b[0] = 15;
      const v15 = decodeTaskstats(b);
      assert.equal(v15.cpuDelayMax, 777n);
      assert.equal(v15.blkioCount, 0n);
      assert.equal(v15.nvcsw, 42n);
    },
  );

  it(
    "decodes a newer version than it knows as version 16 and ignores the rest",
    { skip: skipBE },
    () => {
      const b = new Uint8Array(688); // version 17 proposals append 128 bytes
      b[0] = 17;
      b.set(le64(5n), 552); // irq_delay_min
      b.fill(0xff, 560);
      const s = decodeTaskstats(b);
      assert.equal(s.version, 17);
      assert.equal(s.irqDelayMin, 5n);
      assert.equal(
        Object.keys(s).length,
        Object.keys(emptyTaskstats(16)).length,
      );
    },
  );

  it(
    "decodes only the fields a shorter struct covers",
    { skip: skipBE },
    () => {
      const full = encodeTaskstats({
        ...emptyTaskstats(16),
        nvcsw: 3n,
        acTgid: 9,
      });
      const s = decodeTaskstats(full, 0, 280); // ends after nvcsw
      assert.equal(s.nvcsw, 3n);
      assert.equal(s.nivcsw, undefined);
      assert.equal(s.acTgid, undefined);
    },
  );

  it("does not decode fields of a later version even when the bytes are there", () => {
    const b = encodeTaskstats({ ...emptyTaskstats(16), irqCount: 8n });
    b[0] = 13;
    const s = decodeTaskstats(b);
    assert.equal(s.wpcopyCount, 0n);
    assert.equal(s.irqCount, undefined);
    assert.equal(s.cpuDelayMax, undefined);
  });

  it("stops the command name at its first NUL and replaces bytes that are not UTF-8", () => {
    const b = encodeTaskstats(emptyTaskstats(2));
    b.set([0x61, 0x62, 0x00, 0x63], 80);
    assert.equal(decodeTaskstats(b).acComm, "ab");
    b.set([0x61, 0xff, 0x62, 0x00], 80);
    assert.equal(decodeTaskstats(b).acComm, "a\ufffdb");
    b.fill(0x7a, 80, 112); // 32 bytes, no NUL at all
    assert.equal(decodeTaskstats(b).acComm, "z".repeat(32));
  });

  it("decodes in place at an offset without reading outside its range", () => {
    const s = encodeTaskstats({ ...emptyTaskstats(16), nvcsw: 11n });
    const buf = new Uint8Array(s.length + 24).fill(0xee);
    buf.set(s, 12);
    assert.equal(decodeTaskstats(buf, 12, s.length).nvcsw, 11n);
  });

  const bad: [string, () => unknown, RegExp][] = [
    [
      "79 bytes",
      () => decodeTaskstats(new Uint8Array(79)),
      /79 bytes at offset 0 are fewer than the 80/,
    ],
    [
      "version 0",
      () => decodeTaskstats(new Uint8Array(80)),
      /version 0 at offset 0/,
    ],
    [
      "an empty buffer",
      () => decodeTaskstats(new Uint8Array(0)),
      /fewer than the 80/,
    ],
    [
      "a range past the end",
      () => decodeTaskstats(new Uint8Array(100), 40, 80),
      /outside the 100-byte buffer/,
    ],
    [
      "a negative offset",
      () => decodeTaskstats(new Uint8Array(100), -1, 80),
      /outside/,
    ],
    [
      "a fractional length",
      () => decodeTaskstats(new Uint8Array(100), 0, 80.5),
      /outside/,
    ],
  ];
  for (const [name, f, message] of bad) {
    it(`rejects ${name} with RangeError`, () => {
      assert.throws(
        f,
        (e: Error) => e instanceof RangeError && message.test(e.message),
      );
    });
  }

  it("throws only RangeError on hostile bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 800 }),
        fc.nat(40),
        (b, cut) => {
          for (
            const [o, l] of [[0, b.length], [
              Math.min(cut, b.length),
              b.length - Math.min(cut, b.length),
            ]]
          ) {
            try {
              const s = decodeTaskstats(b, o, l);
              assert.ok(s.version > 0);
            } catch (e) {
              if (!(e instanceof RangeError)) throw e;
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("encodeTaskstats()", () => {
  const u64 = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });

  it("round-trips every version from 1 to 17", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 17 }),
        fc.array(u64, { minLength: 80, maxLength: 80 }),
        fc.integer({ min: -20, max: 19 }),
        fc.string({ maxLength: 15 }),
        (version, words, nice, comm) => {
          const s = emptyTaskstats(version) as unknown as Record<
            string,
            unknown
          >;
          let i = 0;
          for (const k of Object.keys(s)) {
            if (typeof s[k] === "bigint") s[k] = words[i++ % words.length];
          }
          if ("acNice" in s) s.acNice = nice;
          if ("acComm" in s) s.acComm = comm.replace(/\0/g, "");
          if ("acUid" in s) s.acUid = 0xffff_ffff;
          const stats = s as unknown as Stats;
          assert.deepEqual(decodeTaskstats(encodeTaskstats(stats)), stats);
        },
      ),
      { numRuns: 300 },
    );
  });

  const bad: [string, () => unknown, RegExp][] = [
    [
      "a missing version 1 field",
      () => encodeTaskstats({ version: 1 } as Stats),
      /cpuCount is missing/,
    ],
    ["version 0", () => encodeTaskstats({ ...V1, version: 0 }), /version 0/],
    [
      "a field of a later version",
      () => encodeTaskstats({ ...V1, version: 2, nvcsw: 1n }),
      /nvcsw is not in version 2/,
    ],
    [
      "an unknown field",
      () => encodeTaskstats({ ...V1, version: 2, bogus: 1 } as Stats),
      /unknown field bogus/,
    ],
    [
      "a number for a u64",
      () =>
        encodeTaskstats({
          ...V1,
          version: 1,
          cpuCount: 1 as unknown as bigint,
        }),
      /cpuCount is not a u64/,
    ],
    [
      "a negative u64",
      () => encodeTaskstats({ ...V1, version: 1, cpuCount: -1n }),
      /cpuCount is not a u64/,
    ],
    [
      "a u32 above 2^32",
      () => encodeTaskstats({ ...V1, version: 2, acUid: 2 ** 32 }),
      /acUid is not a u32/,
    ],
    [
      "nice 200",
      () => encodeTaskstats({ ...V1, version: 2, acNice: 200 }),
      /acNice is not a i8/,
    ],
    [
      "a 32-byte command",
      () => encodeTaskstats({ ...V1, version: 2, acComm: "x".repeat(32) }),
      /at most 31 bytes/,
    ],
  ];
  for (const [name, f, message] of bad) {
    it(`refuses ${name} with TypeError`, () => {
      assert.throws(
        f,
        (e: Error) => e instanceof TypeError && message.test(e.message),
      );
    });
  }

  it("writes zeros for absent fields and the latest version by default", () => {
    const s = emptyTaskstats();
    assert.equal(s.version, LATEST_TASKSTATS_VERSION);
    assert.deepEqual(
      encodeTaskstats({ ...V1, version: 16 }).subarray(2),
      new Uint8Array(558),
    );
    assert.deepEqual(
      hex("0100"),
      encodeTaskstats({ ...V1, version: 1 }).subarray(0, 2),
    );
  });
});
