#!/usr/bin/env bash
# End-to-end test of the launcher: startup.sh starts a private cluster (free ports, a temporary
# folder, its own run folder and tmux socket, so it never meets a user's running system), an
# order goes through, scripts/kill-primary.sh kills the primary, another order goes through and
# both are listed, startup.sh restart brings the killed replica back, and startup.sh stop leaves
# no process behind.
# Usage: launcher-test.sh background|tmux BIN_DIR
set -euo pipefail

MODE=${1:?usage: launcher-test.sh background|tmux BIN_DIR}
BIN=$(realpath "${2:?usage: launcher-test.sh background|tmux BIN_DIR}")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STEP="checking the binaries"

fail() {
  echo "launcher test ($MODE): FAILED while $STEP: $*" >&2
  exit 1
}

for b in jh-replica jh-frontend jh-client jh-fake-postcodes; do
  [[ -x $BIN/$b ]] || fail "$BIN/$b is not built"
done
if [[ $MODE == tmux ]]; then command -v tmux >/dev/null || fail "tmux is not installed"; fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/jh-launcher-XXXXXX")
export JH_RUN_DIR=$TMP/run JH_BIN_DIR=$BIN JH_TMUX_SOCKET=jh-launcher-test-$$ JH_STOP_GRACE=5
unset JH_CLUSTER TMUX DISPLAY
CLUSTER=$TMP/cluster.json
FAKE_PID=""
STOPPED=0
declare -A SEEN_PIDS=()  # every pid startup.sh recorded, to check that none survives

cleanup() {
  local rc=$?
  if ((rc != 0)); then
    echo "----- logs of the failed run ($TMP) -----" >&2
    for f in "$JH_RUN_DIR"/logs/*.log "$TMP"/fake.*; do
      [[ -s $f ]] && { echo "== $f" >&2; tail -n 25 "$f" >&2; }
    done
  fi
  ((STOPPED)) || "$ROOT/startup.sh" stop >/dev/null 2>&1 || true
  [[ -n $FAKE_PID ]] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  if [[ -n ${JH_KEEP_TEST_DIRS:-} ]]; then
    echo "JH_KEEP_TEST_DIRS: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  return $rc
}
trap cleanup EXIT

alive() {  # a running process, not a zombie
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

record_pids() {
  local f
  for f in "$JH_RUN_DIR"/pids/*.pid; do
    [[ -s $f ]] && SEEN_PIDS[$(<"$f")]=$(basename "$f" .pid)
  done
  return 0
}

client() { timeout 20 "$BIN/jh-client" --cluster "$CLUSTER" "$@"; }

# Four ports below Linux's ephemeral range (32768+) that nothing listens on.
STEP="picking ports"
PORTS=()
while ((${#PORTS[@]} < 4)); do
  p=$((20000 + RANDOM % 12000))
  [[ " ${PORTS[*]} " == *" $p "* ]] && continue
  [[ -z $(ss -Hltn "sport = :$p") ]] && PORTS+=("$p")
done

STEP="starting jh-fake-postcodes"
"$BIN/jh-fake-postcodes" --port 0 >"$TMP/fake.out" 2>"$TMP/fake.err" &
FAKE_PID=$!
for ((i = 0; i < 100; i++)); do
  [[ $(head -n1 "$TMP/fake.out" 2>/dev/null) == "listening on "* ]] && break
  alive "$FAKE_PID" || fail "it exited: $(cat "$TMP/fake.err")"
  sleep 0.1
done
FAKE_ADDRESS=$(head -n1 "$TMP/fake.out")
FAKE_ADDRESS=${FAKE_ADDRESS#listening on }
[[ $FAKE_ADDRESS == *:* ]] || fail "it did not say 'listening on HOST:PORT'"

STEP="writing the cluster file"
for n in 1 2 3; do
  mkdir -p "$TMP/replica-server-$n"
  cp "$ROOT/resources/replica-server-$n"/{motd.txt,menu.csv} "$TMP/replica-server-$n/"
done
# min_acks 1: an acknowledged order is on a backup too, so it is listed right after the kill.
cat >"$CLUSTER" <<EOF
{
  "frontends": [ { "name": "just.hungry", "address": "127.0.0.1:${PORTS[0]}" } ],
  "replicas": [
    { "name": "replica.server1", "address": "127.0.0.1:${PORTS[1]}", "dir": "replica-server-1" },
    { "name": "replica.server2", "address": "127.0.0.1:${PORTS[2]}", "dir": "replica-server-2" },
    { "name": "replica.server3", "address": "127.0.0.1:${PORTS[3]}", "dir": "replica-server-3" }
  ],
  "postcodes": { "urls": ["http://$FAKE_ADDRESS"], "timeout_ms": 2000, "when_unreachable": "accept" },
  "heartbeat_ms": 100,
  "call_timeout_ms": 1000,
  "sync_timeout_ms": 1000,
  "min_acks": 1
}
EOF

STEP="running startup.sh --mode $MODE"
"$ROOT/startup.sh" --mode "$MODE" --cluster "$CLUSTER" --no-attach </dev/null || fail "startup.sh exited with $?"
record_pids
expected=4
[[ $MODE == tmux ]] && expected=5  # and the client
((${#SEEN_PIDS[@]} == expected)) || fail "expected $expected pid files, found: ${SEEN_PIDS[*]}"

# The steady state: every replica READY, so the first is primary (a replica that finishes catching
# up late takes the primary role back, which would move it under the kill below).
STEP="waiting for the front-end to see every replica READY"
primary=""
for ((i = 0; i < 150; i++)); do
  primary=$(client --json status 2>/dev/null |
    jq -r 'select(all(.replicas[]; .state == "READY")) | .primary // empty' 2>/dev/null) || true
  [[ $primary == replica.server1 ]] && break
  sleep 0.2
done
[[ $primary == replica.server1 ]] || fail "not settled after 30 s; last answer: $(client status 2>&1 || true)"
echo "primary: $primary"

STEP="placing the first order"
out=$(client --user ann --json order HAMBURGER 'AB10 1AB') || fail "exit $?: $out"
first=$(jq -r '.order_id' <<<"$out")
[[ $(jq -r '.item' <<<"$out") == HAMBURGER && -n $first ]] || fail "unexpected answer: $out"
echo "first order: $out"

STEP="killing the primary with scripts/kill-primary.sh"
killed_pid=$(<"$JH_RUN_DIR/pids/$primary.pid")
out=$("$ROOT/scripts/kill-primary.sh") || fail "exit $?: $out"
echo "$out"
[[ $out == *"$primary"*"$killed_pid"* ]] || fail "it did not say it killed $primary (pid $killed_pid): $out"
for ((i = 0; i < 50; i++)); do alive "$killed_pid" || break; sleep 0.1; done
alive "$killed_pid" && fail "$primary (pid $killed_pid) is still alive"

STEP="placing an order after the kill"
# The front-end fails over by itself; a few tries allow for a slow machine, and are reported.
for ((try = 1; try <= 5; try++)); do
  rc=0
  out=$(client --user ann --json order 'FISH FINGERS' 'AB10 1AB') || rc=$?
  ((rc == 0)) && break
  ((rc == 3)) || fail "exit $rc: $out"
  sleep 1
done
((rc == 0)) || fail "still unavailable after 5 tries: $out"
second=$(jq -r '.order_id' <<<"$out")
echo "second order (try $try): $out"

STEP="listing ann's orders"
out=$(client --user ann --json orders) || fail "exit $?: $out"
ids=$(jq -r '.orders[].order_id' <<<"$out" | sort | tr '\n' ' ')
expected_ids=$(printf '%s\n' "$first" "$second" | sort | tr '\n' ' ')
[[ $ids == "$expected_ids" ]] || fail "expected orders $expected_ids, got: $out"

STEP="restarting $primary with startup.sh restart"
"$ROOT/startup.sh" restart "$primary" || fail "exit $?"
record_pids
state=""
for ((i = 0; i < 100; i++)); do
  state=$(client --json status 2>/dev/null |
    jq -r --arg n "$primary" '.replicas[] | select(.name == $n) | .state' 2>/dev/null) || true
  [[ $state == READY ]] && break
  sleep 0.2
done
[[ $state == READY ]] || fail "$primary is '$state' after 20 s, not READY"

STEP="running startup.sh status"
"$ROOT/startup.sh" status || fail "exit $?"

STEP="running startup.sh stop"
STOPPED=1
"$ROOT/startup.sh" stop || fail "exit $?"

STEP="checking that nothing survived"
sleep 0.2
for pid in "${!SEEN_PIDS[@]}"; do
  alive "$pid" && fail "${SEEN_PIDS[$pid]} (pid $pid) survived: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
done
for p in "${PORTS[@]}"; do
  [[ -z $(ss -Hltn "sport = :$p") ]] || fail "port $p is still in use"
done
if [[ $MODE == tmux ]] && tmux -L "$JH_TMUX_SOCKET" has-session 2>/dev/null; then
  fail "the tmux server on socket $JH_TMUX_SOCKET is still running"
fi
compgen -G "$JH_RUN_DIR/pids/*.pid" >/dev/null && fail "pid files are left: $(ls "$JH_RUN_DIR/pids")"

echo "launcher test ($MODE): passed"
