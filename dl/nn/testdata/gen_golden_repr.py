#!/usr/bin/python3
"""Writes golden_repr.json: the repr PyTorch 1.13 prints for every layer of
dl/nn and for models built from them, for repr_test.go (which builds the
same modules in Go under the same names). `make golden` runs it; the
file's format is internal/golden/goldenfile.py's.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

golden.require_torch("1.13")
import torch.nn as nn  # noqa: E402


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.activation = nn.ReLU()
        self.layer2 = nn.Linear(256, 10)


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))


class LSTMModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, 2, batch_first=True, dropout=0.2)
        self.fc = nn.Linear(32, 1)


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Tanh()])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Identity()})
        self.out = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(8, 2), nn.Softmax(dim=1)))


MODULES = {
    "linear": nn.Linear(784, 256),
    "linear_nobias": nn.Linear(3, 2, bias=False),
    "relu": nn.ReLU(),
    "sigmoid": nn.Sigmoid(),
    "tanh": nn.Tanh(),
    "gelu": nn.GELU(),
    "leaky_relu": nn.LeakyReLU(0.1),
    "leaky_relu_default": nn.LeakyReLU(),
    "softmax": nn.Softmax(dim=1),
    "log_softmax": nn.LogSoftmax(dim=-1),
    "flatten": nn.Flatten(),
    "identity": nn.Identity(),
    "dropout": nn.Dropout(0.5),
    "dropout_quarter": nn.Dropout(0.25),
    "conv": nn.Conv2d(1, 16, 3, padding=1),
    "conv_args": nn.Conv2d(3, 8, (3, 5), stride=2, dilation=2, bias=False),
    "maxpool": nn.MaxPool2d(2),
    "maxpool_args": nn.MaxPool2d(3, stride=1, padding=1),
    "avgpool": nn.AvgPool2d(2),
    "avgpool_args": nn.AvgPool2d(3, stride=2, padding=1),
    "batchnorm1d": nn.BatchNorm1d(64),
    "batchnorm2d_args": nn.BatchNorm2d(16, eps=1e-3, momentum=0.2),
    "batchnorm1d_plain": nn.BatchNorm1d(4, affine=False, track_running_stats=False),
    "layernorm": nn.LayerNorm(64),
    "layernorm_args": nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False),
    "lstm": nn.LSTM(1, 32, 2, batch_first=True, dropout=0.2),
    "gru": nn.GRU(32, 64),
    "rnn": nn.RNN(32, 64, 1),
    "rnn_relu_nobias": nn.RNN(4, 8, nonlinearity="relu", bias=False),
    "embedding": nn.Embedding(10, 3),
    "sequential_empty": nn.Sequential(),
    "sequential_mlp": nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10)),
    "mlp": MLP(),
    "residual_block": ResidualBlock(16, 32, 2),
    "residual_block_identity": ResidualBlock(16, 16, 1),
    "cnn": nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        ResidualBlock(16, 16, 1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 7 * 7, 10)),
    "lstm_model": LSTMModel(),
    "tower": Tower(),
}


def main():
    golden.write(__file__, "golden_repr.json", {name: repr(m) for name, m in MODULES.items()})


if __name__ == "__main__":
    main()
