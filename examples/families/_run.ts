/**
 * What the examples of `examples/families/` share: each reads a generic
 * netlink family with its generated operations, on the real kernel (where
 * it has the family) or, with `--sim`, on the simulated kernel serving the
 * family from its spec (`serveYnlFamily`: the spec's checks, flags and
 * errors apply).
 *
 *     deno run --allow-ffi examples/families/<name>.ts [--sim]
 *     bun examples/families/<name>.ts [--sim]
 *
 * @module
 */

import process from "node:process";
import { GenlConn } from "../../src/genetlink/mod.ts";
import { Family, isNotExist } from "../../src/netlink/mod.ts";
import {
  serveYnlFamily,
  type ServeYnlOptions,
  SimKernel,
  type YnlHandlers,
} from "../../src/nltest/mod.ts";
import type { YnlFamily } from "../../src/families/mod.ts";

/** One example: a family, its simulated twin's handlers, and what to show. */
export interface FamilyExample {
  /** The generated family (`family` of `src/families/<name>.ts`). */
  family: YnlFamily;
  /** How the simulated kernel answers (`--sim`). */
  handlers: YnlHandlers;
  /** Options of the simulated family. */
  serve?: ServeYnlOptions;
  /** Reads the family and writes what it found, one line at a time. */
  main(conn: GenlConn, out: (line: string) => void): Promise<void>;
}

/**
 * JSON text of a decoded value (bigints as numbers' text, bytes as hex).
 *
 * @param v The value.
 * @returns One line of JSON.
 */
export function show(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x: unknown) =>
      typeof x === "bigint"
        ? x.toString()
        : x instanceof Uint8Array
        ? Array.from(x, (b) => b.toString(16).padStart(2, "0")).join("")
        : x,
  );
}

/**
 * Runs an example: `--sim` serves the family on a simulated kernel; else
 * the real kernel, saying so when it lacks the family.
 *
 * @param example The example.
 * @param argv The command line (`--sim`).
 * @param out Where lines go.
 * @returns The exit code.
 */
export async function runExample(
  example: FamilyExample,
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const name = example.family.name;
  let conn: GenlConn;
  if (argv.includes("--sim")) {
    const kernel = new SimKernel();
    serveYnlFamily(kernel, example.family, example.handlers, example.serve);
    conn = GenlConn.from(kernel.dial(Family.Generic));
    out(`# ${name}: the simulated family (--sim)`);
  } else {
    conn = await GenlConn.dial();
    try {
      await example.family.resolve(conn);
    } catch (e) {
      await conn.close();
      if (!isNotExist(e)) throw e;
      out(
        `# this kernel has no "${name}" family; --sim shows the simulated one`,
      );
      return 0;
    }
  }
  try {
    await example.main(conn, out);
    return 0;
  } finally {
    await conn.close();
  }
}

/**
 * Runs the example when its file is the main module.
 *
 * @param example The example.
 * @param meta The file's `import.meta`.
 */
export async function main(
  example: FamilyExample,
  meta: ImportMeta,
): Promise<void> {
  if (!meta.main) return;
  try {
    process.exitCode = await runExample(example, process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
