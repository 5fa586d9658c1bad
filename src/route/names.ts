/**
 * Names of the rtnetlink values the YNL specs leave as numbers: operational
 * states (`IF_OPER_*`), route scopes (`RT_SCOPE_*`), route protocols
 * (`RTPROT_*`), routing tables (`RT_TABLE_*`), route flags (`RTNH_F_*`,
 * `RTM_F_*`), link types (`ARPHRD_*`) and the route multicast groups the
 * rt-route spec does not list (`RTNLGRP_IPV4_ROUTE`, `RTNLGRP_IPV6_ROUTE`).
 * Values from `linux/if.h`, `linux/rtnetlink.h` and `linux/if_arp.h`; names
 * as `ip` prints them.
 *
 * @module
 */

/**
 * A link's operational state (RFC 2863), as `/sys/class/net/X/operstate`
 * spells it (`ip` prints it upper-case).
 */
export type OperState =
  | "unknown"
  | "notpresent"
  | "down"
  | "lowerlayerdown"
  | "testing"
  | "dormant"
  | "up";

/**
 * `IF_OPER_*` (`linux/if.h`) by name.
 */
export const OPER_STATES: Readonly<Record<OperState, number>> = {
  /** `IF_OPER_UNKNOWN`. */
  unknown: 0,
  /** `IF_OPER_NOTPRESENT`. */
  notpresent: 1,
  /** `IF_OPER_DOWN`. */
  down: 2,
  /** `IF_OPER_LOWERLAYERDOWN`. */
  lowerlayerdown: 3,
  /** `IF_OPER_TESTING`. */
  testing: 4,
  /** `IF_OPER_DORMANT`. */
  dormant: 5,
  /** `IF_OPER_UP`. */
  up: 6,
};

/** A route or address scope by name; other values stay numbers. */
export type Scope = "global" | "site" | "link" | "host" | "nowhere";

/**
 * `RT_SCOPE_*` (`linux/rtnetlink.h`) by the name `ip` uses (`RT_SCOPE_UNIVERSE` is `global`).
 */
export const SCOPES: Readonly<Record<Scope, number>> = {
  /** `RT_SCOPE_UNIVERSE`. */
  global: 0,
  /** `RT_SCOPE_SITE`. */
  site: 200,
  /** `RT_SCOPE_LINK`. */
  link: 253,
  /** `RT_SCOPE_HOST`. */
  host: 254,
  /** `RT_SCOPE_NOWHERE`. */
  nowhere: 255,
};

/** Who installed a route, by the name `ip` uses; other values stay numbers. */
export type Protocol =
  | "unspec"
  | "redirect"
  | "kernel"
  | "boot"
  | "static"
  | "gated"
  | "ra"
  | "mrt"
  | "zebra"
  | "bird"
  | "dnrouted"
  | "xorp"
  | "ntk"
  | "dhcp"
  | "mrouted"
  | "keepalived"
  | "babel"
  | "openr"
  | "bgp"
  | "isis"
  | "ospf"
  | "rip"
  | "eigrp";

/**
 * `RTPROT_*` (`linux/rtnetlink.h`) by name.
 */
export const PROTOCOLS: Readonly<Record<Protocol, number>> = {
  unspec: 0, // RTPROT_UNSPEC
  redirect: 1, // RTPROT_REDIRECT
  kernel: 2, // RTPROT_KERNEL
  boot: 3, // RTPROT_BOOT
  static: 4, // RTPROT_STATIC
  gated: 8, // RTPROT_GATED
  ra: 9, // RTPROT_RA
  mrt: 10, // RTPROT_MRT
  zebra: 11, // RTPROT_ZEBRA
  bird: 12, // RTPROT_BIRD
  dnrouted: 13, // RTPROT_DNROUTED
  xorp: 14, // RTPROT_XORP
  ntk: 15, // RTPROT_NTK
  dhcp: 16, // RTPROT_DHCP
  mrouted: 17, // RTPROT_MROUTED
  keepalived: 18, // RTPROT_KEEPALIVED
  babel: 42, // RTPROT_BABEL
  openr: 99, // RTPROT_OPENR
  bgp: 186, // RTPROT_BGP
  isis: 187, // RTPROT_ISIS
  ospf: 188, // RTPROT_OSPF
  rip: 189, // RTPROT_RIP
  eigrp: 192, // RTPROT_EIGRP
};

/** A routing table by the name `ip` uses. */
export type TableName = "default" | "main" | "local";

/**
 * `RT_TABLE_*` (`linux/rtnetlink.h`) by name.
 */
export const TABLES: Readonly<Record<TableName, number>> = {
  /** `RT_TABLE_DEFAULT`. */
  default: 253,
  /** `RT_TABLE_MAIN`. */
  main: 254,
  /** `RT_TABLE_LOCAL`. */
  local: 255,
};

/** A route or next-hop flag by name (`ip` prints `linkdown`, `onlink`, ...). */
export type RouteFlag =
  | "dead"
  | "pervasive"
  | "onlink"
  | "offload"
  | "linkdown"
  | "unresolved"
  | "trap"
  | "notify"
  | "cloned"
  | "equalize"
  | "prefix"
  | "lookup-table"
  | "fib-match"
  | "rt-offload"
  | "rt-trap"
  | "offload-failed";

/**
 * The bits of `rtm_flags` and `rtnh_flags`: `RTNH_F_*` and `RTM_F_*`
 * (`linux/rtnetlink.h`) by name.
 */
export const ROUTE_FLAGS: Readonly<Record<RouteFlag, number>> = {
  dead: 0x1, // RTNH_F_DEAD
  pervasive: 0x2, // RTNH_F_PERVASIVE
  onlink: 0x4, // RTNH_F_ONLINK
  offload: 0x8, // RTNH_F_OFFLOAD
  linkdown: 0x10, // RTNH_F_LINKDOWN
  unresolved: 0x20, // RTNH_F_UNRESOLVED
  trap: 0x40, // RTNH_F_TRAP
  notify: 0x100, // RTM_F_NOTIFY
  cloned: 0x200, // RTM_F_CLONED
  equalize: 0x400, // RTM_F_EQUALIZE
  prefix: 0x800, // RTM_F_PREFIX
  "lookup-table": 0x1000, // RTM_F_LOOKUP_TABLE
  "fib-match": 0x2000, // RTM_F_FIB_MATCH
  "rt-offload": 0x4000, // RTM_F_OFFLOAD
  "rt-trap": 0x8000, // RTM_F_TRAP
  "offload-failed": 0x20000000, // RTM_F_OFFLOAD_FAILED
};

/**
 * Link types (`ARPHRD_*`, `linux/if_arp.h`) by the name `ip` prints after
 * `link/`; types not listed stay numbers.
 */
export const LINK_TYPES: Readonly<Record<number, string>> = {
  1: "ether", // ARPHRD_ETHER
  24: "ieee1394", // ARPHRD_IEEE1394
  32: "infiniband", // ARPHRD_INFINIBAND
  512: "ppp", // ARPHRD_PPP
  768: "ipip", // ARPHRD_TUNNEL
  769: "tunnel6", // ARPHRD_TUNNEL6
  772: "loopback", // ARPHRD_LOOPBACK
  776: "sit", // ARPHRD_SIT
  778: "gre", // ARPHRD_IPGRE
  801: "ieee802.11", // ARPHRD_IEEE80211
  803: "ieee802.11/radiotap", // ARPHRD_IEEE80211_RADIOTAP
  823: "gre6", // ARPHRD_IP6GRE
  824: "netlink", // ARPHRD_NETLINK
  65534: "none", // ARPHRD_NONE
  65535: "void", // ARPHRD_VOID
};

/**
 * The route multicast groups the rt-route spec does not list:
 * `RTNLGRP_IPV4_ROUTE` and `RTNLGRP_IPV6_ROUTE` (`linux/rtnetlink.h`).
 *
 * @internal
 */
export const ROUTE_GROUPS: Readonly<{ ipv4: number; ipv6: number }> = {
  ipv4: 7,
  ipv6: 11,
};

const reversed = new WeakMap<object, Map<number, string>>();

/**
 * The name of `value` in `table`, or the number when it has none.
 *
 * @internal
 */
export function nameOf<N extends string>(
  table: Readonly<Record<N, number>>,
  value: number,
): N | number {
  let r = reversed.get(table);
  if (r === undefined) {
    r = new Map();
    for (const k in table) if (!r.has(table[k])) r.set(table[k], k);
    reversed.set(table, r);
  }
  return (r.get(value) as N | undefined) ?? value;
}

/**
 * The value of a name (or a number as is), checked.
 *
 * @internal
 */
export function valueOf<N extends string>(
  table: Readonly<Record<N, number>>,
  value: N | number,
  what: string,
  max = 255,
): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new TypeError(
        `${what} must be a name or 0 to ${max}, got ${value}`,
      );
    }
    return value;
  }
  const v = (table as Record<string, number>)[value];
  if (typeof value !== "string" || v === undefined) {
    throw new TypeError(
      `${what} must be one of ${
        Object.keys(table).join(", ")
      } or a number, got ${JSON.stringify(value)}`,
    );
  }
  return v;
}

/**
 * The names of the set bits of `flags` in `table`; unknown bits as numbers.
 *
 * @internal
 */
export function flagNames<N extends string>(
  table: Readonly<Record<N, number>>,
  flags: number,
): (N | number)[] {
  const out: (N | number)[] = [];
  let left = flags >>> 0;
  for (const k in table) {
    const bit = table[k];
    if ((left & bit) !== 0) {
      out.push(k);
      left = (left & ~bit) >>> 0;
    }
  }
  for (let bit = 1; left !== 0; bit = (bit << 1) >>> 0) {
    if ((left & bit) !== 0) {
      out.push(bit);
      left = (left & ~bit) >>> 0;
    }
  }
  return out;
}
