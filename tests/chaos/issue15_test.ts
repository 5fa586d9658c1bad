/**
 * Every defect of issue 15 as a regression test, reproduced as the issue
 * reported it (on SimKernel, which now behaves as Linux where these
 * defects showed: one dump per socket, receive-buffer overruns). The
 * real-kernel halves are in tests/integration/ (dump_exit_test.ts,
 * ebusy_test.ts, netns_test.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  AttributeEncoder,
  Conn,
  Family,
  isNetlinkError,
  isNotExist,
} from "../../src/netlink/mod.ts";
import { decodePolicy } from "../../src/genetlink/mod.ts";
import { record, replay, SimKernel } from "../../src/nltest/mod.ts";
import { deadline, getLinks, linkIndex, noop } from "./_chaos.ts";

const linux = process.platform === "linux";

/** A kernel with `links` links in all (lo included). */
function kernelWith(links: number, dumpDatagramSize?: number): SimKernel {
  const kernel = new SimKernel(
    dumpDatagramSize === undefined ? {} : { dumpDatagramSize },
  );
  for (let i = 1; i < links; i++) kernel.rtnetlink.addLink({ name: `l${i}` });
  return kernel;
}

describe("issue 15 regressions", () => {
  it("1: leaving a dump early does not poison the Conn (1,500 links, break after 5)", async () => {
    const kernel = kernelWith(1500);
    await using conn = kernel.dial(Family.Route);
    let n = 0;
    for await (const _ of conn.dump(getLinks())) if (++n === 5) break;
    const links = await deadline(conn.execute(getLinks()), 5000, "execute");
    assert.equal(links.length, 1500);
    assert.deepEqual((await conn.execute(noop())).length, 0);
  });

  it(
    "2: a netns path that is a FIFO fails at once instead of freezing the process",
    {
      skip: !linux && "needs Linux",
    },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "nlkit-chaos-"));
      try {
        const fifo = join(dir, "f");
        execFileSync("mkfifo", [fifo]);
        let ticks = 0;
        const timer = setInterval(() => ticks++, 1);
        try {
          await assert.rejects(
            deadline(Conn.dial(Family.Route, { netns: fifo }), 2000, "dial"),
            (e: unknown) =>
              isNetlinkError(e) && e.code === "EINVAL" &&
              e.message.includes("a FIFO, not a network namespace"),
          );
          await new Promise((r) => setTimeout(r, 10));
          assert.ok(ticks > 0);
        } finally {
          clearInterval(timer);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  describe("3: replay() fails on a corrupt recording instead of hanging", () => {
    // A 9-line recording of a 301-link dump, as in the issue (made once).
    let recorded: string[] | undefined;
    const make = async () => {
      if (recorded === undefined) {
        const kernel = kernelWith(301, 8192);
        await using conn = kernel.dial(Family.Route);
        const rec = record(conn, { family: Family.Route });
        await conn.execute(getLinks());
        rec.stop();
        recorded = rec.lines;
      }
      return recorded.map((l) => JSON.parse(l));
    };
    const cases: [
      string,
      (l: Record<string, unknown>[]) => unknown[],
      RegExp,
    ][] = [
      [
        "the last (DONE) line removed",
        (l) => l.slice(0, -1),
        /entry 1: "hex": the dump RTM_GETLINK .* has no NLMSG_DONE/,
      ],
      [
        "only the send line",
        (l) => l.slice(0, 1),
        /entry 1: "hex": the dump .* has no NLMSG_DONE/,
      ],
      [
        "a receive's hex cut short",
        (l) =>
          l.map((x, i) =>
            i === 2 ? { ...x, hex: (x.hex as string).slice(0, 1001) } : x
          ),
        /entry 3: "hex" .* is not hex \(odd length: cut short\?\)/,
      ],
      [
        "a length set to 0",
        (l) =>
          l.map((x, i) =>
            i === 2 ? { ...x, hex: "00000000" + (x.hex as string).slice(8) } : x
          ),
        /entry 3: "hex": the message at byte 0 has length 0, less than its 16-byte header/,
      ],
      [
        "a length set to 0xffffffff",
        (l) =>
          l.map((x, i) =>
            i === 2 ? { ...x, hex: "ffffffff" + (x.hex as string).slice(8) } : x
          ),
        /entry 3: "hex": the message at byte 0 has length 4294967295, but only \d+ bytes are left/,
      ],
      [
        "sender: 4242",
        (l) => l.map((x, i) => i === 8 ? { ...x, sender: 4242 } : x),
        /entry 9: "sender" 4242 is not the kernel \(0\)/,
      ],
      [
        "groups: 1",
        (l) => l.map((x, i) => i === 8 ? { ...x, groups: 1 } : x),
        /entry 9: "groups" 1: a multicast datagram is not a reply/,
      ],
      [
        'sender: "x"',
        (l) => l.map((x, i) => i === 3 ? { ...x, sender: "x" } : x),
        /entry 4: "sender" "x" is not an unsigned 32-bit integer/,
      ],
      [
        '{"dir":"error","errno":"EPERM"}',
        (l) => [l[0], { dir: "error", errno: "EPERM" }],
        /entry 2: "errno" "EPERM" is not an errno/,
      ],
      [
        "errno 0",
        (l) => [l[0], { dir: "error", errno: 0 }],
        /entry 2: "errno" 0 is not an errno/,
      ],
      [
        "errno -1",
        (l) => [l[0], { dir: "error", errno: -1 }],
        /entry 2: "errno" -1 is not an errno/,
      ],
      [
        "replay([null])",
        () => [null],
        /entry 1: null is not a recorded datagram/,
      ],
    ];
    for (const [name, mutate, message] of cases) {
      it(`3: ${name}: a TypeError naming the line and the field`, async () => {
        const lines = await make();
        assert.equal(lines.length, 9);
        assert.throws(
          () => replay(mutate(lines) as never),
          (e: unknown) => e instanceof TypeError && message.test(e.message),
        );
      });
    }

    it("3: the same recordings as text name the line", async () => {
      const lines = await make();
      const text = lines.slice(0, -1).map((l) => JSON.stringify(l)).join("\n");
      assert.throws(
        () => replay(text),
        /^TypeError: Cannot read recording: line 1: /,
      );
    });

    it("3: a request past the end of its recorded replies fails with a typed error", async () => {
      // A plain request with no recorded reply: execute() would wait forever.
      const rec =
        '{"dir":"send","family":0,"pid":100,"hex":"1400000012000100010000006400000000000000"}\n';
      const conn = replay(rec).dial();
      try {
        await assert.rejects(
          deadline(conn.execute(getLinks(0)), 2000, "execute"),
          { name: "UnexpectedRequestError" },
        );
      } finally {
        await conn.close();
      }
    });
  });

  it("4: decodePolicy bounds table indexes by what the dump describes", () => {
    for (const index of [0xfffffffe, 1e8]) {
      const data = new AttributeEncoder().uint16(1, 0x20).nested(
        8, // CTRL_ATTR_POLICY
        (t) =>
          t.nested(
            0,
            (a) => a.nested(1, (p) => p.uint32(8, index).uint32(1, 13)),
          ), // NL_POLICY_TYPE_ATTR_POLICY_IDX
      ).encode();
      const t0 = performance.now();
      assert.throws(
        () => decodePolicy([{ header: { command: 10, version: 2 }, data }]),
        RangeError,
      );
      assert.ok(performance.now() - t0 < 100);
    }
  });

  for (const length of [0, 1000]) {
    it(`5: truncate to ${length} bytes fails a 301-link dump with EBADMSG, never a partial result`, async () => {
      const kernel = kernelWith(301);
      await using conn = kernel.dial(Family.Route);
      kernel.inject({ type: "truncate", length });
      await assert.rejects(conn.execute(getLinks()), { code: "EBADMSG" });
      assert.equal((await conn.execute(getLinks())).length, 301);
    });
  }

  it("6: wrongSequence with two requests in flight never hands the stray reply to the other", async () => {
    const kernel = kernelWith(60, 1024);
    await using conn = kernel.dial(Family.Route);
    for (let round = 0; round < 10; round++) {
      kernel.inject({ type: "wrongSequence" }, { match: { type: 18 } });
      const dump = conn.execute(getLinks(), { timeout: 20 });
      const ack = conn.execute(noop());
      assert.deepEqual(await ack, []); // its own ACK, not 60 links
      await assert.rejects(dump, { code: "ETIMEDOUT" });
      // Another request meanwhile: a GET answered by exactly its own link.
      const [one] = await conn.execute(getLinks(1));
      assert.equal(linkIndex(one!), 1);
    }
  });

  it("7: with noENOBUFS a reply dropped by a full receive buffer times out instead of hanging", async () => {
    for (const noENOBUFS of [false, true]) {
      const kernel = new SimKernel();
      await using conn = kernel.dial(Family.Route, {
        groups: 1,
        receiveBufferSize: 1024,
        noENOBUFS,
      });
      for (let i = 0; i < 100; i++) {
        kernel.notify(Family.Route, 1, [{
          header: { length: 0, type: 16, flags: 0, sequence: 0, pid: 0 },
          data: new Uint8Array(200),
        }]);
      }
      await assert.rejects(
        deadline(conn.execute(noop(), { timeout: 50 }), 2000, "execute"),
        { code: noENOBUFS ? "ETIMEDOUT" : "ENOBUFS" },
      );
    }
  });

  it("8: a netns path with an embedded NUL is a TypeError", {
    skip: !linux && "needs Linux",
  }, async () => {
    await assert.rejects(
      Conn.dial(Family.Route, { netns: "/run/netns/a\0/ignored" }),
      (e: unknown) => e instanceof TypeError && /NUL/.test(e.message),
    );
  });

  it("9: a netns error names the path and the step", {
    skip: !linux && "needs Linux",
  }, async () => {
    await assert.rejects(
      Conn.dial(Family.Route, { netns: "nlkit-chaos-missing" }),
      (e: unknown) =>
        isNotExist(e) && e instanceof Error &&
        e.message ===
          "Cannot dial: open /run/netns/nlkit-chaos-missing: ENOENT (No such file or directory)",
    );
  });
});
