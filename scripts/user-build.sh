#!/usr/bin/env bash
# Builds every target as a user would: plain CMake, Release, no preset and no KNOSSOS_*
# option (so no warnings-as-errors), once with g++ and once with clang++. The clang
# build then runs the test suite (CI's clang check), and fails on any warning in its log
# (what -Werror would have caught; g++ 12's false Release-build warnings are why users
# never get -Werror).
#   user-build.sh [g++|clang++ ...]     default: both
set -euo pipefail
cd "$(dirname "$0")/.."
compilers=("$@")
((${#compilers[@]})) || compilers=(g++ clang++)
for cxx in "${compilers[@]}"; do
  dir=build/user-$cxx
  echo "=== user build: $cxx, Release, every target ($dir)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)" 2>&1 | tee "$dir/build.log" | grep -E "warning|error|FAILED" || true
  if [[ ${PIPESTATUS[0]} -ne 0 ]]; then
    echo "user build with $cxx failed" >&2
    exit 1
  fi
  if [[ $cxx == clang* ]]; then
    if grep -q "warning:" "$dir/build.log"; then
      echo "user build with $cxx printed warnings (above)" >&2
      exit 1
    fi
    # user_warnings.* build the installed tree with fixed compilers (g++ and clang++ both),
    # whatever this build's compiler: the dev stage has run them.
    ctest --test-dir "$dir" --output-on-failure --parallel "$(nproc)" --exclude-regex '^user_warnings\.'
  fi
done
