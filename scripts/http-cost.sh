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
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

CLIENTS=${1:-16}
SECS=${HTTP_COST_SECONDS:-5}
ROUNDS=${HTTP_COST_ROUNDS:-3}
read -r -a MODES <<<"${HTTP_COST_MODES:-order menu}"
BIN_GIVEN=${CPU_BIN:-} bench_setup "${CPU_BUILD_DIR:-build-release}" jh-replica jh-frontend jh-client jh-bench jh-fake-postcodes

# One address sends every request: no rate limit.
ours cost --http --http-settings '"rate_per_s": 0'
cpu="--cpu front-end=$(cluster_pid cost just.hungry)"
load "" cost 1 --clients "$CLIENTS" --user-prefix warm-rpc >/dev/null
load "" cost 1 --clients "$CLIENTS" --user-prefix warm-http --door http >/dev/null

RESULTS=$WORK/results.jsonl
say "$CLIENTS clients, $SECS s a run, $ROUNDS rounds, modes: ${MODES[*]}; doors alternate within each round"
for ((round = 1; round <= ROUNDS; round++)); do
  for mode in "${MODES[@]}"; do
    for door in rpc http; do
      load "$cpu" cost "$SECS" --clients "$CLIENTS" --mode "$mode" --door "$door" --user-prefix "r$round-$door" |
        jq -c '. + {round: '"$round"', mode: "'"$mode"'", door: "'"$door"'",
                    frontend_us_per_request: (if .ops > 0 then .cpu_cores["front-end"] * .wall_s * 1e6 / .ops else null end)}' |
        tee -a "$RESULTS" |
        jq -r '"round \(.round) \(.mode) \(.door): \(.orders_per_s | floor)/s, p50 \(.p50_ms) ms, front-end \(.frontend_us_per_request * 10 | round / 10) µs of CPU per request, \(.errors) errors"'
    done
  done
done

echo "medians ($CLIENTS clients, $ROUNDS runs of $SECS s each):"
jq -rs 'group_by(.mode + " " + .door)[] |
  (sort_by(.orders_per_s) | .[(length - 1) / 2 | floor].orders_per_s) as $rate |
  (sort_by(.frontend_us_per_request) | .[(length - 1) / 2 | floor].frontend_us_per_request) as $cpu |
  "  \(.[0].mode) \(.[0].door): \($rate | floor)/s, front-end \($cpu * 10 | round / 10) µs of CPU per request"' "$RESULTS"
