/**
 * The public corpus samples of spec'd families (tests/fixtures/families/
 * corpus.jsonl, built by build_corpus.py), cut into the messages they hold,
 * each with the family, operation and attribute set that decode it.
 */
import { readFileSync } from "node:fs";
import { parseMessages } from "../../src/netlink/message.ts";
import type { YnlFamily } from "../../src/families/family.ts";
import type { RtSet, RtStruct } from "../../src/families/_schema.ts";
import { compiled, type FamilyModule, fromHex } from "./_families.ts";

/** A pruned Wireshark node (see build_corpus.py). */
export type WsNode =
  | ["H", number, [number, number, string, string][]]
  | ["F", number, number, string, string]
  | ["A", number, number, number, [number, number, string][], WsNode[]];

/** One record of corpus.jsonl. */
export interface CorpusRecord {
  id: string;
  source: string;
  license: string;
  direction?: string;
  hex: string;
  form: "messages" | "payload" | "attributes";
  type?: number;
  cmd?: number;
  genl?: string;
  wireshark?: { offset: number; tree: WsNode[] }[];
}

/** One message of a record, ready to decode. */
export interface Sample {
  record: CorpusRecord;
  /** The family's spec name. */
  spec: string;
  family: YnlFamily;
  /** What decodes it: the operation's fixed header and attribute set. */
  header: RtStruct | null;
  set: RtSet | null;
  /** The operation's name, or undefined when the family's main set decodes it (an nl80211 command the spec does not list). */
  op: string | undefined;
  /** The bytes to decode: the payload after the netlink and genl headers. */
  body: Uint8Array;
  /** Offset of `body` in the record's bytes, as Wireshark counts (negative: a synthetic header). */
  at: number;
  /** The Wireshark dissection of this message, if any. */
  tree: WsNode[] | undefined;
}

export function loadCorpus(): CorpusRecord[] {
  const text = readFileSync(
    new URL("../fixtures/families/corpus.jsonl", import.meta.url),
    "utf8",
  );
  return text.trim().split("\n").map((l) => JSON.parse(l) as CorpusRecord);
}

const RTNL = ["rt-link", "rt-addr", "rt-route", "rt-neigh", "rt-rule", "tc"];

/** The set most of a family's operations use (nl80211-attrs for nl80211). */
function mainSet(family: YnlFamily): string {
  const count = new Map<string, number>();
  for (const op of family.description.ops) {
    if (op.set !== undefined) count.set(op.set, (count.get(op.set) ?? 0) + 1);
  }
  return [...count].sort((a, b) => b[1] - a[1])[0]![0];
}

/**
 * Cuts the corpus into samples. Messages of no spec'd family (an ACK, a
 * nexthop or nsid message of rtnetlink) are counted in `skipped`.
 */
export function samples(
  families: Map<string, FamilyModule>,
  records: CorpusRecord[],
): { samples: Sample[]; skipped: string[] } {
  const byType = new Map<number, string>();
  for (const spec of RTNL) {
    const f = families.get(spec)!.family;
    for (const op of f.operations.values()) {
      for (
        const v of [
          op.doRequest,
          op.doReply,
          op.dumpRequest,
          op.dumpReply,
          op.notification,
        ]
      ) {
        if (v !== undefined && !byType.has(v)) byType.set(v, spec);
      }
    }
  }
  const out: Sample[] = [];
  const skipped: string[] = [];
  const add = (
    record: CorpusRecord,
    spec: string,
    typeOrCmd: number,
    body: Uint8Array,
    at: number,
    tree: WsNode[] | undefined,
  ): void => {
    const family = families.get(spec)!.family;
    const rt = compiled(family);
    const op = family.operationFor(typeOrCmd);
    if (op !== undefined) {
      const o = rt.ops.get(op.specName)!;
      out.push({
        record,
        spec,
        family,
        header: o.header,
        set: o.set,
        op: op.name,
        body,
        at,
        tree,
      });
    } else {
      out.push({
        record,
        spec,
        family,
        header: null,
        set: rt.sets.get(mainSet(family))!,
        op: undefined,
        body,
        at,
        tree,
      });
    }
  };
  for (const r of records) {
    const bytes = fromHex(r.hex);
    const trees = r.wireshark ?? [];
    if (r.form === "attributes") {
      add(r, r.genl!, r.cmd!, bytes, 0, trees[0]?.tree);
      continue;
    }
    if (r.form === "payload") {
      if (r.genl !== undefined) {
        add(r, r.genl, bytes[0]!, bytes.subarray(4), 4, trees[0]?.tree);
      } else if (byType.has(r.type!)) {
        add(r, byType.get(r.type!)!, r.type!, bytes, 0, trees[0]?.tree);
      } else skipped.push(`${r.id}: message type ${r.type}`);
      continue;
    }
    let offset = 0;
    parseMessages(bytes).forEach((m, i) => {
      const start = offset + 16;
      offset += (m.header.length + 3) & ~3;
      const tree = trees.find((t) => t.offset === start - 16)?.tree ??
        (i === 0 ? trees[0]?.tree : undefined);
      if (m.header.type < 16) {
        skipped.push(`${r.id}#${i}: control message ${m.header.type}`);
      } else if (r.genl !== undefined) {
        add(r, r.genl, m.data[0]!, m.data.subarray(4), start + 4, tree);
      } else if (byType.has(m.header.type)) {
        add(r, byType.get(m.header.type)!, m.header.type, m.data, start, tree);
      } else {
        skipped.push(`${r.id}#${i}: message type ${m.header.type}`);
      }
    });
  }
  return { samples: out, skipped };
}
