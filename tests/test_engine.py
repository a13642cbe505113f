"""The engine through a real Jupyter client: state kept across cells (a
model trained in one cell is seen trained in the next), input_request for
fmt.Scan, rich output from gonbui, and an interrupted training loop that
keeps its variables. The kernel is the installed "godl" kernelspec
(conftest.py); faults (crashes, restarts) are in test_faults.py."""
from __future__ import annotations

import queue
import time

import pytest

from faults_helpers import CELL_TIMEOUT, Kernel


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    kern = Kernel(tmp_path_factory.mktemp("engine") / "kernel.log")
    try:
        yield kern
    finally:
        kern.shutdown()


def ok(k: Kernel, code: str):
    r = k.execute(code)
    assert r.reply["content"]["status"] == "ok", r.describe()
    return r


def test_model_trained_in_one_cell_is_trained_in_the_next(k):
    ok(k, "dl.Seed(3)\nmodel := nn.NewLinear(3, 2)\nbefore := model.Weight.Data()")
    ok(
        k,
        "x := dl.Randn(16, 3)\ny := dl.Randn(16, 2)\n"
        "opt := optim.NewSGD(nn.Parameters(model), optim.LR(0.1))\n"
        "for range 10 {\n\topt.ZeroGrad()\n\tnn.MSELoss(model.Forward(x), y).Backward()\n\topt.Step()\n}",
    )
    r = ok(k, "changed := 0\nfor i, w := range model.Weight.Data() {\n\tif w != before[i] {\n\t\tchanged++\n\t}\n}\nchanged")
    assert r.result not in (None, "0"), r.describe()


def test_type_of_one_cell_used_three_cells_later(k):
    ok(k, "type point struct{ x, y float64 }\nfunc (p point) norm2() float64 { return p.x*p.x + p.y*p.y }")
    ok(k, "a := 1")
    ok(k, "b := 2")
    r = ok(k, "point{x: 3, y: 4}.norm2()")
    assert r.result == "25", r.describe()


def test_scan_asks_the_front_end(k):
    msg_id = k.kc.execute("var n int\nfmt.Scan(&n)\nn * 2", allow_stdin=True)
    req = k.kc.get_stdin_msg(timeout=CELL_TIMEOUT)
    assert req["header"]["msg_type"] == "input_request", req
    k.kc.input("21")
    r = k.collect(msg_id)
    assert r.reply["content"]["status"] == "ok", r.describe()
    assert r.result == "42", r.describe()


def test_gonbui_display(k):
    r = ok(k, 'gonbui.DisplayHTML("<i>rich</i>")')
    shown = [c["data"].get("text/html") for c in r.of("display_data")]
    assert shown == ["<i>rich</i>"], r.describe()


def test_interrupt_keeps_the_training_state(k):
    ok(k, "steps := 0\nnet := nn.NewLinear(4, 1)")
    msg_id = k.start(
        "xb := dl.Randn(32, 4)\nopt := optim.NewSGD(nn.Parameters(net), optim.LR(0.01))\n"
        'fmt.Println("training")\nfor {\n\topt.ZeroGrad()\n\tnn.MSELoss(net.Forward(xb), dl.Zeros(32, 1)).Backward()\n\topt.Step()\n\tsteps++\n}'
    )
    deadline = time.monotonic() + CELL_TIMEOUT
    while time.monotonic() < deadline:  # wait until the loop runs
        try:
            m = k.kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") == msg_id and m["header"]["msg_type"] == "stream":
            break
    time.sleep(0.5)
    k.interrupt()
    r = k.collect(msg_id, timeout=30)
    assert r.reply["content"]["status"] == "error" and r.reply["content"]["ename"] == "Interrupted", r.describe()
    assert "kept" in r.reply["content"]["evalue"], r.describe()
    r = ok(k, "steps > 0")
    assert r.result == "true", r.describe()
