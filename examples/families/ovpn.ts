/**
 * ovpn: the peers of an OpenVPN data channel device (generated `peer-get`
 * dump for a device).
 *
 *     deno run --allow-ffi examples/families/ovpn.ts [--sim] [IFINDEX]
 *
 * @module
 */

import process from "node:process";
import * as ovpn from "../../src/families/ovpn.ts";
import { isNetlinkError } from "../../src/netlink/mod.ts";
import { type FamilyExample, main } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: ovpn.family,
  handlers: {
    peerGet: (r) => [
      {
        ifindex: r.ifindex,
        peer: {
          id: 1,
          remoteIpv4: "192.0.2.1",
          remotePort: 1194,
          vpnIpv4: "10.8.0.2",
          keepaliveInterval: 10,
        },
      },
    ],
  },
  async main(conn, out) {
    const ifindex = Number(process.argv.find((a) => /^[0-9]+$/.test(a)) ?? 1);
    try {
      for await (const r of ovpn.peerGet.dump(conn, { ifindex })) {
        const p = r.peer;
        out(
          `peer ${p?.id}: ${
            p?.remoteIpv4 ?? p?.remoteIpv6 ?? "?"
          }:${p?.remotePort} vpn ${p?.vpnIpv4 ?? p?.vpnIpv6 ?? "-"}`,
        );
      }
    } catch (e) {
      if (!isNetlinkError(e)) throw e;
      out(`ifindex ${ifindex}: ${e.message}`);
    }
  },
};

await main(example, import.meta);
