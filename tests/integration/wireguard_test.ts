// Real-kernel tests for @nlkit/netlink/wireguard. Run by .ci/run as root
// inside a fresh `unshare -n` namespace with NLKIT_INTEGRATION=1, under Deno
// and Bun, where the kernel has the wireguard module (the family is looked
// up first; without it every test is skipped with the reason printed). The
// answers are compared with the simulated twin (nltest's wireguard) given
// the same configuration, and with `wg show DEV dump` when wg(8) exists.
// Links are named "wg<tag>..." and deleted.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { gate, newTag, runs } from "./_gate.ts";
import {
  ConfigureError,
  type Device,
  generatePresharedKey,
  generatePrivateKey,
  publicKey,
  WireGuard,
} from "../../src/wireguard/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import { isNotExist, type NetlinkError } from "../../src/netlink/mod.ts";
import { wireguard as sim } from "../../src/nltest/mod.ts";

/** Whether the kernel has the wireguard family (the module may load on demand when a link is made). */
async function hasFamily(): Promise<boolean> {
  const conn = await GenlConn.dial();
  try {
    await conn.getFamily("wireguard");
    return true;
  } catch (e) {
    if (isNotExist(e)) return false;
    throw e;
  } finally {
    await conn.close();
  }
}

const tag = newTag();
const DEV = `wg${tag}a`, OTHER = `wg${tag}v`;

const skip = await gate(import.meta.url, async () => {
  // A wireguard link loads the module where it is a module; then look.
  spawnSync("ip", ["link", "add", DEV, "type", "wireguard"], {
    stdio: "ignore",
  });
  return !(await hasFamily()) &&
    'integration: the kernel has no wireguard module (genl family "wireguard" absent: isNotExist)';
});

async function errorOf(p: Promise<unknown>): Promise<NetlinkError> {
  return await p.then(() => assert.fail("no error"), (e) => e);
}

/** The device without what differs between kernels (its index). */
function comparable(d: Device): Omit<Device, "index"> {
  const { index: _, ...rest } = d;
  return rest;
}

describe("integration: wireguard", { skip }, () => {
  let wg: WireGuard;
  before(async () => {
    // The link was made above (to load the module); make sure it exists.
    spawnSync("ip", ["link", "add", DEV, "type", "wireguard"], {
      stdio: "ignore",
    });
    execFileSync("ip", [
      "link",
      "add",
      OTHER,
      "type",
      "veth",
      "peer",
      "name",
      `${OTHER}p`,
    ]);
    wg = await WireGuard.open({ maxMessageSize: 1024 });
  });
  after(async () => {
    await wg?.close();
    for (const d of [DEV, OTHER]) {
      spawnSync("ip", ["link", "del", d], { stdio: "ignore" });
    }
  });

  it("integration: configure, split across messages both ways, reads back as the twin does", async () => {
    const privateKey = generatePrivateKey();
    const peers = [];
    for (let i = 0; i < 12; i++) {
      peers.push({
        publicKey: await publicKey(generatePrivateKey()),
        presharedKey: i % 3 === 0 ? generatePresharedKey() : undefined,
        endpoint: i % 2
          ? `192.0.2.${i + 1}:${51000 + i}`
          : `[2001:db8::${i + 1}]:${51000 + i}`,
        persistentKeepalive: i % 4 === 0 ? 25 : 0,
        allowedIPs: Array.from(
          { length: 3 + 9 * i },
          (_, j) => i % 2 ? `10.${i}.${j}.0/24` : `fd00:${i}:${j}::/48`,
        ),
      });
    }
    const config = {
      privateKey,
      listenPort: 0,
      firewallMark: 0x2a,
      replacePeers: true,
      peers: peers.map((p) => {
        const { presharedKey, ...rest } = p;
        return presharedKey === undefined ? rest : { ...rest, presharedKey };
      }),
    };
    await wg.configure(DEV, config);
    const real = await wg.device(DEV);
    assert.equal(real.name, DEV);
    assert.equal(real.publicKey, await publicKey(privateKey));
    assert.equal(real.peers.length, peers.length);
    // The same configuration on the twin gives the same device.
    await using twin = await WireGuard.open({
      ...sim.dial({ devices: [{ name: DEV }] }),
      maxMessageSize: 1024,
    });
    await twin.configure(DEV, config);
    assert.deepEqual(comparable(await twin.device(DEV)), comparable(real));
    // wg(8) agrees, when installed.
    if (runs("wg", ["--version"])) {
      const lines = execFileSync("wg", ["show", DEV, "dump"], {
        encoding: "utf8",
      }).trim().split("\n");
      const [priv, pub, , fwmark] = lines[0]!.split("\t");
      assert.deepEqual([priv, pub, Number(fwmark)], [
        real.privateKey,
        real.publicKey,
        real.firewallMark,
      ]);
      for (const [i, line] of lines.slice(1).entries()) {
        const [key, psk, endpoint, ips, , , , keepalive] = line.split("\t");
        const p = real.peers[i]!;
        assert.equal(key, p.publicKey);
        assert.equal(psk, p.presharedKey ?? "(none)");
        assert.equal(endpoint, p.endpoint ?? "(none)");
        assert.deepEqual(ips!.split(","), p.allowedIPs);
        assert.equal(
          keepalive,
          p.persistentKeepalive ? String(p.persistentKeepalive) : "off",
        );
      }
    } else {
      console.log("note: no wg(8): the device was compared with the twin only");
    }
  });

  it("integration: devices() lists the device", async () => {
    assert.ok((await wg.devices()).some((d) => d.name === DEV));
  });

  it("integration: errors as the twin gives them", async () => {
    await using twin = await WireGuard.open(
      sim.dial({ devices: [{ name: DEV }] }),
    );
    const missing = `wg${tag}zz`;
    const a = await errorOf(wg.device(missing));
    const b = await errorOf(twin.device(missing));
    assert.ok(isNotExist(a) && isNotExist(b));
    assert.equal(a.message, b.message);
    const c = await errorOf(wg.device(OTHER));
    assert.equal(c.code, "EOPNOTSUPP");
    const d = await errorOf(wg.configure(missing, { listenPort: 1 }));
    assert.ok(d instanceof ConfigureError && isNotExist(d));
  });

  it("integration: removing peers and allowed IPs, as the twin does", async () => {
    const before = await wg.device(DEV);
    const [first, second] = before.peers;
    await wg.configure(DEV, {
      peers: [
        { publicKey: first!.publicKey, remove: true },
        {
          publicKey: second!.publicKey,
          replaceAllowedIPs: true,
          allowedIPs: ["198.51.100.0/24"],
        },
      ],
    });
    const after = await wg.device(DEV);
    assert.equal(after.peers.length, before.peers.length - 1);
    assert.deepEqual(after.peers[0]?.allowedIPs, ["198.51.100.0/24"]);
  });
});
