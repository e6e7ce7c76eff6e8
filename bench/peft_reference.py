"""A real PEFT LoRA adapter for a tiny LLaMA, and PEFT's own delta weights, for TuneBench's
PEFT import/export tests.

Run once (torch, peft, safetensors from PyPI in a throwaway venv):
    /tmp/torchvenv/bin/pip install torch peft safetensors
    /tmp/torchvenv/bin/python bench/peft_reference.py Tests/EngineTests/Fixtures/lora

Writes:
  peft-tiny/adapter_config.json, peft-tiny/adapter_model.safetensors   PeftModel.save_pretrained
  peft-tiny-deltas.safetensors   module.get_delta_weight("default") per adapted projection, named
      blk.{i}.{gguf stem}.delta, with q/k rows permuted the way convert_hf_to_gguf.py permutes
      q_proj/k_proj (GGUF LLaMA models store Q and K in RoPE-pair order), so each delta is in the
      layout of the GGUF weight it would be added to.
  peft-tiny-model.json           the tiny model's hyperparameters.
The adapter uses rsLoRA (scale alpha/sqrt(r)) and random B (init_lora_weights=False) so deltas
are non-zero.
"""
import json
import os
import sys

import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

out = sys.argv[1]
torch.manual_seed(0)
cfg = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, vocab_size=32, max_position_embeddings=64, rms_norm_eps=1e-5)
model = LlamaForCausalLM(cfg)
lora = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "k_proj", "v_proj", "down_proj"],
                  use_rslora=True, init_lora_weights=False, task_type="CAUSAL_LM")
peft_model = get_peft_model(model, lora)
peft_model.save_pretrained(os.path.join(out, "peft-tiny"))


def permute(w, n_head, n_head_kv):  # convert_hf_to_gguf.py LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


stems = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "down_proj": "ffn_down"}
deltas = {}
for i, layer in enumerate(peft_model.base_model.model.model.layers):
    for name, module in [("q_proj", layer.self_attn.q_proj), ("k_proj", layer.self_attn.k_proj),
                         ("v_proj", layer.self_attn.v_proj), ("down_proj", layer.mlp.down_proj)]:
        d = module.get_delta_weight("default").detach().float()
        if name == "q_proj":
            d = permute(d, cfg.num_attention_heads, cfg.num_attention_heads)
        elif name == "k_proj":
            d = permute(d, cfg.num_attention_heads, cfg.num_key_value_heads)
        deltas[f"blk.{i}.{stems[name]}.delta"] = d.contiguous()
save_file(deltas, os.path.join(out, "peft-tiny-deltas.safetensors"))
with open(os.path.join(out, "peft-tiny-model.json"), "w") as f:
    json.dump({"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
               "num_key_value_heads": 2, "vocab_size": 32, "rms_norm_eps": 1e-5}, f, indent=1)
