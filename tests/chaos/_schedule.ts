/**
 * The seeded random fault × concurrency schedules of the chaos suite (see
 * `schedules_test.ts`).
 */
import process from "node:process";
import {
  type Conn,
  Errno,
  Family,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";
import { GenlConn, type GenlMessage } from "../../src/genetlink/mod.ts";
import type { Fault, FaultHandle, FaultOptions } from "../../src/nltest/mod.ts";
import {
  between,
  chaosKernel,
  deadline,
  echo,
  echoToken,
  getLinks,
  HangError,
  linkIndex,
  noop,
  pick,
  prng,
  RTM_GETLINK,
  RTM_NEWLINK,
} from "./_chaos.ts";

/** CHAOS_ONLY=<seed>: run that one schedule, with stacks in the failures. */
export const ONLY = process.env.CHAOS_ONLY === undefined
  ? undefined
  : Number(process.env.CHAOS_ONLY);
const STACKS = ONLY !== undefined;
/** How long a call may wait for the kernel at a time (a reply a fault lost). */
const TIMEOUT = 60;
/** Past this a call is a hang: the Conn failed to settle it. */
const HANG = 3000;
/** Marks the ifinfomsg index of notifications the kernel sends (never a real link). */
const NOTIFY_BASE = 900_000;

export interface Tally {
  schedules: number;
  faults: number;
  calls: number;
  ok: number;
  typed: number;
  wrong: string[];
  hangs: string[];
}

/** A fault and where it applies, chosen from the seed. */
function randomFault(
  rand: () => number,
  echoId: number,
  conns: number[],
): { fault: Fault; options: FaultOptions } {
  const kinds = [
    "dumpInterrupted",
    "overrun",
    "truncate",
    "misalign",
    "wrongSequence",
    "wrongPid",
    "foreignSender",
    "error",
    "delay",
  ] as const;
  const kind = pick(rand, kinds);
  let fault: Fault;
  switch (kind) {
    case "dumpInterrupted":
      fault = { type: kind, at: between(rand, 1, 4) };
      break;
    case "overrun":
      fault = { type: kind, drop: between(rand, 1, 3) };
      break;
    case "truncate":
      fault = { type: kind, length: between(rand, 0, 3000) };
      break;
    case "error":
      fault = {
        type: kind,
        errno: pick(rand, [Errno.EPERM, Errno.EINVAL, Errno.ENODEV, Errno.EIO]),
        extAck: { message: "chaos" },
      };
      break;
    case "delay":
      fault = { type: kind, ms: between(rand, 0, 3) };
      break;
    default:
      fault = { type: kind };
  }
  const options: FaultOptions = { times: between(rand, 1, 3) };
  const where = between(rand, 0, 3);
  if (where === 1) options.match = { type: RTM_GETLINK };
  else if (where === 2) options.match = { type: echoId };
  else if (where === 3) options.match = { type: 1 }; // NLMSG_NOOP
  if (rand() < 0.4) options.conn = pick(rand, conns);
  return { fault, options };
}

export async function schedule(
  seed: number,
  tally: Tally,
): Promise<void> {
  const rand = prng(seed);
  const links = between(rand, 1, 60);
  const { kernel, echoId, indexes } = chaosKernel(
    links,
    pick(rand, [512, 2048, 8192]),
  );
  const route = [kernel.dial(Family.Route), kernel.dial(Family.Route)];
  const raw = kernel.dial(Family.Generic);
  const genl = GenlConn.from(raw);
  const conns: Conn[] = [...route, raw];
  const log: string[] = [`seed ${seed}: ${links + 1} links`];
  const handles: FaultHandle[] = [];
  const allowed = new Set<number>([
    Errno.EBADMSG, // truncate, misalign
    Errno.EPROTO, // wrongPid: replies that fail validation
    Errno.EINTR, // dumpInterrupted
    Errno.ENOBUFS, // overrun
    Errno.ETIMEDOUT, // wrongSequence: the reply never comes
  ]);
  const faults = between(rand, 0, 4);
  for (let i = 0; i < faults; i++) {
    const { fault, options } = randomFault(
      rand,
      echoId,
      conns.map((c) => c.pid),
    );
    if (fault.type === "error") allowed.add(fault.errno);
    handles.push(kernel.inject(fault, options));
    log.push(
      `fault ${JSON.stringify(fault)} ${
        JSON.stringify({
          ...options,
          match: options.match,
        })
      }`,
    );
  }

  const sameLinks = (ms: { data: Uint8Array }[], what: string): void => {
    const got = ms.map(linkIndex);
    if (JSON.stringify(got) !== JSON.stringify(indexes)) {
      throw new WrongResult(
        `${what}: links ${got.join(",")}, want ${indexes.join(",")}`,
      );
    }
  };
  const opts = () => ({ timeout: TIMEOUT });
  let token = seed * 1000;
  const calls: Promise<void>[] = [];
  const call = (what: string, run: () => Promise<void>): void => {
    tally.calls++;
    log.push(`call ${what}`);
    calls.push(
      deadline(run(), HANG, `seed ${seed}: ${what}`).then(
        () => void tally.ok++,
        (e: unknown) => {
          if (e instanceof HangError) {
            tally.hangs.push(`${e.message}\n  ${log.join("\n  ")}`);
          } else if (isNetlinkError(e) && allowed.has(e.errno)) {
            tally.typed++;
          } else {
            const text = e instanceof Error
              ? `${e.name}: ${e.message}`
              : String(e);
            tally.wrong.push(
              `seed ${seed}: ${what}: ${text}\n  ${log.join("\n  ")}`,
            );
          }
        },
      ),
    );
  };

  // A listener on route[0]: every notification must be one the kernel sent.
  route[0]!.joinGroup(1); // RTNLGRP_LINK
  let sent = 0;
  const listening = (async () => {
    try {
      for await (const m of route[0]!.notifications()) {
        if (m.header.type !== RTM_NEWLINK || linkIndex(m) < NOTIFY_BASE) {
          tally.wrong.push(
            `seed ${seed}: a reply came out as a notification: type ${m.header.type} index ${
              linkIndex(m)
            }\n  ${log.join("\n  ")}`,
          );
        }
      }
    } catch (e) {
      if (!(isNetlinkError(e) && e.errno === Errno.ENOBUFS)) {
        tally.wrong.push(`seed ${seed}: notifications: ${String(e)}`);
      }
    }
  })();

  const ops = between(rand, 4, 14);
  for (let i = 0; i < ops; i++) {
    const c = between(rand, 0, 2);
    if (c === 2) {
      const t = ++token;
      switch (between(rand, 0, 2)) {
        case 0:
          call(`genl echo ${t}`, async () => {
            const r = await genl.execute(echo(t), echoId, 1, opts());
            if (r.length !== 1 || echoToken(r[0]!) !== t) {
              throw new WrongResult(`echo ${t}: got ${r.map(echoToken)}`);
            }
          });
          break;
        case 1: {
          const n = between(rand, 1, 40);
          call(`genl echo dump ${t} x${n}`, async () => {
            const r: GenlMessage[] = await genl.execute(
              echo(t, n),
              echoId,
              1 | 0x300,
              opts(),
            );
            if (r.length !== n || r.some((m) => echoToken(m) !== t)) {
              throw new WrongResult(
                `echo dump ${t}: got ${r.length} ${
                  r.map(echoToken).slice(0, 3)
                }`,
              );
            }
          });
          break;
        }
        default:
          call("genl noop", async () => {
            const r = await raw.execute(noop(), opts());
            if (r.length !== 0) {
              throw new WrongResult(`noop: ${r.length} replies`);
            }
          });
      }
    } else {
      const conn = route[c]!;
      const name = `route${c}`;
      switch (between(rand, 0, 6)) {
        case 0:
          call(`${name} execute dump`, async () => {
            sameLinks(await conn.execute(getLinks(), opts()), "execute");
          });
          break;
        case 1:
          call(`${name} dump()`, async () => {
            const got: Message[] = [];
            for await (const m of conn.dump(getLinks(), opts())) got.push(m);
            sameLinks(got, "dump()");
          });
          break;
        case 2:
          call(`${name} visit()`, async () => {
            const got: { data: Uint8Array }[] = [];
            const n = await conn.visit(getLinks(), (v) => {
              got.push({ data: v.bytes.slice(v.offset, v.offset + v.length) });
            }, opts());
            if (n !== got.length) {
              throw new WrongResult(`visit counted ${n}, saw ${got.length}`);
            }
            sameLinks(got, "visit()");
          });
          break;
        case 3: {
          const k = between(rand, 1, indexes.length);
          call(`${name} dump() left after ${k}`, async () => {
            let n = 0;
            for await (const m of conn.dump(getLinks(), opts())) {
              if (linkIndex(m) !== indexes[n]) {
                throw new WrongResult(
                  `early exit: link ${linkIndex(m)} at ${n}, want ${
                    indexes[n]
                  }`,
                );
              }
              if (++n === k) break;
            }
            if (n !== k) {
              throw new WrongResult(`early exit: ${n} links, want ${k}`);
            }
          });
          break;
        }
        case 4: {
          const i = pick(rand, indexes);
          call(`${name} get link ${i}`, async () => {
            const r = await conn.execute(getLinks(i), opts());
            if (r.length !== 1 || linkIndex(r[0]!) !== i) {
              throw new WrongResult(`get ${i}: got ${r.map(linkIndex)}`);
            }
          });
          break;
        }
        case 5:
          call(`${name} noop`, async () => {
            const r = await conn.execute(noop(), opts());
            if (r.length !== 0) {
              throw new WrongResult(`noop: ${r.length} replies`);
            }
          });
          break;
        default:
          call(`${name} two dump() iterators`, async () => {
            const a = conn.dump(getLinks(), opts());
            const b = conn.dump(getLinks(), opts());
            const [x, y] = await Promise.all([
              Array.fromAsync(a),
              Array.fromAsync(b),
            ]);
            sameLinks(x, "first iterator");
            sameLinks(y, "second iterator");
          });
      }
    }
    if (rand() < 0.3) {
      kernel.notify(Family.Route, 1, [{
        header: { length: 0, type: RTM_NEWLINK, flags: 0, sequence: 0, pid: 0 },
        data: notification(NOTIFY_BASE + sent++),
      }]);
    }
    const pause = rand();
    if (pause < 0.2) await new Promise((r) => setTimeout(r, 0));
    else if (pause < 0.5) await Promise.resolve();
  }
  await Promise.all(calls);

  // The faults gone, every Conn answers correctly again.
  for (const h of handles) tally.faults += h.hits;
  for (const h of handles) h.remove();
  // An overrun during the schedule is reported by the socket's next
  // receive (as ENOBUFS is on Linux): a call may meet it once.
  const again = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (isNetlinkError(e) && e.errno === Errno.ENOBUFS) return await run();
      throw e;
    }
  };
  const health = async (): Promise<void> => {
    for (const conn of route) {
      sameLinks(
        await again(() => conn.execute(getLinks(), opts())),
        "after the schedule",
      );
      if ((await again(() => conn.execute(noop(), opts()))).length !== 0) {
        throw new WrongResult("noop after the schedule");
      }
    }
    const t = ++token;
    const r = await again(() => genl.execute(echo(t), echoId, 1, opts()));
    if (echoToken(r[0]!) !== t) {
      throw new WrongResult("echo after the schedule");
    }
  };
  tally.calls++;
  try {
    await deadline(health(), HANG, `seed ${seed}: health check`);
    tally.ok++;
  } catch (e) {
    const text = e instanceof Error
      ? `${e.name}: ${e.message}${STACKS ? `\n${e.stack}` : ""}`
      : String(e);
    (e instanceof HangError ? tally.hangs : tally.wrong).push(
      `seed ${seed}: the Conns are not usable after the schedule: ${text}\n  ${
        log.join("\n  ")
      }`,
    );
  }
  for (const conn of conns) await conn.close();
  await deadline(listening, HANG, `seed ${seed}: the listener after close`);
  tally.schedules++;
}

function notification(index: number): Uint8Array {
  const data = new Uint8Array(16);
  new DataView(data.buffer).setInt32(4, index, true);
  return data;
}

class WrongResult extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WrongResult";
  }
}
