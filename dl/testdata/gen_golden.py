#!/usr/bin/python3
"""Writes golden.json: PyTorch 1.13's outputs and gradients for dl's tests
(golden_test.go). `make golden` runs it, as every generator, with Debian's
python3-torch; the file's format is internal/golden/goldenfile.py's.

Every case has fixed inputs, the op's output, an upstream gradient u and the
gradients of sum(out * u) with respect to each input. The Go tests look each
case up by name in their op table (optable_test.go), so a name here must
have an entry there. String cases hold torch's printed form.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("1.13")
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(1234)


def short(t):
    """Rounds inputs to 4 decimals: the file stays small, and Go and torch
    both turn the decimal into the same float32 through float64."""
    return torch.tensor((t.double() * 1e4).round().div(1e4).tolist(), dtype=torch.float32).reshape(t.shape)


def away(t, points=(0.0,), gap=0.03):
    """Moves values out of a small gap around each kink (ReLU, Abs at 0,
    Clamp's bounds), so that the finite-difference check of these inputs
    never straddles one."""
    for p in points:
        d = t - p
        t = torch.where(d.abs() < gap, p + torch.sign(d + 1e-12) * gap + d, t)
    return t


def randn(*shape):
    return short(away(torch.randn(shape, dtype=torch.float32)))


def pos(*shape):
    """Positive inputs away from zero (log, sqrt, divisors)."""
    return short(torch.rand(shape) * 2 + 0.5)


# name -> (inputs, fn). Inputs that need no gradient are passed as
# ("const", tensor).
CASES = {
    # elementwise with broadcasting
    "add": ([randn(3, 4), randn(3, 4)], lambda a, b: a + b),
    "add_row": ([randn(3, 4), randn(4)], lambda a, b: a + b),
    "add_col": ([randn(3, 4), randn(3, 1)], lambda a, b: a + b),
    "add_3d": ([randn(2, 1, 4), randn(3, 1)], lambda a, b: a + b),
    "add_scalar_tensor": ([randn(2, 3), randn(1)], lambda a, b: a + b),
    "add_transposed": ([randn(4, 3), randn(3, 4)], lambda a, b: a.t() + b),
    "sub_bcast": ([randn(2, 3, 4), randn(3, 1)], lambda a, b: a - b),
    "mul": ([randn(5, 6), randn(5, 6)], lambda a, b: a * b),
    "mul_bcast": ([randn(2, 3, 4), randn(4)], lambda a, b: a * b),
    "mul_bcast_mid": ([randn(2, 3, 4), randn(2, 1, 4)], lambda a, b: a * b),
    "div": ([randn(3, 4), pos(3, 4)], lambda a, b: a / b),
    "div_bcast": ([randn(3, 4), pos(3, 1)], lambda a, b: a / b),
    "add_scalar": ([randn(3, 4)], lambda a: a + 1.5),
    "mul_scalar": ([randn(3, 4)], lambda a: a * -2.5),
    "div_scalar": ([randn(3, 4)], lambda a: a / 3.0),
    "neg": ([randn(3, 4)], lambda a: -a),
    "pow2": ([randn(3, 4)], lambda a: a.pow(2)),
    "pow3": ([randn(3, 4)], lambda a: a.pow(3)),
    "pow_half": ([pos(3, 4)], lambda a: a.pow(0.5)),
    "exp": ([randn(3, 4)], torch.exp),
    "log": ([pos(3, 4)], torch.log),
    "sqrt": ([pos(3, 4)], torch.sqrt),
    "abs": ([randn(3, 4)], torch.abs),
    "sin": ([randn(3, 4)], torch.sin),
    "cos": ([randn(3, 4)], torch.cos),
    "clamp": ([short(away(torch.randn(4, 5), (0.0, -0.5, 0.7)))], lambda a: a.clamp(-0.5, 0.7)),
    "maximum": ([randn(3, 4), randn(4)], torch.maximum),
    "minimum": ([randn(3, 4), randn(3, 1)], torch.minimum),
    # activations
    "sigmoid": ([randn(4, 5) * 3], torch.sigmoid),
    "tanh": ([randn(4, 5) * 2], torch.tanh),
    "relu": ([randn(4, 5)], torch.relu),
    "leaky_relu": ([randn(4, 5)], lambda a: F.leaky_relu(a, 0.1)),
    "gelu": ([randn(4, 5) * 2], F.gelu),
    "silu": ([randn(4, 5) * 2], F.silu),
    "elu": ([randn(4, 5) * 2], lambda a: F.elu(a, 1.0)),
    "softplus": ([randn(4, 5) * 3], F.softplus),
    "softmax_last": ([randn(4, 7)], lambda a: torch.softmax(a, -1)),
    "softmax_dim0_3d": ([randn(3, 4, 5)], lambda a: torch.softmax(a, 0)),
    "softmax_large": ([randn(3, 6) * 100], lambda a: torch.softmax(a, 1)),
    "log_softmax_last": ([randn(4, 7)], lambda a: torch.log_softmax(a, -1)),
    "log_softmax_dim1_3d": ([randn(2, 4, 5)], lambda a: torch.log_softmax(a, 1)),
    "log_softmax_large": ([randn(3, 6) * 100], lambda a: torch.log_softmax(a, 1)),
    # reductions
    "sum_all": ([randn(4, 5)], lambda a: a.sum()),
    "sum_dim0": ([randn(4, 5)], lambda a: a.sum(0)),
    "sum_dim1": ([randn(4, 5)], lambda a: a.sum(1)),
    "sum_dims02": ([randn(3, 4, 5)], lambda a: a.sum((0, 2))),
    "sum_dims023": ([randn(2, 3, 4, 5)], lambda a: a.sum((0, 2, 3))),
    "sum_keep": ([randn(3, 4, 5)], lambda a: a.sum(1, keepdim=True)),
    "sum_big": ([randn(150, 37)], lambda a: a.sum(0)),
    "mean_all": ([randn(4, 5)], lambda a: a.mean()),
    "mean_dim1": ([randn(4, 5)], lambda a: a.mean(1)),
    "mean_keep": ([randn(3, 4, 5)], lambda a: a.mean((0, 2), keepdim=True)),
    "var_dim1": ([randn(4, 6)], lambda a: a.var(1)),
    "max_dim1": ([randn(4, 5)], lambda a: a.max(1).values),
    "max_dim0_keep": ([randn(4, 5)], lambda a: a.max(0, keepdim=True).values),
    "max_all": ([randn(4, 5)], lambda a: a.max()),
    "min_dim1": ([randn(4, 5)], lambda a: a.min(1).values),
    "argmax_dim1": ([randn(4, 5)], lambda a: a.argmax(1).float()),
    "argmax_all": ([randn(4, 5)], lambda a: a.argmax().float()),
    # shape ops
    "reshape": ([randn(3, 4)], lambda a: a.reshape(2, 6) * torch.arange(12.0).reshape(2, 6)),
    "reshape_infer": ([randn(2, 3, 4)], lambda a: a.reshape(-1, 4)),
    "transpose_reshape": ([randn(3, 4)], lambda a: a.t().reshape(12)),
    "permute": ([randn(2, 3, 4)], lambda a: a.permute(2, 0, 1)),
    "transpose": ([randn(2, 3, 4)], lambda a: a.transpose(0, 2)),
    "select": ([randn(3, 4, 5)], lambda a: a.select(1, 2)),
    "select_neg": ([randn(3, 4)], lambda a: a.select(0, -1)),
    "narrow": ([randn(4, 6)], lambda a: a.narrow(1, 1, 3)),
    "squeeze": ([randn(3, 1, 4, 1)], lambda a: a.squeeze()),
    "squeeze_dim": ([randn(3, 1, 4, 1)], lambda a: a.squeeze(1)),
    "unsqueeze": ([randn(3, 4)], lambda a: a.unsqueeze(1)),
    "flatten": ([randn(2, 3, 4)], lambda a: a.flatten(1)),
    "expand": ([randn(3, 1)], lambda a: a.expand(2, 3, 4)),
    "cat0": ([randn(2, 3), randn(4, 3)], lambda a, b: torch.cat([a, b], 0)),
    "cat1": ([randn(2, 3), randn(2, 5)], lambda a, b: torch.cat([a, b], 1)),
    "stack": ([randn(2, 3), randn(2, 3), randn(2, 3)], lambda a, b, c: torch.stack([a, b, c], 1)),
    "index_select": ([randn(5, 3)], lambda a: a.index_select(0, torch.tensor([4, 0, 4, 2]))),
    "index_select_dim1": ([randn(2, 5, 3)], lambda a: a.index_select(1, torch.tensor([1, 1, 3]))),
    "contiguous_of_view": ([randn(4, 5)], lambda a: a.t()[1:4].contiguous() * 2),
    # matmul
    "matmul_2d": ([randn(5, 7), randn(7, 3)], torch.matmul),
    "matmul_tA": ([randn(7, 5), randn(7, 3)], lambda a, b: a.t() @ b),
    "matmul_tB": ([randn(5, 7), randn(3, 7)], lambda a, b: a @ b.t()),
    "matmul_tAB": ([randn(7, 5), randn(3, 7)], lambda a, b: a.t() @ b.t()),
    "matmul_big": ([randn(33, 65), randn(65, 17)], torch.matmul),
    "matmul_batched": ([randn(3, 4, 5), randn(3, 5, 2)], torch.matmul),
    "matmul_batch_bcast": ([randn(2, 3, 4, 5), randn(3, 5, 2)], torch.matmul),
    "matmul_3d_2d": ([randn(3, 4, 5), randn(5, 2)], torch.matmul),
    "matmul_2d_3d": ([randn(4, 5), randn(3, 5, 2)], torch.matmul),
    "matmul_vec_mat": ([randn(5), randn(5, 3)], torch.matmul),
    "matmul_mat_vec": ([randn(4, 5), randn(5)], torch.matmul),
    "matmul_dot": ([randn(6), randn(6)], torch.matmul),
    "matmul_empty_k": ([randn(2, 0), randn(0, 3)], torch.matmul),
    "matmul_narrow": ([randn(6, 8), randn(5, 3)], lambda a, b: a[1:5, 2:7] @ b),
    # non-contiguous inputs, odd broadcasts, 0-d and empty tensors
    "outer_bcast": ([randn(3, 1), randn(1, 4)], lambda a, b: a * b),
    "scalar_0d": ([randn(), randn(2, 3)], lambda a, b: a * b + a),
    "exp_of_transposed": ([randn(3, 4)], lambda a: torch.exp(a.t())),
    "sigmoid_of_permuted": ([randn(2, 3, 4)], lambda a: torch.sigmoid(a.permute(1, 2, 0))),
    "sum_of_permuted": ([randn(2, 3, 4)], lambda a: a.permute(2, 0, 1).sum((1, 2))),
    "softmax_of_transposed": ([randn(4, 5)], lambda a: torch.softmax(a.t(), 1)),
    "max_of_transposed": ([randn(4, 5)], lambda a: a.t().max(1).values),
    "mul_expanded": ([randn(3, 1), randn(2, 3, 4)], lambda a, b: a.expand(3, 4) * b),
    "cat_views": ([randn(4, 3), randn(3, 5)], lambda a, b: torch.cat([a.t(), b.narrow(1, 1, 2)], 1)),
    "stack0": ([randn(2, 3), randn(2, 3)], lambda a, b: torch.stack([a, b], 0)),
    "squeeze_noop": ([randn(3, 4)], lambda a: a.squeeze(0)),
    "unsqueeze_neg": ([randn(3, 4)], lambda a: a.unsqueeze(-1)),
    "flatten_mid": ([randn(2, 3, 4, 5)], lambda a: a.flatten(1, 2)),
    "min_all": ([randn(4, 5)], lambda a: a.min()),
    "var_all": ([randn(4, 5)], lambda a: a.var()),
    "div_scalar_tensor": ([randn(3, 4), pos(1)], lambda a, b: a / b),
    "select_matmul": ([randn(3, 4, 5), randn(5, 2)], lambda a, b: a.select(0, 1) @ b),
    "chain_200": ([randn(4)], lambda a: chain(a)),
    "reused_weight": ([randn(3, 3), randn(2, 3)], lambda w, h: rnn(w, h)),
    "empty_sum": ([randn(0, 3)], lambda a: a.sum(0)),
    "where": ([randn(3, 4), randn(4)], lambda a, b: torch.where(torch.arange(12.0).reshape(3, 4) % 3 == 0, a, b)),
    "std_dim0": ([randn(5, 3)], lambda a: a.std(0)),
    # constructors (no inputs)
    "arange": ([], lambda: torch.arange(0, 10, 1.0)),
    "arange_frac": ([], lambda: torch.arange(-1, 1, 0.3)),
    "linspace": ([], lambda: torch.linspace(-5, 5, 100)),
    "linspace_odd": ([], lambda: torch.linspace(0.1, 2.7, 7)),
    # composites: a layer, shared inputs, a loss
    "linear_relu": ([randn(4, 6), randn(3, 6), randn(3)], lambda x, w, b: torch.relu(x @ w.t() + b)),
    "shared_input": ([randn(3, 4)], lambda a: a * a + torch.sigmoid(a) * a),
    "cross_entropy": ([randn(5, 4)], lambda z: -torch.log_softmax(z, 1)[torch.arange(5), torch.tensor([0, 3, 1, 1, 2])].mean()),
}


def chain(a):
    """A long chain of ops, for the topological walk."""
    for i in range(200):
        a = torch.tanh(a * 1.01 + 0.01 * i)
    return a


def rnn(w, h):
    """One weight used at every step, as in a recurrent net."""
    for _ in range(5):
        h = torch.tanh(h @ w)
    return h


def case(name, inputs, fn):
    ins = [x.clone().requires_grad_(True) for x in inputs]
    out = fn(*ins)
    u = torch.randn(out.shape)
    grads = [None] * len(ins)
    if out.requires_grad:
        (out * u).sum().backward()
        grads = [None if x.grad is None else golden.tensor(x.grad) for x in ins]
    return {
        "name": name,
        "inputs": [golden.tensor(x) for x in inputs],
        "out": golden.tensor(out.detach()),
        "upstream": golden.tensor(u),
        "grads": grads,
    }


def summarized_repr(t):
    """torch's repr plus the size suffix dl adds to a summarised tensor."""
    s = torch._tensor_str._tensor_str(t, len("tensor("))
    return torch._tensor_str._add_suffixes(
        "tensor(" + s, ["size=" + str(tuple(t.shape))], len("tensor("), False
    )


def strings():
    torch.manual_seed(99)
    cases = {
        "small": randn(2, 3),
        "vector": randn(5),
        "scalar": torch.tensor(3.25),
        "ints": torch.tensor([[1.0, -2.0, 30.0], [4.0, 0.0, 6.0]]),
        "sci": torch.tensor([1e-5, 1.0, -250.0]),
        "big_ints": torch.tensor([1.0, 2e9]),
        "three_d": randn(2, 3, 4),
        "wrap": randn(30),
        "zeros": torch.zeros(2, 2),
        "nonfinite": torch.tensor([1.5, float("nan"), float("inf"), -float("inf")]),
        "empty": torch.zeros(0),
        "empty_2d": torch.zeros(0, 3),
        "wide_2d": randn(3, 30),
        "wide_3d": randn(2, 2, 20) * 1000,
        "neg_zero": torch.tensor([-0.0, 1.0, 2.0]),
        "tiny": torch.tensor([1e-5, 2e-5]),
        "one_elem": torch.tensor([0.5]),
        "four_d": randn(2, 2, 2, 3),
        "wide_ints": torch.arange(0.0, 40.0),
        "mixed_sign_wrap": randn(17) * 100,
        "big": torch.tensor([1e9, -3.0, 0.5]),
        "elided_ints": torch.arange(0.0, 1200.0).reshape(30, 40),
        "elided_sci": torch.linspace(1e-6, 1.0, 1500),
        "elided_1d": randn(2000),
        "elided_2d": randn(40, 40),
        "elided_3d": randn(12, 10, 10),
    }
    out = []
    for name, t in cases.items():
        expect = summarized_repr(t) if t.numel() > 1000 else repr(t)
        out.append({"name": name, "tensor": golden.tensor(t), "expect": expect})
    leaf = randn(2, 2).requires_grad_(True)
    out.append({"name": "requires_grad", "tensor": golden.tensor(leaf), "requires_grad": True, "expect": repr(leaf)})
    return out


def main():
    golden.write(__file__, "golden.json", {
        "ops": [case(n, ins, fn) for n, (ins, fn) in CASES.items()],
        "strings": strings(),
    })


if __name__ == "__main__":
    main()
