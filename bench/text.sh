#!/usr/bin/env bash
# all-MiniLM-L6-v2 forward and full fine-tuning step at sequence length 128,
# batch 32 (every position a real token), in tokens/s: tlx on the Go and
# ONNX Runtime backends (bench/textbench) against PyTorch running the same
# BERT on the same ids (bench/text_torch.py) — Debian's torch 1.13 in the
# oracle environment (.tlx/oracle, scripts/python/oracle.sh) and, when
# bench/torch-env.sh made it, PyPI's torch 2.x (.tlx/bench-torch) — 2
# threads, interleaved, each run a fresh process. Appends a table to
# bench/RESULTS.md with the machine, the CPU path and the load.
#   bash bench/text.sh [REPS] [FORWARD_ITERS] [TRAIN_ITERS]   (defaults 1 3 2)
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
reps=${1:-1} fwd=${2:-3} trn=${3:-2}
[ -x .tlx/oracle/bin/python ] || bash scripts/python/oracle.sh
mkdir -p .tlx/bin
go build -o .tlx/bin/textbench ./bench/textbench
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
.tlx/bin/textbench -ids "$tmp/ids.json"
export ONNXRUNTIME_SHARED_LIBRARY_PATH="$PWD/.tlx/lib/libonnxruntime.so.1" OMP_NUM_THREADS=2 HF_HUB_OFFLINE=1
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
for _ in $(seq "$reps"); do
  for mode in forward train; do
    iters=$fwd; [ "$mode" = train ] && iters=$trn
    .tlx/oracle/bin/python bench/text_torch.py "$tmp/ids.json" "$mode" "$iters" >> "$tmp/results.jsonl"
    if [ -x .tlx/bench-torch/bin/python ]; then
      .tlx/bench-torch/bin/python bench/text_torch.py "$tmp/ids.json" "$mode" "$iters" >> "$tmp/results.jsonl"
    fi
    for b in go onnx:cpu; do
      GOMLX_BACKEND=$b .tlx/bin/textbench -mode "$mode" -iters "$iters" >> "$tmp/results.jsonl"
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$tmp/results.jsonl" "$start" "$load_before" "$load_after" "$reps" "$fwd" "$trn" >> bench/RESULTS.md <<'PY'
import json, statistics, sys, platform
path, start, lb, la, reps, fwd, trn = sys.argv[1:]
rows = [json.loads(l) for l in open(path)]
cpu = next((r["cpu"] for r in rows if "cpu" in r), platform.processor())
simd = next((r["simd"] for r in rows if "simd" in r), "?")
impls = list(dict.fromkeys(r["impl"] for r in rows))
print(f"\n## {start} — text: all-MiniLM-L6-v2, seq 128, batch 32 (bench/text.sh) — {cpu}, {__import__('os').cpu_count()} cores\n")
print(f"tlx Go backend SIMD path {simd}; PyTorch 2 threads (torch's own BERT in bench/text_torch.py, checked against "
      f"transformers' BertModel: max |diff| {next((r['vs_transformers_max_abs'] for r in rows if r.get('vs_transformers_max_abs')), 'n/a')}); "
      f"{reps} repetition(s), median of {fwd} forward / {trn} training steps after one warm-up, each run a fresh process; "
      f"load average before {lb}, after {la} (2 cores shared with other jobs: compare within this table only).\n")
print("| implementation | forward tokens/s | forward tokens per CPU-s | forward step wall / CPU (s) | train tokens/s | train tokens per CPU-s | train step wall / CPU (s) | first train step (s) |")
print("|---|---|---|---|---|---|---|---|")
for impl in impls:
    def med(mode, key):
        v = [r[key] for r in rows if r["impl"] == impl and r["mode"] == mode]
        return statistics.median(v) if v else float("nan")
    tok = next(r["batch"] * r["seq"] for r in rows if r["impl"] == impl)
    print(f"| {impl} | {med('forward','tokens_per_s'):.0f} | {tok / med('forward','cpu_s'):.0f} | {med('forward','step_s'):.2f} / {med('forward','cpu_s'):.2f} | "
          f"{med('train','tokens_per_s'):.0f} | {tok / med('train','cpu_s'):.0f} | {med('train','step_s'):.2f} / {med('train','cpu_s'):.2f} | {med('train','first_s'):.2f} |")
print("\nTokens/s = 4,096 tokens per step / median wall time. CPU = the process's user + system time per step "
      "(both sides use 2 threads; tokens per CPU-s = 4,096 / that), which other jobs on the machine change less than the wall clock.")
print("Train step: cross-entropy of a 2-class head on the pooled embedding, gradients of every parameter "
      "(embeddings included), SGD update; dropout off on both sides.")
PY
tail -12 bench/RESULTS.md
