"""PyTorch + PEFT side of the loss-equality check (issue 4): N AdamW steps of LoRA on our dataset.

Given the same base model (our GGUF, dequantized by bench/peft_model.py), the same initial LoRA A/B
(a PEFT adapter directory that our trainer exports), the same batches (an order file our trainer
writes) and the same hyperparameters, PyTorch + PEFT must produce the same loss at every step as
`tunebench train`; bench/compare_losses.py compares the two logs (target: 1e-3 relative).

What one step computes, matching TrainingGraph's definition:
- A batch is `--batch` windows of the prepared dataset's train split (`train.bin`: per window
  `contextLength` token ids, UInt16 LE (UInt32 when tokenBytes is 4), then `contextLength` mask bytes:
  0 = context only, 1 = trained, 2 = padding), picked by index from the order file.
- Packed windows: with `--boundary eos` (the default) an example ends after each EOS token (id from
  the GGUF), so the next token starts a new example: its position id restarts at 0 and attention
  never crosses an example boundary (4-D block-diagonal causal mask, eager attention). Padding
  (mask 2) is neither attended nor trained (each padding token sees only itself, so its row stays
  finite). `--boundary none` treats each window as one sequence.
- Token t predicts token t + 1 when mask[t + 1] == 1 and t + 1 is not the first token of an example.
  Loss = mean cross-entropy over those predictions in the whole batch (sum / count).
- torch.optim.AdamW (betas 0.9/0.999, eps 1e-8, the given weight decay), constant learning rate,
  clipping by global norm only with --max-grad-norm. LoRA dropout is forced to 0.

Prints one JSON line per step, {"step", "loss", "grad_norm", "tokens"} (grad_norm before clipping),
and writes the same lines to --out. --save-adapter DIR writes the trained adapter at the end, to
compare tensors with ours (B is zero at the start, so only a trained adapter shows whether the q/k
rows of B were un-permuted on export: see bench/README-training.md).

Usage:
  PY=$(bench/peft_venv.sh)
  $PY bench/peft_train_steps.py --model M.gguf --dataset dataset/ --adapter-init runs/X/init-adapter \\
      --order runs/X/order.json --steps 20 --batch 4 --lr 1e-4 --weight-decay 0.0 --out peft.jsonl
  $PY bench/compare_losses.py peft.jsonl runs/X/metrics.jsonl

Order file: a JSON list with one list of window indices (into the train split) per step, e.g.
[[12, 3, 40, 7], [5, 61, 0, 33], ...]; a list may be shorter than --batch (the last step of an
epoch, as `tunebench train --export-order` writes it). `--make-adapter DIR` / `--make-order FILE` write a fresh
PEFT-initialised adapter (get_peft_model + save_pretrained: r, alpha and targets from --rank,
--alpha, --targets, seeded by --seed) and a seeded random order, for testing this script alone.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peft_model import DEFAULT_MODEL, load_model  # noqa: E402


# MARK: dataset

def load_split(directory, split="train"):
    """(tokens int64 (windows, T), mask uint8 (windows, T), manifest) of a prepared dataset split."""
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("formatVersion") != 1:
        raise SystemExit(f"{directory}: dataset format version {manifest.get('formatVersion')}, this script reads 1")
    T, width, entry = manifest["contextLength"], manifest["tokenBytes"], manifest[split]
    raw = np.fromfile(os.path.join(directory, entry["file"]), dtype=np.uint8)
    if raw.size != entry["windows"] * T * (width + 1):
        raise SystemExit(f"{directory}/{entry['file']}: {raw.size} bytes, expected {entry['windows']} windows of {T * (width + 1)}")
    raw = raw.reshape(entry["windows"], T * (width + 1))
    tokens = raw[:, :T * width].copy().view("<u2" if width == 2 else "<u4").astype(np.int64)
    mask = raw[:, T * width:].copy()
    if mask.max(initial=0) > 2:
        raise SystemExit(f"{directory}/{entry['file']}: mask value {mask.max()} (expected 0, 1 or 2)")
    return tokens, mask, manifest


def packing(tokens, mask, eos_id, boundary="eos"):
    """Per-row example structure of a batch.

    tokens, mask: (B, T). Returns
      positions (B, T) int64: 0 at each example's first token, +1 per token after it;
      starts (B, T) bool: whether the token begins an example;
      attention (B, 1, T, T) float32: 0 where query i may attend key j, a large negative elsewhere.
    An example starts at t = 0 and (boundary "eos") after every non-padding EOS token. Padding tokens
    each form their own one-token example, so nothing attends to them and they attend only to themselves.
    """
    B, T = tokens.shape
    padding = mask == 2
    starts = np.zeros((B, T), dtype=bool)
    starts[:, 0] = True
    if boundary == "eos":
        starts[:, 1:] |= (tokens[:, :-1] == eos_id) & ~padding[:, :-1]
    elif boundary != "none":
        raise ValueError(f"unknown boundary rule {boundary}")
    starts |= padding
    segment = np.cumsum(starts, axis=1)  # (B, T): example number within the row
    positions = np.zeros((B, T), dtype=np.int64)
    for b in range(B):
        begin = 0
        for t in range(T):
            if starts[b, t]:
                begin = t
            positions[b, t] = t - begin
    same = segment[:, :, None] == segment[:, None, :]  # (B, T, T)
    causal = np.tril(np.ones((T, T), dtype=bool))[None]
    allowed = same & causal
    attention = np.where(allowed, 0.0, np.finfo(np.float32).min).astype(np.float32)[:, None]
    return positions, starts, attention


def labels_for(tokens, mask, starts):
    """(B, T) int64 HF-style labels: the token where it is a trained prediction target, else -100.
    Position t + 1 is a target when mask == 1 and it does not start an example (HF shifts by one)."""
    return np.where((mask == 1) & ~starts, tokens, -100)


def check_packing(model, tokens, mask, eos_id, boundary):
    """Self-check of the packed path on one window (tokens, mask: (T,)): the summed NLL with the
    block-diagonal mask and restarted positions must equal the sum over its examples run one by one
    as separate, unmasked sequences. Returns (packed, separate, examples)."""
    positions, starts, attention = packing(tokens[None], mask[None], eos_id, boundary)
    labels = labels_for(tokens[None], mask[None], starts)[0]

    def nll(ids, lab, **kw):
        logits = model(input_ids=torch.from_numpy(ids[None]), **kw).logits[0, :-1]
        return float(torch.nn.functional.cross_entropy(logits, torch.from_numpy(lab[1:]), ignore_index=-100, reduction="sum"))

    with torch.no_grad():
        packed = nll(tokens, labels, position_ids=torch.from_numpy(positions), attention_mask=torch.from_numpy(attention))
        separate, begins = 0.0, np.flatnonzero(starts[0] & (mask != 2))
        ends = [b for b in begins[1:]] + [int(np.argmax(mask == 2)) if (mask == 2).any() else len(tokens)]
        for begin, end in zip(begins, ends):
            if end - begin > 1:
                separate += nll(tokens[begin:end], labels[begin:end])
    return packed, separate, len(begins)


# MARK: adapter

def attach_adapter(model, adapter_dir):
    """PeftModel with the adapter's initial A/B, trainable, dropout 0; checks every tensor arrived."""
    from peft import LoraConfig, PeftModel
    from safetensors.numpy import load_file

    config = LoraConfig.from_pretrained(adapter_dir)
    if config.lora_dropout:
        print(f"note: adapter has lora_dropout {config.lora_dropout}; using 0 for a deterministic comparison", file=sys.stderr)
        config.lora_dropout = 0.0
    peft_model = PeftModel.from_pretrained(model, adapter_dir, config=config, is_trainable=True)
    saved = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))
    params = dict(peft_model.named_parameters())
    loaded = 0
    for name, value in saved.items():
        # file: base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight
        # model: base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight
        key = name.replace(".lora_A.weight", ".lora_A.default.weight").replace(".lora_B.weight", ".lora_B.default.weight")
        if key not in params:
            raise SystemExit(f"{adapter_dir}: tensor {name} does not match any LoRA parameter of the model")
        if not np.array_equal(params[key].detach().numpy(), value.astype(np.float32)):
            raise SystemExit(f"{adapter_dir}: tensor {name} was not loaded as saved")
        loaded += 1
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    if loaded != len(trainable):
        raise SystemExit(f"{adapter_dir}: {loaded} tensors in the file, {len(trainable)} trainable parameters in the model")
    return peft_model, config


def make_adapter(model, directory, rank, alpha, targets, seed):
    """Writes a PEFT-initialised adapter (A Kaiming-uniform, B zero) with get_peft_model + save_pretrained."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=targets, bias="none",
                        task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    peft_model.save_pretrained(directory)
    peft_model.print_trainable_parameters()
    return peft_model.unload()  # the base model again, without LoRA layers


# MARK: training

def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, mconfig = load_model(args.model)
    eos_id = mconfig.eos_token_id
    tokens_all, mask_all, manifest = load_split(args.dataset, "train")
    windows = tokens_all.shape[0]

    if args.make_adapter:
        model = make_adapter(model, args.make_adapter, args.rank, args.alpha, args.targets.split(","), args.seed)
        args.adapter_init = args.adapter_init or args.make_adapter
    if args.make_order:
        rng = np.random.default_rng(args.seed)
        order = [rng.choice(windows, size=args.batch, replace=False).tolist() for _ in range(args.steps)]
        with open(args.make_order, "w") as f:
            json.dump(order, f)
        args.order = args.order or args.make_order
    if not args.adapter_init or not args.order:
        raise SystemExit("need --adapter-init and --order (or --make-adapter / --make-order)")

    with open(args.order) as f:
        order = json.load(f)
    if len(order) < args.steps:
        raise SystemExit(f"{args.order}: {len(order)} steps of batches, --steps is {args.steps}")
    for step, batch in enumerate(order[:args.steps]):
        # An epoch's last step may be short: our trainer does not wrap it into the next epoch.
        if not 1 <= len(batch) <= args.batch or not all(0 <= i < windows for i in batch):
            raise SystemExit(f"{args.order}: step {step + 1} needs 1 to {args.batch} window indices in [0, {windows}), got {batch}")

    for p in model.parameters():
        p.requires_grad_(False)
    model, lconfig = attach_adapter(model, args.adapter_init)
    model.train()  # dropout is 0, so train mode changes nothing but is what a trainer would use
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, betas=(0.9, 0.999), eps=1e-8,
                                  weight_decay=args.weight_decay)
    print(f"model {os.path.basename(args.model)}; dataset {args.dataset} ({windows} train windows of "
          f"{manifest['contextLength']}); LoRA r={lconfig.r} alpha={lconfig.lora_alpha} "
          f"{'rsLoRA ' if lconfig.use_rslora else ''}on {sorted(lconfig.target_modules)}, "
          f"{sum(p.numel() for p in trainable)} trainable; AdamW lr {args.lr} wd {args.weight_decay}; "
          f"clip {args.max_grad_norm}; boundary {args.boundary}; EOS {eos_id}; {args.threads} threads", file=sys.stderr)

    # the first batch's window with the most examples
    first = max(order[0], key=lambda i: int(packing(tokens_all[i][None], mask_all[i][None], eos_id, args.boundary)[1].sum()))
    packed, separate, examples = check_packing(model, tokens_all[first], mask_all[first], eos_id, args.boundary)
    print(f"packing self-check on window {first}: summed NLL {packed:.4f} packed vs {separate:.4f} over its "
          f"{examples} examples run separately (relative difference {abs(packed - separate) / max(abs(separate), 1e-9):.1e})",
          file=sys.stderr)
    if abs(packed - separate) > 1e-3 * max(abs(separate), 1.0):
        raise SystemExit("the packed forward pass does not match the separate examples: mask or positions are wrong")

    out = open(args.out, "w") if args.out else None
    for step in range(args.steps):
        started = time.perf_counter()
        batch = order[step]
        tokens, mask = tokens_all[batch], mask_all[batch]
        positions, starts, attention = packing(tokens, mask, eos_id, args.boundary)
        labels = torch.from_numpy(labels_for(tokens, mask, starts))
        logits = model(input_ids=torch.from_numpy(tokens), position_ids=torch.from_numpy(positions),
                       attention_mask=torch.from_numpy(attention)).logits  # (B, T, V)
        targets = labels[:, 1:].reshape(-1)
        count = int((targets != -100).sum())
        if count == 0:
            raise SystemExit(f"step {step + 1}: batch {batch} has no trained token")
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), targets,
                                                 ignore_index=-100, reduction="sum") / count
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in trainable])))
        if args.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(trainable, args.max_grad_norm)
        optimizer.step()
        row = {"step": step + 1, "loss": loss.item(), "grad_norm": grad_norm, "tokens": count}
        line = json.dumps(row)
        print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()
        if not math.isfinite(row["loss"]):
            raise SystemExit(f"step {step + 1}: loss is {row['loss']}")
        print(f"  step {step + 1}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if out:
        out.close()
    if args.save_adapter:
        model.save_pretrained(args.save_adapter)
        print(f"wrote the adapter after {args.steps} steps to {args.save_adapter}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=DEFAULT_MODEL, help="GGUF base model")
    p.add_argument("--dataset", required=True, help="prepared dataset directory (manifest.json, train.bin)")
    p.add_argument("--adapter-init", help="PEFT adapter directory with the initial LoRA A/B")
    p.add_argument("--order", help="JSON list of window-index lists, one per step")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--max-grad-norm", type=float, default=None)
    p.add_argument("--boundary", choices=["eos", "none"], default="eos",
                   help="where packed examples split: after each EOS token, or nowhere")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", help="write the JSON lines here too")
    p.add_argument("--save-adapter", metavar="DIR", help="write the trained adapter here (PEFT layout) at the end")
    p.add_argument("--make-adapter", metavar="DIR", help="first write a fresh PEFT adapter here (testing)")
    p.add_argument("--make-order", metavar="FILE", help="first write a seeded random order here (testing)")
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--alpha", type=float, default=32)
    p.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj")
    p.add_argument("--seed", type=int, default=1)
    train(p.parse_args())


if __name__ == "__main__":
    main()
