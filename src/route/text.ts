/**
 * Address text: IPv4 and IPv6 addresses (RFC 5952 for IPv6), prefixes in
 * CIDR notation, hardware (MAC) addresses. The conversions themselves are
 * the generated families' (`src/families/_text.ts`); this module gives
 * them a checked, public face: bad text is a `TypeError` quoting it.
 *
 * @module
 */

import {
  formatIP as formatBytes,
  formatMAC as formatMACBytes,
  parseIP as parseBytes,
  parseMAC as parseMACBytes,
} from "../families/_text.ts";

/** An address family by the name `ip -j` prints: `inet` (IPv4) or `inet6` (IPv6). */
export type AddressFamily = "inet" | "inet6";

/** `AF_INET` (`linux/socket.h`): IPv4. */
export const AF_INET = 2;
/** `AF_INET6` (`linux/socket.h`): IPv6. */
export const AF_INET6 = 10;

/**
 * A prefix in CIDR notation, parsed: `10.1.2.3/24` is the address
 * `10.1.2.3` with prefix length 24.
 */
export interface CIDR {
  /** `inet` or `inet6`. */
  family: AddressFamily;
  /** The address as text, in canonical form (RFC 5952 for IPv6). */
  address: string;
  /** The prefix length in bits (32 or 128 when the text had none). */
  prefixLength: number;
  /** The address bytes (4 or 16). */
  bytes: Uint8Array<ArrayBuffer>;
}

function quote(text: unknown): string {
  return typeof text === "string" ? JSON.stringify(text) : String(text);
}

/**
 * Parses an IP address, or says what is wrong with the text (quoting it).
 *
 * @internal
 */
export function ipOrProblem(text: unknown): Uint8Array<ArrayBuffer> | string {
  const b = typeof text === "string" && !text.startsWith("0x")
    ? parseBytes(text)
    : undefined;
  return b ?? `${quote(text)} is not an IP address`;
}

/**
 * Parses CIDR text, or says what is wrong with it (quoting it).
 *
 * @internal
 */
export function cidrOrProblem(text: unknown): CIDR | string {
  if (typeof text !== "string") return `${quote(text)} is not CIDR text`;
  const slash = text.indexOf("/");
  const head = slash < 0 ? text : text.slice(0, slash);
  const bytes = ipOrProblem(head);
  if (typeof bytes === "string") {
    return slash < 0 ? bytes : `${quote(text)}: ${bytes}`;
  }
  const bits = bytes.length * 8;
  let prefixLength = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > bits) {
      return `${quote(text)}: prefix length must be 0 to ${bits}`;
    }
    prefixLength = Number(p);
  }
  return {
    family: bytes.length === 4 ? "inet" : "inet6",
    address: formatBytes(bytes, 0, bytes.length),
    prefixLength,
    bytes,
  };
}

/**
 * Parses an IPv4 (`192.0.2.1`) or IPv6 (`2001:db8::1`, `::ffff:192.0.2.1`)
 * address.
 *
 * @param text The address.
 * @returns 4 bytes for IPv4, 16 for IPv6.
 * @throws {TypeError} When `text` is not an IP address (the message quotes it).
 *
 * @example Parse both families
 * ```ts
 * import { parseIP } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...parseIP("192.0.2.1")], [192, 0, 2, 1]);
 * assert.equal(parseIP("fe80::1").length, 16);
 * assert.throws(() => parseIP("10.1.2"), { name: "TypeError", message: 'Cannot parse IP address: "10.1.2" is not an IP address' });
 * ```
 */
export function parseIP(text: string): Uint8Array<ArrayBuffer> {
  const b = ipOrProblem(text);
  if (typeof b === "string") {
    throw new TypeError(`Cannot parse IP address: ${b}`);
  }
  return b;
}

/**
 * Formats 4 or 16 bytes as an address: IPv4 dotted quad, IPv6 in RFC 5952
 * form (lowercase, the longest run of two or more zero groups as `::`,
 * IPv4-mapped addresses dotted).
 *
 * @param bytes The address.
 * @returns The text.
 * @throws {TypeError} When `bytes` is not 4 or 16 bytes long.
 *
 * @example RFC 5952 text
 * ```ts
 * import { formatIP } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatIP(new Uint8Array([10, 0, 0, 1])), "10.0.0.1");
 * const v6 = new Uint8Array(16);
 * v6[0] = 0x20; v6[1] = 0x01; v6[2] = 0x0d; v6[3] = 0xb8; v6[15] = 1;
 * assert.equal(formatIP(v6), "2001:db8::1");
 * ```
 */
export function formatIP(bytes: Uint8Array): string {
  if (
    !(bytes instanceof Uint8Array) ||
    (bytes.length !== 4 && bytes.length !== 16)
  ) {
    throw new TypeError(
      `Cannot format IP address: need 4 or 16 bytes, got ${
        bytes instanceof Uint8Array ? bytes.length : typeof bytes
      }`,
    );
  }
  return formatBytes(bytes, 0, bytes.length);
}

/**
 * Parses `address/prefix` (CIDR notation); without `/prefix`, the whole
 * address (32 or 128 bits).
 *
 * @param text Such as `10.1.2.3/24` or `2001:db8::/32`.
 * @returns The family, the canonical address text, the prefix length and the bytes.
 * @throws {TypeError} When the address or the prefix length is invalid (the message quotes `text`).
 *
 * @example Parse a prefix
 * ```ts
 * import { parseCIDR } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * const c = parseCIDR("10.1.2.3/24");
 * assert.deepEqual([c.family, c.address, c.prefixLength], ["inet", "10.1.2.3", 24]);
 * assert.equal(parseCIDR("192.0.2.7").prefixLength, 32);
 * assert.throws(() => parseCIDR("10.1.2.3/33"), { name: "TypeError", message: 'Cannot parse CIDR: "10.1.2.3/33": prefix length must be 0 to 32' });
 * ```
 */
export function parseCIDR(text: string): CIDR {
  const c = cidrOrProblem(text);
  if (typeof c === "string") throw new TypeError(`Cannot parse CIDR: ${c}`);
  return c;
}

/**
 * Parses a hardware address written as colon-separated hex pairs
 * (`02:00:5e:10:00:01`; 6 bytes for Ethernet, any length accepted).
 *
 * @param text The address.
 * @returns The bytes.
 * @throws {TypeError} When `text` is not in that form (the message quotes it).
 *
 * @example Parse a MAC address
 * ```ts
 * import { parseMAC } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...parseMAC("02:00:5E:10:00:01")], [2, 0, 0x5e, 0x10, 0, 1]);
 * assert.throws(() => parseMAC("02:00:5e"), TypeError);
 * ```
 */
export function parseMAC(text: string): Uint8Array<ArrayBuffer> {
  const b = macOrProblem(text);
  if (typeof b === "string") {
    throw new TypeError(`Cannot parse MAC address: ${b}`);
  }
  return b;
}

/**
 * Parses a MAC address, or says what is wrong with the text (quoting it).
 *
 * @internal
 */
export function macOrProblem(text: unknown): Uint8Array<ArrayBuffer> | string {
  const b = typeof text === "string" && text !== ""
    ? parseMACBytes(text)
    : undefined;
  return b === undefined || b.length < 6
    ? `${quote(text)} is not a MAC address`
    : b;
}

/**
 * Formats a hardware address as lowercase colon-separated hex pairs.
 *
 * @param bytes The address.
 * @returns The text (empty for no bytes).
 * @throws {TypeError} When `bytes` is not a `Uint8Array`.
 *
 * @example Format a MAC address
 * ```ts
 * import { formatMAC } from "@nlkit/netlink/route";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatMAC(new Uint8Array([2, 0, 0x5e, 0x10, 0, 1])), "02:00:5e:10:00:01");
 * ```
 */
export function formatMAC(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot format MAC address: not a Uint8Array");
  }
  return formatMACBytes(bytes, 0, bytes.length);
}

/**
 * The address family number (`AF_INET`, `AF_INET6`) of a family name.
 *
 * @internal
 */
export function familyNumber(family: AddressFamily): number {
  return family === "inet6" ? AF_INET6 : AF_INET;
}

/**
 * The family name of `AF_INET` / `AF_INET6`; other numbers stay numbers.
 *
 * @internal
 */
export function familyName(n: number): AddressFamily | number {
  return n === AF_INET ? "inet" : n === AF_INET6 ? "inet6" : n;
}
