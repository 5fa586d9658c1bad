/**
 * `dial`: a real `Conn` over an in-memory socket answered by a kernel function.
 *
 * @module
 */

import { connFromSocket, socketOf } from "../netlink/conn.ts";
import type { Conn } from "../netlink/conn.ts";
import {
  ConnOption,
  HEADER_LENGTH,
  HeaderFlags,
  HeaderType,
} from "../netlink/header.ts";
import {
  encodeMessage,
  encodeMessages,
  type Message,
  parseMessages,
} from "../netlink/message.ts";
import type { ConnOptions } from "../netlink/options.ts";
import { type ErrorLayout, errorLayout } from "../netlink/ext_ack.ts";
import { groupMask, MemorySocket } from "./_memory_socket.ts";
import { ack } from "./error.ts";

/**
 * A simulated kernel: receives the requests of one sent datagram (usually
 * one) and returns the replies. Replies may leave `sequence` and `pid` at 0
 * and `length` anything: `dial` fills them in.
 *
 * @example An echo kernel: each request is answered with its own payload
 * ```ts
 * import { dial, type Kernel } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const echo: Kernel = (requests) =>
 *   requests.map((r) => ({ header: { length: 0, type: r.header.type, flags: 0, sequence: 0, pid: 0 }, data: r.data }));
 * using conn = dial(echo);
 * const [reply] = await conn.execute({
 *   header: { length: 0, type: 0x20, flags: HeaderFlags.Request, sequence: 0, pid: 0 },
 *   data: new Uint8Array([1, 2, 3, 4]),
 * });
 * assert.deepEqual([...reply!.data], [1, 2, 3, 4]);
 * assert.equal(reply!.header.pid, conn.pid); // stamped by dial
 * ```
 */
export type Kernel = (requests: Message[]) => Message[] | Promise<Message[]>;

/**
 * The default port id of a connection opened by {@linkcode dial}.
 *
 * @example The default port id, and choosing another
 * ```ts
 * import { dial, PID } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PID, 1);
 * using conn = dial(() => []);
 * assert.equal(conn.pid, PID);
 * using other = dial(() => [], { pid: 42 });
 * assert.equal(other.pid, 42);
 * ```
 */
export const PID = 1;

/**
 * Opens a real {@linkcode Conn} whose socket is in memory and whose kernel
 * is the function `kernel`. Every datagram the Conn sends is parsed into
 * messages and handed to `kernel`; its replies are returned to the Conn the
 * way Linux returns them:
 *
 * - a reply's zero `sequence` becomes the (first) request's sequence, a
 *   zero `pid` the request's port id, and `length` is recomputed;
 * - each reply travels in its own datagram, except a multipart run
 *   (`NLM_F_MULTI` up to `NLMSG_DONE`), which is split over several
 *   datagrams (half of the rest each time) to exercise multi-read code;
 * - a request with `Acknowledge` gets an ACK after its replies unless they
 *   hold an `NLMSG_ERROR` or `NLMSG_DONE` for it (dumps end in DONE and
 *   get no ACK, as on Linux);
 * - the connection's options are honoured in `NLMSG_ERROR` replies:
 *   without extended ACK (`extendedAck: false`) the attributes are stripped;
 *   with `capAck` only the request header is echoed (`NLM_F_CAPPED`).
 *
 * A synchronous kernel answers before `send` returns, as Linux does; an
 * async kernel answers later. A kernel that throws (or rejects) makes the
 * waiting call reject with that error. Unlike the Go reference, the kernel
 * is not called with no requests to emulate multicast: push notifications
 * with {@linkcode notify}.
 *
 * @param kernel The kernel function.
 * @param options Connection options: `pid` (default {@linkcode PID}),
 * `groups` (bind-time groups), and the socket options of `ConnOptions`.
 * @returns An open connection.
 *
 * @example Using dial
 * ```ts
 * import { dial } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * using conn = dial(() => []); // answers nothing; ACKs are added by nltest
 * const replies = await conn.execute({
 *   header: { length: 0, type: 0x10, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 },
 *   data: new Uint8Array(0),
 * });
 * assert.deepEqual(replies, []); // the ACK was consumed
 * ```
 */
export function dial(kernel: Kernel, options: ConnOptions = {}): Conn {
  if (typeof kernel !== "function") {
    throw new TypeError("Cannot dial: kernel must be a function");
  }
  const socket = new MemorySocket({
    pid: options.pid === undefined || options.pid === 0 ? PID : options.pid,
    groups: options.groups ?? 0,
    onSend: (s, datagram) => {
      const requests = parseMessages(datagram);
      const replies = kernel(requests);
      if (replies instanceof Promise) {
        return replies.then((r) => respond(s, requests, r));
      }
      respond(s, requests, replies);
    },
  });
  return connFromSocket(socket, options);
}

/**
 * Pushes multicast messages to a connection opened by {@linkcode dial},
 * as the kernel does for a notification: one datagram per message, sequence
 * and pid 0 unless set, delivered only if the connection joined `group`.
 *
 * @param conn A connection from nltest's `dial`.
 * @param group The multicast group (1 or more).
 * @param messages The notifications.
 * @returns True when delivered, false when `conn` is not in `group`.
 * @throws {TypeError} If `conn` was not opened by nltest.
 * @throws {RangeError} If `group` is not a positive integer.
 *
 * @example Using notify
 * ```ts
 * import { dial, notify } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * using conn = dial(() => [], { groups: 1 }); // bind-time group 1
 * const m = { header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(0) };
 * assert.equal(notify(conn, 1, [m]), true);
 * assert.equal(notify(conn, 2, [m]), false);
 * const [got] = await conn.receive();
 * assert.equal(got!.header.type, 0x10);
 * ```
 */
export function notify(
  conn: Conn,
  group: number,
  messages: readonly Message[],
): boolean {
  const s = socketOf(conn);
  if (!(s instanceof MemorySocket)) {
    throw new TypeError(
      "Cannot notify: the connection was not opened by nltest",
    );
  }
  if (!Number.isInteger(group) || group < 1 || group > 0xffffffff) {
    throw new RangeError(
      `Cannot notify: group ${group} is not an integer from 1 to 4294967295`,
    );
  }
  if (!s.groups.has(group)) return false;
  for (const m of messages) {
    s.deliver(
      encodeMessage({ header: { ...m.header, length: 0 }, data: m.data }),
      0,
      groupMask(group),
    );
  }
  return true;
}

function isFinal(m: Message): boolean {
  const t = m.header.type;
  return t === HeaderType.Error ||
    (t === HeaderType.Done && (m.header.flags & HeaderFlags.Multi) !== 0);
}

/** Fills, completes with ACKs, applies socket options, splits into datagrams and delivers. */
function respond(
  socket: MemorySocket,
  requests: Message[],
  replies: Message[],
): void {
  if (!Array.isArray(replies)) {
    throw new TypeError(
      "Cannot answer: the kernel must return an array of messages",
    );
  }
  const first = requests[0];
  const out: Message[] = replies.map((m) => ({
    header: {
      length: 0,
      type: m.header.type,
      flags: m.header.flags,
      sequence: m.header.sequence === 0 && first !== undefined
        ? first.header.sequence
        : m.header.sequence,
      pid: m.header.pid === 0 && first !== undefined
        ? first.header.pid
        : m.header.pid,
    },
    data: m.data,
  }));
  for (const r of requests) {
    if ((r.header.flags & HeaderFlags.Acknowledge) === 0) continue;
    if (
      out.some((m) => m.header.sequence === r.header.sequence && isFinal(m))
    ) continue;
    out.push(...ack(r));
  }
  const extAck = socket.getOption(ConnOption.ExtendedAcknowledge);
  const capAck = socket.getOption(ConnOption.CapAcknowledge);
  for (let i = 0; i < out.length; i++) {
    const m = out[i]!;
    if (m.header.type === HeaderType.Error) {
      out[i] = adjustError(m, extAck, capAck);
    } else if (
      m.header.type === HeaderType.Done && !extAck &&
      (m.header.flags & HeaderFlags.AcknowledgeTLVs) !== 0
    ) {
      // Without NETLINK_EXT_ACK the kernel's DONE carries only the errno.
      out[i] = {
        header: {
          ...m.header,
          flags: m.header.flags & ~HeaderFlags.AcknowledgeTLVs,
        },
        data: m.data.subarray(0, 4),
      };
    }
  }
  let i = 0;
  while (i < out.length) {
    if ((out[i]!.header.flags & HeaderFlags.Multi) === 0) {
      socket.deliver(encodeMessage(out[i]!));
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && (out[j]!.header.flags & HeaderFlags.Multi) !== 0) {
      j++;
      if (out[j - 1]!.header.type === HeaderType.Done) break;
    }
    let run = out.slice(i, j);
    while (run.length > 0) {
      const n = Math.ceil(run.length / 2);
      socket.deliver(encodeMessages(run.slice(0, n)));
      run = run.slice(n);
    }
    i = j;
  }
}

/** Applies NETLINK_EXT_ACK (off: no TLVs) and NETLINK_CAP_ACK (header-only echo) to an NLMSG_ERROR. */
function adjustError(m: Message, extAck: boolean, capAck: boolean): Message {
  let l: ErrorLayout | null;
  try {
    l = errorLayout(m);
  } catch {
    return m; // a deliberately malformed reply is delivered as built
  }
  if (l === null) return m;
  let flags = m.header.flags;
  const tlvs = l.tlvs < 0 ? l.end : l.tlvs;
  let keepTlvs = true;
  let echoEnd = tlvs;
  if (!extAck && (flags & HeaderFlags.AcknowledgeTLVs) !== 0) {
    keepTlvs = false;
    flags &= ~HeaderFlags.AcknowledgeTLVs;
  }
  if (capAck && l.value !== 0 && (flags & HeaderFlags.Capped) === 0) {
    echoEnd = 4 + HEADER_LENGTH;
    flags |= HeaderFlags.Capped;
  }
  if (flags === m.header.flags) return m;
  const d = m.data;
  const rest = keepTlvs ? d.subarray(tlvs, l.end) : d.subarray(0, 0);
  const data = new Uint8Array(echoEnd + rest.length);
  data.set(d.subarray(0, echoEnd));
  data.set(rest, echoEnd);
  return { header: { ...m.header, flags, length: 0 }, data };
}
