/**
 * IP and hardware address text helpers for the simulated rtnetlink.
 *
 * @module
 */

/**
 * Parses an IPv4 (`192.0.2.1`) or IPv6 (`2001:db8::1`) address.
 *
 * @internal
 * @param s The address text.
 * @returns 4 or 16 bytes.
 * @throws {TypeError} If `s` is not an IP address.
 */
export function parseIP(s: string): Uint8Array<ArrayBuffer> {
  if (!s.includes(":")) {
    const parts = s.split(".");
    if (parts.length !== 4) {
      throw new TypeError(`Cannot parse IP address: "${s}"`);
    }
    const out = new Uint8Array(4);
    parts.forEach((p, i) => {
      const n = Number(p);
      if (!/^\d{1,3}$/.test(p) || n > 255) {
        throw new TypeError(`Cannot parse IP address: "${s}"`);
      }
      out[i] = n;
    });
    return out;
  }
  const halves = s.split("::");
  if (halves.length > 2) throw new TypeError(`Cannot parse IP address: "${s}"`);
  const words = (h: string | undefined): number[] => {
    if (!h) return [];
    return h.split(":").map((w) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) {
        throw new TypeError(`Cannot parse IP address: "${s}"`);
      }
      return parseInt(w, 16);
    });
  };
  const head = words(halves[0]);
  const tail = words(halves[1]);
  const fill = 8 - head.length - tail.length;
  if (
    (halves.length === 1 && fill !== 0) || fill < 0 ||
    (halves.length === 2 && fill < 1)
  ) {
    throw new TypeError(`Cannot parse IP address: "${s}"`);
  }
  const all = [
    ...head,
    ...new Array<number>(halves.length === 2 ? fill : 0).fill(0),
    ...tail,
  ];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/**
 * Parses `address/prefix` (the prefix defaults to the full length).
 *
 * @internal
 * @param s Text such as `10.0.0.0/8`.
 * @returns The address bytes and the prefix length.
 * @throws {TypeError} If the text is not an address with a valid prefix.
 */
export function parsePrefix(
  s: string,
): { address: Uint8Array<ArrayBuffer>; length: number } {
  const [a, p] = s.split("/");
  const address = parseIP(a ?? "");
  const length = p === undefined ? address.length * 8 : Number(p);
  if (!Number.isInteger(length) || length < 0 || length > address.length * 8) {
    throw new TypeError(`Cannot parse prefix: "${s}"`);
  }
  return { address, length };
}

/**
 * Formats 4 or 16 bytes as an IP address (IPv6 with the longest zero run
 * compressed); other lengths as colon-separated hex.
 *
 * @internal
 * @param b The address bytes.
 * @returns The text.
 */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length !== 16) return formatHardware(b);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${
    hex.slice(best + bestLen).join(":")
  }`;
}

/**
 * Formats a hardware address as `aa:bb:cc:dd:ee:ff`.
 *
 * @internal
 * @param b The address bytes.
 * @returns The text.
 */
export function formatHardware(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":");
}

/**
 * Parses `aa:bb:cc:dd:ee:ff`.
 *
 * @internal
 * @param s The text.
 * @returns The bytes.
 * @throws {TypeError} If a part is not a hex byte.
 */
export function parseHardware(s: string): Uint8Array<ArrayBuffer> {
  const parts = s.split(":");
  return new Uint8Array(parts.map((p) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) {
      throw new TypeError(`Cannot parse hardware address: "${s}"`);
    }
    return parseInt(p, 16);
  }));
}

/**
 * Reports whether `addr` lies in `prefix/length` (same family).
 *
 * @internal
 * @param prefix The network address.
 * @param length The prefix length in bits.
 * @param addr The address to test.
 * @returns True when the first `length` bits match.
 */
export function inPrefix(
  prefix: Uint8Array,
  length: number,
  addr: Uint8Array,
): boolean {
  if (prefix.length !== addr.length) return false;
  for (let bit = 0; bit < length; bit += 8) {
    const left = length - bit;
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    const i = bit >> 3;
    if (((prefix[i]! ^ addr[i]!) & mask) !== 0) return false;
  }
  return true;
}

/**
 * Reports whether any bit after the first `length` bits is set.
 *
 * @internal
 * @param addr The address.
 * @param length The prefix length in bits.
 * @returns True when host bits are set.
 */
export function hasHostBits(addr: Uint8Array, length: number): boolean {
  for (let bit = length; bit < addr.length * 8; bit++) {
    if ((addr[bit >> 3]! >> (7 - (bit & 7))) & 1) return true;
  }
  return false;
}

/**
 * Byte-wise equality.
 *
 * @internal
 * @param a First.
 * @param b Second.
 * @returns True when equal.
 */
export function bytesEqual(
  a: Uint8Array | undefined,
  b: Uint8Array | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
