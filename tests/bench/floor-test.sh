#!/usr/bin/env bash
# jh-rpc-floor, the instrument behind the "floor" table of docs/benchmarks.md, measures what it
# claims: the hop floor answers every order, and the group-commit floor acknowledges only orders
# it has written to its file — every order jh-bench counted as acknowledged is a line of that file,
# and the file holds nothing else. Usage: floor-test.sh BIN_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(cd "$1" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jh-floor-test.XXXXXX")
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
trap 'cluster_down aux; rm -rf "$WORK"' EXIT

fail() {
  echo "floor-test: FAILED: $*" >&2
  exit 1
}

cluster_up aux "$WORK/aux" --no-start || fail "jh-cluster did not start"
floor_start hop hop
floor_start path path
# A generous call timeout: on a loaded machine an order timed out by jh-bench but written by the
# floor would show as a difference, which is not what this test is about.

hop=$("$BIN/jh-bench" --cluster "$WORK/hop/cluster.json" --json --duration 1 --clients 4 --user-prefix h --timeout-ms 30000)
[[ $(jq '.ops' <<<"$hop") -gt 0 && $(jq '.errors' <<<"$hop") == 0 ]] || fail "hop floor: $hop"

path=$("$BIN/jh-bench" --cluster "$WORK/path/cluster.json" --json --duration 1 --clients 8 --user-prefix p --timeout-ms 30000 \
  --acked-out "$WORK/acked.txt")
acked=$(jq '.acknowledged' <<<"$path")
[[ $acked -gt 0 && $(jq '.errors' <<<"$path") == 0 ]] || fail "group-commit floor: $path"
# Column 1 of orders.csv is the order id (jh-bench's ids need no quoting).
cut -d, -f1 "$WORK/path/orders.csv" | sort >"$WORK/written.txt"
sort "$WORK/acked.txt" >"$WORK/acked.sorted"
cmp -s "$WORK/written.txt" "$WORK/acked.sorted" ||
  fail "acknowledged and written differ: $acked acknowledged, $(wc -l <"$WORK/written.txt") written"
echo "floor-test: hop floor $(jq .orders_per_s <<<"$hop")/s; group-commit floor: $acked acknowledged, all written"
