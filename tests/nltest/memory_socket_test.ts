import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SyscallError } from "../../src/netlink/mod.ts";
import { groupMask, MemorySocket } from "../../src/nltest/_memory_socket.ts";

describe("MemorySocket", () => {
  it("passes a private copy of each sent datagram to onSend", () => {
    const got: Uint8Array[] = [];
    const s = new MemorySocket({ onSend: (_s, d) => void got.push(d) });
    const b = new Uint8Array([1, 2, 3]);
    s.send(b);
    b[0] = 9;
    assert.deepEqual([...got[0]!], [1, 2, 3]);
  });

  it("queues delivered datagrams with sender pid and groups", () => {
    const s = new MemorySocket({ pid: 7 });
    assert.equal(s.pid, 7);
    assert.equal(s.receive(), null);
    s.deliver(new Uint8Array([1]), 0, 0);
    s.deliver(new Uint8Array([2]), 99, 4);
    assert.equal(s.queued, 2);
    assert.deepEqual([...s.receive()!], [1]);
    assert.equal(s.senderPid, 0);
    assert.deepEqual([...s.receive()!], [2]);
    assert.equal(s.senderPid, 99);
    assert.equal(s.senderGroups, 4);
    assert.equal(s.receive(), null);
  });

  it("wakes waiters on deliver, failNextReceive and close; honours abort", async () => {
    const s = new MemorySocket();
    const w1 = s.wait();
    assert.equal(s.waiting, 1);
    s.deliver(new Uint8Array(1));
    await w1;
    await s.wait(); // resolves at once: data queued
    s.receive();
    const w2 = s.wait();
    s.failNextReceive(105);
    await w2;
    assert.throws(
      () => s.receive(),
      (e) => e instanceof SyscallError && e.code === "ENOBUFS",
    );
    const ac = new AbortController();
    const w3 = s.wait(ac.signal);
    ac.abort(new Error("stop"));
    await assert.rejects(w3, /stop/);
    assert.equal(s.waiting, 0);
    const w4 = s.wait();
    s.close();
    await w4;
    await s.wait();
  });

  it("keeps the socket state a kernel reads", () => {
    const s = new MemorySocket({ groups: 0b101 });
    assert.deepEqual([...s.groups].sort(), [1, 3]);
    s.joinGroup(40);
    s.leaveGroup(1);
    assert.deepEqual([...s.groups].sort((a, b) => a - b), [3, 40]);
    s.setOption(11, true);
    assert.equal(s.getOption(11), true);
    assert.equal(s.getOption(12), false);
    s.setReceiveBufferSize(100, true);
    s.setSendBufferSize(200);
    assert.deepEqual([
      s.receiveBufferSize,
      s.receiveBufferForced,
      s.sendBufferSize,
    ], [100, true, 200]);
    s.setBPF([{ code: 6, jt: 0, jf: 0, k: 1 }]);
    assert.deepEqual(s.bpf, [{ code: 6, jt: 0, jf: 0, k: 1 }]);
    s.removeBPF();
    assert.equal(s.bpf, null);
  });

  it("surfaces onSend failures (sync or async) on the next receive", async () => {
    const s = new MemorySocket({
      onSend: (_s, d) => {
        if (d[0] === 1) throw new Error("sync");
        return Promise.reject(new Error("async"));
      },
    });
    s.send(new Uint8Array([1]));
    assert.throws(() => s.receive(), /sync/);
    s.send(new Uint8Array([2]));
    await s.wait();
    assert.throws(() => s.receive(), /async/);
  });

  it("fails sends on request and everything after close, calling onClose once", () => {
    let closes = 0;
    const s = new MemorySocket({ onClose: () => closes++ });
    s.failNextSend(1);
    assert.throws(
      () => s.send(new Uint8Array(1)),
      (e) => e instanceof SyscallError && e.code === "EPERM",
    );
    s.keepSent = true;
    s.send(new Uint8Array([5]));
    assert.equal(s.sent.length, 1);
    s.close();
    s.close();
    assert.equal(closes, 1);
    assert.equal(s.closed, true);
    assert.throws(
      () => s.send(new Uint8Array(1)),
      (e) => e instanceof SyscallError && e.code === "EBADF",
    );
    assert.throws(
      () => s.receive(),
      (e) => e instanceof SyscallError && e.code === "EBADF",
    );
    s.deliver(new Uint8Array(1)); // ignored
  });

  it("groupMask follows netlink_group_mask", () => {
    assert.equal(groupMask(1), 1);
    assert.equal(groupMask(32), 0x80000000);
    assert.equal(groupMask(33), 0);
    assert.equal(groupMask(0), 0);
  });
});
