/**
 * Checks a parsed spec against its meta-schema (`genetlink.yaml`,
 * `genetlink-c.yaml`, `genetlink-legacy.yaml` or `netlink-raw.yaml`, picked
 * by the spec's `protocol`). The meta-schemas are JSON Schema (draft 07);
 * this interprets the keywords they use: `$ref` into `$defs`, `type`,
 * `enum`, `const`, `pattern`, `minimum`, `required`, `properties`,
 * `additionalProperties: false`, `items`, `oneOf`, `not`, `if`/`then` and
 * `dependencies`. An unknown keyword is an error, so a newer meta-schema
 * cannot be checked only in part without anyone noticing.
 *
 * @module
 */

import { itemPath, SpecError } from "./errors.ts";

/** A JSON Schema node as the meta-schemas write it. */
type Schema = Record<string, unknown> | boolean;

/** Keywords with no effect on validation. */
const ANNOTATIONS = new Set([
  "$id",
  "$schema",
  "$defs",
  "title",
  "description",
]);

/**
 * Display hints newer than the meta-schemas of the snapshot: `wireguard.yaml`
 * (added to the kernel after the snapshot) uses `ipv4-or-v6`.
 */
const EXTRA_DISPLAY_HINTS = ["ipv4-or-v6"];

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  return want === t || (want === "number" && t === "integer");
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Validates `spec` (from `file`) against `meta`; throws {@linkcode SpecError} at the first violation. */
export function checkAgainstMetaSchema(
  file: string,
  meta: Record<string, unknown>,
  spec: unknown,
): void {
  const defs = (meta.$defs ?? {}) as Record<string, Schema>;
  const fail = (path: string, reason: string): never => {
    throw new SpecError(file, path, reason);
  };

  /** True when `v` matches `s` (used by oneOf, not and if). */
  const matches = (s: Schema, v: unknown, path: string): boolean => {
    try {
      check(s, v, path);
      return true;
    } catch (e) {
      if (e instanceof SpecError) return false;
      throw e;
    }
  };

  const check = (s: Schema, v: unknown, path: string): void => {
    if (s === true) return;
    if (s === false) fail(path, "is not allowed here");
    const schema = s as Record<string, unknown>;
    for (const key of Object.keys(schema)) {
      if (ANNOTATIONS.has(key)) continue;
      const k = schema[key];
      switch (key) {
        case "$ref": {
          const ref = k as string;
          const m = /^#\/\$defs\/(.+)$/.exec(ref);
          const target = m === null ? undefined : defs[m[1]!];
          if (target === undefined) {
            fail(path, `meta-schema $ref ${ref} is not defined`);
          }
          check(target!, v, path);
          break;
        }
        case "type": {
          const types = Array.isArray(k) ? k as string[] : [k as string];
          if (!types.some((t) => typeMatches(t, v))) {
            fail(
              path,
              `must be ${types.join(" or ")}, got ${typeOf(v)} ${show(v)}`,
            );
          }
          break;
        }
        case "enum": {
          let allowed = k as unknown[];
          if (path.endsWith("display-hint")) {
            allowed = [...allowed, ...EXTRA_DISPLAY_HINTS];
          }
          if (!allowed.some((a) => a === v)) {
            fail(
              path,
              `must be one of ${allowed.map(show).join(", ")}, got ${show(v)}`,
            );
          }
          break;
        }
        case "const":
          if (v !== k) fail(path, `must be ${show(k)}, got ${show(v)}`);
          break;
        case "pattern":
          // Two kernel specs use a space in a name (conntrack `labels mask`,
          // nftables `set id`): accepted as a dash.
          if (
            typeof v === "string" && !new RegExp(k as string).test(v) &&
            !new RegExp(k as string).test(v.replaceAll(" ", "-"))
          ) {
            fail(path, `${show(v)} does not match ${k}`);
          }
          break;
        case "minimum":
          if (typeof v === "number" && v < (k as number)) {
            fail(path, `must be at least ${k}, got ${v}`);
          }
          break;
        case "required":
          if (typeOf(v) === "object") {
            for (const r of k as string[]) {
              if (!(r in (v as object))) fail(path, `${r} is required`);
            }
          }
          break;
        case "properties":
          if (typeOf(v) === "object") {
            const props = k as Record<string, Schema>;
            for (const [name, sub] of Object.entries(props)) {
              const o = v as Record<string, unknown>;
              if (name in o) check(sub, o[name], itemPath(path, name));
            }
          }
          break;
        case "additionalProperties":
          if (typeOf(v) === "object") {
            const props = (schema.properties ?? {}) as Record<string, Schema>;
            for (const name of Object.keys(v as object)) {
              if (name in props) continue;
              if (k === false) {
                fail(
                  itemPath(path, name),
                  "is not a property the meta-schema allows here",
                );
              }
              check(
                k as Schema,
                (v as Record<string, unknown>)[name],
                itemPath(path, name),
              );
            }
          }
          break;
        case "items":
          if (Array.isArray(v)) {
            v.forEach((item, i) =>
              check(k as Schema, item, itemPath(path, i, item))
            );
          }
          break;
        case "oneOf": {
          const n = (k as Schema[]).filter((alt) =>
            matches(alt, v, path)
          ).length;
          if (n !== 1) {
            fail(
              path,
              `must match exactly one of ${
                (k as Schema[]).length
              } forms, matches ${n}`,
            );
          }
          break;
        }
        case "not":
          if (matches(k as Schema, v, path)) {
            fail(
              path,
              "matches a form the meta-schema forbids",
            );
          }
          break;
        case "if":
          if (matches(k as Schema, v, path) && schema.then !== undefined) {
            check(schema.then as Schema, v, path);
          }
          break;
        case "then":
          break; // with "if"
        case "dependencies":
          if (typeOf(v) === "object") {
            for (
              const [name, dep] of Object.entries(k as Record<string, Schema>)
            ) {
              if (name in (v as object)) check(dep, v, path);
            }
          }
          break;
        default:
          fail(
            path,
            `meta-schema keyword ${key} is not supported by the generator`,
          );
      }
    }
  };

  check(meta as Schema, spec, "");
}
