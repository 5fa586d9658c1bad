/**
 * Corrupt-recording replays: sessions recorded on SimKernel (a multi-datagram
 * link dump, a single link, an ACK, an error with extended ACK, generic
 * netlink lookups and an echo dump) are mutated at random (seeded: lines
 * dropped, repeated, swapped or invented; hex bytes flipped, cut or padded;
 * fields set to other values or types) and replayed. Each mutation must
 * either be refused when loaded, with a TypeError naming the line, or
 * replay with every request settling, with its recorded result or a typed
 * error (NetlinkError, UnexpectedRequestError), within a deadline: never a
 * hang, never an untyped crash.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Family, HeaderFlags, isNetlinkError } from "../../src/netlink/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import {
  record,
  type RecordedDatagram,
  replay,
  type Replayer,
} from "../../src/nltest/mod.ts";
import {
  between,
  chaosKernel,
  deadline,
  echo,
  getLinks,
  HangError,
  noop,
  pick,
  prng,
} from "./_chaos.ts";

const MUTATIONS = 400;
const HANG = 3000;

interface Session {
  name: string;
  family: number;
  lines: RecordedDatagram[];
  /** Runs the session's requests again on a replayed Conn. */
  run(r: Replayer): Promise<void>[];
}

async function sessions(): Promise<Session[]> {
  const { kernel, echoId } = chaosKernel(60, 1024);
  const out: Session[] = [];
  {
    const conn = kernel.dial(Family.Route);
    const rec = record(conn, { family: Family.Route });
    await conn.execute(getLinks());
    await conn.execute(getLinks(1));
    await conn.execute(noop());
    await conn.execute({
      header: {
        length: 0,
        type: 16, // RTM_NEWLINK without a name: EINVAL
        flags: HeaderFlags.Request | HeaderFlags.Acknowledge |
          HeaderFlags.Create,
        sequence: 0,
        pid: 0,
      },
      data: new Uint8Array(16),
    }).catch(() => {});
    rec.stop();
    await conn.close();
    out.push({
      name: "rtnetlink",
      family: Family.Route,
      lines: rec.datagrams,
      run: (r) => {
        const c = r.dial();
        const calls = [
          c.execute(getLinks(), { timeout: 50 }),
          c.execute(getLinks(1), { timeout: 50 }),
          c.execute(noop(), { timeout: 50 }),
        ].map((p) => p.then(() => {}));
        return [Promise.allSettled(calls).then(() => c.close()), ...calls];
      },
    });
  }
  {
    const raw = kernel.dial(Family.Generic);
    const genl = GenlConn.from(raw);
    const rec = record(raw, { family: Family.Generic });
    await genl.getFamily("chaos");
    await genl.execute(
      echo(7, 30),
      echoId,
      HeaderFlags.Request | HeaderFlags.Dump,
    );
    rec.stop();
    await genl.close();
    out.push({
      name: "generic netlink",
      family: Family.Generic,
      lines: rec.datagrams,
      run: (r) => {
        const g = GenlConn.from(r.dial());
        const calls = [
          g.getFamily("chaos", { timeout: 50 }),
          g.execute(
            echo(7, 30),
            echoId,
            HeaderFlags.Request | HeaderFlags.Dump,
            { timeout: 50 },
          ),
        ].map((p) => p.then(() => {}));
        return [Promise.allSettled(calls).then(() => g.close()), ...calls];
      },
    });
  }
  return out;
}

function flipHex(hex: string, rand: () => number): string {
  if (hex.length === 0) return hex;
  const i = between(rand, 0, hex.length / 2 - 1);
  const b =
    (parseInt(hex.slice(2 * i, 2 * i + 2), 16) ^ (1 << between(rand, 0, 7))) &
    0xff;
  return hex.slice(0, 2 * i) + b.toString(16).padStart(2, "0") +
    hex.slice(2 * i + 2);
}

/** One random corruption of a recording. */
function mutate(
  lines: RecordedDatagram[],
  rand: () => number,
): { what: string; lines: unknown[] } {
  const out: unknown[] = lines.map((l) => ({ ...l }));
  const i = between(rand, 0, out.length - 1);
  const line = out[i] as Record<string, unknown>;
  const hex = typeof line.hex === "string" ? line.hex : "";
  switch (between(rand, 0, 11)) {
    case 0:
      out.splice(i, 1);
      return { what: `line ${i + 1} dropped`, lines: out };
    case 1:
      out.splice(i, 0, { ...line });
      return { what: `line ${i + 1} repeated`, lines: out };
    case 2: {
      const j = between(rand, 0, out.length - 1);
      [out[i], out[j]] = [out[j], out[i]];
      return { what: `lines ${i + 1} and ${j + 1} swapped`, lines: out };
    }
    case 3:
      for (let k = between(rand, 1, 4); k > 0; k--) {
        line.hex = flipHex(String(line.hex ?? ""), rand);
      }
      return { what: `line ${i + 1}: bits flipped`, lines: out };
    case 4:
      line.hex = hex.slice(0, between(rand, 0, hex.length));
      return { what: `line ${i + 1}: hex cut`, lines: out };
    case 5:
      line.hex = hex + "00".repeat(between(rand, 1, 20));
      return { what: `line ${i + 1}: hex padded`, lines: out };
    case 6: {
      // A header field: length, type, flags, sequence or pid of the first message.
      const at = pick(rand, [0, 8, 12, 16, 24]);
      const v = pick(rand, ["00000000", "ffffffff", "10000000", "01000000"]);
      line.hex = hex.slice(0, at) + v + hex.slice(at + 8);
      return {
        what: `line ${i + 1}: header bytes ${at / 2} set to ${v}`,
        lines: out,
      };
    }
    case 7: {
      const field = pick(rand, ["sender", "groups", "pid", "family", "errno"]);
      line[field] = pick(rand, [
        0,
        1,
        4242,
        -1,
        0xffffffff,
        2 ** 32,
        1.5,
        "x",
        null,
      ]);
      return {
        what: `line ${i + 1}: ${field} = ${JSON.stringify(line[field])}`,
        lines: out,
      };
    }
    case 8:
      line.dir = pick(rand, ["send", "recv", "error", "sideways", 3]);
      return {
        what: `line ${i + 1}: dir = ${JSON.stringify(line.dir)}`,
        lines: out,
      };
    case 9:
      out.splice(
        i,
        0,
        pick(rand, [null, 7, "x", [], { dir: "error", errno: 105 }, {
          dir: "recv",
          hex: "",
        }]),
      );
      return { what: `entry invented before ${i + 1}`, lines: out };
    case 10:
      delete line.hex;
      return { what: `line ${i + 1}: hex removed`, lines: out };
    default:
      return { what: "last line dropped", lines: out.slice(0, -1) };
  }
}

describe("chaos: corrupt recordings", () => {
  it(`replays ${MUTATIONS} random corruptions: a TypeError when loaded or every request settles, typed`, async () => {
    const all = await sessions();
    const rand = prng(15);
    let refused = 0;
    let replayed = 0;
    let typed = 0;
    const failures: string[] = [];
    for (let n = 0; n < MUTATIONS; n++) {
      const s = all[n % all.length]!;
      const { what, lines } = mutate(s.lines, rand);
      let r: Replayer;
      try {
        r = replay(lines as RecordedDatagram[]);
      } catch (e) {
        if (
          e instanceof TypeError &&
          /^Cannot read recording: entry \d+: /.test(e.message)
        ) refused++;
        else failures.push(`${s.name}, ${what}: load: ${String(e)}`);
        continue;
      }
      replayed++;
      const [closed, ...calls] = s.run(r);
      for (const call of calls) {
        try {
          await deadline(call, HANG, `${s.name}, ${what}`);
        } catch (e) {
          if (
            isNetlinkError(e) ||
            (e instanceof Error && e.name === "UnexpectedRequestError")
          ) typed++;
          else if (e instanceof HangError) failures.push(`hang: ${e.message}`);
          else failures.push(`${s.name}, ${what}: ${String(e)}`);
        }
      }
      await deadline(closed!, HANG, `${s.name}, ${what}: close`);
    }
    console.log(
      `chaos: ${MUTATIONS} corrupt recordings: ${refused} refused when loaded, ${replayed} replayed (${typed} typed errors), untyped or hung ${failures.length}`,
    );
    assert.deepEqual(failures, []);
  });
});
