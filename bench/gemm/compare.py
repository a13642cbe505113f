#!/usr/bin/env python3
"""Compare godl's Sgemm with gonum, OpenBLAS (through numpy) and MKL (through
torch.mm), side by side.

Run from the repository root with a Python whose numpy is linked to OpenBLAS
and whose torch is PyTorch 2 from PyPI (MKL): the venv that `make bench`
creates has both (Debian's python3-numpy uses whichever libblas.so.3 is
installed, often the slow reference BLAS):

    .bench/venv/bin/python bench/gemm/compare.py [--rounds 3] [--sizes 256,512,1024] [--json]

Each round runs the Go benchmark (BenchmarkSgemm in dl/internal/kernels, which
times gonum in the same process; -count times), then numpy's matmul and
torch.mm for 1 and 2 threads (best of 5 timings); the table keeps the best of
all rounds for each cell, and the last line says how much CPU other processes
used meanwhile (the noise to expect: two-thread figures need both cores free).
A rival whose module is missing is left out. --json prints the figures for
bench/run.py instead of the table.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sides import busy_ticks, rival_env  # noqa: E402  (bench/sides.py)

SIZES = [64, 128, 256, 512, 1024, 2048]
THREADS = [1, 2]

# Timed in a child so the BLAS thread count can be fixed before numpy or
# torch loads. PRODUCT is the product under test (numpy's or torch's).
CHILD = r"""
import json, sys, time
import numpy as np
sizes, threads = json.loads(sys.argv[1]), int(sys.argv[2])
PRODUCT
out = {}
for n in sizes:
    rng = np.random.default_rng(n)
    a, b, c = prepare(rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32))
    product(a, b, c)
    reps = max(1, int(2e8 // (2 * n**3)))  # ~0.1 s per timing at 200 GFLOP/s
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps):
            product(a, b, c)
        best = min(best, (time.perf_counter() - t) / reps)
    out[n] = 2 * n**3 / best / 1e9
print(json.dumps(out))
"""

PRODUCTS = {
    # OpenBLAS, as numpy's wheels bundle it.
    "openblas": (
        "def prepare(a, b): return a, b, a @ b\n"
        "def product(a, b, c): np.matmul(a, b, out=c)\n"),
    # MKL, as PyTorch 2's wheels use it for torch.mm.
    "mkl": (
        "import torch\n"
        "torch.set_num_threads(threads)\n"
        "def prepare(a, b):\n"
        "    a, b = torch.from_numpy(a), torch.from_numpy(b)\n"
        "    return a, b, torch.mm(a, b)\n"
        "def product(a, b, c): torch.mm(a, b, out=c)\n"),
}
RIVAL_MODULE = {"openblas": "numpy", "mkl": "torch"}


def blas_name(python):
    code = (
        "import numpy, json\n"
        "try:\n"
        "    cfg = numpy.show_config(mode='dicts')['Build Dependencies']['blas']\n"
        "    print(cfg.get('name', '?') + ' ' + cfg.get('version', ''))\n"
        "except Exception:\n"
        "    print('unknown (old numpy)')\n"
    )
    return subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.strip()


def has_module(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def run_rival(python, rival, sizes, threads):
    code = CHILD.replace("PRODUCT", PRODUCTS[rival])
    res = subprocess.run([python, "-c", code, json.dumps(sizes), str(threads)],
                         env=rival_env(threads), capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{rival} child failed:\n{res.stderr}")
    return {int(k): v for k, v in json.loads(res.stdout).items()}


BENCH_LINE = re.compile(r"^BenchmarkSgemm/impl=(\w+)/n=(\d+)/threads=(\d+)\S*\s+\d+\s+\d+(?:\.\d+)? ns/op\s+([\d.]+) GFLOP/s")


def run_go(sizes, benchtime, count):
    pattern = "^BenchmarkSgemm$/^impl=/^n=(" + "|".join(map(str, sizes)) + ")$/"
    cmd = ["go", "test", "-run", "^$", "-bench", pattern, "-benchtime", benchtime,
           "-count", str(count), "./dl/internal/kernels/"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("go test failed:\n" + res.stdout + res.stderr)
    out = {}
    for line in res.stdout.splitlines():
        m = BENCH_LINE.match(line)
        if m:
            key = (m[1], int(m[2]), int(m[3]))
            out[key] = max(out.get(key, 0.0), float(m[4]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--benchtime", default="0.2s")
    ap.add_argument("--count", type=int, default=3,
                    help="go test -count per round (the rivals take the best of 5 timings)")
    ap.add_argument("--python", default=sys.executable,
                    help="the Python whose numpy (OpenBLAS) and torch (MKL) are the rivals")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON, not a table")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rivals = [r for r in PRODUCTS if has_module(args.python, RIVAL_MODULE[r])]

    best = {}

    def keep(key, v):
        best[key] = max(best.get(key, 0.0), v)

    hz = os.sysconf("SC_CLK_TCK")
    wall0, busy0 = time.monotonic(), busy_ticks()
    own0 = os.times()
    for r in range(args.rounds):
        # Alternate the sides within each round: godl and gonum, then each rival.
        for key, v in run_go(sizes, args.benchtime, args.count).items():
            keep(key, v)
        for rival in rivals:
            for t in THREADS:
                for n, v in run_rival(args.python, rival, sizes, t).items():
                    keep((rival, n, t), v)
        print(f"gemm round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    own1 = os.times()
    wall = time.monotonic() - wall0
    busy = (busy_ticks() - busy0) / hz
    own = (own1.children_user + own1.children_system) - (own0.children_user + own0.children_system)
    others = max(0.0, busy - own) / wall
    blas = blas_name(args.python) if "openblas" in rivals else ""

    if args.json:
        rows = [{"impl": k[0], "n": k[1], "threads": k[2], "gflops": v} for k, v in sorted(best.items())]
        print(json.dumps({"rounds": args.rounds, "numpy_blas": blas, "others_cpu": others, "rows": rows}))
        return

    impls = ["godl", "gonum"] + rivals
    print(f"numpy BLAS: {blas}; GFLOP/s, best of {args.rounds} rounds; ratios are godl over the other")
    print(f"{'n':>5} {'thr':>3} " + " ".join(f"{i:>8}" for i in impls) + " " +
          " ".join(f"{'/' + i:>9}" for i in impls[1:]) + f" {'godl 2t/1t':>10}")
    for n in sizes:
        for t in THREADS:
            g = best.get(("godl", n, t), 0)
            cells = [f"{best.get((i, n, t), 0):>8.1f}" for i in impls]
            ratios = [f"{g / best[(i, n, t)] if best.get((i, n, t)) else 0:>8.2f}x" for i in impls[1:]]
            sc = ""
            if t == 2:
                g1 = best.get(("godl", n, 1), 0)
                sc = f"{g / g1:.2f}x" if g1 else "-"
            print(f"{n:>5} {t:>3} " + " ".join(cells) + " " + " ".join(ratios) + f" {sc:>10}")
    print(f"other processes used {others:.2f} of the 2 CPUs on average during the run")


if __name__ == "__main__":
    main()
