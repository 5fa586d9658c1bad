/**
 * Record and replay: capture what a real `Conn` exchanges with the kernel as
 * JSON lines (one datagram a line: hex plus a readable header summary), then
 * answer the same requests with no kernel at all, on any platform. Captures
 * of the nlmon device (pcap, `LINKTYPE_NETLINK`) convert to the same format.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import { align } from "../netlink/align.ts";
import { type Conn, connFromSocket, socketOf } from "../netlink/conn.ts";
import {
  Family,
  HEADER_LENGTH,
  HeaderFlags,
  HeaderType,
} from "../netlink/header.ts";
import {
  type FlagContext,
  formatFlags,
  type Message,
} from "../netlink/message.ts";
import type { ConnOptions } from "../netlink/options.ts";
import { MemorySocket } from "./_memory_socket.ts";
import type { Kernel } from "./dial.ts";
import { readPcap } from "./pcap.ts";
import { UnexpectedRequestError } from "./unexpected_request.ts";

/**
 * A readable summary of one message of a recorded datagram (ignored by replay).
 *
 * @example Summarize an ACK
 * ```ts
 * import { type MessageSummary, summarizeDatagram } from "@nlkit/netlink/nltest";
 * import { encodeMessage, Family, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // NLMSG_ERROR with error 0 and the echoed request header: an ACK.
 * const ack = encodeMessage({ header: { length: 0, type: HeaderType.Error, flags: 0x100, sequence: 5, pid: 1000 }, data: new Uint8Array(20) });
 * const [s]: MessageSummary[] = summarizeDatagram(ack, Family.Route);
 * assert.equal(s?.name, "NLMSG_ERROR");
 * assert.equal(s?.errno, 0); // 0: an ACK, not an error
 * assert.deepEqual([s?.length, s?.seq, s?.pid], [36, 5, 1000]);
 * ```
 */
export interface MessageSummary {
  /** `nlmsg_len`. */
  length: number;
  /** `nlmsg_type`. */
  type: number;
  /** The type's name when known (`RTM_GETLINK`, `NLMSG_ERROR`, `nlctrl`...). */
  name: string;
  /** `nlmsg_flags`, formatted. */
  flags: string;
  /** `nlmsg_seq`. */
  seq: number;
  /** `nlmsg_pid`. */
  pid: number;
  /** The generic netlink command, for `Family.Generic` family messages. */
  command?: number;
  /** The errno of an `NLMSG_ERROR` (0: an ACK) or of an `NLMSG_DONE` that carries one. */
  errno?: number;
}

/**
 * One line of a recording: a datagram sent or received by the recorded socket, or a receive error.
 *
 * @example Replay datagrams written by hand
 * ```ts
 * import { type RecordedDatagram, replay } from "@nlkit/netlink/nltest";
 * import { HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const noop = "10000000010005000100000064000000"; // NLMSG_NOOP, request|ack, seq 1, port 100
 * const lines: RecordedDatagram[] = [
 *   { dir: "send", family: 0, pid: 100, hex: noop },
 *   { dir: "recv", family: 0, pid: 100, sender: 0, groups: 0, hex: "24000000020000010100000064000000" + "00000000" + noop },
 * ];
 * await using conn = replay(lines).dial();
 * assert.equal(conn.pid, 100);
 * const replies = await conn.execute({
 *   header: { length: 0, type: HeaderType.Noop, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 },
 *   data: new Uint8Array(0),
 * });
 * assert.deepEqual(replies, []); // the recorded ACK was consumed
 * ```
 */
export interface RecordedDatagram {
  /** `send`: to the kernel; `recv`: from it; `error`: a failed receive (such as ENOBUFS). */
  dir: "send" | "recv" | "error";
  /** The netlink protocol, when known. */
  family?: number;
  /** The recorded socket's port id. */
  pid?: number;
  /** The sender port id of a received datagram (0: the kernel). */
  sender?: number;
  /** The group mask of a received datagram (0: unicast). */
  groups?: number;
  /** The errno of an `error` line. */
  errno?: number;
  /** The datagram, lowercase hex. */
  hex?: string;
  /** What the datagram holds, for people (not read back). */
  messages?: MessageSummary[];
}

/**
 * Options for {@linkcode record}.
 *
 * @example Stream the recording line by line
 * ```ts
 * import { record, type RecordOptions, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const options: RecordOptions = { family: Family.Route, onLine: (line) => lines.push(line) };
 * await using conn = new SimKernel().dial(Family.Route);
 * record(conn, options);
 * await conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 }, data: new Uint8Array(16) });
 * assert.deepEqual(lines.map((l) => JSON.parse(l).dir), ["send", "recv", "recv"]);
 * assert.equal(JSON.parse(lines[0]!).messages[0].name, "RTM_GETLINK");
 * ```
 */
export interface RecordOptions {
  /** The Conn's netlink protocol (names generic netlink commands, and lets replay pick the lines). */
  family?: number;
  /** Called with each new JSON line (for example, to append it to a file). */
  onLine?: (line: string) => void;
}

/**
 * A recording in progress; see {@linkcode record}.
 *
 * @example Record one request, then stop
 * ```ts
 * import { record, type Recorder, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * await using conn = new SimKernel().dial(Family.Route);
 * const recorder: Recorder = record(conn, { family: Family.Route });
 * const noop = { header: { length: 0, type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
 * await conn.execute(noop);
 * recorder.stop();
 * await conn.execute(noop); // not recorded
 * assert.deepEqual(recorder.datagrams.map((d) => d.dir), ["send", "recv"]);
 * assert.equal(recorder.lines.length, 2);
 * assert.equal(recorder.toString().split("\n").length, 3); // two lines, newline-terminated
 * ```
 */
export interface Recorder {
  /** The datagrams so far. */
  readonly datagrams: RecordedDatagram[];
  /** The JSON lines so far. */
  readonly lines: string[];
  /** The recording as JSON lines text (newline-terminated). */
  toString(): string;
  /** Stops recording (the Conn keeps working). */
  stop(): void;
}

const ROUTE_NAMES: Record<number, string> = {
  16: "RTM_NEWLINK",
  17: "RTM_DELLINK",
  18: "RTM_GETLINK",
  19: "RTM_SETLINK",
  20: "RTM_NEWADDR",
  21: "RTM_DELADDR",
  22: "RTM_GETADDR",
  24: "RTM_NEWROUTE",
  25: "RTM_DELROUTE",
  26: "RTM_GETROUTE",
  28: "RTM_NEWNEIGH",
  29: "RTM_DELNEIGH",
  30: "RTM_GETNEIGH",
  32: "RTM_NEWRULE",
  33: "RTM_DELRULE",
  34: "RTM_GETRULE",
  36: "RTM_NEWQDISC",
  37: "RTM_DELQDISC",
  38: "RTM_GETQDISC",
};

const CONTROL_NAMES: Record<number, string> = {
  1: "NLMSG_NOOP",
  2: "NLMSG_ERROR",
  3: "NLMSG_DONE",
  4: "NLMSG_OVERRUN",
};

function typeName(type: number, family: number | undefined): string {
  const control = CONTROL_NAMES[type];
  if (control) return control;
  if (family === Family.Route) return ROUTE_NAMES[type] ?? `RTM_${type}`;
  if (family === Family.Generic) {
    return type === 0x10 ? "nlctrl" : `genl family ${type}`;
  }
  return `type ${type}`;
}

function flagContext(
  type: number,
  family: number | undefined,
): number | FlagContext {
  if (type < HeaderType.MinType) return type;
  if (family === Family.Route) {
    return (["new", "delete", "get", "new"] as const)[type & 3]!;
  }
  return type;
}

function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function fromHex(s: string): Uint8Array<ArrayBuffer> {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) {
    throw new TypeError(
      `Cannot read recording: "${s.slice(0, 16)}..." is not hex`,
    );
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/** Splits a datagram the way the kernel walks it: stops at the first bad length, never throws. */
function messagesOf(d: Uint8Array): Message[] {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const out: Message[] = [];
  for (let p = 0; d.length - p >= HEADER_LENGTH;) {
    const length = v.getUint32(p, LE);
    if (length < HEADER_LENGTH || length > d.length - p) break;
    out.push({
      header: {
        length,
        type: v.getUint16(p + 4, LE),
        flags: v.getUint16(p + 6, LE),
        sequence: v.getUint32(p + 8, LE),
        pid: v.getUint32(p + 12, LE),
      },
      data: d.subarray(p + HEADER_LENGTH, p + length),
    });
    p += align(length);
  }
  return out;
}

/**
 * Summarizes the messages of a datagram for a recording line.
 *
 * @param datagram The bytes.
 * @param family The netlink protocol, when known.
 * @returns One summary per message.
 *
 * @example Using summarizeDatagram
 * ```ts
 * import { summarizeDatagram } from "@nlkit/netlink/nltest";
 * import { encodeMessage, Family } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const d = encodeMessage({ header: { length: 0, type: 18, flags: 0x301, sequence: 7, pid: 0 }, data: new Uint8Array(16) });
 * const [s] = summarizeDatagram(d, Family.Route);
 * assert.equal(s?.name, "RTM_GETLINK");
 * assert.equal(s?.flags, "request|dump");
 * ```
 */
export function summarizeDatagram(
  datagram: Uint8Array,
  family?: number,
): MessageSummary[] {
  return messagesOf(datagram).map((m) => {
    const h = m.header;
    const s: MessageSummary = {
      length: h.length,
      type: h.type,
      name: typeName(h.type, family),
      flags: formatFlags(h.flags, flagContext(h.type, family)),
      seq: h.sequence,
      pid: h.pid,
    };
    if (
      family === Family.Generic && h.type >= HeaderType.MinType &&
      m.data.length > 0
    ) s.command = m.data[0]!;
    if (
      (h.type === HeaderType.Error || h.type === HeaderType.Done) &&
      m.data.length >= 4
    ) {
      // `|| 0`: an ACK's error field 0 would otherwise read as -0.
      s.errno = -new DataView(m.data.buffer, m.data.byteOffset, 4).getInt32(
        0,
        LE,
      ) || 0;
    }
    return s;
  });
}

/**
 * Records a real Conn's traffic: every datagram it sends and receives
 * becomes a JSON line with the bytes in hex and a header summary. Start
 * recording before the first request.
 *
 * @param conn The connection (real or simulated).
 * @param options Its protocol, and a callback per line.
 * @returns The recorder.
 *
 * @example Record a session with the simulated kernel and replay it
 * ```ts
 * import { record, replay, SimKernel } from "@nlkit/netlink/nltest";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const getLinks = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16),
 * };
 * const live = new SimKernel().dial(Family.Route);
 * const recorder = record(live, { family: Family.Route });
 * const before = await live.execute(getLinks);
 * await live.close();
 *
 * const conn = replay(recorder.toString()).dial();
 * const after = await conn.execute(getLinks);
 * assert.deepEqual(after.map((m) => m.data), before.map((m) => m.data));
 * await conn.close();
 * ```
 */
export function record(conn: Conn, options: RecordOptions = {}): Recorder {
  const socket = socketOf(conn);
  const datagrams: RecordedDatagram[] = [];
  const lines: string[] = [];
  const family = options.family;
  let on = true;
  const add = (r: RecordedDatagram): void => {
    if (!on) return;
    datagrams.push(r);
    const line = JSON.stringify(r);
    lines.push(line);
    options.onLine?.(line);
  };
  const base = (dir: RecordedDatagram["dir"]): RecordedDatagram => {
    const r: RecordedDatagram = { dir };
    if (family !== undefined) r.family = family;
    r.pid = socket.pid;
    return r;
  };
  const send = socket.send;
  const receive = socket.receive;
  socket.send = (data: Uint8Array): void => {
    add({
      ...base("send"),
      hex: toHex(data),
      messages: summarizeDatagram(data, family),
    });
    send.call(socket, data);
  };
  socket.receive = (): Uint8Array | null => {
    let d: Uint8Array | null;
    try {
      d = receive.call(socket);
    } catch (e) {
      const errno = (e as { errno?: unknown }).errno;
      if (typeof errno === "number") add({ ...base("error"), errno });
      throw e;
    }
    if (d !== null) {
      add({
        ...base("recv"),
        sender: socket.senderPid,
        groups: socket.senderGroups,
        hex: toHex(d),
        messages: summarizeDatagram(d, family),
      });
    }
    return d;
  };
  return {
    datagrams,
    lines,
    toString: () => lines.map((l) => `${l}\n`).join(""),
    stop: () => {
      on = false;
      socket.send = send;
      socket.receive = receive;
    },
  };
}

/**
 * Parses a recording made by {@linkcode record} (JSON lines; blank lines ignored).
 *
 * @param text The JSON lines.
 * @returns The datagrams.
 * @throws {TypeError} If a line is not a recorded datagram.
 *
 * @example Using parseRecording
 * ```ts
 * import { parseRecording } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const lines = parseRecording('{"dir":"send","family":0,"hex":"1400000003000000000000000000000000000000"}\n');
 * assert.equal(lines[0]?.dir, "send");
 * ```
 */
export function parseRecording(text: string): RecordedDatagram[] {
  const out: RecordedDatagram[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new TypeError(`Cannot read recording: line ${i + 1} is not JSON`, {
        cause: e,
      });
    }
    const d = r as RecordedDatagram;
    if (
      typeof d !== "object" || d === null ||
      !["send", "recv", "error"].includes(d.dir)
    ) {
      throw new TypeError(
        `Cannot read recording: line ${
          i + 1
        } has no "dir" of send, recv or error`,
      );
    }
    if (d.dir !== "error" && typeof d.hex !== "string") {
      throw new TypeError(`Cannot read recording: line ${i + 1} has no "hex"`);
    }
    out.push(d);
  });
  return out;
}

/**
 * Converts an nlmon pcap capture into recording lines. nlmon does not say
 * which way a datagram went: those whose first message has `NLM_F_REQUEST`
 * are taken as sent, the others as received.
 *
 * @param bytes The pcap file.
 * @param family Keep only this protocol (default: every protocol).
 * @returns The datagrams, ready for {@linkcode replay}.
 * @throws {RangeError} If the file is not an nlmon pcap.
 *
 * @example Replay a capture (here a NOOP with ACK and its ACK, built in memory)
 * ```ts
 * import { recordingFromPcap, replay } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const request = "10000000 01000500 01000000 64000000"; // NLMSG_NOOP, request|ack, seq 1, port 100
 * const ack = "24000000 02000001 01000000 64000000 00000000 " + request;
 * const packets = [request, ack].map((h) => Uint8Array.from(h.replaceAll(" ", "").match(/../g)!, (x) => parseInt(x, 16)));
 * const file = new Uint8Array(24 + packets.reduce((n, p) => n + 32 + p.length, 0));
 * const v = new DataView(file.buffer);
 * v.setUint32(0, 0xa1b2c3d4, true);
 * v.setUint32(20, 253, true); // LINKTYPE_NETLINK
 * let at = 24;
 * for (const p of packets) {
 *   v.setUint32(at + 8, 16 + p.length, true);
 *   v.setUint32(at + 12, 16 + p.length, true);
 *   v.setUint16(at + 18, 824); // ARPHRD_NETLINK; protocol 0 (NETLINK_ROUTE) at +30
 *   file.set(p, at + 32);
 *   at += 32 + p.length;
 * }
 * const lines = recordingFromPcap(file, 0);
 * assert.deepEqual(lines.map((l) => l.dir), ["send", "recv"]);
 * const conn = replay(lines).dial();
 * const noop = { header: { length: 0, type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
 * assert.deepEqual(await conn.execute(noop), []);
 * await conn.close();
 * ```
 */
export function recordingFromPcap(
  bytes: Uint8Array,
  family?: number,
): RecordedDatagram[] {
  return readPcap(bytes).filter((p) =>
    family === undefined || p.family === family
  ).map((p) => {
    const first = messagesOf(p.data)[0];
    const send = first !== undefined &&
      (first.header.flags & HeaderFlags.Request) !== 0;
    return {
      dir: send ? "send" : "recv",
      family: p.family,
      ...(send ? {} : { sender: 0, groups: 0 }),
      hex: toHex(p.data),
      messages: summarizeDatagram(p.data, p.family),
    };
  });
}

interface Reply {
  data?: Uint8Array;
  sender: number;
  groups: number;
  errno?: number;
}

interface Exchange {
  family: number | undefined;
  requests: Message[];
  port: number;
  replies: Reply[];
  uses: number;
}

/**
 * Answers recorded requests; see {@linkcode replay}.
 *
 * @example Use a recording as an nltest kernel function
 * ```ts
 * import { dial, replay, type Replayer } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // A NOOP with ACK (seq 1, port 100) and the kernel's ACK.
 * const recording = [
 *   '{"dir":"send","family":0,"pid":100,"hex":"10000000010005000100000064000000"}',
 *   '{"dir":"recv","family":0,"pid":100,"hex":"240000000200000101000000640000000000000010000000010005000100000064000000"}',
 * ].join("\n");
 * const replayer: Replayer = replay(recording);
 * assert.equal(replayer.family, 0);
 * assert.equal(replayer.unused, 1);
 * using conn = dial(replayer.kernel, { pid: 100 });
 * const noop = { header: { length: 0, type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
 * assert.deepEqual(await conn.execute(noop), []);
 * assert.equal(replayer.unused, 0);
 * ```
 */
export interface Replayer {
  /** The protocol of the recording (of its first line), when known. */
  readonly family: number | undefined;
  /**
   * Opens a Conn answered from the recording. Datagrams received before the
   * first request (notifications) are queued at once.
   */
  dial(options?: ConnOptions): Conn;
  /** The same answers as an nltest `Kernel` function, for `nltest.dial`. */
  readonly kernel: Kernel;
  /** How many recorded exchanges have not been replayed yet. */
  readonly unused: number;
}

function sameMessage(a: Message, b: Message): boolean {
  if (a.header.type !== b.header.type || a.header.flags !== b.header.flags) {
    return false;
  }
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] !== b.data[i]) return false;
  }
  return true;
}

function describeRequest(m: Message, family: number | undefined): string {
  let text = `${
    typeName(m.header.type, family)
  } (type ${m.header.type}) flags ${
    formatFlags(m.header.flags, flagContext(m.header.type, family))
  }`;
  if (
    family === Family.Generic && m.header.type >= HeaderType.MinType &&
    m.data.length > 0
  ) {
    text += ` command ${m.data[0]}`;
  }
  return `${text}, ${m.data.length}-byte payload ${
    toHex(m.data.subarray(0, 32))
  }${m.data.length > 32 ? "..." : ""}`;
}

/** Rewrites sequence and port of a recorded reply for the live request. */
function rewrite(
  d: Uint8Array,
  ex: Exchange,
  live: Message[],
  port: number,
): Uint8Array {
  const out = d.slice();
  const v = new DataView(out.buffer);
  for (let p = 0; out.length - p >= HEADER_LENGTH;) {
    const length = v.getUint32(p, LE);
    if (length < HEADER_LENGTH || length > out.length - p) break;
    const i = ex.requests.findIndex((r) =>
      r.header.sequence === v.getUint32(p + 8, LE)
    );
    const req = live[i];
    if (req) {
      v.setUint32(p + 8, req.header.sequence, LE);
      if (
        v.getUint16(p + 4, LE) === HeaderType.Error &&
        length >= HEADER_LENGTH + 4 + HEADER_LENGTH
      ) {
        // The echoed request header.
        v.setUint32(p + 28, req.header.sequence, LE);
        v.setUint32(p + 32, req.header.pid, LE);
      }
    }
    if (v.getUint32(p + 12, LE) === ex.port && ex.port !== 0) {
      v.setUint32(p + 12, port, LE);
    }
    p += align(length);
  }
  return out;
}

/**
 * Builds a simulated kernel from a recording: each request sent through
 * its Conn is matched against the recorded requests (netlink type, flags
 * and the whole payload, so the generic netlink command and every
 * attribute; the sequence number and port id are ignored), and the
 * recorded replies are delivered with the live request's sequence number
 * and port id. Identical requests are answered in recorded order, then the
 * last recording repeats. A request that was never recorded fails the
 * waiting call with an error naming it.
 *
 * @param recording JSON lines from {@linkcode record}, or parsed datagrams
 *   (from {@linkcode parseRecording} or {@linkcode recordingFromPcap}).
 * @param family Replay only the lines of this protocol (default: all).
 * @returns The replayer.
 * @throws {TypeError} If the recording cannot be read.
 *
 * @example Replay, and fail on a request that was not recorded
 * ```ts
 * import { replay } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // A NOOP with ACK (seq 1, port 100) and the kernel's capped ACK.
 * const recording = [
 *   '{"dir":"send","family":0,"pid":100,"hex":"10000000010005000100000064000000"}',
 *   '{"dir":"recv","family":0,"pid":100,"hex":"240000000200000101000000640000000000000010000000010005000100000064000000"}',
 * ].join("\n");
 * const conn = replay(recording).dial();
 * assert.deepEqual(await conn.execute({
 *   header: { length: 0, type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 },
 *   data: new Uint8Array(0),
 * }), []);
 * await assert.rejects(
 *   conn.execute({ header: { length: 0, type: 18, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: new Uint8Array(16) }),
 *   /no recorded request matches/,
 * );
 * await conn.close();
 * ```
 */
export function replay(
  recording: string | readonly RecordedDatagram[],
  family?: number,
): Replayer {
  const lines =
    (typeof recording === "string" ? parseRecording(recording) : recording)
      .filter((l) =>
        family === undefined || l.family === undefined || l.family === family
      );
  const prelude: Reply[] = [];
  const exchanges: Exchange[] = [];
  for (const line of lines) {
    if (line.dir === "send") {
      const requests = messagesOf(fromHex(line.hex ?? ""));
      const port = line.pid ?? requests.find((r) =>
        r.header.pid !== 0
      )?.header.pid ?? 0;
      exchanges.push({
        family: line.family,
        requests,
        port,
        replies: [],
        uses: 0,
      });
      continue;
    }
    const reply: Reply = line.dir === "error"
      ? { sender: 0, groups: 0, errno: line.errno ?? 0 }
      : {
        data: fromHex(line.hex ?? ""),
        sender: line.sender ?? 0,
        groups: line.groups ?? 0,
      };
    let owner: Exchange | undefined;
    if (reply.data && reply.groups === 0) {
      const seq = messagesOf(reply.data)[0]?.header.sequence;
      for (let i = exchanges.length - 1; i >= 0 && owner === undefined; i--) {
        const ex = exchanges[i]!;
        if (
          ex.family === line.family &&
          ex.requests.some((r) => r.header.sequence === seq)
        ) owner = ex;
      }
    }
    owner ??= exchanges[exchanges.length - 1];
    if (owner) {
      if (owner.port === 0 && reply.data) {
        owner.port = messagesOf(reply.data)[0]?.header.pid ?? 0;
      }
      owner.replies.push(reply);
    } else prelude.push(reply);
  }
  const first = lines[0]?.family;

  const answer = (datagram: Uint8Array, port: number): Reply[] => {
    const live = messagesOf(datagram);
    const candidates = exchanges.filter((ex) =>
      ex.requests.length === live.length &&
      ex.requests.every((r, i) => sameMessage(r, live[i]!))
    );
    if (candidates.length === 0) {
      const what = live.map((m) => describeRequest(m, first)).join("; ");
      throw new UnexpectedRequestError(
        `Cannot replay: no recorded request matches ${
          what || "an empty datagram"
        }`,
      );
    }
    const ex = candidates.find((c) => c.uses === 0) ??
      candidates[candidates.length - 1]!;
    ex.uses++;
    return ex.replies.map((r) =>
      r.data ? { ...r, data: rewrite(r.data, ex, live, port) } : r
    );
  };

  return {
    family: first,
    get unused(): number {
      return exchanges.filter((e) => e.uses === 0).length;
    },
    dial(options: ConnOptions = {}): Conn {
      const socket = new MemorySocket({
        pid: options.pid ?? exchanges[0]?.port ?? 1,
        groups: options.groups ?? 0,
        onSend: (s, d) => {
          for (const r of answer(d, s.pid)) {
            if (r.errno !== undefined) s.failNextReceive(r.errno);
            else s.deliver(r.data!, r.sender, r.groups);
          }
        },
      });
      for (const r of prelude) {
        if (r.errno !== undefined) socket.failNextReceive(r.errno);
        else socket.deliver(r.data!, r.sender, r.groups);
      }
      return connFromSocket(socket, options);
    },
    kernel: (requests: Message[]): Message[] => {
      const out: Message[] = [];
      for (const req of requests) {
        const d = new Uint8Array(align(HEADER_LENGTH + req.data.length));
        const v = new DataView(d.buffer);
        v.setUint32(0, HEADER_LENGTH + req.data.length, LE);
        v.setUint16(4, req.header.type, LE);
        v.setUint16(6, req.header.flags, LE);
        v.setUint32(8, req.header.sequence, LE);
        v.setUint32(12, req.header.pid, LE);
        d.set(req.data, HEADER_LENGTH);
        for (const r of answer(d, req.header.pid)) {
          if (r.data) out.push(...messagesOf(r.data));
        }
      }
      return out;
    },
  };
}
