/**
 * One dump per socket, on the running kernel and on `SimKernel`: the same
 * datagram-level scenarios run over the internal Socket seam of a real
 * netlink socket and of a simulated one, and must agree. The rule (Linux
 * `__netlink_dump_start()`/`netlink_dump()`): a dump request gets EBUSY
 * while the socket's running dump has not produced its `NLMSG_DONE`; the
 * first part is produced when the request arrives, each next part by a
 * receive, so a dump of D datagrams (the DONE alone in the last) runs until
 * D - 1 of them have been read. Opt in with NLKIT_INTEGRATION=1 as root
 * (CI runs this folder inside `unshare -n`, for Deno and Bun).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import process from "node:process";
import {
  bpf,
  encodeMessage,
  Family,
  HeaderFlags,
  HeaderType,
  parseMessages,
} from "../../src/netlink/mod.ts";
import type { Socket } from "../../src/netlink/_socket.ts";
import { socketOf } from "../../src/netlink/conn.ts";
import { openSocket } from "../../src/netlink/socket.ts";
import { SimKernel } from "../../src/nltest/mod.ts";
import { gate } from "./_gate.ts";

const skip = await gate(import.meta.url);

/** veth pairs created for a dump of several datagrams (2 links each). */
const PAIRS = 60;
const PREFIX = `nlkeb${process.pid % 10000}`;

let sequence = 1;
function dumpLinks(): Uint8Array {
  return encodeMessage({
    header: {
      length: 0,
      type: 18, // RTM_GETLINK
      flags: HeaderFlags.Request | HeaderFlags.Dump,
      sequence: sequence++,
      pid: 0,
    },
    data: new Uint8Array(16), // struct ifinfomsg
  });
}

/** What a datagram holds: `d` dump part(s), `D` a DONE, `E16` an EBUSY error... with the sequence. */
function describeDatagram(d: Uint8Array): string {
  return parseMessages(d).map((m) => {
    if (m.header.type === HeaderType.Error) {
      const errno = -new DataView(m.data.buffer, m.data.byteOffset).getInt32(
        0,
        true,
      );
      return `E${errno}@${m.header.sequence}`;
    }
    if (m.header.type === HeaderType.Done) return `D@${m.header.sequence}`;
    return `d@${m.header.sequence}`;
  }).filter((x, i, all) => x !== all[i - 1]).join(",");
}

/**
 * Waits until the kernel has answered what was sent: Linux answers inside
 * `send()`; `SimKernel` a few microtasks later.
 */
let answered: () => Promise<void> = () => Promise.resolve();

/** Reads every queued datagram. */
function drain(s: Socket): string[] {
  const out: string[] = [];
  for (let d = s.receive(); d !== null; d = s.receive()) {
    out.push(describeDatagram(d));
  }
  return out;
}

/** The number of datagrams a whole link dump takes on `s` (the DONE's included). */
async function dumpDatagrams(s: Socket): Promise<number> {
  s.send(dumpLinks());
  await answered();
  return drain(s).length;
}

/**
 * Sends a dump, reads `k` of its datagrams, sends a second dump; returns
 * whether the second was refused with EBUSY (and checks that the first
 * dump ends with its DONE, and the second with EBUSY or its own DONE).
 */
async function secondDumpBusy(s: Socket, k: number): Promise<boolean> {
  s.send(dumpLinks());
  await answered();
  const firstSeq = sequence - 1;
  const seen: string[] = [];
  for (let i = 0; i < k; i++) {
    const d = s.receive();
    assert.notEqual(d, null, `read ${i}`);
    seen.push(describeDatagram(d!));
  }
  s.send(dumpLinks());
  await answered();
  const secondSeq = sequence - 1;
  seen.push(...drain(s));
  assert.ok(seen.includes(`D@${firstSeq}`), `first dump: ${seen.join(" ")}`);
  const busy = seen.includes(`E16@${secondSeq}`);
  if (!busy) {
    assert.ok(seen.includes(`D@${secondSeq}`), `second: ${seen.join(" ")}`);
  }
  return busy;
}

interface Backend {
  name: string;
  open(): Promise<Socket>;
  answered(): Promise<void>;
}

describe("integration: one dump per socket (EBUSY), simulated and real", {
  skip,
}, () => {
  const kernel = new SimKernel({ dumpDatagramSize: 16 * 1024 });
  before(() => {
    const batch = Array.from(
      { length: PAIRS },
      (_, i) => `link add ${PREFIX}a${i} type veth peer name ${PREFIX}b${i}`,
    ).join("\n");
    execFileSync("ip", ["-batch", "-"], { input: batch + "\n" });
    for (let i = 0; i < PAIRS; i++) {
      kernel.rtnetlink.addLink({ name: `${PREFIX}a${i}` });
      kernel.rtnetlink.addLink({ name: `${PREFIX}b${i}` });
    }
  });
  after(() => {
    const batch = Array.from(
      { length: PAIRS },
      (_, i) => `link del ${PREFIX}a${i}`,
    ).join("\n");
    try {
      execFileSync("ip", ["-force", "-batch", "-"], {
        input: batch + "\n",
        stdio: ["pipe", "ignore", "ignore"],
      });
    } catch {
      // already gone
    }
  });

  const backends: Backend[] = [
    {
      name: "Linux",
      open: () => openSocket(Family.Route),
      answered: () => Promise.resolve(),
    },
    {
      name: "SimKernel",
      open: () => Promise.resolve(socketOf(kernel.dial(Family.Route))),
      answered: () => kernel.settled(),
    },
  ];

  for (const b of backends) {
    it(`integration: ${b.name}: a second dump is EBUSY exactly until the first has produced its DONE`, async () => {
      const s = await b.open();
      answered = b.answered;
      try {
        // Linux sizes a dump's parts by the reads it has seen on the socket
        // (nlk->max_recvmsg_len): the first dump on a socket has smaller ones.
        await dumpDatagrams(s);
        const total = await dumpDatagrams(s);
        assert.ok(total >= 3, `${total} datagrams`);
        const seen: boolean[] = [];
        for (let k = 0; k <= total; k++) seen.push(await secondDumpBusy(s, k));
        const want = seen.map((_, k) => k < total - 1);
        assert.deepEqual(seen, want, `${b.name}, dump of ${total} datagrams`);
      } finally {
        s.close();
      }
    });

    it(`integration: ${b.name}: the DONE comes alone in the last datagram, and an EBUSY answer is read before it`, async () => {
      const s = await b.open();
      try {
        s.send(dumpLinks());
        const firstSeq = sequence - 1;
        s.send(dumpLinks());
        const secondSeq = sequence - 1;
        await b.answered();
        const first = s.receive()!;
        assert.equal(describeDatagram(first), `d@${firstSeq}`);
        // The EBUSY answer echoes the whole 32-byte request, no ext-ack, flags 0.
        const ebusy = parseMessages(s.receive()!);
        assert.equal(ebusy.length, 1);
        assert.equal(ebusy[0]!.header.length, 16 + 4 + 32);
        assert.equal(ebusy[0]!.header.flags, 0);
        const seen = [
          `d@${firstSeq}`,
          `E${-new DataView(ebusy[0]!.data.buffer, ebusy[0]!.data.byteOffset)
            .getInt32(0, true)}@${ebusy[0]!.header.sequence}`,
          ...drain(s),
        ];
        // The first part, then the EBUSY (queued when the second request
        // arrived), then the rest of the first dump.
        assert.equal(seen[0], `d@${firstSeq}`);
        assert.equal(seen[1], `E16@${secondSeq}`);
        assert.equal(seen.at(-1), `D@${firstSeq}`);
        assert.ok(seen.slice(2, -1).every((x) => x === `d@${firstSeq}`));
      } finally {
        s.close();
      }
    });

    it(`integration: ${b.name}: a dump whose parts a filter drops stalls, and keeps later dumps out`, async () => {
      const s = await b.open();
      try {
        s.setBPF([{ code: bpf.RET | bpf.K, jt: 0, jf: 0, k: 0 }]); // drop everything
        s.send(dumpLinks());
        await b.answered();
        assert.equal(s.receive(), null);
        s.removeBPF();
        s.send(dumpLinks());
        const secondSeq = sequence - 1;
        await b.answered();
        const seen = drain(s);
        assert.equal(seen[0], `E16@${secondSeq}`);
        // Reading the EBUSY answer lets the stalled dump go on.
        assert.ok(seen.length >= 2, seen.join(" "));
      } finally {
        s.close();
      }
    });
  }
});
