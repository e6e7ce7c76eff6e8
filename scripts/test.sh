#!/usr/bin/env bash
# Sets everything up like scripts/run.sh, then runs the whole test suite. Tests are built in release
# mode: they run the real model, which is far too slow in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release -Xswiftc -enable-testing --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift test -c release -Xswiftc -enable-testing --skip-build "$@"
