#!/usr/bin/python3
"""Writes golden_api.json: PyTorch 1.13's answers for dl's dtypes, indexing,
comparisons, From and printing of integer and bool tensors. `make golden`
runs it; the file's format is internal/golden/goldenfile.py's.

Every case is data, not code, so that the Go test (api_golden_test.go)
rebuilds the same computation from it: an op name with operands, or an
index expression spelled as a list of items. The Go side keeps a table from
op names to dl calls; a name here needs an entry there.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "golden"))
import goldenfile as golden  # noqa: E402

torch = golden.require_torch("1.13")

torch.manual_seed(4321)


def short(t):
    return torch.tensor((t.double() * 1e4).round().div(1e4).tolist(), dtype=torch.float32).reshape(t.shape)


def f(*shape):
    return short(torch.randn(shape))


def i(*shape, lo=-5, hi=6):
    return torch.randint(lo, hi, shape)


def b(*shape):
    return torch.rand(shape) > 0.5


# Operand spec: a tensor, or a Python number (a scalar operand, which the Go
# side passes as a float32 argument or an any for comparisons).
def operand(x):
    if isinstance(x, torch.Tensor):
        return {"tensor": golden.tensor(x)}
    if isinstance(x, bool):
        return {"bool": x}
    return {"number": x}


def op_case(name, fn, *args):
    """Runs fn on the operands; an exception is recorded as an error."""
    c = {"name": name, "args": [operand(a) for a in args]}
    try:
        c["out"] = golden.tensor(fn(*args))
    except RuntimeError as e:
        c["error"] = str(e).split("\n")[0]
    return c


def op_cases():
    fi, ii, bi = f(3, 4), i(3, 4), b(3, 4)
    row_i, row_f, row_b = i(4), f(4), b(4)
    col_i = i(3, 1)
    cs = []
    for name, fn in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div),
                     ("maximum", torch.maximum), ("minimum", torch.minimum)]:
        cs += [
            op_case(name + "_ii", fn, ii, row_i),
            op_case(name + "_if", fn, ii, row_f),
            op_case(name + "_fi", fn, fi, col_i),
            op_case(name + "_bi", fn, bi, row_i),
            op_case(name + "_bb", fn, bi, row_b),
            op_case(name + "_bf", fn, bi, fi),
        ]
    for name, fn in [("eq", torch.eq), ("ne", torch.ne), ("lt", torch.lt), ("gt", torch.gt),
                     ("le", torch.le), ("ge", torch.ge)]:
        cs += [
            op_case(name + "_ff", fn, fi, f(4)),
            op_case(name + "_ii", fn, ii, row_i),
            op_case(name + "_if", fn, ii.float() * 0.5, ii),
            op_case(name + "_bb", fn, bi, row_b),
            op_case(name + "_scalar_int", fn, ii, 1),
            op_case(name + "_scalar_float", fn, fi, 0.25),
        ]
    cs += [
        op_case("eq_nan", torch.eq, torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])),
        op_case("ne_nan", torch.ne, torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])),
        op_case("add_scalar_int", lambda x, s: x + s, ii, 3),
        op_case("add_scalar_float", lambda x, s: x + s, ii, 1.5),
        op_case("add_scalar_bool", lambda x, s: x + s, bi, 2),
        op_case("mul_scalar_int", lambda x, s: x * s, ii, -2),
        op_case("mul_scalar_float", lambda x, s: x * s, ii, 0.5),
        op_case("mul_scalar_bool", lambda x, s: x * s, bi, 3),
        op_case("div_scalar_int", lambda x, s: x / s, ii, 2),
        op_case("sub_scalar_bool", lambda x, s: x - s, bi, 1),
        op_case("neg_i", torch.neg, ii),
        op_case("neg_b", torch.neg, bi),
        op_case("abs_i", torch.abs, ii),
        op_case("abs_b", torch.abs, bi),
        op_case("relu_i", torch.relu, ii),
        op_case("pow2_i", lambda x: x.pow(2), ii),
        op_case("pow_half_i", lambda x: x.abs().pow(0.5), ii),
        op_case("pow_neg_i", lambda x: x.pow(-1), ii),
        op_case("clamp_int_i", lambda x: x.clamp(-2, 3), ii),
        op_case("clamp_float_i", lambda x: x.clamp(-1.5, 2.5), ii),
        op_case("exp_i", torch.exp, ii),
        op_case("sigmoid_b", torch.sigmoid, bi),
        op_case("tanh_i", torch.tanh, ii),
        op_case("sum_i", lambda x: x.sum(), ii),
        op_case("sum_b", lambda x: x.sum(), bi),
        op_case("sum_i_dim0", lambda x: x.sum(0), ii),
        op_case("sum_b_dim1_keep", lambda x: x.sum(1, keepdim=True), bi),
        op_case("sum_i_3d", lambda x: x.sum((0, 2)), i(2, 3, 4)),
        op_case("max_i", lambda x: x.max(), ii),
        op_case("max_i_dim1", lambda x: x.max(1).values, ii),
        op_case("min_i_dim0", lambda x: x.min(0).values, ii),
        op_case("max_b", lambda x: x.max(), bi),
        op_case("argmax_i", lambda x: x.argmax(), ii),
        op_case("argmax_i_dim1", lambda x: x.argmax(1), ii),
        op_case("argmin_i_dim0", lambda x: x.argmin(0), ii),
        op_case("argmax_f_dim1", lambda x: x.argmax(1), fi),
        op_case("argmax_f_keep", lambda x: x.argmax(0, keepdim=True), fi),
        op_case("argmin_f", lambda x: x.argmin(), fi),
        op_case("argmax_b", lambda x: x.argmax(), bi),
        op_case("to_f_i", lambda x: x.to(torch.int64), torch.tensor([-1.7, -0.5, 0.0, 0.5, 1.7, 2.9e9])),
        op_case("to_f_b", lambda x: x.to(torch.bool), torch.tensor([-1.7, 0.0, 0.3, float("nan")])),
        op_case("to_i_f", lambda x: x.to(torch.float32), ii),
        op_case("to_b_i", lambda x: x.to(torch.int64), bi),
        op_case("to_i_b", lambda x: x.to(torch.bool), ii),
        op_case("where_b_ii", torch.where, bi, ii, row_i),
        op_case("where_b_if", torch.where, bi, ii, fi),
        op_case("where_b_bb", torch.where, bi, row_b, b(3, 1)),
        op_case("cat_ii", lambda x, y: torch.cat([x, y], 0), ii, i(2, 4)),
        op_case("cat_if", lambda x, y: torch.cat([x, y], 1), ii, f(3, 2)),
        op_case("stack_bb", lambda x, y: torch.stack([x, y], 1), bi, b(3, 4)),
        op_case("transpose_i", lambda x: x.t().contiguous(), ii),
        op_case("reshape_t_i", lambda x: x.t().reshape(12), ii),
        op_case("index_select_i", lambda x: x.index_select(1, torch.tensor([3, 0, 3])), ii),
        op_case("logical_not_b", torch.logical_not, bi),
        op_case("logical_and_b", torch.logical_and, bi, row_b),
        op_case("logical_or_b", torch.logical_or, bi, row_b),
        op_case("logical_not_i", torch.logical_not, ii),
        op_case("eye_3", lambda: torch.eye(3)),
        op_case("eye_2_4", lambda: torch.eye(2, 4)),
        op_case("eye_4_2", lambda: torch.eye(4, 2)),
        op_case("zeros_like_i", torch.zeros_like, ii),
        op_case("ones_like_b", torch.ones_like, bi),
    ]
    return cs


def inplace_cases():
    """x op= y (x copied first): the result, or torch's refusal."""
    cs = []
    ii, fi = i(3, 4), f(3, 4)
    for name, x, y, fn in [
        ("add_ii", ii, i(4), lambda x, y: x.add_(y)),
        ("add_if", ii, f(4), lambda x, y: x.add_(y)),
        ("add_fi", fi, i(4), lambda x, y: x.add_(y)),
        ("sub_ii", ii, i(3, 1), lambda x, y: x.sub_(y)),
        ("mul_ib", ii, b(4), lambda x, y: x.mul_(y)),
        ("div_ii", ii, i(4, lo=1), lambda x, y: x.div_(y)),
        ("div_fi", fi, i(4, lo=1), lambda x, y: x.div_(y)),
        ("add_scalar_i", ii, 2, lambda x, y: x.add_(y)),
        ("add_scalar_f", fi, 2.5, lambda x, y: x.add_(y)),
        ("add_scalar_i_float", ii, 0.5, lambda x, y: x.add_(y)),
        ("sub_scalar_i", ii, 3, lambda x, y: x.sub_(y)),
        ("mul_scalar_i", ii, -2, lambda x, y: x.mul_(y)),
        ("div_scalar_f", fi, 4.0, lambda x, y: x.div_(y)),
        ("div_scalar_i", ii, 2, lambda x, y: x.div_(y)),
    ]:
        c = {"name": name, "args": [operand(x), operand(y)]}
        try:
            c["out"] = golden.tensor(fn(x.clone(), y))
        except RuntimeError as e:
            c["error"] = str(e).split("\n")[0]
        cs.append(c)
    return cs


# Index expressions: items are ["int", k], ["slice", start, stop, step]
# (None for an open end), ["all"], ["ellipsis"], ["newaxis"], ["long",
# tensor] or ["bool", tensor].
def to_torch_index(items):
    out = []
    for it in items:
        kind = it[0]
        if kind == "int":
            out.append(it[1])
        elif kind == "slice":
            out.append(slice(it[1], it[2], it[3]))
        elif kind == "all":
            out.append(slice(None))
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind == "newaxis":
            out.append(None)
        else:
            out.append(it[1])
    return tuple(out)


def enc_items(items):
    out = []
    for it in items:
        if it[0] in ("long", "bool"):
            out.append([it[0], golden.tensor(it[1])])
        else:
            out.append(list(it))
    return out


def index_cases():
    x3 = f(4, 5, 6)
    m45 = torch.rand(4, 5) > 0.4
    specs = {
        "int": [("int", 1)],
        "int_neg": [("int", -1)],
        "two_ints": [("int", 2), ("int", -2)],
        "all_int": [("all",), ("int", 1)],
        "slice": [("slice", 1, 3, None)],
        "slice_step": [("slice", 0, 4, 2)],
        "slice_step_mid": [("all",), ("slice", 1, None, 3)],
        "slice_neg": [("slice", -3, None, None), ("slice", None, -1, None)],
        "slice_clip": [("slice", 2, 100, None)],
        "slice_empty": [("slice", 3, 1, None)],
        "ellipsis_int": [("ellipsis",), ("int", 0)],
        "ellipsis_newaxis": [("ellipsis",), ("newaxis",)],
        "newaxis_front": [("newaxis",), ("int", 1), ("newaxis",)],
        "int_slice_step": [("int", 3), ("slice", None, None, 2), ("slice", 1, 5, 3)],
        "long": [("long", torch.tensor([3, 0, 3, -1]))],
        "long_2d": [("long", torch.tensor([[0, 1], [3, 2]]))],
        "long_mid": [("all",), ("long", torch.tensor([4, 1]))],
        "long_pair": [("long", torch.tensor([0, 2, 3])), ("long", torch.tensor([1, 1, 4]))],
        "long_bcast": [("long", torch.tensor([[0], [3]])), ("all",), ("long", torch.tensor([1, 5, 0]))],
        "long_split": [("long", torch.tensor([0, 1])), ("slice", 1, 3, None), ("long", torch.tensor([2, 3]))],
        "int_long": [("int", 0), ("all",), ("long", torch.tensor([0, 1]))],
        "long_int_long": [("long", torch.tensor([1, 2])), ("int", 1), ("long", torch.tensor([2, 3]))],
        "long_0d": [("long", torch.tensor(2))],
        "mask_full": [("bool", x3 > 0.3)],
        "mask_lead": [("bool", m45)],
        "mask_mid": [("all",), ("bool", torch.tensor([True, False, True, False, True]))],
        "mask_none": [("bool", torch.zeros(4, dtype=torch.bool))],
        "mask_0d_true": [("bool", torch.tensor(True))],
        "mask_and_slice": [("bool", torch.tensor([False, True, True, False])), ("slice", 1, 4, 2)],
        "ellipsis_long": [("ellipsis",), ("long", torch.tensor([5, 0]))],
        "errors_too_many": [("int", 0), ("int", 0), ("int", 0), ("int", 0)],
        "errors_oob": [("int", 4)],
        "errors_long_oob": [("long", torch.tensor([0, 9]))],
        "errors_mask_shape": [("bool", torch.tensor([True, False]))],
        "errors_float_index": [("long", torch.tensor([0.0]))],
    }
    cs = []
    for name, items in specs.items():
        x = x3.clone().requires_grad_(True)
        c = {"name": name, "input": golden.tensor(x3), "index": enc_items(items)}
        try:
            out = x[to_torch_index(items)]
        except (IndexError, RuntimeError) as e:
            c["error"] = str(e).split("\n")[0]
            cs.append(c)
            continue
        u = torch.randn(out.shape)
        (out * u).sum().backward()
        c.update(out=golden.tensor(out), upstream=golden.tensor(u), grad=golden.tensor(x.grad))
        c["view"] = out._base is not None
        cs.append(c)
    return cs


def setindex_cases():
    """y = x * 2 (so y is in the graph); y[index] = v; loss = sum(y * u)."""
    specs = [
        ("scalar_col", [("all",), ("int", 1)], 0.0, (3, 4)),
        ("tensor_row", [("int", 2)], f(4), (3, 4)),
        ("bcast_block", [("slice", 0, 2, None), ("slice", 1, 4, 2)], f(2, 1), (3, 4)),
        ("mask", None, 7.5, (3, 4)),
        ("mask_tensor", None, "mask_values", (3, 4)),
        ("long_rows", [("long", torch.tensor([2, 0]))], f(4), (3, 4)),
        ("long_pairs", [("long", torch.tensor([0, 2, 1])), ("long", torch.tensor([3, 0, 0]))], f(3), (3, 4)),
        ("ellipsis_last", [("ellipsis",), ("int", -1)], f(3), (3, 4)),
        ("newaxis", [("newaxis",), ("int", 0)], f(1, 4), (3, 4)),
        ("step3d", [("all",), ("slice", None, None, 2), ("int", 0)], f(2, 1), (2, 3, 2)),
    ]
    cs = []
    for name, items, value, shape in specs:
        x0 = f(*shape)
        if items is None:
            items = [("bool", x0 > 0)]
        if isinstance(value, str):
            value = f(int((x0 > 0).sum()))
        x = x0.clone().requires_grad_(True)
        y = x * 2
        v = value
        if isinstance(value, torch.Tensor):
            v = value.clone().requires_grad_(True)
        y[to_torch_index(items)] = v
        u = torch.randn(y.shape)
        (y * u).sum().backward()
        c = {"name": name, "input": golden.tensor(x0), "index": enc_items(items), "value": operand(value),
             "out": golden.tensor(y), "upstream": golden.tensor(u), "grad": golden.tensor(x.grad)}
        if isinstance(v, torch.Tensor):
            c["value_grad"] = golden.tensor(v.grad)
        cs.append(c)
    # plain tensors without gradients, of each dtype
    for name, x0, items, value in [
        ("int_tensor_float_value", i(3, 4), [("int", 0)], 2.7),
        ("int_tensor_mask", i(3, 4), None, -1),
        ("bool_tensor", b(3, 4), [("all",), ("int", 2)], True),
        ("float_tensor_int_value", f(3, 4), [("int", 1)], torch.tensor([1, 2, 3, 4])),
    ]:
        if items is None:
            items = [("bool", x0 > 0)]
        y = x0.clone()
        y[to_torch_index(items)] = value
        cs.append({"name": name, "input": golden.tensor(x0), "index": enc_items(items), "value": operand(value), "out": golden.tensor(y)})
    return cs


def from_cases():
    cases = {
        "floats_2d": [[1.5, 2.0], [3.0, -4.25]],
        "ints_2d": [[1, 2, 3], [4, 5, 6]],
        "bools": [True, False, True],
        "mixed_int_float": [1, 2.5],
        "mixed_bool_int": [True, 2],
        "scalar_int": 7,
        "scalar_float": 2.5,
        "nested_3d": [[[1], [2]], [[3], [4]]],
        "empty_inner": [[], []],
    }
    return [{"name": k, "out": golden.tensor(torch.tensor(v))} for k, v in cases.items()]


def string_cases():
    ts = {
        "int_vector": torch.tensor([1, -20, 300]),
        "int_matrix": torch.tensor([[1, -20], [300, 4]]),
        "int_scalar": torch.tensor(3),
        "int_empty": torch.tensor([], dtype=torch.int64),
        "int_empty_2d": torch.zeros(0, 3, dtype=torch.int64),
        "int_wrap": torch.arange(-30, 40) * 1000,
        "int_summarised": torch.arange(2000),
        "int_summarised_2d": torch.arange(3000).reshape(60, 50),
        "bool_vector": torch.tensor([True, False, True]),
        "bool_all_true": torch.tensor([True, True]),
        "bool_matrix": torch.tensor([[True, False], [False, True]]),
        "bool_scalar": torch.tensor(False),
        "bool_empty": torch.zeros(2, 0, dtype=torch.bool),
        "bool_summarised": torch.ones(1200, dtype=torch.bool),
        "bool_wrap": torch.arange(30) % 3 == 0,
    }
    out = []
    for name, t in ts.items():
        s = repr(t)
        if t.numel() > 1000:  # dl adds the size to a summarised tensor
            body = torch._tensor_str._tensor_str(t, len("tensor("))
            s = torch._tensor_str._add_suffixes("tensor(" + body, ["size=" + str(tuple(t.shape))], len("tensor("), False)
        out.append({"name": name, "tensor": golden.tensor(t), "expect": s})
    return out


def gradfn_cases():
    """Printed tensors with their grad_fn, for torch's backward names."""
    import torch.nn.functional as F
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    cases = {
        "add": x + x, "mul_scalar": x * 2, "sum": x.sum(), "sum_dim": x.sum(0), "mean_dim": x.mean(1),
        "max": x.max(), "relu": torch.relu(x), "sigmoid": torch.sigmoid(x), "mm": x @ x, "slice": x[0],
        "index": x[torch.tensor([1, 0])], "cross_entropy": F.cross_entropy(x, torch.tensor([0, 1])),
        "mse": F.mse_loss(x, torch.zeros(2, 2)),
    }
    return [{"name": k, "expect": repr(v)} for k, v in cases.items()]


def main():
    golden.write(__file__, "golden_api.json", {
        "ops": op_cases(),
        "inplace": inplace_cases(),
        "index": index_cases(),
        "setindex": setindex_cases(),
        "from": from_cases(),
        "strings": string_cases(),
        "gradfn": gradfn_cases(),
    })


if __name__ == "__main__":
    main()
