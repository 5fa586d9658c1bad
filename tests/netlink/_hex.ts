/** Test helpers: hex strings (spaces allowed) to bytes and back. */

/** Parses `"14000000 0200"` into bytes. */
export function hex(s: string): Uint8Array<ArrayBuffer> {
  const t = s.replace(/\s+/g, "");
  if (t === "(empty)" || t === "") return new Uint8Array(0);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(t.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}

/** Formats bytes as lowercase hex without spaces. */
export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** True when the tests' literal bytes (little-endian) match this machine. */
export const LITTLE_ENDIAN: boolean =
  new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
