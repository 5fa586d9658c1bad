import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  isNetlinkError,
  type Message,
  NetlinkError,
  validate,
} from "../../src/netlink/mod.ts";

function m(sequence: number, pid: number): Message {
  return {
    header: { length: 16, type: 0x10, flags: 0, sequence, pid },
    data: new Uint8Array(0),
  };
}

describe("validate()", () => {
  // vectors §1.6, plus the extra rules derived there.
  const cases: [string, [number, number], [number, number][], string | null][] =
    [
      [
        "mismatched sequence",
        [1, 0],
        [[2, 0]],
        "Cannot validate: EPROTO (errno 71): mismatched sequence in netlink reply: got 2, want 1",
      ],
      [
        "mismatched sequence second message",
        [1, 0],
        [[1, 0], [2, 0]],
        "Cannot validate: EPROTO (errno 71): mismatched sequence in netlink reply: got 2, want 1",
      ],
      [
        "mismatched PID",
        [0, 1],
        [[0, 2]],
        "Cannot validate: EPROTO (errno 71): mismatched pid in netlink reply: got 2, want 1",
      ],
      [
        "mismatched PID second message",
        [0, 1],
        [[0, 1], [0, 2]],
        "Cannot validate: EPROTO (errno 71): mismatched pid in netlink reply: got 2, want 1",
      ],
      [
        "sequence is checked before pid",
        [1, 1],
        [[2, 2]],
        "Cannot validate: EPROTO (errno 71): mismatched sequence in netlink reply: got 2, want 1",
      ],
      ["OK matching sequence and PID", [1, 1], [[1, 1]], null],
      ["OK multicast messages (request all zero)", [0, 0], [[1, 0]], null],
      ["OK no PID assigned yet", [1, 0], [[1, 9999]], null],
      ["OK reply pid 0 (the kernel)", [1, 5], [[1, 0]], null],
      [
        "OK request sequence 0 skips the sequence check",
        [0, 5],
        [[77, 5]],
        null,
      ],
      ["OK no replies", [1, 1], [], null],
      [
        "unsigned 32-bit values compare exactly",
        [0xffffffff, 0],
        [[0xffffffff, 0], [0, 0]],
        "Cannot validate: EPROTO (errno 71): mismatched sequence in netlink reply: got 0, want 4294967295",
      ],
    ];
  for (const [name, [seq, pid], replies, want] of cases) {
    it(name, () => {
      const run = () => validate(m(seq, pid), replies.map(([s, p]) => m(s, p)));
      if (want === null) {
        run();
        return;
      }
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof NetlinkError);
        assert.ok(isNetlinkError(e));
        assert.equal(e.op, "validate");
        assert.equal(e.errno, 71);
        assert.equal(e.code, "EPROTO");
        assert.equal(e.sequence, seq);
        assert.equal(e.message, want);
        return true;
      });
    });
  }
});
