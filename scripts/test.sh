#!/usr/bin/env bash
# Runs every test: sets up what the tests need (same setup as the main
# job), then go vet and go test over the whole module (the numerics
# packages a second time on the AVX2 path where the CPU has AVX-512; every
# backend is compiled in, so the XLA and ONNX Runtime tests run there too:
# fallback, training parity, mixed execution), and a short fuzzing of each parser.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
bash scripts/setup.sh
go vet ./...
# go test's limit guards against a hang, not a budget: on a 2-core CPU without
# AVX-512 the notebooks package alone runs ~57 minutes (README "Tests").
go test -count=1 -timeout 80m ./...
# The Go backend takes AVX-512 kernels where the CPU has them and AVX2 ones
# elsewhere; they round differently. Run the numerics-sensitive packages
# again on the AVX2 path so a result that holds on only one path fails here.
numerics=(./tlx/nn ./tlx/arch ./tlx/adapt ./tlx/retain ./tlx/fit ./tlx/onnxnet ./tlx/onnxexport ./tlx/engine ./tlx/study ./tlx/probe ./tlx/text ./tlx/tfjs ./tlx/zoo ./tlx)
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  echo "test: this CPU has AVX-512: numerics packages again on the AVX2 path (GODEBUG=cpu.avx512f=off)"
  GODEBUG=cpu.avx512f=off go test -count=1 -timeout 20m "${numerics[@]}"
else
  echo "test: this CPU has no AVX-512: the run above took the AVX2 path already; the AVX-512 path cannot be tested here"
fi
for target in "FuzzRead ./tlx/safetensors" "FuzzReadIDX ./tlx/data" "FuzzReadText ./tlx/data" "FuzzLoadONNX ./tlx/onnxnet" "FuzzLoadTFJS ./tlx/tfjs" "FuzzParse ./tlx/hub"; do
  set -- $target
  go test -run '^$' -fuzz "^$1\$" -fuzztime 10s "$2"
done
