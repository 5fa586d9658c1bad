/**
 * Compares a decoded value with Wireshark's independent reading of the
 * same bytes (the pruned trees of corpus.jsonl): fixed-header fields by
 * byte offset, attributes by type, nests recursively, leaf values where
 * Wireshark shows a number, an address, a hardware address, a string or
 * raw bytes.
 */
import {
  K,
  type RtAttr,
  type RtSet,
  type RtStruct,
} from "../../src/families/_schema.ts";
import type { Obj } from "../../src/families/_codec.ts";
import type { WsNode } from "./_corpus.ts";
import { hex } from "./_families.ts";
import { parseIP } from "../../src/families/_text.ts";

/** What one comparison run found. */
export interface Agreement {
  /** Values compared and equal. */
  agreed: number;
  /** Disagreements, described. */
  disagreements: string[];
  /** Wireshark attributes our decode keeps as unknown (no typed value to compare). */
  unknown: number;
}

/** The number Wireshark shows: `42`, `0x2a`, `Unicast (1)`, or undefined. */
function shownNumber(v: string): bigint | undefined {
  const t = v.trim();
  let m = /\((-?\d+)\)$/.exec(t);
  if (m !== null) return BigInt(m[1]!);
  m = /^(-?\d+)$/.exec(t);
  if (m !== null) return BigInt(m[1]!);
  m = /^0x([0-9a-fA-F]+)$/.exec(t);
  if (m !== null) return BigInt(`0x${m[1]}`);
  return undefined;
}

/** Our value as a number: names through the enum, flags to a mask. */
function ourNumber(
  a: RtAttr | RtStruct["members"][number],
  v: unknown,
): bigint | undefined {
  if (typeof v === "number") return BigInt(v);
  if (typeof v === "bigint") return v;
  if (typeof v === "string" && a.en !== null && a.en.table[v] !== undefined) {
    return BigInt(a.en.table[v]!);
  }
  if (Array.isArray(v) && a.flags !== 0 && a.en !== null) {
    let m = 0n;
    for (const x of v) {
      if (typeof x === "number") m |= BigInt(x);
      else {m |= a.flags === 2
          ? 1n << BigInt(a.en.table[x]!)
          : BigInt(a.en.table[x]!);}
    }
    return m;
  }
  return undefined;
}

const RAW_HEX = /^([0-9a-f]{2}:)*[0-9a-f]{2}$/;

/** The bytes our value stands for, for a comparison with raw bytes Wireshark shows. */
function ourBytes(
  a: RtAttr | RtStruct["members"][number],
  v: unknown,
  size: number,
): string | undefined {
  if (typeof v === "string") {
    if (a.hint === 2) {
      const b = parseIP(v);
      return b === undefined ? undefined : hex(b);
    }
    if (a.hint === 1) return v.replaceAll(":", "");
    return hex(new TextEncoder().encode(`${v}\0`));
  }
  const n = ourNumber(a, v);
  if (n === undefined || size < 1 || size > 8) return undefined;
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, n);
  for (let i = 0; i < size; i++) {
    out[a.be ? size - 1 - i : i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return hex(out);
}

/** Compares one shown value with ours; returns true (agree), false (disagree) or undefined (not comparable). */
function compareLeaf(
  a: RtAttr | RtStruct["members"][number],
  v: unknown,
  shown: string,
  size: number,
  field = "",
): boolean | undefined {
  if (
    Array.isArray(v) && a.flags !== 0 && a.en !== null && /^[01]$/.test(shown)
  ) {
    // One flag of a bitfield: "netlink-route.ifi_flags.iff_lower_up" shows 1.
    const last = field.slice(field.lastIndexOf(".") + 1);
    const name = last.slice(last.indexOf("_") + 1).replaceAll("_", "-");
    if (a.en.table[name] === undefined) return undefined;
    return v.includes(name) === (shown === "1");
  }
  if (
    RAW_HEX.test(shown) && /[:a-f]/.test(shown) && !(v instanceof Uint8Array) &&
    !(typeof v === "string" && a.hint === 1)
  ) {
    const ours = ourBytes(a, v, size);
    return ours === undefined ? undefined : ours === shown.replaceAll(":", "");
  }
  if (shown.endsWith("\u2026")) {
    // Cut: compare the prefix of raw bytes only.
    if (v instanceof Uint8Array) {
      const want = shown.slice(0, -1).replaceAll(":", "");
      return hex(v).startsWith(want.slice(0, want.length - (want.length % 2)));
    }
    return undefined;
  }
  if (v instanceof Uint8Array) {
    if (/^([0-9a-f]{2}:)*[0-9a-f]{2}$/.test(shown)) {
      return hex(v) === shown.replaceAll(":", "");
    }
    return undefined;
  }
  if (typeof v === "string") {
    if (v === shown) return true;
    if (a.en !== null) {
      const n = shownNumber(shown);
      return n === undefined ? undefined : n === ourNumber(a, v);
    }
    // Wireshark may quote strings or show a vendor name for a MAC.
    if (shown === JSON.stringify(v)) return true;
    if (/^[0-9a-f:.]+$/i.test(shown) || /^\d+$/.test(shown)) {
      return shown.toLowerCase() === v.toLowerCase();
    }
    return undefined;
  }
  const ours = ourNumber(a, v);
  const theirs = shownNumber(shown);
  if (ours === undefined || theirs === undefined) return undefined;
  if (ours === theirs) return true;
  // Wireshark shows some unsigned fields signed and the other way round.
  const mod = 1n << BigInt(8 * (size > 0 && size <= 8 ? size : 8));
  return ((ours % mod) + mod) % mod === ((theirs % mod) + mod) % mod;
}

/**
 * Walks Wireshark's nodes of one message body (`at`: where the body starts
 * in Wireshark's offsets) beside our decoded value.
 */
export function agree(
  tree: WsNode[],
  at: number,
  header: RtStruct | null,
  set: RtSet | null,
  value: Obj,
  where: string,
): Agreement {
  const out: Agreement = { agreed: 0, disagreements: [], unknown: 0 };
  const note = (
    ok: boolean | undefined,
    what: string,
    shown: string,
    ours: unknown,
  ): void => {
    if (ok === true) out.agreed++;
    else if (ok === false) {
      out.disagreements.push(
        `${where}: ${what}: Wireshark shows ${shown}, we decode ${
          typeof ours === "bigint"
            ? `${ours}n`
            : ours instanceof Uint8Array
            ? hex(ours)
            : JSON.stringify(ours)
        }`,
      );
    }
  };
  if (header !== null) {
    for (const n of tree) {
      if (n[0] !== "F") continue;
      const [, off, size, field, shown] = n;
      const m = header.members.find((x) =>
        x.offset === off - at && x.size === size && x.kind !== K.PAD
      );
      if (m === undefined || value[m.key] === undefined) continue;
      note(
        compareLeaf(m, value[m.key], shown, size, field),
        `${header.name}.${m.name} (${field})`,
        shown,
        value[m.key],
      );
    }
  }
  if (set === null) return out;
  const walk = (nodes: WsNode[], s: RtSet, v: Obj, path: string): void => {
    const seen = new Map<string, number>();
    for (const n of nodes) {
      if (n[0] !== "A") continue;
      const [, off, size, type, leaves, nested] = n;
      const a = type < 0 ? undefined : s.byId[type & 0x3fff];
      if (a === undefined || v[a.key] === undefined) {
        out.unknown++;
        continue;
      }
      let x = v[a.key];
      if (a.multi) {
        const i = seen.get(a.key) ?? 0;
        seen.set(a.key, i + 1);
        x = (x as unknown[])[i];
      }
      const p = `${path}${a.name}`;
      if (x === undefined) continue;
      if (a.kind === K.NEST && a.nested !== null && nested.length > 0) {
        walk(nested, a.nested, x as Obj, `${p} > `);
      } else if (
        a.kind === K.INDEXED && Array.isArray(x) && nested.length > 0
      ) {
        nested.forEach((el, i) => {
          const item = x as unknown[];
          if (el[0] !== "A" || item[i] === undefined) return;
          if (a.sub === K.NEST && a.nested !== null) {
            walk(el[5], a.nested, item[i] as Obj, `${p} > ${i} > `);
          } else if (el[4].length === 1) {
            note(
              compareLeaf(a, item[i], el[4][0]![2], el[4][0]![1]),
              `${p} > ${i}`,
              el[4][0]![2],
              item[i],
            );
          }
        });
      } else if (a.kind === K.SUBMSG && a.msg !== null && nested.length > 0) {
        for (const f of a.msg.formats.values()) {
          if (f.set !== null && f.header === null) {
            const has = nested.every((c) =>
              c[0] !== "A" || c[3] < 0 ||
              f.set!.byId[c[3] & 0x3fff] !== undefined
            );
            if (has) {
              walk(nested, f.set, x as Obj, `${p} > `);
              break;
            }
          }
        }
      } else if (
        leaves.length === 1 && leaves[0]![0] === off + 4 &&
        leaves[0]![1] === size - 4
      ) {
        note(compareLeaf(a, x, leaves[0]![2], size - 4), p, leaves[0]![2], x);
      }
    }
  };
  walk(tree.filter((n) => n[0] !== "A" || n[1] >= at), set, value, "");
  return out;
}
