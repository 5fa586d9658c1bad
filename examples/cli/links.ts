/**
 * `nlkit links` and `nlkit monitor`: network links and their changes, like
 * `ip link` and `ip monitor link`, through the `Route` client.
 *
 * @module
 */

import type { Conn } from "../../src/netlink/mod.ts";
import { type Link, type LinkEvent, Route } from "../../src/route/mod.ts";
import type { Command } from "./_common.ts";
import { ipFlags } from "./route.ts";

/** A link as `ip -j link` prints it. */
export function linkJSON(l: Link): Record<string, unknown> {
  return {
    ifindex: l.index,
    ifname: l.name,
    flags: ipFlags(l.flags),
    mtu: l.mtu,
    operstate: String(l.operstate).toUpperCase(),
    txqlen: l.txqlen,
    link_type: String(l.type),
    ...(l.address === undefined ? {} : { address: l.address }),
    ...(l.broadcast === undefined ? {} : { broadcast: l.broadcast }),
    ...(l.master === undefined ? {} : { master_index: l.master }),
  };
}

/** A link as one `ip link` entry (two lines). */
export function formatLink(l: Link): string {
  let s = `${l.index}: ${l.name}: <${
    ipFlags(l.flags).join(",")
  }> mtu ${l.mtu} state ${String(l.operstate).toUpperCase()}`;
  if (l.master !== undefined) s += ` master ${l.master}`;
  s += `\n    link/${l.type}`;
  if (l.address !== undefined) s += ` ${l.address}`;
  if (l.broadcast !== undefined) s += ` brd ${l.broadcast}`;
  return s + "\n";
}

/**
 * Lists the links of a route connection (the connection stays open).
 *
 * @param conn A route connection.
 * @returns The links.
 */
export async function dumpLinks(conn: Conn): Promise<Link[]> {
  return await new Route(conn).links.list();
}

/** `nlkit links`. */
export const links: Command = {
  name: "links",
  usage: "links",
  summary: "network links (like `ip link`)",
  async run({ args, backend }) {
    await using conn = await backend.route();
    const list = await dumpLinks(conn);
    return args.json
      ? JSON.stringify(list.map(linkJSON)) + "\n"
      : list.map(formatLink).join("");
  },
};

function describeLinkChange(e: LinkEvent, json: boolean): string {
  const what = e.action === "delete" ? "DELLINK" : "NEWLINK";
  return json
    ? JSON.stringify({ event: what, ...linkJSON(e.link) })
    : `[${what}] ${formatLink(e.link).trimEnd()}`;
}

/** `nlkit monitor`. */
export const monitor: Command = {
  name: "monitor",
  usage: "monitor [--count N]",
  summary: "link changes as they happen (like `ip monitor link`); Ctrl-C stops",
  async run({ args, backend, out, signal }) {
    await using route = new Route(await backend.route());
    const events = route.monitor(["link"], signal ? { signal } : {});
    const kernel = backend.kernel;
    let count = args.count;
    if (kernel !== undefined) {
      // Simulated: make something happen so there is a change to show.
      count ??= 2;
      setTimeout(() => {
        kernel.rtnetlink.addLink({ name: "dummy7", kind: "dummy" });
        kernel.rtnetlink.deleteLink("dummy7");
      }, 10);
    }
    let seen = 0;
    try {
      for await (const e of events) {
        if (e.type !== "link") continue;
        out(describeLinkChange(e, args.json));
        if (count !== undefined && ++seen >= count) break;
      }
    } catch (e) {
      if (!(signal?.aborted)) throw e;
    }
    return "";
  },
};
