/**
 * Conn bugs found by the chaos suite's random schedules, kept as
 * regression tests. Found by `CHAOS_SEED=7 CHAOS_SCHEDULES=2000` (seed
 * 701019); the default series does not meet it, so it is pinned here.
 *
 * C4: a dump failed by a socket error (ENOBUFS: an overrun of the
 * notifications on the same socket) before the kernel's first part came
 * (here the kernel answers 3 ms late, a `delay` fault) is not drained when
 * that part comes: nobody reads it, the kernel's dump stays running, and
 * the resync dump the OverrunError asks for gets EBUSY. Fixed (5c63891):
 * an EBUSY while a dump the Conn let go of still runs makes the Conn drain
 * it and send the new dump again (bounded retries).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Family } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { deadline, getLinks } from "./_chaos.ts";

describe("chaos: Conn bugs the schedules found (regressions)", () => {
  it("C4: after an overrun fails a dump whose reply comes later, the resync dump works (no EBUSY)", async () => {
    const kernel = new SimKernel();
    await using conn = kernel.dial(Family.Route, { groups: 1 });
    kernel.inject({ type: "delay", ms: 3 }, { match: { type: 18 } });
    kernel.inject({ type: "overrun" });
    const first = conn.execute(getLinks());
    kernel.notify(Family.Route, 1, [{
      header: { length: 0, type: 16, flags: 0, sequence: 0, pid: 0 },
      data: new Uint8Array(16),
    }]); // lost: the next receive reports ENOBUFS
    await assert.rejects(first, { code: "ENOBUFS" });
    await new Promise((r) => setTimeout(r, 10)); // the first dump's part has come meanwhile
    const links = await deadline(
      conn.execute(getLinks(), { timeout: 500 }),
      2000,
      "resync",
    );
    assert.equal(links.length, 1); // expected: lo; got: EBUSY
  });
});
