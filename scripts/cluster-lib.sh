# shellcheck shell=bash
# Private clusters from bash, through jh-cluster (tests/support/harness/cluster-tool.cpp), which
# writes the cluster file, starts the processes, waits until they are ready and stops them by pid.
# Sourced by scripts/bench-lib.sh and the launcher and netns tests; needs BIN (the binaries).
#   cluster_up NAME DIR [OPTION...]  starts one in DIR; its JSON line (where everything is, pids)
#                                    in WHERE[NAME]. Fails, saying why, when it cannot.
#   cluster_do NAME COMMAND...       one command (see cluster-tool.cpp); prints what follows "ok"
#   cluster_down NAME                closes its input: it stops everything it started; waits
# Each jh-cluster stops its processes when the script ends too, however it ends.

# shellcheck disable=SC2034  # WHERE is for the scripts that source this
declare -A WHERE=() CLUSTER_IN=() CLUSTER_OUT=() CLUSTER_PID=()

cluster_up() {
  local name=$1 dir=$2 in out line fd
  shift 2
  mkdir -p "$dir"
  rm -f "$dir/tool.in" "$dir/tool.out"
  mkfifo "$dir/tool.in" "$dir/tool.out"
  (
    # Without the other clusters' pipes: each must see the end of its input when its turn comes.
    for fd in "${CLUSTER_IN[@]}" "${CLUSTER_OUT[@]}"; do exec {fd}>&-; done
    exec "$BIN/jh-cluster" --dir "$dir" "$@" <"$dir/tool.in" >"$dir/tool.out" 2>"$dir/tool.err"
  ) &
  CLUSTER_PID[$name]=$!
  exec {in}>"$dir/tool.in" {out}<"$dir/tool.out"
  CLUSTER_IN[$name]=$in
  CLUSTER_OUT[$name]=$out
  if ! read -r -u "$out" line; then
    echo "jh-cluster could not start cluster $name: $(cat "$dir/tool.err")" >&2
    cluster_down "$name"
    return 1
  fi
  WHERE[$name]=$line
}

cluster_do() {
  local name=$1 answer
  shift
  [[ -n ${CLUSTER_IN[$name]:-} ]] || { echo "cluster $name is not running" >&2; return 1; }
  printf '%s\n' "$*" >&"${CLUSTER_IN[$name]}"
  read -r -u "${CLUSTER_OUT[$name]}" answer || answer="error: jh-cluster of $name has ended"
  if [[ $answer != ok* ]]; then
    echo "cluster $name: $*: $answer" >&2
    return 1
  fi
  answer=${answer#ok}
  printf '%s\n' "${answer# }"
}

cluster_down() {
  local name=$1 in=${CLUSTER_IN[$1]:-} out=${CLUSTER_OUT[$1]:-}
  if [[ -n $in ]]; then
    # "quit" as well as the end of input: a process started since may hold the pipe open too.
    (
      trap '' PIPE
      printf 'quit\n' >&"$in"
    ) 2>/dev/null
    exec {in}>&-
  fi
  [[ -n ${CLUSTER_PID[$name]:-} ]] && wait "${CLUSTER_PID[$name]}" 2>/dev/null
  [[ -n $out ]] && exec {out}<&-
  unset "CLUSTER_IN[$name]" "CLUSTER_OUT[$name]" "CLUSTER_PID[$name]"
  return 0
}

# cluster_pid NAME PROCESS: its pid.
cluster_pid() {
  local answer
  answer=$(cluster_do "$1" pid "$2") || return 1
  echo "${answer%% *}"
}
