/**
 * Peer endpoints and allowed IPs as text, and the bytes the kernel uses:
 * `struct sockaddr_in` / `struct sockaddr_in6` for an endpoint
 * (`WGPEER_A_ENDPOINT`), address family, address and prefix length for an
 * allowed IP (`WGALLOWEDIP_A_*`). The address text is the generated
 * families' (`src/families/_text.ts`, RFC 5952 for IPv6).
 *
 * @module
 */

import { formatIP, parseIP } from "../families/_text.ts";
import {
  get16,
  get32,
  HOST_LITTLE_ENDIAN,
  put16,
  put32,
} from "../netlink/_endian.ts";

/** `AF_INET` (`linux/socket.h`). */
export const AF_INET = 2;
/** `AF_INET6` (`linux/socket.h`). */
export const AF_INET6 = 10;
/** `sizeof(struct sockaddr_in)` (`linux/in.h`). */
const SOCKADDR_IN_LENGTH = 16;
/** `sizeof(struct sockaddr_in6)` (`linux/in6.h`). */
const SOCKADDR_IN6_LENGTH = 28;

function quote(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/**
 * Encodes an endpoint written as `192.0.2.1:51820` or
 * `[2001:db8::1]:51820` (an IPv6 scope as `[fe80::1%3]:51820`, by
 * interface index) into the `struct sockaddr_in` or `struct sockaddr_in6`
 * the kernel takes. Host names are not resolved: resolve them first.
 *
 * @param text The endpoint.
 * @param name What it is, for the error message.
 * @returns 16 bytes (IPv4) or 28 bytes (IPv6).
 * @throws {TypeError} When `text` is not such an endpoint (the message quotes it).
 *
 * @example An IPv4 and an IPv6 endpoint
 * ```ts
 * import { formatEndpoint, parseEndpoint } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseEndpoint("192.0.2.1:51820").length, 16);
 * assert.equal(formatEndpoint(parseEndpoint("[2001:DB8::1]:51820")), "[2001:db8::1]:51820");
 * assert.throws(() => parseEndpoint("vpn.example.com:51820"), TypeError);
 * ```
 */
export function parseEndpoint(
  text: string,
  name = "endpoint",
): Uint8Array<ArrayBuffer> {
  const fail = (why: string): never => {
    throw new TypeError(`Cannot use ${name} ${quote(text)}: ${why}`);
  };
  if (typeof text !== "string") {
    fail("expected text such as 192.0.2.1:51820 or [2001:db8::1]:51820");
  }
  let host: string, portText: string, scope = 0;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") {
      fail("an IPv6 endpoint is written [address]:port");
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    const pct = host.indexOf("%");
    if (pct >= 0) {
      const s = host.slice(pct + 1);
      if (!/^[0-9]{1,10}$/.test(s) || Number(s) > 0xffff_ffff) {
        fail("the IPv6 scope must be an interface index");
      }
      scope = Number(s);
      host = host.slice(0, pct);
    }
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) fail("it has no port (host:port)");
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) fail("write an IPv6 endpoint as [address]:port");
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    fail("the port must be a number from 0 to 65535");
  }
  const port = Number(portText);
  const ip = host.startsWith("0x") ? undefined : parseIP(host);
  if (ip === undefined || (ip.length !== 4 && ip.length !== 16)) {
    fail(
      /^[0-9.]+$/.test(host) || host.includes(":")
        ? "not an IP address"
        : "not an IP address (resolve host names first)",
    );
  }
  const v4 = ip!.length === 4;
  if (v4 && scope !== 0) fail("only IPv6 endpoints have a scope");
  const out = new Uint8Array(v4 ? SOCKADDR_IN_LENGTH : SOCKADDR_IN6_LENGTH);
  put16(out, 0, v4 ? AF_INET : AF_INET6, HOST_LITTLE_ENDIAN);
  put16(out, 2, port, false); // sin_port / sin6_port: network order
  if (v4) out.set(ip!, 4);
  else {
    out.set(ip!, 8); // after sin6_flowinfo
    put32(out, 24, scope, HOST_LITTLE_ENDIAN);
  }
  return out;
}

/**
 * Formats a `struct sockaddr_in` or `struct sockaddr_in6` as
 * `192.0.2.1:51820` or `[2001:db8::1]:51820` (with `%index` for a scoped
 * IPv6 address).
 *
 * @param bytes The socket address.
 * @returns The endpoint, or `undefined` for another family or a short address.
 */
export function formatEndpoint(bytes: Uint8Array): string | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < 4) return undefined;
  const family = get16(bytes, 0, HOST_LITTLE_ENDIAN);
  const port = (bytes[2]! << 8) | bytes[3]!;
  if (family === AF_INET && bytes.length >= SOCKADDR_IN_LENGTH) {
    return `${formatIP(bytes, 4, 8)}:${port}`;
  }
  if (family === AF_INET6 && bytes.length >= SOCKADDR_IN6_LENGTH) {
    const scope = get32(bytes, 24, HOST_LITTLE_ENDIAN);
    return `[${formatIP(bytes, 8, 24)}${scope ? `%${scope}` : ""}]:${port}`;
  }
  return undefined;
}

/**
 * An allowed IP, parsed: the address family, the network address (host
 * bits cleared, as the kernel stores it) and the prefix length.
 */
export interface AllowedIP {
  /** `AF_INET` (2) or `AF_INET6` (10). */
  family: number;
  /** The network address, host bits cleared. */
  address: string;
  /** The prefix length (0-32 or 0-128). */
  prefixLength: number;
}

/**
 * Parses an allowed IP in CIDR notation (`10.0.0.0/24`, `fd00::/64`; a
 * bare address is a host route: `/32` or `/128`). The host bits are
 * cleared, as the kernel does when it stores the prefix.
 *
 * @param text The prefix.
 * @param name What it is, for the error message.
 * @returns The family, network address and prefix length.
 * @throws {TypeError} When `text` is not a prefix (the message quotes it).
 *
 * @example Host bits are cleared
 * ```ts
 * import { formatAllowedIP, parseAllowedIP } from "@nlkit/netlink/wireguard";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAllowedIP(parseAllowedIP("2001:db8::7/32")), "2001:db8::/32");
 * assert.equal(formatAllowedIP(parseAllowedIP("192.0.2.9")), "192.0.2.9/32");
 * assert.throws(() => parseAllowedIP("10.0.0.0/33"), TypeError);
 * ```
 */
export function parseAllowedIP(text: string, name = "allowed IP"): AllowedIP {
  const fail = (why: string): never => {
    throw new TypeError(`Cannot use ${name} ${quote(text)}: ${why}`);
  };
  if (typeof text !== "string") fail("expected text such as 10.0.0.0/24");
  const slash = text.indexOf("/");
  const host = slash < 0 ? text : text.slice(0, slash);
  const ip = host.startsWith("0x") ? undefined : parseIP(host);
  if (ip === undefined || (ip.length !== 4 && ip.length !== 16)) {
    fail("not an IP address");
  }
  const bits = ip!.length * 8;
  let prefixLength = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > bits) {
      fail(`the prefix length must be a number from 0 to ${bits}`);
    }
    prefixLength = Number(p);
  }
  for (let i = 0; i < ip!.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
    ip![i]! &= (0xff00 >> keep) & 0xff;
  }
  return {
    family: ip!.length === 4 ? AF_INET : AF_INET6,
    address: formatIP(ip!, 0, ip!.length),
    prefixLength,
  };
}

/**
 * Writes an allowed IP in CIDR notation.
 *
 * @param ip The allowed IP.
 * @returns `address/prefixLength`.
 */
export function formatAllowedIP(ip: AllowedIP): string {
  return `${ip.address}/${ip.prefixLength}`;
}
