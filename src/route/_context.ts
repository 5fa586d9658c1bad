/**
 * What the parts of a `Route` share: the connection, and turning a link
 * reference (name or index) into an index, with the errors that name it.
 *
 * @module
 */

import type { Conn } from "../netlink/conn.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { getlink } from "../families/rt_link.ts";
import { isNoDevice, named, noSuchLink } from "./errors.ts";

/** A link by name (`"br0"`) or index (`3`). */
export type LinkRef = string | number;

/**
 * Checks a link reference's shape.
 *
 * @internal
 */
export function checkRef(ref: unknown, what: string): asserts ref is LinkRef {
  if (typeof ref === "number") {
    if (!Number.isInteger(ref) || ref <= 0 || ref > 0x7fffffff) {
      throw new TypeError(
        `Cannot ${what}: a link index must be a positive integer, got ${ref}`,
      );
    }
    return;
  }
  if (typeof ref !== "string" || ref === "" || ref.length > 15) {
    throw new TypeError(
      `Cannot ${what}: a link must be a name (1 to 15 bytes) or an index, got ${
        JSON.stringify(ref)
      }`,
    );
  }
}

/**
 * The `signal` and `timeout` of options that may hold more.
 *
 * @internal
 */
export function receive(o: ReceiveOptions): ReceiveOptions {
  const r: ReceiveOptions = {};
  if (o.signal !== undefined) r.signal = o.signal;
  if (o.timeout !== undefined) r.timeout = o.timeout;
  return r;
}

/**
 * How a link reference reads in a message: its name, or `index N`.
 *
 * @internal
 */
export function label(ref: LinkRef): string {
  return typeof ref === "number" ? `index ${ref}` : ref;
}

/**
 * The connection and link lookups shared by the parts of a `Route`.
 *
 * @internal
 */
export class Ctx {
  /** The rtnetlink connection. */
  readonly conn: Conn;

  constructor(conn: Conn) {
    this.conn = conn;
  }

  /**
   * The index of a link; a name is looked up (`RTM_GETLINK`).
   *
   * @param ref The link.
   * @param what What is being done, for errors (`add address 10.0.0.1/8 to eth0`).
   * @returns The index.
   * @throws {NetlinkError} ENOENT (`isNotExist`) naming the link when there is none.
   */
  async index(ref: LinkRef, what: string): Promise<number> {
    checkRef(ref, what);
    if (typeof ref === "number") return ref;
    try {
      const l = await getlink.do(this.conn, {
        ifname: ref,
        extMask: ["skip-stats"],
      });
      return l.ifiIndex;
    } catch (e) {
      if (isNoDevice(e)) throw noSuchLink(ref, what, e);
      throw named(e, what, what.split(" ")[0]!);
    }
  }
}
