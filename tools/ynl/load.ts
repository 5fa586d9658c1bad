/**
 * Step 1 of the generator: read a spec's YAML (the npm `yaml` package,
 * YAML 1.2, anchors resolved) and check it against the meta-schema its
 * `protocol` names.
 *
 * @module
 */

import { parse } from "yaml";
import { SpecError } from "./errors.ts";
import { checkAgainstMetaSchema } from "./schema.ts";

/** The meta-schema files, by `protocol` (no `protocol` means `genetlink`). */
export const META_SCHEMAS: Readonly<Record<string, string>> = {
  "genetlink": "genetlink.yaml",
  "genetlink-c": "genetlink-c.yaml",
  "genetlink-legacy": "genetlink-legacy.yaml",
  "netlink-raw": "netlink-raw.yaml",
};

/** Parses YAML text; `file` names it in errors. Duplicate keys: the last wins (`netlink-raw.yaml` has some). */
export function parseYaml(file: string, text: string): unknown {
  try {
    return parse(text, { uniqueKeys: false, maxAliasCount: -1 });
  } catch (e) {
    throw new SpecError(
      file,
      "",
      `not valid YAML: ${(e as Error).message.split("\n")[0]}`,
    );
  }
}

/** The first line of a spec when it is an SPDX licence line. */
export function spdxLine(text: string): string | undefined {
  const m = /^#\s*SPDX-License-Identifier:\s*(.+)$/m.exec(
    text.split("\n")[0] ?? "",
  );
  return m?.[1]?.trim();
}

/** Whether an overlay's attribute set only renumbers attributes (`name` and `value` each). */
function renumbers(item: Record<string, unknown>): boolean {
  const attrs = item.attributes;
  return Object.keys(item).every((k) => k === "name" || k === "attributes") &&
    Array.isArray(attrs) && attrs.length > 0 &&
    attrs.every((a) =>
      a !== null && typeof a === "object" &&
      typeof (a as Record<string, unknown>).name === "string" &&
      typeof (a as Record<string, unknown>).value === "number" &&
      Object.keys(a).length === 2
    );
}

/**
 * Whether an overlay's definition only appends members to a struct the spec
 * defines (`name` and `members` given, none of them already there).
 */
function extendsStruct(
  same: Record<string, unknown>,
  item: Record<string, unknown>,
): boolean {
  const have = same.members;
  const add = item.members;
  return same.type === "struct" && Array.isArray(have) && Array.isArray(add) &&
    add.length > 0 &&
    Object.keys(item).every((k) => k === "name" || k === "members") &&
    add.every((m) =>
      m !== null && typeof m === "object" &&
      !have.some((h) =>
        (h as Record<string, unknown>).name ===
          (m as Record<string, unknown>).name
      )
    );
}

/**
 * Merges an overlay (nlkit's additions, `spec/overlays/<spec>.yaml`) into a
 * parsed spec: its definitions, attribute sets and sub-messages are
 * appended; the formats of a sub-message the spec has already are added to
 * it; a struct the spec has may get members appended after its last one
 * (a definition giving only `name` and the new `members`). Nothing of the
 * spec is removed; the one other change allowed is a correction of
 * numbering: an attribute set the spec has, listing only
 * `name` and `value` of some of its attributes, gives them those values
 * (where the spec disagrees with the kernel's uapi header).
 *
 * @param file The overlay's path, for errors.
 * @param spec The parsed spec (changed in place).
 * @param overlay The parsed overlay.
 */
export function mergeOverlay(
  file: string,
  spec: Record<string, unknown>,
  overlay: unknown,
): void {
  if (
    overlay === null || typeof overlay !== "object" || Array.isArray(overlay)
  ) {
    throw new SpecError(file, "", "the overlay is not a mapping");
  }
  for (
    const [key, value] of Object.entries(overlay as Record<string, unknown>)
  ) {
    if (
      key !== "definitions" && key !== "attribute-sets" &&
      key !== "sub-messages"
    ) {
      throw new SpecError(
        file,
        key,
        "an overlay may only add definitions, attribute-sets and sub-messages",
      );
    }
    if (!Array.isArray(value)) throw new SpecError(file, key, "must be a list");
    const list = (spec[key] ??= []) as Record<string, unknown>[];
    for (const item of value as Record<string, unknown>[]) {
      const same = list.find((x) => x.name === item.name);
      if (same === undefined) {
        list.push(item);
      } else if (key === "attribute-sets" && renumbers(item)) {
        // A correction: the spec numbers these attributes unlike the
        // kernel's uapi header (only `name` and `value` are given).
        const attrs = (same.attributes ?? []) as Record<string, unknown>[];
        for (const a of item.attributes as Record<string, unknown>[]) {
          const target = attrs.find((x) => x.name === a.name);
          if (target === undefined) {
            throw new SpecError(
              file,
              `${key}[${item.name}].attributes[${a.name}]`,
              "the spec has no such attribute to renumber",
            );
          }
          target.value = a.value;
        }
      } else if (key === "definitions" && extendsStruct(same, item)) {
        // An addition: members the kernel's struct has after the spec's
        // last one (the spec describes an older, shorter struct).
        (same.members as unknown[]).push(...(item.members as unknown[]));
      } else if (key === "sub-messages") {
        (same.formats as unknown[]).push(...(item.formats as unknown[] ?? []));
      } else {
        throw new SpecError(
          file,
          `${key}[${item.name}]`,
          "the spec defines it already: an overlay only adds",
        );
      }
    }
  }
}

/**
 * Parses a spec and checks it against its meta-schema.
 *
 * @param file The spec's path, for errors.
 * @param text The spec's YAML.
 * @param metas The parsed meta-schemas by file name (`genetlink.yaml`, ...).
 * @param overlay nlkit's additions to merge first, if any.
 * @returns The parsed spec.
 */
export function loadSpec(
  file: string,
  text: string,
  metas: ReadonlyMap<string, Record<string, unknown>>,
  overlay?: { file: string; text: string },
): Record<string, unknown> {
  const spec = parseYaml(file, text);
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new SpecError(file, "", "the document is not a mapping");
  }
  if (overlay !== undefined) {
    mergeOverlay(
      overlay.file,
      spec as Record<string, unknown>,
      parseYaml(overlay.file, overlay.text),
    );
  }
  const protocol = (spec as Record<string, unknown>).protocol ?? "genetlink";
  const metaFile = typeof protocol === "string"
    ? META_SCHEMAS[protocol]
    : undefined;
  if (metaFile === undefined) {
    throw new SpecError(
      file,
      "protocol",
      `unknown protocol ${JSON.stringify(protocol)}`,
    );
  }
  const meta = metas.get(metaFile);
  if (meta === undefined) {
    throw new SpecError(file, "protocol", `meta-schema ${metaFile} is missing`);
  }
  checkAgainstMetaSchema(file, meta, spec);
  return spec as Record<string, unknown>;
}
