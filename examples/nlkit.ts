/**
 * `nlkit`: a small command-line tool over the library.
 *
 *   deno run --allow-ffi examples/nlkit.ts <command> [options]
 *   bun examples/nlkit.ts <command> [options]
 *
 * The commands live in `examples/cli/` (one file each, listed in
 * `examples/cli/commands.ts`). Each takes `--json` (machine-readable
 * output), `--sim` (use the simulated kernel from `@nlkit/netlink/nltest`
 * instead of this machine's) and `--help`. Where real netlink sockets cannot
 * be opened (not Linux, no FFI permission) it says so in one line and shows
 * the simulated kernel.
 *
 * @module
 */

import process from "node:process";
import {
  type Args,
  type Backend,
  checkFlags,
  explain,
  openBackend,
  parseArgs,
  UsageError,
} from "./cli/_common.ts";
import { COMMANDS } from "./cli/commands.ts";

export {
  type Args,
  type Backend,
  explain,
  parseArgs,
  simulatedBackend,
  UsageError,
} from "./cli/_common.ts";
export { dumpLinks, formatLink, linkJSON } from "./cli/links.ts";
export { formatFamilies, policyJSON } from "./cli/families.ts";
export { COMMANDS };

/**
 * The real kernel or the simulated one, seeded for every command.
 *
 * @param sim Use the simulator anyway.
 * @returns The backend.
 */
export function openCliBackend(sim = false): Promise<Backend> {
  return openBackend(sim, COMMANDS);
}

/** The `--help` text, built from the command list. */
export function helpText(): string {
  // Short usages share the line with the summary; long ones get their own.
  const width = 24;
  const lines = COMMANDS.map((c) =>
    c.usage.length < width - 2
      ? `  ${c.usage.padEnd(width - 2)}${c.summary}`
      : `  ${c.usage}\n  ${" ".repeat(width - 2)}${c.summary}`
  );
  return `nlkit: netlink from TypeScript (Deno and Bun, no native build)

Usage: nlkit <command> [options]

Commands:
${lines.join("\n")}

Options:
  --json          print JSON
  --sim           use the simulated kernel from @nlkit/netlink/nltest
  --count N       streaming commands: stop after N items
  --help          this text

Run with: deno run --allow-ffi examples/nlkit.ts ...   or   bun examples/nlkit.ts ...
`;
}

/**
 * Runs one command and returns its output.
 *
 * @param args The parsed command line.
 * @param backend Where connections come from.
 * @param out Where to write lines as they come (streaming commands).
 * @param signal Stops streaming commands.
 * @returns The text to print (empty when already streamed).
 * @throws {UsageError} For an unknown command or flag.
 */
export function run(
  args: Args,
  backend: Backend,
  out: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const command = COMMANDS.find((c) => c.name === args.command);
  if (command === undefined) {
    throw new UsageError(
      args.command === ""
        ? "no command given"
        : `unknown command "${args.command}"; commands: ${
          COMMANDS.map((c) => c.name).join(", ")
        }`,
    );
  }
  checkFlags(args, command);
  return command.run({ args, backend, out, ...(signal ? { signal } : {}) });
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
    process.stdout.write(helpText());
    process.exit(args.help ? 0 : 2);
  }
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  try {
    const backend = await openCliBackend(args.sim);
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
