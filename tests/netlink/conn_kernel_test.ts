// Conn over the real libc socket and the running kernel (no privileges needed):
// NETLINK_ROUTE NOOP+ACK, a link dump, an error reply, concurrency, abort and close.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Conn,
  Family,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";

const RTM_GETLINK = 18;
const { Request, Acknowledge, Dump } = HeaderFlags;

async function open(): Promise<Conn | null> {
  if (process.platform !== "linux") return null;
  try {
    return await Conn.dial(Family.Route);
  } catch (e) {
    if (e instanceof Error && e.name === "UnsupportedPlatformError") {
      return null;
    }
    throw e;
  }
}

const noop: Message = {
  header: {
    length: 0,
    type: HeaderType.Noop,
    flags: Request | Acknowledge,
    sequence: 0,
    pid: 0,
  },
  data: new Uint8Array(0),
};
const getLinks: Message = {
  header: {
    length: 0,
    type: RTM_GETLINK,
    flags: Request | Dump,
    sequence: 0,
    pid: 0,
  },
  data: new Uint8Array(16),
};

describe(
  "Conn on the real kernel",
  { skip: process.platform !== "linux" },
  () => {
    it("executes NOOP+ACK, dumps links three ways, and maps an error", async (t) => {
      const conn = await open();
      if (conn === null) return t.skip("no FFI");
      await using _ = conn;
      assert.ok(conn.pid > 0);
      assert.deepEqual(await conn.execute(noop), []);
      const links = await conn.execute(getLinks);
      assert.ok(links.length >= 1, "at least lo");
      let streamed = 0;
      for await (const _m of conn.dump(getLinks)) streamed++;
      assert.equal(streamed, links.length);
      assert.equal(await conn.visit(getLinks, () => {}), links.length);
      const nodev = new Uint8Array(16);
      new DataView(nodev.buffer).setInt32(4, 0x7ffffff0, true); // ifi_index that does not exist
      await assert.rejects(
        conn.execute({
          header: {
            length: 0,
            type: RTM_GETLINK,
            flags: Request,
            sequence: 0,
            pid: 0,
          },
          data: nodev,
        }),
        (e) => isNetlinkError(e) && e.code === "ENODEV",
      );
      const all = await Promise.all([
        conn.execute(noop),
        conn.execute(getLinks),
        conn.execute(noop),
      ]);
      assert.equal(all[1]!.length, links.length);
    });

    it("aborts and closes a wait that nothing answers", async (t) => {
      const conn = await open();
      if (conn === null) return t.skip("no FFI");
      // No group joined: nothing can arrive, so only the abort and the close end these waits.
      const ac = new AbortController();
      const events = conn.notifications({ signal: ac.signal });
      const next = events.next();
      setTimeout(() => ac.abort(), 0);
      await assert.rejects(next, { name: "AbortError" });
      const pending = conn.receive();
      setTimeout(() => void conn.close(), 0);
      await assert.rejects(
        pending,
        (e) => isNetlinkError(e) && /closed/.test(e.message),
      );
    });
  },
);
