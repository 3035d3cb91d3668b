# shellcheck shell=bash disable=SC2034  # (variables used by the scripts that source this)
# Shared by startup.sh and scripts/kill-primary.sh (sourced, not run): where things live, the
# cluster file (read with jq), pid files, and signalling only what startup.sh started, by pid.
#
# Environment: JH_RUN_DIR (default run/), JH_BIN_DIR (default build/bin), JH_CLUSTER,
# JH_TMUX_SOCKET (default run/tmux.sock; a name without a slash is a socket in tmux's own
# folder), JH_STOP_GRACE (seconds, default 5).

JH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=${JH_RUN_DIR:-$JH_ROOT/run}
PID_DIR=$RUN_DIR/pids
LOG_DIR=$RUN_DIR/logs
# The tmux server of our own, so that the user's sessions and ours never meet.
TMUX_SOCKET=${JH_TMUX_SOCKET:-$RUN_DIR/tmux.sock}
TMUX_SESSION=justhungry
STOP_GRACE=${JH_STOP_GRACE:-5}
CLIENT=client  # the interactive client's name in pid files and windows
PROG=${PROG:-$(basename "$0")}

say() { printf '%s\n' "$*"; }
# PATH as a person would type it from here: relative when it lies below the current folder.
rel() {
  local p=$1
  [[ $p == "$PWD"/* ]] && p=${p#"$PWD"/}
  printf '%s' "$p"
}
# Whether standard output gets colour: a terminal, NO_COLOR unset, TERM not dumb.
use_colour() { [[ -t 1 && -z ${NO_COLOR:-} && ${TERM:-dumb} != dumb ]]; }
# TEXT in the SGR colour CODE ("1;32") when COLOUR is 1.
paint() {
  if ((${COLOUR:-0})); then printf '\033[%sm%s\033[0m' "$1" "$2"; else printf '%s' "$2"; fi
}
warn() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
  warn "$*"
  exit 1
}

# Evaluates CONDITION (a string) every 0.1 s until it succeeds (0) or SECONDS pass (1).
poll_until() {
  local poll_seconds=$1 poll_condition=$2 poll_deadline
  poll_deadline=$(($(date +%s%N) + poll_seconds * 1000000000))
  until eval "$poll_condition"; do
    (($(date +%s%N) < poll_deadline)) || return 1
    sleep 0.1
  done
}

# Creates the cluster secret that the cluster file names (secret_file), when it does not exist:
# random bytes, readable by this user only. Front-ends and replicas present it to each other.
ensure_secret() {
  local f
  f=$(jq -r '.secret_file // empty' "$CLUSTER")
  [[ -n $f ]] || return 0
  [[ $f == /* ]] || f=$(dirname "$CLUSTER")/$f
  [[ -e $f ]] && return 0
  mkdir -p "$(dirname "$f")"
  (umask 077 && head -c 32 /dev/urandom | base64 >"$f")
  say "created the cluster secret $(rel "$f") (owner-only)"
}

# Sets CLUSTER (an absolute path), REPLICAS and FRONTENDS (names, in file order).
# $1: the --cluster argument or "". $2: "recorded" to prefer the file of the last start over
# $JH_CLUSTER and the default.
load_cluster() {
  local given=$1 prefer=${2:-}
  if [[ -n $given ]]; then
    CLUSTER=$given
  elif [[ $prefer == recorded && -s $RUN_DIR/cluster ]]; then
    CLUSTER=$(<"$RUN_DIR/cluster")
  elif [[ -n ${JH_CLUSTER:-} ]]; then
    CLUSTER=$JH_CLUSTER
  else
    CLUSTER=$JH_ROOT/resources/cluster.json
  fi
  [[ -f $CLUSTER ]] || die "cluster file not found: $CLUSTER"
  CLUSTER=$(realpath "$CLUSTER")
  command -v jq >/dev/null || die "jq is needed to read $CLUSTER: run scripts/install-deps.sh"
  jq -e '(.replicas | type == "array" and length > 0) and (.frontends | type == "array" and length > 0)' \
    "$CLUSTER" >/dev/null || die "$CLUSTER: needs a list of \"frontends\" and of \"replicas\", each non-empty"
  mapfile -t REPLICAS < <(jq -r '.replicas[].name' "$CLUSTER")
  mapfile -t FRONTENDS < <(jq -r '.frontends[].name' "$CLUSTER")
}

# Sets BIN_DIR: $JH_BIN_DIR, else (with "recorded") the folder of the last start, else build/bin.
load_bin_dir() {
  if [[ -n ${JH_BIN_DIR:-} ]]; then
    BIN_DIR=$JH_BIN_DIR
  elif [[ ${1:-} == recorded && -s $RUN_DIR/bin ]]; then
    BIN_DIR=$(<"$RUN_DIR/bin")
  else
    BIN_DIR=$JH_ROOT/build/bin
  fi
}

node_address() {
  jq -r --arg n "$1" '(.frontends[], .replicas[]) | select(.name == $n) | .address' "$CLUSTER"
}

# A replica's folder (the cluster file's "dir", resolved against the file's folder).
node_dir() {
  local d
  d=$(jq -r --arg n "$1" '.replicas[] | select(.name == $n) | .dir' "$CLUSTER")
  [[ -z $d || $d == /* ]] || d=$(dirname "$CLUSTER")/$d
  printf '%s' "$d"
}

# A front-end's HTTP address ("" when it has none).
node_http() {
  jq -r --arg n "$1" '.frontends[] | select(.name == $n) | .http // empty' "$CLUSTER"
}

# The port of a front-end's HTTP address ("" when it has none).
http_port() {
  local a
  a=$(node_http "$1")
  [[ -z $a ]] || echo "${a##*:}"
}

node_port() {
  local a
  a=$(node_address "$1")
  [[ -z $a ]] || echo "${a##*:}"
}

# replica, frontend, client, or nothing for an unknown name.
node_kind() {
  local n
  [[ $1 == "$CLIENT" ]] && { echo client; return; }
  for n in "${REPLICAS[@]}"; do [[ $n == "$1" ]] && { echo replica; return; }; done
  for n in "${FRONTENDS[@]}"; do [[ $n == "$1" ]] && { echo frontend; return; }; done
  return 0
}

# Sets CMD to the command line that runs NAME (servers with --log-level $LOG_LEVEL when set).
node_command() {
  local level=()
  [[ -n ${LOG_LEVEL:-} ]] && level=(--log-level "$LOG_LEVEL")
  case $(node_kind "$1") in
    replica) CMD=("$BIN_DIR/jh-replica" --cluster "$CLUSTER" --name "$1" "${level[@]}") ;;
    frontend) CMD=("$BIN_DIR/jh-frontend" --cluster "$CLUSTER" --name "$1" "${level[@]}") ;;
    client) CMD=("$BIN_DIR/jh-client" --cluster "$CLUSTER") ;;
    *) die "unknown name '$1' (known: ${REPLICAS[*]} ${FRONTENDS[*]} $CLIENT)" ;;
  esac
}

pid_file() { echo "$PID_DIR/$1.pid"; }

# The pid recorded for NAME (or NAME.xterm), if the file holds one.
recorded_pid() {
  local f
  f=$(pid_file "$1")
  [[ -s $f ]] || return 0
  local p
  p=$(<"$f")
  [[ $p =~ ^[0-9]+$ ]] && echo "$p"
  return 0
}

# One letter: R, S, T (stopped), Z (zombie)…, or nothing when there is no such process.
proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  echo "${stat%% *}"
}

# Alive: exists and is not a zombie (an exited child that nobody reaped is not running).
pid_alive() {
  local s
  s=$(proc_state "$1")
  [[ -n $s && $s != Z && $s != X ]]
}

proc_cmdline() { tr '\0\n' '  ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# Whether PID is the process that startup.sh started as NAME (and not a stranger that got the
# pid later): its command line must be ours.
is_ours() {
  local name=$1 pid=$2 cmd
  cmd=$(proc_cmdline "$pid")
  case $name in
    *.xterm) [[ $cmd == *xterm* && $cmd == *"-title ${name%.xterm} "* ]] ;;
    "$CLIENT") [[ $cmd == *jh-client* || $cmd == *"run-one.sh"*"/$CLIENT.pid "* ]] ;;
    *) [[ ($cmd == *jh-* && $cmd == *"--name $name "*) || $cmd == *"run-one.sh"*"/$name.pid "* ]] ;;
  esac
}

# The pid of NAME if it is running and ours; nothing otherwise.
running_pid() {
  local p
  p=$(recorded_pid "$1")
  [[ -n $p ]] && pid_alive "$p" && is_ours "$1" "$p" && echo "$p"
  return 0
}

# "KILL", "SIGKILL", "kill" or "9" -> "KILL"; dies on anything kill(1) does not know.
normalise_signal() {
  local s=${1^^}
  s=${s#SIG}
  if [[ $s =~ ^[0-9]+$ ]]; then
    s=$(kill -l "$s" 2>/dev/null) || die "unknown signal '$1'"
  fi
  kill -l "$s" >/dev/null 2>&1 || die "unknown signal '$1'"
  echo "$s"
}

# Ends the named processes: TERM (and CONT, for a stopped one), up to STOP_GRACE seconds, then
# KILL. Reports each; returns 1 if any survives.
stop_names() {
  local -a names=() pids=()
  local n p
  for n in "$@"; do
    p=$(running_pid "$n")
    if [[ -z $p ]]; then
      if [[ -n $(recorded_pid "$n") ]]; then
        say "  $n: not running (removed its pid file)"
        rm -f "$(pid_file "$n")"
      fi
      continue
    fi
    names+=("$n")
    pids+=("$p")
    kill -s TERM "$p" 2>/dev/null && kill -s CONT "$p" 2>/dev/null || true
  done
  ((${#pids[@]} == 0)) && return 0
  local deadline=$((SECONDS + STOP_GRACE)) any
  while ((SECONDS < deadline)); do
    any=0
    for p in "${pids[@]}"; do pid_alive "$p" && any=1; done
    ((any)) || break
    sleep 0.1
  done
  local i rc=0 how
  for i in "${!pids[@]}"; do
    p=${pids[$i]}
    n=${names[$i]}
    how="TERM"
    if pid_alive "$p"; then
      kill -s KILL "$p" 2>/dev/null || true
      how="KILL after ${STOP_GRACE}s"
      for _ in {1..20}; do pid_alive "$p" || break; sleep 0.05; done
    fi
    if pid_alive "$p"; then
      warn "$n (pid $p) survived SIGKILL: $(proc_cmdline "$p")"
      rc=1
    else
      say "  stopped $n (pid $p, $how)"
      rm -f "$(pid_file "$n")"
    fi
  done
  return $rc
}

# Whether something listens on TCP port PORT on this machine.
port_listening() {
  if command -v ss >/dev/null; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# Who listens on PORT: "pid 123 (jh-replica --cluster …)", or what ss says.
port_owner() {
  local line pid
  command -v ss >/dev/null || { echo "an unknown process"; return; }
  line=$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n1)
  if [[ $line =~ pid=([0-9]+) ]]; then
    pid=${BASH_REMATCH[1]}
    echo "pid $pid ($(proc_cmdline "$pid"| cut -c1-120))"
  else
    echo "a process ss cannot name (${line:-none})"
  fi
}

tmux_cmd() {
  if [[ $TMUX_SOCKET == */* ]]; then tmux -S "$TMUX_SOCKET" "$@"; else tmux -L "$TMUX_SOCKET" "$@"; fi
}
# The command that attaches a person to our tmux session.
tmux_attach_command() {
  if [[ $TMUX_SOCKET == */* ]]; then
    printf 'tmux -S %s attach' "$(rel "$TMUX_SOCKET")"
  else
    printf 'tmux -L %s attach' "$TMUX_SOCKET"
  fi
}

# NAME of the current primary and how it was found, as "NAME HOW": the front-end's answer to
# `jh-client --json status`, else the first replica (in priority order) that is running.
find_primary() {
  local out p r
  if [[ -x $BIN_DIR/jh-client ]]; then
    out=$(timeout 5 "$BIN_DIR/jh-client" --cluster "$CLUSTER" --json status 2>/dev/null) || true
    p=$(jq -r '.primary // empty' <<<"$out" 2>/dev/null) || p=""
    for r in "${REPLICAS[@]}"; do
      [[ -n $p && $r == "$p" ]] && { echo "$p front-end"; return 0; }
    done
  fi
  for r in "${REPLICAS[@]}"; do
    [[ -n $(running_pid "$r") ]] && { echo "$r first-running"; return 0; }
  done
  return 1
}

# Sends SIGNAL to NAME ("primary" for the current primary), by the pid in its pid file.
kill_node() {
  local name=$1 sig=$2 how="" pid found
  if [[ $name == primary ]]; then
    found=$(find_primary) || die "no primary: the front-end names none and no replica of ours is running"
    name=${found%% *}
    how=${found#* }
    case $how in
      front-end) how=" (the primary, as the front-end says)" ;;
      *) how=" (the first running replica: the front-end did not say which is primary)" ;;
    esac
  fi
  [[ -n $(node_kind "$name") ]] || die "unknown name '$name' (known: ${REPLICAS[*]} ${FRONTENDS[*]} $CLIENT)"
  pid=$(running_pid "$name")
  [[ -n $pid ]] || die "$name is not running (no live pid in $(pid_file "$name"))"
  kill -s "$sig" "$pid" || die "kill -$sig $pid failed"
  # Told only once it took effect, so that what runs next (status) sees it.
  case $sig in
    KILL) poll_until 5 "! pid_alive $pid" || die "sent SIGKILL to $name, pid $pid, but it still runs" ;;
    STOP) poll_until 5 "[[ \$(proc_state $pid) == T ]]" || die "sent SIGSTOP to $name, pid $pid, but it runs on" ;;
  esac
  say "sent SIG$sig to $name, pid $pid$how"
}
