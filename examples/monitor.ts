/**
 * Prints link changes as they happen, like `ip monitor link`, by joining the
 * `RTNLGRP_LINK` multicast group. Ctrl-C closes the connection, which ends
 * the loop, and the program exits cleanly.
 *
 *   deno run --allow-ffi examples/monitor.ts [NETNS]
 *   bun examples/monitor.ts [NETNS]
 *
 * @module
 */

import process from "node:process";
import { Conn, Family, isNetlinkError } from "../src/netlink/mod.ts";
import {
  decodeLink,
  linkFlagNames,
  OPERSTATE,
  Rtm,
  RtnlGroup,
} from "./_rtnl.ts";

const netns = process.argv[2];
const options = netns === undefined
  ? {}
  : { netns: netns.includes("/") ? netns : `/var/run/netns/${netns}` };

const conn = await Conn.dial(Family.Route, options);
conn.joinGroup(RtnlGroup.Link);
const stop = (): void => void conn.close();
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
console.error(
  `listening for link changes (port id ${conn.pid}); Ctrl-C to stop`,
);

try {
  for await (const m of conn.notifications()) {
    if (m.header.type !== Rtm.NewLink && m.header.type !== Rtm.DelLink) {
      continue;
    }
    const l = decodeLink(m.data, 0, m.data.length);
    const deleted = m.header.type === Rtm.DelLink ? "Deleted " : "";
    const state = OPERSTATE[l.operstate] ?? String(l.operstate);
    console.log(
      `${deleted}${l.index}: ${l.name}: <${
        linkFlagNames(l.flags).join(",")
      }> mtu ${l.mtu} state ${state}` +
        (l.address === "" ? "" : ` link/ether ${l.address}`),
    );
  }
} catch (e) {
  // Notifications were lost: a real program would dump the links again here.
  if (isNetlinkError(e) && e.code === "ENOBUFS") {
    console.error("overrun: some changes were lost");
  } else throw e;
} finally {
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await conn.close();
}
console.error("stopped");
