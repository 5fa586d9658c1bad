import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeError,
  decodeExtendedAck,
  encodeExtendedAck,
  encodeMessage,
  HeaderFlags,
  HeaderType,
  type Message,
} from "../../src/netlink/mod.ts";
import { ack, error } from "../../src/nltest/mod.ts";
import { doneReply, errorReply } from "../../src/netlink/ext_ack.ts";

function hex(s: string): number[] {
  return (s.replace(/\s+/g, "").match(/../g) ?? []).map((x) => parseInt(x, 16));
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

describe("error", () => {
  // vectors §1.12 requests. Go's nltest.Error only prepends the errno to the request payload;
  // ours echoes the request header too, like the kernel (struct nlmsgerr).
  const cases: {
    name: string;
    errno: number;
    request: Message;
    want: number[];
  }[] = [
    {
      name: "EPERM for a dump request",
      errno: 1,
      request: {
        header: { length: 24, type: 0, flags: 0x301, sequence: 10, pid: 1000 },
        data: new Uint8Array(hex("1122334455667788")),
      },
      // deno-fmt-ignore
      want: [
        0x2c, 0x00, 0x00, 0x00, // nlmsg_len = 44
        0x02, 0x00,             // nlmsg_type = NLMSG_ERROR
        0x00, 0x00,             // nlmsg_flags = 0 (not capped, no TLVs)
        0x0a, 0x00, 0x00, 0x00, // nlmsg_seq = 10 (the request's)
        0xe8, 0x03, 0x00, 0x00, // nlmsg_pid = 1000 (the request's)
        0xff, 0xff, 0xff, 0xff, // error = -1 (EPERM)
        0x18, 0x00, 0x00, 0x00, // echoed nlmsg_len = 24
        0x00, 0x00, 0x01, 0x03, // echoed type 0, flags request|dump
        0x0a, 0x00, 0x00, 0x00, // echoed seq 10
        0xe8, 0x03, 0x00, 0x00, // echoed pid 1000
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // echoed payload
      ],
    },
    {
      name: "ENOENT for a plain request",
      errno: 2,
      request: {
        header: { length: 20, type: 0, flags: 0x1, sequence: 1, pid: 100 },
        data: new Uint8Array(hex("11223344")),
      },
      // deno-fmt-ignore
      want: [
        0x28, 0x00, 0x00, 0x00, // nlmsg_len = 40
        0x02, 0x00, 0x00, 0x00, // NLMSG_ERROR, flags 0
        0x01, 0x00, 0x00, 0x00, // seq 1
        0x64, 0x00, 0x00, 0x00, // pid 100
        0xfe, 0xff, 0xff, 0xff, // error = -2 (ENOENT)
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, // echoed len 20, type 0, flags request
        0x01, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, // echoed seq 1, pid 100
        0x11, 0x22, 0x33, 0x44, // echoed payload
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, { skip: !littleEndian }, () => {
      const out = error(c.errno, c.request);
      assert.equal(out.length, 1);
      assert.deepEqual([...encodeMessage(out[0]!)], c.want);
    });
  }

  it("appends every extended ACK attribute and sets NLM_F_ACK_TLVS", {
    skip: !littleEndian,
  }, () => {
    const request: Message = {
      header: { length: 20, type: 0x10, flags: 1, sequence: 3, pid: 9 },
      data: new Uint8Array(4),
    };
    const [m] = error(22, request, {
      message: "no",
      offset: 20,
      cookie: new Uint8Array([0xca, 0xfe]),
      missingType: 7,
      missingNest: 16,
    });
    assert.equal(m!.header.flags, HeaderFlags.AcknowledgeTLVs);
    // deno-fmt-ignore
    assert.deepEqual([...m!.data.subarray(4 + 16 + 4)], [
      0x07, 0x00, 0x01, 0x00, 0x6e, 0x6f, 0x00, 0x00, // NLMSGERR_ATTR_MSG "no"
      0x08, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00, // NLMSGERR_ATTR_OFFS 20
      0x06, 0x00, 0x03, 0x00, 0xca, 0xfe, 0x00, 0x00, // NLMSGERR_ATTR_COOKIE
      0x08, 0x00, 0x05, 0x00, 0x07, 0x00, 0x00, 0x00, // NLMSGERR_ATTR_MISS_TYPE 7
      0x08, 0x00, 0x06, 0x00, 0x10, 0x00, 0x00, 0x00, // NLMSGERR_ATTR_MISS_NEST 16
    ]);
    const e = decodeError(m!, "execute");
    assert.equal(e?.code, "EINVAL");
    assert.deepEqual(e?.extAck?.message, "no");
    assert.deepEqual(e?.extAck?.offset, 20);
    assert.deepEqual(e?.extAck?.missingType, 7);
  });

  it("rejects an errno out of range", () => {
    const request: Message = {
      header: { length: 16, type: 1, flags: 1, sequence: 1, pid: 1 },
      data: new Uint8Array(0),
    };
    assert.throws(() => error(-1, request), RangeError);
    assert.throws(() => error(1.5, request), RangeError);
  });
});

describe("ack", () => {
  it("matches the kernel's ACK bytes (vectors §7.3 rt_newlink_noop_ack)", {
    skip: !littleEndian,
  }, () => {
    // The request: RTM_NEWLINK (0x10), flags request|ack (0x5), seq 2001, length 32, sent with pid 0.
    const request: Message = {
      header: { length: 32, type: 0x10, flags: 5, sequence: 2001, pid: 0 },
      data: new Uint8Array(16),
    };
    const real = hex(
      "24000000 02000001 d1070000 44410000 00000000 20000000 10000500 d1070000 00000000",
    );
    const [m] = ack(request);
    const bytes = encodeMessage(m!);
    real.splice(12, 4, 0, 0, 0, 0); // the kernel writes the sender's port id; ack() copies the request's (0 here)
    assert.deepEqual([...bytes], real);
    assert.equal(m!.header.type, HeaderType.Error);
    assert.equal(decodeError(m!, "execute"), null);
  });
});

describe("the extended-ACK codec (src/netlink/ext_ack.ts)", () => {
  const request: Message = {
    header: { length: 0, type: 16, flags: 5, sequence: 77, pid: 9 },
    data: new Uint8Array(
      hex("00000000 00000000 00000000 00000000 08000300 6e6c7400"),
    ),
  };
  const ext = {
    message: "Unknown device type",
    offset: 32,
    cookie: new Uint8Array([1, 2, 3]),
    policy: new Uint8Array(hex("08000100 04000000")),
    missingType: 3,
    missingNest: 16,
  };

  it("an error reply decodes back to its errno and every attribute, capped or not", () => {
    for (const capped of [false, true]) {
      const m = errorReply(95, request, { capped, extAck: ext, pid: 1234 });
      assert.equal(m.header.type, HeaderType.Error);
      assert.equal(m.header.pid, 1234);
      assert.equal(
        (m.header.flags & HeaderFlags.Capped) !== 0,
        capped,
      );
      const err = decodeError(m, "execute", request)!;
      assert.equal(err.code, "EOPNOTSUPP");
      assert.equal(err.sequence, 77);
      const got = { ...err.extAck };
      assert.deepEqual(got.attributePath, [3]); // IFLA_IFNAME at offset 32
      delete got.attributePath;
      delete got.missingNestPath;
      assert.deepEqual(got, ext);
      assert.deepEqual(decodeExtendedAck(m), ext);
    }
  });

  it("an ACK carries only the message and the cookie, as netlink_ack_tlv_fill does", () => {
    const m = errorReply(0, request, { extAck: ext });
    assert.equal(
      m.header.flags,
      HeaderFlags.Capped | HeaderFlags.AcknowledgeTLVs,
    );
    assert.equal(decodeError(m, "execute"), null);
    assert.deepEqual(decodeExtendedAck(m), {
      message: ext.message,
      cookie: ext.cookie,
    });
  });

  it("a dump's DONE carries its errno and only the message", () => {
    const done = doneReply(22, { sequence: 5, pid: 7, extAck: ext });
    assert.equal(done.header.type, HeaderType.Done);
    assert.equal(
      done.header.flags,
      HeaderFlags.Multi | HeaderFlags.AcknowledgeTLVs,
    );
    const err = decodeError(done, "dump")!;
    assert.equal(err.code, "EINVAL");
    assert.deepEqual(err.extAck, { message: ext.message });
    const clean = doneReply(0, { sequence: 5, pid: 7 });
    assert.equal(clean.data.length, 4);
    assert.equal(decodeError(clean, "dump"), null);
  });

  it("encodeExtendedAck is the TLV half: nothing set, nothing sent", () => {
    assert.equal(encodeExtendedAck({}).length, 0);
    assert.deepEqual(
      [...encodeExtendedAck({ missingType: 5 })],
      hex("08000500 05000000"),
    );
  });
});
