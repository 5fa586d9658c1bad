/**
 * Routes each received datagram of a `Conn`, message by message: replies to
 * the request with their sequence number (validated, ended by their ACK,
 * `NLMSG_DONE` or error), notifications to the open streams, replies to
 * `send()` to the `receive()` backlog. Kept messages share one copy of
 * their datagram. Not part of the public API.
 *
 * @module
 */

import type { Socket } from "./_socket.ts";
import type { Encoder } from "./_conn_encoder.ts";
import {
  type Registry,
  type Request,
  STREAM,
  VISIT,
} from "./_conn_requests.ts";
import {
  checkReply,
  DONE,
  DUMP_INTR,
  END,
  END_ERROR,
  endOf,
  kernelError,
  MULTI,
  NOOP,
  NOT_END,
} from "./_conn_state.ts";
import type { Unsolicited } from "./_conn_unsolicited.ts";
import { Errno } from "./errno.ts";
import { NetlinkError } from "./errors.ts";
import { HEADER_LENGTH } from "./header.ts";
import { type Message, type MessageView, visitDatagram } from "./message.ts";

/** Routes datagrams to requests, notification streams and the `receive()` backlog. */
export class Router {
  readonly #socket: Socket;
  readonly #registry: Registry;
  readonly #unsolicited: Unsolicited;
  readonly #encoder: Encoder;
  /** The datagram is multicast: every message is a notification. */
  #multicast = false;
  /** The request of the last routed reply (blamed for a malformed datagram). */
  #last: Request | null = null;
  /** Requests whose reply is this one datagram (no `NLM_F_MULTI`, no ACK asked): done after it. */
  readonly #ends: Request[] = [];
  /**
   * The datagram being routed, copied at most once (on the first message
   * kept from it): every kept {@linkcode Message} gets a view of this one
   * copy, so a dump allocates one buffer per datagram, not one per message.
   */
  #copy: ArrayBuffer | null = null;
  readonly #view: MessageView = {
    header: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
    bytes: new Uint8Array(0),
    offset: 0,
    length: 0,
  };
  readonly #onMessage: (view: MessageView) => void;
  /** EBUSY for dump `p`: whether it will be sent again (see `Registry.busy`). */
  readonly #onBusy: (p: Request) => boolean;

  constructor(
    socket: Socket,
    registry: Registry,
    unsolicited: Unsolicited,
    encoder: Encoder,
    onBusy: (p: Request) => boolean,
  ) {
    this.#onBusy = onBusy;
    this.#socket = socket;
    this.#registry = registry;
    this.#unsolicited = unsolicited;
    this.#encoder = encoder;
    this.#onMessage = (view) => this.#route(view);
  }

  /** Routes one datagram just received from the socket. */
  datagram(d: Uint8Array): void {
    const socket = this.#socket;
    const groups = socket.senderGroups;
    // Unicast from another port is not the kernel: drop it.
    if (groups === 0 && socket.senderPid !== 0) return;
    this.#multicast = groups !== 0;
    if (d.length < HEADER_LENGTH) {
      this.#short(d);
      return;
    }
    const v = this.#view;
    this.#copy = null;
    try {
      visitDatagram(d, d.length, v, this.#onMessage);
    } catch (e) {
      this.#malformed(e, v);
    }
    this.#copy = null;
    const ends = this.#ends;
    if (ends.length > 0) {
      for (const p of ends) {
        if (p.registered && !p.multi) this.#registry.finish(p, null);
      }
      ends.length = 0;
    }
    this.#unsolicited.endDatagram();
  }

  /** Forgets the request blamed for malformed datagrams (close). */
  clear(): void {
    this.#last = null;
  }

  /** Routes one message of the current datagram. */
  #route(v: MessageView): void {
    const h = v.header;
    if (this.#multicast) {
      this.#notification(v);
      return;
    }
    const seq = h.sequence;
    const p = this.#registry.lookup(seq);
    if (p === null) {
      if (seq === 0) this.#notification(v);
      else if (this.#unsolicited.isSent(seq)) this.#received(v);
      // Otherwise a reply nobody waits for: dropped.
      return;
    }
    this.#last = p;
    // netlink(7): NLMSG_NOOP "is to be ignored"; it neither answers nor ends a request.
    if (h.type === NOOP) return;
    const flags = h.flags;
    const end = endOf(v);
    if (end !== NOT_END) {
      // The kernel marks the DONE too when the data changed after the last part.
      if ((flags & DUMP_INTR) !== 0) p.interrupted = true;
      const err = end === END
        ? null
        : kernelError(v, p.op, this.#encoder.bytesOf(p));
      if (err?.errno === Errno.EBUSY && p.dump && this.#onBusy(p)) return;
      this.#registry.finish(p, err);
      return;
    }
    if (!p.done) {
      // The sequence matched (routing); the pid rule of checkReply remains.
      const pid = h.pid;
      if (pid !== p.pid && pid !== 0 && p.pid !== 0) {
        this.#registry.fail(p, checkReply(p.seq, p.pid, h));
      } else {
        if ((flags & DUMP_INTR) !== 0) p.interrupted = true;
        const kind = p.kind;
        if (kind === VISIT) {
          try {
            p.visitor!(v);
            p.count++;
          } catch (e) {
            this.#registry.fail(p, e);
          }
        } else if (kind === STREAM) {
          const map = p.map;
          if (map === null) p.stream!.push(this.#keep(v));
          else {
            // Mapped in place, as a visitor would (the view is valid now only).
            try {
              const item = map(v);
              if (item !== undefined) p.stream!.push(item);
            } catch (e) {
              this.#registry.fail(p, e);
            }
          }
        } else p.messages.push(this.#keep(v));
      }
    }
    if ((flags & MULTI) !== 0) p.multi = true;
    else if (!p.multi && !p.expectAck) this.#ends.push(p);
  }

  /** A notification: to the open streams, or to `receive()` when none is open. */
  #notification(v: MessageView): void {
    const u = this.#unsolicited;
    if (u.listeners.size > 0) u.notify(this.#keep(v));
    else this.#received(v);
  }

  /** A message for `receive()`: added to the datagram's batch (errors and DONE end it). */
  #received(v: MessageView): void {
    const b = this.#unsolicited.batch();
    if (b.error !== null || b.done) return;
    const h = v.header;
    if ((h.flags & DUMP_INTR) !== 0) b.interrupted = true;
    const end = endOf(v);
    if (end === END_ERROR) {
      b.error = kernelError(v, "receive", undefined);
      return;
    }
    if (end === END && h.type === DONE) {
      b.done = true;
      return;
    }
    b.messages.push(this.#keep(v));
  }

  /** A datagram too short to name its request: blame the only one in flight, if there is just one. */
  #short(d: Uint8Array): void {
    const only = this.#registry.only();
    if (d.length === 0 || only === null || only.done || this.#multicast) {
      return;
    }
    const e = new RangeError(
      `Cannot decode netlink message: ${d.length} bytes are too short for a 16-byte header at offset 0`,
    );
    this.#registry.fail(
      only,
      new NetlinkError(only.op, Errno.EBADMSG, {
        cause: e,
        sequence: only.seq,
      }),
    );
  }

  /** A datagram failed to parse at `v.header`: the request it belongs to fails with EBADMSG. */
  #malformed(e: unknown, v: MessageView): void {
    if (this.#multicast) return;
    const p = this.#registry.lookup(v.header.sequence) ?? this.#last;
    if (p === null || p.done) return;
    this.#registry.fail(
      p,
      new NetlinkError(p.op, Errno.EBADMSG, { cause: e, sequence: p.seq }),
    );
  }

  /**
   * A Message for the view `v` of the current datagram, its `data` a view of
   * the datagram's one copy (made here on first use). A datagram holding just
   * this message copies only the payload, as a lone `slice()` would.
   */
  #keep(v: MessageView): Message {
    const h = v.header;
    const start = v.offset;
    const length = v.length;
    let data: Uint8Array;
    // (A constructor call is cheaper than subarray() on both engines.)
    const c = this.#copy;
    if (c !== null) data = new Uint8Array(c, start, length);
    else {
      const bytes = v.bytes;
      if (
        start === HEADER_LENGTH && bytes.length - start - length < HEADER_LENGTH
      ) {
        // The only message of its datagram (what follows is too short for another).
        data = bytes.slice(start, start + length);
      } else {
        const copy = bytes.slice().buffer;
        this.#copy = copy;
        data = new Uint8Array(copy, start, length);
      }
    }
    return {
      header: {
        length: h.length,
        type: h.type,
        flags: h.flags,
        sequence: h.sequence,
        pid: h.pid,
      },
      data,
    };
  }
}
