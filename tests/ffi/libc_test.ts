import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLibc, Sys, SyscallError } from "../../src/ffi/mod.ts";

const linux = process.platform === "linux";

function netlinkSocket(
  libc: Awaited<ReturnType<typeof openLibc>>,
  protocol = 0,
): { fd: number; pid: number } {
  const fd = libc.socket(
    Sys.AF_NETLINK,
    Sys.SOCK_RAW | Sys.SOCK_CLOEXEC | Sys.SOCK_NONBLOCK,
    protocol,
  );
  const addr = new Uint8Array(Sys.SOCKADDR_NL_LENGTH);
  addr[0] = Sys.AF_NETLINK;
  libc.bind(fd, addr);
  assert.equal(libc.getsockname(fd, addr), Sys.SOCKADDR_NL_LENGTH);
  return { fd, pid: new DataView(addr.buffer).getUint32(4, true) };
}

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

const kernel = new Uint8Array(Sys.SOCKADDR_NL_LENGTH);
kernel[0] = Sys.AF_NETLINK;

describe("openLibc()", { skip: !linux && "netlink needs Linux" }, () => {
  it("returns the same bindings each time", async () => {
    assert.equal(await openLibc(), await openLibc());
  });

  it("calls getpid()", async () => {
    const libc = await openLibc();
    assert.equal(libc.getpid(), process.pid);
  });

  it("opens, binds and names a netlink socket", async () => {
    const libc = await openLibc();
    const { fd, pid } = netlinkSocket(libc);
    try {
      assert.ok(fd > 2);
      assert.ok(pid > 0);
    } finally {
      libc.close(fd);
    }
  });

  it("throws SyscallError with the errno read right after the call", async () => {
    const libc = await openLibc();
    assert.throws(() => libc.bind(-1, kernel), (e: unknown) => {
      assert.ok(e instanceof SyscallError);
      assert.equal(e.code, "EBADF");
      assert.equal(e.syscall, "bind");
      return true;
    });
    assert.throws(() => libc.socket(Sys.AF_NETLINK, Sys.SOCK_RAW, 9999), {
      code: "EPROTONOSUPPORT",
    });
    assert.throws(() => libc.open("/nonexistent/nlkit", Sys.O_RDONLY), {
      code: "ENOENT",
    });
  });

  it("reads the right errno after each of 30,000 failing calls under allocation churn", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    const codes: Record<string, number> = {};
    let garbage: unknown[] = [];
    try {
      for (let i = 0; i < 10_000; i++) {
        for (
          const call of [
            () => libc.bind(-1, kernel),
            () => libc.socket(Sys.AF_NETLINK, Sys.SOCK_RAW, 9999),
            () => libc.setsockopt(fd, Sys.SOL_NETLINK, 9999, new Uint8Array(4)),
          ]
        ) {
          garbage.push(new Array(16).fill(i), { i }, new Uint8Array(32));
          try {
            call();
          } catch (e) {
            const code = (e as SyscallError).code;
            codes[code] = (codes[code] ?? 0) + 1;
          }
        }
        if (garbage.length > 3000) garbage = [];
        assert.equal(
          libc.recv(
            fd,
            new Uint8Array(16),
            Sys.MSG_DONTWAIT,
            new Uint8Array(12),
          ),
          -1,
        ); // EAGAIN
      }
    } finally {
      libc.close(fd);
    }
    assert.deepEqual(codes, {
      EBADF: 10_000,
      EPROTONOSUPPORT: 10_000,
      ENOPROTOOPT: 10_000,
    });
  });

  it("returns -1 from recv() and recvfrom() on an empty socket", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      assert.equal(
        libc.recv(fd, new Uint8Array(64), Sys.MSG_DONTWAIT, new Uint8Array(12)),
        -1,
      );
      assert.equal(
        libc.recvfrom(fd, new Uint8Array(64), Sys.MSG_DONTWAIT, null),
        -1,
      );
    } finally {
      libc.close(fd);
    }
  });

  it("receives an ack with the sender address", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      assert.equal(libc.sendto(fd, noop(77), 0, kernel), 16);
      const buf = new Uint8Array(256);
      const from = new Uint8Array(12).fill(0xff);
      const n = libc.recv(fd, buf, Sys.MSG_DONTWAIT, from);
      assert.equal(n, 36);
      const v = new DataView(buf.buffer);
      assert.equal(v.getUint16(4, true), 2); // NLMSG_ERROR
      assert.equal(v.getUint32(8, true), 77);
      assert.equal(v.getInt32(16, true), 0);
      assert.equal(new DataView(from.buffer).getUint32(4, true), 0); // from the kernel
    } finally {
      libc.close(fd);
    }
  });

  it("sizes a datagram with MSG_PEEK | MSG_TRUNC", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      libc.sendto(fd, noop(1), 0, kernel);
      assert.equal(
        libc.recvfrom(
          fd,
          new Uint8Array(4),
          Sys.MSG_PEEK | Sys.MSG_TRUNC | Sys.MSG_DONTWAIT,
          null,
        ),
        36,
      );
      assert.equal(
        libc.recvfrom(fd, new Uint8Array(64), Sys.MSG_DONTWAIT, null),
        36,
      );
    } finally {
      libc.close(fd);
    }
  });

  it("spills the tail of a datagram longer than the buffer", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      libc.sendto(fd, noop(0x01020304), 0, kernel);
      const head = new Uint8Array(10);
      const n = libc.recv(fd, head, Sys.MSG_DONTWAIT, new Uint8Array(12));
      assert.equal(n, 36);
      const whole = new Uint8Array(n);
      whole.set(head);
      libc.takeSpill(whole.subarray(10));
      assert.equal(new DataView(whole.buffer).getUint32(8, true), 0x01020304);
      assert.equal(new DataView(whole.buffer).getUint32(28, true), 0x01020304); // echoed request header
    } finally {
      libc.close(fd);
    }
  });

  it("sets and reads socket options", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      const v = new Uint8Array(4);
      new DataView(v.buffer).setUint32(0, 65536, true);
      libc.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, v);
      v.fill(0);
      assert.equal(libc.getsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, v), 4);
      assert.equal(new DataView(v.buffer).getUint32(0, true), 131072); // the kernel doubles it
    } finally {
      libc.close(fd);
    }
  });

  it("attaches a BPF program that drops everything", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      // ret #0
      libc.attachFilter(fd, new Uint8Array([0x06, 0, 0, 0, 0, 0, 0, 0]));
      libc.sendto(fd, noop(1), 0, kernel);
      assert.equal(
        libc.recv(fd, new Uint8Array(64), Sys.MSG_DONTWAIT, new Uint8Array(12)),
        -1,
      );
      libc.setsockopt(
        fd,
        Sys.SOL_SOCKET,
        Sys.SO_DETACH_FILTER,
        new Uint8Array(4),
      );
      libc.sendto(fd, noop(2), 0, kernel);
      assert.equal(
        libc.recv(fd, new Uint8Array(64), Sys.MSG_DONTWAIT, new Uint8Array(12)),
        36,
      );
    } finally {
      libc.close(fd);
    }
  });

  it("polls on the JS thread with a timeout", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    try {
      const fds = new Uint8Array(8);
      const v = new DataView(fds.buffer);
      v.setInt32(0, fd, true);
      v.setInt16(4, Sys.POLLIN, true);
      assert.equal(libc.poll(fds, 0), 0);
      libc.sendto(fd, noop(1), 0, kernel);
      assert.equal(libc.poll(fds, 0), 1);
      assert.equal(v.getInt16(6, true) & Sys.POLLIN, Sys.POLLIN);
    } finally {
      libc.close(fd);
    }
  });

  it("polls off the JS thread until data arrives or the eventfd is written", async () => {
    const libc = await openLibc();
    const { fd } = netlinkSocket(libc);
    const efd = libc.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK);
    const poller = libc.poller(fd, efd);
    try {
      const data = poller.poll();
      setTimeout(() => libc.sendto(fd, noop(1), 0, kernel), 5);
      assert.equal((await data) & Sys.POLLIN, Sys.POLLIN);
      assert.equal(
        libc.recv(fd, new Uint8Array(64), 0, new Uint8Array(12)),
        36,
      );
      const woken = poller.poll();
      const one = new Uint8Array(8);
      one[0] = 1;
      setTimeout(() => libc.write(efd, one), 5);
      assert.equal(await woken, 0);
      assert.equal(libc.read(efd, new Uint8Array(8)), 8);
      assert.equal(libc.read(efd, new Uint8Array(8)), -1); // EAGAIN: counter reset
    } finally {
      poller.dispose();
      libc.close(fd);
      libc.close(efd);
    }
  });

  it("keeps a unicast datagram far larger than the buffer", async () => {
    const libc = await openLibc();
    // NETLINK_USERSOCK (2) lets unprivileged sockets send to each other.
    const a = netlinkSocket(libc, 2);
    const b = netlinkSocket(libc, 2);
    try {
      const big = new Uint8Array(100_000);
      for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
      const to = new Uint8Array(12);
      const tv = new DataView(to.buffer);
      tv.setUint16(0, Sys.AF_NETLINK, true);
      tv.setUint32(4, b.pid, true);
      libc.sendto(a.fd, big, 0, to);
      const from = new Uint8Array(12);
      const head = new Uint8Array(4096);
      const n = libc.recv(b.fd, head, Sys.MSG_DONTWAIT, from);
      assert.equal(n, big.length);
      assert.equal(new DataView(from.buffer).getUint32(4, true), a.pid);
      const whole = new Uint8Array(n);
      whole.set(head);
      libc.takeSpill(whole.subarray(head.length));
      assert.deepEqual(whole, big);
    } finally {
      libc.close(a.fd);
      libc.close(b.fd);
    }
  });

  it("tells a network namespace from other namespaces and files (ioctl NS_GET_NSTYPE, statx)", async () => {
    const libc = await openLibc();
    const flags = Sys.O_RDONLY | Sys.O_NONBLOCK | Sys.O_CLOEXEC;
    const net = libc.open("/proc/self/ns/net", flags);
    const mnt = libc.open("/proc/self/ns/mnt", flags);
    const dir = libc.open("/", flags);
    try {
      assert.equal(libc.ioctl(net, Sys.NS_GET_NSTYPE), Sys.CLONE_NEWNET);
      assert.equal(libc.ioctl(mnt, Sys.NS_GET_NSTYPE), 0x20000); // CLONE_NEWNS
      assert.throws(
        () => libc.ioctl(dir, Sys.NS_GET_NSTYPE),
        (e: unknown) =>
          e instanceof SyscallError && e.syscall === "ioctl" &&
          e.code === "ENOTTY",
      );
      assert.equal(libc.fileMode(dir) & Sys.S_IFMT, Sys.S_IFDIR);
      assert.equal(libc.fileMode(net) & Sys.S_IFMT, Sys.S_IFREG); // nsfs inodes are regular files
      assert.throws(() => libc.fileMode(-1), {
        name: "SyscallError",
        code: "EBADF",
      });
    } finally {
      libc.close(net);
      libc.close(mnt);
      libc.close(dir);
    }
  });

  it("refuses a path with a NUL byte instead of cutting it", async () => {
    const libc = await openLibc();
    assert.throws(
      () => libc.open("/proc/self/ns/net\0/x", Sys.O_RDONLY),
      TypeError,
    );
  });
});
