/**
 * Attribute helpers shared by the nl80211 decoders (internal).
 *
 * @module
 */

import type { AttributeDecoder } from "../netlink/attribute.ts";

/**
 * Reads an unsigned integer attribute of 1, 2, 4 or 8 bytes (drivers and
 * kernel versions differ in the width of a few nl80211 attributes, such as
 * `NL80211_BSS_SIGNAL_UNSPEC`).
 */
export function readUint(d: AttributeDecoder): number {
  switch (d.length) {
    case 1:
      return d.uint8();
    case 2:
      return d.uint16();
    case 8:
      return Number(d.uint64());
    default:
      return d.uint32();
  }
}

/** Reads a u32 or u64 counter as a number (exact below 2^53). */
export function readCounter(d: AttributeDecoder): number {
  return d.length === 8 ? Number(d.uint64()) : d.uint32();
}

/** The attribute types of a nested list whose entries are flags (`NL80211_ATTR_SUPPORTED_IFTYPES`). */
export function nestedTypes(d: AttributeDecoder): number[] {
  const out: number[] = [];
  const c = d.decoder();
  while (c.next()) out.push(c.type);
  return out;
}
