/**
 * Lists the generic netlink families of the running kernel, printed the way
 * iproute2's `genl ctrl list` prints them (byte for byte).
 *
 *     deno run --allow-ffi examples/genl_families.ts [--all-capabilities]
 *     bun examples/genl_families.ts [--all-capabilities]
 *
 * iproute2 prints an operation's capabilities only for families whose own
 * version is 2 or more (it means to test the controller's version);
 * `--all-capabilities` prints them for every family.
 *
 * @module
 */

import process from "node:process";
import { type Family, GenlConn, OperationFlags } from "../src/genetlink/mod.ts";

function capabilities(flags: number): string {
  let s = `\n\t\tCapabilities (0x${flags.toString(16)}):\n `;
  if (flags === 0) return s + "\n";
  s += "\t\t ";
  if (flags & OperationFlags.AdminPerm) s += " requires admin permission;";
  if (flags & OperationFlags.CanDo) s += " can doit;";
  if (flags & OperationFlags.CanDump) s += " can dumpit;";
  if (flags & OperationFlags.HasPolicy) s += " has policy";
  return s + "\n";
}

/**
 * Formats families as `genl ctrl list` (iproute2 6.x) does.
 *
 * @param families The families, in the kernel's order.
 * @param allCapabilities Print operation capabilities for version-1 families too.
 * @returns The text.
 */
export function formatCtrlList(
  families: readonly Family[],
  allCapabilities = false,
): string {
  let out = "";
  for (const f of families) {
    out += `\nName: ${f.name}\n`;
    out += `\tID: 0x${f.id.toString(16)}  Version: 0x${
      f.version.toString(16)
    }  header size: ${f.headerSize}  max attribs: ${f.maxAttribute} \n`;
    if (f.operations.length > 0) {
      out += "\tcommands supported: \n";
      f.operations.forEach((op, i) => {
        out += `\t\t#${i + 1}:  ID-0x${op.id.toString(16)} `;
        if (allCapabilities || f.version >= 2) out += capabilities(op.flags);
        out += "\n";
      });
      out += "\n";
    }
    if (f.groups.length > 0) {
      out += "\tmulticast groups:\n";
      f.groups.forEach((g, i) => {
        out += `\t\t#${i + 1}:  ID-0x${g.id.toString(16)}  name: ${g.name} \n`;
      });
      out += "\n";
    }
  }
  return out;
}

if (import.meta.main) {
  const all = process.argv.includes("--all-capabilities");
  await using conn = await GenlConn.dial();
  const text = formatCtrlList(await conn.listFamilies(), all);
  // console.log adds a newline; genl's output ends with the family's last newline.
  console.log(text.endsWith("\n") ? text.slice(0, -1) : text);
}
