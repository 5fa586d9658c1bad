import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeFamily,
  encodeFamily,
  type Family,
  OperationFlags,
} from "../../src/genetlink/mod.ts";
import { BIG_ENDIAN, hex, toHex } from "./_hex.ts";
import { genlReplies } from "./_fixtures.ts";

const empty = { headerSize: 0, maxAttribute: 0, operations: [], groups: [] };

describe("decodeFamily()", { skip: BIG_ENDIAN }, () => {
  // vectors.md §3.4 (Go TestConnGetFamily, TestConnFamilyList, TestFamily_parseAttributes)
  const cases: { name: string; attrs: string; want: Family }[] = [
    {
      name: "GetFamily reply",
      // deno-fmt-ignore
      attrs: "0b000200 6e6c6374 726c0000" + // FAMILY_NAME "nlctrl"
        "06000100 10000000" + //                  FAMILY_ID 0x10 (u16 + pad)
        "08000300 02000000", //                   VERSION 2
      want: { id: 0x10, name: "nlctrl", version: 2, ...empty },
    },
    {
      name: "nl80211 from the list",
      // deno-fmt-ignore
      attrs: "0c000200 6e6c3830 32313100" + // FAMILY_NAME "nl80211"
        "06000100 1a000000" + //                   FAMILY_ID 26
        "08000300 01000000", //                    VERSION 1
      want: { id: 26, name: "nl80211", version: 1, ...empty },
    },
    {
      name: "groups",
      // deno-fmt-ignore
      attrs: "06000100 10000000" + //           FAMILY_ID 16
        "0b000200 6e6c6374 726c0000" + //       FAMILY_NAME "nlctrl"
        "08000300 02000000" + //                VERSION 2
        "34000700" + //                         MCAST_GROUPS (52 bytes)
        "18000100 08000200 10000000" + //         [1] GRP_ID 16
        "0b000100 6e6f7469 66790000" + //             GRP_NAME "notify"
        "18000200 08000200 11000000" + //         [2] GRP_ID 17
        "0b000100 666f6f62 61720000", //              GRP_NAME "foobar"
      want: {
        id: 16,
        name: "nlctrl",
        version: 2,
        ...empty,
        groups: [{ id: 16, name: "notify" }, { id: 17, name: "foobar" }],
      },
    },
    {
      name: "nbd (real bytes from Merovius/nbd#18, vectors §7.1 source B)",
      // deno-fmt-ignore
      attrs: "08000200 6e626400 06000100 23000000 08000300 01000000 08000400 00000000 08000500 0a000000" +
        "54000600 14000100 08000100 01000000 08000200 0a000000 14000200 08000100 02000000 08000200 0a000000" +
        "14000300 08000100 03000000 08000200 0a000000 14000400 08000100 05000000 08000200 0a000000" +
        "24000700 20000100 08000200 0f000000 11000100 6e62645f 6d635f67 726f7570 00000000",
      want: {
        id: 35,
        name: "nbd",
        version: 1,
        headerSize: 0,
        maxAttribute: 10,
        operations: [{ id: 1, flags: 10 }, { id: 2, flags: 10 }, {
          id: 3,
          flags: 10,
        }, { id: 5, flags: 10 }],
        groups: [{ id: 15, name: "nbd_mc_group" }],
      },
    },
  ];
  for (const c of cases) {
    it(`decodes ${c.name}`, () => {
      assert.deepEqual(decodeFamily(hex(c.attrs)), c.want);
    });
  }

  it("rejects a version above 255 with RangeError", () => {
    assert.throws(() => decodeFamily(hex("08000300 ff010000")), {
      name: "RangeError",
      message: /version 511 is larger than 255/,
    });
  });

  it("rejects a family id that is not a u16 with RangeError", () => {
    assert.throws(() => decodeFamily(hex("08000100 10000000")), RangeError);
  });

  it("rejects a truncated attribute with RangeError", () => {
    assert.throws(() => decodeFamily(hex("0c000200 6e6c63")), RangeError);
  });

  it("decodes the real nlctrl reply (vectors §7.1, source A)", () => {
    const [m] = genlReplies("getfamily_nlctrl");
    assert.deepEqual(m!.header, { command: 1, version: 2 });
    assert.deepEqual(decodeFamily(m!.data), {
      id: 0x10,
      name: "nlctrl",
      version: 2,
      headerSize: 0,
      maxAttribute: 0,
      operations: [
        {
          id: 3,
          flags: OperationFlags.CanDo | OperationFlags.CanDump |
            OperationFlags.HasPolicy,
        },
        { id: 10, flags: OperationFlags.CanDump | OperationFlags.HasPolicy },
      ],
      groups: [{ id: 0x10, name: "notify" }],
    });
  });

  it("decodes the real ethtool reply", () => {
    const [m] = genlReplies("getfamily_ethtool");
    const f = decodeFamily(m!.data);
    assert.equal(f.name, "ethtool");
    assert.equal(f.version, 1);
    assert.ok(f.operations.length >= 40, `${f.operations.length} operations`);
    assert.ok(f.groups.some((g) => g.name === "monitor"));
  });
});

describe("encodeFamily()", { skip: BIG_ENDIAN }, () => {
  for (const name of ["getfamily_nlctrl", "getfamily_ethtool"]) {
    it(`re-encodes the real ${name} reply byte for byte`, () => {
      const [m] = genlReplies(name);
      assert.equal(toHex(encodeFamily(decodeFamily(m!.data))), toHex(m!.data));
    });
  }

  it("omits operations and groups when empty", () => {
    const f: Family = {
      id: 17,
      name: "VFS_DQUOT",
      version: 1,
      ...empty,
      maxAttribute: 7,
    };
    assert.deepEqual(decodeFamily(encodeFamily(f)), f);
    assert.equal(encodeFamily(f).length, 16 + 8 + 8 + 8 + 8);
  });

  it("rejects an id that does not fit a u16 with RangeError", () => {
    assert.throws(
      () => encodeFamily({ id: 70000, name: "x", version: 1, ...empty }),
      RangeError,
    );
  });
});
