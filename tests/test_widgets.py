"""ipywidgets over comms, %whos and %timeit, through a real Jupyter client.

The front end's side of the widgets protocol (2.1) is played by hand: the
comm messages JupyterLab's widget manager sends (update, custom click,
request_states on jupyter.widget.control) go out on shell, and what comes
back on iopub is checked against the protocol and ipywidgets 8's model
specification. An executed notebook (nbclient, store_widget_state) must
carry the widgets' state in its metadata."""
from __future__ import annotations

import queue
import re
import time

import nbformat
from nbclient import NotebookClient

from faults_helpers import CELL_TIMEOUT, Kernel, Run, ok

VIEW = "application/vnd.jupyter.widget-view+json"


def comm_opens(r: Run, model: str | None = None) -> list[dict]:
    """comm_open messages of a run (for one model name)."""
    return [
        m
        for m in r.iopub
        if m["header"]["msg_type"] == "comm_open"
        and (model is None or m["content"]["data"]["state"]["_model_name"] == model)
    ]


def comm_msgs(r: Run, comm_id: str | None = None, method: str | None = None) -> list[dict]:
    return [
        m["content"]
        for m in r.iopub
        if m["header"]["msg_type"] == "comm_msg"
        and (comm_id is None or m["content"]["comm_id"] == comm_id)
        and (method is None or m["content"]["data"].get("method") == method)
    ]


def send_comm(k: Kernel, msg_type: str, content: dict) -> Run:
    """Send a comm message as a front end does and collect what its
    context brings on iopub, up to its idle (comms get no shell reply)."""
    msg = k.kc.session.msg(msg_type, content)
    k.kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    run = Run(msg_id=msg_id, reply={}, kernel=k)
    deadline = time.monotonic() + CELL_TIMEOUT
    while time.monotonic() < deadline:
        try:
            m = k.kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        run.iopub.append(m)  # all parents: a callback may show an output area in its widget's cell
        if m["parent_header"].get("msg_id") == msg_id and m["header"]["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return run
    raise TimeoutError(f"no idle for {msg_type}")


def update(k: Kernel, comm_id: str, state: dict) -> Run:
    return send_comm(k, "comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})


def of_parent(r: Run, msg_type: str) -> list[dict]:
    """Contents of msg_type in the context of the run's own message."""
    return [m["content"] for m in r.iopub if m["header"]["msg_type"] == msg_type and m["parent_header"].get("msg_id") == r.msg_id]


def stdout_of(r: Run) -> str:
    return "".join(c["text"] for c in of_parent(r, "stream") if c["name"] == "stdout")


def test_displaying_a_slider_opens_its_model_and_shows_its_view(k):
    r = ok(k, 's := widgets.NewFloatSlider("slope", 0, 1, 0.01, 0.1)\ns')
    [open_] = comm_opens(r, "FloatSliderModel")
    c = open_["content"]
    state = c["data"]["state"]
    assert c["target_name"] == "jupyter.widget"
    assert open_["metadata"]["version"] == "2.1.0"
    assert c["data"]["buffer_paths"] == []
    assert state["_model_module"] == "@jupyter-widgets/controls" and state["_model_module_version"] == "2.0.0"
    assert state["_view_name"] == "FloatSliderView"
    assert (state["value"], state["min"], state["max"], state["step"], state["description"]) == (0.1, 0, 1, 0.01, "slope")
    # Its layout and style were opened before it, and it refers to them.
    ids = [m["content"]["comm_id"] for m in comm_opens(r)]
    names = [m["content"]["data"]["state"]["_model_name"] for m in comm_opens(r)]
    assert names == ["LayoutModel", "SliderStyleModel", "FloatSliderModel"], names
    assert state["layout"] == "IPY_MODEL_" + ids[0] and state["style"] == "IPY_MODEL_" + ids[1]
    # The view: display_data naming the comm, with a text fallback.
    [shown] = r.of("display_data")
    view = shown["data"][VIEW]
    assert view == {"model_id": c["comm_id"], "version_major": 2, "version_minor": 0}
    assert shown["data"]["text/plain"].startswith("FloatSlider(value=0.1")
    # The comm is listed.
    rep = k.shell_reply(k.kc.comm_info(target_name="jupyter.widget"), 30)
    assert rep["content"]["comms"][c["comm_id"]] == {"target_name": "jupyter.widget"}


def slider_id(k: Kernel, name: str, code: str) -> str:
    r = ok(k, code)
    [m] = [m for m in comm_opens(r, "FloatSliderModel") if m["content"]["data"]["state"]["description"] == name]
    return m["content"]["comm_id"]


def test_front_end_update_runs_onchange_and_reaches_the_next_cell(k):
    sid = slider_id(
        k,
        "lr",
        'lr := widgets.NewFloatSlider("lr", 0, 1, 0.001, 0.1)\n'
        'lr.OnChange(func(v float64) { fmt.Println("lr changed to", v) })\n'
        "lr",
    )
    r = update(k, sid, {"value": 0.7})
    # echo_update first (protocol 2.1), then the callback's print in the
    # update's context.
    echo = comm_msgs(r, sid)
    assert echo and echo[0]["data"] == {"method": "echo_update", "state": {"value": 0.7}, "buffer_paths": []}, echo
    assert "lr changed to 0.7" in stdout_of(r), r.describe()
    # The print is captured by an output area shown in the slider's cell:
    # its msg_id is the update's id while the callback runs.
    [out] = comm_opens(r, "OutputModel")
    oid = out["content"]["comm_id"]
    assert [m["data"]["state"]["msg_id"] for m in comm_msgs(r, oid, "update")] == [r.msg_id, ""]
    homes = [m for m in r.iopub if m["header"]["msg_type"] == "display_data" and m["content"]["data"].get(VIEW, {}).get("model_id") == oid]
    assert len(homes) == 1 and homes[0]["parent_header"]["msg_id"] != r.msg_id
    assert ok(k, "lr.Value()").result == "0.7"
    # Out of range: clamped, and the clamped value is sent back.
    r = update(k, sid, {"value": 5})
    assert {"method": "update", "state": {"value": 1}, "buffer_paths": []} in [m["data"] for m in comm_msgs(r, sid)]
    assert "lr changed to 1" in stdout_of(r)
    assert ok(k, "lr.Value()").result == "1"


def test_set_from_go_reaches_the_front_end(k):
    sid = slider_id(k, "momentum", 'mom := widgets.NewFloatSlider("momentum", 0, 1, 0.01, 0.9)\nmom')
    r = ok(k, "mom.Set(0.5)")
    assert [m["data"] for m in comm_msgs(r, sid)] == [{"method": "update", "state": {"value": 0.5}, "buffer_paths": []}]


def test_panicking_callback_is_an_error_and_the_kernel_stays(k):
    sid = slider_id(
        k,
        "bad",
        'bad := widgets.NewFloatSlider("bad", 0, 1, 0.1, 0)\n'
        'bad.OnChange(func(v float64) {\n\tvar m map[string]int\n\tm["x"] = 1\n})\n'
        'bad.OnChange(func(v float64) { fmt.Println("second callback ran") })\n'
        "bad",
    )
    r = update(k, sid, {"value": 0.5})
    [err] = of_parent(r, "error")
    assert err["ename"] == "panic" and "nil map" in err["evalue"], err
    assert any(re.match(r"\s+In \[\d+\], line 4", line) for line in err["traceback"]), err["traceback"]
    assert "second callback ran" in stdout_of(r)
    # The error is inside the capture window of the cell's output area.
    types = [(m["header"]["msg_type"], m["content"].get("data", {}).get("state", {}).get("msg_id")) for m in r.iopub]
    start, end = types.index(("comm_msg", r.msg_id)), types.index(("comm_msg", ""))
    assert start < [t for t, _ in types].index("error") < end, types
    assert ok(k, 'fmt.Println("alive")').stdout == "alive\n"


def test_button_click_and_dropdown(k):
    r = ok(
        k,
        'btn := widgets.NewButton("train")\n'
        'btn.OnClick(func() { fmt.Println("clicked") })\n'
        'act := widgets.NewDropdown("activation", []string{"relu", "tanh", "gelu"}, "relu")\n'
        'act.OnChange(func(v string) { fmt.Println("picked", v) })\n'
        "widgets.Show(widgets.HBox(btn, act))",
    )
    bid = comm_opens(r, "ButtonModel")[0]["content"]["comm_id"]
    did = comm_opens(r, "DropdownModel")[0]["content"]["comm_id"]
    [box] = comm_opens(r, "HBoxModel")
    assert box["content"]["data"]["state"]["children"] == ["IPY_MODEL_" + bid, "IPY_MODEL_" + did]
    assert comm_opens(r, "DropdownModel")[0]["content"]["data"]["state"]["_options_labels"] == ["relu", "tanh", "gelu"]
    r = send_comm(k, "comm_msg", {"comm_id": bid, "data": {"method": "custom", "content": {"event": "click"}}})
    assert "clicked" in stdout_of(r)
    r = update(k, did, {"index": 2})
    assert "picked gelu" in stdout_of(r)
    assert ok(k, "act.Value()").result == "gelu"


def test_interact_reruns_into_its_own_output(k):
    r = ok(
        k,
        'slope := widgets.NewFloatSlider("slope", 0, 1, 0.01, 0.2)\n'
        'widgets.Interact(func(a float64) { fmt.Printf("slope=%.2f\\n", a) }, slope)',
    )
    sid = comm_opens(r, "FloatSliderModel")[0]["content"]["comm_id"]
    oid = comm_opens(r, "OutputModel")[0]["content"]["comm_id"]
    [box] = comm_opens(r, "VBoxModel")
    assert box["content"]["data"]["state"]["_dom_classes"] == ["widget-interact"]
    assert box["content"]["data"]["state"]["children"] == ["IPY_MODEL_" + sid, "IPY_MODEL_" + oid]
    assert [d["data"][VIEW]["model_id"] for d in r.of("display_data")] == [box["content"]["comm_id"]]
    # The first run, in the cell, captured by the output area.
    assert [m["data"]["state"]["msg_id"] for m in comm_msgs(r, oid)] == [r.msg_id, ""]
    assert r.stdout == "slope=0.20\n"
    r = update(k, sid, {"value": 0.55})
    assert [m["data"]["state"]["msg_id"] for m in comm_msgs(r, oid, "update")] == [r.msg_id, ""]
    assert of_parent(r, "clear_output") == [{"wait": True}]
    assert stdout_of(r) == "slope=0.55\n"
    assert not comm_opens(r), "an interact needs no output area of the cell's"


def test_request_states_and_request_state(k):
    sid = slider_id(k, "epochs-like", 'el := widgets.NewFloatSlider("epochs-like", 1, 20, 1, 5)\nel')
    assert send_comm(k, "comm_open", {"comm_id": "ctl-1", "target_name": "jupyter.widget.control", "data": {}}).of("comm_close") == []
    r = send_comm(k, "comm_msg", {"comm_id": "ctl-1", "data": {"method": "request_states"}})
    [states] = comm_msgs(r, "ctl-1")
    assert states["data"]["method"] == "update_states" and states["data"]["buffer_paths"] == []
    mine = states["data"]["states"][sid]
    assert (mine["model_name"], mine["model_module"], mine["model_module_version"]) == ("FloatSliderModel", "@jupyter-widgets/controls", "2.0.0")
    assert mine["state"]["value"] == 5 and mine["state"]["description"] == "epochs-like"
    r = send_comm(k, "comm_msg", {"comm_id": sid, "data": {"method": "request_state"}})
    [full] = comm_msgs(r, sid)
    assert full["data"]["method"] == "update" and full["data"]["state"] == mine["state"]


def test_unknown_comms_are_closed(k):
    r = send_comm(k, "comm_open", {"comm_id": "x-1", "target_name": "no.such.target", "data": {}})
    assert [c["comm_id"] for c in of_parent(r, "comm_close")] == ["x-1"]
    r = update(k, "0" * 32, {"value": 1})
    assert [c["comm_id"] for c in of_parent(r, "comm_close")] == ["0" * 32]


def test_whos_lists_tensors_modules_and_values(k):
    r = ok(
        k,
        "wx := dl.Zeros(2, 3)\n"
        "wg := dl.Randn(4).RequiresGrad()\n"
        "wm := nn.NewSequential(nn.NewLinear(4, 3), nn.NewLinear(3, 2))\n"
        'wname := "mlp"\n'
        "%whos",
    )
    [shown] = r.of("display_data")
    text, html = shown["data"]["text/plain"], shown["data"]["text/html"]
    rows = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert text.splitlines()[0].split() == ["Variable", "Type", "Data/Info"]
    assert "*dl.Tensor" in rows["wx"] and "shape [2, 3]" in rows["wx"] and "float32" in rows["wx"], text
    assert "no grad" in rows["wx"] and "NaN/Inf 0/0" in rows["wx"] and "24 B" in rows["wx"], text
    assert "requires grad" in rows["wg"], text
    assert "*nn.Sequential" in rows["wm"] and "23 parameters (23 trainable)" in rows["wm"], text
    assert rows["wname"].split()[1:] == ["string", '"mlp"'], text
    assert "<td>wx</td>" in html and "<td>[2, 3]</td>" in html and "<td>float32</td>" in html
    # NaN and Inf are counted.
    r = ok(k, "wn := dl.FromSlice([]float32{1, float32(math.NaN()), float32(math.Inf(1)), float32(math.NaN())}, 4)\n%whos")
    row = [line for line in r.of("display_data")[0]["data"]["text/plain"].splitlines() if line.startswith("wn ")]
    assert row and "NaN/Inf 2/1" in row[0], row


TIMEIT = re.compile(
    r"^(\d[\d.]*) (s|ms|μs|ns) ± (\d[\d.]*) (s|ms|μs|ns) per loop \(mean ± std\. dev\. of (\d+) runs?, ([\d,]+) loops? each\)$", re.M
)


def test_timeit_prints_ipythons_line(k):
    r = ok(k, "tx := dl.Randn(64, 64)\n%timeit tx.MatMul(tx)")
    m = TIMEIT.search(r.stdout)
    assert m, r.stdout
    loops = int(m.group(6).replace(",", ""))
    assert m.group(5) == "7" and loops in {10**i for i in range(10)}, r.stdout
    # A matmul of 64x64 takes from a few μs to a ms: the loop count makes
    # a run take at least 0.2 s.
    unit = {"s": 1, "ms": 1e-3, "μs": 1e-6, "ns": 1e-9}[m.group(2)]
    assert float(m.group(1)) * unit * loops * 10 >= 0.2 or loops == 1, r.stdout

    r = ok(k, "%%timeit -n 3 -r 2 acc := 0\nfor i := range 1000 {\n\tacc += i\n}")
    m = TIMEIT.search(r.stdout)
    assert m and m.group(5) == "2" and m.group(6) == "3", r.stdout
    # What %%timeit defined does not outlive it, as in IPython.
    r = k.execute("acc")
    assert r.status == "error"


def test_timeit_is_interruptible(k):
    msg_id = k.start("%timeit time.Sleep(50 * time.Millisecond)")
    time.sleep(3)
    k.interrupt()
    r = k.collect(msg_id)
    assert r.status == "error" and "nterrupt" in r.error_text(), r.describe()
    assert ok(k, 'fmt.Println("after")').stdout == "after\n"


def test_executed_notebook_keeps_widget_state(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('s := widgets.NewFloatSlider("slope", 0, 1, 0.01, 0.3)\ns'),
        nbformat.v4.new_code_cell('widgets.Interact(func(v float64) { fmt.Println("slope is", v) }, s)'),
        nbformat.v4.new_code_cell("s.Set(0.4)"),
    ]
    NotebookClient(nb, kernel_name="godl", store_widget_state=True, timeout=CELL_TIMEOUT).execute()
    saved = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert (saved["version_major"], saved["version_minor"]) == (2, 0)
    state = saved["state"]
    slider_id = nb.cells[0].outputs[0]["data"][VIEW]["model_id"]
    slider = state[slider_id]
    assert (slider["model_name"], slider["model_module"], slider["model_module_version"]) == ("FloatSliderModel", "@jupyter-widgets/controls", "2.0.0")
    assert slider["state"]["value"] == 0.4 and slider["state"]["description"] == "slope"
    # The layout it refers to is saved too, so the view can be rebuilt.
    assert state[slider["state"]["layout"].removeprefix("IPY_MODEL_")]["model_name"] == "LayoutModel"
    # The interact's output area holds what its function printed, last
    # run first cleared (Set re-ran it).
    box = state[nb.cells[1].outputs[0]["data"][VIEW]["model_id"]]
    out = state[box["state"]["children"][-1].removeprefix("IPY_MODEL_")]
    assert out["model_name"] == "OutputModel"
    assert "".join(o.get("text", "") for o in out["state"]["outputs"]) == "slope is 0.4\n", out["state"]["outputs"]
    assert not nb.cells[1].outputs[1:], "the interact's prints went to the cell, not its output area"
    # The file round-trips and validates.
    path = tmp_path / "w.ipynb"
    nbformat.write(nb, path)
    nbformat.validate(nbformat.read(path, as_version=4))


def test_nbclient_gets_the_reply_of_a_cell_that_captured_output(monkeypatch):
    """nbclient's Output-widget mimic echoes the widget's state on shell,
    from its iopub task, with a send that bypasses the asyncio socket; if
    the execute_reply is already in the client's socket then, the send eats
    the socket's wake-up and nbclient sleeps until the cell timeout (then
    finds the reply and goes on). A busy machine makes the reply arrive
    first; here the cells reply a moment after their captured output, and
    the mimic takes longer than that moment, as on a loaded machine. The
    kernel holds the reply until the echoes are in, so the cells end in
    seconds, not at the timeout."""
    import nbclient.output_widget as ow

    real_output = ow.OutputWidget.output

    def slow_output(self, *args, **kwargs):
        time.sleep(1)  # blocks nbclient's loop, as a loaded machine would
        return real_output(self, *args, **kwargs)

    monkeypatch.setattr(ow.OutputWidget, "output", slow_output)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('out := widgets.NewOutput()\nwidgets.Show(out)\nout.Capture(func() { fmt.Println("captured") })\ntime.Sleep(300 * time.Millisecond)'),
        nbformat.v4.new_code_cell('s := widgets.NewFloatSlider("α", 0, 1, 0.1, 0.2)\nwidgets.Interact(func(v float64) { fmt.Println("α is", v) }, s)\ntime.Sleep(300 * time.Millisecond)'),
    ]
    timeout = 60
    start = time.monotonic()
    client = NotebookClient(nb, kernel_name="godl", store_widget_state=True, timeout=timeout)
    client.execute()
    elapsed = time.monotonic() - start
    # Each lost wake-up costs a whole timeout; none costs a few seconds.
    assert elapsed < timeout / 2, f"nbclient waited {elapsed:.0f} s for the replies: a reply's wake-up was lost"
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    out = state[nb.cells[0].outputs[0]["data"][VIEW]["model_id"]]
    assert [o.get("text") for o in out["state"]["outputs"]] == ["captured\n"], out
