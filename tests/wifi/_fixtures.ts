// Helpers to read the wifi corpus fixtures (tests/fixtures/wifi/*.jsonl).
import { readFileSync } from "node:fs";

export interface FixtureRecord {
  id: string;
  source: string;
  license: string;
  family?: string;
  genl_family?: string;
  direction?: string;
  kind?: string;
  hex: string;
  // deno-lint-ignore no-explicit-any
  expect: Record<string, any>;
}

export function loadFixtures(name: string): FixtureRecord[] {
  const text = readFileSync(
    new URL(`../fixtures/wifi/${name}`, import.meta.url),
    "utf8",
  );
  return text.split("\n").filter((l) => l.trim() !== "").map((l) =>
    JSON.parse(l) as FixtureRecord
  );
}

export function fixture(name: string, idSuffix: string): FixtureRecord {
  const r = loadFixtures(name).find((x) => x.id.endsWith(idSuffix));
  if (!r) throw new Error(`fixture ${idSuffix} not found in ${name}`);
  return r;
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
