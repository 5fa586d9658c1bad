// ReceiveOptions.timeout (issue 15 item 7: a reply dropped under noENOBUFS
// must not leave a call waiting forever), and header-only requests.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnOption,
  encodeMessage,
  Errno,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { dial, multipart, notify } from "../../src/nltest/mod.ts";
import { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { connFromSocket, socketOf } from "../../src/netlink/conn.ts";

const { Request, Acknowledge, Dump, Multi } = HeaderFlags;

const timedOut = (op: string) => (e: unknown) =>
  isNetlinkError(e) && e.errno === Errno.ETIMEDOUT && e.op === op &&
  /nothing received within \d+ ms/.test(e.message);

function request(flags: number = Request, tag = 0): Message {
  return {
    header: { length: 0, type: 0x10, flags, sequence: 0, pid: 0 },
    data: new Uint8Array([tag, 0, 0, 0]),
  };
}

/** A kernel that drops the replies to requests tagged 1 (as a full receive buffer does under noENOBUFS). */
function lossy() {
  const socket = new MemorySocket({
    onSend: (s, d) => {
      for (const r of parseMessages(d)) {
        if (r.data[0] === 1) continue;
        const reply = (type: number, flags: number, n: number) =>
          encodeMessage({
            header: {
              length: 0,
              type,
              flags,
              sequence: r.header.sequence,
              pid: s.pid,
            },
            data: new Uint8Array([n, 0, 0, 0]),
          });
        if ((r.header.flags & Dump) !== 0) {
          s.deliver(reply(0x10, Multi, 7));
          s.deliver(reply(HeaderType.Done, Multi, 0));
        } else s.deliver(reply(0x10, 0, r.data[0]!));
      }
    },
  });
  return connFromSocket(socket, { noENOBUFS: true });
}

describe("ReceiveOptions.timeout", () => {
  it("execute: rejects with ETIMEDOUT when the reply never comes; the Conn goes on", async () => {
    using conn = lossy();
    assert.equal(conn.getOption(ConnOption.NoENOBUFS), true);
    await assert.rejects(
      conn.execute(request(Request, 1), { timeout: 5 }),
      timedOut("execute"),
    );
    const [reply] = await conn.execute(request(Request, 2), { timeout: 5 });
    assert.equal(reply!.data[0], 2);
  });

  it("visit and receive: the same", async () => {
    using conn = lossy();
    await assert.rejects(
      conn.visit(request(Request | Dump, 1), () => {}, { timeout: 5 }),
      timedOut("visit"),
    );
    conn.send(request(Request, 1));
    await assert.rejects(conn.receive({ timeout: 5 }), timedOut("receive"));
    assert.equal(await conn.visit(request(Request | Dump, 2), () => {}), 1);
  });

  it("dump: next() throws ETIMEDOUT and the iterator ends; the next dump is not held up", async () => {
    using conn = lossy();
    const it = conn.dump(request(Request | Dump, 1), { timeout: 5 });
    await assert.rejects(it.next(), timedOut("dump"));
    assert.equal((await it.next()).done, true);
    const rest = await Array.fromAsync(conn.dump(request(Request | Dump, 2)));
    assert.deepEqual(rest.map((m) => m.data[0]), [7]);
  });

  it("notifications: bounds each wait; the iterator ends and a new one works", async () => {
    using conn = dial(() => [], { groups: 1 });
    const it = conn.notifications({ timeout: 5 });
    await assert.rejects(it.next(), timedOut("notifications"));
    assert.equal((await it.next()).done, true);
    const again = conn.notifications({ timeout: 1000 });
    const next = again.next();
    notify(conn, 1, [request(0, 9)]);
    assert.equal((await next).value?.data[0], 9);
    await again.return?.();
  });

  it("costs no timer when the reply is already queued", async () => {
    using conn = dial(() => multipart([request(0, 3)]));
    const real = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return real(...args);
    }) as typeof setTimeout;
    try {
      await conn.execute(request(Request | Acknowledge), { timeout: 1000 });
      await conn.visit(request(Request | Dump), () => {}, { timeout: 1000 });
      await Array.fromAsync(
        conn.dump(request(Request | Dump), { timeout: 1000 }),
      );
    } finally {
      globalThis.setTimeout = real;
    }
    assert.equal(timers, 0);
  });

  it("a reply that comes in time clears the timer", async () => {
    using conn = dial(async (rs) => {
      await new Promise((r) => setTimeout(r, 1));
      return [{ header: { ...rs[0]!.header, flags: 0 }, data: rs[0]!.data }];
    });
    const [reply] = await conn.execute(request(Request, 4), { timeout: 2000 });
    assert.equal(reply!.data[0], 4);
    // (A pending 2 s timer would keep Deno's test sanitizer and Bun busy.)
  });

  it("rejects a bad timeout with TypeError or RangeError, sending nothing", async () => {
    let sent = 0;
    using conn = dial(() => {
      sent++;
      return [];
    });
    const bad = (timeout: unknown) => ({ timeout: timeout as number });
    await assert.rejects(conn.execute(request(), bad("5")), TypeError);
    await assert.rejects(conn.execute(request(), bad(-1)), RangeError);
    await assert.rejects(conn.execute(request(), bad(1.5)), RangeError);
    await assert.rejects(conn.dump(request(), bad(2 ** 31)).next(), RangeError);
    await assert.rejects(conn.receive(bad(NaN)), RangeError);
    assert.throws(() => conn.notifications(bad(-5)), RangeError);
    assert.equal(sent, 0);
  });
});

describe("header-only requests (no data)", () => {
  it("send, execute, dump and visit accept a request without data", async () => {
    const seen: Uint8Array[] = [];
    using conn = dial((rs) => {
      seen.push(encodeMessage(rs[0]!));
      return (rs[0]!.header.flags & Dump) !== 0
        ? multipart([request(0, 5)])
        : [];
    });
    const header = {
      length: 0,
      type: HeaderType.Noop,
      flags: Request | Acknowledge,
      sequence: 0,
      pid: 0,
    };
    const sent = conn.send({ header });
    assert.equal(sent.header.length, 16);
    assert.equal(sent.data.length, 0);
    assert.deepEqual(await conn.execute({ header }), []);
    const dumpHeader = { ...header, type: 0x10, flags: Request | Dump };
    assert.equal(
      (await Array.fromAsync(conn.dump({ header: dumpHeader }))).length,
      1,
    );
    assert.equal(await conn.visit({ header: dumpHeader }, () => {}), 1);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(seen.map((b) => b.length), [16, 16, 16, 16]);
    assert.equal((socketOf(conn) as MemorySocket).closed, false);
  });

  it("still rejects data that is not a Uint8Array", async () => {
    using conn = dial(() => []);
    const header = {
      length: 0,
      type: 0x10,
      flags: Request,
      sequence: 0,
      pid: 0,
    };
    const bad = { header, data: [1, 2] as unknown as Uint8Array };
    await assert.rejects(conn.execute(bad), TypeError);
    assert.throws(() => conn.send(bad), TypeError);
  });
});
