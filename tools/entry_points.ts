/**
 * The package's entry points, read from `deno.json`'s `exports`, so the
 * doc lint and the import checks cover every subpath without a list to
 * keep in step.
 *
 *   deno run --allow-read --allow-run tools/entry_points.ts doc-lint
 *   deno run --allow-read tools/entry_points.ts list
 *
 * @module
 */

const DENO = "node_modules/.bin/deno";

/**
 * The files behind `deno.json`'s exports, in the order they are listed.
 *
 * @returns Paths relative to the project root, such as `./mod.ts`.
 */
export async function entryPoints(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile("deno.json")) as {
    exports: Record<string, string>;
  };
  return [...new Set(Object.values(config.exports))];
}

if (import.meta.main) {
  const files = await entryPoints();
  const what = Deno.args[0] ?? "list";
  if (what === "list") {
    console.log(files.join("\n"));
  } else if (what === "doc-lint") {
    const { code } = await new Deno.Command(DENO, {
      args: ["doc", "--lint", ...files],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    Deno.exit(code);
  } else {
    console.error(`entry_points: unknown action "${what}" (list, doc-lint)`);
    Deno.exit(2);
  }
}
