package display

// Helpers that read pictures back: decode the PNG (or the rasters and
// paths of an SVG) and find where the data went, so tests check what a
// reader would see, not only that a bundle has the right MIME types.

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// decodePNG decodes the bundle's PNG into RGBA pixels.
func decodePNG(t *testing.T, data map[string]any) *image.RGBA {
	t.Helper()
	raw, ok := data[MIMEPNG].([]byte)
	if !ok {
		t.Fatalf("no image/png []byte in bundle (keys %v)", keys(data))
	}
	return decodePNGBytes(t, raw)
}

func decodePNGBytes(t *testing.T, raw []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// near reports whether a and b differ by at most tol in every channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) int { return max(int(x)-int(y), int(y)-int(x)) }
	return d(a.R, b.R) <= tol && d(a.G, b.G) <= tol && d(a.B, b.B) <= tol && d(a.A, b.A) <= tol
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// viridisLike reports whether c is (close to) a colour of the heatmap
// scale, and not grey, white or black text.
func viridisLike(c color.RGBA) bool {
	if v, ok := viridisSeen.Load(c); ok {
		return v.(bool)
	}
	like := false
	for i := range 64 {
		if near(c, viridis(float64(i)/63), 10) {
			like = true
			break
		}
	}
	viridisSeen.Store(c, like)
	return like
}

// viridisSeen caches viridisLike: a plot has few distinct colours.
var viridisSeen sync.Map

// run is a span [lo, hi) of pixel indices.
type run struct{ lo, hi int }

func (r run) len() int { return r.hi - r.lo }

// runs returns the spans of indices where ok holds, in order.
func runs(n int, ok func(i int) bool) []run {
	var rs []run
	start := -1
	for i := 0; i <= n; i++ {
		if i < n && ok(i) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			rs = append(rs, run{start, i})
			start = -1
		}
	}
	return rs
}

// mergeRuns joins spans less than gap apart: a boundary between two
// cells blends their colours into one that matches neither.
func mergeRuns(rs []run, gap int) []run {
	var out []run
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo-out[n-1].hi < gap {
			out[n-1].hi = r.hi
			continue
		}
		out = append(out, r)
	}
	return out
}

// colorBox finds the spans of columns that hold at least minCount pixels
// matching is, and within the widest such span the rows that do.
func colorBox(img *image.RGBA, is func(color.RGBA) bool, minCount int) (cols []run, box image.Rectangle) {
	b := img.Bounds()
	count := make([]int, b.Dx())
	for x := range b.Dx() {
		for y := range b.Dy() {
			if is(img.RGBAAt(x, y)) {
				count[x]++
			}
		}
	}
	cols = mergeRuns(runs(b.Dx(), func(x int) bool { return count[x] >= minCount }), 4)
	if len(cols) == 0 {
		return nil, image.Rectangle{}
	}
	widest := cols[0]
	for _, r := range cols {
		if r.len() > widest.len() {
			widest = r
		}
	}
	rowCount := make([]int, b.Dy())
	for y := range b.Dy() {
		for x := widest.lo; x < widest.hi; x++ {
			if is(img.RGBAAt(x, y)) {
				rowCount[y]++
			}
		}
	}
	rows := mergeRuns(runs(b.Dy(), func(y int) bool { return rowCount[y] >= widest.len()/4 }), 4)
	tallest := run{}
	for _, r := range rows {
		if r.len() > tallest.len() {
			tallest = r
		}
	}
	return cols, image.Rect(widest.lo, tallest.lo, widest.hi, tallest.hi)
}

// trackCurve follows a line of colour c across the image from left to
// right: in each column, the mean row of the run of c-coloured pixels
// nearest the previous column's (a legend's sample line elsewhere in the
// column is ignored). It returns the column of the first point and the
// mean rows from there on, NaN where the column has none.
func trackCurve(img *image.RGBA, c color.RGBA, tol int) (x0 int, ys []float64) {
	b := img.Bounds()
	prev := math.NaN()
	x0 = -1
	for x := range b.Dx() {
		rs := runs(b.Dy(), func(y int) bool { return near(img.RGBAAt(x, y), c, tol) })
		if len(rs) == 0 {
			if x0 >= 0 {
				ys = append(ys, math.NaN())
			}
			continue
		}
		if x0 < 0 {
			if len(rs) != 1 {
				continue // start where the line is alone in its column
			}
			x0 = x
		}
		best := rs[0]
		if !math.IsNaN(prev) {
			for _, r := range rs {
				if math.Abs(float64(r.lo+r.hi)/2-prev) < math.Abs(float64(best.lo+best.hi)/2-prev) {
					best = r
				}
			}
		}
		prev = float64(best.lo+best.hi-1) / 2
		ys = append(ys, prev)
	}
	// Trailing columns without the line are not part of it.
	for len(ys) > 0 && math.IsNaN(ys[len(ys)-1]) {
		ys = ys[:len(ys)-1]
	}
	return x0, ys
}

// checkFollows checks that a tracked line has the shape of f over
// [xmin, xmax]: the first and last tracked columns are xmin and xmax,
// the extreme rows are f's extremes, and every column in between lies
// within tol pixels of f there.
func checkFollows(t *testing.T, name string, ys []float64, f func(float64) float64, xmin, xmax float64, tol float64) {
	t.Helper()
	if len(ys) < 100 {
		t.Fatalf("%s: the line spans %d columns, want a curve across the plot", name, len(ys))
	}
	top, bottom := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		if !math.IsNaN(y) {
			top, bottom = math.Min(top, y), math.Max(bottom, y)
		}
	}
	fmax, fmin := math.Inf(-1), math.Inf(1)
	for i := range 1001 {
		v := f(xmin + (xmax-xmin)*float64(i)/1000)
		fmax, fmin = math.Max(fmax, v), math.Min(fmin, v)
	}
	worst, missing := 0.0, 0
	for i, y := range ys {
		if math.IsNaN(y) {
			missing++
			continue
		}
		x := xmin + (xmax-xmin)*float64(i)/float64(len(ys)-1)
		want := top + (fmax-f(x))/(fmax-fmin)*(bottom-top)
		worst = math.Max(worst, math.Abs(y-want))
	}
	if worst > tol {
		t.Errorf("%s: the line is %.1f px from the curve at worst, want ≤ %.1f", name, worst, tol)
	}
	if missing > len(ys)/50 {
		t.Errorf("%s: %d of %d columns lack the line", name, missing, len(ys))
	}
}

// svgImages decodes the PNG rasters embedded in an SVG, in order.
func svgImages(t *testing.T, svg string) []*image.RGBA {
	t.Helper()
	var out []*image.RGBA
	for _, m := range regexp.MustCompile(`xlink:href="data:image/[a-z]+;base64,([^"]+)"`).FindAllStringSubmatch(svg, -1) {
		raw, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatalf("embedded image: %v", err)
		}
		out = append(out, decodePNGBytes(t, raw))
	}
	return out
}

// svgTexts returns the content of every <text> element.
func svgTexts(t *testing.T, svg string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var texts []string
	in := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return texts
		}
		if err != nil {
			t.Fatalf("SVG: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			in = e.Name.Local == "text"
			if in {
				texts = append(texts, "")
			}
		case xml.CharData:
			if in {
				texts[len(texts)-1] += string(e)
			}
		case xml.EndElement:
			in = false
		}
	}
}

// svgPaths returns the points of every path stroked in colour hex
// (upper case, "#1F77B4"), in SVG units, y up as drawn.
func svgPaths(t *testing.T, svg, hex string) [][][2]float64 {
	t.Helper()
	var out [][][2]float64
	re := regexp.MustCompile(`<path d="([^"]+)" style="[^"]*stroke:` + hex + `[;"]`)
	num := regexp.MustCompile(`[ML](-?[0-9.e+-]+),(-?[0-9.e+-]+)`)
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		var pts [][2]float64
		for _, p := range num.FindAllStringSubmatch(m[1], -1) {
			x, err1 := strconv.ParseFloat(p[1], 64)
			y, err2 := strconv.ParseFloat(p[2], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("path point %q", p[0])
			}
			pts = append(pts, [2]float64{x, y})
		}
		out = append(out, pts)
	}
	return out
}
