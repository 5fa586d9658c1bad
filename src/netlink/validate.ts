/**
 * Checking that replies belong to a request.
 *
 * @module
 */

import { checkReply } from "./_conn_state.ts";
import type { Message } from "./message.ts";

/**
 * Checks that replies answer `request`, with the rules of the Go
 * reference's `Validate` (vectors §1.6). For each reply in order:
 *
 * 1. when the request's sequence is not 0, the reply's must equal it;
 * 2. when the request's pid and the reply's pid are both non-zero, they
 *    must be equal (pid 0 is the kernel, or a request not yet sent).
 *
 * Only the sequence and pid are compared, the sequence first; type, flags
 * and the number of replies are not checked.
 *
 * @param request The request as sent (with its sequence and pid filled in).
 * @param replies The replies received for it.
 * @throws {NetlinkError} With op `"validate"` and errno EPROTO (71), naming
 * the field, the value received and the value expected.
 *
 * @example Reject a reply to another request
 * ```ts
 * import { validate } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const header = { length: 16, type: 0x10, flags: 1, sequence: 1, pid: 100 };
 * const request = { header, data: new Uint8Array(0) };
 * validate(request, [{ header: { ...header, pid: 0 }, data: new Uint8Array(0) }]);
 * assert.throws(
 *   () => validate(request, [{ header: { ...header, sequence: 2 }, data: new Uint8Array(0) }]),
 *   { message: "Cannot validate: EPROTO (errno 71): mismatched sequence in netlink reply: got 2, want 1" },
 * );
 * ```
 */
export function validate(request: Message, replies: readonly Message[]): void {
  const { sequence, pid } = request.header;
  for (let i = 0; i < replies.length; i++) {
    const e = checkReply(sequence, pid, replies[i]!.header);
    if (e !== null) throw e;
  }
}
