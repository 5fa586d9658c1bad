/**
 * Public corpus samples of spec'd families (rtnetlink, ethtool, nl80211,
 * nlctrl; tests/fixtures/families/corpus.jsonl): every message decodes and
 * re-encodes to the same bytes, and the decoded values agree with
 * Wireshark's independent dissection of the same bytes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseMessages } from "../../src/netlink/message.ts";
import { decode } from "../../src/families/mod.ts";
import {
  decodeWith,
  encodeWith,
  fromHex,
  hex,
  loadFamilies,
} from "./_families.ts";
import { loadCorpus, samples } from "./_corpus.ts";
import { agree } from "./_wireshark.ts";

const families = await loadFamilies();
const records = loadCorpus();
const { samples: all, skipped } = samples(families, records);

/** Upstream fixtures cut short on purpose (an attribute runs past the sample's end): decoding must refuse them. */
const TRUNCATED: Readonly<Record<string, string>> = {
  "rust-netlink/netlink-packet-route/src/stats/tests/af_spec.rs/test_parsing_af_spec_mpls/0":
    "an 84-byte IFLA_STATS_AF_SPEC in a 24-byte sample",
  "rust-netlink/netlink-packet-route/src/stats/tests/bridge.rs/test_parsing_bridge_xstats/0":
    "a 296-byte IFLA_STATS_LINK_XSTATS in a 68-byte sample",
};

describe("families: public corpus", () => {
  it("holds samples of every family it claims", () => {
    const specs = new Set(all.map((s) => s.spec));
    for (
      const spec of [
        "rt-link",
        "rt-addr",
        "rt-route",
        "rt-neigh",
        "rt-rule",
        "tc",
        "ethtool",
        "nl80211",
        "nlctrl",
      ]
    ) {
      assert.ok(specs.has(spec), `no sample of ${spec}`);
    }
    assert.ok(all.length >= 250, `${all.length} samples`);
    // What is left out is control messages and rtnetlink types without a spec (nsid, prefix, actions).
    for (const s of skipped) {
      assert.match(s, /control message|message type (48|52|88)\b/);
    }
  });

  it("decodes every sample and re-encodes it to the same bytes", () => {
    const failures: string[] = [];
    let same = 0;
    for (const s of all) {
      const why = TRUNCATED[s.record.id];
      if (why !== undefined) {
        assert.throws(
          () => decodeWith(s.header, s.set, s.body),
          RangeError,
          `${s.record.id}: ${why}`,
        );
        continue;
      }
      try {
        const back = encodeWith(
          s.header,
          s.set,
          decodeWith(s.header, s.set, s.body),
        );
        if (hex(back) === hex(s.body)) same++;
        else failures.push(`${s.record.id}: re-encoded bytes differ`);
      } catch (e) {
        failures.push(`${s.record.id}: ${e}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(same, all.length - Object.keys(TRUNCATED).length);
  });

  it("decodes whole messages through decode(family, message), notifications included", () => {
    let n = 0;
    for (const r of records) {
      if (r.form !== "messages") continue;
      for (const m of parseMessages(fromHex(r.hex))) {
        if (m.header.type < 16) continue;
        const spec = r.genl ?? all.find((x) => x.record === r)?.spec;
        if (spec === undefined) continue;
        const d = decode(families.get(spec)!.family, m);
        if (d === undefined) continue; // an nl80211 command the spec does not list
        assert.equal(typeof d.op, "string");
        n++;
      }
    }
    assert.ok(n >= 30, `${n} messages`);
  });

  it("agrees with Wireshark's dissection on every value both read", () => {
    let agreed = 0;
    const disagreements: string[] = [];
    for (const s of all) {
      if (s.tree === undefined || TRUNCATED[s.record.id] !== undefined) {
        continue;
      }
      const v = decodeWith(s.header, s.set, s.body);
      const r = agree(s.tree, s.at, s.header, s.set, v, s.record.id);
      agreed += r.agreed;
      disagreements.push(...r.disagreements);
    }
    assert.deepEqual(disagreements, []);
    // Header fields, attributes and nested attributes: numbers, names,
    // addresses, strings and raw bytes, compared one by one.
    assert.ok(agreed >= 1800, `${agreed} values compared`);
  });
});
