"""Side-by-side inference benchmark: TuneBench vs llama.cpp (llama-cpp-python) on the same GGUF files.

For each model: the same prompt text, 2 threads, greedy, a fixed number of new tokens (no EOS stop
on either side). Each engine runs in its own process (so peak RSS is its own), alternately, `runs`
times; the best run of each counts. Prints prompt tokens/s, decode tokens/s, peak RSS and ratios.

Usage: python3 bench/inference_vs_llama_cpp.py --llama-python PY --tunebench BIN MODEL.gguf [...]
(bench/inference_vs_llama_cpp.sh does the set-up: the venv, the release build, the Q8_0 / F16 files.)
"""
import argparse
import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
p = argparse.ArgumentParser()
p.add_argument("--llama-python", required=True)
p.add_argument("--tunebench", required=True)
p.add_argument("--prompt-file", default=os.path.join(here, "..", "..", "shared", "golden", "perplexity-text.txt"))
p.add_argument("--prompt-chars", type=int, default=1400, help="characters of the prompt file to use (≈ 300 tokens)")
p.add_argument("--decode", type=int, default=128)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--runs", type=int, default=2)
p.add_argument("models", nargs="+")
a = p.parse_args()

prompt_path = "/tmp/tb-bench-prompt.txt"
with open(a.prompt_file, encoding="utf-8") as f:
    text = f.read()[: a.prompt_chars]
with open(prompt_path, "w", encoding="utf-8") as f:
    f.write(text)


def run_child(cmd):
    # os.wait4 gives the child's own ru_maxrss (KB on Linux).
    pid = os.fork()
    if pid == 0:
        out = os.open("/tmp/tb-bench-out.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err = os.open("/tmp/tb-bench-err.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(err, 2)
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    out = open("/tmp/tb-bench-out.txt", encoding="utf-8", errors="replace").read()
    err = open("/tmp/tb-bench-err.txt", encoding="utf-8", errors="replace").read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return out, err, usage.ru_maxrss / 1024


def llama(model):
    out, _, rss = run_child([a.llama_python, os.path.join(here, "llama_cpp_worker.py"), model, prompt_path,
                             str(a.decode), str(a.threads)])
    r = json.loads(out.strip().splitlines()[-1])
    return r["prompt_tokens"], r["prompt_tps"], r["decode_tps"], rss


def tunebench(model):
    _, err, rss = run_child([a.tunebench, "generate", "--model", model, "--prompt", text, "--max-tokens", str(a.decode),
                             "--temperature", "0", "--ignore-eos", "--threads", str(a.threads), "--stats"])
    m = re.search(r"prompt: (\d+) tokens.*?([\d.]+) tokens/s; decode: (\d+) tokens in [\d.]+ s, ([\d.]+) tokens/s", err)
    if not m:
        sys.exit(f"could not read tunebench's --stats line:\n{err[-1000:]}")
    return int(m.group(1)), float(m.group(2)), float(m.group(4)), rss


print(f"prompt ≈ {a.prompt_chars} characters, {a.decode} new tokens, greedy, {a.threads} threads, best of {a.runs} alternating runs")
print(f"{'model':<34} {'engine':<10} {'prompt tok':>10} {'prompt t/s':>11} {'decode t/s':>11} {'peak RSS MB':>12}")
for model in a.models:
    best = {"llama.cpp": None, "tunebench": None}
    for _ in range(a.runs):
        for name, fn in (("llama.cpp", llama), ("tunebench", tunebench)):
            n, ptps, dtps, rss = fn(model)
            b = best[name]
            best[name] = (n, max(ptps, b[1]) if b else ptps, max(dtps, b[2]) if b else dtps, min(rss, b[3]) if b else rss)
    for name in ("llama.cpp", "tunebench"):
        n, ptps, dtps, rss = best[name]
        print(f"{os.path.basename(model):<34} {name:<10} {n:>10} {ptps:>11.1f} {dtps:>11.1f} {rss:>12.1f}")
    l, t = best["llama.cpp"], best["tunebench"]
    print(f"{'':<34} {'ratio':<10} {'':>10} {t[1] / l[1]:>10.2f}× {t[2] / l[2]:>10.2f}× {t[3] / l[3]:>11.2f}×")
