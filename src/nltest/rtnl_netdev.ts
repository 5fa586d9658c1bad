/**
 * The simulated kernel's net devices as the events they cause, in the
 * order Linux 6.18 sends them (recorded in
 * `tests/fixtures/route/events_6.18.json`): opening and closing a link,
 * its carrier and the linkwatch that turns carrier changes into an
 * operational state and a `RTM_NEWLINK`, veth pairs (the carrier of both
 * ends), bridge ports (their STP state, the `AF_BRIDGE` messages, the
 * bridge's carrier, features and address), and unregistering.
 *
 * Linkwatch runs at the end of each request here, urgent events (a link
 * with a lower link, or gaining its carrier) first, then the others, where
 * Linux defers the latter by up to a second: the order is the one a
 * listener sees once the kernel has settled.
 *
 * @module
 */

import { OPER_STATES } from "../route/names.ts";
import { addKernelRoutes, flushDownRoutes } from "./rtnl_fib.ts";
import { iflink, linkMessage, operUp } from "./rtnl_encode.ts";
import {
  IFF,
  type LinkRecord,
  type Origin,
  type RtnlState,
  send,
} from "./rtnl_state.ts";

/** `RTNLGRP_LINK`. */
export const GROUP_LINK = 1;
/** `IFLA_EVENT_FEATURES` (`linux/if_link.h`). */
const EVENT_FEATURES = 2;
/** `BR_STATE_DISABLED` and `BR_STATE_FORWARDING` (`linux/if_bridge.h`). */
const BR_DISABLED = 0;
const BR_FORWARDING = 3;
/** The bits `dev_close_many` reports as changed: `IFF_UP | IFF_RUNNING`. */
const CLOSE_CHANGE = IFF.up | IFF.running;

/**
 * Sends the link's `RTM_NEWLINK` (none while it is being unregistered);
 * `caused`: stamped with the request's sequence and port id (a new link
 * asked for with `NLM_F_ECHO`).
 */
export function newlink(
  s: RtnlState,
  l: LinkRecord,
  change: number,
  o: Origin,
  event?: number,
  caused = false,
): void {
  if (!l.registered) return;
  send(
    o,
    GROUP_LINK,
    linkMessage(s, l, false, change, event === undefined ? {} : { event }),
    caused,
  );
}

function portMessage(s: RtnlState, p: LinkRecord, o: Origin, del = false) {
  send(o, GROUP_LINK, linkMessage(s, p, del, 0, { bridge: true }), false);
}

/** Sets the carrier and queues the link for linkwatch when it changed. */
export function setCarrier(s: RtnlState, l: LinkRecord, on: boolean): void {
  if (l.carrier === on) return;
  l.carrier = on;
  if (!l.linkwatch) {
    l.linkwatch = true;
    s.linkwatch.push(l);
  }
}

/** `default_operstate()`: from the carrier and, for a stacked link, its lower link's. */
function defaultOperstate(s: RtnlState, l: LinkRecord): number {
  if (!l.carrier) {
    const lower = iflink(l);
    if (lower === l.index) return OPER_STATES.down;
    const peer = s.links.get(lower);
    if (peer === undefined) return OPER_STATES.down;
    return peer.carrier ? OPER_STATES.down : OPER_STATES.lowerlayerdown;
  }
  return OPER_STATES.up;
}

function urgent(l: LinkRecord): boolean {
  return (l.flags & IFF.up) !== 0 && (iflink(l) !== l.index || l.carrier);
}

/**
 * Runs the simulated linkwatch: each queued link gets its operational
 * state, and a `RTM_NEWLINK` when it is up (after the `NETDEV_CHANGE`
 * notifiers); urgent links first, in the order they were queued.
 */
export function runLinkwatch(s: RtnlState, o: Origin): void {
  for (;;) {
    let i = s.linkwatch.findIndex(urgent);
    if (i < 0) i = s.linkwatch.length > 0 ? 0 : -1;
    if (i < 0) return;
    const l = s.linkwatch.splice(i, 1)[0]!;
    l.linkwatch = false;
    if (!l.registered || !s.links.has(l.index)) continue;
    l.operstate = defaultOperstate(s, l);
    if (l.flags & IFF.up) {
      deviceEvent(s, l, "change", o);
      newlink(s, l, 0, o);
    }
  }
}

// ---- bridges ----

function ports(s: RtnlState, br: LinkRecord): LinkRecord[] {
  return s.sortedLinks().filter((l) =>
    l.master === br.index && l.portState !== undefined
  );
}

/** `br_port_state_selection` without STP: the bridge has carrier when a port forwards. */
function bridgeCarrier(s: RtnlState, br: LinkRecord): void {
  setCarrier(
    s,
    br,
    ports(s, br).some((p) => p.portState === BR_FORWARDING),
  );
}

function enablePort(s: RtnlState, p: LinkRecord, o: Origin): void {
  const br = s.links.get(p.master)!;
  p.portState = BR_FORWARDING; // no STP: straight to forwarding
  portMessage(s, p, o);
  bridgeCarrier(s, br);
  portMessage(s, p, o);
}

function disablePort(s: RtnlState, p: LinkRecord, o: Origin): void {
  const br = s.links.get(p.master)!;
  p.portState = BR_DISABLED;
  portMessage(s, p, o);
  bridgeCarrier(s, br);
}

function portUsable(p: LinkRecord): boolean {
  return (p.flags & IFF.up) !== 0 && operUp(p.operstate);
}

/** The bridge's address: the smallest of its ports' unless set by the user; none without ports. */
function bridgeAddress(s: RtnlState, br: LinkRecord, o: Origin): void {
  if (br.addressSet) return;
  const list = ports(s, br).map((p) => p.address).sort();
  const want = list[0] ?? "00:00:00:00:00:00";
  if (want === br.address) return;
  br.address = want;
  newlink(s, br, 0, o); // NETDEV_CHANGEADDR
}

/**
 * The notifier chain for an event on `l` (`br_device_event` for a bridge
 * port; the FIB for IPv4 routes).
 */
export function deviceEvent(
  s: RtnlState,
  l: LinkRecord,
  event: "up" | "down" | "change" | "changeaddr",
  o: Origin,
): void {
  const br = l.portState === undefined ? undefined : s.links.get(l.master);
  if (br !== undefined) {
    const brUp = (br.flags & IFF.up) !== 0;
    let notified = false;
    if (event === "up" && brUp && portUsable(l)) {
      enablePort(s, l, o);
      notified = true;
    } else if (event === "down" && brUp) {
      disablePort(s, l, o);
      notified = true;
    } else if (event === "change" && brUp) {
      if (portUsable(l) && l.portState === BR_DISABLED) {
        enablePort(s, l, o);
        notified = true;
      } else if (!portUsable(l) && l.portState !== BR_DISABLED) {
        disablePort(s, l, o);
        notified = true;
      }
    } else if (event === "changeaddr") bridgeAddress(s, br, o);
    if (!notified && event !== "down") portMessage(s, l, o);
  }
  if (event === "change") {
    // Stacked links (macvlan, vlan) follow their lower link's carrier.
    for (const x of s.links.values()) {
      if (x.parent === l.index && STACKED.has(x.kind)) {
        setCarrier(s, x, l.carrier && operUp(l.operstate));
      }
    }
  }
  if (event === "up") addKernelRoutes(s, l, o);
  if (event === "down") flushDownRoutes(s, l, o);
}

/** Kinds whose carrier follows their lower link (`netif_stacked_transfer_operstate`). */
export const STACKED: ReadonlySet<string> = new Set([
  "macvlan",
  "vlan",
  "ipvlan",
  "macvtap",
]);

/** Makes `p` a port of the bridge `br` (`br_add_if`). */
export function addPort(
  s: RtnlState,
  br: LinkRecord,
  p: LinkRecord,
  o: Origin,
): void {
  p.master = br.index;
  p.portState = BR_DISABLED;
  newlink(s, p, 0, o); // NETDEV_CHANGEUPPER
  p.promiscuity++;
  newlink(s, p, IFF.promisc, o);
  newlink(s, br, 0, o, EVENT_FEATURES);
  if ((br.flags & IFF.up) !== 0 && portUsable(p)) enablePort(s, p, o);
  portMessage(s, p, o);
  bridgeCarrier(s, br);
  bridgeAddress(s, br, o);
}

/** Takes `p` out of its bridge (`del_nbp`); `detach` also recomputes the bridge (`br_del_if`). */
export function removePort(
  s: RtnlState,
  p: LinkRecord,
  o: Origin,
  detach = true,
): void {
  const br = s.links.get(p.master);
  if (br === undefined || p.portState === undefined) {
    p.master = 0;
    p.portState = undefined;
    return;
  }
  p.promiscuity = Math.max(0, p.promiscuity - 1);
  newlink(s, p, IFF.promisc, o);
  disablePort(s, p, o);
  portMessage(s, p, o, true);
  p.master = 0;
  p.portState = undefined;
  newlink(s, p, 0, o); // NETDEV_CHANGEUPPER
  bridgeCarrier(s, br);
  if (detach && br.registered) {
    bridgeAddress(s, br, o);
    newlink(s, br, 0, o, EVENT_FEATURES);
  }
}

// ---- open and close ----

/** What the driver does when the link opens (`ndo_open`). */
function driverOpen(s: RtnlState, l: LinkRecord, o: Origin): void {
  if (l.kind === "veth") {
    const peer = s.links.get(l.peer);
    if (peer !== undefined && peer.flags & IFF.up) {
      setCarrier(s, l, true);
      setCarrier(s, peer, true);
    }
  } else if (l.kind === "bridge") {
    for (const p of ports(s, l)) {
      if (portUsable(p)) enablePort(s, p, o);
    }
  }
}

/** What the driver does when the link closes (`ndo_stop`). */
function driverStop(s: RtnlState, l: LinkRecord, o: Origin): void {
  if (l.kind === "veth") {
    setCarrier(s, l, false);
    const peer = s.links.get(l.peer);
    if (peer !== undefined) setCarrier(s, peer, false);
  } else if (l.kind === "bridge") {
    for (const p of ports(s, l)) {
      if (p.portState !== BR_DISABLED) disablePort(s, p, o);
    }
  }
}

/** Brings a link up (`dev_open` and its notifications). */
export function open(
  s: RtnlState,
  l: LinkRecord,
  o: Origin,
  change: number = IFF.up,
  caused = false,
): void {
  if (l.flags & IFF.up) return;
  l.flags |= IFF.up;
  driverOpen(s, l, o);
  newlink(s, l, change, o, undefined, caused);
  deviceEvent(s, l, "up", o);
}

/** Takes a link down (`dev_close` and its notifications). */
export function close(s: RtnlState, l: LinkRecord, o: Origin): void {
  if (!(l.flags & IFF.up)) return;
  driverStop(s, l, o);
  l.flags &= ~IFF.up;
  newlink(s, l, IFF.up, o);
  deviceEvent(s, l, "down", o);
}

/**
 * Unregisters links as one batch (`unregister_netdevice_many`): closes the
 * ones that are up (`RTM_NEWLINK` with change `IFF_UP | IFF_RUNNING`), then
 * per link lets the bridge and IPv4 forget it (`onUnregister`) and sends
 * `RTM_DELLINK`.
 */
export function unregister(
  s: RtnlState,
  batch: LinkRecord[],
  o: Origin,
  onUnregister: (l: LinkRecord) => void,
): void {
  const up = batch.filter((l) => l.flags & IFF.up);
  for (const l of up) driverStop(s, l, o);
  for (const l of up) {
    l.flags &= ~IFF.up;
    newlink(s, l, CLOSE_CHANGE, o);
    deviceEvent(s, l, "down", o);
  }
  for (const l of batch) {
    l.registered = false;
    if (l.portState !== undefined) removePort(s, l, o);
    for (const x of s.links.values()) {
      if (x.parent === l.index && x !== l) x.parent = 0;
    }
    onUnregister(l);
    s.links.delete(l.index);
    s.linkwatch = s.linkwatch.filter((x) => x !== l);
    send(o, GROUP_LINK, linkMessage(s, l, true, 0xffffffff), false);
  }
}
