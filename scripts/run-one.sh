#!/usr/bin/env bash
# Runs one process of the system for startup.sh, in whatever window or background job it is given:
# records its own pid in PIDFILE, then becomes the program (exec), so that the pid stays the
# program's. With --wait-for FILE it first waits (at most 10 s) for FILE to appear, which lets
# startup.sh finish setting up a tmux window before the program prints anything. With --log FILE
# the program's output (stdout and stderr) also goes to FILE, line for line as it is shown (the
# window shows it, the file keeps it, without the terminal's carriage returns).
# Usage: scripts/run-one.sh [--wait-for FILE] [--log FILE] PIDFILE PROGRAM [ARG ...]
set -euo pipefail
log=""
while :; do
  case ${1:-} in
    --wait-for)
      for ((i = 0; i < 200; i++)); do
        [[ -e $2 ]] && break
        sleep 0.05
      done
      shift 2 ;;
    --log) log=$2; shift 2 ;;
    *) break ;;
  esac
done
pidfile=$1
shift
echo $$ >"$pidfile.tmp"
mv -f "$pidfile.tmp" "$pidfile"
# tee ignores the signals meant for the program (Ctrl-C, a TERM to the group), so that the
# program's last words while it stops still reach the file; it ends when the program exits and
# the pipe closes (or with the group's KILL).
if [[ -n $log ]]; then exec > >(trap '' INT TERM HUP; exec tee -a "$log") 2>&1; fi
exec "$@"
