/**
 * The runtime seam: libc socket calls through the current runtime's FFI
 * (`Deno.dlopen` or `bun:ffi`). Internal to this package; the netlink layer's
 * `Conn` is the public surface. Importing works on every platform; only
 * {@linkcode openLibc} throws where netlink sockets cannot work.
 *
 * @module
 */

import { type Libc, UnsupportedPlatformError } from "./types.ts";

export * from "./types.ts";

/** What this file reads from `globalThis`, all optional. */
interface RuntimeGlobals {
  Bun?: unknown;
  Deno?: { dlopen?: unknown; build?: { os?: string } };
  process?: { platform?: string };
  navigator?: { userAgent?: string };
}

/** Reports whether this is Bun (positively, not as "not Deno"). */
function isBun(g: RuntimeGlobals): boolean {
  return typeof g.Bun === "object" && g.Bun !== null ||
    (typeof g.navigator?.userAgent === "string" &&
      g.navigator.userAgent.startsWith("Bun/"));
}

/** The operating system name, from whichever runtime global is there. */
function platform(g: RuntimeGlobals): string | undefined {
  return g.Deno?.build?.os ?? g.process?.platform;
}

/**
 * The bindings, opened once per process: `dlopen` of libc and the errno view
 * are immutable after creation, so every socket shares them (a failed attempt
 * is not kept, so a retry after fixing permissions works).
 */
let opened: Promise<Libc> | undefined;

/**
 * Opens libc with the current runtime's FFI (once; later calls return the
 * same bindings).
 *
 * @returns Bindings for the calls in {@linkcode Libc}.
 * @throws {UnsupportedPlatformError} Off Linux, on a runtime without FFI, or
 * on Deno without `--allow-ffi`; the message says what to do.
 *
 * @example Using openLibc
 * ```ts ignore
 * import { openLibc } from "./mod.ts";
 *
 * const libc = await openLibc();
 * console.log(libc.getpid());
 * ```
 */
export function openLibc(): Promise<Libc> {
  opened ??= load().catch((e: unknown) => {
    opened = undefined;
    throw e;
  });
  return opened;
}

async function load(): Promise<Libc> {
  const g = globalThis as RuntimeGlobals;
  const os = platform(g);
  if (os !== undefined && os !== "linux") {
    throw new UnsupportedPlatformError(
      `Cannot open libc: netlink needs Linux, this is ${os}`,
    );
  }
  if (isBun(g)) return (await import("./_bun.ts")).openLibc();
  if (typeof g.Deno?.dlopen === "function") {
    return (await import("./_deno.ts")).openLibc();
  }
  if (typeof g.Deno === "object") {
    throw new UnsupportedPlatformError(
      "Cannot open libc: Deno.dlopen is not available; use Deno 2 or later",
    );
  }
  throw new UnsupportedPlatformError(
    "Cannot open libc: this runtime has no FFI; run on Deno (with --allow-ffi) or Bun",
  );
}
