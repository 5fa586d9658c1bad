/**
 * Request assertions for simulated kernels.
 *
 * @module
 */

import { formatFlags, type Message } from "../netlink/message.ts";
import type { Kernel } from "./dial.ts";
import { UnexpectedRequestError } from "./unexpected_request.ts";

/**
 * What {@linkcode checkRequest} expects of one request; an absent field is not checked.
 *
 * @example Check only the flags, whatever the type
 * ```ts
 * import { checkRequest, dial, type RequestCheck } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const flags = HeaderFlags.Request | HeaderFlags.Acknowledge;
 * const check: RequestCheck = { flags }; // no type: any type passes
 * using conn = dial(checkRequest([check], () => []));
 * const request = (flags: number) => ({ header: { length: 0, type: 0x20, flags, sequence: 0, pid: 0 }, data: new Uint8Array(0) });
 * assert.deepEqual(await conn.execute(request(flags)), []);
 * await assert.rejects(conn.execute(request(HeaderFlags.Request)), /header flags/);
 * ```
 */
export interface RequestCheck {
  /** The expected `nlmsg_type`. */
  type?: number;
  /** The expected `nlmsg_flags`, compared exactly. */
  flags?: number;
}

/**
 * Wraps a kernel so that it first checks the requests it receives: their
 * number, and each one's type and flags where given. A mismatch throws an
 * `Error`, which rejects the pending `Conn` call that sent the request.
 *
 * Unlike the Go reference, where a zero value skips a check, an absent
 * field skips it here, so type 0 and flags 0 can be checked.
 *
 * @param checks One entry per expected request, in order.
 * @param kernel The kernel to call when the requests match.
 * @returns The checking kernel.
 *
 * @example Using checkRequest
 * ```ts
 * import { checkRequest, dial } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * using conn = dial(checkRequest([{ type: 0x10, flags: HeaderFlags.Request }], () => []));
 * await assert.rejects(
 *   conn.execute({ header: { length: 0, type: 0x11, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: new Uint8Array(0) }),
 *   /header type 17, want 16/,
 * );
 * ```
 */
export function checkRequest(
  checks: readonly RequestCheck[],
  kernel: Kernel,
): Kernel {
  const want = checks.map((c) => ({ ...c }));
  return (requests: Message[]) => {
    if (requests.length !== want.length) {
      throw new UnexpectedRequestError(
        `Cannot check requests: got ${requests.length} requests, want ${want.length}`,
      );
    }
    for (let i = 0; i < want.length; i++) {
      const c = want[i]!;
      const h = requests[i]!.header;
      if (c.type !== undefined && h.type !== c.type) {
        throw new UnexpectedRequestError(
          `Cannot check request ${i}: header type ${h.type}, want ${c.type}`,
        );
      }
      if (c.flags !== undefined && h.flags !== c.flags) {
        throw new UnexpectedRequestError(
          `Cannot check request ${i}: header flags ${
            formatFlags(h.flags, h.type)
          }, want ${formatFlags(c.flags, h.type)}`,
        );
      }
    }
    return kernel(requests);
  };
}
