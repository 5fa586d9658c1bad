import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatAllowedIP,
  formatEndpoint,
  parseAllowedIP,
  parseEndpoint,
} from "../../src/wireguard/mod.ts";

const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

describe("parseEndpoint()", () => {
  const cases = [
    {
      text: "192.0.2.1:51820",
      // deno-fmt-ignore
      bytes: [
        0x02, 0x00,             // sin_family = AF_INET (host order)
        0xca, 0x6c,             // sin_port = 51820 (network order)
        192, 0, 2, 1,           // sin_addr
        0, 0, 0, 0, 0, 0, 0, 0, // sin_zero
      ],
    },
    {
      text: "[2001:db8::1]:443",
      // deno-fmt-ignore
      bytes: [
        0x0a, 0x00,             // sin6_family = AF_INET6
        0x01, 0xbb,             // sin6_port = 443
        0, 0, 0, 0,             // sin6_flowinfo
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // sin6_addr
        0, 0, 0, 0,             // sin6_scope_id
      ],
    },
    {
      text: "[fe80::1%3]:51820",
      // deno-fmt-ignore
      bytes: [
        0x0a, 0x00, 0xca, 0x6c, 0, 0, 0, 0,
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        3, 0, 0, 0,             // sin6_scope_id = 3
      ],
    },
  ];
  for (const c of cases) {
    it(`encodes ${c.text} and formats it back`, { skip: !le }, () => {
      const b = parseEndpoint(c.text);
      assert.deepEqual([...b], c.bytes);
      assert.equal(formatEndpoint(b), c.text);
    });
  }

  it("writes IPv6 in RFC 5952 form", () => {
    assert.equal(
      formatEndpoint(parseEndpoint("[2001:DB8:0:0:0:0:0:1]:1")),
      "[2001:db8::1]:1",
    );
  });

  const bad = [
    ["vpn.example.com:51820", /resolve host names first/],
    ["192.0.2.1", /no port/],
    ["192.0.2.1:65536", /port must be a number/],
    ["192.0.2.1:-1", /port must be a number/],
    ["2001:db8::1:51820", /\[address\]:port/],
    ["[2001:db8::1]51820", /\[address\]:port/],
    ["[fe80::1%eth0]:1", /interface index/],
    ["300.0.0.1:1", /not an IP address/],
    ["0x01020304:1", /not an IP address/],
  ] as const;
  for (const [text, re] of bad) {
    it(`refuses ${text} with a TypeError quoting it`, () => {
      assert.throws(() => parseEndpoint(text, "peer endpoint"), (e: Error) => {
        assert.equal(e.name, "TypeError");
        assert.ok(e.message.startsWith(`Cannot use peer endpoint "${text}": `));
        assert.match(e.message, re);
        return true;
      });
    });
  }

  it("refuses a value that is not text", () => {
    assert.throws(() => parseEndpoint(5 as unknown as string), TypeError);
  });

  it("formats nothing for another family or a short address", () => {
    assert.equal(formatEndpoint(new Uint8Array(16)), undefined);
    assert.equal(formatEndpoint(new Uint8Array([2, 0])), undefined);
    assert.equal(
      formatEndpoint(parseEndpoint("[::1]:1").subarray(0, 20)),
      undefined,
    );
  });
});

describe("parseAllowedIP()", () => {
  const cases = [
    ["10.1.2.3/16", "10.1.0.0/16", 2],
    ["10.1.2.3", "10.1.2.3/32", 2],
    ["0.0.0.0/0", "0.0.0.0/0", 2],
    ["192.0.2.255/25", "192.0.2.128/25", 2],
    ["2001:db8:ffff::1/33", "2001:db8:8000::/33", 10],
    ["fd00::1", "fd00::1/128", 10],
    ["::/0", "::/0", 10],
  ] as const;
  for (const [text, want, family] of cases) {
    it(`reads ${text} as ${want} (host bits cleared, as the kernel stores it)`, () => {
      const a = parseAllowedIP(text);
      assert.equal(a.family, family);
      assert.equal(formatAllowedIP(a), want);
    });
  }

  for (
    const text of [
      "10.0.0.0/33",
      "fd00::/129",
      "10.0.0.0/",
      "10.0.0/8",
      "x/8",
      "10.0.0.0/8/8",
    ]
  ) {
    it(`refuses ${text}`, () => {
      assert.throws(() => parseAllowedIP(text), {
        name: "TypeError",
        message: new RegExp(
          `^Cannot use allowed IP ${
            JSON.stringify(text).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
          }: `,
        ),
      });
    });
  }
});
