#!/usr/bin/env bash
# PyTorch 2.15 for the benchmark only (bench/run.sh): a venv at
# .tlx/bench-torch made from Debian's /usr/bin/python3, with the exact
# versions of bench/torch-requirements.lock (PyPI's x86_64 torch is a CUDA
# build, ~5.4 GB with its CUDA wheels; it runs on the CPU). Idempotent: does
# nothing when the venv already holds the locked versions. setup.sh and the
# tests do not need it.
#   bash bench/torch-env.sh
# PIP_FIND_LINKS=DIR lets pip take already downloaded wheels from DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TLX_BENCH_TORCH:-.tlx/bench-torch} # TLX_BENCH_TORCH moves it
lock=bench/torch-requirements.lock
want=$(grep -v '^#' "$lock" | sort -f)
if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/pip" freeze 2>/dev/null | sort -f)" = "$want" ]; then
  exit 0
fi
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --no-deps -r "$lock"
"$venv/bin/python" -c 'import torch, torchvision; print("bench/torch-env.sh: torch", torch.__version__, "torchvision", torchvision.__version__, "CPU", torch.backends.cpu.get_cpu_capability())'
