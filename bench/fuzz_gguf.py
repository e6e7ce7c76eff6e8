#!/usr/bin/env python3
"""Mutation fuzzer for TuneBench's GGUF reader and model loader (issue 13).

Makes N mutants of a GGUF file (the default model unless --model): random byte changes biased to
the header (counts, lengths, types, dimensions, offsets, metadata values), and truncations. Each
mutant is loaded by `tunebench generate -p hi -n 2` under a 10 s time limit and a 1 GiB address-space
limit, and its outcome counted:

  ok       exit 0 (a mutation that kept the file usable, e.g. in a string's text)
  refused  exit 1 with exactly one line on stderr (what a bad file must get)
  noisy    a nonzero exit with more than one line of stderr
  crash    killed by a signal (a trap, a segfault, an abort)
  hang     still running after the time limit
  memory   stopped by the memory limit

A run passes when there is no crash, hang, memory or noisy outcome. The mutants that fail are
kept in --keep for a look.

    bench/fuzz_gguf.py [--binary .build/release/tunebench] [--mutants 1000] [--seed 1]
"""
import argparse
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_model():
    home = os.environ.get("TUNEBENCH_HOME") or os.path.expanduser("~/.cache/tunebench")
    return os.path.join(home, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")


def header_size(data):
    """Where the tensor data starts (the header: metadata and tensor infos), read enough to bias the
    mutations; a rough scan is fine, the reader under test must cope with anything."""
    # GGUF: magic, version u32, tensor count u64, kv count u64, then kvs and tensor infos.
    # The data section is aligned after the last tensor info; 2 MB covers this model's header.
    return min(len(data), 2 << 20)


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run(binary, path, timeout):
    try:
        p = subprocess.run([binary, "generate", "-m", path, "-p", "hi", "-n", "2", "--temperature", "0", "--threads", "1"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=timeout, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        return "hang", ""
    err = p.stderr.decode("utf-8", "replace")
    lines = [l for l in err.splitlines() if l.strip()]
    if p.returncode < 0:
        return "crash", err
    if p.returncode == 0:
        return "ok", err
    if "memory" in err.lower() and ("cannot allocate" in err.lower() or "out of memory" in err.lower()):
        return "memory", err
    return ("refused" if len(lines) == 1 else "noisy"), err


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/tunebench"))
    parser.add_argument("--model", default=default_model())
    parser.add_argument("--mutants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "tunebench-fuzz-failures"))
    args = parser.parse_args()

    with open(args.model, "rb") as f:
        original = f.read()
    head = header_size(original)
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="tb-fuzz-")
    mutant = os.path.join(work, "mutant.gguf")
    shutil.copyfile(args.model, mutant)
    counts = {k: 0 for k in ["ok", "refused", "noisy", "crash", "hang", "memory"]}
    os.makedirs(args.keep, exist_ok=True)
    for i in range(args.mutants):
        kind = rng.random()
        if kind < 0.15:
            # A truncation: anywhere in the header, or in the tensor data.
            cut = rng.randrange(0, head if rng.random() < 0.7 else len(original))
            path = os.path.join(work, "cut.gguf")
            with open(path, "wb") as f:
                f.write(original[:cut])
            outcome, err = run(args.binary, path, args.timeout)
            patches = [("cut", cut)]
        else:
            # 1–8 byte patches, half of them writing a boundary value over an 8- or 4-byte field.
            patches = []
            for _ in range(rng.randint(1, 8)):
                at = rng.randrange(0, 4096) if rng.random() < 0.5 else rng.randrange(0, head)
                if rng.random() < 0.5:
                    value = rng.choice([0, 1, 2**31 - 1, 2**32 - 1, 2**63 - 1, 2**64 - 1, 2**40, 786899456, rng.getrandbits(64)])
                    width = rng.choice([4, 8])
                    patches.append((at, struct.pack("<Q", value & (2**64 - 1))[:width]))
                else:
                    patches.append((at, bytes([rng.getrandbits(8)])))
            with open(mutant, "r+b") as f:
                for at, data in patches:
                    f.seek(at)
                    f.write(data)
            outcome, err = run(args.binary, mutant, args.timeout)
            if outcome not in ("ok", "refused"):
                shutil.copyfile(mutant, os.path.join(args.keep, f"mutant-{i}-{outcome}.gguf"))
            with open(mutant, "r+b") as f:  # put the original bytes back
                for at, data in patches:
                    f.seek(at)
                    f.write(original[at:at + len(data)])
        counts[outcome] += 1
        if outcome not in ("ok", "refused"):
            print(f"mutant {i}: {outcome}: {patches[:3]} {err.strip().splitlines()[-1:] if err.strip() else ''}", flush=True)
        if (i + 1) % 100 == 0:
            print(f"{i + 1} mutants: " + ", ".join(f"{k} {v}" for k, v in counts.items()), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{args.mutants} mutants of {os.path.basename(args.model)}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    bad = counts["noisy"] + counts["crash"] + counts["hang"] + counts["memory"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
