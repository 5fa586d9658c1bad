/**
 * The state behind the simulated rtnetlink: links, addresses, routes,
 * neighbours and rules, and the bookkeeping the kernel does around them
 * (indexes, names, notifications with the requester's sequence and port
 * id). Link state changes (carrier, operational state, bridge ports, the
 * events they cause and their order) live in `rtnl_netdev.ts`.
 *
 * @module
 */

import type { Message } from "../netlink/message.ts";
import { IfinfoFlags } from "../families/rt_link.ts";
import { KernelError } from "./kernel_handler.ts";
import { Errno } from "../netlink/errno.ts";
import type { LinkKind, RouteNotifier } from "./rtnl_types.ts";

/** `IFF_*` bits from the generated rt-link flags table. */
export const IFF = {
  up: IfinfoFlags.up,
  broadcast: IfinfoFlags.broadcast,
  loopback: IfinfoFlags.loopback,
  running: IfinfoFlags.running,
  noarp: IfinfoFlags["no-arp"],
  promisc: IfinfoFlags.promisc,
  multicast: IfinfoFlags.multicast,
  lowerUp: IfinfoFlags["lower-up"],
  dormant: IfinfoFlags.dormant,
} as const;

/** `AF_INET`, `AF_INET6`, `AF_BRIDGE` (`linux/socket.h`). */
export const AF = { inet: 2, inet6: 10, bridge: 7 } as const;

/** A link in the simulated kernel. @internal */
export interface LinkRecord {
  index: number;
  name: string;
  kind: string;
  /** `ARPHRD_*`. */
  type: number;
  /** `dev->flags` as user space sees them (no `RUNNING`/`LOWER_UP`: those are derived). */
  flags: number;
  /** `netif_carrier_ok()`. */
  carrier: boolean;
  /** `dev->operstate` as the last linkwatch run left it (`IF_OPER_*`). */
  operstate: number;
  mtu: number;
  minMtu: number;
  maxMtu: number;
  txqlen: number;
  group: number;
  address: string;
  broadcast: string;
  /** The address was set by the user (a bridge then keeps it). */
  addressSet: boolean;
  master: number;
  /** veth: the peer's index (0 while the pair is being made or deleted). */
  peer: number;
  /** The lower link (`IFLA_LINK`) of a macvlan, vlan, vxlan... */
  parent: number;
  alias: string;
  promiscuity: number;
  /** Kind settings echoed back in `linkinfo.data`. */
  data: Record<string, unknown> | undefined;
  /** A bridge port's STP state (`BR_STATE_*`), when the link is a port. */
  portState: number | undefined;
  /** Queued for the simulated linkwatch. */
  linkwatch: boolean;
  /** Registered (false while being unregistered: its NEWLINKs are not sent). */
  registered: boolean;
}

/** An address in the simulated kernel. @internal */
export interface AddressRecord {
  family: number;
  index: number;
  prefixLength: number;
  /** `IFA_F_*` bits. */
  flags: number;
  scope: number;
  /** IPv4 `IFA_LOCAL` (the address itself); IPv6: the address. */
  local: string;
  /** `IFA_ADDRESS`: the peer of a point-to-point address, else the address. */
  address: string;
  broadcast: string | undefined;
  label: string | undefined;
  validLifetime: number;
  preferredLifetime: number;
  metric: number;
}

/** A route in the simulated kernel. @internal */
export interface RouteRecord {
  family: number;
  table: number;
  /** The destination prefix's address text ("" for the default route). */
  dst: string;
  dstLength: number;
  tos: number;
  protocol: number;
  scope: number;
  /** `RTN_*`. */
  type: number;
  priority: number;
  gateway: string | undefined;
  oif: number;
  prefsrc: string | undefined;
  /** `RTNH_F_*` set by the request (`onlink`). */
  flags: number;
  /** The raw `RTA_MULTIPATH` payload, when the route has next hops. */
  multipath: Uint8Array | undefined;
  /** The indexes of the multipath next hops' links. */
  hops: number[];
}

/** A neighbour entry in the simulated kernel. @internal */
export interface NeighbourRecord {
  family: number;
  index: number;
  dst: string;
  lladdr: string | undefined;
  /** `NUD_*` bits. */
  state: number;
  /** `NTF_*` bits. */
  flags: number;
}

/** A routing policy rule in the simulated kernel. @internal */
export interface RuleRecord {
  family: number;
  priority: number;
  table: number;
  action: number;
  src: Uint8Array | undefined;
  srcLength: number;
  dst: Uint8Array | undefined;
  dstLength: number;
  tos: number;
  flags: number;
  iifname: string | undefined;
  oifname: string | undefined;
  fwmark: number | undefined;
  fwmask: number | undefined;
  protocol: number;
  goto: number | undefined;
}

/** Who caused a change: the notification header and how to send it. */
export interface Origin {
  /** Sequence number of the request (0: none). */
  sequence: number;
  /** Port id of the requester (0: the kernel itself). */
  pid: number;
  /** The request had `NLM_F_ECHO`. */
  echo: boolean;
  /** Sends a notification. */
  notify: RouteNotifier;
}

/**
 * Sends one notification: `sequence` and `pid` from the origin when
 * `caused` (the requester's change), 0 for the kernel's own; one message
 * per datagram, as rtnetlink sends them.
 *
 * @internal
 */
export function send(
  o: Origin,
  group: number,
  m: Message,
  caused: boolean,
  flags = 0,
): void {
  m.header.sequence = caused ? o.sequence : 0;
  m.header.pid = caused ? o.pid : 0;
  m.header.flags = flags;
  o.notify(group, [m], caused && o.echo);
}

/** The kernel's own origin (seeding, timers). @internal */
export function kernelOrigin(notify: RouteNotifier): Origin {
  return { sequence: 0, pid: 0, echo: false, notify };
}

/** A KernelError, for short. @internal */
export function fail(
  errno: number,
  message?: string,
): KernelError {
  return new KernelError(errno, message === undefined ? {} : { message });
}

/** `IFNAMSIZ - 1`: the longest link name. */
export const MAX_NAME = 15;

/**
 * The mutable rtnetlink state shared by the request handlers.
 *
 * @internal
 */
export class RtnlState {
  links: Map<number, LinkRecord> = new Map();
  addresses: AddressRecord[] = [];
  routes: RouteRecord[] = [];
  neighbours: NeighbourRecord[] = [];
  rules: RuleRecord[] = [];
  kinds: Record<string, LinkKind>;
  nextIndex = 1;
  notify: RouteNotifier;
  /** Links waiting for the simulated linkwatch, in the order their carrier changed. */
  linkwatch: LinkRecord[] = [];

  constructor(notify: RouteNotifier, kinds: Record<string, LinkKind>) {
    this.notify = notify;
    this.kinds = kinds;
  }

  origin(): Origin {
    return kernelOrigin(this.notify);
  }

  /** A link by name or index; TypeError when none (seeding helpers). */
  find(link: string | number): LinkRecord {
    const l = typeof link === "number"
      ? this.links.get(link)
      : this.byName(link);
    if (!l) throw new TypeError(`Cannot find link: ${link}`);
    return l;
  }

  byName(name: string): LinkRecord | undefined {
    for (const l of this.links.values()) if (l.name === name) return l;
    return undefined;
  }

  /** A link by the index, else the name of a request; ENODEV when none, EINVAL when neither is given. */
  lookup(index: number, name: string | undefined): LinkRecord {
    if (index > 0) {
      const l = this.links.get(index);
      if (!l) throw fail(Errno.ENODEV);
      return l;
    }
    if (name === undefined) throw fail(Errno.EINVAL);
    const l = this.byName(name);
    if (!l) throw fail(Errno.ENODEV);
    return l;
  }

  freeIndex(): number {
    while (this.links.has(this.nextIndex)) this.nextIndex++;
    return this.nextIndex++;
  }

  freeName(kind: string): string {
    for (let n = 0;; n++) {
      if (!this.byName(`${kind}${n}`)) return `${kind}${n}`;
    }
  }

  /** Links by index. */
  sortedLinks(): LinkRecord[] {
    return [...this.links.values()].sort((a, b) => a.index - b.index);
  }
}
