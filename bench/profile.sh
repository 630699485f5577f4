#!/usr/bin/env bash
# Where the time of one workload goes, by shared object, for tlx on a
# backend and for PyTorch 2.x: perf record of one fresh process per side,
# then perf report --sort dso (perf: Debian's linux-perf; as root, or with
# kernel.perf_event_paranoid <= 1). XLA's plugin and PyTorch's oneDNN
# kernels are stripped or JIT-compiled, so the split by library is what
# can be read: precompiled kernels, JIT code, the kernel (page faults),
# libc.
#   bash bench/profile.sh [workload (default W6b)] [backend (default xla:cpu)]
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
w=${1:-W6b}
backend=${2:-xla:cpu}
command -v perf >/dev/null || { echo "profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 1; }
mkdir -p .tlx/bin .tlx/profile
go build -o .tlx/bin/tlxbench ./bench/tlxbench
export ONNXRUNTIME_SHARED_LIBRARY_PATH=$(pwd)/.tlx/lib/libonnxruntime.so.1
GOMLX_BACKEND=$backend perf record -q -F 499 -g -o .tlx/profile/tlx.data .tlx/bin/tlxbench -workload "$w" -iters 4 | tail -n 1
echo "== tlx $backend, $w: samples by shared object"
perf report -i .tlx/profile/tlx.data --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 8
if [ -x .tlx/bench-torch/bin/python ]; then
  perf record -q -F 499 -g -o .tlx/profile/torch.data .tlx/bench-torch/bin/python bench/torch_bench.py "$w" 4 | tail -n 1
  echo "== PyTorch 2.x, $w: samples by shared object"
  perf report -i .tlx/profile/torch.data --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 8
fi
