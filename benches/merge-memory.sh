#!/bin/sh
# Times `gauntlet merge` over the 16 synthetic 60 s shard files that
# `cargo bench --bench merge` writes, with 10^6 and with 10^10 requests per
# shard, and prints wall time and peak RSS of each: the time must stay under
# a second and the memory must not grow with the requests (issue 13).
set -eu
cd "$(dirname "$0")/.."
dir=${GAUNTLET_MERGE_BENCH_DIR:-${TMPDIR:-/tmp}/gauntlet-merge-bench}
export GAUNTLET_MERGE_BENCH_DIR=$dir
cargo bench --bench merge -- --test >/dev/null
cargo build --release -q
bin=${CARGO_TARGET_DIR:-target}/release/gauntlet
for n in 1000000 10000000000; do
  for run in 1 2 3; do
    /usr/bin/time -f "$n requests/shard: %e s wall, %M KiB peak RSS" \
      "$bin" merge "$dir/$n"/shard-*.json >/dev/null
  done
done
