#!/usr/bin/env bash
# Sets everything up (apt packages, the default model), builds TuneBench in release mode and opens
# the workbench on the sample workspace with the default model. Without a terminal it runs the same
# loop from the command line instead (extract, prepare, a short training run). Extra arguments go to
# `tunebench` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
log=$(mktemp)
if ! swift build -c release --product tunebench >"$log" 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\]' "$log" >&2 || true
    rm -f "$log"
    echo "run: the build failed" >&2
    exit 1
fi
grep -vE '^\[[0-9]+/[0-9]+\]' "$log" || true
rm -f "$log"
bin=.build/release/tunebench
if [ $# -gt 0 ]; then
    exec "$bin" "$@"
fi
ws=samples/workspace
if [ -t 0 ] && [ -t 1 ]; then
    exec "$bin" open "$ws"
fi
echo "run: no terminal, so the sample loop runs from the command line instead of the workbench" >&2
"$bin" extract samples/pride-and-prejudice-a5.pdf --auto --out "$ws/pages.jsonl"
"$bin" prepare "$ws/pages.jsonl" --ctx 256 --test-size 0.1 --out "$ws/dataset"
exec "$bin" train --workspace "$ws" --max-steps 20 --out "$ws/runs/quick-start-$(date +%Y%m%d-%H%M%S)"
