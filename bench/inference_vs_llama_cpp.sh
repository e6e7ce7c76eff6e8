#!/usr/bin/env bash
# Inference speed, side by side: TuneBench vs llama.cpp (llama-cpp-python 0.3.36 built with native
# CPU flags) on the default Q4_1 model and on Q8_0 and F16 versions made with `tunebench quantize`.
# Same prompt, 2 threads, greedy, 128 new tokens; prints prompt tokens/s, decode tokens/s, peak RSS
# and the ratios. Usage: bench/inference_vs_llama_cpp.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
PY=$(bench/llama_cpp_venv.sh)
swift build -c release --build-path .build-bench >/dev/null
BIN=.build-bench/release/tunebench
MODELS=.build-bench/models  # derived models for the benchmark (the cache keeps only what users fetch)
Q41=${TUNEBENCH_HOME:-$HOME/.cache/tunebench}/models/SmolLM2-135M-Instruct.Q4_1.gguf
F16=$MODELS/SmolLM2-135M-Instruct.F16.gguf
Q80=$MODELS/SmolLM2-135M-Instruct.Q8_0.gguf
# The Q4_1 file is all we can download; dequantizing it to F16 is exact up to F16 rounding.
mkdir -p "$MODELS"
[ -f "$F16" ] || "$BIN" quantize --model "$Q41" --type f16 --allow-requantize --out "$F16"
[ -f "$Q80" ] || "$BIN" quantize --model "$F16" --type q8_0 --out "$Q80"
python3 bench/inference_vs_llama_cpp.py --llama-python "$PY" --tunebench "$BIN" "$@" "$Q41" "$Q80" "$F16"
