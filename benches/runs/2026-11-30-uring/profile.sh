#!/usr/bin/env bash
# Profiles of uring-ceiling's two loops at depth 1 (perf record -g, 5 s) and
# their system calls (strace -c -f, 3 s), on fast-plaintext pinned to CPU 0,
# the client pinned to CPU 1. Writes perf-*.txt and strace-*.txt here.
# Run from the repository root after a release build:
#   setsid sh -c 'echo -10 > /proc/self/autogroup; exec nice -n -10 benches/runs/2026-11-30-uring/profile.sh'
set -euo pipefail
. benches/lib.sh
OUT=benches/runs/2026-11-30-uring
CEILING=$BIN/uring-ceiling
URING_FLAGS=${URING_FLAGS:---multishot --defer-taskrun --fixed-files}
SUFFIX=${SUFFIX:-depth1}
start_server fast-plaintext
for mode in epoll uring; do
  flags="--io $mode"
  [ "$mode" = epoll ] || flags="$flags $URING_FLAGS"
  # shellcheck disable=SC2086 # the flags are a list
  perf record -q -g -o "$WORK/perf.data" -- taskset -c "$LOADGEN_CPU" "$CEILING" "$URL" $flags -c 64 -d 5 >"$WORK/out" 2>/dev/null
  report() { perf report -i "$WORK/perf.data" --stdio "$@" 2>/dev/null | grep -v '^$' | grep -v '^#' >"$WORK/report" || true; }
  {
    echo "# perf record -g -- taskset -c $LOADGEN_CPU uring-ceiling URL $flags -c 64 -d 5"
    echo "# requests seconds: $(cat "$WORK/out")"
    echo "## by DSO (self)"
    report --no-children -g none --sort dso
    head -8 "$WORK/report"
    echo "## by symbol, self (top 40)"
    report --no-children -g none --sort sym --percent-limit 0.5
    head -40 "$WORK/report"
    echo "## by symbol, children (inclusive, top 40)"
    report --children -g none --sort sym --percent-limit 2
    head -40 "$WORK/report"
    echo "## system call entry and exit, and the event interface (self)"
    report --no-children -g none --sort sym
    grep -E "entry_SYSCALL|do_syscall_64|syscall_exit|syscall_return|exit_to_user|fdget|fput|\\[\\.\\] syscall$|epoll|ep_|io_uring|io_submit|io_issue|io_cq|io_poll|io_recv|io_send|io_req|__io_" "$WORK/report" | head -30 || true
  } >"$OUT/perf-$mode-$SUFFIX.txt"
  # shellcheck disable=SC2086
  strace -c -f -o "$OUT/strace-$mode-$SUFFIX.txt" -- taskset -c "$LOADGEN_CPU" "$CEILING" "$URL" $flags -c 64 -d 3 >"$WORK/out"
  echo "# strace -c -f -- uring-ceiling URL $flags -c 64 -d 3: requests seconds $(cat "$WORK/out")" >>"$OUT/strace-$mode-$SUFFIX.txt"
done
