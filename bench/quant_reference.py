#!/usr/bin/env python3
"""Make the GGML block-format fixtures that Tests/EngineTests/QuantTests*.swift check against.

The reference is gguf-py (`pip install gguf`, tested with 0.19.0), an implementation independent of
ours. For every case it writes into Tests/EngineTests/Fixtures/quant/:
  <case>.bin     raw blocks, exactly as they lie in a GGUF file
  <case>.f32     gguf.quants.dequantize(<case>.bin), little-endian float32
  <case>.in.f32  (only where gguf-py can quantize) the float32 input that gguf.quants.quantize
                 turned into <case>.bin
and a manifest.txt with one line per case: `<case> <GGML type name> <has input: 0|1>`.

Types gguf-py can quantize get random normal inputs (several scales, an all-zero block, and a block
made to hit rounding ties). For the K-quants, which gguf-py cannot quantize, the blocks are random
bytes with their fp16 scale fields (d, dmin) overwritten by random values in [-0.1, 0.1], so no
block decodes to NaN/inf.

Run: /tmp/gv/bin/python bench/quant_reference.py
"""
import pathlib

import numpy as np
from gguf import GGMLQuantizationType as T, GGML_QUANT_SIZES
from gguf import quants

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/EngineTests/Fixtures/quant"
rng = np.random.default_rng(20240611)


def float_input(n_blocks: int, block: int) -> np.ndarray:
    """n_blocks*block floats: random normals at a few scales, a tie block, and zeros last."""
    blocks = []
    scales = [1.0, 0.02, 3.0]
    for i in range(n_blocks - 2):
        blocks.append(rng.standard_normal(block) * scales[i % len(scales)])
    # Ties: with amax = 127 the Q8_0 scale is exactly 1, so x.5 values test round-half-away-from-zero.
    ties = np.array([127.0, 0.5, -0.5, 1.5, -2.5, 2.5, 63.5, -126.5] * (block // 8))
    blocks.append(ties[:block])
    blocks.append(np.zeros(block))
    return np.concatenate(blocks).astype(np.float32)


def write(case: str, qtype: T, raw: np.ndarray, inp: np.ndarray | None, manifest: list[str]):
    raw = np.ascontiguousarray(raw).view(np.uint8).reshape(-1)
    deq = quants.dequantize(raw, qtype).astype("<f4")
    (OUT / f"{case}.bin").write_bytes(raw.tobytes())
    (OUT / f"{case}.f32").write_bytes(deq.tobytes())
    if inp is not None:
        (OUT / f"{case}.in.f32").write_bytes(inp.astype("<f4").tobytes())
    manifest.append(f"{case} {qtype.name} {int(inp is not None)}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: list[str] = []

    # F32: the identity, kept so every supported type has a fixture.
    x = rng.standard_normal(64).astype(np.float32)
    write("F32", T.F32, x.view(np.uint8), x, manifest)

    # F16 / BF16 on finite values (used by the dot tests too).
    for qtype in (T.F16, T.BF16):
        x = np.concatenate([rng.standard_normal(96), rng.standard_normal(32) * 1e-5]).astype(np.float32)
        write(qtype.name, qtype, quants.quantize(x, qtype), x, manifest)

    # F16 / BF16 on special values: overflow, subnormals, ties, infinities, NaN.
    special = np.array([65504.0, 65520.0, 70000.0, -1e6, 6e-8, 3e-8, 1e-9, -0.0,
                        1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8,
                        np.inf, -np.inf, 3.4e38, np.nan], dtype=np.float32)
    for qtype in (T.F16, T.BF16):
        write(f"{qtype.name}_special", qtype, quants.quantize(special, qtype), special, manifest)

    # The 32-element formats gguf-py can quantize: 5 blocks each.
    for qtype in (T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0):
        x = float_input(5, 32)
        write(qtype.name, qtype, quants.quantize(x, qtype), x, manifest)

    # K-quants: 2 super-blocks of random bytes with sane fp16 scales.
    # Byte offsets of the fp16 fields inside one block (layouts: Sources/Engine/Quant/).
    fp16_fields = {
        T.Q2_K: [80, 82],   # scales[16] qs[64] d dmin
        T.Q3_K: [108],      # hmask[32] qs[64] scales[12] d
        T.Q4_K: [0, 2],     # d dmin scales[12] qs[128]
        T.Q5_K: [0, 2],     # d dmin scales[12] qh[32] qs[128]
        T.Q6_K: [208],      # ql[128] qh[64] scales[16] d
    }
    for qtype, offsets in fp16_fields.items():
        _, type_size = GGML_QUANT_SIZES[qtype]
        raw = rng.integers(0, 256, size=(2, type_size), dtype=np.uint8)
        for off in offsets:
            vals = rng.uniform(-0.1, 0.1, size=2).astype(np.float16)
            raw[:, off:off + 2] = vals.view(np.uint8).reshape(2, 2)
        write(qtype.name, qtype, raw, None, manifest)

    (OUT / "manifest.txt").write_text("\n".join(manifest) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(manifest)} cases, {total} bytes, to {OUT}")


if __name__ == "__main__":
    main()
