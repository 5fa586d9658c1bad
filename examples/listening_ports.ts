/**
 * Which TCP and UDP ports this machine listens on, with the owner's uid and
 * the socket's inode (like `ss -tuln`).
 *
 *   deno run --allow-ffi examples/listening_ports.ts
 *   bun examples/listening_ports.ts
 *
 * @module
 */

import { SockDiag } from "../src/sockdiag/mod.ts";

await using diag = await SockDiag.open();
// A listening UDP socket is an unconnected one ("close", ss: UNCONN).
const wanted = [["tcp", "listen"], ["udp", "close"]] as const;
for (const [protocol, state] of wanted) {
  for (const family of [4, 6] as const) {
    for (const s of await diag.inet({ family, protocol, states: [state] })) {
      const address = family === 6 ? `[${s.localAddress}]` : s.localAddress;
      const where = `${address}:${s.localPort}`;
      console.log(
        `${protocol}${family}\t${where}\tuid ${s.uid}\tinode ${s.inode}`,
      );
    }
  }
}
