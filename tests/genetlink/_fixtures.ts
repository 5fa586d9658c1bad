/** Real kernel captures (tests/fixtures/genetlink/real_kernel.json) as messages. */
import { readFileSync } from "node:fs";
import { type Message, parseMessages } from "../../src/netlink/mod.ts";
import {
  decodeGenlMessage,
  type GenlMessage,
} from "../../src/genetlink/mod.ts";
import { hex } from "./_hex.ts";

interface Capture {
  request: string;
  datagrams: string[];
}

const file = JSON.parse(
  readFileSync(
    new URL("../fixtures/genetlink/real_kernel.json", import.meta.url),
    "utf8",
  ),
) as { source: string; license: string; captures: Record<string, Capture> };

/** The request bytes and the reply messages of a capture. */
export function capture(
  name: string,
): { request: Uint8Array; replies: Message[] } {
  const c = file.captures[name];
  if (c === undefined) throw new Error(`no capture ${name}`);
  return {
    request: hex(c.request),
    replies: c.datagrams.flatMap((d) => parseMessages(hex(d))),
  };
}

/** The generic netlink replies of a capture (NLMSG_DONE and NLMSG_ERROR dropped). */
export function genlReplies(name: string): GenlMessage[] {
  return capture(name).replies.filter((m) => m.header.type >= 0x10).map((m) =>
    decodeGenlMessage(m.data)
  );
}
