#!/usr/bin/env bash
# Tests bind no port 0: the kernel gives such a socket a port from its ephemeral range (32768 and
# up), which outgoing connections share, so tests take theirs below it, reserved against other
# test processes: jh::test::pickFreePort()/pickFreePorts(n) or listenOnFreePort() in C++,
# jh-cluster's free-port in scripts and the other languages' tests. A case that is about port 0
# itself says so with "port-0-on-purpose" on the line that binds it.
# Usage: check-port-zero.sh [FILE...]; without files, every file git tracks under tests/ and
# scripts/ and startup.sh (this folder aside: it holds the spellings as samples). Prints
# FILE:LINE: TEXT for each bind to port 0 and exits 1; exits 0 when there is none.
set -euo pipefail

MARKER=port-0-on-purpose
host='(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]|\*)'
quoted_host="[\"'](127\.0\.0\.1|localhost|0\.0\.0\.0|::1?)[\"']"
patterns=(
  -e "${host}:0([^0-9.]|\$)"                         # "127.0.0.1:0", localhost:0, "*:0"
  -e "${quoted_host}[[:space:]]*,[[:space:]]*0[[:space:]]*[),]" # parseAddress("127.0.0.1", 0), bind(("localhost", 0))
  -e "bind\(\([[:space:]]*(\"\"|'')[[:space:]]*,[[:space:]]*0[[:space:]]*\)" # Python's bind(("", 0))
  -e "--port([= ]+[\"']?|[\"'][[:space:]]*,[[:space:]]*[\"'])0([^0-9]|\$)" # --port 0, --port=0, "--port", "0"
  -e "(^|[^[:alnum:]_])port=0([^0-9.]|\$)"          # port=0 (Python's keyword, a shell variable)
  -e "sin6?_port[[:space:]]*=[[:space:]]*(htons[[:space:]]*\()?[[:space:]]*0[[:space:]]*[;)]"
  -e "htons[[:space:]]*\([[:space:]]*0[[:space:]]*\)"
)

if (($# > 0)); then
  files=("$@")
else
  cd "$(dirname "${BASH_SOURCE[0]}")/../.."
  mapfile -d '' files < <(git ls-files -z -- tests scripts startup.sh ':!tests/lint')
fi
((${#files[@]} > 0)) || { echo "check-port-zero: no files to check" >&2; exit 2; }

# grep: 0 found, 1 none, 2 a file it could not read (which must not pass as clean).
rc=0
hits=$(grep -I -n -H -E "${patterns[@]}" -- "${files[@]}") || rc=$?
((rc <= 1)) || { echo "check-port-zero: grep failed (exit $rc)" >&2; exit 2; }
found=$(grep -v -F "$MARKER" <<<"$hits" || true)
if [[ -n $found ]]; then
  echo "$found"
  echo "check-port-zero: $(wc -l <<<"$found") bind(s) to port 0 above, whose port is ephemeral (32768 and up)." \
    "Take a port below it: jh::test::pickFreePort(), listenOnFreePort(), or jh-cluster's free-port;" \
    "a case about port 0 itself says '$MARKER' on that line." >&2
  exit 1
fi
echo "check-port-zero: no bind to port 0 in ${#files[@]} files"
