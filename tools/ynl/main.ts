/**
 * Generates `src/families/` from the kernel's YNL specs in `spec/`.
 *
 *   node_modules/.bin/deno run --allow-read --allow-write --allow-run tools/ynl/main.ts [--out DIR]
 *   node_modules/.bin/bun tools/ynl/main.ts [--out DIR]
 *
 * (`deno task gen`). A spec the generator cannot use stops it with the
 * file, the path inside the spec and the reason; problems in parts that
 * only document an operation are printed as warnings.
 *
 * @module
 */

import process from "node:process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SpecError } from "./errors.ts";
import { generate } from "./generate.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const out = outAt >= 0
  ? resolve(args[outAt + 1] ?? "")
  : join(root, "src/families");

try {
  const { files, warnings } = generate({ root, out });
  for (const w of warnings) {
    console.error(`warning: ${w.file}: ${w.path}: ${w.reason}`);
  }
  console.error(`ynl: wrote ${files.length} files to ${out}`);
} catch (e) {
  if (e instanceof SpecError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
