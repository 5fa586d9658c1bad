/**
 * The netlink layer: the pure protocol core (messages, attributes, errors)
 * and `Conn`, a connection with sequence numbers, validation, multipart
 * dumps, multicast groups, socket options and BPF filters.
 *
 * @module
 */

export * from "./align.ts";
export * from "./header.ts";
export * from "./message.ts";
export * from "./errors.ts";
