import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AttributeEncoder } from "../../src/netlink/mod.ts";
import {
  AccountingFlags,
  decodeAggregates,
  emptyTaskstats,
  encodeAggregates,
  encodeTaskstats,
  TaskstatsType,
} from "../../src/taskstats/mod.ts";
import { hex, LITTLE_ENDIAN } from "../netlink/_hex.ts";

const skipBE = LITTLE_ENDIAN ? false : "literal bytes are little-endian";

/**
 * The attributes of a real `TASKSTATS_CMD_NEW` reply (after the genl
 * header), captured on Linux 6.18 for `deno` asking about itself (pid
 * 23755 = 0x5ccb) with `TASKSTATS_CMD_ATTR_PID`.
 */
const REAL_REPLY = hex(`
  4002040008000100cb5c00003402030010000000000000000200000000000000
  2700000000000000261c68000000000000000000000000000000000000000000
  0000000000000000000000000000000000d8b80500000000be9da60500000000
  64656e6f00000000000000000000000000000000000000000000000000000000
  00000000000000000000000000000000cb5c0000c85c00000aee126b00000000
  cf9b010000000000409c000000000000c0da000000000000e90e000000000000
  0000000000000000adff2400000000009af0f34f0000000004b6000000000000
  58bf04030000000000141f000000000000680000000000000000000000000000
  000000000000000000d003000000000000000100000000000000000000000000
  1a000000000000000c00000000000000409c000000000000c0da000000000000
  00d8b80500000000000000000000000000000000000000000000000000000000
  00000000000000000aee126b0000000000000000000000000000000000000000
  cb5c000000000000cf9b01000000000000fe0000000000001913510000000000
  0000000000000000000000000000000000000000000000000000000000000000
  0a1e290000000000690c00000000000000000000000000000000000000000000
  ${"00".repeat(96)}
`);

describe("decodeAggregates()", () => {
  it("decodes a reply captured from Linux 6.18", { skip: skipBE }, () => {
    // 0x0240 nest TASKSTATS_TYPE_AGGR_PID (4), 0x0008 TASKSTATS_TYPE_PID (1) = 0x5ccb,
    // 0x0234 TASKSTATS_TYPE_STATS (3): 560 bytes, version 16
    assert.equal(REAL_REPLY.length, 576);
    const [a, ...rest] = decodeAggregates(REAL_REPLY);
    assert.equal(rest.length, 0);
    assert.equal(a?.kind, "pid");
    assert.equal(a?.id, 23755);
    const s = a!.stats;
    assert.equal(s.version, 16);
    assert.equal(s.acFlag, AccountingFlags.SuperUser);
    assert.equal(s.acNice, 0);
    assert.equal(s.acComm, "deno");
    assert.equal(s.acPid, 23755);
    assert.equal(s.acPpid, 0x5cc8);
    assert.equal(s.acTgid, 23755);
    assert.equal(s.acBtime, 0x6b12ee0a);
    assert.equal(s.acBtime64, 0x6b12ee0an);
    assert.equal(s.acUtime, 40_000n); // µs
    assert.equal(s.acStime, 56_000n);
    assert.equal(s.cpuRunRealTotal, 96_000_000n); // ns: utime + stime
    assert.equal(s.nvcsw, 26n);
    assert.equal(s.nivcsw, 12n);
    assert.equal(s.hiwaterRss, 0xb604n); // KiB
    assert.equal(s.acExeDev, 0xfe00n);
    assert.equal(s.cpuDelayMax, 0x291e0an);
    assert.equal(s.cpuDelayMin, 0xc69n);
    assert.equal(s.irqDelayMin, 0n);
  });

  it("decodes a hand-built tgid aggregate with TASKSTATS_TYPE_NULL padding", {
    skip: skipBE,
  }, () => {
    const stats = encodeTaskstats({ ...emptyTaskstats(1), cpuCount: 2n });
    // deno-fmt-ignore
    const b = new Uint8Array([
      0x64, 0x00, 0x05, 0x00,       // nest len 100, TASKSTATS_TYPE_AGGR_TGID
      0x08, 0x00, 0x02, 0x00,       //   len 8, TASKSTATS_TYPE_TGID
      0x2a, 0x00, 0x00, 0x00,       //   = 42
      0x04, 0x00, 0x06, 0x00,       //   len 4, TASKSTATS_TYPE_NULL (alignment pad)
      0x54, 0x00, 0x03, 0x00,       //   len 84, TASKSTATS_TYPE_STATS
      ...stats,                     //   80-byte version 1 struct
      0x05, 0x00, 0x63, 0x00, 0x01, 0, 0, 0, // unknown attribute 99: skipped
    ]);
    const got = decodeAggregates(b);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], {
      kind: "tgid",
      id: 42,
      stats: { ...emptyTaskstats(1), cpuCount: 2n },
    });
  });

  it("decodes the pid and tgid aggregates of an exit event, in order", () => {
    const s = emptyTaskstats(16);
    const b = encodeAggregates([{ kind: "pid", id: 8, stats: s }, {
      kind: "tgid",
      id: 7,
      stats: s,
    }]);
    assert.deepEqual(decodeAggregates(b).map((a) => [a.kind, a.id]), [[
      "pid",
      8,
    ], ["tgid", 7]]);
  });

  it("decodes in place at an offset", () => {
    const b = encodeAggregates([{
      kind: "pid",
      id: 3,
      stats: emptyTaskstats(2),
    }]);
    const buf = new Uint8Array(b.length + 8);
    buf.set(b, 4);
    assert.equal(decodeAggregates(buf, 4, b.length)[0]?.id, 3);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    [
      "an aggregate without stats",
      new AttributeEncoder().nested(
        TaskstatsType.AggrPID,
        (e) => e.uint32(TaskstatsType.PID, 1),
      ).encode(),
      /no TASKSTATS_TYPE_STATS/,
    ],
    [
      "an aggregate without its id",
      new AttributeEncoder().nested(
        TaskstatsType.AggrTGID,
        (e) => e.bytes(TaskstatsType.Stats, encodeTaskstats(emptyTaskstats(1))),
      ).encode(),
      /no TASKSTATS_TYPE_TGID/,
    ],
    [
      "a pid of 2 bytes",
      new AttributeEncoder().nested(
        TaskstatsType.AggrPID,
        (e) => e.uint16(TaskstatsType.PID, 1),
      ).encode(),
      /attribute 1 as uint32: length is 2/,
    ],
    [
      "a struct of 40 bytes",
      new AttributeEncoder().nested(
        TaskstatsType.AggrPID,
        (e) =>
          e.uint32(TaskstatsType.PID, 1).bytes(
            TaskstatsType.Stats,
            new Uint8Array(40),
          ),
      ).encode(),
      /40 bytes at offset 16 are fewer than the 80/,
    ],
    ["a truncated attribute", hex("40020400 0800"), /trailing bytes|exceeds/],
  ];
  for (const [name, bytes, message] of bad) {
    it(`rejects ${name} with RangeError`, () => {
      assert.throws(
        () => decodeAggregates(bytes),
        (e: Error) => e instanceof RangeError && message.test(e.message),
      );
    });
  }

  it("throws only RangeError on hostile bytes", () => {
    const seed = encodeAggregates([{
      kind: "pid",
      id: 1,
      stats: emptyTaskstats(16),
    }]);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 700 }),
        fc.nat(seed.length),
        fc.nat(255),
        (noise, at, v) => {
          for (
            const b of [
              noise,
              Uint8Array.from(seed, (x, i) => (i === at ? v : x)),
              seed.subarray(0, at),
            ]
          ) {
            try {
              decodeAggregates(b);
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

describe("encodeAggregates()", () => {
  it("refuses a bad kind or id with TypeError", () => {
    const stats = emptyTaskstats(1);
    assert.throws(
      () => encodeAggregates([{ kind: "x" as "pid", id: 1, stats }]),
      TypeError,
    );
    assert.throws(
      () => encodeAggregates([{ kind: "pid", id: -1, stats }]),
      TypeError,
    );
  });
});
