import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeMessage,
  encodeMessages,
  formatFlags,
  type Header,
  HeaderFlags,
  HeaderType,
  type Message,
  type MessageView,
  parseMessages,
} from "../../src/netlink/mod.ts";
import {
  readHeader,
  visitDatagram,
  writeHeader,
} from "../../src/netlink/message.ts";
import { hex, LITTLE_ENDIAN, toHex } from "./_hex.ts";

const skip = !LITTLE_ENDIAN;

function h(
  length: number,
  type: number,
  flags: number,
  sequence: number,
  pid: number,
): Header {
  return { length, type, flags, sequence, pid };
}

describe("encodeMessage()", { skip }, () => {
  // vectors §1.3, adapted: our length 0 means "fill in", and a length too
  // small for the data is an error instead of silently cutting it.
  const ok = [
    {
      name: "fills in length 0 with no data",
      m: { header: h(0, 0, 0, 0, 0), data: hex("") },
      // deno-fmt-ignore
      want: hex(
        "10000000" + // nlmsg_len = 16
        "0000" +     // nlmsg_type
        "0000" +     // nlmsg_flags
        "00000000" + // nlmsg_seq
        "00000000",  // nlmsg_pid
      ),
    },
    {
      name: "OK no data (length 16 given)",
      m: { header: h(16, 0, 0, 0, 0), data: hex("") },
      want: hex("10000000 00000000 00000000 00000000"),
    },
    {
      name: "OK unaligned data, length 20 given: zero-padded",
      m: { header: h(20, 0, 0x1, 1, 10), data: hex("616263") },
      // deno-fmt-ignore
      want: hex(
        "14000000" + // nlmsg_len = 20
        "0000" +     // nlmsg_type = 0
        "0100" +     // nlmsg_flags = request
        "01000000" + // nlmsg_seq = 1
        "0a000000" + // nlmsg_pid = 10
        "61626300",  // "abc" + 1 byte padding
      ),
    },
    {
      name: "OK aligned data",
      m: { header: h(20, 2, 0x0, 2, 20), data: hex("61626364") },
      want: hex("14000000 02000000 02000000 14000000 61626364"),
    },
    {
      name:
        "length 0 with unaligned data gives the exact length, padded buffer",
      m: { header: h(0, 0, 0x1, 1, 10), data: hex("616263") },
      want: hex("13000000 00000100 01000000 0a000000 61626300"),
    },
    {
      name:
        "unaligned non-zero length is kept (Go rejects it; the kernel accepts it)",
      m: { header: h(17, 0, 0, 0, 0), data: hex("") },
      want: hex("11000000 00000000 00000000 00000000 00000000"),
    },
  ];
  for (const c of ok) {
    it(c.name, () => assert.equal(toHex(encodeMessage(c.m)), toHex(c.want)));
  }

  const bad: { name: string; m: Message; re: RegExp }[] = [
    {
      name: "short length 15",
      m: { header: h(15, 0, 0, 0, 0), data: hex("") },
      re: /header length 15/,
    },
    {
      name: "length below 16 + data",
      m: { header: h(16, 0, 0, 0, 0), data: hex("61") },
      re: /16 \+ 1 bytes/,
    },
    {
      name: "type above u16",
      m: { header: h(0, 0x10000, 0, 0, 0), data: hex("") },
      re: /type 65536/,
    },
    {
      name: "negative flags",
      m: { header: h(0, 0, -1, 0, 0), data: hex("") },
      re: /flags -1/,
    },
    {
      name: "sequence above u32",
      m: { header: h(0, 0, 0, 2 ** 32, 0), data: hex("") },
      re: /sequence/,
    },
    {
      name: "fractional pid",
      m: { header: h(0, 0, 0, 0, 1.5), data: hex("") },
      re: /pid 1.5/,
    },
    {
      name: "NaN length",
      m: { header: h(NaN, 0, 0, 0, 0), data: hex("") },
      re: /length NaN/,
    },
  ];
  for (const c of bad) {
    it(`throws RangeError on ${c.name}`, () => {
      assert.throws(
        () => encodeMessage(c.m),
        (e: unknown) => e instanceof RangeError && c.re.test(e.message),
      );
    });
  }

  it("returns an exactly sized ArrayBuffer", () => {
    const b = encodeMessage({ header: h(0, 1, 0, 0, 0), data: hex("01") });
    assert.equal(b.buffer.byteLength, 20);
    assert.equal(b.byteOffset, 0);
  });
});

describe("encodeMessages()", { skip }, () => {
  it("concatenates three messages (TestMarshalMessages)", () => {
    const ms = [1, 2, 3].map((i) => ({
      header: h(20, i, HeaderFlags.Request, i, 0),
      data: new TextEncoder().encode(`msg${i}`),
    }));
    const b = encodeMessages(ms);
    assert.equal(
      toHex(b),
      "14000000010001000100000000000000" + "6d736731" +
        "14000000020001000200000000000000" + "6d736732" +
        "14000000030001000300000000000000" + "6d736733",
    );
    assert.deepEqual(
      parseMessages(b).map((m) => ({ header: m.header, data: [...m.data] })),
      ms.map((m) => ({ header: m.header, data: [...m.data] })),
    );
  });

  it("checks every message before writing", () => {
    const good = { header: h(0, 1, 0, 0, 0), data: hex("") };
    const badOne = { header: h(12, 1, 0, 0, 0), data: hex("") };
    assert.throws(() => encodeMessages([good, badOne]), RangeError);
  });

  it("pads unaligned messages so the next starts aligned", () => {
    const b = encodeMessages([
      { header: h(0, 1, 0, 0, 0), data: hex("aa") },
      { header: h(0, 2, 0, 0, 0), data: hex("") },
    ]);
    assert.equal(
      toHex(b),
      "11000000010000000000000000000000" + "aa000000" +
        "10000000020000000000000000000000",
    );
  });

  it("encodes an empty list to an empty buffer", () => {
    assert.equal(encodeMessages([]).length, 0);
  });
});

describe("decodeMessage()", { skip }, () => {
  // vectors §1.4
  const errors = [
    { name: "empty", bytes: "", re: /0 bytes are too short/ },
    {
      name: "short",
      bytes: "00000000 00000000 00000000 000000",
      re: /15 bytes are too short/,
    },
    // Go: errUnalignedMessage; ours: the header length 0 is the real problem.
    {
      name: "unaligned",
      bytes: "00000000 00000000 00000000 00000000 00",
      re: /header length 0 is less than 16/,
    },
    {
      name: "length longer than slice",
      bytes: "1d303030 30303030 30303030 30303030",
      re: /header length 808464413 exceeds the 16 bytes given at offset 0/,
    },
    {
      name: "header length below minimum",
      bytes: "0c000000 00000000 00000000 00000000",
      re: /header length 12 is less/,
    },
    {
      name: "a second message after the first",
      bytes:
        "10000000 00000000 00000000 00000000 10000000 00000000 00000000 00000000",
      re: /16 bytes follow the message at offset 16/,
    },
  ];
  for (const c of errors) {
    it(`throws RangeError on ${c.name}`, () => {
      assert.throws(
        () => decodeMessage(hex(c.bytes)),
        (e: unknown) => e instanceof RangeError && c.re.test(e.message),
      );
    });
  }

  const ok = [
    {
      name: "OK length shorter than aligned slice",
      // deno-fmt-ignore
      bytes: hex(
        "13000000" + // nlmsg_len = 19
        "3030" +     // nlmsg_type = 0x3030
        "3030" +     // nlmsg_flags = 0x3030
        "30303030" + // nlmsg_seq
        "30303030" + // nlmsg_pid
        "30303030",  // data "000" + 1 byte padding
      ),
      header: h(19, 0x3030, 0x3030, 0x30303030, 0x30303030),
      data: "303030",
    },
    {
      name: "OK no data",
      bytes: hex("10000000 00000000 00000000 00000000"),
      header: h(16, 0, 0, 0, 0),
      data: "",
    },
    {
      name: "OK data",
      bytes: hex("14000000 02000000 02000000 14000000 61626364"),
      header: h(20, 2, 0, 2, 20),
      data: "61626364",
    },
    {
      name: "OK unaligned length with padding",
      bytes: hex("15000000 00000000 00000000 00000000 61626364 65000000"),
      header: h(21, 0, 0, 0, 0),
      data: "6162636465",
    },
    {
      name: "OK unaligned length without padding (Go rejects unaligned input)",
      bytes: hex("15000000 00000000 00000000 00000000 61626364 65"),
      header: h(21, 0, 0, 0, 0),
      data: "6162636465",
    },
  ];
  for (const c of ok) {
    it(c.name, () => {
      const m = decodeMessage(c.bytes);
      assert.deepEqual(m.header, c.header);
      assert.equal(toHex(m.data), c.data);
    });
  }

  it("copies the data", () => {
    const b = hex("14000000 02000000 02000000 14000000 61626364");
    const m = decodeMessage(b);
    b[16] = 0;
    assert.equal(m.data[0], 0x61);
  });

  it("decodes a view with a byte offset", () => {
    const big = hex("ffffffff 14000000 02000000 02000000 14000000 61626364");
    const m = decodeMessage(big.subarray(4));
    assert.deepEqual(m.header, h(20, 2, 0, 2, 20));
  });
});

// vectors §1.5: each case lists the messages before an error, and the error.
const datagramCases: {
  name: string;
  bytes: string;
  want: [Header, string][];
  error?: RegExp;
}[] = [
  { name: "empty", bytes: "", want: [] },
  {
    name: "zero length field",
    bytes: "00000000 00000000 00000000 00000000",
    want: [],
    error: /header length 0 is less than 16 at offset 0/,
  },
  {
    name: "no data",
    bytes: "10000000 00000000 00000000 00000000",
    want: [[h(16, 0, 0, 0, 0), ""]],
  },
  {
    name: "short length field",
    bytes: "0f000000 00000000 00000000 00000000",
    want: [],
    error: /header length 15 is less than 16 at offset 0/,
  },
  {
    name: "long length field",
    bytes: "ff000000 00000000 00000000 00000000 61626364",
    want: [],
    error: /header length 255 exceeds the 20 bytes left at offset 0/,
  },
  // Go: errShortMessage (NLMSG_ALIGN(19) > 19); we accept a final message without its padding.
  {
    name: "unaligned length of the final message",
    bytes: "13000000 00000000 00000000 00000000 616263",
    want: [[h(19, 0, 0, 0, 0), "616263"]],
  },
  {
    name: "valid",
    bytes: "14000000 00000000 00000000 00000000 61626364",
    want: [[h(20, 0, 0, 0, 0), "61626364"]],
  },
  {
    name: "valid with all header fields set",
    // deno-fmt-ignore
    bytes: "18000000" + // nlmsg_len = 24
      "0200" +          // nlmsg_type = NLMSG_ERROR
      "0500" +          // nlmsg_flags = request|acknowledge
      "2a000000" +      // nlmsg_seq = 42
      "64000000" +      // nlmsg_pid = 100
      "61626364 65666768",
    want: [[h(24, 2, 5, 42, 100), "6162636465666768"]],
  },
  {
    name: "multiple with one invalid",
    bytes:
      "14000000 00000000 00000000 00000000 61626364 0f000000 00000000 00000000 61626364",
    want: [[h(20, 0, 0, 0, 0), "61626364"]],
    error: /header length 15 is less than 16 at offset 20/,
  },
  {
    name: "multiple valid",
    bytes:
      "14000000 00000000 00000000 00000000 61626364 18000000 00000000 00000000 00000000 65666768 696a6b6c",
    want: [[h(20, 0, 0, 0, 0), "61626364"], [
      h(24, 0, 0, 0, 0),
      "65666768696a6b6c",
    ]],
  },
  {
    name: "multiple valid with trailing data (fewer than 16 bytes are ignored)",
    bytes:
      "14000000 00000000 00000000 00000000 61626364 14000000 00000000 00000000 00000000 65666768 cafebabe cafebabe",
    want: [[h(20, 0, 0, 0, 0), "61626364"], [h(20, 0, 0, 0, 0), "65666768"]],
  },
  {
    name: "unaligned non-final message is stepped over by its aligned length",
    bytes:
      "11000000 01000000 00000000 00000000 aa000000 10000000 02000000 00000000 00000000",
    want: [[h(17, 1, 0, 0, 0), "aa"], [h(16, 2, 0, 0, 0), ""]],
  },
];

describe("parseMessages()", { skip }, () => {
  for (const c of datagramCases) {
    it(c.name, () => {
      const b = hex(c.bytes);
      if (c.error) {
        assert.throws(
          () => parseMessages(b),
          (e: unknown) => e instanceof RangeError && c.error!.test(e.message),
        );
        return;
      }
      const ms = parseMessages(b);
      assert.deepEqual(ms.map((m) => [m.header, toHex(m.data)]), c.want);
    });
  }

  it("returns data that does not alias the input", () => {
    const b = hex("14000000 00000000 00000000 00000000 61626364");
    const [m] = parseMessages(b);
    b.fill(0);
    assert.equal(toHex(m!.data), "61626364");
  });
});

describe("visitDatagram()", { skip }, () => {
  const both = datagramCases.flatMap((c) => [[c, false], [c, true]] as const);
  for (const [c, withView] of both) {
    it(`${c.name}${withView ? " (with a caller's DataView)" : ""}`, () => {
      const b = hex(c.bytes);
      const dv = withView
        ? new DataView(b.buffer, b.byteOffset, b.byteLength)
        : undefined;
      const view: MessageView = {
        header: h(0, 0, 0, 0, 0),
        bytes: new Uint8Array(0),
        offset: 0,
        length: 0,
      };
      const seen: [Header, string][] = [];
      const run = () =>
        visitDatagram(b, b.length, view, (v) => {
          assert.equal(v, view);
          seen.push([
            { ...v.header },
            toHex(v.bytes.subarray(v.offset, v.offset + v.length)),
          ]);
        }, dv);
      if (c.error) {
        assert.throws(
          run,
          (e: unknown) => e instanceof RangeError && c.error!.test(e.message),
        );
      } else {
        assert.equal(run(), c.want.length);
      }
      assert.deepEqual(seen, c.want);
    });
  }

  it("reuses one header object and honours the length argument", () => {
    const b = new Uint8Array(64);
    b.set(
      hex(
        "14000000 10000000 01000000 00000000 61626364 10000000 03000200 01000000 00000000",
      ),
    );
    const view: MessageView = {
      header: h(0, 0, 0, 0, 0),
      bytes: b,
      offset: 0,
      length: 0,
    };
    const header = view.header;
    const types: number[] = [];
    const n = visitDatagram(b, 36, view, (v) => {
      assert.equal(v.header, header);
      types.push(v.header.type);
    });
    assert.equal(n, 2);
    assert.deepEqual(types, [0x10, HeaderType.Done]);
  });

  it("propagates an exception from the visitor", () => {
    const b = hex(
      "10000000 00000000 00000000 00000000 10000000 00000000 00000000 00000000",
    );
    const view: MessageView = {
      header: h(0, 0, 0, 0, 0),
      bytes: b,
      offset: 0,
      length: 0,
    };
    let calls = 0;
    assert.throws(() =>
      visitDatagram(b, b.length, view, () => {
        calls++;
        throw new Error("stop");
      }), /stop/);
    assert.equal(calls, 1);
  });
});

describe("writeHeader() and readHeader()", { skip }, () => {
  it("round-trip at an offset", () => {
    const buf = new Uint8Array(40);
    const view = new DataView(buf.buffer);
    const want = h(0xfffffffc, 0xffff, 0x8001, 0xdeadbeef, 0x7fffffff);
    writeHeader(view, 8, want);
    const out = h(0, 0, 0, 0, 0);
    assert.equal(readHeader(view, 8, out), out);
    assert.deepEqual(out, want);
    assert.equal(
      toHex(buf.subarray(8, 24)),
      "fcffffff" + "ffff" + "0180" + "efbeadde" + "ffffff7f",
    );
  });
});

describe("formatFlags()", () => {
  // vectors §1.2 where our names agree; the context-aware cases differ on purpose.
  const cases: [
    number,
    number | "get" | "new" | "delete" | "ack" | undefined,
    string,
  ][] = [
    [0x0000, undefined, "0"],
    [0x0001, undefined, "request"],
    [0x0002, undefined, "multi"],
    [0x0004, undefined, "acknowledge"],
    [0x0008, undefined, "echo"],
    [0x0010, undefined, "dumpInterrupted"],
    [0x0020, undefined, "dumpFiltered"],
    [0x0100, undefined, "0x100"],
    [0x0200, undefined, "0x200"],
    [0x0400, undefined, "create"],
    [0x0800, undefined, "append"],
    [0x0300, undefined, "dump"],
    [0x0301, undefined, "request|dump"],
    [0x0305, undefined, "request|acknowledge|dump"],
    [0x0505, undefined, "request|acknowledge|replace|create"],
    [0x0605, undefined, "request|acknowledge|excl|create"],
    [0x0100, "get", "root"],
    [0x0200, "get", "match"],
    [0x0701, "get", "request|dump|atomic"],
    [0x0801, "get", "request|0x800"],
    [0x0101, "new", "request|replace"],
    [0x0f01, "new", "request|replace|excl|create|append"],
    [0x0101, "delete", "request|nonRecursive"],
    [0x0205, "delete", "request|acknowledge|bulk"],
    [0x0c01, "delete", "request|0xc00"],
    [0x0100, HeaderType.Error, "capped"],
    [0x0200, HeaderType.Error, "acknowledgeTLVs"],
    [0x0202, HeaderType.Done, "multi|acknowledgeTLVs"],
    [0x0300, "ack", "capped|acknowledgeTLVs"],
    [0x0301, 0x10, "request|dump"],
    [0x1040, undefined, "0x1040"],
  ];
  for (const [flags, type, want] of cases) {
    it(`formats 0x${flags.toString(16)} (${String(type)}) as ${want}`, () => {
      assert.equal(formatFlags(flags, type), want);
    });
  }
});
