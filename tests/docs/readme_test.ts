// The README's "Testing your netlink code" example, run for real. The README
// block imports the package by name; this copy imports it by path (so Bun
// resolves it too) and checks that the two stay the same otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Family } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { linkNames } from "../../docs/links.ts";

const TEST_BODY = `test("linkNames() lists every link", async () => {
  const kernel = new SimKernel();
  kernel.rtnetlink.addLink({ name: "eth0", kind: "dummy", up: true });
  await using conn = kernel.dial(Family.Route);
  assert.deepEqual(await linkNames(conn), ["lo", "eth0"]);
});`;

test("linkNames() lists every link", async () => {
  const kernel = new SimKernel();
  kernel.rtnetlink.addLink({ name: "eth0", kind: "dummy", up: true });
  await using conn = kernel.dial(Family.Route);
  assert.deepEqual(await linkNames(conn), ["lo", "eth0"]);
});

test("the README's downstream test is the one run here", () => {
  const readme = readFileSync(
    new URL("../../README.md", import.meta.url),
    "utf8",
  );
  const section = readme.slice(readme.indexOf("## Testing your netlink code"));
  const start = section.indexOf("```ts ignore\n") + 13;
  const block = section.slice(start, section.indexOf("\n```", start));
  assert.ok(
    block.includes(TEST_BODY),
    "README block differs from tests/docs/readme_test.ts",
  );
  const self = readFileSync(new URL(import.meta.url), "utf8");
  assert.ok(
    self.split(TEST_BODY).length === 3,
    "the test above differs from TEST_BODY",
  );
});
