// Leaving a dump early on the real kernel (issue 15 item 1): every way of
// leaving a dump, then the next dump on the same Conn, which the kernel
// answered EBUSY before Conn queued dumps and drained left ones. Also checks
// the two kernel behaviours the unit tests' model relies on
// (tests/netlink/conn_dump_queue_test.ts): one dump per socket (a second one
// gets EBUSY), and a dump that is not read makes no progress. The kernel's
// own view of a socket's dump is the "Dump" column of /proc/net/netlink
// (nlk->cb_running).
//
// Links: PAIRS veth pairs with unique names, removed at the end. Measured on
// Linux 6.18 with the Conn of before the fix (break after 5 links, then
// execute a link dump): 23 links (3 datagrams: 2 of links, then the DONE)
// never gave EBUSY, 25 links (4 datagrams) always did, as the kernel makes
// the DONE only when the second datagram is read. 60 pairs (121 links with
// `lo`, 7 datagrams) keep several datagrams unread after the break.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  Conn,
  Errno,
  Family,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";
import { getlink } from "../../src/families/rt_link.ts";
import { gate, newTag } from "./_gate.ts";

// Link dumps through the generated rt-link codec.
const Rtm = { NewLink: getlink.dumpReply!, GetLink: getlink.doRequest! };
const linkDumpRequest = () => getlink.encode({}, { dump: true });
const decodeLink = (bytes: Uint8Array, offset: number, length: number) => ({
  name: getlink.decodeView({ bytes, offset, length }).ifname ?? "",
});

const skip = await gate(import.meta.url);

const PAIRS = 60;
const prefix = `nlkx${newTag()}`;

function ipBatch(lines: string[]): void {
  execFileSync("ip", ["-force", "-batch", "-"], {
    input: lines.join("\n") + "\n",
    stdio: ["pipe", "ignore", "ignore"],
  });
}

/** How many of the links in `ms` are ours. */
function ours(ms: Message[]): number {
  let n = 0;
  for (const m of ms) {
    if (m.header.type !== Rtm.NewLink) continue;
    if (decodeLink(m.data, 0, m.data.length).name.startsWith(prefix)) n++;
  }
  return n;
}

/** The kernel's view of a netlink socket (a line of /proc/net/netlink). */
function kernelView(pid: number): { dumping: boolean; rmem: number } {
  for (const line of readFileSync("/proc/net/netlink", "utf8").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[1] === "0" && Number(f[2]) === pid) {
      return { dumping: f[6] !== "0", rmem: Number(f[4]) };
    }
  }
  throw new Error(`Cannot find netlink socket ${pid} in /proc/net/netlink`);
}

/** Waits (up to a second) until the kernel no longer runs a dump for `conn`. */
async function dumpEnded(conn: Conn): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!kernelView(conn.pid).dumping) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** After leaving a dump: the kernel's dump ends by itself, and the next dump succeeds. */
async function nextDumpWorks(conn: Conn): Promise<void> {
  assert.equal(await dumpEnded(conn), true, "the left dump was drained");
  assert.equal(ours(await conn.execute(linkDumpRequest())), 2 * PAIRS);
  assert.equal(kernelView(conn.pid).rmem, 0);
}

describe("integration: leaving a dump early", { skip }, () => {
  before(() => {
    const add: string[] = [];
    for (let i = 0; i < PAIRS; i++) {
      add.push(`link add ${prefix}a${i} type veth peer name ${prefix}b${i}`);
    }
    ipBatch(add);
  });
  after(() => {
    const del: string[] = [];
    for (let i = 0; i < PAIRS; i++) del.push(`link del ${prefix}a${i}`);
    ipBatch(del);
  });

  it("integration: the kernel runs one dump per socket, and a dump that is not read makes no progress", async () => {
    await using conn = await Conn.dial(Family.Route);
    conn.send(linkDumpRequest());
    await new Promise((r) => setTimeout(r, 20));
    const first = kernelView(conn.pid);
    assert.equal(first.dumping, true);
    assert.ok(first.rmem > 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      kernelView(conn.pid).rmem,
      first.rmem,
      "no part made without a read",
    );
    // A raw second dump (send() bypasses the queue): the kernel refuses it.
    conn.send(linkDumpRequest());
    await assert.rejects(
      conn.receive(),
      (e) => isNetlinkError(e) && e.errno === Errno.EBUSY,
    );
  });

  it("integration: break after 5 links, then execute() a link dump (the issue's repro)", async () => {
    await using conn = await Conn.dial(Family.Route);
    let n = 0;
    for await (const _ of conn.dump(linkDumpRequest())) if (++n === 5) break;
    const all = await conn.execute(linkDumpRequest());
    assert.equal(ours(all), 2 * PAIRS);
    assert.equal(await dumpEnded(conn), true);
  });

  it("integration: a left dump is drained in the background, with no other call", async () => {
    await using conn = await Conn.dial(Family.Route);
    for await (const _ of conn.dump(linkDumpRequest())) break;
    await nextDumpWorks(conn);
  });

  it("integration: a visitor that throws", async () => {
    await using conn = await Conn.dial(Family.Route);
    let n = 0;
    await assert.rejects(
      conn.visit(linkDumpRequest(), () => {
        if (++n === 5) throw new Error("stop");
      }),
      /stop/,
    );
    await nextDumpWorks(conn);
  });

  it("integration: an aborted signal", async () => {
    await using conn = await Conn.dial(Family.Route);
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(async () => {
      for await (
        const _ of conn.dump(linkDumpRequest(), { signal: ac.signal })
      ) {
        if (++n === 5) ac.abort(new Error("enough"));
      }
    }, /enough/);
    await nextDumpWorks(conn);
  });

  it("integration: return() on the iterator", async () => {
    await using conn = await Conn.dial(Family.Route);
    const it = conn.dump(linkDumpRequest());
    for (let i = 0; i < 5; i++) assert.equal((await it.next()).done, false);
    await it.return!();
    await nextDumpWorks(conn);
  });

  it("integration: two dump() iterators at once, interleaved: both complete", async () => {
    await using conn = await Conn.dial(Family.Route);
    const a = conn.dump(linkDumpRequest());
    const b = conn.dump(linkDumpRequest());
    const got: [Message[], Message[]] = [[], []];
    for (let open = 2; open > 0;) {
      open = 0;
      for (const [i, it] of [a, b].entries()) {
        const r = await it.next();
        if (!r.done) {
          got[i]!.push(r.value);
          open++;
        }
      }
    }
    assert.equal(ours(got[0]), 2 * PAIRS);
    assert.equal(ours(got[1]), 2 * PAIRS);
  });

  it("integration: requests that are not dumps go on while a dump is open", async () => {
    await using conn = await Conn.dial(Family.Route);
    const it = conn.dump(linkDumpRequest());
    const seen: Message[] = [];
    for (let i = 0; i < 5; i++) seen.push((await it.next()).value!);
    const noop = {
      header: {
        length: 0,
        type: HeaderType.Noop,
        flags: HeaderFlags.Request | HeaderFlags.Acknowledge,
        sequence: 0,
        pid: 0,
      },
    };
    assert.deepEqual(await conn.execute(noop), []);
    const lo = new Uint8Array(16);
    new DataView(lo.buffer).setInt32(4, 1, true); // ifi_index 1: lo
    const [link] = await conn.execute({
      header: {
        length: 0,
        type: Rtm.GetLink,
        flags: HeaderFlags.Request,
        sequence: 0,
        pid: 0,
      },
      data: lo,
    });
    assert.equal(decodeLink(link!.data, 0, link!.data.length).name, "lo");
    for await (const m of it) seen.push(m);
    assert.equal(ours(seen), 2 * PAIRS);
  });
});
