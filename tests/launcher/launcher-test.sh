#!/usr/bin/env bash
# End to end test of the launcher in one mode: startup.sh starts a private cluster with two
# front-ends; status (table and --json) shows every process and the roles; an order goes
# through; scripts/kill-primary.sh kills the primary, status shows it down at once, and another
# order goes through; killing a front-end leaves the other serving; restart brings both back and
# the client (tmux) or says how to run it (background); kill-primary.sh --signal STOP freezes the
# primary until the front-end fails over, CONT resumes it; logs and tail show
# "HH:MM:SS.mmm name |" lines; watch refreshes; stop leaves no process behind; clean removes run/.
# Usage: launcher-test.sh background|tmux BIN_DIR
set -euo pipefail

MODE=${1:?usage: launcher-test.sh background|tmux BIN_DIR}
BIN=$(realpath "${2:?usage: launcher-test.sh background|tmux BIN_DIR}")
TEST="launcher test ($MODE)"
# shellcheck source=tests/launcher/launcher-test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-test-lib.sh"
if [[ $MODE == tmux ]]; then command -v tmux >/dev/null || fail "tmux is not installed"; fi

make_cluster 2

STEP="starting with a run folder that cannot be made"
rc=0
out=$(JH_RUN_DIR=/proc/jh-no-run-dir "$BIN/jh-launch" start --mode "$MODE" --cluster "$CLUSTER" 2>&1) || rc=$?
((rc == 1)) && [[ $out == "jh-launch: "*/proc/jh-no-run-dir/pids* ]] ||
  fail "expected one line naming the folder and exit 1, got exit $rc: $out"

STEP="running startup.sh --mode $MODE"
out=$("$ROOT/startup.sh" --mode "$MODE" --cluster "$CLUSTER" --no-attach </dev/null 2>&1) ||
  fail "startup.sh exited with $?: $out"
echo "$out"
[[ $out == *"mode: $MODE (forced by --mode)"* ]] || fail "it did not say which mode and why"
[[ $out == *"just.hungry.2"* ]] || fail "it did not start the second front-end"
record_pids
expected=5
[[ $MODE == tmux ]] && expected=6  # and the client
((${#SEEN_PIDS[@]} == expected)) || fail "expected $expected pid files, found: ${SEEN_PIDS[*]}"
for n in replica.server1 replica.server2 replica.server3 just.hungry just.hungry.2; do
  [[ -s $JH_RUN_DIR/logs/$n.log ]] || fail "no log in $JH_RUN_DIR/logs/$n.log"
done
wait_settled

STEP="running startup.sh status"
out=$("$ROOT/startup.sh" status) || fail "exit $?: $out"
echo "$out"
[[ $out == *"NAME"*"PID"*"STATE"*"PORT"*"ROLE"* ]] || fail "no table header"
[[ $(grep -E '^replica.server1 +[0-9]+ +running +[0-9]+ +primary' <<<"$out") ]] || fail "replica.server1 is not shown as the running primary"
[[ $(grep -cE '^just.hungry(.2)? +[0-9]+ +running +[0-9]+ +serving' <<<"$out") == 2 ]] || fail "the two front-ends are not shown serving"
out=$("$ROOT/startup.sh" status --json) || fail "exit $?: $out"
[[ $(jq -r '.primary' <<<"$out") == replica.server1 ]] || fail "--json: no primary: $out"
[[ $(jq -r '[.processes[] | select(.state == "running")] | length' <<<"$out") == "$expected" ]] ||
  fail "--json: not every process running: $out"
[[ $(jq -r '.processes[] | select(.name == "replica.server2") | .role' <<<"$out") == backup ]] ||
  fail "--json: replica.server2 is not a backup: $out"

STEP="placing the first order"
out=$(client --user ann --json order HAMBURGER 'AB10 1AB') || fail "exit $?: $out"
first=$(jq -r '.order_id' <<<"$out")
[[ $(jq -r '.item' <<<"$out") == HAMBURGER && -n $first ]] || fail "unexpected answer: $out"

STEP="killing the primary with scripts/kill-primary.sh"
# A slow heartbeat keeps the front-end's view behind for a while: status must not follow it.
client heartbeat 10000 >/dev/null || fail "the heartbeat could not be slowed"
killed_pid=$(<"$JH_RUN_DIR/pids/replica.server1.pid")
out=$("$ROOT/scripts/kill-primary.sh") || fail "exit $?: $out"
echo "$out"
[[ $out == *replica.server1*"$killed_pid"* ]] || fail "it did not say it killed replica.server1 (pid $killed_pid): $out"
! alive "$killed_pid" || fail "replica.server1 (pid $killed_pid) is still alive after kill-primary.sh"

STEP="running startup.sh status right after the kill"
out=$("$ROOT/startup.sh" status --json) || fail "exit $?: $out"
[[ $(jq -r '.processes[] | select(.name == "replica.server1") | .state + " " + .role' <<<"$out") == "exited down" ]] ||
  fail "replica.server1 is not shown exited and down: $out"
(($(jq '[.processes[] | select(.role // "" | startswith("primary"))] | length' <<<"$out") <= 1)) ||
  fail "two primaries: $out"
[[ $(jq -r '.primary' <<<"$out") != replica.server1 ]] || fail "the killed replica is named primary: $out"
out=$("$ROOT/startup.sh" status) || fail "exit $?: $out"
grep -qE '^replica.server1 +[0-9]+ +exited +[0-9]+ +down ' <<<"$out" || fail "the table does not show replica.server1 down: $out"
client heartbeat 100 >/dev/null || fail "the heartbeat could not be restored"

STEP="placing an order after the kill"
# The front-end fails over by itself; allow a few tries on a slow machine, and report them.
for ((try = 1; try <= 5; try++)); do
  rc=0
  out=$(client --user ann --json order 'FISH FINGERS' 'AB10 1AB') || rc=$?
  ((rc == 0)) && break
  ((rc == 3)) || fail "exit $rc: $out"
  sleep 0.5
done
((rc == 0)) || fail "still unavailable after 5 tries: $out"
second=$(jq -r '.order_id' <<<"$out")
echo "second order (try $try): $(jq -r '.origin' <<<"$out")"

STEP="killing the front-end just.hungry with startup.sh kill"
out=$("$ROOT/startup.sh" kill just.hungry) || fail "exit $?: $out"
fe_pid=$(<"$JH_RUN_DIR/pids/just.hungry.pid")
wait_for 5 "! alive $fe_pid" || fail "just.hungry is still alive"
out=$(client --user ann --json orders) || fail "the client did not reach just.hungry.2: exit $?: $out"
ids=$(jq -r '.orders[].order_id' <<<"$out" | sort | tr '\n' ' ')
[[ $ids == "$(printf '%s\n' "$first" "$second" | sort | tr '\n' ' ')" ]] || fail "expected orders $first $second, got: $out"
out=$("$ROOT/startup.sh" status --json)
[[ $(jq -r '.processes[] | select(.name == "just.hungry") | .state' <<<"$out") == exited ]] ||
  fail "status does not show just.hungry exited: $out"

STEP="restarting just.hungry and replica.server1"
"$ROOT/startup.sh" restart just.hungry || fail "exit $?"
"$ROOT/startup.sh" restart replica.server1 || fail "exit $?"
record_pids
wait_settled  # replica.server1 caught up and primary again

STEP="restarting the client"
if [[ $MODE == tmux ]]; then
  pane=$(<"$JH_RUN_DIR/pids/client.pane")
  last_line() { tmux -S "$JH_RUN_DIR/tmux.sock" capture-pane -p -t "$pane" | grep -v '^ *$' | tail -n 1; }
  wait_for 10 '[[ $(last_line) == "Your user code:"* ]]' || fail "the client does not ask for a user code: $(last_line)"
  tmux -S "$JH_RUN_DIR/tmux.sock" send-keys -t "$pane" ann Enter
  wait_for 10 '[[ $(last_line) != "Your user code:"* ]]' || fail "the client did not take the user code"
  old_client=$(<"$JH_RUN_DIR/pids/client.pid")
  "$ROOT/startup.sh" restart client || fail "exit $?"
  record_pids
  [[ $(<"$JH_RUN_DIR/pids/client.pid") != "$old_client" ]] || fail "the client's pid did not change"
  wait_for 10 '[[ $(last_line) == "Your user code:"* ]]' || fail "the new client does not ask for a user code: $(last_line)"
else
  out=$("$ROOT/startup.sh" restart client 2>&1) && fail "it succeeded in background mode: $out"
  [[ $out == *"no window in background mode"*"jh-client --cluster"* ]] || fail "it did not say how to run the client: $out"
fi

STEP="freezing the primary with kill-primary.sh --signal STOP"
frozen_pid=$(<"$JH_RUN_DIR/pids/replica.server1.pid")
out=$("$ROOT/scripts/kill-primary.sh" --signal STOP 2>&1) || fail "exit $?: $out"
[[ $out == *"SIGSTOP to replica.server1, pid $frozen_pid"* ]] || fail "it did not say it stopped replica.server1: $out"
proc_stat() { ps -o stat= -p "$1" | tr -d ' '; }
wait_for 5 '[[ $(proc_stat $frozen_pid) == T* ]]' || fail "pid $frozen_pid is not stopped: state $(proc_stat "$frozen_pid")"
wait_for 10 '[[ $(client --json status 2>/dev/null | jq -r ".primary // empty") == replica.server[23] ]]' ||
  fail "the front-end did not fail over from the stopped primary: $(client status 2>&1)"
[[ $(proc_stat "$frozen_pid") == T* ]] || fail "pid $frozen_pid was resumed: state $(proc_stat "$frozen_pid")"
out=$("$ROOT/startup.sh" status --json) || fail "exit $?: $out"
[[ $(jq -r '.processes[] | select(.name == "replica.server1") | .state' <<<"$out") == stopped ]] ||
  fail "status does not show replica.server1 stopped: $out"

STEP="resuming it with startup.sh kill replica.server1 --signal CONT"
"$ROOT/startup.sh" kill replica.server1 --signal CONT >/dev/null || fail "exit $?"
wait_for 5 '[[ $(proc_stat $frozen_pid) != T* ]]' || fail "pid $frozen_pid is still stopped"
wait_settled  # it is READY and primary again

STEP="reading the logs"
out=$("$ROOT/startup.sh" logs replica.server1) || fail "exit $?: $out"
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} replica.server1 \| INFO  listening on ' <<<"$out" ||
  fail "no 'HH:MM:SS.mmm replica.server1 | INFO  listening on' line: $(head -n 5 <<<"$out")"
[[ $(grep -c 'startup.sh (' <<<"$out") == 2 ]] || fail "the log does not mark two starts: $out"
[[ $out != *$'\e'* ]] || fail "colour in logs written to a pipe"
out=$("$ROOT/startup.sh" logs -n 400)
for n in replica.server2 just.hungry.2; do
  grep -qE "^[0-9:]{8}\.[0-9]{3} $n +\| " <<<"$out" || fail "the merged logs have no line of $n"
done
sorted=$(cut -c1-12 <<<"$out" | grep -v -- '--:--:--' | sort -c 2>&1) || fail "the merged logs are not in time order: $sorted"
# tail follows until stopped (TERM): stop it once it printed its lines, or after a bound.
"$ROOT/startup.sh" tail replica.server1 -n 3 >"$TMP/tail.out" 2>&1 &
tail_pid=$!
tail_lines() { grep -cE '^[0-9:]{8}\.[0-9]{3} replica.server1 \| ' "$TMP/tail.out"; }
wait_for 10 '(($(tail_lines) >= 3))' || true
kill "$tail_pid" && wait "$tail_pid" || fail "tail did not end with 0 on TERM"
[[ $(tail_lines) == 3 ]] || fail "tail -n 3 printed: $(cat "$TMP/tail.out")"

STEP="running startup.sh watch --count 2"
out=$("$ROOT/startup.sh" watch --count 2) || fail "exit $?: $out"
[[ $(grep -c '^Just Hungry at ' <<<"$out") == 2 && $out == *"primary: replica.server1"* ]] ||
  fail "watch printed: $out"

STEP="refusing to clean while running"
out=$("$ROOT/startup.sh" clean 2>&1) && fail "clean succeeded while the system runs: $out"
[[ $out == *"still running"* ]] || fail "clean did not say why: $out"

STEP="running startup.sh stop"
# shellcheck disable=SC2034  # read by launcher-test-lib.sh's exit trap
STOPPED=1
"$ROOT/startup.sh" stop || fail "exit $?"
check_nothing_left

# shellcheck disable=SC2034  # read by launcher-test-lib.sh's fail()
STEP="running startup.sh clean --orders"
out=$("$ROOT/startup.sh" clean --orders --cluster "$CLUSTER") || fail "exit $?: $out"
[[ ! -e $JH_RUN_DIR && ! -e $TMP/replica-server-1/orders.csv ]] || fail "clean left files: $out"

echo "$TEST: passed"
