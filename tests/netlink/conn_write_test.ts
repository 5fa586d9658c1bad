// Written requests (`WRITE` of src/netlink/_conn_encoder.ts): a request
// whose payload a writer appends to the Conn's reused send encoder, as the
// generated families send typed requests; and `dumpMapped`, the dump whose
// replies are mapped in place. Both internal.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AttributeEncoder,
  HeaderFlags,
  isNetlinkError,
  type Message,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { type Outgoing, WRITE } from "../../src/netlink/_conn_encoder.ts";
import { type Conn, dumpMapped, socketOf } from "../../src/netlink/conn.ts";
import { dial, error, multipart } from "../../src/nltest/mod.ts";

const { Request, Acknowledge, Dump } = HeaderFlags;

function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/** A written request of type 0x10: `data`, then what `write` appends. */
function written(
  flags: number,
  write: (e: AttributeEncoder) => void,
  data?: Uint8Array,
  length = 0,
): Outgoing {
  const m: Outgoing = {
    header: { length, type: 0x10, flags, sequence: 0, pid: 0 },
    [WRITE]: write,
  };
  if (data !== undefined) m.data = data;
  return m;
}

/** Every message sent on `conn`, copied. */
function record(conn: Conn): Message[] {
  const socket = socketOf(conn) as unknown as {
    onSend: (s: unknown, d: Uint8Array) => unknown;
  };
  const sent: Message[] = [];
  const inner = socket.onSend;
  socket.onSend = (s, d) => {
    for (const m of parseMessages(d.slice())) sent.push(m);
    return inner(s, d);
  };
  return sent;
}

describe("Conn: written requests", () => {
  it("sends data, then what the writer appends, after a header it fills in", async () => {
    using conn = dial(() => []);
    const sent = record(conn);
    await conn.execute(
      written(
        Request | Acknowledge,
        (e) => e.uint32(1, 7).string(2, "eth0"),
        new Uint8Array([2, 0, 0]), // a 3-byte family header: padded to 4
      ),
    );
    const want = new AttributeEncoder().raw(new Uint8Array([2, 0, 0]))
      .uint32(1, 7).string(2, "eth0").encode();
    assert.equal(sent.length, 1);
    assert.deepEqual([...sent[0]!.data], [...want]);
    assert.equal(sent[0]!.header.length, 16 + want.length);
    assert.equal(sent[0]!.header.pid, conn.pid);
    assert.notEqual(sent[0]!.header.sequence, 0);
  });

  it("pads to a longer stated length with zeros, as for data", async () => {
    using conn = dial(() => []);
    const sent = record(conn);
    await conn.execute(
      written(Request | Acknowledge, (e) => e.flag(1), undefined, 16 + 10),
    );
    assert.equal(sent[0]!.header.length, 26);
    assert.deepEqual([...sent[0]!.data], [4, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("a writer that throws sends nothing and leaves the sequence counter and the buffer as they were", async () => {
    using conn = dial(() => []);
    const sent = record(conn);
    await conn.execute(written(Request | Acknowledge, (e) => e.uint8(1, 1)));
    const fail = (e: AttributeEncoder): void => {
      e.uint32(9, 0xdeadbeef).string(10, "half written");
      throw new RangeError("Cannot encode: bad value");
    };
    await assert.rejects(
      conn.execute(written(Request | Acknowledge, fail)),
      /bad value/,
    );
    await assert.rejects(conn.visit(written(Request | Dump, fail), () => {}));
    await assert.rejects(conn.dump(written(Request | Dump, fail)).next());
    // A header out of range fails after the writer ran: nothing sent either.
    await assert.rejects(
      conn.execute({
        header: { length: 0, type: 0x10000, flags: 0, sequence: 0, pid: 0 },
        [WRITE]: (e) => e.flag(1),
      } as Outgoing),
      RangeError,
    );
    await conn.execute({
      header: {
        length: 0,
        type: 0x11,
        flags: Request | Acknowledge,
        sequence: 0,
        pid: 0,
      },
      data: new Uint8Array([1, 2, 3, 4]),
    });
    await conn.execute(written(Request | Acknowledge, (e) => e.uint8(1, 2)));
    assert.equal(sent.length, 3);
    const seqs = sent.map((m) => m.header.sequence);
    assert.deepEqual(seqs, [seqs[0]!, seqs[0]! + 1, seqs[0]! + 2]);
    assert.deepEqual([...sent[1]!.data], [1, 2, 3, 4]);
    assert.equal(sent[1]!.header.length, 20);
    assert.deepEqual([...sent[2]!.data], [5, 0, 1, 0, 2, 0, 0, 0]);
  });

  it("resolves an error's attribute path against the written bytes, now and after a wait", async () => {
    const write = (e: AttributeEncoder): void => {
      e.uint32(1, 7).nested(2, (n) => n.uint16(3, 1500));
    };
    // Attribute 3 inside nest 2: header 16 + attr 1 (8) + nest header 4.
    const offset = 16 + 8 + 4;
    {
      using conn = dial((rs) => error(34, rs[0]!, { offset }));
      await assert.rejects(
        conn.execute(written(Request | Acknowledge, write)),
        (e) => isNetlinkError(e) && e.extAck?.attributePath?.join() === "2,3",
      );
    }
    using conn = dial(async (rs) => {
      await tick();
      return error(34, rs[0]!, { offset });
    });
    const p = conn.execute(written(Request | Acknowledge, write));
    // Another written request reuses the encoder meanwhile.
    conn.execute(written(Request, (e) => e.string(5, "x".repeat(40))))
      .catch(() => {});
    await assert.rejects(
      p,
      (e) => isNetlinkError(e) && e.extAck?.attributePath?.join() === "2,3",
    );
  });
});

describe("dumpMapped", () => {
  const entry = (i: number): Message => ({
    header: { length: 0, type: 0x10 + (i % 2), flags: 0, sequence: 0, pid: 0 },
    data: new Uint8Array([i, 0, 0, 0]),
  });

  it("maps each reply in place from the receive buffer, skipping undefined", async () => {
    using conn = dial(() =>
      multipart(Array.from({ length: 10 }, (_, i) => entry(i)))
    );
    const out = dumpMapped(
      conn,
      written(Request | Dump, () => {}),
      (v) => v.header.type === 0x10 ? v.bytes[v.offset]! : undefined,
    );
    assert.deepEqual(await Array.fromAsync(out), [0, 2, 4, 6, 8]);
  });

  it("a throwing map fails the dump and the rest is drained: the next dump is answered", async () => {
    using conn = dial(() =>
      multipart(Array.from({ length: 10 }, (_, i) => entry(i)))
    );
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (
          const n of dumpMapped(
            conn,
            written(Request | Dump, () => {}),
            (v) => {
              const n = v.bytes[v.offset]!;
              if (n === 3) throw new RangeError("Cannot decode: bad reply 3");
              return n;
            },
          )
        ) seen.push(n);
      })(),
      /bad reply 3/,
    );
    assert.deepEqual(seen, [0, 1, 2]);
    const again = await Array.fromAsync(
      dumpMapped(
        conn,
        written(Request | Dump, () => {}),
        (v) => v.bytes[v.offset],
      ),
    );
    assert.equal(again.length, 10);
  });
});
