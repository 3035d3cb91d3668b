#!/usr/bin/env bash
# Where the CPU goes, per order: starts a private cluster of ours (Release build), the floor of
# docs/benchmarks.md (jh-rpc-floor: front-end -> primary -> group commit, nothing else) and a Redis
# reference (primary + 2 replicas, AOF fsync always), drives each with N clients, and prints for
# every process the CPU time (user + system, from /proc) and the voluntary context switches
# divided by the orders placed (jh-report per-order). Unlike orders/s, these figures hardly depend
# on what else the shared machine runs, so two builds can be compared with them.
#
# Usage: scripts/cpu-per-order.sh [CLIENTS...]      (default: 64 1)
# Environment: CPU_SECONDS [5] per run; CPU_BUILD_DIR [build-release]; CPU_BIN: a folder of
# already built binaries to measure instead (for comparing two builds); CPU_REDIS [1]: 0 skips Redis.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

SECS=${CPU_SECONDS:-5}
CLIENT_COUNTS=("$@")
((${#CLIENT_COUNTS[@]})) || CLIENT_COUNTS=(64 1)
BIN_GIVEN=${CPU_BIN:-} bench_setup "${CPU_BUILD_DIR:-build-release}" jh-replica jh-frontend jh-client jh-bench jh-fake-postcodes jh-rpc-floor

ours cpu
cpu=$(cpu_of_ours cpu)
load "" cpu 1 --clients 16 --user-prefix warm >/dev/null
for c in "${CLIENT_COUNTS[@]}"; do
  load "$cpu" cpu "$SECS" --clients "$c" --user-prefix "cpu$c" | "$BIN/jh-report" per-order "ours  "
done
cluster_down cpu

# The floor of docs/benchmarks.md: client -> front-end -> primary -> group commit, nothing else.
if [[ -x $BIN/jh-rpc-floor ]]; then
  floor_start floor path
  cpu="--cpu front-end=$(cluster_pid aux floor) --cpu primary=$(cluster_pid aux floor-primary)"
  for c in "${CLIENT_COUNTS[@]}"; do
    load "$cpu" floor "$SECS" --clients "$c" --user-prefix "floor$c" | "$BIN/jh-report" per-order "floor "
  done
fi

((${CPU_REDIS:-1})) || exit 0
redis_start
for c in "${CLIENT_COUNTS[@]}"; do
  n=$((c == 1 ? 8000 : 150000))
  # shellcheck disable=SC2086  # REDIS_CPU: words on purpose
  measure --redis "$c" "$n" $REDIS_CPU -- redis-benchmark -p "$REDIS_PORT" -t rpush -d 100 -c "$c" -n "$n" --csv |
    "$BIN/jh-report" per-order "Redis "
done
