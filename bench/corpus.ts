/**
 * Named benchmark cases for the pure netlink core. Each case's `run`
 * returns its result so the work cannot be optimised away; `ops` is the
 * number of items (messages) one run processes, for per-item figures.
 *
 * Sizes follow mdlayher's bench_test.go: messages with 0, 1, 8, 64 and 512
 * attributes. The stream cases parse a dump of 10,000 route-like messages
 * split into 32 KiB datagrams, as the kernel sends a dump.
 *
 * @module
 */

import {
  AttributeDecoder,
  AttributeEncoder,
  decodeMessage,
  encodeMessage,
  encodeMessages,
  HeaderFlags,
  HeaderType,
  type Message,
  type MessageView,
  parseMessages,
} from "../src/netlink/mod.ts";
import { visitDatagram } from "../src/netlink/message.ts";

/** One benchmark. */
export interface BenchCase {
  /** `area/operation/size`, such as `netlink/encodeMessage/64-attrs`. */
  name: string;
  /** Items processed per run (1 unless the case walks a stream). */
  ops: number;
  /**
   * Does the work once and returns a result that depends on all of it (for
   * an `async` case, a promise of it: each call is awaited).
   */
  run: () => unknown;
  /** `run` returns a promise: time and measure it awaited, one call at a time. */
  async?: true;
}

const SIZES = [0, 1, 8, 64, 512];
const BIGS = Array.from({ length: 512 }, (_, i) => BigInt(i) * 0x1_0000_0001n);
const NAMES = ["eth0", "wlan0", "veth1234abcd", "br-lan"];

/** A realistic mix: u32, string, u16 and u64 attributes in turn. */
function writeAttributes(e: AttributeEncoder, n: number): AttributeEncoder {
  for (let i = 0; i < n; i++) {
    const type = 1 + (i % 200);
    switch (i & 3) {
      case 0:
        e.uint32(type, i * 7919);
        break;
      case 1:
        e.string(type, NAMES[i & 3]!);
        break;
      case 2:
        e.uint16(type, i);
        break;
      default:
        e.uint64(type, BIGS[i]!);
    }
  }
  return e;
}

/** Reads every attribute by the same mix; returns a checksum. */
function readAttributes(d: AttributeDecoder): number {
  let acc = 0;
  let i = 0;
  while (d.next()) {
    switch (i++ & 3) {
      case 0:
        acc += d.uint32();
        break;
      case 1:
        acc += d.string().length;
        break;
      case 2:
        acc += d.uint16();
        break;
      default:
        acc += Number(d.uint64() & 0xffn);
    }
  }
  return acc;
}

const GENL_HEADER = new Uint8Array([3, 1, 0, 0]);

function header(sequence: number) {
  return {
    length: 0,
    type: 0x1c,
    flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
    sequence,
    pid: 0,
  };
}

const messageCases: BenchCase[] = SIZES.flatMap((n): BenchCase[] => {
  const encoded = encodeMessage({
    header: header(1),
    data: writeAttributes(new AttributeEncoder().raw(GENL_HEADER), n).encode(),
  });
  const reused = new AttributeEncoder();
  return [
    {
      name: `netlink/encodeMessage/${n}-attrs`,
      ops: 1,
      run: () =>
        encodeMessage({
          header: header(1),
          data: writeAttributes(new AttributeEncoder().raw(GENL_HEADER), n)
            .encode(),
        }),
    },
    {
      name: `netlink/encodeMessage/${n}-attrs/reused-encoder-view`,
      ops: 1,
      run: () =>
        encodeMessage({
          header: header(1),
          data: writeAttributes(reused.reset().raw(GENL_HEADER), n).view(),
        }),
    },
    {
      name: `netlink/decodeMessage/${n}-attrs`,
      ops: 1,
      run: () => {
        const m = decodeMessage(encoded);
        return readAttributes(new AttributeDecoder(m.data, 4));
      },
    },
  ];
});

// A dump of route-like messages: rtmsg (12 bytes), then RTA_TABLE, RTA_DST,
// RTA_PRIORITY, RTA_OIF and RTA_GATEWAY; 68 bytes each, as RTM_NEWROUTE.
const RTA = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, TABLE: 15 } as const;
const STREAM_MESSAGES = 10_000;
/** The kernel fills dump datagrams up to about 32 KiB (its default dump skb size). */
const DATAGRAM_BYTES = 32 * 1024;

function buildStream(): Uint8Array[] {
  const rtmsg = new Uint8Array([2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]);
  const messages: Message[] = [];
  for (let i = 0; i < STREAM_MESSAGES; i++) {
    const data = new AttributeEncoder().raw(rtmsg)
      .uint32(RTA.TABLE, 254)
      .bytes(RTA.DST, new Uint8Array([10, (i >> 8) & 255, i & 255, 0]))
      .uint32(RTA.PRIORITY, 100 + (i % 7))
      .uint32(RTA.OIF, 1 + (i % 16))
      .bytes(RTA.GATEWAY, new Uint8Array([192, 168, 0, 1]))
      .encode();
    messages.push({
      header: {
        length: 0,
        type: 24,
        flags: HeaderFlags.Multi,
        sequence: 7,
        pid: 4242,
      },
      data,
    });
  }
  messages.push({
    header: {
      length: 0,
      type: HeaderType.Done,
      flags: HeaderFlags.Multi,
      sequence: 7,
      pid: 4242,
    },
    data: new Uint8Array(4),
  });
  const datagrams: Uint8Array[] = [];
  let batch: Message[] = [];
  let size = 0;
  for (const m of messages) {
    const n = 16 + m.data.length;
    if (size + n > DATAGRAM_BYTES) {
      datagrams.push(encodeMessages(batch));
      batch = [];
      size = 0;
    }
    batch.push(m);
    size += n;
  }
  datagrams.push(encodeMessages(batch));
  return datagrams;
}

const STREAM = buildStream();

/** What a route dump decodes into. */
interface Route {
  table: number;
  oif: number;
  priority: number;
  dst: number;
}

function decodeRoute(d: AttributeDecoder): Route {
  const r: Route = { table: 0, oif: 0, priority: 0, dst: 0 };
  while (d.next()) {
    switch (d.type) {
      case RTA.TABLE:
        r.table = d.uint32();
        break;
      case RTA.OIF:
        r.oif = d.uint32();
        break;
      case RTA.PRIORITY:
        r.priority = d.uint32();
        break;
      case RTA.DST:
        r.dst = d.uint32("big");
        break;
    }
  }
  return r;
}

function newView(): MessageView {
  return {
    header: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
    bytes: new Uint8Array(0),
    offset: 0,
    length: 0,
  };
}

const streamCases: BenchCase[] = [
  {
    name: "stream/parseMessages/10k-msgs",
    ops: STREAM_MESSAGES,
    run: () => {
      let acc = 0;
      for (const dg of STREAM) {
        for (const m of parseMessages(dg)) acc += m.header.type + m.data.length;
      }
      return acc;
    },
  },
  {
    name: "stream/visitDatagram/10k-msgs",
    ops: STREAM_MESSAGES,
    run: () => {
      let acc = 0;
      const view = newView();
      const fn = (v: MessageView) => {
        acc += v.header.type + v.length;
      };
      for (const dg of STREAM) visitDatagram(dg, dg.length, view, fn);
      return acc;
    },
  },
  {
    name: "stream/parseMessages+decode/10k-routes",
    ops: STREAM_MESSAGES,
    run: () => {
      const routes: Route[] = [];
      for (const dg of STREAM) {
        for (const m of parseMessages(dg)) {
          if (m.header.type === 24) {
            routes.push(decodeRoute(new AttributeDecoder(m.data, 12)));
          }
        }
      }
      return routes;
    },
  },
  {
    name: "stream/visitDatagram+decode/10k-routes",
    ops: STREAM_MESSAGES,
    run: () => {
      const routes: Route[] = [];
      const view = newView();
      const d = new AttributeDecoder(new Uint8Array(0));
      const fn = (v: MessageView) => {
        if (v.header.type === 24) {
          routes.push(
            decodeRoute(d.reset(v.bytes, v.offset + 12, v.length - 12)),
          );
        }
      };
      for (const dg of STREAM) visitDatagram(dg, dg.length, view, fn);
      return routes;
    },
  },
];

/** Every benchmark case, in the order they run. */
export const cases: BenchCase[] = [...messageCases, ...streamCases];
