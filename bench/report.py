"""Turns bench/run.py's results into BENCHMARKS.md and the chart's bars.

Every ratio says which side is faster ("godl 1.25x faster", "PyTorch 2.15.0
1.4x faster"); the chart plots godl's speed over each rival's (above 1:
godl is faster).
"""

GB = 2**30
MB = 2**20


def times(x):
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def faster(godl, rival, rival_label):
    """Which side is faster, from two speeds (higher is better)."""
    if not godl or not rival:
        return "–"
    r = godl / rival
    if abs(r - 1) < 0.005:
        return "even"
    return f"godl {times(r)} faster" if r > 1 else f"{rival_label} {times(1 / r)} faster"


def smaller(godl, rival, rival_label):
    """Which side needs less memory."""
    if not godl or not rival:
        return "–"
    r = rival / godl
    if abs(r - 1) < 0.005:
        return "even"
    return f"godl {times(r)} less" if r >= 1 else f"{rival_label} {times(1 / r)} less"


def short(label):
    """'PyTorch 2.15.0' from a longer side label."""
    return label.split(" (")[0]


def gb(b):
    return f"{b / GB:.2f} GB" if b >= GB else f"{b / MB:.0f} MB"


def duration(sec):
    if sec >= 1:
        return f"{sec:.2f} s"
    return f"{sec * 1e3:.0f} ms" if sec >= 1e-3 else f"{sec * 1e6:.0f} µs"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


class Report:
    def __init__(self, res):
        self.res = res
        self.sides = res["sides"]
        self.rivals = [k for k in self.sides if k != "godl"]
        self.md = []
        self.targets = []  # (target, measured, verdict)
        self.bars = []     # (label, {rival: godl speed / rival speed})

    def add(self, *lines):
        self.md.extend(lines)

    def target(self, what, measured, ok):
        self.targets.append((what, measured, "–" if ok is None else ("yes" if ok else "**no**")))

    # ---- sections ----

    def header(self, chart):
        m, res = self.res["machine"], self.res
        self.add("# Benchmarks: godl against PyTorch",
                 "",
                 f"Written by `make bench` (`bench/run.py`) on {m['date']} at commit {m['commit']}"
                 + (" — a **quick** run: short epochs, one round" if res.get("quick") else "")
                 + f"; the whole run took {res['wall_seconds'] / 60:.1f} min. Regenerate with `make bench`"
                 " (options in `bench/README.md`). These numbers are of one machine shared with other work:"
                 " compare ratios measured side by side, not absolute times.",
                 "",
                 f"![godl speed over PyTorch's, per workload]({chart})",
                 "",
                 f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gb']:.0f} GiB RAM, Linux {m['kernel']}; "
                 f"CPU flags: {', '.join(m['flags'])}.",
                 "")
        load = self.load()
        if load > 0.3:
            self.add(f"**A busy machine:** other processes used {load:.1f} of the {m['cores']} CPUs on average "
                     "during the timed runs. PyTorch's OpenMP threads spin while they wait, so under load its "
                     "2-thread figures collapse and the probes pick 1 thread (godl then runs at 1 thread too); "
                     "on a quiet machine PyTorch 2 at 2 threads can be several times faster than here. Take the ratios as "
                     "this run's, and check targets on a quiet machine.", "")
        if m.get("env_notes"):
            self.add("Environment: " + "; ".join(m["env_notes"]) + ".", "")
        rows = [["godl", f"{m['go']}; its own AVX-512/AVX2 kernels"]]
        for k in self.rivals:
            v = self.res["versions"].get(k, {})
            parts = [f"torch {v.get('torch', '?')}"]
            if v.get("mkl"):
                parts.append(f"MKL {v['mkl']}")
            if v.get("onednn"):
                parts.append(f"oneDNN {v['onednn']}")
            if v.get("libblas"):
                parts.append(f"BLAS: {v['libblas']}")
            if v.get("cpu_capability"):
                parts.append(f"kernels: {v['cpu_capability']}")
            parts.append(f"numpy {v.get('numpy', '?')}" + (f" ({v['numpy_blas']})" if v.get("numpy_blas") else ""))
            parts.append(f"Python {v.get('python', '?')}")
            rows.append([self.sides[k], "; ".join(parts)])
        self.add(table(["side", "versions"], rows))

    def load(self):
        """Other processes' average CPU use over the timed runs."""
        xs = [r["others_cpu"] for rec in self.res.get("fmnist", {}).values() for r in rec["runs"]]
        xs += [self.res[k]["others_cpu"] for k in ("steps", "gemm") if k in self.res]
        return sum(xs) / len(xs) if xs else 0.0

    def best_run(self, runs, side, threads=None):
        """A side's run with the fastest last epoch (all epochs done), at the
        given thread count when it has one."""
        ok = [r for r in runs if r["side"] == side and r["epochs"] and not r["error"]]
        ok = ok or [r for r in runs if r["side"] == side and r["epochs"]]
        ok = [r for r in ok if r["threads"] == threads] or ok
        return min(ok, key=lambda r: r["epochs"][-1]["seconds"], default=None)

    def beside(self, runs, rival):
        """The godl run just before a rival's run (same thread count, nearly
        the same load), or godl's fastest at that thread count."""
        i = runs.index(rival)
        if i > 0 and runs[i - 1]["side"] == "godl" and runs[i - 1]["epochs"]:
            return runs[i - 1]
        return self.best_run(runs, "godl", rival["threads"])

    def recipes(self):
        fm = self.res.get("fmnist", {})
        if not fm or "mlp" not in fm:
            return
        self.add("## Fashion-MNIST recipes on the real data", "",
                 "60000 training images in shuffled batches of 64 (reshuffled each epoch), Adam 1e-3, "
                 "cross-entropy, each side's default initialisation (PyTorch's scheme on both: "
                 "uniform ±1/√fan-in); the epoch time includes what a user's loop does (loading the "
                 "batches, `loss.item()` each step). godl: `data.FashionMNIST(\"\")` and `data.NewLoader`. "
                 "PyTorch: `nn.Sequential`, `DataLoader(TensorDataset(x, y), batch_size=64, "
                 "shuffle=True)`, at its faster thread count (1 or 2, from a short probe run of the same "
                 "recipe); godl runs at the same thread count (on a busy machine two threads get a larger "
                 "share of the CPUs than one, whatever the code). The runs alternate: "
                 + ", ".join(f"godl, {short(self.sides[k])}" for k in self.rivals)
                 + "; each PyTorch is compared with the godl run beside it. "
                 "Steady state = the last epoch; test accuracy on the 10000 test images.",
                 "")
        names = {"mlp": "MLP 784-256-ReLU-10", "cnn": "CNN conv(1→32,3,p1)-ReLU-pool2-conv(32→64,3,p1)-ReLU-pool2-"
                 "fc(3136→128)-ReLU-fc(128→10)"}
        for model in ("mlp", "cnn"):
            rec = fm.get(model)
            if not rec:
                continue
            n_ep = rec["epochs"]
            cut = f", epochs cut to {rec['batches']} batches" if rec["batches"] else ""
            self.add(f"### {names[model]} — {n_ep} epoch{'s' if n_ep > 1 else ''}{cut}", "")
            head = ["side", "threads"] + [f"epoch {i + 1}" for i in range(n_ep)] + ["test accuracy", "eval", "other CPU load"]
            rows = []
            for r in rec["runs"]:
                eps = [f"{e['seconds']:.2f} s" for e in r["epochs"]] + ["–"] * (n_ep - len(r["epochs"]))
                acc = f"{r['eval']['accuracy']:.4f}" if r.get("eval") else "–"
                ev = f"{r['eval']['seconds']:.2f} s" if r.get("eval") else "–"
                label = self.sides[r["side"]] + (f" — {r['error']}" if r["error"] and not r["eval"] else "")
                rows.append([label, r["threads"]] + eps + [acc, ev, f"{r['others_cpu']:.2f} CPU"])
            self.add(table(head, rows))
            for k, per in rec.get("probes", {}).items():
                if per:
                    self.add(f"- {self.sides[k]}: thread count from a probe of two {rec['probe_batches']}-batch "
                             "epochs (second epoch): " + ", ".join(f"{t} thread{'s' if int(t) > 1 else ''} {v:.2f} s"
                                                                   for t, v in per.items()) + ".")
            for k in self.rivals:
                t = self.best_run(rec["runs"], k)
                g = self.beside(rec["runs"], t) if t else None
                if not g or not t:
                    continue
                gs, ts = g["epochs"][-1]["seconds"], t["epochs"][-1]["seconds"]
                verdict = faster(1 / gs, 1 / ts, short(self.sides[k]))
                self.add(f"- steady-state epoch vs {self.sides[k]} (at {t['threads']} thread"
                         f"{'s' if t['threads'] > 1 else ''}; godl at {g['threads']}): godl {gs:.2f} s, {short(self.sides[k])} "
                         f"{ts:.2f} s — **{verdict}** (godl / PyTorch time {gs / ts:.2f}).")
                if k == "torch2":
                    limit = 0.8 if model == "mlp" else 1.0
                    self.target(f"{model.upper()} Fashion-MNIST steady epoch ≤ {limit}× PyTorch 2's time",
                                f"{gs / ts:.2f}×", gs / ts <= limit)
                self.bars_for(f"{model.upper()} epoch", k, ts / gs)
            self.add("")

    def bars_for(self, label, rival, ratio):
        for lab, vals in self.bars:
            if lab == label:
                vals[rival] = ratio
                return
        self.bars.append((label, {rival: ratio}))

    def memory(self):
        rec = self.res.get("fmnist", {}).get("cnn")
        if not rec:
            return
        asked = [r for r in rec["runs"] if r.get("whole_eval_asked")]
        if not asked:
            return
        self.add("## Memory (peak resident set)", "",
                 "Read from `/proc/self/status` (VmRSS, VmHWM; the peak is reset through "
                 "`/proc/self/clear_refs` before each phase). Training: the highest peak of the CNN "
                 + (f"training ({rec['batches']} batches)" if rec["batches"] else "epochs above") + "; eval: after training, the whole test set (10000×1×28×28) in one forward "
                 "under `dl.NoGrad` / `torch.no_grad()`, then `argmax`. godl runs under the notebook "
                 "worker's address-space cap (half the RAM, at most 8 GiB). \"base\" is the resident "
                 "size before the phase (data set and model loaded; PyTorch's includes its ~0.5 GB of "
                 "libraries).", "")
        rows, by = [], {}
        order = list(self.sides)
        for r in sorted(asked, key=lambda r: order.index(r["side"])):
            tr = max((e["peak_rss"] for e in r["epochs"]), default=0)
            base = r["epochs"][0]["base_rss"] if r["epochs"] else 0
            we = r.get("whole_eval")
            if we:
                ev = f"{gb(we['base_rss'])} → **{gb(we['peak_rss'])}** (+{gb(we['peak_rss'] - we['base_rss'])}), {we['seconds']:.1f} s"
            else:
                ev = f"failed: {r['error'] or 'no result'} (process peak {gb(r['maxrss'])})"
            rows.append([self.sides[r["side"]], f"{gb(base)} → **{gb(tr)}**" if tr else "–", ev])
            by[r["side"]] = (tr, we["peak_rss"] if we else None)
        self.add(table(["side", "CNN training epoch: base → peak", "whole-test-set eval: base → peak"], rows))
        g = by.get("godl")
        for k in self.rivals:
            t = by.get(k)
            if not g or not t:
                continue
            name = short(self.sides[k])
            if g[0] and t[0]:
                self.add(f"- training epoch peak vs {name}: **{smaller(g[0], t[0], name)}** "
                         f"(godl / PyTorch {g[0] / t[0]:.2f}).")
            if g[1] and t[1]:
                self.add(f"- whole-test-set eval peak vs {name}: **{smaller(g[1], t[1], name)}** "
                         f"(godl / PyTorch {g[1] / t[1]:.2f}).")
            else:
                self.add(f"- whole-test-set eval vs {name}: godl {'did not complete' if not g[1] else 'completed'}.")
            if k == "torch2":
                self.target("CNN training epoch peak RSS ≤ 1.2× PyTorch 2's",
                            f"{g[0] / t[0]:.2f}×" if g[0] and t[0] else "–", g[0] / t[0] <= 1.2 if g[0] and t[0] else None)
                self.target("whole-test-set CNN eval completes, peak ≤ PyTorch 2's",
                            f"{g[1] / t[1]:.2f}×" if g[1] and t[1] else "did not complete",
                            bool(g[1] and t[1] and g[1] <= t[1]))
            if g[0] and t[0]:
                self.bars_for("CNN training memory", k, t[0] / g[0])
            self.bars_for("CNN eval memory" + ("" if g[1] else " (godl failed)"), k,
                          (t[1] / g[1]) if g[1] and t[1] else None)
        self.add("")

    def steps(self):
        st = self.res.get("steps")
        if not st:
            return
        self.add("## Synthetic training steps", "",
                 f"One SGD step (zero grads, forward, loss, backward, update) on a fixed random batch; "
                 f"samples/s, best of {st['rounds']} round{'s' if st['rounds'] > 1 else ''} of ~{st['seconds']} s "
                 "per figure, the sides alternating. MLP 784-256-10 and the recipe's CNN with cross-entropy; "
                 "LSTM/GRU 32→64 over 50 steps with a Linear on the last step and MSE. Thread counts: "
                 "GOMAXPROCS for godl, `torch.set_num_threads` (+ OMP/MKL/OpenBLAS variables) for PyTorch. "
                 "Ratios: at PyTorch's best thread count (in brackets), godl at the same count. "
                 f"Other processes used {st['others_cpu']:.2f} CPU on average.", "")
        sps = {}
        for r in st["rows"]:
            sps[(r["side"], r["case"], r["threads"])] = r["samples_per_s"]
        cases = []
        for r in st["rows"]:
            if r["case"] not in cases:
                cases.append(r["case"])
        order = {"MLP": 0, "CNN": 1, "LSTM": 2, "GRU": 3, "LinearStep": 4}
        cases.sort(key=lambda c: (order.get(c.split("/")[0], 9), len(c), c))
        head = ["case", "godl 1 thr", "godl 2 thr", "godl 2/1"]
        for k in self.rivals:
            head += [f"{short(self.sides[k])} 1 thr", "2 thr", f"vs {short(self.sides[k])}"]
        rows = []
        for c in cases:
            g1, g2 = sps.get(("godl", c, 1)), sps.get(("godl", c, 2))
            fmt = (lambda v: f"{1e6 / v:.1f} µs") if c == "LinearStep" else (lambda v: f"{v:,.0f}")
            row = [c if c != "LinearStep" else "Linear(10,10) b1 step", fmt(g1) if g1 else "–", fmt(g2) if g2 else "–",
                   f"{g2 / g1:.2f}×" if g1 and g2 else "–"]
            for k in self.rivals:
                t1, t2 = sps.get((k, c, 1)), sps.get((k, c, 2))
                tb, tt = max(((t1 or 0), 1), ((t2 or 0), 2))
                gb_ = g1 if tt == 1 else g2  # godl at PyTorch's best thread count
                row += [fmt(t1) if t1 else "–", fmt(t2) if t2 else "–",
                        f"{faster(gb_, tb, short(self.sides[k]))} ({tt})" if tb and gb_ else "–"]
                if c != "LinearStep" and tb and gb_:
                    self.bars_for(f"step {c}", k, gb_ / tb)
                if k == "torch2" and tb and gb_:
                    base = c.split("/")[0]
                    want = {"MLP": 1.3, "CNN": 1.0, "LSTM": 1.2}.get(base)
                    if want:
                        self.target(f"{c} step ≥ {want}× PyTorch 2 (at its best thread count, {tt})", f"{gb_ / tb:.2f}×", gb_ / tb >= want)
            rows.append(row)
            if c == "CNN/b256" and g1 and g2:
                self.target("godl CNN b256 step, 2 threads / 1 thread ≥ 1.7×", f"{g2 / g1:.2f}×", g2 / g1 >= 1.7)
            if c == "LinearStep" and (g1 or g2):
                us = 1e6 / max(g1 or 0, g2 or 0)
                self.target("Linear(10,10) step ≤ 5 µs", f"{us:.1f} µs", us <= 5)
        self.add("samples/s (Linear(10,10): µs per step):", "", table(head, rows))

    def gemm(self):
        gm = self.res.get("gemm")
        if not gm:
            return
        best = {(r["impl"], r["n"], r["threads"]): r["gflops"] for r in gm["rows"]}
        impls = [i for i in ("godl", "gonum", "openblas", "mkl") if any(k[0] == i for k in best)]
        names = {"godl": "godl", "gonum": "gonum", "openblas": "OpenBLAS", "mkl": "MKL"}
        v = self.res["versions"].get("torch2", {})
        self.add("## SGEMM", "",
                 f"C = A·B, square float32, GFLOP/s, best of {gm['rounds']} rounds, sides alternating. "
                 f"gonum {self.res['machine'].get('gonum', '?')} (pure Go), OpenBLAS = numpy's ({gm.get('numpy_blas') or '?'}), "
                 f"MKL = `torch.mm` of PyTorch {v.get('torch', '?')} (MKL {v.get('mkl', '?')}). "
                 f"Other processes used {gm['others_cpu']:.2f} CPU on average.", "")
        sizes = sorted({k[1] for k in best})
        head = ["n", "threads"] + [names[i] for i in impls] + [f"vs {names[i]}" for i in impls if i != "godl"]
        rows = []
        mkl_min = {1: None, 2: None}
        for n in sizes:
            for t in (1, 2):
                g = best.get(("godl", n, t))
                row = [n, t] + [f"{best.get((i, n, t), 0):.1f}" for i in impls]
                row += [faster(g, best.get((i, n, t)), names[i]) for i in impls if i != "godl"]
                rows.append(row)
                mk = best.get(("mkl", n, t))
                if g and mk:
                    r = g / mk
                    mkl_min[t] = r if mkl_min[t] is None else min(mkl_min[t], r)
                    if n in (sizes[0], sizes[-1]) or n == 1024:
                        self.bars_for(f"SGEMM n={n} {t} thr (MKL)", "torch2", r)
        self.add(table(head, rows))
        for t, want in ((1, 1.0), (2, 0.95)):
            if mkl_min[t] is not None:
                self.target(f"SGEMM {t} thread{'s' if t > 1 else ''}, n = {sizes[0]}…{sizes[-1]}, ≥ {want}× MKL (worst n)",
                            f"{mkl_min[t]:.2f}×", mkl_min[t] >= want)

    def engine(self):
        lat, sk = self.res.get("latency"), self.res.get("soak")
        if not lat and not sk:
            return
        self.add("## Notebook cells", "")
        if lat:
            m = lat["metrics"]
            if lat.get("error"):
                self.add(f"Cell latency (`kernel/engine` BenchmarkCellLatency): failed — {lat['error']}", "")
            else:
                self.add("Cell latency (`kernel/engine` BenchmarkCellLatency: rewrite, type-check, plugin build, "
                         "load, run; a gonb-style rebuild-and-run of all cells for comparison):", "",
                         table(["figure", "time"], [[k.removesuffix("-s"), duration(v)] for k, v in m.items()]))
                self.add(*[f"    {ln}" for ln in lat["lines"][-3:]], "")
        if sk:
            if sk.get("error"):
                self.add(f"Cell soak (worker RSS per cell): {sk['error']}.", "")
            else:
                m = sk["metrics"]
                self.add(f"Cell soak (`kernel/engine` BenchmarkCellSoak, {sk['cells']} trivial cells in one worker):", "",
                         table(["figure", "value"], [[k, duration(v) if k.endswith("-s") else f"{v:.3f}"]
                                                     for k, v in m.items()]))
                self.add("```", *sk["lines"][-14:], "```", "")
                # The benchmark names its metrics after the engine it ran
                # ("shared-MB/cell"); the targets are the shared engine's.
                def metric(name):
                    return m.get("shared-" + name, m.get(name))
                per_cell, first, last, drift = (metric(k) for k in ("MB/cell", "p50-first-s", "p50-last-s", "drift-%"))
                if per_cell is not None:
                    self.target("worker RSS per trivial cell ≤ 0.5 MB", f"{per_cell:.3f} MB", per_cell <= 0.5)
                if first and last:
                    d = last / first - 1
                    self.target(f"warm-cell p50 drift, last 100 of {sk['cells']} cells vs first 100, ≤ +5 %",
                                f"{100 * d:+.1f} %", d <= 0.05)
                if drift is not None:
                    self.target(f"warm-cell p50 drift, cells {sk['cells'] + 1}–{sk['cells'] + 100} vs a fresh "
                                "worker's, alternating, ≤ +5 %", f"{drift:+.1f} %", drift <= 5)

    def render(self, chart):
        self.header(chart)
        body_start = len(self.md)
        self.recipes()
        self.memory()
        self.steps()
        self.gemm()
        self.engine()
        body = self.md[body_start:]
        self.md = self.md[:body_start]
        if self.targets:
            self.add("## Targets", "", "The goals set for this release, against PyTorch 2 on this machine:", "",
                     table(["target", "measured", "met"], self.targets))
        self.md += body
        self.add("## How it is measured", "",
                 "- One script (`bench/run.py`) runs every section, alternating the sides: godl, a PyTorch, "
                 "godl, the next PyTorch for the recipes; the steps and SGEMM in rounds, each round godl "
                 "then the rivals.",
                 "- The same recipes on both sides: same layers and initialisation scheme, same optimizer, "
                 "batch size and data order policy (shuffled each epoch), float32, eval on the 10k test set.",
                 "- The PyTorch sides run with `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` unset, their thread "
                 "pools sized by `OMP_NUM_THREADS`/`MKL_NUM_THREADS`/`OPENBLAS_NUM_THREADS` and "
                 "`torch.set_num_threads`.",
                 "- \"other CPU load\" is the CPU time other processes took during a run (from /proc/stat): "
                 "on a 2-core machine anything above ~0.1 distorts the figures, two-thread ones most.",
                 "- The raw figures of this run are in `.bench/results.json` (not committed).", "")
        return "\n".join(self.md)


def render(results, chart):
    """Returns BENCHMARKS.md's text and the chart's data."""
    r = Report(results)
    md = r.render(chart)
    series = [{"key": k, "label": "vs " + short(r.sides[k])} for k in r.rivals]
    rows = [{"label": lab, "values": [vals.get(s["key"]) for s in series]} for lab, vals in r.bars]
    return md, {"title": "godl speed ÷ PyTorch speed (above 1: godl faster; memory: PyTorch peak ÷ godl peak)",
                "series": series, "rows": rows}
