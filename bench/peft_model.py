"""A Hugging Face LlamaForCausalLM (fp32) built from our GGUF file, for the PyTorch + PEFT peer.

The training benchmarks compare TuneBench with PyTorch + PEFT on the *same* base weights. The default
model exists here only as a quantized GGUF (SmolLM2-135M-Instruct.Q4_1.gguf), so this module
dequantizes every tensor with gguf-py (`gguf.quants.dequantize`, the reference our Swift dequantizers
are tested against), renames it to Hugging Face's names, and undoes llama.cpp's Q/K row permutation:
convert_hf_to_gguf.py stores attn_q / attn_k as

    permute(w, n_head) = w.reshape(n_head, 2, head_dim // 2, in).swapaxes(1, 2).reshape(w.shape)

so that RoPE can rotate adjacent pairs ("normal" mode); HF's rotate_half pairs element i with
i + head_dim/2 instead, so the inverse (reshape(n_head, head_dim // 2, 2, in).swapaxes(1, 2)) is
applied here (n_head = head_count_kv for attn_k). The configuration comes from the GGUF metadata.

Run as a script it checks itself two ways, on the prompts of ../shared/golden/generation.json:
1. against llama.cpp's golden top-20 next-token logits. llama.cpp rounds activations to 8 bits
   inside its quantized dot products, so any exact model differs by 0.2-0.5 (the engine's
   ModelGoldenTests note that a float64 NumPy pass differs by 0.23-0.51); a wrong RoPE pairing or a
   missing norm moves logits by several units. The check fails above 0.6.
2. against an independent float64 NumPy forward pass written here in llama.cpp's own layout: the
   GGUF's permuted Q/K rows as they are, with RoPE rotating adjacent pairs ("normal" mode). This
   pins the un-permutation and the config exactly: the difference is f32 rounding (~1e-4); it fails
   above 1e-2.

Usage: $(bench/peft_venv.sh) bench/peft_model.py [MODEL.gguf]
"""
import json
import os
import sys

import numpy as np
import torch
import gguf
from transformers import LlamaConfig, LlamaForCausalLM

DEFAULT_MODEL = os.path.expanduser(os.path.join(
    os.environ.get("TUNEBENCH_HOME", "~/.cache/tunebench"), "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
BENCH = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(BENCH, "..", "..", "shared", "golden", "generation.json")


def _field(reader, key, default=None):
    field = reader.fields.get(key)
    if field is None:
        if default is None:
            raise KeyError(f"{key} missing from the GGUF metadata")
        return default
    return field.contents()


def gguf_config(reader):
    """LlamaConfig from a GGUF file's `llama.*` metadata (and its token ids)."""
    arch = _field(reader, "general.architecture")
    if arch != "llama":
        raise ValueError(f"expected a llama model, found general.architecture = {arch}")
    hidden = int(_field(reader, "llama.embedding_length"))
    heads = int(_field(reader, "llama.attention.head_count"))
    names = {t.name for t in reader.tensors}
    vocab = int(_field(reader, "llama.vocab_size", len(_field(reader, "tokenizer.ggml.tokens"))))
    return LlamaConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        intermediate_size=int(_field(reader, "llama.feed_forward_length")),
        num_hidden_layers=int(_field(reader, "llama.block_count")),
        num_attention_heads=heads,
        num_key_value_heads=int(_field(reader, "llama.attention.head_count_kv", heads)),
        head_dim=hidden // heads,
        max_position_embeddings=int(_field(reader, "llama.context_length")),
        rms_norm_eps=float(_field(reader, "llama.attention.layer_norm_rms_epsilon")),
        rope_theta=float(_field(reader, "llama.rope.freq_base", 10000.0)),
        hidden_act="silu",
        tie_word_embeddings="output.weight" not in names,
        bos_token_id=int(_field(reader, "tokenizer.ggml.bos_token_id", 1)),
        eos_token_id=int(_field(reader, "tokenizer.ggml.eos_token_id", 2)),
        pad_token_id=int(_field(reader, "tokenizer.ggml.padding_token_id", 2)),
        attention_bias=False,
        mlp_bias=False,
    )


def unpermute(w, n_head):
    """Inverse of llama.cpp's permute: GGUF (adjacent-pair RoPE) rows → HF (rotate_half) rows.
    w: (n_head · head_dim, in)."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


# GGUF tensor name (blk.N.<stem>.weight) → HF name (model.layers.N.<name>.weight)
_LAYER_NAMES = {
    "attn_norm": "input_layernorm",
    "ffn_norm": "post_attention_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def gguf_state_dict(reader, config):
    """Every tensor dequantized to f32 numpy (shape (out, in) for matrices), under HF names."""
    state = {}
    for tensor in reader.tensors:
        w = np.asarray(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
        w = w.reshape([int(d) for d in reversed(tensor.shape)])  # GGUF lists dims innermost first
        name = tensor.name
        if name == "token_embd.weight":
            state["model.embed_tokens.weight"] = w
        elif name == "output_norm.weight":
            state["model.norm.weight"] = w
        elif name == "output.weight":
            state["lm_head.weight"] = w
        elif name.startswith("blk."):
            _, layer, stem, _ = name.split(".")
            if stem not in _LAYER_NAMES:
                raise KeyError(f"unexpected tensor {name}")
            if stem == "attn_q":
                w = unpermute(w, config.num_attention_heads)
            elif stem == "attn_k":
                w = unpermute(w, config.num_key_value_heads)
            state[f"model.layers.{layer}.{_LAYER_NAMES[stem]}.weight"] = w
        elif name == "rope_freqs.weight":
            raise ValueError("rope_freqs (scaled RoPE) is not supported by this loader")
        else:
            raise KeyError(f"unexpected tensor {name}")
    return state


def load_model(path=DEFAULT_MODEL, attn_implementation="eager"):
    """(model, config): an fp32 LlamaForCausalLM in eval mode with the GGUF file's weights."""
    reader = gguf.GGUFReader(path)
    config = gguf_config(reader)
    config._attn_implementation = attn_implementation
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    state = {k: torch.from_numpy(v if v.flags.writeable else v.copy()) for k, v in gguf_state_dict(reader, config).items()}
    expected = set(model.state_dict().keys())
    if config.tie_word_embeddings:
        expected.discard("lm_head.weight")
    missing, unexpected = expected - state.keys(), state.keys() - expected
    if missing or unexpected:
        raise KeyError(f"state dict mismatch: missing {sorted(missing)[:5]}, unexpected {sorted(unexpected)[:5]}")
    model.load_state_dict(state, strict=False, assign=True)
    if config.tie_word_embeddings:
        model.tie_weights()
    # Buffers such as the rotary inverse frequencies were created on the meta device: rebuild them.
    model.model.rotary_emb = type(model.model.rotary_emb)(config=config)
    model = model.float().eval()
    for name, p in list(model.named_parameters()) + list(model.named_buffers()):
        if p.is_meta:
            raise RuntimeError(f"{name} was left on the meta device")
    return model, config


def gguf_tensors_f64(reader):
    """Every tensor dequantized to float64 under its GGUF name, as stored (no renaming, no permutation)."""
    w = {}
    for tensor in reader.tensors:
        a = np.asarray(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float64)
        w[tensor.name] = a.reshape([int(d) for d in reversed(tensor.shape)])
    return w


def reference_last_logits(w, config, ids):
    """Last-position logits of a plain float64 NumPy LLaMA forward pass in GGUF layout (Q/K rows
    permuted as stored, RoPE on adjacent pairs, as llama.cpp computes it).
    w: gguf_tensors_f64(reader); ids: list of T tokens."""
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    hd, eps, T = config.head_dim, config.rms_norm_eps, len(ids)
    theta = config.rope_parameters["rope_theta"]

    def rms(x, g):  # x (T, C), g (C)
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * g

    def rope(x, n):  # x (T, n·hd): rotate (2i, 2i+1) of each head by pos · theta^(-2i/hd)
        x = x.reshape(T, n, hd // 2, 2)
        angle = np.arange(T)[:, None] * theta ** (-np.arange(0, hd, 2) / hd)[None, :]  # (T, hd/2)
        c, s = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
        out = np.empty_like(x)
        out[..., 0] = x[..., 0] * c - x[..., 1] * s
        out[..., 1] = x[..., 0] * s + x[..., 1] * c
        return out.reshape(T, n * hd)

    x = w["token_embd.weight"][ids]  # (T, C)
    causal = np.triu(np.full((T, T), -np.inf), 1)
    for layer in range(config.num_hidden_layers):
        p = lambda stem: w[f"blk.{layer}.{stem}.weight"]
        h = rms(x, p("attn_norm"))
        q = rope(h @ p("attn_q").T, heads).reshape(T, heads, hd)
        k = rope(h @ p("attn_k").T, kv_heads).reshape(T, kv_heads, hd)
        v = (h @ p("attn_v").T).reshape(T, kv_heads, hd)
        attn = np.empty((T, heads, hd))
        for head in range(heads):
            kv = head // (heads // kv_heads)
            scores = q[:, head] @ k[:, kv].T / np.sqrt(hd) + causal
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            attn[:, head] = (scores / scores.sum(axis=1, keepdims=True)) @ v[:, kv]
        x = x + attn.reshape(T, heads * hd) @ p("attn_output").T
        h = rms(x, p("ffn_norm"))
        gate = h @ p("ffn_gate").T
        x = x + (gate / (1 + np.exp(-gate)) * (h @ p("ffn_up").T)) @ p("ffn_down").T
    x = rms(x, w["output_norm.weight"])
    head = w.get("output.weight", w["token_embd.weight"])
    return x[-1] @ head.T


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MODEL
    torch.set_num_threads(2)
    model, config = load_model(path)
    print(f"{os.path.basename(path)}: {config.num_hidden_layers} layers, hidden {config.hidden_size}, "
          f"ff {config.intermediate_size}, heads {config.num_attention_heads}/{config.num_key_value_heads}, "
          f"rope theta {config.rope_parameters['rope_theta']:g}, eps {config.rms_norm_eps:g}, vocab {config.vocab_size}, "
          f"tied {config.tie_word_embeddings}")
    golden = json.load(open(GOLDEN))
    weights64 = gguf_tensors_f64(gguf.GGUFReader(path))
    worst_golden = worst_reference = 0.0
    print(f"{'prompt':<44} {'tokens':>6} {'vs llama.cpp top-20':>20} {'argmax equal':>13} {'vs f64 NumPy, all':>18}")
    for case in golden["cases"]:
        with torch.no_grad():
            logits = model(torch.tensor([case["prompt_ids"]])).logits[0, -1].double().numpy()
        delta = max(abs(logits[t] - v) for t, v in case["top20"])
        same = int(np.argmax(logits)) == case["top20"][0][0]
        reference = np.abs(logits - reference_last_logits(weights64, config, case["prompt_ids"])).max()
        worst_golden, worst_reference = max(worst_golden, delta), max(worst_reference, reference)
        print(f"{case['prompt'][:44]!r:<44} {len(case['prompt_ids']):>6} {delta:>20.4f} {str(same):>13} {reference:>18.2e}")
    print(f"max |Δ| vs llama.cpp's golden top-20 logits: {worst_golden:.4f} (tolerance 0.6)")
    print(f"max |Δ| vs the float64 NumPy pass in GGUF layout, all {config.vocab_size} logits: {worst_reference:.2e} (tolerance 1e-2)")
    sys.exit(0 if worst_golden <= 0.6 and worst_reference <= 1e-2 else 1)


if __name__ == "__main__":
    main()
