#!/usr/bin/env bash
# scripts/demo-failover.sh end to end against a private cluster: it exits 0, tells each of its
# steps, shows the killed replica catch up and become primary again and the three orders.csv
# agreeing, and leaves no process behind.
# Usage: demo-test.sh BIN_DIR
set -euo pipefail

BIN=$(realpath "${1:?usage: demo-test.sh BIN_DIR}")
TEST="demo test"
# shellcheck source=tests/launcher/launcher-test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-test-lib.sh"

make_cluster 1

STEP="running scripts/demo-failover.sh"
rc=0
timeout 50 "$ROOT/scripts/demo-failover.sh" --cluster "$CLUSTER" --pause 0 >"$TMP/demo.out" 2>&1 || rc=$?
cat "$TMP/demo.out"
((rc == 0)) || fail "it exited with $rc"
STOPPED=1  # the demonstration stops what it started
record_pids

STEP="reading its narration"
out=$(<"$TMP/demo.out")
for expected in "Step 1/7: start the system (background)" "Step 7/7: compare the three replicas' orders.csv" \
  "sent SIGKILL to replica.server1" "replica.server1: primary, READY" "replica.server1 | INFO  caught up from" \
  "Your orders (2)" \
  "replica.server1 caught up and is primary again" "All three orders.csv hold the same orders." \
  "The demonstration succeeded"; do
  [[ $out == *"$expected"* ]] || fail "it did not say: $expected"
done
[[ $out != *$'\e'* ]] || fail "colour in output that is not a terminal"
# The three digests it printed are one and the same.
[[ $(grep -oE ' orders  [0-9a-f]{16}  ' <<<"$out" | sort -u | wc -l) == 1 ]] ||
  fail "the digests differ: $(grep -E ' orders  [0-9a-f]{16}' <<<"$out")"

check_nothing_left
echo "$TEST: passed"
