/**
 * `nlkit links` and `nlkit monitor`: network links and their changes, like
 * `ip link` and `ip monitor link`.
 *
 * @module
 */

import type { Conn, Message } from "../../src/netlink/mod.ts";
import {
  decodeLink,
  type Link,
  LINK_TYPES,
  linkDumpRequest,
  linkFlagNames,
  OPERSTATE,
  Rtm,
  RtnlGroup,
} from "../_rtnl.ts";
import type { Command } from "./_common.ts";

/** A link as `ip -j link` prints it. */
export function linkJSON(l: Link): Record<string, unknown> {
  return {
    ifindex: l.index,
    ifname: l.name,
    flags: linkFlagNames(l.flags),
    mtu: l.mtu,
    operstate: OPERSTATE[l.operstate] ?? String(l.operstate),
    txqlen: l.txqlen,
    link_type: LINK_TYPES[l.type] ?? String(l.type),
    ...(l.address === "" ? {} : { address: l.address }),
    ...(l.broadcast === "" ? {} : { broadcast: l.broadcast }),
    ...(l.master === 0 ? {} : { master_index: l.master }),
  };
}

/** A link as one `ip link` entry (two lines). */
export function formatLink(l: Link): string {
  const type = LINK_TYPES[l.type] ?? String(l.type);
  const state = OPERSTATE[l.operstate] ?? String(l.operstate);
  let s = `${l.index}: ${l.name}: <${
    linkFlagNames(l.flags).join(",")
  }> mtu ${l.mtu} state ${state}`;
  if (l.master !== 0) s += ` master ${l.master}`;
  s += `\n    link/${type}`;
  if (l.address !== "") s += ` ${l.address}`;
  if (l.broadcast !== "") s += ` brd ${l.broadcast}`;
  return s + "\n";
}

/**
 * Dumps the links with the zero-copy `visit` path.
 *
 * @param conn A route connection.
 * @returns The decoded links.
 */
export async function dumpLinks(conn: Conn): Promise<Link[]> {
  const links: Link[] = [];
  await conn.visit(linkDumpRequest(), (view) => {
    if (view.header.type === Rtm.NewLink) {
      links.push(decodeLink(view.bytes, view.offset, view.length));
    }
  });
  return links;
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

function describeLinkChange(m: Message, json: boolean): string {
  const what = m.header.type === Rtm.NewLink
    ? "NEWLINK"
    : m.header.type === Rtm.DelLink
    ? "DELLINK"
    : `type ${m.header.type}`;
  if (m.header.type !== Rtm.NewLink && m.header.type !== Rtm.DelLink) {
    return json ? JSON.stringify({ event: what }) : `[${what}]`;
  }
  const l = decodeLink(m.data, 0, m.data.length);
  return json
    ? JSON.stringify({ event: what, ...linkJSON(l) })
    : `[${what}] ${formatLink(l).trimEnd()}`;
}

/** `nlkit monitor`. */
export const monitor: Command = {
  name: "monitor",
  usage: "monitor [--count N]",
  summary: "link changes as they happen (like `ip monitor link`); Ctrl-C stops",
  async run({ args, backend, out, signal }) {
    await using conn = await backend.route(1 << (RtnlGroup.Link - 1));
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
      for await (const m of conn.notifications(signal ? { signal } : {})) {
        out(describeLinkChange(m, args.json));
        if (count !== undefined && ++seen >= count) break;
      }
    } catch (e) {
      if (!(signal?.aborted)) throw e;
    }
    return "";
  },
};
