#!/usr/bin/env bash
# Builds jh-store-bench in Release at a base commit and in this tree, and runs the two in turn:
# the longest apply, the longest gap and memory per order, before and after a change to the
# replica's store (docs/benchmarks.md, "No stop-the-world pauses").
# usage: tests/bench/store-bench-compare.sh BASE_REF [ROUNDS [jh-store-bench options...]]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:?usage: $0 BASE_REF [ROUNDS [jh-store-bench options...]]}
rounds=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
work=${JH_STORE_BENCH_DIR:-/tmp/jh-store-bench}

rm -rf "$work/src-base"
mkdir -p "$work/src-base"
git -C "$root" archive "$base" | tar -x -C "$work/src-base"
cp "$root/tests/bench/store-bench.cpp" "$root/tests/bench/bulk-order.h" "$work/src-base/tests/bench/"
if ! grep -q jh-store-bench "$work/src-base/tests/bench/CMakeLists.txt"; then
  cat >> "$work/src-base/tests/bench/CMakeLists.txt" <<'CMAKE'
add_executable(jh-store-bench store-bench.cpp)
target_link_libraries(jh-store-bench PRIVATE jh_replica_lib)
target_include_directories(jh-store-bench PRIVATE ${PROJECT_SOURCE_DIR})
CMAKE
fi
cmake -S "$work/src-base" -B "$work/build-base" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$work/build-base" -j2 --target jh-store-bench >/dev/null
cmake -S "$root" -B "$root/build-release" -DCMAKE_BUILD_TYPE=Release -DJH_WERROR=ON >/dev/null
cmake --build "$root/build-release" -j2 --target jh-store-bench >/dev/null

for ((r = 1; r <= rounds; ++r)); do
  echo "base $base: $("$work/build-base/bin/jh-store-bench" --json "$@")"
  echo "this tree:  $("$root/build-release/bin/jh-store-bench" --json "$@")"
done
