// Behaviour of Conn's fast paths (no timing): one copy per received datagram
// shared by its messages, synchronous execute/visit results that still come
// as promises, and the dump iterator's buffered fast path.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  encodeMessages,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { type Conn, connFromSocket } from "../../src/netlink/conn.ts";
import type { BPFInstruction, Socket } from "../../src/netlink/_socket.ts";

const PID = 4242;
const { Request, Acknowledge, Dump, Multi } = HeaderFlags;

/**
 * Wraps a MemorySocket but hands out every datagram in ONE reused buffer, as
 * the libc socket does: each receive() overwrites the bytes of the last one.
 */
class ReusingSocket implements Socket {
  readonly inner: MemorySocket;
  readonly buffer: Uint8Array = new Uint8Array(4096);
  constructor(inner: MemorySocket) {
    this.inner = inner;
  }
  get pid(): number {
    return this.inner.pid;
  }
  get senderPid(): number {
    return this.inner.senderPid;
  }
  get senderGroups(): number {
    return this.inner.senderGroups;
  }
  get closed(): boolean {
    return this.inner.closed;
  }
  send(data: Uint8Array): void {
    this.inner.send(data);
  }
  receive(): Uint8Array | null {
    const d = this.inner.receive();
    if (d === null) return null;
    this.buffer.fill(0xee);
    this.buffer.set(d);
    return this.buffer.subarray(0, d.length);
  }
  wait(signal?: AbortSignal): Promise<void> {
    return this.inner.wait(signal);
  }
  joinGroup(group: number): void {
    this.inner.joinGroup(group);
  }
  leaveGroup(group: number): void {
    this.inner.leaveGroup(group);
  }
  setOption(option: number, enable: boolean): void {
    this.inner.setOption(option, enable);
  }
  getOption(option: number): boolean {
    return this.inner.getOption(option);
  }
  setReceiveBufferSize(bytes: number, force: boolean): void {
    this.inner.setReceiveBufferSize(bytes, force);
  }
  setSendBufferSize(bytes: number): void {
    this.inner.setSendBufferSize(bytes);
  }
  setBPF(program: readonly BPFInstruction[]): void {
    this.inner.setBPF(program);
  }
  removeBPF(): void {
    this.inner.removeBPF();
  }
  close(): void {
    this.inner.close();
  }
}

function message(type: number, flags: number, bytes: number[]): Message {
  return {
    header: { length: 0, type, flags, sequence: 0, pid: 0 },
    data: new Uint8Array(bytes),
  };
}

/** Encodes `ms` with the sequence of the first request in `request` (unless set) and pid PID. */
function answer(request: Uint8Array, ms: Message[]): Uint8Array {
  const seq = parseMessages(request)[0]!.header.sequence;
  return encodeMessages(ms.map((m) => ({
    header: { ...m.header, sequence: m.header.sequence || seq, pid: PID },
    data: m.data,
  })));
}

function done(): Message {
  return message(HeaderType.Done, Multi, [0, 0, 0, 0]);
}

function ackOf(request: Uint8Array): Message {
  const data = new Uint8Array(4 + 16);
  data.set(request.subarray(0, 16), 4);
  return {
    header: {
      length: 0,
      type: HeaderType.Error,
      flags: 0x100,
      sequence: 0,
      pid: 0,
    },
    data,
  };
}

/** Entry `i` of a dump: 8 payload bytes all equal to `i`. */
function entry(i: number): Message {
  return message(0x10, Multi, [i, i, i, i, i, i, i, i]);
}

/** A Conn over a reusing socket whose kernel hook is `onSend`. */
function reusing(
  onSend: (s: MemorySocket, d: Uint8Array) => void,
): { conn: Conn; inner: MemorySocket; socket: ReusingSocket } {
  const inner = new MemorySocket({ pid: PID, onSend });
  const socket = new ReusingSocket(inner);
  return { conn: connFromSocket(socket), inner, socket };
}

function dumpRequest(): Message {
  return message(0x12, Request | Dump, []);
}

function assertEntry(m: Message, i: number): void {
  assert.equal(m.header.type, 0x10);
  assert.equal(m.header.length, 24);
  assert.equal(m.header.pid, PID);
  assert.deepEqual([...m.data], [i, i, i, i, i, i, i, i]);
}

describe("Conn: one copy per received datagram", () => {
  it("dump: messages keep their bytes after the receive buffer is reused", async () => {
    const { conn, socket } = reusing((s, d) => {
      s.deliver(answer(d, [entry(1), entry(2), entry(3)]));
      s.deliver(answer(d, [entry(4), entry(5)]));
      s.deliver(answer(d, [entry(6), done()]));
    });
    using _ = conn;
    const got: Message[] = [];
    for await (const m of conn.dump(dumpRequest())) got.push(m);
    assert.equal(got.length, 6);
    got.forEach((m, i) => assertEntry(m, i + 1));
    // Every message is exactly its payload, in a buffer that is not the socket's.
    for (const m of got) {
      assert.equal(m.data.byteLength, 8);
      assert.notEqual(m.data.buffer, socket.buffer.buffer);
    }
    // Messages of one datagram share its copy; datagrams do not share.
    assert.equal(got[0]!.data.buffer, got[1]!.data.buffer);
    assert.equal(got[1]!.data.buffer, got[2]!.data.buffer);
    assert.notEqual(got[2]!.data.buffer, got[3]!.data.buffer);
    assert.equal(got[3]!.data.buffer, got[4]!.data.buffer);
    // Writing into one message's data leaves its neighbours alone.
    got[0]!.data.fill(0x55);
    assertEntry(got[1]!, 2);
    assertEntry(got[2]!, 3);
  });

  it("execute: a multi-message reply and a lone reply survive later receives", async () => {
    let calls = 0;
    const { conn } = reusing((s, d) => {
      calls++;
      if (calls === 1) {
        s.deliver(
          answer(d, [
            message(0x10, 0, [1, 1, 1, 1]),
            message(0x10, 0, [2, 2, 2, 2]),
          ]),
        );
        s.deliver(answer(d, [ackOf(d)]));
      } else {
        s.deliver(answer(d, [message(0x11, 0, [9, 8, 7, 6, 5])]));
      }
    });
    using _ = conn;
    const first = await conn.execute(message(0x10, Request | Acknowledge, []));
    const second = await conn.execute(message(0x11, Request, []));
    assert.notEqual(first, second);
    assert.equal(first.length, 2);
    assert.deepEqual([...first[0]!.data], [1, 1, 1, 1]);
    assert.deepEqual([...first[1]!.data], [2, 2, 2, 2]);
    assert.equal(second.length, 1);
    assert.deepEqual([...second[0]!.data], [9, 8, 7, 6, 5]);
    // A reply alone in its datagram owns just its payload.
    assert.equal(second[0]!.data.buffer.byteLength, 5);
    assert.equal(second[0]!.header.length, 21);
  });

  it("notifications and receive(): messages of a datagram stay intact", async () => {
    const { conn, inner } = reusing((s, d) => {
      s.deliver(
        answer(d, [
          message(0x20, 0, [3, 3, 3, 3]),
          message(0x20, 0, [4, 4, 4, 4]),
        ]),
      );
    });
    using _ = conn;
    conn.joinGroup(1);
    const events = conn.notifications();
    inner.deliver(
      encodeMessages([
        message(0x30, 0, [1, 1, 1, 1]),
        message(0x30, 0, [2, 2, 2, 2]),
      ]),
      0,
      1,
    );
    const a = await events.next();
    inner.deliver(encodeMessages([message(0x31, 0, [7, 7, 7, 7])]), 0, 1);
    const b = await events.next();
    const c = await events.next();
    await events.return?.();
    assert.deepEqual([...a.value!.data], [1, 1, 1, 1]);
    assert.deepEqual([...b.value!.data], [2, 2, 2, 2]);
    assert.deepEqual([...c.value!.data], [7, 7, 7, 7]);
    assert.equal(a.value!.data.buffer, b.value!.data.buffer);

    conn.send(message(0x20, Request, []));
    const replies = await conn.receive();
    inner.deliver(encodeMessages([message(0x31, 0, [8, 8, 8, 8])]), 0, 1);
    assert.deepEqual(replies.map((m) => [...m.data]), [[3, 3, 3, 3], [
      4,
      4,
      4,
      4,
    ]]);
    const [later] = await conn.receive();
    assert.deepEqual([...later!.data], [8, 8, 8, 8]);
    assert.deepEqual(replies.map((m) => [...m.data]), [[3, 3, 3, 3], [
      4,
      4,
      4,
      4,
    ]]);
  });

  it("visit: views are over the datagram, nothing is kept", async () => {
    const { conn } = reusing((s, d) => {
      s.deliver(answer(d, [entry(1), entry(2)]));
      s.deliver(answer(d, [entry(3), done()]));
    });
    using _ = conn;
    const firsts: number[] = [];
    const n = await conn.visit(dumpRequest(), (v) => {
      firsts.push(v.bytes[v.offset]!);
    });
    assert.equal(n, 3);
    assert.deepEqual(firsts, [1, 2, 3]);
  });
});

describe("Conn: synchronous results are still promises", () => {
  it("execute rejects, never throws, on a bad message, a closed connection or an aborted signal", async () => {
    const { conn } = reusing((s, d) => s.deliver(answer(d, [ackOf(d)])));
    const bad = conn.execute(null as unknown as Message);
    assert.ok(bad instanceof Promise);
    await assert.rejects(bad, TypeError);
    const badFlags = conn.execute(message(0x10, 0x10000, []));
    await assert.rejects(badFlags, RangeError);
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await assert.rejects(
      conn.execute(message(0x10, Request, []), { signal: ac.signal }),
      /stop/,
    );
    // The connection still works after each rejection.
    assert.deepEqual(
      await conn.execute(message(0x10, Request | Acknowledge, [])),
      [],
    );
    await conn.close();
    const closed = conn.execute(message(0x10, Request, []));
    assert.ok(closed instanceof Promise);
    await assert.rejects(
      closed,
      (e) => isNetlinkError(e) && /closed/.test(e.message),
    );
  });

  it("visit rejects, never throws, on a bad visitor or message", async () => {
    const { conn } = reusing(() => {});
    using _ = conn;
    const p = conn.visit(dumpRequest(), 42 as unknown as () => void);
    assert.ok(p instanceof Promise);
    await assert.rejects(p, TypeError);
    await assert.rejects(conn.visit({} as Message, () => {}), TypeError);
  });

  it("execute: an error answered synchronously rejects with the extended ACK path, the next call succeeds", async () => {
    let calls = 0;
    const { conn } = reusing((s, d) => {
      calls++;
      if (calls === 1) {
        const e = ackOf(d);
        new DataView(e.data.buffer).setInt32(0, -22, true);
        s.deliver(answer(d, [e]));
      } else {
        s.deliver(answer(d, [message(0x10, 0, [5, 5, 5, 5]), ackOf(d)]));
      }
    });
    using _ = conn;
    await assert.rejects(
      conn.execute(message(0x10, Request | Acknowledge, [])),
      (e) => isNetlinkError(e) && e.code === "EINVAL",
    );
    const r = await conn.execute(message(0x10, Request | Acknowledge, []));
    assert.equal(r.length, 1);
    assert.deepEqual([...r[0]!.data], [5, 5, 5, 5]);
  });

  it("results of successive execute calls are distinct arrays (the request record is reused)", async () => {
    let n = 0;
    const { conn } = reusing((s, d) => {
      n++;
      s.deliver(answer(d, [message(0x10, 0, [n, n, n, n])]));
    });
    using _ = conn;
    const results: Message[][] = [];
    for (let i = 0; i < 5; i++) {
      results.push(await conn.execute(message(0x10, Request, [])));
    }
    results.forEach((r, i) => {
      assert.equal(r.length, 1);
      assert.deepEqual([...r[0]!.data], [i + 1, i + 1, i + 1, i + 1]);
    });
    assert.equal(new Set(results).size, 5);
    results[0]!.push(message(1, 0, []));
    assert.equal((await conn.execute(message(0x10, Request, []))).length, 1);
  });
});

describe("Conn.dump: the buffered fast path keeps the iterator's order and rules", () => {
  it("concurrent next() calls resolve in order across late datagrams", async () => {
    let request: Uint8Array | null = null;
    const { conn, inner } = reusing((_s, d) => {
      request = d;
    });
    using _ = conn;
    const it = conn.dump(dumpRequest());
    const a = it.next();
    await new Promise((r) => setTimeout(r, 0));
    assert.ok(request !== null);
    inner.deliver(answer(request, [entry(1), entry(2), entry(3)]));
    const b = it.next();
    const c = it.next();
    await new Promise((r) => setTimeout(r, 0));
    const d = it.next(); // a, b and c took 1 to 3: d waits for the next datagram
    const e = it.next();
    inner.deliver(answer(request, [entry(4), done()]));
    const f = it.next();
    const all = await Promise.all([a, b, c, d, e, f]);
    assert.deepEqual(all.map((r) => r.done ? "done" : r.value.data[0]), [
      1,
      2,
      3,
      4,
      "done",
      "done",
    ]);
  });

  it("an aborted signal wins over buffered messages and ends the iterator", async () => {
    const { conn } = reusing((s, d) => {
      s.deliver(answer(d, [entry(1), entry(2), entry(3)]));
      s.deliver(answer(d, [done()]));
    });
    using _ = conn;
    const ac = new AbortController();
    const it = conn.dump(dumpRequest(), { signal: ac.signal });
    const first = await it.next();
    assert.equal(first.value?.data[0], 1);
    ac.abort(new Error("enough"));
    await assert.rejects(it.next(), /enough/);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    // The Conn is still usable.
    let n = 0;
    for await (const _m of conn.dump(dumpRequest())) n++;
    assert.equal(n, 3);
  });

  it("return() with buffered messages ends the iterator", async () => {
    const { conn } = reusing((s, d) => {
      s.deliver(answer(d, [entry(1), entry(2), entry(3), done()]));
    });
    using _ = conn;
    const it = conn.dump(dumpRequest());
    assert.equal((await it.next()).value?.data[0], 1);
    await it.return?.();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });
});
