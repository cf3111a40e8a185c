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
# BUILD=0 (or NO_BUILD=1) skips the cargo build (a build running elsewhere
# holds its lock). Shared setup and measurement: benches/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
DEPTH=${DEPTH:-16}

need_tool wrk wrk
build
GAUNTLET=${GAUNTLET:-$BIN/gauntlet}

start_server fast-plaintext
echo "server: fast-plaintext on CPU $SERVER_CPU at $URL; generators on CPU $LOADGEN_CPU"
echo "wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'); $CONNS connections; depth $DEPTH and 1"
echo

# Each prints "requests seconds cpu_seconds errors".
run_wrk() { wrk_pipelined "$1"; }
run_base() { GAUNTLET=$BASELINE run_gauntlet "$@"; }
run_gauntlet() { gauntlet_pipelined "$1"; }

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
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, "benches")
from summary import table
summary = table(sys.argv[1], "{tool} depth {param}", reverse=True)
for depth in sorted({d for d, _ in summary}, reverse=True):
    g, w = summary[(depth, "gauntlet")], summary[(depth, "wrk")]
    goal = " (goal >= 1.2)" if depth > 1 else ""
    print(f"depth {depth}: gauntlet / wrk  req/s x{g[0]/w[0]:.2f}, requests per generator CPU-second x{g[1]/w[1]:.2f}{goal}")
    if (depth, "base") in summary:
        b = summary[(depth, "base")]
        print(f"depth {depth}: base / wrk  req/s x{b[0]/w[0]:.2f}, requests per generator CPU-second x{b[1]/w[1]:.2f}")
PY
