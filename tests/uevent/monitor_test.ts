import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  type Conn,
  Family,
  HeaderFlags,
} from "../../src/netlink/mod.ts";
import { socketOf } from "../../src/netlink/conn.ts";
import type { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { SimKernel, uevent } from "../../src/nltest/mod.ts";
import {
  events,
  Monitor,
  type Uevent,
  type UeventSpec,
} from "../../src/uevent/mod.ts";

const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_SETLINK = 19;
const IFLA_IFNAME = 3,
  IFLA_LINKINFO = 18,
  IFLA_INFO_KIND = 1,
  IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;

const DISK: UeventSpec = {
  action: "change",
  devpath: "/devices/virtual/block/loop0",
  subsystem: "block",
  seqnum: 1n,
};

/** Reads `n` uevents, failing after `ms` instead of hanging. */
async function take(
  monitor: Monitor,
  n: number,
  ms = 2_000,
): Promise<Uevent[]> {
  const out: Uevent[] = [];
  if (n === 0) return out;
  for await (const e of monitor.events({ signal: AbortSignal.timeout(ms) })) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

/** What is queued on a simulated connection's socket, without reading it. */
function queued(conn: Conn): number {
  return (socketOf(conn) as MemorySocket).queued;
}

function ifinfomsg(index = 0): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setInt32(4, index, true);
  return b;
}

function request(type: number, attrs: AttributeEncoder, index = 0, flags = 0) {
  const a = attrs.encode();
  const data = new Uint8Array(16 + a.length);
  data.set(ifinfomsg(index));
  data.set(a, 16);
  return {
    header: {
      length: 0,
      type,
      flags: HeaderFlags.Request | HeaderFlags.Acknowledge | flags,
      sequence: 0,
      pid: 0,
    },
    data,
  };
}

const CREATE = 0x400 | 0x200; // NLM_F_CREATE | NLM_F_EXCL

describe("Monitor on the simulated kernel", () => {
  it("delivers emitted uevents in order with their sequence numbers", async () => {
    const sim = new uevent.Simulator(undefined, { firstSeqnum: 50n });
    await using monitor = await Monitor.open({ conn: sim.dial() });
    const { seqnum: _, ...auto } = DISK; // no seqnum: the simulator's counter numbers them
    const sent = [sim.emit(auto), sim.emit({ ...auto, action: "remove" })];
    const got = await take(monitor, 2);
    assert.deepEqual(got, sent);
    assert.deepEqual(got.map((e) => e.seqnum), [50n, 51n]);
  });

  it("skips and counts malformed datagrams, never throwing them", async () => {
    const sim = new uevent.Simulator();
    const seen: string[] = [];
    await using monitor = await Monitor.open({
      conn: sim.dial(),
      onMalformed: (e, d) => seen.push(`${e.message} (${d.length} bytes)`),
    });
    const te = new TextEncoder();
    for (
      const bad of [
        new Uint8Array(0),
        te.encode("no at sign\0"),
        te.encode("add@/devices/x"),
        new Uint8Array([0x61, 0x40, 0x2f, 0xff, 0]),
        te.encode("add@/d\0ACTION=add\0"),
      ]
    ) sim.emit(bad);
    sim.emit(DISK);
    const [e] = await take(monitor, 1);
    assert.equal(e?.devpath, DISK.devpath);
    assert.deepEqual(monitor.stats, {
      received: 6,
      delivered: 1,
      malformed: 5,
      foreign: 0,
      overruns: 0,
    });
    assert.equal(seen.length, 5);
    assert.match(
      seen[0]!,
      /^Cannot decode uevent: empty datagram at offset 0 \(0 bytes\)$/,
    );
  });

  it("yields only well-formed uevents from a stream of hostile datagrams", async () => {
    const sim = new uevent.Simulator();
    await using monitor = await Monitor.open({ conn: sim.dial() });
    const valid = new TextEncoder().encode(
      "add@/d\0ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0SEQNUM=1\0",
    );
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    for (let i = 0; i < 300; i++) {
      const d = i % 3 === 0 ? new Uint8Array(random() % 64) : valid.slice();
      for (let j = 0; j < d.length; j++) {
        if (i % 3 === 0 || random() % 8 === 0) d[j] = random() & 0xff;
      }
      sim.emit(d);
    }
    sim.emit({ action: "remove", devpath: "/end", subsystem: "s" });
    const got: Uevent[] = [];
    for await (
      const e of monitor.events({ signal: AbortSignal.timeout(5_000) })
    ) {
      got.push(e);
      if (e.devpath === "/end") break;
    }
    const s = monitor.stats;
    assert.equal(s.received, 301);
    assert.equal(s.delivered, got.length);
    assert.equal(s.delivered + s.malformed, s.received);
    assert.ok(s.malformed >= 100, `${s.malformed} malformed`);
    for (const e of got) {
      assert.ok(e.action !== "" && e.devpath.startsWith("/"));
    }
  });

  it("skips what the kernel did not send on the kernel group, and unicast", async () => {
    const sim = new uevent.Simulator();
    const conn = sim.dial();
    await using monitor = await Monitor.open({ conn });
    sim.emit(DISK, { senderPid: 1234 }); // a process multicasting on group 1
    (socketOf(conn) as MemorySocket).deliver(encode(DISK), 0, 0); // unicast
    sim.emit({ ...DISK, seqnum: 2n });
    const [e] = await take(monitor, 1);
    assert.equal(e?.seqnum, 2n);
    assert.equal(monitor.stats.foreign, 2);
  });

  it("reads udev's group in udev's format only, and not the kernel's group", async () => {
    const sim = new uevent.Simulator();
    await using udev = await Monitor.open({ conn: sim.dial(), group: "udev" });
    await using kernel = await Monitor.open({ conn: sim.dial() });
    sim.emit(DISK, { format: "kernel", group: 2 }); // kernel format on group 2: not udev's
    sim.emit({ ...DISK, seqnum: 3n }, { format: "udev" });
    sim.emit({ ...DISK, seqnum: 4n });
    const [u] = await take(udev, 1);
    assert.equal(u?.source, "udev");
    assert.equal(u?.seqnum, 3n);
    assert.equal(udev.stats.foreign, 1);
    const [k] = await take(kernel, 1);
    assert.equal(k?.seqnum, 4n);
    assert.equal(kernel.stats.received, 1);
  });

  it("counts an overrun and keeps reading", async () => {
    const sim = new uevent.Simulator();
    const conn = sim.dial();
    await using monitor = await Monitor.open({ conn });
    (socketOf(conn) as MemorySocket).failNextReceive(105); // ENOBUFS
    sim.emit(DISK);
    const [e] = await take(monitor, 1);
    assert.equal(e?.action, "change");
    assert.equal(monitor.stats.overruns, 1);
  });

  it("ends the iteration when closed and throws the signal's reason when aborted", async () => {
    const sim = new uevent.Simulator();
    const monitor = await Monitor.open({ conn: sim.dial() });
    const ac = new AbortController();
    const aborted = (async () => {
      for await (const _ of monitor.events({ signal: ac.signal })) {
        /* none */
      }
    })();
    ac.abort(new Error("enough"));
    await assert.rejects(aborted, /enough/);
    const ended = (async () => {
      for await (const _ of monitor.events()) { /* none */ }
      return "ended";
    })();
    await monitor.close();
    assert.equal(await ended, "ended");
    await monitor.close(); // idempotent
  });

  it("refuses a second events() iteration at the same time", async () => {
    const sim = new uevent.Simulator();
    await using monitor = await Monitor.open({ conn: sim.dial() });
    const first = monitor.events();
    const pending = first.next();
    await assert.rejects(
      monitor.events().next(),
      /another events\(\) iteration is running/,
    );
    sim.emit(DISK);
    assert.equal((await pending).value?.action, "change");
    await first.return();
    sim.emit({ ...DISK, seqnum: 9n });
    assert.equal((await take(monitor, 1))[0]?.seqnum, 9n); // usable again
  });

  it("events() opens and closes its own monitor", async () => {
    const kernel = new SimKernel();
    const sim = new uevent.Simulator(kernel);
    const ports = kernel.ports.length;
    const stream = events({
      conn: sim.dial(),
      signal: AbortSignal.timeout(2_000),
    });
    const next = stream.next();
    sim.emit(DISK);
    assert.equal((await next).value?.subsystem, "block");
    await stream.return();
    assert.equal(kernel.ports.length, ports);
  });
});

describe("the simulated uevents of rtnetlink links", () => {
  it("follows links created, renamed and deleted through rtnetlink requests", async () => {
    const kernel = new SimKernel();
    const sim = new uevent.Simulator(kernel);
    const mon = sim.dial();
    await using monitor = await Monitor.open({ conn: mon });
    await using route = kernel.dial(Family.Route);
    await route.execute(request(
      RTM_NEWLINK,
      new AttributeEncoder().string(IFLA_IFNAME, "dummy0").nested(
        IFLA_LINKINFO,
        (e) => e.string(IFLA_INFO_KIND, "dummy"),
      ),
      0,
      CREATE,
    ));
    // Queued before the reply came back, as in Linux.
    assert.equal(queued(mon), 1);
    await route.execute(
      request(
        RTM_SETLINK,
        new AttributeEncoder().string(IFLA_IFNAME, "uplink0"),
        2,
      ),
    );
    await route.execute(request(RTM_DELLINK, new AttributeEncoder(), 2));
    const got = await take(monitor, 3);
    assert.deepEqual(
      got.map((
        e,
      ) => [e.action, e.devpath, e.subsystem, e.env.INTERFACE, e.env.IFINDEX]),
      [
        ["add", "/devices/virtual/net/dummy0", "net", "dummy0", "2"],
        ["move", "/devices/virtual/net/uplink0", "net", "uplink0", "2"],
        ["remove", "/devices/virtual/net/uplink0", "net", "uplink0", "2"],
      ],
    );
    assert.equal(got[1]?.env.DEVPATH_OLD, "/devices/virtual/net/dummy0");
    assert.deepEqual(Object.keys(got[0]!.env), [
      "ACTION",
      "DEVPATH",
      "SUBSYSTEM",
      "INTERFACE",
      "IFINDEX",
      "SEQNUM",
    ]);
    assert.ok(
      got[0]!.seqnum < got[1]!.seqnum && got[1]!.seqnum < got[2]!.seqnum,
    );
  });

  it("announces both ends of a veth, the deleted end's removal first", async () => {
    const kernel = new SimKernel();
    const sim = new uevent.Simulator(kernel);
    await using monitor = await Monitor.open({ conn: sim.dial() });
    await using route = kernel.dial(Family.Route);
    await route.execute(request(
      RTM_NEWLINK,
      new AttributeEncoder().string(IFLA_IFNAME, "va").nested(
        IFLA_LINKINFO,
        (e) =>
          e.string(IFLA_INFO_KIND, "veth").nested(
            IFLA_INFO_DATA,
            (d) =>
              d.nested(VETH_INFO_PEER, (p) =>
                p.raw(ifinfomsg()).string(IFLA_IFNAME, "vb")),
          ),
      ),
      0,
      CREATE,
    ));
    await route.execute(
      request(RTM_DELLINK, new AttributeEncoder().string(IFLA_IFNAME, "vb")),
    );
    const got = await take(monitor, 4);
    assert.deepEqual(got.map((e) => `${e.action} ${e.env.INTERFACE}`), [
      "add vb", // Linux registers the peer first (tests/integration/uevent_test.ts)
      "add va",
      "remove vb",
      "remove va",
    ]);
  });

  it("announces links changed directly on the simulated kernel with syncLinks()", () => {
    const sim = new uevent.Simulator();
    sim.kernel.rtnetlink.addLink({ name: "eth0" });
    assert.deepEqual(
      sim.syncLinks().map((e) => `${e.action} ${e.env.INTERFACE}`),
      ["add eth0"],
    );
    assert.deepEqual(sim.syncLinks(), []);
    sim.kernel.rtnetlink.deleteLink("eth0");
    assert.deepEqual(sim.syncLinks().map((e) => e.action), ["remove"]);
  });

  it("does not follow links when told not to", async () => {
    const kernel = new SimKernel();
    const sim = new uevent.Simulator(kernel, { followLinks: false });
    const mon = sim.dial();
    await using monitor = await Monitor.open({ conn: mon });
    await using route = kernel.dial(Family.Route);
    await route.execute(request(
      RTM_NEWLINK,
      new AttributeEncoder().string(IFLA_IFNAME, "d0").nested(
        IFLA_LINKINFO,
        (e) => e.string(IFLA_INFO_KIND, "dummy"),
      ),
      0,
      CREATE,
    ));
    assert.equal(queued(mon), 0);
    assert.equal(sim.syncLinks().length, 1);
    assert.equal(monitor.stats.received, 0);
  });

  it("refuses a bad first sequence number and bad uevents with TypeError", () => {
    assert.throws(
      () => new uevent.Simulator(undefined, { firstSeqnum: -1n }),
      TypeError,
    );
    assert.throws(
      () =>
        new uevent.Simulator().emit({
          action: "",
          devpath: "/d",
          subsystem: "s",
        }),
      TypeError,
    );
  });
});

function encode(spec: UeventSpec): Uint8Array {
  return new TextEncoder().encode(
    `${spec.action}@${spec.devpath}\0ACTION=${spec.action}\0DEVPATH=${spec.devpath}\0SUBSYSTEM=${spec.subsystem}\0SEQNUM=${spec.seqnum}\0`,
  );
}
