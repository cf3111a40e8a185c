#!/usr/bin/env bash
# 3-minute open-model bench against a server slower than the asked rate,
# RSS sampled every 5 s. Usage: run.sh GAUNTLET OUTDIR
set -u
GEN=$1; OUT=$2; mkdir -p "$OUT"
SRV=${SRV:-/work/wt/soakfuzz/target/release/fixed-capacity}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$PORT CAPACITY_RPS=1000 taskset -c 0 "$SRV" >"$OUT/server.log" 2>&1 &
SP=$!
sleep 1
taskset -c 1 "$GEN" bench "http://127.0.0.1:$PORT/plaintext" -c 1000 -R 3000 -d 180s --timeout 600s -q --json "$OUT/bench.json" >"$OUT/bench.out" 2>&1 &
GP=$!
T0=$(date +%s)
echo "t_s,rss_kib" > "$OUT/rss.csv"
while kill -0 $GP 2>/dev/null; do
  r=$(awk '/^VmRSS:/ {print $2}' /proc/$GP/status 2>/dev/null)
  [ -n "$r" ] && echo "$(( $(date +%s) - T0 )),$r" >> "$OUT/rss.csv"
  sleep 5
done
wait $GP; echo "bench rc=$? after $(( $(date +%s) - T0 )) s" >> "$OUT/rss.csv"
kill $SP
