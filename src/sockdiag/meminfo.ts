/**
 * The socket memory counters of `INET_DIAG_SKMEMINFO` and
 * `UNIX_DIAG_MEMINFO` (`SK_MEMINFO_*` in `linux/sock_diag.h`).
 *
 * @module
 */

import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";
import type { AttributeDecoder, AttributeEncoder } from "../netlink/mod.ts";

const LE = HOST_LITTLE_ENDIAN;

/**
 * Socket memory counters (what `ss -m` prints as `skmem:(r..,rb..,t..,...)`),
 * in bytes except `drops`. A counter the kernel did not send (an older
 * kernel's shorter array) is absent.
 */
export interface SkMemInfo {
  /** `SK_MEMINFO_RMEM_ALLOC`: memory of received data. */
  rmemAlloc?: number;
  /** `SK_MEMINFO_RCVBUF`: receive buffer size. */
  rcvbuf?: number;
  /** `SK_MEMINFO_WMEM_ALLOC`: memory of data sent but not freed. */
  wmemAlloc?: number;
  /** `SK_MEMINFO_SNDBUF`: send buffer size. */
  sndbuf?: number;
  /** `SK_MEMINFO_FWD_ALLOC`: memory allocated ahead. */
  fwdAlloc?: number;
  /** `SK_MEMINFO_WMEM_QUEUED`: memory of data queued to send. */
  wmemQueued?: number;
  /** `SK_MEMINFO_OPTMEM`: option memory. */
  optmem?: number;
  /** `SK_MEMINFO_BACKLOG`: backlog memory. */
  backlog?: number;
  /** `SK_MEMINFO_DROPS`: packets dropped. */
  drops?: number;
}

const NAMES = [
  "rmemAlloc",
  "rcvbuf",
  "wmemAlloc",
  "sndbuf",
  "fwdAlloc",
  "wmemQueued",
  "optmem",
  "backlog",
  "drops",
] as const;

/**
 * Decodes the current attribute of `d` as the `SK_MEMINFO_*` u32 array.
 *
 * @internal
 * @param d A decoder positioned on the attribute.
 * @param what The attribute's name, for errors.
 * @returns The counters present.
 * @throws {RangeError} If the length is not a multiple of 4.
 */
export function decodeSkMemInfo(d: AttributeDecoder, what: string): SkMemInfo {
  const n = d.length;
  if (n % 4 !== 0) {
    throw new RangeError(
      `Cannot decode ${what}: length ${n} is not a multiple of 4 at offset ${
        d.offset - 4
      }`,
    );
  }
  const view = d.view();
  const out: SkMemInfo = {};
  const count = Math.min(n / 4, NAMES.length);
  for (let i = 0; i < count; i++) {
    out[NAMES[i]!] = get32(view, 4 * i, LE) >>> 0;
  }
  return out;
}

/**
 * Appends the `SK_MEMINFO_*` u32 array as attribute `type`: all nine
 * counters, as the kernel sends them, absent ones as 0.
 *
 * @internal
 * @param e The encoder.
 * @param type The attribute type.
 * @param m The counters.
 */
export function encodeSkMemInfo(
  e: AttributeEncoder,
  type: number,
  m: SkMemInfo,
): void {
  const b = new Uint8Array(4 * NAMES.length);
  NAMES.forEach((name, i) => put32(b, 4 * i, m[name] ?? 0, LE));
  e.bytes(type, b);
}
