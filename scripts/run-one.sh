#!/usr/bin/env bash
# Runs one process of the system for startup.sh, in whatever window or background job it is given:
# records its own pid in PIDFILE, then becomes the program (exec), so that the pid stays the
# program's. With --wait-for FILE it first waits (at most 10 s) for FILE to appear, which lets
# startup.sh attach a log to a tmux pane before the program prints anything.
# Usage: scripts/run-one.sh [--wait-for FILE] PIDFILE PROGRAM [ARG ...]
set -euo pipefail
if [[ ${1:-} == --wait-for ]]; then
  for ((i = 0; i < 200; i++)); do
    [[ -e $2 ]] && break
    sleep 0.05
  done
  shift 2
fi
pidfile=$1
shift
echo $$ >"$pidfile.tmp"
mv -f "$pidfile.tmp" "$pidfile"
exec "$@"
