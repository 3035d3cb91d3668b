#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan, in build-fuzz/) and checks them: first
# replays every committed input (corpus/<target>/ and regressions/<target>/, deterministic), then
# fuzzes each target for JH_FUZZ_SECONDS seconds (default 20; 0: replay only), JH_FUZZ_JOBS
# (default 2) at a time, from the committed corpus. Exits non-zero if any input crashes or breaks
# a target's invariant; a new crash is saved as build-fuzz/artifacts/<target>/crash-*.
# Usage: tests/fuzz/run-fuzzers.sh [--minimise] [TARGET ...]
#   --minimise: no checks; folds what fuzzing found (build-fuzz/corpus/) and any seeds
#   (build-fuzz/seeds/, from seed-corpora.sh) into corpus/, keeping only inputs that add coverage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

FUZZ=tests/fuzz
BUILD=${JH_FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${JH_FUZZ_SECONDS:-20}
JOBS=${JH_FUZZ_JOBS:-2}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

minimise=false
if [[ ${1:-} == --minimise ]]; then
  minimise=true
  shift
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in "$FUZZ"/*-fuzzer.cpp; do
    name=${source##*/}
    targets+=("${name%-fuzzer.cpp}")
  done
fi

mkdir -p "$BUILD/logs"
cmake -S "$FUZZ" -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++-14 >"$BUILD/logs/configure.log" 2>&1 ||
  { cat "$BUILD/logs/configure.log"; exit 1; }
cmake --build "$BUILD" -j2

if $minimise; then
  for t in "${targets[@]}"; do
    merged="$BUILD/merge/$t"
    rm -rf "$merged" && mkdir -p "$merged" "$FUZZ/corpus/$t"
    # Seeds (real examples) first, so that those adding coverage stay; then everything else.
    # Without hit counts as features (-use_counters=0) the corpus keeps a tenth of the inputs.
    merge=("$BUILD/fuzz-$t" -merge=1 -use_counters=0 "$merged")
    if [[ -d $BUILD/seeds/$t ]]; then
      "${merge[@]}" "$BUILD/seeds/$t" >"$BUILD/logs/$t-merge.log" 2>&1
    fi
    inputs=()
    for dir in "$FUZZ/corpus/$t" "$BUILD/corpus/$t"; do
      [[ -d $dir ]] && inputs+=("$dir")
    done
    "${merge[@]}" "${inputs[@]}" >>"$BUILD/logs/$t-merge.log" 2>&1
    find "$FUZZ/corpus/$t" -type f -delete
    cp "$merged"/* "$FUZZ/corpus/$t/"
    echo "run-fuzzers: $t corpus: $(find "$FUZZ/corpus/$t" -type f | wc -l) inputs," \
         "$(cat "$FUZZ/corpus/$t"/* | wc -c) bytes"
  done
  exit 0
fi

failed=()
unfuzzable=()  # fuzzing would only find again the corpus input that fails

# The replay: every committed input once. Each regression runs alone so that a failure names it.
for t in "${targets[@]}"; do
  log="$BUILD/logs/$t-replay.log"
  ok=true
  mapfile -t corpus < <(find "$FUZZ/corpus/$t" -type f 2>/dev/null | sort)
  if ((${#corpus[@]} > 0)) && ! "$BUILD/fuzz-$t" "${corpus[@]}" >"$log" 2>&1; then
    echo "run-fuzzers: $t: an input of corpus/$t fails; see $log"
    grep -E -m3 'ERROR|fuzz invariant|Running:|runtime error' "$log" | tail -3 | sed 's/^/    /'
    unfuzzable+=("$t")
    ok=false
  fi
  while IFS= read -r input; do
    if ! "$BUILD/fuzz-$t" "$input" >"$log.one" 2>&1; then
      echo "run-fuzzers: $t: regression $input still fails:"
      grep -E -m2 'ERROR|fuzz invariant|runtime error' "$log.one" | sed 's/^/    /'
      ok=false
    fi
  done < <(find "$FUZZ/regressions/$t" -type f ! -name '*.md' 2>/dev/null | sort)
  rm -f "$log.one"
  if $ok; then
    echo "run-fuzzers: $t: replayed ${#corpus[@]} corpus inputs and its regressions"
  else
    failed+=("$t")
  fi
done

# The fuzzing, JOBS targets at a time; new inputs go to build-fuzz/corpus/, not the committed one.
fuzz_one() {
  local t=$1
  local log="$BUILD/logs/$t-fuzz.log"
  mkdir -p "$BUILD/corpus/$t" "$BUILD/artifacts/$t"
  if "$BUILD/fuzz-$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$BUILD/artifacts/$t/" "$BUILD/corpus/$t" "$FUZZ/corpus/$t" >"$log" 2>&1; then
    echo "run-fuzzers: $t: fuzzed ${FUZZ_SECONDS} s, $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$log" | cut -d' ' -f2) runs, no crash"
  else
    echo "run-fuzzers: $t: FOUND A CRASH; input and report:"
    grep -E 'Test unit written to|fuzz invariant|ERROR|runtime error|SUMMARY' "$log" | sed 's/^/    /'
    echo "    whole log: $log. Keep the input in $FUZZ/regressions/$t/."
    touch "$log.failed"
  fi
}

if ((FUZZ_SECONDS > 0)); then
  rm -f "$BUILD"/logs/*-fuzz.log.failed
  for t in "${targets[@]}"; do
    if [[ " ${unfuzzable[*]} " == *" $t "* ]]; then
      echo "run-fuzzers: $t: not fuzzed, an input of its corpus fails"
      continue
    fi
    while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
    fuzz_one "$t" &
  done
  wait
  for t in "${targets[@]}"; do
    if [[ -e "$BUILD/logs/$t-fuzz.log.failed" && " ${failed[*]} " != *" $t "* ]]; then
      failed+=("$t")
    fi
  done
fi

if ((${#failed[@]} > 0)); then
  echo "run-fuzzers: FAILED: ${failed[*]}"
  exit 1
fi
echo "run-fuzzers: every target passed"
