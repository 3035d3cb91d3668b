#!/usr/bin/env bash
# Where the CPU goes, per order: starts a private cluster of ours (Release build), the floor of
# docs/benchmarks.md (jh-rpc-floor: front-end -> primary -> group commit, nothing else) and a Redis
# reference (primary + 2 replicas, AOF fsync always), drives each with N clients, and prints for
# every process the CPU time (user + system, from /proc) and the voluntary context switches (ours
# only) divided by the orders placed, and for each replica the same CPU time per thread, in square
# brackets (main: the event loop; jh-writer: orders.csv's group commit; jh-replicate: the
# replication thread; an unnamed thread is tN, in the order the threads were started). Unlike orders/s, these figures hardly depend on what else
# the shared machine runs, so two builds can be compared with them (docs/benchmarks.md).
#
# Usage: scripts/cpu-per-order.sh [CLIENTS...]      (default: 64 1)
# Environment: CPU_SECONDS [5] per run; CPU_BUILD_DIR [build-release]; CPU_BIN: a folder of
# already built binaries to measure instead (for comparing two builds); CPU_REDIS [1]: 0 skips Redis.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

SECS=${CPU_SECONDS:-5}
CLIENT_COUNTS=("$@")
((${#CLIENT_COUNTS[@]})) || CLIENT_COUNTS=(64 1)
BUILD_DIR=${CPU_BUILD_DIR:-build-release}
scripts/install-deps.sh --bench >&2
if [[ -n ${CPU_BIN:-} ]]; then
  BIN=$(cd "$CPU_BIN" && pwd)
else
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target jh-replica jh-frontend jh-client jh-bench \
    jh-fake-postcodes jh-rpc-floor >&2
  BIN=$ROOT/$BUILD_DIR/bin
fi
[[ -x $BIN/jh-fake-postcodes ]] || die "no jh-fake-postcodes in $BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jh-cpu.XXXXXX")
trap 'stop_everything; rm -rf "$WORK"' EXIT
TICK=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
switches() { cat "/proc/$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }
# thread_ticks PID: one line per thread, "LABEL TICKS" (see the head of this file for the labels).
thread_ticks() {
  local pid=$1 tid comm main k=1
  main=$(cat "/proc/$pid/comm")
  for tid in $(ls "/proc/$pid/task" 2>/dev/null | sort -n); do
    comm=$(cat "/proc/$pid/task/$tid/comm" 2>/dev/null) || continue
    if [[ $tid == "$pid" ]]; then comm=main
    elif [[ $comm == "$main" ]]; then k=$((k + 1)); comm=t$k
    fi
    awk -v c="$comm" '{sub(/^.*\) /, ""); print c, $12 + $13}' "/proc/$pid/task/$tid/stat" 2>/dev/null || true
  done
}
per_order() { awk -v a="$1" -v b="$2" -v n="$3" -v s="$4" 'BEGIN {printf "%.1f", (a - b) * s / n}'; }

postcodes_start

# measure CLUSTER LABEL NAME...: for each client count, one jh-bench run against CLUSTER and the
# CPU time and context switches per order of each named process and of jh-bench itself.
measure() {
  local cluster=$1 label=$2 c n t s out json bu bs bw orders line
  shift 2
  for c in "${CLIENT_COUNTS[@]}"; do
    declare -A T0=() S0=() TT0=()
    for n in "$@"; do
      T0[$n]=$(cpu_ticks "${PID_OF[$cluster/$n]}")
      S0[$n]=$(switches "${PID_OF[$cluster/$n]}")
      TT0[$n]=$(thread_ticks "${PID_OF[$cluster/$n]}")
    done
    out=$( { /usr/bin/time -f 'time %U %S %w' "$BIN/jh-bench" --cluster "$(cluster_file "$cluster")" --json \
      --duration "$SECS" --clients "$c" --user-prefix "$cluster$c"; } 2>&1) || die "jh-bench failed: $out"
    json=$(grep '^{' <<<"$out")
    read -r _ bu bs bw < <(grep '^time ' <<<"$out")
    orders=$(jq '.ops' <<<"$json")
    line="$label $c client(s): $(jq -r '.orders_per_s | floor' <<<"$json") orders/s; µs of CPU (context switches) per order:"
    for n in "$@"; do
      t=$(cpu_ticks "${PID_OF[$cluster/$n]}")
      s=$(switches "${PID_OF[$cluster/$n]}")
      line+=" $n $(per_order "$t" "${T0[$n]}" "$orders" "$((1000000 / TICK))") ($(per_order "$s" "${S0[$n]}" "$orders" 1))"
      if [[ $n == replica.* || $n == floor.* ]]; then
        line+=" [$(thread_ticks "${PID_OF[$cluster/$n]}" | awk -v n="$orders" -v us="$((1000000 / TICK))" -v before="${TT0[$n]}" '
          BEGIN { k = split(before, b, "\n"); for (i = 1; i <= k; i++) { split(b[i], f, " "); t0[f[1]] = f[2] } }
          { printf "%s%s %.1f", sep, $1, ($2 - t0[$1]) * us / n; sep = " " }')]"
      fi
    done
    line+=" jh-bench $(awk -v u="$bu" -v s="$bs" -v n="$orders" 'BEGIN {printf "%.1f", (u + s) * 1e6 / n}')"
    line+=" ($(per_order "$bw" 0 "$orders" 1))"
    echo "$line"
  done
}

cluster_create cpu 0
cluster_start cpu
jh_bench cpu 1 --clients 16 --user-prefix warm >/dev/null
measure cpu "ours  " just.hungry replica.server1 replica.server2 replica.server3
cluster_stop cpu

# The floor of docs/benchmarks.md: client -> front-end -> primary -> group commit, nothing else.
if [[ -x $BIN/jh-rpc-floor ]]; then
  floor_start floor path
  measure floor "floor " just.hungry floor.primary
  stop_named floor/just.hungry floor/floor.primary
fi

((${CPU_REDIS:-1})) || exit 0
redis_start
for c in "${CLIENT_COUNTS[@]}"; do
  n=$((c == 1 ? 8000 : 150000))
  declare -A T0=()
  for r in redis-0 redis-1 redis-2; do T0[$r]=$(cpu_ticks "${PID_OF[$r]}"); done
  out=$( { /usr/bin/time -f 'time %U %S' redis-benchmark -p "$REDIS_PORT" -t rpush -d 100 -c "$c" \
    -n "$n" --csv; } 2>&1) || die "redis-benchmark failed: $out"
  read -r _ bu bs < <(grep '^time ' <<<"$out")
  line="Redis  $c client(s): $(grep RPUSH <<<"$out" | awk -F'"' '{printf "%d", $4}') RPUSH/s; µs of CPU per RPUSH:"
  for r in redis-0 redis-1 redis-2; do
    line+=" $r $(per_order "$(cpu_ticks "${PID_OF[$r]}")" "${T0[$r]}" "$n" "$((1000000 / TICK))")"
  done
  line+=" redis-benchmark $(awk -v u="$bu" -v s="$bs" -v n="$n" 'BEGIN {printf "%.1f", (u + s) * 1e6 / n}')"
  echo "$line"
done
