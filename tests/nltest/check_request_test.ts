import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HeaderFlags, type Message } from "../../src/netlink/mod.ts";
import { checkRequest, dial, type RequestCheck } from "../../src/nltest/mod.ts";

const req = (type: number, flags: number): Message => ({
  header: { length: 16, type, flags, sequence: 1, pid: 1 },
  data: new Uint8Array(0),
});

describe("checkRequest", () => {
  // vectors §1.12 (a Go zero value skips a check; here an absent field does).
  const cases: {
    name: string;
    checks: RequestCheck[];
    requests: Message[];
    error?: RegExp;
  }[] = [
    { name: "nothing checked", checks: [{}], requests: [req(0, 0)] },
    {
      name: "type matches",
      checks: [{ type: 10 }],
      requests: [req(10, HeaderFlags.Request)],
    },
    {
      name: "flags match",
      checks: [{ flags: HeaderFlags.Request }],
      requests: [req(10, HeaderFlags.Request)],
    },
    {
      name: "second type differs",
      checks: [{ type: 10, flags: HeaderFlags.Request }, {
        type: 20,
        flags: HeaderFlags.Replace,
      }],
      requests: [req(10, HeaderFlags.Request), req(99, HeaderFlags.Replace)],
      error: /Cannot check request 1: header type 99, want 20$/,
    },
    {
      name: "second flags differ",
      checks: [{ type: 10, flags: HeaderFlags.Request }, {
        type: 20,
        flags: HeaderFlags.Replace,
      }],
      requests: [req(10, HeaderFlags.Request), req(20, HeaderFlags.Request)],
      error: /Cannot check request 1: header flags request, want 0x100$/,
    },
    {
      name: "request count differs",
      checks: [{}, {}],
      requests: [req(1, 0)],
      error: /got 1 requests, want 2/,
    },
    {
      name: "flags 0 are checked",
      checks: [{ flags: 0 }],
      requests: [req(1, HeaderFlags.Request)],
      error: /header flags/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      let called = false;
      const k = checkRequest(c.checks, () => {
        called = true;
        return [];
      });
      if (c.error === undefined) {
        assert.deepEqual(await k(c.requests), []);
        assert.ok(called);
      } else {
        assert.throws(() => k(c.requests), c.error);
        assert.ok(!called);
      }
    });
  }

  it("rejects the Conn call that sent a wrong request", async () => {
    using conn = dial(checkRequest([{ type: 0x10 }], () => []));
    await assert.rejects(
      conn.execute({
        header: {
          length: 0,
          type: 0x11,
          flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array(0),
      }),
      /header type 17, want 16/,
    );
    assert.deepEqual(
      await conn.execute({
        header: {
          length: 0,
          type: 0x10,
          flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array(0),
      }),
      [],
    );
  });
});
