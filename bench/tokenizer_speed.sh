#!/usr/bin/env bash
# Tokenizer speed: TuneBench's Swift tokenizer vs HF `tokenizers` (Rust), both single-threaded,
# on the same multi-megabyte text, with a check that both produce the same ids.
# Needs a venv with `tokenizers` (python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install tokenizers).
# Usage: bench/tokenizer_speed.sh [PYTHON]   (default /tmp/tokvenv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-/tmp/tokvenv/bin/python}
JSON=../shared/golden/smollm2-tokenizer.json
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ~5 MB of text: the golden perplexity text, its words reshuffled with a fixed seed, plus a few
# lines with digits, code, accents, CJK and emoji every so often.
"$PY" - "$WORK/text.txt" <<'PY'
import random, sys
words = open("../shared/golden/perplexity-text.txt", encoding="utf-8").read().split()
extra = ["3.14159 and 2,718,281", "def f(x):\n\treturn x  +  1", "café naïve résumé", "東京は日本の首都です。",
         "emoji 🧙\u200d♂️🔥", "don't won't it's", "<|im_start|>user\nHi<|im_end|>"]
rng = random.Random(7)
out, size = [], 0
while size < 5_000_000:
    line = " ".join(rng.choice(words) for _ in range(rng.randint(5, 30)))
    if rng.random() < 0.1:
        line += " " + rng.choice(extra)
    out.append(line)
    size += len(line.encode()) + 1
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out))
PY

swiftc -Ounchecked -wmo -target-cpu haswell -module-name TokenizerSpeed \
    $(ls Sources/Engine/Tokenizer/*.swift | grep -v "+GGUF") bench/tokenizer_speed/main.swift -o "$WORK/tokenizer-speed"
"$WORK/tokenizer-speed" "$JSON" "$WORK/text.txt"

RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false "$PY" - "$JSON" "$WORK/text.txt" <<'PY'
import sys, time
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
mb = len(text.encode()) / 1e6
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    ids = tok.encode(text, add_special_tokens=False).ids
    best = min(best, time.perf_counter() - start)
checksum = 1469598103934665603
for i in ids:
    checksum = ((checksum ^ i) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
print(f"hf tokenizers: encode {mb:.2f} MB in {best:.3f} s = {mb / best:.2f} MB/s, {len(ids)} tokens, checksum {checksum}")
PY
