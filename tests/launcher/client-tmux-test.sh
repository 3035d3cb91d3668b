#!/usr/bin/env bash
# The interactive client as a person meets it: startup.sh --mode tmux starts a private cluster
# with two front-ends and the client in a window of its own, 80 columns by 24 lines; keys are
# typed into that window (tmux send-keys) and the screen is read back (capture-pane): the user
# code, the motd, a dish completed with Tab, a postcode, the confirmation, the orders listed,
# the front-end killed and the one line saying that the client reconnected; Ctrl-C and Ctrl-D at
# the dish prompt going back home, Up recalling a dish at the dish prompt and a postcode at the
# postcode prompt, `n` at the confirmation offering another postcode; help; and Ctrl-C twice at
# home leaving with exit 0.
# Usage: client-tmux-test.sh BIN_DIR
set -euo pipefail

BIN=$(realpath "${1:?usage: client-tmux-test.sh BIN_DIR}")
TEST="client tmux test"
# shellcheck source=tests/launcher/launcher-test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-test-lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed"

make_cluster 2

STEP="running startup.sh --mode tmux"
"$ROOT/startup.sh" --mode tmux --cluster "$CLUSTER" --no-attach </dev/null >"$TMP/startup.out" 2>&1 ||
  fail "exit $?: $(cat "$TMP/startup.out")"
record_pids
tmx() { tmux -S "$JH_RUN_DIR/tmux.sock" "$@"; }
PANE=$(<"$JH_RUN_DIR/pids/client.pane")
tmx resize-window -t "$PANE" -x 80 -y 24

# The whole screen, scrolled-off lines included, each wrapped line joined again.
screen() { tmx capture-pane -p -J -S - -t "$PANE"; }
# Waits (at most 15 s) until TEXT is on the screen COUNT times (default 1).
see() {
  local text=$1 count=${2:-1}
  wait_for 15 '(($(screen | grep -cF -- "$text") >= count))' ||
    fail "the screen does not show '$text' ${count} time(s); it shows:"$'\n'"$(screen)"
}
keys() { tmx send-keys -t "$PANE" "$@"; }
# The last N lines of the screen that are not blank, without trailing spaces.
last_lines() { screen | sed -e 's/[[:space:]]*$//' -e '/^$/d' | tail -n "$1"; }
# Waits (at most 15 s) until the screen ends with LINE... (blank lines aside), each exactly.
see_end() {
  local want
  want=$(printf '%s\n' "$@")
  wait_for 15 '[[ $(last_lines '$#') == "$want" ]]' ||
    fail "the screen does not end with:"$'\n'"$want"$'\n'"it shows:"$'\n'"$(screen)"
}
HOME_LINES=("What next?  1) menu and order   2) my orders   3) status   4) exit" ">")
DISH_PROMPT="Which dish? (number or name, empty to go back)"
POSTCODE_PROMPT="Deliver to which postcode? (empty to go back)"

STEP="typing the user code"
see "Your user code: "
keys "ann" Enter
see "Welcome, ann."
see "Hot food delivered anywhere in the UK"  # the motd
see "What next?  1) menu and order   2) my orders   3) status   4) exit"

STEP="ordering a dish completed with Tab"
keys "1" Enter
see "Which dish? (number or name, empty to go back)"
keys "fish f" Tab
see "Which dish? (number or name, empty to go back) fish FINGERS"
keys Enter
see "Deliver to which postcode?"
keys "ab10 1ab" Enter
see "AB10 1AB is in Aberdeen City"
see "Order FISH FINGERS (£6.85) to AB10 1AB? [y/n]"
keys "y" Enter
see "Order placed: FISH FINGERS, £6.85, to AB10 1AB"
see "Order id: "

STEP="listing the orders"
keys "2" Enter
see "Your orders (1)"

STEP="killing the front-end the client uses"
"$ROOT/startup.sh" kill just.hungry >/dev/null || fail "exit $?"
keys "2" Enter
see "Your orders (1)" 2
see "Reconnected to just.hungry.2 (127.0.0.1:${PORTS[1]})."
(($(screen | grep -c "Reconnected") == 1)) || fail "more than one line about reconnecting: $(screen)"
screen | grep -q "unavailable" && fail "the person was told the service is unavailable: $(screen)"

STEP="pressing Ctrl-C at the dish prompt"
keys "1" Enter
see_end "$DISH_PROMPT"
keys "chi" C-c
see_end "$DISH_PROMPT ^C" "${HOME_LINES[@]}"
keys "3" Enter  # the client still answers: the status table ends with the postcode cache
wait_for 15 '[[ $(last_lines 3 | head -n 1) == "Postcode cache: "* && $(last_lines 1) == ">" ]]' ||
  fail "the status did not come after Ctrl-C: $(screen)"

STEP="pressing Ctrl-D at the dish prompt"
keys "1" Enter
see_end "$DISH_PROMPT"
keys C-d
see_end "${HOME_LINES[@]}"
last_lines 3 | head -n 1 | grep -qF "$DISH_PROMPT" || fail "Ctrl-D did not go back from the dish prompt: $(screen)"

STEP="recalling a dish at the dish prompt and a postcode at the postcode prompt with Up"
keys "1" Enter
see_end "$DISH_PROMPT"
keys Up
see_end "$DISH_PROMPT fish FINGERS"
keys Enter
see_end "$POSTCODE_PROMPT"
keys Up
see_end "$POSTCODE_PROMPT ab10 1ab"
keys Enter
see_end "AB10 1AB is in Aberdeen City." "Order FISH FINGERS (£6.85) to AB10 1AB? [y/n]"

STEP="answering n at the confirmation, then going back twice with empty answers"
keys "n" Enter
see_end "Nothing was ordered. Give another postcode, or press Enter to go back." "$POSTCODE_PROMPT"
keys Enter
see_end "$DISH_PROMPT"
keys Enter
see_end "${HOME_LINES[@]}"

STEP="asking for help"
keys "help" Enter
see "Tab completes words and dish names"

STEP="pressing Ctrl-C twice at the home prompt"
keys C-c
see_end "> ^C" "Press Ctrl-C again or Ctrl-D to leave." ">"
keys C-c
see "Goodbye."
# tmux can see the pane's pty close before it records the exit status (the client's output goes
# through tee), and under load it may not record it in time: then the client's own pid must have
# exited (gone, or a zombie nobody reaped). A status other than 0 fails, and so does a client
# that is still running.
CLIENT_PID=$(<"$JH_RUN_DIR/pids/client.pid")
client_exited() {
  [[ ! -e /proc/$CLIENT_PID ]] || [[ $(awk '{print $3}' "/proc/$CLIENT_PID/stat" 2>/dev/null) == Z ]]
}
pane_state() { tmx display-message -p -t "$PANE" "#{pane_dead} #{pane_dead_status}"; }
wait_for 5 '[[ $(pane_state) == "1 0" ]] || { [[ $(pane_state) == "1 " ]] && client_exited; }' ||
  fail "the client did not exit with 0: pane dead and status: '$(pane_state)'; pid $CLIENT_PID exited: $(client_exited && echo yes || echo no)"

STEP="checking that every line fits 80 columns"
widest=$(screen | wc -L)
((widest <= 80)) || fail "a line is $widest columns wide: $(screen | awk 'length > 80')"
echo "----- the client's screen -----"
screen

STEP="running startup.sh stop"
STOPPED=1
"$ROOT/startup.sh" stop >/dev/null || fail "exit $?"
check_nothing_left
echo "$TEST: passed"
