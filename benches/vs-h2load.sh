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
# NO_BUILD=1 uses target/release as it is (e.g. built a moment ago by hand).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-16}
STREAMS=${STREAMS:-"1 10"}
SERVER_CPU=${SERVER_CPU:-0}
LOADGEN_CPU=${LOADGEN_CPU:-1}

if ! command -v h2load >/dev/null 2>&1; then
  echo "installing h2load (Debian package nghttp2-client)..." >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq nghttp2-client >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nghttp2-client; }
fi
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package: time)" >&2; exit 1; }

[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p gauntlet -p gauntlet-testservers
BIN=${CARGO_TARGET_DIR:-target}/release
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=0 taskset -c "$SERVER_CPU" "$BIN/hyper-plaintext" >"$WORK/server.out" &
SERVER_PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$WORK/server.out")
URL="http://127.0.0.1:$PORT/plaintext"
echo "server: hyper-plaintext (h2c) on CPU $SERVER_CPU at $URL; generators on CPU $LOADGEN_CPU"
echo "$(h2load --version 2>&1 | head -1); $CONNS connections; streams: $STREAMS"
echo

# Each prints "requests seconds cpu_seconds errors".
run_h2load() { # streams
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c "$LOADGEN_CPU" \
    h2load -t1 -c"$CONNS" -m"$1" -D"$DURATION" "$URL" >"$WORK/h2load.out"
  python3 - "$WORK/h2load.out" "$WORK/time" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
secs = float(re.search(r"finished in ([\d.]+)s", out).group(1))
m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
u, s = open(sys.argv[2]).read().split()[-2:]
print(m.group(2), secs, float(u) + float(s), int(m.group(3)) + int(m.group(4)))
PY
}
run_gauntlet() { # streams
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c "$LOADGEN_CPU" \
    "$BIN/gauntlet" bench "$URL" --http2 --streams "$1" -c "$CONNS" -d "${DURATION}s" \
    -t 1 --cpus "$LOADGEN_CPU" -q --json "$WORK/g.json" >/dev/null
  python3 -c "import json; r=json.load(open('$WORK/g.json')); u,s=open('$WORK/time').read().split()[-2:]; print(r['successes'], r['elapsed_s'], float(u)+float(s), sum(r['errors'].values()))"
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
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    tool, m, req, secs, cpu, _ = line.split()
    rows.setdefault((int(m), tool), []).append((int(req), float(secs), float(cpu)))
print()
print(f"{'closed model':<22}{'req/s (median)':>16}{'req per gen CPU-s':>20}{'min':>11}{'max':>11}{'runs':>6}")
summary = {}
for (m, tool), rs in sorted(rows.items()):
    effs = [r / c for r, _, c in rs if c > 0]
    rps = st.median(r / s for r, s, _ in rs)
    summary[(m, tool)] = (rps, st.median(effs))
    label = f"{tool} -m {m}"
    print(f"{label:<22}{rps:>16,.0f}{st.median(effs):>20,.0f}{min(effs):>11,.0f}{max(effs):>11,.0f}{len(rs):>6}")
print()
for m in sorted({m for m, _ in summary}):
    g, h = summary[(m, "gauntlet")], summary[(m, "h2load")]
    print(f"-m {m}: gauntlet / h2load  req/s x{g[0]/h[0]:.2f}, requests per generator CPU-second x{g[1]/h[1]:.2f} (goal >= 1.0)")
PY
