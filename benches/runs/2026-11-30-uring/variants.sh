#!/usr/bin/env bash
# The io_uring variants of uring-ceiling against its epoll loop, interleaved
# (the order rotates every round), ROUNDS rounds of DURATION seconds each, on
# fast-plaintext pinned to CPU 0, the client pinned to CPU 1, at DEPTH.
# Prints requests per generator CPU-second per variant: median, min, max,
# and the median of each variant's ratio to epoll in the same round.
# VARIANTS="name|flags;..." measures another list (it must include epoll).
# Run from the repository root after a release build of uring-ceiling and
# gauntlet-testservers:
#   setsid sh -c 'echo -10 > /proc/self/autogroup; exec nice -n -10 benches/runs/2026-11-30-uring/variants.sh'
set -euo pipefail
. benches/lib.sh
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3}
CONNS=${CONNS:-64}
DEPTH=${DEPTH:-1}
CEILING=$BIN/uring-ceiling
variants=(
  "epoll|--io epoll"
  "uring|--io uring"
  "link|--io uring --link"
  "poll-first|--io uring --poll-first"
  "fixed-files|--io uring --fixed-files"
  "fixed-bufs|--io uring --fixed-bufs"
  "multishot|--io uring --multishot"
  "defer-taskrun|--io uring --defer-taskrun"
  "ms+ff+defer|--io uring --multishot --fixed-files --defer-taskrun"
  "ff+pf+link|--io uring --fixed-files --poll-first --link"
  "ms+ff+defer+w16|--io uring --multishot --fixed-files --defer-taskrun --wait 16"
  "sqpoll|--io uring --multishot --fixed-files --sqpoll-cpu 1"
)
# VARIANTS="name|flags;name|flags..." replaces the list (epoll must be in it).
if [ -n "${VARIANTS:-}" ]; then IFS=';' read -r -a variants <<<"$VARIANTS"; fi
start_server fast-plaintext
echo "fast-plaintext on CPU $SERVER_CPU at $URL; uring-ceiling on CPU $LOADGEN_CPU; -c $CONNS --depth $DEPTH; ${DURATION}s x $ROUNDS rounds"
: >"$WORK/results"
n=${#variants[@]}
for r in $(seq "$ROUNDS"); do
  for k in $(seq 0 $((n - 1))); do
    v=${variants[$(((k + r) % n))]}
    name=${v%%|*}
    # shellcheck disable=SC2086 # the flags are a list
    timed "$CEILING" "$URL" ${v#*|} -c "$CONNS" -d "$DURATION" --depth "$DEPTH" >"$WORK/out" 2>"$WORK/err"
    line="$name $r $(cat "$WORK/out") $(cpu_seconds)"
    echo "$line" | tee -a "$WORK/results"
  done
done
python3 - "$WORK/results" <<'PY'
import statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    name, r, req, secs, cpu = line.split()
    rows.setdefault(name, {})[int(r)] = (int(req) / float(secs), int(req) / float(cpu))
print(f"\n{'variant':<16}{'req/s':>10}{'req/CPU-s':>12}{'min':>10}{'max':>10}{'/ epoll':>9}  pairs / epoll")
for name, rs in rows.items():
    eff = [e for _, e in rs.values()]
    pairs = [rs[r][1] / rows['epoll'][r][1] for r in rs if r in rows['epoll']]
    print(f"{name:<16}{st.median(x for x, _ in rs.values()):>10,.0f}{st.median(eff):>12,.0f}{min(eff):>10,.0f}"
          f"{max(eff):>10,.0f}{st.median(pairs):>8.2f}x  {' '.join(f'{p:.2f}' for p in pairs)}")
PY
