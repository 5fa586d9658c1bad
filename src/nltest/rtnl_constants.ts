/**
 * rtnetlink constants used by the simulated kernel (`linux/rtnetlink.h`,
 * `linux/if_link.h`, `linux/if_addr.h`, `linux/if.h`, `linux/if_arp.h`).
 * Internal to nltest: the values are the kernel's, the names are ours.
 *
 * @module
 */

/** rtnetlink message types (`RTM_*` in `linux/rtnetlink.h`). */
export const RouteType = {
  /** `RTM_NEWLINK`. */
  NewLink: 16,
  /** `RTM_DELLINK`. */
  DelLink: 17,
  /** `RTM_GETLINK`. */
  GetLink: 18,
  /** `RTM_SETLINK`. */
  SetLink: 19,
  /** `RTM_NEWADDR`. */
  NewAddress: 20,
  /** `RTM_DELADDR`. */
  DelAddress: 21,
  /** `RTM_GETADDR`. */
  GetAddress: 22,
  /** `RTM_NEWROUTE`. */
  NewRoute: 24,
  /** `RTM_DELROUTE`. */
  DelRoute: 25,
  /** `RTM_GETROUTE`. */
  GetRoute: 26,
} as const;

/** rtnetlink multicast groups (`RTNLGRP_*` in `linux/rtnetlink.h`), numbers for `joinGroup`. */
export const RouteGroup = {
  /** `RTNLGRP_LINK`: link changes. */
  Link: 1,
  /** `RTNLGRP_IPV4_IFADDR`: IPv4 address changes. */
  IPv4Address: 5,
  /** `RTNLGRP_IPV4_ROUTE`: IPv4 route changes. */
  IPv4Route: 7,
  /** `RTNLGRP_IPV6_IFADDR`: IPv6 address changes. */
  IPv6Address: 9,
  /** `RTNLGRP_IPV6_ROUTE`: IPv6 route changes. */
  IPv6Route: 11,
} as const;

/** Link attributes (`IFLA_*` in `linux/if_link.h`). */
export const LinkAttribute = {
  /** `IFLA_ADDRESS`: hardware address. */
  Address: 1,
  /** `IFLA_BROADCAST`: hardware broadcast address. */
  Broadcast: 2,
  /** `IFLA_IFNAME`: interface name. */
  Name: 3,
  /** `IFLA_MTU`: u32. */
  MTU: 4,
  /** `IFLA_LINK`: u32 index of the underlying link. */
  Link: 5,
  /** `IFLA_MASTER`: u32 index of the master. */
  Master: 10,
  /** `IFLA_PROTINFO`. */
  ProtocolInfo: 12,
  /** `IFLA_TXQLEN`: u32. */
  TxQueueLength: 13,
  /** `IFLA_MAP`. */
  Map: 14,
  /** `IFLA_OPERSTATE`: u8. */
  OperState: 16,
  /** `IFLA_LINKMODE`: u8. */
  LinkMode: 17,
  /** `IFLA_LINKINFO`: nested `IFLA_INFO_*`. */
  LinkInfo: 18,
  /** `IFLA_IFALIAS`: string. */
  Alias: 20,
  /** `IFLA_GROUP`: u32. */
  Group: 27,
  /** `IFLA_EXT_MASK`: u32 (`RTEXT_FILTER_*`). */
  ExtMask: 29,
  /** `IFLA_PROMISCUITY`: u32. */
  Promiscuity: 30,
  /** `IFLA_NUM_TX_QUEUES`: u32. */
  NumTxQueues: 31,
  /** `IFLA_NUM_RX_QUEUES`: u32. */
  NumRxQueues: 32,
  /** `IFLA_CARRIER`: u8. */
  Carrier: 33,
  /** `IFLA_MIN_MTU`: u32. */
  MinMTU: 50,
  /** `IFLA_MAX_MTU`: u32. */
  MaxMTU: 51,
} as const;

/** `IFLA_INFO_KIND` inside `IFLA_LINKINFO`. */
export const LINK_INFO_KIND = 1;
/** `IFLA_INFO_DATA` inside `IFLA_LINKINFO`. */
export const LINK_INFO_DATA = 2;
/** `VETH_INFO_PEER` inside the veth `IFLA_INFO_DATA` (`linux/veth.h`). */
export const VETH_INFO_PEER = 1;

/** Address attributes (`IFA_*` in `linux/if_addr.h`). */
export const AddressAttribute = {
  /** `IFA_ADDRESS`: prefix (or peer) address. */
  Address: 1,
  /** `IFA_LOCAL`: local address. */
  Local: 2,
  /** `IFA_LABEL`: string. */
  Label: 3,
  /** `IFA_BROADCAST`. */
  Broadcast: 4,
  /** `IFA_CACHEINFO`: `struct ifa_cacheinfo`. */
  CacheInfo: 6,
  /** `IFA_FLAGS`: u32 extension of `ifa_flags`. */
  Flags: 8,
} as const;

/** Route attributes (`RTA_*` in `linux/rtnetlink.h`). */
export const RouteAttribute = {
  /** `RTA_DST`. */
  Dst: 1,
  /** `RTA_SRC`. */
  Src: 2,
  /** `RTA_IIF`: u32. */
  InputInterface: 3,
  /** `RTA_OIF`: u32. */
  OutputInterface: 4,
  /** `RTA_GATEWAY`. */
  Gateway: 5,
  /** `RTA_PRIORITY`: u32. */
  Priority: 6,
  /** `RTA_PREFSRC`. */
  PreferredSource: 7,
  /** `RTA_CACHEINFO`: `struct rta_cacheinfo`. */
  CacheInfo: 12,
  /** `RTA_TABLE`: u32. */
  Table: 15,
  /** `RTA_PREF`: u8 IPv6 router preference. */
  Preference: 20,
} as const;

/** Interface flags (`IFF_*` in `linux/if.h`). */
export const LinkFlags = {
  /** `IFF_UP`. */
  Up: 0x1,
  /** `IFF_BROADCAST`. */
  Broadcast: 0x2,
  /** `IFF_LOOPBACK`. */
  Loopback: 0x8,
  /** `IFF_POINTOPOINT`. */
  PointToPoint: 0x10,
  /** `IFF_RUNNING`. */
  Running: 0x40,
  /** `IFF_NOARP`. */
  NoARP: 0x80,
  /** `IFF_PROMISC`. */
  Promisc: 0x100,
  /** `IFF_MULTICAST`. */
  Multicast: 0x1000,
  /** `IFF_LOWER_UP`. */
  LowerUp: 0x10000,
} as const;

/** `ARPHRD_ETHER` (`linux/if_arp.h`). */
export const ARPHRD_ETHER = 1;
/** `ARPHRD_LOOPBACK`. */
export const ARPHRD_LOOPBACK = 772;
/** `ARPHRD_NONE`. */
export const ARPHRD_NONE = 0xfffe;

/** `AF_UNSPEC`. */
export const AF_UNSPEC = 0;
/** `AF_INET`. */
export const AF_INET = 2;
/** `AF_INET6`. */
export const AF_INET6 = 10;

/** `RT_TABLE_MAIN`. */
export const RT_TABLE_MAIN = 254;
/** `RT_TABLE_LOCAL`. */
export const RT_TABLE_LOCAL = 255;
/** `RTPROT_BOOT`: the default protocol of routes added by `ip route`. */
export const RTPROT_BOOT = 3;
/** `RT_SCOPE_UNIVERSE`. */
export const RT_SCOPE_UNIVERSE = 0;
/** `RT_SCOPE_LINK`. */
export const RT_SCOPE_LINK = 253;
/** `RT_SCOPE_HOST`. */
export const RT_SCOPE_HOST = 254;
/** `RTN_UNICAST`. */
export const RTN_UNICAST = 1;
/** `IFA_F_PERMANENT`. */
export const IFA_F_PERMANENT = 0x80;
/** `IF_OPER_DOWN` (`linux/if.h`). */
export const IF_OPER_DOWN = 2;
/** `IF_OPER_UNKNOWN`. */
export const IF_OPER_UNKNOWN = 0;
/** `IF_OPER_UP`. */
export const IF_OPER_UP = 6;

/** `sizeof(struct ifinfomsg)`. */
export const IFINFOMSG_LENGTH = 16;
/** `sizeof(struct ifaddrmsg)`. */
export const IFADDRMSG_LENGTH = 8;
/** `sizeof(struct rtmsg)`. */
export const RTMSG_LENGTH = 12;
/** `sizeof(struct rtgenmsg)`: the one-byte family header of old dump requests. */
export const RTGENMSG_LENGTH = 1;
