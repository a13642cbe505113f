"""Cross-checks nn.Save/nn.Load with the reference safetensors package.

    pip install safetensors numpy
    python3 gen_safetensors.py                  # writes mlp.safetensors
    python3 gen_safetensors.py go_written.file  # checks a file nn.Save wrote

The tensors are those of the tutorial's MLP at small size (4-3-2), filled
with value(name, i) = (i + 1) * 0.25 * (-1)**k - k, k the tensor's index
below, so the Go test can recompute them.
"""
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

SHAPES = [("layer1.weight", (3, 4)), ("layer1.bias", (3,)), ("layer2.weight", (2, 3)), ("layer2.bias", (2,))]


def expected():
    out = {}
    for k, (name, shape) in enumerate(SHAPES):
        n = int(np.prod(shape))
        out[name] = ((np.arange(n) + 1) * 0.25 * (-1) ** k - k).astype(np.float32).reshape(shape)
    return out


if len(sys.argv) > 1:
    got = load_file(sys.argv[1])
    want = expected()
    assert sorted(got) == sorted(want), (sorted(got), sorted(want))
    for name in want:
        assert got[name].dtype == np.float32 and got[name].shape == want[name].shape, name
        assert np.array_equal(got[name], want[name]), name
    print("ok: safetensors reads", sys.argv[1], "with", len(got), "tensors")
else:
    save_file(expected(), "mlp.safetensors", metadata={"format": "pt"})
