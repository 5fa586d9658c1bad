import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  HeaderFlags,
  HeaderType,
  type Message,
} from "../../src/netlink/mod.ts";
import { multipart } from "../../src/nltest/mod.ts";

const m = (length: number, data: number[] = []): Message => ({
  header: { length, type: 0, flags: 0, sequence: 0, pid: 0 },
  data: new Uint8Array(data),
});

describe("multipart", () => {
  // vectors §1.12 inputs. Go's Multipart turns the LAST message into the DONE (and leaves a single
  // message unchanged); ours flags every message Multi and APPENDS a DONE, so no dummy is needed.
  const cases: { name: string; input: Message[]; types: number[] }[] = [
    {
      name: "none: a lone DONE (an empty dump)",
      input: [],
      types: [HeaderType.Done],
    },
    {
      name: "one message",
      input: [m(20, [0xff, 0xff, 0xff, 0xff])],
      types: [0, HeaderType.Done],
    },
    {
      name: "two messages",
      input: [m(20, [0xff, 0xff, 0xff, 0xff]), m(16)],
      types: [0, 0, HeaderType.Done],
    },
    {
      name: "three messages",
      input: [m(20, [1, 2, 3, 4]), m(24, [1, 2, 3, 4, 5, 6, 7, 8]), m(16)],
      types: [0, 0, 0, HeaderType.Done],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = multipart(c.input);
      assert.deepEqual(out.map((x) => x.header.type), c.types);
      for (const x of out) {
        assert.equal(x.header.flags & HeaderFlags.Multi, HeaderFlags.Multi);
      }
      for (let i = 0; i < c.input.length; i++) {
        assert.deepEqual(out[i]!.data, c.input[i]!.data);
        assert.equal(out[i]!.header.length, c.input[i]!.header.length);
      }
      const done = out[out.length - 1]!;
      assert.deepEqual(
        [...done.data],
        [0, 0, 0, 0],
        "DONE carries errno 0 like Linux",
      );
    });
  }

  it("does not modify its input", () => {
    const input = [m(16)];
    multipart(input);
    assert.equal(input[0]!.header.flags, 0);
  });
});
