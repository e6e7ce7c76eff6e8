"""Reference numbers for TuneBench's AdamW, LR schedules and gradient clipping, from PyTorch and
Hugging Face's schedule formulas.

Run once (needs torch; any CPU build):
    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install numpy torch
    /tmp/torchvenv/bin/python bench/optimizer_reference.py > Tests/EngineTests/Fixtures/training/optimizer-reference.json

AdamW: torch.optim.AdamW (foreach=False, amsgrad off) on a float32 vector, several steps with
gradients drawn from a seeded numpy generator; every step's parameters are recorded.
Schedules: the lambdas of transformers.get_{linear,cosine,constant}_schedule_with_warmup, written out
here (transformers itself is not installed) and applied through torch.optim.lr_scheduler.LambdaLR,
so the recorded rates are what the optimizer saw at each step.
Clipping: torch.nn.utils.clip_grad_norm_ over two tensors, returned norm and clipped gradients.
"""
import json
import math

import numpy as np
import torch


def floats(t):
    return [float(x) for x in np.asarray(t, dtype=np.float32).reshape(-1)]


def adamw_case(name, n, steps, lr, betas, eps, wd, seed):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(n).astype(np.float32)
    grads = [(rng.standard_normal(n) * (0.1 + i)).astype(np.float32) for i in range(steps)]
    p = torch.nn.Parameter(torch.tensor(p0))
    opt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=wd, foreach=False)
    out = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        out.append(floats(p.detach().numpy()))
    st = opt.state[p]
    return {"name": name, "lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": wd,
            "initial": floats(p0), "gradients": [floats(g) for g in grads], "parameters_after_each_step": out,
            "final_m": floats(st["exp_avg"].numpy()), "final_v": floats(st["exp_avg_sq"].numpy())}


def linear(warmup, total):
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))
    return f


def cosine(warmup, total, num_cycles=0.5):
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        progress = float(step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
    return f


def constant(warmup, total):
    def f(step):
        if step < warmup:
            return float(step) / float(max(1.0, warmup))
        return 1.0
    return f


def schedule_case(kind, fn, base, warmup, total):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=base)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, fn(warmup, total))
    rates = []
    for _ in range(total + 2):
        rates.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros(1)
        opt.step()
        sched.step()
    return {"kind": kind, "base": base, "warmup": warmup, "total": total, "rates": rates}


def clip_case(name, max_norm, scale, seed):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(37) * scale).astype(np.float32)
    b = (rng.standard_normal(91) * scale).astype(np.float32)
    ta, tb = torch.nn.Parameter(torch.zeros(37)), torch.nn.Parameter(torch.zeros(91))
    ta.grad, tb.grad = torch.tensor(a), torch.tensor(b)
    norm = torch.nn.utils.clip_grad_norm_([ta, tb], max_norm)
    return {"name": name, "max_norm": max_norm, "gradients": floats(np.concatenate([a, b])),
            "norm": float(norm), "clipped": floats(np.concatenate([ta.grad.numpy(), tb.grad.numpy()]))}


print(json.dumps({
    "torch_version": torch.__version__,
    "adamw": [
        adamw_case("defaults", 64, 6, 1e-3, (0.9, 0.999), 1e-8, 0.01, 1),
        adamw_case("no-decay", 50, 5, 2e-4, (0.9, 0.999), 1e-8, 0.0, 2),
        adamw_case("strong-decay-odd-betas", 33, 7, 3e-2, (0.8, 0.95), 1e-6, 0.3, 3),
    ],
    "schedules": [
        schedule_case("linear", linear, 2e-4, 5, 20),
        schedule_case("cosine", cosine, 2e-4, 5, 20),
        schedule_case("constant", constant, 2e-4, 5, 20),
        schedule_case("linear", linear, 1e-3, 0, 7),
        schedule_case("cosine", cosine, 1e-3, 0, 7),
    ],
    "clipping": [
        clip_case("clipped", 1.0, 0.5, 4),
        clip_case("unclipped", 100.0, 0.5, 5),
    ],
}, indent=1))
