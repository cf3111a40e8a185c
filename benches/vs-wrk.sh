#!/usr/bin/env bash
# Gauntlet against wrk, side by side, on the same tiny server.
#
# Builds the release binaries, starts crates/testservers' fast-plaintext server
# pinned to CPU 0, and runs wrk (Debian's package, installed if missing) and
# Gauntlet pinned to CPU 1, interleaved, RUNS times each, closed model with 64
# connections. Prints requests/s and requests per generator CPU-second (user +
# sys of the generator process, from /usr/bin/time) for each, and the ratio.
# Gauntlet's lean HTTP/1.1 client is also run against hyper's client
# (GAUNTLET_HTTP1_CLIENT=hyper), the measurement behind keeping the lean one.
# Then: the open model at 80 % of Gauntlet's closed-model maximum (achieved vs
# asked rate, saturation warning) and the generator's RSS per connection with
# 10,000 open connections.
#
# Usage: benches/vs-wrk.sh            (RUNS=5 DURATION=5 by default)
# The figures are only as quiet as the machine: run it on an idle one.
# BUILD=0 (or NO_BUILD=1) skips the cargo build (a build running elsewhere
# holds its lock). Shared setup and measurement: benches/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNS=64

need_tool wrk wrk
build

# 10,000 connections need file descriptors on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

start_server fast-plaintext
echo "server: fast-plaintext on CPU $SERVER_CPU at $URL; generators on CPU $LOADGEN_CPU"
echo "wrk: $(wrk --version 2>&1 | head -1 || true)"
echo

# Each prints "requests seconds cpu_seconds" (Gauntlet: ", errors").
run_wrk() {
  timed wrk -t1 -c$CONNS -d${DURATION}s "$URL" >"$WORK/wrk.out"
  local req secs
  req=$(sed -n 's/^ *\([0-9]*\) requests in \([0-9.]*\)\([a-z]*\),.*/\1/p' "$WORK/wrk.out")
  secs=$(sed -n 's/^ *[0-9]* requests in \([0-9.]*\)\([a-z]*\),.*/\1 \2/p' "$WORK/wrk.out" |
         awk '{ if ($2=="ms") print $1/1000; else if ($2=="m") print $1*60; else print $1 }')
  echo "$req $secs $(cpu_seconds)"
}
run_gauntlet() { # VAR=value... for Gauntlet's environment
  timed env "$@" "$BIN/gauntlet" bench "$URL" -c $CONNS -d ${DURATION}s \
    -t 1 --cpus "$LOADGEN_CPU" -q --json "$WORK/g.json" >/dev/null
  gauntlet_figures requests
}

: >"$WORK/results"
for i in $(seq "$RUNS"); do
  # Interleave, and alternate who goes first.
  if [ $((i % 2)) -eq 1 ]; then order="wrk gauntlet hyper"; else order="hyper gauntlet wrk"; fi
  for tool in $order; do
    case $tool in
      wrk) line=$(run_wrk) ;;
      gauntlet) line=$(run_gauntlet GAUNTLET_HTTP1_CLIENT=lean) ;;
      hyper) line=$(run_gauntlet GAUNTLET_HTTP1_CLIENT=hyper) ;;
    esac
    echo "$tool $line" >>"$WORK/results"
    echo "run $i $tool: $line (requests, seconds, generator CPU-seconds[, errors])"
  done
done

python3 - "$WORK/results" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    tool, req, secs, cpu = line.split()[:4]
    rows.setdefault(tool, []).append((int(req), float(secs), float(cpu)))
summary = {}
print()
print(f"{'closed model, 64 conns':<26}{'req/s (median)':>16}{'req per gen CPU-s':>20}{'runs':>6}")
for tool, rs in rows.items():
    rps = st.median(r / s for r, s, _ in rs)
    eff = st.median(r / c for r, _, c in rs if c > 0)
    summary[tool] = (rps, eff)
    print(f"{tool:<26}{rps:>16,.0f}{eff:>20,.0f}{len(rs):>6}")
g, w, h = summary["gauntlet"], summary["wrk"], summary["hyper"]
print(f"\ngauntlet / wrk:   req/s x{g[0]/w[0]:.2f}, requests per generator CPU-second x{g[1]/w[1]:.2f} (target >= 1.0, goal 1.2)")
print(f"lean / hyper client: req/s x{g[0]/h[0]:.2f}, requests per generator CPU-second x{g[1]/h[1]:.2f}")
open(sys.argv[1] + ".max", "w").write(f"{g[0]}\n")
PY

MAX=$(cat "$WORK/results.max")
RATE=$(python3 -c "print(int($MAX * 0.8))")
echo
echo "open model at 80 % of the closed-model maximum: -R $RATE for ${DURATION}s"
taskset -c "$LOADGEN_CPU" "$BIN/gauntlet" bench "$URL" -c $CONNS -R "$RATE" -d ${DURATION}s --warmup 1s \
  -t 1 --cpus "$LOADGEN_CPU" -q --json "$WORK/open.json" | sed 's/^/  /'
python3 - "$WORK/open.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
asked = r["rate_rps"]
# Achieved rate: responses completed inside the measured window (the per-second
# timeline), over its length; a generator or server that falls behind pushes
# completions past the window.
inside = sum(i["requests"] for i in r["intervals"] if i["start_s"] + 1e-9 < r["duration_s"])
achieved = inside / r["duration_s"]
print(f"  asked {asked:,.0f} req/s, achieved {achieved:,.0f} req/s inside the measured window "
      f"({(achieved/asked-1)*100:+.2f} %; target within 1 %); {r['requests']:,} requests, "
      f"throughput over the whole elapsed {r['elapsed_s']:.2f} s: {r['throughput_rps']:,.0f} req/s")
print(f"  saturation warning: {'YES: ' + '; '.join(r['saturation']['reasons']) if r['saturation']['generator_limited'] else 'none'}")
PY

echo
echo "generator RSS per connection (open model, 2,000 req/s; every connection is used)"
rss() { # connections seconds
  taskset -c "$LOADGEN_CPU" "$BIN/gauntlet" bench "$URL" -c "$1" -R 2000 -d "$2s" -t 1 --cpus "$LOADGEN_CPU" \
    --timeout 30s -q --json "$WORK/rss.json" >/dev/null
  python3 -c "import json; r=json.load(open('$WORK/rss.json')); print(r['generator']['rss_bytes'], r['requests'], sum(r['errors'].values()))"
}
read -r RSS_SMALL REQ_SMALL ERR_SMALL < <(rss 10 3)
read -r RSS_BIG REQ_BIG ERR_BIG < <(rss 10000 8)
python3 -c "
small, big = $RSS_SMALL, $RSS_BIG
per = (big - small) / (10000 - 10)
print(f'  RSS with 10 connections {small/2**20:.1f} MiB, with 10,000 {big/2**20:.1f} MiB ({$REQ_BIG} requests, {$ERR_BIG} errors)')
print(f'  => {per/1024:.2f} KiB per connection above idle (target <= 4 KB)')
"
