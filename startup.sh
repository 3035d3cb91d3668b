#!/usr/bin/env bash
# Starts the whole Just Hungry system (replicas, front-ends, client) and controls it afterwards:
# for `start` (the default) it installs the Debian packages that are missing and builds what is
# stale, then hands its arguments to jh-launch (client/launcher/), which does the rest.
# ./startup.sh --help, and README.md. Where JH_BIN_DIR is set it builds nothing.
set -euo pipefail
PROG=startup.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/launcher-lib.sh"

# Only what this script needs of the arguments: the command, --mode, --help. The options that take
# a value are jh-launch's (launch-options.cpp), so that no value is taken for the command.
command="" mode="" value_of="" help=0
for arg in "$@"; do
  if [[ -n $value_of ]]; then
    [[ $value_of != --mode ]] || mode=$arg
    value_of=""
    continue
  fi
  case $arg in
    --mode | --cluster | --signal | -s | --log-level | -n | --lines | --count | --clients | --pause | --in-pane)
      value_of=$arg ;;
    --mode=*) mode=${arg#*=} ;;
    -h | --help | help) help=1 ;;
    -*) ;;
    *) command=${command:-$arg} ;;
  esac
done
[[ ${command:-start} == start && $help == 0 ]] || launch "$@"

# xterm only matters when there is a display to show it on.
extra=()
if [[ -n ${DISPLAY:-} && (-z $mode || $mode == xterm) ]]; then extra=(xterm x11-utils); fi
"$JH_ROOT/scripts/install-deps.sh" "${extra[@]}" || warn "installing packages failed; going on with what is there"
bin=${JH_BIN_DIR:-$JH_ROOT/build/bin}
if [[ -z ${JH_BIN_DIR:-} ]]; then
  mkdir -p "$RUN_DIR/logs"
  log=$RUN_DIR/logs/build.log
  : >"$log"
  began=$SECONDS
  echo "building what is stale (output: ${log#"$PWD"/})"
  build_targets jh-launch
fi
# Refuses a running system or a busy port now, not after a build that can take minutes.
(exec -a "$PROG" "$bin/jh-launch" "$@" --check-only)
if [[ -z ${JH_BIN_DIR:-} ]]; then
  # Only what runs the system (jh-bench: the demonstration's load); the tests are scripts/test.sh's.
  build_targets jh-replica jh-frontend jh-client jh-bench
  ((SECONDS - began < 5)) || echo "built in $((SECONDS - began)) s"
fi
exec -a "$PROG" "$bin/jh-launch" "$@"
