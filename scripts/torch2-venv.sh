#!/usr/bin/env bash
# Creates (once) the virtual environment with a pinned current PyTorch 2 and JAX from
# PyPI, in which the bridge's tests, the Fashion-MNIST quick run and the comparisons run
# under torch 2 (Debian's torch 1.13 stays for /usr/bin/python3). Prints the venv's
# python. The environment lives outside the checkout, so clean clones on one machine
# share it; it is rebuilt when the pins below change.
#   KNOSSOS_VENV   where it goes (default: ${XDG_CACHE_HOME:-~/.cache}/knossos-dev/venv-<pins>)
# Needs Debian's python3-venv (scripts/install-deps.sh installs it) and PyPI.
set -euo pipefail

# PyPI's torch wheel for Linux is its CUDA build: the CUDA libraries come along (a few
# GB, once); nothing here uses a GPU.
pins=(torch==2.15.0 numpy==2.4.6 pytest==9.2.0 jax==0.10.2 jaxlib==0.10.2)
tag=$(printf '%s\n' "${pins[@]}" | sha256sum | cut -c1-12)
venv=${KNOSSOS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/knossos-dev/venv-$tag}

if [[ ! -f $venv/.complete ]]; then
  echo "torch2-venv: creating $venv (${pins[*]})" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/python"
