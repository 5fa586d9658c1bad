/**
 * Recording: capture what a real `Conn` exchanges with the kernel as JSON
 * lines (one datagram a line: hex plus a readable header summary), read
 * such recordings back, and convert nlmon captures (pcap,
 * `LINKTYPE_NETLINK`) to the same format. `replay.ts` answers requests
 * from a recording.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import { type Conn, socketOf } from "../netlink/conn.ts";
import { Family, HeaderFlags, HeaderType } from "../netlink/header.ts";
import { type FlagContext, formatFlags } from "../netlink/message.ts";
import {
  type CheckedLine,
  checkEntry,
  messagesOf,
  toHex,
} from "./_recording.ts";
import { readPcap } from "./pcap.ts";

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

export function typeName(type: number, family: number | undefined): string {
  const control = CONTROL_NAMES[type];
  if (control) return control;
  if (family === Family.Route) return ROUTE_NAMES[type] ?? `RTM_${type}`;
  if (family === Family.Generic) {
    return type === 0x10 ? "nlctrl" : `genl family ${type}`;
  }
  return `type ${type}`;
}

export function flagContext(
  type: number,
  family: number | undefined,
): number | FlagContext {
  if (type < HeaderType.MinType) return type;
  if (family === Family.Route) {
    return (["new", "delete", "get", "new"] as const)[type & 3]!;
  }
  return type;
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
 * @throws {TypeError} If a line is not a recorded datagram, naming the line
 * and the field (the checks of {@linkcode replay}, line by line).
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
  return checkText(text).map((l) => l.entry);
}

/** Parses and checks every line of a recording's text. @internal */
export function checkText(text: string): CheckedLine[] {
  const out: CheckedLine[] = [];
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
    out.push(checkEntry(r, `line ${i + 1}`));
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
