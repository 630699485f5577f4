#!/usr/bin/env bash
# Runs every test: sets up what the tests need (same setup as the main
# job), then go vet and go test over the whole module.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd
cd "$(dirname "$0")/.."
bash scripts/setup.sh
go vet ./...
go test -count=1 -timeout 45m ./...
