#!/usr/bin/env bash
# Times every backend on the workloads tlx's default backend order was
# chosen from (small CNN and ResNet-18, 64² and 224², forward and Adam train
# step, batch 16): a fresh process per run, backends interleaved within each
# repetition, one JSON line per run (see bench/backendorder/main.go).
#
#	bash bench/backendorder.sh [REPS] > backendorder.jsonl
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
reps=${1:-2}
go build -o .tlx/bin/backendorder ./bench/backendorder
for rep in $(seq "$reps"); do
  for w in "cnn 64" "cnn 224" "resnet18 64" "resnet18 224"; do
    set -- $w
    for mode in forward train; do
      for backend in go onnx:cpu xla:cpu; do
        GOMLX_BACKEND=$backend .tlx/bin/backendorder -model "$1" -size "$2" -mode "$mode" -iters 3 ||
          echo "{\"backend\":\"$backend\",\"model\":\"$1\",\"size\":$2,\"mode\":\"$mode\",\"failed\":true}"
      done
    done
  done
done
