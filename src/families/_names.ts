/**
 * The one naming rule of the generated families (DESIGN §6), shared by the
 * generator and the runtime: spec names are kebab-case; members and
 * operations become camelCase (`dev-name` → `devName`), types PascalCase
 * (`link-attrs` → `LinkAttrs`). Leading dashes (`--kernel-timespec`) are
 * dropped; a space (two kernel specs have one in a name) counts as a dash.
 *
 * @module
 */

/**
 * `dev-name` → `devName`, `linkinfo-get` → `linkinfoGet`, `8021q` → `8021q`.
 *
 * @param name A spec name (`[0-9a-zA-Z-]+`).
 * @returns Its camelCase form.
 */
export function camelCase(name: string): string {
  const parts = name.split(/[- ]/).filter((p) => p !== "");
  let out = parts[0] ?? "";
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    out += p[0]!.toUpperCase() + p.slice(1);
  }
  return out;
}

/**
 * `link-attrs` → `LinkAttrs`, `ifinfomsg` → `Ifinfomsg`.
 *
 * @param name A spec name.
 * @returns Its PascalCase form.
 */
export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c === "" ? c : c[0]!.toUpperCase() + c.slice(1);
}

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await")
    .split(" "),
);

/**
 * The export name of an operation: its camelCase name, with `Op` added
 * when that is a JavaScript reserved word (ovs_flow's `new` → `newOp`,
 * net_shaper's `delete` → `deleteOp`).
 *
 * @param name The operation's spec name.
 * @returns The name of its export and of its entry in `family.operations`.
 */
export function operationName(name: string): string {
  const c = camelCase(name);
  return RESERVED.has(c) ? `${c}Op` : c;
}
