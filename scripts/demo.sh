#!/usr/bin/env bash
# Quick start, command 1: build and run the relu3 demo (release preset).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --core
cmake --preset release >/dev/null
cmake --build --preset release --target relu3_demo
# The plot goes into the build folder, not the repository (a path given here wins).
./build/release/examples/relu3/relu3_demo build/release/relu3.svg "$@"
