// `nlkit taskstats` on the simulated machine its `simulate` seeds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { nlkit } from "../examples/_nlkit.ts";

describe("nlkit taskstats", () => {
  it("prints a task's identity, CPU, memory, I/O, switches and delays", async () => {
    const lines = (await nlkit("taskstats", "4242")).split("\n");
    assert.equal(lines[0], "pid 4242 (nginx) tgid 4242 ppid 1 uid 33 gid 33");
    for (
      const want of [
        "  struct taskstats version 16",
        "  user 0.830 s, system 0.410 s, run 1243.000 ms, elapsed 86400.000 s",
        "  high-water RSS 20480 KiB, VM 150000 KiB; page faults minor 5120, major 0",
        "  91000 voluntary, 22 involuntary",
        "  cpu            91022    4100.000 ms   avg 0.045 ms",
      ]
    ) assert.ok(lines.includes(want), `missing ${JSON.stringify(want)}`);
  });

  it("-t sums the thread group, and self is this process", async () => {
    const group = (await nlkit("taskstats", "-t", "4243")).split("\n");
    assert.equal(group[0], "tgid 4243 (summed over its threads)");
    assert.ok(group.includes("  95000 voluntary, 25 involuntary"));
    assert.ok(
      (await nlkit("taskstats", "self")).startsWith(
        `pid ${process.pid} (nlkit)`,
      ),
    );
  });

  it("--json prints the struct with bigints as text", async () => {
    const j = JSON.parse(await nlkit("taskstats", "--json", "1")) as Record<
      string,
      unknown
    >;
    assert.equal(j.pid, 1);
    assert.equal(j.acComm, "init");
    assert.equal(j.nvcsw, "48211");
  });

  it("says which pid does not exist, and refuses a missing or bad pid", async () => {
    await assert.rejects(nlkit("taskstats", "99"), {
      name: "UsageError",
      message: "taskstats: no task with pid 99",
    });
    await assert.rejects(nlkit("taskstats"), { name: "UsageError" });
    await assert.rejects(nlkit("taskstats", "x1"), /"x1" is not a pid/);
    await assert.rejects(nlkit("taskstats", "-z", "1"), /unknown option -z/);
  });
});
