#!/usr/bin/env bash
# Sets everything up (apt packages, the default model), builds TuneBench in release mode and runs the
# main job on the sample workspace: crop and extract the sample book, prepare the dataset, then chat
# with the default model. Extra arguments go to `tunebench` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product tunebench 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin=.build/release/tunebench
[ -x "$bin" ] || { echo "run: the build failed" >&2; exit 1; }
if [ $# -gt 0 ]; then
    exec "$bin" "$@"
fi
ws=samples/workspace
"$bin" extract samples/pride-and-prejudice-a5.pdf --auto --out "$ws/pages.jsonl"
"$bin" prepare "$ws/pages.jsonl" --ctx 256 --test-size 0.1 --out "$ws/dataset"
echo
exec "$bin" chat
