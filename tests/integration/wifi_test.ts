/**
 * The wifi client against the running kernel. Opt in with NLKIT_INTEGRATION=1
 * as root (CI runs this folder inside `unshare -n`, for Deno and Bun).
 *
 * On a kernel without nl80211 (no cfg80211 module, as on the CI machine),
 * `Client.open()` must fail with `isNotExist` and close its socket; with
 * nl80211, the interfaces and PHYs must match what sysfs shows.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { isNotExist } from "../../src/netlink/mod.ts";
import { Client } from "../../src/wifi/mod.ts";
import { gate } from "./_gate.ts";

const skip = await gate(import.meta.url);

/**
 * cfg80211 registers the nl80211 family when it loads. Only looked at when
 * the tests run: Deno needs --allow-all to read /sys (the integration run
 * has it, the unit run that merely skips this file does not).
 */
const hasNl80211 = skip ? false : existsSync("/sys/module/cfg80211");

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

describe("integration: wifi Client on the real kernel", { skip }, () => {
  it("Client.open() fails with isNotExist without nl80211, leaking no socket", {
    skip: hasNl80211,
  }, async () => {
    const before = openFds();
    await assert.rejects(Client.open(), (e) => {
      assert.ok(isNotExist(e), `want ENOENT, got ${e}`);
      assert.match((e as Error).message, /nl80211/);
      return true;
    });
    assert.equal(openFds(), before);
  });

  it(
    "lists the interfaces and PHYs sysfs shows",
    { skip: !hasNl80211 },
    async () => {
      await using client = await Client.open();
      const phys = await client.phys();
      const sysPhys = readdirSync("/sys/class/ieee80211").sort();
      assert.deepEqual(phys.map((p) => p.name).sort(), sysPhys);
      for (const ifi of await client.interfaces()) {
        if (ifi.index === 0) continue; // a P2P device has no netdev
        assert.ok(existsSync(`/sys/class/net/${ifi.name}/phy80211`), ifi.name);
      }
    },
  );
});
