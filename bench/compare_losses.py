"""Compares the per-step training losses of two runs, e.g. PyTorch + PEFT and TuneBench (issue 4).

Each file is JSON lines; rows with a "loss" (and a "step") are taken, anything else (eval rows with
"eval_loss", blank lines) is skipped, so both bench/peft_train_steps.py's output and a
`tunebench train` run's metrics.jsonl can be given as they are. Steps are matched by their "step"
number (by row order when a file has none). Prints both columns, the relative difference
|a - b| / |b| per step, and the largest one; exits 1 when it exceeds --tolerance (default 1e-3) or
when the files share no step.

Usage: python3 bench/compare_losses.py A.jsonl B.jsonl [--tolerance 1e-3]     (standard library only)
"""
import argparse
import json
import sys


def losses(path):
    """{step: loss} from a JSON-lines file."""
    rows = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: not JSON ({error})")
            if not isinstance(row, dict) or "loss" not in row:
                continue
            step = int(row.get("step", len(rows) + 1))
            if step in rows:
                raise SystemExit(f"{path}:{number}: step {step} appears twice")
            rows[step] = float(row["loss"])
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tolerance", type=float, default=1e-3)
    args = p.parse_args()
    a, b = losses(args.a), losses(args.b)
    steps = sorted(set(a) & set(b))
    if not steps:
        raise SystemExit(f"no step appears in both files ({len(a)} and {len(b)} loss rows)")
    for name, rows in ((args.a, a), (args.b, b)):
        extra = sorted(set(rows) - set(steps))
        if extra:
            print(f"note: steps {extra[:5]}{'…' if len(extra) > 5 else ''} only in {name}", file=sys.stderr)
    width = max(12, len(args.a), len(args.b))
    print(f"{'step':>5}  {args.a:>{width}}  {args.b:>{width}}  {'rel. diff':>10}")
    worst, worst_step = 0.0, steps[0]
    for step in steps:
        relative = abs(a[step] - b[step]) / max(abs(b[step]), 1e-12)
        if relative > worst or relative != relative:  # NaN counts as the worst
            worst, worst_step = relative, step
        print(f"{step:>5}  {a[step]:>{width}.6f}  {b[step]:>{width}.6f}  {relative:>10.2e}")
    ok = worst <= args.tolerance
    print(f"max relative difference {worst:.2e} at step {worst_step} over {len(steps)} steps: "
          f"{'within' if ok else 'ABOVE'} the tolerance {args.tolerance:g}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
