#!/usr/bin/env bash
# The failover demonstration, narrated, with nobody at the keyboard: starts the system, places an
# order, kills the primary (kill -9), places another, restarts the killed replica and shows it
# catch up and become primary again, lists the orders, and shows that the three orders.csv agree.
# Stops the system at the end (unless --keep). Exits non-zero, saying which step failed, if any
# step fails. Runs the system of ./startup.sh: the same cluster file, run/ folder and binaries.
# Usage: scripts/demo-failover.sh [--mode background|tmux|xterm] [--cluster F] [--pause S]
#        [--postcode P] [--keep]  (defaults: background, resources/cluster.json, a pause of 1 s
#        on a terminal, AB10 1AB)
set -euo pipefail
PROG=demo-failover.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"

mode=background
cluster_arg=""
keep=0
postcode="AB10 1AB"
pause=0
[[ -t 1 ]] && pause=1
while (($#)); do
  case $1 in
    --mode) mode=${2:?--mode needs background, tmux or xterm}; shift ;;
    --cluster) cluster_arg=${2:?--cluster needs a file}; shift ;;
    --pause) pause=${2:?--pause needs seconds}; shift ;;
    --postcode) postcode=${2:?--postcode needs a postcode}; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) warn "unknown argument $1 (see --help)"; exit 2 ;;
  esac
  shift
done
[[ $pause =~ ^[0-9]+(\.[0-9]+)?$ ]] || { warn "--pause needs a number of seconds"; exit 2; }

COLOUR=0
use_colour && COLOUR=1
STEPS=7
step_no=0
started=0
user="demo-$(date +%H%M%S)"

step() {
  step_no=$((step_no + 1))
  ((step_no == 1)) || sleep "$pause"
  printf '\n%s\n' "$(paint "1" "Step $step_no/$STEPS: $*")"
}
note() { printf '  %s\n' "$*"; }
good() { printf '  %s\n' "$(paint "32" "$*")"; }

finish() {
  local rc=$?
  if ((rc != 0)); then
    printf '\n%s\n' "$(paint "1;31" "The demonstration FAILED at step $step_no.")" >&2
    if ((started)); then
      note "The end of the servers' logs:" >&2
      "$JH_ROOT/startup.sh" logs -n 15 >&2 2>/dev/null || true
    fi
  fi
  if ((started && !keep)); then
    printf '\n'
    note "Stopping the system (--keep leaves it running)."
    "$JH_ROOT/startup.sh" stop >/dev/null 2>&1 || warn "./startup.sh stop failed: run it again"
  elif ((started)); then
    note "The system keeps running: ./startup.sh status, ./startup.sh stop"
  fi
  exit $rc
}
trap finish EXIT

client() { timeout 15 "$BIN_DIR/jh-client" --cluster "$CLUSTER" "$@"; }

# The front-end's view of NAME: "down", "backup, SYNCING", "primary, READY"…; "" when it does not
# answer.
view_of() {
  client --json status 2>/dev/null | jq -r --arg n "$1" \
    '.replicas[] | select(.name == $n) | if .role == "down" then "down" else .role + ", " + .state end' \
    2>/dev/null || true
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
primary() { client --json status 2>/dev/null | jq -r '.primary // ""' 2>/dev/null || true; }

# Places an order of ITEM for the demo's user; prints it; sets ORDER_JSON.
place() {
  local item=$1 began
  began=$(now_ms)
  ORDER_JSON=$(client --user "$user" --json order "$item" "$postcode") ||
    die "the order of $item failed (exit $?): $ORDER_JSON"
  good "$(jq -r '"Order placed: \(.item), £\(.price), to \(.post_code) (\(.area))"' <<<"$ORDER_JSON")"
  note "accepted by $(jq -r '.origin' <<<"$ORDER_JSON") in $(($(now_ms) - began)) ms;" \
    "id $(jq -r '.order_id' <<<"$ORDER_JSON")"
}

# Each replica's data rows, sorted: two replicas agree when these are the same.
sorted_rows() { tail -n +2 "$(node_dir "$1")/orders.csv" 2>/dev/null | LC_ALL=C sort; }

load_cluster "$cluster_arg"
load_bin_dir
first_replica=${REPLICAS[0]}

printf '%s\n' "$(paint "1" "Just Hungry: the failover demonstration")"
note "One front-end routes orders to the primary replica; the backups hold copies."
note "We kill the primary with kill -9 while orders keep coming, and bring it back."

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
note "Waiting until every replica is READY and $first_replica is primary..."
poll_until 30 '[[ $(client --json status 2>/dev/null | jq -r "select(all(.replicas[]; .state == \"READY\")) | .primary" 2>/dev/null) == "$first_replica" ]]' ||
  die "the replicas did not settle within 30 s: $(client status 2>&1 || true)"
good "Every replica is READY; the primary is $first_replica."

step "place an order as user $user"
place HAMBURGER
first_id=$(jq -r '.order_id' <<<"$ORDER_JSON")

step "kill -9 the primary"
killed=$(primary)
[[ -n $killed ]] || die "the front-end names no primary"
"$JH_ROOT/scripts/kill-primary.sh" --cluster "$CLUSTER" | sed 's/^/  /'
note "Waiting for the front-end to notice..."
poll_until 10 '[[ $(view_of "$killed") == down ]]' || die "the front-end still sees $killed up after 10 s"
good "The front-end sees $killed down; the primary is now $(primary)."

step "place another order while $killed is down"
place "FISH FINGERS"
second_id=$(jq -r '.order_id' <<<"$ORDER_JSON")
[[ $(jq -r '.origin' <<<"$ORDER_JSON") != "$killed" ]] || die "the order claims to come from the killed replica"

step "restart $killed: it catches up, then becomes primary again"
"$JH_ROOT/startup.sh" restart "$killed" >/dev/null || die "./startup.sh restart $killed failed"
note "Restarted; what the front-end sees of it:"
last=""
began=$(now_ms)
poll_until 30 'seen=$(view_of "$killed"); if [[ -n $seen && $seen != "$last" ]]; then note "  $killed: $seen"; last=$seen; fi; [[ $seen == "primary, READY" ]]' ||
  die "$killed is '$last' after 30 s, not the READY primary"
good "$killed caught up and is primary again, $(($(now_ms) - began)) ms after it listened again."
note "Its own log since the restart says how:"
"$JH_ROOT/startup.sh" logs "$killed" | awk '/startup.sh \(/ { n = 0 } { lines[++n] = $0 }
  END { for (i = 1; i <= n; i++) if (lines[i] ~ /catching up|caught up|state READY/) print "  " lines[i] }' 

step "list the orders of $user"
note "What the client shows (jh-client --user $user orders):"
client --user "$user" orders | sed 's/^/  /' || die "listing the orders failed"
orders=$(client --user "$user" --json orders) || die "listing the orders failed: $orders"
ids=$(jq -r '.orders[].order_id' <<<"$orders")
[[ $ids == *"$first_id"* && $ids == *"$second_id"* ]] || die "the list lacks an order: $orders"
good "Both orders are there, each once."

step "compare the three replicas' orders.csv"
agree() {
  local r reference
  reference=$(sorted_rows "$first_replica")
  for r in "${REPLICAS[@]}"; do [[ $(sorted_rows "$r") == "$reference" ]] || return 1; done
  [[ $reference == *"$first_id"* && $reference == *"$second_id"* ]]
}
poll_until 15 agree || note "They do not agree yet after 15 s:"
note "Each replica's orders.csv: its rows, sorted, counted and hashed (sha256):"
for r in "${REPLICAS[@]}"; do
  note "$(printf '  %-17s %3d orders  %.16s  %s' "$r" "$(sorted_rows "$r" | grep -c . || true)" \
    "$(sorted_rows "$r" | sha256sum)" "$(rel "$(node_dir "$r")")/")"
done
agree || die "the replicas' orders.csv differ"
good "All three orders.csv hold the same orders."

printf '\n%s\n' "$(paint "1;32" "The demonstration succeeded: no acknowledged order was lost.")"
