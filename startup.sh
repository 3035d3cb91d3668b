#!/usr/bin/env bash
# Starts the whole Just Hungry system (replicas, front-end, client) and controls it afterwards.
# See usage() below and README.md. Everything it writes at run time goes under run/ ($JH_RUN_DIR).
set -euo pipefail
# shellcheck disable=SC2034  # PROG and the settings below are read by scripts/launcher-lib.sh
PROG=startup.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/launcher-lib.sh"

usage() {
  cat <<EOF
Usage: ./startup.sh [start] [--mode xterm|tmux|background] [--cluster F] [--log-level L]
                    [--no-attach]
       ./startup.sh stop | status [--json] | watch | clean [--orders]
       ./startup.sh restart NAME
       ./startup.sh kill NAME|primary [--signal S]       (default KILL)
       ./startup.sh logs [NAME ...] [-n N] | tail [NAME ...] [-n N]

start    installs missing Debian packages, builds what is stale, starts every replica and
         front-end of the cluster file, then the client: each in an xterm when an X display
         answers, else in tmux (one window each, socket $(rel "$TMUX_SOCKET")), else in the
         background (no client then). Servers log to run/logs/NAME.log in every mode.
stop     TERM, ${STOP_GRACE}s of grace, then KILL, to each process start started.
status   name, pid, state, port and the front-end's view of each replica (--json: for scripts).
watch    status every second, until Ctrl-C: watch the primary move.
restart  stops and starts one replica, front-end or the client, in the last start's mode.
kill     signals one process, or the current primary replica.
logs     the servers' logs (all of them, merged by time, without a NAME), each line as
         "HH:MM:SS.mmm name | LEVEL message"; -n N: the last N lines. tail: following.
clean    removes run/ once nothing runs; --orders also removes the replicas' orders.csv.

Cluster file: --cluster F, else \$JH_CLUSTER, else resources/cluster.json (the other commands use
the one of the last start). Log level: --log-level debug|info|warn|error, else \$JH_LOG_LEVEL.
Also: JH_RUN_DIR (run folder), JH_BIN_DIR (use these binaries, do not build), JH_TMUX_SOCKET,
JH_STOP_GRACE, NO_COLOR.
EOF
}

COMMAND=""
NAMES=()
MODE=""
CLUSTER_ARG=""
SIGNAL=KILL
ATTACH=1
JSON=0
ORDERS=0
LINES=""
COUNT=""
LOG_LEVEL=${JH_LOG_LEVEL:-}
# shellcheck disable=SC2034  # JSON and the others are read by scripts/launcher-view.sh
while (($#)); do
  case $1 in
    --mode) MODE=${2:?--mode needs xterm, tmux or background}; shift ;;
    --mode=*) MODE=${1#*=} ;;
    --cluster) CLUSTER_ARG=${2:?--cluster needs a file}; shift ;;
    --cluster=*) CLUSTER_ARG=${1#*=} ;;
    --signal) SIGNAL=${2:?--signal needs a signal}; shift ;;
    --signal=*) SIGNAL=${1#*=} ;;
    --log-level) LOG_LEVEL=${2:?--log-level needs debug, info, warn or error}; shift ;;
    --log-level=*) LOG_LEVEL=${1#*=} ;;
    -n | --lines) LINES=${2:?$1 needs a number}; shift ;;
    --count) COUNT=${2:?--count needs a number}; shift ;;
    --no-attach) ATTACH=0 ;;
    --json) JSON=1 ;;
    --orders) ORDERS=1 ;;
    -h | --help | help) usage; exit 0 ;;
    -*) warn "unknown option $1"; usage >&2; exit 2 ;;
    *) if [[ -z $COMMAND ]]; then COMMAND=$1; else NAMES+=("$1"); fi ;;
  esac
  shift
done
COMMAND=${COMMAND:-start}
NAME=${NAMES[0]:-}
case $MODE in "" | xterm | tmux | background) ;; *) warn "--mode must be xterm, tmux or background"; exit 2 ;; esac
case $LOG_LEVEL in "" | debug | info | warn | error) ;; *) warn "the log level must be debug, info, warn or error"; exit 2 ;; esac
[[ -z $LINES || $LINES =~ ^[0-9]+$ ]] || { warn "-n needs a number of lines"; exit 2; }
[[ -z $COUNT || $COUNT =~ ^[1-9][0-9]*$ ]] || { warn "--count needs a number"; exit 2; }
case $COMMAND in
  logs | tail) ;;
  restart | kill) ((${#NAMES[@]} <= 1)) || { warn "$COMMAND takes one NAME"; exit 2; } ;;
  *) ((${#NAMES[@]} == 0)) || { warn "$COMMAND takes no NAME (got ${NAMES[*]})"; exit 2; } ;;
esac

# shellcheck source=scripts/launcher-view.sh
source "$JH_ROOT/scripts/launcher-view.sh"

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

install_packages() {
  local extra=()
  # xterm only matters when there is a display to show it on.
  if [[ -n ${DISPLAY:-} && ( -z $MODE || $MODE == xterm ) ]]; then extra=(xterm x11-utils); fi
  "$JH_ROOT/scripts/install-deps.sh" "${extra[@]}" || warn "installing packages failed; going on with what is there"
}

build_binaries() {
  if [[ -n ${JH_BIN_DIR:-} ]]; then
    say "using the binaries in $(rel "$BIN_DIR") (JH_BIN_DIR is set: not building)"
  else
    local log=$RUN_DIR/logs/build.log began=$SECONDS
    : >"$log"
    if [[ ! -f $JH_ROOT/build/CMakeCache.txt ]]; then
      say "configuring build/"
      cmake -S "$JH_ROOT" -B "$JH_ROOT/build" >>"$log" 2>&1 ||
        { tail -n 30 "$log" >&2; die "configuring failed: see $(rel "$log")"; }
    fi
    # Only what runs the system: the tests are scripts/test.sh's business.
    say "building what is stale (output: $(rel "$log"))"
    cmake --build "$JH_ROOT/build" -j"$(nproc)" --target jh-replica jh-frontend jh-client jh-bench >>"$log" 2>&1 ||
      { tail -n 30 "$log" >&2; die "the build failed: see $(rel "$log")"; }
    ((SECONDS - began < 5)) || say "built in $((SECONDS - began)) s"
  fi
  local b
  for b in jh-replica jh-frontend jh-client; do
    [[ -x $BIN_DIR/$b ]] || die "$BIN_DIR/$b is missing: the build did not make it"
  done
}

# Refuses to start over a running system or a busy port, naming the culprit; removes stale pid
# files.
check_free() {
  local f n p port running=() problems=0
  for f in "$PID_DIR"/*.pid; do
    [[ -e $f ]] || continue
    n=$(basename "$f" .pid)
    p=$(recorded_pid "$n")
    if [[ -n $p ]] && pid_alive "$p" && is_ours "$n" "$p"; then
      running+=("$n")
    else
      say "removing the stale pid file $(rel "$f") (pid ${p:-?} is not running, or not ours)"
      rm -f "$f"
    fi
  done
  if ((${#running[@]})); then
    warn "already running: ${running[*]}"
    warn "see ./startup.sh status; end them with ./startup.sh stop"
    problems=1
  fi
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}"; do
    [[ " ${running[*]} " == *" $n "* ]] && continue  # its port is its own
    for port in "$(node_port "$n")" "$(http_port "$n")"; do
      [[ -n $port ]] || continue
      if port_listening "$port"; then
        warn "port $port of $n is in use by $(port_owner "$port")"
        problems=1
      fi
    done
  done
  ((problems == 0)) || die "not starting"
}

# Starts NAME in MODE and waits (at most 10 s) for its pid file. A server's output goes to
# run/logs/NAME.log in every mode (a window shows it too).
start_node() {
  local name=$1 pidfile kind log
  pidfile=$(pid_file "$name")
  kind=$(node_kind "$name")
  log=$LOG_DIR/$name.log
  node_command "$name"
  rm -f "$pidfile"
  local run=("$JH_ROOT/scripts/run-one.sh")
  if [[ $kind != client ]]; then
    # Logs are appended to across runs: mark where this one begins.
    echo "----- $(date -u +%FT%T.%3NZ) startup.sh ($MODE): ${CMD[*]}" >>"$log"
    [[ $MODE == background ]] || run+=(--log "$log")
  fi
  local where
  case $MODE in
    background)
      setsid "${run[@]}" "$pidfile" "${CMD[@]}" >>"$log" 2>&1 </dev/null &
      where="in the background"
      ;;
    tmux)
      local go=$RUN_DIR/tmux-go.$name pane line
      rm -f "$go"
      line="exec $(printf '%q ' "${run[@]}" --wait-for "$go" "$pidfile" "${CMD[@]}")"
      pane=""
      [[ -s $PID_DIR/$name.pane ]] && pane=$(<"$PID_DIR/$name.pane")
      if [[ -n $pane ]] && tmux_cmd respawn-pane -k -t "$pane" "$line" 2>/dev/null; then
        : # a restart: the same window, its earlier output above
      elif tmux_cmd has-session -t "$TMUX_SESSION" 2>/dev/null; then
        pane=$(tmux_cmd new-window -d -t "$TMUX_SESSION:" -n "$name" -P -F '#{pane_id}' "$line")
      else
        pane=$(tmux_cmd new-session -d -s "$TMUX_SESSION" -n "$name" -x 160 -y 48 \
          -P -F '#{pane_id}' "$line")
        # Room for every window's name in the status line of an 80-column terminal; the hint
        # only where there is room to spare.
        tmux_cmd set-option -t "$TMUX_SESSION" status-left "" \; \
          set-option -gw window-status-format "#I:#W" \; \
          set-option -gw window-status-current-format "#[reverse]#I:#W#[noreverse]" \; \
          set-option -t "$TMUX_SESSION" status-right-length 40 \; \
          set-option -t "$TMUX_SESSION" status-right \
          "#{?#{e|>:#{client_width},110}, Ctrl-b n/p: next/previous window ,}" >/dev/null
      fi
      echo "$pane" >"$PID_DIR/$name.pane"
      # Keep the window after a crash, so that its last words stay readable.
      tmux_cmd set-option -w -t "$pane" remain-on-exit on
      touch "$go"
      where="in tmux window $(tmux_cmd display-message -p -t "$pane" '#{window_index}')"
      ;;
    xterm)
      setsid xterm -title "$name" -hold -e "${run[@]}" "$pidfile" "${CMD[@]}" \
        >>"$LOG_DIR/$name.xterm.log" 2>&1 </dev/null &
      echo $! >"$(pid_file "$name.xterm")"
      where="in an xterm (pid $!)"
      ;;
  esac
  if [[ $kind == client ]]; then
    say "  $(printf '%-17s' "$name") $where"
  else
    say "  $(printf '%-17s' "$name") $where, log $(rel "$log")"
  fi
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
    warn "$n exited at start; the end of $(rel "$LOG_DIR/$n.log"):"
    tail -n 15 "$LOG_DIR/$n.log" 2>/dev/null | sed 's/^/    /' >&2 || true
  done
  for n in "${waiting[@]}"; do warn "$n is running but not listening on port $(node_port "$n") yet"; done
  ((${#dead[@]} == 0))
}

cmd_start() {
  install_packages  # first: reading the cluster file needs jq
  load_cluster "$CLUSTER_ARG"
  load_bin_dir
  mkdir -p "$PID_DIR" "$LOG_DIR"
  check_free        # before the build, which can take minutes
  ensure_secret
  build_binaries
  choose_mode
  say "mode: $MODE ($MODE_WHY)"
  echo "$MODE" >"$RUN_DIR/mode"
  echo "$CLUSTER" >"$RUN_DIR/cluster"
  echo "$LOG_LEVEL" >"$RUN_DIR/log-level"
  realpath "$BIN_DIR" >"$RUN_DIR/bin"
  local s=""
  ((${#FRONTENDS[@]} == 1)) || s=s
  say "cluster file: $(rel "$CLUSTER") (${#REPLICAS[@]} replicas, ${#FRONTENDS[@]} front-end$s)"
  local n
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}"; do start_node "$n"; done
  local ok=1
  wait_listening "${REPLICAS[@]}" "${FRONTENDS[@]}" || ok=0
  ((ok)) && say "every server listens on its port"
  for n in "${FRONTENDS[@]}"; do
    [[ -z $(node_http "$n") ]] || say "$n serves the web page at http://$(node_http "$n")/ (live view: #live)"
  done
  if [[ $MODE == background ]]; then say_client_command; else start_node "$CLIENT"; fi
  say "next: ./startup.sh status, watch, logs, kill primary, restart NAME, stop"
  ((ok)) || die "some servers did not come up: see above (./startup.sh stop ends the rest)"
  if [[ $MODE == tmux ]]; then
    if ((ATTACH)) && [[ -t 0 && -t 1 && -z ${TMUX:-} ]]; then
      tmux_cmd select-window -t "$(<"$PID_DIR/$CLIENT.pane")" 2>/dev/null || true
      say "attaching to tmux: Ctrl-b n/p moves between windows, Ctrl-b d detaches"
      tmux_cmd attach -t "$TMUX_SESSION" || true
      if tmux_cmd has-session -t "$TMUX_SESSION" 2>/dev/null; then
        say "detached; the system runs on. Back to the windows: $(tmux_attach_command)"
      fi
    else
      say "to watch the windows: $(tmux_attach_command)"
    fi
  fi
}

# In background mode there is no window for the client: says how to run it by hand.
say_client_command() {
  local cluster_opt=""
  [[ $CLUSTER == "$JH_ROOT/resources/cluster.json" ]] || cluster_opt=" --cluster $(rel "$CLUSTER")"
  say "the client has no window in background mode; run it in a terminal with:"
  say "  $(rel "$BIN_DIR")/jh-client$cluster_opt"
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
    tmux_cmd kill-server && say "  closed the tmux windows ($(rel "$TMUX_SOCKET"))"
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

cmd_restart() {
  [[ -n $NAME ]] || { warn "restart needs a NAME"; exit 2; }
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  [[ -n $(node_kind "$NAME") ]] || die "restart takes a replica, a front-end or the client: ${REPLICAS[*]} ${FRONTENDS[*]} $CLIENT"
  [[ -s $RUN_DIR/mode ]] || die "the system is not started (no $RUN_DIR/mode): run ./startup.sh first"
  local recorded
  recorded=$(<"$RUN_DIR/mode")
  [[ -z $MODE || $MODE == "$recorded" ]] || die "the system runs in $recorded mode; --mode $MODE does not apply"
  MODE=$recorded
  if [[ $NAME == "$CLIENT" && $MODE == background ]]; then say_client_command; exit 1; fi
  [[ -n $LOG_LEVEL || ! -s $RUN_DIR/log-level ]] || LOG_LEVEL=$(<"$RUN_DIR/log-level")
  mkdir -p "$PID_DIR" "$LOG_DIR"
  say "restarting $NAME ($MODE mode)"
  stop_names "$NAME" || die "$NAME could not be stopped"
  if [[ $MODE == xterm && -n $(running_pid "$NAME.xterm") ]]; then stop_names "$NAME.xterm" >/dev/null || true; fi
  local port
  port=$(node_port "$NAME")
  if [[ -n $port ]] && ! poll_until 5 "! port_listening $port"; then
    die "port $port of $NAME is still in use by $(port_owner "$port")"
  fi
  start_node "$NAME"
  [[ -z $port ]] || wait_listening "$NAME" || die "$NAME did not come back: see above"
  say "$NAME is back (pid $(running_pid "$NAME"))"
}

cmd_kill() {
  [[ -n $NAME ]] || { warn "kill needs a NAME or 'primary'"; exit 2; }
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  kill_node "$NAME" "$(normalise_signal "$SIGNAL")"
}

# Removes run/ (and with --orders the replicas' orders.csv) once nothing of ours runs.
cmd_clean() {
  local f n running=()
  for f in "$PID_DIR"/*.pid; do
    [[ -e $f ]] || continue
    n=$(basename "$f" .pid)
    [[ -n $(running_pid "$n") ]] && running+=("$n")
  done
  ((${#running[@]} == 0)) || die "still running: ${running[*]}; ./startup.sh stop first"
  if command -v tmux >/dev/null && tmux_cmd has-session 2>/dev/null; then
    die "the tmux windows are still open; ./startup.sh stop first"
  fi
  if ((ORDERS)); then
    load_cluster "$CLUSTER_ARG" recorded
    local d
    for n in "${REPLICAS[@]}"; do
      d=$(node_dir "$n")
      if compgen -G "$d/orders.csv*" >/dev/null; then
        rm -f "$d"/orders.csv "$d"/orders.csv.*
        say "removed the orders of $n ($(rel "$d")/orders.csv)"
      fi
    done
  fi
  if [[ -d $RUN_DIR ]]; then
    rm -rf "$RUN_DIR"
    say "removed $(rel "$RUN_DIR")"
  else
    say "nothing to clean: $(rel "$RUN_DIR") does not exist"
  fi
}

case $COMMAND in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  watch) cmd_watch ;;
  logs) cmd_logs ;;
  tail) cmd_logs follow ;;
  restart) cmd_restart ;;
  kill) cmd_kill ;;
  clean) cmd_clean ;;
  *) warn "unknown command '$COMMAND'"; usage >&2; exit 2 ;;
esac
