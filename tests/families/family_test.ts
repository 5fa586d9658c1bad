/**
 * The families runtime through its public API: encoding and its errors,
 * the spec's checks as PolicyError, decoding any message of a family, `.do`,
 * `.dump` and `.visit` over the simulated kernels (rtnetlink and a served
 * generic netlink family), group joins, display hints, lossless details.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  Family,
  HeaderFlags,
  isNetlinkError,
  type Message,
} from "../../src/netlink/mod.ts";
import { PolicyError } from "../../src/genetlink/mod.ts";
import { genltest, SimKernel } from "../../src/nltest/mod.ts";
import { decode, Operation, YnlFamily } from "../../src/families/mod.ts";
import * as rtLink from "../../src/families/rt_link.ts";
import * as rtRoute from "../../src/families/rt_route.ts";
import * as rtAddr from "../../src/families/rt_addr.ts";
import * as ethtool from "../../src/families/ethtool.ts";
import * as wireguard from "../../src/families/wireguard.ts";
import * as nlctrl from "../../src/families/nlctrl.ts";
import * as netdev from "../../src/families/netdev.ts";
import { formatIP, parseIP } from "../../src/families/_text.ts";
import { fromHex, hex } from "./_families.ts";

const message = (type: number, data: Uint8Array): Message => ({
  header: { length: 0, type, flags: 0, sequence: 0, pid: 0 },
  data,
});

describe("families: encoding", () => {
  it("writes the fixed header then the attributes in key order", () => {
    const m = rtRoute.newroute.encode({
      rtmFamily: 2,
      rtmDstLen: 24,
      rtmType: "unicast",
      dst: "192.0.2.0",
      oif: 7,
    });
    assert.equal(m.header.type, 24);
    assert.equal(m.header.flags, HeaderFlags.Request | HeaderFlags.Acknowledge);
    assert.equal(
      hex(m.data),
      "02180000000000010000000008000100c0000200080004000700000000".slice(
        0,
        2 * m.data.length,
      ),
    );
    assert.equal(m.data.length, 12 + 8 + 8);
  });

  it("names the path of a wrong key, type or range", () => {
    assert.throws(
      () => rtLink.newlink.encode({ ifname: "a", mtuu: 1 } as never),
      {
        name: "TypeError",
        message:
          "Cannot encode rt-link newlink request: mtuu: is not an attribute of link-attrs",
      },
    );
    assert.throws(
      () => rtLink.newlink.encode({ linkinfo: { kind: 7 } } as never),
      {
        name: "TypeError",
        message:
          "Cannot encode rt-link newlink request: linkinfo > kind: must be a string",
      },
    );
    assert.throws(() => rtLink.newlink.encode({ mtu: 2 ** 32 }), {
      name: "RangeError",
      message: /mtu: 4294967296 is not an integer from 0 to 4294967295/,
    });
    assert.throws(() => rtRoute.newroute.encode({ rtmType: "nope" as never }), {
      name: "TypeError",
      message: /rtmType: "nope" is not a name of the enum/,
    });
    assert.throws(
      () =>
        rtLink.newlink.encode({ linkinfo: { kind: "nosuchkind", data: {} } }),
      {
        name: "TypeError",
        message: /linkinfo > data: has no format for kind "nosuchkind"/,
      },
    );
  });

  it("refuses what the spec's checks forbid with a PolicyError naming the attribute path and the rule", () => {
    const err = (f: () => unknown): PolicyError => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof PolicyError, String(e));
        return e;
      }
      return assert.fail("no error");
    };
    const long = err(() =>
      wireguard.setDevice.encode({ ifname: "x".repeat(16) })
    );
    assert.deepEqual(long.attributePath, [2]);
    assert.equal(long.policyType, "NUL_STRING");
    assert.equal(
      long.message,
      "Cannot encode wireguard set-device request: attribute ifname (2, NUL_STRING) breaks the policy: length 16 is more than max len 15",
    );
    const key = err(() =>
      wireguard.setDevice.encode({
        ifname: "wg0",
        peers: [{ publicKey: new Uint8Array(31) }],
      })
    );
    assert.deepEqual(key.attributePath, [8, 1, 1]);
    assert.match(
      key.message,
      /attribute peers > 0 > publicKey \(8 > 1 > 1, BINARY\) breaks the policy: length 31 is not 32 bytes/,
    );
    // Accepted at the limit; replies (the kernel's side) are not checked.
    wireguard.setDevice.encode({ ifname: "x".repeat(15) });
    wireguard.getDevice.encodeReply({ ifname: "x".repeat(20) });
  });

  it("takes a safe number for a 64-bit value and writes uint in 4 bytes when it fits", () => {
    // netdev page-pool id is a uint: 8 bytes only past 2^32 - 1 (nla_put_uint).
    // (A request's id is checked against the spec's max u32; a reply is not.)
    const small = netdev.pagePoolGet.encodeReply({ id: 7n });
    const big = netdev.pagePoolGet.encodeReply({ id: 2n ** 40n });
    assert.equal(big.data.length - small.data.length, 4);
    assert.equal(netdev.pagePoolGet.decode(big).id, 2n ** 40n);
    assert.throws(
      () => netdev.pagePoolGet.encode({ id: 2n ** 40n }),
      PolicyError,
    );
    // IFLA_MAP's u64 members take a number too, and decode as bigint.
    const m = rtLink.getlink.encodeReply({
      map: {
        memStart: 5 as unknown as bigint,
        memEnd: 0n,
        baseAddr: 0n,
        irq: 1,
        dma: 2,
        port: 3,
      },
    });
    assert.equal(rtLink.getlink.decode(m).map?.memStart, 5n);
    assert.throws(
      () =>
        rtLink.getlink.encodeReply({
          map: {
            memStart: 1.5 as unknown as bigint,
            memEnd: 0n,
            baseAddr: 0n,
            irq: 1,
            dma: 2,
            port: 3,
          },
        }),
      RangeError,
    );
  });
});

describe("families: decoding", () => {
  it("gives one object: header members and attributes side by side, names and text", () => {
    const m = rtRoute.getroute.encodeReply({
      rtmFamily: 10,
      rtmDstLen: 64,
      rtmTable: 254,
      rtmType: "unicast",
      dst: "2001:db8::",
      gateway: "fe80::1",
      oif: 2,
    });
    assert.deepEqual(rtRoute.getroute.decode(m), {
      rtmFamily: 10,
      rtmDstLen: 64,
      rtmSrcLen: 0,
      rtmTos: 0,
      rtmTable: 254,
      rtmProtocol: 0,
      rtmScope: 0,
      rtmType: "unicast",
      rtmFlags: 0,
      dst: "2001:db8::",
      gateway: "fe80::1",
      oif: 2,
    });
  });

  it("keeps attributes the spec does not know and re-encodes them in place", () => {
    const body = new AttributeEncoder()
      .string(3, "eth0") // IFLA_IFNAME
      .uint32(900, 7) // not in the spec
      .uint32(4, 1500) // IFLA_MTU
      .encode();
    const data = new Uint8Array(16 + body.length);
    data.set(body, 16);
    const v = rtLink.getlink.decode(message(16, data));
    assert.deepEqual(v.unknownAttributes, [{
      type: 900,
      data: new Uint8Array([7, 0, 0, 0]),
    }]);
    assert.equal(v.mtu, 1500);
    assert.equal(hex(rtLink.getlink.encodeReply(v).data), hex(data));
  });

  it("copies binary values and unknown attributes out of the message bytes", () => {
    const body = new AttributeEncoder()
      .bytes(34, new Uint8Array([1, 2, 3])) // IFLA_PHYS_PORT_ID
      .uint16(900, 7) // not in the spec
      .bytes(36, new Uint8Array(600).fill(5)) // IFLA_PHYS_SWITCH_ID, a long one
      .encode();
    const data = new Uint8Array(16 + body.length);
    data.set(body, 16);
    const v = rtLink.getlink.decode(message(16, data));
    const again = rtLink.getlink.decode(message(16, data));
    data.fill(0xff);
    assert.deepEqual(v.physPortId, new Uint8Array([1, 2, 3]));
    assert.deepEqual(v.physSwitchId, new Uint8Array(600).fill(5));
    v.physPortId![0] = 9;
    v.unknownAttributes![0]!.data[0] = 9;
    assert.deepEqual(again.physPortId, new Uint8Array([1, 2, 3]));
    assert.deepEqual(again.unknownAttributes, [{
      type: 900,
      data: new Uint8Array([7, 0]),
    }]);
  });

  it("reproduces nests sent without NLA_F_NESTED and indexes that are not 1, 2, 3", () => {
    // IFLA_LINKINFO without the flag, holding IFLA_INFO_KIND "veth".
    const data = fromHex(
      "00000000000000000000000000000000" + "10001200" + "09000100" +
        "7665746800000000",
    );
    const v = rtLink.getlink.decode(message(16, data));
    assert.deepEqual(v.linkinfo, { kind: "veth" });
    assert.equal(hex(rtLink.getlink.encodeReply(v).data), hex(data));
    // nlctrl ops as an indexed-array starting at 0 (the kernel counts from 1).
    const ops = new AttributeEncoder().nested(6, (e) => {
      e.nested(0, (x) => x.uint32(1, 3));
      e.nested(1, (x) => x.uint32(1, 10));
    }).encode();
    const genl = new Uint8Array(4 + ops.length);
    genl.set([1, 2, 0, 0]);
    genl.set(ops, 4);
    const f = nlctrl.getfamily.decode(message(0x10, genl));
    assert.deepEqual(f.ops, [{ id: 3 }, { id: 10 }]);
    assert.equal(
      hex(nlctrl.getfamily.encodeReply(f).data.subarray(4)),
      hex(ops),
    );
  });

  it("decodes any message of a family by type: notifications, replies, requests", () => {
    const ntf = rtLink.newlinkNtf.encodeReply({ ifiIndex: 3, ifname: "veth0" });
    assert.equal(decode(rtLink.family, ntf)?.op, "newlinkNtf");
    const del = rtLink.dellink.encode({ ifname: "veth0" });
    assert.equal(decode(rtLink.family, del)?.op, "dellink");
    assert.equal(
      decode(rtLink.family, message(2, new Uint8Array(20))),
      undefined,
    ); // an error message
    const reply = ethtool.linkinfoGet.encodeReply({
      header: { devName: "veth0" },
      port: 0,
    }, { familyId: 0x15 });
    const d = decode(ethtool.family, reply);
    assert.equal(d?.op, "linkinfoGet");
    assert.deepEqual(d?.value, { header: { devName: "veth0" }, port: 0 });
  });

  it("refuses malformed bytes with RangeError saying what and where", () => {
    assert.throws(
      () =>
        rtLink.getlink.decode(
          message(16, fromHex("00".repeat(16) + "0800030065")),
        ),
      {
        name: "RangeError",
        message:
          /^Cannot decode rt-link getlink reply: attribute: length 8 exceeds the 5 bytes left at offset 16$/,
      },
    );
    assert.throws(
      () => ethtool.linkinfoGet.decode(message(0x15, new Uint8Array(2))),
      RangeError,
    );
    assert.throws(() => rtLink.getlink.decode({} as Message), TypeError);
  });
});

describe("families: display hints", () => {
  it("writes IPv6 as RFC 5952 and reads what it writes", () => {
    const cases: [string, string][] = [
      ["00000000000000000000000000000001", "::1"],
      ["20010db8000000000000000000000000", "2001:db8::"],
      ["20010db8000000010000000000000001", "2001:db8:0:1::1"],
      ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
      ["fe800000000000000000000000000001", "fe80::1"],
      ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
      ["20010db8000100010001000100010001", "2001:db8:1:1:1:1:1:1"],
      ["c0000201", "192.0.2.1"],
      ["0102", "0x0102"],
    ];
    for (const [h, text] of cases) {
      const b = fromHex(h);
      assert.equal(formatIP(b, 0, b.length), text);
      assert.equal(hex(parseIP(text)!), h);
    }
    assert.equal(parseIP("1.2.3"), undefined);
    assert.equal(parseIP("1:2:3"), undefined);
    assert.equal(parseIP("1::2::3"), undefined);
  });
});

describe("families: operations over simulated kernels", () => {
  it("creates a bridge and a veth pair (peer through the sub-message), lists and deletes them", async () => {
    await using conn = new SimKernel().dial(Family.Route);
    await rtLink.newlink.do(conn, {
      ifname: "br0",
      linkinfo: { kind: "bridge" },
    }, { create: true, excl: true });
    await assert.rejects(
      rtLink.newlink.do(conn, { ifname: "br0", linkinfo: { kind: "bridge" } }, {
        create: true,
        excl: true,
      }),
      (e) =>
        isNetlinkError(e) && e.code === "EEXIST" &&
        e.message.startsWith("Cannot do rt-link newlink: EEXIST"),
    );
    const names: string[] = [];
    for await (const l of rtLink.getlink.dump(conn, {})) names.push(l.ifname!);
    assert.deepEqual(names, ["lo", "br0"]);
    let n = 0;
    assert.equal(await rtLink.getlink.visit(conn, {}, () => n++), 2);
    assert.equal(n, 2);
    const br = await rtLink.getlink.do(conn, { ifname: "br0" });
    assert.equal(br.linkinfo?.kind, "bridge");
    await rtLink.dellink.do(conn, { ifname: "br0" });
  });

  it("encodes the veth peer as VETH_INFO_PEER: ifinfomsg then the peer's attributes", () => {
    const m = rtLink.newlink.encode({
      ifname: "a",
      linkinfo: { kind: "veth", data: { peer: { ifname: "b" } } },
    });
    const v = rtLink.newlink.decodeRequest(m);
    assert.deepEqual(v.linkinfo, {
      kind: "veth",
      data: {
        peer: {
          ifiFamily: 0,
          ifiType: 0,
          ifiIndex: 0,
          ifiFlags: [],
          ifiChange: 0,
          ifname: "b",
        },
      },
    });
    // IFLA_INFO_DATA (nested) { VETH_INFO_PEER (1, no NLA_F_NESTED after a
    // fixed header): 16 bytes of ifinfomsg, IFLA_IFNAME "b" }
    assert.ok(
      hex(m.data).endsWith(
        `200002801c000100${"00".repeat(16)}0600030062000000`,
      ),
      hex(m.data),
    );
  });

  it("resolves a generic netlink family once per connection and runs do and dump", async () => {
    let lookups = 0;
    const served = {
      id: 0x21,
      name: "ethtool",
      version: 1,
      headerSize: 0,
      maxAttribute: 40,
      operations: [{ id: 2, flags: 0 }],
      groups: [{ id: 9, name: "monitor" }],
    };
    const kernel = genltest.serveFamily(served, (g) => {
      if (g.header.command !== ethtool.linkinfoGet.doRequest) return [];
      const req = ethtool.linkinfoGet.decodeRequest({
        header: { length: 0, type: 0x21, flags: 0, sequence: 0, pid: 0 },
        data: new Uint8Array([2, 1, 0, 0, ...g.data]),
      });
      const reply = ethtool.linkinfoGet.encodeReply({
        header: req.header ?? {},
        port: 7,
      });
      return [{
        header: { command: ethtool.linkinfoGet.doReply!, version: 1 },
        data: reply.data.subarray(4),
      }];
    });
    await using conn = genltest.dial((g, m) => {
      if (m.header.type === 0x10) lookups++;
      return kernel(g, m);
    });
    const r = await ethtool.linkinfoGet.do(conn, {
      header: { devName: "veth0" },
    });
    assert.deepEqual(r, { header: { devName: "veth0" }, port: 7 });
    const all = [];
    for await (const x of ethtool.linkinfoGet.dump(conn, {})) all.push(x);
    assert.deepEqual(all, [{ header: {}, port: 7 }]);
    assert.equal(lookups, 1);
    await ethtool.family.joinGroup(conn, "monitor");
    await assert.rejects(ethtool.family.joinGroup(conn, "nope"), TypeError);
  });

  it("refuses a connection of the wrong kind and operations the spec lacks", async () => {
    await using conn = new SimKernel().dial(Family.Route);
    await assert.rejects(
      ethtool.linkinfoGet.do(conn as never, {}),
      /conn must be a GenlConn/,
    );
    await assert.rejects(
      rtLink.newlinkNtf.do(conn, {}),
      /the spec defines no do/,
    );
    await assert.rejects(
      rtLink.newlink.visit(conn, {}, () => {}),
      /the spec defines no dump/,
    );
    assert.throws(() => rtLink.newlinkNtf.encode({}), /it is a notification/);
    assert.throws(() => rtLink.newlink.encodeReply({}), /ACK only/);
    await rtLink.family.joinGroup(conn, "rtnlgrp-link");
  });

  it("describes its family", () => {
    assert.ok(rtLink.family instanceof YnlFamily);
    assert.ok(rtLink.getlink instanceof Operation);
    assert.deepEqual(
      [
        rtLink.getlink.doRequest,
        rtLink.getlink.doReply,
        rtLink.getlink.dumpRequest,
        rtLink.getlink.dumpReply,
      ],
      [18, 16, 18, 16],
    );
    assert.equal(ethtool.family.protocol, "genetlink-legacy");
    assert.equal(ethtool.family.genl, true);
    assert.equal(rtLink.family.operation("getlink"), rtLink.getlink);
    assert.throws(() => rtLink.family.operation("nope"), TypeError);
    assert.equal(
      rtAddr.family.groups.find((g) => g.name === "rtnlgrp-ipv4-ifaddr")?.value,
      5,
    );
  });
});

describe("families: generic netlink messages from GenlConn", () => {
  it("decode() and .decode() take a GenlMessage (genl header decoded) as well as a netlink Message", () => {
    const m = ethtool.linkinfoNtf.encodeReply({
      header: { devIndex: 2, devName: "eth0" },
      port: 0,
    }, { familyId: 0x20 });
    const genlMessage = {
      header: { command: m.data[0]!, version: m.data[1]! },
      data: m.data.subarray(4),
    };
    assert.deepEqual(
      decode(ethtool.family, genlMessage),
      decode(ethtool.family, m),
    );
    assert.equal(decode(ethtool.family, genlMessage)?.op, "linkinfoNtf");
    assert.deepEqual(ethtool.linkinfoNtf.decode(genlMessage), {
      header: { devIndex: 2, devName: "eth0" },
      port: 0,
    });
  });

  it("carries the spec's operation flags and dont-validate", () => {
    assert.deepEqual(wireguard.setDevice.flags, ["uns-admin-perm"]);
    assert.deepEqual(ethtool.linkinfoGet.flags, []);
    assert.ok(nlctrl.getfamily.dontValidate.length === 0);
  });
});

describe("families: sub-messages", () => {
  it("chooses a format by a selector in an enclosing nest (tc stats2 > app by kind), with its fixed header", async () => {
    const tc = await import("../../src/families/tc.ts");
    const value = {
      family: 0,
      ifindex: 2,
      kind: "codel",
      stats2: {
        app: {
          maxpacket: 1514,
          count: 3,
          lastcount: 2,
          ldelay: 100,
          dropNext: -5,
          dropOverlimit: 0,
          ecnMark: 1,
          dropping: 0,
          ceMark: 7,
        },
      },
    };
    const m = tc.getqdisc.encodeReply(value);
    const back = tc.getqdisc.decode(m);
    assert.deepEqual(back.stats2, value.stats2);
    assert.equal(back.kind, "codel");
    // Without the selector the format cannot be chosen.
    assert.throws(
      () => tc.getqdisc.encodeReply({ stats2: { app: {} } } as never),
      /needs kind to choose its format/,
    );
  });

  it("decodes a sub-message sent before its selector, keeping the attribute order", () => {
    // IFLA_LINKINFO { IFLA_INFO_DATA (bridge: IFLA_BR_STP_STATE 1) before IFLA_INFO_KIND "bridge" }
    const body = new AttributeEncoder().nested(18, (e) => {
      e.nested(2, (d) => d.uint32(5, 1));
      e.string(1, "bridge");
    }).encode();
    const data = new Uint8Array(16 + body.length);
    data.set(body, 16);
    const v = rtLink.getlink.decode(message(16, data));
    assert.deepEqual(v.linkinfo, { data: { stpState: 1 }, kind: "bridge" });
    assert.deepEqual(Object.keys(v.linkinfo!), ["data", "kind"]);
    assert.equal(hex(rtLink.getlink.encodeReply(v).data), hex(data));
  });

  it("keeps link kind data of a kind the spec lacks as an unknown attribute", () => {
    const body = new AttributeEncoder().nested(18, (e) => {
      e.string(1, "wireguard");
      e.nested(2, (d) => d.uint32(1, 9));
    }).encode();
    const data = new Uint8Array(16 + body.length);
    data.set(body, 16);
    const v = rtLink.getlink.decode(message(16, data));
    assert.equal(v.linkinfo?.kind, "wireguard");
    assert.equal(v.linkinfo?.data, undefined);
    assert.equal(v.linkinfo?.unknownAttributes?.[0]?.type, 0x8002);
    assert.equal(hex(rtLink.getlink.encodeReply(v).data), hex(data));
  });
});
