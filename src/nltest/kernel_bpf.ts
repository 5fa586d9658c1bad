/**
 * A classic BPF interpreter, so that filters attached with `Conn.setBPF`
 * run inside the simulated kernel as `sk_filter` runs them on a real
 * socket: on every datagram delivered to the socket, unicast or multicast.
 *
 * @module
 */

import type { BPFInstruction } from "../netlink/_socket.ts";

const MEMWORDS = 16;
/** `BPF_MAXINSNS`: the longest program the kernel accepts. */
const MAXINSNS = 4096;

/**
 * Runs a classic BPF program (`struct sock_filter[]`) over one datagram, as
 * the kernel's `bpf_prog_run` does for `SO_ATTACH_FILTER`: word and
 * half-word loads are big-endian, a load outside the packet or a division
 * by zero ends the program with 0, and the result is the number of bytes to
 * keep (0 drops the datagram). Ancillary loads (`SKF_AD_*`) are not
 * simulated and read as out of bounds.
 *
 * @param program The instructions.
 * @param packet The datagram.
 * @returns The number of bytes to keep.
 * @throws {RangeError} On an invalid instruction, a jump out of the program, or a program that does not end in RET.
 *
 * @example Keep only RTM_NEWLINK, with nlkit's filter helpers
 * ```ts
 * import { runBPF } from "@nlkit/netlink/nltest";
 * import { bpf, encodeMessage } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const program = bpf.acceptTypes([16]);
 * const message = (type: number) => encodeMessage({ header: { length: 0, type, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(16) });
 * assert.equal(runBPF(program, message(16)), 0xffffffff);
 * assert.equal(runBPF(program, message(20)), 0);
 * ```
 */
export function runBPF(
  program: readonly BPFInstruction[],
  packet: Uint8Array,
): number {
  if (program.length === 0 || program.length > MAXINSNS) {
    throw new RangeError(
      `Cannot run BPF program: ${program.length} instructions, want 1 to ${MAXINSNS}`,
    );
  }
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const len = packet.length;
  const mem = new Uint32Array(MEMWORDS);
  let a = 0;
  let x = 0;
  const load = (off: number, size: number): number | null => {
    if (off < 0 || off + size > len) return null;
    return size === 4
      ? v.getUint32(off, false)
      : size === 2
      ? v.getUint16(off, false)
      : packet[off]!;
  };
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc]!;
    const code = ins.code;
    const k = ins.k >>> 0;
    switch (code & 0x07) {
      case 0x00: // LD
      case 0x01: { // LDX
        const size = (code & 0x18) === 0x00
          ? 4
          : (code & 0x18) === 0x08
          ? 2
          : 1;
        const mode = code & 0xe0;
        let val: number | null;
        if (mode === 0x00) val = k; // IMM
        else if (mode === 0x20) val = load(k | 0, size); // ABS
        else if (mode === 0x40) val = load((x + k) | 0, size); // IND
        else if (mode === 0x60) val = mem[k % MEMWORDS]!; // MEM
        else if (mode === 0x80) val = len; // LEN
        else if (mode === 0xa0 && (code & 0x07) === 0x01) { // LDX MSH: 4 * (P[k] & 0xf)
          const b = load(k | 0, 1);
          val = b === null ? null : (b & 0x0f) * 4;
        } else {throw new RangeError(
            `Cannot run BPF program: bad load 0x${code.toString(16)} at ${pc}`,
          );}
        if (val === null) return 0;
        if ((code & 0x07) === 0x00) a = val >>> 0;
        else x = val >>> 0;
        break;
      }
      case 0x02: // ST
        mem[k % MEMWORDS] = a;
        break;
      case 0x03: // STX
        mem[k % MEMWORDS] = x;
        break;
      case 0x04: { // ALU
        const src = (code & 0x08) !== 0 ? x : k;
        switch (code & 0xf0) {
          case 0x00:
            a = (a + src) >>> 0;
            break;
          case 0x10:
            a = (a - src) >>> 0;
            break;
          case 0x20:
            a = Math.imul(a, src) >>> 0;
            break;
          case 0x30:
            if (src === 0) return 0;
            a = Math.floor(a / src) >>> 0;
            break;
          case 0x40:
            a = (a | src) >>> 0;
            break;
          case 0x50:
            a = (a & src) >>> 0;
            break;
          case 0x60:
            a = src >= 32 ? 0 : (a << src) >>> 0;
            break;
          case 0x70:
            a = src >= 32 ? 0 : a >>> src;
            break;
          case 0x80:
            a = -a >>> 0;
            break;
          case 0x90:
            if (src === 0) return 0;
            a = (a % src) >>> 0;
            break;
          case 0xa0:
            a = (a ^ src) >>> 0;
            break;
          default:
            throw new RangeError(
              `Cannot run BPF program: bad ALU op 0x${
                code.toString(16)
              } at ${pc}`,
            );
        }
        break;
      }
      case 0x05: { // JMP
        const op = code & 0xf0;
        let next: number;
        if (op === 0x00) next = pc + 1 + k; // JA
        else {
          const src = (code & 0x08) !== 0 ? x : k;
          let cond: boolean;
          if (op === 0x10) cond = a === src;
          else if (op === 0x20) cond = a > src;
          else if (op === 0x30) cond = a >= src;
          else if (op === 0x40) cond = (a & src) !== 0;
          else {throw new RangeError(
              `Cannot run BPF program: bad jump 0x${
                code.toString(16)
              } at ${pc}`,
            );}
          next = pc + 1 + (cond ? ins.jt : ins.jf);
        }
        if (next >= program.length) {
          throw new RangeError(
            `Cannot run BPF program: jump out of the program at ${pc}`,
          );
        }
        pc = next - 1;
        break;
      }
      case 0x06: { // RET
        const rval = code & 0x18;
        return (rval === 0x10 ? a : rval === 0x08 ? x : k) >>> 0;
      }
      case 0x07: // MISC
        if ((code & 0xf8) === 0x00) x = a; // TAX
        else a = x; // TXA
        break;
    }
  }
  throw new RangeError("Cannot run BPF program: it ends without RET");
}

/**
 * Applies a socket's filter to a datagram: null when dropped, the datagram
 * cut to the kept length otherwise.
 *
 * @internal
 * @param program The attached program, or null.
 * @param datagram The datagram.
 * @returns What the socket receives, or null.
 */
export function filterDatagram(
  program: readonly BPFInstruction[] | null,
  datagram: Uint8Array,
): Uint8Array | null {
  if (program === null) return datagram;
  const keep = runBPF(program, datagram);
  if (keep === 0) return null;
  return keep >= datagram.length ? datagram : datagram.subarray(0, keep);
}
