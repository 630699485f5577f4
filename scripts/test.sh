#!/usr/bin/env bash
# Runs every test: sets up what the tests need (same setup as the main
# job), then go vet and go test over the whole module, the XLA and ONNX
# Runtime backends' tests (built with -tags xla / -tags onnx: fallback,
# training parity, mixed execution), and a short fuzzing of each parser.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
bash scripts/setup.sh
go vet ./...
go vet -tags xla ./tlx/engine
go vet -tags onnx ./tlx/... ./bench/...
go test -count=1 -timeout 45m ./...
go test -count=1 -tags xla -run XLA ./tlx/engine
go test -count=1 -tags onnx -run 'ONNX|Prefix' ./tlx/engine ./tlx/fit
for target in "FuzzRead ./tlx/safetensors" "FuzzReadIDX ./tlx/data" "FuzzLoadONNX ./tlx/onnxnet" "FuzzLoadTFJS ./tlx/tfjs" "FuzzParse ./tlx/hub"; do
  set -- $target
  go test -run '^$' -fuzz "^$1\$" -fuzztime 10s "$2"
done
