"""Times the models of train_test.go in PyTorch: one full SGD training step
on a fixed batch, printed as `name threads samples/s` lines.

    python3 bench_torch.py [seconds per measurement]
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LSTMModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(32, 64, 1, batch_first=True)
        self.fc = nn.Linear(64, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])


def labels(n, classes):
    return torch.arange(n) % classes


def cases():
    yield "MLP", nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), \
        torch.randn(64, 784), labels(64, 10), F.cross_entropy
    yield "CNN", nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                               nn.Linear(16 * 14 * 14, 10)), \
        torch.randn(64, 1, 28, 28), labels(64, 10), F.cross_entropy
    yield "LSTM", LSTMModel(), torch.randn(32, 50, 32), torch.randn(32, 1), F.mse_loss
    yield "LinearStep", nn.Linear(10, 10), torch.randn(1, 10), torch.randn(1, 10), F.mse_loss


def measure(model, x, y, loss_fn, seconds):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    n, t0 = 0, time.perf_counter()
    while True:
        step()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n * x.shape[0] / dt


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    # One thread count per process: the BLAS's own thread pool reads its
    # size from the environment at load time (compare.py sets it).
    thread_counts = [int(sys.argv[2])] if len(sys.argv) > 2 else [1, 2]
    torch.manual_seed(0)
    for threads in thread_counts:
        torch.set_num_threads(threads)
        for name, model, x, y, loss_fn in cases():
            print(f"{name} {threads} {measure(model, x, y, loss_fn, seconds):.1f}", flush=True)


if __name__ == "__main__":
    main()
