# shellcheck shell=bash
# Shared by the launcher's tests (sourced): a private cluster that never meets a user's running
# system (its cluster file and jh-fake-postcodes from jh-cluster: free ports, a temporary folder;
# its own run folder and so its own tmux socket), bounded polling, and the check that nothing
# survives. Everything a test starts it ends by pid or by its own tmux socket, in the EXIT trap.
# Needs: BIN (the binaries' folder) and TEST (a name for messages) set before sourcing.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STEP="checking the binaries"
STOPPED=0
declare -A SEEN_PIDS=()  # every pid startup.sh recorded, to check that none survives
CLEANUPS=()              # further commands for the EXIT trap (e.g. a tmux server of the test's)

fail() {
  echo "$TEST: FAILED while $STEP: $*" >&2
  exit 1
}

for b in jh-replica jh-frontend jh-client jh-fake-postcodes jh-cluster; do
  [[ -x $BIN/$b ]] || fail "$BIN/$b is not built"
done
for p in jq ss; do command -v "$p" >/dev/null || fail "$p is not installed"; done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/jh-launcher-XXXXXX")
export JH_RUN_DIR=$TMP/run JH_BIN_DIR=$BIN JH_STOP_GRACE=5
unset JH_CLUSTER JH_TMUX_SOCKET TMUX DISPLAY JH_LOG_LEVEL
CLUSTER=$TMP/cluster.json
PORTS=()

cleanup() {
  local rc=$? f c
  if ((rc != 0)); then
    echo "----- logs of the failed run ($TMP) -----" >&2
    for f in "$JH_RUN_DIR"/logs/*.log "$TMP"/logs/* "$TMP"/tool.err "$TMP"/*.out; do
      [[ -s $f ]] && { echo "== $f" >&2; tail -n 25 "$f" >&2; }
    done
  fi
  for c in "${CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  ((STOPPED)) || "$ROOT/startup.sh" stop >/dev/null 2>&1 || true
  cluster_down files
  if [[ -n ${JH_KEEP_TEST_DIRS:-} ]]; then
    echo "JH_KEEP_TEST_DIRS: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  return $rc
}
trap cleanup EXIT

# pid_alive (a running process, not a zombie) and poll_until (bounded polling) from the launcher.
PROG=$TEST
# shellcheck source=scripts/launcher-lib.sh
source "$ROOT/scripts/launcher-lib.sh"
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh"
alive() { pid_alive "$1"; }
wait_for() { poll_until "$@"; }

record_pids() {
  local f
  for f in "$JH_RUN_DIR"/pids/*.pid; do
    [[ -s $f ]] && SEEN_PIDS[$(<"$f")]=$(basename "$f" .pid)
  done
  return 0
}

client() { timeout 20 "$BIN/jh-client" --cluster "$CLUSTER" "$@"; }

# Writes cluster.json with FRONTENDS front-ends (just.hungry, just.hungry.2, …) and three
# replicas on free ports, min_acks 1 (an acknowledged order is on a backup too, so it is listed
# right after a kill), postcodes from a jh-fake-postcodes of our own: jh-cluster --no-start, which
# runs the fake until the test ends; startup.sh starts the servers. PORTS: front-ends', replicas'.
make_cluster() {
  STEP="writing the cluster file with jh-cluster"
  cluster_up files "$TMP" --no-start --frontends "${1:-1}" --min-acks 1 || fail "jh-cluster did not start"
  mapfile -t PORTS < <(jq -r '.frontends[].address, .replicas[].address' <<<"${WHERE[files]}" | cut -d: -f2)
}

# The steady state: every replica READY and so replica.server1 primary (a replica that finishes
# catching up late takes the primary role back, which would move it under a kill).
wait_settled() {
  STEP="waiting for the front-end to see every replica READY"
  wait_for 20 '[[ $(client --json status 2>/dev/null |
    jq -r "select(all(.replicas[]; .state == \"READY\")) | .primary // empty" 2>/dev/null) == replica.server1 ]]' ||
    fail "not settled after 20 s; last answer: $(client status 2>&1 || true)"
}

# After startup.sh stop: no recorded pid alive, no cluster port in use, no pid file left.
check_nothing_left() {
  STEP="checking that nothing survived"
  local pid p
  for pid in "${!SEEN_PIDS[@]}"; do
    wait_for 2 '! alive $pid' || fail "${SEEN_PIDS[$pid]} (pid $pid) survived: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  done
  for p in "${PORTS[@]}"; do
    [[ -z $(ss -Hltn "sport = :$p") ]] || fail "port $p is still in use"
  done
  if command -v tmux >/dev/null && tmux -S "$JH_RUN_DIR/tmux.sock" has-session 2>/dev/null; then
    fail "the tmux server on $JH_RUN_DIR/tmux.sock is still running"
  fi
  if compgen -G "$JH_RUN_DIR/pids/*.pid" >/dev/null; then fail "pid files are left: $(ls "$JH_RUN_DIR/pids")"; fi
  return 0
}
