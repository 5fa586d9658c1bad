// Real-kernel tests for @nlkit/netlink/sockdiag. Run by .ci/run as root
// inside a fresh `unshare -n` namespace with NLKIT_INTEGRATION=1, under Deno
// and Bun. A Python helper holds the sockets (TCP listeners, connected
// pairs, UDP, UNIX bound/abstract/unbound); the results are compared with
// `ss` and with the simulated kernel (SimSockDiag) for the shapes unit tests
// rely on.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  AttributeEncoder,
  Conn,
  Family,
  isNetlinkError,
  isNotExist,
} from "../../src/netlink/mod.ts";
import {
  decodeTcpInfo,
  encodeInetDiagRequest,
  type InetExtension,
  type InetSocket,
  SockDiag,
  type UnixSocket,
} from "../../src/sockdiag/mod.ts";
import { record, SimSockDiag } from "../../src/nltest/mod.ts";
import {
  formatSs,
  inetRow,
  listSockets,
  unixRow,
} from "../../examples/cli/ss.ts";
import { Helper, NOBODY, probe, systemPython } from "../sockdiag/_python.ts";
import { gate, needs, newTag, runs } from "./_gate.ts";

const skip = await gate(
  import.meta.url,
  needs(
    "python3",
    ["--version"],
    "integration: needs python3 (it holds the sockets)",
  ),
  needs("ss", ["-V"], "integration: needs ss (iproute2) to compare with"),
);

const tag = newTag();

/** One line of `ss -H -O -e -i`: the columns and the key:value tokens after them. */
interface SsLine {
  netid?: string;
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  kv: Map<string, string>;
  words: Set<string>;
}

function ss(args: string[], netid: boolean): SsLine[] {
  const text = execFileSync("ss", ["-H", "-O", ...args], { encoding: "utf8" });
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const t = l.trim().split(/\s+/);
    const n = netid ? t.shift() : undefined;
    const [state, recvQ, sendQ, local, peer, ...rest] = t;
    const kv = new Map<string, string>();
    const words = new Set<string>();
    for (const w of rest) {
      const i = w.indexOf(":");
      if (i > 0) kv.set(w.slice(0, i), w.slice(i + 1));
      else words.add(w);
    }
    return {
      ...(n === undefined ? {} : { netid: n }),
      state: state!,
      recvQ: Number(recvQ),
      sendQ: Number(sendQ),
      local: local!,
      peer: peer!,
      kv,
      words,
    };
  });
}

/** UNIX lines of `ss -xa -H -e`: the address and port columns are path/inode pairs. */
function ssUnix(): {
  netid: string;
  state: string;
  recvQ: number;
  sendQ: number;
  path: string;
  inode: number;
  peer: number;
  kv: Map<string, string>;
}[] {
  const text = execFileSync("ss", ["-xae", "-H", "-O"], { encoding: "utf8" });
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const [netid, state, recvQ, sendQ, path, inode, , peer, ...rest] = l.trim()
      .split(/\s+/);
    const kv = new Map<string, string>();
    for (const w of rest) {
      const i = w.indexOf(":");
      if (i > 0) kv.set(w.slice(0, i), w.slice(i + 1));
    }
    return {
      netid: netid!,
      state: state!,
      recvQ: Number(recvQ),
      sendQ: Number(sendQ),
      path: path!,
      inode: Number(inode),
      peer: Number(peer),
      kv,
    };
  });
}

const SS_STATE: Record<string, string> = {
  established: "ESTAB",
  listen: "LISTEN",
  close: "UNCONN",
};

function endpoint(s: InetSocket, address: string, port: number): string {
  const a = s.family === 6 ? `[${address}]` : address;
  return `${a}:${port === 0 ? "*" : port}`;
}

/** `ss` prints rtt/1000 with %g (6 significant digits). */
function ssMs(us: number): number {
  return Number((us / 1000).toPrecision(6));
}

const EXTENSIONS: InetExtension[] = [
  "meminfo",
  "info",
  "congestion",
  "tos",
  "tclass",
  "skmeminfo",
];

describe("integration: sockdiag", { skip }, () => {
  let helper: Helper;
  let sockets: Record<string, number>;
  let diag: SockDiag;

  before(async () => {
    helper = new Helper();
    const answer = await helper.ask<{ sockets: Record<string, number> }>({
      op: "setup",
      tag,
    });
    sockets = answer.sockets;
    diag = await SockDiag.open();
  });

  after(async () => {
    await diag?.close();
    await helper?.quit();
  });

  /** Our entries for TCP or UDP, both families, by inode. */
  async function inetByInode(
    protocol: "tcp" | "udp",
    extensions: InetExtension[] = [],
  ): Promise<Map<number, InetSocket>> {
    const out = new Map<number, InetSocket>();
    for (const family of [4, 6] as const) {
      for (const s of await diag.inet({ family, protocol, extensions })) {
        if (s.inode !== 0) out.set(s.inode, s);
      }
    }
    return out;
  }

  it("integration: TCP sockets agree with ss -tanei", async () => {
    const lines = ss(["-tanei"], false);
    const ours = await inetByInode("tcp", ["info", "congestion"]);
    const names = ["l4", "l6", "c4", "a4", "q4", "b4", "c6", "a6", "p4"];
    for (const name of names) {
      const inode = sockets[name]!;
      const line = lines.find((l) => l.kv.get("ino") === String(inode));
      const s = ours.get(inode);
      assert.ok(line, `ss shows ${name} (inode ${inode})`);
      assert.ok(s, `inet() shows ${name} (inode ${inode})`);
      assert.equal(SS_STATE[s.state], line.state, `${name} state`);
      assert.equal(s.receiveQueue, line.recvQ, `${name} Recv-Q`);
      assert.equal(s.sendQueue, line.sendQ, `${name} Send-Q`);
      assert.equal(
        endpoint(s, s.localAddress, s.localPort),
        line.local,
        `${name} local`,
      );
      assert.equal(
        endpoint(s, s.remoteAddress, s.remotePort),
        line.peer,
        `${name} peer`,
      );
      assert.equal(s.uid, Number(line.kv.get("uid") ?? 0), `${name} uid`);
      assert.equal(s.cookie.toString(16), line.kv.get("sk"), `${name} cookie`);
      assert.equal(s.v6only ? "1" : undefined, line.kv.get("v6only"));
      assert.ok(
        s.congestion !== undefined && line.words.has(s.congestion),
        `${name} congestion ${s.congestion}`,
      );
      const info = s.tcpInfo!;
      assert.equal(String(info.sndCwnd), line.kv.get("cwnd"), `${name} cwnd`);
      if (s.state === "established") {
        const [rtt, rttvar] = line.kv.get("rtt")!.split("/").map(Number);
        assert.equal(ssMs(info.rtt), rtt, `${name} rtt`);
        assert.equal(ssMs(info.rttvar), rttvar, `${name} rttvar`);
        assert.equal(String(info.sndMss), line.kv.get("mss"), `${name} mss`);
        assert.equal(String(info.pmtu), line.kv.get("pmtu"), `${name} pmtu`);
        assert.equal(
          `${info.sndWscale},${info.rcvWscale}`,
          line.kv.get("wscale"),
          `${name} wscale`,
        );
      }
    }
    // The listener has one connection waiting to be accepted (p4); b4 has 100 bytes unread.
    assert.equal(ours.get(sockets.l4!)?.receiveQueue, 1);
    assert.equal(ours.get(sockets.b4!)?.receiveQueue, 100);
  });

  it("integration: tcp_info is decoded to its end (Linux 6.18: 280 bytes), as getsockopt(TCP_INFO) gives it", async () => {
    const names = ["c4", "a4", "c6", "a6"];
    const ours = await inetByInode("tcp", ["info"]);
    const raw = await helper.ask<Record<string, string>>({
      op: "tcpinfo",
      names,
    });
    // Fields that stay put on an idle connection.
    const stable = [
      "rcvWnd",
      "rehash",
      "totalRto",
      "totalRtoRecoveries",
      "totalRtoTime",
      "receivedCe",
      "deliveredE1Bytes",
      "deliveredE0Bytes",
      "deliveredCeBytes",
      "receivedE1Bytes",
      "receivedE0Bytes",
      "receivedCeBytes",
      "sndWnd",
      "bytesReceived",
    ] as const;
    for (const name of names) {
      const info = ours.get(sockets[name]!)!.tcpInfo!;
      const bytes = Uint8Array.from(
        raw[name]!.match(/../g)!,
        (h) => parseInt(h, 16),
      );
      assert.equal(info.length, bytes.length, `${name}: the kernel's size`);
      assert.ok(info.length >= 280, `${name}: ${info.length} bytes`);
      assert.ok(info.rcvWnd! > 0, `${name} rcvWnd ${info.rcvWnd}`);
      const fromSockopt = decodeTcpInfo(bytes, 0, bytes.length);
      for (const k of stable) {
        assert.notEqual(info[k], undefined, `${name} ${k}`);
        assert.equal(info[k], fromSockopt[k], `${name} ${k}`);
      }
    }
  });

  it("integration: UDP sockets agree with ss -uanei", async () => {
    const lines = ss(["-uanei"], false);
    const ours = await inetByInode("udp");
    for (const name of ["u4", "uc", "u6"]) {
      const inode = sockets[name]!;
      const line = lines.find((l) => l.kv.get("ino") === String(inode));
      const s = ours.get(inode);
      assert.ok(line && s, `${name} (inode ${inode}) in ss and inet()`);
      assert.equal(SS_STATE[s.state], line.state, `${name} state`);
      assert.equal(s.receiveQueue, line.recvQ, `${name} Recv-Q`);
      assert.equal(s.sendQueue, line.sendQ, `${name} Send-Q`);
      assert.equal(endpoint(s, s.localAddress, s.localPort), line.local);
      assert.equal(endpoint(s, s.remoteAddress, s.remotePort), line.peer);
      assert.equal(s.cookie.toString(16), line.kv.get("sk"), `${name} cookie`);
    }
    assert.ok(ours.get(sockets.u4!)!.receiveQueue > 0, "10 bytes queued on u4");
  });

  it("integration: UNIX sockets agree with ss -xa (bound, abstract, unbound, pending)", async () => {
    const lines = ssUnix();
    const ours = new Map<number, UnixSocket>();
    for (const s of await diag.unix()) ours.set(s.inode, s);
    const netids: Record<string, string> = {
      stream: "u_str",
      dgram: "u_dgr",
      seqpacket: "u_seq",
    };
    for (const name of ["xl", "xc", "xa", "xp", "xq", "xu"]) {
      const inode = sockets[name]!;
      const line = lines.find((l) => l.inode === inode);
      const s = ours.get(inode);
      assert.ok(line && s, `${name} (inode ${inode}) in ss and unix()`);
      assert.equal(netids[s.type], line.netid, `${name} type`);
      assert.equal(SS_STATE[s.state], line.state, `${name} state`);
      assert.equal(s.receiveQueue, line.recvQ, `${name} Recv-Q`);
      assert.equal(s.sendQueue, line.sendQ, `${name} Send-Q`);
      assert.equal(s.path ?? "*", line.path, `${name} path`);
      assert.equal(s.peer ?? 0, line.peer, `${name} peer`);
      if (s.vfs) assert.equal(String(s.vfs.inode), line.kv.get("ino"));
    }
    const xl = ours.get(sockets.xl!)!;
    assert.equal(xl.state, "listen");
    assert.deepEqual(xl.pending, [sockets.xc]); // the connecting socket's inode
    assert.equal(ours.get(sockets.xa!)!.path, `@nlkit-${tag}`);
    assert.equal(ours.get(sockets.xp!)!.peer, sockets.xq);
    assert.equal(ours.get(sockets.xp!)!.receiveQueue, 7);
    assert.equal(ours.get(sockets.xu!)!.path, undefined);
  });

  it("integration: nlkit ss -ta and -xa print what ss -tan and ss -xa print", async () => {
    // Rows with the columns' padding collapsed, as sets (the order is the kernel's in both).
    const rows = (text: string) =>
      text.split("\n").map((l) => l.trim().split(/\s+/).join(" ")).filter(
        (l) => l !== "",
      );
    const list = await listSockets(diag, { tcp: true, udp: false, unix: true });
    const ports = [sockets.l4, sockets.l6].map((ino) =>
      `:${list.inet.find((s) => s.inode === ino)!.localPort}`
    );
    const mine = (l: string) => ports.some((p) => l.includes(p));
    const ours = rows(formatSs(list.inet.map(inetRow), false)).filter(mine);
    const theirs = rows(
      execFileSync("ss", ["-tan", "-H"], { encoding: "utf8" }),
    )
      .filter(mine);
    assert.equal(ours.length, 10, ours.join("\n")); // 2 listeners, 3 connected pairs, p4 and its accept-queue socket
    assert.deepEqual(new Set(ours), new Set(theirs));
    const inodes = ["xl", "xc", "xa", "xp", "xq", "xu"].map((n) =>
      ` ${sockets[n]} `
    );
    const ours2 = rows(formatSs(list.unix.map(unixRow), true)).map((l) =>
      `${l} `
    )
      .filter((l) => inodes.some((i) => l.includes(i)));
    const theirs2 = rows(
      execFileSync("ss", ["-xa", "-H"], { encoding: "utf8" }),
    )
      .map((l) => `${l} `).filter((l) => inodes.some((i) => l.includes(i)));
    assert.equal(ours2.length, 6);
    assert.deepEqual(new Set(ours2), new Set(theirs2));
  });

  it("integration: the kernel filters by state and family, as the simulated kernel does", async () => {
    const listen4 = await diag.inet({
      family: 4,
      protocol: "tcp",
      states: ["listen"],
    });
    assert.ok(listen4.length >= 1);
    assert.ok(listen4.every((s) => s.state === "listen" && s.family === 4));
    assert.ok(listen4.some((s) => s.inode === sockets.l4));
    const est6 = await diag.inet({
      family: 6,
      protocol: "tcp",
      states: ["established"],
    });
    assert.ok(est6.every((s) => s.state === "established" && s.family === 6));
    assert.deepEqual(
      new Set(est6.filter((s) => s.inode !== 0).map((s) => s.inode)),
      new Set([sockets.c6, sockets.a6]),
    );
    assert.deepEqual(
      await diag.inet({ family: 4, protocol: "tcp", states: [] }),
      [],
    );
    const unixListen = await diag.unix({ states: ["listen"] });
    assert.ok(unixListen.every((s) => s.state === "listen"));
    assert.ok(unixListen.some((s) => s.inode === sockets.xl));
    // The same filters on the simulated kernel.
    const sim = new SimSockDiag({
      inet: [
        { protocol: "tcp", state: "listen", localAddress: "127.0.0.1" },
        { protocol: "tcp", state: "established", localAddress: "::1" },
        { protocol: "tcp", state: "established", localAddress: "127.0.0.1" },
      ],
      unix: [{ state: "listen" }, { state: "established" }],
    });
    await using simDiag = await SockDiag.open({ conn: sim.dial() });
    assert.deepEqual(
      (await simDiag.inet({ family: 4, protocol: "tcp", states: ["listen"] }))
        .map((s) => [s.family, s.state]),
      [[4, "listen"]],
    );
    assert.deepEqual(
      (await simDiag.inet({
        family: 6,
        protocol: "tcp",
        states: ["established"],
      })).map((s) => [s.family, s.state]),
      [[6, "established"]],
    );
    assert.deepEqual(
      (await simDiag.unix({ states: ["listen"] })).map((s) => s.state),
      ["listen"],
    );
  });

  it("integration: the simulated kernel sends the attributes Linux sends", async () => {
    const keys = (o: object) =>
      Object.keys(o).filter((k) => k !== "rawAttributes").sort();
    let compared = 0;
    for (const protocol of ["tcp", "udp"] as const) {
      for (const extensions of [[], EXTENSIONS]) {
        const real = await inetByInode(protocol, extensions);
        for (const [name, inode] of Object.entries(sockets)) {
          const r = real.get(inode);
          if (r === undefined) continue;
          const sim = new SimSockDiag({
            inet: [{
              protocol,
              family: r.family,
              state: r.state as "listen",
              localAddress: r.localAddress,
              localPort: r.localPort,
              remoteAddress: r.remoteAddress,
              remotePort: r.remotePort,
            }],
          });
          await using simDiag = await SockDiag.open({ conn: sim.dial() });
          const [s] = await simDiag.inet({
            family: r.family,
            protocol,
            extensions,
          });
          assert.deepEqual(
            keys(s!),
            keys(r),
            `${name} ${protocol} [${extensions}]`,
          );
          assert.deepEqual(
            s!.sockOpt,
            r.sockOpt,
            `${name} INET_DIAG_SOCKOPT`,
          );
          assert.equal(s!.v6only, r.v6only, `${name} v6only`);
          compared++;
        }
      }
    }
    // 9 TCP and 3 UDP sockets, each with and without extensions.
    assert.equal(compared, 2 * (9 + 3));
    const real = new Map<number, UnixSocket>();
    for (const s of await diag.unix()) real.set(s.inode, s);
    for (const name of ["xl", "xc", "xa", "xp", "xu"]) {
      const r = real.get(sockets[name]!)!;
      const sim = new SimSockDiag({
        unix: [{
          type: r.type as "stream",
          state: r.state as "listen",
          ...(r.path === undefined ? {} : { path: r.path }),
          ...(r.peer === undefined ? {} : { peer: r.peer }),
        }],
      });
      await using simDiag = await SockDiag.open({ conn: sim.dial() });
      const [s] = await simDiag.unix();
      assert.deepEqual(keys(s!), keys(r), `${name} unix attributes`);
    }
  });

  it("integration: a protocol without a diag handler is ENOENT (isNotExist) in NLMSG_DONE, as simulated", async () => {
    const sim = new SimSockDiag();
    await using simDiag = await SockDiag.open({ conn: sim.dial() });
    for (const client of [diag, simDiag]) {
      for (const protocol of ["raw", "sctp", "dccp"] as const) {
        try {
          await client.inet({ family: 4, protocol });
          console.log(
            `note: this kernel has a sock_diag handler for ${protocol}`,
          );
        } catch (e) {
          assert.ok(isNotExist(e), String(e));
          assert.match(
            (e as Error).message,
            new RegExp(`^Cannot dump ipv4 ${protocol} sockets: ENOENT`),
          );
        }
      }
    }
    // The error comes in NLMSG_DONE (a dump error), a bad family in NLMSG_ERROR.
    const python = "python3";
    const sctp = encodeInetDiagRequest(
      { family: 4, protocol: 132, states: 0xffffffff, extensions: 0 },
      new AttributeEncoder(),
    ).encode();
    const done = probe([], python, Family.SockDiag, 20, 0x301, sctp);
    assert.deepEqual(done.map((m) => [m.type, m.errno]), [[3, 2]]);
    const badFamily = new Uint8Array(sctp);
    badFamily[0] = 99;
    const error = probe([], python, Family.SockDiag, 20, 0x301, badFamily);
    assert.deepEqual(error.map((m) => [m.type, m.errno]), [[2, 22]]);
    await using simConn = sim.dial();
    await assert.rejects(
      simConn.execute({
        header: { length: 0, type: 20, flags: 0x301, sequence: 0, pid: 0 },
        data: badFamily,
      }),
      { code: "EINVAL" },
    );
  });

  it("integration: destroy aborts an established connection; the peer sees a reset", async () => {
    const [c4] = (await diag.inet({ family: 4, protocol: "tcp" })).filter((s) =>
      s.inode === sockets.c4
    );
    assert.ok(c4, "the connection to destroy");
    // Unprivileged, the kernel finds the socket, then refuses (as SimSockDiag does).
    const python = systemPython();
    if (python !== undefined && runs("setpriv", ["--version"])) {
      const req = encodeInetDiagRequest({
        family: 4,
        protocol: 6,
        states: 0xffffffff,
        extensions: 0,
        id: c4,
      }, new AttributeEncoder()).encode();
      const replies = probe(NOBODY, python, Family.SockDiag, 21, 5, req);
      assert.deepEqual(replies.map((m) => [m.type, m.errno]), [[2, 1]]);
    } else {
      console.log(
        "note: no setpriv or system python3: EPERM for an unprivileged destroy not checked",
      );
    }
    try {
      await diag.destroy(c4);
    } catch (e) {
      if (isNetlinkError(e) && e.code === "EOPNOTSUPP") {
        console.log(
          "note: this kernel cannot destroy sockets (CONFIG_INET_DIAG_DESTROY is off): checked the error only",
        );
        assert.match(e.message, /CONFIG_INET_DIAG_DESTROY/);
        return;
      }
      throw e;
    }
    const errors = await helper.ask<Record<string, string>>({
      op: "errors",
      names: ["c4", "a4"],
    });
    assert.equal(errors.c4, "ECONNABORTED"); // the destroyed socket's owner
    assert.equal(errors.a4, "ECONNRESET"); // the peer got an RST
    const left = await diag.inet({ family: 4, protocol: "tcp" });
    assert.ok(!left.some((s) => s.inode === sockets.c4), "c4 is gone");
    await assert.rejects(diag.destroy(c4), (e: unknown) => isNotExist(e));
  });

  it("integration: 10,000 sockets stream datagram by datagram, never held all at once", async () => {
    const count = 10000;
    const t0 = performance.now();
    const { ports } = await helper.ask<{ ports: number[] }>({
      op: "many",
      count,
    }, 60000);
    const opened = performance.now() - t0;
    try {
      const want = new Set(ports);
      const conn = await Conn.dial(Family.SockDiag);
      let received = 0;
      const recorder = record(conn, {
        onLine: (line) => {
          if (line.startsWith('{"dir":"recv"')) received++;
        },
      });
      await using streaming = await SockDiag.open({ conn });
      // For each socket visited: how many datagrams had arrived by then.
      const arrivedAtVisit: number[] = [];
      let seen = 0;
      const t1 = performance.now();
      const n = await streaming.visitInet(
        { family: 4, protocol: "udp" },
        (s) => {
          arrivedAtVisit.push(received);
          if (s.localAddress === "127.0.0.1" && want.has(s.localPort)) seen++;
        },
      );
      const took = performance.now() - t1;
      recorder.stop();
      assert.equal(seen, count, "every helper socket was visited");
      assert.ok(n >= count);
      // The first socket was visited when one datagram had arrived, and
      // sockets were visited between every two datagrams: the dump was
      // decoded as it came, not collected first. (NLMSG_DONE may travel in
      // its own datagram.)
      assert.equal(arrivedAtVisit[0], 1);
      const datagrams = new Set(arrivedAtVisit).size;
      assert.ok(
        datagrams === received || datagrams === received - 1,
        `visits after each of the ${received} datagrams (${datagrams})`,
      );
      assert.ok(datagrams > 10, `${datagrams} datagrams`);
      console.log(
        `note: ${count} UDP sockets opened in ${opened.toFixed(0)} ms; ` +
          `${n} streamed in ${
            took.toFixed(0)
          } ms over ${datagrams} datagrams ` +
          `(${(n / datagrams).toFixed(0)} per datagram)`,
      );
    } finally {
      await helper.ask({ op: "closemany" });
    }
  });
});
