/**
 * Netlink message codec: `struct nlmsghdr` plus payload, pure and
 * allocation-light.
 *
 * @module
 */

import { align } from "./align.ts";
import { HEADER_LENGTH, type Header } from "./header.ts";
import { HOST_LITTLE_ENDIAN } from "./_endian.ts";

/** A netlink message: a decoded header and the payload after it (without padding). */
export interface Message {
  /** The decoded `struct nlmsghdr`. */
  header: Header;
  /** The payload: `header.length - 16` bytes after the header. */
  data: Uint8Array;
}

/**
 * A message inside a received datagram, without a copy: the payload is
 * `bytes.subarray(offset, offset + length)`. Views handed to a visitor are
 * reused and valid only during the call.
 */
export interface MessageView {
  /** The decoded header (reused between calls on the fast path). */
  header: Header;
  /** The whole receive buffer. */
  bytes: Uint8Array;
  /** Offset of the payload (just after the header) in `bytes`. */
  offset: number;
  /** Length of the payload in bytes. */
  length: number;
}
