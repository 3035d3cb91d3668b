#!/usr/bin/env bash
# The front-end's event loops (docs/threads.md) on this machine: for each client count, jh-bench
# runs alternating between a front-end of one loop and one of FT_THREADS loops (started afresh for
# each run, beside the same three replicas), and prints each run and the medians: orders/s and the
# front-end's CPU time (user + system, from /proc) per order.
#
# Usage: scripts/frontend-threads.sh [CLIENTS...]        (default: 1 64 256)
# Environment: FT_THREADS [2]; FT_RUNS [3] per setting and count; FT_SECONDS [5] per run;
# FT_BIN [build-release/bin]: jh-replica, jh-frontend, jh-bench; FT_FAKE [build/bin/jh-fake-postcodes];
# FT_PORT [20200]: the first of five loopback ports used.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
COUNTS=("$@")
((${#COUNTS[@]})) || COUNTS=(1 64 256)
THREADS=${FT_THREADS:-2}
RUNS=${FT_RUNS:-3}
SECS=${FT_SECONDS:-5}
BIN=$(cd "${FT_BIN:-build-release/bin}" && pwd)
FAKE=${FT_FAKE:-$ROOT/build/bin/jh-fake-postcodes}
PORT=${FT_PORT:-20200}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jh-threads.XXXXXX")
PIDS=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap 'stop_all; rm -rf "$WORK"' EXIT

"$FAKE" --port "$((PORT + 4))" >"$WORK/postcodes.log" 2>&1 &
PIDS+=($!)
for i in 1 2 3; do
  mkdir -p "$WORK/r$i"
  cp resources/replica-server-1/menu.csv resources/replica-server-1/motd.txt "$WORK/r$i/"
done
cat >"$WORK/cluster.json" <<JSON
{
  "frontends": [ { "name": "just.hungry", "address": "127.0.0.1:$PORT" } ],
  "replicas": [
    { "name": "replica.server1", "address": "127.0.0.1:$((PORT + 1))", "dir": "r1" },
    { "name": "replica.server2", "address": "127.0.0.1:$((PORT + 2))", "dir": "r2" },
    { "name": "replica.server3", "address": "127.0.0.1:$((PORT + 3))", "dir": "r3" }
  ],
  "postcodes": { "urls": ["http://127.0.0.1:$((PORT + 4))"], "timeout_ms": 2000, "when_unreachable": "accept" }
}
JSON
for i in 1 2 3; do
  "$BIN/jh-replica" --cluster "$WORK/cluster.json" --name "replica.server$i" >"$WORK/r$i.log" 2>&1 &
  PIDS+=($!)
done

# run THREADS CLIENTS: one front-end of THREADS loops, one jh-bench run; prints "orders/s µs/order".
run() {
  local t=$1 c=$2 fe before after json ops
  "$BIN/jh-frontend" --cluster "$WORK/cluster.json" --threads "$t" >>"$WORK/frontend.log" 2>&1 &
  fe=$!
  for _ in $(seq 200); do
    "$BIN/jh-bench" --cluster "$WORK/cluster.json" --clients 1 --duration 0.2 --json >/dev/null 2>&1 && break
    sleep 0.1
  done
  before=$(awk '{print $14 + $15}' "/proc/$fe/stat")
  json=$("$BIN/jh-bench" --cluster "$WORK/cluster.json" --clients "$c" --duration "$SECS" --json \
    --user-prefix "t$t-c$c-$RANDOM" 2>/dev/null | grep '^{')
  after=$(awk '{print $14 + $15}' "/proc/$fe/stat")
  kill "$fe"
  wait "$fe" || true
  ops=$(jq '.ops' <<<"$json")
  awk -v r="$(jq '.orders_per_s' <<<"$json")" -v d="$((after - before))" -v n="$ops" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.0f %.1f\n", r, d * 1e6 / hz / n}'
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo "front-end with 1 vs $THREADS event loops; $RUNS alternating runs of $SECS s each; $(nproc) cores"
for c in "${COUNTS[@]}"; do
  : >"$WORK/one" && : >"$WORK/many"
  for _ in $(seq "$RUNS"); do
    run 1 "$c" | tee -a "$WORK/one" | sed "s/^/  $c clients, 1 loop:  /"
    run "$THREADS" "$c" | tee -a "$WORK/many" | sed "s/^/  $c clients, $THREADS loops: /"
  done
  o1=$(cut -d' ' -f1 "$WORK/one" | median); u1=$(cut -d' ' -f2 "$WORK/one" | median)
  o2=$(cut -d' ' -f1 "$WORK/many" | median); u2=$(cut -d' ' -f2 "$WORK/many" | median)
  awk -v c="$c" -v t="$THREADS" -v o1="$o1" -v o2="$o2" -v u1="$u1" -v u2="$u2" 'BEGIN {
    printf "%d clients: medians %d orders/s (1 loop) vs %d (%d loops): %.2fx; front-end CPU %.1f vs %.1f us/order\n",
      c, o1, o2, t, o2 / o1, u1, u2 }'
done
