#!/usr/bin/env bash
# Quick start, command 2: build everything and run every test (dev preset), then the
# Python tests of the PyTorch bridge under Debian's python3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
if [[ -d python/tests ]]; then
  status=0
  /usr/bin/python3 -m pytest python/tests -q || status=$?
  # 5: no tests collected, which is not a failure of the suite
  if [[ $status -ne 0 && $status -ne 5 ]]; then
    exit $status
  fi
fi
