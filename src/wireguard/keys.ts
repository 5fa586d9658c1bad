/**
 * WireGuard keys: 32-byte Curve25519 keys written as 44 characters of
 * base64, as `wg genkey`, `wg pubkey`, `wg genpsk` and the configuration
 * files write them.
 *
 * X25519 (RFC 7748) comes from the runtime's WebCrypto (`X25519` with
 * `deriveBits`, present in Deno 2.9.6 and Bun 1.4.5), not from code of our
 * own: it runs the runtime's native X25519, whereas a Montgomery ladder on
 * TypeScript `bigint`s would take time depending on the secret (`bigint`
 * arithmetic is variable-time), and WebCrypto was also the faster of the
 * two on both runtimes when measured side by side. WebCrypto is
 * asynchronous, so {@linkcode publicKey} and {@linkcode sharedSecret}
 * return promises; generating keys needs only random bytes and is
 * synchronous.
 *
 * Key text is never put into error messages (a private key must not end up
 * in a log); errors name the argument and what is wrong with it.
 *
 * @module
 */

import { UnsupportedPlatformError } from "../netlink/errors.ts";

/**
 * `WG_KEY_LEN`: the size of a key in bytes.
 */
export const KEY_LENGTH = 32;

/**
 * The length of a key's base64 text (`WG_KEY_LEN_BASE64` without its NUL).
 */
export const KEY_TEXT_LENGTH = 44;

const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** The X25519 base point, u = 9 (RFC 7748 §4.1). */
const BASE_POINT = new Uint8Array(32);
BASE_POINT[0] = 9;

/**
 * DER of an RFC 8410 `PrivateKeyInfo` for X25519 (OID 1.3.101.110) up to
 * the 32-byte key: WebCrypto imports a raw private key only as PKCS #8.
 */
// deno-fmt-ignore
const PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e,                               // SEQUENCE, 46 bytes
  0x02, 0x01, 0x00,                         //   INTEGER 0 (version)
  0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, //   SEQUENCE { OID 1.3.101.110 }
  0x04, 0x22, 0x04, 0x20,                   //   OCTET STRING { OCTET STRING, 32 bytes
]);

/**
 * Decodes a key's base64 text into its 32 bytes. The text must be exactly
 * 44 characters of standard base64 ending in `=`, with the unused low bits
 * of the last character zero (as `wg` checks).
 *
 * @param text The key text.
 * @param name What the key is, for the error message (`"private key"`, `"peer public key"`...).
 * @returns The key bytes.
 * @throws {TypeError} When `text` is not a string, not 44 characters, not
 * base64, or not canonical; the message names `name` and the problem, never
 * the text.
 *
 * @example Parse and reject
 * ```ts
 * import { parseKey } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseKey("HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=")[0], 0x1c);
 * assert.throws(() => parseKey("HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw", "peer public key"), {
 *   name: "TypeError",
 *   message: "Cannot use peer public key: it is 43 characters, a key is 44 characters of base64 (32 bytes)",
 * });
 * ```
 */
export function parseKey(text: string, name = "key"): Uint8Array<ArrayBuffer> {
  const fail = (what: string): never => {
    throw new TypeError(`Cannot use ${name}: ${what}`);
  };
  if (typeof text !== "string") {
    fail(`expected base64 text, got ${text === null ? "null" : typeof text}`);
  }
  if (text.length !== KEY_TEXT_LENGTH) {
    fail(
      `it is ${text.length} characters, a key is ${KEY_TEXT_LENGTH} characters of base64 (${KEY_LENGTH} bytes)`,
    );
  }
  if (text.charCodeAt(43) !== 0x3d) fail("it does not end in '='");
  const out = new Uint8Array(KEY_LENGTH);
  let acc = 0, bits = 0, n = 0;
  for (let i = 0; i < 43; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c]! : -1;
    if (v < 0) fail(`character ${i + 1} is not base64`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  // 43 characters carry 258 bits: the last 2 must be zero.
  if ((acc & ((1 << bits) - 1)) !== 0) {
    fail("its last character has unused bits set (not canonical base64)");
  }
  return out;
}

/**
 * Encodes 32 key bytes as base64 text.
 *
 * @param key The key.
 * @returns The 44-character text.
 * @throws {TypeError} When `key` is not 32 bytes.
 *
 * @example Format raw bytes
 * ```ts
 * import { formatKey } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatKey(new Uint8Array(32)), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
 * ```
 */
export function formatKey(key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new TypeError(
      `Cannot format key: expected ${KEY_LENGTH} bytes, got ${
        key instanceof Uint8Array ? `${key.length} bytes` : typeof key
      }`,
    );
  }
  let s = "";
  for (let i = 0; i < 30; i += 3) {
    const v = (key[i]! << 16) | (key[i + 1]! << 8) | key[i + 2]!;
    s += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! +
      ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  const v = (key[30]! << 8) | key[31]!;
  return s + ALPHABET[v >> 10]! + ALPHABET[(v >> 4) & 63]! +
    ALPHABET[(v << 2) & 63]! + "=";
}

/**
 * Generates a private key: 32 random bytes, clamped as RFC 7748 §5 and
 * `wg genkey` do (the low 3 bits cleared, bit 255 cleared, bit 254 set).
 *
 * @returns The private key as base64 text.
 *
 * @example A fresh key pair
 * ```ts
 * import { generatePrivateKey, parseKey, publicKey } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * const privateKey = generatePrivateKey();
 * const k = parseKey(privateKey);
 * assert.equal(k[0]! & 7, 0);
 * assert.equal(k[31]! & 0xc0, 0x40);
 * assert.equal((await publicKey(privateKey)).length, 44);
 * ```
 */
export function generatePrivateKey(): string {
  const k = crypto.getRandomValues(new Uint8Array(KEY_LENGTH));
  k[0]! &= 248;
  k[31] = (k[31]! & 127) | 64;
  const text = formatKey(k);
  k.fill(0);
  return text;
}

/**
 * Generates a preshared key (`wg genpsk`): 32 random bytes, not clamped.
 *
 * @returns The preshared key as base64 text.
 *
 * @example Two keys differ
 * ```ts
 * import { generatePresharedKey } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * assert.notEqual(generatePresharedKey(), generatePresharedKey());
 * ```
 */
export function generatePresharedKey(): string {
  const k = crypto.getRandomValues(new Uint8Array(KEY_LENGTH));
  const text = formatKey(k);
  k.fill(0);
  return text;
}

/**
 * The public key of a private key (`wg pubkey`): X25519(key, 9). The key
 * is clamped by X25519 itself, so an unclamped private key gives the same
 * public key as its clamped form, as in `wg`.
 *
 * @param privateKey The private key as base64 text.
 * @returns The public key as base64 text.
 * @throws {TypeError} When the text is not a key.
 * @throws {UnsupportedPlatformError} When the runtime's WebCrypto has no X25519.
 *
 * @example The key pair of the WireGuard website's example configuration
 * ```ts
 * import { publicKey } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   await publicKey("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="),
 *   "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=",
 * );
 * ```
 */
export async function publicKey(privateKey: string): Promise<string> {
  const k = parseKey(privateKey, "private key");
  try {
    return formatKey(await x25519(k, BASE_POINT, "public key"));
  } finally {
    k.fill(0);
  }
}

/**
 * The X25519 shared secret of a private key and a peer's public key
 * (RFC 7748 §6.1); the public key's top bit is ignored, as §5 requires.
 *
 * @param privateKey The private key as base64 text.
 * @param peerPublicKey The peer's public key as base64 text.
 * @returns The 32-byte shared secret as base64 text.
 * @throws {TypeError} When a text is not a key, or the public key is a
 * point of small order (the secret would be all zero, which X25519 users
 * must refuse).
 * @throws {UnsupportedPlatformError} When the runtime's WebCrypto has no X25519.
 *
 * @example Both sides compute the same secret
 * ```ts
 * import { generatePrivateKey, publicKey, sharedSecret } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * const a = generatePrivateKey(), b = generatePrivateKey();
 * assert.equal(await sharedSecret(a, await publicKey(b)), await sharedSecret(b, await publicKey(a)));
 * ```
 */
export async function sharedSecret(
  privateKey: string,
  peerPublicKey: string,
): Promise<string> {
  const k = parseKey(privateKey, "private key");
  const u = parseKey(peerPublicKey, "peer public key");
  try {
    return formatKey(await x25519(k, u, "shared secret"));
  } finally {
    k.fill(0);
  }
}

/** X25519(k, u) through WebCrypto; `k` is clamped by X25519, `u`'s bit 255 masked. */
async function x25519(
  k: Uint8Array,
  u: Uint8Array,
  what: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new UnsupportedPlatformError(
      `Cannot compute ${what}: this runtime has no WebCrypto`,
    );
  }
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + KEY_LENGTH);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(k, PKCS8_PREFIX.length);
  const point = u.slice();
  point[31]! &= 0x7f;
  let priv: CryptoKey, pub: CryptoKey;
  try {
    priv = await subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, false, [
      "deriveBits",
    ]);
    pub = await subtle.importKey("raw", point, { name: "X25519" }, false, []);
  } catch (e) {
    if (e instanceof Error && e.name === "NotSupportedError") {
      throw new UnsupportedPlatformError(
        `Cannot compute ${what}: this runtime's WebCrypto has no X25519`,
        { cause: e },
      );
    }
    throw new TypeError(`Cannot compute ${what}: the key was refused`, {
      cause: e,
    });
  } finally {
    pkcs8.fill(0);
  }
  try {
    return new Uint8Array(
      await subtle.deriveBits({ name: "X25519", public: pub }, priv, 256),
    );
  } catch (e) {
    throw new TypeError(
      `Cannot compute ${what}: the public key is a point of small order (the result would be all zero)`,
      { cause: e },
    );
  }
}
