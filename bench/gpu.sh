#!/usr/bin/env bash
# W2 (ResNet-18, 64x64x3, batch 32: forward and train step) on a GPU:
# tlx on GoMLX's XLA backend with CUDA against PyTorch on CUDA, with the
# ratio. For the lent GPU machines, which carry jax's CUDA PJRT plugin (pip
# package jax-cuda13-pjrt) and, where present, a CUDA PyTorch.
#   bash bench/gpu.sh
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
cd "$(dirname "$0")/.."

# Find the PJRT CUDA plugin.
plugin=$(find / -xdev \( -name 'pjrt_c_api_gpu_plugin*.so' -o -name 'xla_cuda_plugin*.so' -o -name 'pjrt_plugin_cuda*.so' \) 2>/dev/null | head -n 1 || true)
if [ -z "$plugin" ]; then
  echo "gpu.sh: no PJRT CUDA plugin found (looked for pjrt_c_api_gpu_plugin*.so, xla_cuda_plugin*.so)" >&2
  exit 1
fi
echo "PJRT plugin: $plugin"
export PJRT_PLUGIN_LIBRARY_PATH=$(dirname "$plugin")
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

mkdir -p .tlx/bin
go build -o .tlx/bin/tlxbench-xla ./bench/tlxbench
for w in W2a W2b; do
  GOMLX_BACKEND=xla:cuda .tlx/bin/tlxbench-xla -workload $w -iters 50 | tee -a /tmp/gpu-tlx.jsonl
  if python3 -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    TLX_TORCH_DEVICE=cuda python3 bench/torch_bench.py $w 50 | tee -a /tmp/gpu-torch.jsonl
  else
    echo "gpu.sh: PyTorch with CUDA not available here; tlx numbers only" >&2
  fi
done
python3 - <<'PY'
import json
def load(p):
    try:
        return {r["workload"]: r for r in map(json.loads, open(p))}
    except FileNotFoundError:
        return {}
t, g = load("/tmp/gpu-torch.jsonl"), load("/tmp/gpu-tlx.jsonl")
for w in ("W2a", "W2b"):
    if w in g:
        line = f"{w}: tlx {g[w]['backend']} {g[w]['img_per_s']:.0f} img/s"
        if w in t:
            line += f", PyTorch {t[w]['img_per_s']:.0f} img/s, ratio {g[w]['img_per_s'] / t[w]['img_per_s']:.2f}x"
        print(line)
PY
