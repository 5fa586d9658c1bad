/**
 * WireGuard, like `wgctrl`: read and configure WireGuard devices over the
 * kernel's `wireguard` generic netlink family, and make keys as `wg genkey`,
 * `wg pubkey` and `wg genpsk` do.
 *
 * - {@linkcode WireGuard.open} → {@linkcode WireGuard.devices},
 *   {@linkcode WireGuard.device} (a dump that spans several messages is
 *   merged) and {@linkcode WireGuard.configure} (checked in full first,
 *   split into several messages when it does not fit one, as the kernel
 *   requires; a refusal part-way is a {@linkcode ConfigureError} saying
 *   which message and what was applied);
 * - keys as base64 text: {@linkcode generatePrivateKey},
 *   {@linkcode publicKey} (X25519 from the runtime's WebCrypto, checked
 *   against RFC 7748), {@linkcode generatePresharedKey},
 *   {@linkcode parseKey} / {@linkcode formatKey};
 * - endpoints (`192.0.2.1:51820`, `[2001:db8::1]:51820`) and allowed IPs
 *   (`10.0.0.0/24`) as text: {@linkcode parseEndpoint},
 *   {@linkcode parseAllowedIP}.
 *
 * Without the kernel module, `nltest`'s `wireguard` simulator answers as
 * the kernel would (used by the examples below).
 *
 * @example Configure a device and list it (simulated kernel)
 * ```ts
 * import { generatePrivateKey, publicKey, WireGuard } from "@nlkit/netlink/wireguard";
 * import { wireguard } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * // On Linux with the wireguard module, as root: await WireGuard.open()
 * await using wg = await WireGuard.open(wireguard.dial({ devices: [{ name: "wg0" }] }));
 * const peer = await publicKey(generatePrivateKey());
 * await wg.configure("wg0", {
 *   privateKey: generatePrivateKey(),
 *   listenPort: 51820,
 *   replacePeers: true,
 *   peers: [{ publicKey: peer, endpoint: "192.0.2.1:51820", allowedIPs: ["10.0.0.0/24"] }],
 * });
 * const [dev] = await wg.devices();
 * assert.equal(dev?.name, "wg0");
 * assert.deepEqual(dev?.peers.map((p) => [p.publicKey, p.endpoint, p.allowedIPs]), [
 *   [peer, "192.0.2.1:51820", ["10.0.0.0/24"]],
 * ]);
 * ```
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
export {
  AF_INET,
  AF_INET6,
  type AllowedIP,
  formatAllowedIP,
  formatEndpoint,
  parseAllowedIP,
  parseEndpoint,
} from "./address.ts";
export type { Device, Peer } from "./device.ts";
export {
  type Config,
  ConfigureError,
  type MessageSummary,
  type PeerConfig,
} from "./configure.ts";
export { type DeviceRef, WireGuard, type WireGuardOptions } from "./client.ts";
