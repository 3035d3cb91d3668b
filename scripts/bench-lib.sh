# shellcheck shell=bash disable=SC2034  # (variables used by bench.sh, which sources this)
# Helpers for scripts/bench.sh (sourced, not run): processes it starts and stops by pid, free
# loopback ports, private clusters of ours and of Redis in a temp folder, and reading the numbers
# out of logs and JSON. Needs: WORK (the temp folder) and BIN (the binaries' folder) set first.

LC_ALL=C
export LC_ALL

say() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  say "FAILED: $*"
  exit 1
}

now_ms() {
  local t=${EPOCHREALTIME/./}
  echo $((t / 1000))
}

# ISO UTC timestamp of a log line (2026-11-21T22:31:05.123Z) -> epoch milliseconds.
iso_to_ms() { date -u -d "$1" +%s%3N; }

# ---------------------------------------------------------------------------------------------
# Processes: every one is started through spawn, remembered by name and pid, and stopped by pid.

declare -A PID_OF=()      # name -> pid
declare -A SPAWNED_MS=()  # name -> epoch ms just before it was started
declare -A EXE_OF=()      # pid -> the program's file name, to recognise it before signalling
STARTED=()                # every pid started, in order

# spawn NAME LOG COMMAND...: starts COMMAND in the background, stdout and stderr appended to LOG.
# Disowned, so that bash reaps it without printing "Killed" when the failover test kills it.
spawn() {
  local name=$1 log=$2
  shift 2
  SPAWNED_MS[$name]=$(now_ms)
  "$@" >>"$log" 2>&1 &
  PID_OF[$name]=$!
  EXE_OF[$!]=$(basename "$1")
  STARTED+=("$!")
  disown "$!"
}

# Alive: exists, is not a zombie, and is still the program spawn started under that pid.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  stat=${stat%% *}
  [[ -n $stat && $stat != Z && $stat != X ]] || return 1
  [[ -z ${EXE_OF[$1]:-} || $(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") == *"${EXE_OF[$1]}"* ]]
}

# stop_pids [--kill] PID...: TERM (or KILL), up to 5 s of grace, then KILL (bash reaps them).
stop_pids() {
  local sig=TERM pid waited=0
  if [[ ${1:-} == --kill ]]; then
    sig=KILL
    shift
  fi
  (($# > 0)) || return 0
  for pid in "$@"; do
    alive "$pid" || continue
    kill -s "$sig" "$pid" 2>/dev/null || true
    kill -s CONT "$pid" 2>/dev/null || true
  done
  while ((waited < 50)); do
    local any=0
    for pid in "$@"; do alive "$pid" && any=1; done
    ((any)) || break
    sleep 0.1
    ((waited++)) || true
  done
  for pid in "$@"; do
    if alive "$pid"; then
      say "pid $pid ignored TERM for 5 s: KILL"
      kill -s KILL "$pid" 2>/dev/null || true
    fi
  done
}

# stop_named [--kill] NAME...: stops the processes started under those names.
stop_named() {
  local flag=() n pids=()
  if [[ ${1:-} == --kill ]]; then
    flag=(--kill)
    shift
  fi
  for n in "$@"; do
    [[ -n ${PID_OF[$n]:-} ]] && pids+=("${PID_OF[$n]}")
    unset "PID_OF[$n]"
  done
  stop_pids "${flag[@]}" "${pids[@]}"
}

# Stops everything spawn started that is still running (the EXIT trap).
stop_everything() {
  local pids=() i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    alive "${STARTED[i]}" && pids+=("${STARTED[i]}")
  done
  if ((${#pids[@]})); then
    say "stopping ${#pids[@]} process(es) started here: ${pids[*]}"
    stop_pids "${pids[@]}"
  fi
}

# wait_exit PID SECONDS: waits for a process spawned here to end; returns 124 after SECONDS.
wait_exit() {
  local pid=$1 deadline=$(($(now_ms) + $2 * 1000))
  while alive "$pid"; do
    (($(now_ms) < deadline)) || return 124
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# Ports: random ones below Linux's ephemeral range (32768+), nothing listening on them, and not
# handed out before in this run.

declare -A PORT_TAKEN=()

# free_port VAR: sets VAR to a free loopback port.
free_port() {
  local p tries
  for ((tries = 0; tries < 500; tries++)); do
    p=$((20000 + RANDOM % 12000))
    [[ -z ${PORT_TAKEN[$p]:-} ]] || continue
    [[ -z $(ss -Htln "sport = :$p" 2>/dev/null) ]] || continue
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    PORT_TAKEN[$p]=1
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free loopback port found in 500 tries"
}

# postcodes_start: jh-fake-postcodes on a free port (the clusters' postcodes.io); sets POSTCODES_PORT.
postcodes_start() {
  spawn postcodes "$WORK/postcodes.log" "$BIN/jh-fake-postcodes" --port 0
  for _ in $(seq 100); do
    grep -q '^listening on ' "$WORK/postcodes.log" 2>/dev/null && break
    sleep 0.1
  done
  POSTCODES_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/postcodes.log" | head -n 1)
  [[ -n $POSTCODES_PORT ]] || die "jh-fake-postcodes did not say where it listens: $(cat "$WORK/postcodes.log")"
  PORT_TAKEN[$POSTCODES_PORT]=1
}

# ---------------------------------------------------------------------------------------------
# Our clusters: WORK/NAME/cluster.json, replicas in WORK/NAME/replica-server-{1,2,3}, logs in
# WORK/NAME/logs. Process names: NAME/replica.serverN and NAME/just.hungry.

REPLICA_NAMES=(replica.server1 replica.server2 replica.server3)

# cluster_create NAME MIN_ACKS [http]: with "http", the front-end also serves its HTTP door on a
# free port, without a rate limit (one address sends every request).
cluster_create() {
  local name=$1 acks=$2 dir=$WORK/$1 i fe r1 r2 r3 http="" door="" settings=""
  mkdir -p "$dir/logs"
  for i in 1 2 3; do
    mkdir -p "$dir/replica-server-$i"
    cp "$ROOT/resources/replica-server-1/motd.txt" "$ROOT/resources/replica-server-1/menu.csv" \
      "$dir/replica-server-$i/"
  done
  free_port fe
  free_port r1
  free_port r2
  free_port r3
  if [[ ${3:-} == http ]]; then
    free_port door
    http=", \"http\": \"127.0.0.1:$door\""
    settings=$',\n  "http": { "rate_per_s": 0 }'
  fi
  cat >"$dir/cluster.json" <<EOF
{
  "frontends": [ { "name": "just.hungry", "address": "127.0.0.1:$fe"$http } ],
  "replicas": [
    { "name": "replica.server1", "address": "127.0.0.1:$r1", "dir": "replica-server-1" },
    { "name": "replica.server2", "address": "127.0.0.1:$r2", "dir": "replica-server-2" },
    { "name": "replica.server3", "address": "127.0.0.1:$r3", "dir": "replica-server-3" }
  ],
  "postcodes": { "urls": ["http://127.0.0.1:$POSTCODES_PORT"], "timeout_ms": 2000, "when_unreachable": "accept" },
  "heartbeat_ms": 500,
  "call_timeout_ms": 1000,
  "min_acks": $acks$settings
}
EOF
}

cluster_file() { echo "$WORK/$1/cluster.json"; }
replica_dir() { echo "$WORK/$1/replica-server-${2#replica.server}"; }

# replica_start CLUSTER REPLICA_NAME [LOG_SUFFIX]
replica_start() {
  local c=$1 r=$2 log
  log=$WORK/$c/logs/$r${3:-}.log
  spawn "$c/$r" "$log" "$BIN/jh-replica" --cluster "$(cluster_file "$c")" --name "$r"
}

# cluster_start CLUSTER: every replica, then the front-end, then waits until all are READY.
cluster_start() {
  local c=$1 r
  for r in "${REPLICA_NAMES[@]}"; do replica_start "$c" "$r"; done
  spawn "$c/just.hungry" "$WORK/$c/logs/just.hungry.log" \
    "$BIN/jh-frontend" --cluster "$(cluster_file "$c")" --name just.hungry
  wait_ready "$c" "${BENCH_READY_TIMEOUT:-60}"
}

cluster_stop() {
  local c=$1 r names=()
  for r in just.hungry "${REPLICA_NAMES[@]}"; do names+=("$c/$r"); done
  stop_named "${names[@]}"
}

# floor_start NAME hop|path: jh-rpc-floor in place of a cluster, with NAME's cluster file so that
# jh_bench NAME drives it. "hop": a front-end that answers every order at once (the client hop
# alone). "path": a front-end batching orders to a second jh-rpc-floor that appends and
# fdatasyncs each batch (client -> front-end -> primary -> group commit, everything else taken away).
floor_start() {
  local name=$1 kind=$2 dir=$WORK/$1 edge core deadline
  mkdir -p "$dir/logs"
  free_port edge
  free_port core
  cat >"$dir/cluster.json" <<EOF
{
  "frontends": [ { "name": "just.hungry", "address": "127.0.0.1:$edge" },
                 { "name": "floor.primary", "address": "127.0.0.1:$core" } ],
  "replicas": [ { "name": "replica.server1", "address": "127.0.0.1:1", "dir": "." } ],
  "call_timeout_ms": 1000
}
EOF
  if [[ $kind == path ]]; then
    spawn "$name/floor.primary" "$dir/logs/floor.primary.log" "$BIN/jh-rpc-floor" \
      --cluster "$dir/cluster.json" --name floor.primary --sync "$dir/orders.csv"
    spawn "$name/just.hungry" "$dir/logs/just.hungry.log" "$BIN/jh-rpc-floor" \
      --cluster "$dir/cluster.json" --name just.hungry --forward floor.primary
  else
    spawn "$name/just.hungry" "$dir/logs/just.hungry.log" "$BIN/jh-rpc-floor" \
      --cluster "$dir/cluster.json" --name just.hungry
  fi
  deadline=$(($(now_ms) + 10000))
  until (exec 3<>"/dev/tcp/127.0.0.1/$edge") 2>/dev/null &&
    { [[ $kind != path ]] || (exec 3<>"/dev/tcp/127.0.0.1/$core") 2>/dev/null; }; do
    (($(now_ms) < deadline)) || die "jh-rpc-floor ($kind) not listening after 10 s"
    sleep 0.05
  done
}

# status CLUSTER: the front-end's table as JSON (empty when it does not answer within 5 s).
status() { timeout -k 2 5 "$BIN/jh-client" --cluster "$(cluster_file "$1")" --json status 2>/dev/null || true; }

# wait_ready CLUSTER SECONDS [equal]: until the steady state, every replica READY and the first
# in priority primary (and, with "equal", every replica holding as many orders). Dies after SECONDS.
wait_ready() {
  local c=$1 deadline=$(($(now_ms) + $2 * 1000)) equal=${3:-} s r
  while true; do
    s=$(status "$c")
    if [[ -n $s ]] && jq -e --arg eq "$equal" '.primary == "replica.server1"
          and ([.replicas[] | select(.state == "READY")] | length) == (.replicas | length)
          and ($eq == "" or ([.replicas[].order_count] | unique | length) == 1)' <<<"$s" >/dev/null; then
      return 0
    fi
    if (($(now_ms) >= deadline)); then
      say "cluster $c not ready after $2 s; last status: ${s:-(no answer)}"
      for r in "${REPLICA_NAMES[@]}" just.hungry; do
        local state=running
        [[ -n ${PID_OF[$c/$r]:-} ]] && ! alive "${PID_OF[$c/$r]}" && state="NOT RUNNING"
        say "--- $c/$r ($state): $(tail -n 3 "$WORK/$c/logs/$r.log" 2>/dev/null | tr '\n' ' ')"
      done
      die "cluster $c did not become ready"
    fi
    sleep 0.2
  done
}

primary_of() { status "$1" | jq -r '.primary // ""'; }

# ready_ms LOG: epoch ms of the first "state READY" line of LOG, or nothing.
ready_ms() {
  local line
  line=$(grep -m1 ' | state READY' "$1" 2>/dev/null) || return 0
  iso_to_ms "${line%% *}"
}

first_line_ms() {
  local line
  line=$(head -n 1 "$1" 2>/dev/null)
  [[ -n $line ]] && iso_to_ms "${line%% *}"
}

# wait_log_ready LOG SECONDS: polls LOG for "state READY"; dies after SECONDS.
wait_log_ready() {
  local deadline=$(($(now_ms) + $2 * 1000))
  until grep -q ' | state READY' "$1" 2>/dev/null; do
    (($(now_ms) < deadline)) || die "no 'state READY' in $1 after $2 s: $(tail -n 3 "$1" | tr '\n' ' ')"
    sleep 0.02
  done
}

rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }

# Data rows of an orders.csv (no bench field holds a line break, so lines minus the header).
csv_rows() { if [[ -f $1 ]]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }

# jh_bench CLUSTER SECONDS ARGS...: one jh-bench run, its JSON line on stdout.
jh_bench() {
  local c=$1 secs=$2
  shift 2
  timeout -k 5 $((${secs%.*} + 60)) "$BIN/jh-bench" --cluster "$(cluster_file "$c")" --json \
    --duration "$secs" "$@" 2>>"$WORK/jh-bench.stderr" || true
}

# median FILE: of the JSON lines in FILE, the one with the median orders_per_s.
median() { jq -cs 'sort_by(.orders_per_s) | .[(length - 1) / 2 | floor]' "$1"; }

# ---------------------------------------------------------------------------------------------
# Redis 7 reference: a primary and two replicas, AOF with fsync on every write, no snapshots.

REDIS_PORT=""

redis_start() {
  local i port dir args
  free_port REDIS_PORT
  for i in 0 1 2; do
    dir=$WORK/redis-$i
    mkdir -p "$dir"
    if ((i == 0)); then port=$REDIS_PORT; else free_port port; fi
    args=(--port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync always
      --save '' --daemonize no --logfile "$dir/redis.log")
    ((i == 0)) || args+=(--replicaof 127.0.0.1 "$REDIS_PORT")
    spawn "redis-$i" "$dir/stdout.log" redis-server "${args[@]}"
  done
  local deadline=$(($(now_ms) + 30000)) info
  while true; do
    info=$(timeout 3 redis-cli -p "$REDIS_PORT" info replication 2>/dev/null | tr -d '\r' || true)
    [[ $(grep -c '^slave[0-9]*:.*state=online' <<<"$info") == 2 ]] && return 0
    (($(now_ms) < deadline)) || die "Redis replicas not online after 30 s: $info"
    sleep 0.2
  done
}

redis_stop() { stop_named redis-2 redis-1 redis-0; }

# redis_rpush CLIENTS SECONDS: redis-benchmark RPUSH of 100-byte values, sized to last about
# SECONDS after a short calibration run. One JSON line like jh-bench's.
redis_rpush() {
  local c=$1 secs=$2 cal n csv
  cal=$((c == 1 ? 2000 : 20000))
  csv=$(timeout -k 5 60 redis-benchmark -p "$REDIS_PORT" -t rpush -d 100 -c "$c" -n "$cal" --csv 2>/dev/null |
    tail -n 1)
  n=$(awk -F'"' -v s="$secs" '{n = int($4 * s); print (n < 1000 ? 1000 : n)}' <<<"$csv")
  csv=$(timeout -k 5 $((${secs%.*} * 4 + 60)) redis-benchmark -p "$REDIS_PORT" -t rpush -d 100 -c "$c" \
    -n "$n" --csv 2>/dev/null | tail -n 1)
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  awk -F'"' -v c="$c" -v n="$n" '{printf "{\"clients\":%d,\"requests\":%d,\"orders_per_s\":%s,\"p50_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s}\n",
    c, n, $4 + 0, $10 + 0, $14 + 0, $16 + 0}' <<<"$csv"
}

redis_wait() {
  timeout -k 5 $((${2%.*} + 60)) "$BIN/jh-redis-wait" --port "$REDIS_PORT" --clients "$1" \
    --duration "$2" 2>>"$WORK/jh-redis-wait.stderr" || true
}
