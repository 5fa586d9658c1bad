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
/**
 * `BPF_LD`: load into the accumulator A.
 *
 * @example Load a constant into A and return it
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.LD, 0x00); // BPF_LD, linux/bpf_common.h
 * const program = [bpf.stmt(bpf.LD | bpf.IMM, 42), bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array(20)), 42);
 * ```
 */
export const LD = 0x00;
/**
 * `BPF_LDX`: load into the index register X.
 *
 * @example Load a constant into X, then copy it to A
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.LDX, 0x01); // BPF_LDX, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LDX | bpf.IMM, 7),
 *   bpf.stmt(bpf.MISC | bpf.TXA, 0),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 7);
 * ```
 */
export const LDX = 0x01;
/**
 * `BPF_ST`: store A into scratch memory.
 *
 * @example Save A in scratch slot 0 and load it back
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.ST, 0x02); // BPF_ST, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 5),
 *   bpf.stmt(bpf.ST, 0), // M[0] = A
 *   bpf.stmt(bpf.LD | bpf.IMM, 0),
 *   bpf.stmt(bpf.LD | bpf.MEM, 0), // A = M[0]
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 5);
 * ```
 */
export const ST = 0x02;
/**
 * `BPF_STX`: store X into scratch memory.
 *
 * @example Save X in scratch slot 3 and load it into A
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.STX, 0x03); // BPF_STX, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LDX | bpf.IMM, 9),
 *   bpf.stmt(bpf.STX, 3), // M[3] = X
 *   bpf.stmt(bpf.LD | bpf.MEM, 3), // A = M[3]
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 9);
 * ```
 */
export const STX = 0x03;
/**
 * `BPF_ALU`: arithmetic on A.
 *
 * @example Add a constant to A
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.ALU, 0x04); // BPF_ALU, linux/bpf_common.h
 * const add = bpf.stmt(bpf.ALU | bpf.ADD | bpf.K, 3);
 * assert.equal(add.code, 0x04);
 * const program = [bpf.stmt(bpf.LD | bpf.IMM, 2), add, bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array(20)), 5);
 * ```
 */
export const ALU = 0x04;
/**
 * `BPF_JMP`: conditional and unconditional jumps.
 *
 * @example Jump over a DROP
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.JMP, 0x05); // BPF_JMP, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.JMP | bpf.JA, 1), // skip one instruction
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), bpf.ACCEPT);
 * ```
 */
export const JMP = 0x05;
/**
 * `BPF_RET`: return the number of bytes to keep.
 *
 * @example Keep only the 16-byte netlink header of each datagram
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.RET, 0x06); // BPF_RET, linux/bpf_common.h
 * const program = [bpf.stmt(bpf.RET | bpf.K, 16)];
 * assert.equal(program[0]?.code, 0x06);
 * assert.equal(runBPF(program, new Uint8Array(20)), 16);
 * ```
 */
export const RET = 0x06;
/**
 * `BPF_MISC`: register transfers (`TAX`, `TXA`).
 *
 * @example Copy A to X and back
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.MISC, 0x07); // BPF_MISC, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 9),
 *   bpf.stmt(bpf.MISC | bpf.TAX, 0), // X = A
 *   bpf.stmt(bpf.LD | bpf.IMM, 0),
 *   bpf.stmt(bpf.MISC | bpf.TXA, 0), // A = X
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 9);
 * ```
 */
export const MISC = 0x07;

// Load sizes (`BPF_SIZE`).
/**
 * `BPF_W`: 32-bit load (big-endian for `ABS`/`IND`).
 *
 * @example A 32-bit load reads big-endian
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.W, 0x00); // BPF_W, linux/bpf_common.h
 * const load = bpf.stmt(bpf.LD | bpf.W | bpf.ABS, 0);
 * assert.equal(load.code, 0x20);
 * const program = [load, bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array([1, 2, 3, 4])), 0x01020304);
 * ```
 */
export const W = 0x00;
/**
 * `BPF_H`: 16-bit load (big-endian for `ABS`/`IND`).
 *
 * @example A 16-bit load reads big-endian
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.H, 0x08); // BPF_H, linux/bpf_common.h
 * const load = bpf.stmt(bpf.LD | bpf.H | bpf.ABS, 0);
 * assert.equal(load.code, 0x28);
 * const program = [load, bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array([1, 2])), 0x0102);
 * ```
 */
export const H = 0x08;
/**
 * `BPF_B`: 8-bit load.
 *
 * @example Load one byte
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.B, 0x10); // BPF_B, linux/bpf_common.h
 * const load = bpf.stmt(bpf.LD | bpf.B | bpf.ABS, 1);
 * assert.equal(load.code, 0x30);
 * const program = [load, bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array([1, 2])), 2);
 * ```
 */
export const B = 0x10;

// Addressing modes (`BPF_MODE`).
/**
 * `BPF_IMM`: the constant `k`.
 *
 * @example Load the constant k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.IMM, 0x00); // BPF_IMM, linux/bpf_common.h
 * const program = [bpf.stmt(bpf.LD | bpf.IMM, 1500), bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array(20)), 1500);
 * ```
 */
export const IMM = 0x00;
/**
 * `BPF_ABS`: the packet at offset `k`.
 *
 * @example Load the byte at a fixed offset; past the end, the datagram is dropped
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.ABS, 0x20); // BPF_ABS, linux/bpf_common.h
 * const program = [bpf.stmt(bpf.LD | bpf.B | bpf.ABS, 2), bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array([10, 20, 30])), 30);
 * assert.equal(runBPF(program, new Uint8Array([10, 20])), 0);
 * ```
 */
export const ABS = 0x20;
/**
 * `BPF_IND`: the packet at offset X + `k`.
 *
 * @example Load the byte at X + k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.IND, 0x40); // BPF_IND, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LDX | bpf.IMM, 1),
 *   bpf.stmt(bpf.LD | bpf.B | bpf.IND, 1), // A = P[X + 1]
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array([10, 20, 30])), 30);
 * ```
 */
export const IND = 0x40;
/**
 * `BPF_MEM`: scratch memory slot `k` (0–15).
 *
 * @example Load X from scratch slot 1
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.MEM, 0x60); // BPF_MEM, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 8),
 *   bpf.stmt(bpf.ST, 1), // M[1] = A
 *   bpf.stmt(bpf.LDX | bpf.MEM, 1), // X = M[1]
 *   bpf.stmt(bpf.MISC | bpf.TXA, 0),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 8);
 * ```
 */
export const MEM = 0x60;
/**
 * `BPF_LEN`: the datagram length.
 *
 * @example Load the datagram length
 * ```ts
 * import { bpf, encodeMessage } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.LEN, 0x80); // BPF_LEN, linux/bpf_common.h
 * const program = [bpf.stmt(bpf.LD | bpf.W | bpf.LEN, 0), bpf.stmt(bpf.RET | bpf.A, 0)];
 * const datagram = encodeMessage({ header: { length: 0, type: 16, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) });
 * assert.equal(runBPF(program, datagram), 20);
 * ```
 */
export const LEN = 0x80;
/**
 * `BPF_MSH`: 4 × (the low nibble of the byte at `k`), for IP headers.
 *
 * @example The length of an IPv4 header from its first byte
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.MSH, 0xa0); // BPF_MSH, linux/bpf_common.h
 * const load = bpf.stmt(bpf.LDX | bpf.B | bpf.MSH, 0); // X = 4 * (P[0] & 0xf)
 * assert.equal(load.code, 0xb1);
 * const program = [load, bpf.stmt(bpf.MISC | bpf.TXA, 0), bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array([0x45])), 20);
 * ```
 */
export const MSH = 0xa0;

// ALU and jump operations (`BPF_OP`).
/**
 * `BPF_ADD`.
 *
 * @example A = A + k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.ADD, 0x00); // BPF_ADD, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 2),
 *   bpf.stmt(bpf.ALU | bpf.ADD | bpf.K, 3),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 5);
 * ```
 */
export const ADD = 0x00;
/**
 * `BPF_SUB`.
 *
 * @example A = A - k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.SUB, 0x10); // BPF_SUB, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 5),
 *   bpf.stmt(bpf.ALU | bpf.SUB | bpf.K, 3),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 2);
 * ```
 */
export const SUB = 0x10;
/**
 * `BPF_MUL`.
 *
 * @example A = A * k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.MUL, 0x20); // BPF_MUL, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 6),
 *   bpf.stmt(bpf.ALU | bpf.MUL | bpf.K, 7),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 42);
 * ```
 */
export const MUL = 0x20;
/**
 * `BPF_DIV`.
 *
 * @example A = A / k, unsigned; dividing by X = 0 drops the datagram
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.DIV, 0x30); // BPF_DIV, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 42),
 *   bpf.stmt(bpf.ALU | bpf.DIV | bpf.K, 5),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 8);
 * const byZero = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 42),
 *   bpf.stmt(bpf.ALU | bpf.DIV | bpf.X, 0), // X is 0
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(byZero, new Uint8Array(20)), 0);
 * ```
 */
export const DIV = 0x30;
/**
 * `BPF_OR`.
 *
 * @example A = A | k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.OR, 0x40); // BPF_OR, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 0x0f),
 *   bpf.stmt(bpf.ALU | bpf.OR | bpf.K, 0xf0),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 0xff);
 * ```
 */
export const OR = 0x40;
/**
 * `BPF_AND`.
 *
 * @example A = A & k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.AND, 0x50); // BPF_AND, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 0x1234),
 *   bpf.stmt(bpf.ALU | bpf.AND | bpf.K, 0xff),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 0x34);
 * ```
 */
export const AND = 0x50;
/**
 * `BPF_LSH`.
 *
 * @example A = A << k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.LSH, 0x60); // BPF_LSH, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 1),
 *   bpf.stmt(bpf.ALU | bpf.LSH | bpf.K, 4),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 16);
 * ```
 */
export const LSH = 0x60;
/**
 * `BPF_RSH`.
 *
 * @example A = A >>> k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.RSH, 0x70); // BPF_RSH, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 0x100),
 *   bpf.stmt(bpf.ALU | bpf.RSH | bpf.K, 4),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 16);
 * ```
 */
export const RSH = 0x70;
/**
 * `BPF_NEG`.
 *
 * @example A = -A (mod 2³²)
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.NEG, 0x80); // BPF_NEG, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 1),
 *   bpf.stmt(bpf.ALU | bpf.NEG, 0),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 0xffff_ffff);
 * ```
 */
export const NEG = 0x80;
/**
 * `BPF_MOD`.
 *
 * @example A = A % k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.MOD, 0x90); // BPF_MOD, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 42),
 *   bpf.stmt(bpf.ALU | bpf.MOD | bpf.K, 5),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 2);
 * ```
 */
export const MOD = 0x90;
/**
 * `BPF_XOR`.
 *
 * @example A = A ^ k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.XOR, 0xa0); // BPF_XOR, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 0xff),
 *   bpf.stmt(bpf.ALU | bpf.XOR | bpf.K, 0x0f),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 0xf0);
 * ```
 */
export const XOR = 0xa0;
/**
 * `BPF_JA`: jump always by `k`.
 *
 * @example Jump always, by k instructions
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.JA, 0x00); // BPF_JA, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.JMP | bpf.JA, 1),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP), // skipped
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), bpf.ACCEPT);
 * ```
 */
export const JA = 0x00;
/**
 * `BPF_JEQ`: jump if A == operand.
 *
 * @example Keep datagrams whose first byte is 7
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.JEQ, 0x10); // BPF_JEQ, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.B | bpf.ABS, 0),
 *   bpf.jump(bpf.JMP | bpf.JEQ | bpf.K, 7, 0, 1),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP),
 * ];
 * assert.equal(runBPF(program, new Uint8Array([7])), bpf.ACCEPT);
 * assert.equal(runBPF(program, new Uint8Array([8])), bpf.DROP);
 * ```
 */
export const JEQ = 0x10;
/**
 * `BPF_JGT`: jump if A > operand (unsigned).
 *
 * @example Keep datagrams whose first byte is above 10
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.JGT, 0x20); // BPF_JGT, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.B | bpf.ABS, 0),
 *   bpf.jump(bpf.JMP | bpf.JGT | bpf.K, 10, 0, 1),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP),
 * ];
 * assert.equal(runBPF(program, new Uint8Array([11])), bpf.ACCEPT);
 * assert.equal(runBPF(program, new Uint8Array([10])), bpf.DROP);
 * ```
 */
export const JGT = 0x20;
/**
 * `BPF_JGE`: jump if A >= operand (unsigned).
 *
 * @example Keep datagrams whose first byte is at least 10
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.JGE, 0x30); // BPF_JGE, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.B | bpf.ABS, 0),
 *   bpf.jump(bpf.JMP | bpf.JGE | bpf.K, 10, 0, 1),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP),
 * ];
 * assert.equal(runBPF(program, new Uint8Array([10])), bpf.ACCEPT);
 * assert.equal(runBPF(program, new Uint8Array([9])), bpf.DROP);
 * ```
 */
export const JGE = 0x30;
/**
 * `BPF_JSET`: jump if A & operand is not 0.
 *
 * @example Keep datagrams whose first byte has bit 2 set
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.JSET, 0x40); // BPF_JSET, linux/bpf_common.h
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.B | bpf.ABS, 0),
 *   bpf.jump(bpf.JMP | bpf.JSET | bpf.K, 0x04, 0, 1),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP),
 * ];
 * assert.equal(runBPF(program, new Uint8Array([0x06])), bpf.ACCEPT);
 * assert.equal(runBPF(program, new Uint8Array([0x01])), bpf.DROP);
 * ```
 */
export const JSET = 0x40;

// Operand sources (`BPF_SRC`) and return values (`BPF_RVAL`).
/**
 * `BPF_K`: the operand is the constant `k`.
 *
 * @example The operand of an ALU operation or jump is the constant k
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.K, 0x00); // BPF_K, linux/bpf_common.h
 * assert.equal(bpf.JMP | bpf.JEQ | bpf.K, 0x15);
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 40),
 *   bpf.stmt(bpf.ALU | bpf.ADD | bpf.K, 2),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 42);
 * ```
 */
export const K = 0x00;
/**
 * `BPF_X`: the operand is X.
 *
 * @example The operand of an ALU operation is X
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.X, 0x08); // BPF_X, linux/bpf_common.h
 * const add = bpf.stmt(bpf.ALU | bpf.ADD | bpf.X, 0);
 * assert.equal(add.code, 0x0c);
 * const program = [
 *   bpf.stmt(bpf.LDX | bpf.IMM, 3),
 *   bpf.stmt(bpf.LD | bpf.IMM, 4),
 *   add, // A = A + X
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 7);
 * ```
 */
export const X = 0x08;
/**
 * `BPF_A`: return A.
 *
 * @example Return A: keep as many bytes as the datagram has
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.A, 0x10); // BPF_A, linux/filter.h
 * const ret = bpf.stmt(bpf.RET | bpf.A, 0);
 * assert.equal(ret.code, 0x16);
 * const program = [bpf.stmt(bpf.LD | bpf.W | bpf.LEN, 0), ret];
 * assert.equal(runBPF(program, new Uint8Array(24)), 24);
 * ```
 */
export const A = 0x10;
/**
 * `BPF_TAX`: X = A.
 *
 * @example Copy A to X, then use X as an operand
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.TAX, 0x00); // BPF_TAX, linux/filter.h
 * const tax = bpf.stmt(bpf.MISC | bpf.TAX, 0);
 * assert.equal(tax.code, 0x07);
 * const program = [
 *   bpf.stmt(bpf.LD | bpf.IMM, 3),
 *   tax, // X = 3
 *   bpf.stmt(bpf.LD | bpf.IMM, 4),
 *   bpf.stmt(bpf.ALU | bpf.ADD | bpf.X, 0),
 *   bpf.stmt(bpf.RET | bpf.A, 0),
 * ];
 * assert.equal(runBPF(program, new Uint8Array(20)), 7);
 * ```
 */
export const TAX = 0x00;
/**
 * `BPF_TXA`: A = X.
 *
 * @example Copy X to A
 * ```ts
 * import { bpf } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.TXA, 0x80); // BPF_TXA, linux/filter.h
 * const txa = bpf.stmt(bpf.MISC | bpf.TXA, 0);
 * assert.equal(txa.code, 0x87);
 * const program = [bpf.stmt(bpf.LDX | bpf.IMM, 5), txa, bpf.stmt(bpf.RET | bpf.A, 0)];
 * assert.equal(runBPF(program, new Uint8Array(20)), 5);
 * ```
 */
export const TXA = 0x80;

/**
 * Return value that keeps the whole datagram.
 *
 * @example A filter that keeps everything, on a simulated kernel's socket
 * ```ts
 * import { bpf, Family } from "@nlkit/netlink/netlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route, { groups: 1 }); // RTMGRP_LINK
 * conn.setBPF([bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT)]);
 * kernel.notify(Family.Route, 1, [{ header: { length: 0, type: 16, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(16) }]);
 * const [m] = await conn.receive();
 * assert.equal(m?.header.type, 16);
 * assert.equal(m?.data.length, 16); // nothing cut
 * ```
 */
export const ACCEPT = 0xffff_ffff;
/**
 * Return value that drops the datagram.
 *
 * @example Drop RTM_DELLINK notifications, keep the rest
 * ```ts
 * import { bpf, Family } from "@nlkit/netlink/netlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * await using conn = kernel.dial(Family.Route, { groups: 1 }); // RTMGRP_LINK
 * conn.setBPF([
 *   ...bpf.loadUint16(bpf.Offset.Type),
 *   bpf.jump(bpf.JMP | bpf.JEQ | bpf.K, 17, 0, 1), // RTM_DELLINK?
 *   bpf.stmt(bpf.RET | bpf.K, bpf.DROP),
 *   bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT),
 * ]);
 * const link = (type: number) => ({ header: { length: 0, type, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(16) });
 * kernel.notify(Family.Route, 1, [link(17)]); // dropped by the filter
 * kernel.notify(Family.Route, 1, [link(16)]);
 * const [m] = await conn.receive();
 * assert.equal(m?.header.type, 16);
 * ```
 */
export const DROP = 0;
/**
 * `NLMSG_MIN_TYPE`: types below it are control messages (NOOP, ERROR, DONE, OVERRUN).
 *
 * @example Control messages are kept even by a filter that accepts no type
 * ```ts
 * import { bpf, encodeMessage, HeaderType } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.MIN_TYPE, HeaderType.MinType); // NLMSG_MIN_TYPE, linux/netlink.h
 * const program = bpf.acceptTypes([]);
 * const message = (type: number) => encodeMessage({ header: { length: 0, type, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) });
 * assert.equal(runBPF(program, message(HeaderType.Error)), bpf.ACCEPT);
 * assert.equal(runBPF(program, message(bpf.MIN_TYPE)), bpf.DROP);
 * ```
 */
export const MIN_TYPE = 0x10;

/**
 * Byte offsets of `struct nlmsghdr` fields in a datagram (the first message).
 *
 * @example Read nlmsg_type from a datagram
 * ```ts
 * import { bpf, encodeMessage, HEADER_LENGTH } from "@nlkit/netlink/netlink";
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bpf.Offset.Payload, HEADER_LENGTH);
 * const program = [...bpf.loadUint16(bpf.Offset.Type), bpf.stmt(bpf.RET | bpf.A, 0)];
 * const datagram = encodeMessage({ header: { length: 0, type: 24, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(12) });
 * assert.equal(runBPF(program, datagram), 24); // RTM_NEWROUTE
 * ```
 */
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
 * @example Using stmt
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
 * @example Using jump
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
 * @example Using loadUint16
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
 * @example Using hostUint32
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
 * Keep the types of every dump you run on this connection, or dump on
 * another one: the kernel builds the next part of a dump only when a
 * receive finds the previous one, so a filter that drops dump parts stalls
 * the dump and its `NLMSG_DONE` never comes (seen on Linux 6.18; the
 * simulated kernel does the same).
 *
 * @param types Message types to keep, such as `[16, 17]` (RTM_NEWLINK, RTM_DELLINK); at most 250.
 * @returns The program for `Conn.setBPF`.
 * @throws {RangeError} With more than 250 types or a type outside 0..65535.
 *
 * @example Using acceptTypes
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
 * @example Using dropPids
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
