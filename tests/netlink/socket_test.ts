import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnOption, SyscallError } from "../../src/netlink/mod.ts";
import { bpf } from "../../src/netlink/mod.ts";
import { openSocket } from "../../src/netlink/socket.ts";
import { openLibc, Sys } from "../../src/ffi/mod.ts";

/** A raw NETLINK_USERSOCK sender (unprivileged sockets may send to each other) and a send to `pid`. */
async function userSender(): Promise<
  {
    send(pid: number, data: Uint8Array, groups?: number): void;
    close(): void;
    pid: number;
  }
> {
  const libc = await openLibc();
  const fd = libc.socket(
    Sys.AF_NETLINK,
    Sys.SOCK_RAW | Sys.SOCK_CLOEXEC | Sys.SOCK_NONBLOCK,
    2,
  );
  const addr = new Uint8Array(12);
  addr[0] = Sys.AF_NETLINK;
  libc.bind(fd, addr);
  libc.getsockname(fd, addr);
  return {
    pid: new DataView(addr.buffer).getUint32(4, true),
    send(pid, data, groups = 0) {
      const to = new Uint8Array(12);
      const v = new DataView(to.buffer);
      v.setUint16(0, Sys.AF_NETLINK, true);
      v.setUint32(4, pid, true);
      v.setUint32(8, groups, true);
      libc.sendto(fd, data, 0, to);
    },
    close: () => libc.close(fd),
  };
}

function datagram(size: number, tag: number): Uint8Array {
  const d = new Uint8Array(size);
  const v = new DataView(d.buffer);
  v.setUint32(0, size, true);
  v.setUint16(4, 0x10, true);
  v.setUint32(8, tag, true); // nlmsg_seq
  for (let i = 16; i < size; i++) d[i] = (i * 7 + tag) & 0xff;
  return d;
}

const linux = process.platform === "linux";

/** NLMSG_NOOP | NLM_F_REQUEST | NLM_F_ACK with sequence `seq`. */
function noop(seq: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, 16, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 5, true);
  v.setUint32(8, seq, true);
  return b;
}

function sequenceOf(datagram: Uint8Array): number {
  return new DataView(datagram.buffer, datagram.byteOffset).getUint32(8, true);
}

describe("openSocket()", { skip: !linux && "netlink needs Linux" }, () => {
  it("binds and reports the port id as an unsigned number", async () => {
    const a = await openSocket(0, {});
    const b = await openSocket(0, {});
    try {
      assert.ok(a.pid > 0 && b.pid > 0 && a.pid !== b.pid);
      assert.ok(b.pid <= 0xffff_ffff);
    } finally {
      a.close();
      b.close();
    }
  });

  it("binds the port id it is given", async () => {
    const pid = 0xfff0_0000 + (process.pid & 0xffff);
    const s = await openSocket(0, { pid });
    try {
      assert.equal(s.pid, pid);
      await assert.rejects(openSocket(0, { pid }), { code: "EADDRINUSE" });
    } finally {
      s.close();
    }
  });

  it("rejects an unknown protocol with SyscallError", async () => {
    await assert.rejects(
      openSocket(9999, {}),
      (e: unknown) => e instanceof SyscallError && e.code === "EPROTONOSUPPORT",
    );
  });

  it("rejects out-of-range options with TypeError", async () => {
    await assert.rejects(openSocket(0, { groups: -1 }), TypeError);
    await assert.rejects(openSocket(0, { pid: 2 ** 32 }), TypeError);
    await assert.rejects(openSocket(0, { netns: -3 }), TypeError);
  });

  it("fails to enter a namespace that does not exist, leaving no descriptor", async () => {
    await assert.rejects(openSocket(0, { netns: "/nonexistent/netns" }), {
      code: "ENOENT",
    });
  });
});

describe("Socket (libc)", { skip: !linux && "netlink needs Linux" }, () => {
  it("sends a request and receives the kernel's ack without waiting", async () => {
    const s = await openSocket(0, {});
    try {
      assert.equal(s.receive(), null);
      s.send(noop(42));
      const d = s.receive();
      assert.ok(d);
      assert.equal(d.length, 36);
      assert.equal(sequenceOf(d), 42);
      assert.equal(s.senderPid, 0);
      assert.equal(s.senderGroups, 0);
      assert.equal(s.receive(), null);
    } finally {
      s.close();
    }
  });

  it("sets and reads boolean netlink options", async () => {
    const s = await openSocket(0, {});
    try {
      for (
        const option of [
          ConnOption.ExtendedAcknowledge,
          ConnOption.GetStrictCheck,
          ConnOption.CapAcknowledge,
        ]
      ) {
        s.setOption(option, true);
        assert.equal(s.getOption(option), true);
        s.setOption(option, false);
        assert.equal(s.getOption(option), false);
      }
    } finally {
      s.close();
    }
  });

  it("echoes a failed request in the error unless CapAcknowledge is set", async () => {
    const s = await openSocket(0, {});
    try {
      const bad = new Uint8Array(1000);
      bad.set(noop(1));
      const v = new DataView(bad.buffer);
      v.setUint32(0, 1000, true);
      v.setUint16(4, 1000, true); // above RTM_MAX: EOPNOTSUPP
      s.send(bad);
      assert.equal(s.receive()?.length, 20 + 1000);
      s.setOption(ConnOption.CapAcknowledge, true);
      s.send(bad);
      assert.equal(s.receive()?.length, 36);
    } finally {
      s.close();
    }
  });

  it("joins and leaves a multicast group", async () => {
    const s = await openSocket(0, {});
    try {
      s.joinGroup(1); // RTNLGRP_LINK
      s.leaveGroup(1);
      assert.throws(() => s.joinGroup(-1), TypeError);
    } finally {
      s.close();
    }
  });

  it("sets buffer sizes", async () => {
    const s = await openSocket(0, {});
    try {
      s.setReceiveBufferSize(1 << 20, false);
      s.setSendBufferSize(1 << 20);
      assert.throws(() => s.setReceiveBufferSize(-1, false), TypeError);
    } finally {
      s.close();
    }
  });

  it("drops datagrams with a BPF filter until it is removed", async () => {
    const s = await openSocket(0, {});
    try {
      s.setBPF([bpf.stmt(bpf.RET | bpf.K, bpf.DROP)]);
      s.send(noop(1));
      assert.equal(s.receive(), null);
      s.removeBPF();
      s.removeBPF(); // nothing attached: still fine
      s.send(noop(2));
      assert.equal(sequenceOf(s.receive()!), 2);
      s.setBPF(bpf.acceptTypes([16])); // keeps control messages such as ACKs
      s.send(noop(3));
      assert.equal(sequenceOf(s.receive()!), 3);
      assert.throws(() => s.setBPF([]), TypeError);
    } finally {
      s.close();
    }
  });

  it("wakes every pending wait when a datagram arrives", async () => {
    const s = await openSocket(0, {});
    try {
      const waits = [s.wait(), s.wait(), s.wait()];
      setTimeout(() => s.send(noop(7)), 5);
      await Promise.all(waits);
      assert.equal(sequenceOf(s.receive()!), 7);
    } finally {
      s.close();
    }
  });

  it("rejects a wait with the signal's reason and keeps the others pending", async () => {
    const s = await openSocket(0, {});
    try {
      const controller = new AbortController();
      const aborted = s.wait(controller.signal);
      const other = s.wait();
      let otherDone = false;
      other.then(() => (otherDone = true));
      controller.abort(new Error("stop"));
      await assert.rejects(aborted, { message: "stop" });
      await assert.rejects(s.wait(controller.signal), { message: "stop" });
      assert.equal(otherDone, false);
      s.send(noop(8));
      await other;
      assert.equal(sequenceOf(s.receive()!), 8);
    } finally {
      s.close();
    }
  });

  it("keeps working after waits were aborted", async () => {
    const s = await openSocket(0, {});
    try {
      for (let i = 0; i < 3; i++) {
        const controller = new AbortController();
        const w = s.wait(controller.signal);
        controller.abort(new Error("stop"));
        await assert.rejects(w, { message: "stop" });
      }
      setTimeout(() => s.send(noop(9)), 5);
      // A wait may resolve early (a datagram *may* be readable): loop as Conn does.
      let d = s.receive();
      while (d === null) {
        await s.wait();
        d = s.receive();
      }
      assert.equal(sequenceOf(d), 9);
    } finally {
      s.close();
    }
  });

  it("grows its buffer for a datagram larger than 64 KiB, intact", async () => {
    const s = await openSocket(2, {});
    const sender = await userSender();
    try {
      const big = datagram(200_000, 5);
      sender.send(s.pid, big);
      sender.send(s.pid, datagram(100, 6));
      const d = s.receive();
      assert.ok(d);
      assert.equal(d.length, big.length);
      assert.deepEqual(d, big);
      assert.equal(s.senderPid, sender.pid);
      assert.equal(sequenceOf(s.receive()!), 6);
    } finally {
      s.close();
      sender.close();
    }
  });

  it("after ENOBUFS, drains what is queued before the next send and hands it out in order", async () => {
    const s = await openSocket(2, {});
    const sender = await userSender();
    try {
      s.setReceiveBufferSize(1024, false); // the kernel's minimum, about 4.6 KiB
      s.joinGroup(1);
      // Multicast (unlike user-to-user unicast, which gives the sender EAGAIN)
      // overruns the receiver: ENOBUFS.
      const sent = 50;
      for (let i = 0; i < sent; i++) {
        try {
          sender.send(0, datagram(1000, i + 1), 1);
        } catch (e) {
          // Broadcast done; the unicast half to port 0 is refused (no kernel listener on USERSOCK).
          assert.equal((e as { code?: string }).code, "ECONNREFUSED");
        }
      }
      assert.throws(() => s.receive(), { code: "ENOBUFS" });
      // Sending (to the kernel's USERSOCK port, which refuses) drains the queue first.
      try {
        s.send(datagram(16, 0));
      } catch {
        // ECONNREFUSED: nobody listens on the kernel side of NETLINK_USERSOCK
      }
      const seqs: number[] = [];
      for (let d = s.receive(); d !== null; d = s.receive()) {
        seqs.push(sequenceOf(d));
      }
      assert.ok(
        seqs.length >= 1 && seqs.length < sent,
        `${seqs.length} of ${sent}`,
      );
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b)); // in order
      // New datagrams arrive after the backlog as usual.
      sender.send(s.pid, datagram(100, 999));
      assert.equal(sequenceOf(s.receive()!), 999);
    } finally {
      s.close();
      sender.close();
    }
  });

  it("resolves pending waits on close() and then refuses calls", async () => {
    const s = await openSocket(0, {});
    const waits = [s.wait(), s.wait()];
    setTimeout(() => s.close(), 5);
    await Promise.all(waits);
    assert.equal(s.closed, true);
    await s.wait(); // resolves at once once closed
    assert.throws(() => s.receive(), { code: "EBADF" });
    assert.throws(() => s.send(noop(1)), { code: "EBADF" });
    s.close(); // idempotent
  });
});
