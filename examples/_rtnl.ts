/**
 * A small rtnetlink decoder for links (`RTM_NEWLINK`) and routes
 * (`RTM_NEWROUTE`), used by the examples and `bench/real_kernel`. Not part of
 * the library.
 *
 * It is allocation-light on purpose (ffi-notes §4.3): byte reads at offsets
 * instead of `subarray()` or a `DataView` per message, no closure per
 * attribute, ASCII and IPv4 fast paths instead of `TextDecoder`. Netlink is
 * host-endian; this decoder assumes a little-endian host (x86_64, arm64). It decodes
 * straight from a `MessageView` (`Conn.visit`) or from a `Message`'s `data`
 * (`Conn.dump`): both are a payload at `(bytes, offset, length)`.
 *
 * @module
 */

import { HeaderFlags, type Message } from "../src/netlink/mod.ts";

/** rtnetlink message types (`RTM_*` in `linux/rtnetlink.h`). */
export const Rtm = {
  NewLink: 16,
  DelLink: 17,
  GetLink: 18,
  NewRoute: 24,
  DelRoute: 25,
  GetRoute: 26,
} as const;

/** Multicast groups (`RTNLGRP_*` in `linux/rtnetlink.h`). */
export const RtnlGroup = { Link: 1, IPv4Route: 7 } as const;

/** A link, with the fields `ip -j link` prints. */
export interface Link {
  index: number;
  name: string;
  /** `ifi_flags` (`IFF_*`). */
  flags: number;
  mtu: number;
  /** `ifi_type` (`ARPHRD_*`). */
  type: number;
  /** `IFLA_OPERSTATE` (`IF_OPER_*`). */
  operstate: number;
  txqlen: number;
  /** `IFLA_ADDRESS` as `aa:bb:…`, or "". */
  address: string;
  /** `IFLA_BROADCAST` as `aa:bb:…`, or "". */
  broadcast: string;
  /** `IFLA_MASTER`, 0 when none. */
  master: number;
  /** `IFLA_LINK`, 0 when none. */
  link: number;
}

/** A route, with the fields `ip -j route` prints most often. */
export interface Route {
  family: number;
  dstLength: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  /** `RTA_DST` as text, or "" for the default route. */
  dst: string;
  /** `RTA_GATEWAY` as text, or "". */
  gateway: string;
  /** `RTA_PREFSRC` as text, or "". */
  prefsrc: string;
  /** `RTA_OIF`, 0 when none. */
  oif: number;
  /** `RTA_PRIORITY`, 0 when none. */
  priority: number;
}

/** Little-endian u16 (netlink is host-endian; this decoder assumes a little-endian host). */
function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

/** Little-endian u32. */
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) |
    (b[at + 3]! << 24)) >>> 0;
}

const DECIMAL: string[] = Array.from({ length: 256 }, (_, i) => String(i));
const HEX2: string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

function ipv4(bytes: Uint8Array, at: number): string {
  return DECIMAL[bytes[at]!] + "." + DECIMAL[bytes[at + 1]!] + "." +
    DECIMAL[bytes[at + 2]!] + "." +
    DECIMAL[bytes[at + 3]!];
}

/** RFC 5952 text for an IPv6 address (longest zero run compressed). */
function ipv6(bytes: Uint8Array, at: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) {
    w.push((bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!);
  }
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(w);
  return hex(w.slice(0, bestStart)) + "::" + hex(w.slice(bestStart + bestLen));
}

function address(bytes: Uint8Array, at: number, len: number): string {
  if (len === 4) return ipv4(bytes, at);
  if (len === 16) return ipv6(bytes, at);
  return mac(bytes, at, len);
}

function mac(bytes: Uint8Array, at: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) {
    s += (i === 0 ? "" : ":") + HEX2[bytes[at + i]!];
  }
  return s;
}

/** A NUL-terminated string, ASCII fast path. */
function cString(bytes: Uint8Array, at: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) {
    const c = bytes[at + i]!;
    if (c === 0) break;
    if (c > 0x7f) {
      return new TextDecoder().decode(bytes.subarray(at, at + len)).replace(
        /\0.*$/s,
        "",
      );
    }
    s += String.fromCharCode(c);
  }
  return s;
}

const IFINFOMSG = 16;
const RTMSG = 12;

/**
 * Decodes an `RTM_NEWLINK` payload (`struct ifinfomsg` + `IFLA_*` attributes).
 *
 * @param bytes The buffer holding the payload.
 * @param offset Where the payload starts.
 * @param length The payload length.
 * @returns The link.
 */
export function decodeLink(
  bytes: Uint8Array,
  offset: number,
  length: number,
): Link {
  const b = bytes;
  if (length < IFINFOMSG) {
    throw new RangeError(
      `Cannot decode link: payload of ${length} bytes at offset ${offset}`,
    );
  }
  const link: Link = {
    index: u32(b, offset + 4) | 0,
    name: "",
    flags: u32(b, offset + 8),
    mtu: 0,
    type: u16(b, offset + 2),
    operstate: 0,
    txqlen: 0,
    address: "",
    broadcast: "",
    master: 0,
    link: 0,
  };
  const end = offset + length;
  for (let at = offset + IFINFOMSG; at + 4 <= end;) {
    const len = u16(b, at);
    if (len < 4 || at + len > end) {
      throw new RangeError(
        `Cannot decode link attribute: length ${len} at offset ${at}`,
      );
    }
    const p = at + 4, n = len - 4;
    switch (u16(b, at + 2) & 0x3fff) {
      case 1: // IFLA_ADDRESS
        link.address = mac(bytes, p, n);
        break;
      case 2: // IFLA_BROADCAST
        link.broadcast = mac(bytes, p, n);
        break;
      case 3: // IFLA_IFNAME
        link.name = cString(bytes, p, n);
        break;
      case 4: // IFLA_MTU
        link.mtu = u32(b, p);
        break;
      case 5: // IFLA_LINK
        link.link = u32(b, p);
        break;
      case 10: // IFLA_MASTER
        link.master = u32(b, p);
        break;
      case 13: // IFLA_TXQLEN
        link.txqlen = u32(b, p);
        break;
      case 16: // IFLA_OPERSTATE
        link.operstate = bytes[p]!;
        break;
    }
    at += (len + 3) & ~3;
  }
  return link;
}

/**
 * Decodes an `RTM_NEWROUTE` payload (`struct rtmsg` + `RTA_*` attributes).
 *
 * @param bytes The buffer holding the payload.
 * @param offset Where the payload starts.
 * @param length The payload length.
 * @returns The route.
 */
export function decodeRoute(
  bytes: Uint8Array,
  offset: number,
  length: number,
): Route {
  const b = bytes;
  if (length < RTMSG) {
    throw new RangeError(
      `Cannot decode route: payload of ${length} bytes at offset ${offset}`,
    );
  }
  const route: Route = {
    family: bytes[offset]!,
    dstLength: bytes[offset + 1]!,
    table: bytes[offset + 4]!,
    protocol: bytes[offset + 5]!,
    scope: bytes[offset + 6]!,
    type: bytes[offset + 7]!,
    dst: "",
    gateway: "",
    prefsrc: "",
    oif: 0,
    priority: 0,
  };
  const end = offset + length;
  for (let at = offset + RTMSG; at + 4 <= end;) {
    const len = u16(b, at);
    if (len < 4 || at + len > end) {
      throw new RangeError(
        `Cannot decode route attribute: length ${len} at offset ${at}`,
      );
    }
    const p = at + 4, n = len - 4;
    switch (u16(b, at + 2) & 0x3fff) {
      case 1: // RTA_DST
        route.dst = address(bytes, p, n);
        break;
      case 4: // RTA_OIF
        route.oif = u32(b, p);
        break;
      case 5: // RTA_GATEWAY
        route.gateway = address(bytes, p, n);
        break;
      case 6: // RTA_PRIORITY
        route.priority = u32(b, p);
        break;
      case 7: // RTA_PREFSRC
        route.prefsrc = address(bytes, p, n);
        break;
      case 15: // RTA_TABLE
        route.table = u32(b, p);
        break;
    }
    at += (len + 3) & ~3;
  }
  return route;
}

/**
 * A link dump request: `RTM_GETLINK` with `NLM_F_DUMP` and an empty `ifinfomsg`.
 *
 * @returns The request message.
 */
export function linkDumpRequest(): Message {
  return {
    header: {
      length: 0,
      type: Rtm.GetLink,
      flags: HeaderFlags.Request | HeaderFlags.Dump,
      sequence: 0,
      pid: 0,
    },
    data: new Uint8Array(IFINFOMSG),
  };
}

/**
 * A route dump request: `RTM_GETROUTE` with `NLM_F_DUMP` for one family.
 *
 * @param family `AF_INET` (2) or `AF_INET6` (10).
 * @param table When set, an `RTA_TABLE` attribute (the kernel filters by it under strict checking).
 * @returns The request message.
 */
export function routeDumpRequest(family = 2, table?: number): Message {
  const data = new Uint8Array(RTMSG + (table === undefined ? 0 : 8));
  data[0] = family;
  if (table !== undefined) {
    const v = new DataView(data.buffer);
    v.setUint16(RTMSG, 8, true);
    v.setUint16(RTMSG + 2, 15, true); // RTA_TABLE
    v.setUint32(RTMSG + 4, table, true);
    data[4] = table < 256 ? table : 252; // rtm_table (RT_TABLE_COMPAT above 255)
  }
  return {
    header: {
      length: 0,
      type: Rtm.GetRoute,
      flags: HeaderFlags.Request | HeaderFlags.Dump,
      sequence: 0,
      pid: 0,
    },
    data,
  };
}

// deno-fmt-ignore
const FLAG_NAMES: [number, string][] = [
  [0x8, "LOOPBACK"], [0x2, "BROADCAST"], [0x10, "POINTOPOINT"], [0x1000, "MULTICAST"],
  [0x80, "NOARP"], [0x200, "ALLMULTI"], [0x100, "PROMISC"], [0x400, "MASTER"], [0x800, "SLAVE"],
  [0x4, "DEBUG"], [0x8000, "DYNAMIC"], [0x4000, "AUTOMEDIA"], [0x2000, "PORTSEL"],
  [0x20, "NOTRAILERS"], [0x1, "UP"], [0x10000, "LOWER_UP"], [0x20000, "DORMANT"], [0x40000, "ECHO"],
];

/**
 * Link flag names in the order and style `ip link` prints them (`NO-CARRIER`
 * for up but not running).
 *
 * @param flags `ifi_flags`.
 * @returns The names.
 */
export function linkFlagNames(flags: number): string[] {
  const names: string[] = [];
  if ((flags & 0x1) && !(flags & 0x40)) names.push("NO-CARRIER");
  let rest = flags & ~0x40; // IFF_RUNNING is not printed
  for (const [bit, name] of FLAG_NAMES) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  return names;
}

/** `IF_OPER_*` names as `ip` prints them. */
export const OPERSTATE = [
  "UNKNOWN",
  "NOTPRESENT",
  "DOWN",
  "LOWERLAYERDOWN",
  "TESTING",
  "DORMANT",
  "UP",
];

/** A few `ARPHRD_*` names as `ip` prints them. */
export const LINK_TYPES: Readonly<Record<number, string>> = {
  1: "ether",
  772: "loopback",
  776: "sit",
  768: "ipip",
  778: "gre",
  823: "ip6gre",
  65534: "none",
};
