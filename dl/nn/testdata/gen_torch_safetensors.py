"""Writes resblock.safetensors, the state dict of the tutorial's
ResidualBlock(3, 4, stride=2) saved by safetensors.torch (with its int64
num_batches_tracked), and resblock.json, an input and the block's eval-mode
output, so the Go test can load PyTorch's file and check the model computes
the same. Needs torch and safetensors:

    python3 gen_torch_safetensors.py
"""
import json

import torch
import torch.nn as nn
from safetensors.torch import save_file

from gen_golden import ResidualBlock  # noqa: E402  (the tutorial's block)

torch.manual_seed(7)
m = ResidualBlock(3, 4, stride=2)
m.train()
for _ in range(3):  # move the running statistics away from their start
    m(torch.randn(4, 3, 8, 8) * 2 + 0.5)
m.eval()
x = torch.randn(1, 3, 8, 8)
with torch.no_grad():
    y = m(x)
save_file({k: v.contiguous() for k, v in m.state_dict().items()}, "resblock.safetensors")
with open("resblock.json", "w") as f:
    json.dump({"x": {"shape": list(x.shape), "data": x.flatten().tolist()},
               "y": {"shape": list(y.shape), "data": y.flatten().tolist()}}, f)
