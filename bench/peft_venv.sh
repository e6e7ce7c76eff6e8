#!/usr/bin/env bash
# Makes (once) a throwaway venv with the PyTorch + PEFT peer that the training benchmarks run
# (bench/peft_model.py, peft_train_steps.py, peft_train_speed.py). Prints the venv's python.
# Usage: PY=$(bench/peft_venv.sh)     (venv at $PEFT_VENV, default /tmp/tb-peft-venv)
# torch comes from PyPI (pip's find-links may supply a local CPU wheel instead); PyPI's Linux wheel
# drags in several GB of CUDA libraries that are never used here. Takes a few minutes.
set -euo pipefail
VENV=${PEFT_VENV:-/tmp/tb-peft-venv}
if ! "$VENV/bin/python" -c "import torch, transformers, peft, safetensors, numpy, gguf" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --no-cache-dir --upgrade pip >&2
    "$VENV/bin/pip" install --no-cache-dir torch >&2
    "$VENV/bin/pip" install --no-cache-dir transformers peft safetensors numpy gguf >&2
fi
echo "$VENV/bin/python"
