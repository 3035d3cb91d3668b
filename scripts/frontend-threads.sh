#!/usr/bin/env bash
# The front-end's event loops (docs/threads.md) on this machine: two private clusters (Release
# build, through jh-cluster), one whose front-end runs one loop and one whose front-end runs
# FT_THREADS; for each client count jh-bench alternates between them, FT_RUNS times, and prints
# each run and the medians: orders/s and the front-end's CPU time (user + system) per order.
#
# Usage: scripts/frontend-threads.sh [CLIENTS...]        (default: 1 64 256)
# Environment: FT_THREADS [2]; FT_RUNS [3] per setting and count; FT_SECONDS [5] per run;
# CPU_BUILD_DIR [build-release]; CPU_BIN: already built binaries to measure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

COUNTS=("$@")
((${#COUNTS[@]})) || COUNTS=(1 64 256)
LOOPS=${FT_THREADS:-2}
RUNS=${FT_RUNS:-3}
SECS=${FT_SECONDS:-5}
BIN_GIVEN=${CPU_BIN:-} bench_setup "${CPU_BUILD_DIR:-build-release}" jh-replica jh-frontend jh-client jh-bench jh-fake-postcodes

JH_FRONTEND_THREADS=1 ours one
JH_FRONTEND_THREADS=$LOOPS ours many
RESULTS=$WORK/results.jsonl
say "front-end with 1 vs $LOOPS event loops; $RUNS alternating runs of $SECS s each; $(nproc) cores"
for c in "${COUNTS[@]}"; do
  for ((run = 1; run <= RUNS; run++)); do
    for name in one many; do
      loops=1
      [[ $name == many ]] && loops=$LOOPS
      load "--cpu front-end=$(cluster_pid "$name" just.hungry)" "$name" "$SECS" --clients "$c" \
        --user-prefix "$name-c$c-r$run" |
        jq -c '. + {clients: '"$c"', loops: '"$loops"',
                    us_per_order: (if .ops > 0 then .cpu_cores["front-end"] * .wall_s * 1e6 / .ops else null end)}' |
        tee -a "$RESULTS" |
        jq -r '"  \(.clients) clients, \(.loops) loop(s): \(.orders_per_s | floor)/s, front-end \(.us_per_order * 10 | round / 10) µs of CPU per order"'
    done
  done
done

echo "medians ($RUNS runs of $SECS s each):"
jq -rs 'group_by([.clients, .loops])[] |
  (sort_by(.orders_per_s) | .[(length - 1) / 2 | floor].orders_per_s) as $rate |
  (sort_by(.us_per_order) | .[(length - 1) / 2 | floor].us_per_order) as $cpu |
  "  \(.[0].clients) clients, \(.[0].loops) loop(s): \($rate | floor)/s, front-end \($cpu * 10 | round / 10) µs of CPU per order"' "$RESULTS"
