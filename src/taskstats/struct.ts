/**
 * The codec of `struct taskstats` (`linux/taskstats.h`), version-aware.
 *
 * The struct has grown by appending fields, with the version number in its
 * first two bytes; a field is decoded only when the received version has it
 * and the received length covers it, so the same code reads a 2006 kernel's
 * 80-byte version 1 and this kernel's 560-byte version 16. Two exceptions are
 * handled explicitly:
 *
 * - Version 1 had two bytes of version and six of padding where version 2
 *   put `ac_exitcode`, `ac_flag` and `ac_nice`.
 * - Version 15 inserted `*_delay_max` and `*_delay_min` after each
 *   `*_delay_total`, moving every later field; version 16 moved them to the
 *   end again (kernel commit "taskstats: fix struct taskstats breaks backward
 *   compatibility since version 15"). Version 15 is decoded with its own
 *   layout.
 *
 * Versions above 16 are decoded as 16 (their extra bytes are ignored).
 *
 * Offsets follow the header's `__attribute__((aligned(8)))` markers, which
 * make the layout the same on every architecture; the version 13 offsets are
 * checked in the tests against `offsetof` as compiled from
 * `/usr/include/linux/taskstats.h`.
 *
 * Numbers: every `__u64` decodes to a `bigint` (nanosecond totals pass
 * 2^53 after 104 days of accumulated time, and a thread group's sums sooner),
 * smaller integers to `number`. Times keep the struct's units (nanoseconds
 * for the delay accounting fields, microseconds for the accounting times,
 * seconds for the begin time), named in each field's documentation.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { checkRange } from "../netlink/_struct.ts";
import { TS_COMM_LEN } from "./constants.ts";
import { DELAYS } from "./_delays.ts";

/**
 * `struct taskstats`, decoded. Fields a version does not have are absent
 * (the "since" version of each is in its documentation). Delay accounting
 * totals other than the CPU ones stay 0 unless the kernel runs with delay
 * accounting on (the `delayacct` boot parameter or the
 * `kernel.task_delayacct` sysctl).
 *
 * @example Decode a struct received from the kernel (here built by the encoder)
 * ```ts
 * import { decodeTaskstats, encodeTaskstats, type Stats } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeTaskstats({ version: 10, cpuCount: 3n, cpuDelayTotal: 0n, blkioCount: 0n, blkioDelayTotal: 0n,
 *   swapinCount: 0n, swapinDelayTotal: 0n, cpuRunRealTotal: 0n, cpuRunVirtualTotal: 0n, acComm: "sh", acUtime: 1500n });
 * const stats: Stats = decodeTaskstats(bytes);
 * assert.equal(stats.acComm, "sh");
 * assert.equal(stats.acUtime, 1500n); // microseconds
 * assert.equal(stats.acTgid, undefined); // version 12 on
 * ```
 */
export interface Stats {
  /** `version`: the struct version the kernel filled (16 on the Linux 6.18 these tests ran on). */
  version: number;
  /** `ac_exitcode`: exit status (as `wait(2)` reports it); 0 for a live task. Since version 2. */
  acExitcode?: number;
  /** `ac_flag`: {@linkcode AccountingFlags} bits. Since version 2. */
  acFlag?: number;
  /**
   * `ac_nice`: the nice value, -20 to 19. The kernel stores `task_nice()` in
   * a `__u8`; it is decoded as signed so that -5 reads as -5, not 251.
   * Since version 2.
   */
  acNice?: number;
  /** `cpu_count`: how many times the task waited for a CPU (ran after being runnable). Since version 1. */
  cpuCount: bigint;
  /** `cpu_delay_total`: nanoseconds spent runnable, waiting for a CPU. Since version 1. */
  cpuDelayTotal: bigint;
  /** `blkio_count`: synchronous block I/O waits (needs delay accounting). Since version 1. */
  blkioCount: bigint;
  /** `blkio_delay_total`: nanoseconds spent waiting for synchronous block I/O. Since version 1. */
  blkioDelayTotal: bigint;
  /** `swapin_count`: waits for page-fault swap-in. Since version 1. */
  swapinCount: bigint;
  /** `swapin_delay_total`: nanoseconds spent waiting for swap-in. Since version 1. */
  swapinDelayTotal: bigint;
  /** `cpu_run_real_total`: nanoseconds of "wall-clock" CPU time (user plus system as the tick sampled it). Since version 1. */
  cpuRunRealTotal: bigint;
  /** `cpu_run_virtual_total`: nanoseconds of CPU time as the scheduler measured it (`sum_exec_runtime`). Since version 1. */
  cpuRunVirtualTotal: bigint;
  /** `ac_comm`: the command name (up to the first NUL, UTF-8 with replacement characters). Since version 2. */
  acComm?: string;
  /** `ac_sched`: the scheduling policy (`SCHED_NORMAL` 0, `SCHED_FIFO` 1, ...). Since version 2. */
  acSched?: number;
  /** `ac_uid`: real user id, as seen from the requester's user namespace. Since version 2. */
  acUid?: number;
  /** `ac_gid`: real group id, as seen from the requester's user namespace. Since version 2. */
  acGid?: number;
  /** `ac_pid`: the task (thread) id. Since version 2. */
  acPid?: number;
  /** `ac_ppid`: the parent's process id. Since version 2. */
  acPpid?: number;
  /** `ac_btime`: begin time, seconds since 1970 (a `__u32`: wraps in 2106; see `acBtime64`). Since version 2. */
  acBtime?: number;
  /** `ac_etime`: elapsed time since the task began, microseconds. Since version 2. */
  acEtime?: bigint;
  /** `ac_utime`: user CPU time, microseconds. Since version 2. */
  acUtime?: bigint;
  /** `ac_stime`: system CPU time, microseconds. Since version 2. */
  acStime?: bigint;
  /** `ac_minflt`: minor page faults. Since version 2. */
  acMinflt?: bigint;
  /** `ac_majflt`: major page faults. Since version 2. */
  acMajflt?: bigint;
  /** `coremem`: accumulated RSS usage, MiB times microseconds of system time. Since version 2. */
  coremem?: bigint;
  /** `virtmem`: accumulated virtual memory usage, MiB times microseconds of system time. Since version 2. */
  virtmem?: bigint;
  /** `hiwater_rss`: high-water mark of the resident set, KiB (`VmHWM` in `/proc/PID/status`). Since version 2. */
  hiwaterRss?: bigint;
  /** `hiwater_vm`: high-water mark of virtual memory, KiB (`VmPeak`). Since version 2. */
  hiwaterVm?: bigint;
  /** `read_char`: bytes read by any means (`rchar` in `/proc/PID/io`). Since version 2. */
  readChar?: bigint;
  /** `write_char`: bytes written by any means (`wchar`). Since version 2. */
  writeChar?: bigint;
  /** `read_syscalls`: read system calls (`syscr`). Since version 2. */
  readSyscalls?: bigint;
  /** `write_syscalls`: write system calls (`syscw`). Since version 2. */
  writeSyscalls?: bigint;
  /** `read_bytes`: bytes read from storage (`read_bytes`). Since version 3. */
  readBytes?: bigint;
  /** `write_bytes`: bytes written to storage (`write_bytes`). Since version 3. */
  writeBytes?: bigint;
  /** `cancelled_write_bytes`: written bytes whose I/O was cancelled (truncated dirty pages). Since version 3. */
  cancelledWriteBytes?: bigint;
  /** `nvcsw`: voluntary context switches. Added after version 3 and before 7 (decoded when the length covers it). */
  nvcsw?: bigint;
  /** `nivcsw`: involuntary context switches. Added after version 3 and before 7. */
  nivcsw?: bigint;
  /** `ac_utimescaled`: user CPU time scaled by CPU frequency, microseconds. Added after version 3 and before 7. */
  acUtimescaled?: bigint;
  /** `ac_stimescaled`: system CPU time scaled by CPU frequency, microseconds. Added after version 3 and before 7. */
  acStimescaled?: bigint;
  /** `cpu_scaled_run_real_total`: `cpuRunRealTotal` scaled by CPU frequency, nanoseconds. Added after version 3 and before 7. */
  cpuScaledRunRealTotal?: bigint;
  /** `freepages_count`: waits for memory reclaim. Since version 7. */
  freepagesCount?: bigint;
  /** `freepages_delay_total`: nanoseconds waiting for memory reclaim. Since version 7. */
  freepagesDelayTotal?: bigint;
  /** `thrashing_count`: waits for thrashing pages. Since version 9. */
  thrashingCount?: bigint;
  /** `thrashing_delay_total`: nanoseconds waiting for thrashing pages. Since version 9. */
  thrashingDelayTotal?: bigint;
  /** `ac_btime64`: begin time, seconds since 1970, 64-bit. Since version 10. */
  acBtime64?: bigint;
  /** `compact_count`: waits for memory compaction. Since version 11. */
  compactCount?: bigint;
  /** `compact_delay_total`: nanoseconds waiting for memory compaction. Since version 11. */
  compactDelayTotal?: bigint;
  /** `ac_tgid`: the thread group (process) id. Since version 12. */
  acTgid?: number;
  /** `ac_tgetime`: elapsed time of the thread group so far, microseconds. Since version 12. */
  acTgetime?: bigint;
  /** `ac_exe_dev`: device of the executable, encoded as `stat(2)`'s `st_dev` (`huge_encode_dev`). Since version 12. */
  acExeDev?: bigint;
  /** `ac_exe_inode`: inode number of the executable. Since version 12. */
  acExeInode?: bigint;
  /** `wpcopy_count`: waits for write-protect copies. Since version 13. */
  wpcopyCount?: bigint;
  /** `wpcopy_delay_total`: nanoseconds waiting for write-protect copies. Since version 13. */
  wpcopyDelayTotal?: bigint;
  /** `irq_count`: IRQ/softirq delays recorded. Since version 14. */
  irqCount?: bigint;
  /** `irq_delay_total`: nanoseconds lost to IRQ/softirq handling. Since version 14. */
  irqDelayTotal?: bigint;
  /** `cpu_delay_max`: longest single wait for a CPU, nanoseconds. Since version 15 (moved in 16). */
  cpuDelayMax?: bigint;
  /** `cpu_delay_min`: shortest single wait for a CPU, nanoseconds. Since version 15. */
  cpuDelayMin?: bigint;
  /** `blkio_delay_max`: longest block I/O wait, nanoseconds. Since version 15. */
  blkioDelayMax?: bigint;
  /** `blkio_delay_min`: shortest block I/O wait, nanoseconds. Since version 15. */
  blkioDelayMin?: bigint;
  /** `swapin_delay_max`: longest swap-in wait, nanoseconds. Since version 15. */
  swapinDelayMax?: bigint;
  /** `swapin_delay_min`: shortest swap-in wait, nanoseconds. Since version 15. */
  swapinDelayMin?: bigint;
  /** `freepages_delay_max`: longest reclaim wait, nanoseconds. Since version 15. */
  freepagesDelayMax?: bigint;
  /** `freepages_delay_min`: shortest reclaim wait, nanoseconds. Since version 15. */
  freepagesDelayMin?: bigint;
  /** `thrashing_delay_max`: longest thrashing wait, nanoseconds. Since version 15. */
  thrashingDelayMax?: bigint;
  /** `thrashing_delay_min`: shortest thrashing wait, nanoseconds. Since version 15. */
  thrashingDelayMin?: bigint;
  /** `compact_delay_max`: longest compaction wait, nanoseconds. Since version 15. */
  compactDelayMax?: bigint;
  /** `compact_delay_min`: shortest compaction wait, nanoseconds. Since version 15. */
  compactDelayMin?: bigint;
  /** `wpcopy_delay_max`: longest write-protect copy wait, nanoseconds. Since version 15. */
  wpcopyDelayMax?: bigint;
  /** `wpcopy_delay_min`: shortest write-protect copy wait, nanoseconds. Since version 15. */
  wpcopyDelayMin?: bigint;
  /** `irq_delay_max`: longest IRQ/softirq delay, nanoseconds. Since version 15. */
  irqDelayMax?: bigint;
  /** `irq_delay_min`: shortest IRQ/softirq delay, nanoseconds. Since version 15. */
  irqDelayMin?: bigint;
}

/**
 * The newest `struct taskstats` version whose layout this codec knows.
 * (`/usr/include/linux/taskstats.h` of this machine says 13; the kernel
 * sends 16.)
 */
export const LATEST_TASKSTATS_VERSION = 16;

/**
 * Size in bytes of `struct taskstats` version 1, the shortest a decoder accepts.
 */
export const TASKSTATS_V1_SIZE = 80;

type Kind = "u8" | "i8" | "u16" | "u32" | "u64" | "comm" | "pad3";

/** One field of a layout: its name in {@linkcode Stats}, type, first version, offset. */
interface Field {
  readonly name: keyof Stats | "";
  readonly kind: Kind;
  readonly since: number;
  readonly offset: number;
}

type Spec = readonly [
  name: keyof Stats | "",
  kind: Kind,
  since: number,
  aligned8?: boolean,
];

const SIZE: Record<Kind, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  comm: TS_COMM_LEN,
  pad3: 3,
};
const ALIGN: Record<Kind, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  comm: 1,
  pad3: 1,
};

/** The fields in the order of version 16, without the max/min block at its end. */
// deno-fmt-ignore
const BASE: readonly Spec[] = [
  ["version", "u16", 1],
  ["acExitcode", "u32", 2], ["acFlag", "u8", 2], ["acNice", "i8", 2],
  ["cpuCount", "u64", 1, true], ["cpuDelayTotal", "u64", 1],
  ["blkioCount", "u64", 1], ["blkioDelayTotal", "u64", 1],
  ["swapinCount", "u64", 1], ["swapinDelayTotal", "u64", 1],
  ["cpuRunRealTotal", "u64", 1], ["cpuRunVirtualTotal", "u64", 1],
  ["acComm", "comm", 2], ["acSched", "u8", 2, true], ["", "pad3", 2],
  ["acUid", "u32", 2, true], ["acGid", "u32", 2], ["acPid", "u32", 2], ["acPpid", "u32", 2],
  ["acBtime", "u32", 2],
  ["acEtime", "u64", 2, true], ["acUtime", "u64", 2], ["acStime", "u64", 2],
  ["acMinflt", "u64", 2], ["acMajflt", "u64", 2],
  ["coremem", "u64", 2], ["virtmem", "u64", 2], ["hiwaterRss", "u64", 2], ["hiwaterVm", "u64", 2],
  ["readChar", "u64", 2], ["writeChar", "u64", 2], ["readSyscalls", "u64", 2], ["writeSyscalls", "u64", 2],
  ["readBytes", "u64", 3], ["writeBytes", "u64", 3], ["cancelledWriteBytes", "u64", 3],
  // Added after version 3 and before version 7; a length check decides.
  ["nvcsw", "u64", 4], ["nivcsw", "u64", 4],
  ["acUtimescaled", "u64", 4], ["acStimescaled", "u64", 4], ["cpuScaledRunRealTotal", "u64", 4],
  ["freepagesCount", "u64", 7], ["freepagesDelayTotal", "u64", 7],
  ["thrashingCount", "u64", 9], ["thrashingDelayTotal", "u64", 9],
  ["acBtime64", "u64", 10],
  ["compactCount", "u64", 11], ["compactDelayTotal", "u64", 11],
  ["acTgid", "u32", 12], ["acTgetime", "u64", 12, true], ["acExeDev", "u64", 12], ["acExeInode", "u64", 12],
  ["wpcopyCount", "u64", 13], ["wpcopyDelayTotal", "u64", 13],
  ["irqCount", "u64", 14], ["irqDelayTotal", "u64", 14],
];

function maxMin(d: (typeof DELAYS)[number], since: number): Spec[] {
  return [
    [`${d}DelayMax` as keyof Stats, "u64", since],
    [`${d}DelayMin` as keyof Stats, "u64", since],
  ];
}

function place(specs: readonly Spec[]): readonly Field[] {
  const out: Field[] = [];
  let at = 0;
  for (const [name, kind, since, aligned8] of specs) {
    const align = aligned8 ? 8 : ALIGN[kind];
    at = Math.ceil(at / align) * align;
    out.push({ name, kind, since, offset: at });
    at += SIZE[kind];
  }
  return out;
}

/** Version 16 (and 1 to 14, which are its prefixes): max/min pairs at the end. */
const LAYOUT: readonly Field[] = place([
  ...BASE,
  ...DELAYS.flatMap((d) => maxMin(d, 15)),
]);

/** Version 15: each max/min pair right after its `*DelayTotal`. */
const LAYOUT_V15: readonly Field[] = place(
  BASE.flatMap((s): Spec[] => {
    const d = DELAYS.find((x) => s[0] === `${x}DelayTotal`);
    return d === undefined ? [s] : [s, ...maxMin(d, 15)];
  }),
);

function layoutFor(version: number): readonly Field[] {
  return version === 15 ? LAYOUT_V15 : LAYOUT;
}

/** The fields of version 1, which every struct must have. */
const REQUIRED = new Set(
  LAYOUT.filter((f) => f.since === 1).map((f) => f.name),
);

const COMM = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const UTF8 = new TextEncoder();

/**
 * Decodes a `struct taskstats` from `length` bytes at `offset` in `bytes`
 * (no copy). A field is decoded when the struct's version has it and the
 * length covers it; version 15 uses its own layout.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts.
 * @param length Its length in bytes (the attribute's payload length).
 * @returns The decoded struct.
 * @throws {RangeError} When the range lies outside `bytes`, is shorter than
 * version 1's 80 bytes, or the version is 0.
 *
 * @example Decode the payload of a `TASKSTATS_TYPE_STATS` attribute in place
 * ```ts
 * import { decodeTaskstats, encodeTaskstats } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * const struct = encodeTaskstats({ version: 16, cpuCount: 1n, cpuDelayTotal: 2n, blkioCount: 0n, blkioDelayTotal: 0n,
 *   swapinCount: 0n, swapinDelayTotal: 0n, cpuRunRealTotal: 0n, cpuRunVirtualTotal: 0n, nvcsw: 7n, cpuDelayMax: 9n });
 * const datagram = new Uint8Array(8 + struct.length);
 * datagram.set(struct, 8);
 * const stats = decodeTaskstats(datagram, 8, struct.length);
 * assert.equal(stats.nvcsw, 7n);
 * assert.equal(stats.cpuDelayMax, 9n);
 * ```
 */
export function decodeTaskstats(
  bytes: Uint8Array,
  offset: number = 0,
  length: number = bytes.length - offset,
): Stats {
  checkRange(bytes, offset, length, "struct taskstats");
  if (length < TASKSTATS_V1_SIZE) {
    throw new RangeError(
      `Cannot decode struct taskstats: ${length} bytes at offset ${offset} are fewer than the ${TASKSTATS_V1_SIZE} of version 1`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  const le = HOST_LITTLE_ENDIAN;
  const version = view.getUint16(0, le);
  if (version === 0) {
    throw new RangeError(
      `Cannot decode struct taskstats: version 0 at offset ${offset} is not a taskstats version`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const f of layoutFor(version)) {
    if (f.name === "" || f.since > version) continue;
    const end = f.offset + SIZE[f.kind];
    if (end > length) break;
    const o = f.offset;
    switch (f.kind) {
      case "u8":
        out[f.name] = view.getUint8(o);
        break;
      case "i8":
        out[f.name] = view.getInt8(o);
        break;
      case "u16":
        out[f.name] = view.getUint16(o, le);
        break;
      case "u32":
        out[f.name] = view.getUint32(o, le);
        break;
      case "u64":
        out[f.name] = view.getBigUint64(o, le);
        break;
      case "comm": {
        const start = offset + o;
        let stop = start;
        while (stop < start + TS_COMM_LEN && bytes[stop] !== 0) stop++;
        out[f.name] = COMM.decode(bytes.subarray(start, stop));
        break;
      }
    }
  }
  return out as unknown as Stats;
}

/**
 * Encodes a `struct taskstats` in the layout of `stats.version`: every field
 * present in `stats` is written (fields of later versions than
 * `stats.version` are refused), the length runs to the end of the last
 * field the version has (version 1: 80 bytes; 13: 416; 16: 560), and
 * absent fields are zero. The simulated kernel answers with it.
 *
 * @param stats The values; the version 1 fields are required.
 * @returns The struct, host byte order.
 * @throws {TypeError} On a missing version 1 field, a field the version does
 * not have, a value out of its C type's range, or an `acComm` longer than 31 bytes.
 *
 * @example Encode and decode version 14 (no max/min fields yet)
 * ```ts
 * import { decodeTaskstats, encodeTaskstats } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * const b = encodeTaskstats({ version: 14, cpuCount: 0n, cpuDelayTotal: 0n, blkioCount: 0n, blkioDelayTotal: 0n,
 *   swapinCount: 0n, swapinDelayTotal: 0n, cpuRunRealTotal: 0n, cpuRunVirtualTotal: 0n, irqCount: 4n });
 * assert.equal(b.length, 432);
 * assert.equal(decodeTaskstats(b).irqCount, 4n);
 * ```
 */
export function encodeTaskstats(stats: Stats): Uint8Array<ArrayBuffer> {
  const version = stats.version;
  if (!Number.isInteger(version) || version < 1 || version > 0xffff) {
    throw new TypeError(
      `Cannot encode struct taskstats: version ${version} is not a u16 above 0`,
    );
  }
  const layout = layoutFor(version);
  let size = 0;
  for (const f of layout) {
    if (f.since <= version) size = f.offset + SIZE[f.kind];
  }
  size = Math.ceil(size / 8) * 8;
  const b = new Uint8Array(size);
  const view = new DataView(b.buffer);
  const le = HOST_LITTLE_ENDIAN;
  const values = stats as unknown as Record<string, unknown>;
  const known = new Set<string>();
  for (const f of layout) {
    if (f.name === "") continue;
    known.add(f.name);
    const v = values[f.name];
    if (v === undefined) {
      if (REQUIRED.has(f.name)) {
        throw new TypeError(
          `Cannot encode struct taskstats: ${f.name} is missing`,
        );
      }
      continue;
    }
    if (f.since > version) {
      throw new TypeError(
        `Cannot encode struct taskstats: ${f.name} is not in version ${version}`,
      );
    }
    writeField(view, b, f, v, le);
  }
  for (const k of Object.keys(values)) {
    if (!known.has(k)) {
      throw new TypeError(
        `Cannot encode struct taskstats: unknown field ${k}`,
      );
    }
  }
  return b;
}

const LIMITS: Partial<Record<Kind, [number, number]>> = {
  u8: [0, 0xff],
  i8: [-128, 127],
  u16: [0, 0xffff],
  u32: [0, 0xffff_ffff],
};

function writeField(
  view: DataView,
  b: Uint8Array,
  f: Field,
  v: unknown,
  le: boolean,
): void {
  const fail = (what: string): never => {
    throw new TypeError(
      `Cannot encode struct taskstats: ${f.name} ${what}`,
    );
  };
  switch (f.kind) {
    case "u64":
      if (typeof v !== "bigint" || v < 0n || v > 0xffff_ffff_ffff_ffffn) {
        fail(`is not a u64 bigint: ${String(v)}`);
      }
      view.setBigUint64(f.offset, v as bigint, le);
      return;
    case "comm": {
      if (typeof v !== "string") fail("is not a string");
      const text = UTF8.encode(v as string);
      if (text.length >= TS_COMM_LEN || text.includes(0)) {
        fail(`must be at most ${TS_COMM_LEN - 1} bytes without NUL`);
      }
      b.set(text, f.offset);
      return;
    }
    default: {
      const [min, max] = LIMITS[f.kind]!;
      if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
        fail(`is not a ${f.kind}: ${String(v)}`);
      }
      const n = v as number;
      if (f.kind === "u8") view.setUint8(f.offset, n);
      else if (f.kind === "i8") view.setInt8(f.offset, n);
      else if (f.kind === "u16") view.setUint16(f.offset, n, le);
      else view.setUint32(f.offset, n, le);
    }
  }
}

/**
 * A struct of the given version with every field that version has set to
 * zero (`acComm` to `""`): what the kernel sends for a thread group's
 * fields it does not fill, and a starting point for test values.
 *
 * @param version The struct version (default {@linkcode LATEST_TASKSTATS_VERSION}).
 * @returns The zeroed struct.
 * @throws {TypeError} When `version` is not an integer from 1 to 65535.
 *
 * @example Zeroed version 12 fields
 * ```ts
 * import { emptyTaskstats } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * const s = emptyTaskstats(12);
 * assert.equal(s.acTgid, 0);
 * assert.equal(s.nvcsw, 0n);
 * assert.equal(s.wpcopyCount, undefined); // version 13 on
 * ```
 */
export function emptyTaskstats(
  version: number = LATEST_TASKSTATS_VERSION,
): Stats {
  if (!Number.isInteger(version) || version < 1 || version > 0xffff) {
    throw new TypeError(
      `Cannot build struct taskstats: version ${version} is not a u16 above 0`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const f of layoutFor(version)) {
    if (f.name === "" || f.since > version) continue;
    out[f.name] = f.kind === "u64" ? 0n : f.kind === "comm" ? "" : 0;
  }
  out.version = version;
  return out as unknown as Stats;
}

/**
 * The byte offset of every field of a version's layout (for tests and
 * annotated dumps).
 *
 * @param version The struct version (15 has its own layout).
 * @returns Field name to offset, for the fields that version has.
 *
 * @example Where the context switch counters are
 * ```ts
 * import { taskstatsOffsets } from "@nlkit/netlink/taskstats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(taskstatsOffsets(16).nvcsw, 272);
 * assert.equal(taskstatsOffsets(15).nvcsw, 320); // after three inline max/min pairs
 * ```
 */
export function taskstatsOffsets(
  version: number,
): Partial<Record<keyof Stats, number>> {
  const out: Partial<Record<keyof Stats, number>> = {};
  for (const f of layoutFor(version)) {
    if (f.name !== "" && f.since <= version) out[f.name] = f.offset;
  }
  return out;
}
