// The sock_diag codecs against hand-annotated bytes (struct layouts from
// linux/inet_diag.h, linux/unix_diag.h, linux/tcp.h; offsets checked with gcc).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AttributeEncoder } from "../../src/netlink/mod.ts";
import {
  decodeInetDiagRequest,
  decodeInetSocket,
  decodeTcpInfo,
  decodeUnixDiagRequest,
  decodeUnixSocket,
  encodeInetDiagRequest,
  encodeInetSocket,
  encodeTcpInfo,
  encodeUnixDiagRequest,
  encodeUnixSocket,
  INET_DIAG_MSG_LENGTH,
  INET_DIAG_REQUEST_LENGTH,
  type InetSocket,
  TCP_INFO_LENGTH,
  UNIX_DIAG_MSG_LENGTH,
  UNIX_DIAG_REQUEST_LENGTH,
  type UnixSocket,
} from "../../src/sockdiag/mod.ts";
import { LITTLE_ENDIAN } from "../netlink/_hex.ts";

const skipBE = LITTLE_ENDIAN ? false : "literal bytes are little-endian";

/**
 * sizeof and offsetof as gcc computes them from this machine's
 * /usr/include/linux headers (Linux 6.1 uapi), printed by a throwaway C
 * program (one printf per field).
 */
// deno-fmt-ignore
const GCC = {
  sizes: { tcp_info: 232, inet_diag_req_v2: 56, inet_diag_msg: 72, unix_diag_req: 24, unix_diag_msg: 16 },
  tcp_info: {
    rto: 8, totalRetrans: 100, pacingRate: 104, maxPacingRate: 112, bytesAcked: 120,
    bytesReceived: 128, segsOut: 136, segsIn: 140, notsentBytes: 144, minRtt: 148,
    dataSegsIn: 152, dataSegsOut: 156, deliveryRate: 160, busyTime: 168, rwndLimited: 176,
    sndbufLimited: 184, delivered: 192, deliveredCe: 196, bytesSent: 200, bytesRetrans: 208,
    dsackDups: 216, reordSeen: 220, rcvOoopack: 224, sndWnd: 228,
  },
  // struct tcp_info with snd_wscale 3, rcv_wscale 12, app_limited 1, fastopen_client_fail 2.
  bitfields: [0xc3, 0x05],
  // struct inet_diag_sockopt with is_icsk, mc_loop, mc_all, defer_connect.
  sockopt: [0x52, 0x04],
};

describe("struct sizes", { skip: skipBE }, () => {
  it("match gcc", () => {
    assert.equal(INET_DIAG_REQUEST_LENGTH, GCC.sizes.inet_diag_req_v2);
    assert.equal(INET_DIAG_MSG_LENGTH, GCC.sizes.inet_diag_msg);
    assert.equal(UNIX_DIAG_REQUEST_LENGTH, GCC.sizes.unix_diag_req);
    assert.equal(UNIX_DIAG_MSG_LENGTH, GCC.sizes.unix_diag_msg);
    assert.equal(TCP_INFO_LENGTH, GCC.sizes.tcp_info);
  });
});

describe("encodeInetDiagRequest()", { skip: skipBE }, () => {
  it("writes struct inet_diag_req_v2 for a dump", () => {
    const b = encodeInetDiagRequest({
      family: 4,
      protocol: 6,
      extensions: 0x0a,
      states: (1 << 1) | (1 << 10),
    }, new AttributeEncoder()).encode();
    // deno-fmt-ignore
    assert.deepEqual([...b], [
      0x02,                   // sdiag_family = AF_INET
      0x06,                   // sdiag_protocol = IPPROTO_TCP
      0x0a,                   // idiag_ext = INET_DIAG_INFO (bit 1) | INET_DIAG_CONG (bit 3)
      0x00,                   // pad (sdiag_raw_protocol)
      0x02, 0x04, 0x00, 0x00, // idiag_states = 1 << TCP_ESTABLISHED | 1 << TCP_LISTEN
      0x00, 0x00,             // id.idiag_sport (big-endian)
      0x00, 0x00,             // id.idiag_dport
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // id.idiag_src
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // id.idiag_dst
      0x00, 0x00, 0x00, 0x00, // id.idiag_if
      0xff, 0xff, 0xff, 0xff, // id.idiag_cookie[0] = INET_DIAG_NOCOOKIE
      0xff, 0xff, 0xff, 0xff, // id.idiag_cookie[1] = INET_DIAG_NOCOOKIE
    ]);
  });

  it("sends MPTCP's 262 as INET_DIAG_REQ_PROTOCOL and its low byte in the struct", () => {
    const b = encodeInetDiagRequest(
      { family: 6, protocol: 262, extensions: 0, states: 0xffffffff },
      new AttributeEncoder(),
    ).encode();
    assert.equal(b.length, 56 + 8);
    assert.equal(b[0], 10); // AF_INET6
    assert.equal(b[1], 262 & 0xff);
    // deno-fmt-ignore
    assert.deepEqual([...b.subarray(56)], [
      0x08, 0x00,             // nla_len = 8
      0x03, 0x00,             // nla_type = INET_DIAG_REQ_PROTOCOL
      0x06, 0x01, 0x00, 0x00, // 262
    ]);
    assert.equal(decodeInetDiagRequest(b, 0, b.length).protocol, 262);
  });

  it("writes a socket id with ports big-endian and the cookie in host order", () => {
    const b = encodeInetDiagRequest({
      family: 6,
      protocol: 6,
      extensions: 0,
      states: 0xffffffff,
      id: {
        localAddress: "2001:db8::1",
        localPort: 443,
        remoteAddress: "::ffff:192.0.2.7",
        remotePort: 50000,
        interface: 3,
        cookie: 0x1_0000_0002n,
      },
    }, new AttributeEncoder()).encode();
    // deno-fmt-ignore
    assert.deepEqual([...b.subarray(8)], [
      0x01, 0xbb,             // idiag_sport = 443
      0xc3, 0x50,             // idiag_dport = 50000
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7,       // ::ffff:192.0.2.7
      0x03, 0x00, 0x00, 0x00, // idiag_if = 3
      0x02, 0x00, 0x00, 0x00, // idiag_cookie[0] = low 32 bits
      0x01, 0x00, 0x00, 0x00, // idiag_cookie[1] = high 32 bits
    ]);
    const r = decodeInetDiagRequest(b, 0, b.length);
    assert.deepEqual(r.id, {
      localAddress: "2001:db8::1",
      localPort: 443,
      remoteAddress: "::ffff:192.0.2.7",
      remotePort: 50000,
      interface: 3,
      cookie: 0x1_0000_0002n,
    });
  });

  it("refuses bad arguments with TypeError", () => {
    const e = new AttributeEncoder();
    const base = { family: 4 as const, protocol: 6, extensions: 0, states: 0 };
    assert.throws(
      () => encodeInetDiagRequest({ ...base, family: 5 as 4 }, e),
      TypeError,
    );
    assert.throws(
      () => encodeInetDiagRequest({ ...base, extensions: 256 }, e),
      TypeError,
    );
    assert.throws(
      () => encodeInetDiagRequest({ ...base, states: -1 }, e),
      TypeError,
    );
    assert.throws(
      () =>
        encodeInetDiagRequest({
          ...base,
          id: {
            localAddress: "10.0.0.300",
            localPort: 1,
            remoteAddress: "0.0.0.0",
            remotePort: 0,
          },
        }, e),
      { name: "TypeError", message: /Cannot parse IPv4 address: "10.0.0.300"/ },
    );
  });
});

// A listening socket 127.0.0.1:5555 as Linux 6.18 sent it (inode and
// cookie from a real dump; attributes as `ext = 0` gets them).
// deno-fmt-ignore
const LISTENER = [
  0x02,                   // idiag_family = AF_INET
  0x0a,                   // idiag_state = TCP_LISTEN
  0x00,                   // idiag_timer
  0x00,                   // idiag_retrans
  0x15, 0xb3,             // id.idiag_sport = 5555
  0x00, 0x00,             // id.idiag_dport = 0
  127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // id.idiag_src = 127.0.0.1
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   // id.idiag_dst = 0.0.0.0
  0x00, 0x00, 0x00, 0x00, // id.idiag_if = 0
  0x04, 0x00, 0x00, 0x00, // id.idiag_cookie[0] = 4
  0x00, 0x00, 0x00, 0x00, // id.idiag_cookie[1]
  0x00, 0x00, 0x00, 0x00, // idiag_expires
  0x00, 0x00, 0x00, 0x00, // idiag_rqueue = 0 (nothing to accept)
  0x80, 0x00, 0x00, 0x00, // idiag_wqueue = 128 (the backlog)
  0x00, 0x00, 0x00, 0x00, // idiag_uid = 0
  0x48, 0x29, 0x02, 0x00, // idiag_inode = 141640
  0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, // INET_DIAG_SHUTDOWN = 0 (+3 padding)
  0x08, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, // INET_DIAG_MARK = 0
  0x0c, 0x00, 0x15, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, // INET_DIAG_CGROUP_ID = 1
  0x06, 0x00, 0x16, 0x00, 0x52, 0x00, 0x00, 0x00, // INET_DIAG_SOCKOPT = is_icsk | mc_loop | mc_all
];

const LISTENER_DECODED: InetSocket = {
  family: 4,
  protocol: "tcp",
  state: "listen",
  localAddress: "127.0.0.1",
  localPort: 5555,
  remoteAddress: "0.0.0.0",
  remotePort: 0,
  interface: 0,
  cookie: 4n,
  timer: 0,
  retransmits: 0,
  expires: 0,
  receiveQueue: 0,
  sendQueue: 128,
  uid: 0,
  inode: 141640,
  shutdown: 0,
  mark: 0,
  cgroupId: 1n,
  sockOpt: {
    recverr: false,
    isIcsk: true,
    freebind: false,
    hdrincl: false,
    mcLoop: true,
    transparent: false,
    mcAll: true,
    nodefrag: false,
    bindAddressNoPort: false,
    recverrRfc4884: false,
    deferConnect: false,
  },
};

describe("decodeInetSocket()", { skip: skipBE }, () => {
  it("decodes a listener with the attributes Linux always sends", () => {
    const b = new Uint8Array(LISTENER);
    assert.deepEqual(decodeInetSocket(b, 0, b.length, "tcp"), LISTENER_DECODED);
  });

  it("decodes in place at an offset (a Conn.visit view)", () => {
    const b = new Uint8Array([0xee, 0xee, 0xee, ...LISTENER, 0xee]);
    assert.deepEqual(
      decodeInetSocket(b, 3, LISTENER.length, "tcp"),
      LISTENER_DECODED,
    );
  });

  it("encodes the same bytes back", () => {
    const b = encodeInetSocket(LISTENER_DECODED, new AttributeEncoder())
      .encode();
    assert.deepEqual([...b], LISTENER);
  });

  it("decodes the struct bits of INET_DIAG_SOCKOPT as gcc lays them out", () => {
    const s = decodeInetSocket(
      encodeInetSocket(
        {
          ...LISTENER_DECODED,
          sockOpt: { ...LISTENER_DECODED.sockOpt!, deferConnect: true },
        },
        new AttributeEncoder(),
      ).encode(),
      0,
      LISTENER.length,
      "tcp",
    );
    assert.equal(s.sockOpt?.deferConnect, true);
    const b = encodeInetSocket(s, new AttributeEncoder()).encode();
    assert.deepEqual([...b.subarray(b.length - 4, b.length - 2)], GCC.sockopt);
  });

  it("decodes tcp_info, the congestion algorithm and memory counters", () => {
    const info = encodeTcpInfo({ rtt: 23, sndCwnd: 10, sndMss: 32768 });
    const e = new AttributeEncoder()
      .raw(new Uint8Array(LISTENER.slice(0, INET_DIAG_MSG_LENGTH)))
      .bytes(
        1,
        new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]),
      )
      .bytes(2, info)
      .string(4, "bbr")
      .bytes(3, new Uint8Array(16).fill(1));
    const b = e.encode();
    const s = decodeInetSocket(b, 0, b.length, "tcp");
    assert.deepEqual(s.memInfo, { rmem: 1, wmem: 2, fmem: 3, tmem: 4 });
    assert.equal(s.tcpInfo?.rtt, 23);
    assert.equal(s.tcpInfo?.sndCwnd, 10);
    assert.equal(s.tcpInfo?.length, 232);
    assert.equal(s.congestion, "bbr");
    assert.deepEqual(s.vegas, {
      enabled: 0x01010101,
      rttCount: 0x01010101,
      rtt: 0x01010101,
      minRtt: 0x01010101,
    });
    // Another protocol's INET_DIAG_INFO is kept as bytes.
    const mptcp = decodeInetSocket(b, 0, b.length, "mptcp");
    assert.equal(mptcp.tcpInfo, undefined);
    assert.equal(mptcp.rawAttributes?.[0]?.type, 2);
    assert.equal(mptcp.rawAttributes?.[0]?.data.length, 232);
  });

  it("names IPv6 addresses in RFC 5952 form", () => {
    const s: InetSocket = {
      ...LISTENER_DECODED,
      family: 6,
      localAddress: "fe80::1:0:0:1",
      remoteAddress: "::ffff:10.1.2.3",
      v6only: false,
    };
    const b = encodeInetSocket(s, new AttributeEncoder()).encode();
    const d = decodeInetSocket(b, 0, b.length, "tcp");
    assert.equal(d.localAddress, "fe80::1:0:0:1");
    assert.equal(d.remoteAddress, "::ffff:10.1.2.3");
    assert.equal(d.v6only, false);
  });

  it("names a state it does not know unknown-N", () => {
    const b = new Uint8Array(LISTENER);
    b[1] = 99;
    assert.equal(decodeInetSocket(b, 0, b.length, "tcp").state, "unknown-99");
  });

  const bad: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
    {
      name: "a struct shorter than 72 bytes",
      bytes: () => new Uint8Array(LISTENER.slice(0, 71)),
      message: /inet_diag_msg: length 71 is less than 72/,
    },
    {
      name: "a family that is not inet",
      bytes: () => {
        const b = new Uint8Array(LISTENER);
        b[0] = 1;
        return b;
      },
      message: /family 1 is neither AF_INET nor AF_INET6/,
    },
    {
      name: "a truncated attribute",
      bytes: () => new Uint8Array(LISTENER.slice(0, LISTENER.length - 4)),
      message: /Cannot decode attribute: length 6 exceeds the 4 bytes left/,
    },
    {
      name: "INET_DIAG_SHUTDOWN of 2 bytes",
      bytes: () =>
        new AttributeEncoder().raw(
          new Uint8Array(LISTENER.slice(0, 72)),
        ).uint16(8, 0).encode(),
      message: /attribute 8 as uint8: length is 2 bytes/,
    },
    {
      name: "INET_DIAG_MEMINFO of 8 bytes",
      bytes: () =>
        new AttributeEncoder().raw(
          new Uint8Array(LISTENER.slice(0, 72)),
        ).bytes(1, new Uint8Array(8)).encode(),
      message: /INET_DIAG_MEMINFO: length 8 is less than 16/,
    },
    {
      name: "a tcp_info of 50 bytes",
      bytes: () =>
        new AttributeEncoder().raw(
          new Uint8Array(LISTENER.slice(0, 72)),
        ).bytes(2, new Uint8Array(50)).encode(),
      message: /tcp_info: length 50 is less than 104/,
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with RangeError`, () => {
      const b = c.bytes();
      assert.throws(
        () => decodeInetSocket(b, 0, b.length, "tcp"),
        (e: unknown) => e instanceof RangeError && c.message.test(e.message),
      );
    });
  }

  it("rejects a range outside the buffer", () => {
    const b = new Uint8Array(LISTENER);
    assert.throws(() => decodeInetSocket(b, 8, b.length, "tcp"), RangeError);
    assert.throws(() => decodeInetSocket(b, -1, 72, "tcp"), RangeError);
  });
});

describe("decodeTcpInfo()", { skip: skipBE }, () => {
  // deno-fmt-ignore
  const V2_6 = [
    0x01,                   // tcpi_state = TCP_ESTABLISHED
    0x00,                   // tcpi_ca_state = TCP_CA_Open
    0x00,                   // tcpi_retransmits
    0x00,                   // tcpi_probes
    0x00,                   // tcpi_backoff
    0x07,                   // tcpi_options = TIMESTAMPS | SACK | WSCALE
    0xc3,                   // tcpi_snd_wscale = 3 (low nibble), tcpi_rcv_wscale = 12
    0x05,                   // delivery_rate_app_limited = 1, fastopen_client_fail = 2
    0xe0, 0x1c, 0x03, 0x00, // tcpi_rto = 204000
    0x40, 0x9c, 0x00, 0x00, // tcpi_ato = 40000
    0x00, 0x80, 0x00, 0x00, // tcpi_snd_mss = 32768
    0x18, 0x02, 0x00, 0x00, // tcpi_rcv_mss = 536
    0, 0, 0, 0,             // tcpi_unacked
    0, 0, 0, 0,             // tcpi_sacked
    0, 0, 0, 0,             // tcpi_lost
    0, 0, 0, 0,             // tcpi_retrans
    0, 0, 0, 0,             // tcpi_fackets
    0xdc, 0x01, 0x00, 0x00, // tcpi_last_data_sent = 476
    0, 0, 0, 0,             // tcpi_last_ack_sent
    0xdc, 0x01, 0x00, 0x00, // tcpi_last_data_recv = 476
    0xdc, 0x01, 0x00, 0x00, // tcpi_last_ack_recv = 476
    0xff, 0xff, 0x00, 0x00, // tcpi_pmtu = 65535
    0xcb, 0xff, 0x00, 0x00, // tcpi_rcv_ssthresh = 65483
    0x17, 0x00, 0x00, 0x00, // tcpi_rtt = 23
    0x0b, 0x00, 0x00, 0x00, // tcpi_rttvar = 11
    0xff, 0xff, 0xff, 0x7f, // tcpi_snd_ssthresh = TCP_INFINITE_SSTHRESH
    0x0a, 0x00, 0x00, 0x00, // tcpi_snd_cwnd = 10
    0xcb, 0xff, 0x00, 0x00, // tcpi_advmss = 65483
    0x03, 0x00, 0x00, 0x00, // tcpi_reordering = 3
    0, 0, 0, 0,             // tcpi_rcv_rtt
    0xcb, 0xff, 0x00, 0x00, // tcpi_rcv_space = 65483
    0, 0, 0, 0,             // tcpi_total_retrans
  ];

  it("decodes the 104-byte struct of Linux 2.6", () => {
    const b = new Uint8Array(V2_6);
    assert.deepEqual(decodeTcpInfo(b, 0, b.length), {
      length: 104,
      state: 1,
      caState: 0,
      retransmits: 0,
      probes: 0,
      backoff: 0,
      options: 7,
      sndWscale: 3,
      rcvWscale: 12,
      deliveryRateAppLimited: true,
      fastopenClientFail: 2,
      rto: 204000,
      ato: 40000,
      sndMss: 32768,
      rcvMss: 536,
      unacked: 0,
      sacked: 0,
      lost: 0,
      retrans: 0,
      fackets: 0,
      lastDataSent: 476,
      lastAckSent: 0,
      lastDataRecv: 476,
      lastAckRecv: 476,
      pmtu: 65535,
      rcvSsthresh: 65483,
      rtt: 23,
      rttvar: 11,
      sndSsthresh: 0x7fffffff,
      sndCwnd: 10,
      advmss: 65483,
      reordering: 3,
      rcvRtt: 0,
      rcvSpace: 65483,
      totalRetrans: 0,
    });
  });

  it("encodes the bit fields as gcc does", () => {
    const b = encodeTcpInfo({
      sndWscale: 3,
      rcvWscale: 12,
      deliveryRateAppLimited: true,
      fastopenClientFail: 2,
    });
    assert.deepEqual([...b.subarray(6, 8)], GCC.bitfields);
  });

  it("reads each later field at gcc's offset, present once the length reaches it", () => {
    for (const [name, offset] of Object.entries(GCC.tcp_info)) {
      if (offset < 104) continue;
      const wide = offset === 104 || offset === 112 || offset === 120 ||
        offset === 128 || offset === 160 || offset === 168 ||
        offset === 176 || offset === 184 || offset === 200 || offset === 208;
      const size = wide ? 8 : 4;
      const b = new Uint8Array(offset + size);
      b[offset] = 0x2a;
      const info = decodeTcpInfo(b, 0, b.length) as unknown as Record<
        string,
        unknown
      >;
      assert.equal(info[name], wide ? 42n : 42, name);
      const short = decodeTcpInfo(b, 0, offset) as unknown as Record<
        string,
        unknown
      >;
      assert.equal(short[name], undefined, `${name} past the length`);
    }
  });

  it("keeps the length of a newer kernel's longer struct", () => {
    const b = new Uint8Array(280); // Linux 6.18
    assert.equal(decodeTcpInfo(b, 0, b.length).length, 280);
    assert.equal(decodeTcpInfo(b, 0, b.length).sndWnd, 0);
  });
});

// An abstract listening socket "@nlkit-abs" with nothing pending.
// deno-fmt-ignore
const UNIX_LISTENER = [
  0x01,                   // udiag_family = AF_UNIX
  0x01,                   // udiag_type = SOCK_STREAM
  0x0a,                   // udiag_state = TCP_LISTEN
  0x00,                   // pad
  0x4b, 0x29, 0x02, 0x00, // udiag_ino = 141643
  0x09, 0x00, 0x00, 0x00, // udiag_cookie[0] = 9
  0x00, 0x00, 0x00, 0x00, // udiag_cookie[1]
  0x0e, 0x00, 0x00, 0x00, // UNIX_DIAG_NAME, 10 bytes:
  0x00, 0x6e, 0x6c, 0x6b, 0x69, 0x74, 0x2d, 0x61, 0x62, 0x73, // "\0nlkit-abs" (abstract)
  0x00, 0x00,             //   padding
  0x04, 0x00, 0x03, 0x00, // UNIX_DIAG_ICONS, empty
  0x0c, 0x00, 0x04, 0x00, // UNIX_DIAG_RQLEN:
  0x00, 0x00, 0x00, 0x00, //   udiag_rqueue = 0 pending
  0x80, 0x00, 0x00, 0x00, //   udiag_wqueue = 128 backlog
  0x05, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, // UNIX_DIAG_SHUTDOWN = 0
  0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, // UNIX_DIAG_UID = 0
];

describe("decodeUnixSocket()", { skip: skipBE }, () => {
  const decoded: UnixSocket = {
    type: "stream",
    state: "listen",
    inode: 141643,
    cookie: 9n,
    path: "@nlkit-abs",
    pending: [],
    receiveQueue: 0,
    sendQueue: 128,
    shutdown: 0,
    uid: 0,
  };

  it("decodes an abstract listener as ss shows it", () => {
    const b = new Uint8Array(UNIX_LISTENER);
    assert.deepEqual(decodeUnixSocket(b, 0, b.length), decoded);
  });

  it("encodes the same bytes back", () => {
    assert.deepEqual(
      [...encodeUnixSocket(decoded, new AttributeEncoder()).encode()],
      UNIX_LISTENER,
    );
  });

  it("shows a path without its NUL and NULs inside an abstract name as @", () => {
    const head = UNIX_LISTENER.slice(0, 16);
    const path = new AttributeEncoder().raw(new Uint8Array(head)).bytes(
      0,
      new TextEncoder().encode("/run/x.sock\0"),
    ).encode();
    assert.equal(decodeUnixSocket(path, 0, path.length).path, "/run/x.sock");
    const abstract = new AttributeEncoder().raw(new Uint8Array(head)).bytes(
      0,
      new Uint8Array([0, 0x61, 0, 0x62]),
    ).encode();
    assert.equal(decodeUnixSocket(abstract, 0, abstract.length).path, "@a@b");
  });

  it("decodes VFS, peer and pending connections", () => {
    const s: UnixSocket = {
      type: "seqpacket",
      state: "listen",
      inode: 1,
      cookie: 0xffff_ffff_0000_0001n,
      path: "/tmp/s",
      vfs: { inode: 77, device: 0x801 },
      pending: [2, 3],
      receiveQueue: 2,
      sendQueue: 5,
      memInfo: {
        rmemAlloc: 1,
        rcvbuf: 2,
        wmemAlloc: 3,
        sndbuf: 4,
        fwdAlloc: 5,
        wmemQueued: 6,
        optmem: 7,
        backlog: 8,
        drops: 9,
      },
      shutdown: 3,
      uid: 1000,
    };
    const b = encodeUnixSocket(s, new AttributeEncoder()).encode();
    assert.deepEqual(decodeUnixSocket(b, 0, b.length), s);
  });

  const bad: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
    {
      name: "a struct shorter than 16 bytes",
      bytes: () => new Uint8Array(UNIX_LISTENER.slice(0, 15)),
      message: /unix_diag_msg: length 15 is less than 16/,
    },
    {
      name: "a family that is not AF_UNIX",
      bytes: () => new Uint8Array([2, ...UNIX_LISTENER.slice(1)]),
      message: /family 2 is not AF_UNIX/,
    },
    {
      name: "UNIX_DIAG_ICONS of 3 bytes",
      bytes: () =>
        new AttributeEncoder().raw(new Uint8Array(UNIX_LISTENER.slice(0, 16)))
          .bytes(3, new Uint8Array(3)).encode(),
      message: /UNIX_DIAG_ICONS: length 3 is not a multiple of 4/,
    },
    {
      name: "UNIX_DIAG_RQLEN of 4 bytes",
      bytes: () =>
        new AttributeEncoder().raw(new Uint8Array(UNIX_LISTENER.slice(0, 16)))
          .bytes(4, new Uint8Array(4)).encode(),
      message: /UNIX_DIAG_RQLEN: length 4 is less than 8/,
    },
    {
      name: "UNIX_DIAG_MEMINFO of 6 bytes",
      bytes: () =>
        new AttributeEncoder().raw(new Uint8Array(UNIX_LISTENER.slice(0, 16)))
          .bytes(5, new Uint8Array(6)).encode(),
      message: /UNIX_DIAG_MEMINFO: length 6 is not a multiple of 4/,
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with RangeError`, () => {
      const b = c.bytes();
      assert.throws(
        () => decodeUnixSocket(b, 0, b.length),
        (e: unknown) => e instanceof RangeError && c.message.test(e.message),
      );
    });
  }
});

describe("encodeUnixDiagRequest()", { skip: skipBE }, () => {
  it("writes struct unix_diag_req", () => {
    const b = encodeUnixDiagRequest(
      { states: 1 << 10, show: 0x5f },
      new AttributeEncoder(),
    ).encode();
    // deno-fmt-ignore
    assert.deepEqual([...b], [
      0x01,                   // sdiag_family = AF_UNIX
      0x00,                   // sdiag_protocol
      0x00, 0x00,             // pad
      0x00, 0x04, 0x00, 0x00, // udiag_states = 1 << TCP_LISTEN
      0x00, 0x00, 0x00, 0x00, // udiag_ino = 0 (all)
      0x5f, 0x00, 0x00, 0x00, // udiag_show = NAME | VFS | PEER | ICONS | RQLEN | UID
      0xff, 0xff, 0xff, 0xff, // udiag_cookie[0] = INET_DIAG_NOCOOKIE
      0xff, 0xff, 0xff, 0xff, // udiag_cookie[1]
    ]);
    assert.deepEqual(decodeUnixDiagRequest(b, 0, b.length), {
      states: 1 << 10,
      show: 0x5f,
      inode: 0,
    });
    b[0] = 2;
    assert.throws(
      () => decodeUnixDiagRequest(b, 0, b.length),
      /unix_diag request: family 2 is not AF_UNIX/,
    );
  });
});
