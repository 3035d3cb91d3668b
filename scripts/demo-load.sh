#!/usr/bin/env bash
# Orders under continuous load against the system that ./startup.sh runs, as the failover
# demonstration's load: N clients, each retrying an order with the same id until it is
# acknowledged, a line a second of orders acknowledged, failed and retried, until Ctrl-C; then
# every acknowledged order is looked for on every replica ("lost 0"). Beside it, watch the
# cluster with ./startup.sh watch and jh-client events --follow, and kill and restart replicas.
# Usage: scripts/demo-load.sh [--clients N] [--cluster F]   (default 8 clients)
set -euo pipefail
# shellcheck disable=SC2034  # PROG and the settings below are read by scripts/launcher-lib.sh
PROG=demo-load.sh
# shellcheck source=scripts/launcher-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launcher-lib.sh"

clients=8 cluster=""
while (($#)); do
  case $1 in
    --clients) clients=${2:?--clients needs a number}; shift ;;
    --cluster) cluster=${2:?--cluster needs a file}; shift ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) warn "unknown argument $1 (see --help)"; exit 2 ;;
  esac
  shift
done
[[ $clients =~ ^[1-9][0-9]*$ ]] || { warn "--clients needs a number"; exit 2; }
load_cluster "$cluster" recorded
load_bin_dir recorded
[[ -x $BIN_DIR/jh-bench ]] || die "$BIN_DIR/jh-bench is not built: ./startup.sh builds it"
users=load-$(date +%H%M%S)
acked=$RUN_DIR/load/$users.acked
mkdir -p "$RUN_DIR/load"
say "$clients clients ordering as users $users-0… (Ctrl-C stops them); acknowledged ids go to $(rel "$acked")"
# Ctrl-C reaches jh-bench too, which stops after the calls under way and writes its summary.
"$BIN_DIR/jh-bench" --cluster "$CLUSTER" --clients "$clients" --duration 86400 --retry-until-acked --live \
  --acked-out "$acked" --user-prefix "$users" || true
"$BIN_DIR/jh-bench" --cluster "$CLUSTER" --check-acked "$acked"
