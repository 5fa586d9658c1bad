// The simulated kernel's rtnetlink notifications are the real kernel's: every
// scenario of tests/route/_events.ts, replayed on SimKernel through the Route
// client, gives the sequence Linux 6.18 gave (tests/fixtures/route/
// events_6.18.json, recorded and checked by
// tests/integration/route_events_test.ts): the same messages in the same
// order, with the same flags, changes, operational states, carriers,
// masters, bridge port states, ifindex order and origins.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Family } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { Route } from "../../src/route/mod.ts";
import { type Fixture, runScenario, SCENARIOS } from "./_events.ts";

const fixture = JSON.parse(
  readFileSync(
    new URL("../fixtures/route/events_6.18.json", import.meta.url),
    "utf8",
  ),
) as Fixture;

describe("SimKernel rtnetlink notifications", () => {
  it("the fixture covers every scenario, recorded on Linux 6.18", () => {
    assert.match(fixture.kernel, /^6\.18\./);
    assert.deepEqual(
      fixture.scenarios.map((s) => s.name),
      SCENARIOS.map((s) => s.name),
    );
  });

  for (const s of SCENARIOS) {
    it(`match the real kernel's: ${s.name}`, async () => {
      const want = fixture.scenarios.find((x) => x.name === s.name)!;
      const kernel = new SimKernel();
      await using route = await Route.open({ conn: kernel.dial(Family.Route) });
      const got = await runScenario(route, s, { quietMs: 1, timeoutMs: 0 });
      for (const [i, step] of got.steps.entries()) {
        assert.deepEqual(step, want.steps[i], `step ${i + 1}: ${step.label}`);
      }
      assert.deepEqual(got.indexOrder, want.indexOrder, "index order");
    });
  }
});
