#!/usr/bin/env bash
# The failover demonstration under continuous load: starts the system and N clients that keep
# ordering (each retrying an order with the same id until it is acknowledged), kills the primary
# with kill -9, waits for a new primary, restarts the killed replica until it has caught up and
# taken over again, stops the load and checks every acknowledged order on every replica ("lost
# 0"), showing the orders acknowledged, failed and retried each second and the front-end's
# timeline in milliseconds. Background (and xterm) mode prints it all interleaved; tmux mode shows
# one window of panes (the steps, the load, the timeline, ./startup.sh watch), attaches, and waits
# for Enter there before it stops the system (not with --keep). Exits non-zero naming the failed
# step, or when an acknowledged order is missing. Uses ./startup.sh's run/ folder and binaries.
# Usage: scripts/demo-failover.sh [--mode background|tmux|xterm] [--cluster F] [--clients N]
#        [--pause S] [--keep]   (defaults: background, resources/cluster.json, 8 clients, 2 s
#        between steps on a terminal, none otherwise)
set -euo pipefail
# shellcheck disable=SC2034  # PROG and the settings below are read by scripts/launcher-lib.sh
PROG=demo-failover.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"

mode=background cluster_arg="" keep=0 clients=8 pause=0 in_pane=0 outer=""
[[ -t 1 ]] && pause=2
while (($#)); do
  case $1 in
    --mode) mode=${2:?--mode needs background, tmux or xterm}; shift ;;
    --cluster) cluster_arg=${2:?--cluster needs a file}; shift ;;
    --clients) clients=${2:?--clients needs a number}; shift ;;
    --pause) pause=${2:?--pause needs seconds}; shift ;;
    --keep) keep=1 ;;
    --in-pane) in_pane=1 outer=${2:?}; shift ;;  # the steps, run by the outer script in a tmux pane
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) warn "unknown argument $1 (see --help)"; exit 2 ;;
  esac
  shift
done
[[ $pause =~ ^[0-9]+(\.[0-9]+)?$ ]] || { warn "--pause needs a number of seconds"; exit 2; }
[[ $clients =~ ^[1-9][0-9]*$ ]] || { warn "--clients needs a number"; exit 2; }
case $mode in background | tmux | xterm) ;; *) warn "--mode must be background, tmux or xterm"; exit 2 ;; esac

# shellcheck disable=SC2034  # read by scripts/launcher-view.sh
if use_colour; then COLOUR=1; else COLOUR=0; fi
RUN_DIR=$(realpath -m "$RUN_DIR")
DEMO=$RUN_DIR/demo  # this run's load and timeline output, their pids, the acknowledged ids
STEPS=6
step_no=$in_pane started=$in_pane

step() {
  step_no=$((step_no + 1))
  ((step_no == 1)) || sleep "$pause"
  printf '\n%s\n' "$(paint "1" "Step $step_no/$STEPS: $*")"
}
note() { printf '  %s\n' "$*"; }
good() { printf '  %s\n' "$(paint "32" "$*")"; }
client() { timeout 15 "$BIN_DIR/jh-client" --cluster "$CLUSTER" "$@"; }
primary() { client --json status 2>/dev/null | jq -r '.primary // ""' 2>/dev/null || true; }
now_ms() { date +%s%3N; }
# The front-end's view of replica $1: "down", "backup, SYNCING (812 rows fetched, 120 to go)"…
view_of() {
  client --json status 2>/dev/null | jq -r --arg n "$1" '.replicas[] | select(.name == $n) |
    if .role == "down" then "down" else .role + ", " + .state +
    (if .state == "SYNCING" then " (\(.fetched) rows fetched, \(.lag) to go)" else "" end) end' 2>/dev/null || true
}
live_lines() { grep -c '^t=' "$DEMO/load.out" 2>/dev/null || true; }
# Waits until the load has printed one more per-second line than it had: a second of orders.
another_second() {
  local had
  # shellcheck disable=SC2034  # read by the condition that poll_until evaluates
  had=$(live_lines)
  poll_until 10 '(($(live_lines) > had))' || die "the load printed nothing for 10 s: $(tail -n 3 "$DEMO/load.out")"
}

# The load and the timeline, as run-one.sh commands (a pid file each; the load's output kept too).
load_command() {
  LOAD=("$JH_ROOT/scripts/run-one.sh" --log "$DEMO/load.out" "$DEMO/load.pid" "$BIN_DIR/jh-bench"
    --cluster "$CLUSTER" --clients "$clients" --duration 86400 --retry-until-acked --live
    --acked-out "$DEMO/acked.txt" --user-prefix "demo-$(date +%H%M%S)")
  TIMELINE=("$JH_ROOT/scripts/run-one.sh" "$DEMO/events.pid" "$BIN_DIR/jh-client" --cluster "$CLUSTER" events --follow)
}
# Ends the load or the timeline (load, events) by its pid: jh-bench writes its summary then.
end_part() {
  local p
  p=$(cat "$DEMO/$1.pid" 2>/dev/null) || return 0
  pid_alive "$p" && [[ $(proc_cmdline "$p") == *jh-* ]] && kill -s "${2:-TERM}" "$p" 2>/dev/null || true
  poll_until 15 "! pid_alive $p" || true
}

finish() {
  local rc=$?
  ((in_pane)) || { end_part load; end_part events; }
  if ((rc != 0 && step_no > 0)); then
    printf '\n%s\n' "$(paint "1;31" "The demonstration FAILED at step $step_no.")" >&2
    ((in_pane == 0 && started == 0)) || { note "The end of the servers' logs:" >&2; "$JH_ROOT/startup.sh" logs -n 15 >&2 2>/dev/null || true; }
  fi
  if ((in_pane)); then
    printf '\n%s ' "Press Enter to $( ((keep)) && echo "leave; the system keeps running" || echo "stop the system")."
    read -r _ || true
    echo "$rc $step_no" >"$DEMO/result"
    # The outer script, attached or waiting, stops the system; if the person left it, do it here
    # (setsid: out of this pane's session, which the stop closes).
    if pid_alive "$outer"; then tmux_cmd detach-client -s "$TMUX_SESSION" 2>/dev/null || true
    elif ((!keep)); then setsid "$JH_ROOT/startup.sh" stop </dev/null >/dev/null 2>&1 & fi
  elif ((started && !keep)); then
    printf '\n'
    note "Stopping the system (--keep leaves it running)."
    "$JH_ROOT/startup.sh" stop >/dev/null 2>&1 || warn "./startup.sh stop failed: run it again"
  elif ((started)); then
    note "The system keeps running: ./startup.sh status, ./startup.sh stop"
  fi
  exit "$rc"
}
trap finish EXIT

load_cluster "$cluster_arg"
load_bin_dir recorded
first_replica=${REPLICAS[0]}
load_command

# Steps 2 to 6, the same in every mode; in tmux mode they run in the window's first pane.
demo_steps() {
  step "orders keep coming: $clients clients, each retrying an order with the same id until acknowledged"
  another_second
  good "Orders are acknowledged every second: the load's lines, t=1s, t=2s…"

  step "kill -9 the primary while orders keep coming"
  # shellcheck disable=SC2034  # seen: set by the conditions that poll_until evaluates
  local killed new began gap last="" seen
  killed=$(primary)
  [[ -n $killed ]] || die "the front-end names no primary"
  began=$(now_ms)
  "$JH_ROOT/scripts/kill-primary.sh" --cluster "$CLUSTER" | sed 's/^/  /'
  poll_until 15 'new=$(primary); [[ -n $new && $new != "$killed" ]]' || die "no new primary 15 s after the kill"
  gap=$(client --json events | jq -r --arg k "$killed" --argjson t "$began" '[.events[] | select(.at_ms >= $t)] as $e
    | ($e | map(select(.kind == "replica-down" and .replica == $k)) | first) as $d
    | ($e | map(select(.kind == "promoted" and $d != null and .at_ms >= $d.at_ms)) | first) as $p
    | if $p then "\($p.at_ms - $d.at_ms)" else "" end' 2>/dev/null || true)
  good "$new took over${gap:+ $gap ms after the front-end saw $killed down}."
  another_second

  step "restart $killed: it catches up, then takes over again"
  "$JH_ROOT/startup.sh" restart "$killed" >/dev/null || die "./startup.sh restart $killed failed"
  began=$(now_ms)
  poll_until 30 'seen=$(view_of "$killed"); if [[ -n $seen && $seen != "$last" ]]; then note "$killed: $seen"; last=$seen; fi
    [[ $seen == "primary, READY" ]]' || die "$killed is '$last' after 30 s, not the primary"
  good "$killed caught up and took over again, $(($(now_ms) - began)) ms after its restart."
  another_second

  step "stop the load"
  end_part load INT
  poll_until 5 'grep -q "^Stopped after" "$DEMO/load.out"' || die "the load did not say what it did"
  good "The load stopped: $(sed -n 's/^Stopped after [^:]*: //p' "$DEMO/load.out")"

  step "check every acknowledged order on every replica"
  local rc=0
  "$BIN_DIR/jh-bench" --cluster "$CLUSTER" --check-acked "$DEMO/acked.txt" --wait 15 | sed 's/^/  /' || rc=$?
  if ((!in_pane)); then
    note "The front-end's timeline of this run:"
    client events | sed 's/^/  /' || true
  fi
  ((rc == 0)) || die "an acknowledged order is missing: see above"
  printf '\n%s\n' "$(paint "1;32" "The demonstration succeeded: lost 0, while the primary was killed under load.")"
}

printf '%s\n' "$(paint "1" "Just Hungry: the failover demonstration")"
note "One front-end routes orders to the primary replica; the backups hold copies."
note "We kill the primary with kill -9 while $clients clients keep ordering, and bring it back."
if ((in_pane)); then
  note "Step 1/$STEPS started the system: every replica is READY; the primary is $first_replica."
  demo_steps
  exit 0
fi

step "start the system ($mode)"
for f in "$PID_DIR"/*.pid; do
  [[ -e $f && -n $(running_pid "$(basename "$f" .pid)") ]] &&
    die "the system is already running: stop it first (./startup.sh stop)"
done
set +e
"$JH_ROOT/startup.sh" start --mode "$mode" --cluster "$CLUSTER" --no-attach </dev/null 2>&1 | sed 's/^/    /'
rc=${PIPESTATUS[0]}
set -e
started=1  # whatever started is stopped at the end
((rc == 0)) || die "./startup.sh could not start the system: see above"
load_bin_dir recorded
load_command
[[ -x $BIN_DIR/jh-bench ]] || die "$BIN_DIR/jh-bench is missing: cmake --build build --target jh-bench"
note "Waiting until every replica is READY and $first_replica is primary..."
poll_until 30 '[[ $(client --json status 2>/dev/null | jq -r "select(all(.replicas[]; .state == \"READY\")) | .primary" 2>/dev/null) == "$first_replica" ]]' ||
  die "the replicas did not settle within 30 s: $(client status 2>&1 || true)"
good "Every replica is READY; the primary is $first_replica."
rm -rf "$DEMO"
mkdir -p "$DEMO"

if [[ $mode != tmux ]]; then
  "${LOAD[@]}" 2>&1 | sed -u 's/^/    load | /' &
  "${TIMELINE[@]}" 2>&1 | sed -u 's/^/ cluster | /' &
  demo_steps
  exit 0
fi

# One window of four panes: these steps, the load, the timeline and ./startup.sh watch.
pane_cmd() { printf 'exec env JH_RUN_DIR=%q %s' "$RUN_DIR" "$(printf '%q ' "$@")"; }
steps_args=(--in-pane $$ --cluster "$CLUSTER" --clients "$clients" --pause "$pause")
((keep)) && steps_args+=(--keep)
# Left: the steps above the timeline; right: the load above the status.
steps=$(tmux_cmd new-window -d -t "$TMUX_SESSION:" -n demo -P -F '#{pane_id}' \
  "$(pane_cmd "$JH_ROOT/scripts/demo-failover.sh" "${steps_args[@]}")")
load=$(tmux_cmd split-window -h -d -t "$steps" -P -F '#{pane_id}' "$(pane_cmd "${LOAD[@]}")")
timeline=$(tmux_cmd split-window -v -d -t "$steps" -P -F '#{pane_id}' "$(pane_cmd "${TIMELINE[@]}")")
watch=$(tmux_cmd split-window -v -d -t "$load" -P -F '#{pane_id}' "$(pane_cmd "$JH_ROOT/startup.sh" watch)")
tmux_cmd set-option -w -t "$steps" remain-on-exit on \; set-option -w -t "$steps" pane-border-status top \; \
  set-option -w -t "$steps" pane-border-format ' #{pane_title} ' \; select-pane -t "$steps" -T "the steps" \; \
  select-pane -t "$load" -T "the load: orders each second" \; \
  select-pane -t "$timeline" -T "the timeline: jh-client events --follow" \; \
  select-pane -t "$watch" -T "./startup.sh watch" \; select-pane -t "$steps" \; select-window -t "$steps"
if [[ -t 0 && -t 1 && -z ${TMUX:-} ]]; then
  note "Attaching to tmux: the demonstration runs in the window 'demo'; Ctrl-b d leaves it running."
  tmux_cmd attach -t "$TMUX_SESSION" || true
else
  note "The demonstration runs in tmux, window 'demo': $(tmux_attach_command); Enter there ends it."
  poll_until 86400 '[[ -s $DEMO/result ]] || ! tmux_cmd has-session -t "$TMUX_SESSION" 2>/dev/null'
fi
if [[ ! -s $DEMO/result ]]; then
  started=0
  tmux_cmd has-session -t "$TMUX_SESSION" 2>/dev/null || die "the tmux session ended before the demonstration did"
  note "Detached: the demonstration runs on ($(tmux_attach_command)); Enter in its window ends it."
  exit 0
fi
read -r rc step_no <"$DEMO/result"
((rc == 0)) && good "The demonstration succeeded: lost 0 (its steps are in the tmux window)."
exit "$rc"
