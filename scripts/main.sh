#!/usr/bin/env bash
# The main job: set everything up, then execute every notebook in notebooks/
# headless, in full, into reports/NAME.html (self-contained, opens offline).
#   bash scripts/main.sh          run the notebooks, print where the reports are
#   bash scripts/main.sh serve    open Jupyter on 127.0.0.1:8888 instead (token login)
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "serve" ]; then
  exec /usr/bin/jupyter notebook --ip=127.0.0.1 --port=8888 --no-browser --notebook-dir=notebooks
fi
mkdir -p reports
go run ./kernel/cmd/tlx-run --dir reports notebooks/*.ipynb
echo "reports: $(pwd)/reports"
ls -1 reports/*.html
