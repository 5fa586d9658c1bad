/**
 * WireGuard. For now: keys, as `wg genkey`, `wg pubkey` and `wg genpsk`
 * make them: base64 text of 32-byte Curve25519 keys, with X25519 from the
 * runtime's WebCrypto (checked against the RFC 7748 test vectors).
 *
 * - {@linkcode generatePrivateKey} (clamped, synchronous),
 *   {@linkcode publicKey} (asynchronous: WebCrypto),
 *   {@linkcode generatePresharedKey};
 * - {@linkcode parseKey} / {@linkcode formatKey} between text and bytes,
 *   refusing bad text or a wrong length with a `TypeError` naming the
 *   argument (never echoing the key);
 * - {@linkcode sharedSecret}: X25519 of a private and a public key.
 *
 * @example Make a key pair and a preshared key, as `wg genkey | tee priv | wg pubkey`
 * ```ts
 * import { generatePresharedKey, generatePrivateKey, publicKey } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * const privateKey = generatePrivateKey();
 * const pub = await publicKey(privateKey);
 * const psk = generatePresharedKey();
 * for (const k of [privateKey, pub, psk]) assert.match(k, /^[A-Za-z0-9+/]{43}=$/);
 * ```
 *
 * @module
 */

export * from "./keys.ts";
