"""Runs the Go training benchmarks and bench_torch.py one after the other
and prints samples/s side by side with the ratio Go / PyTorch (PyTorch at
its best thread count of 1 and 2).

    python3 bench/train/compare.py [seconds per measurement]

Needs go on PATH and a python with torch (Debian: python3-torch): this
one, or the one named by $TORCH_PYTHON.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {"MLP": 1.3, "CNN": 1.0, "LSTM": 1.2}


def go_numbers(seconds):
    out = subprocess.run(["go", "test", "-run", "^$", "-bench", ".", "-benchtime", f"{seconds}s", "."],
                         cwd=HERE, check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.match(r"Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) samples/s", line)
        if m:
            res[m.group(1)] = (float(m.group(3)), float(m.group(2)))
    return res


def torch_numbers(seconds):
    py = os.environ.get("TORCH_PYTHON", sys.executable)
    out = ""
    for threads in (1, 2):
        # PyTorch at its best: its BLAS (Debian's torch uses libblas.so.3;
        # install libopenblas0-pthread, not the reference BLAS) limited to the
        # same thread count, and free to pick its kernels for this CPU.
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        env.pop("OPENBLAS_CORETYPE", None)
        out += subprocess.run([py, os.path.join(HERE, "bench_torch.py"), str(seconds), str(threads)],
                              check=True, capture_output=True, text=True, env=env).stdout
    res = {}
    for line in out.splitlines():
        name, threads, sps = line.split()
        if float(sps) > res.get(name, (0, 0))[0]:
            res[name] = (float(sps), int(threads))
    return res


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    g, t = go_numbers(seconds), torch_numbers(seconds)
    print(f"{'model':<12}{'godl samples/s':>16}{'torch samples/s':>17}{'threads':>9}{'ratio':>8}{'target':>8}")
    for name in ("MLP", "CNN", "LSTM", "LinearStep"):
        gs, gns = g[name]
        ts, th = t[name]
        target = f"{TARGETS[name]:.1f}x" if name in TARGETS else ""
        print(f"{name:<12}{gs:>16.0f}{ts:>17.0f}{th:>9}{gs / ts:>7.2f}x{target:>8}")
    print(f"Linear(10,10) batch-1 step: godl {g['LinearStep'][1] / 1000:.1f} us, "
          f"torch {1e6 / t['LinearStep'][0]:.1f} us (target <= 5 us)")


if __name__ == "__main__":
    main()
