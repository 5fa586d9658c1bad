/**
 * A reader for nlmon captures: pcap files with link type `LINKTYPE_NETLINK`
 * (253), as written by `tcpdump -i nlmon0 -w file.pcap`.
 *
 * @module
 */

/**
 * `LINKTYPE_NETLINK`: Linux netlink capture encapsulation (the nlmon device).
 *
 * @example Using const
 * ```ts
 * import { LINKTYPE_NETLINK } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LINKTYPE_NETLINK, 253);
 * ```
 */
export const LINKTYPE_NETLINK = 253;

/** The 16-byte pseudo-header before each captured netlink datagram. */
const COOKED_HEADER_LENGTH = 16;

/**
 * One captured netlink datagram.
 *
 * @example The fields of a packet read from a capture
 * ```ts
 * import { type PcapPacket, readPcap } from "@nlkit/netlink/nltest";
 * import { Family, HeaderType } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * // A pcap file holding one NLMSG_DONE of NETLINK_ROUTE, built in memory.
 * const file = new Uint8Array(24 + 16 + 16 + 20);
 * const v = new DataView(file.buffer);
 * v.setUint32(0, 0xa1b2c3d4, true); // pcap magic: little-endian, microseconds
 * v.setUint32(20, 253, true); // LINKTYPE_NETLINK
 * v.setUint32(24, 1700000000, true); // seconds
 * v.setUint32(28, 500, true); // microseconds
 * v.setUint32(32, 36, true); // captured length
 * v.setUint32(36, 36, true); // original length
 * v.setUint16(40, 4); // PACKET_OUTGOING
 * v.setUint16(54, Family.Route); // the netlink protocol
 * v.setUint32(56, 20, true); // nlmsg_len
 * v.setUint16(60, HeaderType.Done, true); // nlmsg_type
 * const packets: PcapPacket[] = readPcap(file);
 * assert.deepEqual(packets.map((p) => [p.family, p.packetType, p.originalLength, p.timestamp]), [[Family.Route, 4, 20, 1700000000000.5]]);
 * assert.equal(new DataView(packets[0]!.data.buffer).getUint16(4, true), HeaderType.Done);
 * ```
 */
export interface PcapPacket {
  /** Capture time in milliseconds since the epoch (microsecond or nanosecond precision kept as a fraction). */
  timestamp: number;
  /** The netlink protocol (`Family.Route`, `Family.Generic`...), from the pseudo-header. */
  family: number;
  /** The `PACKET_*` type from the pseudo-header (nlmon marks every datagram 4, outgoing). */
  packetType: number;
  /** The datagram: netlink messages. */
  data: Uint8Array;
  /** The datagram's length on the wire (larger than `data` when the capture was cut). */
  originalLength: number;
}

/**
 * Reads every netlink datagram of an nlmon pcap capture (classic pcap, either
 * byte order, micro- or nanosecond timestamps).
 *
 * @param bytes The whole file.
 * @returns The packets in capture order.
 * @throws {RangeError} If the file is not a pcap of link type 253, or a record is cut short.
 *
 * @example Read a capture built in memory
 * ```ts
 * import { readPcap } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const file = new Uint8Array(24 + 16 + 16 + 20);
 * const v = new DataView(file.buffer);
 * v.setUint32(0, 0xa1b2c3d4, true); // magic, little-endian, microseconds
 * v.setUint16(4, 2, true);
 * v.setUint16(6, 4, true);
 * v.setUint32(16, 65535, true); // snaplen
 * v.setUint32(20, 253, true); // LINKTYPE_NETLINK
 * v.setUint32(24, 1700000000, true); // seconds
 * v.setUint32(32, 36, true); // captured length
 * v.setUint32(36, 36, true); // original length
 * v.setUint16(40, 4); // PACKET_OUTGOING (big-endian pseudo-header)
 * v.setUint16(42, 824); // ARPHRD_NETLINK
 * v.setUint16(54, 0); // NETLINK_ROUTE
 * v.setUint32(56, 20, true); // nlmsg_len of an empty NLMSG_DONE
 * v.setUint16(60, 3, true);
 * const [p] = readPcap(file);
 * assert.equal(p?.family, 0);
 * assert.equal(p?.data.length, 20);
 * assert.equal(p?.timestamp, 1700000000000);
 * ```
 */
export function readPcap(bytes: Uint8Array): PcapPacket[] {
  if (bytes.length < 24) {
    throw new RangeError(
      `Cannot read pcap: ${bytes.length} bytes is shorter than the 24-byte file header`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(0, true);
  let le: boolean;
  let nano: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
    le = true;
    nano = magic === 0xa1b23c4d;
  } else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
    le = false;
    nano = magic === 0x4d3cb2a1;
  } else {
    throw new RangeError(
      `Cannot read pcap: magic 0x${
        magic.toString(16)
      } is not a pcap file (pcapng is not supported)`,
    );
  }
  const linkType = v.getUint32(20, le) & 0x0fffffff;
  if (linkType !== LINKTYPE_NETLINK) {
    throw new RangeError(
      `Cannot read pcap: link type ${linkType} is not LINKTYPE_NETLINK (253)`,
    );
  }
  const out: PcapPacket[] = [];
  for (let pos = 24; pos < bytes.length;) {
    if (bytes.length - pos < 16) {
      throw new RangeError(
        `Cannot read pcap: record header cut short at offset ${pos}`,
      );
    }
    const sec = v.getUint32(pos, le);
    const frac = v.getUint32(pos + 4, le);
    const incl = v.getUint32(pos + 8, le);
    const orig = v.getUint32(pos + 12, le);
    pos += 16;
    if (incl > bytes.length - pos) {
      throw new RangeError(
        `Cannot read pcap: record of ${incl} bytes exceeds the ${
          bytes.length - pos
        } bytes left at offset ${pos}`,
      );
    }
    if (orig < incl) {
      throw new RangeError(
        `Cannot read pcap: original length ${orig} is less than the ${incl} bytes captured at offset ${
          pos - 4
        }`,
      );
    }
    if (incl < COOKED_HEADER_LENGTH) {
      throw new RangeError(
        `Cannot read pcap: record of ${incl} bytes is shorter than the 16-byte netlink pseudo-header at offset ${pos}`,
      );
    }
    out.push({
      timestamp: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      // The pseudo-header (like LINKTYPE_LINUX_SLL) is big-endian.
      packetType: v.getUint16(pos, false),
      family: v.getUint16(pos + 14, false),
      data: bytes.slice(pos + COOKED_HEADER_LENGTH, pos + incl),
      originalLength: orig - COOKED_HEADER_LENGTH,
    });
    pos += incl;
  }
  return out;
}
