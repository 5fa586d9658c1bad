// The address text of src/families/_text.ts, the one copy every client and
// simulated kernel uses: IPv6 as glibc's inet_ntop writes it (what ip, ss
// and wg print), and the parsers that write into a caller's buffer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatIP,
  parseIP,
  parseIPv4Into,
  parseIPv6Into,
} from "../../src/families/_text.ts";

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

describe("formatIP()", () => {
  it("writes an IPv4 address in the last 32 bits as inet_ntop does", () => {
    const cases: [string, string][] = [
      // IPv4-mapped (::ffff:0:0/96): ss prints a v4 peer of a v6 socket so.
      ["00000000000000000000ffff7f000001", "::ffff:127.0.0.1"],
      ["00000000000000000000ffff00000000", "::ffff:0.0.0.0"],
      // IPv4-compatible: 96 zero bits, then a non-zero 16-bit group.
      ["00000000000000000000000001020304", "::1.2.3.4"],
      ["00000000000000000000000000010000", "::0.1.0.0"],
      // Not embedded IPv4: the first 96 bits zero and the 7th group zero.
      ["00000000000000000000000000000001", "::1"],
      ["00000000000000000000000000000000", "::"],
      ["00000000000000000000000000001234", "::1234"],
      // A non-zero group before the last 32 bits: plain hex.
      ["00000000000000000001000001020304", "::1:0:102:304"],
      ["00000000000000000000fffe01020304", "::fffe:102:304"],
      ["00010000000000000000ffff01020304", "1::ffff:102:304"],
    ];
    for (const [hex, text] of cases) {
      const b = bytes(hex);
      assert.equal(formatIP(b, 0, 16), text, hex);
      assert.deepEqual(parseIP(text), b, text);
    }
  });

  it("formats 16 bytes at an offset without reading past them", () => {
    const b = new Uint8Array(20).fill(0xee);
    b.set(bytes("00000000000000000000ffffc0000207"), 2);
    assert.equal(formatIP(b, 2, 18), "::ffff:192.0.2.7");
    assert.equal(formatIP(b, 2, 6), "0.0.0.0");
  });
});

describe("parseIPv4Into() and parseIPv6Into()", () => {
  it("write the address at the offset and leave the rest alone", () => {
    const out = new Uint8Array(24).fill(0xaa);
    assert.equal(parseIPv6Into("2001:db8::ffff:10.0.0.1", out, 4), true);
    assert.deepEqual(
      out.subarray(4, 20),
      bytes("20010db8000000000000ffff0a000001"),
    );
    assert.equal(out[3], 0xaa);
    assert.equal(out[20], 0xaa);
    assert.equal(parseIPv4Into("192.0.2.255", out, 0), true);
    assert.deepEqual([...out.subarray(0, 4)], [192, 0, 2, 255]);
  });

  it("refuse what is not an address of their family", () => {
    const out = new Uint8Array(16);
    for (
      const s of ["10.0.0.300", "10.0.0", "010.0.0.1", "::1", "", "1.2.3.4."]
    ) {
      assert.equal(parseIPv4Into(s, out, 0), false, s);
    }
    for (
      const s of [
        "1.2.3.4",
        "1::2::3",
        "1:2:3:4:5:6:7",
        "::ffff:1.2.3",
        "g::1",
        "0x0102",
      ]
    ) {
      assert.equal(parseIPv6Into(s, out, 0), false, s);
    }
  });
});
