/**
 * `struct tcp_info` (`linux/tcp.h`), the payload of `INET_DIAG_INFO` for TCP
 * sockets, decoded by its length: the kernel sends the struct as it knows
 * it, so an older kernel sends fewer fields and a newer one more.
 *
 * The layout is Linux 6.18's (280 bytes; the running 6.18 kernel's BTF
 * gives the same offsets), up to `tcpi_received_ce_bytes`. Its last 4
 * bytes are not decoded: 6.18 holds two `__u16` there
 * (`tcpi_accecn_fail_mode`, `tcpi_accecn_opt_seen`) where later kernels
 * hold one `__u32` of bit fields (`tcpi_ecn_mode:2`,
 * `tcpi_accecn_opt_seen:2`, `tcpi_accecn_fail_mode:4`,
 * `tcpi_options2:24`) in a struct of the same length, so the length cannot
 * tell which was sent.
 *
 * @module
 */

import {
  get16,
  get32,
  HOST_LITTLE_ENDIAN,
  put16,
  put32,
} from "../netlink/_endian.ts";
import { checkRange } from "../netlink/_struct.ts";

const LE = HOST_LITTLE_ENDIAN;

/**
 * `struct tcp_info` decoded. Fields up to `totalRetrans` (104 bytes, the
 * struct of Linux 2.6) are always present; each later field is present when
 * the kernel's struct reaches it. Times are in microseconds (`rtt`,
 * `rttvar`, `rto`, `ato`, `minRtt`, `rcvRtt`) or milliseconds (`last*`), as
 * the kernel reports them. Fields up to `receivedCeBytes` (Linux 6.18's
 * struct but its last 4 bytes, see the module) are decoded; `length`
 * tells how many bytes the kernel sent.
 *
 * @example Decode the tcp_info of a simulated socket
 * ```ts
 * import { decodeTcpInfo, encodeTcpInfo } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeTcpInfo({ rtt: 1500, sndCwnd: 10, sndMss: 1448 });
 * const info = decodeTcpInfo(bytes, 0, bytes.length);
 * assert.equal(info.rtt, 1500);
 * assert.equal(info.sndCwnd, 10);
 * assert.equal(info.length, 232);
 * ```
 */
export interface TcpInfo {
  /** How many bytes of `struct tcp_info` the kernel sent. */
  length: number;
  /** `tcpi_state`: the TCP state number. */
  state: number;
  /** `tcpi_ca_state`: congestion avoidance state (`TCP_CA_*`). */
  caState: number;
  /** `tcpi_retransmits`. */
  retransmits: number;
  /** `tcpi_probes`. */
  probes: number;
  /** `tcpi_backoff`. */
  backoff: number;
  /** `tcpi_options`: `TCPI_OPT_*` bits ({@linkcode TcpInfoOption}). */
  options: number;
  /** `tcpi_snd_wscale`. */
  sndWscale: number;
  /** `tcpi_rcv_wscale`. */
  rcvWscale: number;
  /** `tcpi_delivery_rate_app_limited`. */
  deliveryRateAppLimited: boolean;
  /** `tcpi_fastopen_client_fail`. */
  fastopenClientFail: number;
  /** `tcpi_rto` (µs). */
  rto: number;
  /** `tcpi_ato` (µs). */
  ato: number;
  /** `tcpi_snd_mss`. */
  sndMss: number;
  /** `tcpi_rcv_mss`. */
  rcvMss: number;
  /** `tcpi_unacked`. */
  unacked: number;
  /** `tcpi_sacked`. */
  sacked: number;
  /** `tcpi_lost`. */
  lost: number;
  /** `tcpi_retrans`. */
  retrans: number;
  /** `tcpi_fackets`. */
  fackets: number;
  /** `tcpi_last_data_sent` (ms ago). */
  lastDataSent: number;
  /** `tcpi_last_ack_sent` (ms ago; not kept by Linux). */
  lastAckSent: number;
  /** `tcpi_last_data_recv` (ms ago). */
  lastDataRecv: number;
  /** `tcpi_last_ack_recv` (ms ago). */
  lastAckRecv: number;
  /** `tcpi_pmtu`. */
  pmtu: number;
  /** `tcpi_rcv_ssthresh`. */
  rcvSsthresh: number;
  /** `tcpi_rtt`: smoothed round-trip time (µs). */
  rtt: number;
  /** `tcpi_rttvar` (µs). */
  rttvar: number;
  /** `tcpi_snd_ssthresh`. */
  sndSsthresh: number;
  /** `tcpi_snd_cwnd`: congestion window (segments). */
  sndCwnd: number;
  /** `tcpi_advmss`. */
  advmss: number;
  /** `tcpi_reordering`. */
  reordering: number;
  /** `tcpi_rcv_rtt` (µs). */
  rcvRtt: number;
  /** `tcpi_rcv_space`. */
  rcvSpace: number;
  /** `tcpi_total_retrans`. */
  totalRetrans: number;
  /** `tcpi_pacing_rate` (bytes per second). */
  pacingRate?: bigint;
  /** `tcpi_max_pacing_rate`. */
  maxPacingRate?: bigint;
  /** `tcpi_bytes_acked`. */
  bytesAcked?: bigint;
  /** `tcpi_bytes_received`. */
  bytesReceived?: bigint;
  /** `tcpi_segs_out`. */
  segsOut?: number;
  /** `tcpi_segs_in`. */
  segsIn?: number;
  /** `tcpi_notsent_bytes`. */
  notsentBytes?: number;
  /** `tcpi_min_rtt` (µs). */
  minRtt?: number;
  /** `tcpi_data_segs_in`. */
  dataSegsIn?: number;
  /** `tcpi_data_segs_out`. */
  dataSegsOut?: number;
  /** `tcpi_delivery_rate` (bytes per second). */
  deliveryRate?: bigint;
  /** `tcpi_busy_time` (µs). */
  busyTime?: bigint;
  /** `tcpi_rwnd_limited` (µs). */
  rwndLimited?: bigint;
  /** `tcpi_sndbuf_limited` (µs). */
  sndbufLimited?: bigint;
  /** `tcpi_delivered`. */
  delivered?: number;
  /** `tcpi_delivered_ce`. */
  deliveredCe?: number;
  /** `tcpi_bytes_sent`. */
  bytesSent?: bigint;
  /** `tcpi_bytes_retrans`. */
  bytesRetrans?: bigint;
  /** `tcpi_dsack_dups`. */
  dsackDups?: number;
  /** `tcpi_reord_seen`. */
  reordSeen?: number;
  /** `tcpi_rcv_ooopack`. */
  rcvOoopack?: number;
  /** `tcpi_snd_wnd`: the peer's advertised window (bytes). */
  sndWnd?: number;
  /** `tcpi_rcv_wnd`: the receive window this socket advertises (bytes; Linux 6.2). */
  rcvWnd?: number;
  /** `tcpi_rehash`: PLB or timeout triggered rehashes of the flow (Linux 6.2). */
  rehash?: number;
  /** `tcpi_total_rto` (`__u16`): retransmission timeouts (Linux 6.7). */
  totalRto?: number;
  /** `tcpi_total_rto_recoveries` (`__u16`): recoveries from them. */
  totalRtoRecoveries?: number;
  /** `tcpi_total_rto_time` (ms): time spent in them, the current one included. */
  totalRtoTime?: number;
  /** `tcpi_received_ce`: CE-marked segments received (Linux 6.18). */
  receivedCe?: number;
  /** `tcpi_delivered_e1_bytes`: Accurate ECN byte counter (ECT(1) bytes the peer received). */
  deliveredE1Bytes?: number;
  /** `tcpi_delivered_e0_bytes`: Accurate ECN byte counter (ECT(0)). */
  deliveredE0Bytes?: number;
  /** `tcpi_delivered_ce_bytes`: Accurate ECN byte counter (CE). */
  deliveredCeBytes?: number;
  /** `tcpi_received_e1_bytes`: ECT(1) bytes received. */
  receivedE1Bytes?: number;
  /** `tcpi_received_e0_bytes`: ECT(0) bytes received. */
  receivedE0Bytes?: number;
  /** `tcpi_received_ce_bytes`: CE bytes received. */
  receivedCeBytes?: number;
}

/** The fields of the first 104 bytes that are u32, in order from offset 8. */
const BASE_U32 = [
  "rto",
  "ato",
  "sndMss",
  "rcvMss",
  "unacked",
  "sacked",
  "lost",
  "retrans",
  "fackets",
  "lastDataSent",
  "lastAckSent",
  "lastDataRecv",
  "lastAckRecv",
  "pmtu",
  "rcvSsthresh",
  "rtt",
  "rttvar",
  "sndSsthresh",
  "sndCwnd",
  "advmss",
  "reordering",
  "rcvRtt",
  "rcvSpace",
  "totalRetrans",
] as const;

type BaseU32 = typeof BASE_U32[number];
type Optional = Exclude<keyof TcpInfo, keyof TcpInfoBase>;
type TcpInfoBase = Pick<
  TcpInfo,
  | "length"
  | "state"
  | "caState"
  | "retransmits"
  | "probes"
  | "backoff"
  | "options"
  | "sndWscale"
  | "rcvWscale"
  | "deliveryRateAppLimited"
  | "fastopenClientFail"
  | BaseU32
>;

/**
 * The fields after the first 104 bytes: name, offset, size (2, 4 or 8
 * bytes), each one where the one before it ends (tests check that, and
 * the offsets against the kernel's struct).
 *
 * @internal
 */
export const TCP_INFO_LAYOUT:
  readonly (readonly [Optional, number, 2 | 4 | 8])[] = [
    ["pacingRate", 104, 8],
    ["maxPacingRate", 112, 8],
    ["bytesAcked", 120, 8],
    ["bytesReceived", 128, 8],
    ["segsOut", 136, 4],
    ["segsIn", 140, 4],
    ["notsentBytes", 144, 4],
    ["minRtt", 148, 4],
    ["dataSegsIn", 152, 4],
    ["dataSegsOut", 156, 4],
    ["deliveryRate", 160, 8],
    ["busyTime", 168, 8],
    ["rwndLimited", 176, 8],
    ["sndbufLimited", 184, 8],
    ["delivered", 192, 4],
    ["deliveredCe", 196, 4],
    ["bytesSent", 200, 8],
    ["bytesRetrans", 208, 8],
    ["dsackDups", 216, 4],
    ["reordSeen", 220, 4],
    ["rcvOoopack", 224, 4],
    ["sndWnd", 228, 4],
    ["rcvWnd", 232, 4],
    ["rehash", 236, 4],
    ["totalRto", 240, 2],
    ["totalRtoRecoveries", 242, 2],
    ["totalRtoTime", 244, 4],
    ["receivedCe", 248, 4],
    ["deliveredE1Bytes", 252, 4],
    ["deliveredE0Bytes", 256, 4],
    ["deliveredCeBytes", 260, 4],
    ["receivedE1Bytes", 264, 4],
    ["receivedE0Bytes", 268, 4],
    ["receivedCeBytes", 272, 4],
  ];
const LATER = TCP_INFO_LAYOUT;

/** The size of `struct tcp_info` up to `tcpi_total_retrans` (Linux 2.6.10). */
export const TCP_INFO_MIN_LENGTH = 104;
/**
 * The size of `struct tcp_info` in the headers this package was first
 * written from (Linux 6.1), the length {@linkcode encodeTcpInfo} writes by
 * default. Linux 6.18 sends 280 bytes.
 */
export const TCP_INFO_LENGTH = 232;

function get64(b: Uint8Array, o: number): bigint {
  const lo = BigInt(get32(b, LE ? o : o + 4, LE) >>> 0);
  const hi = BigInt(get32(b, LE ? o + 4 : o, LE) >>> 0);
  return (hi << 32n) | lo;
}

function put64(b: Uint8Array, o: number, v: bigint): void {
  const lo = Number(v & 0xffffffffn);
  const hi = Number((v >> 32n) & 0xffffffffn);
  put32(b, LE ? o : o + 4, lo, LE);
  put32(b, LE ? o + 4 : o, hi, LE);
}

/**
 * Decodes `struct tcp_info` from `length` bytes at `offset` in `bytes`
 * (an `INET_DIAG_INFO` payload), without copying.
 *
 * @param bytes The buffer.
 * @param offset Where the struct starts.
 * @param length How many bytes the kernel sent.
 * @returns The fields present in that many bytes.
 * @throws {RangeError} If the range lies outside `bytes` or is shorter than 104 bytes.
 *
 * @example Fields past the length are absent
 * ```ts
 * import { decodeTcpInfo } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * const old = decodeTcpInfo(new Uint8Array(104), 0, 104); // a Linux 2.6 kernel
 * assert.equal(old.pacingRate, undefined);
 * assert.equal(decodeTcpInfo(new Uint8Array(120), 0, 120).pacingRate, 0n);
 * assert.throws(() => decodeTcpInfo(new Uint8Array(50), 0, 50), RangeError);
 * ```
 */
export function decodeTcpInfo(
  bytes: Uint8Array,
  offset: number,
  length: number,
): TcpInfo {
  checkRange(bytes, offset, length, "tcp_info", TCP_INFO_MIN_LENGTH);
  const b = bytes;
  const o = offset;
  // Bit fields: GCC allocates from the low bits on little-endian machines.
  const ws = b[o + 6]!;
  const flags = b[o + 7]!;
  const info = {
    length,
    state: b[o]!,
    caState: b[o + 1]!,
    retransmits: b[o + 2]!,
    probes: b[o + 3]!,
    backoff: b[o + 4]!,
    options: b[o + 5]!,
    sndWscale: LE ? ws & 0xf : ws >> 4,
    rcvWscale: LE ? ws >> 4 : ws & 0xf,
    deliveryRateAppLimited: LE ? (flags & 1) !== 0 : (flags & 0x80) !== 0,
    fastopenClientFail: LE ? (flags >> 1) & 3 : (flags >> 5) & 3,
  } as TcpInfo;
  const base = info as unknown as Record<BaseU32, number>;
  for (let i = 0; i < BASE_U32.length; i++) {
    base[BASE_U32[i]!] = get32(b, o + 8 + 4 * i, LE) >>> 0;
  }
  const later = info as unknown as Record<Optional, number | bigint>;
  for (const [name, at, size] of LATER) {
    if (at + size > length) break;
    later[name] = size === 8
      ? get64(b, o + at)
      : size === 4
      ? get32(b, o + at, LE) >>> 0
      : get16(b, o + at, LE);
  }
  return info;
}

/**
 * Encodes `struct tcp_info` (for a simulated kernel): absent fields are
 * zero; the struct is `info.length` bytes long (default 232, Linux 6.1's).
 *
 * @param info The fields to set.
 * @returns The struct's bytes.
 * @throws {RangeError} If `length` is below 104 or a value does not fit its field.
 *
 * @example Round trip
 * ```ts
 * import { decodeTcpInfo, encodeTcpInfo } from "@nlkit/netlink/sockdiag";
 * import assert from "node:assert/strict";
 *
 * const b = encodeTcpInfo({ length: 120, pacingRate: 1n << 40n, sndWscale: 7, rcvWscale: 9 });
 * const info = decodeTcpInfo(b, 0, b.length);
 * assert.equal(info.pacingRate, 1n << 40n);
 * assert.deepEqual([info.sndWscale, info.rcvWscale], [7, 9]);
 * ```
 */
export function encodeTcpInfo(
  info: Partial<TcpInfo>,
): Uint8Array<ArrayBuffer> {
  const length = info.length ?? TCP_INFO_LENGTH;
  if (!(Number.isInteger(length) && length >= TCP_INFO_MIN_LENGTH)) {
    throw new RangeError(
      `Cannot encode tcp_info: length ${length} is less than ${TCP_INFO_MIN_LENGTH}`,
    );
  }
  const b = new Uint8Array(length);
  const u = (name: string, v: number | undefined, max: number): number => {
    const x = v ?? 0;
    if (!(Number.isInteger(x) && x >= 0 && x <= max)) {
      throw new RangeError(
        `Cannot encode tcp_info: ${name} ${x} is not an integer from 0 to ${max}`,
      );
    }
    return x;
  };
  b[0] = u("state", info.state, 0xff);
  b[1] = u("caState", info.caState, 0xff);
  b[2] = u("retransmits", info.retransmits, 0xff);
  b[3] = u("probes", info.probes, 0xff);
  b[4] = u("backoff", info.backoff, 0xff);
  b[5] = u("options", info.options, 0xff);
  const snd = u("sndWscale", info.sndWscale, 0xf);
  const rcv = u("rcvWscale", info.rcvWscale, 0xf);
  b[6] = LE ? snd | (rcv << 4) : (snd << 4) | rcv;
  const app = info.deliveryRateAppLimited ? 1 : 0;
  const fail = u("fastopenClientFail", info.fastopenClientFail, 3);
  b[7] = LE ? app | (fail << 1) : (app << 7) | (fail << 5);
  for (let i = 0; i < BASE_U32.length; i++) {
    const name = BASE_U32[i]!;
    put32(b, 8 + 4 * i, u(name, info[name], 0xffffffff), LE);
  }
  for (const [name, at, size] of LATER) {
    if (at + size > length) break;
    const v = info[name];
    if (size === 8) {
      const x = typeof v === "bigint" ? v : 0n;
      if (x < 0n || x > 0xffffffffffffffffn) {
        throw new RangeError(
          `Cannot encode tcp_info: ${name} ${x} does not fit in 64 bits`,
        );
      }
      put64(b, at, x);
    } else if (size === 4) {
      put32(b, at, u(name, v as number | undefined, 0xffffffff), LE);
    } else {
      put16(b, at, u(name, v as number | undefined, 0xffff), LE);
    }
  }
  return b;
}
