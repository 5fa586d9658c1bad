/**
 * The internal byte-level socket seam under `Conn`. Two implementations: the
 * libc socket (`socket.ts`) and nltest's in-memory kernel. Not exported from
 * any `mod.ts`: `Conn` is the public surface.
 *
 * @module
 */

/**
 * One classic BPF instruction (`struct sock_filter` in `linux/filter.h`).
 *
 * @example Write a filter by hand and attach it
 * ```ts
 * import { type BPFInstruction, bpf } from "@nlkit/netlink/netlink";
 * import { dial, runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // ret #0: keep no byte of any datagram
 * const dropAll: BPFInstruction[] = [{ code: bpf.RET | bpf.K, jt: 0, jf: 0, k: bpf.DROP }];
 * assert.equal(runBPF(dropAll, new Uint8Array(16)), 0);
 * using conn = dial(() => []);
 * conn.setBPF(dropAll);
 * ```
 */
export interface BPFInstruction {
  /** `code`: the operation. */
  code: number;
  /** `jt`: jump offset when true. */
  jt: number;
  /** `jf`: jump offset when false. */
  jf: number;
  /** `k`: the generic operand. */
  k: number;
}

/**
 * A netlink socket at the byte level. Every method is synchronous except
 * {@linkcode Socket.wait}; failures are thrown as `SyscallError` (ENOBUFS
 * included: `Conn` turns it into `OverrunError`).
 *
 * @internal
 */
export interface Socket {
  /** The port id bound to this socket (`nl_pid` from `getsockname`, unsigned). */
  readonly pid: number;
  /** Sends one datagram to the kernel (destination port id 0, no groups). */
  send(data: Uint8Array): void;
  /**
   * Receives one datagram without waiting. Returns null when none is queued
   * (EAGAIN). The bytes may be a view of a buffer the socket reuses: valid
   * until the next `receive()`. Never truncated: the buffer grows to fit.
   */
  receive(): Uint8Array | null;
  /** Sender port id of the datagram last returned by `receive()` (0: the kernel). */
  readonly senderPid: number;
  /** Multicast group mask of the datagram last returned by `receive()` (0: unicast). */
  readonly senderGroups: number;
  /**
   * Resolves when a datagram may be readable, or when the socket is closed
   * (check {@linkcode Socket.closed}). Rejects with the signal's reason when
   * `signal` aborts. Costs no CPU while idle, does not keep the process alive
   * after `close()`. Several waits may be pending at once.
   */
  wait(signal?: AbortSignal): Promise<void>;
  /** True after `close()`. */
  readonly closed: boolean;
  /** `NETLINK_ADD_MEMBERSHIP`. */
  joinGroup(group: number): void;
  /** `NETLINK_DROP_MEMBERSHIP`. */
  leaveGroup(group: number): void;
  /** Sets a boolean `SOL_NETLINK` option (a `ConnOption` value). */
  setOption(option: number, enable: boolean): void;
  /** Reads a boolean `SOL_NETLINK` option. */
  getOption(option: number): boolean;
  /** `SO_RCVBUF` (or `SO_RCVBUFFORCE` when `force`). */
  setReceiveBufferSize(bytes: number, force: boolean): void;
  /** `SO_SNDBUF`. */
  setSendBufferSize(bytes: number): void;
  /** `SO_ATTACH_FILTER`. */
  setBPF(program: readonly BPFInstruction[]): void;
  /** `SO_DETACH_FILTER`. */
  removeBPF(): void;
  /** Closes the socket and wakes every pending `wait()`. Idempotent. */
  close(): void;
}
