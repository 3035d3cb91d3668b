#!/usr/bin/env bash
# Orders under continuous load against the system that ./startup.sh runs, as the failover
# demonstration's load: N clients, each retrying an order with the same id until it is
# acknowledged, a line a second of orders acknowledged, failed and retried, until Ctrl-C; then
# every acknowledged order is looked for on every replica ("lost 0"). Beside it, watch the
# cluster with ./startup.sh watch and jh-client events --follow, and kill and restart replicas.
# Usage: scripts/demo-load.sh [--clients N] [--cluster F]   (default 8 clients)
set -euo pipefail
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
launch load "$@"
