#!/usr/bin/python3
"""Writes repr.json: the text PyTorch 2 prints for optimizers (their
__repr__) in the cases repr_test.go builds. Needs PyTorch 2 (its repr lists
keys that 1.13's does not, such as foreach and fused): `make golden
TORCH2_PYTHON=python` runs it with that Python; the file's format is
internal/golden/goldenfile.py's.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("2")
from torch.optim import lr_scheduler as S  # noqa: E402


def p(*shape):
    return torch.zeros(*shape, requires_grad=True)


def stepped(opt, sched, n):
    for _ in range(n):
        opt.step()
        sched.step()
    return opt


CASES = {
    "sgd": lambda: torch.optim.SGD([p(2)]),
    "sgd_momentum": lambda: torch.optim.SGD([p(2)], lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "sgd_dampening": lambda: torch.optim.SGD([p(2)], lr=1.0, momentum=0.5, dampening=0.25),
    "adam": lambda: torch.optim.Adam([p(2)]),
    "adam_amsgrad": lambda: torch.optim.Adam([p(2)], lr=3e-4, betas=(0.8, 0.99), eps=1e-6, amsgrad=True),
    "adamw": lambda: torch.optim.AdamW([p(2)]),
    "adam_groups": lambda: torch.optim.Adam([dict(params=[p(2)], lr=1e-2), dict(params=[p(3)])], lr=1e-3,
                                            weight_decay=1e-4),
    "rmsprop": lambda: torch.optim.RMSprop([p(2)]),
    "rmsprop_all": lambda: torch.optim.RMSprop([p(2)], lr=1e-3, alpha=0.9, eps=1e-5, momentum=0.9, centered=True,
                                               weight_decay=0.5),
    "sgd_steplr": lambda: (lambda o: stepped(o, S.StepLR(o, step_size=1, gamma=0.1), 2))(
        torch.optim.SGD([p(2)], lr=0.1, momentum=0.9)),
    "adam_tiny_lr": lambda: torch.optim.Adam([p(2)], lr=1e-5, eps=1e-10),
    "sgd_big_lr": lambda: torch.optim.SGD([p(2)], lr=1e16),
}
golden.write(__file__, "repr.json", {name: repr(make()) for name, make in CASES.items()})
