# shellcheck shell=bash
# Shared by scripts/bench.sh, cpu-per-order.sh and http-cost.sh (sourced, not run): a Release
# build, a temp folder, private clusters (jh-cluster, through cluster-lib.sh), the Redis 7
# reference and the floors, all started through one jh-cluster ("aux") and stopped by pid, and one
# measured run (jh-report run: the load's JSON line with each named process's CPU in cores).

LC_ALL=C
export LC_ALL
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh"

say() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}
now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}

# bench_setup BUILD_DIR TARGET...: the packages, a Release build of the targets (unless $BIN_GIVEN
# names built binaries), BIN, and WORK: a temp folder removed at exit unless BENCH_KEEP=1 or it failed.
bench_setup() {
  local build=$1
  shift
  "$ROOT/scripts/install-deps.sh" --bench >&2
  if [[ -n ${BIN_GIVEN:-} ]]; then
    BIN=$(cd "$BIN_GIVEN" && pwd)
  else
    mkdir -p "$ROOT/$build"
    cmake -S "$ROOT" -B "$ROOT/$build" -DCMAKE_BUILD_TYPE=Release -DJH_WERROR=ON >"$ROOT/$build/configure.log" 2>&1 ||
      die "cmake configure failed: $(tail -n 20 "$ROOT/$build/configure.log")"
    cmake --build "$ROOT/$build" -j"$(nproc)" --target jh-cluster jh-report "$@" >&2 || die "build failed"
    BIN=$ROOT/$build/bin
  fi
  # jh-cluster starts the servers from JH_BIN_DIR, else from the build folder it was built in: a
  # copy of a build's bin folder (CPU_BIN) would otherwise run the servers of the newest build.
  export JH_BIN_DIR=$BIN
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/jh-bench.XXXXXX")
  trap bench_finish EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  say "temp folder $WORK"
  cluster_up aux "$WORK/aux" --no-start || die "jh-cluster did not start"
}

bench_finish() {
  local rc=$? name
  trap - EXIT INT TERM
  for name in "${!CLUSTER_PID[@]}"; do cluster_down "$name"; done
  if ((${BENCH_KEEP:-0})); then
    say "temp folder kept: $WORK"
  elif ((rc != 0)); then
    find "$WORK" -name '*.csv' -size +10M -delete 2>/dev/null || true
    say "exit $rc; logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}

# ours NAME [jh-cluster option...]: one of our clusters in WORK/NAME, as bench.sh measures it.
ours() {
  local name=$1
  shift
  cluster_up "$name" "$WORK/$name" --heartbeat-ms 500 --sync-timeout-ms 3000 "$@" || die "cluster $name did not start"
}

# The CPU options of jh-report run for our cluster NAME: front-end, primary, backup-2, backup-3.
cpu_of_ours() {
  echo "--cpu front-end=$(cluster_pid "$1" just.hungry) --cpu primary=$(cluster_pid "$1" replica.server1)" \
    "--cpu backup-2=$(cluster_pid "$1" replica.server2) --cpu backup-3=$(cluster_pid "$1" replica.server3)"
}

# measure [jh-report run option...] -- COMMAND...: one run, its JSON line on stdout.
measure() { "$BIN/jh-report" run "$@" 2>>"$WORK/load.stderr"; }

# load "CPU_OPTIONS" NAME SECONDS JH_BENCH_ARG...: one measured jh-bench run against NAME.
load() {
  local cpu=$1 name=$2 secs=$3
  shift 3
  # shellcheck disable=SC2086  # the CPU options are words on purpose
  measure $cpu -- timeout -k 5 $((${secs%.*} + 60)) "$BIN/jh-bench" --cluster "$WORK/$name/cluster.json" --json \
    --duration "$secs" --threads "${THREADS:-2}" "$@"
}

# floor_start NAME hop|path: jh-rpc-floor in place of a cluster, with its own cluster file so that
# `load NAME` drives it. "hop": a front-end that answers every order at once (the client hop
# alone). "path": a front-end batching orders to a second jh-rpc-floor that appends and
# fdatasyncs each batch (client -> front-end -> primary -> group commit, nothing else).
floor_start() {
  local name=$1 kind=$2 dir=$WORK/$1 edge core
  mkdir -p "$dir"
  edge=$(cluster_do aux free-port) || die "no free port"
  core=$(cluster_do aux free-port) || die "no free port"
  cat >"$dir/cluster.json" <<EOF
{
  "frontends": [ { "name": "just.hungry", "address": "127.0.0.1:$edge" },
                 { "name": "floor.primary", "address": "127.0.0.1:$core" } ],
  "replicas": [ { "name": "replica.server1", "address": "127.0.0.1:1", "dir": "." } ],
  "call_timeout_ms": 1000
}
EOF
  if [[ $kind == path ]]; then
    cluster_do aux run "$name-primary" "$BIN/jh-rpc-floor" --cluster "$dir/cluster.json" --name floor.primary \
      --sync "$dir/orders.csv" >/dev/null
    cluster_do aux wait-listening "127.0.0.1:$core" >/dev/null || die "jh-rpc-floor ($kind) not listening"
    cluster_do aux run "$name" "$BIN/jh-rpc-floor" --cluster "$dir/cluster.json" --name just.hungry \
      --forward floor.primary >/dev/null
  else
    cluster_do aux run "$name" "$BIN/jh-rpc-floor" --cluster "$dir/cluster.json" --name just.hungry >/dev/null
  fi
  cluster_do aux wait-listening "127.0.0.1:$edge" >/dev/null || die "jh-rpc-floor ($kind) not listening"
}

# redis_start [CONFIG_LINE...]: Redis 7, a primary (with the extra configuration lines, e.g.
# "io-threads 4") and two replicas, AOF with fsync on every write, no snapshots; sets REDIS_PORT
# and REDIS_CPU (jh-report's CPU options for the three). redis_stop stops them.
redis_stop() { for p in redis-2 redis-1 redis-0; do cluster_do aux stop "$p" >/dev/null; done; }
redis_start() {
  local i port dir n=${REDIS_STARTS:-0}
  REDIS_CPU=""
  for i in 0 1 2; do
    dir=$WORK/redis-$n-$i
    port=$(cluster_do aux free-port) || die "no free port"
    ((i == 0)) && REDIS_PORT=$port
    mkdir -p "$dir"
    printf '%s\n' "port $port" "bind 127.0.0.1" "dir $dir" "appendonly yes" "appendfsync always" 'save ""' \
      "daemonize no" "logfile $dir/redis.log" >"$dir/redis.conf"
    if ((i == 0)); then printf '%s\n' "$@" >>"$dir/redis.conf"; else echo "replicaof 127.0.0.1 $REDIS_PORT" >>"$dir/redis.conf"; fi
    cluster_do aux run "redis-$i" redis-server "$dir/redis.conf" >/dev/null || die "redis-server"
    REDIS_CPU+=" --cpu $( ((i == 0)) && echo redis-primary || echo "redis-replica-$i")=$(cluster_pid aux "redis-$i")"
  done
  REDIS_STARTS=$((n + 1))
  local deadline=$(($(now_ms) + 30000))
  until [[ $(timeout 3 redis-cli -p "$REDIS_PORT" info replication 2>/dev/null | grep -c '^slave[0-9]*:.*state=online') == 2 ]]; do
    (($(now_ms) < deadline)) || die "Redis replicas not online after 30 s"
    sleep 0.2
  done
}
