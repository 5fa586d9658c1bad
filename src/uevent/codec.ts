/**
 * The codec of kernel uevents (`NETLINK_KOBJECT_UEVENT` datagrams), in the
 * two formats found on that protocol:
 *
 * - the kernel's (multicast group 1): a header `ACTION@DEVPATH`, then
 *   `KEY=VALUE` entries, each string ending in a NUL byte
 *   (`kobject_uevent_env` in `lib/kobject_uevent.c`);
 * - udev's (group 2, sent by `systemd-udevd` after processing): a 40-byte
 *   `struct udev_monitor_netlink_header` starting with `"libudev\0"` and the
 *   magic `0xfeedcafe` in network byte order, then the `KEY=VALUE\0`
 *   properties at `properties_off`.
 *
 * Decoding is strict, because uevents are also injected from user space:
 * a datagram that is not exactly one of these shapes, with valid UTF-8 and
 * the four keys every uevent carries (`ACTION`, `DEVPATH`, `SUBSYSTEM`,
 * `SEQNUM`), is rejected with a `RangeError` naming what is wrong and where.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";
import { checkRange } from "../netlink/_struct.ts";

/**
 * One uevent: what happened (`action`) to which device (`devpath`, below
 * `/sys`), its subsystem, the kernel's sequence number and every
 * `KEY=VALUE` entry as received (`ACTION`, `DEVPATH`, `SUBSYSTEM` and
 * `SEQNUM` included).
 *
 * @example A network device appears
 * ```ts
 * import { decodeUevent, type Uevent } from "@nlkit/netlink/uevent";
 * import assert from "node:assert/strict";
 *
 * const text = "add@/devices/virtual/net/veth0\0ACTION=add\0DEVPATH=/devices/virtual/net/veth0\0" +
 *   "SUBSYSTEM=net\0INTERFACE=veth0\0IFINDEX=5\0SEQNUM=4711\0";
 * const e: Uevent = decodeUevent(new TextEncoder().encode(text));
 * assert.equal(e.action, "add");
 * assert.equal(e.subsystem, "net");
 * assert.equal(e.seqnum, 4711n);
 * assert.equal(e.env.INTERFACE, "veth0");
 * ```
 */
export interface Uevent {
  /**
   * The action: `"add"`, `"remove"`, `"change"`, `"move"`, `"online"`,
   * `"offline"`, `"bind"` or `"unbind"` (`kobject_actions` in the kernel);
   * kept as text so that a future action still decodes.
   */
  action: string;
  /** The device's path below `/sys`, such as `/devices/virtual/net/veth0`. */
  devpath: string;
  /** `SUBSYSTEM`, such as `"net"`, `"block"`, `"queues"`, `"module"`. */
  subsystem: string;
  /** `SEQNUM`: the kernel's uevent sequence number (a `u64`). */
  seqnum: bigint;
  /** Every `KEY=VALUE` entry, in order (a key given twice keeps its last value). */
  env: Record<string, string>;
  /** `"kernel"` for the kernel's format, `"udev"` for udev's `libudev` format. */
  source: "kernel" | "udev";
}

/** The udev monitor magic (`UDEV_MONITOR_MAGIC`), stored big-endian. */
export const UDEV_MONITOR_MAGIC = 0xfeedcafe;

/** Size of `struct udev_monitor_netlink_header` (prefix, magic, six u32). */
export const UDEV_HEADER_LENGTH = 40;

/**
 * The multicast groups of `NETLINK_KOBJECT_UEVENT`.
 */
export const UeventGroup = {
  /** Group 1: the kernel's uevents (`UDEV_MONITOR_KERNEL` in udev). */
  Kernel: 1,
  /** Group 2: udev's events after its rules ran (`UDEV_MONITOR_UDEV`). */
  Udev: 2,
} as const;

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();
/** `"libudev\0"`. */
const LIBUDEV = [0x6c, 0x69, 0x62, 0x75, 0x64, 0x65, 0x76, 0x00];
const MAX_SEQNUM = 0xffff_ffff_ffff_ffffn;
const REQUIRED = ["ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM"] as const;

function fail(offset: number, what: string): never {
  throw new RangeError(`Cannot decode uevent: ${what} at offset ${offset}`);
}

/** The index of the first NUL in `[from, end)`, or -1. */
function findNul(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === 0) return i;
  return -1;
}

/** True when the `length` bytes at `offset` start with udev's `"libudev\0"` prefix. */
function isLibudev(b: Uint8Array, offset: number, length: number): boolean {
  if (length < LIBUDEV.length) return false;
  for (let i = 0; i < LIBUDEV.length; i++) {
    if (b[offset + i] !== LIBUDEV[i]) return false;
  }
  return true;
}

/** Sets `env[key] = value`, as an own property even for `__proto__`. */
function put(env: Record<string, string>, key: string, value: string): void {
  if (key === "__proto__") {
    Object.defineProperty(env, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else env[key] = value;
}

/**
 * Parses NUL-terminated `KEY=VALUE` entries in `[start, end)` into `env`.
 * The range must end with a NUL; empty entries are refused.
 */
function parseEntries(
  b: Uint8Array,
  start: number,
  end: number,
  env: Record<string, string>,
): void {
  let p = start;
  while (p < end) {
    const nul = findNul(b, p, end);
    if (nul < 0) fail(p, "the last entry has no terminating NUL");
    if (nul === p) fail(p, "empty entry");
    let eq = -1;
    for (let i = p; i < nul; i++) {
      if (b[i] === 0x3d) {
        eq = i;
        break;
      }
    }
    if (eq <= p) {
      fail(p, eq === p ? "entry with an empty key" : "entry without '='");
    }
    let key: string, value: string;
    try {
      key = UTF8.decode(b.subarray(p, eq));
      value = UTF8.decode(b.subarray(eq + 1, nul));
    } catch {
      fail(p, "entry that is not UTF-8");
    }
    put(env, key, value);
    p = nul + 1;
  }
}

function seqnum(text: string, at: number): bigint {
  if (!/^[0-9]{1,20}$/.test(text)) {
    fail(at, `SEQNUM "${text}" is not a decimal number`);
  }
  const n = BigInt(text);
  if (n > MAX_SEQNUM) fail(at, `SEQNUM ${text} does not fit in a u64`);
  return n;
}

function finish(
  env: Record<string, string>,
  source: "kernel" | "udev",
  at: number,
): Uevent {
  for (const k of REQUIRED) {
    if (!Object.hasOwn(env, k)) fail(at, `no ${k} entry`);
  }
  if (env.ACTION === "") fail(at, "empty ACTION");
  if (env.DEVPATH === "") fail(at, "empty DEVPATH");
  return {
    action: env.ACTION!,
    devpath: env.DEVPATH!,
    subsystem: env.SUBSYSTEM!,
    seqnum: seqnum(env.SEQNUM!, at),
    env,
    source,
  };
}

/**
 * Decodes one uevent datagram, in the kernel's format or udev's, from
 * `length` bytes at `offset` in `bytes` (no copy of the datagram).
 *
 * @param bytes The buffer.
 * @param offset Where the datagram starts.
 * @param length Its length.
 * @returns The uevent.
 * @throws {RangeError} When the range lies outside `bytes`, or the datagram
 * is empty, has no `@` in its header, lacks a terminating NUL, is not
 * UTF-8, has an entry without `=`, misses `ACTION`, `DEVPATH`, `SUBSYSTEM`
 * or `SEQNUM`, disagrees with its header, or (udev) has a bad magic or
 * property range.
 *
 * @example Malformed bytes are a RangeError saying what and where
 * ```ts
 * import { decodeUevent } from "@nlkit/netlink/uevent";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("add/devices/x\0ACTION=add\0");
 * assert.throws(() => decodeUevent(bytes), /no '@' in the header "add\/devices\/x" at offset 0/);
 * ```
 */
export function decodeUevent(
  bytes: Uint8Array,
  offset: number = 0,
  length: number = bytes.length - offset,
): Uevent {
  checkRange(bytes, offset, length, "uevent");
  if (length === 0) fail(offset, "empty datagram");
  const end = offset + length;
  const env: Record<string, string> = {};
  if (isLibudev(bytes, offset, length)) {
    if (length < UDEV_HEADER_LENGTH) {
      fail(
        offset,
        `${length} bytes are too short for the ${UDEV_HEADER_LENGTH}-byte libudev header`,
      );
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
    const magic = v.getUint32(8, false);
    if (magic !== UDEV_MONITOR_MAGIC) {
      fail(
        offset + 8,
        `libudev magic 0x${magic.toString(16)} is not 0xfeedcafe`,
      );
    }
    const headerSize = v.getUint32(12, HOST_LITTLE_ENDIAN);
    const propertiesOffset = v.getUint32(16, HOST_LITTLE_ENDIAN);
    const propertiesLength = v.getUint32(20, HOST_LITTLE_ENDIAN);
    if (
      headerSize < UDEV_HEADER_LENGTH || propertiesOffset < headerSize ||
      propertiesOffset + propertiesLength > length || propertiesLength === 0
    ) {
      fail(
        offset + 12,
        `libudev header size ${headerSize}, properties at ${propertiesOffset} (${propertiesLength} bytes) do not fit the ${length}-byte datagram`,
      );
    }
    const start = offset + propertiesOffset;
    parseEntries(bytes, start, start + propertiesLength, env);
    return finish(env, "udev", offset);
  }
  const nul = findNul(bytes, offset, end);
  if (nul < 0) fail(offset, "the header has no terminating NUL");
  let header: string;
  try {
    header = UTF8.decode(bytes.subarray(offset, nul));
  } catch {
    fail(offset, "header that is not UTF-8");
  }
  const at = header.indexOf("@");
  if (at < 0) fail(offset, `no '@' in the header ${JSON.stringify(header)}`);
  const action = header.slice(0, at), devpath = header.slice(at + 1);
  if (action === "" || devpath === "") {
    fail(offset, `header ${JSON.stringify(header)} lacks an action or a path`);
  }
  parseEntries(bytes, nul + 1, end, env);
  const e = finish(env, "kernel", offset);
  if (e.action !== action || e.devpath !== devpath) {
    fail(
      offset,
      `header ${
        JSON.stringify(header)
      } disagrees with ACTION=${e.action} DEVPATH=${e.devpath}`,
    );
  }
  return e;
}

/**
 * What {@linkcode encodeUevent} needs: the event's fields and its other
 * entries. `ACTION`, `DEVPATH`, `SUBSYSTEM` and `SEQNUM` are written from
 * the fields; `env` adds the rest, in order.
 */
export interface UeventSpec {
  /** The action (`"add"`, `"remove"`, ...). */
  action: string;
  /** The device path below `/sys`. */
  devpath: string;
  /** The subsystem. */
  subsystem: string;
  /** The sequence number. */
  seqnum: bigint;
  /** Other entries, written after `SUBSYSTEM` in this order (`SEQNUM` comes last, as the kernel writes it). */
  env?: Record<string, string>;
}

/**
 * Encodes a uevent datagram: the kernel's format by default (header
 * `ACTION@DEVPATH`, then `ACTION`, `DEVPATH`, `SUBSYSTEM`, the other
 * entries, `SEQNUM`, as `kobject_uevent_env` orders them), or udev's
 * `libudev` format (a 40-byte header, then the same entries; the subsystem
 * and devtype hashes and the tag bloom filter are left 0, which udev's
 * receivers treat as "no filter information").
 *
 * @param event The event.
 * @param format `"kernel"` (default) or `"udev"`.
 * @returns The datagram.
 * @throws {TypeError} When a field is empty or holds a NUL, a key holds `=`,
 * `env` repeats one of the four fixed keys, or `seqnum` is not a u64.
 *
 * @example Round trip
 * ```ts
 * import { decodeUevent, encodeUevent } from "@nlkit/netlink/uevent";
 * import assert from "node:assert/strict";
 *
 * const spec = { action: "add", devpath: "/devices/virtual/net/dummy0", subsystem: "net", seqnum: 1n, env: { INTERFACE: "dummy0" } };
 * const e = decodeUevent(encodeUevent(spec, "udev"));
 * assert.equal(e.source, "udev");
 * assert.equal(e.env.INTERFACE, "dummy0");
 * ```
 */
export function encodeUevent(
  event: UeventSpec,
  format: "kernel" | "udev" = "kernel",
): Uint8Array<ArrayBuffer> {
  const bad = (what: string): never => {
    throw new TypeError(`Cannot encode uevent: ${what}`);
  };
  const text = (name: string, v: unknown): string => {
    if (typeof v !== "string" || v === "" || v.includes("\0")) {
      bad(`${name} must be non-empty text without NUL`);
    }
    return v as string;
  };
  if (format !== "kernel" && format !== "udev") {
    bad(`format ${String(format)} is not "kernel" or "udev"`);
  }
  const action = text("action", event.action);
  const devpath = text("devpath", event.devpath);
  const subsystem = text("subsystem", event.subsystem);
  if (
    typeof event.seqnum !== "bigint" || event.seqnum < 0n ||
    event.seqnum > MAX_SEQNUM
  ) {
    bad(`seqnum ${String(event.seqnum)} is not a u64 bigint`);
  }
  if (action.includes("@")) bad("action must not hold '@'");
  const entries = [
    `ACTION=${action}`,
    `DEVPATH=${devpath}`,
    `SUBSYSTEM=${subsystem}`,
  ];
  for (const [k, v] of Object.entries(event.env ?? {})) {
    if (k === "" || k.includes("=") || k.includes("\0")) {
      bad(`key ${JSON.stringify(k)} is not valid`);
    }
    if ((REQUIRED as readonly string[]).includes(k)) {
      bad(`env must not repeat ${k}`);
    }
    if (typeof v !== "string" || v.includes("\0")) {
      bad(`${k} must be text without NUL`);
    }
    entries.push(`${k}=${v}`);
  }
  entries.push(`SEQNUM=${event.seqnum}`);
  const body = ENCODER.encode(entries.join("\0") + "\0");
  if (format === "kernel") {
    const head = ENCODER.encode(`${action}@${devpath}\0`);
    const out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    return out;
  }
  const out = new Uint8Array(UDEV_HEADER_LENGTH + body.length);
  out.set(LIBUDEV);
  const v = new DataView(out.buffer);
  v.setUint32(8, UDEV_MONITOR_MAGIC, false);
  v.setUint32(12, UDEV_HEADER_LENGTH, HOST_LITTLE_ENDIAN);
  v.setUint32(16, UDEV_HEADER_LENGTH, HOST_LITTLE_ENDIAN);
  v.setUint32(20, body.length, HOST_LITTLE_ENDIAN);
  out.set(body, UDEV_HEADER_LENGTH);
  return out;
}
