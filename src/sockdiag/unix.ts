/**
 * The unix_diag codec (`linux/unix_diag.h`): the request
 * (`struct unix_diag_req`) and the reply (`struct unix_diag_msg` and its
 * attributes), shared by the client and the simulated kernel.
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";
import { AttributeDecoder, type AttributeEncoder } from "../netlink/mod.ts";
import { AddressFamily, UnixDiagAttr, type UnixType } from "./constants.ts";
import {
  type RawAttribute,
  type StateName,
  stateName,
  stateNumber,
} from "./inet.ts";
import { decodeSkMemInfo, encodeSkMemInfo, type SkMemInfo } from "./meminfo.ts";
import { checkRange, checkU32, payload } from "../netlink/_struct.ts";
import { getCookie, putCookie } from "./_cookie.ts";

const LE = HOST_LITTLE_ENDIAN;

/** `sizeof(struct unix_diag_req)`. */
export const UNIX_DIAG_REQUEST_LENGTH = 24;
/** `sizeof(struct unix_diag_msg)`. */
export const UNIX_DIAG_MSG_LENGTH = 16;

const TYPES: Readonly<Record<number, UnixType>> = {
  1: "stream",
  2: "dgram",
  5: "seqpacket",
};
const TYPE_NUMBERS: Readonly<Record<string, number>> = {
  stream: 1,
  dgram: 2,
  seqpacket: 5,
};

const UTF8 = new TextDecoder();
const UTF8_ENCODER = new TextEncoder();

/**
 * One UNIX domain socket as unix_diag reports it. `path` is the bound
 * address as `ss` shows it: a file path, or `@name` for an abstract name
 * (each NUL in the name shown as `@`); absent for an unbound socket.
 *
 * @example A listening socket and its pending connection
 * ```ts
 * import { SockDiag } from "@nlkit/netlink/sockdiag";
 * import { SimSockDiag } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const sim = new SimSockDiag({ unix: [
 *   { type: "stream", state: "listen", path: "/run/demo.sock", inode: 10, pending: [12] },
 *   { type: "stream", state: "established", path: "@demo", inode: 11, peer: 12 },
 * ] });
 * await using diag = await SockDiag.open({ conn: sim.dial() });
 * const [listener, abstract] = await diag.unix();
 * assert.deepEqual(listener?.pending, [12]);
 * assert.equal(abstract?.path, "@demo");
 * assert.equal(abstract?.peer, 12);
 * ```
 */
export interface UnixSocket {
  /** `udiag_type`: `"stream"`, `"dgram"` or `"seqpacket"`. */
  type: UnixType | `unknown-${number}`;
  /** `udiag_state`: `"listen"`, `"established"`, `"close"` (unconnected) or `"syn-sent"`. */
  state: StateName;
  /** `udiag_ino`: the socket's inode. */
  inode: number;
  /** `udiag_cookie`: the socket's cookie. */
  cookie: bigint;
  /** `UNIX_DIAG_NAME`: the bound address; `@` starts an abstract name. */
  path?: string;
  /** `UNIX_DIAG_VFS`: inode and device of the socket file (path sockets). */
  vfs?: { inode: number; device: number };
  /** `UNIX_DIAG_PEER`: the peer's inode. */
  peer?: number;
  /** `UNIX_DIAG_ICONS`: for a listener, the inodes of the sockets whose connections wait to be accepted. */
  pending?: number[];
  /** `UNIX_DIAG_RQLEN` `udiag_rqueue`: bytes queued to read (listeners: connections waiting). */
  receiveQueue?: number;
  /** `UNIX_DIAG_RQLEN` `udiag_wqueue`: bytes queued to send (listeners: the backlog). */
  sendQueue?: number;
  /** `UNIX_DIAG_MEMINFO`. */
  memInfo?: SkMemInfo;
  /** `UNIX_DIAG_SHUTDOWN`: shutdown bits (1 receive, 2 send). */
  shutdown?: number;
  /** `UNIX_DIAG_UID`: the owner's uid. */
  uid?: number;
  /** Attributes not decoded above, as bytes. */
  rawAttributes?: RawAttribute[];
}

/**
 * A unix_diag request (`struct unix_diag_req`).
 *
 * @example Encode and decode a request
 * ```ts
 * import { decodeUnixDiagRequest, encodeUnixDiagRequest, UnixDiagShow } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeUnixDiagRequest({ states: 1 << 10, show: UnixDiagShow.Name }, new AttributeEncoder()).encode();
 * assert.equal(b.length, 24);
 * assert.deepEqual(decodeUnixDiagRequest(b, 0, b.length), { states: 1 << 10, show: UnixDiagShow.Name, inode: 0 });
 * ```
 */
export interface UnixDiagRequest {
  /** `udiag_states`: bit `1 << state` for each state wanted. */
  states: number;
  /** `udiag_show`: `UDIAG_SHOW_*` bits ({@linkcode UnixDiagShow}). */
  show: number;
  /** `udiag_ino`: one socket's inode, for an exact request (default 0). */
  inode?: number;
  /** `udiag_cookie`: that socket's cookie (absent: `INET_DIAG_NOCOOKIE`). */
  cookie?: bigint;
}

function checkUnix(
  bytes: Uint8Array,
  offset: number,
  length: number,
  what: string,
  min: number,
): void {
  checkRange(bytes, offset, length, what, min);
  if (bytes[offset] !== AddressFamily.Unix) {
    throw new RangeError(
      `Cannot decode ${what}: family ${
        bytes[offset]
      } is not AF_UNIX at offset ${offset}`,
    );
  }
}

/**
 * Writes a unix_diag request (`struct unix_diag_req`) into `e`.
 *
 * @param r The request.
 * @param e The encoder to append to.
 * @returns `e`.
 * @throws {TypeError} If a field is out of range.
 *
 * @example Every socket, with names and peers
 * ```ts
 * import { encodeUnixDiagRequest } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeUnixDiagRequest({ states: 0xffffffff, show: 0x5 }, new AttributeEncoder()).encode();
 * assert.deepEqual([...b.subarray(0, 4)], [1, 0, 0, 0]); // AF_UNIX, protocol 0, pad
 * ```
 */
export function encodeUnixDiagRequest(
  r: UnixDiagRequest,
  e: AttributeEncoder,
): AttributeEncoder {
  const b = new Uint8Array(UNIX_DIAG_REQUEST_LENGTH);
  b[0] = AddressFamily.Unix;
  put32(b, 4, checkU32(r.states, "unix_diag: states"), LE);
  put32(b, 8, checkU32(r.inode ?? 0, "unix_diag: inode"), LE);
  put32(b, 12, checkU32(r.show, "unix_diag: show"), LE);
  putCookie(b, 16, r.cookie ?? 0xffffffffffffffffn, "unix_diag request");
  return e.raw(b);
}

/**
 * Decodes a unix_diag request (for a simulated kernel).
 *
 * @param bytes The buffer.
 * @param offset Where the request starts.
 * @param length The request's length.
 * @returns The request.
 * @throws {RangeError} If it is shorter than 24 bytes or not `AF_UNIX`.
 *
 * @example A short request is a RangeError
 * ```ts
 * import { decodeUnixDiagRequest } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => decodeUnixDiagRequest(new Uint8Array([1, 0]), 0, 2), RangeError);
 * ```
 */
export function decodeUnixDiagRequest(
  bytes: Uint8Array,
  offset: number,
  length: number,
): UnixDiagRequest {
  checkUnix(
    bytes,
    offset,
    length,
    "unix_diag request",
    UNIX_DIAG_REQUEST_LENGTH,
  );
  const o = offset;
  const r: UnixDiagRequest = {
    states: get32(bytes, o + 4, LE) >>> 0,
    show: get32(bytes, o + 12, LE) >>> 0,
    inode: get32(bytes, o + 8, LE) >>> 0,
  };
  const cookie = getCookie(bytes, o + 16);
  if (cookie !== 0xffffffffffffffffn) r.cookie = cookie;
  return r;
}

/**
 * The text of a `UNIX_DIAG_NAME` payload, as `ss` prints it.
 *
 * @internal
 * @param b The payload.
 * @returns `@name` for an abstract name (NULs shown as `@`), else the path without trailing NULs.
 */
export function unixPathText(b: Uint8Array): string {
  if (b.length > 0 && b[0] === 0) {
    return UTF8.decode(b).replaceAll("\0", "@");
  }
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return UTF8.decode(b.subarray(0, end));
}

/**
 * The `UNIX_DIAG_NAME` payload of a path as {@linkcode unixPathText} shows
 * it: `@name` becomes an abstract name, a path gets its NUL.
 *
 * @internal
 * @param path The text.
 * @returns The bytes of `sun_path`.
 */
export function unixPathBytes(path: string): Uint8Array {
  if (path.startsWith("@")) {
    return UTF8_ENCODER.encode(path.replaceAll("@", "\0"));
  }
  const b = UTF8_ENCODER.encode(path);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/**
 * Decodes one unix_diag reply from `length` bytes at `offset` in `bytes`
 * (such as a `Conn.visit` view), without copying the buffer.
 *
 * @param bytes The buffer.
 * @param offset Where the message payload starts (after the netlink header).
 * @param length The payload's length.
 * @returns The socket.
 * @throws {RangeError} If the struct is short, not `AF_UNIX`, or an attribute is malformed.
 *
 * @example Round trip through the encoder
 * ```ts
 * import { decodeUnixSocket, encodeUnixSocket, type UnixSocket } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const s: UnixSocket = { type: "dgram", state: "close", inode: 5, cookie: 9n, path: "@x@y", receiveQueue: 0, sendQueue: 0, shutdown: 0 };
 * const b = encodeUnixSocket(s, new AttributeEncoder()).encode();
 * assert.deepEqual(decodeUnixSocket(b, 0, b.length), s);
 * ```
 */
export function decodeUnixSocket(
  bytes: Uint8Array,
  offset: number,
  length: number,
): UnixSocket {
  checkUnix(bytes, offset, length, "unix_diag_msg", UNIX_DIAG_MSG_LENGTH);
  const b = bytes;
  const o = offset;
  const type = b[o + 1]!;
  const s: UnixSocket = {
    type: TYPES[type] ?? `unknown-${type}`,
    state: stateName(b[o + 2]!),
    inode: get32(b, o + 4, LE) >>> 0,
    cookie: getCookie(b, o + 8),
  };
  const d = new AttributeDecoder(
    b,
    o + UNIX_DIAG_MSG_LENGTH,
    length - UNIX_DIAG_MSG_LENGTH,
  );
  while (d.next()) {
    switch (d.type) {
      case UnixDiagAttr.Name:
        s.path = unixPathText(d.view());
        break;
      case UnixDiagAttr.Vfs: {
        const v = payload(d, 8, "UNIX_DIAG_VFS");
        s.vfs = {
          inode: get32(v, 0, LE) >>> 0,
          device: get32(v, 4, LE) >>> 0,
        };
        break;
      }
      case UnixDiagAttr.Peer:
        s.peer = d.uint32();
        break;
      case UnixDiagAttr.Icons: {
        const v = d.view();
        if (v.length % 4 !== 0) {
          throw new RangeError(
            `Cannot decode UNIX_DIAG_ICONS: length ${v.length} is not a multiple of 4 at offset ${
              d.offset - 4
            }`,
          );
        }
        const pending: number[] = [];
        for (let i = 0; i < v.length; i += 4) {
          pending.push(get32(v, i, LE) >>> 0);
        }
        s.pending = pending;
        break;
      }
      case UnixDiagAttr.RqLen: {
        const v = payload(d, 8, "UNIX_DIAG_RQLEN");
        s.receiveQueue = get32(v, 0, LE) >>> 0;
        s.sendQueue = get32(v, 4, LE) >>> 0;
        break;
      }
      case UnixDiagAttr.MemInfo:
        s.memInfo = decodeSkMemInfo(d, "UNIX_DIAG_MEMINFO");
        break;
      case UnixDiagAttr.Shutdown:
        s.shutdown = d.uint8();
        break;
      case UnixDiagAttr.Uid:
        s.uid = d.uint32();
        break;
      default:
        (s.rawAttributes ??= []).push({ type: d.type, data: d.bytes() });
    }
  }
  return s;
}

/**
 * Writes one unix_diag reply into `e` (for a simulated kernel), attributes
 * in the order Linux writes them (`sk_diag_fill` in `net/unix/diag.c`).
 *
 * @param s The socket.
 * @param e The encoder to append to.
 * @returns `e`.
 * @throws {TypeError} If a field is out of range.
 *
 * @example An unbound socket has no name
 * ```ts
 * import { encodeUnixSocket } from "@nlkit/netlink/sockdiag";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeUnixSocket({ type: "stream", state: "close", inode: 1, cookie: 0n }, new AttributeEncoder()).encode();
 * assert.equal(b.length, 16); // struct unix_diag_msg only
 * ```
 */
export function encodeUnixSocket(
  s: UnixSocket,
  e: AttributeEncoder,
): AttributeEncoder {
  const b = new Uint8Array(UNIX_DIAG_MSG_LENGTH);
  b[0] = AddressFamily.Unix;
  const m = /^unknown-(\d+)$/.exec(String(s.type));
  const type = TYPE_NUMBERS[s.type] ?? (m ? Number(m[1]) : -1);
  if (!(type >= 0 && type <= 0xff)) {
    throw new TypeError(
      `Cannot encode unix_diag_msg: unknown type ${JSON.stringify(s.type)}`,
    );
  }
  b[1] = type;
  b[2] = stateNumber(s.state, "unix_diag_msg");
  put32(b, 4, checkU32(s.inode, "unix_diag: inode"), LE);
  putCookie(b, 8, s.cookie, "unix_diag_msg");
  e.raw(b);
  if (s.path !== undefined) e.bytes(UnixDiagAttr.Name, unixPathBytes(s.path));
  if (s.vfs !== undefined) {
    const v = new Uint8Array(8);
    put32(v, 0, checkU32(s.vfs.inode, "unix_diag: vfs inode"), LE);
    put32(v, 4, checkU32(s.vfs.device, "unix_diag: vfs device"), LE);
    e.bytes(UnixDiagAttr.Vfs, v);
  }
  if (s.peer !== undefined) e.uint32(UnixDiagAttr.Peer, s.peer);
  if (s.pending !== undefined) {
    const v = new Uint8Array(4 * s.pending.length);
    s.pending.forEach((ino, i) =>
      put32(v, 4 * i, checkU32(ino, "unix_diag: pending"), LE)
    );
    e.bytes(UnixDiagAttr.Icons, v);
  }
  if (s.receiveQueue !== undefined || s.sendQueue !== undefined) {
    const v = new Uint8Array(8);
    put32(v, 0, checkU32(s.receiveQueue ?? 0, "unix_diag: receive queue"), LE);
    put32(v, 4, checkU32(s.sendQueue ?? 0, "unix_diag: send queue"), LE);
    e.bytes(UnixDiagAttr.RqLen, v);
  }
  if (s.memInfo !== undefined) {
    encodeSkMemInfo(e, UnixDiagAttr.MemInfo, s.memInfo);
  }
  if (s.shutdown !== undefined) e.uint8(UnixDiagAttr.Shutdown, s.shutdown);
  if (s.uid !== undefined) e.uint32(UnixDiagAttr.Uid, s.uid);
  for (const a of s.rawAttributes ?? []) e.bytes(a.type, a.data);
  return e;
}
