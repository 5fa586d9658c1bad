#!/usr/bin/env bash
# Real-kernel benchmark: nlkit (Deno, Bun) beside a C raw-socket client,
# libnl-3 and pyroute2, in one run, inside a throwaway network namespace.
#
#   sudo bench/real_kernel/run.sh [PASSES]
#
# Cases: NOOP+ACK round trip; IPv4 route dump (10,000 routes + the local
# ones) decoded into route objects; link dump (1,001 links) decoded.
# Each implementation prints the median and the minimum over rounds of the
# mean time per operation; the whole set runs PASSES times (default 3)
# interleaved. The table shows the median over passes and the best round, each
# with its ratio to C: on a shared machine the best round is the figure least
# disturbed by other processes (noise only ever adds time).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/real_kernel"
PASSES=${1:-3}
DENO="$ROOT/node_modules/.bin/deno"
BUN="$ROOT/node_modules/.bin/bun"
PY=/usr/bin/python3

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: needs root (network namespace, routes)" >&2
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

# impl case command...   (each prints "RESULT <case> <µs> <count>")
run() {
  local impl=$1 label=$2
  shift 2
  local out
  out=$("${IN[@]}" "$@" 2>&1 | grep '^RESULT' || true)
  if [ -z "$out" ]; then
    echo "$impl $label FAILED" >&2
    return
  fi
  echo "$pass $impl $label $out" >>"$WORK/results"
  echo "  $impl $label: $out" >&2
}

TS="$HERE/bench.ts"
for pass in $(seq 1 "$PASSES"); do
  echo "pass $pass/$PASSES" >&2
  run c ack "$WORK/nlbench" ack 11 5000
  run libnl ack "$WORK/nlbench_libnl" ack 11 5000
  run pyroute2 ack "$PY" "$HERE/nlbench_pyroute2.py" ack 3 1000
  run deno ack "$DENO" run --allow-ffi --allow-env "$TS" ack 11 5000
  run bun ack "$BUN" "$TS" ack 11 5000
  run c routes "$WORK/nlbench" routes 11 5
  run libnl routes "$WORK/nlbench_libnl" routes 11 5
  run pyroute2 routes "$PY" "$HERE/nlbench_pyroute2.py" routes 3 1
  run deno routes-visit "$DENO" run --allow-ffi --allow-env "$TS" routes-visit 11 5
  run bun routes-visit "$BUN" "$TS" routes-visit 11 5
  run deno routes-dump "$DENO" run --allow-ffi --allow-env "$TS" routes-dump 11 5
  run bun routes-dump "$BUN" "$TS" routes-dump 11 5
  run c links "$WORK/nlbench" links 11 5
  run libnl links "$WORK/nlbench_libnl" links 11 5
  run pyroute2 links "$PY" "$HERE/nlbench_pyroute2.py" links 3 2
  run deno links-visit "$DENO" run --allow-ffi --allow-env "$TS" links-visit 11 5
  run bun links-visit "$BUN" "$TS" links-visit 11 5
  run deno links-dump "$DENO" run --allow-ffi --allow-env "$TS" links-dump 11 5
  run bun links-dump "$BUN" "$TS" links-dump 11 5
done

"$PY" - "$WORK/results" <<'PYEOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    _pass, impl, label, _r, case, us, best, count = line.split()
    rows.setdefault((impl, label), []).append((float(us), float(best), int(count)))
def med(impl, label):
    v = rows.get((impl, label))
    return (statistics.median(x for x, _, _ in v), min(b for _, b, _ in v), v[-1][2]) if v else (None, None, 0)
groups = [
    ("NOOP+ACK round trip", "ack", "µs", [("c", "ack"), ("libnl", "ack"), ("pyroute2", "ack"), ("deno", "ack"), ("bun", "ack")]),
    ("route dump, decoded", "routes", "ms", [("c", "routes"), ("libnl", "routes"), ("pyroute2", "routes"),
        ("deno", "routes-visit"), ("bun", "routes-visit"), ("deno", "routes-dump"), ("bun", "routes-dump")]),
    ("link dump, decoded", "links", "ms", [("c", "links"), ("libnl", "links"), ("pyroute2", "links"),
        ("deno", "links-visit"), ("bun", "links-visit"), ("deno", "links-dump"), ("bun", "links-dump")]),
]
names = {"c": "C raw socket", "libnl": "libnl-3", "pyroute2": "pyroute2", "deno": "nlkit Deno", "bun": "nlkit Bun"}
print("| case | implementation | items | median | × C | best | × C (best) |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for title, base, unit, impls in groups:
    c, cbest, _ = med("c", base)
    for impl, label in impls:
        v, best, n = med(impl, label)
        if v is None:
            print(f"| {title} | {names[impl]} ({label}) | | failed | | | |")
            continue
        k = 1 if unit == "µs" else 1000
        via = "" if impl in ("c", "libnl", "pyroute2") else (" `execute`" if label == "ack" else f" `{label.split('-')[1]}`")
        print(f"| {title} | {names[impl]}{via} | {n} | {v / k:.3f} {unit} | {v / c:.2f} | {best / k:.3f} {unit} | {best / cbest:.2f} |")
PYEOF
