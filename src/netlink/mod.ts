/**
 * The netlink layer: the pure protocol core (messages, attributes, errors
 * with the kernel's extended ACK) and {@linkcode Conn}, a connection with
 * sequence numbers, reply validation, multipart dumps, a zero-copy `visit`
 * path, multicast groups, socket options, BPF filters and network
 * namespaces.
 *
 * `Conn.dial(family)` opens a real `AF_NETLINK` socket through the
 * runtime's FFI (Deno needs `--allow-ffi`); the same `Conn` runs over the
 * simulated kernel of `@nlkit/netlink/nltest` in tests, as below.
 *
 * @example Create a link and read it back (simulated kernel)
 * ```ts
 * import { AttributeDecoder, AttributeEncoder, Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const RTM_NEWLINK = 16, RTM_GETLINK = 18, IFLA_IFNAME = 3, IFLA_LINKINFO = 18, IFLA_INFO_KIND = 1;
 * // On Linux, as root: await Conn.dial(Family.Route)
 * await using conn = new SimKernel().dial(Family.Route);
 *
 * const attrs = new AttributeEncoder()
 *   .string(IFLA_IFNAME, "dummy0")
 *   .nested(IFLA_LINKINFO, (e) => e.string(IFLA_INFO_KIND, "dummy"));
 * const ifinfomsg = new Uint8Array(16);
 * await conn.execute({
 *   header: { length: 0, type: RTM_NEWLINK, flags: HeaderFlags.Request | HeaderFlags.Acknowledge | HeaderFlags.Create, sequence: 0, pid: 0 },
 *   data: new Uint8Array([...ifinfomsg, ...attrs.encode()]),
 * });
 *
 * const names: string[] = [];
 * for await (const m of conn.dump({
 *   header: { length: 0, type: RTM_GETLINK, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: ifinfomsg,
 * })) {
 *   const d = new AttributeDecoder(m.data, 16);
 *   while (d.next()) if (d.type === IFLA_IFNAME) names.push(d.string());
 * }
 * assert.deepEqual(names, ["lo", "dummy0"]);
 * ```
 *
 * @module
 */

export * from "./align.ts";
export * from "./header.ts";
export {
  decodeMessage,
  encodeMessage,
  encodeMessages,
  type FlagContext,
  formatFlags,
  type Message,
  type MessageView,
  parseMessages,
} from "./message.ts";
export * from "./errors.ts";
export * from "./errno.ts";
export * from "./attribute.ts";
export * from "./validate.ts";
export * as bpf from "./bpf.ts";
export type { BPFInstruction } from "./_socket.ts";
export { Conn } from "./conn.ts";
export type { ConnOptions, ReceiveOptions } from "./options.ts";
