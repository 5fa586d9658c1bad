/**
 * team: a team device's options, as `teamnl DEV options` (generated
 * `options-get` for a team device's ifindex).
 *
 *     deno run --allow-ffi examples/families/team.ts [--sim] [IFINDEX]
 *
 * @module
 */

import process from "node:process";
import * as team from "../../src/families/team.ts";
import { isNetlinkError } from "../../src/netlink/mod.ts";
import { type FamilyExample, main, show } from "./_run.ts";

/** The example. */
export const example: FamilyExample = {
  family: team.family,
  handlers: {
    optionsGet: (r) => ({
      teamIfindex: r.teamIfindex,
      listOption: {
        option: {
          name: "mode",
          type: 3,
          data: new TextEncoder().encode("activebackup\0"),
        },
      },
    }),
  },
  async main(conn, out) {
    const teamIfindex = Number(
      process.argv.find((a) => /^[0-9]+$/.test(a)) ?? 1,
    );
    try {
      const r = await team.optionsGet.do(conn, { teamIfindex });
      // The kernel repeats the option nest; the spec describes one, so the
      // others stay in unknownAttributes.
      const o = r.listOption?.option;
      // NLA_STRING (3) options hold text; the others, bytes.
      if (o !== undefined) {
        out(
          `${o.name}: ${
            o.type === 3 && o.data
              ? new TextDecoder().decode(o.data).replace(/\0$/, "")
              : show(o.data)
          }`,
        );
      }
      out(`${r.listOption?.unknownAttributes?.length ?? 0} more options`);
    } catch (e) {
      if (!isNetlinkError(e)) throw e;
      out(`ifindex ${teamIfindex}: ${e.message}`);
    }
  },
};

await main(example, import.meta);
