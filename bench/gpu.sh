#!/usr/bin/env bash
# The 224² workloads on a GPU, and the data-parallel path: for the lent GPU
# machines, which carry jax's CUDA PJRT plugin (pip package jax-cuda13-pjrt)
# and, where present, a CUDA PyTorch; nothing else can be installed there.
#
#   bash bench/gpu.sh [iters]
#
# 1. W6a/W6b (ResNet-18) and W7a/W7b (MobileNetV2) at 224×224×3, batch 32:
#    tlx on GoMLX's XLA backend with CUDA (xla:cuda), against PyTorch on
#    CUDA where it imports, with the ratio.
# 2. Data-parallel (fit.DataParallelStep, what fit.Config.Devices uses):
#    W6b over every GPU, batch 32 per GPU, against one GPU — where the
#    machine has two or more; with one GPU it says so and runs nothing.
# 3. The same path on the machine's CPU over two of the XLA CPU plugin's host devices, where the
#    CPU plugin is at hand: fit's data-parallel tests (one device's loss
#    curve within tolerance).
# The machine may lack Go: build the binaries here first, and carry .tlx/bin:
#   go build -o .tlx/bin/tlxbench ./bench/tlxbench
#   go test -c -o .tlx/bin/fit.test ./tlx/fit
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
cd "$(dirname "$0")/.."
iters=${1:-20}
out=${OUT:-/tmp}/gpu-bench
mkdir -p "$out" .tlx/bin

plugin=$(find / -xdev \( -name 'pjrt_c_api_gpu_plugin*.so' -o -name 'xla_cuda_plugin*.so' -o -name 'pjrt_plugin_cuda*.so' \) 2>/dev/null | head -n 1 || true)
if [ -z "$plugin" ]; then
  echo "gpu.sh: no PJRT CUDA plugin found (looked for pjrt_c_api_gpu_plugin*.so, xla_cuda_plugin*.so, pjrt_plugin_cuda*.so)" >&2
  exit 1
fi
echo "PJRT CUDA plugin: $plugin"
export PJRT_PLUGIN_LIBRARY_PATH=$(dirname "$plugin")
gpus=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | wc -l || echo 0)
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
echo "GPUs: $gpus"

bin=.tlx/bin/tlxbench
if [ ! -x "$bin" ]; then
  go build -o "$bin" ./bench/tlxbench
fi
python=$(command -v python3 || true)
torch_cuda=no
if [ -n "$python" ] && "$python" -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  torch_cuda=yes
fi

: > "$out/tlx.jsonl"
: > "$out/torch.jsonl"
for w in W6a W6b W7a W7b; do
  GOMLX_BACKEND=xla:cuda "$bin" -workload $w -iters "$iters" | tee -a "$out/tlx.jsonl"
  if [ "$torch_cuda" = yes ]; then
    TLX_TORCH_DEVICE=cuda "$python" bench/torch_bench.py $w "$iters" | tee -a "$out/torch.jsonl"
  fi
done
[ "$torch_cuda" = yes ] || echo "gpu.sh: PyTorch with CUDA not available here; tlx numbers only" >&2

if [ "$gpus" -ge 2 ]; then
  GOMLX_BACKEND=xla:cuda "$bin" -workload W6b -iters "$iters" -devices "$gpus" | sed 's/"W6b"/"W6b-dp"/' | tee -a "$out/tlx.jsonl"
else
  echo "gpu.sh: $gpus GPU(s): data-parallel over GPUs needs two or more; skipped"
fi

# The data-parallel tests on two XLA CPU host devices, where the CPU plugin is here.
if ls .tlx/venv/lib/python3*/site-packages/*/pjrt_c_api_cpu_plugin.so >/dev/null 2>&1; then
  cpu_plugin=$(dirname "$(ls .tlx/venv/lib/python3*/site-packages/*/pjrt_c_api_cpu_plugin.so | head -n 1)")
  test_bin=.tlx/bin/fit.test
  [ -x "$test_bin" ] || go test -c -o "$test_bin" ./tlx/fit
  (cd tlx/fit && PJRT_PLUGIN_LIBRARY_PATH=$cpu_plugin \
    "../../$test_bin" -test.run 'DataParallel|FitOnDevices' -test.v) | tee "$out/dataparallel-cpu.txt" | grep -E '^(---|ok|FAIL|PASS)'
else
  echo "gpu.sh: no XLA CPU plugin in .tlx/venv: the two-host-device test is left to scripts/test.sh"
fi

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def load(p):
    try:
        return {r["workload"]: r for r in map(json.loads, open(p)) if r.get("workload")}
    except FileNotFoundError:
        return {}
g, t = load(f"{out}/tlx.jsonl"), load(f"{out}/torch.jsonl")
for w in ("W6a", "W6b", "W7a", "W7b", "W6b-dp"):
    if w not in g:
        continue
    r = g[w]
    line = f"{w}: tlx {r['backend']} {r['img_per_s']:.0f} img/s (first step {r['first_step_s']:.1f} s, {r.get('extra', '')})"
    if w in t:
        line += f", PyTorch {t[w]['backend']} {t[w]['img_per_s']:.0f} img/s, tlx / PyTorch {r['img_per_s'] / t[w]['img_per_s']:.2f}x"
    if w == "W6b-dp" and "W6b" in g:
        line += f"; scaling over one GPU {r['img_per_s'] / g['W6b']['img_per_s']:.2f}x"
    print(line)
PY
