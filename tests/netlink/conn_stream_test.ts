// The one queue-backed async iterator (src/netlink/_conn_stream.ts) behind
// Conn.dump, Conn.notifications and the streams of the layers above.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  mapStream,
  Stream,
  type StreamSource,
} from "../../src/netlink/_conn_stream.ts";

function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/** A stream its test feeds by hand; counts the hook calls. */
function manual<T>(signal?: AbortSignal) {
  const calls = { pull: 0, wait: 0, cancel: 0 };
  let release: (() => void) | null = null;
  const source: StreamSource<T> = {
    pull: () => void calls.pull++,
    wait: () => {
      calls.wait++;
      return new Promise<void>((r) => release = r);
    },
    cancel: () => void calls.cancel++,
  };
  const stream = new Stream<T>(source, signal);
  const wake = () => {
    const r = release;
    release = null;
    r?.();
  };
  return { stream, calls, wake };
}

describe("Stream", () => {
  it("delivers queued items, then the end, then done forever", async () => {
    const { stream, calls } = manual<number>();
    stream.push(1);
    stream.push(2);
    stream.end();
    stream.push(3); // after the end: ignored
    assert.deepEqual(await Array.fromAsync(stream), [1, 2]);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
    assert.equal(calls.cancel, 0, "a stream that ended is not cancelled");
  });

  it("delivers queued items before a failure, throws it once, then is done", async () => {
    const { stream } = manual<number>();
    stream.push(1);
    stream.fail(new Error("broken"));
    assert.deepEqual(await stream.next(), { value: 1, done: false });
    await assert.rejects(stream.next(), /broken/);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it("waits through the source, and settles concurrent next() calls in order", async () => {
    const { stream, calls, wake } = manual<number>();
    const a = stream.next();
    const b = stream.next();
    const c = stream.next();
    await tick();
    assert.equal(calls.wait, 1);
    stream.push(1);
    stream.push(2);
    wake();
    stream.end();
    assert.deepEqual(
      (await Promise.all([a, b, c])).map((r) => r.value),
      [1, 2, undefined],
    );
  });

  it("return() drops queued items and cancels the source once", async () => {
    const { stream, calls } = manual<number>();
    stream.push(1);
    assert.deepEqual(await stream.return(), { value: undefined, done: true });
    await stream.return();
    assert.equal(calls.cancel, 1);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it("an aborted signal wins over queued items: throws the reason once, cancels, then done", async () => {
    const ac = new AbortController();
    const { stream, calls } = manual<number>(ac.signal);
    stream.push(1);
    ac.abort(new Error("stop"));
    await assert.rejects(stream.next(), /stop/);
    assert.equal(calls.cancel, 1);
    assert.equal((await stream.next()).done, true);
  });

  it("a throwing hook fails the stream and cancels the source", async () => {
    let cancelled = 0;
    const stream = new Stream<number>({
      pull: () => {
        throw new TypeError("bad request");
      },
      cancel: () => void cancelled++,
    });
    await assert.rejects(stream.next(), TypeError);
    assert.equal(cancelled, 1);
    assert.equal((await stream.next()).done, true);
  });

  it("a source that can only pull ends when the pull leaves the queue empty", async () => {
    let n = 0;
    const stream = new Stream<number>({
      pull: (s) => {
        if (n < 3) s.push(n++);
      },
    });
    assert.deepEqual(await Array.fromAsync(stream), [0, 1, 2]);
  });

  it("poll() takes without a promise, pulling first, and throws a failure once", () => {
    let n = 0;
    const stream = new Stream<number>({ pull: (s) => s.push(n++) });
    assert.equal(stream.poll(), 0);
    assert.equal(stream.poll(), 1);
    stream.fail(new Error("x"));
    assert.throws(() => stream.poll(), /x/);
    assert.equal(stream.poll(), undefined);
  });
});

describe("mapStream", () => {
  it("maps and skips items of a Stream without waiting when they are queued", async () => {
    const { stream: src, calls } = manual<number>();
    for (const n of [1, 2, 3, 4]) src.push(n);
    src.end();
    let ended = 0;
    const out = mapStream(
      src,
      (n) => n % 2 === 0 ? `#${n}` : undefined,
      { onEnd: () => ended++ },
    );
    assert.deepEqual(await Array.fromAsync(out), ["#2", "#4"]);
    assert.equal(calls.wait, 0, "everything came from the source's queue");
    assert.equal(ended, 1);
  });

  it("maps any async iterator, opened lazily, possibly asynchronously", async () => {
    let opened = 0;
    async function* numbers() {
      yield 1;
      yield 2;
    }
    const out = mapStream(async () => {
      opened++;
      await tick();
      return numbers();
    }, (n: number) => n * 10);
    assert.equal(opened, 0, "nothing is opened before the first next()");
    assert.deepEqual(await Array.fromAsync(out), [10, 20]);
    assert.equal(opened, 1);
  });

  it("leaving early returns the source and runs onEnd once", async () => {
    const { stream: src, calls } = manual<number>();
    src.push(1);
    src.push(2);
    let ended = 0;
    const out = mapStream(src, (n) => n, { onEnd: () => ended++ });
    for await (const _ of out) break;
    assert.equal(calls.cancel, 1);
    assert.equal(ended, 1);
  });

  it("a throwing map fails the stream, returns the source; mapError relabels", async () => {
    const { stream: src, calls } = manual<number>();
    src.push(1);
    const out = mapStream(src, (): number => {
      throw new RangeError("bad bytes");
    }, { mapError: (e) => new Error(`relabelled: ${(e as Error).message}`) });
    await assert.rejects(out.next(), /relabelled: bad bytes/);
    assert.equal(calls.cancel, 1);
    assert.equal((await out.next()).done, true);
  });

  it("moves what the source holds at once, pulling it again only once taken", async () => {
    let pulls = 0;
    let next = 0;
    // A source that makes three items per pull and never ends by itself.
    const src = new Stream<number>({
      pull: (s) => {
        pulls++;
        for (let i = 0; i < 3; i++) s.push(next++);
      },
    });
    const out = mapStream(src, (n) => n * 2);
    assert.deepEqual(await out.next(), { value: 0, done: false });
    assert.equal(pulls, 1);
    assert.equal(out.queued, 2, "the rest of the batch is mapped already");
    assert.deepEqual(await out.next(), { value: 2, done: false });
    assert.deepEqual(await out.next(), { value: 4, done: false });
    assert.equal(pulls, 1, "not read further while items were queued");
    assert.deepEqual(await out.next(), { value: 6, done: false });
    assert.equal(pulls, 2);
    await out.return();
  });

  it("a map throwing mid-batch delivers the items before it, then the failure, and returns the source", async () => {
    const { stream: src, calls } = manual<number>();
    for (const n of [1, 2, 3, 4]) src.push(n);
    let ended = 0;
    const out = mapStream(src, (n) => {
      if (n === 3) throw new RangeError("bad 3");
      return n;
    }, { onEnd: () => ended++ });
    assert.deepEqual(await out.next(), { value: 1, done: false });
    assert.equal(calls.cancel, 1, "the source is let go at the failure");
    assert.equal(ended, 1);
    assert.deepEqual(await out.next(), { value: 2, done: false });
    await assert.rejects(out.next(), /bad 3/);
    assert.equal((await out.next()).done, true);
  });

  it("passes the source's failure through after its items", async () => {
    const { stream: src } = manual<number>();
    src.push(1);
    src.fail(new Error("source broke"));
    const out = mapStream(src, (n) => n + 1);
    assert.deepEqual(await out.next(), { value: 2, done: false });
    await assert.rejects(out.next(), /source broke/);
  });
});
