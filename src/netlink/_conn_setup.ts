/**
 * Argument checks and socket setup of `Conn` that are not on a hot path:
 * dial options, the socket options applied after bind, BPF programs. Not
 * part of the public API.
 *
 * @module
 */

import type { BPFInstruction, Socket } from "./_socket.ts";
import { BPF_MAXINSNS, checkInteger, socketError } from "./_conn_state.ts";
import { ConnOption } from "./header.ts";
import type { ConnOptions } from "./options.ts";
import { openSocket, type OpenSocketOptions } from "./socket.ts";

/**
 * `Conn.dial` up to the bound socket: checks `family` and the bind-time
 * options, opens the socket.
 *
 * @throws {NetlinkError} When a system call fails (`cause`: the SyscallError).
 */
export async function openChecked(
  family: number,
  options: ConnOptions,
): Promise<Socket> {
  checkInteger("dial", "family", family, 0, 31);
  const open = bindOptions(options);
  try {
    return await openSocket(family, open);
  } catch (e) {
    throw socketError("dial", e);
  }
}

/** A multicast group number: 1 to 2^32 - 1. */
export function checkGroup(op: string, group: number): void {
  checkInteger(op, "group", group, 1, 0xffffffff);
}

/** A `SOL_NETLINK` option number, and the boolean to set it to. */
export function checkOption(op: string, option: number, enable: boolean): void {
  checkInteger(op, "option", option, 0, 0x7fffffff);
  if (typeof enable !== "boolean") {
    throw new TypeError(
      `Cannot ${op}: enable must be a boolean, got ${typeof enable}`,
    );
  }
}

/** A buffer size (0 to 2^31 - 1) and its `force` flag; returns the flag. */
export function checkSize(
  op: string,
  bytes: number,
  force: boolean | undefined,
): boolean {
  checkInteger(op, "size", bytes, 0, 0x7fffffff);
  if (typeof (force ?? false) !== "boolean") {
    throw new TypeError(`Cannot ${op}: force must be a boolean`);
  }
  return force ?? false;
}

/** The bind-time part of `options` (groups, pid, netns), checked. */
function bindOptions(options: ConnOptions): OpenSocketOptions {
  const open: OpenSocketOptions = {};
  if (options.groups !== undefined) {
    open.groups = checkInteger("dial", "groups", options.groups, 0, 0xffffffff);
  }
  if (options.pid !== undefined) {
    open.pid = checkInteger("dial", "pid", options.pid, 0, 0xffffffff);
  }
  if (options.netns !== undefined) open.netns = options.netns;
  return open;
}

/**
 * Applies the socket options of `options` to a bound socket: `extendedAck`
 * (on unless false; best effort by default, as kernels before 4.12 lack
 * it), `strict`, `capAck`, `noENOBUFS`, `broadcastError`,
 * `listenAllNSID`, `receiveBufferSize`. On failure the socket is closed.
 *
 * @throws {NetlinkError} When setting an explicitly requested option fails.
 */
export function applyOptions(socket: Socket, options: ConnOptions): void {
  const set = (
    option: number,
    enable: boolean | undefined,
    byDefault = false,
  ): void => {
    if (!(enable ?? byDefault)) return;
    try {
      socket.setOption(option, true);
    } catch (e) {
      if (enable === undefined) return;
      throw socketError("dial", e);
    }
  };
  try {
    set(ConnOption.ExtendedAcknowledge, options.extendedAck, true);
    set(ConnOption.GetStrictCheck, options.strict);
    set(ConnOption.CapAcknowledge, options.capAck);
    set(ConnOption.NoENOBUFS, options.noENOBUFS);
    set(ConnOption.BroadcastError, options.broadcastError);
    set(ConnOption.ListenAllNSID, options.listenAllNSID);
    const size = options.receiveBufferSize;
    if (size !== undefined) {
      checkInteger("dial", "receiveBufferSize", size, 0, 0x7fffffff);
      try {
        socket.setReceiveBufferSize(size, false);
      } catch (e) {
        throw socketError("dial", e);
      }
    }
  } catch (e) {
    socket.close();
    throw e;
  }
}

/**
 * A checked copy of a classic BPF program.
 *
 * @throws {TypeError} If `program` is not an array of instruction objects.
 * @throws {RangeError} If it is empty, too long, or a field is out of range.
 */
export function checkProgram(
  op: string,
  program: readonly BPFInstruction[],
): BPFInstruction[] {
  if (!Array.isArray(program)) {
    throw new TypeError(
      `Cannot ${op}: program must be an array of instructions`,
    );
  }
  if (program.length === 0 || program.length > BPF_MAXINSNS) {
    throw new RangeError(
      `Cannot ${op}: program has ${program.length} instructions, want 1 to ${BPF_MAXINSNS}`,
    );
  }
  const copy: BPFInstruction[] = [];
  for (let i = 0; i < program.length; i++) {
    const ins = program[i];
    if (typeof ins !== "object" || ins === null) {
      throw new TypeError(`Cannot ${op}: instruction ${i} is not an object`);
    }
    copy.push({
      code: checkInteger(op, `instruction ${i} code`, ins.code, 0, 0xffff),
      jt: checkInteger(op, `instruction ${i} jt`, ins.jt, 0, 0xff),
      jf: checkInteger(op, `instruction ${i} jf`, ins.jf, 0, 0xff),
      k: checkInteger(op, `instruction ${i} k`, ins.k, 0, 0xffffffff),
    });
  }
  return copy;
}
