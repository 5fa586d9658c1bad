/**
 * nlkit: Linux netlink for TypeScript on Deno and Bun, with no native build.
 *
 * @module
 */

export * from "./src/netlink/mod.ts";
