/**
 * Benchmark cases for the generated families (pure core, no I/O), in the
 * form of bench/corpus.ts (`BenchCase`: `run` returns its result, `ops`
 * items per run), for bench/run.ts to time and measure bytes per item.
 *
 * The data is a route dump as the kernel sends it for `ip route` over
 * 10,000 IPv4 routes (rtmsg, table, priority, dst, gateway, oif), cut into
 * 32 KiB datagrams, and a link dump of 1,000 veth-like links (ifinfomsg
 * and 30 attributes: names, counters, stats64, linkinfo), each encoded
 * with the generated codec. Reference: the table-driven decoder (what
 * every other operation decodes with) over the same bytes, the measure
 * that decided to generate specialised decoders for these dumps (STYLE
 * §3.11). The C client is the reference on the real kernel:
 * bench/real_kernel/families_bench.ts.
 *
 * `1k-links-6.18` are the same links with what Linux 6.18 adds to a veth
 * (three attributes the spec does not know, an IPv6 token): four small
 * binary copies per link, the case the copies' slab is for.
 *
 * The `…/sim` cases run a typed operation end to end through a `Conn` (or
 * `GenlConn`) over the simulated kernel (nltest), awaited one call at a
 * time, a fresh request object per call: encode, send, the kernel's ACK or
 * reply, decode. Their bytes per op are what the client side allocates
 * (plus the simulated kernel's own, the same before and after a change);
 * `netlink/execute/ack/sim` is the floor (a header-only NOOP). The
 * `….visit/…/sim` cases decode a whole dump through the operation (one
 * decoding scope per dump) over the same simulated connection.
 *
 * @module
 */

import {
  encodeMessages,
  HeaderFlags,
  type Message,
  type MessageView,
  parseMessages,
} from "../src/netlink/mod.ts";
import { visitDatagram } from "../src/netlink/message.ts";
import { getroute, newroute } from "../src/families/rt_route.ts";
import { getlink, newlink } from "../src/families/rt_link.ts";
import { linkinfoGet } from "../src/families/ethtool.ts";
import { dial, ethtool, multipart } from "../src/nltest/mod.ts";
import { decodeBody } from "../src/families/_codec.ts";
import { compiled } from "../src/families/family.ts";
import type { BenchCase } from "./corpus.ts";

const DATAGRAM = 32768;

/** The table-driven decoder of an operation's replies (its specialised one bypassed). */
function tableDriven(
  op: typeof getroute | typeof getlink,
): (v: MessageView) => unknown {
  const rt = compiled(op.family).ops.get(op.specName)!;
  return (v) => decodeBody(rt.header, rt.set, v.bytes, v.offset, v.length);
}

function datagrams(messages: Message[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let batch: Message[] = [];
  let size = 0;
  for (const m of messages) {
    const n = 16 + ((m.data.length + 3) & ~3);
    if (size + n > DATAGRAM && batch.length > 0) {
      out.push(encodeMessages(batch));
      batch = [];
      size = 0;
    }
    batch.push(m);
    size += n;
  }
  out.push(encodeMessages(batch));
  return out;
}

const multi = { dump: true, flags: HeaderFlags.Multi };

/** 10,000 routes 10.x.y.0/24 via 10.0.0.2 dev 2 metric 100, as `ip route add` makes them. */
export const ROUTES: Uint8Array[] = datagrams(
  Array.from({ length: 10000 }, (_, i) =>
    getroute.encodeReply({
      rtmFamily: 2,
      rtmDstLen: 24,
      rtmTable: 254,
      rtmProtocol: 3,
      rtmScope: 0,
      rtmType: "unicast",
      table: 254,
      priority: 100,
      dst: `10.${1 + (i >> 8)}.${i & 255}.0`,
      gateway: "10.0.0.2",
      oif: 2,
    }, multi)),
);

/** 1,000 veth-like links with the attributes a 6.x kernel sends most. */
export const LINKS: Uint8Array[] = datagrams(
  Array.from({ length: 1000 }, (_, i) =>
    getlink.encodeReply({
      ifiFamily: 0,
      ifiType: 1,
      ifiIndex: i + 2,
      ifiFlags: ["broadcast", "multicast"],
      ifname: `va${i}`,
      txqlen: 1000,
      operstate: 2,
      linkmode: 0,
      mtu: 1500,
      minMtu: 68,
      maxMtu: 65535,
      group: 0,
      promiscuity: 0,
      allmulti: 0,
      numTxQueues: 1,
      gsoMaxSegs: 65535,
      gsoMaxSize: 65536,
      groMaxSize: 65536,
      numRxQueues: 1,
      carrier: 0,
      qdisc: "noop",
      carrierChanges: 1,
      carrierUpCount: 0,
      carrierDownCount: 1,
      protoDown: 0,
      address: "02:00:00:00:00:01",
      broadcast: "ff:ff:ff:ff:ff:ff",
      link: i + 3,
      linkinfo: { kind: "veth" },
      stats64: {
        rxPackets: 0n,
        txPackets: 0n,
        rxBytes: 0n,
        txBytes: 0n,
        rxErrors: 0n,
        txErrors: 0n,
        rxDropped: 0n,
        txDropped: 0n,
        multicast: 0n,
        collisions: 0n,
        rxLengthErrors: 0n,
        rxOverErrors: 0n,
        rxCrcErrors: 0n,
        rxFrameErrors: 0n,
        rxFifoErrors: 0n,
        rxMissedErrors: 0n,
        txAbortedErrors: 0n,
        txCarrierErrors: 0n,
        txFifoErrors: 0n,
        txHeartbeatErrors: 0n,
        txWindowErrors: 0n,
        rxCompressed: 0n,
        txCompressed: 0n,
        rxNohandler: 0n,
        rxOtherhostDropped: 0n,
      },
    }, multi)),
);

/** {@linkcode LINKS} as Linux 6.18 sends them: unknown attributes 68, 69 and 62 (nested, empty), an IPv6 token. */
export const LINKS_618: Uint8Array[] = datagrams(
  Array.from({ length: 1000 }, (_, i) =>
    getlink.encodeReply({
      ifiFamily: 0,
      ifiType: 1,
      ifiIndex: i + 2,
      ifiFlags: ["broadcast", "multicast"],
      ifname: `va${i}`,
      mtu: 1500,
      qdisc: "noop",
      address: "02:00:00:00:00:01",
      broadcast: "ff:ff:ff:ff:ff:ff",
      link: i + 3,
      linkinfo: { kind: "veth" },
      afSpec: { inet6: { token: new Uint8Array(16) } },
      unknownAttributes: [
        { type: 68, data: new Uint8Array([1, 0]) },
        { type: 69, data: new Uint8Array([0, 0]) },
        { type: 62 | 0x8000, data: new Uint8Array(0) },
      ],
    }, multi)),
);

function newView(): MessageView {
  return {
    header: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
    bytes: new Uint8Array(0),
    offset: 0,
    length: 0,
  };
}

/** Decodes every message of `dgs` of type `type` with `fn(view)`, the way `Conn.visit` hands them out. */
function visitAll<T>(
  dgs: Uint8Array[],
  type: number,
  fn: (v: MessageView) => T,
): T[] {
  const out: T[] = [];
  const view = newView();
  const visit = (v: MessageView): void => {
    if (v.header.type === type) out.push(fn(v));
  };
  for (const dg of dgs) visitDatagram(dg, dg.length, view, visit);
  return out;
}

// Connections over the simulated kernel for the `…/sim` cases: one that
// answers every request with its ACK only, and the ethtool simulator.
const ackConn = dial(() => []);
// Kernels that answer every dump with the corpus's messages (the simulated
// kernel re-encodes them per dump: the same cost before and after a change).
const replies = (dgs: Uint8Array[]): Message[] =>
  multipart(dgs.flatMap((d) => [...parseMessages(d)]));
const LINK_REPLIES = replies(LINKS_618);
const ROUTE_REPLIES = replies(ROUTES);
const linkConn = dial(() => LINK_REPLIES);
const routeConn = dial(() => ROUTE_REPLIES);
const ethtoolConn = ethtool.dial({ devices: [{ name: "veth0" }] });
const ACK_FLAGS = HeaderFlags.Request | HeaderFlags.Acknowledge;

/** The families cases. */
export const cases: BenchCase[] = [
  {
    name: "families/getroute.decodeView/10k-routes",
    ops: 10000,
    run: () => visitAll(ROUTES, 24, (v) => getroute.decodeView(v)),
  },
  {
    name: "families/getroute.decode/10k-routes (parseMessages)",
    ops: 10000,
    run: () => {
      const out = [];
      for (const dg of ROUTES) {
        for (const m of parseMessages(dg)) out.push(getroute.decode(m));
      }
      return out;
    },
  },
  {
    name: "reference/table-driven/getroute/10k-routes",
    ops: 10000,
    run: () => visitAll(ROUTES, 24, tableDriven(getroute)),
  },
  {
    name: "families/getlink.decodeView/1k-links",
    ops: 1000,
    run: () => visitAll(LINKS, 16, (v) => getlink.decodeView(v)),
  },
  {
    name: "families/getlink.decodeView/1k-links-6.18",
    ops: 1000,
    run: () => visitAll(LINKS_618, 16, (v) => getlink.decodeView(v)),
  },
  {
    name: "reference/table-driven/getlink/1k-links",
    ops: 1000,
    run: () => visitAll(LINKS, 16, tableDriven(getlink)),
  },
  {
    name: "families/newroute.encode/1-route",
    ops: 1,
    run: () =>
      newroute.encode({
        rtmFamily: 2,
        rtmDstLen: 24,
        rtmTable: 254,
        rtmProtocol: 3,
        rtmType: "unicast",
        dst: "192.0.2.0",
        gateway: "10.0.0.2",
        oif: 2,
      }),
  },
  {
    name: "families/getlink.visit/1k-links-6.18/sim",
    ops: 1000,
    async: true,
    run: () => getlink.visit(linkConn, {}, (l) => void l),
  },
  {
    name: "families/getroute.visit/10k-routes/sim",
    ops: 10000,
    async: true,
    run: () => getroute.visit(routeConn, { rtmFamily: 2 }, (r) => void r),
  },
  {
    name: "netlink/execute/ack/sim",
    ops: 1,
    async: true,
    run: () =>
      ackConn.execute({
        header: { length: 0, type: 1, flags: ACK_FLAGS, sequence: 0, pid: 0 },
      }),
  },
  {
    name: "families/newroute.do/sim",
    ops: 1,
    async: true,
    run: () =>
      newroute.do(ackConn, {
        rtmFamily: 2,
        rtmDstLen: 24,
        rtmTable: 254,
        rtmProtocol: 3,
        rtmType: "unicast",
        dst: "192.0.2.0",
        gateway: "10.0.0.2",
        oif: 2,
      }, { create: true, excl: true }),
  },
  {
    name: "families/newlink.do/sim",
    ops: 1,
    async: true,
    run: () =>
      newlink.do(ackConn, {
        ifname: "br0",
        mtu: 1500,
        linkinfo: { kind: "bridge", data: { stpState: 1 } },
      }, { create: true, excl: true }),
  },
  {
    name: "families/linkinfoGet.do/sim",
    ops: 1,
    async: true,
    run: () => linkinfoGet.do(ethtoolConn, { header: { devName: "veth0" } }),
  },
];
