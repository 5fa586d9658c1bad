/**
 * `nlkit link`, `nlkit addr`, `nlkit route`, `nlkit neigh`, `nlkit rule`:
 * the `Route` client as a small `ip`. Lists print like `ip -br link`, `ip
 * -br addr`, `ip route`, `ip neigh` and `ip rule`; `--json` prints the
 * client's objects; `add`/`del` (and `link set`, `route get`) change the
 * kernel the way `ip` would.
 *
 * @module
 */

import type { SimKernel } from "../../src/nltest/mod.ts";
import {
  type Address,
  type Link,
  type LinkChanges,
  type LinkSpec,
  type Neighbour,
  Route,
  type RouteEntry,
  type RouteSpec,
  type Rule,
} from "../../src/route/mod.ts";
import { type Backend, type Command, UsageError } from "./_common.ts";

/** The generated link flag names as `ip` prints them, in its order. */
const IP_FLAGS: [string, string][] = [
  ["loopback", "LOOPBACK"],
  ["broadcast", "BROADCAST"],
  ["point-to-point", "POINTOPOINT"],
  ["multicast", "MULTICAST"],
  ["no-arp", "NOARP"],
  ["all-multi", "ALLMULTI"],
  ["promisc", "PROMISC"],
  ["master", "MASTER"],
  ["slave", "SLAVE"],
  ["debug", "DEBUG"],
  ["dynamic", "DYNAMIC"],
  ["auto-media", "AUTOMEDIA"],
  ["portsel", "PORTSEL"],
  ["no-trailers", "NOTRAILERS"],
  ["up", "UP"],
  ["lower-up", "LOWER_UP"],
  ["dormant", "DORMANT"],
  ["echo", "ECHO"],
];

/**
 * A link's flags as `ip link` prints them: its names and order, `NO-CARRIER`
 * for a link that is up without carrier, no `RUNNING`.
 *
 * @param flags The link's flags (generated names).
 * @returns The names.
 */
export function ipFlags(flags: readonly (string | number)[]): string[] {
  const out: string[] = [];
  if (flags.includes("up") && !flags.includes("running")) {
    out.push("NO-CARRIER");
  }
  for (const [name, ip] of IP_FLAGS) if (flags.includes(name)) out.push(ip);
  return out;
}

function linkName(l: Link, byIndex: Map<number, string>): string {
  if (l.link === undefined) return l.name;
  return `${l.name}@${byIndex.get(l.link) ?? "NONE"}`;
}

/** A link as one `ip -br link` line. */
export function briefLink(l: Link, byIndex: Map<number, string>): string {
  return `${linkName(l, byIndex).padEnd(16)} ${
    String(l.operstate).toUpperCase().padEnd(14)
  } ${l.address ?? ""} <${ipFlags(l.flags).join(",")}>`;
}

/** A link's addresses as one `ip -br addr` line. */
export function briefAddresses(
  l: Link,
  addresses: readonly Address[],
  byIndex: Map<number, string>,
): string {
  const mine = addresses.filter((a) => a.index === l.index)
    .map((a) => `${a.address}/${a.prefixLength}`);
  return `${linkName(l, byIndex).padEnd(16)} ${
    String(l.operstate).toUpperCase().padEnd(14)
  } ${mine.join(" ")}`.trimEnd();
}

const TABLE_NAMES: Record<number, string> = {
  253: "default",
  254: "main",
  255: "local",
};

/** A route as one `ip route` line. */
export function formatRoute(
  r: RouteEntry,
  byIndex: Map<number, string>,
): string {
  const host = r.family === "inet" ? 32 : 128;
  const parts = [r.dstLength === host ? r.dst.replace(/\/\d+$/, "") : r.dst];
  if (r.type !== "unicast") parts.unshift(String(r.type));
  if (r.gateway !== undefined) parts.push("via", r.gateway);
  if (r.oif !== undefined) {
    parts.push("dev", byIndex.get(r.oif) ?? `if${r.oif}`);
  }
  if (r.table !== 254) {
    parts.push("table", TABLE_NAMES[r.table] ?? String(r.table));
  }
  if (r.protocol !== "boot") parts.push("proto", String(r.protocol));
  if (r.scope !== "global") parts.push("scope", String(r.scope));
  if (r.prefsrc !== undefined) parts.push("src", r.prefsrc);
  if (r.priority !== undefined) parts.push("metric", String(r.priority));
  for (const h of r.nexthops ?? []) {
    parts.push(
      "nexthop",
      ...(h.gateway === undefined ? [] : ["via", h.gateway]),
      "dev",
      byIndex.get(h.oif) ?? `if${h.oif}`,
      "weight",
      String(h.weight),
    );
  }
  parts.push(...r.flags.map(String));
  return parts.join(" ");
}

/** A neighbour entry as one `ip neigh` line. */
export function formatNeighbour(
  n: Neighbour,
  byIndex: Map<number, string>,
): string {
  const parts = [
    n.address ?? "?",
    "dev",
    byIndex.get(n.index) ?? `if${n.index}`,
  ];
  if (n.lladdr !== undefined) parts.push("lladdr", n.lladdr);
  if (n.flags.includes("router")) parts.push("router");
  parts.push(...n.state.map((s) => String(s).toUpperCase()));
  return parts.join(" ");
}

/** A rule as one `ip rule` line. */
export function formatRule(r: Rule): string {
  const parts = [`${r.priority}:`, "from", r.src ?? "all"];
  if (r.invert) parts.splice(1, 0, "not");
  if (r.dst !== undefined) parts.push("to", r.dst);
  if (r.iif !== undefined) parts.push("iif", r.iif);
  if (r.oif !== undefined) parts.push("oif", r.oif);
  if (r.fwmark !== undefined) {
    parts.push("fwmark", `0x${r.fwmark.toString(16)}`);
  }
  if (r.action === "to-tbl") {
    parts.push("lookup", TABLE_NAMES[r.table] ?? String(r.table));
  } else parts.push(String(r.action));
  return parts[0] + "\t" + parts.slice(1).join(" ");
}

/** The client's objects as JSON: without the generated `attrs`, lifetimes of forever as "forever". */
export function routeJSON(items: readonly object[]): string {
  return JSON.stringify(
    items,
    (k, v: unknown) =>
      k === "attrs" ? undefined : v === Infinity ? "forever" : v,
  ) + "\n";
}

async function openRoute(backend: Backend): Promise<Route> {
  return new Route(await backend.route());
}

/** Reads `key value` pairs and bare words of an `ip`-style command line. */
function words(operands: readonly string[], keys: readonly string[]) {
  const values = new Map<string, string>();
  const bare: string[] = [];
  for (let i = 0; i < operands.length; i++) {
    const w = operands[i]!;
    if (keys.includes(w)) {
      const v = operands[++i];
      if (v === undefined) throw new UsageError(`${w} needs a value`);
      values.set(w, v);
    } else bare.push(w);
  }
  return { values, bare };
}

function number(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`${what} takes a whole number`);
  }
  return n;
}

/** Seeds the simulated kernel once: a bridge with a veth port, addresses, a default route. */
function seed(kernel: SimKernel): void {
  const rtnl = kernel.rtnetlink;
  if (rtnl.links().some((l) => l.name === "br0")) return;
  rtnl.addLink({ name: "br0", kind: "bridge", up: true });
  rtnl.addLink({
    name: "veth0",
    kind: "veth",
    peer: "veth1",
    master: "br0",
    up: true,
  });
  rtnl.setLink("veth1", { up: true });
  rtnl.addAddress("br0", "10.1.2.3/24");
  rtnl.addAddress("br0", "2001:db8:1::3/64");
  rtnl.addRoute({
    destination: "0.0.0.0/0",
    gateway: "10.1.2.1",
    link: "br0",
    priority: 100,
  });
}

/** `nlkit link`. */
export const link: Command = {
  name: "link",
  usage:
    "link [add NAME type KIND [peer P] [master M] [mtu N] [up] | set NAME ... | del NAME]",
  summary:
    "links (like `ip -br link`); add NAME type KIND [peer P] [master M] [up], set NAME up|down|mtu N|master M|nomaster|name N, del NAME",
  simulate: seed,
  async run({ args, backend }) {
    await using route = await openRoute(backend);
    const [verb, name, ...rest] = args.operands;
    if (verb === "add" && name !== undefined) {
      const { values, bare } = words(rest, [
        "type",
        "peer",
        "master",
        "mtu",
        "address",
        "link",
      ]);
      const spec: LinkSpec = { name };
      if (values.has("type")) spec.kind = values.get("type")!;
      if (values.has("peer")) spec.peer = values.get("peer")!;
      if (values.has("master")) spec.master = values.get("master")!;
      if (values.has("link")) spec.link = values.get("link")!;
      if (values.has("address")) spec.address = values.get("address")!;
      const mtu = number(values.get("mtu"), "mtu");
      if (mtu !== undefined) spec.mtu = mtu;
      if (bare.includes("up")) spec.up = true;
      await route.links.add(spec);
      return "";
    }
    if (verb === "set" && name !== undefined) {
      const { values, bare } = words(rest, [
        "master",
        "mtu",
        "name",
        "address",
        "alias",
      ]);
      const changes: LinkChanges = {};
      if (bare.includes("up")) changes.up = true;
      if (bare.includes("down")) changes.up = false;
      if (bare.includes("nomaster")) changes.master = null;
      if (values.has("master")) changes.master = values.get("master")!;
      if (values.has("name")) changes.name = values.get("name")!;
      if (values.has("address")) changes.address = values.get("address")!;
      if (values.has("alias")) changes.alias = values.get("alias")!;
      const mtu = number(values.get("mtu"), "mtu");
      if (mtu !== undefined) changes.mtu = mtu;
      await route.links.set(name, changes);
      return "";
    }
    if ((verb === "del" || verb === "delete") && name !== undefined) {
      await route.links.delete(name);
      return "";
    }
    if (verb !== undefined && verb !== "show") {
      throw new UsageError(`link: unknown subcommand "${verb}"`);
    }
    const links = await route.links.list();
    const shown = name === undefined
      ? links
      : links.filter((l) => l.name === name);
    if (args.json) return routeJSON(shown);
    const byIndex = new Map(links.map((l) => [l.index, l.name]));
    return shown.map((l) => briefLink(l, byIndex) + "\n").join("");
  },
};

/** `nlkit addr`. */
export const addr: Command = {
  name: "addr",
  usage: "addr [add|del CIDR dev NAME]",
  summary: "addresses (like `ip -br addr`); add, del (label L)",
  async run({ args, backend }) {
    await using route = await openRoute(backend);
    const [verb, cidr, ...rest] = args.operands;
    if (
      (verb === "add" || verb === "del" || verb === "delete") &&
      cidr !== undefined
    ) {
      const { values } = words(rest, ["dev", "label"]);
      const dev = values.get("dev");
      if (dev === undefined) {
        throw new UsageError(`addr ${verb} needs dev NAME`);
      }
      if (verb === "add") {
        await route.addresses.add(
          dev,
          cidr,
          values.has("label") ? { label: values.get("label")! } : {},
        );
      } else await route.addresses.delete(dev, cidr);
      return "";
    }
    if (verb !== undefined && verb !== "show") {
      throw new UsageError(`addr: unknown subcommand "${verb}"`);
    }
    const [links, addresses] = [
      await route.links.list(),
      await route.addresses.list(),
    ];
    if (args.json) return routeJSON(addresses);
    const byIndex = new Map(links.map((l) => [l.index, l.name]));
    return links.map((l) => briefAddresses(l, addresses, byIndex) + "\n").join(
      "",
    );
  },
};

function routeSpec(words_: readonly string[]): RouteSpec {
  const types = ["blackhole", "unreachable", "prohibit", "local", "throw"];
  const rest = [...words_];
  const type = types.includes(rest[0] ?? "") ? rest.shift() : undefined;
  const dst = rest.shift();
  if (dst === undefined) throw new UsageError("route needs a destination");
  const { values } = words(rest, [
    "via",
    "dev",
    "table",
    "metric",
    "proto",
    "src",
  ]);
  const spec: RouteSpec = { dst };
  if (type !== undefined) spec.type = type as RouteSpec["type"] & string;
  if (values.has("via")) spec.gateway = values.get("via")!;
  if (values.has("dev")) spec.dev = values.get("dev")!;
  if (values.has("src")) spec.prefsrc = values.get("src")!;
  const table = values.get("table");
  if (table !== undefined) {
    spec.table = ["main", "local", "default"].includes(table)
      ? table as "main"
      : number(table, "table")!;
  }
  const metric = number(values.get("metric"), "metric");
  if (metric !== undefined) spec.metric = metric;
  return spec;
}

/** `nlkit route`. */
export const route: Command = {
  name: "route",
  usage:
    "route [add|del [TYPE] DST [via GW] [dev D] [table T] [metric M] | get ADDRESS]",
  summary:
    "routes of every table (like `ip route show table all`); add, delete, get",
  async run({ args, backend }) {
    await using r = await openRoute(backend);
    const [verb, ...rest] = args.operands;
    const links = await r.links.list();
    const byIndex = new Map(links.map((l) => [l.index, l.name]));
    if (verb === "add") {
      await r.routes.add(routeSpec(rest));
      return "";
    }
    if (verb === "del" || verb === "delete") {
      await r.routes.delete(routeSpec(rest));
      return "";
    }
    if (verb === "get") {
      if (rest[0] === undefined) {
        throw new UsageError("route get needs an address");
      }
      const hit = await r.routes.get(rest[0]);
      return args.json ? routeJSON([hit]) : formatRoute(hit, byIndex) + "\n";
    }
    if (verb !== undefined && verb !== "show") {
      throw new UsageError(`route: unknown subcommand "${verb}"`);
    }
    const routes = await r.routes.list();
    if (args.json) return routeJSON(routes);
    return routes.map((x) => formatRoute(x, byIndex) + "\n").join("");
  },
};

/** `nlkit neigh`. */
export const neigh: Command = {
  name: "neigh",
  usage: "neigh",
  summary: "neighbour (ARP, NDP) entries (like `ip neigh`)",
  async run({ args, backend }) {
    await using r = await openRoute(backend);
    const [links, entries] = [await r.links.list(), await r.neighbours.list()];
    if (args.json) return routeJSON(entries);
    const byIndex = new Map(links.map((l) => [l.index, l.name]));
    return entries.map((n) => formatNeighbour(n, byIndex) + "\n").join("");
  },
};

/** `nlkit rule`. */
export const rule: Command = {
  name: "rule",
  usage: "rule",
  summary: "routing policy rules (like `ip rule`)",
  async run({ args, backend }) {
    await using r = await openRoute(backend);
    const rules = await r.rules.list();
    if (args.json) return routeJSON(rules);
    return rules.map((x) => formatRule(x) + "\n").join("");
  },
};
