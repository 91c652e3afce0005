#!/usr/bin/env bash
# Quick start, command 2: build everything and run every test (dev preset), then the
# PyTorch bridge's tests and the Fashion-MNIST example's quick mode twice: under
# Debian's python3 with its torch 1.13, and under the pinned torch 2 of the project's
# virtual environment (scripts/torch2-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
if [[ -d python/tests ]]; then
  # Both use the ks-translate just built and one build cache in the build tree: a
  # function's kernels do not depend on torch, so each is compiled once for both
  # (the glue is compiled once per torch).
  if [[ -x build/dev/tools/translate/ks-translate ]]; then
    export KNOSSOS_TRANSLATE=$PWD/build/dev/tools/translate/ks-translate
  fi
  export KNOSSOS_CACHE=$PWD/build/dev/knossos-cache
  torch2=$(bash scripts/torch2-venv.sh)
  for python in /usr/bin/python3 "$torch2"; do
    echo "=== the PyTorch bridge under $("$python" -c 'import torch; print("torch", torch.__version__)')"
    "$python" -m pytest python/tests -q
    "$python" examples/fashion-mnist/train.py --quick
  done
fi
