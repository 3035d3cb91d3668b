#!/usr/bin/env bash
# ThreadSanitizer over the multi-threaded tests: configures and builds build-tsan/ (-DJH_TSAN=ON),
# runs the system tests (real jh-replica, jh-frontend, jh-bench ... processes) and the unit tests
# of schema/, replica/ and frontend/ under ctest, every process writing its reports into one
# folder, and fails if any process reported anything (exit 1; exit 2 when no report was written
# but a test failed, which under TSan's slowdown is most often a deadline missed). Extra
# arguments go to ctest in place of the default selection (e.g. scripts/tsan-check.sh -R
# 'system:.*catches up'). About 1.5 to 2.5 minutes of tests on 2 cores once built (the first
# build of build-tsan/ takes longer).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${JH_TSAN_BUILD_DIR:-build-tsan}
REPORTS=$PWD/$BUILD_DIR/tsan-reports
SUPPRESSIONS=$PWD/tests/support/tsan-suppressions.txt

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$BUILD_DIR" -DJH_TSAN=ON "${launcher[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target jh_system_test jh_frontend_test jh_replica_tests \
  jh_schema_tests

selection=("$@")
if ((${#selection[@]} == 0)); then selection=(-R '^(system|frontend|replica|schema):'); fi

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
# Children inherit TSAN_OPTIONS from the test programs, so jh-replica, jh-frontend and the rest
# write to $REPORTS/tsan.PID too, however their tests end them and whatever the tests do with
# their logs. A process that reported exits 66 when it exits by itself.
export TSAN_OPTIONS="suppressions=$SUPPRESSIONS log_path=$REPORTS/tsan exitcode=66 ${TSAN_OPTIONS:-}"
tests_rc=0
ctest --test-dir "$BUILD_DIR" -j2 --output-on-failure "${selection[@]}" || tests_rc=$?

shopt -s nullglob
reports=("$REPORTS"/tsan.*)
count=0
for file in "${reports[@]}"; do
  n=$(grep -c '^WARNING: ThreadSanitizer' "$file" || true)
  ((n > 0)) || continue  # only statistics (e.g. with TSAN_OPTIONS=print_suppressions=1)
  count=$((count + n))
  program=$(grep -o -m1 '(jh[-_][a-z_-]*+0x' "$file" | tr -d '(' | sed 's/+0x$//' || true)
  echo "tsan-check: $file: ${program:-?}: $n reports"
  { grep '^SUMMARY: ThreadSanitizer' "$file" || true; } | cut -c1-160 | sort | uniq -c |
    sed 's/^/tsan-check:   /'
done
if ((count > 0)); then
  echo "tsan-check: FAILED: $count ThreadSanitizer reports (read them in $REPORTS)"
  exit 1
fi
if ((tests_rc != 0)); then
  echo "tsan-check: FAILED: no ThreadSanitizer report, but a test failed (run it again alone)"
  exit 2
fi
echo "tsan-check: no ThreadSanitizer report"
