#!/usr/bin/env bash
# The failover demonstration under continuous load: starts the system and N clients that keep
# ordering (each retrying an order with the same id until it is acknowledged), kills the primary
# with kill -9, waits for a new primary, restarts the killed replica until it has caught up and
# taken over again, stops the load and checks every acknowledged order on every replica ("lost
# 0"), showing the orders acknowledged, failed and retried each second and the front-end's
# timeline in milliseconds. Background (and xterm) mode prints it all interleaved; tmux mode shows
# one window of panes (the steps, the load, the timeline, ./startup.sh watch), attaches, and waits
# for Enter there before it stops the system (not with --keep). Exits non-zero naming the failed
# step, or when an acknowledged order is missing. Uses ./startup.sh's run/ folder and binaries;
# jh-launch demo (client/launcher/demo.cpp) does it all.
# Usage: scripts/demo-failover.sh [--mode background|tmux|xterm] [--cluster F] [--clients N]
#        [--pause S] [--keep]   (defaults: background, resources/cluster.json, 8 clients, 2 s
#        between steps on a terminal, none otherwise)
set -euo pipefail
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
launch demo "$@"
