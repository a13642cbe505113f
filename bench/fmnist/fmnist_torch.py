"""The Fashion-MNIST recipes of main.go written with PyTorch, as a new user
writes them: torch.nn.Sequential, a DataLoader over a TensorDataset
(batch 64, shuffle=True, no worker processes), Adam 1e-3, loss.item() each
step. Prints the same JSON lines as main.go.

    python fmnist_torch.py --model cnn --epochs 1 --threads 2 --whole-eval

The IDX files are read with gzip and numpy (torchvision is not needed:
its FashionMNIST class reads the same files and scales by 255 the same way).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def new_model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(directory, prefix):
    x = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.tensor(x, dtype=torch.float32).div_(255).unsqueeze(1)
    return TensorDataset(x, torch.tensor(y, dtype=torch.int64))


def status_bytes(field):
    """A field of /proc/self/status in bytes, as main.go reads it."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def rss():
    return status_bytes("VmRSS:")


def peak():
    return status_bytes("VmHWM:")


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def evaluate(model, ds, batch):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in DataLoader(ds, batch_size=batch):
            correct += (model(xb).argmax(1) == yb).sum().item()
    model.train()
    return correct / len(ds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="mlp", choices=["mlp", "cnn"])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batches", type=int, default=0, help="stop each epoch after this many batches (0: all)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--eval-batch", type=int, default=1000)
    ap.add_argument("--no-eval", action="store_true", help="skip the test-set accuracy")
    ap.add_argument("--whole-eval", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--data", default=DEFAULT_DIR)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    if args.threads > 0:
        torch.set_num_threads(args.threads)

    def emit(**v):
        print(json.dumps(v), flush=True)

    emit(event="start", threads=torch.get_num_threads(), torch=torch.__version__)
    t0 = time.perf_counter()
    train, test = load(args.data, "train"), load(args.data, "t10k")
    emit(event="data", seconds=time.perf_counter() - t0, train=len(train), test=len(test))

    torch.manual_seed(args.seed)
    model = new_model(args.model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(train, batch_size=args.batch, shuffle=True)

    base = rss()
    for epoch in range(1, args.epochs + 1):
        reset_peak()
        model.train()
        total, n = 0.0, 0
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
            n += 1
            if n == args.batches:
                break
        secs = time.perf_counter() - start
        emit(event="epoch", epoch=epoch, seconds=secs, batches=n, loss=total / n, base_rss=base, peak_rss=peak())

    if not args.no_eval:
        start = time.perf_counter()
        acc = evaluate(model, test, args.eval_batch)
        emit(event="eval", seconds=time.perf_counter() - start, accuracy=acc, batch=args.eval_batch)

    if args.whole_eval:
        x, y = test.tensors
        base = rss()
        reset_peak()
        start = time.perf_counter()
        with torch.no_grad():
            pred = model(x).argmax(1)
        secs = time.perf_counter() - start
        emit(event="whole_eval", seconds=secs, n=len(test), accuracy=(pred == y).float().mean().item(),
             base_rss=base, peak_rss=peak())


if __name__ == "__main__":
    sys.exit(main())
