/**
 * A tiny classic-BPF assembler for netlink socket filters
 * (`SO_ATTACH_FILTER`, `Conn.setBPF`). Import it as the `bpf` namespace.
 *
 * What a filter sees: the bytes of one received datagram, starting at the
 * first `struct nlmsghdr` (`nlmsg_len` at offset 0, `nlmsg_type` 4,
 * `nlmsg_flags` 6, `nlmsg_seq` 8, `nlmsg_pid` 12, the family header at 16;
 * see {@linkcode Offset}). Multicast notifications carry one message per
 * datagram; a dump part carries many and is kept or dropped as a whole. The
 * filter also sees unicast replies, so a filter must keep ACKs, errors and
 * `NLMSG_DONE` (the helpers here always do). The return value is the number
 * of bytes to keep: 0 drops the datagram, {@linkcode ACCEPT} keeps all of it.
 *
 * Byte order: `BPF_ABS` word and half-word loads read big-endian, but
 * netlink headers are host-endian; {@linkcode loadUint16} assembles a
 * host-endian value from single bytes, and {@linkcode hostUint32} converts a
 * constant for an equality test against a big-endian word load.
 *
 * @example Keep only RTM_NEWLINK and RTM_DELLINK
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const program = bpf.acceptTypes([16, 17]);
 * assert.deepEqual(program.at(-1), { code: bpf.RET | bpf.K, jt: 0, jf: 0, k: bpf.ACCEPT });
 * ```
 *
 * @module
 */

import { HOST_LITTLE_ENDIAN } from "./_endian.ts";
import type { BPFInstruction } from "./_socket.ts";

export type { BPFInstruction };

// Instruction classes (`BPF_CLASS`, linux/bpf_common.h).
/** `BPF_LD`: load into the accumulator A. */
export const LD = 0x00;
/** `BPF_LDX`: load into the index register X. */
export const LDX = 0x01;
/** `BPF_ST`: store A into scratch memory. */
export const ST = 0x02;
/** `BPF_STX`: store X into scratch memory. */
export const STX = 0x03;
/** `BPF_ALU`: arithmetic on A. */
export const ALU = 0x04;
/** `BPF_JMP`: conditional and unconditional jumps. */
export const JMP = 0x05;
/** `BPF_RET`: return the number of bytes to keep. */
export const RET = 0x06;
/** `BPF_MISC`: register transfers (`TAX`, `TXA`). */
export const MISC = 0x07;

// Load sizes (`BPF_SIZE`).
/** `BPF_W`: 32-bit load (big-endian for `ABS`/`IND`). */
export const W = 0x00;
/** `BPF_H`: 16-bit load (big-endian for `ABS`/`IND`). */
export const H = 0x08;
/** `BPF_B`: 8-bit load. */
export const B = 0x10;

// Addressing modes (`BPF_MODE`).
/** `BPF_IMM`: the constant `k`. */
export const IMM = 0x00;
/** `BPF_ABS`: the packet at offset `k`. */
export const ABS = 0x20;
/** `BPF_IND`: the packet at offset X + `k`. */
export const IND = 0x40;
/** `BPF_MEM`: scratch memory slot `k` (0–15). */
export const MEM = 0x60;
/** `BPF_LEN`: the datagram length. */
export const LEN = 0x80;
/** `BPF_MSH`: 4 × (the low nibble of the byte at `k`), for IP headers. */
export const MSH = 0xa0;

// ALU and jump operations (`BPF_OP`).
/** `BPF_ADD`. */
export const ADD = 0x00;
/** `BPF_SUB`. */
export const SUB = 0x10;
/** `BPF_MUL`. */
export const MUL = 0x20;
/** `BPF_DIV`. */
export const DIV = 0x30;
/** `BPF_OR`. */
export const OR = 0x40;
/** `BPF_AND`. */
export const AND = 0x50;
/** `BPF_LSH`. */
export const LSH = 0x60;
/** `BPF_RSH`. */
export const RSH = 0x70;
/** `BPF_NEG`. */
export const NEG = 0x80;
/** `BPF_MOD`. */
export const MOD = 0x90;
/** `BPF_XOR`. */
export const XOR = 0xa0;
/** `BPF_JA`: jump always by `k`. */
export const JA = 0x00;
/** `BPF_JEQ`: jump if A == operand. */
export const JEQ = 0x10;
/** `BPF_JGT`: jump if A > operand (unsigned). */
export const JGT = 0x20;
/** `BPF_JGE`: jump if A >= operand (unsigned). */
export const JGE = 0x30;
/** `BPF_JSET`: jump if A & operand is not 0. */
export const JSET = 0x40;

// Operand sources (`BPF_SRC`) and return values (`BPF_RVAL`).
/** `BPF_K`: the operand is the constant `k`. */
export const K = 0x00;
/** `BPF_X`: the operand is X. */
export const X = 0x08;
/** `BPF_A`: return A. */
export const A = 0x10;
/** `BPF_TAX`: X = A. */
export const TAX = 0x00;
/** `BPF_TXA`: A = X. */
export const TXA = 0x80;

/** Return value that keeps the whole datagram. */
export const ACCEPT = 0xffff_ffff;
/** Return value that drops the datagram. */
export const DROP = 0;
/** `NLMSG_MIN_TYPE`: types below it are control messages (NOOP, ERROR, DONE, OVERRUN). */
export const MIN_TYPE = 0x10;

/** Byte offsets of `struct nlmsghdr` fields in a datagram (the first message). */
export const Offset = {
  /** `nlmsg_len` (u32). */
  Length: 0,
  /** `nlmsg_type` (u16). */
  Type: 4,
  /** `nlmsg_flags` (u16). */
  Flags: 6,
  /** `nlmsg_seq` (u32). */
  Sequence: 8,
  /** `nlmsg_pid` (u32): for notifications, the port id whose request caused the change. */
  Pid: 12,
  /** The family header (`struct ifinfomsg`, `struct genlmsghdr`, …). */
  Payload: 16,
} as const;

/**
 * A non-jump instruction (`BPF_STMT`).
 *
 * @param code The operation, such as `bpf.LD | bpf.W | bpf.ABS`.
 * @param k The operand.
 * @returns The instruction.
 *
 * @example
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(bpf.stmt(bpf.RET | bpf.K, 0), { code: 6, jt: 0, jf: 0, k: 0 });
 * ```
 */
export function stmt(code: number, k: number): BPFInstruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/**
 * A conditional jump (`BPF_JUMP`): skip `jt` instructions when true, `jf` when false.
 *
 * @param code The operation, such as `bpf.JMP | bpf.JEQ | bpf.K`.
 * @param k The operand.
 * @param jt Instructions to skip when the test holds (0–255).
 * @param jf Instructions to skip when it does not (0–255).
 * @returns The instruction.
 * @throws {RangeError} When a jump offset does not fit in a byte.
 *
 * @example
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(bpf.jump(bpf.JMP | bpf.JEQ | bpf.K, 16, 1, 0), { code: 0x15, jt: 1, jf: 0, k: 16 });
 * ```
 */
export function jump(
  code: number,
  k: number,
  jt: number,
  jf: number,
): BPFInstruction {
  for (const j of [jt, jf]) {
    if (!Number.isInteger(j) || j < 0 || j > 255) {
      throw new RangeError(
        `Cannot assemble BPF jump: offset ${j} is outside 0..255`,
      );
    }
  }
  return { code, jt, jf, k: k >>> 0 };
}

/**
 * Instructions that load the host-endian u16 at `offset` into A (clobbering X).
 *
 * @param offset Byte offset in the datagram, such as `bpf.Offset.Type`.
 * @returns One instruction on big-endian hosts, five on little-endian ones.
 *
 * @example
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.ok(bpf.loadUint16(bpf.Offset.Type).length >= 1);
 * ```
 */
export function loadUint16(offset: number): BPFInstruction[] {
  if (!HOST_LITTLE_ENDIAN) return [stmt(LD | H | ABS, offset)];
  return [
    stmt(LD | B | ABS, offset + 1), // high byte
    stmt(ALU | LSH | K, 8),
    stmt(MISC | TAX, 0),
    stmt(LD | B | ABS, offset), // low byte
    stmt(ALU | OR | X, 0),
  ];
}

/**
 * Converts a host-endian u32 constant to what `LD | W | ABS` (a big-endian
 * load) reads for it, for equality tests on `nlmsg_pid` or `nlmsg_seq`.
 *
 * @param value An unsigned 32-bit value.
 * @returns The value as a big-endian load of its host-endian bytes sees it.
 *
 * @example
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // On a little-endian host:
 * assert.equal(bpf.hostUint32(0x01020304), 0x04030201);
 * ```
 */
export function hostUint32(value: number): number {
  const v = value >>> 0;
  if (!HOST_LITTLE_ENDIAN) return v;
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) |
    (v >>> 24)) >>> 0;
}

/**
 * A filter that keeps datagrams whose first message has one of `types`, and
 * every control message (`nlmsg_type` below 16: ACKs, errors, `NLMSG_DONE`),
 * so requests on the same connection keep working.
 *
 * @param types Message types to keep, such as `[16, 17]` (RTM_NEWLINK, RTM_DELLINK); at most 250.
 * @returns The program for `Conn.setBPF`.
 * @throws {RangeError} With more than 250 types or a type outside 0..65535.
 *
 * @example
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const program = bpf.acceptTypes([16]);
 * assert.equal(program.at(-2)?.k, bpf.DROP);
 * ```
 */
export function acceptTypes(types: readonly number[]): BPFInstruction[] {
  if (types.length > 250) {
    throw new RangeError(
      `Cannot assemble BPF filter: ${types.length} types, at most 250`,
    );
  }
  for (const t of types) {
    if (!Number.isInteger(t) || t < 0 || t > 0xffff) {
      throw new RangeError(
        `Cannot assemble BPF filter: message type ${t} is outside 0..65535`,
      );
    }
  }
  const n = types.length;
  // After the load: [jge MIN_TYPE] [jeq t0] … [jeq tn-1] [ret DROP] [ret ACCEPT]
  const program = loadUint16(Offset.Type);
  program.push(jump(JMP | JGE | K, MIN_TYPE, 0, n + 1));
  types.forEach((t, i) => program.push(jump(JMP | JEQ | K, t, n - i, 0)));
  program.push(stmt(RET | K, DROP), stmt(RET | K, ACCEPT));
  return program;
}

/**
 * A filter that drops datagrams whose first message carries one of `pids` in
 * `nlmsg_pid`: for notifications, the port id of the socket whose request
 * caused them, so `dropPids([conn.pid])` hides the echo of your own changes.
 *
 * @param pids Port ids to drop (unsigned 32-bit); at most 250.
 * @returns The program for `Conn.setBPF`.
 * @throws {RangeError} With more than 250 ids or an id outside 0..2³²-1.
 *
 * @example
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const program = bpf.dropPids([1234]);
 * assert.equal(program[0]?.k, bpf.Offset.Pid);
 * ```
 */
export function dropPids(pids: readonly number[]): BPFInstruction[] {
  if (pids.length > 250) {
    throw new RangeError(
      `Cannot assemble BPF filter: ${pids.length} port ids, at most 250`,
    );
  }
  for (const p of pids) {
    if (!Number.isInteger(p) || p < 0 || p > 0xffff_ffff) {
      throw new RangeError(
        `Cannot assemble BPF filter: port id ${p} is outside 0..4294967295`,
      );
    }
  }
  const n = pids.length;
  // [ld pid] [jeq p0] … [jeq pn-1] [ret ACCEPT] [ret DROP]
  const program = [stmt(LD | W | ABS, Offset.Pid)];
  pids.forEach((p, i) =>
    program.push(jump(JMP | JEQ | K, hostUint32(p), n - i, 0))
  );
  program.push(stmt(RET | K, ACCEPT), stmt(RET | K, DROP));
  return program;
}
