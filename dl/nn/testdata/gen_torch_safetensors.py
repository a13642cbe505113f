"""Writes resblock.safetensors, the state dict of the tutorial's
ResidualBlock(3, 4, stride=2) saved by safetensors.torch (with its int64
num_batches_tracked), and resblock.json, an input and the block's eval-mode
output (format: internal/golden/goldenfile.py's), so the Go test
(save_test.go) can load PyTorch's file and check the model computes the
same. Needs PyTorch 1.13 and safetensors; `make golden
SAFETENSORS_PYTHON=python` runs it.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("1.13")
try:
    from safetensors.torch import save_file
except ImportError as e:
    sys.exit("%s: needs safetensors (%s): %s" % (os.path.basename(__file__), sys.executable, e))

from gen_golden import ResidualBlock  # noqa: E402  (the tutorial's block)


def main():
    torch.manual_seed(7)
    m = ResidualBlock(3, 4, stride=2)
    m.train()
    for _ in range(3):  # move the running statistics away from their start
        m(torch.randn(4, 3, 8, 8) * 2 + 0.5)
    m.eval()
    x = torch.randn(1, 3, 8, 8)
    with torch.no_grad():
        y = m(x)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resblock.safetensors")
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, path)
    print("%s: written with safetensors" % os.path.relpath(path, golden.ROOT))
    golden.write(__file__, "resblock.json", {"x": golden.tensor(x), "y": golden.tensor(y)})


if __name__ == "__main__":
    main()
