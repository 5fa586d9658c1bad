/** Test helpers: hex strings with spaces to bytes and back. */
export function hex(s: string): Uint8Array<ArrayBuffer> {
  const clean = s.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Tests that use literal bytes assume a little-endian host. */
export const BIG_ENDIAN: boolean =
  new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
