/**
 * Lists the generic netlink families of the running kernel, printed the way
 * iproute2's `genl ctrl list` prints them (byte for byte), or one family's
 * attribute policies the way `genl ctrl policy name NAME` does (with the
 * masks and newer types iproute2 6.1 leaves out).
 *
 *     deno run --allow-ffi examples/genl_families.ts [--all-capabilities]
 *     deno run --allow-ffi examples/genl_families.ts --policy ethtool
 *     bun examples/genl_families.ts [--all-capabilities | --policy NAME]
 *
 * iproute2 prints an operation's capabilities only for families whose own
 * version is 2 or more (it means to test the controller's version);
 * `--all-capabilities` prints them for every family.
 *
 * @module
 */

import process from "node:process";
import {
  type Family,
  formatAttributePolicy,
  GenlConn,
  OperationFlags,
  type Policy,
} from "../src/genetlink/mod.ts";

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

/**
 * Formats a family's policies as `genl ctrl policy name NAME` does.
 *
 * @param familyId The family id.
 * @param policy The decoded policy.
 * @returns The text.
 */
export function formatCtrlPolicy(familyId: number, policy: Policy): string {
  const id = `\tID: 0x${familyId.toString(16)} `;
  let out = "";
  for (const [op, p] of policy.operations) {
    out += `${id} op ${op} policies:`;
    if (p.do !== undefined) out += ` do=${policy.tables.indexOf(p.do)}`;
    if (p.dump !== undefined) out += ` dump=${policy.tables.indexOf(p.dump)}`;
    out += "\n";
  }
  policy.tables.forEach((table, i) => {
    for (const [type, p] of table) {
      out += `${id} policy[${i}]:attr[${type}]: ${
        formatAttributePolicy(p, policy.tables)
      }\n`;
    }
  });
  return out;
}

if (import.meta.main) {
  await using conn = await GenlConn.dial();
  const policyAt = process.argv.indexOf("--policy");
  if (policyAt >= 0) {
    const family = await conn.getFamily(process.argv[policyAt + 1] ?? "nlctrl");
    process.stdout.write(
      formatCtrlPolicy(family.id, await conn.getPolicy(family)),
    );
  } else {
    const all = process.argv.includes("--all-capabilities");
    process.stdout.write(formatCtrlList(await conn.listFamilies(), all));
  }
}
