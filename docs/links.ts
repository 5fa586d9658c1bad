/**
 * The "code under test" of the README's "Testing your netlink code" section:
 * the names of every link, from an rtnetlink dump.
 *
 * @module
 */

import {
  AttributeDecoder,
  type Conn,
  HeaderFlags,
} from "../src/netlink/mod.ts";

const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const IFINFOMSG_LENGTH = 16;

/**
 * Lists the names of every link.
 *
 * @param conn A route (rtnetlink) connection.
 * @returns The names, in the kernel's order.
 */
export async function linkNames(conn: Conn): Promise<string[]> {
  const names: string[] = [];
  const request = {
    header: {
      length: 0,
      type: RTM_GETLINK,
      flags: HeaderFlags.Request | HeaderFlags.Dump,
      sequence: 0,
      pid: 0,
    },
    data: new Uint8Array(IFINFOMSG_LENGTH),
  };
  for await (const m of conn.dump(request)) {
    const d = new AttributeDecoder(m.data, IFINFOMSG_LENGTH);
    while (d.next()) if (d.type === IFLA_IFNAME) names.push(d.string());
  }
  return names;
}
