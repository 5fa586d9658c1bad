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

/**
 * Parses a spec and checks it against its meta-schema.
 *
 * @param file The spec's path, for errors.
 * @param text The spec's YAML.
 * @param metas The parsed meta-schemas by file name (`genetlink.yaml`, ...).
 * @returns The parsed spec.
 */
export function loadSpec(
  file: string,
  text: string,
  metas: ReadonlyMap<string, Record<string, unknown>>,
): Record<string, unknown> {
  const spec = parseYaml(file, text);
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new SpecError(file, "", "the document is not a mapping");
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
