#!/usr/bin/env python3
"""godl against PyTorch, side by side: the benchmark behind `make bench`.

    python3 bench/run.py [--only fmnist,steps,gemm,latency,memory,soak] [--quick]

Runs, alternating the sides (godl, PyTorch, godl, PyTorch ...):
  fmnist   the Fashion-MNIST recipes on the real data (MLP 3 epochs, CNN 1 epoch)
  memory   peak RSS of a CNN training epoch and of the whole-test-set CNN eval
  steps    synthetic training steps (MLP, CNN, LSTM, GRU at b64/b256, 1 and 2 threads)
  gemm     SGEMM against gonum, OpenBLAS (numpy) and MKL (torch.mm)
  latency  the notebook cell latency (kernel/engine BenchmarkCellLatency)
  soak     worker RSS per cell over many cells (kernel/engine BenchmarkCellSoak)
A full run writes BENCHMARKS.md and bench/benchmarks.png; a partial or quick
one writes them under .bench/ unless --out is given. See bench/README.md.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time

import report
import sides
from sides import ROOT, WORK, Side, log, rival_env, run_child

SECTIONS = ["fmnist", "memory", "steps", "gemm", "latency", "soak"]
GODL = Side("godl", "godl")
BIN = os.path.join(WORK, "bin")


def build():
    """Builds the godl programs once, so that no timing includes a compile."""
    os.makedirs(BIN, exist_ok=True)
    for cmd in (["go", "build", "-o", os.path.join(BIN, "fmnist"), "./bench/fmnist"],
                ["go", "test", "-c", "-o", os.path.join(BIN, "train.test"), "./bench/train"]):
        subprocess.run(cmd, cwd=ROOT, check=True)


# ---- Fashion-MNIST recipes (and the memory figures they carry) ----

def recipe_cmd(side, model, epochs, batches, threads, whole_eval, evaluate):
    flags = [("model", model), ("epochs", epochs), ("batches", batches), ("threads", threads)]
    if side is GODL:
        cmd = [os.path.join(BIN, "fmnist")] + [f"-{k}={v}" for k, v in flags]
        return cmd + [f"-whole-eval={str(whole_eval).lower()}", f"-eval={str(evaluate).lower()}"], None
    cmd = [side.python, "bench/fmnist/fmnist_torch.py"] + [f"--{k}={v}" for k, v in flags]
    cmd += (["--whole-eval"] if whole_eval else []) + ([] if evaluate else ["--no-eval"])
    return cmd, rival_env(threads)


def run_recipe(side, model, epochs, batches, threads, whole_eval, timeout, probe=False):
    """Runs one recipe; a probe is quiet and skips the test-set eval."""
    quiet = probe
    cmd, env = recipe_cmd(side, model, epochs, batches, threads, whole_eval, not probe)
    tag = f"{model} {side.label} threads={threads or 'all'}"

    def show(ev):
        if quiet:
            return
        if ev.get("event") == "epoch":
            log(f"  {tag}: epoch {ev['epoch']} {ev['seconds']:.2f} s, loss {ev['loss']:.4f}")
        elif ev.get("event") in ("eval", "whole_eval"):
            log(f"  {tag}: {ev['event']} accuracy {ev['accuracy']:.4f} in {ev['seconds']:.2f} s")
    res = run_child(cmd, env=env, timeout=timeout, on_event=show)
    start = res.first("start") or {}
    run = {"side": side.key, "threads": start.get("threads", threads), "model": model,
           "epochs": [{k: e[k] for k in ("epoch", "seconds", "loss", "batches", "base_rss", "peak_rss")}
                      for e in res.all("epoch")],
           "eval": res.first("eval"), "whole_eval": res.first("whole_eval"),
           "whole_eval_asked": whole_eval, "others_cpu": res.others_cpu, "wall": res.wall,
           "maxrss": res.maxrss, "error": res.error()}
    if run["error"] and not quiet:
        log(f"  {tag}: FAILED: {run['error']}")
    return run


def best_threads(side, model, batches):
    """A rival's faster thread count for a recipe, from a short run at 1 and
    at 2 threads (OpenMP's spinning threads can make 2 far slower than 1 on
    a busy machine; the probe costs seconds, a full epoch at the wrong
    count minutes)."""
    per_batch, limit = {}, 300
    for threads in (1, 2):
        r = run_recipe(side, model, 2, batches, threads, False, limit, probe=True)
        if r["epochs"] and not r["error"]:
            per_batch[threads] = r["epochs"][-1]["seconds"]
        # Twice the one-thread probe's time: two threads have lost by then.
        limit = 2 * r["wall"] + 10
    best = min(per_batch, key=per_batch.get, default=1)
    log(f"  {model} {side.label}: probe of {batches} batches: "
        + ", ".join(f"{t} thread{'s' if t > 1 else ''} {v:.2f} s" for t, v in per_batch.items())
        + f" -> {best}")
    return best, per_batch


def recipes(args, rivals, want_memory):
    """The MLP and CNN recipes: godl, then a rival, both at the rival's best
    thread count, godl, the next rival ... Each rival is compared with the
    godl run beside it. The whole-test-set eval (memory) comes after the timed epochs
    and the accuracy, in godl's last run and in each rival's."""
    out = {}
    plans = {"mlp": (args.mlp_epochs, args.mlp_batches, args.mlp_probe),
             "cnn": (args.cnn_epochs, args.cnn_batches, args.cnn_probe)}
    for model, (epochs, batches, probe) in plans.items():
        whole = want_memory and model == "cnn"
        runs, probes = [], {}
        for i, side in enumerate(rivals):
            threads, probes[side.key] = best_threads(side, model, probe)
            last = i == len(rivals) - 1
            # godl at the same thread count: on a busy machine two threads
            # get a larger share of the CPUs than one, whatever the code.
            runs.append(run_recipe(GODL, model, epochs, batches, threads, whole and last, args.recipe_timeout))
            runs.append(run_recipe(side, model, epochs, batches, threads, whole, args.recipe_timeout))
        out[model] = {"epochs": epochs, "batches": batches, "runs": runs, "probe_batches": probe, "probes": probes}
    return out


def memory_only(args, rivals):
    """The memory figures without the timed recipes: a short CNN training,
    then the whole-test-set eval."""
    runs = [run_recipe(s, "cnn", 1, args.memory_batches, 0 if s is GODL else 1, True, args.recipe_timeout)
            for s in [GODL] + rivals]  # memory hardly depends on the thread count
    return {"epochs": 1, "batches": args.memory_batches, "runs": runs}


# ---- synthetic steps ----

STEP_LINE = re.compile(r"^Benchmark(?:Step/)?(\S+?)(?:-(\d+))?\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) samples/s")


def steps(args, rivals):
    best = {}

    def keep(side, case, threads, sps):
        key = (side, case, threads)
        best[key] = max(best.get(key, 0.0), sps)

    pattern = "^(BenchmarkStep|BenchmarkLinearStep)$"
    if args.cases:
        pattern = "^BenchmarkStep$/^(" + "|".join(c.split("/")[0] for c in args.cases.split(",")) + ")$"
    others = []
    for r in range(args.rounds):
        # One run per thread count, GOMAXPROCS set from the start: with
        # -test.cpu 1,2 the testing package runs a b.Loop benchmark's first
        # measurement before it sets GOMAXPROCS, so the "1 thread" figure
        # was taken on every core.
        for threads in (1, 2):
            res = run_child([os.path.join(BIN, "train.test"), "-test.run", "^$", "-test.bench", pattern,
                             "-test.cpu", str(threads), "-test.benchtime", f"{args.step_seconds}s"],
                            env=dict(os.environ, GOMAXPROCS=str(threads)))
            if res.rc != 0:
                sys.exit("godl step benchmarks failed:\n" + res.stderr)
            others.append(res.others_cpu)
            for ev in res.events:
                m = STEP_LINE.match(ev.get("text", ""))
                if m:
                    keep("godl", m[1], threads, float(m[3]))
        for side in rivals:
            for threads in (1, 2):
                cmd = [side.python, "bench/train/bench_torch.py", "--threads", str(threads),
                       "--seconds", str(args.step_seconds), "--only", args.cases]
                res = run_child(cmd, env=rival_env(threads))
                if res.rc != 0:
                    sys.exit(f"{side.label} step benchmarks failed:\n" + res.stderr)
                others.append(res.others_cpu)
                for ev in res.events:
                    if "case" in ev:
                        keep(side.key, ev["case"], ev["threads"], ev["samples_per_s"])
        log(f"  steps round {r + 1}/{args.rounds} done")
    rows = [{"side": k[0], "case": k[1], "threads": k[2], "samples_per_s": v} for k, v in sorted(best.items())]
    return {"rounds": args.rounds, "seconds": args.step_seconds, "rows": rows,
            "others_cpu": sum(others) / len(others)}


# ---- SGEMM ----

def gemm(args, rivals):
    torch2 = next(s for s in rivals if s.key == "torch2")
    cmd = [torch2.python, "bench/gemm/compare.py", "--json", "--python", torch2.python,
           "--rounds", str(args.rounds), "--count", "1", "--sizes", args.gemm_sizes]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("bench/gemm/compare.py failed:\n" + res.stderr + res.stdout)
    return json.loads(res.stdout.strip().splitlines()[-1])


# ---- the notebook engine: latency and soak ----

METRIC = re.compile(r"(-?[\d.]+(?:e[-+]?\d+)?) ([A-Za-z][\w/%-]*)")


def engine_bench(name, extra_env=None, timeout="30m"):
    env = dict(os.environ, **(extra_env or {}))
    res = run_child(["go", "test", "-run", "^$", "-bench", f"^{name}$", "-benchtime", "1x",
                     "-timeout", timeout, "./kernel/engine"], env=env)
    text = [e["text"] for e in res.events if "text" in e]
    out = {"others_cpu": res.others_cpu, "wall": res.wall, "lines": [], "metrics": {}}
    for line in text:
        if line.startswith(name):
            fields = line.split("\t")
            for f in fields[2:]:
                m = METRIC.fullmatch(f.strip())
                if m and m[2] != "ns/op":
                    out["metrics"][m[2]] = float(m[1])
        elif line and not line.startswith(("goos:", "goarch:", "pkg:", "cpu:", "PASS", "ok ")):
            out["lines"].append(line)
    if res.rc != 0 or not out["metrics"]:
        out["error"] = res.error() or "no figures in the output"
        out["lines"] += res.stderr.splitlines()[-5:]
    return out


def latency(args):
    return engine_bench("BenchmarkCellLatency")


def soak(args, cell_seconds, budget_left):
    # HOOK: the soak benchmark of kernel/engine (RSS per cell over many cells).
    # It is run when a BenchmarkCellSoak exists there; it reads the cell
    # count from GODL_SOAK_CELLS and reports MB/cell, p50-first-s, p50-last-s.
    present = any("func BenchmarkCellSoak(" in open(f).read()
                  for f in glob.glob(os.path.join(ROOT, "kernel/engine/*_test.go")))
    if not present:
        return {"error": "kernel/engine has no BenchmarkCellSoak yet"}
    cells = args.soak_cells
    if not cells:
        # 1000 cells, or as many as the rest of the time budget holds at the
        # warm-cell latency just measured (at least 200).
        cells = 1000
        if cell_seconds:
            cells = max(200, min(cells, int(budget_left / (1.3 * cell_seconds))))
    log(f"cell soak ({cells} cells)")
    out = engine_bench("BenchmarkCellSoak", {"GODL_SOAK_CELLS": str(cells)}, timeout="60m")
    out["cells"] = cells
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--only", default="", help="comma-separated sections (default: all): " + ",".join(SECTIONS))
    ap.add_argument("--quick", action="store_true",
                    help="short version of every section against PyTorch 2 alone, for a quick look")
    ap.add_argument("--rounds", type=int, help="rounds of the step and gemm benchmarks (default 2; quick 1)")
    ap.add_argument("--cases", default="", help="step cases only (e.g. CNN,MLP)")
    ap.add_argument("--no-torch113", action="store_true", help="leave out Debian's PyTorch 1.13 row")
    ap.add_argument("--soak-cells", type=int, default=0,
                    help="cells of the soak (default 1000, fewer if the time budget runs short; quick 100)")
    ap.add_argument("--budget", type=float, default=20, help="minutes the whole run should take (bounds the soak)")
    ap.add_argument("--report-only", action="store_true",
                    help="write the report again from the last run's .bench/results.json, running nothing")
    ap.add_argument("--out", help="where to write the report (default BENCHMARKS.md, or .bench/ for partial runs)")
    args = ap.parse_args()
    only = [s for s in args.only.split(",") if s] or SECTIONS
    if bad := [s for s in only if s not in SECTIONS]:
        ap.error(f"unknown section(s) {bad}; choose from {SECTIONS}")
    q = args.quick
    args.rounds = args.rounds or (1 if q else 2)
    args.mlp_epochs, args.mlp_batches = (2, 200) if q else (3, 0)
    args.cnn_epochs, args.cnn_batches = (1, 60) if q else (1, 0)
    args.mlp_probe, args.cnn_probe = (100, 20) if q else (200, 40)
    args.memory_batches = 30 if q else 200
    args.step_seconds = 0.3 if q else 1.0
    args.gemm_sizes = "256,1024" if q else "256,512,1024,2048"
    args.soak_cells = args.soak_cells or (100 if q else 0)
    args.recipe_timeout = 900
    results = None
    if args.report_only:
        with open(os.path.join(WORK, "results.json")) as f:
            results = json.load(f)
        q, only = results.get("quick"), results.get("sections", SECTIONS)
        args.cases = args.cases or results.get("cases", "")
    # Only a full run replaces the committed report.
    full = not q and only == SECTIONS and not args.cases
    out = args.out or ("BENCHMARKS.md" if full else os.path.join(WORK, "BENCHMARKS.md"))
    chart = os.path.join(os.path.dirname(out) if args.out else ("bench" if full else WORK), "benchmarks.png")
    if results:
        write_report(results, out, chart)
        return

    t0 = time.monotonic()
    log("building the godl programs")
    build()
    rivals = sides.rivals(with_torch113=not (args.no_torch113 or q))
    results = {"machine": sides.machine(), "sides": {s.key: s.label for s in [GODL] + rivals},
               "versions": {s.key: sides.versions(s) for s in rivals}, "quick": q, "sections": only,
               "cases": args.cases}
    log(f"sides: {', '.join(s.label for s in [GODL] + rivals)}")
    if "fmnist" in only:
        log("Fashion-MNIST recipes")
        results["fmnist"] = recipes(args, rivals, "memory" in only)
    if "memory" in only and "fmnist" not in only:
        log("memory: short CNN training, then the whole test set")
        results["fmnist"] = {"cnn": memory_only(args, rivals)}
    if "steps" in only:
        log("synthetic training steps")
        results["steps"] = steps(args, rivals)
    if "gemm" in only:
        log("SGEMM")
        results["gemm"] = gemm(args, rivals)
    if "latency" in only:
        log("cell latency")
        results["latency"] = latency(args)
    if "soak" in only:
        p50 = results.get("latency", {}).get("metrics", {}).get("warm-p50-s")
        results["soak"] = soak(args, p50, args.budget * 60 - (time.monotonic() - t0))
    results["wall_seconds"] = time.monotonic() - t0

    os.makedirs(WORK, exist_ok=True)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    write_report(results, out, chart)


def write_report(results, out, chart):
    """Writes the markdown report to out and the chart beside it."""
    md, bars = report.render(results, os.path.relpath(chart, os.path.dirname(os.path.abspath(out))))
    with open(out, "w") as f:
        f.write(md)
    bars_path = os.path.join(WORK, "chart.json")
    with open(bars_path, "w") as f:
        json.dump(bars, f)
    subprocess.run(["go", "run", "./bench/chart", "-in", bars_path, "-out", chart], cwd=ROOT, check=True)
    print(md)
    log(f"wrote {out} and {chart} (the run took {results['wall_seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
