# Shared by the side-by-side benches (benches/vs-*.sh), which source it from
# the repository root after `set -euo pipefail`; not run on its own.
#
# It sets SERVER_CPU and LOADGEN_CPU (defaults 0 and 1), BIN (the release
# binaries) and WORK (a temporary folder, removed on exit with the server),
# and defines how the benches install a missing tool, build, start the test
# server pinned to SERVER_CPU, and run a generator pinned to LOADGEN_CPU
# while measuring its CPU-seconds.

SERVER_CPU=${SERVER_CPU:-0}
LOADGEN_CPU=${LOADGEN_CPU:-1}
BIN=${CARGO_TARGET_DIR:-target}/release

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# need_tool COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing.
need_tool() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "installing $1 (Debian package $2)..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq "$2" >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2"; }
}

# The generators' CPU-seconds come from /usr/bin/time (see timed).
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package: time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed for the arithmetic" >&2; exit 1; }

# build: the release binaries of Gauntlet and the test servers, unless
# BUILD=0 or NO_BUILD=1 (a build running elsewhere holds cargo's lock, or
# target/release was built a moment ago by hand).
build() {
  if [ "${BUILD:-1}" = 0 ] || [ -n "${NO_BUILD:-}" ]; then return; fi
  cargo build --release -q -p gauntlet -p gauntlet-testservers
}

# start_server NAME: starts crates/testservers' NAME on a free port, pinned
# to SERVER_CPU, waits for its `listening on 127.0.0.1:PORT` line, and sets
# SERVER_PID and URL (its /plaintext).
start_server() {
  PORT=0 taskset -c "$SERVER_CPU" "$BIN/$1" >"$WORK/server.out" &
  SERVER_PID=$!
  for _ in $(seq 50); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$WORK/server.out")
  URL="http://127.0.0.1:$port/plaintext"
}

# timed COMMAND...: runs COMMAND pinned to LOADGEN_CPU; its user and system
# CPU-seconds go to $WORK/time, read back by cpu_seconds.
timed() {
  /usr/bin/time -f "%U %S" -o "$WORK/time" taskset -c "$LOADGEN_CPU" "$@"
}

# cpu_seconds: user + system CPU-seconds of the last timed command (the last
# line of $WORK/time: /usr/bin/time puts a line about a failed exit first).
cpu_seconds() {
  awk '{ u = $(NF - 1); s = $NF } END { print u + s }' "$WORK/time"
}

# gauntlet_figures COUNT: "COUNT elapsed_s cpu_seconds errors" of the last
# timed Gauntlet run, which wrote $WORK/g.json; COUNT is the report's field
# to count (requests, or successes).
gauntlet_figures() {
  python3 - "$WORK/g.json" "$1" "$(cpu_seconds)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(r[sys.argv[2]], r["elapsed_s"], sys.argv[3], sum(r["errors"].values()))
PY
}

# wrk_pipelined DEPTH: wrk -t1 on $CONNS connections for $DURATION seconds
# with benches/pipeline.lua (DEPTH requests per write, the next batch once
# all are answered), pinned and timed; prints "requests seconds cpu_seconds
# errors" (errors: wrk's non-2xx/3xx count).
wrk_pipelined() {
  timed wrk -t1 -c"$CONNS" -d"${DURATION}s" -s benches/pipeline.lua "$URL" -- "$1" >"$WORK/wrk.out"
  python3 - "$WORK/wrk.out" "$(cpu_seconds)" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m),", out)
secs = float(m.group(2)) * {"ms": 1e-3, "s": 1, "m": 60}[m.group(3)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(m.group(1), secs, sys.argv[2], errors.group(1) if errors else 0)
PY
}

# gauntlet_pipelined DEPTH: $GAUNTLET bench on $CONNS connections for
# $DURATION seconds at pipelining depth DEPTH, one thread pinned to
# LOADGEN_CPU, timed; prints "requests seconds cpu_seconds errors".
gauntlet_pipelined() {
  timed "$GAUNTLET" bench "$URL" -c "$CONNS" -d "${DURATION}s" --pipeline "$1" \
    -t 1 --cpus "$LOADGEN_CPU" -q --json "$WORK/g.json" >/dev/null
  gauntlet_figures requests
}
