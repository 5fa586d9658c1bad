/**
 * Generic netlink against the running kernel, compared with iproute2's
 * `genl`. Opt in with NLKIT_INTEGRATION=1 as root (CI runs this folder
 * inside `unshare -n`, for Deno and Bun).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import {
  AttributeDecoder,
  AttributeEncoder,
  HeaderFlags,
  isNetlinkError,
  isNotExist,
} from "../../src/netlink/mod.ts";
import {
  type AttributePolicy,
  ControllerAttribute,
  ControllerCommand,
  type Family,
  GENL_ID_CTRL,
  GenlConn,
  type GenlMessage,
  type Policy,
  PolicyError,
  policyFor,
  PolicyType,
  validateRequest,
} from "../../src/genetlink/mod.ts";
import { formatCtrlList } from "../../examples/genl_families.ts";
import { gate } from "./_gate.ts";

const skip = await gate(import.meta.url);

function genl(...args: string[]): string | undefined {
  try {
    return execFileSync("genl", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined; // no iproute2
    throw e;
  }
}
const hasGenl = !skip && genl("-V") !== undefined;
const noGenl = skip ||
  (hasGenl
    ? false
    : "iproute2's genl is not installed (apt-get install iproute2)");
if (!skip && noGenl) console.log(`skipping genl comparisons: ${noGenl}`);

/** Parses `genl ctrl list` (iproute2 6.x) into families. */
function parseCtrlList(text: string): Family[] {
  const out: Family[] = [];
  let f: Family | undefined;
  let section: "none" | "ops" | "groups" = "none";
  for (const line of text.split("\n")) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^Name: (\S+)/))) {
      f = {
        id: 0,
        name: m[1]!,
        version: 0,
        headerSize: 0,
        maxAttribute: 0,
        operations: [],
        groups: [],
      };
      out.push(f);
      section = "none";
    } else if (f === undefined) {
      continue;
    } else if (
      (m = line.match(
        /ID: (0x[0-9a-f]+)\s+Version: (0x[0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/,
      ))
    ) {
      f.id = Number(m[1]);
      f.version = Number(m[2]);
      f.headerSize = Number(m[3]);
      f.maxAttribute = Number(m[4]);
    } else if (/commands supported:/.test(line)) {
      section = "ops";
    } else if (/multicast groups:/.test(line)) {
      section = "groups";
    } else if (
      section === "ops" && (m = line.match(/#\d+:\s+ID-(0x[0-9a-f]+)/))
    ) {
      f.operations.push({ id: Number(m[1]), flags: 0 });
    } else if (
      section === "ops" && (m = line.match(/Capabilities \((0x[0-9a-f]+)\)/))
    ) {
      f.operations[f.operations.length - 1]!.flags = Number(m[1]);
    } else if (
      section === "groups" &&
      (m = line.match(/#\d+:\s+ID-(0x[0-9a-f]+)\s+name: (\S+)/))
    ) {
      f.groups.push({ id: Number(m[1]), name: m[2]! });
    }
  }
  return out;
}

const TYPE_NAMES_IPROUTE2: Record<number, string> = {
  1: "FLAG",
  2: "U8",
  3: "U16",
  4: "U32",
  5: "U64",
  6: "S8",
  7: "S16",
  8: "S32",
  9: "S64",
  10: "BINARY",
  11: "STRING",
  12: "NUL_STRING",
  13: "NESTED",
  14: "NESTED_ARRAY",
  15: "BITFIELD32",
};

/** Prints an attribute policy as iproute2 6.1's `genl ctrl policy` does (it does not print masks). */
function iproute2(p: AttributePolicy, policy: Policy): string {
  let s = `type=${TYPE_NAMES_IPROUTE2[p.type] ?? "unknown"}`;
  if (p.minValue !== undefined && p.maxValue !== undefined) {
    s += ` range:[${p.minValue},${p.maxValue}]`;
  }
  if (p.minLength !== undefined) s += ` min len:${p.minLength}`;
  if (p.maxLength !== undefined) s += ` max len:${p.maxLength}`;
  if (p.nested !== undefined) s += ` policy:${policy.tables.indexOf(p.nested)}`;
  if (p.maxType !== undefined) s += ` maxattr:${p.maxType}`;
  if (p.bitfield32Mask !== undefined) {
    s += ` bitfield32 mask:0x${p.bitfield32Mask.toString(16)}`;
  }
  return s;
}

interface GenlPolicyText {
  ops: { op: number; do?: number; dump?: number }[];
  attrs: string[];
}

/** Parses `genl ctrl policy name X`: the per-op lines and the `policy[i]:attr[j]: ...` lines. */
function parseCtrlPolicy(text: string): GenlPolicyText {
  const out: GenlPolicyText = { ops: [], attrs: [] };
  for (const line of text.split("\n")) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/op (\d+) policies:(?: do=(\d+))?(?: dump=(\d+))?/))) {
      const e: GenlPolicyText["ops"][number] = { op: Number(m[1]) };
      if (m[2] !== undefined) e.do = Number(m[2]);
      if (m[3] !== undefined) e.dump = Number(m[3]);
      out.ops.push(e);
    } else if ((m = line.match(/(policy\[\d+\]:attr\[\d+\]: .*?)\s*$/))) {
      out.attrs.push(m[1]!);
    }
  }
  return out;
}

function ourPolicyText(policy: Policy): GenlPolicyText {
  const out: GenlPolicyText = { ops: [], attrs: [] };
  for (const [op, p] of policy.operations) {
    const e: GenlPolicyText["ops"][number] = { op };
    if (p.do !== undefined) e.do = policy.tables.indexOf(p.do);
    if (p.dump !== undefined) e.dump = policy.tables.indexOf(p.dump);
    out.ops.push(e);
  }
  policy.tables.forEach((t, i) => {
    for (const [type, p] of t) {
      out.attrs.push(`policy[${i}]:attr[${type}]: ${iproute2(p, policy)}`);
    }
  });
  return out;
}

/** Compares our policy with genl's; genl shows a dump-only command as op 0 (a kernel quirk we undo). */
function assertSamePolicy(ours: Policy, text: string, family: Family): void {
  const theirs = parseCtrlPolicy(text);
  const mine = ourPolicyText(ours);
  assert.deepEqual(mine.attrs, theirs.attrs);
  assert.equal(mine.ops.length, theirs.ops.length);
  theirs.ops.forEach((t, i) => {
    const o = mine.ops[i]!;
    if (t.op === 0 && o.op !== 0) {
      const op = family.operations.find((x) => x.id === o.op);
      assert.ok(
        op !== undefined && (op.flags & 0x2) === 0,
        `op ${o.op} shown as 0 should be dump-only`,
      );
      assert.deepEqual({ ...o, op: 0 }, t);
    } else {
      assert.deepEqual(o, t);
    }
  });
}

describe("integration: GenlConn on the real kernel", { skip }, () => {
  it(
    "integration: listFamilies() agrees with genl ctrl list",
    { skip: noGenl },
    async () => {
      await using conn = await GenlConn.dial();
      // A family may appear between the two views (module autoload): retry once.
      for (let attempt = 0;; attempt++) {
        const before = genl("ctrl", "list")!;
        const ours = await conn.listFamilies();
        const after = genl("ctrl", "list")!;
        if (before !== after && attempt === 0) continue;
        const theirs = parseCtrlList(after);
        assert.ok(theirs.length >= 3, `genl listed ${theirs.length} families`);
        // iproute2 prints an operation's capabilities only when the *family's*
        // version is 2 or more (it means to test the controller's version), so
        // for version-1 families genl shows no flags: compare those without.
        const shown = ours.map((f) =>
          f.version >= 2 ? f : {
            ...f,
            operations: f.operations.map((op) => ({ id: op.id, flags: 0 })),
          }
        );
        assert.deepEqual(shown, theirs);
        assert.ok(
          ours.some((f) =>
            f.version >= 2 && f.operations.some((op) => op.flags !== 0)
          ),
        );
        // examples/genl_families.ts prints exactly what genl prints.
        assert.equal(formatCtrlList(ours), after);
        // The flags genl does not show agree with each family's own lookup.
        for (const f of ours) assert.deepEqual(await conn.getFamily(f.name), f);
        break;
      }
    },
  );

  it("integration: visit() walks the family list dump without copies, like listFamilies()", async () => {
    await using conn = await GenlConn.dial();
    const names: string[] = [];
    const n = await conn.visit(
      {
        header: { command: ControllerCommand.GetFamily, version: 1 },
        data: new Uint8Array(),
      },
      GENL_ID_CTRL,
      (v) => {
        assert.equal(v.header.command, ControllerCommand.NewFamily);
        const d = new AttributeDecoder(v.bytes, v.offset, v.length);
        while (d.next()) {
          if (d.type === ControllerAttribute.FamilyName) {
            names.push(
              d.string(),
            );
          }
        }
      },
    );
    assert.equal(n, names.length);
    assert.deepEqual(names, (await conn.listFamilies()).map((f) => f.name));
  });

  it("integration: getFamily() finds nlctrl and ethtool by name and by id", async () => {
    await using conn = await GenlConn.dial();
    const ctrl = await conn.getFamily("nlctrl");
    assert.equal(ctrl.id, 0x10);
    assert.deepEqual(ctrl.groups, [{ id: 0x10, name: "notify" }]);
    const eth = await conn.getFamily("ethtool");
    assert.deepEqual(await conn.getFamily(eth.id), eth);
    assert.ok(eth.groups.some((g) => g.name === "monitor"));
  });

  it('integration: getFamily("nl80211") fails with isNotExist (no wifi here)', async () => {
    await using conn = await GenlConn.dial();
    await assert.rejects(conn.getFamily("nl80211"), (e: unknown) => {
      assert.ok(isNotExist(e));
      assert.ok(isNetlinkError(e));
      assert.equal(e.code, "ENOENT");
      assert.match(e.message, /nl80211/);
      return true;
    });
  });

  it(
    "integration: getPolicy(nlctrl) decodes and agrees with genl ctrl policy",
    { skip: noGenl },
    async () => {
      await using conn = await GenlConn.dial();
      const family = await conn.getFamily("nlctrl");
      const policy = await conn.getPolicy("nlctrl");
      assert.equal(policy.familyId, 0x10);
      assert.deepEqual([...policy.operations.keys()].sort((a, b) => a - b), [
        3,
        10,
      ]);
      assertSamePolicy(
        policy,
        genl("ctrl", "policy", "name", "nlctrl")!,
        family,
      );
    },
  );

  it(
    "integration: getPolicy(ethtool) and its LINKINFO_GET agree with genl ctrl policy",
    { skip: noGenl },
    async () => {
      await using conn = await GenlConn.dial();
      const family = await conn.getFamily("ethtool");
      const all = await conn.getPolicy(family);
      assertSamePolicy(all, genl("ctrl", "policy", "name", "ethtool")!, family);
      const LINKINFO_GET = 2;
      const one = await conn.getPolicy("ethtool", LINKINFO_GET);
      assert.deepEqual(
        one.operations.get(LINKINFO_GET),
        all.operations.get(LINKINFO_GET),
      );
      const header = one.operations.get(LINKINFO_GET)!.do!.get(1)!;
      assert.equal(header.type, PolicyType.Nested);
      assert.equal(header.nested!.get(2)!.type, PolicyType.NulString); // ETHTOOL_A_HEADER_DEV_NAME
    },
  );

  it("integration: getPolicy() of every family agrees with genl ctrl policy", {
    skip: noGenl,
  }, async () => {
    await using conn = await GenlConn.dial();
    let compared = 0;
    for (const family of await conn.listFamilies()) {
      const text = genl("ctrl", "policy", "name", family.name)!;
      if (parseCtrlPolicy(text).ops.length === 0) {
        // genl says "No data available" (on stderr, exit status 0) for a family without policy; so must we.
        await assert.rejects(
          conn.getPolicy(family),
          (e) => isNetlinkError(e) && e.code === "ENODATA",
          family.name,
        );
        continue;
      }
      assertSamePolicy(await conn.getPolicy(family), text, family);
      compared++;
    }
    assert.ok(compared >= 3, `compared ${compared} families`);
  });

  it("integration: getPolicy() of an unknown command fails", async () => {
    await using conn = await GenlConn.dial();
    await assert.rejects(
      conn.getPolicy("ethtool", 250),
      (e) => isNetlinkError(e),
    );
  });

  it("integration: a request that breaks ethtool's policy is refused before sending", async () => {
    const LINKINFO_GET = 2;
    const request = (header: (e: AttributeEncoder) => void): GenlMessage => ({
      header: { command: LINKINFO_GET, version: 1 },
      data: new AttributeEncoder().nested(1, header).encode(),
    });
    const bad = [
      {
        name: "a device name over the maximum",
        m: request((h) => h.string(2, "x".repeat(200))),
        rule: /attribute 1 > 2 \(NUL_STRING\)/,
      },
      {
        name: "header flags outside the mask",
        m: request((h) => h.uint32(3, 0x80000000)),
        rule: /attribute 1 > 3 \(U32\).*mask/,
      },
      {
        name: "an unknown header attribute",
        m: request((h) => h.uint32(9, 1)),
        rule: /attribute 1 > 9 \(unknown\)/,
      },
    ];
    await using checked = await GenlConn.dial({ validate: true });
    await using plain = await GenlConn.dial();
    const ethtool = await plain.getFamily("ethtool");
    const flags = HeaderFlags.Request | HeaderFlags.Acknowledge;
    for (const b of bad) {
      await assert.rejects(
        checked.execute(b.m, ethtool.id, flags),
        (e: unknown) => {
          assert.ok(
            e instanceof TypeError && e instanceof PolicyError,
            `${b.name}: ${e}`,
          );
          assert.match(e.message, b.rule);
          return true;
        },
        b.name,
      );
      // The kernel agrees: sent anyway, it refuses with EINVAL.
      await assert.rejects(
        plain.execute(b.m, ethtool.id, flags),
        (e: unknown) => {
          assert.ok(isNetlinkError(e), `${b.name}: ${e}`);
          assert.equal(e.code, "EINVAL", b.name);
          return true;
        },
      );
    }
    // A request that follows the policy reaches the kernel (lo has no link info: any kernel answer is fine).
    await checked.execute(request((h) => h.string(2, "lo")), ethtool.id, flags)
      .catch((e: unknown) => {
        assert.ok(isNetlinkError(e), `not a kernel error: ${e}`);
      });
  });
  it("integration: validateRequest() agrees with the kernel on random requests", async () => {
    // For random requests to ethtool LINKINFO_GET (strict validation) and
    // nlctrl GETFAMILY (legacy, not strict), our verdict equals the
    // kernel's: same refusals, same errno, same extended ACK text, same
    // offending attribute.
    await using conn = await GenlConn.dial();
    const raw = fc.record({
      t: fc.integer({ min: 0, max: 12 }),
      v: fc.uint8Array({ maxLength: 20 }),
    });
    const u32 = fc.integer({ min: 0, max: 0xffffffff }).map((n) =>
      new AttributeEncoder().uint32(0, n).encode().subarray(4)
    );
    const header = fc.array(
      fc.oneof(
        fc.record({ t: fc.constant(1), v: u32 }),
        fc.record({
          t: fc.constant(2),
          v: fc.string({ maxLength: 140 }).map((x) =>
            new TextEncoder().encode(x + "\0")
          ),
        }),
        fc.record({ t: fc.constant(3), v: u32 }),
        raw,
      ),
      { maxLength: 3 },
    );
    const ethtoolBody = fc.tuple(
      header,
      fc.boolean(),
      fc.array(raw, { maxLength: 1 }),
    ).map(([attrs, flag, extra]) => {
      const inner = new AttributeEncoder();
      for (const a of attrs) inner.bytes(a.t, a.v);
      const e = new AttributeEncoder();
      if (flag) e.nested(1, (x) => x.raw(inner.encode()));
      else e.bytes(1, inner.encode());
      for (const a of extra) e.bytes(a.t, a.v);
      return e.encode();
    });
    const name = fc.constantFrom("nlctrl", "x".repeat(15), "x".repeat(16)).map((
      x,
    ) => new TextEncoder().encode(x + "\0"));
    const nlctrlBody = fc.array(
      fc.oneof(raw, fc.record({ t: fc.constant(2), v: name })),
      { maxLength: 3 },
    ).map(
      (attrs) => {
        const e = new AttributeEncoder();
        for (const a of attrs) e.bytes(a.t, a.v);
        return e.encode();
      },
    );
    // Kernel errors about the request's meaning, not its policy.
    const semantic = /neither ifindex nor name|ifindex and name do not match/;
    let refused = 0;
    for (
      const [familyName, command, strict, body] of [[
        "ethtool",
        2,
        true,
        ethtoolBody,
      ], ["nlctrl", 3, false, nlctrlBody]] as const
    ) {
      const family = await conn.getFamily(familyName);
      const table = policyFor(
        await conn.getPolicy(family, command),
        command,
        false,
      )!;
      await fc.assert(
        fc.asyncProperty(body, async (data) => {
          let ours: PolicyError | undefined;
          try {
            validateRequest(table, data, {
              strict,
              maxType: family.maxAttribute,
            });
          } catch (e) {
            if (!(e instanceof PolicyError)) throw e;
            ours = e;
          }
          const m = { header: { command, version: 1 }, data };
          const kernel = await conn.execute(
            m,
            family.id,
            HeaderFlags.Request | HeaderFlags.Acknowledge,
          ).then(
            () => undefined,
            (e: unknown) => e,
          );
          const policyRefusal = isNetlinkError(kernel) &&
              (kernel.code === "EINVAL" || kernel.code === "ERANGE") &&
              kernel.extAck?.offset !== undefined &&
              !semantic.test(kernel.extAck.message ?? "")
            ? kernel
            : undefined;
          assert.equal(
            ours !== undefined,
            policyRefusal !== undefined,
            `ours: ${ours?.message}; kernel: ${kernel}`,
          );
          if (ours !== undefined && policyRefusal !== undefined) {
            refused++;
            assert.deepEqual(
              [ours.errno, ours.kernelMessage, 16 + 4 + ours.offset!],
              [
                policyRefusal.errno,
                policyRefusal.extAck?.message,
                policyRefusal.extAck?.offset,
              ],
              ours.message,
            );
          }
        }),
        { numRuns: 300 },
      );
    }
    assert.ok(refused > 50, `${refused} refusals compared`);
  });
  it("integration: notifications() yields netdev's DEV_ADD_NTF when a link is created", async (t) => {
    // Creating a link changes the namespace: only in a throwaway one (CI runs
    // this folder under `unshare -n`, where only lo exists).
    const links = execFileSync("ip", ["-o", "link"], { encoding: "utf8" })
      .trim().split("\n");
    if (links.length !== 1) {
      console.log(
        "skipping the netdev notification test: not in a throwaway netns (run under unshare -n)",
      );
      t.skip("not in a throwaway netns");
      return;
    }
    await using conn = await GenlConn.dial();
    const netdev = await conn.getFamily("netdev");
    const mgmt = netdev.groups.find((g) => g.name === "mgmt")!;
    conn.joinGroup(mgmt.id);
    const NETDEV_CMD_DEV_ADD_NTF = 2, NETDEV_A_DEV_IFINDEX = 1;
    execFileSync("ip", ["link", "add", "nlkitgenl0", "type", "bridge"]);
    try {
      const [link] = JSON.parse(
        execFileSync("ip", ["-j", "link", "show", "nlkitgenl0"], {
          encoding: "utf8",
        }),
      );
      // The kernel queued the notification before `ip` returned; the timeout only guards against a hang.
      for await (
        const n of conn.notifications({ signal: AbortSignal.timeout(10_000) })
      ) {
        assert.equal(n.familyId, netdev.id);
        assert.equal(n.header.command, NETDEV_CMD_DEV_ADD_NTF);
        const d = new AttributeDecoder(n.data);
        let ifindex = 0;
        while (d.next()) {
          if (d.type === NETDEV_A_DEV_IFINDEX) ifindex = d.uint32();
        }
        assert.equal(ifindex, link.ifindex);
        break;
      }
      conn.leaveGroup(mgmt.id);
    } finally {
      execFileSync("ip", ["link", "del", "nlkitgenl0"]);
    }
  });

  it("integration: joinGroup() of a group that does not exist fails", async () => {
    await using conn = await GenlConn.dial();
    assert.throws(
      () => conn.joinGroup(9999),
      (e) => isNetlinkError(e) && e.code === "EINVAL",
    );
  });
});
