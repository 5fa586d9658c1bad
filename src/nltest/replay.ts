/**
 * Record and replay: capture what a real `Conn` exchanges with the kernel as
 * JSON lines (one datagram a line: hex plus a readable header summary), then
 * answer the same requests with no kernel at all, on any platform. Captures
 * of the nlmon device (pcap, `LINKTYPE_NETLINK`) convert to the same format.
 * Recording lives in `record.ts`; this module replays.
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN as LE } from "../netlink/_endian.ts";
import { align } from "../netlink/align.ts";
import { type Conn, connFromSocket } from "../netlink/conn.ts";
import { Family, HEADER_LENGTH, HeaderType } from "../netlink/header.ts";
import { formatFlags, type Message } from "../netlink/message.ts";
import type { ConnOptions } from "../netlink/options.ts";
import { MemorySocket } from "./_memory_socket.ts";
import {
  type CheckedLine,
  checkEntry,
  checkExchange,
  messagesOf,
  type RecordedReply,
  toHex,
} from "./_recording.ts";
import type { Kernel } from "./dial.ts";
import {
  checkText,
  flagContext,
  type RecordedDatagram,
  typeName,
} from "./record.ts";
import { UnexpectedRequestError } from "./unexpected_request.ts";

export {
  type MessageSummary,
  parseRecording,
  record,
  type RecordedDatagram,
  type Recorder,
  recordingFromPcap,
  type RecordOptions,
  summarizeDatagram,
} from "./record.ts";

interface Reply {
  data?: Uint8Array;
  sender: number;
  groups: number;
  errno?: number;
}

interface Exchange {
  family: number | undefined;
  send: CheckedLine;
  requests: Message[];
  port: number;
  replies: Reply[];
  lines: RecordedReply[];
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
 * A replayed connection gets datagrams only when it sends: a wait on an
 * empty queue with no send in the same turn of the event loop would last
 * forever, so the waiting call fails with an {@linkcode UnexpectedRequestError}
 * instead (a request running past the end of its recorded replies).
 */
function stopStalls(
  socket: MemorySocket,
  sends: () => number,
  last: string | undefined,
): void {
  const wait = socket.wait.bind(socket);
  let timer: ReturnType<typeof setTimeout> | undefined;
  socket.wait = (signal?: AbortSignal): Promise<void> => {
    const p = wait(signal);
    if (timer === undefined && socket.queued === 0 && !socket.closed) {
      const at = sends();
      timer = setTimeout(() => {
        timer = undefined;
        if (
          sends() === at && socket.queued === 0 && socket.waiting > 0 &&
          !socket.closed
        ) {
          socket.failNextReceive(
            new UnexpectedRequestError(
              `Cannot replay: the recording has nothing more for this connection (it ends at ${
                last ?? "its start"
              }); the call would wait forever`,
            ),
          );
        }
      }, 0);
    }
    return p;
  };
  const close = socket.close.bind(socket);
  socket.close = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    close();
  };
}

/**
 * Builds a simulated kernel from a recording: each request sent through
 * its Conn is matched against the recorded requests (netlink type, flags
 * and the whole payload, so the generic netlink command and every
 * attribute; the sequence number and port id are ignored), and the
 * recorded replies are delivered with the live request's sequence number
 * and port id. Identical requests are answered in recorded order, then the
 * last recording repeats. A request that was never recorded fails the
 * waiting call with an {@linkcode UnexpectedRequestError} naming it.
 *
 * The recording is checked when loaded, and a bad one is a `TypeError`
 * naming the line (or array entry) and the field: a field of the wrong
 * type or range, hex that is not whole netlink messages (cut short, a
 * length of 0 or beyond the datagram), a reply the `Conn` would drop (a
 * dump part, error or DONE from a port other than the kernel, or by
 * multicast), a dump without its `NLMSG_DONE` or an `NLM_F_ACK` request
 * without its ACK. A replayed connection never waits forever: when it
 * waits with nothing recorded left to deliver (a request running past the
 * end of its recorded replies), the waiting call fails with
 * `UnexpectedRequestError`.
 *
 * @param recording JSON lines from {@linkcode record}, or parsed datagrams
 *   (from {@linkcode parseRecording} or {@linkcode recordingFromPcap}).
 * @param family Replay only the lines of this protocol (default: all).
 * @returns The replayer.
 * @throws {TypeError} If the recording is malformed (see above).
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
  const checked = typeof recording === "string"
    ? checkText(recording)
    : Array.isArray(recording)
    ? recording.map((e, i) => checkEntry(e, `entry ${i + 1}`))
    : (() => {
      throw new TypeError(
        "Cannot read recording: want JSON lines text or an array of recorded datagrams",
      );
    })();
  const lines = checked.filter((l) =>
    family === undefined || l.entry.family === undefined ||
    l.entry.family === family
  );
  const prelude: Reply[] = [];
  const exchanges: Exchange[] = [];
  for (const l of lines) {
    const line = l.entry;
    if (line.dir === "send") {
      const requests = l.messages;
      const port = line.pid ?? requests.find((r) =>
        r.header.pid !== 0
      )?.header.pid ?? 0;
      exchanges.push({
        family: line.family,
        send: l,
        requests,
        port,
        replies: [],
        lines: [],
        uses: 0,
      });
      continue;
    }
    const reply: Reply = line.dir === "error"
      ? { sender: 0, groups: 0, errno: line.errno! }
      : {
        data: l.data!,
        sender: line.sender ?? 0,
        groups: line.groups ?? 0,
      };
    let owner: Exchange | undefined;
    if (reply.data && reply.groups === 0) {
      const seq = l.messages[0]?.header.sequence;
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
        owner.port = l.messages[0]?.header.pid ?? 0;
      }
      owner.replies.push(reply);
      owner.lines.push({ line: l, sender: reply.sender, groups: reply.groups });
    } else prelude.push(reply);
  }
  const first = lines[0]?.entry.family;
  for (const ex of exchanges) {
    checkExchange(ex.send, ex.lines, (m) => describeRequest(m, ex.family));
  }
  const last = lines[lines.length - 1]?.where;

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
      let sends = 0;
      const socket = new MemorySocket({
        pid: options.pid ?? exchanges[0]?.port ?? 1,
        groups: options.groups ?? 0,
        onSend: (s, d) => {
          sends++;
          for (const r of answer(d, s.pid)) {
            if (r.errno !== undefined) s.failNextReceive(r.errno);
            else s.deliver(r.data!, r.sender, r.groups);
          }
        },
      });
      stopStalls(socket, () => sends, last);
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
