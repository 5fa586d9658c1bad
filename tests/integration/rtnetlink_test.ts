// Real-kernel tests for Conn over the libc socket (rtnetlink). Run by .ci/run as
// root inside a fresh `unshare -n` namespace with NLKIT_INTEGRATION=1, under
// Deno and Bun. Every test uses unique names and removes what it creates.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readlinkSync } from "node:fs";
import {
  AttributeEncoder,
  bpf,
  Conn,
  Family,
  HeaderFlags,
  isNetlinkError,
  type Message,
  NetlinkError,
  OverrunError,
} from "../../src/netlink/mod.ts";
import {
  family as linkFamily,
  getlink,
  newlink,
} from "../../src/families/rt_link.ts";
import { delroute, getroute, newroute } from "../../src/families/rt_route.ts";
import { ROUTE_GROUPS } from "../../src/route/names.ts";
import { ipFlags } from "../../examples/cli/route.ts";
import { gate, ip, ipQuiet, nameMaker } from "./_gate.ts";

// Requests and decoders through the generated rt-link and rt-route codecs.
const Rtm = {
  NewLink: newlink.doRequest!,
  GetLink: getlink.doRequest!,
  NewRoute: newroute.doRequest!,
  DelRoute: delroute.doRequest!,
};
const RtnlGroup = {
  Link: linkFamily.groups.find((g) => g.name === "rtnlgrp-link")!.value!,
  IPv4Route: ROUTE_GROUPS.ipv4,
};
const linkDumpRequest = () => getlink.encode({}, { dump: true });
const routeDumpRequest = (family = 2, table?: number) =>
  getroute.encode({
    rtmFamily: family,
    ...(table === undefined ? {} : { table }),
  }, {
    dump: true,
  });
function decodeLink(bytes: Uint8Array, offset: number, length: number) {
  const l = getlink.decodeView({ bytes, offset, length });
  return {
    index: l.ifiIndex,
    name: l.ifname ?? "",
    flags: l.ifiFlags,
    mtu: l.mtu ?? 0,
  };
}
function decodeRoute(bytes: Uint8Array, offset: number, length: number) {
  const r = getroute.decodeView({ bytes, offset, length });
  return {
    dst: r.dst ?? "",
    dstLength: r.rtmDstLen,
    table: r.table ?? r.rtmTable,
  };
}
const linkFlagNames = ipFlags;

const skip = await gate(import.meta.url);

/** A unique interface name (at most 15 bytes). */
const uniqueName = nameMaker();

function request(type: number, flags: number, data: Uint8Array): Message {
  return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
}

/** `struct ifinfomsg` (16 bytes) with an index. */
function ifinfomsg(index = 0, change = 0): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setInt32(4, index, true);
  v.setUint32(12, change, true);
  return b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** RTM_NEWLINK creating a link of `kind` (a veth pair when `peer` is given). */
function newLink(name: string, kind: string, peer?: string): Message {
  const attrs = new AttributeEncoder()
    .string(3, name) // IFLA_IFNAME
    .nested(18, (info) => { // IFLA_LINKINFO
      info.string(1, kind); // IFLA_INFO_KIND
      if (peer !== undefined) {
        info.nested(2, (data) => { // IFLA_INFO_DATA
          // VETH_INFO_PEER: struct ifinfomsg + attributes of the peer
          data.bytes(
            1,
            concat(
              ifinfomsg(),
              new AttributeEncoder().string(3, peer).encode(),
            ),
          );
        });
      }
    })
    .encode();
  const flags = HeaderFlags.Request | HeaderFlags.Acknowledge |
    HeaderFlags.Create | HeaderFlags.Excl;
  return request(Rtm.NewLink, flags, concat(ifinfomsg(), attrs));
}

/** RTM_NEWROUTE / RTM_DELROUTE for `dst`/24 on a device, main table. */
function routeRequest(type: number, dst: string, ifindex: number): Message {
  const rtmsg = new Uint8Array(12);
  rtmsg.set([2, 24, 0, 0, 254, 4, 253, 1]); // AF_INET, /24, main, RTPROT_STATIC, RT_SCOPE_LINK, RTN_UNICAST
  const attrs = new AttributeEncoder()
    .bytes(1, new Uint8Array(dst.split(".").map(Number))) // RTA_DST
    .uint32(4, ifindex) // RTA_OIF
    .encode();
  const flags = HeaderFlags.Request | HeaderFlags.Acknowledge |
    (type === Rtm.NewRoute ? HeaderFlags.Create | HeaderFlags.Excl : 0);
  return request(type, flags, concat(rtmsg, attrs));
}

/** Open descriptors that refer to a namespace (`net:[inode]`). */
function namespaceFds(): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith("net:[") ? [target] : [];
    } catch {
      return []; // closed meanwhile (readdir's own descriptor)
    }
  });
}

/** The open descriptor count once sockets closed asynchronously by earlier tests are gone. */
async function settledFds(): Promise<number> {
  let n = openFds();
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const m = openFds();
    if (m === n) break;
    n = m;
  }
  return n;
}

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

const noop = (): Message =>
  request(1, HeaderFlags.Request | HeaderFlags.Acknowledge, new Uint8Array(0));

describe("integration: rtnetlink over the libc socket", { skip }, () => {
  it("integration: link dump equals `ip -j link show`", async () => {
    await using conn = await Conn.dial(Family.Route);
    const ours = [];
    for await (const m of conn.dump(linkDumpRequest())) {
      if (m.header.type === Rtm.NewLink) {
        ours.push(decodeLink(m.data, 0, m.data.length));
      }
    }
    const theirs = JSON.parse(ip("-j", "link", "show")) as {
      ifindex: number;
      ifname: string;
      flags: string[];
      mtu: number;
    }[];
    const mine = ours.map((l) => ({
      ifindex: l.index,
      ifname: l.name,
      flags: linkFlagNames(l.flags),
      mtu: l.mtu,
    }));
    const expected = theirs.map((l) => ({
      ifindex: l.ifindex,
      ifname: l.ifname,
      flags: l.flags,
      mtu: l.mtu,
    }));
    assert.ok(mine.length >= 1);
    assert.deepEqual(mine, expected);
  });

  it("integration: creates a veth pair and receives its RTM_NEWLINK on RTNLGRP_LINK", async () => {
    const name = uniqueName("nfv");
    const peer = uniqueName("nfp");
    await using listener = await Conn.dial(Family.Route);
    listener.joinGroup(RtnlGroup.Link);
    const events = listener.notifications({
      signal: AbortSignal.timeout(10_000),
    });
    await using conn = await Conn.dial(Family.Route);
    try {
      assert.deepEqual(await conn.execute(newLink(name, "veth", peer)), []);
      let seen = false;
      for await (const m of events) {
        if (
          m.header.type === Rtm.NewLink &&
          decodeLink(m.data, 0, m.data.length).name === name
        ) {
          assert.equal(m.header.sequence, 0); // a notification, not a reply
          seen = true;
          break;
        }
      }
      assert.ok(seen);
      const shown = JSON.parse(ip("-j", "link", "show", "dev", peer)) as {
        ifname: string;
        link: string;
      }[];
      assert.equal(shown[0]?.link, name);
    } finally {
      ipQuiet("link", "del", name);
    }
  });

  it("integration: a bad link kind fails with EOPNOTSUPP and the kernel's extended ACK", async () => {
    await using conn = await Conn.dial(Family.Route);
    const name = uniqueName("nfk");
    await assert.rejects(
      conn.execute(newLink(name, "nlkit-no-such-kind")),
      (e: unknown) => {
        assert.ok(e instanceof NetlinkError);
        assert.equal(e.code, "EOPNOTSUPP");
        assert.equal(e.errno, 95);
        assert.match(e.extAck?.message ?? "", /Unknown device type/);
        return true;
      },
    );
  });

  it("integration: a strict-checked dump with a bad header fails with an extended ACK", async () => {
    await using conn = await Conn.dial(Family.Route, { strict: true });
    const bad = request(
      Rtm.GetLink,
      HeaderFlags.Request | HeaderFlags.Dump,
      ifinfomsg(0, 0xffffffff),
    );
    await assert.rejects(conn.execute(bad), (e: unknown) => {
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "EINVAL");
      assert.match(
        e.extAck?.message ?? "",
        /Invalid values in header for link dump request/,
      );
      return true;
    });
    // The same connection keeps working.
    assert.ok((await conn.execute(linkDumpRequest())).length >= 1);
  });

  it("integration: a dump of 10,000 routes returns exactly 10,000", async () => {
    const dev = uniqueName("nfr");
    const table = 1000 + Math.floor(Math.random() * 50_000);
    ip("link", "add", dev, "type", "bridge");
    try {
      ip("link", "set", dev, "up");
      const batch: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        batch.push(
          `route add 10.${100 + (i >> 8)}.${
            i & 255
          }.0/24 dev ${dev} table ${table}`,
        );
      }
      execFileSync("ip", ["-batch", "-"], { input: batch.join("\n") + "\n" });
      await using conn = await Conn.dial(Family.Route, { strict: true });
      let visited = 0;
      const seen = new Set<string>();
      const count = await conn.visit(routeDumpRequest(2, table), (v) => {
        if (v.header.type !== Rtm.NewRoute) return;
        const r = decodeRoute(v.bytes, v.offset, v.length);
        if (r.table !== table) return;
        visited++;
        seen.add(`${r.dst}/${r.dstLength}`);
      });
      assert.equal(visited, 10_000);
      assert.equal(seen.size, 10_000);
      assert.ok(count >= 10_000);
      let dumped = 0;
      for await (const m of conn.dump(routeDumpRequest(2, table))) {
        if (
          m.header.type === Rtm.NewRoute &&
          decodeRoute(m.data, 0, m.data.length).table === table
        ) dumped++;
      }
      assert.equal(dumped, 10_000);
    } finally {
      ipQuiet("link", "del", dev);
    }
  });

  it("integration: a BPF filter drops what it should", async () => {
    // IPv4 route notifications carry the requester's port id in nlmsg_pid.
    const dev = uniqueName("nfb");
    ip("link", "add", dev, "type", "bridge");
    try {
      ip("link", "set", dev, "up");
      const ifindex = (JSON.parse(ip("-j", "link", "show", "dev", dev)) as {
        ifindex: number;
      }[])[0]!.ifindex;
      const octet = 1 + Math.floor(Math.random() * 200);
      const mine = `10.251.${octet}.0`;
      const theirs = `10.252.${octet}.0`;
      await using actor = await Conn.dial(Family.Route);
      await using plain = await Conn.dial(Family.Route);
      await using onlyDel = await Conn.dial(Family.Route);
      await using notMine = await Conn.dial(Family.Route);
      const signal = AbortSignal.timeout(10_000);
      for (const c of [plain, onlyDel, notMine]) {
        c.joinGroup(RtnlGroup.IPv4Route);
      }
      onlyDel.setBPF(bpf.acceptTypes([Rtm.DelRoute]));
      notMine.setBPF(bpf.dropPids([actor.pid]));
      const streams = [plain, onlyDel, notMine].map((c) =>
        c.notifications({ signal })
      );

      await actor.execute(routeRequest(Rtm.NewRoute, mine, ifindex)); // nlmsg_pid = actor.pid
      ip("route", "add", `${theirs}/24`, "dev", dev); // from ip's socket
      ip("route", "del", `${theirs}/24`, "dev", dev); // the end marker
      const events: string[][] = [];
      for (const s of streams) {
        const got: string[] = [];
        for await (const m of s) {
          const r = decodeRoute(m.data, 0, m.data.length);
          if (r.dst !== mine && r.dst !== theirs) continue;
          got.push(
            `${m.header.type === Rtm.NewRoute ? "new" : "del"} ${r.dst}`,
          );
          if (m.header.type === Rtm.DelRoute && r.dst === theirs) break;
        }
        events.push(got);
      }
      assert.deepEqual(events, [
        [`new ${mine}`, `new ${theirs}`, `del ${theirs}`],
        [`del ${theirs}`],
        [`new ${theirs}`, `del ${theirs}`],
      ]);

      // Without its filter, the actor's own change gets through again.
      notMine.removeBPF();
      await actor.execute(routeRequest(Rtm.DelRoute, mine, ifindex));
      const next = await notMine.notifications({ signal }).next();
      assert.equal(next.value?.header.type, Rtm.DelRoute);
      assert.equal(next.value?.header.pid, actor.pid);
      assert.equal(
        decodeRoute(next.value!.data, 0, next.value!.data.length).dst,
        mine,
      );
    } finally {
      ipQuiet("link", "del", dev);
    }
  });

  it("integration: the netns option opens a socket inside another named namespace", async () => {
    const ns = `nlkit-${uniqueName("ns")}`;
    const inside = uniqueName("nfn");
    ip("netns", "add", ns);
    try {
      ip("-n", ns, "link", "add", inside, "type", "bridge");
      const names = async (conn: Conn): Promise<string[]> => {
        const out: string[] = [];
        await conn.visit(linkDumpRequest(), (v) => {
          if (v.header.type === Rtm.NewLink) {
            out.push(decodeLink(v.bytes, v.offset, v.length).name);
          }
        });
        return out;
      };
      {
        await using there = await Conn.dial(Family.Route, {
          netns: `/var/run/netns/${ns}`,
        });
        assert.deepEqual((await names(there)).sort(), ["lo", inside].sort());
      }
      // By an open descriptor, which stays open.
      const fd = openSync(`/var/run/netns/${ns}`, "r");
      try {
        await using there = await Conn.dial(Family.Route, { netns: fd });
        assert.ok((await names(there)).includes(inside));
      } finally {
        closeSync(fd);
      }
      // The JS thread came back: a new socket sees this namespace again.
      await using here = await Conn.dial(Family.Route);
      assert.ok(!(await names(here)).includes(inside));
      // A namespace that does not exist: an error, and the thread stays home.
      await assert.rejects(
        Conn.dial(Family.Route, { netns: `/var/run/netns/${ns}-missing` }),
        isNetlinkError,
      );
      // socket() failing inside the namespace (unknown protocol): the thread still comes back.
      await assert.rejects(
        Conn.dial(31, { netns: `/var/run/netns/${ns}` }),
        isNetlinkError,
      );
      // A descriptor that is not a network namespace: setns fails with EINVAL.
      const notNs = openSync("/proc/self/stat", "r");
      try {
        await assert.rejects(
          Conn.dial(Family.Route, { netns: notNs }),
          (e: unknown) => isNetlinkError(e) && e.code === "EINVAL",
        );
      } finally {
        closeSync(notNs);
      }
      assert.ok(!(await names(here)).includes(inside));
      await using again = await Conn.dial(Family.Route);
      assert.ok(!(await names(again)).includes(inside));
      assert.deepEqual(namespaceFds(), []); // every namespace descriptor was closed
    } finally {
      ipQuiet("netns", "del", ns);
    }
  });

  it("integration: 10,000 dial/close cycles leave the fd count unchanged", async () => {
    // Warm up (libc, and on Bun the process-wide poll worker with its control
    // eventfd, created by the first wait), then count.
    const waitOnce = async (): Promise<void> => {
      const conn = await Conn.dial(Family.Route);
      conn.joinGroup(RtnlGroup.Link);
      const pending = conn.notifications().next();
      await new Promise((r) => setTimeout(r, 5));
      await conn.close();
      await pending;
    };
    await waitOnce();
    const before = await settledFds();
    for (let i = 0; i < 10_000; i++) {
      const conn = await Conn.dial(Family.Route);
      if (i % 1000 === 0) await conn.execute(noop());
      await conn.close();
    }
    // Conns that waited (eventfd + poller) release everything too.
    for (let i = 0; i < 20; i++) await waitOnce();
    // A socket whose poll was pending is closed as soon as that poll returns.
    for (let i = 0; i < 100 && openFds() !== before; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(openFds(), before);
  });

  it("integration: close() during a pending notifications() wait ends it within 50 ms", async () => {
    const conn = await Conn.dial(Family.Route);
    conn.joinGroup(RtnlGroup.Link);
    let ended = 0;
    const loop = (async () => {
      for await (const _ of conn.notifications()) {
        // Nothing happens in this namespace's link table meanwhile that matters.
      }
      ended = performance.now();
    })();
    await new Promise((r) => setTimeout(r, 30)); // the wait is pending now
    const start = performance.now();
    await conn.close();
    await loop;
    const elapsed = ended - start;
    assert.ok(
      elapsed < 50,
      `notifications() ended ${elapsed.toFixed(1)} ms after close()`,
    );
  });

  it("integration: a flooded tiny receive buffer gives OverrunError, then the same Conn completes a request", async () => {
    const dev = uniqueName("nfo");
    ip("link", "add", dev, "type", "bridge");
    try {
      await using conn = await Conn.dial(Family.Route);
      conn.setReceiveBufferSize(1024, { force: true });
      conn.joinGroup(RtnlGroup.Link);
      const events = conn.notifications({
        signal: AbortSignal.timeout(10_000),
      });
      const batch: string[] = [];
      for (let i = 0; i < 100; i++) {
        batch.push(`link set ${dev} ${i % 2 === 0 ? "up" : "down"}`);
      }
      execFileSync("ip", ["-batch", "-"], { input: batch.join("\n") + "\n" });
      let received = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of events) received++;
        })(),
        (e: unknown) => {
          assert.ok(e instanceof OverrunError, String(e));
          assert.equal((e as OverrunError).code, "ENOBUFS");
          return true;
        },
      );
      assert.ok(received < 200, `received ${received} of 200+ notifications`);
      const replies = await conn.execute(
        request(Rtm.GetLink, HeaderFlags.Request, ifinfomsg(1)),
      );
      assert.equal(replies.length, 1);
      assert.equal(
        decodeLink(replies[0]!.data, 0, replies[0]!.data.length).name,
        "lo",
      );
    } finally {
      ipQuiet("link", "del", dev);
    }
  });
});
