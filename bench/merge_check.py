"""Checks `tunebench merge` on the real default model against an independent numpy computation.

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install numpy gguf safetensors
    /tmp/torchvenv/bin/python bench/merge_check.py [path/to/tunebench] [model.gguf]

Makes a random PEFT-layout LoRA adapter (rsLoRA, r=8, q/k/v/o, Hugging Face row order) for the
model's shapes with numpy, runs `tunebench merge --type f32`, then reads base and merged tensors with
gguf-py and checks merged == dequantize(base) + scale·permute(B)·A, where permute is
convert_hf_to_gguf.py's q/k row permutation (GGUF stores Q and K in RoPE-pair order). Other
tensors must be byte-identical.

Output on the dev machine (SmolLM2-135M-Instruct Q4_1, debug build):
    merged 120 weights (rank 8, scale 5.656854) into …/merged.gguf
    120 of them changed type: Q4_1 → F32
    120 merged tensors, max relative error 1.04e-07; 152 other tensors byte-identical
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.numpy import save_file

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/tunebench"
model = sys.argv[2] if len(sys.argv) > 2 else os.path.expanduser("~/.cache/tunebench/models/SmolLM2-135M-Instruct.Q4_1.gguf")
base = GGUFReader(model)
def scalar(key):
    f = base.fields[key]
    return int(f.parts[f.data[0]][0])
layers, n_head, n_kv = scalar("llama.block_count"), scalar("llama.attention.head_count"), scalar("llama.attention.head_count_kv")
tensors = {t.name: t for t in base.tensors}

def weight(name):
    t = tensors[name]
    return dequantize(t.data, t.tensor_type).reshape(int(t.shape[1]), int(t.shape[0])).astype(np.float32)

def permute(w, n_head, n_head_kv):  # convert_hf_to_gguf.py LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

r, alpha = 8, 16.0
scale = alpha / np.sqrt(r)
rng = np.random.default_rng(0)
peft, expected = {}, {}
modules = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output"}
for i in range(layers):
    for hf, stem in modules.items():
        w = weight(f"blk.{i}.{stem}.weight")
        out_f, in_f = w.shape
        a = (rng.standard_normal((r, in_f)) * 0.05).astype(np.float32)
        b = (rng.standard_normal((out_f, r)) * 0.05).astype(np.float32)
        peft[f"base_model.model.model.layers.{i}.self_attn.{hf}.lora_A.weight"] = a
        peft[f"base_model.model.model.layers.{i}.self_attn.{hf}.lora_B.weight"] = b
        delta = (scale * (b.astype(np.float64) @ a.astype(np.float64)))
        if hf == "q_proj":
            delta = permute(delta, n_head, n_head)
        elif hf == "k_proj":
            delta = permute(delta, n_head, n_kv)
        expected[f"blk.{i}.{stem}.weight"] = w + delta.astype(np.float32)

with tempfile.TemporaryDirectory() as tmp:
    adapter = os.path.join(tmp, "adapter")
    os.makedirs(adapter)
    save_file(peft, os.path.join(adapter, "adapter_model.safetensors"), metadata={"format": "pt"})
    json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": alpha, "use_rslora": True,
               "target_modules": list(modules), "bias": "none", "fan_in_fan_out": False, "lora_dropout": 0.0},
              open(os.path.join(adapter, "adapter_config.json"), "w"))
    out = os.path.join(tmp, "merged.gguf")
    subprocess.run([binary, "merge", "--model", model, "--adapter", adapter, "--out", out, "--type", "f32"], check=True)
    merged = GGUFReader(out)
    worst, same = 0.0, 0
    for t in merged.tensors:
        if t.name in expected:
            got = np.asarray(t.data, dtype=np.float32).reshape(expected[t.name].shape)
            worst = max(worst, float(np.max(np.abs(got - expected[t.name])) / np.max(np.abs(expected[t.name]))))
        else:
            assert bytes(t.data) == bytes(tensors[t.name].data), t.name
            same += 1
    print(f"{len(expected)} merged tensors, max relative error {worst:.2e}; {same} other tensors byte-identical")
    assert worst < 1e-5
