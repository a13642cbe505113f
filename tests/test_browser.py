"""godl in a real JupyterLab, driven by headless Chromium: what a person sees.

The test writes a small notebook into a temporary root, starts `jupyter lab`
on 127.0.0.1 with the kernelspec that conftest installed, and runs
tests/browser/run_notebook.mjs (playwright-core driving the system Chromium;
no browser is ever downloaded). The script opens the notebook, runs its cells
with Shift+Enter, tries Tab completion, takes a screenshot for humans and
writes what it saw (prompts, outputs' text, tables, images, progress bars) as
JSON, with a screenshot of the image of the cells that ask for one. The tests
below assert on that JSON and on those pixels.

Chromium, node and npm are required, not optional: CI installs them, so a
missing one fails the tests instead of skipping them.
"""
from __future__ import annotations

import base64
import io
import json
import re
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import nbformat
import pytest
from PIL import Image, ImageChops

from conftest import ROOT, jupyter_command
from pixels import check_confusion_colours

BROWSER_DIR = ROOT / "tests" / "browser"
CHROMIUM = "/usr/bin/chromium"

SERVER_START_TIMEOUT = 90
NODE_TIMEOUT = 240
TIMEOUTS_MS = {"load": 90_000, "cell": 90_000, "complete": 15_000}

# The notebook: (source, what to wait for in the cell's output area).
STDOUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]'
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
CELLS = [
    ('fmt.Println("hello from godl", 6*7)', {"selector": STDOUT, "text": "hello from godl 42"}),
    ("dl.FromSlice([]float32{1, 2, 3, 4}, 2, 2)", {"selector": ".jp-OutputArea-output table"}),
    (
        'x := dl.Linspace(0, 6.28, 50)\n'
        'display.Lines("sine", x, map[string]*dl.Tensor{"sin": dl.Sin(x)})',
        {"selector": ".jp-OutputArea-output img"},
    ),
    (
        'for i := range display.Progress(20, "steps") {\n'
        "\ttime.Sleep(20 * time.Millisecond)\n"
        "\t_ = i\n"
        "}",
        {"selector": ".jp-OutputArea-output", "text": "100%"},
    ),
    ('panic("boom")', {"selector": STDERR, "text": "boom"}),
    ('fmt.Println("still alive:", x.Shape())', {"selector": STDOUT, "text": "still alive"}),
    (
        "display.Confusion(\"pets\", []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 0}, []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2},\n"
        '\t[]string{"cat", "dog", "bird"})',
        {"selector": ".jp-OutputArea-output img", "shot": True},
    ),
    (
        "for i := range 3 {\n"
        '\tfmt.Printf("line %d\\n", i)\n'
        '\tdisplay.Markdown(fmt.Sprintf("**md %d**", i))\n'
        "}\n"
        'fmt.Println("end")',
        {"selector": STDOUT, "text": "end"},
    ),
    # ipywidgets: a slider whose Interact draws a plot, and an OnChange
    # that prints; the script drags the slider, then the next cell reads
    # the value in Go.
    (
        'bslope := widgets.NewFloatSlider("slope", 0, 1, 0.05, 0.1)\n'
        'bslope.OnChange(func(v float64) { fmt.Println("slope now", v) })\n'
        "widgets.Interact(func(a float64) {\n"
        "\txs := dl.Linspace(-5, 5, 50)\n"
        '\tdisplay.Lines(fmt.Sprintf("LeakyReLU α=%.2f", a), xs, map[string]*dl.Tensor{"y": dl.LeakyReLU(xs, float32(a))})\n'
        "}, bslope)",
        {
            "selector": ".widget-interact img",
            "drag": {"handle": ".noUi-handle", "dx": 50, "image": ".widget-interact img"},
        },
    ),
    ('fmt.Println("slope in Go:", bslope.Value())', {"selector": STDOUT, "text": "slope in Go"}),
]
PRINT, TABLE, PLOT, PROGRESS, PANIC, AFTER, CONFUSION, INTERLEAVED, SLIDER, SLIDER_VALUE = range(len(CELLS))
# Rows actual, columns predicted.
CONFUSION_COUNTS = [[3, 1, 0], [0, 3, 0], [1, 0, 2]]
COMPLETE_CELL = len(CELLS)  # an empty code cell at the end, for typing
COMPLETIONS = ["fmt.Print", "fmt.Printl"]


def require(path: str | None, what: str) -> str:
    if not path or not pathlib.Path(path).exists():
        pytest.fail(f"{what} is missing; CI installs it (.ci/run), install it to run the browser tests")
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(path: pathlib.Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "godl", "display_name": "Go (dl)", "language": "go"}
    nb.metadata["language_info"] = {"name": "go"}
    nb.cells = [nbformat.v4.new_markdown_cell("# godl in the browser")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src, _ in CELLS]
    nb.cells.append(nbformat.v4.new_code_cell(""))
    nbformat.write(nb, path)


def lab_settings(settings_dir: pathlib.Path) -> None:
    """Quiet JupyterLab: no news or update checks (they would leave 127.0.0.1)
    and no notification toasts over the notebook in the screenshot."""
    f = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}))


def api(port: int, token: str, path: str, method: str = "GET", timeout: float = 5):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = r.read()
        return json.loads(body) if body else None


def kernel_pids(runtime_dir: str) -> list[int]:
    """Processes started with a connection file in our runtime directory:
    the kernels this server started, and nothing of anyone else's."""
    pids = []
    for p in pathlib.Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            argv = (p / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.startswith(runtime_dir.encode()) and a.endswith(b".json") for a in argv):
            pids.append(int(p.name))
    return pids


def npm_ci(npm: str) -> None:
    if (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        return
    res = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, capture_output=True, text=True, timeout=600
    )
    assert res.returncode == 0, f"npm ci failed in {BROWSER_DIR}:\n{res.stdout}\n{res.stderr}"


@pytest.fixture(scope="module")
def seen(godl_kernelspec, tmp_path_factory) -> dict:
    """Run the notebook in JupyterLab in Chromium once; return what the page showed."""
    chromium = require(CHROMIUM, "Chromium (/usr/bin/chromium, Debian package chromium)")
    node = require(shutil.which("node"), "node (Debian package nodejs)")
    npm = require(shutil.which("npm"), "npm (Debian package npm)")
    npm_ci(npm)

    tmp = tmp_path_factory.mktemp("browser")
    root = tmp / "root"
    root.mkdir()
    write_notebook(root / "godl-ui.ipynb")
    lab_settings(tmp / "lab-settings")
    (tmp / "profile").mkdir()

    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)  # JUPYTER_DATA_DIR (the godl kernelspec) comes from conftest
    env["JUPYTER_CONFIG_DIR"] = str(tmp / "config")  # no user config
    # A runtime directory of our own: the kernels' connection files land
    # there, so the clean-up below can find exactly this server's kernels.
    runtime_dir = str(tmp / "runtime")
    env["JUPYTER_RUNTIME_DIR"] = runtime_dir
    log = open(tmp / "jupyter-lab.log", "w")
    server = subprocess.Popen(
        [
            jupyter_command(),
            "lab",
            "--no-browser",
            f"--IdentityProvider.token={token}",  # ServerApp.token is deprecated
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.user_settings_dir={tmp / 'lab-settings'}",
            f"--LabApp.workspaces_dir={tmp / 'lab-workspaces'}",
        ]
        + (["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def server_log() -> str:
        log.flush()
        return (tmp / "jupyter-lab.log").read_text()[-6000:]

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            assert server.poll() is None, f"jupyter lab exited:\n{server_log()}"
            try:
                api(port, token, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert time.monotonic() < deadline, f"jupyter lab did not answer:\n{server_log()}"
                time.sleep(0.5)

        plan = {
            "url": f"http://127.0.0.1:{port}/lab/tree/godl-ui.ipynb?token={token}",
            "origin": f"http://127.0.0.1:{port}",
            "chromium": chromium,
            "userDataDir": str(tmp / "profile"),
            "screenshot": str(tmp / "jupyterlab-godl.png"),
            "result": str(tmp / "seen.json"),
            "cells": [
                {
                    "expect": {k: v for k, v in expect.items() if k in ("selector", "text")},
                    "shot": str(tmp / f"cell-{i}.png") if expect.get("shot") else None,
                    "drag": expect.get("drag"),
                }
                for i, (_, expect) in enumerate(CELLS)
            ],
            "complete": [{"cell": COMPLETE_CELL, "type": t} for t in COMPLETIONS],
            "reload": {"cell": SLIDER, "selector": ".widget-readout"},
            "timeouts": TIMEOUTS_MS,
        }
        (tmp / "plan.json").write_text(json.dumps(plan, indent=2))
        res = subprocess.run(
            [node, str(BROWSER_DIR / "run_notebook.mjs"), str(tmp / "plan.json")],
            cwd=BROWSER_DIR,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
        )
        result_file = tmp / "seen.json"
        assert result_file.exists(), f"the browser script wrote no result:\n{res.stdout}\n{res.stderr}"
        seen = json.loads(result_file.read_text())
        seen["serverLog"] = server_log()
        print(f"screenshot: {plan['screenshot']}\ntimings (s): {seen['timings']}")
        if seen["blocked"]:
            print("requests blocked (not 127.0.0.1):", seen["blocked"])
        assert res.returncode == 0 and not seen["error"], (
            f"the browser script failed: {seen['error']}\ndialogs: {seen['dialogs']}\n"
            f"{res.stderr[-3000:]}\nserver log:\n{seen['serverLog']}"
        )
        yield seen
    finally:
        # Shut down through the API, which stops the kernels too; then make sure.
        try:
            api(port, token, "/api/shutdown", method="POST")
            server.wait(timeout=30)
        except Exception:
            pass
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
        deadline = time.monotonic() + 15
        while kernel_pids(runtime_dir) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in kernel_pids(runtime_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def cell(seen: dict, i: int) -> dict:
    c = seen["cells"][i]
    assert c["ok"], f"cell {i} ({CELLS[i][0]!r}) did not show {c['waited']}: {c.get('failure')}\nit shows: {c}"
    assert c["prompt"].startswith("[") and c["prompt"][1:-2].isdigit(), c["prompt"]
    return c


def texts(c: dict, mime: str | None = None) -> str:
    return "\n".join(o["text"] for o in c["outputs"] if mime is None or o["mime"] == mime)


def test_kernel_indicator(seen):
    assert seen["kernelName"] == "Go (dl)"
    assert "Go (dl)" in seen["statusBar"] and "Idle" in seen["statusBar"], seen["statusBar"]


def test_print(seen):
    c = cell(seen, PRINT)
    assert texts(c, "application/vnd.jupyter.stdout").strip() == "hello from godl 42"


def test_tensor_table(seen):
    c = cell(seen, TABLE)
    tables = [t for o in c["outputs"] for t in o["tables"]]
    assert len(tables) == 1, c["outputs"]
    rows = [[x for x in row if x] for row in tables[0]]
    # The values, row by row, whatever headers the table has.
    body = [row[-2:] for row in rows if len(row) >= 2 and row[-1] in {"2", "4", "2.0", "4.0"}]
    assert [[float(x) for x in row] for row in body] == [[1, 2], [3, 4]], tables[0]
    assert "shape [2, 2]" in texts(c), texts(c)


def test_plot(seen):
    c = cell(seen, PLOT)
    images = [img for o in c["outputs"] for img in o["images"]]
    assert len(images) == 1, c["outputs"]
    img = images[0]
    assert img["src"].startswith("data:image/png"), img
    assert img["complete"] and img["naturalWidth"] >= 200 and img["naturalHeight"] >= 100, img
    # Drawn at twice its display size, shown at the display size.
    assert 100 <= img["width"] < img["naturalWidth"], img


def test_progress_bar_ends_full(seen):
    c = cell(seen, PROGRESS)
    assert len(c["outputs"]) == 1, f"the bar should update in place, not add outputs: {c['outputs']}"
    out = c["outputs"][0]
    assert "100%" in out["text"] and "20/20" in out["text"], out["text"]
    assert out["progress"] == [{"value": 20, "max": 20}], out


def test_panic_shows_traceback(seen):
    c = cell(seen, PANIC)
    err = texts(c, "application/vnd.jupyter.stderr")
    assert "boom" in err, c["outputs"]
    assert "panic" in err.lower(), err
    # The traceback points into the cell, as the user wrote it.
    assert re.search(r"In \[\d+\], line 1\b", err), f"no traceback into the cell: {err!r}"


def test_kernel_usable_after_panic(seen):
    c = cell(seen, AFTER)
    # x comes from the plot cell: state survived the panic.
    assert texts(c, "application/vnd.jupyter.stdout").strip() == "still alive: [50]"


def test_prints_and_displays_interleave(seen):
    # The page shows the outputs in the order the cell made them.
    c = cell(seen, INTERLEAVED)
    got = [(o["mime"], o["text"].strip()) for o in c["outputs"]]
    want = []
    for i in range(3):
        want += [("application/vnd.jupyter.stdout", f"line {i}"), ("text/markdown", f"md {i}")]
    want.append(("application/vnd.jupyter.stdout", "end"))
    assert got == want, c["outputs"]


def test_completion(seen):
    by_typed = {r["typed"]: r for r in seen["completions"]}
    several = by_typed["fmt.Print"]
    assert several["popup"], several
    assert {"Print", "Printf", "Println"} <= {i.split("(")[0] for i in several["items"]}, several
    one = by_typed["fmt.Printl"]
    # A single match is inserted at once; a popup listing it is fine too.
    assert one["editorText"].startswith("fmt.Println") or "Println" in one["items"], one
    assert "Idle" in seen["statusBarAfter"], f"kernel not idle after completing: {seen['statusBarAfter']}"


def test_confusion_matrix(seen):
    """The confusion matrix as shown on the page: one image at its display
    size (drawn at twice that), whose screenshot has the counts' colours."""
    c = cell(seen, CONFUSION)
    assert len(c["outputs"]) == 1, c["outputs"]
    images = c["outputs"][0]["images"]
    assert len(images) == 1, c["outputs"]
    img = images[0]
    assert img["src"].startswith("data:image/png") and img["complete"], img
    assert img["width"] == 400 and img["naturalWidth"] == 800, img  # 3 classes: 400×320, drawn at 2x
    shot = pathlib.Path(c["shot"])
    assert shot.is_file(), c
    with Image.open(shot) as im:
        pic = im.convert("RGBA")
    assert abs(pic.width - 400) <= 2, pic.size
    check_confusion_colours(pic, CONFUSION_COUNTS)


def test_screenshot_written(seen):
    shot = pathlib.Path(seen["screenshot"])
    assert shot.is_file() and shot.stat().st_size > 10_000, shot


def data_url_image(url: str) -> Image.Image:
    assert url and url.startswith("data:image/png;base64,"), (url or "")[:40]
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")


def test_slider_drag_redraws_the_plot_and_reaches_go(seen):
    """Dragging the slider in JupyterLab (jupyterlab_widgets) sends the
    value over the comm: Interact draws the plot again in its output area,
    OnChange prints in the widget's cell, and Go has the value the slider
    shows."""
    c = cell(seen, SLIDER)
    d = c["drag"]
    before, after = data_url_image(d["before"]), data_url_image(d["after"])
    assert before.size == after.size, (before.size, after.size)
    changed = sum(ImageChops.difference(before, after).convert("L").histogram()[1:])
    assert changed > 0.002 * before.width * before.height, f"the plot barely changed: {changed} pixels"
    shown = float(d["readout"])
    assert 0.1 < shown <= 1, d["readout"]
    printed = [float(v) for v in re.findall(r"slope now ([0-9.]+)", texts(c))]
    assert printed and abs(printed[-1] - shown) < 1e-9, (printed, d["readout"], texts(c))
    go = cell(seen, SLIDER_VALUE)
    value = float(texts(go, "application/vnd.jupyter.stdout").split("slope in Go:")[1])
    assert abs(value - shown) < 1e-9, (value, d["readout"])


def test_widgets_come_back_after_a_reload(seen):
    """A reloaded page has no widget models: JupyterLab asks the kernel for
    every widget's state (request_states on jupyter.widget.control) and
    draws the saved slider again, at the value it was dragged to."""
    r = seen["reload"]
    assert r["ok"], r
    assert not r["widgetErrors"], r["widgetErrors"]
    assert r["text"] == cell(seen, SLIDER)["drag"]["readout"], (r, cell(seen, SLIDER)["drag"])
