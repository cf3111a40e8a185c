#!/usr/bin/env bash
# The io_uring ceiling experiment of issue 10 part 3: on crates/testservers'
# fast-plaintext, four generators on the same work, interleaved (the order
# rotates every run), RUNS times each, closed model, CONNS connections:
#   wrk        wrk -t1 with benches/pipeline.lua (DEPTH requests per write)
#   gauntlet   gauntlet bench -t 1 --pipeline DEPTH
#   epoll      uring-ceiling --io epoll  (the minimal C-style loop)
#   uring      uring-ceiling --io uring $URING_FLAGS  (all connections'
#              sends and recvs batched into one io_uring_enter per round)
# The server is pinned to CPU 0, the generators to CPU 1. Prints requests/s
# and requests per generator CPU-second (user + sys of the generator process,
# from /usr/bin/time), medians, and each tool's ratio to wrk: of the medians,
# and per pair (the same run), plus uring against epoll per pair.
#
# Usage: benches/vs-uring.sh   (RUNS=5 DURATION=5 CONNS=64; DEPTH=16 adds a
# depth-16 round to the depth-1 one). URING_FLAGS picks the io_uring variant
# (see uring-ceiling --help; the default is the one that measured best in
# benches/runs/2026-11-30-uring). BUILD=0 (or NO_BUILD=1) skips the cargo
# build. Shared setup and measurement: benches/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
DEPTH=${DEPTH:-1}
URING_FLAGS=${URING_FLAGS:---multishot --defer-taskrun --fixed-files}

need_tool wrk wrk
build
if [ "${BUILD:-1}" != 0 ] && [ -z "${NO_BUILD:-}" ]; then
  cargo build --release -q -p uring-ceiling
fi
GAUNTLET=${GAUNTLET:-$BIN/gauntlet}
CEILING=${CEILING:-$BIN/uring-ceiling}

depths=1
[ "$DEPTH" = 1 ] || depths="$DEPTH 1"

start_server fast-plaintext
echo "server: fast-plaintext on CPU $SERVER_CPU at $URL; generators on CPU $LOADGEN_CPU"
echo "wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'); $CONNS connections; depth $depths; ${DURATION}s runs"
echo "uring flags: $URING_FLAGS; kernel $(uname -r)"
echo

# Each prints "requests seconds cpu_seconds[ errors]".
run_wrk() { wrk_pipelined "$1"; }
run_gauntlet() { gauntlet_pipelined "$1"; }
run_epoll() { # depth
  timed "$CEILING" "$URL" --io epoll -c "$CONNS" -d "$DURATION" --depth "$1" >"$WORK/c.out"
  echo "$(cat "$WORK/c.out") $(cpu_seconds) 0"
}
run_uring() { # depth
  # shellcheck disable=SC2086 # URING_FLAGS is a list of flags
  timed "$CEILING" "$URL" --io uring $URING_FLAGS -c "$CONNS" -d "$DURATION" --depth "$1" >"$WORK/c.out"
  echo "$(cat "$WORK/c.out") $(cpu_seconds) 0"
}

tools=(wrk gauntlet epoll uring)
: >"$WORK/results"
for i in $(seq "$RUNS"); do
  # Rotate who goes first, so no tool always runs on a warmer or cooler machine.
  order=("${tools[@]:$(((i - 1) % 4))}" "${tools[@]:0:$(((i - 1) % 4))}")
  for depth in $depths; do
    for tool in "${order[@]}"; do
      line=$("run_$tool" "$depth")
      echo "$tool $depth $line $i" >>"$WORK/results"
      echo "run $i $tool depth $depth: $line (requests, seconds, generator CPU-seconds, errors)"
    done
  done
done

python3 - "$WORK/results" <<'PY'
import statistics as st
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, "benches")
from summary import table
summary = table(sys.argv[1], "{tool} depth {param}", reverse=True)
eff = {}
for line in open(sys.argv[1]):
    tool, depth, req, secs, cpu, errors, run = line.split()
    if int(errors):
        print(f"WARNING: {tool} depth {depth} run {run}: {errors} errors")
    eff[(int(depth), tool, int(run))] = int(req) / float(cpu)
for depth in sorted({d for d, _ in summary}, reverse=True):
    w = summary[(depth, "wrk")]
    runs = sorted({r for d, _, r in eff if d == depth})
    for tool in ("gauntlet", "epoll", "uring"):
        t = summary[(depth, tool)]
        pairs = [eff[(depth, tool, r)] / eff[(depth, "wrk", r)] for r in runs]
        print(f"depth {depth}: {tool:>8} / wrk  req/s x{t[0]/w[0]:.2f}, requests per generator CPU-second "
              f"x{t[1]/w[1]:.2f} (pairs: {' '.join(f'{p:.2f}' for p in pairs)}; median x{st.median(pairs):.2f})")
    pairs = [eff[(depth, "uring", r)] / eff[(depth, "epoll", r)] for r in runs]
    wins = sum(p > 1 for p in pairs)
    print(f"depth {depth}:    uring / epoll requests per generator CPU-second, pairs: "
          f"{' '.join(f'{p:.2f}' for p in pairs)}; median x{st.median(pairs):.2f}; uring ahead in {wins} of {len(pairs)}")
PY
