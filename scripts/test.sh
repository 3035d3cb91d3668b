#!/usr/bin/env bash
# Installs what is missing, configures and builds build/ with warnings as errors, and runs every
# test. Extra arguments go to ctest (e.g. scripts/test.sh -R launcher). Exits non-zero on any
# failure; its closing lines name each skipped test with the reason it gave, then what happened.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${JH_BUILD_DIR:-build}
JUNIT=$PWD/$BUILD_DIR/test-sh-junit.xml
step="start"
# A test that skips prints one line "SKIP: why" (and exits with its SKIP_RETURN_CODE); ctest's
# JUnit report marks it "notrun" and keeps its output.
skipped_tests() {
  [[ -f $JUNIT ]] || return 0
  awk '/<testcase / { match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7)
                      notrun = /status="notrun"/; why = "" }
    notrun && /SKIP: / { why = substr($0, index($0, "SKIP: ") + 6); sub(/<\/system-out>.*/, "", why) }
    notrun && /<\/testcase>/ {
      gsub(/&lt;/, "<", why); gsub(/&gt;/, ">", why); gsub(/&quot;/, "\"", why); gsub(/&amp;/, "\\&", why)
      printf "test.sh: skipped: %s — %s\n", name, why == "" ? "(it gave no reason)" : why; notrun = 0 }' "$JUNIT"
}
closing_line() {
  local rc=$?
  skipped_tests
  if ((rc == 0)); then echo "test.sh: build and every test passed"; else echo "test.sh: FAILED at $step (exit $rc)"; fi
}
trap closing_line EXIT

step="install-deps"
scripts/install-deps.sh

step="configure"
cmake -S . -B "$BUILD_DIR" -DJH_WERROR=ON

step="build"
cmake --build "$BUILD_DIR" -j"$(nproc)"

step="tests"
rm -f "$JUNIT"
# Tests pick their own free loopback ports, so they can run side by side.
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --output-junit "$JUNIT" "$@"

step="fuzzers"
# A clang build of its own (build-fuzz/): replays the committed fuzz inputs, then fuzzes each
# target for JH_FUZZ_SECONDS (default 20; 0: replay only).
tests/fuzz/run-fuzzers.sh

if [[ ${JH_TSAN_CHECK:-0} == 1 ]]; then
  step="tsan-check"
  # Opt-in: a ThreadSanitizer build of its own (build-tsan/) and the threaded tests under it.
  scripts/tsan-check.sh
fi
