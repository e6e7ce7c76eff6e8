#!/usr/bin/env bash
# Sets everything up (apt packages, the default model), builds TuneBench in release mode and starts
# the main job. Extra arguments go to `tunebench` instead of the default command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product tunebench 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin=.build/release/tunebench
[ -x "$bin" ] || { echo "run: the build failed" >&2; exit 1; }
if [ $# -gt 0 ]; then
    exec "$bin" "$@"
fi
exec "$bin" chat
