/**
 * Decodes the public netlink corpus (tests/fixtures/netlink/corpus.jsonl,
 * pruned from rust-netlink, pyroute2 and mdlayher/ethtool fixtures by
 * prune_corpus.py there) and checks the results against Wireshark 4.0's
 * independent dissection: message headers, top-level attribute offsets,
 * lengths and types (flag bits included), and nested attributes wherever
 * Wireshark dissected them. Where the attributes start (after a family
 * header of unknown size) is taken from the tree, not hard-coded per family.
 * Whole messages are also re-encoded and compared byte for byte.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  align,
  AttributeDecoder,
  decodeAttributes,
  encodeAttributes,
  encodeMessage,
  parseMessages,
} from "../../src/netlink/mod.ts";
import { hex, LITTLE_ENDIAN } from "./_hex.ts";

type Node = [number, number, string, string, Node[]?];
interface Sample {
  id: string;
  source: string;
  license: string;
  hex: string;
  expect: {
    wireshark: { proto: string; offset: number; size: number; tree: Node[] }[];
  };
}

const samples: Sample[] = readFileSync(
  new URL("../fixtures/netlink/corpus.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as Sample);

interface WsHeader {
  offset: number;
  length: number;
  type: number;
  flags: number;
  sequence: number;
  pid: number;
}
/** [offset of the header, nla_len, nla_type] */
type WsAttr = [number, number, number];
/** An attribute and the attributes Wireshark dissected inside it. */
interface WsTree {
  at: WsAttr;
  kids: WsTree[];
}

function field(n: Node, name: string): number | undefined {
  const c = n[4]?.find((k) => k[2] === name);
  return c === undefined ? undefined : Number(c[3]);
}

/** Message headers (with a length) and top-level attributes (not inside another attribute) of a dissection. */
/** The outermost attribute nodes under `nodes`, each with its own nested ones. */
function attrTrees(nodes: Node[]): WsTree[] {
  const out: WsTree[] = [];
  for (const n of nodes) {
    const len = field(n, "netlink.attr_len");
    if (len !== undefined) {
      // Elements of nested arrays show no type (their index): -1.
      out.push({
        at: [n[0], len, field(n, "netlink.attr_type") ?? -1],
        kids: attrTrees(n[4] ?? []),
      });
    } else if (n[4] && !n[3].startsWith("Netlink message header")) {
      out.push(...attrTrees(n[4]));
    }
  }
  return out.sort((a, b) => a.at[0] - b.at[0]);
}

function dissect(
  s: Sample,
): { headers: WsHeader[]; attrs: WsAttr[]; trees: WsTree[] } {
  const headers: WsHeader[] = [];
  const attrs: WsAttr[] = [];
  const trees = s.expect.wireshark.flatMap((m) => attrTrees(m.tree));
  const walk = (nodes: Node[]): void => {
    for (const n of nodes) {
      if (n[3].startsWith("Netlink message header")) {
        const length = field(n, "netlink.hdr_len");
        if (length !== undefined) {
          headers.push({
            offset: n[0],
            length,
            type: field(n, "netlink-route.nltype") ??
              field(n, "genl.family_id") ?? field(n, "netlink.hdr_type") ??
              NaN,
            flags: field(n, "netlink.hdr_flags")!,
            sequence: field(n, "netlink.hdr_seq")!,
            pid: field(n, "netlink.hdr_pid")!,
          });
        }
        continue;
      }
      const len = field(n, "netlink.attr_len");
      if (len !== undefined) {
        attrs.push([n[0], len, field(n, "netlink.attr_type")!]);
        continue; // nested attributes are not top-level
      }
      if (n[4]) walk(n[4]);
    }
  };
  for (const m of s.expect.wireshark) walk(m.tree);
  headers.sort((a, b) => a.offset - b.offset);
  // Drop headers inside an earlier message (the request echoed in an NLMSG_ERROR).
  const top: WsHeader[] = [];
  for (const h of headers) {
    const last = top[top.length - 1];
    if (last !== undefined && h.offset < last.offset + last.length) continue;
    top.push(h);
  }
  attrs.sort((a, b) => a[0] - b[0]);
  return { headers: top, attrs, trees };
}

/**
 * Checks the attributes nested inside each top-level attribute against
 * Wireshark's, level by level, starting where Wireshark's first nested
 * attribute starts (some nests hold a struct first). Returns the count.
 */
function checkNested(b: Uint8Array, trees: WsTree[], id: string): number {
  let n = 0;
  for (const t of trees) {
    if (t.kids.length === 0) continue;
    const end = t.at[0] + t.at[1];
    const got = ourAttrs(b, t.kids[0]!.at[0], end)
      .map((g, i): WsAttr => t.kids[i]?.at[2] === -1 ? [g[0], g[1], -1] : g);
    assert.deepEqual(
      got,
      t.kids.map((k) => k.at),
      `${id}: attributes nested in the one at ${t.at[0]}`,
    );
    n += got.length + checkNested(b, t.kids, id);
  }
  return n;
}

/** Our top-level attributes in [start, end): [header offset, nla_len, nla_type with flags]. */
function ourAttrs(b: Uint8Array, start: number, end: number): WsAttr[] {
  const out: WsAttr[] = [];
  const d = new AttributeDecoder(b, start, end - start);
  while (d.next()) out.push([d.offset - 4, d.length + 4, d.type | d.flags]);
  return out;
}

/** The attributes starting at the first one Wireshark shows, up to the message end. */
function checkAttrs(
  b: Uint8Array,
  ws: WsAttr[],
  end: number,
  id: string,
): number {
  if (ws.length === 0) return 0;
  const got = ourAttrs(b, ws[0]![0], end);
  assert.deepEqual(got, ws, `${id}: top-level attributes`);
  return got.length;
}

const whole = samples.filter((s) => {
  const { headers } = dissect(s);
  return headers.length > 0 && headers.every((h) => h.offset >= 0);
});
const bodies = samples.filter((s) => !whole.includes(s));

describe("corpus", { skip: !LITTLE_ENDIAN }, () => {
  it("holds the expected samples, each with its provenance", () => {
    assert.equal(samples.length, 259);
    assert.equal(whole.length, 50);
    for (const s of samples) {
      assert.ok(s.source.length > 0 && s.license.length > 0, s.id);
    }
  });

  describe("whole messages: headers and top-level attributes agree with Wireshark", () => {
    let attrCount = 0;
    for (const s of whole) {
      it(s.id, () => {
        const b = hex(s.hex);
        const { headers, attrs } = dissect(s);
        const ms = parseMessages(b);
        let offset = 0;
        const got = ms.map((m) => {
          const h = { offset, ...m.header };
          offset += align(m.header.length);
          return h;
        });
        assert.deepEqual(got, headers, `${s.id}: headers`);
        ms.forEach((m, i) => {
          const h = headers[i]!;
          const end = h.offset + h.length;
          const mine = attrs.filter(([o]) => o >= h.offset && o < end);
          attrCount += checkAttrs(b, mine, end, s.id);
          // Re-encoding gives the same bytes (padding included).
          const encoded = encodeMessage(m);
          assert.deepEqual([...encoded], [
            ...b.subarray(h.offset, h.offset + encoded.length),
          ], `${s.id}: re-encode`);
          if (mine.length > 0) {
            const region = b.subarray(mine[0]![0], end);
            assert.deepEqual([...encodeAttributes(decodeAttributes(region))], [
              ...region.subarray(0, align(region.length)),
            ]);
          }
        });
      });
    }
    it("compared a meaningful number of attributes", () => {
      assert.ok(attrCount >= 530, `${attrCount} attributes`);
    });
  });

  describe("message bodies (synthetic header in the dissection): top-level attributes agree", () => {
    let attrCount = 0;
    for (const s of bodies) {
      it(s.id, () => {
        const b = hex(s.hex);
        const { headers, attrs } = dissect(s);
        const h = headers[0];
        const end = h === undefined
          ? b.length
          : Math.min(b.length, h.offset + h.length);
        const inside = attrs.filter(([o]) => o >= 0 && o < end);
        attrCount += checkAttrs(b, inside, end, s.id);
      });
    }
    it("compared a meaningful number of attributes", () => {
      assert.ok(attrCount >= 900, `${attrCount} attributes`);
    });
  });

  describe("nested attributes agree with Wireshark wherever it dissected them", () => {
    let nested = 0;
    for (const s of samples) {
      it(s.id, () => {
        const b = hex(s.hex);
        const { trees } = dissect(s);
        nested += checkNested(b, trees.filter((t) => t.at[0] >= 0), s.id);
      });
    }
    it("compared a meaningful number of nested attributes", () => {
      assert.ok(nested >= 140, `${nested} nested attributes`);
    });
  });
});
