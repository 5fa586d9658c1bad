import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatIP,
  formatMAC,
  parseCIDR,
  parseIP,
  parseMAC,
} from "../../src/route/mod.ts";

describe("address text", () => {
  const rfc5952: [string, string][] = [
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of two equal runs
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group stays
    ["0:0:0:0:0:0:0:0", "::"],
    ["::FFFF:192.0.2.1", "::ffff:192.0.2.1"],
    ["FE80::0001", "fe80::1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"], // the longest run
  ];
  for (const [text, want] of rfc5952) {
    it(`formats ${text} as ${want} (RFC 5952)`, () => {
      assert.equal(formatIP(parseIP(text)), want);
      assert.equal(parseCIDR(`${text}/64`).address, want);
    });
  }

  it("parses IPv4 and refuses leading zeros and out-of-range parts", () => {
    assert.deepEqual([...parseIP("192.0.2.255")], [192, 0, 2, 255]);
    for (
      const bad of [
        "192.0.2.256",
        "192.0.02.1",
        "1.2.3",
        "1.2.3.4.5",
        "",
        " 1.2.3.4",
        "0x01020304",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "gg::1",
      ]
    ) {
      assert.throws(() => parseIP(bad), {
        name: "TypeError",
        message: `Cannot parse IP address: ${
          JSON.stringify(bad)
        } is not an IP address`,
      });
    }
    assert.throws(() => parseIP(7 as unknown as string), TypeError);
  });

  it("parses CIDR with and without a length, quoting bad text", () => {
    assert.deepEqual(
      (({ bytes: _, ...rest }) => rest)(parseCIDR("10.1.2.3/24")),
      { family: "inet", address: "10.1.2.3", prefixLength: 24 },
    );
    assert.equal(parseCIDR("2001:db8::/32").prefixLength, 32);
    assert.equal(parseCIDR("::1").prefixLength, 128);
    for (
      const [bad, why] of [
        ["10.1.2.3/33", '"10.1.2.3/33": prefix length must be 0 to 32'],
        ["10.1.2.3/", '"10.1.2.3/": prefix length must be 0 to 32'],
        ["10.1.2.3/024", '"10.1.2.3/024": prefix length must be 0 to 32'],
        ["::/129", '"::/129": prefix length must be 0 to 128'],
        ["10.1.2/8", '"10.1.2/8": "10.1.2" is not an IP address'],
        ["nope", '"nope" is not an IP address'],
      ]
    ) {
      assert.throws(() => parseCIDR(bad!), {
        name: "TypeError",
        message: `Cannot parse CIDR: ${why}`,
      });
    }
  });

  it("formats only 4- or 16-byte addresses", () => {
    assert.throws(() => formatIP(new Uint8Array(5)), TypeError);
    assert.throws(
      () => formatIP("1.2.3.4" as unknown as Uint8Array),
      TypeError,
    );
  });

  it("parses and formats MAC addresses", () => {
    assert.equal(formatMAC(parseMAC("02:AB:cd:00:00:01")), "02:ab:cd:00:00:01");
    assert.equal(
      formatMAC(
        parseMAC("00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01"),
      ),
      "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01",
    );
    for (
      const bad of [
        "02:ab:cd",
        "02-ab-cd-00-00-01",
        "2:ab:cd:0:0:1",
        "",
        "zz:00:00:00:00:00",
      ]
    ) {
      assert.throws(() => parseMAC(bad), {
        name: "TypeError",
        message: `Cannot parse MAC address: ${
          JSON.stringify(bad)
        } is not a MAC address`,
      });
    }
    assert.throws(() => formatMAC([1, 2] as unknown as Uint8Array), TypeError);
  });
});
