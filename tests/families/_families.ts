/**
 * Test helpers: every generated family module, loaded by spec name, and
 * the internal codec entry points the tests drive directly.
 */
import { readdirSync } from "node:fs";
import { AttributeEncoder } from "../../src/netlink/attribute.ts";
import { compiled, type YnlFamily } from "../../src/families/family.ts";
import { decodeBody, encodeBody, type Obj } from "../../src/families/_codec.ts";
import type { RtSet, RtStruct } from "../../src/families/_schema.ts";

export const SPEC_DIR = new URL("../../spec/specs/", import.meta.url);

/** Spec names (`rt-link`, `ovs_flow`), sorted. */
export const SPEC_NAMES: string[] = readdirSync(SPEC_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.slice(0, -5))
  .sort();

/** A generated module: its `family` and everything else it exports. */
export type FamilyModule = Record<string, unknown> & { family: YnlFamily };

/** Loads every generated module, by spec name. */
export async function loadFamilies(): Promise<Map<string, FamilyModule>> {
  const out = new Map<string, FamilyModule>();
  for (const name of SPEC_NAMES) {
    const url = new URL(
      `../../src/families/${name.replaceAll("-", "_")}.ts`,
      import.meta.url,
    );
    out.set(name, (await import(url.href)) as FamilyModule);
  }
  return out;
}

/** Decodes a body (fixed header, attributes) of `set`. */
export function decodeWith(
  header: RtStruct | null,
  set: RtSet | null,
  bytes: Uint8Array,
): Obj {
  return decodeBody(header, set, bytes, 0, bytes.length);
}

/** Encodes a body (fixed header, attributes) of `set`; `check` applies the spec's checks. */
export function encodeWith(
  header: RtStruct | null,
  set: RtSet | null,
  value: unknown,
  check = false,
): Uint8Array {
  const e = new AttributeEncoder();
  encodeBody(e, header, set, value, check);
  return e.encode();
}

export { compiled };

export { hex as fromHex, toHex as hex } from "../netlink/_hex.ts";
