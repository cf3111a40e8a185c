#!/bin/bash
# A/B of gauntlet builds: user and sys CPU microseconds per request at depth $DEPTH.
# Usage (from the checkout): benches/runs/2026-11-30-http1-ready/ab.sh BUILD_A BUILD_B   (RUNS=4 DUR=4 DEPTH=16)
set -e
T=${TARGET:-target}/release
PORT=0 taskset -c 0 $T/fast-plaintext > ${WORK:-/tmp}/ab-server.out 2>&1 &
SP=$!; sleep 0.5
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' ${WORK:-/tmp}/ab-server.out)
URL=http://127.0.0.1:$PORT/plaintext
for i in $(seq ${RUNS:-4}); do
  for b in "$@"; do
    /usr/bin/time -f "%U %S" -o ${WORK:-/tmp}/ab.time taskset -c 1 $b bench $URL -c 64 -d ${DUR:-4}s --pipeline ${DEPTH:-16} -t 1 --cpus 1 -q --json ${WORK:-/tmp}/ab.json >/dev/null
    python3 -c "
import json; r=json.load(open('${WORK:-/tmp}/ab.json')); u,s=map(float,open('${WORK:-/tmp}/ab.time').read().split()[-2:]); n=r['requests']
print('$b'.split('/')[-1], n, 'user_us/req %.3f sys_us/req %.3f total %.3f req/cpu-s %.0f' % (u*1e6/n, s*1e6/n, (u+s)*1e6/n, n/(u+s)))"
  done
done
kill $SP
