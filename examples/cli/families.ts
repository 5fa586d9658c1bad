/**
 * `nlkit families` and `nlkit policy FAMILY`: generic netlink families and
 * their policies, like `genl ctrl list` and `genl ctrl policy`.
 *
 * @module
 */

import { isNotExist } from "../../src/netlink/mod.ts";
import type { Family as GenlFamily, Policy } from "../../src/genetlink/mod.ts";
import { formatCtrlList, formatCtrlPolicy } from "../genl_families.ts";
import { type Command, toJSON, UsageError } from "./_common.ts";

function familyJSON(f: GenlFamily): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    version: f.version,
    headerSize: f.headerSize,
    maxAttribute: f.maxAttribute,
    operations: f.operations,
    groups: f.groups,
  };
}

/** A policy as plain JSON (maps become objects keyed by number). */
export function policyJSON(p: Policy): unknown {
  return JSON.parse(toJSON(p));
}

/** A compact table of families, one line each. */
export function formatFamilies(families: readonly GenlFamily[]): string {
  const rows = families.map((f) =>
    `${String(f.id).padStart(4)}  ${f.name.padEnd(18)} v${f.version}  ${
      String(f.operations.length).padStart(3)
    } ops  ${f.groups.map((g) => g.name).join(",") || "-"}`
  );
  return `  id  name               ver  operations  multicast groups\n${
    rows.join("\n")
  }\n`;
}

/** `nlkit families`. */
export const families: Command = {
  name: "families",
  usage: "families",
  summary: "generic netlink families (like `genl ctrl list`)",
  async run({ args, backend }) {
    await using genl = await backend.genl();
    const list = await genl.listFamilies();
    return args.json ? toJSON(list.map(familyJSON), 2) : formatCtrlList(list);
  },
};

/** `nlkit policy FAMILY`. */
export const policy: Command = {
  name: "policy",
  usage: "policy FAMILY",
  summary:
    "the attribute policy of a generic netlink family (like `genl ctrl policy`)",
  async run({ args, backend }) {
    const name = args.operands[0];
    if (name === undefined) {
      throw new UsageError("policy needs a family name, e.g. `policy nlctrl`");
    }
    await using genl = await backend.genl();
    let family: GenlFamily;
    try {
      family = await genl.getFamily(name);
    } catch (e) {
      if (isNotExist(e)) {
        throw new UsageError(`no generic netlink family named "${name}" here`);
      }
      throw e;
    }
    const p = await genl.getPolicy(family);
    return args.json
      ? JSON.stringify(policyJSON(p), null, 2) + "\n"
      : formatCtrlPolicy(family.id, p);
  },
};
