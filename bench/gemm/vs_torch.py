#!/usr/bin/env python3
"""Compare godl's Sgemm with MKL's, as PyTorch 2 from PyPI calls it
(torch.mm), side by side: square products and the GEMMs of the training
recipes, on 1 and 2 threads.

Run from the repository root with the Python of a venv holding torch 2:

    python -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch numpy
    /tmp/torch-venv/bin/python bench/gemm/vs_torch.py [--rounds 5] [--only square]

The Go side is BenchmarkSgemmShapes in dl/internal/kernels, compiled once
(go test -c) and given the same list of products through GEMM_SHAPES. Each
round times every product on each side in turn, alternating which side
goes first; a cell keeps the best of its rounds (others' load only ever
slows a run down). The last line says how much CPU other processes used
meanwhile: ratios measured while it is high are noise.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

# name, transA, transB, m, n, k: op(A) is m×k, op(B) is k×n.
SHAPES = [
    ("square256", 0, 0, 256, 256, 256),
    ("square512", 0, 0, 512, 512, 512),
    ("square1024", 0, 0, 1024, 1024, 1024),
    ("square2048", 0, 0, 2048, 2048, 2048),
    # MLP 784-256-10: first layer forward (as Wx^T, see nn.Linear) and
    # weight gradient, batch 64 and 256.
    ("mlp-fwd1-b64", 0, 1, 256, 64, 784),
    ("mlp-dw1-b64", 1, 0, 256, 784, 64),
    ("mlp-fwd1-b256", 0, 1, 256, 256, 784),
    ("mlp-dw1-b256", 1, 0, 256, 784, 256),
    # CNN conv(32→64, 3×3) on 14×14 as GEMM: per image and for a batch of
    # 64 (forward, weight gradient, column gradient); fc(3136→128) at b256.
    ("conv2-fwd-img", 0, 0, 64, 196, 288),
    ("conv2-fwd-b64", 0, 0, 64, 64 * 196, 288),
    ("conv2-dw-b64", 0, 1, 64, 288, 64 * 196),
    ("conv2-dcol-b64", 1, 0, 288, 64 * 196, 64),
    ("conv1-fwd-b64", 0, 0, 32, 64 * 784, 9),
    ("fc1-fwd-b256", 0, 1, 256, 128, 3136),
    ("fc1-dx-b256", 0, 0, 256, 3136, 128),
    ("fc1-dw-b256", 1, 0, 128, 3136, 256),
]
THREADS = [1, 2]

TORCH_CHILD = r"""
import json, sys, time
import torch
shapes, threads = json.loads(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
out = {}
for name, ta, tb, m, n, k in shapes:
    g = torch.Generator().manual_seed(m * n + k)
    a = torch.rand(k, m, generator=g).t() if ta else torch.rand(m, k, generator=g)
    b = torch.rand(n, k, generator=g).t() if tb else torch.rand(k, n, generator=g)
    c = torch.empty(m, n)
    torch.mm(a, b, out=c)
    flops = 2 * m * n * k
    reps = max(1, int(2e7 // flops))  # ~0.2 ms per window at 100 GFLOP/s
    # The best of short windows (as the Go side's bestGFLOP/s), and the
    # CPU time of the whole run, per thread.
    best, cpu, n_all = float("inf"), 0.0, 0
    start = time.perf_counter()
    w = 0
    while w < 5 or time.perf_counter() - start < 0.1:
        t, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            torch.mm(a, b, out=c)
        best = min(best, (time.perf_counter() - t) / reps)
        cpu += time.process_time() - c0
        n_all += reps
        w += 1
    out[name] = [flops / best / 1e9, flops * n_all * threads / max(cpu, 1e-9) / 1e9]
print(json.dumps(out))
"""

BENCH_LINE = re.compile(r"^BenchmarkSgemmShapes/shape=([\w-]+)/threads=(\d+)\S*\s+\d+\s+[\d.]+ ns/op"
                        r"\s+[\d.]+ GFLOP/s\s+([\d.]+) bestGFLOP/s\s+([\d.]+) cpuGFLOP/s")


def torch_version():
    return subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"],
                          capture_output=True, text=True).stdout.strip()


def run_torch(shapes, threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    # A forced OpenBLAS core type or L2 size would not touch MKL, but keep
    # the rival's environment what a user's is.
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    res = subprocess.run([sys.executable, "-c", TORCH_CHILD, json.dumps(shapes), str(threads)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def run_go(binary, shapes, threads, benchtime):
    env = dict(os.environ, GEMM_SHAPES=",".join(f"{s[0]}:{s[1]}:{s[2]}:{s[3]}:{s[4]}:{s[5]}" for s in shapes))
    names = "|".join(re.escape(s[0]) for s in shapes)
    res = subprocess.run([binary, "-test.run", "^$", "-test.bench", f"^BenchmarkSgemmShapes$/^shape=({names})$/^threads={threads}$",
                          "-test.benchtime", benchtime], env=env, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("Go benchmark failed:\n" + res.stdout + res.stderr)
    out = {}
    for line in res.stdout.splitlines():
        m = BENCH_LINE.match(line)
        if m:
            out[m[1]] = [float(m[3]), float(m[4])]
    return out


def cpu_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields[:8]) - fields[3] - fields[4]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="", help="regexp: the products to time")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--benchtime", default="0.15s")
    ap.add_argument("--json", help="also write the table here")
    args = ap.parse_args()
    shapes = [s for s in SHAPES if re.search(args.only, s[0])]
    threads = [int(t) for t in args.threads.split(",")]
    binary = os.path.join(tempfile.mkdtemp(), "kernels.test")
    subprocess.run(["go", "test", "-c", "-o", binary, "./dl/internal/kernels/"], check=True)

    best = {}
    hz = os.sysconf("SC_CLK_TCK")
    wall0, busy0, own0 = time.monotonic(), cpu_ticks(), os.times()
    for r in range(args.rounds):
        for t in threads:
            sides = [("godl", lambda: run_go(binary, shapes, t, args.benchtime)), ("mkl", lambda: run_torch(shapes, t))]
            if r % 2:
                sides.reverse()
            for side, run in sides:
                for name, (wall, cpu) in run().items():
                    for kind, v in (("wall", wall), ("cpu", cpu)):
                        key = (side, kind, name, t)
                        best[key] = max(best.get(key, 0.0), v)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    own1 = os.times()
    wall = time.monotonic() - wall0
    own = (own1.children_user + own1.children_system) - (own0.children_user + own0.children_system)
    others = max(0.0, (cpu_ticks() - busy0) / hz - own) / wall

    print(f"torch {torch_version()} (MKL) vs godl Sgemm; GFLOP/s, best of {args.rounds} rounds; "
          "ratio = godl / MKL (above 1: godl faster)")
    print("wall: the best of short windows (~0.2 ms) by the clock, the speed between interruptions; cpu: a whole")
    print("run per second of CPU each thread used (time descheduled does not count, spinning does). On a busy")
    print("machine, wall is the figure for 1 thread and 2 threads alike; cpu is steadier for 1 thread.")
    print(f"{'product':<16} {'m':>5} {'n':>6} {'k':>6} {'tA':>2} {'tB':>2} {'thr':>3} "
          f"{'godl':>7} {'mkl':>7} {'wall':>6} {'godl':>7} {'mkl':>7} {'cpu':>6}")
    table = []
    for name, ta, tb, m, n, k in shapes:
        for t in threads:
            row = dict(product=name, m=m, n=n, k=k, transA=ta, transB=tb, threads=t)
            line = f"{name:<16} {m:>5} {n:>6} {k:>6} {ta:>2} {tb:>2} {t:>3} "
            for kind in ("wall", "cpu"):
                g, mk = best.get(("godl", kind, name, t), 0), best.get(("mkl", kind, name, t), 0)
                ratio = g / mk if mk else 0
                row.update({f"godl_{kind}": g, f"mkl_{kind}": mk, f"ratio_{kind}": ratio})
                line += f"{g:>7.1f} {mk:>7.1f} {ratio:>5.2f}x "
            table.append(row)
            print(line)
    print(f"other processes used {others:.2f} of the {os.cpu_count()} CPUs on average during the run")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(torch=torch_version(), others=others, rounds=args.rounds, table=table), f, indent=1)


if __name__ == "__main__":
    main()
