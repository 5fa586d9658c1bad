// SockDiag against the simulated socket table (SimSockDiag) and against
// hand-built kernels that check the requests.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  Family,
  HeaderFlags,
  isNetlinkError,
  isNotExist,
  type Message,
} from "../../src/netlink/mod.ts";
import {
  dial,
  multipart,
  record,
  SimKernel,
  SimSockDiag,
} from "../../src/nltest/mod.ts";
import {
  decodeInetDiagRequest,
  decodeUnixDiagRequest,
  encodeInetSocket,
  type InetQuery,
  SockDiag,
  UnixDiagShow,
} from "../../src/sockdiag/mod.ts";

function table(): SimSockDiag {
  return new SimSockDiag({
    inet: [
      { protocol: "tcp", localAddress: "0.0.0.0", localPort: 22 },
      { protocol: "tcp", localAddress: "::", localPort: 22 },
      {
        protocol: "tcp",
        localAddress: "10.0.0.1",
        localPort: 22,
        remoteAddress: "10.0.0.7",
        remotePort: 51000,
        tcpInfo: { rtt: 2500, sndCwnd: 20 },
      },
      {
        protocol: "tcp",
        localAddress: "2001:db8::1",
        localPort: 443,
        remoteAddress: "2001:db8::9",
        remotePort: 50000,
      },
      {
        protocol: "tcp",
        state: "time-wait",
        localAddress: "10.0.0.1",
        localPort: 80,
        remoteAddress: "10.0.0.8",
        remotePort: 40000,
      },
      { protocol: "udp", localAddress: "127.0.0.53", localPort: 53 },
      { protocol: "udplite", localAddress: "127.0.0.1", localPort: 9 },
    ],
    unix: [
      { type: "stream", state: "listen", path: "/run/a.sock", pending: [7] },
      { type: "stream", path: "/run/a.sock", inode: 5, peer: 6 },
      { type: "stream", inode: 6, peer: 5, receiveQueue: 12 },
      { type: "dgram", path: "@journal" },
    ],
  });
}

const ports = (list: { localPort: number }[]) => list.map((s) => s.localPort);

describe("SockDiag.inet()", () => {
  it("sends SOCK_DIAG_BY_FAMILY with Request | Dump and the state and extension bits", async () => {
    const seen: Message[] = [];
    const reply = encodeInetSocket({
      family: 4,
      protocol: "tcp",
      state: "listen",
      localAddress: "0.0.0.0",
      localPort: 80,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      interface: 0,
      cookie: 1n,
      timer: 0,
      retransmits: 0,
      expires: 0,
      receiveQueue: 0,
      sendQueue: 0,
      uid: 0,
      inode: 1,
    }, new AttributeEncoder()).encode();
    await using diag = await SockDiag.open({
      conn: dial((requests) => {
        seen.push(...requests);
        return multipart([{
          header: { length: 0, type: 20, flags: 0, sequence: 0, pid: 0 },
          data: reply,
        }]);
      }),
    });
    const got = await diag.inet({
      family: 4,
      protocol: "tcp",
      states: ["listen", "established"],
      extensions: ["info", "congestion"],
    });
    assert.equal(got.length, 1);
    assert.equal(seen.length, 1);
    const h = seen[0]!.header;
    assert.equal(h.type, 20);
    assert.equal(h.flags, HeaderFlags.Request | HeaderFlags.Dump);
    const r = decodeInetDiagRequest(seen[0]!.data, 0, seen[0]!.data.length);
    assert.equal(r.family, 4);
    assert.equal(r.protocol, 6);
    assert.equal(r.states, (1 << 10) | (1 << 1));
    assert.equal(r.extensions, 0x02 | 0x08);
  });

  it("filters by family and state as the kernel does", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    assert.deepEqual(
      ports(await diag.inet({ family: 4, protocol: "tcp" })),
      [22, 22, 80],
    );
    assert.deepEqual(
      ports(await diag.inet({ family: 6, protocol: "tcp" })),
      [22, 443],
    );
    const listening = await diag.inet({
      family: 4,
      protocol: "tcp",
      states: ["listen"],
    });
    assert.deepEqual(listening.map((s) => s.state), ["listen"]);
    assert.deepEqual(
      ports(await diag.inet({ family: 4, protocol: "tcp", states: [] })),
      [],
    );
    assert.deepEqual(
      (await diag.inet({ family: 4, protocol: "udp" })).map((s) =>
        `${s.localAddress}:${s.localPort} ${s.state}`
      ),
      ["127.0.0.53:53 close"],
    );
    assert.equal(
      (await diag.inet({ family: 4, protocol: "udplite" }))[0]?.localPort,
      9,
    );
  });

  it("adds extensions only when asked, tcp_info and congestion only for TCP", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const [plain] = await diag.inet({
      family: 4,
      protocol: "tcp",
      states: ["established"],
    });
    assert.equal(plain?.tcpInfo, undefined);
    assert.equal(plain?.congestion, undefined);
    assert.equal(plain?.memInfo, undefined);
    assert.equal(plain?.shutdown, 0); // always sent
    assert.equal(plain?.cgroupId, 1n); // always sent
    assert.equal(plain?.mark, 0); // privileged requester
    const [full] = await diag.inet({
      family: 4,
      protocol: "tcp",
      states: ["established"],
      extensions: ["info", "congestion", "meminfo", "skmeminfo", "tos"],
    });
    assert.equal(full?.tcpInfo?.rtt, 2500);
    assert.equal(full?.tcpInfo?.sndCwnd, 20);
    assert.equal(full?.tcpInfo?.state, 1);
    // As Linux 6.18 sends it (tests/integration/sockdiag_test.ts checks the real length).
    assert.equal(full?.tcpInfo?.length, 280);
    assert.equal(full?.congestion, "cubic");
    assert.deepEqual(full?.memInfo, { rmem: 0, wmem: 0, fmem: 0, tmem: 0 });
    assert.equal(full?.skMemInfo?.rcvbuf, 131072);
    assert.equal(full?.tos, 0);
    assert.equal(full?.tclass, undefined); // IPv4
    const [udp] = await diag.inet({
      family: 4,
      protocol: "udp",
      extensions: ["info", "congestion"],
    });
    assert.equal(udp?.tcpInfo, undefined);
    assert.equal(udp?.congestion, undefined);
  });

  it("sends IPV6_V6ONLY for IPv6 listeners only, and nothing for TIME_WAIT", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const v6 = await diag.inet({ family: 6, protocol: "tcp" });
    assert.deepEqual(v6.map((s) => s.v6only), [false, undefined]);
    const [tw] = await diag.inet({
      family: 4,
      protocol: "tcp",
      states: ["time-wait"],
      extensions: ["info"],
    });
    assert.equal(tw?.inode, 0);
    assert.equal(tw?.shutdown, undefined);
    assert.equal(tw?.tcpInfo, undefined);
  });

  it("leaves out INET_DIAG_MARK for an unprivileged requester", async () => {
    const sim = new SimSockDiag({
      privileged: false,
      inet: [{ protocol: "tcp" }],
    });
    await using diag = await SockDiag.open({ conn: sim.dial() });
    const [s] = await diag.inet({ family: 4, protocol: "tcp" });
    assert.equal(s?.mark, undefined);
  });

  it("fails with ENOENT (isNotExist) for a protocol the kernel lacks, naming the dump", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const err = await diag.inet({ family: 4, protocol: "sctp" }).then(
      () => assert.fail("no error"),
      (e: unknown) => e,
    );
    assert.ok(isNetlinkError(err));
    assert.ok(isNotExist(err));
    assert.equal(
      (err as Error).message,
      "Cannot dump ipv4 sctp sockets: ENOENT (errno 2): the kernel has no sock_diag handler for sctp over ipv4",
    );
    // The connection still works.
    assert.equal((await diag.inet({ family: 4, protocol: "udp" })).length, 1);
  });

  const badQueries: [string, unknown][] = [
    ["family 5", { family: 5, protocol: "tcp" }],
    ["an unknown protocol", { family: 4, protocol: "quic" }],
    ["an unknown state", { family: 4, protocol: "tcp", states: ["open"] }],
    ["states that are not an array", {
      family: 4,
      protocol: "tcp",
      states: "listen",
    }],
    ["an unknown extension", {
      family: 4,
      protocol: "tcp",
      extensions: ["bbr"],
    }],
    ["no query", null],
  ];
  for (const [name, q] of badQueries) {
    it(`rejects ${name} with TypeError`, async () => {
      await using diag = await SockDiag.open({ conn: table().dial() });
      await assert.rejects(diag.inet(q as InetQuery), TypeError);
    });
  }

  it("passes RangeError through for a malformed reply", async () => {
    await using diag = await SockDiag.open({
      conn: dial(() =>
        multipart([{
          header: { length: 0, type: 20, flags: 0, sequence: 0, pid: 0 },
          data: new Uint8Array(40),
        }])
      ),
    });
    await assert.rejects(
      diag.inet({ family: 4, protocol: "tcp" }),
      (e: unknown) =>
        e instanceof RangeError && /inet_diag_msg/.test(e.message),
    );
  });

  it("stops at an aborted signal", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    await assert.rejects(
      diag.inet({
        family: 4,
        protocol: "tcp",
        signal: AbortSignal.abort(new Error("stop")),
      }),
      { message: "stop" },
    );
  });
});

describe("SockDiag.visitInet()", () => {
  it("streams every socket of a dump spread over many datagrams", async () => {
    const kernel = new SimKernel({ dumpDatagramSize: 1024, rtnetlink: false });
    const inet = Array.from({ length: 500 }, (_, i) => ({
      protocol: "udp" as const,
      localAddress: "127.0.0.1",
      localPort: 10000 + i,
    }));
    new SimSockDiag({ inet }).register(kernel);
    const conn = kernel.dial(Family.SockDiag);
    const recorder = record(conn);
    await using diag = await SockDiag.open({ conn });
    let expected = 10000;
    const n = await diag.visitInet({ family: 4, protocol: "udp" }, (s) => {
      assert.equal(s.localPort, expected++);
    });
    assert.equal(n, 500);
    const received = recorder.datagrams.filter((d) => d.dir === "recv");
    assert.ok(
      received.length > 50,
      `${received.length} datagrams for 500 sockets`,
    );
  });

  it("stops when the visitor returns false and the connection stays usable", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const seen: number[] = [];
    const n = await diag.visitInet({ family: 4, protocol: "tcp" }, (s) => {
      seen.push(s.localPort);
      return false;
    });
    assert.equal(n, 1);
    assert.deepEqual(seen, [22]);
    assert.equal((await diag.inet({ family: 4, protocol: "tcp" })).length, 3);
  });

  it("rejects with the visitor's error", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    await assert.rejects(
      diag.visitInet({ family: 4, protocol: "tcp" }, () => {
        throw new Error("boom");
      }),
      { message: "boom" },
    );
    await assert.rejects(
      diag.visitInet(
        { family: 4, protocol: "tcp" },
        undefined as unknown as () => void,
      ),
      TypeError,
    );
  });
});

describe("SockDiag.unix()", () => {
  it("asks for names, VFS, peers, pending connections, queues and uid", async () => {
    const seen: Message[] = [];
    await using diag = await SockDiag.open({
      conn: dial((requests) => {
        seen.push(...requests);
        return multipart([]);
      }),
    });
    await diag.unix({ memInfo: true, states: ["listen"] });
    const r = decodeUnixDiagRequest(seen[0]!.data, 0, seen[0]!.data.length);
    assert.equal(r.states, 1 << 10);
    assert.equal(
      r.show,
      UnixDiagShow.Name | UnixDiagShow.Vfs | UnixDiagShow.Peer |
        UnixDiagShow.Icons | UnixDiagShow.RqLen | UnixDiagShow.Uid |
        UnixDiagShow.MemInfo,
    );
    assert.equal(seen[0]!.header.flags, HeaderFlags.Request | HeaderFlags.Dump);
  });

  it("lists bound, abstract and unbound sockets with peers and queues", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const all = await diag.unix();
    assert.deepEqual(
      all.map((s) => [s.path ?? "*", s.type, s.state, s.peer ?? 0]),
      [
        ["/run/a.sock", "stream", "listen", 0],
        ["/run/a.sock", "stream", "established", 6],
        ["*", "stream", "established", 5],
        ["@journal", "dgram", "close", 0],
      ],
    );
    assert.deepEqual(all[0]?.pending, [7]);
    assert.equal(all[0]?.receiveQueue, 1);
    assert.equal(all[2]?.receiveQueue, 12);
    assert.equal(all[0]?.vfs?.device, 0x801);
    assert.equal(all[3]?.vfs, undefined); // abstract: no file
    assert.equal(all[0]?.memInfo, undefined);
    const [withMem] = await diag.unix({ memInfo: true });
    assert.equal(withMem?.memInfo?.rcvbuf, 212992);
    assert.deepEqual(
      (await diag.unix({ states: ["close"] })).map((s) => s.path),
      ["@journal"],
    );
  });

  it("stops early from visitUnix", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    assert.equal(await diag.visitUnix({}, () => false), 1);
    await assert.rejects(diag.unix(null as unknown as object), TypeError);
  });
});

describe("SockDiag.destroy()", () => {
  const connected: InetQuery = {
    family: 4,
    protocol: "tcp",
    states: ["established"],
  };

  it("destroys a socket found by address, port and cookie", async () => {
    const sim = table();
    await using diag = await SockDiag.open({ conn: sim.dial() });
    const [s] = await diag.inet(connected);
    await diag.destroy(s!);
    assert.deepEqual(await diag.inet(connected), []);
    const err = await diag.destroy(s!).then(() => assert.fail(), (e) => e);
    assert.ok(isNotExist(err));
    assert.equal(
      err.message,
      "Cannot destroy tcp socket 10.0.0.1:22 -> 10.0.0.7:51000: ENOENT (errno 2): no such socket",
    );
  });

  it("answers ESTALE for a socket whose cookie changed", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const [s] = await diag.inet(connected);
    await assert.rejects(diag.destroy({ ...s!, cookie: s!.cookie + 1n }), {
      code: "ESTALE",
    });
  });

  it("answers EPERM without CAP_NET_ADMIN and EOPNOTSUPP without destroy support", async () => {
    const spec = {
      inet: [{
        protocol: "tcp" as const,
        localAddress: "127.0.0.1",
        localPort: 1,
        remotePort: 2,
        remoteAddress: "127.0.0.1",
      }],
    };
    {
      await using diag = await SockDiag.open({
        conn: new SimSockDiag({ ...spec, privileged: false }).dial(),
      });
      const [s] = await diag.inet(connected);
      await assert.rejects(
        diag.destroy(s!),
        (e: Error) =>
          isNetlinkError(e) && e.code === "EPERM" &&
          e.message.endsWith("this needs CAP_NET_ADMIN"),
      );
    }
    {
      await using diag = await SockDiag.open({
        conn: new SimSockDiag({ ...spec, destroy: false }).dial(),
      });
      const [s] = await diag.inet(connected);
      await assert.rejects(
        diag.destroy(s!),
        (e: Error) =>
          isNetlinkError(e) && e.code === "EOPNOTSUPP" &&
          /CONFIG_INET_DIAG_DESTROY/.test(e.message),
      );
    }
  });

  it("sends SOCK_DESTROY with an ACK request and the full socket id", async () => {
    const seen: Message[] = [];
    const sim = table();
    const kernel = new SimKernel({ rtnetlink: false });
    kernel.handle(Family.SockDiag, (m) => {
      seen.push({ header: { ...m.header }, data: m.data.slice() });
      return sim.handle(m);
    });
    await using diag = await SockDiag.open({
      conn: kernel.dial(Family.SockDiag),
    });
    const [s] = await diag.inet(connected);
    await diag.destroy(s!);
    const m = seen.at(-1)!;
    assert.equal(m.header.type, 21);
    assert.equal(
      m.header.flags,
      HeaderFlags.Request | HeaderFlags.Acknowledge,
    );
    const r = decodeInetDiagRequest(m.data, 0, m.data.length);
    assert.deepEqual(r.id, {
      localAddress: "10.0.0.1",
      localPort: 22,
      remoteAddress: "10.0.0.7",
      remotePort: 51000,
      interface: 0,
      cookie: s!.cookie,
    });
  });

  it("refuses what is not an inet socket with TypeError", async () => {
    await using diag = await SockDiag.open({ conn: table().dial() });
    const [u] = await diag.unix();
    await assert.rejects(
      diag.destroy(u as unknown as Parameters<typeof diag.destroy>[0]),
      TypeError,
    );
  });
});

describe("SimSockDiag", () => {
  function request(type: number, flags: number, data: Uint8Array): Message {
    return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
  }

  it("answers the errors Linux answers for bad requests", async () => {
    await using conn = table().dial();
    const dump = HeaderFlags.Request | HeaderFlags.Dump;
    // An address family at or above AF_MAX, one without a handler, a short request.
    await assert.rejects(
      conn.execute(request(20, dump, new Uint8Array([99, 6]))),
      { code: "EINVAL" },
    );
    await assert.rejects(
      conn.execute(request(20, dump, new Uint8Array([40, 0]))),
      { code: "ENOENT" },
    );
    await assert.rejects(
      conn.execute(request(20, dump, new Uint8Array([2, 6, 0, 0]))),
      { code: "EINVAL" },
    );
    await assert.rejects(
      conn.execute(request(20, dump, new Uint8Array(1))),
      { code: "EINVAL" },
    );
    await assert.rejects(
      conn.execute(request(22, dump, new Uint8Array([2, 6]))),
      { code: "EINVAL" },
    );
  });

  it("gets one UNIX socket by inode (a request without Dump)", async () => {
    const sim = table();
    await using conn = sim.dial();
    const req = (inode: number) => {
      const b = new Uint8Array(24);
      b[0] = 1;
      new DataView(b.buffer).setUint32(8, inode, true);
      new DataView(b.buffer).setUint32(12, UnixDiagShow.Peer, true);
      new DataView(b.buffer).setUint32(16, 0xffffffff, true);
      new DataView(b.buffer).setUint32(20, 0xffffffff, true);
      return request(20, HeaderFlags.Request, b);
    };
    const [m] = await conn.execute(req(5));
    assert.equal(
      new DataView(m!.data.buffer, m!.data.byteOffset).getUint32(4, true),
      5,
    );
    await assert.rejects(conn.execute(req(999)), { code: "ENOENT" });
    await assert.rejects(conn.execute(req(0)), { code: "EINVAL" });
  });

  it("removes sockets and rejects bad declarations", () => {
    const sim = table();
    assert.equal(sim.remove((s) => "type" in s), 4);
    assert.equal(sim.unixSockets.length, 0);
    assert.throws(
      () => sim.addInet({ protocol: "tcp", localAddress: "1.2.3" }),
      TypeError,
    );
    assert.throws(
      () => sim.addInet({ protocol: "quic" as "tcp" }),
      TypeError,
    );
    assert.throws(
      () => sim.addUnix({ state: "open" as "listen" }),
      TypeError,
    );
  });
});
