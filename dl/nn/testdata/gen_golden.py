#!/usr/bin/python3
"""Writes golden.json: PyTorch 1.13's outputs and gradients for every nn
layer and loss, with the weights used, for golden_test.go and
conv_golden_test.go. `make golden` runs it; the file's format is
internal/golden/goldenfile.py's.

Each case holds the inputs, the layer's state dict, a fixed random weight R
per output (the scalar differentiated is sum(out * R)), the outputs, and the
gradients of the inputs and parameters. Names follow PyTorch's state dict.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("1.13")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

cases = {}


def record(name, module, inputs, fwd, train=True):
    """Run fwd(module, *inputs) -> tuple of outputs and differentiate."""
    inputs = {k: v.clone().requires_grad_(v.dtype == torch.float32 and k != "ids" and k != "labels")
              for k, v in inputs.items()}
    if module is not None:
        module.train(train)
        state0 = {k: golden.tensor(v) for k, v in module.state_dict().items()}
    else:
        state0 = {}
    outs = fwd(module, **inputs)
    rs = [torch.randn(o.shape) for o in outs]
    loss = sum((o * r).sum() for o, r in zip(outs, rs))
    loss.backward()
    grads = {k: golden.tensor(v.grad) for k, v in inputs.items() if v.grad is not None}
    if module is not None:
        for k, p in module.named_parameters():
            if p.grad is not None:
                grads[k] = golden.tensor(p.grad)
        after = {k: golden.tensor(v) for k, v in module.state_dict().items() if "running" in k}
    else:
        after = {}
    cases[name] = {"inputs": {k: golden.tensor(v) for k, v in inputs.items()}, "state": state0,
                   "R": [golden.tensor(r) for r in rs], "outputs": [golden.tensor(o) for o in outs], "grads": grads,
                   "state_after": after}


def one(m, x):
    return (m(x),)


def rec(m, x, h0, c0=None):
    if c0 is None:
        out, hn = m(x, h0)
        return out, hn
    out, (hn, cn) = m(x, (h0, c0))
    return out, hn, cn


def loss_case(name, f, **inputs):
    record(name, None, inputs, lambda _, **kw: (f(**kw),))


class ResidualBlock(nn.Module):
    """The tutorial's ResNet block, verbatim."""

    def __init__(self, in_channels, out_channels, stride=1):
        super(ResidualBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x):
        identity = self.shortcut(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


def layers():
    record("linear", nn.Linear(5, 3), {"x": torch.randn(4, 5)}, one)
    record("linear_3d", nn.Linear(5, 3), {"x": torch.randn(2, 4, 5)}, one)
    record("linear_nobias", nn.Linear(5, 3, bias=False), {"x": torch.randn(4, 5)}, one)
    record("conv_pad", nn.Conv2d(2, 3, 3, padding=1), {"x": torch.randn(2, 2, 6, 6)}, one)
    record("conv_stride_dil", nn.Conv2d(2, 4, 3, stride=2, padding=2, dilation=2), {"x": torch.randn(2, 2, 9, 8)}, one)
    record("conv_1x1_nobias", nn.Conv2d(3, 2, 1, stride=2, bias=False), {"x": torch.randn(1, 3, 5, 5)}, one)
    record("maxpool2", nn.MaxPool2d(2), {"x": torch.randn(2, 3, 6, 6)}, one)
    record("maxpool3s2p1", nn.MaxPool2d(3, stride=2, padding=1), {"x": torch.randn(1, 2, 7, 7)}, one)
    record("avgpool2", nn.AvgPool2d(2), {"x": torch.randn(2, 3, 6, 6)}, one)
    record("avgpool3s2p1", nn.AvgPool2d(3, stride=2, padding=1), {"x": torch.randn(1, 2, 7, 7)}, one)
    record("bn1d_train", nn.BatchNorm1d(5), {"x": torch.randn(8, 5) * 2 + 1}, one)
    record("bn1d_3d_train", nn.BatchNorm1d(3), {"x": torch.randn(4, 3, 6)}, one)
    record("bn2d_train", nn.BatchNorm2d(3), {"x": torch.randn(4, 3, 5, 5) * 3 - 1}, one)
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(3))
        bn.running_var.copy_(torch.rand(3) + 0.5)
        bn.weight.copy_(torch.randn(3))
        bn.bias.copy_(torch.randn(3))
    record("bn2d_eval", bn, {"x": torch.randn(2, 3, 4, 4)}, one, train=False)
    ln = nn.LayerNorm(6)
    with torch.no_grad():
        ln.weight.copy_(torch.randn(6))
        ln.bias.copy_(torch.randn(6))
    record("layernorm", ln, {"x": torch.randn(4, 6) * 2}, one)
    record("layernorm_2d", nn.LayerNorm([3, 4]), {"x": torch.randn(2, 3, 4)}, one)
    record("embedding", nn.Embedding(10, 4), {"ids": torch.tensor([[1., 3., 3.], [9., 0., 1.]])},
           lambda m, ids: (m(ids.long()),))
    record("lstm", nn.LSTM(3, 5, 2, batch_first=True),
           {"x": torch.randn(2, 4, 3), "h0": torch.randn(2, 2, 5), "c0": torch.randn(2, 2, 5)}, rec)
    record("gru", nn.GRU(3, 5, 2), {"x": torch.randn(4, 2, 3), "h0": torch.randn(2, 2, 5)}, rec)
    record("rnn_tanh", nn.RNN(3, 4, 1), {"x": torch.randn(5, 2, 3), "h0": torch.randn(1, 2, 4)}, rec)
    record("rnn_relu", nn.RNN(3, 4, 2, nonlinearity="relu", batch_first=True),
           {"x": torch.randn(2, 5, 3), "h0": torch.randn(2, 2, 4)}, rec)


def losses():
    logits, labels = torch.randn(6, 4) * 3, torch.tensor([0., 3., 1., 1., 2., 0.])
    loss_case("mse", lambda p, t: F.mse_loss(p, t), p=torch.randn(3, 4), t=torch.randn(3, 4))
    loss_case("mse_sum", lambda p, t: F.mse_loss(p, t, reduction="sum"), p=torch.randn(3, 4), t=torch.randn(3, 4))
    loss_case("l1", lambda p, t: F.l1_loss(p, t), p=torch.randn(3, 4), t=torch.randn(3, 4))
    loss_case("cross_entropy", lambda x, labels: F.cross_entropy(x, labels.long()), x=logits, labels=labels)
    loss_case("cross_entropy_sum", lambda x, labels: F.cross_entropy(x, labels.long(), reduction="sum"),
              x=logits, labels=labels)
    loss_case("cross_entropy_none", lambda x, labels: F.cross_entropy(x, labels.long(), reduction="none"),
              x=logits, labels=labels)
    loss_case("cross_entropy_soft", lambda x, t: F.cross_entropy(x, t), x=logits, t=torch.softmax(torch.randn(6, 4), 1))
    loss_case("nll", lambda x, labels: F.nll_loss(x, labels.long()), x=torch.log_softmax(logits, 1), labels=labels)
    loss_case("bce", lambda p, t: F.binary_cross_entropy(p, t), p=torch.rand(3, 4) * 0.98 + 0.01, t=torch.rand(3, 4))
    loss_case("bce_logits", lambda z, t: F.binary_cross_entropy_with_logits(z, t), z=torch.randn(3, 4) * 4,
              t=torch.rand(3, 4))


def tutorial_models():
    record("residual_block", ResidualBlock(3, 4, stride=2), {"x": torch.randn(2, 3, 8, 8)}, one)
    record("sequential_mlp", nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 2)), {"x": torch.randn(10, 5)},
           one)


def conv_pool_options():
    record("conv_groups", nn.Conv2d(4, 6, 3, padding=1, groups=2), {"x": torch.randn(2, 4, 6, 5)}, one)
    record("conv_depthwise", nn.Conv2d(3, 3, 3, stride=2, padding=1, groups=3), {"x": torch.randn(2, 3, 7, 7)}, one)
    record("conv_depthwise_mult", nn.Conv2d(2, 4, 3, padding=2, dilation=2, groups=2, bias=False),
           {"x": torch.randn(1, 2, 9, 8)}, one)
    record("conv_recipe", nn.Conv2d(8, 16, 3, padding=1), {"x": torch.randn(3, 8, 14, 14)}, one)
    record("conv_wide", nn.Conv2d(2, 3, (2, 5), stride=(1, 2), padding=(0, 3)), {"x": torch.randn(2, 2, 5, 37)}, one)
    record("maxpool2_odd", nn.MaxPool2d(2), {"x": torch.randn(2, 3, 7, 9)}, one)
    record("maxpool2_ceil", nn.MaxPool2d(2, ceil_mode=True), {"x": torch.randn(1, 2, 7, 7)}, one)
    record("maxpool3s2_ceil", nn.MaxPool2d(3, stride=2, ceil_mode=True), {"x": torch.randn(1, 2, 8, 8)}, one)
    record("maxpool3s2p1_ceil", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), {"x": torch.randn(2, 2, 6, 7)}, one)
    record("maxpool3s3p1_ceil", nn.MaxPool2d(3, stride=3, padding=1, ceil_mode=True), {"x": torch.randn(1, 1, 6, 5)}, one)
    record("maxpool2d2_ceil", nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True), {"x": torch.randn(1, 1, 7, 8)}, one)
    record("avgpool2_ceil", nn.AvgPool2d(2, ceil_mode=True), {"x": torch.randn(1, 2, 5, 5)}, one)
    record("avgpool3s2p1_ceil", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), {"x": torch.randn(1, 2, 8, 8)}, one)
    record("avgpool3s2p1_nopad", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
           {"x": torch.randn(1, 2, 7, 7)}, one)
    record("avgpool3s2p1_nopad_ceil", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
           {"x": torch.randn(2, 1, 6, 8)}, one)


def main():
    torch.manual_seed(1234)
    layers()
    losses()
    tutorial_models()
    # Convolution and pooling options (groups, ceil_mode, count_include_pad).
    # Seeded on their own so that cases added above do not change them.
    torch.manual_seed(4321)
    conv_pool_options()
    golden.write(__file__, "golden.json", cases)


if __name__ == "__main__":
    main()
