#!/usr/bin/env bash
# Builds the ks-translate fuzzers with clang (libFuzzer, ASan, UBSan) and runs each
# front end for a bounded time from its seeds: the checked-in seeds, the golden files,
# the e2e corpus and the regressions (inputs that once crashed). New inputs go to a
# scratch corpus under the build directory, never into the source tree.
#   run.sh [SECONDS_PER_LANGUAGE]     (default 60; KS_FUZZ_SECONDS works too)
# A crash leaves its input in build/fuzz/artifacts/: add it to regressions/<language>/
# (the translate-fuzz-regressions test replays them in every build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
seconds="${1:-${KS_FUZZ_SECONDS:-60}}"
build="$root/build/fuzz"

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build"
rm -rf "$build/artifacts"
mkdir -p "$build/artifacts"
status=0
for language in python julia fsharp; do
  scratch="$build/corpus/$language"
  log="$build/$language.log"
  mkdir -p "$scratch"
  "$build/fuzz-$language" "$scratch" "$here/seeds/$language" "$here/regressions/$language" \
      "$root/tests/translate/golden/$language" "$root/tests/translate/e2e/corpus/$language" \
      -dict="$here/$language.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$language-" >"$log" 2>&1 || status=1
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz-$language: ${seconds}s, ${runs:-?} inputs (${rate:-?}/s), corpus $(ls "$scratch" | wc -l) files"
  if [[ $status -ne 0 ]] || compgen -G "$build/artifacts/$language-*" >/dev/null; then
    tail -40 "$log" >&2
    echo "fuzz-$language failed: the input is in $build/artifacts/; add it to $here/regressions/$language/" >&2
    exit 1
  fi
done
