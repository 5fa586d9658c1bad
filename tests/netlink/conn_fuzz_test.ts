import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  encodeMessage,
  HeaderFlags,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { ack } from "../../src/nltest/mod.ts";
import { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { connFromSocket } from "../../src/netlink/conn.ts";

const request: Message = {
  header: {
    length: 0,
    type: 0x10,
    flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
    sequence: 0,
    pid: 0,
  },
  data: new Uint8Array(8),
};

describe("Conn with arbitrary reply bytes", () => {
  it("settles every execute with replies or a NetlinkError, and stays usable", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 96 }), { maxLength: 4 }),
        fc.boolean(),
        async (datagrams, stampFirst) => {
          let junk = true;
          const socket = new MemorySocket({
            onSend: (s, d) => {
              const r = parseMessages(d)[0]!;
              if (junk) {
                for (const g of datagrams) {
                  const b = g.slice();
                  // Route some of the junk to the request: stamp its sequence into the first header.
                  if (stampFirst && b.length >= 12) {
                    new DataView(b.buffer).setUint32(
                      8,
                      r.header.sequence,
                      true,
                    );
                  }
                  s.deliver(b);
                }
              }
              s.deliver(encodeMessage(ack(r)[0]!));
            },
          });
          using conn = connFromSocket(socket);
          try {
            const out = await conn.execute(request);
            assert.ok(Array.isArray(out));
          } catch (e) {
            assert.ok(isNetlinkError(e), `unexpected ${String(e)}`);
          }
          junk = false;
          assert.deepEqual(await conn.execute(request), []);
        },
      ),
      { numRuns: 300 },
    );
  });
});
