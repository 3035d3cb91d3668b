#!/usr/bin/env bash
# check-port-zero.sh on samples: each spelling of a bind to port 0 is named by file and line, and
# what only looks like one (another port, a marked case, port 0 of a config being refused, an X
# display, a zero argument after an empty string) passes.
set -euo pipefail
GUARD="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/check-port-zero.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() {
  echo "check-port-zero-test: FAILED: $*" >&2
  exit 1
}

cat >"$TMP/bad.cpp" <<'SAMPLE'
auto a = network.parseAddress("127.0.0.1:0").wait(io.waitScope)->listen();
auto b = network.parseAddress("127.0.0.1", 0).wait(io.waitScope)->listen();
argv = {"jh-fake-postcodes", "--port", "0"};
jh::SharedPort shared("localhost:0", 2);
addr.sin_port = htons(0);
addr.sin_port = 0;
auto c = listenOn(network, "[::1]:0", waitScope);
auto d = listenOn(network, "*:0", waitScope);
SAMPLE
cat >"$TMP/bad.py" <<'SAMPLE'
sock.bind(("127.0.0.1", 0))
sock.bind(("", 0))
service = Service(CHROMEDRIVER, port=0)
options.add_argument("--remote-debugging-port=0")
SAMPLE
cat >"$TMP/bad.sh" <<'SAMPLE'
"$BIN/jh-fake-postcodes" --port 0 &
"$BIN/jh-fake-postcodes" --port=0 &
SAMPLE
cat >"$TMP/good.cpp" <<'SAMPLE'
auto a = network.parseAddress("127.0.0.1:20001").wait(io.waitScope)->listen();
auto b = network.parseAddress("127.0.0.1", port).wait(io.waitScope)->listen();
argv = {"jh-fake-postcodes", "--port", "20001"};
jh::SharedPort any("127.0.0.1:0", 4);  // port-0-on-purpose: the feature under test
CHECK_FALSE(parseAddress("1.2.3.4:0").has_value());
auto c = chooseMode("", {":0", true, true, true});
auto d = sampleOrder("o1", "", 0);
auto e = rfind("listening on 127.0.0.1:", 0);
SAMPLE

set +e
out=$("$GUARD" "$TMP/bad.cpp" "$TMP/bad.py" "$TMP/bad.sh" "$TMP/good.cpp" 2>&1)
rc=$?
set -e
((rc == 1)) || fail "exit $rc on the bad samples, not 1: $out"
for n in 1 2 3 4 5 6 7 8; do grep -qF "$TMP/bad.cpp:$n:" <<<"$out" || fail "bad.cpp line $n not named: $out"; done
for n in 1 2 3 4; do grep -qF "$TMP/bad.py:$n:" <<<"$out" || fail "bad.py line $n not named: $out"; done
for n in 1 2; do grep -qF "$TMP/bad.sh:$n:" <<<"$out" || fail "bad.sh line $n not named: $out"; done
! grep -qF "$TMP/good.cpp" <<<"$out" || fail "a good sample was named: $out"
out=$("$GUARD" "$TMP/good.cpp") || fail "the good samples did not pass: $out"
echo "check-port-zero-test: passed"
