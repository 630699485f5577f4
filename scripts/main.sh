#!/usr/bin/env bash
# The main job: set everything up, then execute every notebook in notebooks/
# headless, in full, into reports/NAME.html (self-contained, opens offline).
#   bash scripts/main.sh                  run the notebooks, print where the reports are
#   bash scripts/main.sh serve            open JupyterLab 4 instead (127.0.0.1, token login)
#   bash scripts/main.sh serve notebook   open Notebook 7 instead
# Both come from .tlx/venv (PyPI, pinned) and serve notebooks/ on port 8888,
# or the next free one; the URL with the login token is printed.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
if [ "${1:-}" = "serve" ]; then
  case "${2:-lab}" in
    lab) app=lab ;;
    notebook) app=notebook ;;
    *) echo "main.sh serve: front end \"$2\" unknown: want lab (JupyterLab, the default) or notebook (Notebook 7)" >&2; exit 2 ;;
  esac
fi
bash scripts/setup.sh
if [ "${1:-}" = "serve" ]; then
  root_flag=(); [ "$(id -u)" -eq 0 ] && root_flag=(--allow-root)   # containers often run as root
  exec .tlx/venv/bin/jupyter "$app" --ip=127.0.0.1 --port=8888 --port-retries=50 --no-browser \
    --ServerApp.root_dir="$PWD/notebooks" "${root_flag[@]}"
fi
mkdir -p reports
go run ./kernel/cmd/tlx-run --dir reports notebooks/*.ipynb
echo "reports: $(pwd)/reports"
ls -1 reports/*.html
