#!/usr/bin/env python3
"""How the tokenizer test fixtures were made. Not run by the tests (they never need Python).

Writes Tests/EngineTests/Fixtures/tokenizer-reference.json with:
  - "splits": pre-tokenizer word splits for hand-picked and seeded-random strings, per pre-tokenizer:
      gpt2, llama3, qwen2: the published patterns (llama.cpp llama-vocab.cpp / the models' HF
        tokenizer.json) run with Python's `regex` module, `findall` (every scalar is covered by
        these patterns, so the matches are the words);
      smollm: HF `tokenizers` pre_tokenizer of ../shared/golden/smollm2-tokenizer.json
        (Digits(individual_digits) + ByteLevel regex); the byte-level alphabet is mapped back to text.
  - "plain_special": ids for strings containing special-token text with special-token parsing OFF,
      from HF `tokenizers` with `encode_special_tokens = True` (the special tokens' text is then
      tokenized as ordinary text, as llama.cpp does with parse_special = false).
  - "long_words": HF `tokenizers` ids for single words of 65...2000 characters.

Run:
  python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install regex tokenizers
  /tmp/tokvenv/bin/python bench/tokenizer_reference.py
(made with regex 2026.11.15, tokenizers 0.23.3)
"""
import json
import os
import random

import regex
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "..", "shared", "golden", "smollm2-tokenizer.json")
OUT = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "tokenizer-reference.json")

PATTERNS = {
    "gpt2": r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    "llama3": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "qwen2": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
}

HAND_PICKED = [
    "don't won't it's I'm we'll they've she'd",
    "DON'T I'M WE'LL THEY'VE SHE'D 'Tis",
    "1234567 and 12,345.6789 x2024y",
    "a  \n\n  b\t\tc  ",
    "line1\r\nline2\n\n\nline3",
    "Hi!\n\nThere?!\n  ok",
    "naïve 東京 Привет مرحبا",
    "emoji 🧙\u200d♂️🔥 test",
    "'x 'S ''s",
    "   leading and trailing   ",
    " ?!x ...y",
    "x\u00a0y\u3000z",
    "½ ① ² Ⅻ",
    "def f(x):\n\treturn x  +  1\n",
    "https://example.com/path?q=1&r=2#frag",
]

ALPHABET = ["a", "Z", "é", "東", "1", "٣", "½", " ", " ", "\t", "\n", "\r", "'", "s", "L", "!", ".",
            "🧙", "\u00a0", "ll", "RE"]


def random_strings(seed, count, length):
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(length)) for _ in range(count)]


def byte_level_decoder():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def main():
    texts = HAND_PICKED + random_strings(seed=20240601, count=40, length=24)
    tok = Tokenizer.from_file(GOLDEN)
    unbyte = byte_level_decoder()

    splits = {}
    for name, pattern in PATTERNS.items():
        compiled = regex.compile(pattern)
        cases = []
        for text in texts:
            words = compiled.findall(text)
            assert "".join(words) == text, (name, text)
            cases.append({"text": text, "words": words})
        splits[name] = {"pattern": pattern, "cases": cases}

    cases = []
    for text in texts:
        words = [bytes(unbyte[c] for c in w).decode("utf-8") for w, _ in tok.pre_tokenizer.pre_tokenize_str(text)]
        assert "".join(words) == text, text
        cases.append({"text": text, "words": words})
    splits["smollm"] = {"pattern": "HF tokenizers pre_tokenizer of smollm2-tokenizer.json", "cases": cases}

    plain = []
    tok.encode_special_tokens = True
    for text in ["<|im_start|>user\nHi<|im_end|>\n", "<|endoftext|>", "a<file_sep>b"]:
        plain.append({"text": text, "ids": tok.encode(text, add_special_tokens=False).ids})

    # Words far longer than the Swift tokenizer's scan limit (64 symbols), so its priority-queue
    # merge path is checked against HF's.
    rng = random.Random(99)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    long_texts = ["".join(rng.choice(letters) for _ in range(n)) for n in (65, 300, 2000)]
    long_texts += ["ab" * 500, "é" * 200 + "東京" * 50, "=" * 1000]
    long_words = [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in long_texts]

    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"note": "made by bench/tokenizer_reference.py; see its docstring",
                   "splits": splits, "plain_special": plain,
                   "long_words": long_words}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
