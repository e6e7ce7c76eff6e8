#!/usr/bin/env bash
# Makes (once) a throwaway venv with the PyTorch + PEFT peer that the training benchmarks run
# (bench/peft_model.py, peft_train_steps.py, peft_train_speed.py). Prints the venv's python.
# Usage: PY=$(bench/peft_venv.sh)     (venv at $PEFT_VENV, default /tmp/tb-peft-venv)
# torch comes from PyTorch's CPU-only index when it is reachable (a ~200 MB wheel; pip's find-links
# may also supply a local CPU wheel); otherwise from PyPI, whose Linux wheel drags in several GB of CUDA
# libraries that are never used here. Takes a few minutes.
set -euo pipefail
VENV=${PEFT_VENV:-/tmp/tb-peft-venv}
if ! "$VENV/bin/python" -c "import torch, transformers, peft, safetensors, numpy, gguf" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --no-cache-dir --upgrade pip >&2
    # Probe first: with an unreachable --index-url pip retries every dependency for minutes.
    if python3 -c "import urllib.request as u; u.urlopen('https://download.pytorch.org/whl/cpu/torch/', timeout=10)" 2>/dev/null; then
        "$VENV/bin/pip" install --no-cache-dir torch --index-url https://download.pytorch.org/whl/cpu \
            --extra-index-url https://pypi.org/simple >&2
    else
        echo "peft_venv.sh: PyTorch's CPU index is unreachable; installing torch from PyPI" >&2
        "$VENV/bin/pip" install --no-cache-dir torch >&2
    fi
    "$VENV/bin/pip" install --no-cache-dir transformers peft safetensors numpy gguf >&2
fi
echo "$VENV/bin/python"
