#!/usr/bin/env bash
# Installs what is missing, configures and builds build/ with warnings as errors, and runs every
# test. Extra arguments go to ctest (e.g. scripts/test.sh -R launcher). Exits non-zero on any
# failure, with a closing line saying what happened.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${JH_BUILD_DIR:-build}
step="start"
closing_line() {
  local rc=$?
  ((rc == 0)) || echo "test.sh: FAILED at $step (exit $rc)"
}
trap closing_line EXIT

step="install-deps"
scripts/install-deps.sh

step="configure"
cmake -S . -B "$BUILD_DIR" -DJH_WERROR=ON

step="build"
cmake --build "$BUILD_DIR" -j"$(nproc)"

step="tests"
# Tests pick their own free loopback ports, so they can run side by side.
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 "$@"

step="fuzzers"
# A clang build of its own (build-fuzz/): replays the committed fuzz inputs, then fuzzes each
# target for JH_FUZZ_SECONDS (default 20; 0: replay only).
tests/fuzz/run-fuzzers.sh
step="done"
echo "test.sh: build and every test passed"
