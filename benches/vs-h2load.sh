#!/usr/bin/env bash
# Gauntlet's HTTP/2 against h2load (nghttp2), side by side on crates/testservers'
# hyper-plaintext (h2c, prior knowledge), at 1 and 10 streams per connection
# (h2load -m 1 / -m 10, Gauntlet --streams 1 / 10), 16 connections.
#
# The server is pinned to CPU 0, the generators to CPU 1; h2load and Gauntlet
# run interleaved (alternating who goes first), RUNS times each, closed model.
# Prints requests/s and requests per generator CPU-second (user + sys of the
# generator process, from /usr/bin/time), medians, and their ratio.
#
# Usage: benches/vs-h2load.sh   (RUNS=5 DURATION=5 CONNS=16 STREAMS="1 10")
# NO_BUILD=1 (or BUILD=0) uses target/release as it is (e.g. built a moment
# ago by hand). Shared setup and measurement: benches/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-16}
STREAMS=${STREAMS:-"1 10"}

need_tool h2load nghttp2-client
build

start_server hyper-plaintext
echo "server: hyper-plaintext (h2c) on CPU $SERVER_CPU at $URL; generators on CPU $LOADGEN_CPU"
echo "$(h2load --version 2>&1 | head -1); $CONNS connections; streams: $STREAMS"
echo

# Each prints "requests seconds cpu_seconds errors".
run_h2load() { # streams
  timed h2load -t1 -c"$CONNS" -m"$1" -D"$DURATION" "$URL" >"$WORK/h2load.out"
  python3 - "$WORK/h2load.out" "$(cpu_seconds)" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
secs = float(re.search(r"finished in ([\d.]+)s", out).group(1))
m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
print(m.group(2), secs, sys.argv[2], int(m.group(3)) + int(m.group(4)))
PY
}
run_gauntlet() { # streams
  timed "$BIN/gauntlet" bench "$URL" --http2 --streams "$1" -c "$CONNS" -d "${DURATION}s" \
    -t 1 --cpus "$LOADGEN_CPU" -q --json "$WORK/g.json" >/dev/null
  gauntlet_figures successes
}

: >"$WORK/results"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) -eq 1 ]; then order="h2load gauntlet"; else order="gauntlet h2load"; fi
  for m in $STREAMS; do
    for tool in $order; do
      line=$("run_$tool" "$m")
      echo "$tool $m $line" >>"$WORK/results"
      echo "run $i $tool -m $m: $line (successes, seconds, generator CPU-seconds, errors)"
    done
  done
done

python3 - "$WORK/results" <<'PY'
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, "benches")
from summary import table
summary = table(sys.argv[1], "{tool} -m {param}")
for m in sorted({m for m, _ in summary}):
    g, h = summary[(m, "gauntlet")], summary[(m, "h2load")]
    print(f"-m {m}: gauntlet / h2load  req/s x{g[0]/h[0]:.2f}, requests per generator CPU-second x{g[1]/h[1]:.2f} (goal >= 1.0)")
PY
