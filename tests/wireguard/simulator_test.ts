// The simulated wireguard family answering raw requests, as the kernel's
// drivers/net/wireguard/netlink.c does: lookup errors, the genetlink
// policy (with extended ACK) for device attributes, the strict per-peer
// parse (without), flags and versions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GenlConn } from "../../src/genetlink/mod.ts";
import {
  AttributeEncoder,
  AttributeFlags,
  Family,
  HeaderFlags,
  type NetlinkError,
} from "../../src/netlink/mod.ts";
import { SimKernel, wireguard } from "../../src/nltest/mod.ts";
import { getDevice, setDevice } from "../../src/families/wireguard.ts";
import {
  formatKey,
  generatePrivateKey,
  parseKey,
  publicKey,
} from "../../src/wireguard/mod.ts";

// WGDEVICE_A_*, WGPEER_A_*, WGALLOWEDIP_A_* (linux/wireguard.h): the
// requests below are built by hand on purpose, as a careless tool would.
const DEV = { IFINDEX: 1, IFNAME: 2, PRIVATE_KEY: 3, FLAGS: 5, PEERS: 8 };
const PEER = { PUBLIC_KEY: 1, FLAGS: 3, ALLOWEDIPS: 9, PROTOCOL_VERSION: 10 };
const AIP = { FAMILY: 1, IPADDR: 2, CIDR_MASK: 3 };
const NESTED = AttributeFlags.Nested;

function setup() {
  const kernel = wireguard.kernel();
  const sim = new wireguard.Simulator({ devices: [{ name: "wg0" }] });
  const { id } = sim.register(kernel);
  const genl = GenlConn.from(kernel.dial(Family.Generic));
  const index = kernel.rtnetlink.links().find((l) => l.name === "wg0")!.index;
  const send = (command: number, data: Uint8Array, dump = false) =>
    genl.execute(
      { header: { command, version: 1 }, data },
      id,
      HeaderFlags.Request | (dump ? HeaderFlags.Dump : HeaderFlags.Acknowledge),
    );
  const set = (build: (e: AttributeEncoder) => void) => {
    const e = new AttributeEncoder().string(DEV.IFNAME, "wg0");
    build(e);
    return send(setDevice.doRequest!, e.encode());
  };
  return { sim, genl, index, send, set };
}

async function errorOf(p: Promise<unknown>, what = ""): Promise<NetlinkError> {
  return await p.then(() => assert.fail(`no error ${what}`), (e) => e);
}

describe("simulated wireguard: device lookup", () => {
  it("wants exactly one of ifindex and ifname (EBADR)", async () => {
    const { genl, index, send } = await setup();
    await using _ = genl;
    const both = new AttributeEncoder().uint32(DEV.IFINDEX, index).string(
      DEV.IFNAME,
      "wg0",
    ).encode();
    assert.equal(
      (await errorOf(send(getDevice.dumpRequest!, both, true))).code,
      "EBADR",
    );
    assert.equal(
      (await errorOf(send(getDevice.dumpRequest!, new Uint8Array(), true)))
        .code,
      "EBADR",
    );
    const byIndex = new AttributeEncoder().uint32(DEV.IFINDEX, index).encode();
    assert.equal((await send(getDevice.dumpRequest!, byIndex, true)).length, 1);
  });

  it("has no do for get-device, no dump for set-device (EOPNOTSUPP)", async () => {
    const { genl, send } = await setup();
    await using _ = genl;
    const name = new AttributeEncoder().string(DEV.IFNAME, "wg0").encode();
    assert.equal(
      (await errorOf(send(getDevice.dumpRequest!, name))).code,
      "EOPNOTSUPP",
    );
    assert.equal(
      (await errorOf(send(setDevice.doRequest!, name, true))).code,
      "EOPNOTSUPP",
    );
  });
});

describe("simulated wireguard: set-device checks", () => {
  it("checks device attributes by the policy, with the kernel's extended ACK", async () => {
    const { genl, set, send } = await setup();
    await using _ = genl;
    let err = await errorOf(
      set((e) => e.bytes(DEV.PRIVATE_KEY, new Uint8Array(31))),
    );
    assert.equal(err.code, "ERANGE");
    assert.equal(err.extAck?.message, "binary attribute size out of range");
    assert.deepEqual(err.extAck?.attributePath, [DEV.PRIVATE_KEY]);
    err = await errorOf(
      send(
        setDevice.doRequest!,
        new AttributeEncoder().string(DEV.IFNAME, "x".repeat(16)).encode(),
      ),
    );
    assert.equal(err.code, "EINVAL");
    assert.equal(err.extAck?.message, "Attribute failed policy validation");
  });

  it("ignores unknown top-level attributes (liberal validation, as operations older than resv_start_op)", async () => {
    const { genl, set } = await setup();
    await using _ = genl;
    await set((e) => e.uint32(30, 1));
  });

  it("refuses unknown device flags with EOPNOTSUPP", async () => {
    const { genl, set } = await setup();
    await using _ = genl;
    assert.equal(
      (await errorOf(set((e) => e.uint32(DEV.FLAGS, 2)))).code,
      "EOPNOTSUPP",
    );
  });

  it("parses each peer strictly, without an extended ACK", async () => {
    const { genl, set, sim, send } = await setup();
    await using _ = genl;
    const key = parseKey(await publicKey(generatePrivateKey()));
    // AttributeEncoder.nested always sets NLA_F_NESTED; without it, the
    // nest is written as plain bytes.
    const peer =
      (inner: (e: AttributeEncoder) => void, flags: number = NESTED) =>
      (e: AttributeEncoder) =>
        e.nested(DEV.PEERS, (p) => {
          if (flags) p.nested(0, inner);
          else {
            const body = new AttributeEncoder();
            inner(body);
            p.bytes(0, body.encode());
          }
        });
    const cases: [string, (e: AttributeEncoder) => void, string][] = [
      [
        "a short public key",
        peer((p) => p.bytes(PEER.PUBLIC_KEY, key.subarray(1))),
        "ERANGE",
      ],
      ["no public key", peer((p) => p.uint32(PEER.FLAGS, 0)), "EINVAL"],
      [
        "a nest without NLA_F_NESTED",
        peer((p) => p.bytes(PEER.PUBLIC_KEY, key), 0),
        "EINVAL",
      ],
      [
        "an unknown peer attribute",
        peer((p) => p.bytes(PEER.PUBLIC_KEY, key).uint32(20, 1)),
        "EINVAL",
      ],
      [
        "unknown peer flags",
        peer((p) => p.bytes(PEER.PUBLIC_KEY, key).uint32(PEER.FLAGS, 8)),
        "EOPNOTSUPP",
      ],
      [
        "protocol version 2",
        peer((p) =>
          p.bytes(PEER.PUBLIC_KEY, key).uint32(PEER.PROTOCOL_VERSION, 2)
        ),
        "EPFNOSUPPORT",
      ],
      [
        "an IPv4 allowed IP of 16 bytes",
        peer((p) =>
          p.bytes(PEER.PUBLIC_KEY, key).nested(
            PEER.ALLOWEDIPS | NESTED,
            (a) =>
              a.nested(0 | NESTED, (x) =>
                x.uint16(AIP.FAMILY, 2).bytes(AIP.IPADDR, new Uint8Array(16))
                  .uint8(AIP.CIDR_MASK, 8)),
          )
        ),
        "EINVAL",
      ],
      [
        "a prefix length of 33",
        peer((p) =>
          p.bytes(PEER.PUBLIC_KEY, key).nested(
            PEER.ALLOWEDIPS | NESTED,
            (a) =>
              a.nested(0 | NESTED, (x) =>
                x.uint16(AIP.FAMILY, 2).bytes(AIP.IPADDR, new Uint8Array(4))
                  .uint8(AIP.CIDR_MASK, 33)),
          )
        ),
        "EINVAL",
      ],
      [
        "an allowed IP without its family",
        peer((p) =>
          p.bytes(PEER.PUBLIC_KEY, key).nested(
            PEER.ALLOWEDIPS | NESTED,
            (a) =>
              a.nested(0 | NESTED, (x) =>
                x.bytes(AIP.IPADDR, new Uint8Array(4)).uint8(AIP.CIDR_MASK, 8)),
          )
        ),
        "EINVAL",
      ],
    ];
    for (const [what, build, code] of cases) {
      const err = await errorOf(set(build), what);
      assert.equal(err.code, code, what);
      assert.equal(err.extAck?.message, undefined, what);
    }
    // As in the kernel, a new peer exists before its allowed IPs are
    // parsed: the refused allowed IPs above left it, without them.
    assert.deepEqual(sim.device("wg0")?.peers.map((p) => p.allowedIPs), [[]]);
    sim.addDevice({ name: "wg1" });
    // The peers before a refused one stay (the kernel applies them in turn).
    const other = parseKey(await publicKey(generatePrivateKey()));
    const data = new AttributeEncoder().string(DEV.IFNAME, "wg1")
      .nested(
        DEV.PEERS,
        (p) =>
          p.nested(0, (x) => x.bytes(PEER.PUBLIC_KEY, other))
            .nested(
              1,
              (x) =>
                x.bytes(PEER.PUBLIC_KEY, key).uint32(PEER.PROTOCOL_VERSION, 2),
            ),
      )
      .encode();
    assert.equal(
      (await errorOf(send(setDevice.doRequest!, data))).code,
      "EPFNOSUPPORT",
    );
    assert.deepEqual(sim.device("wg1")?.peers.map((p) => p.publicKey), [
      formatKey(other),
    ]);
  });
});

describe("simulated wireguard: state", () => {
  it("clamps the private key and derives the public key", async () => {
    const { genl, set, sim } = await setup();
    await using _ = genl;
    const raw = new Uint8Array(32).fill(0xff);
    await set((e) => e.bytes(DEV.PRIVATE_KEY, raw));
    const d = sim.device("wg0")!;
    const k = parseKey(d.privateKey!);
    assert.equal(k[0], 0xf8);
    assert.equal(k[31], 0x7f);
    assert.equal(d.publicKey, await publicKey(d.privateKey!));
  });

  it("drops a device whose link is deleted", () => {
    const kernel = wireguard.kernel();
    const sim = new wireguard.Simulator({ devices: [{ name: "wg0" }] });
    sim.register(kernel);
    kernel.rtnetlink.deleteLink("wg0");
    assert.equal(sim.device("wg0"), undefined);
  });

  it("needs the wireguard link kind in the kernel", () => {
    assert.throws(
      () =>
        new wireguard.Simulator({ devices: [{ name: "wg0" }] }).register(
          new SimKernel(),
        ),
      /no link kind "wireguard"/,
    );
  });

  it("refuses a device name another kind of link has", () => {
    const kernel = wireguard.kernel();
    kernel.rtnetlink.addLink({ name: "wg0" });
    assert.throws(
      () =>
        new wireguard.Simulator({ devices: [{ name: "wg0" }] }).register(
          kernel,
        ),
      /a link of kind "dummy" has the name/,
    );
  });

  it("refuses a dump message size under 512 bytes", () => {
    assert.throws(
      () => new wireguard.Simulator({ dumpMessageSize: 100 }),
      TypeError,
    );
  });
});
