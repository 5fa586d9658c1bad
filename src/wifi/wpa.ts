/**
 * WPA2-Personal key derivation: the PMK from a passphrase and SSID.
 *
 * @module
 */

/**
 * Derives the WPA2-Personal pairwise master key: PBKDF2-HMAC-SHA1 of the
 * passphrase, salted with the SSID, 4096 iterations, 32 bytes (IEEE 802.11
 * Annex J.4), computed with WebCrypto (`crypto.subtle`). A 64-digit hex
 * string is taken as the PSK itself, as `wpa_supplicant` does.
 *
 * @param passphrase 8 to 63 printable ASCII characters, or 64 hex digits.
 * @param ssid The SSID, as text (UTF-8) or bytes (1 to 32 bytes).
 * @returns The 32-byte PMK.
 * @throws {TypeError} If the passphrase or SSID is invalid.
 *
 * @example The vector of the Go reference (vectors §4)
 * ```ts
 * import { derivePMK } from "@nlkit/netlink/wifi";
 * import assert from "node:assert/strict";
 *
 * const pmk = await derivePMK("psk-secret", "ssid");
 * assert.equal(
 *   Array.from(pmk, (b) => b.toString(16).padStart(2, "0")).join(""),
 *   "b8be2773b88cb572e733f86e8e70957ee3abf4a7901cf71f1539cde51acf41ed",
 * );
 * ```
 */
export async function derivePMK(
  passphrase: string,
  ssid: string | Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const salt = ssidBytes(ssid, "derive the PMK");
  if (typeof passphrase !== "string") {
    throw new TypeError(
      "Cannot derive the PMK: the passphrase must be a string",
    );
  }
  if (/^[0-9a-fA-F]{64}$/.test(passphrase)) {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) {
      out[i] = parseInt(passphrase.slice(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
  if (!/^[\x20-\x7e]{8,63}$/.test(passphrase)) {
    throw new TypeError(
      `Cannot derive the PMK: the passphrase must be 8 to 63 printable ASCII characters or 64 hex digits, got ${passphrase.length} characters`,
    );
  }
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new TypeError(
      "Cannot derive the PMK: WebCrypto (crypto.subtle) is not available",
    );
  }
  const key = await subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-1", salt: salt.slice(), iterations: 4096 },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * The bytes of an SSID given as text (UTF-8) or bytes, checked to be 1 to 32 bytes.
 *
 * @internal
 */
export function ssidBytes(
  ssid: string | Uint8Array,
  what: string,
): Uint8Array<ArrayBuffer> {
  let b: Uint8Array<ArrayBuffer>;
  if (typeof ssid === "string") b = new TextEncoder().encode(ssid);
  else if (ssid instanceof Uint8Array) b = ssid.slice();
  else {throw new TypeError(
      `Cannot ${what}: the SSID must be a string or a Uint8Array`,
    );}
  if (b.length < 1 || b.length > 32) {
    throw new TypeError(
      `Cannot ${what}: the SSID must be 1 to 32 bytes, got ${b.length}`,
    );
  }
  return b;
}
