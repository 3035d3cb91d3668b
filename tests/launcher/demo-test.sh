#!/usr/bin/env bash
# scripts/demo-failover.sh end to end against a private cluster, with a few seconds of load.
# background: it exits 0 having printed the load's per-second lines and the front-end's timeline
# (the primary down, another promoted) interleaved with its steps, and "lost 0".
# tmux: its window shows the steps, the live counts, the timeline and ./startup.sh watch in panes
# (read with capture-pane, as a person would see them), and it waits for Enter in the steps pane
# before it stops the system. Either way nothing is left running.
# Usage: demo-test.sh background|tmux BIN_DIR
set -euo pipefail

MODE=${1:?usage: demo-test.sh background|tmux BIN_DIR}
BIN=$(realpath "${2:?usage: demo-test.sh background|tmux BIN_DIR}")
TEST="demo test ($MODE)"
# shellcheck source=tests/launcher/launcher-test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-test-lib.sh"
[[ -x $BIN/jh-bench ]] || fail "$BIN/jh-bench is not built"

make_cluster 1
demo=("$ROOT/scripts/demo-failover.sh" --mode "$MODE" --cluster "$CLUSTER" --pause 0 --clients 4)

# The demonstration's own processes (the load, the timeline) end with it too.
parts_ended() {
  local f p
  for f in "$JH_RUN_DIR"/demo/*.pid; do
    p=$(<"$f")
    wait_for 5 '! alive $p' || fail "$(basename "$f" .pid) (pid $p) survived the demonstration"
  done
}

if [[ $MODE == background ]]; then
  STEP="running scripts/demo-failover.sh"
  rc=0
  timeout 50 "${demo[@]}" >"$TMP/demo.out" 2>&1 || rc=$?
  cat "$TMP/demo.out"
  ((rc == 0)) || fail "it exited with $rc"
  STOPPED=1  # the demonstration stops what it started
  record_pids

  STEP="reading what it printed"
  out=$(<"$TMP/demo.out")
  for expected in "Step 1/6: start the system (background)" "Step 6/6: check every acknowledged order on every replica" \
    "sent SIGKILL to replica.server1" "replica.server1 caught up and took over again" \
    "lost 0: every one of the" "The demonstration succeeded"; do
    [[ $out == *"$expected"* ]] || fail "it did not say: $expected"
  done
  grep -qE '^ cluster \| [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} +\+[0-9,]+ ms  replica\.server1 is down\.$' <<<"$out" ||
    fail "no timeline line with milliseconds saying that replica.server1 is down"
  grep -qE '^ cluster \| .* replica\.server[23] is now the primary \(was replica\.server1\)' <<<"$out" ||
    fail "no timeline line saying that another replica was promoted"
  seconds=$(grep -cE '^    load \| t=[0-9]+s +acknowledged +[0-9,]+/s  failed +[0-9,]+/s  retried +[0-9,]+/s  total [0-9,]+$' <<<"$out" || true)
  ((seconds >= 3)) || fail "$seconds per-second lines of the load, not at least 3"
  [[ $out != *$'\e'* ]] || fail "colour in output that is not a terminal"
  parts_ended
  check_nothing_left
  echo "$TEST: passed"
  exit 0
fi

command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
sock=$JH_RUN_DIR/tmux.sock
tm() { tmux -S "$sock" "$@"; }
STEP="starting scripts/demo-failover.sh --mode tmux"
timeout 55 "${demo[@]}" >"$TMP/demo.out" 2>&1 &
DEMO_PID=$!
CLEANUPS+=("kill $DEMO_PID" "tmux -S '$sock' kill-server")
# Each pane's id, by the title the demonstration gives it.
pane() { tm list-panes -t justhungry:demo -F '#{pane_title}|#{pane_id}' 2>/dev/null | grep -F "$1" | cut -d'|' -f2; }
screen() { tm capture-pane -p -J -S - -t "$(pane "$1")" 2>/dev/null; }
wait_for 30 '[[ -n $(pane "the steps") ]] || ! alive $DEMO_PID' || fail "no window 'demo' with its panes: $(cat "$TMP/demo.out")"
record_pids

STEP="watching the steps pane until it waits for Enter"
wait_for 40 '[[ $(screen "the steps") == *"Press Enter to stop the system"* ]] || ! alive $DEMO_PID' ||
  fail "the steps pane does not ask for Enter: $(screen "the steps")"
steps=$(screen "the steps")
echo "$steps"
[[ $steps == *"The demonstration succeeded: lost 0"* ]] || fail "the steps do not end with lost 0"

STEP="reading the other panes, the system still running"
alive "$DEMO_PID" || fail "the demonstration ended without waiting for Enter: $(cat "$TMP/demo.out")"
[[ ! -s $JH_RUN_DIR/demo/result ]] || fail "it wrote its result before Enter was pressed"
for n in replica.server1 replica.server2 replica.server3 just.hungry; do
  [[ -n $(running_pid "$n") ]] || fail "$n is not running while the demonstration waits for Enter"
done
load=$(screen "the load")
timeline=$(screen "the timeline")
printf '%s\n' "--- load" "$load" "--- timeline" "$timeline"
grep -qE '^t=[0-9]+s +acknowledged +[0-9,]+/s  failed +[0-9,]+/s  retried +[0-9,]+/s  total [0-9,]+$' <<<"$load" ||
  fail "the load pane shows no per-second line"
[[ $load == *"Stopped after"*"orders acknowledged"* ]] || fail "the load pane does not show the load's summary"
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} +\+[0-9,]+ ms  replica\.server1 is down\.$' <<<"$timeline" ||
  fail "the timeline pane does not show replica.server1 down"
# (jh-client breaks a long event onto further lines at the pane's width.)
[[ $(tr -s ' \n' ' ' <<<"$timeline") == *"is now the primary (was replica.server1)"* ]] ||
  fail "the timeline pane shows no promotion"
# It redraws every second, after asking the front-end: it may show a moment ago for a while.
wait_for 10 '[[ $(screen "watch") == *"primary: replica.server1"* ]]' ||
  fail "the watch pane does not show replica.server1 primary again: $(screen "watch")"

STEP="pressing Enter in the steps pane"
tm send-keys -t "$(pane "the steps")" Enter
wait_for 20 '! alive $DEMO_PID' || fail "it did not end after Enter"
rc=0
wait "$DEMO_PID" || rc=$?
STOPPED=1
cat "$TMP/demo.out"
((rc == 0)) || fail "it exited with $rc"
[[ $(<"$TMP/demo.out") == *"The demonstration succeeded: lost 0"* ]] || fail "it did not say it succeeded"
parts_ended
check_nothing_left
echo "$TEST: passed"
