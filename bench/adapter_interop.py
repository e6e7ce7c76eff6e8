#!/usr/bin/env python3
"""Our adapters in other engines (issue 4): PEFT loads the PEFT-layout adapter onto the same base,
llama.cpp loads the GGUF LoRA adapter, and both score a text like TuneBench does with it.

Every engine scores the same token ids (TuneBench's, from `tunebench perplexity --per-token`) in one
window, once with the base model and once with the adapter, and reports each token's NLL (the
negative log-probability its logits give the next token). Three engines carry different noise on the
same base — llama.cpp and TuneBench round activations to 8 bits, PyTorch runs the dequantized
weights in fp32 — so beside the mean NLLs the script compares what the adapter changes: per token,
NLL(adapter) − NLL(base) in one engine against the same difference in TuneBench. Loading an adapter
wrongly (a missed scale, transposed or un-permuted q/k rows, a missing projection) changes that
difference by as much as the adapter's own effect; the stated tolerances are a small fraction of it.
Each token's difference also carries the engines' rounding noise (≈0.06 nats between any two of
them on the base model alone, see the script's output), so the adapter must be a trained one whose
effect stands well above that: a run of a few hundred steps, not a few.

    bench/adapter_interop.sh RUN_OR_ADAPTER_DIR        (the driver: runs all three and compares)
    python bench/adapter_interop.py peft  --model M --adapter DIR --tokens ours.json --out F
    python bench/adapter_interop.py llama --model M --adapter FILE.gguf --tokens ours.json --out F
    python3 bench/adapter_interop.py compare ours-base.json ours-lora.json NAME base.json lora.json ...
"""
import argparse
import json
import math
import sys

TOLERANCE_MEAN_RELATIVE = 0.01  # mean NLL with the adapter, relative to TuneBench's
TOLERANCE_SLOPE = 0.10          # per-token changes against TuneBench's: least-squares slope within 1 ± this
MINIMUM_CORRELATION = 0.9       # per-token changes, against TuneBench's


def read(path):
    with open(path) as f:
        return json.load(f)


def write(path, tokens, nll):
    with open(path, "w") as f:
        json.dump({"tokens": tokens, "nll": nll}, f)


def nll_from_logits(logits, tokens):
    """logits [n × vocab] (numpy or torch, f32/f64) → NLL of tokens[i + 1] under row i."""
    import numpy as np
    x = np.asarray(logits, dtype=np.float64)
    m = x.max(axis=1, keepdims=True)
    lse = (m[:, 0] + np.log(np.exp(x - m).sum(axis=1)))
    return [float(lse[i] - x[i, tokens[i + 1]]) for i in range(len(tokens) - 1)]


def peft_side(args):
    import torch
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    from peft_model import load_model
    from peft import PeftModel
    torch.set_num_threads(2)
    tokens = read(args.tokens)["tokens"]
    model, _ = load_model(args.model)
    ids = torch.tensor([tokens])
    with torch.no_grad():
        base = model(ids).logits[0].float().numpy()
    write(args.out + ".base.json", tokens, nll_from_logits(base, tokens))
    model = PeftModel.from_pretrained(model, args.adapter)
    model.eval()
    loaded = [n for n, _ in model.named_parameters() if "lora_" in n]
    if not loaded:
        sys.exit("adapter_interop: PEFT loaded no LoRA parameters from " + args.adapter)
    with torch.no_grad():
        lora = model(ids).logits[0].float().numpy()
    write(args.out + ".lora.json", tokens, nll_from_logits(lora, tokens))
    print(f"peft: {len(loaded)} LoRA tensors loaded from {args.adapter}", file=sys.stderr)


def llama_side(args):
    from llama_cpp import Llama
    tokens = read(args.tokens)["tokens"]
    for name, lora in (("base", None), ("lora", args.adapter)):
        llm = Llama(model_path=args.model, lora_path=lora, n_ctx=len(tokens) + 8, n_batch=len(tokens),
                    n_threads=2, logits_all=True, verbose=False)
        llm.eval(tokens)
        write(f"{args.out}.{name}.json", tokens, nll_from_logits(llm.scores[:len(tokens)], tokens))
        del llm


def compare(args):
    ours_base, ours_lora = read(args.ours_base), read(args.ours_lora)
    tokens = ours_base["tokens"]
    ob, ol = ours_base["nll"], ours_lora["nll"]
    if ours_lora["tokens"] != tokens or len(ob) != len(tokens) - 1:
        sys.exit("adapter_interop: TuneBench's two files must score the same tokens in one window")
    effect = [l - b for l, b in zip(ol, ob)]
    mean_effect = sum(abs(e) for e in effect) / len(effect)
    mean = lambda v: sum(v) / len(v)
    print(f"{len(tokens)} tokens, one window; the adapter changes TuneBench's per-token NLL by "
          f"{mean_effect:.4f} nats on average (mean NLL {mean(ob):.4f} → {mean(ol):.4f})")
    print(f"{'engine':10s} {'mean NLL base':>14s} {'with adapter':>13s} {'vs ours':>8s} "
          f"{'mean change':>13s} {'slope':>7s} {'corr':>6s} {'base noise':>10s}  verdict")
    print(f"{'tunebench':10s} {mean(ob):14.4f} {mean(ol):13.4f} {'':8s} {mean(ol) - mean(ob):+13.4f}")
    failed = False
    rest = args.others
    if len(rest) % 3:
        sys.exit("adapter_interop: compare takes NAME BASE LORA triples after TuneBench's files")
    for i in range(0, len(rest), 3):
        name, base, lora = rest[i], read(rest[i + 1]), read(rest[i + 2])
        if base["tokens"] != tokens or lora["tokens"] != tokens:
            sys.exit(f"adapter_interop: {name} scored other tokens")
        theirs = [l - b for l, b in zip(lora["nll"], base["nll"])]
        ma, mb = mean(effect), mean(theirs)
        cov = sum((a - ma) * (b - mb) for a, b in zip(effect, theirs))
        corr = cov / math.sqrt(sum((a - ma) ** 2 for a in effect) * sum((b - mb) ** 2 for b in theirs))
        relative = abs(mean(lora["nll"]) - mean(ol)) / mean(ol)
        theirs_change = mean(lora["nll"]) - mean(base["nll"])
        slope = cov / sum((a - ma) ** 2 for a in effect)
        ok = relative <= TOLERANCE_MEAN_RELATIVE and abs(slope - 1) <= TOLERANCE_SLOPE and corr >= MINIMUM_CORRELATION
        failed |= not ok
        noise = mean([abs(a - b) for a, b in zip(base["nll"], ob)])
        print(f"{name:10s} {mean(base['nll']):14.4f} {mean(lora['nll']):13.4f} {100 * relative:7.2f}% "
              f"{theirs_change:+13.4f} {slope:7.3f} {corr:6.3f} {noise:10.4f}  {'ok' if ok else 'FAIL'}")
    print(f"tolerances: mean NLL with the adapter within {100 * TOLERANCE_MEAN_RELATIVE:.0f}% of TuneBench's; "
          f"per-token changes against TuneBench's: slope 1 ± {TOLERANCE_SLOPE}, correlation ≥ {MINIMUM_CORRELATION}")
    sys.exit(1 if failed else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("peft", "llama"):
        p = sub.add_parser(name)
        p.add_argument("--model", required=True)
        p.add_argument("--adapter", required=True)
        p.add_argument("--tokens", required=True)
        p.add_argument("--out", required=True, help="prefix: writes PREFIX.base.json and PREFIX.lora.json")
    p = sub.add_parser("compare")
    p.add_argument("ours_base")
    p.add_argument("ours_lora")
    p.add_argument("others", nargs="*")
    args = parser.parse_args()
    {"peft": peft_side, "llama": llama_side, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
