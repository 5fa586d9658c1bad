/**
 * handshake: the kernel's TLS handshake upcall: a handler (`tlshd`) asks
 * for a pending handshake with the generated `accept` operation.
 *
 *     deno run --allow-ffi examples/families/handshake.ts [--sim]
 *
 * On a kernel with the family and no pending handshake, `accept` answers
 * an error (shown): only the kernel's own upcalls create handshakes.
 *
 * @module
 */

import * as handshake from "../../src/families/handshake.ts";
import { isNetlinkError } from "../../src/netlink/mod.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: handshake.family,
  handlers: {
    accept: (r) => ({
      sockfd: 7,
      messageType: "clienthello",
      timeout: 5000,
      authMode: "x509",
      handlerClass: r.handlerClass,
    }),
  },
  async main(conn, out) {
    try {
      const a = await handshake.accept.do(conn, { handlerClass: "tlshd" });
      out(
        `handshake on fd ${a.sockfd}: ${a.messageType}, ${a.authMode}, timeout ${a.timeout} ms`,
      );
    } catch (e) {
      if (!isNetlinkError(e)) throw e;
      out(`no pending handshake: ${e.message}`);
    }
  },
};

await main(example, import.meta);
