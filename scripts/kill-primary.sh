#!/usr/bin/env bash
# Kills (or stops, or signals) the current primary replica of the system that ./startup.sh
# started: the replica that `jh-client --json status` names as primary, or, when the front-end
# does not answer, the first replica in priority order that is running. Signals its pid from
# run/pids/NAME.pid and says what it did.
# Usage: scripts/kill-primary.sh [--signal KILL|STOP|TERM|CONT|…] [--cluster F]   (default KILL)
set -euo pipefail
PROG=kill-primary.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"

signal=KILL
cluster=""
while (($#)); do
  case $1 in
    --signal | -s) signal=${2:?--signal needs a signal}; shift ;;
    --signal=*) signal=${1#*=} ;;
    --cluster) cluster=${2:?--cluster needs a file}; shift ;;
    --cluster=*) cluster=${1#*=} ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) warn "unknown argument $1 (usage: $PROG [--signal S] [--cluster F])"; exit 2 ;;
  esac
  shift
done

load_cluster "$cluster" recorded
load_bin_dir recorded
kill_node primary "$(normalise_signal "$signal")"
