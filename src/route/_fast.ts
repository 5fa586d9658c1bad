/**
 * The list hot paths: a `Link` or `RouteEntry` read straight from a dump
 * message (the few attributes it shows, found by the generated tables'
 * attribute numbers and struct offsets), with `attrs`, the full generated
 * decode, done on first access from a copy of the message. A message the
 * fast reader does not take as it is (a length a type cannot have, a flag
 * bit, a repeated attribute, broken framing) goes through the generated
 * decoder instead, so the result (or the `RangeError`) is the same either
 * way; the tests compare both on the kernel's messages and on random ones.
 *
 * @module
 */

import { formatIP, formatMAC } from "../families/_text.ts";
import { compiled, type YnlFamily } from "../families/family.ts";
import {
  family as linkFamily,
  getlink,
  IfinfoFlags,
} from "../families/rt_link.ts";
import {
  family as routeFamily,
  getroute,
  RtmType,
} from "../families/rt_route.ts";
import {
  get16,
  get32,
  getString,
  HOST_LITTLE_ENDIAN as LE,
} from "../netlink/_endian.ts";
import type { MessageView } from "../netlink/message.ts";
import { type Link, LinkEntry, toLink } from "./link.ts";
import {
  flagNames,
  LINK_TYPES,
  nameOf,
  OPER_STATES,
  PROTOCOLS,
  SCOPES,
} from "./names.ts";
import { decodeMultipath } from "./nexthop.ts";
import {
  type RouteEntry,
  RouteEntryImpl,
  routeFlags,
  toRouteEntry,
} from "./route_entry.ts";
import { familyName } from "./text.ts";

function ids<K extends string>(
  family: YnlFamily,
  set: string,
  keys: readonly K[],
): Record<K, number> {
  const s = compiled(family).sets.get(set)!;
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = s.byKey.get(k)!.id;
  return out;
}

function offsets<K extends string>(
  family: YnlFamily,
  struct: string,
  keys: readonly K[],
): Record<K, number> & { size: number } {
  const s = compiled(family).structs.get(struct)!;
  const out: Record<string, number> = { size: s.size };
  for (const k of keys) out[k] = s.members.find((m) => m.key === k)!.offset;
  return out as Record<K, number> & { size: number };
}

const IFLA = ids(
  linkFamily,
  "link-attrs",
  [
    "ifname",
    "mtu",
    "operstate",
    "address",
    "broadcast",
    "master",
    "link",
    "carrier",
    "txqlen",
    "ifalias",
    "linkinfo",
  ] as const,
);
const INFO = ids(linkFamily, "linkinfo-attrs", ["kind", "slaveKind"] as const);
const IFI = offsets(
  linkFamily,
  "ifinfomsg",
  [
    "ifiType",
    "ifiIndex",
    "ifiFlags",
  ] as const,
);
const RTA = ids(
  routeFamily,
  "route-attrs",
  [
    "dst",
    "src",
    "iif",
    "oif",
    "gateway",
    "priority",
    "prefsrc",
    "multipath",
    "table",
  ] as const,
);
const RTM = offsets(
  routeFamily,
  "rtmsg",
  [
    "rtmFamily",
    "rtmDstLen",
    "rtmSrcLen",
    "rtmTable",
    "rtmProtocol",
    "rtmScope",
    "rtmType",
    "rtmFlags",
  ] as const,
);
const TYPE_NAMES: (string | undefined)[] = [];
for (const [k, v] of Object.entries(RtmType)) TYPE_NAMES[v] ??= k;

/** `NLA_ALIGN`. */
function pad4(n: number): number {
  return (n + 3) & ~3;
}

const SLOW = undefined;
/** `NLA_F_NESTED`. */
const NESTED = 0x8000;

/** The link in `b[o, o + n)`, read fast, or `undefined` for the generated decoder. */
function fastLink(
  b: Uint8Array,
  o: number,
  n: number,
  flags?: Map<number, Link["flags"]>,
): Link | undefined {
  if (n < IFI.size || n >= 65536) return SLOW;
  const end = o + n;
  const l = new LinkEntry(b, o, n);
  l.index = get32(b, o + IFI.ifiIndex, LE) | 0;
  const bits = get32(b, o + IFI.ifiFlags, LE) >>> 0;
  const type = get16(b, o + IFI.ifiType, LE);
  l.up = (bits & IfinfoFlags.up) !== 0;
  let names = flags?.get(bits);
  if (names === undefined) {
    names = flagNames(IfinfoFlags, bits);
    if (flags !== undefined) {
      flags.set(bits, Object.freeze(names) as Link["flags"]);
    }
  }
  l.flags = names;
  l.type = LINK_TYPES[type] ?? type;
  // Attribute types seen (below 64): a repeat goes to the generated decoder, which keeps the first.
  let seenLow = 0;
  let seenHigh = 0;
  for (let p = o + pad4(IFI.size); p < end;) {
    if (end - p < 4) return SLOW;
    const len = get16(b, p, LE);
    const t = get16(b, p + 2, LE);
    if (len < 4 || p + len > end) return SLOW;
    const q = p + 4;
    const m = len - 4;
    {
      const base = t & 0x3fff;
      const bit = 1 << (base & 31);
      if (base < 32) {
        if (seenLow & bit) return SLOW;
        seenLow |= bit;
      } else if (base < 64) {
        if (seenHigh & bit) return SLOW;
        seenHigh |= bit;
      }
    }
    switch (t) {
      case IFLA.ifname:
        l.name = getString(b, q, q + m);
        break;
      case IFLA.mtu:
        if (m !== 4) return SLOW;
        l.mtu = get32(b, q, LE) >>> 0;
        break;
      case IFLA.txqlen:
        if (m !== 4) return SLOW;
        l.txqlen = get32(b, q, LE) >>> 0;
        break;
      case IFLA.master: {
        if (m !== 4) return SLOW;
        const v = get32(b, q, LE) >>> 0;
        if (v !== 0) l.master = v;
        break;
      }
      case IFLA.link: {
        if (m !== 4) return SLOW;
        const v = get32(b, q, LE) >>> 0;
        if (v !== 0 && v !== l.index) l.link = v;
        break;
      }
      case IFLA.operstate:
        if (m !== 1) return SLOW;
        l.operstate = nameOf(OPER_STATES, b[q]!);
        break;
      case IFLA.carrier:
        if (m !== 1) return SLOW;
        l.carrier = b[q] !== 0;
        break;
      case IFLA.address:
        l.address = formatMAC(b, q, q + m);
        break;
      case IFLA.broadcast:
        l.broadcast = formatMAC(b, q, q + m);
        break;
      case IFLA.ifalias:
        l.alias = getString(b, q, q + m);
        break;
      case IFLA.linkinfo | NESTED:
      case IFLA.linkinfo:
        if (!linkinfo(l, b, q, q + m)) return SLOW;
        break;
      default:
        // Another flag bit on an attribute it reads: the generated decoder judges.
        if ((t & 0x3fff) <= IFLA.linkinfo && t !== (t & 0x3fff)) return SLOW;
    }
    p += pad4(len);
  }
  return l;
}

function linkinfo(
  l: LinkEntry,
  b: Uint8Array,
  o: number,
  end: number,
): boolean {
  for (let p = o; p < end;) {
    if (end - p < 4) return false;
    const len = get16(b, p, LE);
    const t = get16(b, p + 2, LE);
    if (len < 4 || p + len > end) return false;
    if (t === INFO.kind) l.kind = getString(b, p + 4, p + len);
    else if (t === INFO.slaveKind) l.portKind = getString(b, p + 4, p + len);
    p += pad4(len);
  }
  return true;
}

/**
 * One copy per datagram of a dump: the entries of a datagram's messages
 * keep views of it (their `attrs` are decoded from it later), as the
 * `Conn` keeps the messages it hands out.
 *
 * @internal
 */
export class DatagramCopy {
  #source: Uint8Array | null = null;
  #last = -1;
  #copy: Uint8Array = new Uint8Array(0);
  /** The flag name lists of this dump's links, by value (shared, frozen). */
  readonly flags: Map<number, Link["flags"]> = new Map();

  /** The copy of the datagram the view is in. */
  of(v: MessageView): Uint8Array {
    if (v.bytes !== this.#source || v.offset <= this.#last) {
      this.#source = v.bytes;
      this.#copy = v.bytes.slice();
    }
    this.#last = v.offset;
    return this.#copy;
  }
}

/**
 * A link dump message's payload as a {@linkcode Link} (`attrs` decoded
 * lazily from `b`, which must not change afterwards); `flags` shares the
 * name lists of equal `ifi_flags` (frozen) across one dump.
 *
 * @internal
 * @throws {RangeError} When the message is malformed (from the generated decoder).
 */
export function readLink(
  b: Uint8Array,
  o: number,
  n: number,
  flags?: Map<number, Link["flags"]>,
): Link {
  return fastLink(b, o, n, flags) ??
    toLink(getlink.decodeView({ bytes: b, offset: o, length: n }));
}

function ip(b: Uint8Array, o: number, n: number): string {
  return formatIP(b, o, o + n);
}

/** The route in `b[o, o + n)`, read fast, or `undefined` for the generated decoder. */
function fastRoute(
  b: Uint8Array,
  o: number,
  n: number,
): RouteEntry | undefined {
  if (n < RTM.size || n >= 65536) return SLOW;
  const end = o + n;
  const r = new RouteEntryImpl(b, o, n);
  const fam = b[o + RTM.rtmFamily]!;
  const dstLen = b[o + RTM.rtmDstLen]!;
  const srcLen = b[o + RTM.rtmSrcLen]!;
  const type = b[o + RTM.rtmType]!;
  const flags = get32(b, o + RTM.rtmFlags, LE) >>> 0;
  r.family = familyName(fam);
  r.dstLength = dstLen;
  r.table = b[o + RTM.rtmTable]!;
  r.protocol = nameOf(PROTOCOLS, b[o + RTM.rtmProtocol]!);
  r.scope = nameOf(SCOPES, b[o + RTM.rtmScope]!);
  r.type = (TYPE_NAMES[type] ?? type) as RouteEntry["type"];
  r.flags = routeFlags(flags);
  let dst: string | undefined;
  let src: string | undefined;
  // Attribute types seen (below 64): a repeat goes to the generated decoder, which keeps the first.
  let seenLow = 0;
  let seenHigh = 0;
  for (let p = o + pad4(RTM.size); p < end;) {
    if (end - p < 4) return SLOW;
    const len = get16(b, p, LE);
    const t = get16(b, p + 2, LE);
    if (len < 4 || p + len > end) return SLOW;
    const q = p + 4;
    const m = len - 4;
    if (t & 0xc000) return SLOW;
    {
      const base = t & 0x3fff;
      const bit = 1 << (base & 31);
      if (base < 32) {
        if (seenLow & bit) return SLOW;
        seenLow |= bit;
      } else if (base < 64) {
        if (seenHigh & bit) return SLOW;
        seenHigh |= bit;
      }
    }
    switch (t) {
      case RTA.dst:
        dst = ip(b, q, m);
        break;
      case RTA.src:
        src = ip(b, q, m);
        break;
      case RTA.gateway:
        r.gateway = ip(b, q, m);
        break;
      case RTA.prefsrc:
        r.prefsrc = ip(b, q, m);
        break;
      case RTA.oif:
        if (m !== 4) return SLOW;
        r.oif = get32(b, q, LE) >>> 0;
        break;
      case RTA.iif:
        if (m !== 4) return SLOW;
        r.iif = get32(b, q, LE) >>> 0;
        break;
      case RTA.priority:
        if (m !== 4) return SLOW;
        r.priority = get32(b, q, LE) >>> 0;
        break;
      case RTA.table:
        if (m !== 4) return SLOW;
        r.table = get32(b, q, LE) >>> 0;
        break;
      case RTA.multipath:
        r.nexthops = decodeMultipath(b.slice(q, q + m));
        break;
    }
    p += pad4(len);
  }
  r.dst = dstLen === 0 || dst === undefined ? "default" : `${dst}/${dstLen}`;
  if (src !== undefined) r.src = `${src}/${srcLen}`;
  return r;
}

/**
 * A route dump message's payload as a {@linkcode RouteEntry} (`attrs`
 * decoded lazily from `b`, which must not change afterwards).
 *
 * @internal
 * @throws {RangeError} When the message is malformed (from the generated decoder).
 */
export function readRoute(b: Uint8Array, o: number, n: number): RouteEntry {
  return fastRoute(b, o, n) ??
    toRouteEntry(getroute.decodeView({ bytes: b, offset: o, length: n }));
}
