// The gate every real-kernel test file passes first (not a test file): the
// file runs only on Linux, as root, with NLKIT_INTEGRATION=1 (CI runs this
// folder inside a fresh `unshare -n` namespace, under Deno then Bun), and
// when the tools and kernel features it compares with are there. A skipped
// file prints one line, `skipping tests/integration/<file>: <reason>`.
// Also the helpers that give each file's links unique names.
import { execFileSync, spawnSync } from "node:child_process";
import process from "node:process";

/** A further requirement: the reason to skip, or false when it is met. */
export type Requirement = () =>
  | string
  | false
  | Promise<string | false>;

/** Reports whether this process runs as root (false when it cannot tell). */
export function isRoot(): boolean {
  try {
    const uid = process.getuid?.();
    if (uid !== undefined) return uid === 0;
  } catch {
    // Deno without --allow-sys: ask id(1).
  }
  try {
    const r = spawnSync("id", ["-u"], { encoding: "utf8" });
    return r.status === 0 && r.stdout.trim() === "0";
  } catch {
    return false;
  }
}

/** Reports whether `cmd args` runs and exits with status 0. */
export function runs(cmd: string, args: string[]): boolean {
  try {
    return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

/** The first of `candidates` for which `candidate args` runs, or undefined. */
export function findTool(
  candidates: readonly string[],
  args: string[],
): string | undefined {
  return candidates.find((c) => runs(c, args));
}

/**
 * A requirement that `cmd args` runs (as `ss -V`, `python3 --version`).
 *
 * @param reason The skip reason when it does not.
 */
export function needs(
  cmd: string | undefined,
  args: string[],
  reason: string,
): Requirement {
  return () => cmd !== undefined && runs(cmd, args) ? false : reason;
}

/**
 * Why the test file at `url` cannot run here, or false. The common
 * conditions come first (Linux, NLKIT_INTEGRATION=1, root), then each of
 * `more` in order, each only when all before it are met (one may dial a
 * socket). Prints the reason when the file is skipped.
 *
 * @param url The file's `import.meta.url`.
 * @param more Its own requirements (tools, kernel features).
 */
export async function gate(
  url: string,
  ...more: Requirement[]
): Promise<string | false> {
  let skip: string | false = process.platform !== "linux"
    ? "integration: needs Linux"
    : process.env.NLKIT_INTEGRATION !== "1"
    ? "integration: set NLKIT_INTEGRATION=1 (root, in a throwaway network namespace)"
    : !isRoot()
    ? "integration: needs root"
    : false;
  for (const r of more) {
    if (skip) break;
    skip = await r();
  }
  if (skip) {
    const file = url.slice(url.lastIndexOf("/") + 1);
    console.log(`skipping tests/integration/${file}: ${skip}`);
  }
  return skip;
}

/**
 * A short tag for this file's names (at most 4 characters: the process id
 * and a random part), so that runs side by side do not collide.
 */
export function newTag(): string {
  return `${(process.pid % 1296).toString(36)}${
    Math.floor(Math.random() * 1296).toString(36)
  }`;
}

/**
 * Makes unique interface names: `prefix`, a tag of its own, a counter;
 * at most 15 bytes (`IFNAMSIZ - 1`).
 */
export function nameMaker(): (prefix: string) => string {
  const tag = newTag();
  let counter = 0;
  return (prefix) => `${prefix}${tag}${(counter++).toString(36)}`.slice(0, 15);
}

/** Runs ip(8) (iproute2); its output. Throws when it fails (its stderr in the error). */
export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8" });
}

/** Runs ip(8) for cleanup: a failure (the thing already gone) is ignored. */
export function ipQuiet(...args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: "ignore" });
  } catch {
    // Already gone.
  }
}
