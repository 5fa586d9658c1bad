#!/usr/bin/env bash
# Real-kernel benchmark: nlkit (Deno, Bun) beside a C raw-socket client,
# libnl-3 and pyroute2, in one run, inside a throwaway network namespace.
#
#   sudo bench/real_kernel/run.sh [PASSES]          (PASSES: default 5, at least 5)
#   sudo NLKIT_BASELINE_TREE=/path/to/other/checkout bench/real_kernel/run.sh 5
#   sudo NLKIT_ALLOC=1 bench/real_kernel/run.sh 5     (also bytes allocated per op, Deno)
#
# References (nlbench.c, nlbench_libnl.c, nlbench_pyroute2.py): NOOP+ACK
# round trip (`ack`); IPv4 route dump, 10,000 routes plus the local ones,
# decoded into route objects (`routes`); link dump, 1,001 links, decoded
# (`links`).
#
# nlkit cases: every case of every bench/real_kernel/*_bench.ts file, as
# listed by `<file> --list` (see _harness.ts: a case names the reference it
# is compared with). To add cases, add a `<area>_bench.ts` calling
# runCases(); nothing here needs to change.
#
# Each process prints the median and the minimum over its rounds of the
# mean time per operation (after a warm-up round). The whole set runs
# PASSES times, interleaved: in every pass each reference, then each nlkit
# case under Deno and under Bun. The table shows, per implementation:
# - median: the median over passes of the per-pass median (what users get);
# - × C: that median over the C median;
# - best: the fastest round of any pass, and spread = median / best (how
#   much pauses and noise cost; DESIGN §5 wants ≤ 1.3 on Deno).
# With NLKIT_BASELINE_TREE, every nlkit case also runs from that checkout
# (rows "… @base"), interleaved in the same passes: before/after in one run.
# With NLKIT_ALLOC=1, after the passes every nlkit case runs once more under
# Deno with `--alloc` (see _harness.ts): bytes allocated per operation and
# per item, from V8's counters (and from the baseline checkout's too).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/real_kernel"
PASSES=${1:-5}
DENO="$ROOT/node_modules/.bin/deno"
BUN="$ROOT/node_modules/.bin/bun"
PY=/usr/bin/python3
BASE=${NLKIT_BASELINE_TREE:-}
ALLOC=${NLKIT_ALLOC:-}

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: needs root (network namespace, routes)" >&2
  exit 1
fi
if [ "$PASSES" -lt 5 ]; then
  echo "run.sh: PASSES must be at least 5 (medians over interleaved passes)" >&2
  exit 1
fi

# Packages: only what is missing.
missing=()
for p in libnl-3-dev libnl-route-3-dev python3-pyroute2 pkg-config gcc; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

WORK=$(mktemp -d)
NS="nlkbench-$$"
cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cc -O2 -o "$WORK/nlbench" "$HERE/nlbench.c"
# shellcheck disable=SC2046
cc -O2 -o "$WORK/nlbench_libnl" "$HERE/nlbench_libnl.c" $(pkg-config --cflags --libs libnl-route-3.0)

# The nlkit cases: "file name baseline rounds n label" per line.
for f in "$HERE"/*_bench.ts; do
  "$DENO" run -A "$f" --list | sed -n "s|^CASE |$(basename "$f") |p"
done >"$WORK/cases"
echo "nlkit cases: $(awk '{print $2}' "$WORK/cases" | tr '\n' ' ')" >&2

ip netns add "$NS"
IN=(ip netns exec "$NS")
{
  echo "link set lo up"
  for i in $(seq 0 499); do echo "link add va$i type veth peer name vb$i"; done
  echo "link set va0 up"
  echo "link set vb0 up"
  echo "address add 10.0.0.1/24 dev va0"
} >"$WORK/links.batch"
"${IN[@]}" ip -batch "$WORK/links.batch"
for i in $(seq 0 9999); do
  echo "route add 10.$((1 + i / 256)).$((i % 256)).0/24 via 10.0.0.2 dev va0 metric 100"
done >"$WORK/routes.batch"
"${IN[@]}" ip -batch "$WORK/routes.batch"
echo "namespace $NS: $("${IN[@]}" ip -o link | wc -l) links, $("${IN[@]}" ip -4 route show table all | wc -l) IPv4 routes" >&2
echo "versions: $("$DENO" --version | head -1), bun $("$BUN" --version), $(pkg-config --modversion libnl-3.0 | sed 's/^/libnl /'), pyroute2 $(dpkg-query -W -f='${Version}' python3-pyroute2), $(uname -sr)" >&2

# run IMPL LABEL BASELINE command...   (the command prints "RESULT <case> <µs> <µs> <count>")
run() {
  local impl=$1 label=$2 baseline=$3
  shift 3
  local out
  out=$("${IN[@]}" "$@" 2>&1 | grep '^RESULT' || true)
  if [ -z "$out" ]; then
    echo "  $impl $label FAILED" >&2
    echo "$pass $impl $label $baseline FAILED" >>"$WORK/results"
    return
  fi
  echo "$pass $impl $label $baseline $out" >>"$WORK/results"
  echo "  $impl $label: $out" >&2
}

for pass in $(seq 1 "$PASSES"); do
  echo "pass $pass/$PASSES" >&2
  for base in ack routes links; do
    case $base in
      ack) cn=5000 pn=1000 ;;
      routes) cn=5 pn=1 ;;
      links) cn=5 pn=2 ;;
    esac
    run c "$base" "$base" "$WORK/nlbench" "$base" 11 "$cn"
    run libnl "$base" "$base" "$WORK/nlbench_libnl" "$base" 11 "$cn"
    run pyroute2 "$base" "$base" "$PY" "$HERE/nlbench_pyroute2.py" "$base" 3 "$pn"
    while read -r file name baseline rounds n _label; do
      [ "$baseline" = "$base" ] || continue
      run deno "$name" "$base" "$DENO" run -A "$HERE/$file" "$name" "$rounds" "$n"
      run bun "$name" "$base" "$BUN" "$HERE/$file" "$name" "$rounds" "$n"
      if [ -n "$BASE" ] && [ -f "$BASE/bench/real_kernel/$file" ]; then
        run deno@base "$name" "$base" "$BASE/node_modules/.bin/deno" run -A "$BASE/bench/real_kernel/$file" "$name" "$rounds" "$n"
        run bun@base "$name" "$base" "$BASE/node_modules/.bin/bun" "$BASE/bench/real_kernel/$file" "$name" "$rounds" "$n"
      fi
    done <"$WORK/cases"
  done
done

if [ -n "$ALLOC" ]; then
  echo "allocation (Deno)" >&2
  while read -r file name baseline rounds n _label; do
    for tree in "$ROOT" ${BASE:+"$BASE"}; do
      [ -f "$tree/bench/real_kernel/$file" ] || continue
      tag=$([ "$tree" = "$ROOT" ] && echo deno || echo deno@base)
      out=$("${IN[@]}" "$tree/node_modules/.bin/deno" run -A --v8-flags=--expose-gc \
        "$tree/bench/real_kernel/$file" --alloc "$name" 2>&1 </dev/null | grep '^ALLOC' || true)
      echo "  $tag $name: ${out:-FAILED}" >&2
      [ -n "$out" ] && echo "$tag $out" >>"$WORK/alloc"
    done
  done <"$WORK/cases"
fi

"$PY" - "$WORK/results" "$WORK/cases" "$PASSES" <<'PYEOF'
import statistics, sys
rows, order = {}, []
for line in open(sys.argv[1]):
    f = line.split()
    key = (f[1], f[2], f[3])  # impl, case, baseline
    if key not in rows:
        rows[key] = []
        order.append(key)
    if f[4] != "FAILED":
        rows[key].append((float(f[6]), float(f[7]), int(f[8])))
labels = {}
for line in open(sys.argv[2]):
    f = line.split()
    labels[f[1]] = f[5] if len(f) > 5 else f[1]
names = {"c": "C raw socket", "libnl": "libnl-3", "pyroute2": "pyroute2"}
titles = {"ack": ("NOOP+ACK round trip", "µs", 1), "routes": ("route dump, decoded", "ms", 1000),
          "links": ("link dump, decoded", "ms", 1000)}
print(f"medians over {sys.argv[3]} interleaved passes; best = fastest round; spread = median / best")
print()
print("| case | implementation | items | median | × C | best | spread | passes |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for base in ("ack", "routes", "links"):
    title, unit, k = titles[base]
    c = rows.get(("c", base, base))
    cmed = statistics.median(x for x, _, _ in c) if c else None
    for key in order:
        impl, case, b = key
        if b != base:
            continue
        v = rows[key]
        who = names.get(impl) or f"nlkit {impl.split('@')[0].capitalize()} `{labels.get(case, case)}`" + (" @base" if "@" in impl else "")
        if impl not in names and case != labels.get(case, case):
            who += f" ({case})"
        if not v:
            print(f"| {title} | {who} | | failed | | | | 0 |")
            continue
        med = statistics.median(x for x, _, _ in v)
        best = min(b for _, b, _ in v)
        ratio = f"{med / cmed:.2f}" if cmed else ""
        print(f"| {title} | {who} | {v[-1][2]} | {med / k:.3f} {unit} | {ratio} | {best / k:.3f} {unit} | {med / best:.2f} | {len(v)} |")
PYEOF

if [ -n "$ALLOC" ] && [ -f "$WORK/alloc" ]; then
  echo
  echo "bytes allocated per operation (Deno, V8 counters; median of 7 windows)"
  echo
  echo "| case | tree | bytes/op | items | bytes/item |"
  echo "| --- | --- | ---: | ---: | ---: |"
  # "deno ALLOC <case> <bytes/op> <items> <bytes/item>"
  awk '{ printf "| %s | %s | %s | %s | %s |\n", $3, ($1 == "deno" ? "this" : "@base"), $4, $5, $6 }' "$WORK/alloc"
fi
