/**
 * What every `nlkit` command shares: the parsed command line, where
 * connections come from (the kernel or the simulated one), the command
 * interface, and turning expected failures into one line.
 *
 * @module
 */

import {
  Conn,
  type ConnOptions,
  Family,
  isNetlinkError,
} from "../../src/netlink/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import type { Client } from "../../src/wifi/mod.ts";
import {
  DEFAULT_LINK_KINDS,
  nl80211,
  SimKernel,
  wireguard,
} from "../../src/nltest/mod.ts";
import { DEMO_WORLD, openClient } from "../wifi_info.ts";

/** Where the commands get their connections: the kernel, or a simulated one. */
export interface Backend {
  /** Why the simulated kernel is used; undefined for the real kernel. */
  simulated?: string;
  /** A connection to any netlink protocol (`Family.*`). */
  conn(family: number, options?: ConnOptions): Promise<Conn>;
  /** A route (rtnetlink) connection; `groups` is the bind-time mask. */
  route(groups?: number): Promise<Conn>;
  /** A generic netlink connection. */
  genl(): Promise<GenlConn>;
  /** A wifi client and, when simulated, why. */
  wifi(): Promise<{ client: Client; simulated?: string }>;
  /** The simulated kernel, when simulated. */
  kernel?: SimKernel;
}

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
  /** The command name, such as `"links"`; empty when none was given. */
  command: string;
  /** Words after the command (`policy nlctrl` → `["nlctrl"]`). */
  operands: string[];
  /** Command-specific flags as given, short ones split (`-tl` → `-t`, `-l`). */
  flags: Set<string>;
  /** `--json`: print JSON. */
  json: boolean;
  /** `--sim`: use the simulated kernel. */
  sim: boolean;
  /** `--help`. */
  help: boolean;
  /** `--count N`: stop streaming commands after N items. */
  count?: number;
}

/** What a command gets when it runs. */
export interface CommandContext {
  /** The parsed command line. */
  args: Args;
  /** Where connections come from. */
  backend: Backend;
  /** Writes one line as it comes (streaming commands). */
  out: (line: string) => void;
  /** Stops a streaming command (Ctrl-C). */
  signal?: AbortSignal;
}

/** One `nlkit` command. */
export interface Command {
  /** The word that selects it, such as `"links"`. */
  name: string;
  /** How it is called, for `--help`, such as `"policy FAMILY"`. */
  usage: string;
  /** One line for `--help`. */
  summary: string;
  /** The command-specific flags it accepts, such as `["-t", "-u"]`. */
  flags?: readonly string[];
  /** Seeds the simulated kernel with what this command shows (`--sim`). */
  simulate?(kernel: SimKernel): void;
  /** Runs it; returns the text to print (empty when already streamed). */
  run(ctx: CommandContext): Promise<string>;
}

/**
 * Parses the command line. Options the command does not know are checked
 * by {@linkcode checkFlags} once the command is known.
 *
 * @param argv The arguments after the script name.
 * @returns The parsed arguments.
 * @throws {UsageError} On a bad value.
 */
export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    command: "",
    operands: [],
    flags: new Set(),
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
    } else if (/^-[a-zA-Z]{2,}$/.test(a)) {
      for (const c of a.slice(1)) args.flags.add(`-${c}`);
    } else if (a.startsWith("-") && a !== "-") args.flags.add(a);
    else if (args.command === "") args.command = a;
    else args.operands.push(a);
  }
  return args;
}

/**
 * Refuses flags the command does not take.
 *
 * @param args The parsed command line.
 * @param command The command it selects.
 * @throws {UsageError} Naming the first unknown flag.
 */
export function checkFlags(args: Args, command: Command): void {
  for (const f of args.flags) {
    if (!(command.flags ?? []).includes(f)) {
      throw new UsageError(`unknown option ${f} for ${command.name}`);
    }
  }
}

/**
 * A simulated machine: loopback, an ethernet link, the demo wifi device's
 * `wlan0`, nl80211 registered with the controller, and whatever each
 * command's `simulate` adds.
 *
 * @param why Why the simulator is used (shown to the user).
 * @param commands Commands whose simulated state to seed.
 * @returns The backend.
 */
export function simulatedBackend(
  why: string,
  commands: readonly Command[] = [],
): Backend {
  // The default link kinds, and WireGuard's for `nlkit wg --sim`.
  const kernel = new SimKernel({
    linkKinds: { ...DEFAULT_LINK_KINDS, wireguard: wireguard.LINK_KIND },
  });
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
  for (const c of commands) c.simulate?.(kernel);
  return {
    simulated: why,
    kernel,
    conn: (family, options) => Promise.resolve(kernel.dial(family, options)),
    route: (groups) =>
      Promise.resolve(kernel.dial(Family.Route, groups ? { groups } : {})),
    genl: () => Promise.resolve(GenlConn.from(kernel.dial(Family.Generic))),
    wifi: async () => {
      const { Client } = await import("../../src/wifi/mod.ts");
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
 * @param commands Commands whose simulated state to seed if simulated.
 * @returns The backend.
 */
export async function openBackend(
  sim = false,
  commands: readonly Command[] = [],
): Promise<Backend> {
  if (sim) return simulatedBackend("--sim was given", commands);
  try {
    const probe = await Conn.dial(Family.Route);
    await probe.close();
  } catch (e) {
    if (e instanceof Error && e.name === "UnsupportedPlatformError") {
      return simulatedBackend(e.message, commands);
    }
    throw e;
  }
  return {
    conn: (family, options) => Conn.dial(family, options),
    route: (groups) => Conn.dial(Family.Route, groups ? { groups } : {}),
    genl: () => GenlConn.dial(),
    wifi: () => openClient(false),
  };
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
  if (e.name === "TypeError" && e.message.startsWith("Cannot ")) {
    return e.message;
  }
  if (isNetlinkError(e)) {
    // Add the usual hint unless the error already says what it needs.
    if (
      (e.code === "EPERM" || e.code === "EACCES") &&
      !/CAP_[A-Z_]+|namespace/.test(e.message)
    ) {
      return `${e.message}: this needs root or CAP_NET_ADMIN`;
    }
    return e.message;
  }
  return undefined;
}

/**
 * JSON text for any decoded value: bigints as decimal text, byte arrays as
 * number arrays, maps and sets as objects and arrays.
 *
 * @param value What to print.
 * @param indent Indentation, as for `JSON.stringify`.
 * @returns The JSON text and a newline.
 */
export function toJSON(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return [...v];
    if (v instanceof Map) return Object.fromEntries(v);
    if (v instanceof Set) return [...v];
    return v;
  }, indent) + "\n";
}
