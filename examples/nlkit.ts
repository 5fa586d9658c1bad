/**
 * `nlkit`: a small command-line tool over the library.
 *
 *   deno run --allow-ffi examples/nlkit.ts <command> [options]
 *   bun examples/nlkit.ts <command> [options]
 *
 * Commands: `families`, `links`, `monitor`, `wifi`, `policy FAMILY`. Each
 * takes `--json` (machine-readable output), `--sim` (use the simulated
 * kernel from `@nlkit/netlink/nltest` instead of this machine's) and
 * `--help`. Where real netlink sockets cannot be opened (not Linux, no FFI
 * permission) it says so in one line and shows the simulated kernel.
 *
 * @module
 */

import process from "node:process";
import {
  Conn,
  Family,
  isNetlinkError,
  isNotExist,
  type Message,
} from "../src/netlink/mod.ts";
import {
  type Family as GenlFamily,
  GenlConn,
  type Policy,
} from "../src/genetlink/mod.ts";
import type { Client } from "../src/wifi/mod.ts";
import { nl80211, SimKernel } from "../src/nltest/mod.ts";
import {
  decodeLink,
  type Link,
  LINK_TYPES,
  linkDumpRequest,
  linkFlagNames,
  OPERSTATE,
  Rtm,
  RtnlGroup,
} from "./_rtnl.ts";
import { formatCtrlList, formatCtrlPolicy } from "./genl_families.ts";
import { DEMO_WORLD, openClient, wifiInfo } from "./wifi_info.ts";

/** Where the commands get their connections: the kernel, or a simulated one. */
export interface Backend {
  /** Why the simulated kernel is used; undefined for the real kernel. */
  simulated?: string;
  /** A route (rtnetlink) connection; `groups` is the bind-time mask. */
  route(groups?: number): Promise<Conn>;
  /** A generic netlink connection. */
  genl(): Promise<GenlConn>;
  /** A wifi client and, when simulated, why. */
  wifi(): Promise<{ client: Client; simulated?: string }>;
  /** The simulated kernel, when simulated. */
  kernel?: SimKernel;
}

/**
 * A simulated machine: loopback, an ethernet link, the demo wifi device's
 * `wlan0`, and nl80211 registered with the controller.
 *
 * @param why Why the simulator is used (shown to the user).
 * @returns The backend.
 */
export function simulatedBackend(why: string): Backend {
  const kernel = new SimKernel();
  kernel.rtnetlink.addLink({
    name: "eth0",
    kind: "dummy",
    up: true,
    address: "02:00:00:00:00:10",
  });
  const wlan = kernel.rtnetlink.addLink({
    name: "wlan0",
    kind: "dummy",
    up: true,
    address: "02:00:00:00:00:01",
  });
  // The wifi device's interface is the same link as rtnetlink's wlan0.
  const world: nl80211.World = {
    ...DEMO_WORLD,
    interfaces: (DEMO_WORLD.interfaces ?? []).map((i) =>
      i.name === "wlan0" ? { ...i, index: wlan.index } : i
    ),
  };
  new nl80211.Simulator(world).register(kernel);
  return {
    simulated: why,
    kernel,
    route: (groups) =>
      Promise.resolve(kernel.dial(Family.Route, groups ? { groups } : {})),
    genl: () => Promise.resolve(GenlConn.from(kernel.dial(Family.Generic))),
    wifi: async () => {
      const { Client } = await import("../src/wifi/mod.ts");
      return {
        client: await Client.open({
          conn: GenlConn.from(kernel.dial(Family.Generic)),
        }),
        simulated: why,
      };
    },
  };
}

/**
 * The real kernel when a netlink socket can be opened here, otherwise the
 * simulated machine with the reason.
 *
 * @param sim Use the simulator anyway.
 * @returns The backend.
 */
export async function openBackend(sim = false): Promise<Backend> {
  if (sim) return simulatedBackend("--sim was given");
  try {
    const probe = await Conn.dial(Family.Route);
    await probe.close();
  } catch (e) {
    if (e instanceof Error && e.name === "UnsupportedPlatformError") {
      return simulatedBackend(e.message);
    }
    throw e;
  }
  return {
    route: (groups) => Conn.dial(Family.Route, groups ? { groups } : {}),
    genl: () => GenlConn.dial(),
    wifi: () => openClient(false),
  };
}

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

function familyJSON(f: GenlFamily): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    version: f.version,
    headerSize: f.headerSize,
    maxAttribute: f.maxAttribute,
    operations: f.operations,
    groups: f.groups,
  };
}

/** A policy as plain JSON (maps become objects keyed by number). */
export function policyJSON(p: Policy): unknown {
  return JSON.parse(JSON.stringify(p, (_k, v: unknown) => {
    if (v instanceof Map) return Object.fromEntries(v);
    if (typeof v === "bigint") return v.toString();
    return v;
  }));
}

/** A compact table of families, one line each. */
export function formatFamilies(families: readonly GenlFamily[]): string {
  const rows = families.map((f) =>
    `${String(f.id).padStart(4)}  ${f.name.padEnd(18)} v${f.version}  ${
      String(f.operations.length).padStart(3)
    } ops  ${f.groups.map((g) => g.name).join(",") || "-"}`
  );
  return `  id  name               ver  operations  multicast groups\n${
    rows.join("\n")
  }\n`;
}

const HELP = `nlkit: netlink from TypeScript (Deno and Bun, no native build)

Usage: nlkit <command> [options]

Commands:
  families        generic netlink families (like \`genl ctrl list\`)
  links           network links (like \`ip link\`)
  monitor         link changes as they happen (like \`ip monitor link\`); Ctrl-C stops
  wifi            wifi interfaces, link and stations (like \`iw dev\`)
  policy FAMILY   the attribute policy of a generic netlink family (like \`genl ctrl policy\`)

Options:
  --json          print JSON
  --sim           use the simulated kernel from @nlkit/netlink/nltest
  --count N       monitor: stop after N messages
  --help          this text

Run with: deno run --allow-ffi examples/nlkit.ts ...   or   bun examples/nlkit.ts ...
`;

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parsed command line. */
export interface Args {
  command: string;
  operands: string[];
  json: boolean;
  sim: boolean;
  help: boolean;
  count?: number;
}

/**
 * Parses the command line.
 *
 * @param argv The arguments after the script name.
 * @returns The parsed arguments.
 * @throws {UsageError} On an unknown option or a bad value.
 */
export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    command: "",
    operands: [],
    json: false,
    sim: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json") args.json = true;
    else if (a === "--sim") args.sim = true;
    else if (a === "--help" || a === "-h") args.help = true;
    else if (a === "--count") {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) {
        throw new UsageError("--count takes a positive whole number");
      }
      args.count = v;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (args.command === "") args.command = a;
    else args.operands.push(a);
  }
  return args;
}

const COMMANDS = ["families", "links", "monitor", "wifi", "policy"];

/**
 * Runs one command and returns its output.
 *
 * @param args The parsed command line.
 * @param backend Where connections come from.
 * @param out Where to write lines as they come (monitor streams).
 * @param signal Stops `monitor`.
 * @returns The text to print (empty when already streamed).
 */
export async function run(
  args: Args,
  backend: Backend,
  out: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  switch (args.command) {
    case "families": {
      await using genl = await backend.genl();
      const families = await genl.listFamilies();
      return args.json
        ? JSON.stringify(families.map(familyJSON), null, 2) + "\n"
        : formatCtrlList(families);
    }
    case "links": {
      await using conn = await backend.route();
      const links = await dumpLinks(conn);
      return args.json
        ? JSON.stringify(links.map(linkJSON)) + "\n"
        : links.map(formatLink).join("");
    }
    case "policy": {
      const name = args.operands[0];
      if (name === undefined) {
        throw new UsageError(
          "policy needs a family name, e.g. `policy nlctrl`",
        );
      }
      await using genl = await backend.genl();
      let family: GenlFamily;
      try {
        family = await genl.getFamily(name);
      } catch (e) {
        if (isNotExist(e)) {
          throw new UsageError(
            `no generic netlink family named "${name}" here`,
          );
        }
        throw e;
      }
      const policy = await genl.getPolicy(family);
      return args.json
        ? JSON.stringify(policyJSON(policy), null, 2) + "\n"
        : formatCtrlPolicy(family.id, policy);
    }
    case "wifi": {
      const { client, simulated } = await backend.wifi();
      await using _client = client;
      if (args.json) {
        const interfaces = await client.interfaces();
        const stations = [];
        for (const ifi of interfaces) {
          if (ifi.index !== 0) stations.push(...await client.stationInfo(ifi));
        }
        return JSON.stringify(
          { simulated: simulated ?? null, interfaces, stations },
          (_k, v: unknown) =>
            typeof v === "bigint"
              ? v.toString()
              : v instanceof Uint8Array
              ? [...v]
              : v,
          2,
        ) + "\n";
      }
      const note = simulated
        ? `# Simulated nl80211 device: ${simulated}.\n`
        : "";
      return `${note}$ iw dev\n${await wifiInfo(client)}`;
    }
    case "monitor": {
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
    }
    default:
      throw new UsageError(
        args.command === ""
          ? "no command given"
          : `unknown command "${args.command}"; commands: ${
            COMMANDS.join(", ")
          }`,
      );
  }
}

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

/**
 * Turns an expected failure into one line for the user; undefined for a bug.
 *
 * @param e The error.
 * @returns The line, or undefined.
 */
export function explain(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  if (e.name === "UsageError") return `${e.message} (see --help)`;
  if (e.name === "UnsupportedPlatformError") return e.message;
  if (isNetlinkError(e)) {
    if (e.code === "EPERM" || e.code === "EACCES") {
      return `${e.message}: this needs root or CAP_NET_ADMIN`;
    }
    return e.message;
  }
  return undefined;
}

if (import.meta.main) {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`nlkit: ${explain(e) ?? String(e)}`);
    process.exit(2);
  }
  if (args.help || args.command === "") {
    process.stdout.write(HELP);
    process.exit(args.help ? 0 : 2);
  }
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  try {
    const backend = await openBackend(args.sim);
    if (backend.simulated && !args.json && args.command !== "wifi") {
      console.log(`# Simulated kernel: ${backend.simulated}.`);
    }
    process.stdout.write(
      await run(args, backend, (l) => console.log(l), stop.signal),
    );
    process.exit(0);
  } catch (e) {
    const line = explain(e);
    if (line === undefined) throw e;
    console.error(`nlkit: ${line}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}
