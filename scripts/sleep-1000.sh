#!/usr/bin/env bash
# What 1,000 concurrent `GET /sleep?ms=100` do to one reference server, as its
# README quotes it: the server pinned to CPU 0, `gauntlet bench` (1,000
# connections, closed model, 2 s warmup, 5 s measured) pinned to CPU 1, RUNS
# runs; per run the throughput, p99, errors, and the server's peak resident
# memory (VmHWM of the whole process, which includes the warmup) and threads.
# With every connection waiting 100 ms the ceiling is 10,000 req/s.
#
#   scripts/sleep-1000.sh SERVER_COMMAND...        e.g.
#   scripts/sleep-1000.sh target/release/rust-axum
#   scripts/sleep-1000.sh reference-servers/go-gin/build/server
#
# Environment: GAUNTLET (default target/release/gauntlet), PORT (19410),
# RUNS (3). Traffic goes to 127.0.0.1 only; every run is bounded (7 s).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 SERVER_COMMAND..." >&2; exit 2; }
gauntlet=${GAUNTLET:-target/release/gauntlet}
port=${PORT:-19410}
runs=${RUNS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
    PORT=$port taskset -c 0 "$@" >"$out/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/plaintext" >/dev/null 2>&1 && break
        sleep 0.1
    done
    "$gauntlet" bench "http://127.0.0.1:$port/sleep?ms=100" -c 1000 -d 5s --warmup 2s \
        --cpus 1 -q --json "$out/run.json" >/dev/null
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" || true
    python3 - "$out/run.json" "$run" "$hwm" "$threads" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
errors = d["requests"] - d["successes"]
print(f"run {sys.argv[2]}: {d['throughput_rps']:.0f} req/s, p99 {d['latency']['p99_us'] / 1000:.1f} ms, "
      f"{errors} errors of {d['requests']}, peak RSS {int(sys.argv[3]) / 1024:.1f} MiB, "
      f"{sys.argv[4]} threads at the end")
PY
done
