#!/usr/bin/python3
"""Writes golden.json: PyTorch 1.13's parameter values after optimizer steps
and its learning rates over 50 scheduler steps, for one parameter group and
for two groups with their own hyper-parameters (golden_test.go). `make
golden` runs it; the file's format is internal/golden/goldenfile.py's.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("1.13")
from torch.optim import lr_scheduler as S  # noqa: E402

torch.manual_seed(0)
W0 = torch.randn(3, 4)
GRADS = [torch.randn(3, 4) for _ in range(3)]
# A second parameter, for the two-group cases (drawn after the others so
# that those stay as they were).
B0 = torch.randn(5)
BGRADS = [torch.randn(5) for _ in range(3)]

OPTIMIZERS = [
    ("sgd", torch.optim.SGD, dict(lr=0.1)),
    ("sgd_momentum", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov_wd", torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("sgd_dampening", torch.optim.SGD, dict(lr=0.1, momentum=0.8, dampening=0.3)),
    ("adam", torch.optim.Adam, dict(lr=1e-3)),
    ("adam_wd", torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-4)),
    ("adam_amsgrad", torch.optim.Adam, dict(lr=1e-2, amsgrad=True)),
    ("adamw", torch.optim.AdamW, dict(lr=1e-2)),
    ("adamw_wd", torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1, eps=1e-6)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=1e-2)),
    ("rmsprop_all", torch.optim.RMSprop, dict(lr=1e-2, alpha=0.9, momentum=0.5, centered=True, weight_decay=1e-3)),
]

SCHEDULERS = [
    ("step", lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    ("multistep", lambda o: S.MultiStepLR(o, milestones=[5, 20, 20, 33], gamma=0.3)),
    ("exponential", lambda o: S.ExponentialLR(o, gamma=0.95)),
    ("cosine", lambda o: S.CosineAnnealingLR(o, T_max=20)),
    ("cosine_etamin", lambda o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.01)),
    ("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10)),
]

# A metric that falls, stalls, wiggles and falls again, for ReduceLROnPlateau.
METRIC = [1.0 / (1 + i) if i < 10 else (0.09 + 0.001 * (i % 3) if i < 35 else 0.05 - 0.001 * i) for i in range(50)]
PLATEAUS = [
    ("plateau", dict(mode="min", factor=0.1, patience=10)),
    ("plateau_cooldown", dict(mode="min", factor=0.5, patience=3, cooldown=2, min_lr=0.004, threshold=0.01)),
    ("plateau_max_abs", dict(mode="max", factor=0.5, patience=2, threshold_mode="abs", threshold=0.001)),
]

out = {"w0": golden.f32s(W0), "shape": list(W0.shape), "grads": [golden.f32s(g) for g in GRADS],
       "optimizers": {}, "schedulers": {}, "metric": METRIC}
for name, cls, kw in OPTIMIZERS:
    w = W0.clone().requires_grad_()
    opt = cls([w], **kw)
    steps = []
    for g in GRADS:
        w.grad = g.clone()
        opt.step()
        steps.append(golden.f32s(w))
    out["optimizers"][name] = {"kwargs": kw, "steps": steps}
for name, make in SCHEDULERS:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = make(opt)
    lrs = []
    for _ in range(50):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr()[0])
    out["schedulers"][name] = lrs
for name, kw in PLATEAUS:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = S.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for m in METRIC:
        opt.step()
        s.step(-m if kw.get("mode") == "max" else m)
        lrs.append(opt.param_groups[0]["lr"])
    out["schedulers"][name] = lrs

# Two groups: w in group 0, b in group 1, each with some options of its own
# over the constructor's. "+steplr" also halves both groups' rates after
# every step, so the updates see per-group rates that a scheduler changed.
GROUP_OPTIMIZERS = [
    ("sgd_groups", torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), dict(dampening=0.2),
     dict(lr=0.1, momentum=0.5)),
    ("adam_groups", torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99)), dict(weight_decay=1e-2, amsgrad=True),
     dict(lr=1e-3)),
    ("adamw_groups", torch.optim.AdamW, dict(), dict(lr=5e-3, weight_decay=0.1), dict(lr=1e-2)),
    ("rmsprop_groups", torch.optim.RMSprop, dict(centered=True, momentum=0.5), dict(alpha=0.9, eps=1e-6),
     dict(lr=1e-2)),
    ("adam_groups+steplr", torch.optim.Adam, dict(lr=1e-2), dict(), dict(lr=1e-3)),
]
out["b0"] = golden.f32s(B0)
out["bgrads"] = [golden.f32s(g) for g in BGRADS]
out["group_optimizers"] = {}
for name, cls, kw0, kw1, kw in GROUP_OPTIMIZERS:
    w, b = W0.clone().requires_grad_(), B0.clone().requires_grad_()
    opt = cls([dict(params=[w], **kw0), dict(params=[b], **kw1)], **kw)
    sched = S.StepLR(opt, step_size=1, gamma=0.5) if name.endswith("+steplr") else None
    steps = []
    for g, bg in zip(GRADS, BGRADS):
        w.grad, b.grad = g.clone(), bg.clone()
        opt.step()
        if sched:
            sched.step()
        steps.append(golden.f32s(w) + golden.f32s(b))
    out["group_optimizers"][name] = {"steps": steps}

# Schedulers over two groups whose rates differ (0.1 and 0.02).
out["group_schedulers"] = {}
for name, make in SCHEDULERS:
    opt = torch.optim.SGD([dict(params=[torch.zeros(1, requires_grad=True)]),
                           dict(params=[torch.zeros(1, requires_grad=True)], lr=0.02)], lr=0.1)
    s = make(opt)
    lrs = []
    for _ in range(50):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr())
    out["group_schedulers"][name] = lrs
for name, kw in PLATEAUS:
    opt = torch.optim.SGD([dict(params=[torch.zeros(1, requires_grad=True)]),
                           dict(params=[torch.zeros(1, requires_grad=True)], lr=0.02)], lr=0.1)
    s = S.ReduceLROnPlateau(opt, **kw)
    lrs = []
    for m in METRIC:
        opt.step()
        s.step(-m if kw.get("mode") == "max" else m)
        lrs.append([g["lr"] for g in opt.param_groups])
    out["group_schedulers"][name] = lrs
golden.write(__file__, "golden.json", out)
