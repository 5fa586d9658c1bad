/**
 * Shared pieces of the chaos suite: a seeded PRNG, requests whose answers
 * can be told apart (so a call that resolves with another call's reply is
 * caught), the simulated kernel they run on, and a per-call deadline that
 * fails the test instead of hanging the runner.
 */
import assert from "node:assert/strict";
import {
  AttributeDecoder,
  AttributeEncoder,
  Family,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";
import type { GenlMessage } from "../../src/genetlink/mod.ts";
import { SimKernel } from "../../src/nltest/mod.ts";

/** mulberry32: a small seeded PRNG, floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] from `rand`. */
export function between(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** One of `xs` from `rand`. */
export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;

/** `RTM_GETLINK` for every link (a dump), or one link by index. */
export function getLinks(index?: number): Message {
  const data = new Uint8Array(16); // struct ifinfomsg
  if (index !== undefined) new DataView(data.buffer).setInt32(4, index, true);
  return {
    header: {
      length: 0,
      type: RTM_GETLINK,
      flags: HeaderFlags.Request |
        (index === undefined ? HeaderFlags.Dump : 0),
      sequence: 0,
      pid: 0,
    },
    data,
  };
}

/** `NLMSG_NOOP` with `NLM_F_ACK`: answered by the ACK alone. */
export function noop(): Message {
  return {
    header: {
      length: 0,
      type: HeaderType.Noop,
      flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
      sequence: 0,
      pid: 0,
    },
    data: new Uint8Array(0),
  };
}

/** The interface index of an `RTM_NEWLINK` message. */
export function linkIndex(m: Message | { data: Uint8Array }): number {
  return new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength)
    .getInt32(4, true);
}

/** The generic netlink family of the chaos kernel: command 1 echoes its token, as one reply or as `count` dump items. */
export const ECHO = { name: "chaos", command: 1, token: 1, count: 2 } as const;

/** A genl request carrying `token` (and `count` for a dump). */
export function echo(token: number, count = 0): GenlMessage {
  const e = new AttributeEncoder().uint32(ECHO.token, token);
  if (count > 0) e.uint32(ECHO.count, count);
  return { header: { command: ECHO.command, version: 1 }, data: e.encode() };
}

/** The token of an echo reply. */
export function echoToken(m: GenlMessage): number | undefined {
  const d = new AttributeDecoder(m.data);
  while (d.next()) if (d.type === ECHO.token) return d.uint32();
  return undefined;
}

/**
 * A simulated kernel with `links` dummy links (so a link dump takes several
 * datagrams when `dumpDatagramSize` is small) and the echo family.
 */
export function chaosKernel(
  links: number,
  dumpDatagramSize = 2048,
): { kernel: SimKernel; echoId: number; indexes: number[] } {
  const kernel = new SimKernel({ dumpDatagramSize });
  for (let i = 0; i < links; i++) {
    kernel.rtnetlink.addLink({ name: `chaos${i}` });
  }
  const { id } = kernel.registerFamily({
    name: ECHO.name,
    operations: [{ id: ECHO.command }],
    handler: (request) => {
      let token = 0;
      let count = 0;
      const d = new AttributeDecoder(request.data);
      while (d.next()) {
        if (d.type === ECHO.token) token = d.uint32();
        else if (d.type === ECHO.count) count = d.uint32();
      }
      const reply = (): GenlMessage => ({
        header: { command: ECHO.command, version: 1 },
        data: new AttributeEncoder().uint32(ECHO.token, token).encode(),
      });
      return count > 0
        ? { dump: Array.from({ length: count }, reply) }
        : [reply()];
    },
  });
  const indexes = kernel.rtnetlink.links().map((l) => l.index);
  return { kernel, echoId: id, indexes };
}

/** Why a call did not settle: thrown by {@linkcode deadline}. */
export class HangError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not settle within ${ms} ms`);
    this.name = "HangError";
  }
}

/**
 * Races `p` against a timer: a call that does not settle in `ms` rejects
 * with a {@linkcode HangError} (the test fails, the runner does not hang).
 * The timer is cleared when `p` settles.
 */
export function deadline<T>(
  p: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(what, ms)), ms);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/** Asserts that `e` is a typed netlink error (NetlinkError or a subclass) and returns its code. */
export function netlinkCode(e: unknown, what: string): string {
  assert.ok(
    isNetlinkError(e),
    `${what}: not a typed netlink error: ${
      e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    }`,
  );
  return e.code;
}

export { Family };
