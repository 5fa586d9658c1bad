// struct tcp_info past Linux 6.1: the fields Linux 6.18 added, their
// offsets checked by length arithmetic (each where the one before ends,
// naturally aligned) and against the offsets Linux 6.18 itself reports
// (the running kernel's BTF, /sys/kernel/btf/vmlinux, read once with a
// throwaway script), and decoded by length as the older ones are.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeTcpInfo,
  encodeTcpInfo,
  TCP_INFO_MIN_LENGTH,
} from "../../src/sockdiag/mod.ts";
import { TCP_INFO_LAYOUT } from "../../src/sockdiag/tcp_info.ts";
import { LITTLE_ENDIAN } from "../netlink/_hex.ts";

/** offsetof(struct tcp_info, X) on Linux 6.18 (its BTF), and sizeof. */
// deno-fmt-ignore
const LINUX_6_18 = {
  size: 280,
  offsets: {
    sndWnd: 228, rcvWnd: 232, rehash: 236, totalRto: 240, totalRtoRecoveries: 242,
    totalRtoTime: 244, receivedCe: 248, deliveredE1Bytes: 252, deliveredE0Bytes: 256,
    deliveredCeBytes: 260, receivedE1Bytes: 264, receivedE0Bytes: 268, receivedCeBytes: 272,
  },
  /** tcpi_accecn_fail_mode and tcpi_accecn_opt_seen (__u16 each): not decoded. */
  tail: 4,
};

describe("struct tcp_info layout", () => {
  it("puts each field where the one before it ends, naturally aligned", () => {
    let end = TCP_INFO_MIN_LENGTH;
    for (const [name, offset, size] of TCP_INFO_LAYOUT) {
      assert.equal(offset, end, `${name} follows the field before it`);
      assert.equal(offset % size, 0, `${name} is aligned`);
      end = offset + size;
    }
    assert.equal(end + LINUX_6_18.tail, LINUX_6_18.size);
  });

  it("has Linux 6.18's offsets", () => {
    const table = new Map(TCP_INFO_LAYOUT.map(([n, o]) => [n, o]));
    for (const [name, offset] of Object.entries(LINUX_6_18.offsets)) {
      assert.equal(table.get(name as never), offset, name);
    }
  });
});

describe("decodeTcpInfo() past Linux 6.1", { skip: !LITTLE_ENDIAN }, () => {
  // deno-fmt-ignore
  const values = {
    rcvWnd: 65483, rehash: 2, totalRto: 3, totalRtoRecoveries: 1, totalRtoTime: 1200,
    receivedCe: 5, deliveredE1Bytes: 6, deliveredE0Bytes: 7, deliveredCeBytes: 8,
    receivedE1Bytes: 9, receivedE0Bytes: 10, receivedCeBytes: 11,
  };

  it("reads the fields at their offsets, the u16 ones as u16", () => {
    const b = new Uint8Array(LINUX_6_18.size);
    const v = new DataView(b.buffer);
    for (const [name, value] of Object.entries(values)) {
      const at = LINUX_6_18.offsets[name as keyof typeof values];
      if (name === "totalRto" || name === "totalRtoRecoveries") {
        v.setUint16(at, value, true);
      } else v.setUint32(at, value, true);
    }
    v.setUint16(276, 0xffff, true); // the undecoded tail
    v.setUint16(278, 0xffff, true);
    const info = decodeTcpInfo(b, 0, b.length);
    for (const [name, value] of Object.entries(values)) {
      assert.equal(info[name as keyof typeof values], value, name);
    }
    assert.equal(info.length, 280);
    assert.deepEqual(
      encodeTcpInfo({ ...info }).subarray(0, 276),
      b.subarray(0, 276),
    );
  });

  it("decodes by length: what the struct does not reach is absent", () => {
    const cases: [number, string[]][] = [
      [232, []],
      [236, ["rcvWnd"]],
      [248, [
        "rcvWnd",
        "rehash",
        "totalRto",
        "totalRtoRecoveries",
        "totalRtoTime",
      ]],
      [276, Object.keys(values)],
      [280, Object.keys(values)],
    ];
    for (const [length, present] of cases) {
      const info = decodeTcpInfo(
        encodeTcpInfo({ ...values, length }),
        0,
        length,
      );
      const got = Object.keys(values).filter((k) =>
        info[k as keyof typeof values] !== undefined
      );
      assert.deepEqual(got, present, `${length} bytes`);
      assert.equal(info.sndWnd, 0, `${length} bytes reach sndWnd`);
    }
  });

  it("refuses a u16 field out of range when encoding", () => {
    assert.throws(
      () => encodeTcpInfo({ length: 280, totalRto: 0x10000 }),
      {
        name: "RangeError",
        message: /totalRto 65536 is not an integer from 0 to 65535/,
      },
    );
  });
});
