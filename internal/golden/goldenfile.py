"""How godl's golden files are written: one convention for every generator.

A generator script (a package's testdata/gen_*.py) computes its cases with
PyTorch as plain data (dicts, lists, strings, numbers) and ends with

    import goldenfile as golden
    torch = golden.require_torch("1.13")
    ...
    golden.write(__file__, "golden.json", data)

`make golden` runs every script; the Go tests read the files with the
package github.com/godl-dev/godl/internal/golden beside this module.

A golden file is JSON:

    {"generator": "dl/testdata/gen_golden.py",   the script, from the repository root
     "torch": "1.13.0a0",                        the PyTorch that computed it
     "data": ...}                                the script's data

The Go side checks that "torch" is of the series its tests expect, and
that the generator exists. Numbers are spelled so that Go reads back the
values PyTorch had: a float32 (F32, f32s, tensor) with the fewest digits
that read back as the same float32; other floats as Python's repr (the
shortest spelling of the double); NaN, Infinity and -Infinity as those
strings, since JSON has no spelling for them. Tensors are
{"dtype", "shape", "data"}, data flat in row-major order, bools as 0/1.

Writing is stable: a number that is within float noise of the one the
file already holds at the same place (a relative 1e-6 of the larger of
its magnitude and the root mean square of its array; a different BLAS or
summation order moves float32 results by a few units in the last place)
keeps the committed spelling, so regenerating on another machine changes
nothing, while a changed case or a changed PyTorch shows in the diff.
"""
import json
import math
import os
import struct
import sys

# This file is internal/golden/goldenfile.py.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The relative change below which a regenerated number keeps the committed one.
NOISE = 1e-6

_torch = None


def _script():
    return os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)


def require_torch(series):
    """Imports and returns torch after checking that its version is of the
    series ("1.13", "2"); exits with a message naming the Python otherwise,
    so that no golden file is written by another PyTorch."""
    global _torch
    try:
        import torch
    except ImportError:
        sys.exit("%s: needs PyTorch %s, but %s has no torch module" % (_script(), series, sys.executable))
    if not version_in(torch.__version__, series):
        sys.exit("%s: needs PyTorch %s, but %s has PyTorch %s" % (_script(), series, sys.executable, torch.__version__))
    _torch = torch
    return torch


def version_in(version, series):
    """Whether version ("1.13.0a0", "2.5.1+cpu") is of series ("1.13", "2")."""
    return version == series or version.startswith(series + ".")


class F32(float):
    """A float32 value: written with the fewest digits that read back as the
    same float32."""


def f32s(values):
    """A flat list of float32 values from a tensor or a list of numbers."""
    if hasattr(values, "detach"):
        values = values.detach().reshape(-1).tolist()
    return [F32(v) for v in values]


_DTYPES = {"torch.float32": "float32", "torch.float64": "float64", "torch.int64": "int64", "torch.bool": "bool"}


def tensor(t):
    """A tensor as {"dtype", "shape", "data"}."""
    t = t.detach()
    dtype = _DTYPES.get(str(t.dtype))
    if dtype is None:
        raise ValueError("golden tensors are float32, float64, int64 or bool, not %s" % t.dtype)
    flat = t.reshape(-1).tolist()
    if dtype == "float32":
        data = [F32(v) for v in flat]
    elif dtype == "bool":
        data = [1 if v else 0 for v in flat]
    else:
        data = flat
    return {"dtype": dtype, "shape": list(t.shape), "data": data}


def _float_text(v, single):
    if v != v:
        return '"NaN"'
    if math.isinf(v):
        return '"Infinity"' if v > 0 else '"-Infinity"'
    if not single:
        return repr(float(v))
    want = struct.pack("f", v)
    for p in range(1, 10):
        r = "%.*g" % (p, v)
        if struct.pack("f", float(r)) == want:
            return r
    return "%.9g" % v


# Containers shallower than this are written one entry a line (the
# envelope, the data, the data's entries), deeper ones and lists of numbers
# on one line, so that a case is a line or a few and diffs show which
# changed.
_EXPAND = 3


def dumps(v, depth=0):
    """JSON text of v with the spelling of numbers described above."""
    if isinstance(v, F32):
        return _float_text(v, True)
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, float):
        return _float_text(v, False)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        sep = ": " if depth < _EXPAND else ":"
        items = [json.dumps(str(k), ensure_ascii=False) + sep + dumps(x, depth + 1) for k, x in v.items()]
        return _join("{", items, "}", depth)
    if isinstance(v, (list, tuple)):
        # A list of numbers stays on one line.
        flat = not any(isinstance(x, (dict, list, tuple)) for x in v)
        return _join("[", [dumps(x, depth + 1) for x in v], "]", _EXPAND if flat else depth)
    raise TypeError("cannot write %r (%s) in a golden file" % (v, type(v).__name__))


def _join(open_, items, close, depth):
    if depth >= _EXPAND or not items:
        return open_ + ",".join(items) + close
    pad = " " * (depth + 1)
    return open_ + "\n" + ",\n".join(pad + i for i in items) + "\n" + " " * depth + close


def _number(v):
    """v as a float when it is a number or a non-finite float's spelling."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    return None


class _Count:
    numbers = 0
    changed = 0


def _keep(old, new, count, scale=None):
    """new, with each number within noise of old's at the same place
    replaced by old's (of new's kind: F32 or float)."""
    if isinstance(new, dict):
        if not isinstance(old, dict):
            old = {}
        return {k: _keep(old.get(k), v, count) for k, v in new.items()}
    if isinstance(new, (list, tuple)):
        old = old if isinstance(old, list) and len(old) == len(new) else [None] * len(new)
        finite = [x for x in map(_number, old) if x is not None and math.isfinite(x)]
        rms = math.sqrt(sum(x * x for x in finite) / len(finite)) if finite else 0.0
        return [_keep(o, n, count, rms) for o, n in zip(old, new)]
    if not isinstance(new, float):
        if isinstance(new, int) and not isinstance(new, bool):
            count.numbers += 1
            count.changed += _number(old) != new
        return new
    count.numbers += 1
    o = _number(old)
    if o is None:
        count.changed += 1
        return new
    if (o == new and math.copysign(1, o) == math.copysign(1, new)) or (o != o and new != new):
        return type(new)(o)
    # Zeros keep their sign (torch prints -0.).
    if o != 0 and new != 0 and math.isfinite(o) and math.isfinite(new) and \
            abs(new - o) <= NOISE * max(abs(o), scale or 0.0):
        return type(new)(o)
    count.changed += 1
    return new


def write(script, name, data):
    """Writes data to the golden file name beside script (__file__) in the
    format above, keeping committed numbers that moved by float noise only,
    and says what changed."""
    if _torch is None:
        raise RuntimeError("call require_torch before write: a golden file records its PyTorch")
    path = os.path.join(os.path.dirname(os.path.abspath(script)), name)
    rel = os.path.relpath(path, ROOT)
    old = None
    try:
        with open(path) as f:
            # "-0" is a float32's negative zero, not the integer 0.
            committed = json.load(f, parse_int=lambda t: -0.0 if t == "-0" else int(t))
        if isinstance(committed, dict) and "data" in committed and "generator" in committed:
            old = committed["data"]
    except (OSError, ValueError):
        pass
    count = _Count()
    data = _keep(old, data, count)
    text = dumps({
        "generator": os.path.relpath(os.path.abspath(script), ROOT),
        "torch": _torch.__version__,
        "data": data,
    })
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    os.replace(tmp, path)
    print("%s: PyTorch %s, %d numbers, %d new or changed beyond float noise" % (
        rel, _torch.__version__, count.numbers, count.changed))
