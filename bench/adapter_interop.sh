#!/usr/bin/env bash
# Our trained adapter in PEFT (PyPI) and in llama.cpp (llama-cpp-python): both load it onto the
# same base and score the same 512 tokens of the sample book like TuneBench does (see
# bench/adapter_interop.py for what is compared and the tolerances).
# Usage: bench/adapter_interop.sh RUN_OR_CHECKPOINT_DIR   (a `tunebench train` run folder: its best
# checkpoint's adapter is used; or a folder with adapter_config.json and adapter.gguf)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: bench/adapter_interop.sh RUN_DIR" >&2; exit 2; }
src=$1
for candidate in "$src/best/adapter" "$src/last/adapter" "$src/adapter" "$src"; do
    if [ -f "$candidate/adapter_config.json" ]; then adapter=$(cd "$candidate" && pwd); break; fi
done
[ -n "${adapter:-}" ] || { echo "adapter_interop: no adapter_config.json under $src" >&2; exit 2; }
[ -f "$adapter/adapter.gguf" ] || { echo "adapter_interop: $adapter has no adapter.gguf" >&2; exit 2; }
PEFT_PY=$(bench/peft_venv.sh)
LLAMA_PY=$(bench/llama_cpp_venv.sh)
swift build -c release --product tunebench >/dev/null
BIN=.build/release/tunebench
MODEL=${TUNEBENCH_HOME:-$HOME/.cache/tunebench}/models/SmolLM2-135M-Instruct.Q4_1.gguf
work=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "work: $work" >&2 || trap 'rm -rf "$work"' EXIT
# The text: the sample book's body pages, as extract writes them.
"$BIN" extract samples/pride-and-prejudice-a5.pdf --auto --out "$work/pages.jsonl" 2>/dev/null
python3 -c 'import json,sys; print("\n".join(v for l in open(sys.argv[1]) for v in json.loads(l).values()))' "$work/pages.jsonl" > "$work/book.txt"
"$BIN" perplexity --model "$MODEL" --file "$work/book.txt" --ctx 512 --max-tokens 512 --per-token "$work/ours.base.json" 2>/dev/null >/dev/null
"$BIN" perplexity --model "$MODEL" --file "$work/book.txt" --ctx 512 --max-tokens 512 --adapter "$adapter" --per-token "$work/ours.lora.json" 2>/dev/null >/dev/null
echo "adapter: $adapter" >&2
"$PEFT_PY" bench/adapter_interop.py peft --model "$MODEL" --adapter "$adapter" --tokens "$work/ours.base.json" --out "$work/peft"
"$LLAMA_PY" bench/adapter_interop.py llama --model "$MODEL" --adapter "$adapter/adapter.gguf" --tokens "$work/ours.base.json" --out "$work/llama"
python3 bench/adapter_interop.py compare "$work/ours.base.json" "$work/ours.lora.json" \
    peft "$work/peft.base.json" "$work/peft.lora.json" llama.cpp "$work/llama.base.json" "$work/llama.lora.json"
