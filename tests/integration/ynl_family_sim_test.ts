// serveYnlFamily (the simulated generic netlink families) against the
// running kernel, on requests a careless tool might send and the generated
// codec never writes: a repeated attribute (nla_parse keeps the LAST one:
// the handler reads it and an extended ACK points at it, also inside a
// nest) and, where an operation is validated liberally, an integer longer
// than its type (read from its first bytes). The same bytes go to the real
// ethtool, mptcp_pm and netdev families through a raw GenlConn and to the simulated
// ones; the answers must agree. Run by .ci/run as root inside a fresh
// `unshare -n` namespace with NLKIT_INTEGRATION=1, under Deno and Bun.
// Links are named "yf<tag>..." and deleted.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeDecoder,
  AttributeEncoder,
  Family,
  HeaderFlags,
  isNetlinkError,
} from "../../src/netlink/mod.ts";
import { GenlConn, type GenlConn as Conn } from "../../src/genetlink/mod.ts";
import type { Family as GenlFamily } from "../../src/genetlink/mod.ts";
import {
  ethtool as simEthtool,
  serveYnlFamily,
  SimKernel,
} from "../../src/nltest/mod.ts";
import {
  channelsGet,
  channelsSet,
  linkinfoGet,
} from "../../src/families/ethtool.ts";
import { devGet, family as netdevFamily } from "../../src/families/netdev.ts";
import {
  family as mptcpPmFamily,
  getLimits,
  setLimits,
} from "../../src/families/mptcp_pm.ts";
import { gate, ip, newTag } from "./_gate.ts";

const skip = await gate(import.meta.url);

const tag = newTag();
const A = `yf${tag}a`, B = `yf${tag}b`;

/** `ETHTOOL_A_*_HEADER` (`linux/ethtool_netlink.h`): the request header nest of every ethtool message. */
const ETHTOOL_A_HEADER = 1;
/** `ETHTOOL_A_HEADER_DEV_NAME`. */
const ETHTOOL_A_HEADER_DEV_NAME = 2;
/** `ETHTOOL_A_CHANNELS_RX_COUNT` (u32). */
const ETHTOOL_A_CHANNELS_RX_COUNT = 6;
/** `MPTCP_PM_ATTR_RCV_ADD_ADDRS` (`linux/mptcp.h`, u32). */
const MPTCP_PM_ATTR_RCV_ADD_ADDRS = 2;
/** `MPTCP_PM_ATTR_SUBFLOWS` (u32). */
const MPTCP_PM_ATTR_SUBFLOWS = 3;
/** `NETDEV_A_DEV_IFINDEX` (`linux/netdev.h`, u32). */
const NETDEV_A_DEV_IFINDEX = 1;
/** Where a generic netlink request's attributes start: `nlmsghdr` and `genlmsghdr`. */
const ATTRIBUTES_AT = 16 + 4;

/** What a request came to: the reply's attributes, or the error as the kernel reports it. */
type Outcome =
  | { ok: true; data: Uint8Array[] }
  | { ok: false; code: string; message?: string; offset?: number };

async function outcome(
  conn: Conn,
  familyId: number,
  command: number,
  data: Uint8Array,
): Promise<Outcome> {
  try {
    const replies = await conn.execute(
      { header: { command, version: 1 }, data },
      familyId,
      HeaderFlags.Request | HeaderFlags.Acknowledge,
    );
    return { ok: true, data: replies.map((r) => r.data) };
  } catch (e) {
    if (!isNetlinkError(e)) throw e;
    const o: Outcome = { ok: false, code: e.code };
    if (e.extAck?.message !== undefined) o.message = e.extAck.message;
    if (e.extAck?.offset !== undefined) o.offset = e.extAck.offset;
    return o;
  }
}

/** The device name in a reply's header nest. */
function replyDevName(data: Uint8Array): string | undefined {
  const d = new AttributeDecoder(data);
  while (d.next()) {
    if (d.type !== ETHTOOL_A_HEADER) continue;
    const h = d.decoder();
    while (h.next()) {
      if (h.type === ETHTOOL_A_HEADER_DEV_NAME) return h.string();
    }
  }
  return undefined;
}

/** A header nest naming each of `names` in turn (the last is the one that counts). */
function header(e: AttributeEncoder, ...names: string[]): AttributeEncoder {
  return e.nested(ETHTOOL_A_HEADER, (n) => {
    for (const name of names) n.string(ETHTOOL_A_HEADER_DEV_NAME, name);
  });
}

/** The offset Linux reports for the last of `names` in {@linkcode header}. */
function lastNameOffset(...names: string[]): number {
  let at = ATTRIBUTES_AT + 4; // the nest's header
  for (const name of names.slice(0, -1)) {
    at += 4 + ((new TextEncoder().encode(name).length + 1 + 3) & ~3);
  }
  return at;
}

describe("integration: serveYnlFamily reads requests as nla_parse does", {
  skip,
}, () => {
  let real: GenlConn;
  let realEthtool: GenlFamily;
  let sim: GenlConn;
  let simEthtoolFamily: GenlFamily;

  before(async () => {
    ip("link", "add", A, "type", "veth", "peer", "name", B);
    real = await GenlConn.dial();
    realEthtool = await real.getFamily("ethtool");
    const kernel = new SimKernel();
    simEthtoolFamily = new simEthtool.Simulator({ devices: [{ name: A }] })
      .register(kernel);
    sim = GenlConn.from(kernel.dial(Family.Generic));
  });
  after(async () => {
    await real?.close();
    await sim?.close();
    try {
      ip("link", "del", A);
    } catch { /* gone already */ }
  });

  /** The same ethtool request to the kernel and to the simulator. */
  async function both(
    command: number,
    data: Uint8Array,
  ): Promise<[Outcome, Outcome]> {
    return [
      await outcome(real, realEthtool.id, command, data),
      await outcome(sim, simEthtoolFamily.id, command, data),
    ];
  }

  it("integration: of a repeated name in a nest the last counts: its device answers", async () => {
    const data = header(new AttributeEncoder(), `${A}zz`, A).encode();
    const [r, s] = await both(linkinfoGet.doRequest!, data);
    assert.ok(r.ok && s.ok, JSON.stringify({ r, s }));
    assert.equal(replyDevName(r.data[0]!), A);
    assert.equal(replyDevName(s.data[0]!), A);
  });

  it("integration: of a repeated name in a nest the last counts: ENODEV points at it", async () => {
    const names = [A, `${A}zz`];
    const data = header(new AttributeEncoder(), ...names).encode();
    const [r, s] = await both(linkinfoGet.doRequest!, data);
    assert.deepEqual(r, {
      ok: false,
      code: "ENODEV",
      message: "no device matches name",
      offset: lastNameOffset(...names),
    });
    assert.deepEqual(s, r);
  });

  it("integration: of a repeated top-level attribute the last counts, and an error points at it", async () => {
    const channels = (...rx: number[]) => {
      const e = header(new AttributeEncoder(), A);
      for (const n of rx) e.uint32(ETHTOOL_A_CHANNELS_RX_COUNT, n);
      return e.encode();
    };
    const rxCount = async (conn: GenlConn): Promise<number | undefined> =>
      (await channelsGet.do(conn, { header: { devName: A } })).rxCount;
    // 99 is past the maximum, 1 is in use: the last one is applied.
    const [r1, s1] = await both(channelsSet.doRequest!, channels(99, 1));
    assert.ok(r1.ok && s1.ok, JSON.stringify({ r1, s1 }));
    assert.equal(await rxCount(real), 1);
    assert.equal(await rxCount(sim), 1);
    // 1 then 99: the last one is refused, the offset is its header's.
    const data = channels(1, 99);
    const [r2, s2] = await both(channelsSet.doRequest!, data);
    const nest = 4 + 4 + ((A.length + 1 + 3) & ~3);
    assert.deepEqual(r2, {
      ok: false,
      code: "EINVAL",
      message: "requested channel count exceeds maximum",
      offset: ATTRIBUTES_AT + nest + 8,
    });
    assert.deepEqual(s2, r2);
  });

  it("integration: a liberally validated request: longer integers read from their first bytes, the last of repeated ones (mptcp_pm)", async () => {
    // set-limits and get-limits are `dont-validate: [strict]` (Linux:
    // GENL_DONT_VALIDATE_STRICT): an 8-byte u32 passes, nla_get_u32()
    // reads its first 4 bytes (host order); of two the last counts.
    const realPm = await real.getFamily("mptcp_pm");
    const kernel = new SimKernel();
    let limits = { rcvAddAddrs: 0, subflows: 2 }; // Linux's defaults
    const served = serveYnlFamily(kernel, mptcpPmFamily, {
      setLimits: (request) => {
        const r = request as { rcvAddAddrs?: number; subflows?: number };
        limits = {
          rcvAddAddrs: r.rcvAddAddrs ?? limits.rcvAddAddrs,
          subflows: r.subflows ?? limits.subflows,
        };
      },
      getLimits: () => limits,
    });
    await using simPm = GenlConn.from(kernel.dial(Family.Generic));
    const long = (v: number, high: number): Uint8Array => {
      const b = new Uint8Array(8);
      const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
      new DataView(b.buffer).setUint32(0, v, hostLE);
      new DataView(b.buffer).setUint32(4, high, hostLE);
      return b;
    };
    const data = new AttributeEncoder()
      .uint32(MPTCP_PM_ATTR_RCV_ADD_ADDRS, 7) // repeated: the next one counts
      .bytes(MPTCP_PM_ATTR_RCV_ADD_ADDRS, long(3, 1))
      .bytes(MPTCP_PM_ATTR_SUBFLOWS, long(4, 9))
      .encode();
    try {
      const r = await outcome(real, realPm.id, setLimits.doRequest!, data);
      const s = await outcome(
        simPm,
        served.family.id,
        setLimits.doRequest!,
        data,
      );
      assert.deepEqual(r, { ok: true, data: [] });
      assert.deepEqual(s, r);
      const got = async (c: GenlConn) => {
        const l = await getLimits.do(c, {});
        return { rcvAddAddrs: l.rcvAddAddrs, subflows: l.subflows };
      };
      assert.deepEqual(await got(real), { rcvAddAddrs: 3, subflows: 4 });
      assert.deepEqual(await got(simPm), await got(real));
    } finally {
      await setLimits.do(real, { rcvAddAddrs: 0, subflows: 2 });
    }
  });

  it("integration: a strictly validated family refuses the longer integer where Linux does (netdev)", async () => {
    const realNetdev = await real.getFamily("netdev");
    const kernel = new SimKernel();
    const served = serveYnlFamily(kernel, netdevFamily, {
      devGet: () => ({ ifindex: 1 }),
    });
    await using strict = GenlConn.from(kernel.dial(Family.Generic));
    const data = new AttributeEncoder()
      .bytes(NETDEV_A_DEV_IFINDEX, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]))
      .encode();
    const r = await outcome(real, realNetdev.id, devGet.doRequest!, data);
    const s = await outcome(strict, served.family.id, devGet.doRequest!, data);
    assert.deepEqual(r, {
      ok: false,
      code: "EINVAL",
      message: "invalid attribute length",
      offset: ATTRIBUTES_AT,
    });
    assert.deepEqual(s, r);
  });
});
