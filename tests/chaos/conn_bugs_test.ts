/**
 * KNOWN CONN BUGS found by the chaos suite (see /work/team/conn-bugs.md).
 * These tests FAIL until the bugs are fixed in src/netlink (the Conn); they
 * are kept apart from the standing suite so that its schedules stay green,
 * and `schedules_test.ts` holds back the two fault combinations that
 * trigger them (`KnownBugs` in `_schedule.ts`). When they pass, fold the
 * combinations back in (`AVOID_KNOWN_BUGS` → `ALL_FAULTS`) and delete this
 * file.
 *
 * C1: an `NLMSG_NOOP` in a reply (netlink(7): "to be ignored") is delivered
 *     to the request, and, being a message without `NLM_F_MULTI`, ends a
 *     dump early: the Conn then sends its next dump while the kernel's
 *     still runs, and gets EBUSY.
 * C2: a dump queued behind another one, whose caller gave up (timeout or
 *     abort) while it was queued, is later sent from the queue with its
 *     bytes already released: `TypeError: Cannot read properties of null
 *     (reading 'slice')` out of `execute()`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Family, HeaderType } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { ALL_FAULTS, schedule, type Tally } from "./_schedule.ts";
import { deadline, getLinks, netlinkCode } from "./_chaos.ts";

describe("chaos: known Conn bugs (failing until fixed)", () => {
  it("C1: an NLMSG_NOOP in a dump's reply is ignored, and the dump is still drained to its DONE", async () => {
    const kernel = new SimKernel({ dumpDatagramSize: 512 });
    for (let i = 0; i < 20; i++) kernel.rtnetlink.addLink({ name: `c1d${i}` });
    await using conn = kernel.dial(Family.Route);
    // misalign: a 17-byte NLMSG_NOOP with the request's sequence, then the
    // first datagram's messages at unaligned offsets (EBADMSG).
    kernel.inject({ type: "misalign" });
    const types: number[] = [];
    await assert.rejects(
      deadline(
        (async () => {
          for await (const m of conn.dump(getLinks())) {
            types.push(m.header.type);
          }
        })(),
        2000,
        "dump()",
      ),
      (e: unknown) => netlinkCode(e, "dump()") === "EBADMSG",
    );
    assert.ok(
      !types.includes(HeaderType.Noop),
      `dump() yielded message types ${types.join(",")}`,
    );
    // The failed dump is drained before the next one is sent: no EBUSY.
    kernel.inject({ type: "misalign" });
    await assert.rejects(conn.execute(getLinks()), { code: "EBADMSG" });
    const links = await deadline(conn.execute(getLinks()), 2000, "next dump");
    assert.equal(links.length, 21);
  });

  it("C2: a queued dump whose caller timed out is never sent (no TypeError)", async () => {
    const kernel = new SimKernel();
    await using conn = kernel.dial(Family.Route);
    // The first dump's replies carry a sequence nothing waits for: its DONE
    // never reaches the Conn, which keeps later dumps queued.
    kernel.inject({ type: "wrongSequence" });
    const first = conn.execute(getLinks(), { timeout: 30 });
    const second = conn.execute(getLinks(), { timeout: 30 }); // queued
    await assert.rejects(first, { code: "ETIMEDOUT" });
    await assert.rejects(second, { code: "ETIMEDOUT" });
    // Expected: a typed error (ETIMEDOUT while the first dump's DONE is
    // missing) or the links; got: TypeError from the queue.
    await assert.rejects(
      deadline(conn.execute(getLinks(), { timeout: 100 }), 2000, "third dump"),
      (e: unknown) => netlinkCode(e, "third dump") === "ETIMEDOUT",
    );
  });

  it("the schedules with every fault kind, the known-bug combinations included", async () => {
    const tally: Tally = {
      schedules: 0,
      faults: 0,
      calls: 0,
      ok: 0,
      typed: 0,
      wrong: [],
      hangs: [],
    };
    for (let i = 0; i < 160; i += 8) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < i + 8; j++) {
        batch.push(schedule(100_000 + j, tally, ALL_FAULTS));
      }
      await Promise.all(batch);
    }
    console.log(
      `chaos (every fault kind): ${tally.schedules} schedules, ${tally.faults} faults injected, wrong results ${tally.wrong.length}, hangs ${tally.hangs.length}`,
    );
    assert.deepEqual(tally.hangs, [], "hangs");
    assert.deepEqual(
      tally.wrong.map((w) => w.split("\n")[0]),
      [],
      "wrong results",
    );
  });
});
