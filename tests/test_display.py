"""Display outputs through a real Jupyter client, read back as a user would
see them: the heatmap and the confusion matrix decoded from their PNGs and
checked for colour, a live curve across cells (each cell's output keeps
its own display id, so no earlier cell is rewritten), Track around a
loader, and a log axis with nothing to show failing with a clear error."""
from __future__ import annotations

import base64
import io

from PIL import Image

from faults_helpers import ok
from pixels import VIRIDIS_MAX, VIRIDIS_MIN, cell_color, cells_box, check_confusion_colours, luminance, near


def png_of(content: dict) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(content["data"]["image/png"]))).convert("RGBA")


def test_heatmap_of_a_gradient_draws_its_colours(k):
    r = ok(k, 'display.Heatmap("gradient", dl.Arange(0, 48, 1).Reshape(6, 8))')
    shown = r.of("display_data")
    assert len(shown) == 1 and "image/png" in shown[0]["data"], r.describe()
    img = png_of(shown[0])
    box = cells_box(img)
    colors = [cell_color(img, box, i // 8, i % 8, 6, 8) for i in range(48)]
    assert all(c[3] == 255 for c in colors), "transparent cells"
    assert len(set(colors)) >= 40, f"{len(set(colors))} distinct colours for 48 values"
    lum = [luminance(c) for c in colors]
    assert all(b >= a - 0.002 for a, b in zip(lum, lum[1:])), "cells do not get lighter with the value"
    assert near(colors[0], VIRIDIS_MIN) and near(colors[-1], VIRIDIS_MAX), (colors[0], colors[-1])
    assert "heatmap \"gradient\": 6×8, min 0, max 47" in shown[0]["data"]["text/plain"]


def test_confusion_matrix_counts_and_colours(k):
    r = ok(
        k,
        "actual := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}\n"
        "predicted := []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 0}\n"
        'display.Confusion("pets", dl.FromSlice([]float32{0, 0, 0, 1, 1, 1, 1, 2, 2, 0}, 10), actual, '
        '[]string{"cat", "dog", "bird"})\n'
        "_ = predicted",
    )
    shown = r.of("display_data")
    assert len(shown) == 1, r.describe()
    text = shown[0]["data"]["text/plain"]
    assert "10 samples, 3 classes, accuracy 80.0%" in text and "rows: actual, columns: predicted" in text, text
    # rows actual, columns predicted
    want = [[3, 1, 0], [0, 3, 0], [1, 0, 2]]
    table = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in text.splitlines()[3:]}
    assert table == {"cat": want[0], "dog": want[1], "bird": want[2]}, text
    check_confusion_colours(png_of(shown[0]), want)


def test_live_curve_belongs_to_the_cell_that_shows_it(k):
    r = ok(k, 'curve := display.NewCurve("loss")')
    assert not r.of("display_data") and not r.of("update_display_data"), "an empty curve was shown"

    r1 = ok(k, 'curve.Add("train", 0, 1.0)\ncurve.Add("train", 1, 0.5)')
    first = r1.of("display_data")
    assert len(first) == 1, r1.describe()
    id1 = first[0]["transient"]["display_id"]
    assert all(m["transient"]["display_id"] == id1 for m in r1.of("update_display_data"))
    assert "train: 2 points" in (r1.of("update_display_data") or first)[-1]["data"]["text/plain"]

    r2 = ok(k, 'curve.Add("train", 2, 0.25)')
    again = r2.of("display_data")
    assert len(again) == 1, f"the later cell does not show the curve: {r2.describe()}"
    id2 = again[0]["transient"]["display_id"]
    assert id2 != id1, "the later cell reuses the earlier cell's display id, so front ends rewrite it"
    ids = {m.get("transient", {}).get("display_id") for m in r2.of("update_display_data")}
    assert id1 not in ids, "an update went to the earlier cell's output"
    final = (r2.of("update_display_data") or again)[-1]["data"]["text/plain"]
    assert "train: 3 points" in final, final

    # As the value of a cell that shows it live: not drawn twice.
    r3 = ok(k, 'curve.Add("train", 3, 0.125)\ncurve')
    assert len(r3.of("display_data")) == 1, r3.describe()
    assert all("image/png" not in c["data"] for c in r3.of("execute_result")), r3.describe()
    assert "train: 4 points" in r3.result, r3.result


def test_track_around_a_loader(k):
    r = ok(
        k,
        "ds := data.NewTensorDataset(dl.Randn(100, 3), dl.Randn(100, 1))\n"
        "loader := data.NewLoader(ds, 10)\n"
        "seen := 0\n"
        'for xb, yb := range display.Track(loader.All(), loader.Len(), "batch") {\n'
        "\tseen += xb.Shape()[0] + 0*yb.Shape()[0]\n"
        "}\n"
        "seen",
    )
    assert r.result == "100", r.describe()
    bars = r.of("display_data") + r.of("update_display_data")
    assert bars and "100%" in bars[-1]["data"]["text/plain"] and "10/10" in bars[-1]["data"]["text/plain"], r.describe()


def test_log_axis_with_nothing_positive_is_a_clear_error(k):
    r = k.execute('display.Lines("loss", nil, display.Series{"train", []float64{0, 0}}, display.LogY())')
    assert r.status == "error", r.describe()
    err = r.error_text()
    assert "LogY needs a positive value" in err and '"train"' in err, err
    ok(k, 'fmt.Println("still fine")')
