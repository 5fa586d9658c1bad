/**
 * The simulated ethtool family's bitsets: written into replies as
 * `ethnl_put_bitset` writes them (compact or verbose), read from requests
 * as `ethnl_update_bitset` reads them (internal to `nltest/ethtool.ts`).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { get32, HOST_LITTLE_ENDIAN, put32 } from "../netlink/_endian.ts";
import type { Bitset } from "../families/ethtool.ts";
import { KernelError } from "./kernel_handler.ts";
import type { YnlRequestContext } from "./ynl_family.ts";
import { ackAt } from "./_ethtool_devices.ts";

/**
 * Writes a bitset the way `ethnl_put_bitset` does, compact or verbose.
 *
 * @param value The bits set.
 * @param mask The bits listed (verbose) or the mask (compact); `null` for
 * a bitset without a mask (`nomask`).
 * @param size The bit count.
 * @param names The bit names (a string set).
 * @param compact Whether the request asked for compact bitsets.
 */
export function putBitset(
  value: Set<number>,
  mask: Set<number> | null,
  size: number,
  names: readonly string[],
  compact: boolean,
): Bitset {
  if (compact) {
    const words = Math.ceil(size / 32);
    const v = new Uint8Array(words * 4);
    const m = new Uint8Array(words * 4);
    const set = (b: Uint8Array, i: number) =>
      put32(
        b,
        (i >> 5) * 4,
        get32(b, (i >> 5) * 4, HOST_LITTLE_ENDIAN) | (1 << (i & 31)),
        HOST_LITTLE_ENDIAN,
      );
    for (const i of value) if (i < size) set(v, i);
    if (mask !== null) { for (const i of mask) if (i < size) set(m, i); }
    return mask === null
      ? { nomask: true, size, value: v }
      : { size, value: v, mask: m };
  }
  const listed = [...(mask ?? value)].filter((i) => i < size).sort((a, b) =>
    a - b
  );
  const bits = {
    bit: listed.map((i) =>
      mask !== null && value.has(i)
        ? { index: i, name: names[i] ?? "", value: true as const }
        : { index: i, name: names[i] ?? "" }
    ),
  };
  return mask === null ? { nomask: true, size, bits } : { size, bits };
}

/** The bits of a compact bitset's words. */
function readWords(bytes: Uint8Array | undefined): Set<number> {
  const out = new Set<number>();
  if (bytes === undefined) return out;
  for (let w = 0; w * 4 + 4 <= bytes.length; w++) {
    const v = get32(bytes, w * 4, HOST_LITTLE_ENDIAN);
    for (let i = 0; i < 32; i++) if ((v >>> i) & 1) out.add(w * 32 + i);
  }
  return out;
}

/**
 * Reads a request bitset as `ethnl_update_bitset` does; bit names and
 * indexes the kernel does not know are EOPNOTSUPP with the attribute.
 *
 * @param b The bitset as decoded, or `undefined` when the request lacks it.
 * @param names The bit names (a string set).
 * @param path The bitset attribute's spec path in the request.
 * @returns The bits set and the mask (`null` without one), or `undefined`.
 * @throws {KernelError} EOPNOTSUPP or EINVAL for a bad bit.
 */
export function readBitset(
  b: Bitset | undefined,
  names: readonly string[],
  path: (string | number)[],
  context: YnlRequestContext,
): { value: Set<number>; mask: Set<number> | null } | undefined {
  if (b === undefined) return undefined;
  const size = names.length;
  const nomask = b.nomask === true;
  if (b.bits === undefined) {
    return {
      value: readWords(b.value),
      mask: nomask ? null : readWords(b.mask),
    };
  }
  const value = new Set<number>();
  const mask = new Set<number>();
  const list = b.bits.bit ?? [];
  for (let i = 0; i < list.length; i++) {
    const bit = list[i]!;
    let index: number;
    if (bit.index !== undefined) {
      if (bit.index >= size) {
        throw new KernelError(Errno.EOPNOTSUPP, {
          message: "bit index too high",
          ...ackAt(context, [...path, "bits", "bit", i, "index"]),
        });
      }
      index = bit.index;
    } else if (bit.name !== undefined) {
      index = names.indexOf(bit.name);
      if (bit.name === "" || index < 0) {
        throw new KernelError(Errno.EOPNOTSUPP, {
          message: "bit name not found",
          ...ackAt(context, [...path, "bits", "bit", i, "name"]),
        });
      }
    } else {
      throw new KernelError(Errno.EINVAL, {
        message: "neither bit index nor name specified",
      });
    }
    mask.add(index);
    if (nomask || bit.value === true) value.add(index);
  }
  return { value, mask: nomask ? null : mask };
}
