// The generated families against the real kernel: rtnetlink dumps compared
// with iproute2's JSON (`ip -j`), ethtool with the `ethtool` tool, the netdev
// dump, links created through `.do`, and the spec's checks compared with the
// kernel's own policies. Run by .ci/run as root inside a fresh `unshare -n`
// namespace with NLKIT_INTEGRATION=1, under Deno and Bun. Everything it makes
// is named `fam...` (and lives in tables and address ranges of its own) and
// is removed at the end.
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { Conn, Family, isNetlinkError } from "../../src/netlink/mod.ts";
import {
  type AttributePolicy,
  GenlConn,
  type PolicyTable,
} from "../../src/genetlink/mod.ts";
import * as rtLink from "../../src/families/rt_link.ts";
import * as rtAddr from "../../src/families/rt_addr.ts";
import * as rtRoute from "../../src/families/rt_route.ts";
import * as rtNeigh from "../../src/families/rt_neigh.ts";
import * as rtRule from "../../src/families/rt_rule.ts";
import * as ethtool from "../../src/families/ethtool.ts";
import * as netdev from "../../src/families/netdev.ts";
import * as nlctrl from "../../src/families/nlctrl.ts";
import * as mptcpPm from "../../src/families/mptcp_pm.ts";
import * as tcpMetrics from "../../src/families/tcp_metrics.ts";
import { compiled, type YnlFamily } from "../../src/families/family.ts";
import { policyTypeName, specPolicy } from "../../src/families/_checks.ts";
import { K, type RtSet } from "../../src/families/_schema.ts";
import { findTool, gate, ip, ipQuiet, newTag } from "./_gate.ts";

const skip = await gate(import.meta.url);

const ETHTOOL = findTool(
  ["/usr/sbin/ethtool", "/sbin/ethtool", "/usr/bin/ethtool"],
  ["--version"],
);

// Unique names and numbers for this run (interface names at most 15 bytes).
const tag = newTag();
const V0 = `famv${tag}a`;
const V1 = `famv${tag}b`;
const BR = `fambr${tag}`;
const TABLE = 20000 + (process.pid % 20000);
const NET = 10 + (process.pid % 200); // 10.NET.0.0/16 and 2001:db8:NET::/48

type Json = Record<string, unknown>;

const ipJson = (...args: string[]): Json[] =>
  JSON.parse(ip("-j", ...args)) as Json[];

/** snake_case → camelCase, as the generated keys. */
const camel = (s: string): string =>
  s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Records the comparisons of one test: counts and disagreements (FAMILIES_VERBOSE=1 prints the counts). */
class Tally {
  agreed = 0;
  readonly wrong: string[] = [];
  done(what: string): void {
    if (process.env.FAMILIES_VERBOSE === "1") {
      console.log(
        `${what}: ${this.agreed} values agree, ${this.wrong.length} differ`,
      );
    }
  }
  eq(what: string, theirs: unknown, ours: unknown): void {
    if (same(theirs, ours)) this.agreed++;
    else {this.wrong.push(
        `${what}: ip shows ${JSON.stringify(theirs)}, we decode ${show(ours)}`,
      );}
  }
}

function show(v: unknown): string {
  return JSON.stringify(
    v,
    (_, x) =>
      typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? [...x] : x,
  );
}

/** Loose equality of a value `ip` prints and a decoded one: numbers, bigints, booleans as 0/1, text case-insensitive, hex text. */
function same(theirs: unknown, ours: unknown): boolean {
  if (typeof ours === "bigint") ours = Number(ours);
  if (typeof theirs === "number" && typeof ours === "number") {
    return theirs === ours;
  }
  if (typeof theirs === "boolean") {
    return typeof ours === "number" ? (ours !== 0) === theirs : ours === theirs;
  }
  if (typeof theirs === "string" && typeof ours === "number") {
    return /^(0x[0-9a-f]+|\d+)$/i.test(theirs) && Number(theirs) === ours;
  }
  if (typeof theirs === "string" && typeof ours === "string") {
    return theirs.toLowerCase() === ours.toLowerCase();
  }
  return false;
}

/**
 * Compares every key `ip` prints whose camelCase form the decoded value
 * has (scalars only), except those `special` handles or `exempt` names.
 */
function compareKeys(
  t: Tally,
  where: string,
  theirs: Json,
  value: object,
  special: Record<string, (v: unknown) => void> = {},
  exempt: Record<string, string> = {},
): void {
  const ours = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(theirs)) {
    if (key in exempt) continue;
    if (key in special) {
      special[key]!(v);
      continue;
    }
    const k = camel(key);
    if (!(k in ours) || (typeof v === "object" && v !== null)) continue;
    t.eq(`${where} ${key}`, v, ours[k]);
  }
}

const OPERSTATE = [
  "UNKNOWN",
  "NOTPRESENT",
  "DOWN",
  "LOWERLAYERDOWN",
  "TESTING",
  "DORMANT",
  "UP",
];
const LINK_TYPE: Record<number, string> = {
  1: "ether",
  772: "loopback",
  65534: "none",
};
const SCOPE: Record<number, string> = {
  0: "global",
  200: "site",
  253: "link",
  254: "host",
  255: "nowhere",
};
const TABLES: Record<number, string> = {
  253: "default",
  254: "main",
  255: "local",
};
const PROTOCOLS: Record<number, string> = {
  1: "redirect",
  2: "kernel",
  3: "boot",
  4: "static",
  16: "dhcp",
};
const BRIDGE_TIMERS =
  "time-varying (seconds as a float in ip, centiseconds here, read at different moments)";
const BRPORT_STATES = [
  "disabled",
  "listening",
  "learning",
  "forwarding",
  "blocking",
];

let conn: Conn;
let current = "";
/** The running test's name, for FAMILIES_VERBOSE. */
const test = (): string => current;
let genl: GenlConn;

describe("integration: generated families on the real kernel", { skip }, () => {
  beforeEach((c) => {
    current = (c as { name?: string }).name ?? "";
  });

  before(async () => {
    ip("link", "add", V0, "type", "veth", "peer", "name", V1);
    ip("link", "add", BR, "type", "bridge");
    ip("link", "set", V1, "master", BR);
    for (const l of [V0, V1, BR]) ip("link", "set", l, "up");
    ip("addr", "add", `10.${NET}.0.1/24`, "dev", V0);
    ip("addr", "add", `2001:db8:${NET}::1/64`, "dev", V0, "nodad");
    ip(
      "route",
      "add",
      `10.${NET}.128.0/20`,
      "via",
      `10.${NET}.0.2`,
      "dev",
      V0,
      "table",
      String(TABLE),
      "metric",
      "5",
    );
    ip("route", "add", `10.${NET}.1.0/24`, "dev", V0, "proto", "static");
    ip(
      "-6",
      "route",
      "add",
      `2001:db8:${NET}:8000::/49`,
      "via",
      `2001:db8:${NET}::2`,
      "dev",
      V0,
      "metric",
      "7",
    );
    ip(
      "neigh",
      "add",
      `10.${NET}.0.9`,
      "lladdr",
      "02:00:00:00:00:09",
      "dev",
      V0,
      "nud",
      "permanent",
    );
    ip(
      "-6",
      "neigh",
      "add",
      `2001:db8:${NET}::9`,
      "lladdr",
      "02:00:00:00:00:0a",
      "dev",
      V0,
      "nud",
      "permanent",
    );
    ip(
      "rule",
      "add",
      "from",
      `10.${NET}.0.0/24`,
      "table",
      String(TABLE),
      "pref",
      String(TABLE % 30000 + 1000),
    );
    ip(
      "rule",
      "add",
      "fwmark",
      "7",
      "table",
      String(TABLE + 1),
      "pref",
      String(TABLE % 30000 + 1001),
    );
    conn = await Conn.dial(Family.Route);
    genl = await GenlConn.dial();
  });

  after(async () => {
    await conn?.close();
    await genl?.close();
    ipQuiet("rule", "del", "pref", String(TABLE % 30000 + 1000));
    ipQuiet("rule", "del", "pref", String(TABLE % 30000 + 1001));
    ipQuiet("route", "flush", "table", String(TABLE));
    ipQuiet("link", "del", V0);
    ipQuiet("link", "del", BR);
  });

  /** Our links by index, and names by index. */
  async function links(): Promise<
    Map<number, rtLink.Ifinfomsg & rtLink.LinkAttrs>
  > {
    const out = new Map<number, rtLink.Ifinfomsg & rtLink.LinkAttrs>();
    for await (const l of rtLink.getlink.dump(conn, {})) out.set(l.ifiIndex, l);
    return out;
  }

  it("integration: rt-link dump agrees with `ip -j -d link show`", async () => {
    const ours = await links();
    const name = (i: unknown) => ours.get(Number(i))?.ifname;
    const t = new Tally();
    for (const l of ipJson("-d", "link", "show")) {
      const o = ours.get(l.ifindex as number);
      assert.ok(o !== undefined, `link ${l.ifname} is missing from the dump`);
      const where = `link ${l.ifname}`;
      const enumFlags = new Set(Object.keys(rtLink.IfinfoFlags));
      compareKeys(t, where, l, o, {
        ifindex: (v) => t.eq(`${where} ifindex`, v, o.ifiIndex),
        flags: (v) => {
          // ip leaves RUNNING out (it prints LOWER_UP instead).
          const shown = (v as string[]).map((f) =>
            f.toLowerCase().replaceAll("_", "-")
          ).filter((f) => enumFlags.has(f));
          const ours = (o.ifiFlags as string[]).filter((f) =>
            typeof f === "string" && f !== "running"
          );
          t.eq(`${where} flags`, shown.sort().join(","), ours.sort().join(","));
        },
        operstate: (v) =>
          t.eq(`${where} operstate`, v, OPERSTATE[o.operstate ?? -1]),
        linkmode: (v) =>
          t.eq(
            `${where} linkmode`,
            v,
            ["DEFAULT", "DORMANT"][o.linkmode ?? -1],
          ),
        group: (v) => t.eq(`${where} group`, v === "default" ? 0 : v, o.group),
        link_type: (v) =>
          LINK_TYPE[o.ifiType] !== undefined &&
          t.eq(`${where} link_type`, v, LINK_TYPE[o.ifiType]),
        link: (v) => t.eq(`${where} link`, v, name(o.link)),
        master: (v) => t.eq(`${where} master`, v, name(o.master)),
        linkinfo: (v) => {
          const li = v as Json;
          const ol = o.linkinfo as Record<string, unknown> | undefined;
          t.eq(`${where} info_kind`, li.info_kind, ol?.kind);
          if (li.info_slave_kind !== undefined) {
            t.eq(`${where} info_slave_kind`, li.info_slave_kind, ol?.slaveKind);
          }
          const data = ol?.data as Record<string, unknown> | undefined;
          if (li.info_data !== undefined && data !== undefined) {
            compareKeys(t, `${where} info_data`, li.info_data as Json, data, {
              bridge_id: (x) =>
                t.eq(`${where} bridge_id`, x, bridgeId(data.bridgeId)),
              root_id: (x) =>
                t.eq(`${where} root_id`, x, bridgeId(data.rootId)),
              vlan_protocol: (x) =>
                t.eq(
                  `${where} vlan_protocol`,
                  String(x).replace(".", "").toLowerCase(),
                  data.vlanProtocol,
                ),
            }, {
              hello_timer: BRIDGE_TIMERS,
              tcn_timer: BRIDGE_TIMERS,
              topology_change_timer: BRIDGE_TIMERS,
              gc_timer: BRIDGE_TIMERS,
            });
          }
          const slave = ol?.slaveData as Record<string, unknown> | undefined;
          if (li.info_slave_data !== undefined && slave !== undefined) {
            compareKeys(
              t,
              `${where} info_slave_data`,
              li.info_slave_data as Json,
              slave,
              {
                state: (x) =>
                  t.eq(`${where} state`, x, BRPORT_STATES[Number(slave.state)]),
                id: (x) => t.eq(`${where} id`, x, slave.id),
                no: (x) => t.eq(`${where} no`, x, slave.no),
                root_id: (x) =>
                  t.eq(`${where} root_id`, x, bridgeId(slave.rootId)),
                bridge_id: (x) =>
                  t.eq(`${where} bridge_id`, x, bridgeId(slave.bridgeId)),
              },
              {
                hold_timer: BRIDGE_TIMERS,
                message_age_timer: BRIDGE_TIMERS,
                forward_delay_timer: BRIDGE_TIMERS,
              },
            );
          }
        },
      });
    }
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(t.agreed >= 120, `${t.agreed} values compared`);
  });

  /**
   * A bridge id as ip prints it (`8000.c2:19:ee:4:79:cc`: bytes in hex
   * without leading zeros after the dot). struct ifla_bridge_id's `prio`
   * is two bytes in network order; the spec calls it a u16 (host order),
   * so on this host its bytes are the number's little-endian bytes.
   */
  function bridgeId(v: unknown): string | undefined {
    const b = v as { prio?: number; addr?: string } | undefined;
    if (b === undefined || b.addr === undefined || b.prio === undefined) {
      return undefined;
    }
    const prio = [b.prio & 255, b.prio >> 8].map((x) =>
      x.toString(16).padStart(2, "0")
    ).join("");
    return `${prio}.${
      b.addr.split(":").map((x) => parseInt(x, 16).toString(16)).join(":")
    }`;
  }

  it("integration: rt-addr dump agrees with `ip -j addr`", async () => {
    const ours: (rtAddr.Ifaddrmsg & rtAddr.AddrAttrs)[] = [];
    for await (const a of rtAddr.getaddr.dump(conn, {})) ours.push(a);
    const t = new Tally();
    let seen = 0;
    for (const l of ipJson("addr")) {
      for (const ai of (l.addr_info ?? []) as Json[]) {
        const o = ours.find((x) =>
          x.ifaIndex === l.ifindex && (x.local ?? x.address) === ai.local
        );
        assert.ok(
          o !== undefined,
          `address ${ai.local} of ${l.ifname} is missing from the dump`,
        );
        seen++;
        const where = `address ${ai.local}`;
        const flags = new Set([
          ...(o.ifaFlags as string[]),
          ...((o.flags ?? []) as string[]),
        ]);
        compareKeys(t, where, ai, o, {
          family: (v) =>
            t.eq(`${where} family`, v, { 2: "inet", 10: "inet6" }[o.ifaFamily]),
          local: (v) => t.eq(`${where} local`, v, o.local ?? o.address),
          prefixlen: (v) => t.eq(`${where} prefixlen`, v, o.ifaPrefixlen),
          scope: (v) => t.eq(`${where} scope`, v, SCOPE[o.ifaScope]),
          valid_life_time: (v) =>
            t.eq(`${where} valid_life_time`, v, o.cacheinfo?.ifaValid),
          preferred_life_time: (v) =>
            t.eq(`${where} preferred_life_time`, v, o.cacheinfo?.ifaPrefered),
          dynamic: (v) => t.eq(`${where} dynamic`, v, !flags.has("permanent")),
          nodad: (v) => t.eq(`${where} nodad`, v, flags.has("nodad")),
          noprefixroute: (v) =>
            t.eq(`${where} noprefixroute`, v, flags.has("noprefixroute")),
          tentative: (v) =>
            t.eq(`${where} tentative`, v, flags.has("tentative")),
        });
      }
    }
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(
      seen >= 4 && t.agreed >= 20,
      `${seen} addresses, ${t.agreed} values compared`,
    );
  });

  async function routesAgree(family: number, args: string[]): Promise<Tally> {
    const ours: (rtRoute.Rtmsg & rtRoute.RouteAttrs)[] = [];
    for await (const r of rtRoute.getroute.dump(conn, { rtmFamily: family })) {
      ours.push(r);
    }
    const names = new Map(
      [...(await links()).values()].map((l) => [l.ifiIndex, l.ifname]),
    );
    const full = family === 2 ? 32 : 128;
    const shape = (r: rtRoute.Rtmsg & rtRoute.RouteAttrs) => {
      const table = r.table ?? r.rtmTable;
      return {
        type: r.rtmType,
        dst: r.rtmDstLen === 0
          ? "default"
          : r.rtmDstLen === full
          ? r.dst
          : `${r.dst}/${r.rtmDstLen}`,
        dev: r.oif === undefined ? undefined : names.get(r.oif),
        table: TABLES[table] ?? String(table),
        metric: r.priority ?? 0,
      };
    };
    const key = (
      x: {
        type: unknown;
        dst: unknown;
        dev: unknown;
        table: unknown;
        metric: unknown;
      },
    ) => `${x.type}|${x.dst}|${x.dev}|${x.table}|${x.metric}`;
    const byKey = new Map(ours.map((r) => [key(shape(r)), r]));
    const t = new Tally();
    for (const r of ipJson(...args, "route", "show", "table", "all")) {
      const k = key({
        type: r.type ?? "unicast",
        dst: r.dst,
        dev: r.dev,
        table: r.table ?? "main",
        metric: r.metric ?? 0,
      });
      const o = byKey.get(k);
      assert.ok(o !== undefined, `route ${k} is missing from the dump`);
      const where = `route ${k}`;
      t.agreed++; // type, dst, dev, table and metric agree: they are the key
      compareKeys(t, where, r, o, {
        protocol: (v) =>
          t.eq(
            `${where} protocol`,
            v,
            PROTOCOLS[o.rtmProtocol] ?? String(o.rtmProtocol),
          ),
        scope: (v) => t.eq(`${where} scope`, v, SCOPE[o.rtmScope]),
        flags: (v) =>
          t.eq(
            `${where} flags`,
            (v as string[]).length,
            ((o.rtmFlags as number) & 0x7f) === 0 ? 0 : 1,
          ),
        pref: (v) =>
          t.eq(
            `${where} pref`,
            v,
            ["medium", "high", undefined, "low"][o.pref ?? 0],
          ),
      }, {
        type: "the key",
        dst: "the key",
        dev: "the key",
        table: "the key",
        metric: "the key",
      });
    }
    if (family === 2) {
      assert.ok(byKey.has(`unicast|10.${NET}.128.0/20|${V0}|${TABLE}|5`));
    } else {assert.ok(
        byKey.has(`unicast|2001:db8:${NET}:8000::/49|${V0}|main|7`),
      );}
    return t;
  }

  it("integration: rt-route IPv4 dump agrees with `ip -j -4 route show table all`", async () => {
    const t = await routesAgree(2, ["-4"]);
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(t.agreed >= 20, `${t.agreed} values compared`);
  });

  it("integration: rt-route IPv6 dump agrees with `ip -j -6 route show table all`", async () => {
    const t = await routesAgree(10, ["-6"]);
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(t.agreed >= 15, `${t.agreed} values compared`);
  });

  it("integration: rt-neigh dump agrees with `ip -j neigh`", async () => {
    const ours: (rtNeigh.Ndmsg & rtNeigh.NeighbourAttrs)[] = [];
    for await (const n of rtNeigh.getneigh.dump(conn, {})) ours.push(n);
    const names = new Map(
      [...(await links()).values()].map((l) => [l.ifiIndex, l.ifname]),
    );
    const t = new Tally();
    let seen = 0;
    for (const n of ipJson("neigh")) {
      const o = ours.find((x) =>
        x.dst === n.dst && names.get(x.ndmIfindex) === n.dev
      );
      assert.ok(
        o !== undefined,
        `neighbour ${n.dst} dev ${n.dev} is missing from the dump`,
      );
      seen++;
      const where = `neighbour ${n.dst}`;
      compareKeys(t, where, n, o, {
        dev: (v) => t.eq(`${where} dev`, v, names.get(o.ndmIfindex)),
        state: (v) =>
          t.eq(
            `${where} state`,
            (v as string[]).join(","),
            (o.ndmState as string[]).map((s) => s.toUpperCase()).join(","),
          ),
        router: (v) =>
          t.eq(
            `${where} router`,
            v,
            (o.ndmFlags as string[]).includes("router"),
          ),
      });
    }
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(
      seen >= 2 && t.agreed >= 8,
      `${seen} neighbours, ${t.agreed} values compared`,
    );
  });

  it("integration: rt-rule dump agrees with `ip -j rule`", async () => {
    const ours: (rtRule.FibRuleHdr & rtRule.FibRuleAttrs)[] = [];
    for await (const r of rtRule.getrule.dump(conn, { family: 2 })) {
      ours.push(r);
    }
    const t = new Tally();
    for (const r of ipJson("rule")) {
      const o = ours.find((x) => (x.priority ?? 0) === r.priority);
      assert.ok(o !== undefined, `rule ${r.priority} is missing from the dump`);
      const where = `rule ${r.priority}`;
      // FRA_SRC is a u32 in the spec: the address bytes, read in host order.
      const asU32 = (a: string) =>
        new DataView(new Uint8Array(a.split(".").map(Number)).buffer).getUint32(
          0,
          true,
        );
      compareKeys(t, where, r, o, {
        src: (v) => {
          if (v !== "all") t.eq(`${where} src`, asU32(String(v)), o.src);
          else if (o.src === undefined) t.agreed++;
          else t.wrong.push(`${where} src: ip shows all, we decode ${o.src}`);
        },
        srclen: (v) => t.eq(`${where} srclen`, v, o.srcLen),
        table: (v) =>
          t.eq(
            `${where} table`,
            v,
            TABLES[o.table ?? o.fibRuleHdrTable] ?? String(o.table),
          ),
        fwmark: (v) => t.eq(`${where} fwmark`, v, o.fwmark),
      });
    }
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(t.agreed >= 12, `${t.agreed} values compared`);
  });

  it("integration: newlink creates a bridge and a veth pair (peer through the sub-message), dellink removes them", async () => {
    const br = `fambx${tag}`;
    const a = `famx${tag}a`;
    const b = `famx${tag}b`;
    try {
      await rtLink.newlink.do(conn, {
        ifname: br,
        linkinfo: { kind: "bridge", data: { stpState: 0 } },
      }, { create: true, excl: true });
      await rtLink.newlink.do(conn, {
        ifname: a,
        mtu: 1400,
        linkinfo: { kind: "veth", data: { peer: { ifname: b, mtu: 1300 } } },
      }, { create: true, excl: true });
      const shown = ipJson("-d", "link", "show");
      const find = (n: string) => shown.find((l) => l.ifname === n);
      assert.equal(
        (find(br)?.linkinfo as Json | undefined)?.info_kind,
        "bridge",
      );
      assert.equal((find(a)?.linkinfo as Json | undefined)?.info_kind, "veth");
      assert.equal(find(a)?.link, b);
      assert.equal(find(a)?.mtu, 1400);
      assert.equal(find(b)?.mtu, 1300);
      const got = await rtLink.getlink.do(conn, { ifname: b });
      assert.equal(got.mtu, 1300);
      await assert.rejects(
        rtLink.newlink.do(conn, { ifname: br, linkinfo: { kind: "bridge" } }, {
          create: true,
          excl: true,
        }),
        (e) => isNetlinkError(e) && e.code === "EEXIST",
      );
      await rtLink.dellink.do(conn, { ifname: a });
      await rtLink.dellink.do(conn, { ifname: br });
      const after = ipJson("link", "show").map((l) => l.ifname);
      assert.ok(
        !after.includes(a) && !after.includes(b) && !after.includes(br),
      );
    } finally {
      ipQuiet("link", "del", a);
      ipQuiet("link", "del", br);
    }
  });

  /** `ethtool DEV` and friends, as text: "Key: value" lines. */
  function ethtoolText(...args: string[]): Map<string, string> {
    const out = new Map<string, string>();
    const text = execFileSync(ETHTOOL!, args, { encoding: "utf8" });
    for (const line of text.split("\n")) {
      const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
      if (m !== null && !out.has(m[1]!.trim())) {
        out.set(m[1]!.trim(), m[2]!.trim());
      }
    }
    return out;
  }

  it(
    "integration: ethtool link info, modes and state on a veth agree with `ethtool`",
    { skip: ETHTOOL === undefined ? "ethtool is not installed" : false },
    async () => {
      const header = { devName: V0 };
      const info = await ethtool.linkinfoGet.do(genl, { header });
      const modes = await ethtool.linkmodesGet.do(genl, { header });
      const state = await ethtool.linkstateGet.do(genl, { header });
      assert.equal(info.header?.devName, V0);
      const text = ethtoolText(V0);
      const t = new Tally();
      t.eq("Speed", text.get("Speed"), `${modes.speed}Mb/s`);
      t.eq("Duplex", text.get("Duplex"), ["Half", "Full"][modes.duplex ?? -1]);
      t.eq(
        "Auto-negotiation",
        text.get("Auto-negotiation"),
        modes.autoneg === 1 ? "on" : "off",
      );
      t.eq(
        "Port",
        text.get("Port"),
        {
          0: "Twisted Pair",
          1: "AUI",
          2: "BNC",
          3: "MII",
          4: "FIBRE",
        }[info.port ?? -1],
      );
      t.eq("PHYAD", Number(text.get("PHYAD")), info.phyaddr);
      t.eq(
        "Transceiver",
        text.get("Transceiver"),
        ["internal", "external"][info.transceiver ?? -1],
      );
      t.eq(
        "Link detected",
        text.get("Link detected"),
        state.link === 1 ? "yes" : "no",
      );
      t.done(test());
      assert.deepEqual(t.wrong, []);
    },
  );

  it("integration: ethtool features on a veth agree with `ethtool --json -k`", {
    skip: ETHTOOL === undefined ? "ethtool is not installed" : false,
  }, async () => {
    const f = await ethtool.featuresGet.do(genl, { header: { devName: V0 } });
    // A bitset without mask lists the bits set; with a mask, every bit, the set ones flagged `value`.
    const names = (b: ethtool.Bitset | undefined, set: boolean) =>
      new Set(
        (b?.bits?.bit ?? []).filter((x) =>
          !set || b?.nomask === true || x.value === true
        ).map((x) => x.name!),
      );
    const hw = names(f.hw, true);
    const wanted = names(f.wanted, true);
    const active = names(f.active, true);
    const all = names(f.hw, false);
    const shown = (JSON.parse(
      execFileSync(ETHTOOL!, ["--json", "-k", V0], { encoding: "utf8" }),
    ) as Json[])[0]!;
    const t = new Tally();
    for (const [name, v] of Object.entries(shown)) {
      if (!all.has(name)) continue; // ethtool's own names for groups of features
      const s = v as {
        active: boolean;
        fixed: boolean | null;
        requested: boolean | null;
      };
      t.eq(`${name} active`, s.active, active.has(name));
      if (s.fixed !== null) t.eq(`${name} fixed`, s.fixed, !hw.has(name));
      if (s.requested !== null) {
        t.eq(`${name} requested`, s.requested, wanted.has(name));
      }
    }
    t.done(test());
    assert.deepEqual(t.wrong, []);
    assert.ok(t.agreed >= 60, `${t.agreed} values compared`);
  });

  it(
    "integration: ethtool rings and channels on a veth agree with `ethtool -g` and `ethtool -l`",
    { skip: ETHTOOL === undefined ? "ethtool is not installed" : false },
    async () => {
      const header = { devName: V0 };
      let rings: Awaited<ReturnType<typeof ethtool.ringsGet.do>> | undefined;
      let ringsError: unknown;
      try {
        rings = await ethtool.ringsGet.do(genl, { header });
      } catch (e) {
        ringsError = e;
      }
      let ringsText: string;
      try {
        ringsText = execFileSync(ETHTOOL!, ["-g", V0], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (e) {
        ringsText = String((e as { stderr?: string }).stderr ?? e);
      }
      if (/Operation not supported/.test(ringsText)) {
        assert.ok(
          isNetlinkError(ringsError) && ringsError.code === "EOPNOTSUPP",
          `ethtool -g: not supported; we: ${ringsError}`,
        );
      } else {
        assert.equal(ringsError, undefined);
        assert.match(ringsText, new RegExp(`RX:\\s+${rings!.rxMax}\\b`));
      }
      const ch = await ethtool.channelsGet.do(genl, { header });
      const text = execFileSync(ETHTOOL!, ["-l", V0], { encoding: "utf8" });
      const [max, cur] = text.split("Current hardware settings:");
      const value = (part: string, key: string) => {
        const m = new RegExp(`${key}:\\s+(\\S+)`).exec(part);
        return m === null || m[1] === "n/a" ? undefined : Number(m[1]);
      };
      const t = new Tally();
      const pairs: [string, string, number | undefined, number | undefined][] =
        [
          ["RX", "rx", ch.rxMax, ch.rxCount],
          ["TX", "tx", ch.txMax, ch.txCount],
          ["Other", "other", ch.otherMax, ch.otherCount],
          ["Combined", "combined", ch.combinedMax, ch.combinedCount],
        ];
      for (const [key, name, m, c] of pairs) {
        const shownMax = value(max!, key);
        if (shownMax !== undefined || m !== undefined) {
          t.eq(`${name} max`, shownMax, m === 0 ? undefined : m);
        }
        const shownCur = value(cur!, key);
        if (shownCur !== undefined) t.eq(`${name} count`, shownCur, c);
      }
      t.done(test());
      assert.deepEqual(t.wrong, []);
      assert.ok(t.agreed >= 4, `${t.agreed} values compared`);
    },
  );

  it("integration: netdev dev-get dump lists every link", async () => {
    const ifindexes: number[] = [];
    for await (const d of netdev.devGet.dump(genl, {})) {
      ifindexes.push(d.ifindex!);
    }
    const shown = ipJson("link", "show").map((l) => l.ifindex as number);
    assert.deepEqual(
      ifindexes.sort((a, b) => a - b),
      shown.sort((a, b) => a - b),
    );
  });

  // --- the spec's checks beside the kernel's own policies ----------------------

  /**
   * How a spec attribute and the kernel's policy of it differ, in words,
   * "spec vs kernel". An integer without checks accepts its whole type in
   * both (the kernel reports that range); a mask replaces the range.
   */
  function differences(
    spec: AttributePolicy,
    kernel: AttributePolicy,
  ): string[] {
    const out: string[] = [];
    if (spec.type !== kernel.type) {
      out.push(
        `type ${policyTypeName(spec.type)} vs ${policyTypeName(kernel.type)}`,
      );
    }
    const range = (p: AttributePolicy) =>
      p.mask !== undefined ||
        (p.minValue === undefined && p.maxValue === undefined)
        ? "none"
        : `[${p.minValue},${p.maxValue}]`;
    const full = (p: AttributePolicy) => {
      const r = range(p);
      return r === range(specPolicyOfType(p.type)) ? "none" : r;
    };
    if (full(spec) !== full(kernel)) {
      out.push(`range ${full(spec)} vs ${full(kernel)}`);
    }
    const hex = (v: bigint | number | undefined) =>
      v === undefined ? "none" : `0x${v.toString(16)}`;
    if (spec.mask !== kernel.mask) {
      out.push(`mask ${hex(spec.mask)} vs ${hex(kernel.mask)}`);
    }
    if (spec.bitfield32Mask !== kernel.bitfield32Mask) {
      out.push(
        `bitfield32 mask ${hex(spec.bitfield32Mask)} vs ${
          hex(kernel.bitfield32Mask)
        }`,
      );
    }
    if (spec.minLength !== kernel.minLength) {
      out.push(
        `min-len ${spec.minLength ?? "none"} vs ${kernel.minLength ?? "none"}`,
      );
    }
    const maxLen = (p: AttributePolicy) =>
      p.maxLength === undefined || p.maxLength === 0 ? "none" : p.maxLength;
    if (maxLen(spec) !== maxLen(kernel)) {
      out.push(`max-len ${maxLen(spec)} vs ${maxLen(kernel)}`);
    }
    return out;
  }

  /** The full range of an integer policy type, as specPolicy reports an unchecked attribute. */
  function specPolicyOfType(type: number): AttributePolicy {
    const ranges: Record<number, [bigint, bigint]> = {
      2: [0n, 0xffn],
      3: [0n, 0xffffn],
      4: [0n, 0xffffffffn],
      5: [0n, 0xffffffffffffffffn],
      17: [0n, 0xffffffffffffffffn],
      6: [-0x80n, 0x7fn],
      7: [-0x8000n, 0x7fffn],
      8: [-0x80000000n, 0x7fffffffn],
      9: [-0x8000000000000000n, 0x7fffffffffffffffn],
      16: [-0x8000000000000000n, 0x7fffffffffffffffn],
    };
    const r = ranges[type];
    return r === undefined
      ? { type }
      : { type, minValue: r[0], maxValue: r[1] };
  }

  /**
   * Every disagreement between a spec set and a kernel table, as
   * `<set>.<attribute>: what` (a set's attribute reads the same in every
   * operation that nests it).
   */
  function compareTables(
    set: RtSet,
    kernel: PolicyTable,
    seen: Set<PolicyTable>,
  ): string[] {
    if (seen.has(kernel)) return [];
    seen.add(kernel);
    const out: string[] = [];
    for (const [type, kp] of [...kernel].sort((a, b) => a[0] - b[0])) {
      const a = set.byId[type];
      if (a === undefined || a.kind === K.UNUSED) {
        out.push(
          `${set.name}.${type}: the kernel accepts it, the spec has no such attribute`,
        );
        continue;
      }
      const sp = specPolicy(a);
      if (sp === undefined) {
        out.push(
          `${set.name}.${a.name}: the kernel accepts it, the spec makes it ${
            a.desc[2]
          }`,
        );
        continue;
      }
      for (const d of differences(sp, kp)) {
        out.push(`${set.name}.${a.name}: ${d}`);
      }
      if (kp.nested !== undefined && a.nested !== null) {
        out.push(...compareTables(a.nested, kp.nested, seen));
      }
    }
    return out;
  }

  const GENL: [string, YnlFamily][] = [
    ["nlctrl", nlctrl.family],
    ["ethtool", ethtool.family],
    ["netdev", netdev.family],
    ["mptcp_pm", mptcpPm.family],
    ["tcp_metrics", tcpMetrics.family],
  ];

  it("integration: the spec's checks agree with the kernel's policies, but for the differences known and explained", async () => {
    const known = (JSON.parse(
      readFileSync(
        new URL(
          "../fixtures/families/kernel_policy_differences.json",
          import.meta.url,
        ),
        "utf8",
      ),
    ) as {
      families: { family: string; differences: Record<string, string> }[];
    }).families;
    const found = new Map<string, string[]>();
    for (const [name, family] of GENL) {
      const rt = compiled(family);
      const list: string[] = [];
      for (const op of rt.ops.values()) {
        if (op.set === null) continue;
        for (const mode of ["do", "dump"] as const) {
          const cmd = op.desc[mode]?.[0];
          if (cmd === undefined) continue;
          let policy;
          try {
            policy = await genl.getPolicy(family.name, cmd);
          } catch (e) {
            if (
              isNetlinkError(e) &&
              (e.code === "ENOENT" || e.code === "EOPNOTSUPP")
            ) {
              list.push(
                `${op.desc.name} ${mode}: the kernel has no policy for command ${cmd}`,
              );
              continue;
            }
            throw e;
          }
          const table = policy.operations.get(cmd)?.[mode];
          if (table === undefined) {
            list.push(
              `${op.desc.name} ${mode}: the kernel has no ${mode} policy`,
            );
            continue;
          }
          list.push(...compareTables(op.set, table, new Set()));
        }
      }
      found.set(name, [...new Set(list)]);
    }
    const unexplained: string[] = [];
    const stale: string[] = [];
    for (const [name, list] of found) {
      const k = known.find((x) => x.family === name)?.differences ?? {};
      for (const d of list) if (!(d in k)) unexplained.push(`${name}: ${d}`);
      for (const d of Object.keys(k)) {
        if (!list.includes(d)) stale.push(`${name}: ${d}`);
      }
    }
    // Every difference is listed with its reason; the list holds no more than is found.
    assert.deepEqual(unexplained, []);
    assert.deepEqual(stale, []);
  });
});
