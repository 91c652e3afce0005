#!/usr/bin/env bash
# Installs the Debian 12 packages knossos needs, only those that are missing.
#   install-deps.sh          everything: build, tests, benchmarks, PyTorch bridge, dataset,
#                            and the project's torch 2 virtual environment (torch2-venv.sh)
#   install-deps.sh --core   what the C++ library, its tests and the demo need
# Run as root (it calls apt-get). Idempotent: with everything present it does nothing.
set -euo pipefail

core=(cmake ninja-build g++ clang python3 libeigen3-dev libxsimd-dev
      doctest-dev libbenchmark-dev ccache pkg-config)
# g++-aarch64-linux-gnu and qemu-user: the aarch64 preset (tests cross-compiled for
# 64-bit ARM and run under emulation), which CI runs.
full=(libclang-rt-14-dev python3-torch python3-numpy python3-pytest libtorch-dev pybind11-dev python3-venv
      libopenblas0-pthread dataset-fashion-mnist g++-aarch64-linux-gnu qemu-user)

wanted=("${core[@]}")
if [[ "${1:-}" != "--core" ]]; then
  wanted+=("${full[@]}")
fi

install_debian_packages() {
  echo "install-deps: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  install_debian_packages
fi
if [[ "${1:-}" != "--core" ]]; then
  bash "$(dirname "$0")/torch2-venv.sh" >/dev/null
fi
exit 0

