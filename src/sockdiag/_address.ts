/**
 * IP address text for socket identities: IPv4 dotted quads and IPv6 in
 * RFC 5952 form (longest zero run compressed, lower case, IPv4-mapped
 * addresses as `::ffff:192.0.2.1`).
 *
 * @module
 */

const WORD = /^[0-9a-fA-F]{1,4}$/;

/**
 * Writes the text of 4 (IPv4) or 16 (IPv6) bytes at `offset` in `b`.
 *
 * @param b The buffer.
 * @param offset Where the address starts.
 * @param v6 True for 16 bytes of IPv6.
 * @returns The text.
 */
export function formatAddress(
  b: Uint8Array,
  offset: number,
  v6: boolean,
): string {
  if (!v6) {
    return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
  }
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    words.push((b[offset + i]! << 8) | b[offset + i + 1]!);
  }
  // RFC 5952 section 5: ::ffff:a.b.c.d for IPv4-mapped addresses.
  if (
    words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 &&
    words[4] === 0 && words[5] === 0xffff
  ) {
    return `::ffff:${formatAddress(b, offset + 12, false)}`;
  }
  let best = -1;
  let bestLength = 1; // a single zero word is not compressed (RFC 5952 4.2.2)
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${
    hex.slice(best + bestLength).join(":")
  }`;
}

function parseV4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

/**
 * Parses an address into `out` at `offset`: 4 bytes for IPv4 text, 16 for
 * IPv6 (a trailing dotted quad is allowed, as in `::ffff:192.0.2.1`).
 *
 * @param s The text.
 * @param v6 True to want IPv6, false for IPv4.
 * @param out Where to write.
 * @param offset Where the address starts in `out`.
 * @throws {TypeError} If `s` is not an address of that family.
 */
export function parseAddress(
  s: string,
  v6: boolean,
  out: Uint8Array,
  offset: number,
): void {
  const bad = (): TypeError =>
    new TypeError(
      `Cannot parse ${v6 ? "IPv6" : "IPv4"} address: ${JSON.stringify(s)}`,
    );
  if (typeof s !== "string") throw bad();
  if (!v6) {
    const v = parseV4(s);
    if (v === undefined) throw bad();
    out.set(v, offset);
    return;
  }
  let text = s;
  const tail: number[] = [];
  if (text.includes(".")) {
    // A trailing dotted quad is the last two words (RFC 4291 2.2 form 3).
    const lastColon = text.lastIndexOf(":");
    const v = lastColon < 0 ? undefined : parseV4(text.slice(lastColon + 1));
    if (v === undefined) throw bad();
    tail.push((v[0]! << 8) | v[1]!, (v[2]! << 8) | v[3]!);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) throw bad();
  const words = (h: string | undefined): number[] => {
    if (h === undefined || h === "") return [];
    return h.split(":").map((w) => {
      if (!WORD.test(w)) throw bad();
      return parseInt(w, 16);
    });
  };
  const head = words(halves[0]);
  const rest = words(halves[1]);
  rest.push(...tail);
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) throw bad();
  const all = [...head, ...new Array<number>(fill).fill(0), ...rest];
  for (let i = 0; i < 8; i++) {
    out[offset + 2 * i] = all[i]! >> 8;
    out[offset + 2 * i + 1] = all[i]! & 0xff;
  }
}
