"""Times the models of train_test.go in PyTorch: one full SGD training step
on a fixed batch, printed as JSON lines {"case", "threads", "samples_per_s"}
with the same case names as the Go benchmarks (MLP/b64, ..., LinearStep).

    OMP_NUM_THREADS=2 python3 bench_torch.py --threads 2 [--seconds 1] [--only CNN]

One thread count per process: the BLAS's and OpenMP's pools read their size
from the environment at load time (bench/run.py sets it).
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCHES = (64, 256)


class LastStep(nn.Module):
    """The tutorial's LSTMModel: a recurrent layer and a Linear on the last
    step's output."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(64, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


def labels(n, classes):
    return torch.arange(n) % classes


def cases():
    for batch in BATCHES:
        yield f"MLP/b{batch}", nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), \
            torch.randn(batch, 784), labels(batch, 10), F.cross_entropy
    for batch in BATCHES:
        cnn = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
        yield f"CNN/b{batch}", cnn, torch.randn(batch, 1, 28, 28), labels(batch, 10), F.cross_entropy
    for batch in BATCHES:
        yield f"LSTM/b{batch}", LastStep(nn.LSTM(32, 64, 1, batch_first=True)), \
            torch.randn(batch, 50, 32), torch.randn(batch, 1), F.mse_loss
    for batch in BATCHES:
        yield f"GRU/b{batch}", LastStep(nn.GRU(32, 64, 1, batch_first=True)), \
            torch.randn(batch, 50, 32), torch.randn(batch, 1), F.mse_loss
    yield "LinearStep", nn.Linear(10, 10), torch.randn(1, 10), torch.randn(1, 10), F.mse_loss


def measure(model, x, y, loss_fn, seconds):
    """Samples per second of a training step, as train_test.go's step: three
    warm-up steps, then steps until `seconds` have passed."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    n, t0 = 0, time.perf_counter()
    while True:
        step()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n * x.shape[0] / dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--only", default="", help="comma-separated case prefixes (MLP,CNN/b64,...)")
    args = ap.parse_args()
    only = [p for p in args.only.split(",") if p]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name, model, x, y, loss_fn in cases():
        if only and not any(name.startswith(p) for p in only):
            continue
        sps = measure(model, x, y, loss_fn, args.seconds)
        print(json.dumps({"case": name, "threads": args.threads, "samples_per_s": sps}), flush=True)


if __name__ == "__main__":
    main()
