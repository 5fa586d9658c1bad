/**
 * The netlink layer: the pure protocol core (messages, attributes, errors)
 * and `Conn`, a connection with sequence numbers, validation, multipart
 * dumps, multicast groups, socket options and BPF filters.
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
export * from "./attribute.ts";
export * from "./validate.ts";
export * as bpf from "./bpf.ts";
export type { BPFInstruction } from "./_socket.ts";
export { Conn } from "./conn.ts";
export type { ConnOptions, ReceiveOptions } from "./options.ts";
