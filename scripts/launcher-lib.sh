# shellcheck shell=bash
# Sourced by startup.sh, the launcher's scripts and its tests: where the repository, the run folder
# and jh-launch (the launcher, client/launcher/) are; building it; and the checks the tests use.
JH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JH_ROOT  # jh-launch finds scripts/run-one.sh and resources/ there
RUN_DIR=${JH_RUN_DIR:-$JH_ROOT/run}
PROG=${PROG:-$(basename "$0")}

warn() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
  warn "$*"
  exit 1
}

# Configures build/ when it has no cache, then builds TARGETS if stale; output to run/logs/build.log.
build_targets() {
  local log=$RUN_DIR/logs/build.log
  mkdir -p "$RUN_DIR/logs"
  if [[ ! -f $JH_ROOT/build/CMakeCache.txt ]]; then
    echo "configuring build/"
    cmake -S "$JH_ROOT" -B "$JH_ROOT/build" >>"$log" 2>&1 ||
      { tail -n 30 "$log" >&2; die "configuring failed: see ${log#"$PWD"/}"; }
  fi
  cmake --build "$JH_ROOT/build" -j"$(nproc)" --target "$@" >>"$log" 2>&1 ||
    { tail -n 30 "$log" >&2; die "the build failed: see ${log#"$PWD"/}"; }
}

# Where jh-launch is: $JH_BIN_DIR, else the folder of the last start, else build/bin.
launcher_bin_dir() {
  if [[ -n ${JH_BIN_DIR:-} ]]; then
    echo "$JH_BIN_DIR"
  elif [[ -s $RUN_DIR/bin && -x $(<"$RUN_DIR/bin")/jh-launch ]]; then
    cat "$RUN_DIR/bin"
  else
    echo "$JH_ROOT/build/bin"
  fi
}

# Runs jh-launch ARGS in place of this script, under its name; builds it first if it is missing.
launch() {
  local bin
  bin=$(launcher_bin_dir)
  [[ -x $bin/jh-launch || -n ${JH_BIN_DIR:-} ]] || build_targets jh-launch
  exec -a "$PROG" "$bin/jh-launch" "$@"
}

# For the tests: whether PID runs (a zombie does not), NAME's pid if it runs and startup.sh
# started it, and evaluating CONDITION every 0.1 s until it holds (0) or SECONDS pass (1).
pid_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != [ZX] ]]
}
running_pid() { "$(launcher_bin_dir)/jh-launch" pid "$1" || true; }
poll_until() {
  local poll_seconds=$1 poll_condition=$2 poll_deadline
  poll_deadline=$(($(date +%s%N) + poll_seconds * 1000000000))
  until eval "$poll_condition"; do
    (($(date +%s%N) < poll_deadline)) || return 1
    sleep 0.1
  done
}
