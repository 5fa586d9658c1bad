// serveYnlFamily: any generated genetlink family served by the simulated
// kernel, with the spec's flags, dont-validate and checks applied the way
// genetlink applies them, and replies encoded with the generated codec.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  GenlConn,
  OperationFlags,
  PolicyType,
} from "../../src/genetlink/mod.ts";
import {
  AttributeEncoder,
  Family,
  HeaderFlags,
  type NetlinkError,
} from "../../src/netlink/mod.ts";
import {
  KernelError,
  serveYnlFamily,
  SimKernel,
  type YnlRequestContext,
} from "../../src/nltest/mod.ts";
import * as devlink from "../../src/families/devlink.ts";
import * as netdev from "../../src/families/netdev.ts";
import { family as rtLink } from "../../src/families/rt_link.ts";
import { decode } from "../../src/families/mod.ts";

async function errorOf(p: Promise<unknown>): Promise<NetlinkError> {
  return await p.then(() => assert.fail("no error"), (e) => e);
}

/** Two netdevsim devices with two ports each, as a devlink tool would see them. */
const DEVICES = [
  { busName: "netdevsim", devName: "netdevsim1" },
  { busName: "netdevsim", devName: "netdevsim2" },
];

function devlinkKernel(privileged = true) {
  const kernel = new SimKernel();
  const requests: unknown[] = [];
  const served = serveYnlFamily(kernel, devlink.family, {
    get: (r, c) => {
      requests.push(r);
      if (c.dump) return DEVICES;
      const d = DEVICES.find((x) =>
        x.devName === r.devName && x.busName === r.busName
      );
      if (d === undefined) {
        const offset = c.offsetOf(["devName"]);
        throw new KernelError(19, offset === undefined ? {} : { offset });
      }
      return d;
    },
    portGet: (_r, c) =>
      c.dump
        ? DEVICES.flatMap((d) =>
          [0, 1].map((i) => ({
            ...d,
            portIndex: i,
            portType: "eth" as const,
            portNetdevName: `eni${d.devName.slice(-1)}np${i + 1}`,
          }))
        )
        : undefined,
    portSet: (r) => {
      requests.push(r);
    },
  }, { privileged });
  return {
    kernel,
    served,
    requests,
    genl: GenlConn.from(kernel.dial(Family.Generic)),
  };
}

describe("serveYnlFamily()", () => {
  it("registers the family with the simulated nlctrl: ids, operations with the spec's flags, groups, policy", async () => {
    const { genl, served } = devlinkKernel();
    await using _ = genl;
    const f = await genl.getFamily("devlink");
    assert.equal(f.id, served.family.id);
    const op = (id: number) => f.operations.find((o) => o.id === id)!.flags;
    assert.equal(
      op(devlink.get.doRequest!),
      OperationFlags.CanDo | OperationFlags.CanDump | OperationFlags.HasPolicy,
    );
    assert.equal(
      op(devlink.portSet.doRequest!),
      OperationFlags.CanDo | OperationFlags.AdminPerm |
        OperationFlags.HasPolicy,
    );
    assert.deepEqual(
      f.groups.map((g) => g.name),
      devlink.family.groups.map((g) => g.name),
    );
    const policy = await genl.getPolicy("devlink", devlink.get.doRequest!);
    const table = policy.operations.get(devlink.get.doRequest!)?.do;
    assert.equal(table?.get(1)?.type, PolicyType.NulString); // bus-name
  });

  it("decodes requests and encodes replies with the generated codec: do and dump", async () => {
    const { genl, requests } = devlinkKernel();
    await using _ = genl;
    assert.deepEqual(
      await devlink.get.do(genl, {
        busName: "netdevsim",
        devName: "netdevsim2",
      }),
      DEVICES[1],
    );
    assert.deepEqual(
      await Array.fromAsync(devlink.get.dump(genl, {})),
      DEVICES,
    );
    assert.equal(
      (await Array.fromAsync(devlink.portGet.dump(genl, {}))).length,
      4,
    );
    assert.deepEqual(requests, [
      { busName: "netdevsim", devName: "netdevsim2" },
      {},
    ]);
    const err = await errorOf(
      devlink.get.do(genl, { busName: "netdevsim", devName: "netdevsim9" }),
    );
    assert.equal(err.code, "ENODEV");
    assert.deepEqual(err.extAck?.attributePath, [2]); // dev-name, found by offsetOf
  });

  it("answers EOPNOTSUPP for an operation without a handler", async () => {
    const { genl } = devlinkKernel();
    await using _ = genl;
    assert.equal(
      (await errorOf(
        devlink.sbGet.do(genl, {
          busName: "netdevsim",
          devName: "netdevsim1",
          sbIndex: 0,
        }),
      )).code,
      "EOPNOTSUPP",
    );
  });

  it("answers EPERM to an admin-perm operation from an unprivileged requester, before validating", async () => {
    const { genl, requests } = devlinkKernel(false);
    await using _ = genl;
    await devlink.get.do(genl, { busName: "netdevsim", devName: "netdevsim1" });
    assert.equal(
      (await errorOf(
        devlink.portSet.do(genl, {
          busName: "netdevsim",
          devName: "netdevsim1",
          portIndex: 0,
          portType: "ib",
        }),
      )).code,
      "EPERM",
    );
    const bad = new AttributeEncoder().string(1, "x".repeat(100)).encode();
    assert.equal(
      (await errorOf(
        genl.execute(
          {
            header: { command: devlink.portSet.doRequest!, version: 1 },
            data: bad,
          },
          (await genl.getFamily("devlink")).id,
          HeaderFlags.Request | HeaderFlags.Acknowledge,
        ),
      )).code,
      "EPERM",
    );
    assert.equal(requests.length, 1);
  });

  it("decides privilege per request", async () => {
    const kernel = new SimKernel();
    const allowed = new Set<number>();
    serveYnlFamily(kernel, devlink.family, { portSet: () => undefined }, {
      privileged: (c) => allowed.has(c.pid),
    });
    await using a = GenlConn.from(kernel.dial(Family.Generic));
    await using b = GenlConn.from(kernel.dial(Family.Generic));
    allowed.add(a.conn.pid);
    const req = {
      busName: "netdevsim",
      devName: "netdevsim1",
      portIndex: 0,
      portType: "eth" as const,
    };
    await devlink.portSet.do(a, req);
    assert.equal((await errorOf(devlink.portSet.do(b, req))).code, "EPERM");
  });

  it("validates strictly unless the spec says dont-validate, with the kernel's extended ACK", async () => {
    const kernel = new SimKernel();
    const { family: nd } = serveYnlFamily(kernel, netdev.family, {
      devGet: () => ({ ifindex: 1 }),
    });
    const { family: dl } = serveYnlFamily(kernel, devlink.family, {
      get: () => [],
      portGet: () => ({ busName: "x", devName: "y", portIndex: 0 }),
    });
    await using genl = GenlConn.from(kernel.dial(Family.Generic));
    const send = (
      id: number,
      command: number,
      data: Uint8Array,
      dump = false,
    ) =>
      genl.execute(
        { header: { command, version: 1 }, data },
        id,
        HeaderFlags.Request |
          (dump ? HeaderFlags.Dump : HeaderFlags.Acknowledge),
      );
    // netdev dev-get: strict. An unknown attribute, a value under `min`.
    let e = await errorOf(
      send(
        nd.id,
        netdev.devGet.doRequest!,
        new AttributeEncoder().uint32(1, 1).uint32(60, 0).encode(),
      ),
    );
    assert.deepEqual([e.code, e.extAck?.message, e.extAck?.offset], [
      "EINVAL",
      "Unknown attribute type",
      28,
    ]);
    e = await errorOf(
      send(
        nd.id,
        netdev.devGet.doRequest!,
        new AttributeEncoder().uint32(1, 0).encode(),
      ),
    );
    assert.deepEqual([e.code, e.extAck?.message, e.extAck?.attributePath], [
      "ERANGE",
      "integer out of range",
      [1],
    ]);
    assert.ok(e.extAck?.policy instanceof Uint8Array);
    // devlink port-get: dont-validate strict, so an unknown attribute passes
    // but a known one is still checked.
    await send(
      dl.id,
      devlink.portGet.doRequest!,
      new AttributeEncoder().string(1, "x").uint32(900, 0).encode(),
    );
    e = await errorOf(
      send(
        dl.id,
        devlink.portGet.doRequest!,
        new AttributeEncoder().uint16(3, 1).encode(),
      ),
    );
    assert.equal(e.code, "ERANGE"); // port-index is a u32: 2 bytes are too few, even liberally
    // devlink get as a dump: dont-validate dump, nothing is checked.
    await send(
      dl.id,
      devlink.get.dumpRequest!,
      new AttributeEncoder().uint16(3, 1).encode(),
      true,
    );
  });

  it("finds attribute offsets by spec names, through nests and repeats", async () => {
    const kernel = new SimKernel();
    let seen: (number | undefined)[] = [];
    serveYnlFamily(kernel, devlink.family, {
      portSet: (_r, c: YnlRequestContext) => {
        seen = [
          c.offsetOf(["busName"]),
          c.offsetOf(["devName"]),
          c.offsetOf(["portFunction", "hwAddr"]),
          c.offsetOf(["nope"]),
          c.offsetOf(["portIndex"]),
        ];
      },
    });
    await using genl = GenlConn.from(kernel.dial(Family.Generic));
    await devlink.portSet.do(genl, {
      busName: "pci",
      devName: "0000:01:00.0",
      portFunction: { hwAddr: new Uint8Array(6) },
    });
    // 16 (nlmsghdr) + 4 (genl) = 20: bus-name "pci" takes 8 bytes, dev-name
    // 20, then port-function's header (4) and hw-addr inside it.
    assert.deepEqual(seen, [20, 28, 52, undefined, undefined]);
  });

  it("notifies on the spec's group, from a handler and from the test", async () => {
    const kernel = new SimKernel();
    const served = serveYnlFamily(kernel, netdev.family, {
      devGet: (_r, c) => {
        c.notifyOp("devChangeNtf", { ifindex: 7 });
        return { ifindex: 7 };
      },
    });
    await using listener = GenlConn.from(kernel.dial(Family.Generic));
    await netdev.family.joinGroup(listener, "mgmt");
    await using genl = GenlConn.from(kernel.dial(Family.Generic));
    await netdev.devGet.do(genl, { ifindex: 7 });
    served.notify("devDelNtf", { ifindex: 7 });
    const got: string[] = [];
    for await (const m of listener.notifications()) {
      got.push(decode(netdev.family, m)!.op);
      if (got.length === 2) break;
    }
    assert.deepEqual(got, ["devChangeNtf", "devDelNtf"]);
    assert.throws(() => served.notify("devGet", {}, "nope"), /no group nope/);
  });

  it("refuses what it cannot serve with a TypeError", () => {
    const kernel = new SimKernel();
    assert.throws(
      () => serveYnlFamily(kernel, rtLink, {}),
      /generic netlink family/,
    );
    assert.throws(
      () => serveYnlFamily(kernel, netdev.family, { nope: () => undefined }),
      /has no operation nope/,
    );
    assert.throws(
      () => serveYnlFamily(kernel, netdev.family, { devGet: 5 as never }),
      /not a function/,
    );
    assert.throws(
      () => serveYnlFamily(kernel, netdev.family, null as never),
      /handlers must be an object/,
    );
  });

  it("refuses a second family of the same name (EEXIST)", () => {
    const kernel = new SimKernel();
    serveYnlFamily(kernel, netdev.family, {});
    assert.throws(
      () => serveYnlFamily(kernel, netdev.family, {}),
      (e: Error) => e instanceof KernelError && e.code === "EEXIST",
    );
  });
});
