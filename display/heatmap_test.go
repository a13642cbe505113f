package display

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// heatmapCells finds the cells and the colour bar of a heatmap PNG: the
// widest span of columns holding scale colours is the cells, the last
// (narrow) one the bar.
func heatmapCells(t *testing.T, img *image.RGBA) (cells image.Rectangle, bar run) {
	t.Helper()
	cols, box := colorBox(img, viridisLike, 20)
	if len(cols) < 2 || box.Dx() < 100 || box.Dy() < 100 {
		t.Fatalf("no heatmap cells and colour bar in the image: column spans %v, cells %v", cols, box)
	}
	bar = cols[len(cols)-1]
	if bar.lo <= box.Max.X || bar.len() > 60 {
		t.Fatalf("no colour bar right of the cells %v: spans %v", box, cols)
	}
	return box, bar
}

// checkCellColors checks that every cell, sampled off-centre (away from
// its written value), has the scale colour of its value.
func checkCellColors(t *testing.T, img *image.RGBA, box image.Rectangle, m [][]float64, lo, hi float64) {
	t.Helper()
	rows, cols := len(m), len(m[0])
	bad := 0
	for r := range rows {
		for c := range cols {
			x := box.Min.X + int((float64(c)+0.25)*float64(box.Dx())/float64(cols))
			y := box.Min.Y + int((float64(r)+0.25)*float64(box.Dy())/float64(rows))
			got := img.RGBAAt(x, y)
			want := viridis((m[r][c] - lo) / (hi - lo))
			if math.IsNaN(m[r][c]) {
				want = nanColor
			}
			if !near(got, want, 6) {
				if bad++; bad <= 5 {
					t.Errorf("cell (%d, %d) = %g is %v, want %v", r, c, m[r][c], got, want)
				}
			}
		}
	}
}

func gradient(rows, cols int) [][]float64 {
	m := make([][]float64, rows)
	for r := range m {
		m[r] = make([]float64, cols)
		for c := range m[r] {
			m[r][c] = float64(r*cols + c)
		}
	}
	return m
}

// A gradient shows as distinct colours in value order, row 0 at the top,
// with a colour bar from the minimum (bottom) to the maximum (top), and
// values written legibly on dark and light cells.
func TestHeatmapGradientPixels(t *testing.T) {
	m := gradient(6, 8)
	data, md := HeatmapBundle("gradient", m)
	checkPNG(t, data, md, 600, 400)
	img := decodePNG(t, data)
	box, bar := heatmapCells(t, img)
	checkCellColors(t, img, box, m, 0, 47)

	// ≥ 40 distinct colours, luminance rising with the value.
	var seen []color.RGBA
	prevLum := -1.0
	for r := range 6 {
		for c := range 8 {
			px := img.RGBAAt(box.Min.X+(2*c+1)*box.Dx()/16-box.Dx()/40, box.Min.Y+(4*r+1)*box.Dy()/24)
			if !slices.Contains(seen, px) {
				seen = append(seen, px)
			}
			if l := luminance(px); l < prevLum-0.002 {
				t.Errorf("cell (%d, %d) is darker than the one before: luminance %.3f < %.3f", r, c, l, prevLum)
			} else {
				prevLum = l
			}
		}
	}
	if len(seen) < 40 {
		t.Errorf("%d distinct colours for 48 values, want ≥ 40", len(seen))
	}

	// The colour bar: yellow at the top, dark purple at the bottom,
	// lighter upwards.
	x := (bar.lo + bar.hi) / 2
	col := runs(img.Bounds().Dy(), func(y int) bool { return viridisLike(img.RGBAAt(x, y)) })
	if len(col) != 1 {
		t.Fatalf("colour bar column spans %v", col)
	}
	top, bottom := img.RGBAAt(x, col[0].lo+2), img.RGBAAt(x, col[0].hi-3)
	if !near(top, viridis(1), 12) || !near(bottom, viridis(0), 12) {
		t.Errorf("colour bar runs from %v (bottom) to %v (top), want %v to %v", bottom, top, viridis(0), viridis(1))
	}
	for y := col[0].lo + 4; y < col[0].hi-4; y += 4 {
		if luminance(img.RGBAAt(x, y)) < luminance(img.RGBAAt(x, y+4))-0.002 {
			t.Fatalf("colour bar gets darker upwards at row %d", y)
		}
	}

	// Values are written in contrasting ink: light on the darkest cell,
	// dark on the lightest.
	ink := func(r, c int, want func(color.RGBA) bool) int {
		n := 0
		cw, ch := box.Dx()/8, box.Dy()/6
		for y := box.Min.Y + r*ch + ch/4; y < box.Min.Y+(r+1)*ch-ch/4; y++ {
			for x := box.Min.X + c*cw + cw/4; x < box.Min.X+(c+1)*cw-cw/4; x++ {
				if want(img.RGBAAt(x, y)) {
					n++
				}
			}
		}
		return n
	}
	if n := ink(0, 0, func(c color.RGBA) bool { return luminance(c) > 0.7 }); n < 20 {
		t.Errorf("the darkest cell has %d light text pixels, want its value written in white", n)
	}
	if n := ink(5, 7, func(c color.RGBA) bool { return luminance(c) < 0.05 }); n < 20 {
		t.Errorf("the lightest cell has %d dark text pixels, want its value written in black", n)
	}
}

// Every input form draws its values: a random tensor, a float32 tensor
// read as a matrix, [][]float64, [][]int; NaN cells are grey.
func TestHeatmapInputsDraw(t *testing.T) {
	dl.Seed(3)
	r := dl.Rand(10, 10)
	rv := r.Data()
	rm := make([][]float64, 10)
	for i := range rm {
		rm[i] = make([]float64, 10)
		for j := range rm[i] {
			rm[i][j] = float64(rv[i*10+j])
		}
	}
	lo, hi := minMax(mustFloats(rv))
	withNaN := [][]float64{{0, 1, 2}, {3, math.NaN(), 5}}
	for name, tc := range map[string]struct {
		in     any
		m      [][]float64
		lo, hi float64
	}{
		"dl.Rand(10, 10)": {r, rm, lo, hi},
		"[][]float64":     {rm, rm, lo, hi},
		"[][]int":         {[][]int{{0, 5}, {10, 2}}, [][]float64{{0, 5}, {10, 2}}, 0, 10},
		"NaN":             {withNaN, withNaN, 0, 5},
	} {
		t.Run(name, func(t *testing.T) {
			data, _ := HeatmapBundle(name, tc.in)
			img := decodePNG(t, data)
			box, _ := heatmapCells(t, img)
			checkCellColors(t, img, box, tc.m, tc.lo, tc.hi)
		})
	}
}

// The SVG form carries the cells as a raster of the plot area and the
// values, labels and scale as text.
func TestHeatmapSVG(t *testing.T) {
	m := gradient(3, 4)
	data, _ := HeatmapBundle("svg", m, AsSVG(),
		RowLabels("top", "middle", "bottom"), ColLabels("a", "b", "c", "d"))
	svg, ok := data[MIMESVG].(string)
	if !ok {
		t.Fatalf("no SVG in %v", keys(data))
	}
	wellFormedXML(t, svg)
	imgs := svgImages(t, svg)
	if len(imgs) != 2 {
		t.Fatalf("%d embedded images, want the cells and the colour bar", len(imgs))
	}
	cells := imgs[0]
	b := cells.Bounds()
	for r := range 3 {
		for c := range 4 {
			got := cells.RGBAAt((2*c+1)*b.Dx()/8, (2*r+1)*b.Dy()/6)
			if want := viridis(m[r][c] / 11); !near(got, want, 1) {
				t.Errorf("SVG cell (%d, %d) is %v, want %v", r, c, got, want)
			}
		}
	}
	texts := svgTexts(t, svg)
	for _, want := range []string{"svg", "top", "middle", "bottom", "a", "b", "c", "d", "0", "5", "11", "column", "row"} {
		if !slices.Contains(texts, want) {
			t.Errorf("SVG text %q missing (texts %q)", want, texts)
		}
	}
}

// Values are written up to 20×20 cells, not past it; labels of the wrong
// length and empty matrices are refused.
func TestHeatmapValuesAndMisuse(t *testing.T) {
	big := func(n int) [][]float64 {
		m := gradient(n, n)
		for _, r := range m {
			for c := range r {
				r[c] += 1000
			}
		}
		return m
	}
	for n, want := range map[int]bool{20: true, 21: false} {
		data, _ := HeatmapBundle("big", big(n), AsSVG())
		if got := slices.Contains(svgTexts(t, data[MIMESVG].(string)), "1001"); got != want {
			t.Errorf("%d×%d: value 1001 written %v, want %v", n, n, got, want)
		}
	}
	for name, f := range map[string]func(){
		"3-D":        func() { HeatmapBundle("3d", dl.Zeros(2, 2, 2)) },
		"empty":      func() { HeatmapBundle("empty", [][]float64{}) },
		"row labels": func() { HeatmapBundle("l", gradient(2, 2), RowLabels("one")) },
		"ragged":     func() { HeatmapBundle("r", [][]float64{{1, 2}, {3}}) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.HasPrefix(fmt.Sprint(r), "display: ") {
					t.Errorf("%s: recovered %v, want a display error", name, r)
				}
			}()
			f()
		}()
	}
	// A constant matrix draws (one colour), without dividing by zero.
	data, _ := HeatmapBundle("flat", [][]float64{{2, 2}, {2, 2}})
	img := decodePNG(t, data)
	box, _ := heatmapCells(t, img)
	checkCellColors(t, img, box, [][]float64{{0.5, 0.5}, {0.5, 0.5}}, 0, 1)
	if text := data[MIMEText].(string); !strings.Contains(text, "2×2, min 2, max 2") {
		t.Errorf("text %q", text)
	}
}
