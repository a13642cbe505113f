"""The engine through a real Jupyter client: state kept across cells (a
model trained in one cell is seen trained in the next), input_request for
fmt.Scan, rich output from gonbui, outputs in the order the cell made them,
completion on the control channel while a cell runs, an interrupted
training loop that keeps its variables, what the kernel says about a
name that hides a preloaded package, and a cell's model struct printed as
PyTorch prints it. The kernel is the installed "godl"
kernelspec (conftest.py); faults (crashes, restarts) are in
test_faults.py."""
from __future__ import annotations

import queue
import time


from faults_helpers import CELL_TIMEOUT, ok


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


def outputs(r) -> list[str]:
    """The cell's outputs in order: stream texts (adjacent pieces of one
    stream joined, as a front end shows them) and display texts."""
    out: list[str] = []
    last = None
    for m in r.iopub:
        t, c = m["header"]["msg_type"], m["content"]
        if t == "stream":
            if last == c["name"]:
                out[-1] += c["text"]
            else:
                out.append(c["name"] + ":" + c["text"])
            last = c["name"]
        elif t in ("display_data", "update_display_data", "clear_output"):
            data = c.get("data", {})
            out.append(t + ":" + str(data.get("text/markdown") or data.get("text/html") or data.get("text/plain") or ""))
            last = None
    return out


def test_print_display_print_in_that_order(k):
    r = ok(k, 'fmt.Println("before")\ndisplay.Images("img", dl.Rand(2, 8, 8))\nfmt.Printf("after %d\\n", 1)')
    got = outputs(r)
    assert [o.split(":", 1)[0] for o in got] == ["stdout", "display_data", "stdout"], r.describe()
    assert got[0] == "stdout:before\n" and got[2] == "stdout:after 1\n", r.describe()
    shown = r.of("display_data")[0]["data"]
    assert "image/png" in shown, shown.keys()


def test_prints_and_displays_in_a_loop_interleave(k):
    r = ok(k, 'for i := range 12 {\n\tfmt.Printf("text %d\\n", i)\n\tdisplay.Markdown(fmt.Sprintf("md %d", i))\n}\nfmt.Println("done")')
    want = []
    for i in range(12):
        want += [f"stdout:text {i}\n", f"display_data:md {i}"]
    assert outputs(r) == want + ["stdout:done\n"], r.describe()


def test_complete_on_control_while_a_cell_defines_names(k):
    ok(k, "type shapeK struct{ Width, Height int }\nboxK := shapeK{2, 3}")
    msg_id = k.start("for i := range 40 {\n\ttime.Sleep(50 * time.Millisecond)\n\t_ = i\n}\nlaterK := boxK")
    answers = []
    for _ in range(5):  # while the cell runs
        rep = k.control("complete_request", {"code": "boxK.W", "cursor_pos": 6})
        answers.append(rep["content"])
        time.sleep(0.1)
    r = k.collect(msg_id)
    assert r.reply["content"]["status"] == "ok", r.describe()
    for a in answers:
        assert a["status"] == "ok" and a["matches"] == ["Width"], answers
    rep = k.control("complete_request", {"code": "later", "cursor_pos": 5})
    assert "laterK" in rep["content"]["matches"], rep["content"]


def test_help_is_an_output_where_pagers_are_dropped(k):
    # jupyter nbconvert and papermill cannot answer input requests and drop
    # pager payloads: a request without stdin gets the help as an output.
    r = ok(k, "%help")
    assert r.reply["content"]["payload"][0]["source"] == "page", r.describe()
    texts = [d["data"]["text/plain"] for d in r.of("display_data")]
    assert len(texts) == 1 and "%%time" in texts[0], r.describe()


def test_time_of_a_cell_that_does_not_compile_is_its_error_only(k):
    r = k.execute("%%time\nx := undefinedThing + 1")
    assert r.status == "error" and r.reply["content"]["ename"] == "CompileError", r.describe()
    assert "Wall time" not in r.stdout, r.describe()
    r = ok(k, "%%time\nn := 0\nfor i := range 100 {\n\tn += i\n}")
    assert "Wall time" in r.stdout, r.describe()


def test_a_name_that_hides_a_preloaded_package(k):
    r = ok(k, "data := [][]float32{{1, 2}, {3, 4}}")
    assert "hiding the data package" in r.stderr, r.describe()
    r = k.execute('train, test, err := data.FashionMNIST("/nowhere")')
    assert r.status == "error", r.describe()
    text = r.error_text()
    assert "FashionMNIST undefined" in text and "hides it" in text, text
    # Importing the package brings it back in that cell.
    r = ok(k, 'import "github.com/godl-dev/godl/dl/data"\nspirals := data.Spirals(10, 2)\nspirals.Len()')
    assert r.result == "20", r.describe()


# What torch 1.13 prints for the same model (print(Net2()) and
# print(net.block) in Python, with Block and Net2 nn.Module subclasses
# holding the same layers).
TORCH_NET = """Net2(
  (conv1): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (block): Block(
    (conv): Conv2d(8, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  )
  (fc): Linear(in_features=6272, out_features=10, bias=True)
)
"""
TORCH_BLOCK = """Block(
  (conv): Conv2d(8, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
)
"""


def test_println_of_a_model_struct_prints_torchs_text(k):
    # Forward on *Net2 (the String method is then on *Net2) and on the
    # value Block; completion does not offer the generated String.
    ok(
        k,
        "type Block struct{ conv *nn.Conv2d }\n"
        "func (b Block) Forward(x *dl.Tensor) *dl.Tensor { return b.conv.Forward(x) }\n"
        "type Net2 struct {\n\tconv1 *nn.Conv2d\n\tblock Block\n\tfc    *nn.Linear\n}\n"
        "func (n *Net2) Forward(x *dl.Tensor) *dl.Tensor {\n"
        "\treturn n.fc.Forward(n.block.Forward(n.conv1.Forward(x)).Flatten(1, -1))\n}",
    )
    r = ok(
        k,
        "model := &Net2{conv1: nn.NewConv2d(1, 8, 3, nn.Padding(1)), block: Block{nn.NewConv2d(8, 8, 3, nn.Padding(1))}, fc: nn.NewLinear(8*28*28, 10)}\n"
        "fmt.Println(model)",
    )
    assert r.stdout == TORCH_NET, r.describe()
    r = ok(k, "fmt.Println(model.block)\nfmt.Print(model.Forward(dl.Rand(2, 1, 28, 28)).Shape())")
    assert r.stdout == TORCH_BLOCK + "[2 10]", r.describe()
    rep = k.control("complete_request", {"code": "model.", "cursor_pos": 6})
    assert rep["content"]["matches"] == ["Forward", "block", "conv1", "fc"], rep["content"]
