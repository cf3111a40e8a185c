#!/usr/bin/env bash
# Soak: the open model for 10 minutes at 10,000 connections against a
# reference server that is killed and restarted every 2 minutes.
#
# Checks (exit 1 when one fails):
#  - the generator's RSS after the first minute stays within 10 % of its
#    first-minute level (the highest sample of seconds 10-60);
#  - no file descriptor leak: the generator's open fds never exceed the
#    first-minute level plus a small slack (connections are replaced, not
#    added);
#  - every restart is reported as failed requests, not a hang: the run ends
#    within duration + timeout + 30 s, the errors include reset/connect
#    failures, and every 10 s window after a restart (from 10 s on) has
#    successful requests again.
# Writes soak.json (gauntlet's result), samples.csv (t, rss_kib, fds) and
# restarts.txt into $OUT (default benches/runs/<date>-soak), and prints a
# summary. Not part of CI: it takes DURATION seconds (default 600).
#
# Usage: scripts/soak.sh    (env: DURATION=600 RESTART_EVERY=120 RATE=5000
#        CONNS=10000 SERVER=rust-hyper SERVER_CPU=0 LOADGEN_CPU=1 OUT=dir
#        PROFILE=release|debug BUILD=0 to use the binaries already built)
# Run it at normal priority on a machine as quiet as you can get.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-600}
RESTART_EVERY=${RESTART_EVERY:-120}
RATE=${RATE:-5000}
CONNS=${CONNS:-10000}
TIMEOUT=${TIMEOUT:-2}
SERVER=${SERVER:-rust-hyper}
SERVER_CPU=${SERVER_CPU:-0}
LOADGEN_CPU=${LOADGEN_CPU:-1}
OUT=${OUT:-benches/runs/$(date -u +%Y-%m-%d)-soak}
TARGET=${CARGO_TARGET_DIR:-target}
PROFILE=${PROFILE:-release}   # PROFILE=debug: the unoptimised build (say so with the figures)

command -v python3 >/dev/null || { echo "python3 is needed for the checks" >&2; exit 1; }
if [ "${BUILD:-1}" = 0 ]; then
  :   # a commit restamps the build; BUILD=0 runs what is built
elif [ "$PROFILE" = release ]; then
  cargo build --release -q -p gauntlet -p "$SERVER"
else
  cargo build -q -p gauntlet -p "$SERVER"
fi
GEN="$TARGET/$PROFILE/gauntlet"
SRV="$TARGET/$PROFILE/$SERVER"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# 10,000 connections need file descriptors on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT/plaintext"
SERVER_PID=""
GEN_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null || true
}
trap cleanup EXIT

start_server() {
  PORT=$PORT taskset -c "$SERVER_CPU" "$SRV" >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server $SERVER did not come up on port $PORT" >&2
  exit 1
}

start_server
echo "soak: $SERVER on CPU $SERVER_CPU at $URL; gauntlet on CPU $LOADGEN_CPU," \
     "$CONNS connections, $RATE req/s, ${DURATION}s, restart every ${RESTART_EVERY}s"
: >"$OUT/restarts.txt"
echo "t_s,rss_kib,fds" >"$OUT/samples.csv"

T0=$(date +%s.%N)
"$GEN" bench "$URL" -c "$CONNS" -R "$RATE" -d "${DURATION}s" --timeout "${TIMEOUT}s" \
  --cpus "$LOADGEN_CPU" -q --json "$OUT/soak.json" >"$OUT/bench.out" 2>&1 &
GEN_PID=$!

now() { python3 -c "import time; print(round(time.time() - $T0, 1))"; }
next_restart=$RESTART_EVERY
while kill -0 "$GEN_PID" 2>/dev/null; do
  t=$(now)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$GEN_PID/status" 2>/dev/null || true)
  fds=$(ls "/proc/$GEN_PID/fd" 2>/dev/null | wc -l || true)
  [ -n "$rss" ] && echo "$t,$rss,$fds" >>"$OUT/samples.csv"
  if python3 -c "import sys; sys.exit(0 if $t >= $next_restart and $next_restart < $DURATION else 1)"; then
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    sleep 1
    start_server
    echo "$(now)" >>"$OUT/restarts.txt"
    echo "  restarted $SERVER at $(now) s"
    next_restart=$((next_restart + RESTART_EVERY))
  fi
  sleep 2
done
set +e
wait "$GEN_PID"
GEN_RC=$?
set -e
GEN_PID=""
ELAPSED=$(now)
echo "gauntlet bench exited $GEN_RC after ${ELAPSED}s"

python3 - "$OUT" "$DURATION" "$TIMEOUT" "$ELAPSED" "$GEN_RC" <<'EOF'
import csv, json, sys
out, duration, timeout, elapsed, rc = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rows = [(float(r["t_s"]), int(r["rss_kib"]), int(r["fds"])) for r in csv.DictReader(open(f"{out}/samples.csv"))]
restarts = [float(l) for l in open(f"{out}/restarts.txt") if l.strip()]
first = [r for r in rows if 10 <= r[0] <= 60]
later = [r for r in rows if r[0] > 60]
failures = []
rss0 = max(r[1] for r in first)
fd0 = max(r[2] for r in first)
rss_max = max(r[1] for r in later)
fd_max = max(r[2] for r in later)
fd_end = later[-1][2]
if rss_max > rss0 * 1.10:
    failures.append(f"RSS grew to {rss_max} KiB, over 110 % of the first minute's {rss0} KiB")
if fd_max > fd0 + 64:
    failures.append(f"open fds reached {fd_max}, over the first minute's {fd0} + 64")
limit = duration + timeout + 30
if rc != 0:
    failures.append(f"gauntlet bench exited {rc}")
if elapsed > limit:
    failures.append(f"the run took {elapsed:.0f} s, over duration + timeout + 30 s = {limit:.0f} s")
report = json.load(open(f"{out}/soak.json"))
errors = report.get("errors", {})
failed = sum(v for k, v in errors.items() if k in ("reset", "connect", "timeout"))
if restarts and failed == 0:
    failures.append(f"{len(restarts)} restarts but no reset/connect/timeout errors: {errors}")
intervals = report.get("intervals", [])
recovered = []
for r in restarts:
    # the measured phase starts about when the process does (no warmup)
    window = [i for i in intervals if r + 10 <= i["start_s"] < r + 20]
    ok = sum(i["requests"] for i in window)
    recovered.append(ok)
    if window and ok <= 0:
        failures.append(f"no successful requests 10-20 s after the restart at {r:.0f} s")
summary = {
    "duration_s": duration, "elapsed_s": elapsed, "exit_code": rc,
    "connections": report.get("connections"), "rate_rps": report.get("rate_rps"),
    "requests": report.get("requests"), "successes": report.get("successes"),
    "throughput_rps": report.get("throughput_rps"), "errors": errors,
    "restarts_s": restarts, "successes_10_20s_after_each_restart": recovered,
    "rss_first_minute_kib": rss0, "rss_max_after_kib": rss_max,
    "rss_growth_pct": round(100 * (rss_max - rss0) / rss0, 2),
    "fds_first_minute": fd0, "fds_max_after": fd_max, "fds_at_end": fd_end,
    "p99_us": report.get("latency", {}).get("p99_us"),
    "schedule_lag": report.get("schedule_lag"),
    "checks_failed": failures,
}
json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(summary, indent=2))
print("SOAK FAILED" if failures else "soak passed")
sys.exit(1 if failures else 0)
EOF
