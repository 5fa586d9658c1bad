/**
 * ethtool bitsets (`ETHTOOL_A_BITSET_*`, kernel `net/ethtool/bitset.c`):
 * compact (value and mask as arrays of 32-bit words in host order, bit `n`
 * in word `n / 32`) or verbose (a list of bits with index, name and value
 * flag). Both decode to names here; requests are written verbose, by name,
 * so the kernel resolves them.
 *
 * @module
 */

import type { Bitset } from "../families/ethtool.ts";
import { get32, HOST_LITTLE_ENDIAN } from "../netlink/_endian.ts";

/** A decoded bitset: the bits set, and the mask (absent for a "no mask" bitset). */
export interface BitsetBits {
  /** The indexes of the bits set. */
  value: number[];
  /** The indexes in the mask; `undefined` when the bitset has no mask. */
  mask: number[] | undefined;
}

function wordBits(b: Uint8Array | undefined, size: number): number[] {
  const out: number[] = [];
  if (b === undefined) return out;
  for (let w = 0; w * 4 + 4 <= b.length; w++) {
    const v = get32(b, w * 4, HOST_LITTLE_ENDIAN);
    if (v === 0) continue;
    for (let i = 0; i < 32; i++) {
      const n = w * 32 + i;
      if (n < size && (v >>> i) & 1) out.push(n);
    }
  }
  return out;
}

/**
 * Reads a bitset in either form.
 *
 * @param b The bitset, as the generated codec decodes it.
 * @param names Names by index, to resolve a verbose bit given by name only.
 * @returns The bits set and the mask, as indexes.
 *
 * @internal
 */
export function readBitset(
  b: Bitset | undefined,
  names: readonly string[] = [],
): BitsetBits {
  if (b === undefined) return { value: [], mask: undefined };
  const nomask = b.nomask === true;
  if (b.bits === undefined && (b.value !== undefined || b.mask !== undefined)) {
    const size = b.size ?? 0;
    return {
      value: wordBits(b.value, size),
      mask: nomask ? undefined : wordBits(b.mask, size),
    };
  }
  const value: number[] = [];
  const mask: number[] = [];
  for (const bit of b.bits?.bit ?? []) {
    const i = bit.index ??
      (bit.name === undefined ? -1 : names.indexOf(bit.name));
    if (i < 0) continue;
    mask.push(i);
    if (nomask || bit.value === true) value.push(i);
  }
  return { value, mask: nomask ? undefined : mask };
}

/**
 * The names of bit indexes (`#n` for a bit the names do not cover, or an
 * unnamed one).
 *
 * @internal
 */
export function bitNames(
  bits: readonly number[],
  names: readonly string[],
): string[] {
  return bits.map((i) => names[i] || `#${i}`);
}

/**
 * A verbose bitset request by name: with a mask, the listed bits change to
 * the values given (the others stay); with `exact`, the listed bits are
 * set and every other bit is cleared (`ETHTOOL_A_BITSET_NOMASK`).
 *
 * @internal
 */
export function namedBitset(
  changes: ReadonlyMap<string, boolean>,
  exact = false,
): Bitset {
  const bit = [...changes].map(([name, on]) =>
    on && !exact ? { name, value: true } : { name }
  );
  return exact ? { nomask: true, bits: { bit } } : { bits: { bit } };
}
