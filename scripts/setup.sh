#!/usr/bin/env bash
# Sets up everything tlx needs on a Debian 12 machine with Go, idempotently:
# Debian packages (Chromium, datasets, the PyTorch oracle), the Go 1.27
# toolchain, a Python virtual environment .tlx/venv with JupyterLab 4,
# Notebook 7, nbclient and nbconvert from PyPI at the versions of
# scripts/python/requirements.lock, JavaScript from npm, and the "Go (tlx)"
# kernel.
# Safe to run again: it only installs what is missing.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."

apt_packages=(
  python3-venv                  # .tlx/venv: the front ends and the runner, from PyPI
  chromium                      # headless browser: reports are checked as a person sees them
  dataset-fashion-mnist         # Fashion-MNIST
  python3-sklearn               # ships the 8x8 digits data set
  python3-torch python3-torchvision  # the oracle for fidelity tests and the benchmark baseline
  python3-packaging python3-yaml python3-requests python3-pil  # what .tlx/oracle's transformers imports from Debian (not only Recommends)
  libonnx-testdata              # the ONNX backend test suite (conformance of the ONNX import)
  fortunes                      # fortune-mod's quotations filed by topic: the text classification set (data.Fortunes)
)
command -v npm >/dev/null || apt_packages+=(nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

go version >/dev/null   # fetches the pinned toolchain on first use

# Front ends, runner and kernel test suite from PyPI, every package pinned by
# scripts/python/requirements.lock, in a virtual environment of Debian's
# python3 (a pyenv python3 that may come first on PATH is not used).
if ! cmp -s scripts/python/requirements.lock .tlx/venv/requirements.lock; then
  rm -rf .tlx/venv
  /usr/bin/python3 -m venv .tlx/venv
  .tlx/venv/bin/pip install -q --no-deps -r scripts/python/requirements.lock
  cp scripts/python/requirements.lock .tlx/venv/requirements.lock
fi
bash scripts/python/oracle.sh  # .tlx/oracle: sentence-transformers on Debian's torch, the text oracle (tlx/text tests, bench/text.sh)

# JavaScript at the versions pinned in scripts/npm: echarts (offline charts),
# onnxruntime-node (runs exported ONNX files in the tests; its shared library
# is the ONNX Runtime backend's), TensorFlow.js (the oracle for TF.js
# import) and playwright-core (drives Debian's Chromium through a real
# JupyterLab in the browser test). Install scripts are not run: they would
# download more.
mkdir -p .tlx/npm
if ! cmp -s scripts/npm/package-lock.json .tlx/npm/package-lock.json || [ ! -f .tlx/npm/node_modules/echarts/dist/echarts.min.js ]; then
  cp scripts/npm/package.json scripts/npm/package-lock.json .tlx/npm/
  (cd .tlx/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
if [ "$(uname -m)" = x86_64 ]; then
  mkdir -p .tlx/lib
  # Replaced by a rename, never overwritten in place: a running kernel or
  # test may have the library mapped (writing into it gives them SIGBUS).
  src=.tlx/npm/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
  if ! cmp -s "$src" .tlx/lib/libonnxruntime.so.1; then
    cp "$src" .tlx/lib/libonnxruntime.so.1.new && mv -f .tlx/lib/libonnxruntime.so.1.new .tlx/lib/libonnxruntime.so.1
  fi
fi

go run ./kernel/cmd/tlx-kernel install                                    # the user's Jupyter data folder
JUPYTER_DATA_DIR="$PWD/.tlx/venv/share/jupyter" go run ./kernel/cmd/tlx-kernel install  # and the venv's
