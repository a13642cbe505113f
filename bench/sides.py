"""The sides of the benchmark (godl and the PyTorch rivals), the machine, and
one way to run a child process and account for it.

The rival is PyTorch 2 from PyPI (MKL + oneDNN) in a venv used for
benchmarks only: $BENCH_VENV when set, else .bench/venv in the checkout,
created here when missing (`pip install torch numpy`: several GB, as the
wheel pulls CUDA libraries; never part of `make test`). Debian's
python3-torch 1.13 with OpenBLAS is a second row when it is installed
($BENCH_TORCH113_PYTHON, default /usr/bin/python3).
"""
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".bench")


class Side:
    """One contestant: a label for tables, and how to run its Python (None
    for godl)."""

    def __init__(self, key, label, python=None):
        self.key, self.label, self.python = key, label, python

    def __repr__(self):
        return self.label


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_venv():
    """Returns the PyTorch 2 venv's python, creating the venv if needed."""
    given = os.environ.get("BENCH_VENV")
    venv = given or os.path.join(WORK, "venv")
    python = os.path.join(venv, "bin", "python")
    if os.path.exists(python) and imports(python, "torch", "numpy"):
        return python
    if given:
        sys.exit(f"BENCH_VENV={given}: no python there that imports torch and numpy")
    log(f"creating {venv} with PyTorch 2 and numpy from PyPI (a download of several GB, once)")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "torch", "numpy"], check=True)
    return python


def imports(python, *modules):
    code = "import " + ", ".join(modules)
    return subprocess.run([python, "-c", code], capture_output=True).returncode == 0


def rivals(with_torch113=True):
    """The PyTorch sides: PyTorch 2 from the venv, and Debian's 1.13 when
    installed and wanted."""
    python = ensure_venv()
    out = [Side("torch2", "PyTorch " + torch_version(python), python)]
    deb = os.environ.get("BENCH_TORCH113_PYTHON", "/usr/bin/python3")
    if with_torch113 and os.path.exists(deb) and imports(deb, "torch", "numpy"):
        out.append(Side("torch113", f"PyTorch {torch_version(deb)} (Debian) + OpenBLAS", deb))
    return out


def torch_version(python):
    v = subprocess.run([python, "-c", "import torch; print(torch.__version__)"],
                       capture_output=True, text=True).stdout.strip()
    if python.startswith("/usr/bin/"):
        # Debian's build calls itself 1.13.0a0; the package knows the release.
        deb = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3-torch"],
                             capture_output=True, text=True).stdout
        if deb:
            return deb.split("+")[0]
    return v.split("+")[0]


def rival_env(threads):
    """A rival's environment: every thread pool sized to threads; OpenBLAS
    free to pick its kernels and blocks for this CPU (a forced
    OPENBLAS_CORETYPE=Haswell halves it on AVX-512)."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def busy_ticks():
    """Busy CPU ticks of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields[:8]) - fields[3] - fields[4]


class Result:
    """What a child did: its JSON lines, the tail of its stderr, exit code,
    wall time, peak RSS, and the CPUs other processes used meanwhile."""

    def __init__(self):
        self.events, self.stderr, self.rc = [], "", 0
        self.wall = self.maxrss = self.others_cpu = 0.0
        self.timed_out = False

    def first(self, event):
        return next((e for e in self.events if e.get("event") == event), None)

    def all(self, event):
        return [e for e in self.events if e.get("event") == event]

    def error(self):
        """A one-line reason the child failed, or None."""
        if self.timed_out:
            return f"stopped after {self.wall:.0f} s (time limit)"
        if self.rc == 0:
            return None
        for line in self.stderr.splitlines():
            if "out of memory" in line or line.startswith(("panic:", "fatal error:")):
                return line.strip()
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        return (lines[-1].strip() if lines else "") + f" (exit {self.rc})"


def run_child(cmd, env=None, timeout=None, on_event=None):
    """Runs cmd, collecting the JSON objects it prints one per line (other
    lines are kept as text in result.events as {"text": line})."""
    res = Result()
    hz = os.sysconf("SC_CLK_TCK")
    t0, busy0 = time.monotonic(), busy_ticks()
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = []
    reader = threading.Thread(target=lambda: err.append(p.stderr.read()))
    reader.start()
    timer = None
    if timeout:
        def stop():
            res.timed_out = True
            p.kill()
        timer = threading.Timer(timeout, stop)
        timer.start()
    for line in p.stdout:
        line = line.rstrip("\n")
        try:
            ev = json.loads(line) if line.startswith("{") else {"text": line}
        except json.JSONDecodeError:
            ev = {"text": line}
        res.events.append(ev)
        if on_event:
            on_event(ev)
    reader.join()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if timer:
        timer.cancel()
    res.rc = p.returncode
    res.wall = time.monotonic() - t0
    res.stderr = err[0][-20000:] if err else ""
    res.maxrss = ru.ru_maxrss * 1024
    own = ru.ru_utime + ru.ru_stime
    res.others_cpu = max(0.0, (busy_ticks() - busy0) / hz - own) / max(res.wall, 1e-9)
    return res


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def machine():
    """CPU, memory and the versions of everything measured."""
    info = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "kernel": platform.release()}
    with open("/proc/cpuinfo") as f:
        cpu = f.read()
    m = re.search(r"^model name\s*:\s*(.*)$", cpu, re.M)
    info["cpu"] = m.group(1) if m else platform.processor()
    flags = set((re.search(r"^flags\s*:\s*(.*)$", cpu, re.M) or [None, ""])[1].split())
    want = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"]
    info["flags"] = [f for f in want if f in flags]
    info["cores"] = os.cpu_count()
    info["ram_gb"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    info["go"] = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
    with open(os.path.join(ROOT, "go.mod")) as f:
        m = re.search(r"gonum\.org/v1/gonum (v\S+)", f.read())
    info["gonum"] = m.group(1) if m else "?"
    # The report files themselves do not make the checkout modified.
    dirty = [ln for ln in git("status", "--porcelain", "--untracked-files=no").splitlines()
             if ln[3:] not in ("BENCHMARKS.md", "bench/benchmarks.png")]
    info["commit"] = git("rev-parse", "--short", "HEAD") + (" (modified)" if dirty else "")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if os.environ.get(var):
            info.setdefault("env_notes", []).append(f"{var}={os.environ[var]} (unset for the rivals)")
    return info


VERSIONS = r"""
import json, re, sys
out = {"python": sys.version.split()[0]}
try:
    import numpy
    out["numpy"] = numpy.__version__
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        out["numpy_blas"] = (blas.get("name", "") + " " + blas.get("version", "")).strip()
    except Exception:
        pass
except ImportError:
    pass
import torch
out["torch"] = torch.__version__
cfg = torch.__config__.show()
for key, pat in (("mkl", r"Math Kernel Library Version ([\d.]+)"), ("onednn", r"MKL-DNN v([^\s]+)"),
                 ("blas_info", r"BLAS_INFO=([^,\s]+)"), ("cpu_capability", r"CPU capability usage: (\w+)")):
    m = re.search(pat, cfg)
    if m:
        out[key] = m.group(1)
print(json.dumps(out))
"""


def versions(side):
    """Versions of a rival's torch, numpy and their BLAS libraries."""
    res = subprocess.run([side.python, "-c", VERSIONS], capture_output=True, text=True, env=rival_env(1))
    try:
        out = json.loads(res.stdout)
    except json.JSONDecodeError:
        return {"error": res.stderr.strip()[-300:]}
    if out.get("blas_info") == "generic":
        # Debian's torch calls libblas.so.3: say which library that is.
        out["libblas"] = debian_blas()
    return out


def debian_blas():
    alt = subprocess.run(["update-alternatives", "--query", "libblas.so.3-" + platform.machine() + "-linux-gnu"],
                         capture_output=True, text=True).stdout
    m = re.search(r"^Value:\s*(\S+)", alt, re.M)
    path = m.group(1) if m else "?"
    pkg = "libopenblas0-pthread" if "openblas-pthread" in path else ("libopenblas0-openmp" if "openblas-openmp" in path else "")
    ver = ""
    if pkg:
        ver = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True).stdout
        return f"OpenBLAS {ver.split('+')[0]} ({pkg})"
    return path

