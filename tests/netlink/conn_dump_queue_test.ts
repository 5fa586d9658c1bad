// Dumps on one Conn: queued one at a time, left dumps drained (issue 15 item 1).
//
// The kernel here is a small model of how Linux runs dumps (checked on the
// real kernel by tests/integration/dump_exit_test.ts): one dump per socket,
// a second one answered EBUSY while the first runs, and the next part of a
// dump made only when the socket reads the previous one (netlink_recvmsg →
// netlink_dump). It logs, in order, every request and every DONE the Conn
// reads, so the tests can check that no dump is ever sent before the
// previous one's DONE was read, whatever the simulated kernel of nltest does.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  encodeMessage,
  encodeMessages,
  Errno,
  Family,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { type Conn, connFromSocket } from "../../src/netlink/conn.ts";
import { BUSY_RETRIES } from "../../src/netlink/_conn_requests.ts";

const { Request, Acknowledge, Dump, Multi } = HeaderFlags;
const ENTRY = 0x10;

/** Lets queued promise jobs and zero-delay macrotasks run. */
function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

interface Running {
  seq: number;
  tag: number;
  next: number;
}

class DumpKernel extends MemorySocket {
  /** "dump <tag>", "do <tag>", "EBUSY <tag>", "done <tag>" (DONE read by the Conn), in order. */
  readonly log: string[] = [];
  /** Dump requests sent before the previous dump's DONE was read. */
  early = 0;
  running: Running | null = null;
  /** The tag of every dump whose DONE the Conn has not read yet. */
  readonly #unread = new Set<number>();
  readonly #doneSeq = new Map<number, number>();
  readonly entries: number;
  readonly perPart: number;
  /** Stop making parts after this many (a BPF filter that drops one stalls a dump). */
  stallAfter = Infinity;
  /** Put an NLMSG_NOOP with the dump's sequence before each part after the first. */
  noops = false;
  /** Make parts but drop them (a BPF filter on Linux: the dump goes on, one part per read). */
  dropping = false;
  /** Hold a new dump's first part until {@linkcode DumpKernel.flush} (a slow kernel). */
  slow = false;
  #held: Running | null = null;

  /** Delivers the first part held back by `slow`. */
  flush(): void {
    const d = this.#held;
    this.#held = null;
    if (d !== null) this.#part(d);
  }

  constructor(entries = 10, perPart = 3) {
    super({ onSend: (_s, d) => this.#request(d) });
    this.entries = entries;
    this.perPart = perPart;
  }

  override receive(): Uint8Array | null {
    const d = super.receive();
    if (d === null) return d;
    const m = parseMessages(d);
    const last = m[m.length - 1];
    if (last?.header.type === HeaderType.Done) {
      const tag = this.#doneSeq.get(last.header.sequence);
      if (tag !== undefined) {
        this.log.push(`done ${tag}`);
        this.#unread.delete(tag);
      }
    }
    // netlink_recvmsg: reading makes the running dump's next part.
    if (this.running !== null && this.#held === null) this.#part(this.running);
    return d;
  }

  #request(d: Uint8Array): void {
    for (const r of parseMessages(d)) {
      const { sequence: seq, flags } = r.header;
      const tag = r.data[0] ?? 0;
      if ((flags & Dump) === Dump) {
        if (this.#unread.size > 0) this.early++;
        if (this.running !== null) {
          this.log.push(`EBUSY ${tag}`);
          this.deliver(
            this.#message(seq, HeaderType.Done, Multi, [
              0xf0,
              0xff,
              0xff,
              0xff,
            ]),
          );
          continue;
        }
        this.log.push(`dump ${tag}`);
        this.#unread.add(tag);
        this.#doneSeq.set(seq, tag);
        this.running = { seq, tag, next: 0 };
        if (this.slow) this.#held = this.running;
        else this.#part(this.running);
      } else {
        this.log.push(`do ${tag}`);
        const reply = this.#message(seq, ENTRY, 0, [tag, 0xff, 0, 0]);
        const ack = this.#message(seq, HeaderType.Error, 0x100, [
          0,
          0,
          0,
          0,
          ...encodeMessage({ header: r.header, data: new Uint8Array(0) }),
        ]);
        this.deliver((flags & Acknowledge) !== 0 ? ack : reply);
      }
    }
  }

  #part(d: Running): void {
    if (d.next >= this.stallAfter) return;
    if (this.noops && d.next > 0) {
      this.deliver(this.#message(d.seq, HeaderType.Noop, 0, []));
    }
    const ms: Uint8Array[] = [];
    for (let i = 0; i < this.perPart && d.next < this.entries; i++) {
      ms.push(this.#message(d.seq, ENTRY, Multi, [d.tag, d.next++, 0, 0]));
    }
    if (ms.length === 0) {
      ms.push(this.#message(d.seq, HeaderType.Done, Multi, [0, 0, 0, 0]));
      this.running = null; // cb_running ends when the DONE is made
    }
    if (this.dropping) return;
    const all = new Uint8Array(ms.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of ms) {
      all.set(m, at);
      at += m.length;
    }
    this.deliver(all);
  }

  #message(seq: number, type: number, flags: number, data: number[]) {
    return encodeMessage({
      header: { length: 0, type, flags, sequence: seq, pid: this.pid },
      data: new Uint8Array(data),
    });
  }
}

function open(entries = 10, perPart = 3): { conn: Conn; kernel: DumpKernel } {
  const kernel = new DumpKernel(entries, perPart);
  return { conn: connFromSocket(kernel), kernel };
}

/** A dump request tagged `tag` (the model echoes the tag in every entry). */
function dumpRequest(tag: number): Message {
  return {
    header: {
      length: 0,
      type: ENTRY,
      flags: Request | Dump,
      sequence: 0,
      pid: 0,
    },
    data: new Uint8Array([tag, 0, 0, 0]),
  };
}

function doRequest(tag: number, flags: number = Request): Message {
  return {
    header: { length: 0, type: ENTRY, flags, sequence: 0, pid: 0 },
    data: new Uint8Array([tag, 0, 0, 0]),
  };
}

/** The entry numbers of a dump's messages (all must carry `tag`). */
function entries(ms: Message[], tag: number): number[] {
  for (const m of ms) assert.equal(m.data[0], tag);
  return ms.map((m) => m.data[1]!);
}

const ALL = Array.from({ length: 10 }, (_, i) => i);

describe("Conn dump queue: leaving a dump early", () => {
  const ways: [string, (conn: Conn) => Promise<void>][] = [
    ["break out of for-await", async (conn) => {
      let n = 0;
      for await (const _ of conn.dump(dumpRequest(1))) if (++n === 2) break;
    }],
    ["a visitor that throws", async (conn) => {
      let n = 0;
      await assert.rejects(
        conn.visit(dumpRequest(1), () => {
          if (++n === 2) throw new Error("stop");
        }),
        /stop/,
      );
    }],
    ["an aborted signal", async (conn) => {
      const ac = new AbortController();
      const it = conn.dump(dumpRequest(1), { signal: ac.signal });
      await it.next();
      ac.abort(new Error("enough"));
      await assert.rejects(it.next(), /enough/);
      assert.equal((await it.next()).done, true);
    }],
    ["return() on the iterator", async (conn) => {
      const it = conn.dump(dumpRequest(1));
      await it.next();
      await it.next();
      assert.deepEqual(await it.return!(), { value: undefined, done: true });
    }],
    ["an iterator left unfinished (no return())", async (conn) => {
      const it = conn.dump(dumpRequest(1));
      assert.equal((await it.next()).done, false);
    }],
  ];
  for (const [name, leave] of ways) {
    it(`${name}: the rest is drained, the next dump is sent after its DONE and succeeds`, async () => {
      const { conn, kernel } = open();
      using _ = conn;
      await leave(conn);
      const next = await conn.execute(dumpRequest(2));
      assert.deepEqual(entries(next, 2), ALL);
      assert.equal(
        kernel.early,
        0,
        "no dump before the previous DONE was read",
      );
      assert.deepEqual(kernel.log.filter((l) => l.startsWith("EBUSY")), []);
      assert.deepEqual(kernel.log, ["dump 1", "done 1", "dump 2", "done 2"]);
      assert.equal(kernel.queued, 0);
    });
  }

  it("drains a left dump in the background, with no other call", async () => {
    const { conn, kernel } = open(30, 2);
    using _ = conn;
    const it = conn.dump(dumpRequest(1));
    await it.next();
    void it.return!(); // what a break does
    assert.ok(!kernel.log.includes("done 1"), "not inside return()");
    for (let i = 0; i < 5 && !kernel.log.includes("done 1"); i++) await tick();
    assert.deepEqual(kernel.log, ["dump 1", "done 1"]);
    assert.equal(kernel.queued, 0);
    assert.equal(kernel.waiting, 0, "the reader stops once drained");
  });

  it("an execute() of a dump right after a break completes without waiting", async () => {
    const { conn, kernel } = open(30, 2);
    using _ = conn;
    for await (const _m of conn.dump(dumpRequest(1))) break;
    // The model answers synchronously, as Linux does: the left dump is read
    // to its DONE inside execute(), which then sends at once.
    const p = conn.execute(dumpRequest(2));
    assert.deepEqual(kernel.log.slice(0, 3), ["dump 1", "done 1", "dump 2"]);
    assert.equal((await p).length, 30);
  });
});

describe("Conn dump queue: dumps in flight together", () => {
  it("two dump() iterators: the second is sent after the first's DONE, both complete", async () => {
    const { conn, kernel } = open();
    using _ = conn;
    const a = conn.dump(dumpRequest(1));
    const b = conn.dump(dumpRequest(2));
    const got: [number, number][] = [];
    // Interleave the two consumers.
    for (let i = 0; i < 12; i++) {
      for (const [it, tag] of [[a, 1], [b, 2]] as const) {
        const r = await it.next();
        if (!r.done) got.push([tag, r.value.data[1]!]);
      }
    }
    assert.deepEqual(got.filter(([t]) => t === 1).map(([, n]) => n), ALL);
    assert.deepEqual(got.filter(([t]) => t === 2).map(([, n]) => n), ALL);
    assert.equal(kernel.early, 0);
    assert.deepEqual(kernel.log, ["dump 1", "done 1", "dump 2", "done 2"]);
  });

  it("a dump started inside the loop of another completes (no deadlock)", async () => {
    const { conn, kernel } = open(6, 2);
    using _ = conn;
    const outer: number[] = [];
    let inner: Message[] = [];
    for await (const m of conn.dump(dumpRequest(1))) {
      outer.push(m.data[1]!);
      if (outer.length === 1) inner = await conn.execute(dumpRequest(2));
    }
    assert.deepEqual(outer, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(entries(inner, 2), [0, 1, 2, 3, 4, 5]);
    assert.equal(kernel.early, 0);
  });

  it("execute, dump and visit of dumps at once: one at a time, in call order", async () => {
    const { conn, kernel } = open(5, 2);
    using _ = conn;
    const seen: number[] = [];
    const [a, b, c] = await Promise.all([
      conn.execute(dumpRequest(1)),
      Array.fromAsync(conn.dump(dumpRequest(2))),
      conn.visit(dumpRequest(3), (v) => void seen.push(v.bytes[v.offset + 1]!)),
    ]);
    assert.deepEqual(entries(a, 1), [0, 1, 2, 3, 4]);
    assert.deepEqual(entries(b, 2), [0, 1, 2, 3, 4]);
    assert.equal(c, 5);
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.equal(kernel.early, 0);
    assert.deepEqual(kernel.log.filter((l) => l.startsWith("EBUSY")), []);
  });

  it("requests that are not dumps keep flowing while a dump runs", async () => {
    const { conn, kernel } = open();
    using _ = conn;
    const it = conn.dump(dumpRequest(1));
    const first = await it.next();
    assert.equal(first.value?.data[1], 0);
    const reply = await conn.execute(doRequest(7));
    assert.deepEqual([...reply[0]!.data.subarray(0, 2)], [7, 0xff]);
    assert.deepEqual(
      await conn.execute(doRequest(8, Request | Acknowledge)),
      [],
    );
    const rest = await Array.fromAsync(it);
    assert.deepEqual(entries(rest, 1), ALL.slice(1));
    assert.deepEqual(kernel.log, ["dump 1", "do 7", "do 8", "done 1"]);
  });

  it("a NEW request with Excl or Replace (the dump bits' other meanings) is no dump", async () => {
    const { conn, kernel } = open();
    using _ = conn;
    const it = conn.dump(dumpRequest(1));
    await it.next();
    const { Create, Excl, Replace } = HeaderFlags;
    for (const [tag, flags] of [[5, Create | Excl], [6, Replace]] as const) {
      await conn.execute(doRequest(tag, Request | Acknowledge | flags));
    }
    assert.deepEqual(kernel.log, ["dump 1", "do 5", "do 6"]);
    await it.return!();
  });
});

describe("Conn dump queue: never a hang", () => {
  it("a left dump that stalls (no more parts) stops holding the queue once the socket is empty", async () => {
    const { conn, kernel } = open(10, 2);
    using _ = conn;
    kernel.stallAfter = 4; // as when a BPF filter drops a part
    for await (const _m of conn.dump(dumpRequest(1))) break;
    kernel.stallAfter = Infinity;
    kernel.running = null; // the model's stalled dump: let the next one run
    const next = await conn.execute(dumpRequest(2));
    assert.deepEqual(entries(next, 2), ALL);
  });

  it("a left dump that never ends: the next dump fails with EBUSY after a bounded number of tries", async () => {
    const { conn, kernel } = open(10, 2);
    using _ = conn;
    kernel.stallAfter = 4; // the model makes no more parts, whatever is read
    for await (const _m of conn.dump(dumpRequest(1))) break;
    await assert.rejects(
      conn.execute(dumpRequest(2)),
      (e) => isNetlinkError(e) && e.errno === Errno.EBUSY,
    );
    const tries = kernel.log.filter((l) => l === "EBUSY 2").length;
    assert.equal(tries, BUSY_RETRIES + 1);
  });

  it("a left dump whose parts a filter drops: the next dump waits it out (each EBUSY read makes one more part)", async () => {
    const { conn, kernel } = open(20, 2);
    using _ = conn;
    for await (const _m of conn.dump(dumpRequest(1))) {
      kernel.dropping = true; // from now on, as a BPF filter dropping its parts
      break;
    }
    const next = conn.execute(dumpRequest(2));
    kernel.dropping = false; // (the filter is for dump 1's parts only)
    // (dump 1's remaining parts are made, one per read, and dropped)
    assert.deepEqual(
      entries(await next, 2),
      ALL.concat(ALL.map((n) => n + 10)),
    );
    assert.ok(kernel.log.includes("EBUSY 2"));
    assert.equal(kernel.log.at(-2), "dump 2");
  });

  it("a dump given up before its first part came (a slow kernel) is drained when it comes: no EBUSY for the next", async () => {
    const { conn, kernel } = open(6, 2);
    using _ = conn;
    kernel.slow = true;
    await assert.rejects(
      conn.execute(dumpRequest(1), { timeout: 5 }),
      (e) => isNetlinkError(e) && e.code === "ETIMEDOUT",
    );
    kernel.slow = false;
    // Sent at once (the socket is empty, dump 1 gave up): the kernel says
    // EBUSY, as dump 1 still runs; the Conn then holds dump 2 back until
    // dump 1's parts come and are drained to its DONE.
    const next = conn.execute(dumpRequest(2));
    await new Promise((r) => setTimeout(r, 20)); // tries, further and further apart
    const tries = kernel.log.filter((l) => l === "EBUSY 2").length;
    assert.ok(tries >= 1 && tries < BUSY_RETRIES, `${tries} tries`);
    kernel.flush(); // dump 1's first part comes now
    assert.deepEqual(entries(await next, 2), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(kernel.log.slice(-3), ["done 1", "dump 2", "done 2"]);
  });

  it("a queued dump that is aborted is never sent", async () => {
    const { conn, kernel } = open(4, 1);
    using _ = conn;
    const it = conn.dump(dumpRequest(1));
    await it.next(); // dump 1 runs, its consumer is slow
    kernel.stallAfter = 1; // and it makes no progress for now
    const ac = new AbortController();
    const queued = conn.execute(dumpRequest(2), { signal: ac.signal });
    await tick();
    assert.deepEqual(kernel.log, ["dump 1"]);
    ac.abort(new Error("gave up"));
    await assert.rejects(queued, /gave up/);
    kernel.stallAfter = Infinity;
    kernel.deliver(encodeMessages([])); // wake the reader: the model makes the next part on a read
    assert.deepEqual(entries(await Array.fromAsync(it), 1), [1, 2, 3]);
    assert.deepEqual(kernel.log, ["dump 1", "done 1"]);
  });

  it("a queued dump given up leaves the queue (its record is reused by the next call)", async () => {
    const { conn, kernel } = open(4, 1);
    using _ = conn;
    const it = conn.dump(dumpRequest(1));
    await it.next();
    kernel.stallAfter = 1; // dump 1 stalls
    const ac = new AbortController();
    const given = conn.execute(dumpRequest(2), { signal: ac.signal }); // queued
    await tick();
    ac.abort(new Error("gave up"));
    await assert.rejects(given, /gave up/);
    void it.return!(); // dump 1 left: it no longer holds the queue once the socket is empty
    kernel.running = null; // (the model: let the next dump run)
    kernel.stallAfter = Infinity;
    // Started at once, on the record of the call that gave up: found the
    // socket empty, so the left dump 1 let go of the queue, and it was sent.
    const third = await conn.execute(dumpRequest(3));
    assert.deepEqual(entries(third, 3), [0, 1, 2, 3]);
    assert.deepEqual(entries(await conn.execute(dumpRequest(4)), 4), [
      0,
      1,
      2,
      3,
    ]);
    assert.deepEqual(kernel.log, [
      "dump 1",
      "dump 3",
      "done 3",
      "dump 4",
      "done 4",
    ]);
  });

  it("an NLMSG_NOOP among a dump's replies is ignored: not yielded, not its end", async () => {
    const { conn, kernel } = open(6, 2);
    using _ = conn;
    kernel.noops = true;
    const got = await Array.fromAsync(conn.dump(dumpRequest(1)));
    assert.deepEqual(entries(got, 1), [0, 1, 2, 3, 4, 5]);
    assert.equal(await conn.visit(dumpRequest(2), () => {}), 6);
    assert.equal(kernel.early, 0);
    assert.deepEqual(kernel.log, ["dump 1", "done 1", "dump 2", "done 2"]);
  });

  it("close() fails a queued dump, which is never sent", async () => {
    const { conn, kernel } = open(4, 1);
    const it = conn.dump(dumpRequest(1));
    await it.next();
    kernel.stallAfter = 1;
    const queued = conn.execute(dumpRequest(2));
    await tick();
    await conn.close();
    await assert.rejects(
      queued,
      (e) => isNetlinkError(e) && e.code === "EBADF",
    );
    assert.deepEqual(kernel.log, ["dump 1"]);
  });
});

describe("Conn dump queue on SimKernel (one dump per socket, EBUSY as on Linux)", () => {
  const getLinks = (): Message => ({
    header: { length: 0, type: 18, flags: Request | Dump, sequence: 0, pid: 0 },
    data: new Uint8Array(16),
  });
  function kernelWithLinks(): SimKernel {
    const kernel = new SimKernel({ dumpDatagramSize: 512 }); // many datagrams
    for (let i = 0; i < 30; i++) kernel.rtnetlink.addLink({ name: `q${i}` });
    return kernel;
  }

  it("the simulated kernel refuses a second dump sent raw while one runs", async () => {
    await using conn = kernelWithLinks().dial(Family.Route);
    conn.send(getLinks());
    conn.send(getLinks());
    await assert.rejects(
      conn.receive(),
      (e) => isNetlinkError(e) && e.errno === Errno.EBUSY,
    );
  });

  it("break, a throwing visitor, two iterators: every next dump gets all 31 links", async () => {
    await using conn = kernelWithLinks().dial(Family.Route);
    for await (const _ of conn.dump(getLinks())) break;
    assert.equal((await conn.execute(getLinks())).length, 31);
    await assert.rejects(
      conn.visit(getLinks(), () => {
        throw new Error("stop");
      }),
      /stop/,
    );
    const [a, b] = await Promise.all([
      Array.fromAsync(conn.dump(getLinks())),
      Array.fromAsync(conn.dump(getLinks())),
    ]);
    assert.equal(a.length, 31);
    assert.equal(b.length, 31);
  });
});
