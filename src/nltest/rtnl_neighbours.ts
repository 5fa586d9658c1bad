/**
 * rtnetlink neighbour requests (`RTM_NEWNEIGH`, `RTM_DELNEIGH`,
 * `RTM_GETNEIGH`) of the simulated kernel: a neighbour table per family,
 * decoded with the generated rt-neigh codec. Entries change only by
 * request (no ARP or neighbour discovery runs here).
 *
 * @module
 */

import {
  delneigh,
  getneigh,
  type Ndmsg,
  type NeighbourAttrs,
  newneigh,
  NtfFlags,
  NudState,
} from "../families/rt_neigh.ts";
import { Errno } from "../netlink/errno.ts";
import type { Message } from "../netlink/message.ts";
import type { HandlerResult } from "./kernel_handler.ts";
import { neighbourMessage } from "./rtnl_encode.ts";
import { flagsOf, request } from "./rtnl_request.ts";
import {
  AF,
  fail,
  type NeighbourRecord,
  type Origin,
  type RtnlState,
  send,
} from "./rtnl_state.ts";

/** `RTNLGRP_NEIGH`, from the rt-neigh spec. */
function group(): number {
  return newneigh.family.groups.find((g) => g.name === "rtnlgrp-neigh")!.value!;
}

function bits(
  names: readonly (string | number)[] | undefined,
  table: Readonly<Record<string, number>>,
): number {
  let n = 0;
  for (const f of names ?? []) {
    n |= typeof f === "number" ? f : table[f] ?? 0;
  }
  return n >>> 0;
}

function args(m: Message, op: typeof newneigh | typeof delneigh) {
  const v: Partial<Ndmsg> & NeighbourAttrs = request(op, m);
  const family = v.ndmFamily ?? 0;
  if (family !== AF.inet && family !== AF.inet6) throw fail(Errno.EAFNOSUPPORT);
  if (v.dst === undefined) {
    throw fail(Errno.EINVAL, "Network address not specified");
  }
  if (v.dst.includes(":") !== (family === AF.inet6)) {
    throw fail(Errno.EINVAL, "Invalid network address");
  }
  return { v, family, index: v.ndmIfindex ?? 0 };
}

/**
 * `RTM_NEWNEIGH`: add or change an entry.
 *
 * @internal
 */
export function newNeighbour(s: RtnlState, m: Message, o: Origin): Message[] {
  const { v, family, index } = args(m, newneigh);
  if (!s.links.get(index)) throw fail(Errno.ENODEV);
  const f = flagsOf(m);
  const existing = s.neighbours.find((n) =>
    n.family === family && n.index === index && n.dst === v.dst
  );
  const state = bits(v.ndmState, NudState) || NudState.permanent;
  const flags = bits(v.ndmFlags, NtfFlags);
  if (existing !== undefined) {
    if (f.excl) throw fail(Errno.EEXIST);
    if (
      !f.replace && existing.lladdr !== undefined && v.lladdr !== undefined &&
      existing.lladdr !== v.lladdr
    ) {
      throw fail(Errno.EEXIST);
    }
    existing.lladdr = v.lladdr ?? existing.lladdr;
    existing.state = state;
    existing.flags = flags;
    send(o, group(), neighbourMessage(existing, false), true);
    return [];
  }
  if (!f.create) throw fail(Errno.ENOENT);
  const n: NeighbourRecord = {
    family,
    index,
    dst: v.dst!,
    lladdr: v.lladdr,
    state,
    flags,
  };
  s.neighbours.push(n);
  send(o, group(), neighbourMessage(n, false), true);
  return [];
}

/**
 * `RTM_DELNEIGH`: remove an entry.
 *
 * @internal
 */
export function delNeighbour(s: RtnlState, m: Message, o: Origin): Message[] {
  const { v, family, index } = args(m, delneigh);
  if (!s.links.get(index)) throw fail(Errno.ENODEV);
  const i = s.neighbours.findIndex((n) =>
    n.family === family && n.index === index && n.dst === v.dst
  );
  if (i < 0) throw fail(Errno.ENOENT);
  const [n] = s.neighbours.splice(i, 1);
  send(o, group(), neighbourMessage(n!, true), true);
  return [];
}

/**
 * `RTM_GETNEIGH` dump: IPv4 then IPv6, each by link, in insertion order.
 *
 * @internal
 */
export function dumpNeighbours(s: RtnlState, m: Message): HandlerResult {
  const v: Partial<Ndmsg> & NeighbourAttrs = m.data.length >= 12
    ? request(getneigh, m)
    : {};
  const family = m.data[0] ?? 0;
  const list = s.neighbours.map((n, i) => ({ n, i })).filter(({ n }) =>
    (family === 0 || n.family === family) &&
    (v.ifindex === undefined || n.index === v.ifindex)
  ).sort((a, b) =>
    a.n.family - b.n.family || a.n.index - b.n.index || a.i - b.i
  );
  return { dump: list.map(({ n }) => neighbourMessage(n, false)) };
}
