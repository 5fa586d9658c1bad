import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  type Conn,
  Family,
  HeaderFlags,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";

const REQUEST = HeaderFlags.Request;
const ACK = HeaderFlags.Acknowledge;
const DUMP = HeaderFlags.Dump;
const GETLINK = 18;
const NEWLINK = 16;

function msg(type: number, flags: number, data: Uint8Array): Message {
  return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
}

const dumpLinks = (): Message =>
  msg(GETLINK, REQUEST | DUMP, new Uint8Array(16));

function newLink(name: string): Message {
  const attrs = new AttributeEncoder().string(3, name).nested(
    18,
    (e) => e.string(1, "dummy"),
  ).encode();
  const data = new Uint8Array(16 + attrs.length);
  data.set(attrs, 16);
  return msg(
    NEWLINK,
    REQUEST | ACK | HeaderFlags.Create | HeaderFlags.Excl,
    data,
  );
}

/** A kernel with lo and two dummies. */
function kernel(): SimKernel {
  const k = new SimKernel({ trace: true });
  k.rtnetlink.addLink({ name: "d0" });
  k.rtnetlink.addLink({ name: "d1" });
  return k;
}

/** The Conn still works: a full dump comes back. */
async function usable(conn: Conn, links = 3): Promise<void> {
  assert.equal((await conn.execute(dumpLinks())).length, links);
}

/** Lets every queued task run (no timing involved). */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe("fault injection", () => {
  it("dumpInterrupted: DumpInterruptedError with the partial result", async () => {
    const k = kernel();
    const handle = k.inject({ type: "dumpInterrupted", at: 2 });
    await using conn = k.dial(Family.Route);
    await assert.rejects(
      conn.execute(dumpLinks()),
      (e: { name?: string; partial?: Message[] }) => {
        assert.equal(e.name, "DumpInterruptedError");
        assert.equal(e.partial?.length, 3);
        assert.deepEqual(
          e.partial?.map((m) =>
            (m.header.flags & HeaderFlags.DumpInterrupted) !== 0
          ),
          [false, true, true],
        );
        return true;
      },
    );
    assert.equal(handle.hits, 1);
    assert.equal(handle.remaining, 0);
    await usable(conn);
  });

  it("dumpInterrupted past the last part still marks the DONE", async () => {
    const k = kernel();
    k.inject({ type: "dumpInterrupted", at: 99 });
    await using conn = k.dial(Family.Route);
    await assert.rejects(conn.execute(dumpLinks()), {
      name: "DumpInterruptedError",
    });
    const done = parseMessages(
      k.trace.filter((t) => t.direction === "reply").at(-1)!.data,
    )[0]!;
    assert.equal(
      done.header.flags & HeaderFlags.DumpInterrupted,
      HeaderFlags.DumpInterrupted,
    );
  });

  it("overrun: OverrunError on the notification socket, the notification is lost, the Conn goes on", async () => {
    const k = kernel();
    await using monitor = k.dial(Family.Route, { groups: 1 });
    const other = k.dial(Family.Route, { groups: 1 });
    const otherEvents = other.notifications();
    k.inject({ type: "overrun" }, { conn: monitor });
    const events = monitor.notifications();
    k.rtnetlink.addLink({ name: "lost" });
    await assert.rejects(events.next(), {
      name: "OverrunError",
      code: "ENOBUFS",
    });
    assert.equal(
      (await otherEvents.next()).value?.header.type,
      NEWLINK,
      "other sockets are not affected",
    );
    const again = monitor.notifications();
    k.rtnetlink.addLink({ name: "seen" });
    const { value } = await again.next();
    assert.ok(value && new TextDecoder().decode(value.data).includes("seen"));
    assert.equal((await monitor.execute(dumpLinks())).length, 5);
    await other.close();
  });

  it("overrun with NoENOBUFS loses the notification silently", async () => {
    const k = kernel();
    await using monitor = k.dial(Family.Route, { groups: 1, noENOBUFS: true });
    k.inject({ type: "overrun", drop: 2 }, { conn: monitor.pid });
    const events = monitor.notifications();
    k.rtnetlink.addLink({ name: "lost1" });
    k.rtnetlink.addLink({ name: "lost2" });
    k.rtnetlink.addLink({ name: "seen" });
    const { value } = await events.next();
    assert.ok(value && new TextDecoder().decode(value.data).includes("seen"));
  });

  it("truncate: the call fails with a malformed-message error, the Conn stays usable", async () => {
    const k = kernel();
    k.inject({ type: "truncate" });
    await using conn = k.dial(Family.Route);
    await assert.rejects(conn.execute(dumpLinks()), (e: unknown) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "EBADMSG");
      assert.ok(e.cause instanceof RangeError);
      return true;
    });
    await usable(conn);
  });

  it("misalign: the call fails with a malformed-message error, the Conn stays usable", async () => {
    const k = kernel();
    k.inject({ type: "misalign" }, { match: { type: NEWLINK } });
    await using conn = k.dial(Family.Route);
    await assert.rejects(conn.execute(newLink("x0")), { code: "EBADMSG" });
    const bad = k.trace.filter((t) => t.direction === "reply").at(-1)!.data;
    assert.equal(
      new DataView(bad.buffer, bad.byteOffset).getUint32(0, true),
      17,
    );
    assert.ok(
      k.rtnetlink.links().some((l) => l.name === "x0"),
      "the request itself was served",
    );
    await usable(conn, 4);
  });

  it("wrongSequence: the stray reply is dropped and the request keeps waiting", async () => {
    const k = kernel();
    k.inject({ type: "wrongSequence", delta: 7 });
    await using conn = k.dial(Family.Route);
    const abort = new AbortController();
    let settled = false;
    const p = conn.execute(dumpLinks(), { signal: abort.signal }).finally(() =>
      settled = true
    );
    await k.settled();
    await tick();
    assert.equal(settled, false);
    abort.abort();
    await assert.rejects(p);
    await usable(conn);
  });

  it("wrongPid: the reply fails validation", async () => {
    const k = kernel();
    k.inject({ type: "wrongPid", pid: 31337 });
    await using conn = k.dial(Family.Route);
    await assert.rejects(
      conn.execute(dumpLinks()),
      (e: unknown) => isNetlinkError(e) && e.op === "validate",
    );
    await usable(conn);
  });

  it("foreignSender: the spoofed copy from another port is dropped", async () => {
    const k = kernel();
    k.inject({ type: "foreignSender", pid: 4242 });
    await using conn = k.dial(Family.Route);
    const links = await conn.execute(dumpLinks());
    assert.equal(links.length, 3);
    const senders = k.trace.filter((t) => t.direction === "reply").map((t) =>
      t.sender
    );
    // Each datagram after its spoofed copy: the link datagram, then the DONE.
    assert.deepEqual(senders, [4242, 0, 4242, 0]);
    await usable(conn);
  });

  it("error: the chosen errno and extended ACK, and the handler does not run", async () => {
    const k = kernel();
    k.inject(
      { type: "error", errno: 1, extAck: { message: "not today", offset: 20 } },
      { match: { type: NEWLINK, flags: HeaderFlags.Create } },
    );
    await using conn = k.dial(Family.Route);
    await assert.rejects(conn.execute(newLink("x0")), (e: unknown) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "EPERM");
      assert.equal(e.extAck?.message, "not today");
      assert.equal(e.extAck?.offset, 20);
      return true;
    });
    assert.ok(!k.rtnetlink.links().some((l) => l.name === "x0"));
    await conn.execute(newLink("x0"));
    await usable(conn, 4);
  });

  it("delay: the reply waits until the gate opens", async () => {
    const k = kernel();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => open = resolve);
    k.inject({ type: "delay", until: gate });
    await using conn = k.dial(Family.Route);
    let done = false;
    const p = conn.execute(dumpLinks()).then((r) => {
      done = true;
      return r;
    });
    await tick();
    await tick();
    assert.equal(done, false);
    open();
    assert.equal((await p).length, 3);
    k.inject({ type: "delay", ms: 1 });
    await usable(conn);
  });
});

describe("fault rules", () => {
  it("apply only to matching requests of the chosen Conn, the chosen number of times", async () => {
    const k = kernel();
    const a = k.dial(Family.Route);
    const b = k.dial(Family.Route);
    const h = k.inject({ type: "error", errno: 16 }, {
      match: { type: GETLINK },
      conn: b,
      times: 2,
    });
    await usable(a);
    await a.execute(newLink("x0"));
    await assert.rejects(b.execute(dumpLinks()), { code: "EBUSY" });
    await assert.rejects(b.execute(dumpLinks()), { code: "EBUSY" });
    assert.equal((await b.execute(dumpLinks())).length, 4);
    assert.equal(h.hits, 2);
    const always = k.inject({ type: "error", errno: 16 }, {
      times: Infinity,
      match: (m) => m.header.type === GETLINK,
    });
    await assert.rejects(a.execute(dumpLinks()), { code: "EBUSY" });
    always.remove();
    assert.equal((await a.execute(dumpLinks())).length, 4);
    await a.close();
    await b.close();
  });

  it("can be declared when the kernel is made", async () => {
    const k = new SimKernel({
      faults: [{
        fault: { type: "error", errno: 13 },
        match: { type: GETLINK },
      }],
    });
    await using conn = k.dial(Family.Route);
    await assert.rejects(conn.execute(dumpLinks()), { code: "EACCES" });
    assert.equal((await conn.execute(dumpLinks())).length, 1);
  });

  it("reject unknown faults", () => {
    const k = new SimKernel();
    assert.throws(() => k.inject({ type: "nope" } as never), TypeError);
    assert.throws(() => k.inject({ type: "error", errno: 0 }), TypeError);
    assert.throws(
      () => k.inject({ type: "truncate" }, { times: -1 }),
      TypeError,
    );
  });
});
