import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bpf } from "../../src/netlink/mod.ts";
import { openSocket } from "../../src/netlink/socket.ts";
import { openLibc, Sys } from "../../src/ffi/mod.ts";

describe("bpf", () => {
  it("stmt() and jump() build sock_filter fields", () => {
    assert.deepEqual(bpf.stmt(bpf.LD | bpf.W | bpf.ABS, 12), {
      code: 0x20,
      jt: 0,
      jf: 0,
      k: 12,
    });
    assert.deepEqual(bpf.stmt(bpf.RET | bpf.K, -1), {
      code: 0x06,
      jt: 0,
      jf: 0,
      k: 0xffff_ffff,
    });
    assert.deepEqual(bpf.jump(bpf.JMP | bpf.JEQ | bpf.K, 7, 2, 1), {
      code: 0x15,
      jt: 2,
      jf: 1,
      k: 7,
    });
    assert.throws(
      () => bpf.jump(bpf.JMP | bpf.JEQ | bpf.K, 7, 256, 0),
      RangeError,
    );
  });

  it("hostUint32() byte-swaps on little-endian hosts", () => {
    const le = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    assert.equal(bpf.hostUint32(0x0102_0304), le ? 0x0403_0201 : 0x0102_0304);
    assert.equal(bpf.hostUint32(0xffff_fffe), le ? 0xfeff_ffff : 0xffff_fffe);
  });

  it("acceptTypes() jumps every match to the accept return", () => {
    const program = bpf.acceptTypes([0x10, 0x11, 0x12]);
    const ret = program.length - 1;
    assert.deepEqual(program[ret], bpf.stmt(bpf.RET | bpf.K, bpf.ACCEPT));
    assert.deepEqual(program[ret - 1], bpf.stmt(bpf.RET | bpf.K, bpf.DROP));
    program.forEach((ins, i) => {
      if ((ins.code & 0x07) !== bpf.JMP) return;
      const target = ins.code === (bpf.JMP | bpf.JGE | bpf.K)
        ? i + 1 + ins.jf
        : i + 1 + ins.jt;
      assert.equal(target, ret, `instruction ${i}`);
    });
  });

  it("rejects out-of-range input with RangeError", () => {
    assert.throws(() => bpf.acceptTypes([0x10000]), RangeError);
    assert.throws(() => bpf.acceptTypes(new Array(251).fill(16)), RangeError);
    assert.throws(() => bpf.dropPids([-1]), RangeError);
  });
});

// NETLINK_USERSOCK (2) lets unprivileged sockets send each other datagrams, so
// the kernel runs our programs on headers we choose.
describe("bpf programs in the kernel", {
  skip: process.platform !== "linux" && "needs Linux",
}, () => {
  async function exchange(
    program: ReturnType<typeof bpf.acceptTypes>,
    headers: { type: number; pid: number }[],
  ): Promise<number[]> {
    const libc = await openLibc();
    const receiver = await openSocket(2, {});
    try {
      receiver.setBPF(program);
      const to = new Uint8Array(12);
      const tv = new DataView(to.buffer);
      tv.setUint16(0, Sys.AF_NETLINK, true);
      tv.setUint32(4, receiver.pid, true);
      const fd = senderFd(libc);
      try {
        for (const h of headers) {
          const m = new Uint8Array(20);
          const v = new DataView(m.buffer);
          v.setUint32(0, 20, true);
          v.setUint16(4, h.type, true);
          v.setUint32(12, h.pid, true);
          libc.sendto(fd, m, 0, to);
        }
      } finally {
        libc.close(fd);
      }
      const got: number[] = [];
      for (let d = receiver.receive(); d !== null; d = receiver.receive()) {
        got.push(new DataView(d.buffer, d.byteOffset).getUint16(4, true));
      }
      return got;
    } finally {
      receiver.close();
    }
  }

  /** A raw USERSOCK descriptor (the seam only sends to the kernel). */
  function senderFd(libc: Awaited<ReturnType<typeof openLibc>>): number {
    const fd = libc.socket(Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, 2);
    const a = new Uint8Array(12);
    a[0] = Sys.AF_NETLINK;
    libc.bind(fd, a);
    return fd;
  }

  it("acceptTypes() keeps the listed types and control messages", async () => {
    const got = await exchange(bpf.acceptTypes([0x20, 0x22]), [
      { type: 0x20, pid: 0 },
      { type: 0x21, pid: 0 },
      { type: 0x02, pid: 0 }, // NLMSG_ERROR
      { type: 0x22, pid: 0 },
      { type: 0x1020, pid: 0 }, // same low byte as 0x20
    ]);
    assert.deepEqual(got, [0x20, 0x02, 0x22]);
  });

  it("dropPids() drops datagrams carrying the given nlmsg_pid", async () => {
    const got = await exchange(bpf.dropPids([0x8000_0001, 7]), [
      { type: 0x30, pid: 0x8000_0001 },
      { type: 0x31, pid: 8 },
      { type: 0x32, pid: 7 },
      { type: 0x33, pid: 0x0100_0080 }, // 0x80000001 byte-swapped
    ]);
    assert.deepEqual(got, [0x31, 0x33]);
  });
});
