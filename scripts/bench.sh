#!/usr/bin/env bash
# Measures Just Hungry against the figures of DESIGN.md §9 in one invocation, with a Redis 7
# reference (primary + 2 replicas, AOF fsync always) and the floor of the design (jh-rpc-floor)
# run side by side on the same machine, and writes docs/benchmarks.md and the failover plot. It
# only sequences the runs: jh-cluster starts and stops every process by pid, jh-report measures
# each run (with each process's CPU) and computes every figure and table.
#
# Usage: scripts/bench.sh            (about 3 to 4 minutes on 2 cores with the defaults)
# Environment (defaults in brackets):
#   BENCH_SECONDS [5]            length of each throughput and getOrders run
#   BENCH_REPEAT [1]             throughput runs per point; the median (by orders/s) is reported
#   BENCH_CLIENTS ["1 16 64 256"] client counts of the throughput runs
#   BENCH_THREADS [cores / 4, 2 to 8]  load threads of jh-bench and redis-benchmark
#   BENCH_MANY_CORES [8]         from this many cores on, the report is a section of its own
#   BENCH_BIG_ORDERS [1000000]   orders on file for getOrders, start-up and memory
#   BENCH_BIG_USERS [100000]     users they are spread over
#   BENCH_CATCHUP_ORDERS [100000] orders placed while replica 3 is down
#   BENCH_FAILOVER_SECONDS [10]  length of the failover run; BENCH_KILL_AT [4] s: primary killed
#   BENCH_FAILOVER_MIN_ACKS [0]  min_acks of the failover cluster
#   BENCH_BUILD_DIR [build-release]  BENCH_OUT [docs/benchmarks.md]
#   BENCH_PLOT [docs/failover.png, or docs/failover-N-cores.png on many cores]
#   BENCH_KEEP [0]               1: keep the temp folder (logs, CSVs) after the run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

CORES=$(nproc)
THREADS=${BENCH_THREADS:-$((CORES / 4 < 2 ? 2 : CORES / 4 > 8 ? 8 : CORES / 4))}
MANY=${BENCH_MANY_CORES:-8}
SECS=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-1}
read -r -a CLIENTS <<<"${BENCH_CLIENTS:-1 16 64 256}"
BIG_ORDERS=${BENCH_BIG_ORDERS:-1000000}
CATCHUP_ORDERS=${BENCH_CATCHUP_ORDERS:-100000}
FAILOVER_SECS=${BENCH_FAILOVER_SECONDS:-10}
KILL_AT=${BENCH_KILL_AT:-4}
FAILOVER_ACKS=${BENCH_FAILOVER_MIN_ACKS:-0}
BUILD_DIR=${BENCH_BUILD_DIR:-build-release}
OUT=${BENCH_OUT:-docs/benchmarks.md}
MANY_FLAG=()
PLOT=${BENCH_PLOT:-docs/failover.png}
if ((CORES >= MANY)); then
  MANY_FLAG=(--many-cores)
  PLOT=${BENCH_PLOT:-docs/failover-$CORES-cores.png}
fi
BEGAN_MS=$(now_ms)
psi() { sed -n 's/^some .*avg300=\([0-9.]*\).*/\1/p' /proc/pressure/cpu 2>/dev/null || echo "?"; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg) PSI_BEFORE=$(psi)

say "1/8 dependencies and a Release build in $BUILD_DIR/; $CORES cores, $THREADS load threads"
bench_setup "$BUILD_DIR" jh-replica jh-frontend jh-client jh-bench jh-fake-postcodes jh-redis-wait jh-rpc-floor
R=$WORK/results
mkdir -p "$R"
fact() { printf '%s=%s\n' "$1" "$2" >>"$R/facts.txt"; }
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | cut -c4- | xargs)
fact began_utc "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
fact commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
tree=clean
[[ -z $dirty ]] || tree="dirty (uncommitted changes to: $dirty)"
fact tree "$tree"
fact cores "$CORES"
fact cpu "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fact kernel "$(uname -r)"
fact redis_version "$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
for f in secs:"$SECS" repeat:"$REPEAT" clients:"${CLIENTS[*]}" threads:"$THREADS" build_dir:"$BUILD_DIR" \
  big_orders:"$BIG_ORDERS" big_users:"${BENCH_BIG_USERS:-100000}" many_cores:"$MANY" fo_secs:"$FAILOVER_SECS" \
  fo_acks:"$FAILOVER_ACKS" plot:"$(basename "$PLOT")"; do
  fact "${f%%:*}" "${f#*:}"
done

ready_ms() { date -u -d "$(grep ' | state READY' "$1" | tail -n 1 | cut -d' ' -f1)" +%s%3N; }
started_ms() { cluster_do "$1" pid "$2" | cut -d' ' -f2; }
rss_mb() { echo $(($(grep '^VmRSS:' "/proc/$1/status" | tr -s ' ' | cut -d' ' -f2) / 1024)); }
csv_rows() { if [[ -f $1 ]]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }
counts() { timeout 10 "$BIN/jh-client" --cluster "$WORK/$1/cluster.json" --json status | jq -r '[.replicas[].order_count] | map(tostring) | join(" / ")'; }

say "2/8 Redis reference: primary + 2 replicas"
redis_start
# shellcheck disable=SC2086  # REDIS_CPU: words on purpose
redis_rpush() {
  local c=$1 n
  n=$(measure --redis "$c" 20000 -- timeout -k 5 60 redis-benchmark -p "$REDIS_PORT" -t rpush -d 100 -c "$c" \
    --threads "$THREADS" -n $((c == 1 ? 2000 : 20000)) --csv | jq "[.orders_per_s * $SECS | floor, 1000] | max")
  measure --redis "$c" "$n" $REDIS_CPU -- timeout -k 5 $((SECS * 4 + 60)) redis-benchmark -p "$REDIS_PORT" \
    -t rpush -d 100 -c "$c" --threads "$THREADS" -n "$n" --csv
}

# Throughput: ours with min_acks 0 against Redis RPUSH, ours with min_acks 1 against Redis
# RPUSH + WAIT 1, alternating so that both see the same machine.
throughput() {
  local acks=$1 c i cpu
  ours "tp$acks" --min-acks "$acks"
  cpu=$(cpu_of_ours "tp$acks")
  load "" "tp$acks" 1 --clients 16 --user-prefix warm >/dev/null
  for c in "${CLIENTS[@]}"; do
    for ((i = 0; i < REPEAT; i++)); do
      say "   min_acks $acks, $c client(s), run $((i + 1))/$REPEAT"
      load "$cpu" "tp$acks" "$SECS" --clients "$c" --user-prefix tp >>"$R/ours-$acks-$c.jsonl"
      if ((acks == 0)); then
        redis_rpush "$c" >>"$R/redis-$c.jsonl"
        load "" floor-hop "$SECS" --clients "$c" --user-prefix fl >>"$R/floor-hop-$c.jsonl"
        load "" floor-path "$SECS" --clients "$c" --user-prefix fl >>"$R/floor-path-$c.jsonl"
      else
        # shellcheck disable=SC2086
        measure $REDIS_CPU -- timeout -k 5 $((SECS + 60)) "$BIN/jh-redis-wait" --port "$REDIS_PORT" --clients "$c" \
          --duration "$SECS" >>"$R/wait-$c.jsonl"
      fi
    done
  done
  cluster_down "tp$acks"
}
say "3/8 throughput, min_acks 0 vs Redis RPUSH and the floors (${SECS} s per run)"
floor_start floor-hop hop
floor_start floor-path path
throughput 0
for p in floor-hop floor-path floor-path-primary; do cluster_do aux stop "$p" >/dev/null; done
say "4/8 throughput, min_acks 1 vs Redis RPUSH + WAIT 1"
throughput 1
redis_stop
if ((CORES >= MANY)); then
  # The anchor on many cores: Redis in its own multi-core mode, RPUSH at the same client counts.
  say "4/8 Redis with --io-threads 4 --io-threads-do-reads yes"
  redis_start "io-threads 4" "io-threads-do-reads yes"
  for c in "${CLIENTS[@]}"; do redis_rpush "$c" >>"$R/redis-io-$c.jsonl"; done
  redis_stop
fi

say "5/8 $BIG_ORDERS orders on file: start-up, memory, getOrders"
t=$(now_ms)
timeout 600 "$BIN/jh-bench" --write-orders "$WORK/big.csv" --orders "$BIG_ORDERS" --users "${BENCH_BIG_USERS:-100000}" \
  --origin replica.server1 || die "jh-bench --write-orders failed"
fact write_ms $(($(now_ms) - t))
fact big_mb "$(du -m "$WORK/big.csv" | cut -f1)"
ours big --no-start
for n in 1 2 3; do cp "$WORK/big.csv" "$WORK/big/replica-server-$n/orders.csv"; done
rm -f "$WORK/big.csv"
sync # the copies on disk, so that start-up does not pay for flushing them
# All three at once (on 2 cores they share the CPU), then replica.server3 alone, as a restart.
for r in replica.server1 replica.server2 replica.server3 just.hungry; do cluster_do big start "$r" >/dev/null; done
cluster_do big wait-settled 120 >/dev/null || die "the big cluster did not settle"
for r in replica.server1 replica.server2 replica.server3; do
  fact "startup_ms.$r" $(($(ready_ms "$WORK/big/logs/$r.err") - $(started_ms big "$r")))
  fact "rss_mb.$r" "$(rss_mb "$(cluster_pid big "$r")")"
done
cluster_do big stop replica.server3 >/dev/null
cluster_do big start replica.server3 >/dev/null
cluster_do big wait-ready replica.server3 120 >/dev/null || die "replica.server3 did not restart"
fact restart_ms $(($(ready_ms "$WORK/big/logs/replica.server3.err") - $(started_ms big replica.server3)))
fact restart_rss_mb "$(rss_mb "$(cluster_pid big replica.server3)")"
cluster_do big wait-settled 60 >/dev/null || die "the big cluster did not settle after the restart"
fact big_user_orders "$(timeout 10 "$BIN/jh-client" --cluster "$WORK/big/cluster.json" --user bench-0 --json orders | jq '.orders | length')"
for ((i = 0; i < REPEAT; i++)); do
  load "" big "$SECS" --mode orders --clients 1 --user-prefix bench >>"$R/get.jsonl"
done
cluster_down big
rm -f "$WORK"/big/replica-server-*/orders.csv

say "6/8 catch-up of $CATCHUP_ORDERS orders by a restarted replica"
ours cu
fact idle_rss_mb "$(rss_mb "$(cluster_pid cu replica.server1)")"
cluster_do cu kill replica.server3 KILL >/dev/null
cluster_do cu stop replica.server3 >/dev/null
fact per_client $(((CATCHUP_ORDERS + 63) / 64))
load "" cu 600 --clients 64 --max-orders $(((CATCHUP_ORDERS + 63) / 64)) --user-prefix cu >>"$R/catchup-load.jsonl"
fact primary_rows "$(csv_rows "$WORK/cu/replica-server-1/orders.csv")"
fact r3_rows_before "$(csv_rows "$WORK/cu/replica-server-3/orders.csv")"
r3_log=$WORK/cu/logs/replica.server3.err
lines_before=$(wc -l <"$r3_log")
cluster_do cu start replica.server3 >/dev/null
cluster_do cu wait-ready replica.server3 120 >/dev/null || die "replica.server3 did not catch up"
fact r3_rows_at_ready "$(csv_rows "$WORK/cu/replica-server-3/orders.csv")"
fact catchup_ms $(($(ready_ms "$r3_log") - $(started_ms cu replica.server3)))
first=$(tail -n +$((lines_before + 1)) "$r3_log" | head -n 1 | cut -d' ' -f1)
fact catchup_log_ms $(($(ready_ms "$r3_log") - $(date -u -d "$first" +%s%3N)))
cluster_do cu wait-settled equal 60 >/dev/null || die "the replicas did not converge"
fact cu_counts "$(counts cu)"
cluster_down cu

say "7/8 failover: 64 clients for $FAILOVER_SECS s, kill -9 of the primary at $KILL_AT s"
ours fo --min-acks "$FAILOVER_ACKS"
load "" fo 1 --clients 16 --user-prefix warm >/dev/null
primary=$(timeout 10 "$BIN/jh-client" --cluster "$WORK/fo/cluster.json" --json status | jq -r '.primary // ""')
[[ -n $primary ]] || die "failover cluster has no primary"
fact fo_primary "$primary"
cluster_do fo run fo-bench "$BIN/jh-bench" --cluster "$WORK/fo/cluster.json" --json --clients 64 --threads "$THREADS" \
  --duration "$FAILOVER_SECS" --retry-until-acked --acked-out "$WORK/fo/acked.txt" --timeline-out "$R/timeline-1ms.csv" \
  --bucket-ms 1 --user-prefix fo >/dev/null
t0=$(started_ms fo fo-bench)
wait_ms=$((t0 + KILL_AT * 1000 - $(now_ms)))
((wait_ms <= 0)) || sleep "$((wait_ms / 1000)).$(printf %03d $((wait_ms % 1000)))"
kill_ms=$(now_ms)
cluster_do fo kill "$primary" KILL >/dev/null
fact kill_offset_ms $((kill_ms - t0))
fact kill_utc "$(date -u -d "@$((kill_ms / 1000)).$(printf %03d $((kill_ms % 1000)))" +%H:%M:%S.%3NZ)"
cluster_do fo wait-exit fo-bench $((FAILOVER_SECS + 70)) >/dev/null || die "the failover load did not end"
grep -m1 '^{' "$WORK/fo/logs/fo-bench.out" >>"$R/failover.jsonl" || echo '{"failed": true}' >>"$R/failover.jsonl"
cluster_do fo stop "$primary" >/dev/null
cluster_do fo start "$primary" >/dev/null
cluster_do fo wait-settled equal 120 >/dev/null || die "the replicas did not converge after the failover"
fact fo_acked "$(sort -u "$WORK/fo/acked.txt" | wc -l)"
for n in 1 2 3; do
  fact "fo_missing.replica.server$n" "$(comm -23 <(sort -u "$WORK/fo/acked.txt") \
    <(cut -d, -f1 "$WORK/fo/replica-server-$n/orders.csv" | sort -u) | wc -l)"
done
fact fo_counts "$(counts fo)"
cluster_down fo

say "8/8 report and plot"
fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
fact load_before "$LOAD_BEFORE"
fact psi_before "$PSI_BEFORE"
fact psi_after "$(psi)"
fact took_s $((($(now_ms) - BEGAN_MS) / 1000))
mkdir -p "$(dirname "$OUT")" "$(dirname "$PLOT")"
"$BIN/jh-report" write --results "$R" --out "$OUT" "${MANY_FLAG[@]}" || die "jh-report write failed"
kill_s=$(grep '^kill_offset_ms=' "$R/facts.txt" | cut -d= -f2)
kill_s=$((kill_s / 1000)).$(printf %03d $((kill_s % 1000)))
gnuplot -e "out='$PLOT'; data='$R/timeline-10ms.csv'; fine='$R/timeline-1ms.csv'; secs=$FAILOVER_SECS; kill_s=$kill_s" \
  -e "heading='Failover: 64 clients, kill -9 of the primary ($primary) at $kill_s s, min_acks $FAILOVER_ACKS'" \
  scripts/failover.gnuplot || die "gnuplot failed"
say "wrote $OUT and $PLOT in $((($(now_ms) - BEGAN_MS) / 1000)) s"
