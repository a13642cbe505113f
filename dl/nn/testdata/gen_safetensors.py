"""Writes mlp.safetensors with the reference safetensors package, and checks
files nn.Save wrote with it: the cross-check of nn.Save/nn.Load with
safetensors' own reader and writer (save_test.go). Needs numpy and
safetensors, not PyTorch; `make golden SAFETENSORS_PYTHON=python` runs it.

    python3 gen_safetensors.py                  # writes mlp.safetensors
    python3 gen_safetensors.py go_written.file  # checks a file nn.Save wrote

The tensors are those of the tutorial's MLP at small size (4-3-2), filled
with value(name, i) = (i + 1) * 0.25 * (-1)**k - k, k the tensor's index
below, so the Go test can recompute them.
"""
import sys

import os

try:
    import numpy as np
    from safetensors.numpy import load_file, save_file
except ImportError as e:
    sys.exit("%s: needs numpy and safetensors (%s): %s" % (os.path.basename(__file__), sys.executable, e))

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
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp.safetensors")
    save_file(expected(), path, metadata={"format": "pt"})
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
    print("%s: written with safetensors %s" % (os.path.relpath(path, root), __import__("safetensors").__version__))
