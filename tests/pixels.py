"""Reading heatmaps back from their pixels (PNG outputs, screenshots): where
the cells are and what colour each one has. Pillow images, RGBA."""
from __future__ import annotations

from PIL import Image

# The ends of the viridis scale (matplotlib's), the heatmaps' colours.
VIRIDIS_MIN = (0x44, 0x01, 0x54)
VIRIDIS_MAX = (0xFD, 0xE7, 0x25)


def luminance(c) -> float:
    """Relative luminance (WCAG 2) of an RGB(A) tuple, 0 black to 1 white."""

    def lin(v):
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def saturated(c) -> bool:
    """Not white, black or grey: a cell colour rather than text or axes."""
    return (len(c) < 4 or c[3] == 255) and max(c[:3]) - min(c[:3]) > 40


def near(a, b, tol=12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a[:3], b[:3]))


def cells_box(img: Image.Image) -> tuple[int, int, int, int]:
    """The heatmap's cells (x0, y0, x1, y1): the widest span of columns rich
    in saturated colours (the colour bar is the narrow span right of it),
    and the rows of saturated colour within it."""
    w, h = img.size
    px = img.load()
    counts = [sum(saturated(px[x, y]) for y in range(0, h, 2)) for x in range(w)]
    spans, start = [], None
    for x in range(w + 1):
        if x < w and counts[x] > min(20, h // 20):
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
    assert rows, "no rows of cells"
    return x0, rows[0], x1, rows[-1] + 1


def cell_color(img: Image.Image, box, r: int, c: int, rows: int, cols: int):
    """A cell's colour, sampled off-centre, away from its written value."""
    x0, y0, x1, y1 = box
    return img.getpixel((x0 + int((c + 0.25) * (x1 - x0) / cols), y0 + int((r + 0.25) * (y1 - y0) / rows)))


def check_confusion_colours(img: Image.Image, counts: list[list[int]]) -> None:
    """The cells of a confusion matrix image get lighter with their counts:
    rows actual, columns predicted, the largest count yellow, 0 purple."""
    k = len(counts)
    box = cells_box(img)
    colors = {(i, j): cell_color(img, box, i, j, k, k) for i in range(k) for j in range(k)}
    lum = {ij: luminance(c) for ij, c in colors.items()}
    order = sorted(lum, key=lambda ij: counts[ij[0]][ij[1]])
    for a, b in zip(order, order[1:]):
        if counts[a[0]][a[1]] < counts[b[0]][b[1]]:
            assert lum[a] + 0.01 < lum[b], f"cell {a} ({counts[a[0]][a[1]]}) is not darker than {b} ({counts[b[0]][b[1]]}): {colors}"
    top = max(colors, key=lambda ij: counts[ij[0]][ij[1]])
    low = min(colors, key=lambda ij: counts[ij[0]][ij[1]])
    assert near(colors[top], VIRIDIS_MAX, 20) and near(colors[low], VIRIDIS_MIN, 20), colors
