#!/bin/bash
# User-space instructions per request of a Gauntlet build at pipelining depth
# $DEPTH (default 16), counted by valgrind's callgrind: the difference between
# a 2 s and a 5 s run, divided by the difference in requests, so start-up and
# shutdown cancel out. The VM has no hardware counters (perf stat reads
# "not supported"), and an instruction count does not drift with the
# machine's load the way CPU time does (it does with batch sizes: run it with
# the generator's CPU to itself).
# Usage: URL=http://127.0.0.1:PORT/plaintext instructions-per-request.sh path/to/gauntlet
set -e
B=$1; D=${DEPTH:-16}; URL=${URL:?set URL to a fast-plaintext /plaintext}
T=$(mktemp -d); trap 'rm -rf $T' EXIT
for d in 2 5; do
  taskset -c 1 valgrind --tool=callgrind --callgrind-out-file=$T/cg.$d "$B" bench "$URL" -c 64 -d ${d}s \
    --pipeline "$D" -t 1 --cpus 1 -q --json $T/$d.json >/dev/null 2>$T/$d.err
  ir=$(grep -o "I *refs: *[0-9,]*" $T/$d.err | tr -d ', ' | sed 's/.*://')
  n=$(python3 -c "import json;print(json.load(open('$T/$d.json'))['requests'])")
  echo "$ir $n"
done | awk -v b="$(basename "$B")" -v d="$D" '{ir[NR]=$1; n[NR]=$2} END {
  printf "%s depth %s: %.0f instructions per request (%d, %d requests)\n", b, d, (ir[2]-ir[1])/(n[2]-n[1]), n[1], n[2]}'
