# shellcheck shell=bash disable=SC2034
# What startup.sh shows of a running system (sourced after launcher-lib.sh): the status table
# and its JSON form, `watch`, and the servers' logs as "HH:MM:SS.mmm name | LEVEL message".

# ---------------------------------------------------------------- status

SEP=$'\x1f'  # between a row's fields: not whitespace, so that empty fields stay fields

# Fills ROWS (name, kind, pid, state, port, role, orders; separated by $SEP, "" for none),
# VIEW (the answering front-end's `jh-client --json status`, or "") and PRIMARY. The front-end
# learns of an exit at its next heartbeat; the launcher knows at once, and its knowledge wins: an
# exited replica is "down" and not the primary (EXITED_PRIMARY then names it).
collect_status() {
  local n kind p state port role orders fe out
  declare -gA ANSWERS=()
  VIEW=""
  PRIMARY=""
  EXITED_PRIMARY=""
  for fe in "${FRONTENDS[@]}"; do
    port=$(node_port "$fe")
    # Not listening: no need to wait for jh-client's retries to say so.
    port_listening "$port" || continue
    [[ -x $BIN_DIR/jh-client ]] || continue
    out=$(timeout 3 "$BIN_DIR/jh-client" --cluster "$CLUSTER" --frontend "$fe" --json status 2>/dev/null) || continue
    ANSWERS[$fe]=1
    [[ -n $VIEW ]] || VIEW=$out
  done
  [[ -n $VIEW ]] && PRIMARY=$(jq -r '.primary // ""' <<<"$VIEW")
  ROWS=()
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}" "$CLIENT"; do
    kind=$(node_kind "$n")
    p=$(recorded_pid "$n")
    port=""
    [[ $kind == client ]] || port=$(node_port "$n")
    if [[ -z $p ]]; then
      state="-"
    elif ! pid_alive "$p" || ! is_ours "$n" "$p"; then
      state="exited"
    elif [[ $(proc_state "$p") == T ]]; then
      state="stopped"
    elif [[ -n $port ]] && ! port_listening "$port"; then
      state="starting"
    else
      state="running"
    fi
    role=""
    orders=""
    case $kind in
      replica)
        if [[ $state == exited ]]; then
          role="down"
          [[ $n != "$PRIMARY" ]] || EXITED_PRIMARY=$n PRIMARY=""
        elif [[ -n $VIEW ]]; then
          role=$(jq -r --arg n "$n" '.replicas[] | select(.name == $n) |
            .role + (if .state == "READY" or .state == "DOWN" then "" else ", " + .state end)' <<<"$VIEW")
          orders=$(jq -r --arg n "$n" '.replicas[] | select(.name == $n and .role != "down") | .order_count' <<<"$VIEW")
        fi ;;
      frontend)
        if [[ -n ${ANSWERS[$n]:-} ]]; then role="serving"; elif [[ $state == running ]]; then role="not answering"; fi ;;
    esac
    ROWS+=("$n$SEP$kind$SEP$p$SEP$state$SEP$port$SEP$role$SEP$orders")
  done
}

# The table, 80 columns wide at most; the primary's row stands out on a terminal.
status_table() {
  local row n kind p state port role orders line mode="not started"
  [[ -s $RUN_DIR/mode ]] && mode=$(<"$RUN_DIR/mode")
  say "cluster $(rel "$CLUSTER"), mode $mode"
  printf '%-17s %7s  %-9s %5s  %-20s %6s\n' NAME PID STATE PORT ROLE ORDERS
  for row in "${ROWS[@]}"; do
    IFS=$SEP read -r n kind p state port role orders <<<"$row"
    line=$(printf '%-17s %7s  %-9s %5s  %-20s %6s' "$n" "${p:--}" "$state" "${port:--}" "${role:--}" "${orders:--}")
    case $role in
      primary*) paint "1;32" "$line" ;;
      down* | "not answering") paint "31" "$line" ;;
      *) if [[ $state == exited || $state == stopped ]]; then paint "31" "$line"; else printf '%s' "$line"; fi ;;
    esac
    printf '\n'
  done
  # As jh-client status says it: how far a catching-up replica has got, which one is promoted.
  for row in "${ROWS[@]}"; do
    IFS=$SEP read -r n kind p state port role orders <<<"$row"
    case $role in
      *SYNCING) say "$n is catching up: $(jq -r --arg n "$n" '.primary as $p | .replicas[] | select(.name == $n) |
        "\(.fetched) rows fetched" + (if $p != "" then ", \(.lag) to go" else "" end)' <<<"$VIEW")." ;;
      *PROMOTING) say "$n is being promoted: it syncs with its peers before it serves." ;;
    esac
  done
  if [[ -z $VIEW ]]; then
    say "no front-end answered: the replicas' roles are unknown"
  elif [[ -n $EXITED_PRIMARY ]]; then
    say "no primary: $EXITED_PRIMARY exited; the front-end fails over at its next heartbeat"
  elif [[ -z $PRIMARY ]]; then
    say "no primary: no replica is READY"
  else
    say "primary: $PRIMARY"
  fi
}

status_json() {
  local row n kind p state port role orders
  for row in "${ROWS[@]}"; do
    IFS=$SEP read -r n kind p state port role orders <<<"$row"
    jq -n --arg name "$n" --arg kind "$kind" --arg pid "$p" --arg state "$state" --arg port "$port" \
      --arg role "$role" --arg orders "$orders" \
      '{name: $name, kind: $kind, pid: ($pid | if . == "" then null else tonumber end),
        state: $state, port: ($port | if . == "" then null else tonumber end),
        role: (if $role == "" then null else $role end),
        orders: ($orders | if . == "" then null else tonumber end)}'
  done | jq -s --arg cluster "$CLUSTER" --arg mode "$(cat "$RUN_DIR/mode" 2>/dev/null)" \
    --arg run "$RUN_DIR" --arg primary "$PRIMARY" --argjson view "${VIEW:-null}" \
    '{cluster: $cluster, mode: (if $mode == "" then null else $mode end), run_dir: $run,
      primary: (if $primary == "" then null else $primary end), processes: .,
      frontend_view: $view}'
}

cmd_status() {
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  collect_status
  if ((JSON)); then
    status_json
  else
    COLOUR=0
    use_colour && COLOUR=1
    status_table
    if [[ -s $RUN_DIR/mode && $(<"$RUN_DIR/mode") == tmux ]]; then say "windows: $(tmux_attach_command)"; fi
  fi
}

# The status table every second, drawn whole each time so that it does not flicker.
cmd_watch() {
  load_cluster "$CLUSTER_ARG" recorded
  load_bin_dir recorded
  COLOUR=0
  use_colour && COLOUR=1
  trap 'printf "\n"; exit 0' INT TERM
  local i=0 screen
  while [[ -z $COUNT ]] || ((i++ < COUNT)); do
    collect_status
    screen="Just Hungry at $(date +%H:%M:%S), every second (Ctrl-C to stop)"$'\n'$(status_table)
    if [[ -t 1 ]]; then printf '\033[H\033[2J%s\n' "$screen"; else printf '%s\n\n' "$screen"; fi
    [[ -n $COUNT ]] && ((i >= COUNT)) && break
    sleep 1
  done
}

# ---------------------------------------------------------------- logs

# Reads log lines of NAME ($1) on stdin and writes "SORTKEY<TAB>HH:MM:SS.mmm name | text" (the
# key only with $2 = keyed), padding the name to $3 columns. A server's line
# "2026-11-21T22:31:05.123Z INFO  name | message" becomes "22:31:05.123 name | INFO  message";
# other lines (startup.sh's markers, a crash's last words) take the time of the line before.
LOG_AWK='
function colour(code, text) { return COLOUR ? "\033[" code "m" text "\033[0m" : text }
BEGIN { last = "--:--:--.---"; key = "0000-00-00T00:00:00.000Z"; shown = sprintf("%-" WIDTH "s", NAME) }
/^==> .* <==$/ && FOLLOW {
  # tail -F names the file that the next lines come from.
  file = substr($0, 5, length($0) - 8); sub(/.*\//, "", file); sub(/\.log$/, "", file)
  NAME = file; shown = sprintf("%-" WIDTH "s", NAME); next
}
/^$/ && FOLLOW { next }
{
  line = $0; time = last
  if (line ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]Z /) {
    key = substr(line, 1, 24); time = substr(line, 12, 12)
    level = substr(line, 26, 5); body = substr(line, 32)
    p = index(body, " | ")
    if (p > 0 && substr(body, 1, p - 1) == NAME) body = substr(body, p + 3)
    if (level ~ /^WARN/) { level = colour("33", level); body = colour("33", body) }
    else if (level ~ /^ERROR/) { level = colour("1;31", level); body = colour("1;31", body) }
    else if (level ~ /^DEBUG/) { level = colour("2", level); body = colour("2", body) }
    line = level " " body
  } else if (line ~ /^----- [0-9-]+T[0-9:.]+Z /) {
    # Markers written before they had milliseconds count as .000.
    key = substr(line, 7, 19) (substr(line, 26, 1) == "." ? substr(line, 26, 4) : ".000") "Z"
    time = substr(key, 12, 12); line = colour("2", line)
  }
  last = time
  out = colour("2", time) " " colour(NAMECOLOUR[NAME] ? NAMECOLOUR[NAME] : "36", shown) " | " line
  if (KEYED) printf "%s\t%s\n", key, out; else print out
  fflush()
}'

# Runs LOG_AWK with the settings for NAME.
format_log() {
  local name=$1 keyed=$2 width=$3 follow=$4 colours="" i=0 n
  # One colour per component, the same on every run.
  for n in "${REPLICAS[@]}" "${FRONTENDS[@]}"; do
    colours+="NAMECOLOUR[\"$n\"] = \"$(((i++ % 6) + 31))\"; "
  done
  # mawk (Debian's awk) reads a pipe in blocks unless told otherwise: a followed log would lag.
  local interactive=()
  ((follow)) && awk -W version 2>&1 | grep -q mawk && interactive=(-W interactive)
  awk "${interactive[@]}" -v NAME="$name" -v KEYED="$keyed" -v WIDTH="$width" -v FOLLOW="$follow" \
    -v COLOUR="$COLOUR" "BEGIN { $colours }$LOG_AWK"
}

# logs [NAME ...]: the logs, merged by time when there are several. With "follow": tail -F.
cmd_logs() {
  local follow=${1:-} names=() files=() n width=0
  load_cluster "$CLUSTER_ARG" recorded
  COLOUR=0
  use_colour && COLOUR=1
  if ((${#NAMES[@]})); then names=("${NAMES[@]}"); else names=("${REPLICAS[@]}" "${FRONTENDS[@]}"); fi
  for n in "${names[@]}"; do
    case $(node_kind "$n") in
      replica | frontend) ;;
      *) die "no log for '$n': the servers are ${REPLICAS[*]} ${FRONTENDS[*]}" ;;
    esac
    ((${#n} > width)) && width=${#n}
    if [[ -f $LOG_DIR/$n.log ]]; then
      files+=("$LOG_DIR/$n.log")
    elif ((${#NAMES[@]})); then
      die "$n has no log yet ($(rel "$LOG_DIR/$n.log"))"
    fi
  done
  ((${#files[@]})) || die "no logs yet in $(rel "$LOG_DIR"): start the system first"
  if [[ $follow == follow ]]; then
    # tail names each file before its lines (even one, with -v), which tells awk whose they are.
    # Stopped (Ctrl-C, or a TERM to this script alone), it ends tail, and awk with it.
    local tail_pid
    exec 3< <(exec tail -v -n "${LINES:-10}" -F "${files[@]}" 2>/dev/null)
    tail_pid=$!
    trap 'kill "$tail_pid" 2>/dev/null; exit 0' INT TERM HUP
    format_log "${names[0]}" 0 "$width" 1 <&3 &
    wait $!
  elif ((${#files[@]} == 1)); then
    format_log "${names[0]}" 0 "$width" 0 <"${files[0]}" | tail -n "${LINES:-+1}"
  else
    local f
    for f in "${files[@]}"; do
      n=$(basename "$f" .log)
      format_log "$n" 1 "$width" 0 <"$f"
    done | sort -s -t $'\t' -k1,1 | cut -f2- | tail -n "${LINES:-+1}"
  fi
}
