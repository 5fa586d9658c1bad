import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  formatKey,
  generatePresharedKey,
  generatePrivateKey,
  KEY_LENGTH,
  parseKey,
  publicKey,
  sharedSecret,
} from "../../src/wireguard/mod.ts";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!, (x) => parseInt(x, 16));
}

/** Base64 text of hex bytes. */
const b64 = (s: string) => formatKey(hex(s));

/** X25519(k, u) with both as hex, through the public API. */
async function x25519(k: string, u: string): Promise<string> {
  const out = parseKey(await sharedSecret(b64(k), b64(u)));
  return [...out].map((x) => x.toString(16).padStart(2, "0")).join("");
}

describe("X25519 against RFC 7748", () => {
  // RFC 7748 §5.2, the two single-step vectors (the second u has bit 255 set: it must be masked).
  const vectors = [
    [
      "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
      "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
      "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
    ],
    [
      "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
      "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
      "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
    ],
  ];
  for (const [i, [k, u, want]] of vectors.entries()) {
    it(`§5.2 vector ${i + 1}`, async () => {
      assert.equal(await x25519(k!, u!), want);
    });
  }

  it("§5.2 iterated: after 1 and after 1,000 iterations", async () => {
    // k = u = 9; each step: k, u = X25519(k, u), k. (The 1,000,000-iteration value is not run: too slow for CI.)
    let k = "09" + "00".repeat(31), u = k;
    for (let i = 1; i <= 1000; i++) {
      const r = await x25519(k, u);
      u = k;
      k = r;
      if (i === 1) {
        assert.equal(
          k,
          "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
        );
      }
    }
    assert.equal(
      k,
      "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
    );
  });

  // RFC 7748 §6.1 (Curve25519 Diffie-Hellman).
  const alice =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
  const alicePublic =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
  const bob =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
  const bobPublic =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
  const shared =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

  it("§6.1: the public keys and the shared secret", async () => {
    assert.equal(await publicKey(b64(alice)), b64(alicePublic));
    assert.equal(await publicKey(b64(bob)), b64(bobPublic));
    assert.equal(await sharedSecret(b64(alice), b64(bobPublic)), b64(shared));
    assert.equal(await sharedSecret(b64(bob), b64(alicePublic)), b64(shared));
  });

  it("refuses a public key of small order (an all-zero secret) with TypeError", async () => {
    for (const u of ["00".repeat(32), "01" + "00".repeat(31)]) {
      await assert.rejects(
        sharedSecret(b64(alice), b64(u)),
        (e: Error) =>
          e instanceof TypeError &&
          /Cannot compute shared secret/.test(e.message),
      );
    }
  });
});

describe("WireGuard keys", () => {
  it("derives the public keys of the WireGuard website's example configurations", async () => {
    // wireguard.com, "Cryptokey Routing": the server's PrivateKey and the
    // PublicKey its client lists for it, and the client's pair likewise.
    assert.equal(
      await publicKey("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="),
      "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=",
    );
    assert.equal(
      await publicKey("gI6EdUSYvn8ugXOt8QQD6Yc+JyiZxIhp3GInSWRfWGE="),
      "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=",
    );
  });

  it("generates clamped private keys and unclamped preshared keys", () => {
    const seen = new Set<string>();
    let unclampedBits = 0;
    for (let i = 0; i < 64; i++) {
      const k = parseKey(generatePrivateKey());
      assert.equal(k[0]! & 7, 0);
      assert.equal(k[31]! & 0x80, 0);
      assert.equal(k[31]! & 0x40, 0x40);
      const p = parseKey(generatePresharedKey());
      unclampedBits |= (p[0]! & 7) | (p[31]! & 0xc0);
      seen.add(formatKey(k)).add(formatKey(p));
    }
    assert.equal(seen.size, 128);
    assert.notEqual(unclampedBits, 0, "preshared keys are plain random bytes");
  });

  it("gives an unclamped private key the public key of its clamped form, as wg does", async () => {
    const raw = hex("ff".repeat(32));
    const clamped = raw.slice();
    clamped[0]! &= 248;
    clamped[31] = (clamped[31]! & 127) | 64;
    assert.equal(
      await publicKey(formatKey(raw)),
      await publicKey(formatKey(clamped)),
    );
  });

  it("round-trips any 32 bytes through text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (k) => {
        const text = formatKey(k);
        assert.equal(text, Buffer.from(k).toString("base64"));
        assert.deepEqual(parseKey(text), k);
      }),
      { numRuns: 500 },
    );
  });

  it("throws only TypeError on hostile text, and accepts exactly what formatKey writes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.stringMatching(/^[A-Za-z0-9+/=]{44}$/),
        ),
        (text) => {
          try {
            const k = parseKey(text);
            assert.equal(formatKey(k), text);
          } catch (e) {
            if (!(e instanceof TypeError)) throw e;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  const good = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
  const bad: [string, unknown, RegExp][] = [
    [
      "43 characters",
      good.slice(0, 43),
      /^Cannot use private key: it is 43 characters, a key is 44 characters of base64 \(32 bytes\)$/,
    ],
    ["an empty string", "", /it is 0 characters/],
    [
      "a 48-byte key",
      Buffer.alloc(48).toString("base64"),
      /it is 64 characters/,
    ],
    ["no trailing '='", good.slice(0, 43) + "A", /does not end in '='/],
    [
      "URL-safe base64",
      good.slice(0, 9) + "_" + good.slice(10),
      /character 10 is not base64/,
    ],
    ["a space", " " + good.slice(1), /character 1 is not base64/],
    ["a non-ASCII character", "é" + good.slice(1), /character 1 is not base64/],
    ["unused bits set", good.slice(0, 42) + "x=", /unused bits set/],
    ["a number", 42, /expected base64 text, got number/],
    ["null", null, /got null/],
  ];
  for (const [name, input, message] of bad) {
    it(`refuses ${name} with TypeError naming the argument, not the key`, async () => {
      const check = (e: Error) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, message);
        assert.match(e.message, /^Cannot use private key: /);
        if (typeof input === "string" && input.length > 8) {
          assert.ok(!e.message.includes(input.slice(4, 20)));
        }
        return true;
      };
      assert.throws(() => parseKey(input as string, "private key"), check);
      await assert.rejects(publicKey(input as string), check);
    });
  }

  it("names which key is wrong in sharedSecret", async () => {
    await assert.rejects(
      sharedSecret(good, "short"),
      /^TypeError: Cannot use peer public key: it is 5 characters/,
    );
    await assert.rejects(
      sharedSecret("short", good),
      /^TypeError: Cannot use private key/,
    );
  });

  it("refuses to format anything but 32 bytes", () => {
    assert.throws(
      () => formatKey(new Uint8Array(31)),
      /expected 32 bytes, got 31 bytes/,
    );
    assert.throws(() => formatKey("x" as unknown as Uint8Array), /got string/);
    assert.equal(KEY_LENGTH, 32);
  });
});
