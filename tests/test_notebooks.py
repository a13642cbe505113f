"""The tutorial notebooks, executed by `jupyter nbconvert --execute` with the
installed kernel: every cell runs without error, and the saved notebook holds
the rich outputs the tutorial promises (plots, final curves, finished progress
bars, tensor tables, model summaries)."""
from __future__ import annotations

import base64
import io
import pathlib
import subprocess
from html.parser import HTMLParser

import nbformat
import pytest
from PIL import Image

from conftest import ROOT, jupyter_command

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# matplotlib's tab10, the colours display gives to series 1..5.
TAB10 = [(0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E), (0x2C, 0xA0, 0x2C), (0xD6, 0x27, 0x28), (0x94, 0x67, 0xBD)]


def execute(src: pathlib.Path, out_dir: pathlib.Path) -> nbformat.NotebookNode:
    res = subprocess.run(
        [
            jupyter_command(),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=900",
            "--ExecutePreprocessor.startup_timeout=300",
            "--output-dir",
            str(out_dir),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert res.returncode == 0, f"nbconvert failed on {src.name}:\n{res.stdout}\n{res.stderr[-4000:]}"
    return nbformat.read(out_dir / src.name, as_version=4)


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    out = tmp_path_factory.mktemp("executed")
    return {src.name: execute(src, out) for src in NOTEBOOKS}


def outputs(nb, kind=None):
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for o in cell.outputs:
            if kind is None or o.output_type == kind:
                yield i, cell, o


def rich(nb, mime):
    return [(i, o) for i, _, o in outputs(nb) if mime in o.get("data", {})]


def png(o) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(o.data["image/png"])))


class Tables(HTMLParser):
    """Collects every <table>: its class and its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"class": dict(attrs).get("class", ""), "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def tables(html: str):
    p = Tables()
    p.feed(html)
    p.close()
    return p.tables


def test_every_seed_chapter_has_a_notebook():
    names = [p.name for p in NOTEBOOKS]
    for part in ("perceptron-mlp", "activations", "backprop", "cnn-resnet", "lstm", "regularization-schedules"):
        assert any(part in n for n in names), (part, names)


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_runs_without_errors(executed, name):
    nb = executed[name]
    errors = [(i, o.ename, o.evalue) for i, _, o in outputs(nb, "error")]
    assert not errors, errors
    stderr = [(i, o.text) for i, _, o in outputs(nb, "stream") if o.name == "stderr"]
    assert not stderr, stderr
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a cell did not run"


def test_activation_plot_has_five_curves(executed):
    nb = executed["02-activations.ipynb"]
    plots = rich(nb, "image/png")
    assert plots, "no plot"
    _, o = plots[0]
    img = png(o).convert("RGB")
    meta = o.metadata["image/png"]
    # Drawn at twice the size it is shown at.
    assert img.size == (2 * meta["width"], 2 * meta["height"])
    assert "5 series" in o.data["text/plain"]
    colours = {c for _, c in img.getcolors(maxcolors=img.width * img.height)}
    for c in TAB10:
        assert c in colours, f"series colour {c} missing from the activation plot"


def test_curves_and_progress_saved_in_final_state(executed):
    nb = executed["01-perceptron-mlp.ipynb"]
    train_cell = next(c for c in nb.cells if "display.NewCurve" in c.source)
    kinds = [o.output_type for o in train_cell.outputs]
    # Updated in place: one progress bar and one curve, not a stream of frames.
    assert kinds.count("display_data") == 2, kinds
    bar = next(o for o in train_cell.outputs if "godl-progress" in o.data.get("text/html", ""))
    assert 'value="5" max="5"' in bar.data["text/html"]
    assert "100%" in bar.data["text/plain"]
    curve = next(o for o in train_cell.outputs if "image/png" in o.data)
    # All five epochs of both series are in the saved chart.
    assert "train loss: 5 points" in curve.data["text/plain"], curve.data["text/plain"]
    assert "test accuracy: 5 points" in curve.data["text/plain"], curve.data["text/plain"]
    png(curve).verify()


def test_activation_sliders_are_saved_with_their_plot(executed):
    """The Interact cell: its controls and output area live in the saved
    widget state (nbconvert stores it), the plot drawn in the output area
    for the sliders' starting values, nothing in the cell's own outputs."""
    nb = executed["02-activations.ipynb"]
    view = "application/vnd.jupyter.widget-view+json"
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    cell = next(c for c in nb.cells if c.cell_type == "code" and "widgets.Interact" in c.source)
    [shown] = cell.outputs
    box = state[shown.data[view]["model_id"]]
    children = [state[c.removeprefix("IPY_MODEL_")] for c in box["state"]["children"]]
    assert [c["model_name"] for c in children] == ["FloatSliderModel", "DropdownModel", "OutputModel"]
    slope, act, out = (c["state"] for c in children)
    assert (slope["description"], slope["value"], slope["min"], slope["max"]) == ("slope α", 0.1, 0, 0.5)
    assert act["_options_labels"][act["index"]] == "leaky_relu"
    [plot] = [o for o in out["outputs"] if "image/png" in o.get("data", {})]
    assert plot["data"]["text/plain"].startswith('line plot "leaky_relu (α = 0.10)": 1 series'), plot["data"]["text/plain"]
    png(nbformat.from_dict(plot)).verify()


def test_tensor_value_is_a_table(executed):
    nb = executed["02-activations.ipynb"]
    results = [o for _, _, o in outputs(nb, "execute_result") if "text/html" in o.data]
    assert results, "no tensor table"
    o = results[-1]
    assert o.data["text/plain"].startswith("tensor([[")
    t = tables(o.data["text/html"])
    assert len(t) == 1 and "dataframe" in t[0]["class"]
    rows = t[0]["rows"]
    # header row plus 10 rows of an index and 6 values
    assert len(rows) == 11 and all(len(r) == 7 for r in rows), rows


def test_mlp_summary_counts_parameters(executed):
    nb = executed["01-perceptron-mlp.ipynb"]
    summaries = [o for _, _, o in outputs(nb, "display_data") if "godl-summary" in o.data.get("text/html", "")]
    assert summaries, "no summary table"
    html = summaries[0].data["text/html"]
    assert "203,530" in html and "203,530" in summaries[0].data["text/plain"]
    rows = tables(html)[0]["rows"]
    params = {r[0]: r[3] for r in rows if len(r) >= 4}
    assert params.get("layer1") == "200,960" and params.get("layer2") == "2,570", params
    count = next(o for _, c, o in outputs(nb, "execute_result") if c.source.startswith("nn.NumParams"))
    assert count.data["text/plain"] == "203530"


def printed(nb, prefix):
    """The number after the colon on the first printed line starting prefix."""
    for _, _, o in outputs(nb, "stream"):
        for line in o.text.splitlines():
            if line.startswith(prefix):
                return float(line.split(":")[1].strip().rstrip("%"))
    raise AssertionError(f"no line starting {prefix!r}")


def test_models_learn(executed):
    """The training cells really train: accuracies printed by the notebooks
    are well above chance."""

    assert printed(executed["01-perceptron-mlp.ipynb"], "test accuracy") > 60
    assert printed(executed["03-backprop.ipynb"], "training accuracy") > 90
    assert printed(executed["04-cnn-resnet.ipynb"], "test accuracy") > 60


def test_fashion_mnist_full_data_set(executed):
    """Notebook 07 trains on all 60k images (CI installs the data set, and
    the notebook refuses to run without it): the MLP reaches 88% and the CNN
    91% test accuracy, each epoch's time is printed, the whole test set is
    evaluated in one call, and its confusion matrix is drawn."""
    nb = executed["07-fashion-mnist.ipynb"]
    assert printed(nb, "MLP test accuracy") >= 88.0
    assert printed(nb, "CNN test accuracy") >= 91.0
    epochs = [line for _, _, o in outputs(nb, "stream") for line in o.text.splitlines() if " epoch " in line]
    assert sum(line.startswith("MLP epoch") for line in epochs) == 8, epochs
    assert sum(line.startswith("CNN epoch") for line in epochs) == 5, epochs
    confusion = [o for _, _, o in outputs(nb, "display_data") if "confusion matrix" in o.data.get("text/plain", "")]
    assert len(confusion) == 1
    assert "10000 samples" in confusion[0].data["text/plain"]
    img = png(confusion[0]).convert("RGB")
    # viridis cells: many distinct colours, not a blank frame
    assert len(img.getcolors(maxcolors=1 << 20)) > 50
