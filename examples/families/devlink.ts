/**
 * devlink: the devices and ports a `devlink dev` / `devlink port` would
 * list (generated `get` and `port-get` dumps).
 *
 *     deno run --allow-ffi examples/families/devlink.ts [--sim]
 *
 * @module
 */

import * as devlink from "../../src/families/devlink.ts";
import { KernelError } from "../../src/nltest/mod.ts";
import { type FamilyExample, main } from "./_run.ts";

/** Two netdevsim devices of two ports each, for `--sim`. */
const DEVICES: devlink.Devlink[] = [
  { busName: "netdevsim", devName: "netdevsim1" },
  { busName: "netdevsim", devName: "netdevsim2" },
];
const PORTS: devlink.Devlink[] = DEVICES.flatMap((d, i) =>
  [0, 1].map((p) => ({
    ...d,
    portIndex: p,
    portType: "eth" as const,
    portFlavour: "physical" as const,
    portNetdevName: `eni${i + 1}np${p + 1}`,
  }))
);

/** The example. */
export const example: FamilyExample = {
  family: devlink.family,
  handlers: {
    get: (r, c) => {
      if (c.dump) return DEVICES;
      const d = DEVICES.find((x) =>
        x.busName === r.busName && x.devName === r.devName
      );
      if (d === undefined) throw new KernelError(19); // ENODEV
      return d;
    },
    portGet: (_r, c) => c.dump ? PORTS : undefined,
  },
  async main(conn, out) {
    for await (const d of devlink.get.dump(conn, {})) {
      out(`${d.busName}/${d.devName}`);
    }
    for await (const p of devlink.portGet.dump(conn, {})) {
      out(
        `${p.busName}/${p.devName}/${p.portIndex}: type ${p.portType} flavour ${p.portFlavour} netdev ${
          p.portNetdevName ?? "-"
        }`,
      );
    }
  },
};

await main(example, import.meta);
