/**
 * Runs the test suites under every runner and prints one total line,
 * `N passed, N failed, N skipped`, summed over the runners.
 *
 * - default: `deno test tests/`, `deno test --doc` (module docs and README),
 *   then `bun test tests/`. Integration tests are skipped unless
 *   `NLKIT_INTEGRATION=1` (see `--integration`).
 * - `--integration`: only `tests/integration/`, under Deno and Bun, with
 *   `NLKIT_INTEGRATION=1`; the caller provides a fresh network namespace
 *   and root (`.ci/run` uses `unshare -n`).
 * - `--counts FILE`: also append `passed failed skipped` to FILE.
 *
 * Counts come from each runner's JUnit report; leaf tests only (a `describe`
 * is not a test). A runner that exits non-zero without a failing test case
 * (a type error, a crash) counts as one failure.
 *
 * @module
 */

const DENO = "node_modules/.bin/deno";
const BUN = "node_modules/.bin/bun";
const TMP = ".tmp";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Runner {
  name: string;
  cmd: string[];
  junit: string;
  env?: Record<string, string>;
}

function parseJUnit(xml: string): Counts {
  const cases: { name: string; failed: boolean; skipped: boolean }[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const attrs = m[1] ?? "";
    const body = m[3] ?? "";
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1] ?? "";
    const classname = /\bclassname="([^"]*)"/.exec(attrs)?.[1] ?? "";
    cases.push({
      name: `${classname}\u0000${name}`,
      failed: /<(failure|error)\b/.test(body),
      skipped: /<skipped\b/.test(body),
    });
  }
  // Deno reports a describe() as a test case and its it() steps as
  // "parent > child" cases: count only leaves.
  const names = cases.map((c) => c.name.split("\u0000")[1] ?? "");
  const parents = new Set<string>();
  for (const n of names) {
    const parts = n.split(" > ");
    for (let i = 1; i < parts.length; i++) {
      parents.add(parts.slice(0, i).join(" > "));
    }
  }
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const [i, c] of cases.entries()) {
    const isDenoParent = parents.has(names[i] ?? "") && !c.failed;
    if (isDenoParent) continue;
    if (c.failed) counts.failed++;
    else if (c.skipped) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}

async function run(r: Runner): Promise<Counts> {
  console.log(`\n=== ${r.name}: ${r.cmd.join(" ")}`);
  try {
    await Deno.remove(r.junit);
  } catch {
    // not there yet
  }
  const child = new Deno.Command(r.cmd[0]!, {
    args: r.cmd.slice(1),
    env: r.env ?? {},
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  let counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    counts = parseJUnit(await Deno.readTextFile(r.junit));
  } catch {
    // no report: the runner did not get as far as running tests
  }
  if (!status.success && counts.failed === 0) counts.failed = 1;
  console.log(
    `=== ${r.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (exit ${status.code})`,
  );
  return counts;
}

const args = [...Deno.args];
const integration = args.includes("--integration");
const countsAt = args.indexOf("--counts");
const countsFile = countsAt >= 0 ? args[countsAt + 1] : undefined;
await Deno.mkdir(TMP, { recursive: true });

const denoFlags = [
  "--allow-ffi",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-sys",
];
const runners: Runner[] = integration
  ? [
    {
      name: "deno integration",
      // --allow-all: the integration tests read /proc/self/fd and /sys.
      cmd: [
        DENO,
        "test",
        "--allow-all",
        `--junit-path=${TMP}/deno-integration.xml`,
        "tests/integration/",
      ],
      junit: `${TMP}/deno-integration.xml`,
      env: { NLKIT_INTEGRATION: "1" },
    },
    {
      name: "bun integration",
      cmd: [
        BUN,
        "test",
        "--reporter=junit",
        `--reporter-outfile=${TMP}/bun-integration.xml`,
        "tests/integration/",
      ],
      junit: `${TMP}/bun-integration.xml`,
      env: { NLKIT_INTEGRATION: "1" },
    },
  ]
  : [
    {
      name: "deno test",
      cmd: [
        DENO,
        "test",
        ...denoFlags,
        "--allow-net=127.0.0.1",
        `--junit-path=${TMP}/deno.xml`,
        "tests/",
      ],
      junit: `${TMP}/deno.xml`,
    },
    {
      name: "deno test --doc",
      cmd: [
        DENO,
        "test",
        "--doc",
        // Each example is a module of its own in a fresh worker: two at a
        // time on CI's two cores.
        "--parallel",
        "--allow-ffi",
        "--allow-env",
        "--allow-read",
        `--junit-path=${TMP}/deno-doc.xml`,
        "mod.ts",
        "src/",
        "README.md",
      ],
      junit: `${TMP}/deno-doc.xml`,
    },
    {
      name: "bun test",
      cmd: [
        BUN,
        "test",
        "--reporter=junit",
        `--reporter-outfile=${TMP}/bun.xml`,
        "tests/",
      ],
      junit: `${TMP}/bun.xml`,
    },
  ];

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
for (const r of runners) {
  const c = await run(r);
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
if (countsFile) {
  await Deno.writeTextFile(
    countsFile,
    `${total.passed} ${total.failed} ${total.skipped}\n`,
    { append: true },
  );
}
console.log(
  `\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`,
);
Deno.exit(total.failed > 0 ? 1 : 0);
