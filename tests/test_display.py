"""Display outputs through a real Jupyter client, read back as a user would
see them: the heatmap and the confusion matrix decoded from their PNGs and
checked for colour, a live curve across cells (each cell's output keeps
its own display id, so no earlier cell is rewritten), Track around a
loader, and a log axis with nothing to show failing with a clear error."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from faults_helpers import Kernel

# The ends of the viridis scale (matplotlib's), the heatmaps' colours.
VIRIDIS_MIN = (0x44, 0x01, 0x54)
VIRIDIS_MAX = (0xFD, 0xE7, 0x25)


@pytest.fixture(scope="module")
def k(tmp_path_factory):
    kern = Kernel(tmp_path_factory.mktemp("display") / "kernel.log")
    try:
        yield kern
    finally:
        kern.shutdown()


def ok(k: Kernel, code: str):
    r = k.execute(code)
    assert r.reply["content"]["status"] == "ok", r.describe()
    return r


def png_of(content: dict) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(content["data"]["image/png"]))).convert("RGBA")


def luminance(c) -> float:
    def lin(v):
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def saturated(c) -> bool:
    """Not white, black or grey: a cell colour rather than text or axes."""
    return c[3] == 255 and max(c[:3]) - min(c[:3]) > 40


def cells_box(img: Image.Image) -> tuple[int, int, int, int]:
    """The heatmap's cells: the widest span of columns rich in saturated
    colours (the colour bar is the narrow span right of it), and the rows
    of saturated colour within it."""
    w, h = img.size
    px = img.load()
    counts = [sum(saturated(px[x, y]) for y in range(0, h, 2)) for x in range(w)]
    spans, start = [], None
    for x in range(w + 1):
        if x < w and counts[x] > 20:
            start = x if start is None else start
        elif start is not None:
            if spans and start - spans[-1][1] < 4:  # a blended cell boundary
                spans[-1] = (spans[-1][0], x)
            else:
                spans.append((start, x))
            start = None
    assert len(spans) >= 2, f"no heatmap cells and colour bar in the image: spans {spans}"
    x0, x1 = max(spans, key=lambda s: s[1] - s[0])
    rows = [y for y in range(h) if sum(saturated(px[x, y]) for x in range(x0, x1, 3)) > (x1 - x0) / 12]
    return x0, rows[0], x1, rows[-1] + 1


def cell_color(img: Image.Image, box, r: int, c: int, rows: int, cols: int):
    """A cell's colour, sampled off-centre, away from its written value."""
    x0, y0, x1, y1 = box
    return img.getpixel((x0 + int((c + 0.25) * (x1 - x0) / cols), y0 + int((r + 0.25) * (y1 - y0) / rows)))


def near(a, b, tol=12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a[:3], b[:3]))


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
    img = png_of(shown[0])
    box = cells_box(img)
    lum = {(i, j): luminance(cell_color(img, box, i, j, 3, 3)) for i in range(3) for j in range(3)}
    # The colour follows the count: 3 brightest, 0 darkest, in order.
    order = sorted(lum, key=lambda ij: want[ij[0]][ij[1]])
    assert all(lum[a] <= lum[b] + 0.002 for a, b in zip(order, order[1:])), (lum, want)
    assert lum[(2, 0)] > lum[(0, 2)] + 0.02, "actual bird predicted cat (1) is no lighter than actual cat predicted bird (0)"


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
