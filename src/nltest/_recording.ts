/**
 * Reading recordings for `replay()`: hex, datagram framing, and the checks
 * a recording passes when it is loaded, each failure a `TypeError` naming
 * the line (or array entry) and the field:
 *
 * - every entry is an object with `dir` `send`, `recv` or `error`;
 *   `family` an integer from 0 to 31; `pid`, `sender` and `groups`
 *   unsigned 32-bit integers; an `error` line's `errno` an integer from 1
 *   to 4095;
 * - `hex` is whole netlink messages: even-length hex, each `nlmsg_len` at
 *   least 16 and within the datagram, nothing after the last message;
 * - replies are what a `Conn` would accept: a dump part (`NLM_F_MULTI`), an
 *   `NLMSG_ERROR` or an `NLMSG_DONE` that answers a recorded request comes
 *   from the kernel (sender 0) by unicast (groups 0);
 * - every dump request has its `NLMSG_DONE` (or `NLMSG_ERROR`), and every
 *   request with `NLM_F_ACK` its `NLMSG_ERROR`, among the kernel's replies.
 *
 * @module
 */

import { get16, get32, HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import { align } from "../netlink/align.ts";
import { HEADER_LENGTH, HeaderFlags, HeaderType } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { RecordedDatagram } from "./record.ts";

/** A checked entry: the datagram decoded, and where it came from for messages. */
export interface CheckedLine {
  entry: RecordedDatagram;
  /** `line 3` (text) or `entry 3` (array). */
  where: string;
  data?: Uint8Array<ArrayBuffer>;
  messages: Message[];
}

/** Lowercase hex of bytes. */
export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of hex text; a TypeError naming `where` when it is not hex. */
export function fromHex(
  s: string,
  where = "the recording",
): Uint8Array<ArrayBuffer> {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new TypeError(
      `Cannot read recording: ${where}: "hex" ${
        JSON.stringify(s.length > 16 ? s.slice(0, 16) + "..." : s)
      } is not hex${s.length % 2 !== 0 ? " (odd length: cut short?)" : ""}`,
    );
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/**
 * The message at `pos` of a datagram, read as `netlink_rcv_skb` reads it
 * (no copy): `undefined` when no header fits or its length is below the
 * header's or past the datagram, where the kernel ends its walk silently.
 */
export function messageAt(d: Uint8Array, pos: number): Message | undefined {
  if (d.length - pos < HEADER_LENGTH) return undefined;
  const length = get32(d, pos, LE) >>> 0;
  if (length < HEADER_LENGTH || length > d.length - pos) return undefined;
  return {
    header: {
      length,
      type: get16(d, pos + 4, LE),
      flags: get16(d, pos + 6, LE),
      sequence: get32(d, pos + 8, LE) >>> 0,
      pid: get32(d, pos + 12, LE) >>> 0,
    },
    data: d.subarray(pos + HEADER_LENGTH, pos + length),
  };
}

/** Splits a datagram the way the kernel walks it: stops at the first bad length, never throws. */
export function messagesOf(d: Uint8Array): Message[] {
  const out: Message[] = [];
  for (let p = 0, m = messageAt(d, 0); m; m = messageAt(d, p)) {
    out.push(m);
    p += align(m.header.length);
  }
  return out;
}

function fail(where: string, what: string): never {
  throw new TypeError(`Cannot read recording: ${where}: ${what}`);
}

function checkInteger(
  where: string,
  field: string,
  v: unknown,
  min: number,
  max: number,
  what: string,
): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fail(where, `"${field}" ${JSON.stringify(v)} is not ${what}`);
  }
}

/** Checks that `d` is whole netlink messages; returns them. */
function framing(d: Uint8Array, where: string): Message[] {
  if (d.length === 0) fail(where, `"hex" is empty: no netlink message`);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let p = 0;
  while (d.length - p >= HEADER_LENGTH) {
    const length = v.getUint32(p, LE);
    if (length < HEADER_LENGTH) {
      fail(
        where,
        `"hex": the message at byte ${p} has length ${length}, less than its 16-byte header`,
      );
    }
    if (length > d.length - p) {
      fail(
        where,
        `"hex": the message at byte ${p} has length ${length}, but only ${
          d.length - p
        } bytes are left (the hex is cut short?)`,
      );
    }
    p += align(length);
  }
  if (p < d.length) {
    fail(
      where,
      `"hex": ${
        d.length - p
      } bytes at byte ${p} are too short for a netlink message (the hex is cut short?)`,
    );
  }
  return messagesOf(d);
}

/**
 * Checks one entry of a recording (see the module doc).
 *
 * @param e The entry, as parsed from JSON or given in an array.
 * @param where `line N` or `entry N`, for messages.
 * @returns The entry with its datagram decoded.
 * @throws {TypeError} Naming `where` and the field.
 */
export function checkEntry(e: unknown, where: string): CheckedLine {
  if (typeof e !== "object" || e === null || Array.isArray(e)) {
    fail(where, `${e === null ? "null" : typeof e} is not a recorded datagram`);
  }
  const d = e as RecordedDatagram;
  if (d.dir !== "send" && d.dir !== "recv" && d.dir !== "error") {
    fail(
      where,
      `"dir" ${JSON.stringify(d.dir)} is not "send", "recv" or "error"`,
    );
  }
  checkInteger(
    where,
    "family",
    d.family,
    0,
    31,
    "a netlink protocol (0 to 31)",
  );
  const u32 = "an unsigned 32-bit integer";
  checkInteger(where, "pid", d.pid, 0, 0xffffffff, u32);
  if (d.dir === "error") {
    if (d.errno === undefined) fail(where, `an "error" line needs "errno"`);
    checkInteger(where, "errno", d.errno, 1, 4095, "an errno (1 to 4095)");
    return { entry: d, where, messages: [] };
  }
  checkInteger(where, "sender", d.sender, 0, 0xffffffff, u32);
  checkInteger(where, "groups", d.groups, 0, 0xffffffff, u32);
  if (typeof d.hex !== "string") fail(where, `"hex" is missing`);
  const data = fromHex(d.hex, where);
  return { entry: d, where, data, messages: framing(data, where) };
}

/** The kernel's answer to a request, in the recording. */
export interface RecordedReply {
  line: CheckedLine;
  sender: number;
  groups: number;
}

const isFinal = (m: Message): boolean =>
  m.header.type === HeaderType.Error ||
  (m.header.type === HeaderType.Done &&
    (m.header.flags & HeaderFlags.Multi) !== 0);

/**
 * Checks that the replies recorded after a send line complete its requests
 * the way a `Conn` needs (see the module doc).
 *
 * @param send The send line.
 * @param replies The lines attributed to it, in order.
 * @param describe Names a request in messages.
 * @throws {TypeError} Naming the line and the field.
 */
export function checkExchange(
  send: CheckedLine,
  replies: readonly RecordedReply[],
  describe: (m: Message) => string,
): void {
  for (const request of send.messages) {
    const h = request.header;
    if ((h.flags & HeaderFlags.Request) === 0) continue;
    const dump = (h.flags & HeaderFlags.Dump) !== 0;
    const ack = (h.flags & HeaderFlags.Acknowledge) !== 0;
    let complete = false;
    let multi = false;
    let dropped: string | undefined;
    for (const r of replies) {
      if (r.line.entry.dir === "error") {
        complete = true; // the receive fails: the Conn fails the request
        continue;
      }
      for (const m of r.line.messages) {
        if (m.header.sequence !== h.sequence) continue;
        const kernelUnicast = r.sender === 0 && r.groups === 0;
        const replyOnly = isFinal(m) ||
          (m.header.flags & HeaderFlags.Multi) !== 0;
        if (!kernelUnicast) {
          const field = r.sender !== 0
            ? `"sender" ${r.sender} is not the kernel (0): the Conn drops unicast from other ports`
            : `"groups" ${r.groups}: a multicast datagram is not a reply`;
          if (replyOnly || r.sender !== 0) {
            fail(
              r.line.where,
              `${field}, but it answers ${send.where} (seq ${h.sequence})`,
            );
          }
          dropped ??= `${r.line.where} ${field}`;
          continue;
        }
        if (isFinal(m)) complete = true;
        else if ((m.header.flags & HeaderFlags.Multi) !== 0) multi = true;
        else if (!dump && !ack) complete = true;
      }
    }
    if (complete) continue;
    if (dump || ack || multi) {
      const missing = dump || multi ? "no NLMSG_DONE" : "no ACK (NLMSG_ERROR)";
      fail(
        send.where,
        `"hex": the ${dump ? "dump" : "request"} ${
          describe(request)
        } (seq ${h.sequence}) has ${missing} from the kernel in the recording${
          dropped === undefined ? "" : ` (${dropped})`
        }`,
      );
    }
  }
}
