/**
 * The sending side of a `Conn`: the sequence counter and one reused encode
 * buffer that requests are written into and sent from. Not part of the
 * public API.
 *
 * A request is `{ header, data? }`, or, inside the package, one with a
 * body writer too (`{ header, data?, [WRITE]: (e) => ... }`): the
 * generated families write their requests straight into the connection's
 * reused {@linkcode AttributeEncoder} (no `Uint8Array` of their own, no
 * copy), which is then sent as it is.
 *
 * @module
 */

import type { Socket } from "./_socket.ts";
import { get32, HOST_LITTLE_ENDIAN, put16, put32 } from "./_endian.ts";
import { AttributeEncoder } from "./attribute.ts";
import { checkInteger, INITIAL_OUT, socketError } from "./_conn_state.ts";
import { HEADER_LENGTH } from "./header.ts";
import type { Message } from "./message.ts";

/**
 * The key of a request's body writer: in `{ header, data?, [WRITE]: (e) =>
 * ... }` the payload (everything after the netlink header) is `data`
 * (padded to 4 bytes), then what the writer appends to `e`, the
 * connection's reused encoder, when the request is encoded. A writer that
 * throws sends nothing and leaves the connection as it was (its sequence
 * counter too). Internal: not exported from `mod.ts`, so only the
 * package's own layers (the generated families, `GenlConn`) make such
 * requests; such a request is sent alone (not by `sendMessages`).
 */
export const WRITE: unique symbol = Symbol("nlkit.conn.write");

/** Writes a request's payload into the connection's encoder (see {@linkcode WRITE}). */
export type BodyWriter = (e: AttributeEncoder) => void;

/** Where a request's bytes are: a private copy, or the encode buffer of generation `gen`. */
export interface Encoded {
  bytes: Uint8Array | null;
  gen: number;
  length: number;
}

/**
 * A request to encode: `data` may be absent (a header-only request), or
 * (inside the package) replaced by a body writer under {@linkcode WRITE}.
 */
export type Outgoing = {
  header: Message["header"];
  data?: Uint8Array;
  [WRITE]?: BodyWriter;
};

/** The netlink header's room in a written request (read-only zeros, never written). */
const HEADER_ROOM = new Uint8Array(HEADER_LENGTH);

/**
 * Encodes requests into one buffer that grows as needed, and sends them.
 * Every encode starts a new generation: a request's bytes stay in the
 * buffer only until the next encode, so a request that must outlive that
 * (an error's attribute path is resolved against it) is copied out first
 * with {@linkcode Encoder.keep}.
 */
export class Encoder {
  /** Bumped by every {@linkcode Encoder.begin}. */
  gen = 0;
  #seq: number;
  #out: Uint8Array<ArrayBuffer> = new Uint8Array(INITIAL_OUT);
  #view = new DataView(this.#out.buffer);
  /** The last view sent, reused while the length repeats. */
  #sub: Uint8Array = this.#out.subarray(0, 0);
  /** Where written requests ({@linkcode WRITE}) are encoded; made on first use. */
  #written: AttributeEncoder | null = null;
  /** The bytes of this generation's request when it was written there, else null (`#out`). */
  #cur: Uint8Array | null = null;

  constructor() {
    this.#seq = crypto.getRandomValues(new Uint32Array(1))[0]!;
  }

  /** The next sequence number (never 0: 0 means "no sequence"). */
  nextSequence(): number {
    let s = (this.#seq + 1) >>> 0;
    if (s === 0) s = 1;
    this.#seq = s;
    return s;
  }

  /** The counter, to give back the numbers of a request that failed to encode. */
  get sequence(): number {
    return this.#seq;
  }

  set sequence(s: number) {
    this.#seq = s;
  }

  /** Starts a new datagram: earlier requests' bytes may be overwritten. */
  begin(): number {
    this.#cur = null;
    return ++this.gen;
  }

  /**
   * Writes `m` at `start` with `seq` and `pid`; returns the aligned end.
   *
   * @throws {RangeError} If a header field is out of range (naming it).
   */
  encode(
    op: string,
    m: Outgoing,
    start: number,
    seq: number,
    pid: number,
  ): number {
    const write = m[WRITE];
    if (write !== undefined) return this.#write(op, m, write, start, seq, pid);
    const h = m.header;
    const data = m.data;
    const size = data === undefined ? 0 : data.length;
    const need = HEADER_LENGTH + size;
    const length = h.length === 0 ? need : h.length;
    const type = h.type;
    const flags = h.flags;
    // One cheap test for the common case; the detailed checks name the culprit.
    if (
      (type & 0xffff) !== type || (flags & 0xffff) !== flags ||
      seq >>> 0 !== seq || pid >>> 0 !== pid ||
      length >>> 0 !== length || length < need || length > 0xfffffffc
    ) {
      checkInteger(op, "header type", type, 0, 0xffff);
      checkInteger(op, "header flags", flags, 0, 0xffff);
      checkInteger(op, "header sequence", seq, 0, 0xffffffff);
      checkInteger(op, "header pid", pid, 0, 0xffffffff);
      checkInteger(op, "header length", length, need, 0xfffffffc);
    }
    const end = start + ((length + 3) & ~3);
    if (end > this.#out.length) this.#grow(start, end);
    const v = this.#view;
    v.setUint32(start, length, HOST_LITTLE_ENDIAN);
    v.setUint16(start + 4, type, HOST_LITTLE_ENDIAN);
    v.setUint16(start + 6, flags, HOST_LITTLE_ENDIAN);
    v.setUint32(start + 8, seq, HOST_LITTLE_ENDIAN);
    v.setUint32(start + 12, pid, HOST_LITTLE_ENDIAN);
    if (size > 0) this.#out.set(data!, start + HEADER_LENGTH);
    if (start + need < end) this.#out.fill(0, start + need, end);
    return end;
  }

  /**
   * Encodes a written request ({@linkcode WRITE}): the header's room, the
   * writer's payload, then the header, all in the reused encoder; this
   * generation's bytes are then that encoder's.
   */
  #write(
    op: string,
    m: Outgoing,
    write: BodyWriter,
    start: number,
    seq: number,
    pid: number,
  ): number {
    if (start !== 0) {
      throw new TypeError(`Cannot ${op}: a written request is sent alone`);
    }
    const e = this.#written ??= new AttributeEncoder();
    e.reset();
    e.raw(HEADER_ROOM);
    const data = m.data;
    if (data !== undefined && data.length > 0) e.raw(data);
    write(e);
    const h = m.header;
    const need = e.length; // a multiple of 4: the encoder pads what it writes
    const length = h.length === 0 ? need : h.length;
    const type = h.type;
    const flags = h.flags;
    if (
      (type & 0xffff) !== type || (flags & 0xffff) !== flags ||
      seq >>> 0 !== seq || pid >>> 0 !== pid ||
      length >>> 0 !== length || length < need || length > 0xfffffffc
    ) {
      checkInteger(op, "header type", type, 0, 0xffff);
      checkInteger(op, "header flags", flags, 0, 0xffff);
      checkInteger(op, "header sequence", seq, 0, 0xffffffff);
      checkInteger(op, "header pid", pid, 0, 0xffffffff);
      checkInteger(op, "header length", length, need, 0xfffffffc);
    }
    // A stated length beyond the payload: zeros up to it, as for `data`.
    if (length > need) e.raw(new Uint8Array(((length + 3) & ~3) - need));
    const b = e.view();
    put32(b, 0, length, HOST_LITTLE_ENDIAN);
    put16(b, 4, type, HOST_LITTLE_ENDIAN);
    put16(b, 6, flags, HOST_LITTLE_ENDIAN);
    put32(b, 8, seq, HOST_LITTLE_ENDIAN);
    put32(b, 12, pid, HOST_LITTLE_ENDIAN);
    this.#cur = b;
    return b.length;
  }

  /** The `nlmsg_len` written at `start`. */
  lengthAt(start: number): number {
    const cur = this.#cur;
    return cur !== null
      ? get32(cur, start, HOST_LITTLE_ENDIAN) >>> 0
      : this.#view.getUint32(start, HOST_LITTLE_ENDIAN);
  }

  /**
   * Sends the first `end` bytes of the buffer.
   *
   * @throws {NetlinkError} When the socket fails (`cause`: the SyscallError).
   */
  send(socket: Socket, op: string, end: number): void {
    // #sub is a view of the current buffer (growing resets it to length 0),
    // so its length alone tells whether it can be reused. A written
    // request is sent from its encoder.
    let sub = this.#cur;
    if (sub === null) {
      sub = this.#sub;
      if (sub.length !== end) sub = this.#sub = this.#out.subarray(0, end);
    }
    try {
      socket.send(sub);
    } catch (e) {
      throw socketError(op, e);
    }
  }

  /** A copy of the first `end` bytes (a request that is sent later). */
  copy(end: number): Uint8Array {
    return (this.#cur ?? this.#out).slice(0, end);
  }

  /** The bytes of request `r`, if still known. */
  bytesOf(r: Encoded): Uint8Array | undefined {
    if (r.bytes !== null) return r.bytes;
    return r.gen === this.gen
      ? (this.#cur ?? this.#out).subarray(0, r.length)
      : undefined;
  }

  /** Before `r`'s caller waits: copy its bytes out of the buffer, which the next request reuses. */
  keep(r: Encoded): void {
    if (r.bytes === null && r.gen === this.gen) {
      r.bytes = (this.#cur ?? this.#out).slice(0, r.length);
    }
  }

  #grow(start: number, end: number): void {
    let size = this.#out.length * 2;
    while (size < end) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#out.subarray(0, start));
    this.#out = grown;
    this.#view = new DataView(grown.buffer);
    this.#sub = grown.subarray(0, 0);
  }
}
