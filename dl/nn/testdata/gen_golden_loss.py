#!/usr/bin/python3
"""Writes golden_loss.json: PyTorch 1.13's classification and binary losses
with their options (weight, ignore_index, label_smoothing, reduction) and
their combinations, values and gradients, for loss_golden_test.go.
`make golden` runs it; the file's format is internal/golden/goldenfile.py's.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("1.13")
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(77)


def short(t):
    return torch.tensor((t.double() * 1e4).round().div(1e4).tolist(), dtype=torch.float32).reshape(t.shape)


def case(name, loss, x, target, **opts):
    """opts: weight, ignore_index, label_smoothing, reduction."""
    xs = x.clone().requires_grad_(True)
    soft = target.dtype == torch.float32 and loss != "nll_float_labels"
    ts = target.clone().requires_grad_(True) if soft and loss in ("cross_entropy", "bce", "bce_logits") else target
    kw = dict(opts)
    fn = {
        "cross_entropy": F.cross_entropy,
        "nll": F.nll_loss,
        "bce": F.binary_cross_entropy,
        "bce_logits": F.binary_cross_entropy_with_logits,
    }[loss]
    c = {"name": name, "loss": loss, "input": golden.tensor(x), "target": golden.tensor(target)}
    if "weight" in kw:
        c["weight"] = golden.tensor(kw["weight"])
    if "ignore_index" in kw:
        c["ignore_index"] = kw["ignore_index"]
    if "label_smoothing" in kw:
        c["label_smoothing"] = kw["label_smoothing"]
    c["reduction"] = kw.get("reduction", "mean")
    try:
        out = fn(xs, ts, **kw)
    except (RuntimeError, IndexError, ValueError) as e:
        c["error"] = str(e).split("\n")[0]
        return c
    u = torch.randn(out.shape)
    (out * u).sum().backward()
    c.update(out=golden.tensor(out), upstream=golden.tensor(u), grad=golden.tensor(xs.grad))
    if ts is not target and ts.grad is not None:
        c["target_grad"] = golden.tensor(ts.grad)
    return c


def main():
    z = short(torch.randn(6, 4))
    y = torch.tensor([0, 3, -100, 1, 1, 2])
    w = short(torch.rand(4) + 0.2)
    probs = short(torch.softmax(torch.randn(6, 4), 1))
    z4 = short(torch.randn(2, 4, 3, 2))
    y4 = torch.randint(0, 4, (2, 3, 2))
    y4[0, 1, 1] = -100
    cases = []
    for red in ("mean", "sum", "none"):
        cases += [
            case("ce_" + red, "cross_entropy", z, y, reduction=red),
            case("ce_weight_" + red, "cross_entropy", z, y, weight=w, reduction=red),
            case("ce_ignore1_" + red, "cross_entropy", z, torch.tensor([0, 3, 1, 1, 2, 1]), ignore_index=1, reduction=red),
            case("ce_smooth_" + red, "cross_entropy", z, y, label_smoothing=0.1, reduction=red),
            case("ce_weight_smooth_" + red, "cross_entropy", z, y, weight=w, label_smoothing=0.2, reduction=red),
            case("ce_all_" + red, "cross_entropy", z, torch.tensor([2, 3, 0, 0, 1, 2]), weight=w, ignore_index=0,
                 label_smoothing=0.3, reduction=red),
            case("ce_soft_" + red, "cross_entropy", z, probs, reduction=red),
            case("ce_soft_weight_smooth_" + red, "cross_entropy", z, probs, weight=w, label_smoothing=0.15, reduction=red),
            case("ce_kdim_" + red, "cross_entropy", z4, y4, weight=w, label_smoothing=0.1, reduction=red),
            case("nll_weight_" + red, "nll", torch.log_softmax(z, 1), y, weight=w, reduction=red),
            case("nll_kdim_" + red, "nll", torch.log_softmax(z4, 1), y4, reduction=red),
        ]
    cases += [
        case("ce_unbatched", "cross_entropy", z[0], torch.tensor(2)),
        case("ce_unbatched_smooth", "cross_entropy", z[0], torch.tensor(1), weight=w, label_smoothing=0.2),
        case("ce_all_ignored", "cross_entropy", z, torch.full((6,), -100)),
        case("ce_out_of_bounds", "cross_entropy", z, torch.tensor([0, 4, 1, 1, 2, 2])),
        case("ce_soft_ignore", "cross_entropy", z, probs, ignore_index=1),
        case("ce_bad_weight", "cross_entropy", z, y, weight=torch.ones(3)),
        case("ce_bad_smoothing", "cross_entropy", z, y, label_smoothing=1.5),
        case("nll_ignore2", "nll", torch.log_softmax(z, 1), torch.tensor([0, 2, 2, 1, 3, 2]), ignore_index=2),
        case("bce_weight", "bce", torch.sigmoid(z), short(torch.rand(6, 4)), weight=short(torch.rand(4))),
        case("bce_logits_weight_sum", "bce_logits", z, short(torch.rand(6, 4)), weight=short(torch.rand(6, 1)),
             reduction="sum"),
    ]
    golden.write(__file__, "golden_loss.json", {"cases": cases})


if __name__ == "__main__":
    main()
