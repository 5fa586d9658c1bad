/**
 * The generator's pipeline: read every spec of `spec/specs/`, check it
 * against its meta-schema (`load.ts`), resolve it (`resolve.ts`), emit one
 * module per spec (`emit.ts`), format the modules with `deno fmt`. Runs on
 * Deno and Bun (node: APIs only; `deno fmt` as a subprocess).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { SpecError } from "./errors.ts";
import { emitModule, RESERVED_TYPES } from "./emit.ts";
import { loadSpec, META_SCHEMAS, parseYaml, spdxLine } from "./load.ts";
import type { FamilyModel } from "./model.ts";
import { resolve } from "./resolve.ts";

/** The kernel commit each spec comes from (spec/README.md). */
const COMMITS: Readonly<Record<string, string>> = {
  ethtool: "fa582ca7e187 with fix 010510128873",
  wireguard: "31a3ed492dd4",
};
const DEFAULT_COMMIT = "fa582ca7e187";

/** What to generate from where. */
export interface GenerateOptions {
  /** The repository root (spec/ and node_modules/.bin/deno are under it). */
  root: string;
  /** Where to write the modules (default `<root>/src/families`). */
  out?: string;
}

/** The result of a run. */
export interface GenerateResult {
  /** The models, in file name order. */
  families: FamilyModel[];
  /** The files written, relative to `out`. */
  files: string[];
  /** Problems in documentation-only parts of the specs, reported but not fatal. */
  warnings: SpecError[];
}

/** Reads the meta-schemas of `dir`. */
export function loadMetaSchemas(
  dir: string,
): Map<string, Record<string, unknown>> {
  const metas = new Map<string, Record<string, unknown>>();
  for (const file of Object.values(META_SCHEMAS)) {
    const path = join(dir, file);
    metas.set(
      file,
      parseYaml(path, readFileSync(path, "utf8")) as Record<string, unknown>,
    );
  }
  return metas;
}

/**
 * Resolves one spec text into its model (steps 1 and 2).
 *
 * @param file The path for messages (`spec/specs/rt-link.yaml`).
 * @param text The YAML.
 * @param metas The meta-schemas.
 * @param warnings Collects problems that are not fatal.
 * @throws {SpecError} For a spec the generator cannot use.
 */
export function modelOf(
  file: string,
  text: string,
  metas: ReadonlyMap<string, Record<string, unknown>>,
  warnings: SpecError[] = [],
  overlay?: { file: string; text: string },
): FamilyModel {
  const spdx = spdxLine(text);
  if (spdx === undefined) {
    throw new SpecError(
      file,
      "",
      "the first line is not an SPDX-License-Identifier comment",
    );
  }
  if (!spdx.includes("BSD-3-Clause")) {
    throw new SpecError(
      file,
      "",
      `the licence ${spdx} does not offer BSD-3-Clause`,
    );
  }
  const model = resolve(
    file,
    loadSpec(file, text, metas, overlay),
    spdx,
    warnings,
  );
  if (overlay !== undefined) model.overlay = overlay.file;
  const types = [
    ...model.enums.map((e) => e.tsName),
    ...model.structs.map((s) => s.tsName),
    ...model.sets.map((s) => s.tsName),
    ...model.subMessages.map((m) => m.tsName),
  ];
  for (const t of types) {
    if (RESERVED_TYPES.includes(t)) {
      throw new SpecError(
        file,
        "",
        `a type would be named ${t}, which the generated module imports`,
      );
    }
  }
  return model;
}

/** Generates every module; returns the models and the files written (formatted). */
export function generate(options: GenerateOptions): GenerateResult {
  const root = options.root;
  const out = options.out ?? join(root, "src/families");
  const specDir = join(root, "spec/specs");
  const metas = loadMetaSchemas(join(root, "spec"));
  const warnings: SpecError[] = [];
  const families: FamilyModel[] = [];
  const files: string[] = [];
  mkdirSync(out, { recursive: true });
  for (
    const name of readdirSync(specDir).filter((f) => f.endsWith(".yaml")).sort()
  ) {
    const path = join(specDir, name);
    const file = relative(root, path);
    const overlayPath = join(root, "spec/overlays", name);
    const overlay = existsSync(overlayPath)
      ? {
        file: relative(root, overlayPath),
        text: readFileSync(overlayPath, "utf8"),
      }
      : undefined;
    const model = modelOf(
      file,
      readFileSync(path, "utf8"),
      metas,
      warnings,
      overlay,
    );
    const commit = COMMITS[model.specName] ?? DEFAULT_COMMIT;
    writeFileSync(join(out, model.moduleFile), emitModule(model, { commit }));
    families.push(model);
    files.push(model.moduleFile);
  }
  copyFileSync(
    join(root, "spec/LICENSE-BSD-3-Clause"),
    join(out, "LICENSE-BSD-3-Clause"),
  );
  execFileSync(join(root, "node_modules/.bin/deno"), [
    "fmt",
    "--no-config",
    "--quiet",
    ...files.map((f) => join(out, f)),
  ], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { families, files: [...files, "LICENSE-BSD-3-Clause"], warnings };
}
