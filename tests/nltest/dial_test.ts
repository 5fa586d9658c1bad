import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnOption,
  HeaderFlags,
  HeaderType,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { dial, error, multipart, notify, PID } from "../../src/nltest/mod.ts";
import { MemorySocket } from "../../src/nltest/_memory_socket.ts";
import { socketOf } from "../../src/netlink/conn.ts";

const { Request, Acknowledge, Dump, Multi } = HeaderFlags;
const request = (
  flags: number = Request,
  data = new Uint8Array(0),
): Message => ({
  header: { length: 0, type: 0x10, flags, sequence: 0, pid: 0 },
  data,
});
const reply = (n: number): Message => ({
  header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 },
  data: new Uint8Array([n, 0, 0, 0]),
});

/** Records the datagrams handed to the Conn. */
function spy(conn: ReturnType<typeof dial>): Message[][] {
  const s = socketOf(conn);
  assert.ok(s instanceof MemorySocket);
  const seen: Message[][] = [];
  const deliver = s.deliver.bind(s);
  s.deliver = (d, pid, groups) => {
    seen.push(parseMessages(d));
    deliver(d, pid, groups);
  };
  return seen;
}

describe("dial", () => {
  it("fills sequence and pid of replies from the request and uses PID", async () => {
    using conn = dial(() => [reply(1)]);
    assert.equal(conn.pid, PID);
    const sent = conn.send(request());
    const [m] = await conn.receive();
    assert.equal(m!.header.sequence, sent.header.sequence);
    assert.equal(m!.header.pid, PID);
    using other = dial(() => [], { pid: 4242 });
    assert.equal(other.pid, 4242);
  });

  it("keeps explicit reply sequence and pid", () => {
    using conn = dial(
      () => [{
        header: { length: 0, type: 0x10, flags: 0, sequence: 77, pid: 0 },
        data: new Uint8Array(0),
      }],
    );
    const seen = spy(conn);
    conn.send(request());
    assert.equal(seen[0]![0]!.header.sequence, 77);
  });

  it("hands a multipart reply out over several datagrams (half of the rest each time)", async () => {
    using conn = dial(() =>
      multipart([reply(1), reply(2), reply(3), reply(4)])
    );
    const seen = spy(conn);
    assert.deepEqual(
      (await conn.execute(request(Request | Dump))).map((m) => m.data[0]),
      [1, 2, 3, 4],
    );
    assert.deepEqual(seen.map((d) => d.length), [3, 1, 1]);
    assert.equal(seen[2]![0]!.header.type, HeaderType.Done);
  });

  it("sends each non-multipart reply and the ACK as separate datagrams", async () => {
    using conn = dial(() => [reply(1), reply(2)]);
    const seen = spy(conn);
    assert.deepEqual(
      (await conn.execute(request(Request | Acknowledge))).map((m) =>
        m.data[0]
      ),
      [1, 2],
    );
    assert.deepEqual(seen.map((d) => d.length), [1, 1, 1]);
    assert.equal(seen[2]![0]!.header.type, HeaderType.Error);
    assert.equal(seen[2]![0]!.header.flags, HeaderFlags.Capped);
  });

  it("adds no ACK when the kernel answered with an error or a DONE, or without Acknowledge", async () => {
    let mode = 0;
    using conn = dial((rs) =>
      mode === 0
        ? error(2, rs[0]!)
        : mode === 1
        ? multipart([reply(1)])
        : [reply(2)]
    );
    const seen = spy(conn);
    await assert.rejects(
      conn.execute(request(Request | Acknowledge)),
      (e) => isNetlinkError(e) && e.code === "ENOENT",
    );
    mode = 1;
    await conn.execute(request(Request | Acknowledge | Dump));
    mode = 2;
    await conn.execute(request(Request));
    const types = seen.flat().map((m) => m.header.type);
    assert.deepEqual(types, [HeaderType.Error, 0x10, HeaderType.Done, 0x10]);
  });

  it("answers every Acknowledge request of a batch", () => {
    using conn = dial(() => []);
    const seen = spy(conn);
    const sent = conn.sendMessages([
      request(Request | Acknowledge),
      request(Request),
      request(Request | Acknowledge),
    ]);
    assert.deepEqual(seen.map((d) => d[0]!.header.sequence), [
      sent[0]!.header.sequence,
      sent[2]!.header.sequence,
    ]);
  });

  it("strips extended ACK attributes when extendedAck is off", async () => {
    using on = dial((rs) => error(22, rs[0]!, { message: "bad" }));
    await assert.rejects(
      on.execute(request()),
      (e) => isNetlinkError(e) && e.extAck?.message === "bad",
    );
    using off = dial((rs) => error(22, rs[0]!, { message: "bad" }), {
      extendedAck: false,
    });
    const seen = spy(off);
    await assert.rejects(
      off.execute(request()),
      (e) => isNetlinkError(e) && e.code === "EINVAL" && e.extAck === undefined,
    );
    assert.equal(seen[0]![0]!.header.flags & HeaderFlags.AcknowledgeTLVs, 0);
  });

  it("echoes only the request header with capAck (NLM_F_CAPPED)", async () => {
    using conn = dial((rs) => error(22, rs[0]!, { message: "bad" }), {
      capAck: true,
    });
    const seen = spy(conn);
    await assert.rejects(
      conn.execute(request(Request, new Uint8Array(32))),
      (e) => isNetlinkError(e) && e.extAck?.message === "bad",
    );
    const m = seen[0]![0]!;
    assert.equal(
      m.header.flags,
      HeaderFlags.Capped | HeaderFlags.AcknowledgeTLVs,
    );
    assert.equal(m.data.length, 4 + 16 + 8); // errno, echoed header, MSG "bad"
    assert.equal(socketOf(conn).getOption(ConnOption.CapAcknowledge), true);
  });

  it("answers later when the kernel is async", async () => {
    using conn = dial(async () => {
      await new Promise((r) => setTimeout(r, 0));
      return [reply(8)];
    });
    assert.deepEqual((await conn.execute(request())).map((m) => m.data[0]), [
      8,
    ]);
  });

  it("rejects the waiting call when the kernel returns something that is not an array", async () => {
    using conn = dial(() => ({}) as unknown as Message[]);
    await assert.rejects(conn.execute(request()), TypeError);
  });

  it("rejects a kernel that is not a function", () => {
    assert.throws(() => dial(1 as unknown as () => []), TypeError);
  });
});

describe("notify", () => {
  const event: Message = {
    header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 },
    data: new Uint8Array(4),
  };

  it("delivers with the kernel's group mask, one datagram per message", async () => {
    using conn = dial(() => [], { groups: 0b100 });
    conn.joinGroup(40);
    const s = socketOf(conn) as MemorySocket;
    const masks: number[] = [];
    const deliver = s.deliver.bind(s);
    s.deliver = (d, pid = 0, groups = 0) => {
      masks.push(groups);
      deliver(d, pid, groups);
    };
    assert.equal(notify(conn, 3, [event, event]), true);
    assert.equal(notify(conn, 40, [event]), true);
    assert.equal(notify(conn, 1, [event]), false);
    assert.deepEqual(masks, [4, 4, 0]);
    assert.equal((await conn.receive()).length, 1);
  });

  it("refuses connections not opened by nltest and bad groups", () => {
    using conn = dial(() => []);
    assert.throws(() => notify(conn, 0, []), RangeError);
    assert.throws(
      () => notify({} as ReturnType<typeof dial>, 1, []),
      TypeError,
    );
  });
});

describe("dial DONE errors", () => {
  const doneError = (): Message[] => {
    // errno -22, then NLMSGERR_ATTR_MSG "bad"
    const data = new Uint8Array([
      0xea,
      0xff,
      0xff,
      0xff,
      0x08,
      0x00,
      0x01,
      0x00,
      0x62,
      0x61,
      0x64,
      0x00,
    ]);
    return [
      reply(1),
      {
        header: {
          length: 0,
          type: HeaderType.Done,
          flags: 0,
          sequence: 0,
          pid: 0,
        },
        data,
      },
    ].map((m, i) => ({
      header: {
        ...m.header,
        flags: Multi | (i === 1 ? HeaderFlags.AcknowledgeTLVs : 0),
      },
      data: m.data,
    }));
  };

  it("keeps the DONE's extended ACK by default and strips it without extendedAck", async () => {
    using on = dial(doneError);
    await assert.rejects(
      on.execute(request(Request | Dump)),
      (e) =>
        isNetlinkError(e) && e.code === "EINVAL" && e.extAck?.message === "bad",
    );
    using off = dial(doneError, { extendedAck: false });
    await assert.rejects(
      off.execute(request(Request | Dump)),
      (e) => isNetlinkError(e) && e.code === "EINVAL" && e.extAck === undefined,
    );
  });
});
