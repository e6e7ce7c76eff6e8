"""How reproducible is ../shared/golden/generation.json with llama.cpp itself on this machine?

Runs llama-cpp-python (same version as the golden's, 2 threads) on the default model and reports,
for each golden prompt, the largest difference of its top-20 logits from the golden ones and where
its greedy continuation first departs from the golden one. On our 2-core Zen 4 machine llama.cpp
reproduces the golden logits exactly only for the two shortest prompts (5 and 6 tokens) and matches
2 of the 6 greedy continuations: the golden file was made by a build whose prompt path rounds
differently, so token-for-token agreement on every prompt is a property of one build, not of the model.

Usage: $(bench/llama_cpp_venv.sh) bench/llama_cpp_golden_check.py [MODEL.gguf]
"""
import json
import os
import sys

import numpy as np
from llama_cpp import Llama

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
golden = json.load(open(os.path.join(root, "..", "shared", "golden", "generation.json")))
model = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
    os.path.join(os.environ.get("TUNEBENCH_HOME", "~/.cache/tunebench"), "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))

llm = Llama(model_path=model, n_ctx=512, n_threads=2, logits_all=True, verbose=False)
exact = 0
print(f"{'prompt':<44} {'tokens':>6} {'top-20 max |Δ|':>15} {'greedy departs at':>18}")
for case in golden["cases"]:
    llm.reset()
    llm.eval(case["prompt_ids"])
    logits = np.array(llm.scores[llm.n_tokens - 1])
    delta = max(abs(logits[t] - v) for t, v in case["top20"])
    out = []
    for t in llm.generate(case["prompt_ids"], top_k=1, temp=0.0, reset=True):
        out.append(t)
        if t == llm.token_eos() or len(out) >= len(case["greedy_ids"]):
            break
    departs = next((i for i, (a, b) in enumerate(zip(out, case["greedy_ids"])) if a != b), None)
    exact += departs is None
    print(f"{case['prompt'][:44]:<44} {len(case['prompt_ids']):>6} {delta:>15.4f} {'never' if departs is None else departs:>18}")
print(f"greedy continuations equal to the golden ones: {exact} of {len(golden['cases'])}")
