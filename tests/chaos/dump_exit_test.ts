/**
 * The early-exit dump matrix on SimKernel, which runs one dump per socket
 * as Linux does (a dump left unread keeps running; a second dump meanwhile
 * gets EBUSY; tests/integration/ebusy_test.ts checks that against Linux):
 * every way of leaving a dump (break, a throwing loop body, a throwing
 * visitor, an abort signal, `return()`, two iterators, `close()`), at every
 * point (after the first message, mid-dump, on the last message), on small
 * and multi-datagram dumps. After each: requests that are not dumps keep
 * flowing, the next dump returns every link, and so does a dump on another
 * Conn. The real-kernel matrix is tests/integration/dump_exit_test.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Conn, Family, type Message } from "../../src/netlink/mod.ts";
import { deadline, getLinks, linkIndex, noop } from "./_chaos.ts";
import { SimKernel } from "../../src/nltest/mod.ts";

const LEAVE = 5000;

class Leave extends Error {}

type Way = (conn: Conn, after: number) => Promise<void>;

const ways: Record<string, Way> = {
  "break": async (conn, after) => {
    let n = 0;
    for await (const _ of conn.dump(getLinks())) if (++n === after) break;
  },
  "a throwing loop body": async (conn, after) => {
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of conn.dump(getLinks())) {
          if (++n === after) throw new Leave();
        }
      })(),
      Leave,
    );
  },
  "a throwing visitor": async (conn, after) => {
    let n = 0;
    await assert.rejects(
      conn.visit(getLinks(), () => {
        if (++n === after) throw new Leave();
      }),
      Leave,
    );
  },
  "an abort signal": async (conn, after) => {
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of conn.dump(getLinks(), { signal: ac.signal })) {
          if (++n === after) ac.abort(new Leave());
        }
      })(),
      Leave,
    );
  },
  "return() on the iterator": async (conn, after) => {
    const it = conn.dump(getLinks());
    for (let i = 0; i < after; i++) assert.equal((await it.next()).done, false);
    assert.deepEqual(await it.return!(), { done: true, value: undefined });
    assert.equal((await it.next()).done, true);
  },
  "two iterators, the first left": async (conn, after) => {
    const a = conn.dump(getLinks());
    const b = conn.dump(getLinks());
    const whole = Array.fromAsync(b);
    for (let i = 0; i < after; i++) await a.next();
    await a.return!();
    assert.ok((await whole).length > 0);
  },
};

function sameLinks(ms: Message[], want: number[], what: string): void {
  assert.deepEqual(ms.map(linkIndex), want, what);
}

describe("chaos: leaving a dump early on SimKernel", () => {
  for (
    const [size, links] of [["small", 1], ["multi-datagram", 120]] as const
  ) {
    const kernel = new SimKernel({ dumpDatagramSize: 1024 });
    for (let i = 1; i < links; i++) kernel.rtnetlink.addLink({ name: `x${i}` });
    const want = kernel.rtnetlink.links().map((l) => l.index);
    for (const [name, leave] of Object.entries(ways)) {
      const points = [...new Set([1, Math.ceil(links / 2), links])];
      it(`${size} dump (${links} links): ${name}, after ${points.join(", ")} links; then requests, the next dump and another Conn work`, async () => {
        await using conn = kernel.dial(Family.Route);
        await using other = kernel.dial(Family.Route);
        for (const after of points) {
          await deadline(leave(conn, after), LEAVE, `${name} after ${after}`);
          // Not dumps: answered at once.
          assert.deepEqual(
            await deadline(conn.execute(noop()), LEAVE, "noop"),
            [],
          );
          const [one] = await conn.execute(getLinks(want[0]!));
          assert.equal(linkIndex(one!), want[0]);
          // The next dump: every link.
          sameLinks(
            await deadline(conn.execute(getLinks()), LEAVE, "next dump"),
            want,
            `next dump after ${name} at ${after}`,
          );
          sameLinks(await other.execute(getLinks()), want, "another Conn");
        }
      });
    }
    it(`${size} dump: close() in the middle settles the iterator and the kernel forgets the port`, async () => {
      const conn = kernel.dial(Family.Route);
      const it = conn.dump(getLinks());
      await it.next();
      await conn.close();
      await deadline(
        it.next().then(() => {}, () => {}),
        LEAVE,
        "next() after close",
      );
      assert.ok(!kernel.ports.includes(conn.pid));
    });
  }
});
