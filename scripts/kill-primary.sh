#!/usr/bin/env bash
# Kills (or stops, or signals) the current primary replica of the system that ./startup.sh
# started: the replica that the front-end names as primary, or, when none answers, the first
# replica in priority order that is running. Signals its pid from run/pids/NAME.pid and says so
# once it took effect (./startup.sh kill primary does the same).
# Usage: scripts/kill-primary.sh [--signal KILL|STOP|TERM|CONT|…] [--cluster F]   (default KILL)
set -euo pipefail
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
launch kill primary "$@"
