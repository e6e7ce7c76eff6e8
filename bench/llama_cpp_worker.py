"""One llama.cpp measurement, run in its own process so its peak RSS is its own.

Usage: python llama_cpp_worker.py MODEL PROMPT_FILE MAX_TOKENS THREADS
Prints one JSON line: prompt tokens, prompt tokens/s, decode tokens, decode tokens/s, generated ids.
Greedy decoding through llama.cpp's own sampler (top_k=1), prompt evaluated in one batch.
"""
import json
import sys
import time

from llama_cpp import Llama

model, prompt_file, max_tokens, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
text = open(prompt_file, encoding="utf-8").read()
llm = Llama(model_path=model, n_ctx=2048, n_threads=threads, n_threads_batch=threads, n_batch=512, verbose=False)
ids = llm.tokenize(text.encode(), add_bos=False, special=True)

start = time.perf_counter()
llm.eval(ids)
prompt_s = time.perf_counter() - start

out = []
start = time.perf_counter()
for _ in range(max_tokens):
    token = llm.sample(top_k=1, temp=0.0)
    out.append(token)
    llm.eval([token])
decode_s = time.perf_counter() - start
print(json.dumps({"prompt_tokens": len(ids), "prompt_tps": len(ids) / prompt_s,
                  "decode_tokens": len(out), "decode_tps": len(out) / decode_s, "ids": out}))
