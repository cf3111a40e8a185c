#!/usr/bin/env bash
# Mean batch latency as the loop sees it (uring-ceiling's stderr),
# voluntary context switches (the loop going to sleep and being woken) per
# 1,000 responses, and CPU microseconds per response, for the epoll loop and
# the io_uring loop waiting for 1, 16 and 32 completions; ROUNDS interleaved
# rounds of DURATION seconds, fast-plaintext on CPU 0, client on CPU 1.
# Run from the repository root after a release build:
#   setsid sh -c 'echo -10 > /proc/self/autogroup; exec nice -n -10 benches/runs/2026-11-30-uring/ctxsw.sh'
set -euo pipefail
. benches/lib.sh
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3}
CEILING=$BIN/uring-ceiling
start_server fast-plaintext
echo "name requests seconds user_s sys_s voluntary_cs involuntary_cs | cs per 1000 responses, CPU us per response, requests per CPU-second | mean latency"
for r in $(seq "$ROUNDS"); do
  for v in "epoll|--io epoll" "uring-w1|--io uring --multishot --fixed-files --defer-taskrun" \
    "uring-w16|--io uring --multishot --fixed-files --defer-taskrun --wait 16" \
    "uring-w32|--io uring --multishot --fixed-files --defer-taskrun --wait 32"; do
    # shellcheck disable=SC2086 # the flags are a list
    /usr/bin/time -f "%U %S %w %c" -o "$WORK/time" taskset -c "$LOADGEN_CPU" "$CEILING" "$URL" ${v#*|} -c 64 -d "$DURATION" >"$WORK/out" 2>"$WORK/err"
    read -r req secs <"$WORK/out"
    read -r u s w c < <(tail -1 "$WORK/time")
    lat=$(sed -n 's/^mean latency \([0-9.]*\) us.*/\1/p' "$WORK/err")
    echo "${v%%|*} $req $secs $u $s $w $c | $(python3 -c "print(f'{1000*$w/$req:.1f} {1e6*($u+$s)/$req:.2f} {$req/($u+$s):,.0f}')") | ${lat} us"
  done
done
