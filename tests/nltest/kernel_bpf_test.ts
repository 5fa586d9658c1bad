import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bpf,
  encodeMessage,
  Family,
  HeaderFlags,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { runBPF, SimKernel } from "../../src/nltest/mod.ts";

const { stmt, jump } = bpf;

function message(type: number, payload = 16): Uint8Array {
  return encodeMessage({
    header: { length: 0, type, flags: 0, sequence: 7, pid: 0 },
    data: new Uint8Array(payload),
  });
}

describe("runBPF", () => {
  const packet = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
  const cases: {
    name: string;
    program: ReturnType<typeof stmt>[];
    want: number;
  }[] = [
    { name: "RET K", program: [stmt(bpf.RET | bpf.K, 42)], want: 42 },
    {
      name: "big-endian word load",
      program: [stmt(bpf.LD | bpf.W | bpf.ABS, 0), stmt(bpf.RET | bpf.A, 0)],
      want: 0x12345678,
    },
    {
      name: "half-word load",
      program: [stmt(bpf.LD | bpf.H | bpf.ABS, 4), stmt(bpf.RET | bpf.A, 0)],
      want: 0x9abc,
    },
    {
      name: "byte load",
      program: [stmt(bpf.LD | bpf.B | bpf.ABS, 5), stmt(bpf.RET | bpf.A, 0)],
      want: 0xbc,
    },
    {
      name: "load past the end drops",
      program: [stmt(bpf.LD | bpf.W | bpf.ABS, 4), stmt(bpf.RET | bpf.K, 9)],
      want: 0,
    },
    {
      name: "LEN",
      program: [stmt(bpf.LD | bpf.W | bpf.LEN, 0), stmt(bpf.RET | bpf.A, 0)],
      want: 6,
    },
    {
      name: "indexed load through X",
      program: [
        stmt(bpf.LDX | bpf.W | bpf.IMM, 2),
        stmt(bpf.LD | bpf.B | bpf.IND, 1),
        stmt(bpf.RET | bpf.A, 0),
      ],
      want: 0x78,
    },
    {
      name: "ALU with K and X, scratch memory, TAX/TXA",
      program: [
        stmt(bpf.LD | bpf.IMM, 6),
        stmt(bpf.ALU | bpf.MUL | bpf.K, 7), // 42
        stmt(bpf.ST, 3),
        stmt(bpf.LDX | bpf.W | bpf.IMM, 2),
        stmt(bpf.ALU | bpf.SUB | bpf.X, 0), // 40
        stmt(bpf.ALU | bpf.RSH | bpf.K, 1), // 20
        stmt(bpf.ALU | bpf.OR | bpf.K, 1), // 21
        stmt(bpf.MISC | bpf.TAX, 0),
        stmt(bpf.LD | bpf.MEM, 3), // 42
        stmt(bpf.ALU | bpf.ADD | bpf.X, 0), // 63
        stmt(bpf.RET | bpf.A, 0),
      ],
      want: 63,
    },
    {
      name: "division by zero drops",
      program: [
        stmt(bpf.LD | bpf.IMM, 1),
        stmt(bpf.ALU | bpf.DIV | bpf.K, 0),
        stmt(bpf.RET | bpf.K, 5),
      ],
      want: 0,
    },
    {
      name: "conditional jumps",
      program: [
        stmt(bpf.LD | bpf.B | bpf.ABS, 0),
        jump(bpf.JMP | bpf.JEQ | bpf.K, 0x12, 0, 1),
        stmt(bpf.RET | bpf.K, 1),
        stmt(bpf.RET | bpf.K, 2),
      ],
      want: 1,
    },
    {
      name: "JA and JSET",
      program: [
        stmt(bpf.JMP | bpf.JA, 1),
        stmt(bpf.RET | bpf.K, 9),
        stmt(bpf.LD | bpf.IMM, 0b100),
        jump(bpf.JMP | bpf.JSET | bpf.K, 0b110, 1, 0),
        stmt(bpf.RET | bpf.K, 3),
        stmt(bpf.RET | bpf.K, 4),
      ],
      want: 4,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(runBPF(c.program, packet), c.want));
  }

  it("rejects programs that cannot run", () => {
    assert.throws(() => runBPF([], packet), RangeError);
    assert.throws(
      () => runBPF([stmt(bpf.LD | bpf.IMM, 1)], packet),
      /without RET/,
    );
    assert.throws(
      () =>
        runBPF([stmt(bpf.JMP | bpf.JA, 5), stmt(bpf.RET | bpf.K, 0)], packet),
      /out of the program/,
    );
  });

  it("runs nlkit's acceptTypes filter as the kernel would", () => {
    const program = bpf.acceptTypes([16, 17]);
    assert.equal(runBPF(program, message(16)), bpf.ACCEPT);
    assert.equal(runBPF(program, message(17)), bpf.ACCEPT);
    assert.equal(runBPF(program, message(20)), 0);
    assert.equal(
      runBPF(program, message(2, 20)),
      bpf.ACCEPT,
      "errors and ACKs are kept",
    );
  });
});

describe("SimKernel with setBPF", () => {
  it("filters notifications, and stalls a dump whose parts it drops", async () => {
    const k = new SimKernel({ trace: true });
    await using conn = k.dial(Family.Route, { groups: 1 | 0x10 }); // links and IPv4 addresses
    conn.setBPF(bpf.acceptTypes([17])); // RTM_DELLINK only
    const events = conn.notifications();
    k.rtnetlink.addLink({ name: "d0", up: true });
    k.rtnetlink.addAddress("d0", "192.0.2.1/24");
    k.rtnetlink.deleteLink("d0");
    assert.equal((await events.next()).value?.header.type, 17);
    const got = k.trace.filter((t) => t.pid === conn.pid).flatMap((t) =>
      parseMessages(t.data).map((m) => m.header.type)
    );
    assert.deepEqual(got, [17]);
    // As on a real socket, a filtered dump part stalls the dump: netlink_dump()
    // continues only when the socket reads something.
    const abort = new AbortController();
    let settled = false;
    const stalled = conn.execute({
      header: {
        length: 0,
        type: 18,
        flags: HeaderFlags.Request | HeaderFlags.Dump,
        sequence: 0,
        pid: 0,
      },
      data: new Uint8Array(16),
    }, { signal: abort.signal }).finally(() => settled = true);
    await k.settled();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(settled, false);
    abort.abort();
    await assert.rejects(stalled);
    conn.removeBPF();
    // The stalled dump still runs (as on Linux 6.18: checked by
    // tests/integration/ebusy_test.ts): another dump is refused with EBUSY,
    // and reading that answer lets the stalled dump produce its DONE.
    conn.send({
      header: {
        length: 0,
        type: 18,
        flags: HeaderFlags.Request | HeaderFlags.Dump,
        sequence: 0,
        pid: 0,
      },
      data: new Uint8Array(16),
    });
    await assert.rejects(conn.receive(), { code: "EBUSY" });
    const links = await conn.execute({
      header: {
        length: 0,
        type: 18,
        flags: HeaderFlags.Request | HeaderFlags.Dump,
        sequence: 0,
        pid: 0,
      },
      data: new Uint8Array(16),
    });
    assert.equal(links.length, 1);
  });

  it("truncates a datagram to the length the filter returns", async () => {
    const k = new SimKernel({ trace: true });
    await using conn = k.dial(Family.Route, { groups: 1 });
    conn.setBPF([stmt(bpf.RET | bpf.K, 20)]);
    k.rtnetlink.addLink({ name: "d0" });
    await k.settled();
    assert.deepEqual(
      k.trace.filter((t) => t.pid === conn.pid).map((t) => t.data.length),
      [20],
    );
  });
});
