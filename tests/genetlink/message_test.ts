import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ControllerAttribute,
  ControllerCommand,
  decodeGenlMessage,
  encodeGenlMessage,
  GENL_HEADER_LENGTH,
  GENL_ID_CTRL,
  OperationFlags,
} from "../../src/genetlink/mod.ts";
import { hex, toHex } from "./_hex.ts";

describe("constants", () => {
  it("match linux/genetlink.h", () => {
    assert.equal(GENL_ID_CTRL, 0x10);
    assert.equal(GENL_HEADER_LENGTH, 4);
    assert.equal(ControllerCommand.GetFamily, 3);
    assert.equal(ControllerCommand.GetPolicy, 10);
    assert.equal(ControllerAttribute.MulticastGroups, 7);
    assert.equal(ControllerAttribute.Operation, 10);
    assert.deepEqual(
      [
        OperationFlags.AdminPerm,
        OperationFlags.CanDo,
        OperationFlags.CanDump,
        OperationFlags.HasPolicy,
        OperationFlags.UnsAdminPerm,
      ],
      [1, 2, 4, 8, 16],
    );
  });
});

describe("encodeGenlMessage()", () => {
  // vectors.md §3.1 (Go TestMessageMarshal)
  const cases = [
    { name: "empty", command: 0, version: 0, data: "", want: "00000000" },
    { name: "no data", command: 1, version: 2, data: "", want: "01020000" },
    {
      name: "data",
      command: 1,
      version: 2,
      data: "0304",
      want: "010200000304",
    },
  ];
  for (const c of cases) {
    it(`encodes ${c.name}`, () => {
      const b = encodeGenlMessage({
        header: { command: c.command, version: c.version },
        data: hex(c.data),
      });
      assert.equal(toHex(b), c.want);
    });
  }
  it("rejects a command or version that is not a u8 with RangeError", () => {
    assert.throws(
      () =>
        encodeGenlMessage({
          header: { command: 256, version: 0 },
          data: new Uint8Array(),
        }),
      { name: "RangeError", message: /command 256 is not a u8/ },
    );
    assert.throws(
      () =>
        encodeGenlMessage({
          header: { command: 1, version: -1 },
          data: new Uint8Array(),
        }),
      RangeError,
    );
  });
});

describe("decodeGenlMessage()", () => {
  // vectors.md §3.1 (Go TestMessageUnmarshal)
  const bad = [
    {
      name: "empty",
      bytes: "",
      message: /0 bytes is shorter than the 4-byte header/,
    },
    { name: "short", bytes: "000000", message: /3 bytes is shorter/ },
    {
      name: "1st reserved set",
      bytes: "00000100",
      message: /reserved header byte is 1, not 0 at offset 2/,
    },
    {
      name: "2nd reserved set",
      bytes: "00000001",
      message: /reserved header byte is 1, not 0 at offset 3/,
    },
    { name: "both reserved set", bytes: "00000101", message: /at offset 2/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with RangeError`, () => {
      assert.throws(() => decodeGenlMessage(hex(c.bytes)), {
        name: "RangeError",
        message: c.message,
      });
    });
  }
  const good = [
    { name: "zero value", bytes: "00000000", command: 0, version: 0, data: "" },
    { name: "no data", bytes: "01020000", command: 1, version: 2, data: "" },
    {
      name: "data",
      bytes: "01020000 0304",
      command: 1,
      version: 2,
      data: "0304",
    },
  ];
  for (const c of good) {
    it(`decodes ${c.name}`, () => {
      const m = decodeGenlMessage(hex(c.bytes));
      assert.deepEqual(m.header, { command: c.command, version: c.version });
      assert.equal(toHex(m.data), c.data);
    });
  }
  it("round-trips encode(decode(x))", () => {
    const b = hex("0a02000006000100 10000000");
    assert.deepEqual(encodeGenlMessage(decodeGenlMessage(b)), b);
  });
});
