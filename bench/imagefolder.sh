#!/usr/bin/env bash
# Memory of training on a folder of real-size photos (issue 15 item 4):
# writes reproducible folders of Fashion-MNIST images as 224×224 RGB JPEGs
# (10,000 images, and 1,000 and 2,000 for the eager baseline), trains a tiny
# CNN one epoch on each (augmented: random resized crop, flip, colour
# jitter), and prints a Markdown table with each run's maximum resident set
# size (/usr/bin/time -v) for the lazy path (data.OpenImageFolder) and the
# eager one (data.ImageFolder, every image as float32: 602 KB each).
#   bash bench/imagefolder.sh [N]     (N: the large folder's size, default 10000)
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
n="${1:-10000}"
out="${TLX_BENCH_DIR:-.tlx/bench}"
mkdir -p "$out" .tlx/bin
if [ ! -x /usr/bin/time ]; then  # GNU time (max RSS): not in a minimal Debian
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q time
fi
go build -o .tlx/bin/imagefolder ./bench/imagefolder
for size in 1000 2000 "$n"; do
  [ -f "$out/photos-$size/folder.json" ] || .tlx/bin/imagefolder -gen "$out/photos-$size" -n "$size"
done
rss() { grep -E 'Maximum resident set size' "$1" | awk '{print $NF}'; }
run() { # mode size
  local log="$out/imagefolder-$1-$2.log"
  /usr/bin/time -v .tlx/bin/imagefolder -dir "$out/photos-$2" -mode "$1" >"$log.row" 2>"$log"
  echo "$(cat "$log.row") $(( $(rss "$log") / 1024 )) MB |"
}
echo "$(date -u +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo AVX2/generic)"
echo
echo "| path | train + val images | compressed MB | open | one epoch | val accuracy | max RSS (getrusage) | max RSS (time -v) |"
echo "|---|---|---|---|---|---|---|---|"
run lazy "$n"
for size in 1000 2000; do run lazy "$size"; run eager "$size"; done
e1=$(rss "$out/imagefolder-eager-1000.log"); e2=$(rss "$out/imagefolder-eager-2000.log")
echo
echo "eager path: $(( (e2 - e1) / 1000 )) KB per image between 1,000 and 2,000 images, so $(( (e1 + (e2 - e1) * (n - 1000) / 1000) / 1024 )) MB extrapolated to $n"
