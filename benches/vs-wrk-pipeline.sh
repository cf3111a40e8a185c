#!/usr/bin/env bash
# Gauntlet's HTTP/1.1 pipelining against wrk's (benches/pipeline.lua), side by
# side on crates/testservers' fast-plaintext (which answers a batch of
# pipelined requests with one write), TechEmpower's plaintext shape: depth 16.
#
# The server is pinned to CPU 0, the generators to CPU 1; wrk and Gauntlet run
# interleaved (alternating who goes first), RUNS times each, closed model.
# Prints requests/s and requests per generator CPU-second (user + sys of the
# generator process, from /usr/bin/time), medians, and their ratio. A depth-1
# pair is run too, for reference.
#
# Usage: benches/vs-wrk-pipeline.sh   (RUNS=5 DURATION=5 CONNS=64 DEPTH=16)
# GAUNTLET=path/to/gauntlet measures another build (e.g. a saved baseline);
# BASELINE=path/to/gauntlet adds a third tool, "base", interleaved with the
# other two (an earlier build, to tell a change from the machine's noise);
# BUILD=0 skips the cargo build (a build running elsewhere holds its lock).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
DEPTH=${DEPTH:-16}
SERVER_CPU=${SERVER_CPU:-0}
LOADGEN_CPU=${LOADGEN_CPU:-1}

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)..." >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk; }
fi
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package: time)" >&2; exit 1; }

BIN=${CARGO_TARGET_DIR:-target}/release
[ "${BUILD:-1}" = 0 ] || cargo build --release -q -p gauntlet -p gauntlet-testservers
GAUNTLET=${GAUNTLET:-$BIN/gauntlet}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=0 taskset -c "$SERVER_CPU" "$BIN/fast-plaintext" >"$WORK/server.out" &
SERVER_PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$WORK/server.out")
URL="http://127.0.0.1:$PORT/plaintext"
echo "server: fast-plaintext on CPU $SERVER_CPU at $URL; generators on CPU $LOADGEN_CPU"
echo "wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'); $CONNS connections; depth $DEPTH and 1"
echo

# Each prints "requests seconds cpu_seconds".
run_wrk() { # depth
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c "$LOADGEN_CPU" \
    wrk -t1 -c"$CONNS" -d"${DURATION}s" -s benches/pipeline.lua "$URL" -- "$1" >"$WORK/wrk.out"
  python3 - "$WORK/wrk.out" "$WORK/time" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m),", out)
secs = float(m.group(2)) * {"ms": 1e-3, "s": 1, "m": 60}[m.group(3)]
u, s = open(sys.argv[2]).read().split()[-2:]
print(m.group(1), secs, float(u) + float(s))
PY
}
run_base() { GAUNTLET=$BASELINE run_gauntlet "$@"; }
run_gauntlet() { # depth
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c "$LOADGEN_CPU" \
    "$GAUNTLET" bench "$URL" -c "$CONNS" -d "${DURATION}s" --pipeline "$1" \
    -t 1 --cpus "$LOADGEN_CPU" -q --json "$WORK/g.json" >/dev/null
  python3 -c "import json; r=json.load(open('$WORK/g.json')); u,s=open('$WORK/time').read().split()[-2:]; print(r['requests'], r['elapsed_s'], float(u)+float(s), sum(r['errors'].values()))"
}

: >"$WORK/results"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) -eq 1 ]; then order="wrk gauntlet"; else order="gauntlet wrk"; fi
  [ -z "${BASELINE:-}" ] || order="$order base"
  for depth in "$DEPTH" 1; do
    for tool in $order; do
      line=$("run_$tool" "$depth")
      echo "$tool $depth $line" >>"$WORK/results"
      echo "run $i $tool depth $depth: $line (requests, seconds, generator CPU-seconds[, errors])"
    done
  done
done

python3 - "$WORK/results" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    tool, depth, req, secs, cpu = line.split()[:5]
    rows.setdefault((int(depth), tool), []).append((int(req), float(secs), float(cpu)))
print()
print(f"{'closed model':<22}{'req/s (median)':>16}{'req per gen CPU-s':>20}{'min':>11}{'max':>11}{'runs':>6}")
summary = {}
for (depth, tool), rs in sorted(rows.items(), reverse=True):
    effs = [r / c for r, _, c in rs if c > 0]
    rps = st.median(r / s for r, s, _ in rs)
    summary[(depth, tool)] = (rps, st.median(effs))
    label = f"{tool} depth {depth}"
    print(f"{label:<22}{rps:>16,.0f}{st.median(effs):>20,.0f}{min(effs):>11,.0f}{max(effs):>11,.0f}{len(rs):>6}")
print()
for depth in sorted({d for d, _ in summary}, reverse=True):
    g, w = summary[(depth, "gauntlet")], summary[(depth, "wrk")]
    goal = " (goal >= 1.2)" if depth > 1 else ""
    print(f"depth {depth}: gauntlet / wrk  req/s x{g[0]/w[0]:.2f}, requests per generator CPU-second x{g[1]/w[1]:.2f}{goal}")
    if (depth, "base") in summary:
        b = summary[(depth, "base")]
        print(f"depth {depth}: base / wrk  req/s x{b[0]/w[0]:.2f}, requests per generator CPU-second x{b[1]/w[1]:.2f}")
PY
