#!/usr/bin/env bash
# SQPOLL's CPU, counted honestly: one run each of the epoll loop, the best
# io_uring variant and the SQPOLL variant (poller bound to the client's CPU 1;
# on CPU 0 it would take the server's CPU), with /usr/bin/time's user and sys
# of the whole process and uring-ceiling's per-thread CPU from /proc.
# Run from the repository root after a release build:
#   setsid sh -c 'echo -10 > /proc/self/autogroup; exec nice -n -10 benches/runs/2026-11-30-uring/sqpoll.sh'
set -euo pipefail
. benches/lib.sh
start_server fast-plaintext
for flags in "--io epoll" "--io uring --multishot --fixed-files --defer-taskrun" \
  "--io uring --multishot --fixed-files --sqpoll-cpu $LOADGEN_CPU"; do
  # shellcheck disable=SC2086 # the flags are a list
  timed "$BIN/uring-ceiling" "$URL" $flags -c 64 -d 5 >"$WORK/out" 2>"$WORK/err"
  read -r req secs <"$WORK/out"
  echo "$flags: $req requests in $secs s, $(cpu_seconds) CPU-s (user+sys), $(python3 -c "print(f'{$req/$(cpu_seconds):,.0f}')") per CPU-second"
  sed 's/^/  /' "$WORK/err"
done
