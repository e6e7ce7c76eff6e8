#!/usr/bin/env bash
# Makes (once) a throwaway venv with llama-cpp-python 0.3.36 built from source with native CPU flags,
# the peer that the inference benchmarks and the golden check run. Prints the venv's python.
# Usage: PY=$(bench/llama_cpp_venv.sh)     (venv at $LLAMA_VENV, default /tmp/tb-llama-venv)
# Building takes about 10 minutes on 2 cores.
set -euo pipefail
VENV=${LLAMA_VENV:-/tmp/tb-llama-venv}
if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    CMAKE_ARGS="-DGGML_NATIVE=on" "$VENV/bin/pip" install --no-cache-dir numpy "llama-cpp-python==0.3.36" >&2
fi
echo "$VENV/bin/python"
