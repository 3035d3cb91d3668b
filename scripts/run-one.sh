#!/usr/bin/env bash
# Runs one process of the system for startup.sh, in whatever window or background job it is given,
# as a child of this script, and records the program's pid in PIDFILE. The program is not the
# window's own process because tmux resumes a pane's process whenever it stops (a SIGCONT to its
# process group), which made SIGSTOP a no-op; a shell without job control, as here, waits on
# through a child's stop. Ctrl-Z is ignored: with no shell in the window, nothing could resume it.
# With --wait-for FILE it first waits (at most 10 s) for FILE to appear, which lets startup.sh
# finish setting up a tmux window before the program prints anything. With --log FILE the
# program's output (stdout and stderr) also goes to FILE, line for line as it is shown (the window
# shows it, the file keeps it, without the terminal's carriage returns).
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
# tee ignores the signals meant for the program (Ctrl-C in the window, TERM), so that the
# program's last words while it stops still reach the file; it ends once the program has exited
# and this script has closed its end of the pipe.
if [[ -n $log ]]; then exec > >(trap '' INT TERM HUP; exec tee -a "$log") 2>&1; fi
trap '' TSTP
# Bash's own report of a child killed by a signal quotes this script's source: say it instead.
exec 3>&2 2>/dev/null
rc=0
(echo "$BASHPID" >"$pidfile.tmp" && mv -f "$pidfile.tmp" "$pidfile" && exec "$@" 2>&3 3>&-) || rc=$?
((rc <= 128)) || echo "$(date -u +%FT%T.%3NZ) ERROR $(basename "$pidfile" .pid) | ended by SIG$(kill -l "$rc")" >&3
# The window keeps the last words only if tee wrote them before this script (its process) ended.
exec >&- 3>&-
wait
exit "$rc"
