#!/usr/bin/env bash
# tlx against PyTorch on this machine: makes the PyTorch 2.x venv
# (bench/torch-env.sh), builds tlxbench, then runs every workload
# interleaved — PyTorch 2.x (PyPI), Debian's PyTorch 1.13, tlx on the go,
# onnx:cpu and xla:cpu backends, each run a fresh process — and appends the
# tables to bench/RESULTS.md. Default: the 224² workloads (W6 ResNet-18,
# W7 MobileNetV2) and the 3-stage recipe end to end (W8).
#   bash bench/run.sh [--reps N] [--iters N] [--workloads W6a,W8,...] [--n 2000] [--test 1000] [--epochs 3,2,2]
# (flags of bench/compare; W1a..W5 are the older 28²/64² workloads.)
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
for p in python3-torch python3-torchvision dataset-fashion-mnist; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing
fi
mkdir -p .tlx/bin
[ -f .tlx/lib/libonnxruntime.so.1 ] || bash scripts/setup.sh
bash bench/torch-env.sh
go build -o .tlx/bin/tlxbench ./bench/tlxbench
go run ./bench/compare -tlx .tlx/bin/tlxbench -ort "$(pwd)/.tlx/lib/libonnxruntime.so.1" -out bench/RESULTS.md "$@"
