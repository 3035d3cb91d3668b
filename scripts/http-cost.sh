#!/usr/bin/env bash
# What the HTTP door costs per request beside the RPC door (DESIGN.md §6): one private cluster
# (Release build) whose front-end serves both doors, driven by jh-bench with N clients through
# each door in turn, alternating, ROUNDS times, in the same sitting. Prints for every run the
# requests per second and the front-end's CPU time (user + system, from /proc) per request, then
# the medians per door and mode. The front-end's CPU per request moves less with the shared
# machine's load than requests/s do (scripts/cpu-per-order.sh).
#
# Usage: scripts/http-cost.sh [CLIENTS]     (default 16)
# Environment: HTTP_COST_SECONDS [5] per run; HTTP_COST_ROUNDS [3]; HTTP_COST_MODES ["order menu"]
# (jh-bench modes); CPU_BUILD_DIR [build-release]; CPU_BIN: already built binaries to measure.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

CLIENTS=${1:-16}
SECS=${HTTP_COST_SECONDS:-5}
ROUNDS=${HTTP_COST_ROUNDS:-3}
read -r -a MODES <<<"${HTTP_COST_MODES:-order menu}"
BUILD_DIR=${CPU_BUILD_DIR:-build-release}
scripts/install-deps.sh --bench >&2
if [[ -n ${CPU_BIN:-} ]]; then
  BIN=$(cd "$CPU_BIN" && pwd)
else
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target jh-replica jh-frontend jh-client jh-bench jh-fake-postcodes >&2
  BIN=$ROOT/$BUILD_DIR/bin
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jh-http-cost.XXXXXX")
trap 'stop_everything; rm -rf "$WORK"' EXIT
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

postcodes_start
cluster_create cost 0 http
cluster_start cost
FRONTEND_PID=${PID_OF[cost/just.hungry]}
jh_bench cost 1 --clients "$CLIENTS" --user-prefix warm-rpc >/dev/null
jh_bench cost 1 --clients "$CLIENTS" --user-prefix warm-http --door http >/dev/null

RESULTS=$WORK/results.jsonl
say "$CLIENTS clients, $SECS s a run, $ROUNDS rounds, modes: ${MODES[*]}; doors alternate within each round"
for ((round = 1; round <= ROUNDS; round++)); do
  for mode in "${MODES[@]}"; do
    for door in rpc http; do
      t0=$(cpu_ticks "$FRONTEND_PID")
      json=$(jh_bench cost "$SECS" --clients "$CLIENTS" --mode "$mode" --door "$door" --user-prefix "r$round-$door")
      t1=$(cpu_ticks "$FRONTEND_PID")
      [[ -n $json ]] || die "jh-bench gave no result ($door, $mode)"
      jq -c --argjson ticks "$((t1 - t0))" --argjson tick "$TICK" \
        '. + {round: '"$round"', frontend_us_per_request: (if .ops > 0 then $ticks * 1e6 / $tick / .ops else null end)}' \
        <<<"$json" | tee -a "$RESULTS" |
        jq -r '"round \(.round) \(.mode) \(.door): \(.orders_per_s | floor)/s, p50 \(.p50_ms) ms, front-end \(.frontend_us_per_request * 10 | round / 10) µs of CPU per request, \(.errors) errors"'
    done
  done
done

echo "medians ($CLIENTS clients, $ROUNDS runs of $SECS s each):"
jq -rs 'group_by(.mode + " " + .door)[] |
  (sort_by(.orders_per_s) | .[(length - 1) / 2 | floor].orders_per_s) as $rate |
  (sort_by(.frontend_us_per_request) | .[(length - 1) / 2 | floor].frontend_us_per_request) as $cpu |
  "  \(.[0].mode) \(.[0].door): \($rate | floor)/s, front-end \($cpu * 10 | round / 10) µs of CPU per request"' "$RESULTS"
