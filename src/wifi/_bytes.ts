/**
 * Small byte helpers shared by the 802.11 element decoders (internal).
 *
 * @module
 */

/** Reads a little-endian u16 at `o` (802.11 fields are little-endian). */
export function le16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/** Reads a little-endian u32 at `o`. */
export function le32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>>
    0;
}

/** Reads a big-endian u32 at `o` (cipher and AKM suite selectors: OUI then type). */
export function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>>
    0;
}

/** Formats bytes as lowercase colon-separated hex (`"00:11:22"`). */
export function hexColon(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    if (i > 0) s += ":";
    s += b[i]!.toString(16).padStart(2, "0");
  }
  return s;
}

/**
 * Parses colon-separated hex (`"aa:bb:cc:dd:ee:ff"`), the inverse of
 * {@linkcode hexColon}.
 *
 * @throws {TypeError} If the text is not colon-separated hex bytes.
 */
export function parseHexColon(
  text: string,
  what = "a MAC address",
): Uint8Array {
  const parts = text.split(":");
  if (parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`Cannot encode: "${text}" is not ${what}`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/**
 * Decodes bytes as UTF-8 the way Go's `utf8.DecodeRune` does: every byte
 * that does not start a valid sequence becomes one U+FFFD and decoding
 * resumes at the next byte. (WHATWG `TextDecoder` replaces a maximal
 * invalid subsequence with a single U+FFFD instead, so `e2 82 41` would give
 * one replacement character where Go gives two.)
 */
export function decodeUTF8Go(b: Uint8Array): string {
  let s = "";
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c0 = b[i]!;
    if (c0 < 0x80) {
      s += String.fromCharCode(c0);
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    let cp = 0;
    if (c0 >= 0xc2 && c0 <= 0xdf) {
      need = 1;
      cp = c0 & 0x1f;
    } else if (c0 >= 0xe0 && c0 <= 0xef) {
      need = 2;
      cp = c0 & 0x0f;
      if (c0 === 0xe0) lo = 0xa0;
      if (c0 === 0xed) hi = 0x9f;
    } else if (c0 >= 0xf0 && c0 <= 0xf4) {
      need = 3;
      cp = c0 & 0x07;
      if (c0 === 0xf0) lo = 0x90;
      if (c0 === 0xf4) hi = 0x8f;
    } else {
      s += "\ufffd";
      i++;
      continue;
    }
    let ok = i + need < n;
    for (let k = 1; ok && k <= need; k++) {
      const c = b[i + k]!;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) {
      s += "\ufffd";
      i++;
      continue;
    }
    s += String.fromCodePoint(cp);
    i += need + 1;
  }
  return s;
}

/**
 * Per-stream maximum MCS from a 16-bit VHT/HE MCS map (2 bits per spatial
 * stream, lowest first; code 3 means the stream count is unsupported).
 */
export function mcsMapMax(
  map: number,
  maxForCode: readonly number[],
): number[] {
  const out: number[] = [];
  for (let s = 0; s < 8; s++) {
    const code = (map >> (2 * s)) & 3;
    if (code === 3) break;
    out.push(maxForCode[code]!);
  }
  return out;
}
