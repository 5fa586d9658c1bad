/**
 * Text forms of the YNL display hints `ipv4`, `ipv6`, `ipv4-or-v6`, `mac`
 * and `fddi`: IPv4 dotted quads, IPv6 in RFC 5952 form (lowercase, the
 * longest run of two or more zero groups as `::`), hardware addresses as
 * colon-separated hex pairs. An IPv6 address with an IPv4 address in its
 * last 32 bits is written as glibc's `inet_ntop` writes it, so the text is
 * what `ip`, `ss` and `wg` print: IPv4-mapped as `::ffff:192.0.2.1`,
 * IPv4-compatible (the first 96 bits zero, not `::` nor `::1`) as
 * `::192.0.2.1`.
 *
 * The one copy of address text in the library: the generated codecs, the
 * clients (route, sockdiag, wireguard) and the simulated kernels use it.
 *
 * An address attribute may be neither 4 nor 16 bytes (an MPLS label in a
 * route, a 2-byte address of an old protocol family): it is written as
 * `0x` and hex digits, and parsed back the same way, so no byte is lost.
 *
 * @module
 */

const HEX = "0123456789abcdef";

/** Character codes of the hex digits. */
const HC: readonly number[] = Array.from(HEX, (c) => c.charCodeAt(0));

function hexPair(v: number): string {
  return HEX[v >> 4]! + HEX[v & 15]!;
}

/** `0x` + lowercase hex, the fallback text for bytes of an unexpected length. */
function rawHex(b: Uint8Array, start: number, end: number): string {
  let s = "0x";
  for (let i = start; i < end; i++) s += hexPair(b[i]!);
  return s;
}

/**
 * Formats an IPv4 address held in a u32 (its value, most significant
 * byte first).
 */
export function formatIPv4Number(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Formats `end - start` bytes at `start` as an address: 4 bytes IPv4, 16 bytes IPv6, else `0x...`. */
export function formatIP(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 4) {
    return `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}`;
  }
  if (n !== 16) return rawHex(b, start, end);
  // IPv4-mapped (::ffff:a.b.c.d, RFC 5952 section 5) and IPv4-compatible
  // (::a.b.c.d) as glibc's inet_ntop: the first 80 bits zero, then ffff,
  // or 96 bits zero and the next 16 not (so ::1 and :: stay as they are).
  let zero80 = true;
  for (let i = 0; zero80 && i < 10; i++) if (b[start + i] !== 0) zero80 = false;
  if (zero80) {
    const w5 = (b[start + 10]! << 8) | b[start + 11]!;
    const w6 = (b[start + 12]! << 8) | b[start + 13]!;
    if (w5 === 0xffff || (w5 === 0 && w6 !== 0)) {
      return `${w5 === 0 ? "::" : "::ffff:"}${b[start + 12]}.${b[start + 13]}.${
        b[start + 14]
      }.${b[start + 15]}`;
    }
  }
  // The longest run of zero groups (two or more), the first one on a tie.
  let bestAt = -1, bestLen = 1, runAt = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && b[start + 2 * g] === 0 && b[start + 2 * g + 1] === 0;
    if (zero) {
      if (runAt < 0) runAt = g;
    } else if (runAt >= 0) {
      if (g - runAt > bestLen) {
        bestAt = runAt;
        bestLen = g - runAt;
      }
      runAt = -1;
    }
  }
  let s = "";
  for (let g = 0; g < 8; g++) {
    if (g === bestAt) {
      s += g === 0 ? "::" : ":";
      g += bestLen - 1;
      continue;
    }
    const v = (b[start + 2 * g]! << 8) | b[start + 2 * g + 1]!;
    s += v.toString(16);
    if (g < 7) s += ":";
  }
  return s;
}

/** Parses a dotted IPv4 address into `out` at `at`; false (bytes undefined) when `s` is not one. */
export function parseIPv4Into(
  s: string,
  out: Uint8Array,
  at: number,
): boolean {
  // Four decimal numbers 0..255 without leading zeros, dot-separated.
  let part = 0;
  let v = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // a final "."
    if (c === 46) {
      if (digits === 0 || part === 4) return false;
      out[at + part++] = v;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && v === 0) return false; // a leading zero
      v = v * 10 + c - 48;
      if (v > 255) return false;
      digits++;
    } else return false;
  }
  return part === 4;
}

/**
 * Parses IPv6 text (RFC 4291 section 2.2, a trailing dotted IPv4 address
 * allowed) into 16 bytes of `out` at `at`.
 *
 * @returns false (the bytes undefined) when `s` is not IPv6 text.
 */
export function parseIPv6Into(
  s: string,
  out: Uint8Array,
  at: number,
): boolean {
  let text = s;
  let tail = 0; // bytes taken by a trailing dotted IPv4
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.indexOf(".", lastColon) > lastColon) {
    if (!parseIPv4Into(text.slice(lastColon + 1), out, at + 12)) return false;
    text = text.slice(0, lastColon + 1) + "0:0";
    tail = 4;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || rest === undefined) return false;
  const n = head.length + rest.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return false;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...rest];
  for (let g = 0; g < 8; g++) {
    if (tail > 0 && g >= 6) break;
    out[at + 2 * g] = all[g]! >> 8;
    out[at + 2 * g + 1] = all[g]! & 255;
  }
  return true;
}

function parseRawHex(s: string): Uint8Array<ArrayBuffer> | undefined {
  const h = s.slice(2);
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) return undefined;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/**
 * Parses an address written as {@linkcode formatIP} writes it (IPv4,
 * IPv6, or `0x` and hex digits).
 *
 * @returns The bytes, or `undefined` when `s` is none of those.
 */
export function parseIP(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (s.startsWith("0x")) return parseRawHex(s);
  if (s.includes(":")) {
    const out = new Uint8Array(16);
    return parseIPv6Into(s, out, 0) ? out : undefined;
  }
  const out = new Uint8Array(4);
  return parseIPv4Into(s, out, 0) ? out : undefined;
}

const IPV4 = new Uint8Array(4);

/** Parses a dotted IPv4 address into a u32 (first byte most significant). */
export function parseIPv4Number(s: string): number | undefined {
  const out = IPV4;
  if (!parseIPv4Into(s, out, 0)) return undefined;
  return ((out[0]! << 24) | (out[1]! << 16) | (out[2]! << 8) | out[3]!) >>> 0;
}

/** Formats bytes as colon-separated hex pairs (`02:00:00:00:00:01`); empty for no bytes. */
export function formatMAC(b: Uint8Array, start: number, end: number): string {
  if (end - start === 6) {
    // One string, no intermediate ones (a quarter of the time on V8).
    const o = start;
    return String.fromCharCode(
      HC[b[o]! >> 4]!,
      HC[b[o]! & 15]!,
      58,
      HC[b[o + 1]! >> 4]!,
      HC[b[o + 1]! & 15]!,
      58,
      HC[b[o + 2]! >> 4]!,
      HC[b[o + 2]! & 15]!,
      58,
      HC[b[o + 3]! >> 4]!,
      HC[b[o + 3]! & 15]!,
      58,
      HC[b[o + 4]! >> 4]!,
      HC[b[o + 4]! & 15]!,
      58,
      HC[b[o + 5]! >> 4]!,
      HC[b[o + 5]! & 15]!,
    );
  }
  let s = "";
  for (let i = start; i < end; i++) {
    if (i > start) s += ":";
    s += hexPair(b[i]!);
  }
  return s;
}

/** Parses colon-separated hex pairs; `undefined` when `s` is not in that form. */
export function parseMAC(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (s === "") return new Uint8Array(0);
  const parts = s.split(":");
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{2}$/.test(p)) return undefined;
    out[i] = parseInt(p, 16);
  }
  return out;
}
