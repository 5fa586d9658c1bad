// Real-kernel tests for the uevent monitor: network devices made in the test
// namespace announce themselves. Run by .ci/run as root inside a fresh
// `unshare -n` namespace with NLKIT_INTEGRATION=1, under Deno and Bun. Every
// test uses unique names and removes what it creates.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Conn, Family } from "../../src/netlink/mod.ts";
import { socketOf } from "../../src/netlink/conn.ts";
import { events, Monitor, type Uevent } from "../../src/uevent/mod.ts";
import { gate, ip, ipQuiet, nameMaker } from "./_gate.ts";

const skip = await gate(import.meta.url);

/** A unique interface name (at most 15 bytes). */
const uniqueName = nameMaker();

function ifindex(name: string): number {
  return (JSON.parse(ip("-j", "link", "show", "dev", name)) as {
    ifindex: number;
  }[])[0]!.ifindex;
}

/** How many NETLINK_KOBJECT_UEVENT sockets this network namespace has (/proc/net/netlink). */
function ueventSockets(): number {
  const lines = readFileSync("/proc/net/netlink", "utf8").trim().split("\n")
    .slice(1);
  return lines.filter((l) => l.trim().split(/\s+/)[1] === "15").length;
}

/** Collects `net` uevents of the given interfaces until `done` says so; fails after `ms` (10 s). */
async function collect(
  monitor: Monitor,
  names: readonly string[],
  done: (seen: Uevent[]) => boolean,
  ms = 10_000,
): Promise<Uevent[]> {
  const seen: Uevent[] = [];
  for await (const e of monitor.events({ signal: AbortSignal.timeout(ms) })) {
    if (e.subsystem === "net" && names.includes(e.env.INTERFACE ?? "")) {
      seen
        .push(e);
    }
    if (done(seen)) break;
  }
  return seen;
}

describe("integration: uevent", { skip }, () => {
  it("integration: creating and deleting a veth yields add and remove uevents of subsystem net", async () => {
    const a = uniqueName("uevA"),
      b = uniqueName("uevB"),
      c = uniqueName("uevC");
    await using monitor = await Monitor.open();
    // A second socket, not read until `ip` returns, to see what is queued by then.
    await using raw = await Conn.dial(Family.KobjectUevent, { groups: 1 });
    try {
      ip("link", "add", a, "type", "veth", "peer", "name", b);
      // The uevent was queued before the request was answered (the simulator does the same).
      assert.notEqual(
        socketOf(raw).receive(),
        null,
        "no uevent queued when `ip link add` returned",
      );
      const ia = ifindex(a), ib = ifindex(b);
      ip("link", "set", a, "name", c);
      ip("link", "del", c);
      const seen = await collect(
        monitor,
        [a, b, c],
        (s) => s.filter((e) => e.action === "remove").length === 2,
      );
      const lines = seen.map((e) =>
        `${e.action} ${e.env.INTERFACE} ${e.env.IFINDEX}`
      );
      // Adds in ifindex order (Linux registers the peer first), the rename, then
      // the deleted end's removal before its peer's.
      const adds = [[a, ia], [b, ib]].sort((x, y) =>
        Number(x[1]) - Number(y[1])
      );
      assert.deepEqual(lines, [
        ...adds.map(([n, i]) => `add ${n} ${i}`),
        `move ${c} ${ia}`,
        `remove ${c} ${ia}`,
        `remove ${b} ${ib}`,
      ]);
      const add = seen[0]!;
      assert.equal(add.devpath, `/devices/virtual/net/${add.env.INTERFACE}`);
      assert.equal(add.source, "kernel");
      assert.deepEqual(Object.keys(add.env), [
        "ACTION",
        "DEVPATH",
        "SUBSYSTEM",
        "INTERFACE",
        "IFINDEX",
        "SEQNUM",
      ]);
      const move = seen.find((e) => e.action === "move")!;
      assert.equal(move.env.DEVPATH_OLD, `/devices/virtual/net/${a}`);
      assert.deepEqual(Object.keys(move.env), [
        "ACTION",
        "DEVPATH",
        "SUBSYSTEM",
        "DEVPATH_OLD",
        "INTERFACE",
        "IFINDEX",
        "SEQNUM",
      ]);
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i]!.seqnum > seen[i - 1]!.seqnum);
      }
      // Everything came from the kernel and decoded.
      assert.equal(monitor.stats.malformed, 0);
      assert.equal(monitor.stats.foreign, 0);
    } finally {
      ipQuiet("link", "del", a);
      ipQuiet("link", "del", c);
    }
  });

  it("integration: an overflowing receive buffer is counted and reading goes on", async () => {
    // The smallest SO_RCVBUF holds two or three uevents: three veth pairs (about 30 uevents) overflow it.
    await using monitor = await Monitor.open({ receiveBufferSize: 1 });
    const made = [0, 1, 2].map(() => uniqueName("uevF"));
    try {
      for (const n of made) {
        ip(
          "link",
          "add",
          n,
          "type",
          "veth",
          "peer",
          "name",
          uniqueName("uevH"),
        );
      }
      // Drain what fit; ENOBUFS comes with a read.
      await collect(monitor, [], () => false, 300).catch(() => {});
      assert.ok(
        monitor.stats.overruns >= 1,
        `overruns ${monitor.stats.overruns}`,
      );
      assert.ok(monitor.stats.received >= 1);
      assert.equal(monitor.stats.malformed, 0);
      // Reading goes on after the overrun: a device made now is seen (its
      // first uevent is the peer's, which Linux registers first; the rest may
      // overflow the tiny buffer again).
      const n = uniqueName("uevG"), peer = uniqueName("uevH");
      made.push(n);
      ip("link", "add", n, "type", "veth", "peer", "name", peer);
      const [e] = await collect(monitor, [n, peer], (s) => s.length > 0);
      assert.equal(e?.action, "add");
    } finally {
      for (const n of made) ipQuiet("link", "del", n);
    }
  });

  it("integration: events() reads the kernel's uevents and closes its socket at the end", async () => {
    const before = ueventSockets();
    const ac = new AbortController();
    const timer = setTimeout(
      () => ac.abort(new Error("deadline of 10 s passed")),
      10_000,
    );
    const made: string[] = [];
    // events() opens its socket on the first next(): make veths until one is seen.
    const maker = setInterval(() => {
      const n = uniqueName("uevD");
      made.push(n);
      ip("link", "add", n, "type", "veth", "peer", "name", uniqueName("uevE"));
    }, 100);
    const stream = events({ signal: ac.signal });
    try {
      let got: Uevent | undefined;
      for (let r = await stream.next(); !r.done; r = await stream.next()) {
        if (
          r.value.subsystem === "net" &&
          made.includes(r.value.env.INTERFACE ?? "")
        ) {
          got = r.value;
          break;
        }
      }
      assert.equal(got?.action, "add");
    } finally {
      clearInterval(maker);
      clearTimeout(timer);
      await stream.return();
      for (const n of made) ipQuiet("link", "del", n);
    }
    // Closing is complete once the runtime's poll on the socket has returned.
    for (let i = 0; i < 50 && ueventSockets() > before; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(
      ueventSockets() <= before,
      "the socket events() opened is closed",
    );
  });
});
