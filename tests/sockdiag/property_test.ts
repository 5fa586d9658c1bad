// Properties of the sock_diag codecs: hostile bytes give only RangeError,
// and bytes → decode → encode gives the same bytes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
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
  encodeUnixSocket,
  type InetProtocol,
} from "../../src/sockdiag/mod.ts";

/** Runs `f`; passes when it returns or throws RangeError. */
function onlyRangeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (e instanceof RangeError) return;
    throw e;
  }
}

const protocols: InetProtocol[] = ["tcp", "udp", "mptcp", "raw"];

/** An attribute area: random TLVs of the types the decoders know, with random payloads. */
const attributes = fc.array(
  fc.record({
    type: fc.integer({ min: 0, max: 24 }),
    data: fc.uint8Array({ maxLength: 300 }),
  }),
  { maxLength: 8 },
).map((list) => {
  const e = new AttributeEncoder();
  for (const a of list) e.bytes(a.type, a.data);
  return e.encode();
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe("hostile bytes", () => {
  it("into decodeInetSocket(): RangeError or a value", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(...protocols),
        (b, p) => onlyRangeError(() => decodeInetSocket(b, 0, b.length, p)),
      ),
      { numRuns: 500 },
    );
    // A valid struct head, then hostile attributes.
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 72, maxLength: 72 }),
        fc.constantFrom(2, 10),
        attributes,
        fc.uint8Array({ maxLength: 7 }),
        fc.constantFrom(...protocols),
        (head, af, attrs, tail, p) => {
          head[0] = af;
          const b = concat(concat(head, attrs), tail);
          onlyRangeError(() => decodeInetSocket(b, 0, b.length, p));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("into decodeUnixSocket(): RangeError or a value", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        attributes,
        fc.uint8Array({ maxLength: 7 }),
        (head, attrs, tail) => {
          head[0] = 1;
          const b = concat(concat(head, attrs), tail);
          onlyRangeError(() => decodeUnixSocket(b, 0, b.length));
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        (b) => onlyRangeError(() => decodeUnixSocket(b, 0, b.length)),
      ),
      { numRuns: 200 },
    );
  });

  it("into decodeTcpInfo() and the request decoders: RangeError or a value", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.nat(400),
        fc.nat(400),
        (b, offset, length) => {
          onlyRangeError(() => decodeTcpInfo(b, offset, length));
          onlyRangeError(() => decodeInetDiagRequest(b, offset, length));
          onlyRangeError(() => decodeUnixDiagRequest(b, offset, length));
          onlyRangeError(() => decodeInetSocket(b, offset, length, "tcp"));
          onlyRangeError(() => decodeUnixSocket(b, offset, length));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("round trips", () => {
  it("inet_diag_msg: decode then encode gives the same struct bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 72, maxLength: 72 }),
        fc.constantFrom(2, 10),
        fc.integer({ min: 1, max: 13 }),
        (b, af, state) => {
          b[0] = af;
          b[1] = state;
          // IPv4 uses the first 4 of each 16-byte address; Linux zeroes the rest.
          if (af === 2) {
            b.fill(0, 12, 24);
            b.fill(0, 28, 40);
          }
          const s = decodeInetSocket(b, 0, b.length, "tcp");
          const again = encodeInetSocket(s, new AttributeEncoder()).encode();
          assert.deepEqual([...again], [...b]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("IPv6 text in any valid form parses, and the canonical text is stable", () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.ipV4(), (v6, v4) => {
        for (const [family, address] of [[6, v6], [4, v4]] as const) {
          const b = encodeInetDiagRequest({
            family,
            protocol: 6,
            states: 0,
            extensions: 0,
            id: {
              localAddress: address,
              localPort: 1,
              remoteAddress: address,
              remotePort: 2,
            },
          }, new AttributeEncoder()).encode();
          const id = decodeInetDiagRequest(b, 0, b.length).id!;
          // The canonical text encodes to the same bytes.
          const again = encodeInetDiagRequest({
            family,
            protocol: 6,
            states: 0,
            extensions: 0,
            id,
          }, new AttributeEncoder()).encode();
          assert.deepEqual([...again], [...b]);
          assert.equal(id.localAddress, id.remoteAddress);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("tcp_info: encode then decode gives the fields back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 104, max: 300 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
        fc.integer({ min: 0, max: 15 }),
        (length, rtt, pacingRate, wscale) => {
          const b = encodeTcpInfo({
            length,
            rtt,
            pacingRate,
            sndWscale: wscale,
            rcvWscale: 15 - wscale,
          });
          const info = decodeTcpInfo(b, 0, b.length);
          assert.equal(info.length, length);
          assert.equal(info.rtt, rtt);
          assert.equal(info.pacingRate, length >= 112 ? pacingRate : undefined);
          assert.equal(info.sndWscale, wscale);
          assert.equal(info.rcvWscale, 15 - wscale);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("unix_diag_msg: decode then encode gives the same bytes for kernel-shaped messages", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("stream", "dgram", "seqpacket") as fc.Arbitrary<
          "stream" | "dgram" | "seqpacket"
        >,
        fc.constantFrom("listen", "established", "close") as fc.Arbitrary<
          "listen" | "established" | "close"
        >,
        fc.nat(),
        fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
        fc.option(fc.stringMatching(/^[@/][a-z@/._-]{0,40}$/), {
          nil: undefined,
        }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (type, state, inode, cookie, path, pending) => {
          const s = {
            type,
            state,
            inode,
            cookie,
            ...(path === undefined ? {} : { path }),
            ...(state === "listen" ? { pending } : { peer: inode + 1 }),
            receiveQueue: 0,
            sendQueue: 0,
            shutdown: 0,
            uid: 0,
          };
          const b = encodeUnixSocket(s, new AttributeEncoder()).encode();
          assert.deepEqual(decodeUnixSocket(b, 0, b.length), s);
        },
      ),
      { numRuns: 500 },
    );
  });
});
