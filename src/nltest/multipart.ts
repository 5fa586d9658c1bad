/**
 * Multipart replies for simulated kernels.
 *
 * @module
 */

import { HeaderFlags, HeaderType } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";

/**
 * Turns messages into a multipart reply, as the kernel sends a dump: every
 * message gets `NLM_F_MULTI`, and an `NLMSG_DONE` (with `NLM_F_MULTI` and a
 * zero errno, as Linux sends it) is appended. An empty list gives a lone
 * DONE, the reply to an empty dump. Inputs are not modified.
 *
 * Unlike the Go reference's `nltest.Multipart`, which turns the LAST message
 * into the DONE (so callers had to append a dummy), the DONE is added here.
 *
 * @param messages The reply messages.
 * @returns Copies flagged `Multi`, followed by the DONE.
 *
 * @example Using multipart
 * ```ts
 * import { multipart } from "@nlkit/netlink/nltest";
 * import { HeaderFlags, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const ms = multipart([{ header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(0) }]);
 * assert.deepEqual(ms.map((m) => m.header.type), [0x10, HeaderType.Done]);
 * assert.ok(ms.every((m) => (m.header.flags & HeaderFlags.Multi) !== 0));
 * ```
 */
export function multipart(messages: readonly Message[]): Message[] {
  const out: Message[] = messages.map((m) => ({
    header: { ...m.header, flags: m.header.flags | HeaderFlags.Multi },
    data: m.data,
  }));
  out.push({
    header: {
      length: 0,
      type: HeaderType.Done,
      flags: HeaderFlags.Multi,
      sequence: 0,
      pid: 0,
    },
    data: new Uint8Array(4),
  });
  return out;
}
