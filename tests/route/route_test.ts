// The Route client against the simulated kernel: the bodies of
// tests/route/_bodies.ts, the ones tests/integration/route_test.ts runs
// against the real kernel (and compares with `ip -j`).
import { describe, it } from "node:test";
import { Family } from "../../src/netlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { Route } from "../../src/route/mod.ts";
import { BODIES, type Env } from "./_bodies.ts";

describe("Route on the simulated kernel", () => {
  for (const body of BODIES) {
    it(body.name, async () => {
      const kernel = new SimKernel();
      await using route = await Route.open({ conn: kernel.dial(Family.Route) });
      let n = 0;
      const env: Env = {
        route,
        name: (tag) => `rt${tag}${n++}`,
        otherNamespace: () =>
          Promise.resolve({
            refs: [{ pid: 4242 }],
            links: () => Promise.resolve([]),
            back: () => Promise.resolve(),
            close: () => Promise.resolve(),
          }),
      };
      await body.run(env);
    });
  }
});
