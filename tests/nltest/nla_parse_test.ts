// parseAttributes(): a request's attributes as nla_parse() leaves them for
// a kernel handler (the rules checked against Linux 6.18 by
// tests/integration/ynl_family_sim_test.ts and nlctrl_sim_test.ts), and
// serveYnlFamily handing its handlers and extended ACKs those.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeDecoder,
  AttributeEncoder,
  Family,
  HeaderFlags,
  type NetlinkError,
} from "../../src/netlink/mod.ts";
import {
  GenlConn,
  type PolicyTable,
  PolicyType,
} from "../../src/genetlink/mod.ts";
import {
  KernelError,
  serveYnlFamily,
  SimKernel,
} from "../../src/nltest/mod.ts";
import { parseAttributes } from "../../src/nltest/_nla_parse.ts";
import { family as mptcpPm, setLimits } from "../../src/families/mptcp_pm.ts";

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** type → payloads, in order, of a run of attributes. */
function read(b: Uint8Array): [number, number[]][] {
  const out: [number, number[]][] = [];
  const d = new AttributeDecoder(b);
  while (d.next()) out.push([d.type | d.flags, [...d.bytes()]]);
  return out;
}

const TABLE: PolicyTable = new Map([
  [1, { type: PolicyType.U32 }],
  [2, { type: PolicyType.U16 }],
  [3, { type: PolicyType.Uint }],
  [4, { type: PolicyType.Binary }],
  [5, {
    type: PolicyType.Nested,
    nested: new Map([[1, { type: PolicyType.U8 }]]),
  }],
]);

describe("parseAttributes()", () => {
  it("keeps the last of a repeated attribute and reports its offset", () => {
    const b = new AttributeEncoder()
      .uint32(1, 10)
      .uint32(4, 0) // binary, kept
      .uint32(1, 20)
      .encode();
    const p = parseAttributes(b, 0, b.length, { table: TABLE });
    const u32 = (v: number) => [...new Uint8Array(new Uint32Array([v]).buffer)];
    assert.deepEqual(read(p.attributes), [[1, u32(20)], [4, u32(0)]]);
    assert.deepEqual([...p.offsets], [[1, 16], [4, 8]]);
    assert.equal(p.end, b.length);
  });

  it("keeps every occurrence of a multi-attr, in order", () => {
    const b = new AttributeEncoder().uint32(1, 1).uint16(2, 9).uint32(1, 2)
      .encode();
    const p = parseAttributes(b, 0, b.length, {
      table: TABLE,
      multi: (t) => t === 1,
    });
    assert.deepEqual(read(p.attributes).map(([t, v]) => [t, v[0]]), [
      [1, HOST_LE ? 1 : 0],
      [1, HOST_LE ? 2 : 0],
      [2, HOST_LE ? 9 : 0],
    ]);
  });

  it("cuts a longer integer to what nla_get_*() reads; NLA_UINT keeps 4 or 8 bytes", () => {
    const b = new AttributeEncoder()
      .bytes(2, new Uint8Array([1, 2, 3, 4, 5, 6])) // u16 sent as 6 bytes
      .bytes(3, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])) // uint as u64
      .encode();
    const p = parseAttributes(b, 0, b.length, { table: TABLE });
    assert.deepEqual(read(p.attributes), [
      [2, [1, 2]],
      [3, [1, 2, 3, 4, 5, 6, 7, 8]],
    ]);
  });

  it("drops unknown types and flag bits but a nest's, parses nests with their rules", () => {
    const b = new AttributeEncoder()
      .uint32(9, 1) // not in the table
      .bytes(1 | 0x4000, new Uint8Array([0, 0, 0, 7]))
      .bytes(4 | 0x8000, new Uint8Array([1, 2])) // binary with a nest flag
      .nested(5, (n) => n.uint8(1, 1).uint8(1, 2).uint8(7, 3))
      .encode();
    const inner = { table: TABLE.get(5)!.nested! };
    const p = parseAttributes(b, 0, b.length, {
      table: TABLE,
      inner: (t) => t === 5 ? inner : undefined,
    });
    const [first, binary, nest] = read(p.attributes);
    assert.deepEqual(first, [1, [0, 0, 0, 7]]);
    assert.deepEqual(binary, [4, [1, 2]]);
    assert.equal(nest![0], 5 | 0x8000);
    assert.deepEqual(read(new Uint8Array(nest![1])), [[1, [2]]]);
  });

  it("stops where nla_ok() fails: the rest is not seen", () => {
    const good = new AttributeEncoder().uint32(1, 5).encode();
    const b = new Uint8Array(good.length + 8);
    b.set(good);
    b.set([0x20, 0, 1, 0, 9, 9, 9, 9], good.length); // length 32: past the end
    const p = parseAttributes(b, 0, b.length, { table: TABLE });
    assert.equal(p.end, good.length);
    assert.equal(read(p.attributes).length, 1);
  });
});

describe("serveYnlFamily() and repeated attributes", () => {
  it("hands the handler the last one and points an extended ACK at it", async () => {
    const kernel = new SimKernel();
    const seen: unknown[] = [];
    const served = serveYnlFamily(kernel, mptcpPm, {
      setLimits: (request, context) => {
        seen.push(request);
        const offset = context.offsetOf(["subflows"]);
        throw new KernelError(22, {
          message: "limit too high",
          ...(offset === undefined ? {} : { offset }),
        });
      },
    });
    await using genl = GenlConn.from(kernel.dial(Family.Generic));
    const data = new AttributeEncoder().uint32(3, 1).uint32(2, 5)
      .bytes(3, new Uint8Array(8).fill(0).map((_, i) => i === 0 ? 9 : 0))
      .encode();
    const err: NetlinkError = await genl.execute(
      { header: { command: setLimits.doRequest!, version: 1 }, data },
      served.family.id,
      HeaderFlags.Request,
    ).then(() => assert.fail("no error"), (e) => e);
    assert.deepEqual(seen, [{ rcvAddAddrs: 5, subflows: HOST_LE ? 9 : 0 }]);
    // nlmsghdr, genlmsghdr, then two attributes of 8 bytes: the third.
    assert.equal(err.extAck?.offset, 16 + 4 + 16);
  });
});
