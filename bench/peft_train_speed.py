"""Training speed and peak memory of PyTorch + PEFT on this machine, the peer of issue 4's targets.

Measures LoRA training throughput (tokens/s) and peak RSS of PyTorch + PEFT on our base model
(bench/peft_model.py: the GGUF dequantized to an fp32 LlamaForCausalLM) in the issue's
configuration: 2 threads (torch.set_num_threads), LoRA r=16, alpha 32, dropout 0 on q,k,v,o,
sequence 256, batch 4, AdamW (lr 1e-4), seeded random tokens, every position trained. One step =
forward, loss, backward, optimizer step; tokens/s = batch · seq · measured steps / their wall time,
warm-up steps excluded; a time budget (--max-seconds) caps slow configurations. Two
configurations: fp32, and bf16 autocast (torch.autocast("cpu", dtype=torch.bfloat16) around forward
and loss; master weights fp32). bf16 is only fast on a CPU with AVX512-BF16 (or AMX): on an AVX2-only
CPU PyTorch's bf16 matmul falls back to a slow generic path (~1 GFLOP/s), and the printed CPU flags
show which case a run was.
Each runs in its own process so that its peak RSS (resource.getrusage ru_maxrss, which includes
loading the model) is its own.

The TuneBench row: --tunebench 'CMD' runs CMD (e.g. `.build-rel/release/tunebench bench-train
--seq 256 --batch 4 --rank 16 --steps 10`) in its own process through the same wrapper, reads its
tokens/s from the last JSON line it prints with a "tokens_per_s" key (peak RSS from
"peak_rss_bytes" / "peak_rss_mb" (MiB) when it reports one, else the wrapper measures the process's
ru_maxrss; without a JSON line it falls back to bench-train's text lines "training tokens/s: N" and
"peak RSS: N MiB"), and adds the ratio columns: TuneBench tok/s over each PyTorch row, and RSS ratio.
`--measure -- CMD…` is that wrapper alone (one JSON line), usable on any command.

The load average and the CPU's SIMD flags are printed too: the machine is shared, and other work on
its 2 cores slows every row. On this machine PyTorch's own figure has ranged from 138 to 211 tok/s
between runs of the same command, so `--rounds N` alternates the engines N times (PyTorch, then
TuneBench, then PyTorch again…) and prints each round's ratio, their median, and the table of each
engine's best round: both sides get the same chances at a quiet machine.

Usage:
  PY=$(bench/peft_venv.sh)
  $PY bench/peft_train_speed.py [--steps 5 --warmup 2] [--configs fp32,bf16] [--json out.json]
                                [--tunebench '.build-rel/release/tunebench bench-train ...'] [--rounds 3]
  $PY bench/peft_train_speed.py --worker fp32      # one configuration, one JSON line
  $PY bench/peft_train_speed.py --measure -- CMD…  # any command: its tokens/s and peak RSS
"""
import argparse
import json
import os
import re
import resource
import shlex
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
SEQ, BATCH, RANK, ALPHA, THREADS = 256, 4, 16, 32, 2
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]


def peak_rss_self():
    """Peak resident set size of this process in bytes (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu_flags():
    """The CPU's SIMD flags that matter here, from /proc/cpuinfo (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return []
    return sorted(f for f in flags if f.startswith(("avx", "amx", "fma")))


def worker(config, steps, warmup, model_path, attn, max_seconds):
    """Runs one configuration in this process; returns its result row."""
    import torch
    sys.path.insert(0, BENCH)
    from peft import LoraConfig, get_peft_model
    from peft_model import load_model

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    model, mconfig = load_model(model_path, attn_implementation=attn)
    model = get_peft_model(model, LoraConfig(r=RANK, lora_alpha=ALPHA, lora_dropout=0.0, target_modules=TARGETS,
                                             bias="none", task_type="CAUSAL_LM"))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    generator = torch.Generator().manual_seed(1)
    batches = [torch.randint(0, mconfig.vocab_size, (BATCH, SEQ), generator=generator) for _ in range(warmup + steps)]

    def step(ids):
        if config == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(input_ids=ids).logits
                loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(),
                                                         ids[:, 1:].reshape(-1))
        else:
            logits = model(input_ids=ids).logits
            loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    # A time budget keeps a configuration without fast kernels (bf16 on a CPU without AVX512-BF16
    # takes minutes a step) from running for an hour: warm-up stops after a quarter of it (at least
    # one step), measuring after all of it (at least one step).
    warmed, started = 0, time.perf_counter()
    for ids in batches[:warmup]:
        step(ids)
        warmed += 1
        if time.perf_counter() - started > max_seconds / 4:
            break
    times, losses = [], []
    for ids in batches[warmup:]:
        started = time.perf_counter()
        losses.append(step(ids))
        times.append(time.perf_counter() - started)
        if sum(times) > max_seconds:
            break
    steps = len(times)
    total = sum(times)
    return {
        "name": f"PyTorch {torch.__version__} + PEFT, {'fp32' if config == 'fp32' else 'bf16 autocast'}",
        "config": config, "tokens_per_s": BATCH * SEQ * steps / total, "peak_rss_bytes": peak_rss_self(),
        "steps": steps, "warmup": warmed, "step_seconds": [round(t, 3) for t in times],
        "losses": [round(x, 4) for x in losses], "threads": THREADS, "seq": SEQ, "batch": BATCH, "rank": RANK,
        "attention": attn, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def measure_command(argv):
    """Runs argv in a child process (this process does nothing else, so RUSAGE_CHILDREN is that
    command's own peak RSS). Returns a row from the last JSON line of its stdout with "tokens_per_s"."""
    started = time.perf_counter()
    completed = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    sys.stderr.write(completed.stdout[-2000:])
    if completed.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} exited with {completed.returncode}")
    report = None
    for line in completed.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "tokens_per_s" in row:
                report = row
    if report is None:
        # Fallback for `tunebench bench-train`'s text summary ("training tokens/s: 250.1", "peak RSS: 900 MiB").
        speed = re.search(r"training tokens/s:\s*([0-9.]+)", completed.stdout)
        rss = re.search(r"peak RSS:\s*([0-9.]+)\s*MiB", completed.stdout)
        if speed is None:
            raise SystemExit(f"{shlex.join(argv)} printed no JSON line with a \"tokens_per_s\" key "
                             "(nor a \"training tokens/s: N\" line)")
        report = {"tokens_per_s": float(speed.group(1))}
        if rss:
            report["peak_rss_mb"] = float(rss.group(1))
    measured = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    if "peak_rss_bytes" in report:
        rss, source = int(report["peak_rss_bytes"]), "reported"
    elif "peak_rss_mb" in report:
        rss, source = int(float(report["peak_rss_mb"]) * 1024 * 1024), "reported"
    else:
        rss, source = measured, "measured"
    return {"name": report.get("name", "TuneBench"), "config": "tunebench", "tokens_per_s": float(report["tokens_per_s"]),
            "peak_rss_bytes": rss, "peak_rss_source": source, "peak_rss_measured_bytes": measured,
            "wall_seconds": round(elapsed, 1), "command": shlex.join(argv), "report": report}


def run_isolated(args_for_self):
    """Runs this script with the given arguments in a fresh process; returns its last JSON line."""
    completed = subprocess.run([sys.executable, os.path.abspath(__file__)] + args_for_self, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(args_for_self)}: exited with {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def table(rows):
    """Text table; with a TuneBench row, its speed and memory relative to each PyTorch row."""
    ours = next((r for r in rows if r["config"] == "tunebench"), None)
    header = f"{'configuration':<46} {'tokens/s':>9} {'peak RSS':>10}"
    if ours:
        header += f" {'TuneBench speed ×':>18} {'TuneBench RSS ×':>16}"
    lines = [header, "-" * len(header)]
    for r in rows:
        line = f"{r['name'][:46]:<46} {r['tokens_per_s']:>9.1f} {r['peak_rss_bytes'] / 2**30:>8.2f} GiB"
        if ours and r is not ours:
            line += f" {ours['tokens_per_s'] / r['tokens_per_s']:>18.2f} {ours['peak_rss_bytes'] / r['peak_rss_bytes']:>16.3f}"
        lines.append(line)
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=None, help="GGUF base model (default: the cached SmolLM2-135M-Instruct Q4_1)")
    p.add_argument("--steps", type=int, default=5, help="measured steps per configuration")
    p.add_argument("--warmup", type=int, default=2, help="steps run first and not timed")
    p.add_argument("--max-seconds", type=float, default=240,
                   help="time budget per configuration: measuring stops after it (at least one step), warm-up after a quarter")
    p.add_argument("--configs", default="fp32,bf16")
    p.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"], help="HF attention implementation")
    p.add_argument("--tunebench", metavar="CMD", help="command whose JSON line gives TuneBench's tokens/s")
    p.add_argument("--json", metavar="FILE", help="also write the rows here")
    p.add_argument("--rounds", type=int, default=1, help="alternate the engines this many times; the table shows each one's best round")
    p.add_argument("--worker", choices=["fp32", "bf16"], help=argparse.SUPPRESS)
    p.add_argument("--measure", action="store_true", help="run the command after -- and print its row")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()

    if args.worker:
        sys.path.insert(0, BENCH)
        from peft_model import DEFAULT_MODEL
        print(json.dumps(worker(args.worker, args.steps, args.warmup, args.model or DEFAULT_MODEL, args.attn,
                                args.max_seconds)))
        return
    if args.measure:
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            raise SystemExit("--measure needs a command after --")
        print(json.dumps(measure_command(command)))
        return

    rounds = []
    for round_index in range(max(1, args.rounds)):
        rows = []
        for config in args.configs.split(","):
            extra = ["--model", args.model] if args.model else []
            print(f"round {round_index + 1}: running PyTorch + PEFT {config} ({args.warmup} warm-up + {args.steps} steps)…",
                  file=sys.stderr, flush=True)
            rows.append(run_isolated(["--worker", config, "--steps", str(args.steps), "--warmup", str(args.warmup),
                                      "--max-seconds", str(args.max_seconds), "--attn", args.attn] + extra))
        if args.tunebench:
            print(f"round {round_index + 1}: running {args.tunebench}…", file=sys.stderr, flush=True)
            rows.append(run_isolated(["--measure", "--"] + shlex.split(args.tunebench)))
        rows_load = os.getloadavg()
        for r in rows:
            r["round"] = round_index + 1
            r["load_average"] = rows_load
        rounds.append(rows)
    load = os.getloadavg()
    print(f"LoRA r={RANK} alpha {ALPHA} on q,k,v,o; seq {SEQ}, batch {BATCH}, AdamW; {THREADS} threads; "
          f"{os.cpu_count()} CPUs ({' '.join(cpu_flags()) or 'flags unknown'}); "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for rows in rounds:
        for r in rows:
            if "step_seconds" in r:
                print(f"  round {r['round']}: {r['name']}: {r['warmup']} warm-up + {r['steps']} timed steps of {r['step_seconds']} s")
    if len(rounds) > 1:
        names = [r["name"] for r in rounds[0]]
        print("per round, tokens/s" + (" (and TuneBench's ratio to each PyTorch row)" if args.tunebench else "") + ":")
        for rows in rounds:
            ours = next((r for r in rows if r["config"] == "tunebench"), None)
            cells = []
            for r in rows:
                cell = f"{r['name'][:34]} {r['tokens_per_s']:.1f}"
                if ours and r is not ours:
                    cell += f" ({ours['tokens_per_s'] / r['tokens_per_s']:.2f}×)"
                cells.append(cell)
            print(f"  round {rows[0]['round']}: " + " | ".join(cells))
        if args.tunebench:
            for i, name in enumerate(names[:-1]):
                ratios = sorted(rows[-1]["tokens_per_s"] / rows[i]["tokens_per_s"] for rows in rounds)
                median = ratios[len(ratios) // 2] if len(ratios) % 2 else (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2]) / 2
                print(f"  TuneBench speed × {name}: median of rounds {median:.2f} (range {ratios[0]:.2f}–{ratios[-1]:.2f})")
        print("each engine's best round:")
        rows = [max((rows[i] for rows in rounds), key=lambda r: r["tokens_per_s"]) for i in range(len(names))]
    else:
        rows = rounds[0]
    print(table(rows))
    result = {"rows": rows, "rounds": rounds, "load_average": load, "cpus": os.cpu_count(), "cpu_flags": cpu_flags()}
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
