// The WireGuard client against its simulated twin (nltest's wireguard):
// `want` first, the simulated kernel seeded from it, requests checked.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConfigureError,
  type Device,
  formatAllowedIP,
  generatePresharedKey,
  generatePrivateKey,
  parseAllowedIP,
  publicKey,
  WireGuard,
} from "../../src/wireguard/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import {
  Family,
  HeaderFlags,
  isNetlinkError,
  isNotExist,
  type NetlinkError,
  parseMessages,
} from "../../src/netlink/mod.ts";
import {
  DEFAULT_LINK_KINDS,
  SimKernel,
  wireguard,
} from "../../src/nltest/mod.ts";
import { getDevice, setDevice } from "../../src/families/wireguard.ts";

async function keys(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await publicKey(generatePrivateKey()));
  return out;
}

/** A kernel that traces datagrams, with the simulator registered. */
function traced(sim: wireguard.Simulator): {
  kernel: SimKernel;
  id: number;
  open: (options?: { maxMessageSize?: number }) => Promise<WireGuard>;
} {
  const kernel = new SimKernel({
    trace: true,
    linkKinds: { ...DEFAULT_LINK_KINDS, wireguard: wireguard.LINK_KIND },
  });
  const { id } = sim.register(kernel);
  return {
    kernel,
    id,
    open: (options = {}) =>
      WireGuard.open({
        conn: GenlConn.from(kernel.dial(Family.Generic)),
        route: kernel.dial(Family.Route),
        ...options,
      }),
  };
}

describe("WireGuard.device()", () => {
  it("reads what the kernel holds: keys, port, mark, peers", async () => {
    const privateKey = generatePrivateKey();
    const [p1, p2] = await keys(2);
    const psk = generatePresharedKey();
    const want: Device = {
      name: "wg0",
      index: 2,
      privateKey,
      publicKey: await publicKey(privateKey),
      listenPort: 51820,
      firewallMark: 0x2a,
      peers: [
        {
          publicKey: p1!,
          presharedKey: psk,
          endpoint: "192.0.2.1:51820",
          persistentKeepalive: 25,
          lastHandshake: new Date(1_700_000_000_123),
          lastHandshakeNs: 1_700_000_000_123_000_000n,
          rxBytes: 123n,
          txBytes: 456n,
          allowedIPs: ["10.0.0.2/32", "fd00::2/128"],
          protocolVersion: 1,
        },
        {
          publicKey: p2!,
          endpoint: "[2001:db8::1]:443",
          persistentKeepalive: 0,
          lastHandshakeNs: 0n,
          rxBytes: 0n,
          txBytes: 0n,
          allowedIPs: [],
          protocolVersion: 1,
        },
      ],
    };
    // The private key the client generated is clamped already, so the
    // kernel (which clamps) reports it unchanged.
    await using wg = await WireGuard.open(wireguard.dial({
      devices: [{
        name: want.name,
        privateKey,
        listenPort: want.listenPort,
        firewallMark: want.firewallMark,
        peers: want.peers.map((p) => {
          const s: wireguard.SimPeer = {
            publicKey: p.publicKey,
            allowedIPs: p.allowedIPs,
            persistentKeepalive: p.persistentKeepalive,
            lastHandshake: p.lastHandshakeNs,
            rxBytes: p.rxBytes,
            txBytes: p.txBytes,
          };
          if (p.presharedKey) s.presharedKey = p.presharedKey;
          if (p.endpoint) s.endpoint = p.endpoint;
          return s;
        }),
      }],
    }));
    assert.deepEqual(await wg.device("wg0"), want);
    assert.deepEqual(await wg.device(2), want);
    assert.deepEqual(await wg.devices(), [want]);
  });

  it("merges a device whose dump spans many messages", async () => {
    const peers = await keys(30);
    const want = peers.map((k, i) => ({
      publicKey: k,
      allowedIPs: Array.from(
        { length: i % 7 === 0 ? 60 : 3 },
        (_, j) =>
          formatAllowedIP(
            parseAllowedIP(i % 2 ? `10.${i}.${j}.0/24` : `fd00:${i}:${j}::/48`),
          ),
      ),
    }));
    const size = 1024;
    const sim = new wireguard.Simulator({
      devices: [{ name: "wg0", privateKey: generatePrivateKey(), peers: want }],
      dumpMessageSize: size,
    });
    const { kernel, id, open } = traced(sim);
    await using wg = await open();
    const got = await wg.device("wg0");
    assert.deepEqual(
      got.peers.map((p) => ({
        publicKey: p.publicKey,
        allowedIPs: p.allowedIPs,
      })),
      want,
    );
    // The kernel's way: many messages, none over the size, the device
    // attributes in the first only, a peer repeated when it continues.
    const replies = kernel.trace.filter((t) => t.direction === "reply")
      .flatMap((t) => parseMessages(t.data))
      .filter((m) => m.header.type === id); // not nlctrl's, not NLMSG_DONE
    assert.ok(replies.length > 5, `${replies.length} messages`);
    const decoded = replies.map((m) => {
      assert.ok(m.header.length <= size, `message of ${m.header.length} bytes`);
      assert.ok(m.header.flags & HeaderFlags.Multi);
      return getDevice.decode(m);
    });
    assert.equal(decoded[0]!.ifname, "wg0");
    assert.ok(decoded[0]!.privateKey);
    // Linux repeats the device attributes until a first peer is complete
    // (its dump cursor is the last complete peer): peer 0 has 60 IPv6
    // prefixes, more than one message holds.
    const named = decoded.filter((d) => d.ifname !== undefined).length;
    assert.ok(named > 1);
    assert.ok(decoded.slice(0, named).every((d) => d.ifname === "wg0"));
    assert.ok(decoded.slice(named).every((d) => d.ifname === undefined));
    for (const d of decoded.slice(0, named - 1)) {
      assert.equal(d.peers?.length, 1);
    }
    const continued = decoded.slice(1).filter((d) =>
      d.peers?.[0]?.presharedKey === undefined
    );
    assert.ok(continued.length > 0, "a peer continued in a later message");
    for (const d of continued) {
      assert.deepEqual(Object.keys(d.peers![0]!), ["publicKey", "allowedips"]);
    }
  });

  it("answers ENOENT for an unknown device, naming it", async () => {
    await using wg = await WireGuard.open(wireguard.dial());
    const err: NetlinkError = await wg.device("wg9").then(
      () => assert.fail("no error"),
      (e) => e,
    );
    assert.ok(isNotExist(err));
    assert.ok(isNetlinkError(err));
    assert.equal(
      err.message,
      "Cannot get wireguard device wg9: ENOENT (errno 2): no such device (the kernel answered ENODEV)",
    );
    assert.equal((err.cause as NetlinkError).code, "ENODEV");
    await assert.rejects(wg.device(77), /device index 77/);
  });

  it("answers EOPNOTSUPP for a link that is not a WireGuard device", async () => {
    const kernel = wireguard.kernel();
    kernel.rtnetlink.addLink({ name: "eth0" });
    new wireguard.Simulator({ devices: [{ name: "wg0" }] }).register(kernel);
    await using wg = await WireGuard.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
      route: kernel.dial(Family.Route),
    });
    await assert.rejects(wg.device("eth0"), {
      code: "EOPNOTSUPP",
      message: /^Cannot get wireguard device eth0: .*not a WireGuard device/,
    });
    assert.deepEqual((await wg.devices()).map((d) => d.name), ["wg0"]);
  });

  it("refuses bad names and indexes before sending", async () => {
    await using wg = await WireGuard.open(wireguard.dial());
    for (const ref of ["", "a-very-long-interface-name", 0, -1, 1.5, null]) {
      await assert.rejects(
        wg.device(ref as string),
        (e: Error) =>
          e.name === "TypeError" &&
          e.message.startsWith("Cannot get wireguard device"),
      );
    }
  });

  it("answers EPERM without CAP_NET_ADMIN", async () => {
    await using wg = await WireGuard.open(
      wireguard.dial({ devices: [{ name: "wg0" }], privileged: false }),
    );
    await assert.rejects(wg.device("wg0"), {
      code: "EPERM",
      message: /wg0.*CAP_NET_ADMIN/,
    });
    await assert.rejects(
      wg.configure("wg0", { listenPort: 1 }),
      (e: Error) =>
        e instanceof ConfigureError && e.code === "EPERM" &&
        e.messageIndex === 0 &&
        e.applied.length === 0,
    );
  });
});

describe("WireGuard.open()", () => {
  it("says the kernel has no wireguard family (isNotExist)", async () => {
    await using conn = GenlConn.from(new SimKernel().dial(Family.Generic));
    await assert.rejects(
      WireGuard.open({ conn }),
      (e: Error) => isNotExist(e) && /no wireguard family/.test(e.message),
    );
  });

  it("refuses a bad message size", async () => {
    for (const maxMessageSize of [0, 100, 511, 1.5, 1 << 21]) {
      await assert.rejects(
        WireGuard.open({ ...wireguard.dial(), maxMessageSize }),
        TypeError,
      );
    }
  });

  it("needs a route connection for devices() when given a conn", async () => {
    const kernel = wireguard.kernel();
    new wireguard.Simulator().register(kernel);
    await using wg = await WireGuard.open({
      conn: GenlConn.from(kernel.dial(Family.Generic)),
    });
    await assert.rejects(wg.devices(), /no route connection/);
  });

  it("is unusable once closed", async () => {
    const wg = await WireGuard.open(
      wireguard.dial({ devices: [{ name: "wg0" }] }),
    );
    await wg.close();
    await wg.close();
    await assert.rejects(wg.device("wg0"), { code: "EBADF" });
  });
});

describe("WireGuard.configure()", () => {
  it("sets the device and peers, and the kernel holds them", async () => {
    const sim = new wireguard.Simulator({ devices: [{ name: "wg0" }] });
    await using wg = await WireGuard.open(wireguard.dial(sim));
    const privateKey = generatePrivateKey();
    const [p1, p2] = await keys(2);
    const psk = generatePresharedKey();
    await wg.configure("wg0", {
      privateKey,
      listenPort: 51820,
      firewallMark: 7,
      peers: [
        {
          publicKey: p1!,
          presharedKey: psk,
          endpoint: "192.0.2.1:51820",
          allowedIPs: ["10.0.0.0/24"],
          persistentKeepalive: 25,
        },
        { publicKey: p2!, allowedIPs: ["fd00::/64", "10.9.0.1"] },
      ],
    });
    // The request, as the kernel received it.
    assert.equal(sim.setRequests.length, 1);
    const r = sim.setRequests[0]!;
    assert.deepEqual(Object.keys(r), [
      "ifname",
      "privateKey",
      "listenPort",
      "fwmark",
      "peers",
    ]);
    assert.equal(r.peers?.[0]?.persistentKeepaliveInterval, 25);
    assert.deepEqual(r.peers?.[1]?.allowedips, [
      { family: 10, ipaddr: "fd00::", cidrMask: 64 },
      { family: 2, ipaddr: "10.9.0.1", cidrMask: 32 },
    ]);
    const d = await wg.device("wg0");
    assert.equal(d.privateKey, privateKey);
    assert.equal(d.publicKey, await publicKey(privateKey));
    assert.deepEqual([d.listenPort, d.firewallMark], [51820, 7]);
    assert.deepEqual(
      d.peers.map((
        p,
      ) => [
        p.publicKey,
        p.presharedKey,
        p.endpoint,
        p.allowedIPs,
        p.persistentKeepalive,
      ]),
      [
        [p1, psk, "192.0.2.1:51820", ["10.0.0.0/24"], 25],
        [p2, undefined, undefined, ["fd00::/64", "10.9.0.1/32"], 0],
      ],
    );
    assert.deepEqual(sim.device("wg0"), d);
  });

  it("replaces, updates and removes peers and allowed IPs as the kernel does", async () => {
    const [a, b, c] = await keys(3);
    await using wg = await WireGuard.open(wireguard.dial({
      devices: [{
        name: "wg0",
        peers: [
          { publicKey: a!, allowedIPs: ["10.0.0.1/32", "10.0.1.0/24"] },
          { publicKey: b!, allowedIPs: ["10.0.2.0/24"] },
        ],
      }],
    }));
    // A prefix given to another peer moves to it.
    await wg.configure("wg0", {
      peers: [{ publicKey: b!, allowedIPs: ["10.0.0.1/32"] }],
    });
    let d = await wg.device("wg0");
    assert.deepEqual(d.peers.map((p) => p.allowedIPs), [["10.0.1.0/24"], [
      "10.0.2.0/24",
      "10.0.0.1/32",
    ]]);
    // replaceAllowedIPs, updateOnly on a missing peer, remove.
    await wg.configure("wg0", {
      peers: [
        {
          publicKey: a!,
          replaceAllowedIPs: true,
          allowedIPs: ["192.0.2.0/24"],
        },
        { publicKey: c!, updateOnly: true, allowedIPs: ["198.51.100.0/24"] },
        { publicKey: b!, remove: true },
      ],
    });
    d = await wg.device("wg0");
    assert.deepEqual(d.peers.map((p) => [p.publicKey, p.allowedIPs]), [[a, [
      "192.0.2.0/24",
    ]]]);
    // replacePeers
    await wg.configure("wg0", {
      replacePeers: true,
      peers: [{ publicKey: c! }],
    });
    d = await wg.device("wg0");
    assert.deepEqual(d.peers.map((p) => p.publicKey), [c]);
    // Removing the private key, and a preshared key.
    await wg.configure("wg0", {
      privateKey: generatePrivateKey(),
      peers: [{ publicKey: c!, presharedKey: generatePresharedKey() }],
    });
    await wg.configure("wg0", {
      privateKey: null,
      peers: [{ publicKey: c!, presharedKey: null }],
    });
    d = await wg.device("wg0");
    assert.equal(d.privateKey, undefined);
    assert.equal(d.publicKey, undefined);
    assert.equal(d.peers[0]?.presharedKey, undefined);
  });

  it("ignores a peer with the device's own public key, and removes one when the key changes", async () => {
    const priv = generatePrivateKey();
    const own = await publicKey(priv);
    const [other] = await keys(1);
    await using wg = await WireGuard.open(
      wireguard.dial({
        devices: [{ name: "wg0", peers: [{ publicKey: own }] }],
      }),
    );
    await wg.configure("wg0", {
      privateKey: priv,
      peers: [{ publicKey: own }, { publicKey: other! }],
    });
    assert.deepEqual((await wg.device("wg0")).peers.map((p) => p.publicKey), [
      other,
    ]);
  });

  it("splits a big configuration as the kernel requires, and applies it all", async () => {
    const peers = await keys(12);
    const config = {
      privateKey: generatePrivateKey(),
      listenPort: 4242,
      replacePeers: true,
      peers: peers.map((k, i) => ({
        publicKey: k,
        presharedKey: generatePresharedKey(),
        endpoint: i % 2 ? "192.0.2.1:1" : "[2001:db8::1]:2",
        replaceAllowedIPs: true,
        allowedIPs: Array.from(
          { length: 5 + 10 * i },
          (_, j) =>
            i % 3
              ? `10.${i}.${j}.0/24`
              : `fd${i.toString(16).padStart(2, "0")}:${j.toString(16)}::/64`,
        ),
      })),
    };
    const maxMessageSize = 1000;
    const sim = new wireguard.Simulator({
      devices: [{
        name: "wg0",
        peers: [{ publicKey: peers[0]!, allowedIPs: ["203.0.113.0/24"] }],
      }],
    });
    const { kernel, open } = traced(sim);
    await using wg = await open({ maxMessageSize });
    await wg.configure("wg0", config);

    const requests = kernel.trace.filter((t) => t.direction === "request")
      .flatMap((t) => parseMessages(t.data))
      .filter((m) => m.data[0] === setDevice.doRequest);
    assert.ok(requests.length > 5, `${requests.length} messages`);
    for (const m of requests) {
      assert.ok(m.header.length <= maxMessageSize, `${m.header.length} bytes`);
    }
    const values = requests.map((m) => setDevice.decodeRequest(m));
    assert.deepEqual(values, sim.setRequests);
    // The first carries the device and REPLACE_PEERS; later ones peers only.
    assert.deepEqual(values[0]!.flags, ["replace-peers"]);
    assert.ok(values[0]!.privateKey && values[0]!.listenPort === 4242);
    for (const v of values.slice(1)) {
      assert.deepEqual(Object.keys(v), ["ifname", "peers"]);
    }
    // A continued peer carries its key and allowed IPs only: no
    // REPLACE_ALLOWEDIPS, which would drop what came before.
    let continued = 0;
    for (let i = 1; i < values.length; i++) {
      const first = values[i]!.peers![0]!;
      const prev = values[i - 1]!.peers!.at(-1)!;
      if (prev.publicKey!.join() === first.publicKey!.join()) {
        continued++;
        assert.deepEqual(Object.keys(first), ["publicKey", "allowedips"]);
      }
    }
    assert.ok(continued > 0);
    const d = await wg.device("wg0");
    assert.deepEqual(d.peers.map((p) => p.publicKey), peers);
    assert.deepEqual(
      d.peers.map((p) => p.allowedIPs.length),
      config.peers.map((p) => p.allowedIPs.length),
    );
    assert.equal(d.peers[0]!.allowedIPs.includes("203.0.113.0/24"), false);
  });

  it("refuses bad input with a TypeError naming it, and sends nothing", async () => {
    const sim = new wireguard.Simulator({ devices: [{ name: "wg0" }] });
    await using wg = await WireGuard.open(wireguard.dial(sim));
    const [k] = await keys(1);
    const secret = generatePrivateKey();
    const shortKey = btoa(String.fromCharCode(...new Uint8Array(31)));
    const cases: [unknown, RegExp][] = [
      [{ privateKey: "nope" }, /private key: it is 4 characters/],
      [
        { privateKey: shortKey },
        /private key: it is 44 characters|private key/,
      ],
      [{ listenPort: 70000 }, /listen port 70000/],
      [{ firewallMark: -1 }, /firewall mark -1/],
      [{ replacePeers: "yes" }, /replacePeers/],
      [{ peers: "x" }, /peers must be an array/],
      [{ peers: [null] }, /peers\[0\] must be an object/],
      [{ peers: [{ publicKey: shortKey }] }, /peers\[0\]\.publicKey/],
      [
        { peers: [{ publicKey: k, endpoint: "example.com:1" }] },
        /endpoint "example.com:1"/,
      ],
      [
        { peers: [{ publicKey: k, allowedIPs: ["10.0.0.0/40"] }] },
        /allowed IP "10.0.0.0\/40"/,
      ],
      [
        { peers: [{ publicKey: k, allowedIPs: "10.0.0.0/8" }] },
        /allowedIPs: expected an array/,
      ],
      [
        { peers: [{ publicKey: k, persistentKeepalive: 65536 }] },
        /persistent keepalive 65536/,
      ],
      [{ peers: [{ publicKey: k, presharedKey: "x" }] }, /preshared key/],
      [{ peers: [{ publicKey: k }, { publicKey: k }] }, /listed twice/],
      [
        { privateKey: secret, peers: [{ publicKey: k, remove: 1 }] },
        /remove: expected true or false/,
      ],
      [null, /config must be an object/],
    ];
    for (const [config, re] of cases) {
      await assert.rejects(wg.configure("wg0", config as never), (e: Error) => {
        assert.equal(e.name, "TypeError", e.message);
        assert.match(e.message, re);
        assert.ok(!e.message.includes(secret), "never echoes a private key");
        return true;
      });
    }
    assert.equal(sim.setRequests.length, 0);
  });

  it("reports which message the kernel refused and what was applied", async () => {
    const sim = new wireguard.Simulator({
      devices: [{ name: "wg0" }],
      maxPeers: 3,
    });
    await using wg = await WireGuard.open({
      ...wireguard.dial(sim),
      maxMessageSize: 600,
    });
    const peers = await keys(6);
    const err = await wg.configure("wg0", {
      listenPort: 9,
      peers: peers.map((publicKey, i) => ({
        publicKey,
        allowedIPs: Array.from({ length: 12 }, (_, j) => `10.${i}.${j}.0/24`),
      })),
    }).then(() => assert.fail("no error"), (e) => e);
    assert.ok(err instanceof ConfigureError);
    assert.equal(err.name, "ConfigureError");
    assert.equal(err.code, "ENOMEM");
    assert.ok(err.messageIndex > 0);
    assert.equal(err.applied.length, err.messageIndex);
    assert.equal(
      err.messageCount,
      sim.setRequests.length + (err.messageCount - err.messageIndex - 1),
    );
    assert.deepEqual(err.applied[0]!.device, ["listenPort"]);
    assert.match(
      err.message,
      new RegExp(
        `^Cannot configure wg0: ENOMEM \\(errno 12\\): message ${
          err.messageIndex + 1
        } of ${err.messageCount} \\(.*\\) was refused; messages 1 to ${err.messageIndex} were applied$`,
      ),
    );
    // What the kernel holds: the applied messages, and the peers of the
    // refused one before the one it refused.
    const d = await wg.device("wg0");
    assert.equal(d.listenPort, 9);
    assert.deepEqual(d.peers.map((p) => p.publicKey), peers.slice(0, 3));
  });

  it("reports an unknown device as ENOENT, at message 1", async () => {
    await using wg = await WireGuard.open(wireguard.dial());
    await assert.rejects(
      wg.configure("wg5", { listenPort: 1 }),
      (e: Error) =>
        e instanceof ConfigureError && isNotExist(e) && e.messageIndex === 0 &&
        e.message ===
          "Cannot configure wg5: ENOENT (errno 2): no such device (the kernel answered ENODEV)",
    );
  });
});
