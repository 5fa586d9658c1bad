// integration: record a real rtnetlink and generic netlink session, replay it
// with no kernel, and get identical decoded results. Needs root in a throwaway
// network namespace: NLKIT_INTEGRATION=1 (CI runs it under `unshare -n`).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeDecoder,
  AttributeEncoder,
  Conn,
  Family,
  HeaderFlags,
  type Message,
} from "../../src/netlink/mod.ts";
import { GenlConn } from "../../src/genetlink/mod.ts";
import { record, replay, SimKernel } from "../../src/nltest/mod.ts";
import { gate } from "./_gate.ts";

const skip = await gate(import.meta.url);

const REQUEST = HeaderFlags.Request;
const ACK = HeaderFlags.Acknowledge;
const DUMP = HeaderFlags.Dump;
const NAME = "nlkitrr0";

function msg(type: number, flags: number, data: Uint8Array): Message {
  return { header: { length: 0, type, flags, sequence: 0, pid: 0 }, data };
}

function cat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function ifinfomsg(index = 0): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setInt32(4, index, true);
  return b;
}

/** Link names and indexes, decoded. */
function links(ms: Message[]): [number, string][] {
  return ms.map((m) => {
    const d = new AttributeDecoder(m.data, 16);
    let name = "";
    while (d.next()) if (d.type === 3) name = d.string();
    return [
      new DataView(m.data.buffer, m.data.byteOffset).getInt32(4, true),
      name,
    ];
  });
}

/** Decoded replies, or the error's code and extended ACK message. */
async function outcome(
  p: Promise<Message[]>,
  decode: (ms: Message[]) => unknown,
): Promise<unknown> {
  try {
    return decode(await p);
  } catch (e) {
    const x = e as { code?: string; extAck?: { message?: string } };
    return ["error", x.code, x.extAck?.message ?? ""];
  }
}

async function routeSession(conn: Conn): Promise<unknown[]> {
  const newLink = (name: string, kind: string) =>
    msg(
      16,
      REQUEST | ACK | HeaderFlags.Create | HeaderFlags.Excl,
      cat(
        ifinfomsg(),
        new AttributeEncoder().string(3, name).nested(
          18,
          (e) => e.string(1, kind),
        ).encode(),
      ),
    );
  const byName = msg(
    18,
    REQUEST,
    cat(ifinfomsg(), new AttributeEncoder().string(3, NAME).encode()),
  );
  const addr = new Uint8Array([2, 24, 0, 0, 1, 0, 0, 0]); // AF_INET /24 on index 1 (lo)
  const out: unknown[] = [];
  out.push(
    await outcome(conn.execute(msg(18, REQUEST | DUMP, ifinfomsg())), links),
  );
  out.push(
    await outcome(conn.execute(newLink(NAME, "dummy")), (ms) => ms.length),
  );
  out.push(
    await outcome(conn.execute(newLink(NAME, "dummy")), (ms) => ms.length),
  );
  out.push(
    await outcome(
      conn.execute(newLink("nlkitrr1", "nosuchkind")),
      (ms) => ms.length,
    ),
  );
  out.push(await outcome(conn.execute(byName), links));
  out.push(
    await outcome(
      conn.execute(
        msg(
          20,
          REQUEST | ACK | HeaderFlags.Create,
          cat(
            addr,
            new AttributeEncoder().bytes(2, new Uint8Array([192, 0, 2, 1]))
              .encode(),
          ),
        ),
      ),
      (ms) => ms.length,
    ),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(22, REQUEST | DUMP, new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0])),
      ),
      (ms) => ms.map((m) => Array.from(m.data.subarray(0, 8))),
    ),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(
          26,
          REQUEST | DUMP,
          new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ),
      ),
      (ms) => ms.length,
    ),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(
          17,
          REQUEST | ACK,
          cat(ifinfomsg(), new AttributeEncoder().string(3, NAME).encode()),
        ),
      ),
      (ms) => ms.length,
    ),
  );
  out.push(
    await outcome(conn.execute(msg(18, REQUEST, ifinfomsg(99999))), links),
  );
  // Leave the namespace as it was.
  out.push(
    await outcome(
      conn.execute(
        msg(
          21,
          REQUEST | ACK,
          cat(
            addr,
            new AttributeEncoder().bytes(2, new Uint8Array([192, 0, 2, 1]))
              .encode(),
          ),
        ),
      ),
      (ms) => ms.length,
    ),
  );
  return out;
}

async function genlSession(genl: GenlConn): Promise<unknown[]> {
  const out: unknown[] = [];
  out.push(await genl.getFamily("nlctrl"));
  out.push((await genl.listFamilies()).map((f) => [f.id, f.name, f.groups]));
  out.push(
    await genl.getFamily("nlkitnosuch").then(() => "found", (e) => e.code),
  );
  return out;
}

test(
  "integration: a recorded rtnetlink session replays identically without a kernel",
  { skip },
  async () => {
    const live = await Conn.dial(Family.Route);
    const rec = record(live, { family: Family.Route });
    const want = await routeSession(live);
    await live.close();
    assert.ok(
      Array.isArray(want[0]) && (want[0] as unknown[]).length >= 1,
      "the live dump saw lo",
    );
    await using conn = replay(rec.toString()).dial();
    assert.deepEqual(await routeSession(conn), want);
  },
);

test(
  "integration: a recorded generic netlink session replays identically without a kernel",
  { skip },
  async () => {
    const live = await GenlConn.dial();
    const rec = record(live.conn, { family: Family.Generic });
    const want = await genlSession(live);
    await live.close();
    await using genl = GenlConn.from(replay(rec.toString()).dial());
    assert.deepEqual(await genlSession(genl), want);
    assert.equal(want[2], "ENOENT");
  },
);

/** Requests whose answers do not depend on the machine (a fresh netns holds only lo). */
async function fidelitySession(conn: Conn): Promise<unknown[]> {
  const bytes = (ms: Message[]) =>
    ms.map((m) => [m.header.type, m.header.flags, Array.from(m.data)]);
  const header = (ms: Message[]) =>
    ms.map((m) => [m.header.type, Array.from(m.data.subarray(0, 16))]);
  const lo192 = (flags: number, prefix = 24) =>
    msg(
      flags & HeaderFlags.Create ? 20 : 21,
      flags,
      cat(
        new Uint8Array([2, prefix, 0, 0, 1, 0, 0, 0]),
        new AttributeEncoder().bytes(2, new Uint8Array([192, 0, 2, 1]))
          .encode(),
      ),
    );
  const route = (type: number, flags: number) =>
    msg(
      type,
      flags,
      cat(
        new Uint8Array([2, 8, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]),
        new AttributeEncoder().bytes(1, new Uint8Array([10, 0, 0, 0])).uint32(
          4,
          1,
        ).encode(),
      ),
    );
  const routes = () =>
    conn.execute(
      msg(
        26,
        REQUEST | DUMP,
        new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      ),
    );
  const create = REQUEST | ACK | HeaderFlags.Create | HeaderFlags.Excl;
  const out: unknown[] = [];
  out.push(
    await outcome(conn.execute(msg(18, REQUEST | DUMP, ifinfomsg())), header),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(
          18,
          REQUEST | DUMP,
          new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]),
        ),
      ),
      header,
    ),
  );
  out.push(
    await outcome(conn.execute(msg(18, REQUEST | DUMP, ifinfomsg(1))), header),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(22, REQUEST | DUMP, new Uint8Array([2, 24, 0, 0, 0, 0, 0, 0])),
      ),
      header,
    ),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(
          26,
          REQUEST | DUMP,
          new Uint8Array([2, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ),
      ),
      header,
    ),
  );
  out.push(
    await outcome(conn.execute(msg(18, REQUEST, ifinfomsg(99999))), header),
  );
  out.push(
    await outcome(
      conn.execute(
        msg(
          16,
          create,
          cat(
            ifinfomsg(),
            new AttributeEncoder().string(3, "x0").nested(
              18,
              (e) => e.string(1, "nosuchkind"),
            ).encode(),
          ),
        ),
      ),
      header,
    ),
  );
  out.push(await outcome(conn.execute(lo192(create, 33)), header));
  out.push(await outcome(conn.execute(lo192(create)), header));
  out.push(await outcome(conn.execute(lo192(create)), header));
  out.push(
    await outcome(
      conn.execute(
        msg(22, REQUEST | DUMP, new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0])),
      ),
      header,
    ),
  );
  out.push(await outcome(routes(), bytes));
  out.push(await outcome(conn.execute(route(24, create)), header));
  out.push(await outcome(conn.execute(route(24, create)), header));
  out.push(await outcome(routes(), bytes));
  out.push(await outcome(conn.execute(route(25, REQUEST | ACK)), header));
  out.push(await outcome(conn.execute(route(25, REQUEST | ACK)), header));
  out.push(await outcome(conn.execute(lo192(REQUEST | ACK)), header));
  out.push(await outcome(conn.execute(lo192(REQUEST | ACK)), header));
  out.push(await outcome(routes(), bytes));
  // IPv6: the local route of ::1, then an address with its local and prefix routes.
  const routes6 = (family: number) =>
    conn.execute(
      msg(
        26,
        REQUEST | DUMP,
        new Uint8Array([family, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      ),
    );
  const six = new Uint8Array([
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
  ]);
  const addr6 = (type: number, flags: number) =>
    msg(
      type,
      flags,
      cat(
        new Uint8Array([10, 64, 0, 0, 1, 0, 0, 0]),
        new AttributeEncoder().bytes(1, six).encode(),
      ),
    );
  out.push(await outcome(routes6(0), bytes));
  out.push(await outcome(conn.execute(addr6(20, create)), header));
  out.push(
    await outcome(
      conn.execute(
        msg(22, REQUEST | DUMP, new Uint8Array([10, 0, 0, 0, 0, 0, 0, 0])),
      ),
      // ifa_flags left out: IFA_F_TENTATIVE lasts until DAD work runs (timing).
      (ms) =>
        ms.map((
          m,
        ) => [
          m.header.type,
          m.data[0],
          m.data[1],
          m.data[3],
          Array.from(m.data.subarray(4, 8)),
        ]),
    ),
  );
  // Only the main table: the local route of a new IPv6 address appears when DAD work runs (timing).
  out.push(
    await outcome(
      routes6(10),
      (ms) => bytes(ms.filter((m) => m.data[4] === 254)),
    ),
  );
  out.push(await outcome(conn.execute(addr6(21, REQUEST | ACK)), header));
  out.push(await outcome(conn.execute(addr6(21, REQUEST | ACK)), header));
  out.push(await outcome(routes6(10), bytes));
  return out;
}

/** True when the namespace holds only what a fresh one has: lo, 127.0.0.1/8, ::1/128 and their 3 IPv4 routes. */
async function pristine(): Promise<boolean> {
  await using conn = await Conn.dial(Family.Route);
  const count = async (type: number, data: Uint8Array) =>
    (await conn.execute(msg(type, REQUEST | DUMP, data))).length;
  return await count(18, ifinfomsg()) === 1 &&
    await count(22, new Uint8Array(8)) === 2 &&
    await count(26, new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])) === 3;
}

// Other integration files share the namespace: compare only while it is fresh.
const fresh = !skip && await pristine();

test(
  "integration: SimKernel answers a fresh network namespace's requests like the real kernel",
  {
    skip: skip ||
      (fresh
        ? false
        : "the network namespace is not fresh (another test left links or addresses)"),
  },
  async () => {
    await using real = await Conn.dial(Family.Route, { strict: true });
    await using sim = new SimKernel().dial(Family.Route, { strict: true });
    const want = await fidelitySession(real);
    const got = await fidelitySession(sim);
    want.forEach((w, i) => assert.deepEqual(got[i], w, `step ${i}`));
    await using genl = GenlConn.from(new SimKernel().dial(Family.Generic));
    await using live = await GenlConn.dial();
    assert.deepEqual(
      await genl.getFamily("nlctrl"),
      await live.getFamily("nlctrl"),
    );
  },
);
