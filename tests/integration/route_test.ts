// integration: the Route client against the real kernel in the CI namespace:
// the bodies of tests/route/_bodies.ts (also run against the simulated kernel
// by tests/route/route_test.ts), each result compared with `ip -j`. Links are
// named rt<tag><n> and removed; the namespace for link moves is rtroute<pid>.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import process from "node:process";
import { openLibc, Sys } from "../../src/ffi/mod.ts";
import { Route } from "../../src/route/mod.ts";
import { BODIES, type Env } from "../route/_bodies.ts";

function isRoot(): boolean {
  try {
    return process.getuid?.() === 0;
  } catch {
    return false; // Deno without --allow-sys
  }
}

const skip = process.platform !== "linux"
  ? "integration: needs Linux"
  : process.env.NLKIT_INTEGRATION !== "1"
  ? "integration: set NLKIT_INTEGRATION=1 (root, in a throwaway network namespace)"
  : !isRoot()
  ? "integration: needs root"
  : false;

const tag = (process.pid % 1296).toString(36);

function ipJSON(...args: string[]): unknown[] {
  const out = execFileSync("ip", ["-j", ...args], { encoding: "utf8" });
  return out.trim() === "" ? [] : JSON.parse(out) as unknown[];
}

function cleanupLinks(prefix: string): void {
  for (const l of ipJSON("link", "show") as { ifname: string }[]) {
    if (l.ifname.startsWith(prefix)) {
      try {
        execFileSync("ip", ["link", "del", l.ifname], { stdio: "ignore" });
      } catch {
        // Gone with its peer.
      }
    }
  }
}

describe("integration: the Route client agrees with `ip -j`", { skip }, () => {
  for (const [i, body] of BODIES.entries()) {
    it(`integration: ${body.name}`, async () => {
      const prefix = `rt${tag}${i}`;
      let n = 0;
      await using route = await Route.open();
      const env: Env = {
        route,
        ip: ipJSON,
        name: (t) => `${prefix}${t}${n++}`.slice(0, 15),
        otherNamespace: async () => {
          const ns = `rtroute${process.pid}`;
          execFileSync("ip", ["netns", "add", ns]);
          const path = `/run/netns/${ns}`;
          const libc = await openLibc();
          const fd = libc.open(path, Sys.O_RDONLY | Sys.O_CLOEXEC);
          const sleeper = spawn("ip", ["netns", "exec", ns, "sleep", "60"], {
            stdio: "ignore",
          });
          await new Promise((r) => setTimeout(r, 100)); // exec'd into the namespace
          return {
            refs: [ns, path, fd, { pid: sleeper.pid! }],
            links: () =>
              Promise.resolve(
                (ipJSON("-n", ns, "link", "show") as { ifname: string }[]).map((
                  l,
                ) => l.ifname),
              ),
            back: async (name) => {
              await using there = await Route.open({ netns: ns });
              await there.links.set(name, { netns: { pid: process.pid } });
            },
            close: () => {
              sleeper.kill();
              libc.close(fd);
              execFileSync("ip", ["netns", "del", ns]);
              return Promise.resolve();
            },
          };
        },
      };
      try {
        await body.run(env);
      } finally {
        cleanupLinks(prefix);
      }
    });
  }

  it("integration: a missing namespace's error names its path; a bare name means /run/netns/NAME", async () => {
    await assert.rejects(Route.open({ netns: "rtroute-nope" }), {
      name: "NetlinkError",
      code: "ENOENT",
      message:
        "Cannot dial: open /run/netns/rtroute-nope: ENOENT (No such file or directory)",
    });
    const ns = `rtroute${process.pid}b`;
    execFileSync("ip", ["netns", "add", ns]);
    try {
      await using there = await Route.open({ netns: ns });
      assert.deepEqual((await there.links.list()).map((l) => l.name), ["lo"]);
    } finally {
      execFileSync("ip", ["netns", "del", ns]);
    }
  });
});
