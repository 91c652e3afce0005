#!/usr/bin/env bash
# Quick start, command 2: build everything and run every test (dev preset), then the
# Python tests of the PyTorch bridge under Debian's python3 and the quick mode of the
# Fashion-MNIST example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
if [[ -d python/tests ]]; then
  # The PyTorch bridge: its pytest suite, then the Fashion-MNIST example's quick mode.
  # Both use the ks-translate just built and one build cache in the build tree, so
  # each knossos.vmap function is compiled once (the example's relu3 is the tests').
  if [[ -x build/dev/tools/translate/ks-translate ]]; then
    export KNOSSOS_TRANSLATE=$PWD/build/dev/tools/translate/ks-translate
  fi
  export KNOSSOS_CACHE=$PWD/build/dev/knossos-cache
  /usr/bin/python3 -m pytest python/tests -q
  /usr/bin/python3 examples/fashion-mnist/train.py --quick
fi
