#!/usr/bin/env bash
# Sets everything up like scripts/run.sh, then runs the whole test suite. Tests are built in release
# mode: they run the real model, which is far too slow in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release -Xswiftc -enable-testing --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
# A hung test must fail the run, not stall it: the whole suite takes a few minutes.
limit=${TUNEBENCH_TEST_TIMEOUT:-1500}
status=0
timeout --kill-after=30 "$limit" swift test -c release -Xswiftc -enable-testing --skip-build "$@" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "tests did not finish within ${limit}s: stopped" >&2
fi
exit "$status"
