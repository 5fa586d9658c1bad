// The README's "Testing your netlink code" example, run for real. The README
// block imports the package by name; this copy imports it by path (so Bun
// resolves it too) and checks that the two stay the same otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Family } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { Route } from "../../src/route/mod.ts";
import { addUplink } from "../../docs/uplink.ts";

const TEST_BODY =
  `test("addUplink() makes a bridge with an address and a default route", async () => {
  const kernel = new SimKernel();
  await using route = await Route.open({ conn: kernel.dial(Family.Route) });
  await addUplink(route, "br0");
  const [a] = await route.addresses.list({ link: "br0" });
  assert.equal(\`\${a?.address}/\${a?.prefixLength}\`, "10.1.2.3/24");
  assert.equal((await route.routes.get("192.0.2.1")).gateway, "10.1.2.1");
});`;

test("addUplink() makes a bridge with an address and a default route", async () => {
  const kernel = new SimKernel();
  await using route = await Route.open({ conn: kernel.dial(Family.Route) });
  await addUplink(route, "br0");
  const [a] = await route.addresses.list({ link: "br0" });
  assert.equal(`${a?.address}/${a?.prefixLength}`, "10.1.2.3/24");
  assert.equal((await route.routes.get("192.0.2.1")).gateway, "10.1.2.1");
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
  // The body appears twice in this file: as TEST_BODY (with escaped
  // interpolations) and as the test itself.
  const escaped = TEST_BODY.replaceAll("${", "\\${").replaceAll("`", "\\`");
  assert.ok(
    self.includes(TEST_BODY) && self.includes(escaped),
    "the test above differs from TEST_BODY",
  );
});
