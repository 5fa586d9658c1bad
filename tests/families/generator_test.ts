/**
 * tools/ynl: regenerating gives the committed files byte for byte;
 * malformed specs fail with their file, the path inside them and the
 * reason; the numbering agrees with the kernel's uapi headers.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  generate,
  loadMetaSchemas,
  modelOf,
} from "../../tools/ynl/generate.ts";
import { SpecError } from "../../tools/ynl/errors.ts";
import { parseYaml } from "../../tools/ynl/load.ts";
import { parseEnums } from "../../tools/gen_nl80211.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const metas = loadMetaSchemas(join(ROOT, "spec"));

describe("tools/ynl", () => {
  it("regenerates src/families identically", { timeout: 60_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), "nlkit-ynl-"));
    try {
      const { files, families, warnings } = generate({ root: ROOT, out });
      assert.equal(families.length, 28);
      assert.equal(files.length, 29); // 28 modules and the licence
      for (const f of files) {
        const want = readFileSync(join(ROOT, "src/families", f), "utf8");
        assert.ok(
          readFileSync(join(out, f), "utf8") === want,
          `${f} differs from its regenerated copy: run deno task gen`,
        );
      }
      // Every committed generated module comes from a spec.
      const committed = readdirSync(join(ROOT, "src/families")).filter((f) =>
        /^[a-z0-9][a-z0-9_]*\.ts$/.test(f) && f !== "mod.ts" &&
        f !== "family.ts"
      );
      assert.deepEqual(
        committed.sort(),
        files.filter((f) => f.endsWith(".ts")).sort(),
      );
      // Documentation-only problems of the snapshot are reported, not fatal.
      assert.ok(
        warnings.every((w) => /conntrack|nftables/.test(w.file)),
        warnings.map((w) => w.message).join("\n"),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const SPDX =
    "# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)\n";
  const base = `${SPDX}---
name: demo
doc: A demo family.
attribute-sets:
  -
    name: main
    attributes:
      -
        name: ifname
        type: string
      -
        name: inner
        type: nest
        nested-attributes: inner
  -
    name: inner
    attributes:
      -
        name: kind
        type: u32
operations:
  list:
    -
      name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          attributes: [ ifname ]
`;

  /** Asserts that `text` fails with a SpecError at `path` whose reason matches `reason`. */
  const fails = (text: string, path: string, reason: RegExp): void => {
    assert.throws(
      () => modelOf("spec/specs/demo.yaml", text, metas),
      (e: unknown) => {
        assert.ok(e instanceof SpecError, String(e));
        assert.equal(e.file, "spec/specs/demo.yaml");
        assert.equal(e.path, path);
        assert.match(e.reason, reason);
        assert.match(
          e.message,
          /^Cannot generate from spec\/specs\/demo\.yaml: /,
        );
        return true;
      },
    );
  };

  it("accepts the well-formed demo spec", () => {
    const m = modelOf("spec/specs/demo.yaml", base, metas);
    assert.deepEqual(
      m.sets.map((s) => [s.tsName, s.attrs.map((a) => [a.key, a.value])]),
      [
        ["Main", [["ifname", 1], ["inner", 2]]],
        ["Inner", [["kind", 1]]],
      ],
    );
    assert.deepEqual(m.ops.map((o) => [o.key, o.do?.request.value]), [[
      "get",
      1,
    ]]);
  });

  it("refuses malformed specs with the file, the path and the reason", () => {
    fails(`${SPDX}name: demo\n  bad: [`, "", /not valid YAML/);
    fails(
      base.replace("type: string", "type: strnig"),
      "attribute-sets[main].attributes[ifname].type",
      /must be one of/,
    );
    fails(
      base.replace("nested-attributes: inner", "nested-attributes: missing"),
      "attribute-sets[main].attributes[inner].nested-attributes",
      /no attribute set named missing/,
    );
    fails(
      base.replace("      doc: Get.\n", ""),
      "operations.list[get]",
      /doc is required/,
    );
    fails(
      base.replace(
        "name: kind\n        type: u32",
        "name: kind\n        type: u32\n        enum: nope",
      ),
      "attribute-sets[inner].attributes[kind].enum",
      /no enum or flags named nope/,
    );
    fails(
      base.replace(
        "      -\n        name: inner\n        type: nest",
        "      -\n        name: ifname\n        type: u32\n      -\n        name: inner\n        type: nest",
      ),
      "attribute-sets[main].attributes[ifname]",
      /appears twice with different definitions/,
    );
    fails(
      base.replace(
        "name: inner\n    attributes:",
        "name: inner\n    subset-of: nothing\n    attributes:",
      ),
      "attribute-sets[inner].subset-of",
      /no attribute set named nothing/,
    );
    fails(
      base.replace(SPDX, "# no licence line\n"),
      "",
      /SPDX-License-Identifier/,
    );
    fails(
      base.replace(
        "type: u32",
        "type: u32\n        checks:\n          min-len: 4",
      ),
      "attribute-sets[inner].attributes[kind].checks",
      /length checks need a string or binary/,
    );
  });

  it("refuses a selector that names no sibling nor enclosing attribute", () => {
    const raw = `${SPDX}---
name: demo
protocol: netlink-raw
protonum: 0
doc: A demo.
attribute-sets:
  -
    name: main
    attributes:
      -
        name: data
        type: sub-message
        sub-message: msg
        selector: kind
sub-messages:
  -
    name: msg
    formats:
      -
        value: a
operations:
  list:
    -
      name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          value: 1
`;
    fails(
      raw,
      "attribute-sets[main].attributes[data].selector",
      /no attribute kind in main or a set enclosing it/,
    );
  });

  it("numbers attributes and commands as the kernel's uapi headers do", {
    skip: !existsSync("/usr/include/linux/nl80211.h"),
  }, () => {
    // Named enums of the installed headers (the parser of tools/gen_nl80211.ts).
    const headers = [
      "rtnetlink.h",
      "nl80211.h",
      "wireguard.h",
      "openvswitch.h",
      "devlink.h",
      "tcp_metrics.h",
      "fou.h",
      "mptcp.h",
      "if_team.h",
      "ethtool_netlink.h",
      "genetlink.h",
      "if_link.h",
    ];
    const values = new Map<string, number>();
    for (const h of headers) {
      const path = `/usr/include/linux/${h}`;
      if (!existsSync(path)) continue;
      for (const members of parseEnums(readFileSync(path, "utf8")).values()) {
        for (const m of members) values.set(m.cName, m.value);
      }
    }
    const upper = (s: string): string => s.toUpperCase().replaceAll("-", "_");
    let agreed = 0;
    const wrong: string[] = [];
    for (const file of readdirSync(join(ROOT, "spec/specs")).sort()) {
      const text = readFileSync(join(ROOT, "spec/specs", file), "utf8");
      const raw = parseYaml(file, text) as Record<string, unknown>;
      const model = modelOf(`spec/specs/${file}`, text, metas);
      const check = (cName: string, value: number): void => {
        const v = values.get(cName);
        if (v === undefined) return;
        if (v === value) agreed++;
        else {wrong.push(
            `${file}: ${cName} is ${v} in the header, ${value} generated`,
          );}
      };
      const rawSets = (raw["attribute-sets"] ?? []) as Record<
        string,
        unknown
      >[];
      for (const s of model.sets) {
        const r = rawSets.find((x) => x.name === s.name)!;
        if (s.subsetOf !== undefined) continue;
        const prefix = (r["name-prefix"] as string | undefined) ??
          `${model.name}-a-${s.name}-`;
        for (const a of s.attrs) check(upper(prefix + a.name), a.value);
      }
      const ops = (raw.operations ?? {}) as Record<string, unknown>;
      const prefix = (ops["name-prefix"] as string | undefined) ??
        `${model.name}-cmd-`;
      for (const o of model.ops) {
        const v = o.do?.request.value ?? o.dump?.request.value;
        if (v !== undefined) check(upper(prefix + o.name), v);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(agreed >= 300, `${agreed} constants compared`);
  });
});
