/**
 * The delay kinds of `struct taskstats` that have `*Count`, `*DelayTotal`
 * and (since version 15) `*DelayMax`/`*DelayMin` fields. Shared by the
 * codec and nltest's simulated family.
 *
 * @module
 */

/** Every delay kind with a `*DelayMax`/`*DelayMin` pair, in struct order. */
export const DELAYS = [
  "cpu",
  "blkio",
  "swapin",
  "freepages",
  "thrashing",
  "compact",
  "wpcopy",
  "irq",
] as const;
