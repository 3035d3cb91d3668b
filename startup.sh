#!/usr/bin/env bash
# Starts the whole Just Hungry system (replicas, front-end, client) and controls it afterwards.
# See usage() below and README.md. Everything it writes at run time goes under run/ ($JH_RUN_DIR).
set -euo pipefail
PROG=startup.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/launcher-lib.sh"

usage() {
  cat <<EOF
Usage: ./startup.sh [start] [--mode xterm|tmux|background] [--cluster F] [--no-attach]
       ./startup.sh stop | status
       ./startup.sh restart NAME
       ./startup.sh kill NAME|primary [--signal S]     (default KILL)

start    installs missing Debian packages, builds if stale, starts every replica and front-end
         of the cluster file and the client: each in an xterm when an X display answers, else
         in a tmux session (socket '$TMUX_SOCKET', one window each), else in the background
         with logs in run/logs/ (the client is then not started).
stop     TERM, ${STOP_GRACE}s grace, then KILL, for everything start started (by pid).
status   name, pid, alive, port of each process, and the front-end's view.
restart  stops and starts one replica or front-end by name, in the mode of the last start.
kill     signals one process, or the current primary replica.

Cluster file: --cluster F, else \$JH_CLUSTER, else resources/cluster.json (stop, status, restart
and kill use the one of the last start). Also: JH_RUN_DIR (run folder), JH_BIN_DIR (use these
binaries and do not build), JH_TMUX_SOCKET, JH_STOP_GRACE.
EOF
}

COMMAND=""
NAME=""
MODE=""
CLUSTER_ARG=""
SIGNAL=KILL
ATTACH=1
while (($#)); do
  case $1 in
    --mode) MODE=${2:?--mode needs xterm, tmux or background}; shift ;;
    --mode=*) MODE=${1#*=} ;;
    --cluster) CLUSTER_ARG=${2:?--cluster needs a file}; shift ;;
    --cluster=*) CLUSTER_ARG=${1#*=} ;;
    --signal) SIGNAL=${2:?--signal needs a signal}; shift ;;
    --signal=*) SIGNAL=${1#*=} ;;
    --no-attach) ATTACH=0 ;;
    -h | --help | help) usage; exit 0 ;;
    -*) warn "unknown option $1"; usage >&2; exit 2 ;;
    *)
      if [[ -z $COMMAND ]]; then
        COMMAND=$1
      elif [[ -z $NAME ]]; then
        NAME=$1
      else
        warn "unexpected argument $1"; exit 2
      fi
      ;;
  esac
  shift
done
COMMAND=${COMMAND:-start}
case $MODE in "" | xterm | tmux | background) ;; *) warn "--mode must be xterm, tmux or background"; exit 2 ;; esac

# ---------------------------------------------------------------- start

# Sets MODE (when not forced) and MODE_WHY.
choose_mode() {
  local display_ok=0 why_no_x
  if [[ -z ${DISPLAY:-} ]]; then
    why_no_x="DISPLAY is not set"
  elif ! command -v xterm >/dev/null; then
    why_no_x="xterm is not installed"
  elif command -v xdpyinfo >/dev/null && timeout 5 xdpyinfo >/dev/null 2>&1; then
    display_ok=1
  elif command -v xset >/dev/null && timeout 5 xset q >/dev/null 2>&1; then
    display_ok=1
  else
    why_no_x="the X display $DISPLAY does not answer"
  fi
  case $MODE in
    xterm)
      ((display_ok)) || die "--mode xterm: $why_no_x"
      MODE_WHY="forced by --mode" ;;
    tmux)
      command -v tmux >/dev/null || die "--mode tmux: tmux is not installed"
      MODE_WHY="forced by --mode" ;;
    background) MODE_WHY="forced by --mode" ;;
    "")
      if ((display_ok)); then
        MODE=xterm MODE_WHY="the X display $DISPLAY answers"
      elif command -v tmux >/dev/null; then
        MODE=tmux MODE_WHY="$why_no_x, and tmux is installed"
      else
        MODE=background MODE_WHY="$why_no_x, and tmux is not installed"
      fi ;;
  esac
}

install_and_build() {
  local extra=()
  # xterm only matters when there is a display to show it on.
  if [[ -n ${DISPLAY:-} && ( -z $MODE || $MODE == xterm ) ]]; then extra=(xterm x11-utils); fi
  "$JH_ROOT/scripts/install-deps.sh" "${extra[@]}" || warn "installing packages failed; going on with what is there"
  if [[ -n ${JH_BIN_DIR:-} ]]; then
    say "using the binaries in $BIN_DIR (JH_BIN_DIR is set: not building)"
  else
    if [[ ! -f $JH_ROOT/build/CMakeCache.txt ]]; then
      say "configuring build/"
      cmake -S "$JH_ROOT" -B "$JH_ROOT/build" >/dev/null
    fi
    say "building (if stale)"
    cmake --build "$JH_ROOT/build" -j"$(nproc)" >"$RUN_DIR/logs/build.log" 2>&1 ||
      { tail -n 30 "$RUN_DIR/logs/build.log" >&2; die "the build failed: see $RUN_DIR/logs/build.log"; }
  fi
  local b
  for b in jh-replica jh-frontend jh-client; do
    [[ -x $BIN_DIR/$b ]] || die "$BIN_DIR/$b is missing: the build did not make it"
  done
}

# Refuses to start over a running system or a busy port; removes stale pid files.
check_free() {
  local f n p port problems=0
  for f in "$PID_DIR"/*.pid; do
    [[ -e $f ]] || continue
    n=$(basename "$f" .pid)
    p=$(recorded_pid "$n")
    if [[ -n $p ]] && pid_alive "$p" && is_ours "$n" "$p"; then
      warn "$n is already running (pid $p, from $f): use ./startup.sh status, stop, or restart $n"
      problems=1
    else
      say "removing stale pid file $f (pid ${p:-?} is not running, or is no longer ours)"
      rm -f "$f"
    fi
  done
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}"; do
    port=$(node_port "$n")
    if port_listening "$port"; then
      warn "port $port of $n ($(node_address "$n")) is in use by $(port_owner "$port")"
      problems=1
    fi
  done
  ((problems == 0)) || die "not starting: see above"
}

# Starts NAME in MODE and waits (at most 10 s) for its pid file.
start_node() {
  local name=$1 pidfile kind
  pidfile=$(pid_file "$name")
  kind=$(node_kind "$name")
  node_command "$name"
  rm -f "$pidfile"
  # Logs are appended to across runs: mark where this one begins.
  [[ $kind == client ]] || echo "----- $(date -u +%FT%TZ) startup.sh ($MODE): ${CMD[*]}" >>"$LOG_DIR/$name.log"
  case $MODE in
    background)
      say "  $name: ${CMD[*]}  (log: $LOG_DIR/$name.log)"
      setsid "$JH_ROOT/scripts/run-one.sh" "$pidfile" "${CMD[@]}" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
      ;;
    tmux)
      local go=$RUN_DIR/tmux-go.$name pane line
      rm -f "$go"
      line="exec $(printf '%q ' "$JH_ROOT/scripts/run-one.sh" --wait-for "$go" "$pidfile" "${CMD[@]}")"
      if tmux_cmd has-session -t "$TMUX_SESSION" 2>/dev/null; then
        pane=$(tmux_cmd new-window -d -t "$TMUX_SESSION:" -n "$name" -P -F '#{pane_id}' "$line")
      else
        pane=$(tmux_cmd new-session -d -s "$TMUX_SESSION" -n "$name" -x 160 -y 48 \
          -P -F '#{pane_id}' "$line")
      fi
      echo "$pane" >"$PID_DIR/$name.pane"
      # Keep the window after a crash, so that its last words stay readable.
      tmux_cmd set-option -w -t "$pane" remain-on-exit on
      if [[ $kind != client ]]; then
        tmux_cmd pipe-pane -t "$pane" -o "cat >> $(printf '%q' "$LOG_DIR/$name.log")"
      fi
      touch "$go"
      if [[ $kind == client ]]; then say "  $name: tmux window $pane"; else say "  $name: tmux window $pane  (log: $LOG_DIR/$name.log)"; fi
      ;;
    xterm)
      local args=(-title "$name" -hold)
      [[ $kind != client ]] && args+=(-l -lf "$LOG_DIR/$name.log")
      setsid xterm "${args[@]}" -e "$JH_ROOT/scripts/run-one.sh" "$pidfile" "${CMD[@]}" \
        >>"$LOG_DIR/$name.xterm.log" 2>&1 </dev/null &
      echo $! >"$(pid_file "$name.xterm")"
      say "  $name: xterm pid $!"
      ;;
  esac
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -s $pidfile ]] && break
    sleep 0.05
  done
  [[ -s $pidfile ]] || warn "$name did not start (no pid file after 10 s)"
  rm -f "$RUN_DIR/tmux-go.$name"
}

# Waits (at most 20 s) until every server listens on its port; reports any that died.
wait_listening() {
  local deadline=$((SECONDS + 20)) n p waiting dead=()
  while :; do
    waiting=()
    dead=()
    for n in "$@"; do
      p=$(running_pid "$n")
      if [[ -z $p ]]; then
        dead+=("$n")
      elif ! port_listening "$(node_port "$n")"; then
        waiting+=("$n")
      fi
    done
    ((${#waiting[@]} == 0 || SECONDS >= deadline)) && break
    sleep 0.1
  done
  for n in "${dead[@]}"; do
    warn "$n exited at start; the end of $LOG_DIR/$n.log:"
    tail -n 15 "$LOG_DIR/$n.log" 2>/dev/null | sed 's/^/    /' >&2 || true
  done
  for n in "${waiting[@]}"; do warn "$n is running but not listening on port $(node_port "$n") yet"; done
  ((${#dead[@]} == 0))
}

cmd_start() {
  [[ -z $NAME ]] || { warn "start takes no name (use restart NAME)"; exit 2; }
  load_cluster "$CLUSTER_ARG"
  load_bin_dir
  mkdir -p "$PID_DIR" "$LOG_DIR"
  install_and_build
  check_free
  choose_mode
  say "mode: $MODE ($MODE_WHY)"
  echo "$MODE" >"$RUN_DIR/mode"
  echo "$CLUSTER" >"$RUN_DIR/cluster"
  realpath "$BIN_DIR" >"$RUN_DIR/bin"
  say "cluster file: $CLUSTER"
  local n
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}"; do start_node "$n"; done
  local ok=1
  wait_listening "${REPLICAS[@]}" "${FRONTENDS[@]}" || ok=0
  if ((ok)); then
    say "all servers are listening: replicas ${REPLICAS[*]}; front-end ${FRONTENDS[*]}"
  fi
  if [[ $MODE == background ]]; then
    say "the client is not started in the background; run it with:"
    say "  $BIN_DIR/jh-client --cluster $CLUSTER"
  else
    start_node "$CLIENT"
  fi
  say "next: ./startup.sh status | scripts/kill-primary.sh | ./startup.sh restart NAME | ./startup.sh stop"
  ((ok)) || die "some servers did not come up: see above (./startup.sh stop ends the rest)"
  if [[ $MODE == tmux ]]; then
    local attach=(tmux -L "$TMUX_SOCKET" attach -t "$TMUX_SESSION")
    if ((ATTACH)) && [[ -t 0 && -t 1 && -z ${TMUX:-} ]]; then
      tmux_cmd select-window -t "$(<"$PID_DIR/$CLIENT.pane")" 2>/dev/null || true
      say "attaching to tmux (detach with Ctrl-b d; windows: Ctrl-b n/p)"
      exec "${attach[@]}"
    fi
    say "to watch: ${attach[*]}"
  fi
}

# ---------------------------------------------------------------- stop, status, restart, kill

cmd_stop() {
  local names=() f n port rc=0
  if [[ -d $PID_DIR ]]; then
    for f in "$PID_DIR"/*.pid; do
      [[ -e $f ]] || continue
      n=$(basename "$f" .pid)
      [[ $n == *.xterm ]] || names+=("$n")
    done
  fi
  say "stopping ${names[*]:-nothing (no pid files in $PID_DIR)}"
  stop_names "${names[@]}" || rc=1
  # The xterm windows (kept open by -hold) and the tmux session are ours too.
  local xterms=()
  for f in "$PID_DIR"/*.xterm.pid; do
    [[ -e $f ]] && xterms+=("$(basename "$f" .pid)")
  done
  ((${#xterms[@]} == 0)) || stop_names "${xterms[@]}" >/dev/null || rc=1
  if command -v tmux >/dev/null && tmux_cmd has-session -t "$TMUX_SESSION" 2>/dev/null; then
    tmux_cmd kill-session -t "$TMUX_SESSION" && say "  closed tmux session $TMUX_SESSION (socket $TMUX_SOCKET)"
  fi
  rm -f "$PID_DIR"/*.pane "$RUN_DIR/mode" "$RUN_DIR"/tmux-go.*
  # Name what still holds a port of the cluster: no pid file here says it is ours, so it is left
  # alone.
  if [[ -n $CLUSTER_ARG ]] || { [[ -s $RUN_DIR/cluster ]] && [[ -f $(<"$RUN_DIR/cluster") ]]; }; then
    load_cluster "$CLUSTER_ARG" recorded
    for n in "${REPLICAS[@]}" "${FRONTENDS[@]}"; do
      port=$(node_port "$n")
      if port_listening "$port"; then warn "port $port of $n is still in use by $(port_owner "$port") (no pid file of ours: left alone)"; fi
    done
  fi
  if ((rc)); then die "some processes survived: see above"; fi
  say "stopped"
}

cmd_status() {
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  local mode="not started"
  [[ -s $RUN_DIR/mode ]] && mode=$(<"$RUN_DIR/mode")
  say "cluster file: $CLUSTER"
  say "mode: $mode"
  printf '%-20s %-8s %-8s %-6s %s\n' NAME PID ALIVE PORT LISTENING
  local n p alive port listening
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}" "$CLIENT"; do
    p=$(recorded_pid "$n")
    alive=no
    if [[ -n $p ]] && pid_alive "$p" && is_ours "$n" "$p"; then
      alive=yes
      [[ $(proc_state "$p") == T ]] && alive=stopped
    fi
    port=$(node_port "$n" || true)
    listening=""
    if [[ -n $port ]]; then
      listening=no
      port_listening "$port" && listening=yes
    fi
    printf '%-20s %-8s %-8s %-6s %s\n' "$n" "${p:--}" "$alive" "${port:--}" "${listening:--}"
  done
  if [[ $mode == tmux ]]; then say "tmux: tmux -L $TMUX_SOCKET attach -t $TMUX_SESSION"; fi
  if [[ -x $BIN_DIR/jh-client ]]; then
    say ""
    say "the front-end's view (jh-client status):"
    timeout 10 "$BIN_DIR/jh-client" --cluster "$CLUSTER" status || say "  (no answer: exit code $?)"
  fi
}

cmd_restart() {
  [[ -n $NAME ]] || { warn "restart needs a NAME"; exit 2; }
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  case $(node_kind "$NAME") in
    replica | frontend) ;;
    *) die "restart takes a replica or a front-end: ${REPLICAS[*]} ${FRONTENDS[*]}" ;;
  esac
  [[ -s $RUN_DIR/mode ]] || die "the system is not started (no $RUN_DIR/mode): run ./startup.sh first"
  local recorded
  recorded=$(<"$RUN_DIR/mode")
  [[ -z $MODE || $MODE == "$recorded" ]] || die "the system runs in $recorded mode; --mode $MODE does not apply"
  MODE=$recorded
  mkdir -p "$PID_DIR" "$LOG_DIR"
  say "restarting $NAME ($MODE mode)"
  stop_names "$NAME" || die "$NAME could not be stopped"
  if [[ $MODE == xterm && -n $(running_pid "$NAME.xterm") ]]; then stop_names "$NAME.xterm" >/dev/null || true; fi
  if [[ $MODE == tmux && -s $PID_DIR/$NAME.pane ]]; then
    tmux_cmd kill-pane -t "$(<"$PID_DIR/$NAME.pane")" 2>/dev/null || true
  fi
  local port i
  port=$(node_port "$NAME")
  for ((i = 0; i < 50; i++)); do
    port_listening "$port" || break
    sleep 0.1
  done
  port_listening "$port" && die "port $port of $NAME is still in use by $(port_owner "$port")"
  start_node "$NAME"
  wait_listening "$NAME" || die "$NAME did not come back: see above"
  say "$NAME is back (pid $(running_pid "$NAME"))"
}

cmd_kill() {
  [[ -n $NAME ]] || { warn "kill needs a NAME or 'primary'"; exit 2; }
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  kill_node "$NAME" "$(normalise_signal "$SIGNAL")"
}

case $COMMAND in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_restart ;;
  kill) cmd_kill ;;
  *) warn "unknown command '$COMMAND'"; usage >&2; exit 2 ;;
esac
