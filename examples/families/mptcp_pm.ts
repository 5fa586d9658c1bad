/**
 * mptcp_pm: the MPTCP path manager's limits and endpoints, as
 * `ip mptcp limits` / `ip mptcp endpoint` (generated `get-limits` and
 * `get-addr`).
 *
 *     deno run --allow-ffi examples/families/mptcp_pm.ts [--sim]
 *
 * @module
 */

import * as mptcp from "../../src/families/mptcp_pm.ts";
import { type FamilyExample, main, show } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: mptcp.family,
  handlers: {
    getLimits: () => ({ rcvAddAddrs: 0, subflows: 2 }),
    getAddr: (_r, c) =>
      c.dump
        ? [{ addr: { family: 2, id: 1, addr4: 0xc000020a, flags: 1 } }] // 192.0.2.10, MPTCP_PM_ADDR_FLAG_SIGNAL
        : undefined,
  },
  async main(conn, out) {
    const l = await mptcp.getLimits.do(conn, {});
    out(`add_addr_accepted ${l.rcvAddAddrs} subflows ${l.subflows}`);
    for await (const e of mptcp.getAddr.dump(conn, {})) {
      const a = e.addr;
      // addr4 is a big-endian u32 in the spec (no display hint): a number.
      const v4 = a?.addr4;
      const text = v4 === undefined
        ? a?.addr6 === undefined ? "?" : show(a.addr6)
        : [24, 16, 8, 0].map((s) => (v4 >>> s) & 255).join(".");
      out(`${text} id ${a?.id} flags 0x${(a?.flags ?? 0).toString(16)}`);
    }
  },
};

await main(example, import.meta);
