#!/usr/bin/env bash
# tlx against PyTorch on this machine: builds tlxbench (with the ONNX Runtime
# backend), then runs every workload interleaved — PyTorch, tlx on the Go
# backend, tlx on ONNX Runtime — and appends the table to bench/RESULTS.md.
#   bash bench/run.sh [--reps N] [--workloads W1a,W1b,...]
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
go build -o .tlx/bin/tlxbench ./bench/tlxbench
go run ./bench/compare -tlx .tlx/bin/tlxbench -ort "$(pwd)/.tlx/lib/libonnxruntime.so.1" -out bench/RESULTS.md "$@"
