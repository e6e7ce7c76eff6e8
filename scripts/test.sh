#!/usr/bin/env bash
# Sets everything up like scripts/run.sh, then runs the whole test suite. Tests are built in release
# mode: they run the real model, which is far too slow in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Its own build folder: the test build's flags (-enable-testing) differ from scripts/run.sh's, and
# sharing .build would make each script rebuild everything after the other.
build=(-c release -Xswiftc -enable-testing --build-path .build-test)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build "${build[@]}" --build-tests >"$log" 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\]' "$log" >&2 || true
    echo "test: the build failed" >&2
    exit 1
fi
grep -vE '^\[[0-9]+/[0-9]+\]' "$log" || true
# A hung test must fail the run, not stall it: the whole suite takes a few minutes.
limit=${TUNEBENCH_TEST_TIMEOUT:-1500}
run_tests() {
    local status=0
    timeout --kill-after=30 "$limit" swift test "${build[@]}" --skip-build "$@" || status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "tests did not finish within ${limit}s: stopped" >&2
    fi
    return "$status"
}
if [ $# -gt 0 ]; then
    run_tests "$@"
    exit
fi
# The workbench end-to-end test runs on its own after the rest: it times what a person would see
# (a chat reply streaming in), and the parallel suites would starve it of both cores.
status=0
run_tests --skip WorkbenchTmuxTests || status=$?
run_tests --filter WorkbenchTmuxTests || status=$?
# Kernels are chosen at run time: on a CPU with AVX-512 VNNI the runs above took that path, so the
# golden and kernel tests run once more on the AVX2 path (TUNEBENCH_ISA forces it).
if grep -qw avx512_vnni /proc/cpuinfo 2>/dev/null; then
    echo "test: the golden and kernel tests again on the AVX2 path (TUNEBENCH_ISA=avx2)"
    TUNEBENCH_ISA=avx2 run_tests --filter 'ModelGoldenTests|IntegerKernelTests|QuantDotTests|PerplexityTests|ElementwiseKernelTests' || status=$?
fi
exit "$status"
