import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeUevent,
  encodeUevent,
  UDEV_HEADER_LENGTH,
  type UeventSpec,
} from "../../src/uevent/mod.ts";
import { LITTLE_ENDIAN } from "../netlink/_hex.ts";

const skipBE = LITTLE_ENDIAN ? false : "literal bytes are little-endian";
const te = new TextEncoder();
/** Text with `\0` separators as bytes. */
const b = (s: string) => te.encode(s);

/** A datagram received on Linux 6.18 in a fresh network namespace after `ip link add uvA type veth peer name uvB`. */
const REAL_ADD = "add@/devices/virtual/net/uvB\0" +
  "ACTION=add\0DEVPATH=/devices/virtual/net/uvB\0SUBSYSTEM=net\0INTERFACE=uvB\0IFINDEX=2\0SEQNUM=10057\0";
/** After `ip link set uvA name uvC`. */
const REAL_MOVE = "move@/devices/virtual/net/uvC\0" +
  "ACTION=move\0DEVPATH=/devices/virtual/net/uvC\0SUBSYSTEM=net\0DEVPATH_OLD=/devices/virtual/net/uvA\0" +
  "INTERFACE=uvC\0IFINDEX=3\0SEQNUM=10071\0";
/** A queue of the veth (subsystem `queues`, no INTERFACE). */
const REAL_QUEUE = "add@/devices/virtual/net/uvB/queues/rx-0\0" +
  "ACTION=add\0DEVPATH=/devices/virtual/net/uvB/queues/rx-0\0SUBSYSTEM=queues\0SEQNUM=10058\0";

/** udev's header for `properties` (layout of struct udev_monitor_netlink_header). */
function libudev(
  properties: string,
  patch: (v: DataView) => void = () => {},
): Uint8Array {
  const body = b(properties);
  const out = new Uint8Array(UDEV_HEADER_LENGTH + body.length);
  // deno-fmt-ignore
  out.set([
    0x6c, 0x69, 0x62, 0x75, 0x64, 0x65, 0x76, 0x00, // prefix "libudev\0"
    0xfe, 0xed, 0xca, 0xfe,                         // magic 0xfeedcafe, network order
    40, 0, 0, 0,                                    // header_size (host order)
    40, 0, 0, 0,                                    // properties_off
    body.length & 0xff, body.length >> 8, 0, 0,     // properties_len
    0x12, 0x34, 0x56, 0x78,                         // filter_subsystem_hash
    0, 0, 0, 0,                                     // filter_devtype_hash
    0, 0, 0, 0, 0, 0, 0, 0,                         // filter_tag_bloom_hi, _lo
  ]);
  out.set(body, UDEV_HEADER_LENGTH);
  patch(new DataView(out.buffer));
  return out;
}

describe("decodeUevent()", () => {
  it("decodes the kernel's add uevent of a veth", () => {
    assert.deepEqual(decodeUevent(b(REAL_ADD)), {
      action: "add",
      devpath: "/devices/virtual/net/uvB",
      subsystem: "net",
      seqnum: 10057n,
      env: {
        ACTION: "add",
        DEVPATH: "/devices/virtual/net/uvB",
        SUBSYSTEM: "net",
        INTERFACE: "uvB",
        IFINDEX: "2",
        SEQNUM: "10057",
      },
      source: "kernel",
    });
  });

  it("decodes a rename (move, DEVPATH_OLD) and a queue uevent", () => {
    const m = decodeUevent(b(REAL_MOVE));
    assert.equal(m.action, "move");
    assert.equal(m.env.DEVPATH_OLD, "/devices/virtual/net/uvA");
    const q = decodeUevent(b(REAL_QUEUE));
    assert.equal(q.subsystem, "queues");
    assert.equal(q.env.INTERFACE, undefined);
  });

  it("decodes udev's libudev format", { skip: skipBE }, () => {
    const e = decodeUevent(libudev(
      "ACTION=add\0DEVPATH=/devices/virtual/net/uvB\0SUBSYSTEM=net\0INTERFACE=uvB\0ID_NET_DRIVER=veth\0SEQNUM=10057\0",
    ));
    assert.equal(e.source, "udev");
    assert.equal(e.action, "add");
    assert.equal(e.seqnum, 10057n);
    assert.equal(e.env.ID_NET_DRIVER, "veth");
  });

  it("finds udev's properties at properties_off, past a longer header", {
    skip: skipBE,
  }, () => {
    const props =
      "ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=misc\0SEQNUM=1\0";
    const inner = libudev(props);
    const out = new Uint8Array(inner.length + 8);
    out.set(inner.subarray(0, UDEV_HEADER_LENGTH));
    out.set(inner.subarray(UDEV_HEADER_LENGTH), UDEV_HEADER_LENGTH + 8);
    const v = new DataView(out.buffer);
    v.setUint32(12, 48, true); // header_size
    v.setUint32(16, 48, true); // properties_off
    assert.equal(decodeUevent(out).action, "remove");
  });

  it("decodes in place inside a larger buffer", () => {
    const d = b(REAL_ADD);
    const buf = new Uint8Array(d.length + 10).fill(0x41);
    buf.set(d, 5);
    assert.equal(decodeUevent(buf, 5, d.length).env.IFINDEX, "2");
  });

  it("keeps the last value of a repeated key and stores __proto__ as a plain entry", () => {
    const e = decodeUevent(
      b("add@/d\0ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0X=1\0X=2\0__proto__=p\0SEQNUM=3\0"),
    );
    assert.equal(e.env.X, "2");
    assert.equal(Object.getPrototypeOf(e.env), Object.prototype);
    assert.equal(
      Object.getOwnPropertyDescriptor(e.env, "__proto__")?.value,
      "p",
    );
  });

  it("decodes a 1 MiB uevent and rejects 1 MiB without a NUL quickly", () => {
    const filler = "K=" + "v".repeat(1 << 20) + "\0";
    const big = b(
      `add@/d\0ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0${filler}SEQNUM=1\0`,
    );
    assert.equal(decodeUevent(big).env.K?.length, 1 << 20);
    const noNul = new Uint8Array(1 << 20).fill(0x61);
    assert.throws(
      () => decodeUevent(noNul),
      /the header has no terminating NUL at offset 0/,
    );
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ["an empty datagram", new Uint8Array(0), /empty datagram at offset 0/],
    [
      "a header without '@'",
      b("add/devices/x\0ACTION=add\0"),
      /no '@' in the header "add\/devices\/x"/,
    ],
    ["no NUL at all", b("add@/devices/x"), /the header has no terminating NUL/],
    [
      "a last entry without NUL",
      b(REAL_ADD.slice(0, -1)),
      /the last entry has no terminating NUL at offset 111/,
    ],
    [
      "a header that is not UTF-8",
      new Uint8Array([0x61, 0xff, 0x40, 0x2f, 0]),
      /header that is not UTF-8/,
    ],
    [
      "a value that is not UTF-8",
      new Uint8Array([...b("add@/d\0ACTION=add\0X="), 0xc3, 0x28, 0]),
      /entry that is not UTF-8 at offset 18/,
    ],
    [
      "an entry without '='",
      b("add@/d\0ACTION\0"),
      /entry without '=' at offset 7/,
    ],
    [
      "an entry with an empty key",
      b("add@/d\0=add\0"),
      /empty key at offset 7/,
    ],
    ["an empty entry", b("add@/d\0ACTION=add\0\0"), /empty entry at offset 18/],
    ["an empty action", b("@/d\0ACTION=\0"), /lacks an action or a path/],
    [
      "no SEQNUM",
      b("add@/d\0ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0"),
      /no SEQNUM entry/,
    ],
    [
      "no SUBSYSTEM",
      b("add@/d\0ACTION=add\0DEVPATH=/d\0SEQNUM=1\0"),
      /no SUBSYSTEM entry/,
    ],
    [
      "a SEQNUM that is not a number",
      b("add@/d\0ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0SEQNUM=-1\0"),
      /SEQNUM "-1" is not a decimal number/,
    ],
    [
      "a SEQNUM above 2^64",
      b("add@/d\0ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0SEQNUM=18446744073709551616\0"),
      /does not fit in a u64/,
    ],
    [
      "a header that disagrees with ACTION",
      b("add@/d\0ACTION=remove\0DEVPATH=/d\0SUBSYSTEM=s\0SEQNUM=1\0"),
      /disagrees with ACTION=remove/,
    ],
    [
      "a short libudev header",
      b("libudev\0\xfe"),
      /too short for the 40-byte libudev header/,
    ],
    [
      "a bad libudev magic",
      libudev("ACTION=a\0", (v) => v.setUint32(8, 0xcafefeed)),
      /magic 0xcafefeed/,
    ],
    [
      "libudev properties past the end",
      libudev("ACTION=a\0", (v) => v.setUint32(20, 4096, true)),
      /do not fit the/,
    ],
    [
      "libudev properties inside the header",
      libudev("ACTION=a\0", (v) => v.setUint32(16, 8, true)),
      /properties at 8/,
    ],
  ];
  for (const [name, bytes, message] of bad) {
    it(`rejects ${name} with RangeError`, () => {
      assert.throws(
        () => decodeUevent(bytes),
        (e: Error) => e instanceof RangeError && message.test(e.message),
        name,
      );
    });
  }

  it("rejects a range outside the buffer with RangeError", () => {
    assert.throws(() => decodeUevent(b(REAL_ADD), 10, 1000), /outside the/);
    assert.throws(() => decodeUevent(b(REAL_ADD), -1, 5), RangeError);
  });

  it("throws only RangeError on hostile bytes", () => {
    const seeds = [
      b(REAL_ADD),
      b(REAL_MOVE),
      libudev("ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0SEQNUM=1\0"),
    ];
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(2),
        fc.nat(400),
        fc.nat(255),
        (noise, which, at, v) => {
          const seed = seeds[which]!;
          const mutated = Uint8Array.from(
            seed,
            (x, i) => (i === at % seed.length ? v : x),
          );
          for (
            const d of [
              noise,
              mutated,
              seed.subarray(0, at % seed.length),
              new Uint8Array([...b("libudev\0"), ...noise]),
            ]
          ) {
            try {
              const e = decodeUevent(d);
              assert.ok(e.action !== "" && e.devpath !== "");
            } catch (err) {
              if (!(err instanceof RangeError)) throw err;
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("encodeUevent()", () => {
  it("writes the kernel's layout: header, ACTION, DEVPATH, SUBSYSTEM, the rest, SEQNUM", () => {
    const spec: UeventSpec = {
      action: "add",
      devpath: "/devices/virtual/net/uvB",
      subsystem: "net",
      seqnum: 10057n,
      env: { INTERFACE: "uvB", IFINDEX: "2" },
    };
    assert.deepEqual(encodeUevent(spec), b(REAL_ADD));
  });

  it("writes udev's header in host order with the magic in network order", {
    skip: skipBE,
  }, () => {
    const props = "ACTION=add\0DEVPATH=/d\0SUBSYSTEM=s\0SEQNUM=1\0";
    const d = encodeUevent({
      action: "add",
      devpath: "/d",
      subsystem: "s",
      seqnum: 1n,
    }, "udev");
    assert.deepEqual(d.subarray(0, 24), libudev(props).subarray(0, 24));
    assert.deepEqual(d.subarray(24, 40), new Uint8Array(16)); // no filter hashes
  });

  it("round-trips both formats", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_./:-]{1,12}$/);
    fc.assert(
      fc.property(
        word,
        word,
        word,
        fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
        fc.dictionary(
          fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/),
          fc.string({ maxLength: 20 }),
        ),
        fc.constantFrom("kernel" as const, "udev" as const),
        (action, devpath, subsystem, seqnum, extra, format) => {
          const env = Object.fromEntries(
            Object.entries(extra).filter(([k]) =>
              !["ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM"].includes(k)
            )
              .map(([k, v]) => [k, v.replace(/\0/g, "")]),
          );
          const spec = {
            action: action.replace(/@/g, "a"),
            devpath,
            subsystem,
            seqnum,
            env,
          };
          const e = decodeUevent(encodeUevent(spec, format));
          assert.equal(e.action, spec.action);
          assert.equal(e.devpath, devpath);
          assert.equal(e.subsystem, subsystem);
          assert.equal(e.seqnum, seqnum);
          assert.equal(e.source, format);
          for (const [k, v] of Object.entries(env)) assert.equal(e.env[k], v);
        },
      ),
      { numRuns: 500 },
    );
  });

  const bad: [string, () => unknown, RegExp][] = [
    [
      "an empty action",
      () =>
        encodeUevent({ action: "", devpath: "/d", subsystem: "s", seqnum: 1n }),
      /action must be non-empty/,
    ],
    [
      "an action with '@'",
      () =>
        encodeUevent({
          action: "a@b",
          devpath: "/d",
          subsystem: "s",
          seqnum: 1n,
        }),
      /must not hold '@'/,
    ],
    [
      "a devpath with NUL",
      () =>
        encodeUevent({
          action: "add",
          devpath: "/d\0",
          subsystem: "s",
          seqnum: 1n,
        }),
      /devpath/,
    ],
    [
      "a negative seqnum",
      () =>
        encodeUevent({
          action: "add",
          devpath: "/d",
          subsystem: "s",
          seqnum: -1n,
        }),
      /seqnum -1/,
    ],
    [
      "a key with '='",
      () =>
        encodeUevent({
          action: "add",
          devpath: "/d",
          subsystem: "s",
          seqnum: 1n,
          env: { "A=B": "x" },
        }),
      /key "A=B"/,
    ],
    [
      "a repeated SEQNUM",
      () =>
        encodeUevent({
          action: "add",
          devpath: "/d",
          subsystem: "s",
          seqnum: 1n,
          env: { SEQNUM: "2" },
        }),
      /must not repeat SEQNUM/,
    ],
    [
      "an unknown format",
      () =>
        encodeUevent({
          action: "add",
          devpath: "/d",
          subsystem: "s",
          seqnum: 1n,
        }, "x" as "udev"),
      /format x/,
    ],
  ];
  for (const [name, f, message] of bad) {
    it(`refuses ${name} with TypeError`, () => {
      assert.throws(
        f,
        (e: Error) => e instanceof TypeError && message.test(e.message),
      );
    });
  }
});
