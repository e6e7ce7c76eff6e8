"""Reference for TuneBench's NF4 block format (QLoRA, Dettmers et al. 2023; bitsandbytes).

Run once with numpy (system python3 is enough):
    python3 bench/nf4_reference.py > Tests/EngineTests/Fixtures/training/nf4-reference.json

The code book is rebuilt here the way bitsandbytes' create_normal_map(offset=0.9677083,
use_extra_value=True) builds it (quantiles of N(0,1), 8 positive and 7 negative, zero, scaled to
[-1, 1]) and checked against the 16 constants bitsandbytes hard-codes for NF4. Quantization as
bitsandbytes' blockwise kernel: blocks of 64, absmax scale (float32), each value / absmax mapped to
the nearest code, two 4-bit indices per byte, the first value in the high nibble.
"""
import json
from statistics import NormalDist

import numpy as np

BNB_NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
           -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
           0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
           0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]


def normal_map(offset=0.9677083):
    ppf = NormalDist().inv_cdf
    v1 = [ppf(x) for x in np.linspace(offset, 0.5, 9)[:-1]]
    v3 = [-ppf(x) for x in np.linspace(offset, 0.5, 8)[:-1]]
    v = np.array(sorted(v1 + [0.0] + v3))
    return v / np.max(np.abs(v))


code = normal_map()
assert np.allclose(code, BNB_NF4, atol=1e-6), (code, BNB_NF4)
code32 = np.array(BNB_NF4, dtype=np.float32)

rng = np.random.default_rng(7)
blocks = [
    rng.standard_normal(64) * 0.02,                     # weight-like
    np.concatenate([rng.standard_normal(63) * 0.01, [0.5]]),  # one outlier
    np.zeros(64),                                      # all zero
    -np.abs(rng.standard_normal(64)),                  # all negative
    rng.uniform(-3, 3, 64),
]
x = np.concatenate(blocks).astype(np.float32)
absmax, packed, deq = [], [], []
for b in x.reshape(-1, 64):
    m = np.float32(np.max(np.abs(b)))
    scaled = b / m if m > 0 else np.zeros_like(b)
    idx = np.argmin(np.abs(scaled[:, None].astype(np.float64) - code32[None, :].astype(np.float64)), axis=1)
    absmax.append(float(m))
    packed += [int(idx[i] << 4 | idx[i + 1]) for i in range(0, 64, 2)]
    deq += [float(np.float32(code32[i] * m)) for i in idx]

print(json.dumps({"code_book": [float(c) for c in code32], "input": [float(v) for v in x],
                  "absmax": absmax, "packed": packed, "dequantized": deq}, indent=0))
