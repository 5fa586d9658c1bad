/**
 * Every `nlkit` command, in the order `--help` lists them. A new command is
 * one file in this folder and one line here.
 *
 * @module
 */

import type { Command } from "./_common.ts";
import { families, policy } from "./families.ts";
import { links, monitor } from "./links.ts";
import { addr, link, neigh, route, rule } from "./route.ts";
import { wifi } from "./wifi.ts";
import { ss } from "./ss.ts";
import { audit } from "./audit.ts";
import { taskstats } from "./taskstats.ts";
import { uevent } from "./uevent.ts";
import { ethtool } from "./ethtool.ts";
import { wg } from "./wg.ts";

/** The commands, in `--help` order. */
export const COMMANDS: readonly Command[] = [
  families,
  links,
  monitor,
  link,
  addr,
  route,
  neigh,
  rule,
  wifi,
  policy,
  ss,
  audit,
  taskstats,
  uevent,
  ethtool,
  wg,
];
