#!/usr/bin/env python3
"""Compare godl's Sgemm with gonum and with OpenBLAS (through numpy), side by side.

Run from the repository root with a Python whose numpy is linked to OpenBLAS
(the numpy wheels on PyPI bundle it; Debian's python3-numpy uses whichever
libblas.so.3 is installed, often the slow reference BLAS):

    python3 -m venv /tmp/gemm-venv && /tmp/gemm-venv/bin/pip install numpy
    /tmp/gemm-venv/bin/python bench/gemm/compare.py [--rounds 3] [--sizes 256,512,1024]

Each round runs the Go benchmark (BenchmarkSgemm in dl/internal/kernels, which
times gonum in the same process; -count times) and then numpy's matmul for 1
and 2 threads (best of 5 timings); the table keeps the best of all rounds for
each cell, and the last line says how much CPU other processes used meanwhile
(the noise to expect: two-thread figures need both cores free).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

SIZES = [64, 128, 256, 512, 1024, 2048]
THREADS = [1, 2]

# Timed in a child so the BLAS thread count can be fixed before numpy loads.
NUMPY_CHILD = r"""
import json, sys, time
import numpy as np
sizes = json.loads(sys.argv[1])
out = {}
for n in sizes:
    rng = np.random.default_rng(n)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    c = a @ b
    reps = max(1, int(2e8 // (2 * n**3)))  # ~0.1 s per timing at 200 GFLOP/s
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        best = min(best, (time.perf_counter() - t) / reps)
    out[n] = 2 * n**3 / best / 1e9
print(json.dumps(out))
"""


def blas_name():
    code = (
        "import numpy, json\n"
        "try:\n"
        "    cfg = numpy.show_config(mode='dicts')['Build Dependencies']['blas']\n"
        "    print(cfg.get('name', '?') + ' ' + cfg.get('version', ''))\n"
        "except Exception:\n"
        "    print('unknown (old numpy)')\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()


def run_numpy(sizes, threads):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    # A forced core type (e.g. OPENBLAS_CORETYPE=Haswell) pins OpenBLAS to
    # older kernels: about half its speed on an AVX-512 CPU. Compare against
    # the kernels OpenBLAS picks for this CPU itself.
    env.pop("OPENBLAS_CORETYPE", None)
    res = subprocess.run([sys.executable, "-c", NUMPY_CHILD, json.dumps(sizes)],
                         env=env, capture_output=True, text=True, check=True)
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


def cpu_ticks():
    """Busy CPU ticks of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--benchtime", default="0.2s")
    ap.add_argument("--count", type=int, default=3,
                    help="go test -count per round (numpy takes the best of 5 timings)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    best = {}

    def keep(key, v):
        best[key] = max(best.get(key, 0.0), v)

    hz = os.sysconf("SC_CLK_TCK")
    wall0, busy0 = time.monotonic(), cpu_ticks()
    own0 = os.times()
    for r in range(args.rounds):
        for key, v in run_go(sizes, args.benchtime, args.count).items():
            keep(key, v)
        for t in THREADS:
            for n, v in run_numpy(sizes, t).items():
                keep(("openblas", n, t), v)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    own1 = os.times()
    wall = time.monotonic() - wall0
    busy = (cpu_ticks() - busy0) / hz
    own = (own1.children_user + own1.children_system) - (own0.children_user + own0.children_system)
    others = max(0.0, busy - own) / wall

    print(f"numpy BLAS: {blas_name()}; GFLOP/s, best of {args.rounds} rounds; "
          "ratios are godl over the other")
    print(f"{'n':>5} {'thr':>3} {'godl':>7} {'gonum':>7} {'openblas':>8} "
          f"{'/gonum':>7} {'/openblas':>9} {'godl 2t/1t':>10} {'openblas 2t/1t':>14}")
    for n in sizes:
        for t in THREADS:
            g = best.get(("godl", n, t), 0)
            gn = best.get(("gonum", n, t), 0)
            ob = best.get(("openblas", n, t), 0)
            sc = osc = ""
            if t == 2:
                g1 = best.get(("godl", n, 1), 0)
                o1 = best.get(("openblas", n, 1), 0)
                sc = f"{g / g1:.2f}x" if g1 else "-"
                osc = f"{ob / o1:.2f}x" if o1 else "-"
            print(f"{n:>5} {t:>3} {g:>7.1f} {gn:>7.1f} {ob:>8.1f} "
                  f"{g / gn if gn else 0:>6.1f}x {g / ob if ob else 0:>8.2f}x {sc:>10} {osc:>14}")
    print(f"other processes used {others:.2f} of the 2 CPUs on average during the run")


if __name__ == "__main__":
    main()
