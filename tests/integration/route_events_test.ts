// integration: the real kernel's rtnetlink notifications for the scenarios of
// tests/route/_events.ts (link add, veth pair, enslave, up/down, addresses,
// routes, link delete), compared with the committed recording
// tests/fixtures/route/events_6.18.json, which tests/route/events_test.ts
// replays against the simulated kernel.
//
// Re-record (root, in a throwaway namespace; about a minute: each step waits
// for the kernel's deferred linkwatch to settle):
//   unshare -n -- bash -c 'ip link set lo up && NLKIT_INTEGRATION=1 NLKIT_RECORD=1 \
//     node_modules/.bin/deno test --allow-all tests/integration/route_events_test.ts'
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { Route } from "../../src/route/mod.ts";
import {
  type Fixture,
  GROUPS,
  type Recording,
  runScenario,
  SCENARIOS,
} from "../route/_events.ts";
import { gate } from "./_gate.ts";

const skip = await gate(import.meta.url);

const FIXTURE = new URL("../fixtures/route/events_6.18.json", import.meta.url);
const RECORD = process.env.NLKIT_RECORD === "1";

function cleanup(names: readonly string[]): void {
  for (const name of names) {
    try {
      execFileSync("ip", ["link", "del", name], { stdio: "ignore" });
    } catch {
      // Not there (or gone with its peer).
    }
  }
}

describe(
  "integration: rtnetlink notifications match the recording",
  { skip },
  () => {
    if (RECORD) {
      it("integration: records the notifications of every scenario", async () => {
        const scenarios: Recording[] = [];
        for (const s of SCENARIOS) {
          cleanup(s.links);
          await using route = await Route.open();
          try {
            // Long quiet time: the deferred linkwatch (up to a second) must land in its step.
            scenarios.push(
              await runScenario(route, s, { quietMs: 2500, timeoutMs: 0 }),
            );
          } finally {
            cleanup(s.links);
          }
        }
        const fixture: Fixture = {
          kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
          recordedWith: "NLKIT_RECORD=1 tests/integration/route_events_test.ts",
          groups: [...GROUPS],
          scenarios,
        };
        writeFileSync(FIXTURE, JSON.stringify(fixture, null, 1) + "\n");
      });
      return;
    }
    const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture;
    for (const s of SCENARIOS) {
      it(`integration: ${s.name}`, async () => {
        const want = fixture.scenarios.find((x) => x.name === s.name);
        assert.ok(want, `the fixture has no scenario "${s.name}" (re-record)`);
        cleanup(s.links);
        await using route = await Route.open();
        try {
          const got = await runScenario(
            route,
            s,
            { quietMs: 100, timeoutMs: 1500 },
            (i) => want.steps[i]?.events.length,
          );
          for (const [i, step] of got.steps.entries()) {
            assert.deepEqual(
              step,
              want.steps[i],
              `step ${i + 1}: ${step.label}`,
            );
          }
          assert.deepEqual(got.indexOrder, want.indexOrder, "index order");
        } finally {
          cleanup(s.links);
        }
      });
    }
  },
);
