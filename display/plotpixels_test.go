package display

import (
	"image"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// Each series' pixels follow its curve: sin and cos over [0, 4.7] (the
// legend sits top right, away from both).
func TestLinesPixelsFollowTheCurves(t *testing.T) {
	n := 200
	x := make([]float64, n)
	s, c := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 4.7 * float64(i) / float64(n-1)
		s[i], c[i] = math.Sin(x[i]), math.Cos(x[i])
	}
	data, _ := LinesBundle("trig", x, Series{"sin", s}, Series{"cos", dl.FromSlice(toF32(c), n)})
	img := decodePNG(t, data)
	for i, f := range []func(float64) float64{math.Sin, math.Cos} {
		_, ys := trackCurve(img, palette[i], 40)
		checkFollows(t, []string{"sin", "cos"}[i], ys, f, 0, 4.7, 3)
	}
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// The SVG line is a path through the data points, in the series colour.
func TestLinesSVGPath(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	y := []float64{0, 1, 4, 9, 16}
	data, _ := LinesBundle("squares", x, Series{"y", y}, AsSVG())
	paths := svgPaths(t, data[MIMESVG].(string), "#1F77B4")
	var line [][2]float64
	for _, p := range paths {
		if len(p) > len(line) {
			line = p
		}
	}
	if len(line) != 5 {
		t.Fatalf("longest blue path has %d points, want 5 (paths %v)", len(line), paths)
	}
	// Affine in x and y: equal steps in x, y steps in the ratio 1:3:5:7.
	dx0 := line[1][0] - line[0][0]
	dy0 := line[1][1] - line[0][1]
	for i := 1; i < 5; i++ {
		dx := line[i][0] - line[i-1][0]
		dy := line[i][1] - line[i-1][1]
		if math.Abs(dx-dx0) > 0.01 || math.Abs(dy-float64(2*i-1)*dy0) > 0.02*math.Abs(dy0)*float64(2*i-1) {
			t.Errorf("segment %d is (%.2f, %.2f), want (%.2f, %.2f)", i, dx, dy, dx0, float64(2*i-1)*dy0)
		}
	}
}

// blobs are the connected groups of pixels where is holds; their
// centroids, bounding boxes.
type blob struct {
	cx, cy float64
	box    image.Rectangle
}

func findBlobs(img *image.RGBA, is func(color.RGBA) bool) []blob {
	b := img.Bounds()
	seen := make([]bool, b.Dx()*b.Dy())
	var out []blob
	for y := range b.Dy() {
		for x := range b.Dx() {
			if seen[y*b.Dx()+x] || !is(img.RGBAAt(x, y)) {
				continue
			}
			stack := []image.Point{{x, y}}
			seen[y*b.Dx()+x] = true
			var sx, sy, n float64
			box := image.Rect(x, y, x+1, y+1)
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				sx, sy, n = sx+float64(p.X), sy+float64(p.Y), n+1
				box = box.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
				for _, d := range []image.Point{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					q := p.Add(d)
					if q.In(b) && !seen[q.Y*b.Dx()+q.X] && is(img.RGBAAt(q.X, q.Y)) {
						seen[q.Y*b.Dx()+q.X] = true
						stack = append(stack, q)
					}
				}
			}
			out = append(out, blob{sx / n, sy / n, box})
		}
	}
	return out
}

// Each scatter point is a dot where its data puts it.
func TestScatterPixels(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6}
	y := []float64{16, 9, 4, 1, 0, 1, 4} // top right stays free for the legend
	data, _ := ScatterBundle("parabola", x, Series{"p", y})
	img := decodePNG(t, data)
	blue := func(c color.RGBA) bool { return near(c, palette[0], 60) }
	var dots []blob
	for _, b := range findBlobs(img, blue) {
		// The legend's sample dot sits in the top right corner.
		if b.cx > 0.75*float64(img.Bounds().Dx()) && b.cy < 0.2*float64(img.Bounds().Dy()) {
			continue
		}
		dots = append(dots, b)
	}
	if len(dots) != 7 {
		t.Fatalf("%d dots, want 7: %v", len(dots), dots)
	}
	slices.SortFunc(dots, func(a, b blob) int { return int(a.cx - b.cx) })
	left, right := dots[0].cx, dots[6].cx
	top, bottom := dots[0].cy, dots[4].cy // y = 16 and y = 0
	for i, d := range dots {
		wantX := left + (right-left)*x[i]/6
		wantY := bottom + (top-bottom)*y[i]/16
		if math.Abs(d.cx-wantX) > 1.5 || math.Abs(d.cy-wantY) > 1.5 {
			t.Errorf("point %d at (%.1f, %.1f), want (%.1f, %.1f)", i, d.cx, d.cy, wantX, wantY)
		}
		if w := d.box.Dx(); w < 6 || w > 16 {
			t.Errorf("point %d is %d px wide, want a dot of about 11", i, w)
		}
	}
}

// Histogram bars are as tall as their counts, in order.
func TestHistogramPixels(t *testing.T) {
	var vs []float64
	for k := range 5 {
		for range 10 * (k + 1) {
			vs = append(vs, float64(k)+0.5)
		}
	}
	data, _ := HistogramBundle("counts", vs, Bins(5))
	img := decodePNG(t, data)
	blue := func(c color.RGBA) bool { return near(c, palette[0], 8) }
	b := img.Bounds()
	count := make([]int, b.Dx())
	for x := range b.Dx() {
		for y := range b.Dy() {
			if blue(img.RGBAAt(x, y)) {
				count[x]++
			}
		}
	}
	bars := runs(b.Dx(), func(x int) bool { return count[x] > 0 })
	if len(bars) != 5 {
		t.Fatalf("%d bars, want 5: %v", len(bars), bars)
	}
	tallest := count[(bars[4].lo+bars[4].hi)/2]
	for k, bar := range bars {
		h := count[(bar.lo+bar.hi)/2]
		want := float64(tallest) * float64(k+1) / 5
		if math.Abs(float64(h)-want) > 0.02*float64(tallest) {
			t.Errorf("bar %d is %d px tall, want %.0f (count %d of 50)", k, h, want, 10*(k+1))
		}
	}
}

// A live curve's final picture has every point; its step axis ticks
// whole numbers.
func TestCurvePixelsAndIntegerSteps(t *testing.T) {
	rec := record(t)
	useFakeClock(t)
	cv := NewCurve("loss")
	// Gentle enough that a column's mean row is the curve's value there;
	// low at the right, where the legend is.
	f := func(step float64) float64 { return -math.Cos(step / 50) }
	for step := range 300 {
		cv.Add("train", step, f(float64(step)))
	}
	cv.Finish()
	last := rec.last(t)
	data := map[string]any{}
	for k, v := range last.Data {
		data[string(k)] = v
	}
	img := decodePNG(t, data)
	_, ys := trackCurve(img, palette[0], 40)
	checkFollows(t, "loss", ys, f, 0, 299, 3)

	svgData, _ := cv.svgForTest()
	texts := svgTexts(t, svgData)
	decimal := regexp.MustCompile(`^-?\d+\.\d+$`)
	var steps []string
	for _, s := range texts {
		if decimal.MatchString(s) {
			continue // the loss axis
		}
		if regexp.MustCompile(`^\d+$`).MatchString(s) {
			steps = append(steps, s)
		}
	}
	if len(steps) < 2 || !slices.Contains(steps, "0") {
		t.Errorf("step axis labels %q (all texts %q), want whole numbers from 0", steps, texts)
	}
	for _, s := range texts {
		if strings.HasSuffix(s, ".00") || strings.HasSuffix(s, ".50") {
			t.Errorf("tick label %q has needless decimals", s)
		}
	}
}

// svgForTest renders the curve as SVG, as AsSVG would.
func (c *Curve) svgForTest() (string, map[string]any) {
	old := c.opts
	c.opts = append(slices.Clone(old), AsSVG())
	defer func() { c.opts = old }()
	data, md := c.bundle()
	return data[MIMESVG].(string), md
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		integer  bool
		min, max float64
		want     []string
	}{
		{true, 0, 500, []string{"0", "250", "500"}}, // was 0.00 250.00 500.00
		{true, 0, 3, []string{"0", "1", "2", "3"}},
		{true, 0, 1, []string{"0", "1"}},
		{true, 0, 0.5, []string{"0"}},
		{false, 0, 500, []string{"0", "250", "500"}},
		{false, 0, 1, []string{"0.0", "0.5", "1.0"}}, // one precision per axis, as matplotlib
		{false, 0.1, 0.35, []string{"0.1", "0.2", "0.3"}},
	} {
		var got []string
		for _, tk := range (niceTicks{integer: tc.integer}).Ticks(tc.min, tc.max) {
			if !tk.IsMinor() {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ticks(%v, %g, %g) = %q, want %q", tc.integer, tc.min, tc.max, got, tc.want)
		}
	}
}

// Captions are written under their tiles in their colours, and wrap.
func TestImagesCaptionPixels(t *testing.T) {
	red, green := color.RGBA{200, 0, 0, 255}, color.RGBA{0, 128, 0, 255}
	caps := []string{"pred shirt / true coat", "pred bag / true bag", "pred coat / true shirt", "pred dress / true dress"}
	colors := []color.Color{red, green, red, green}
	x := dl.FromSlice(ramp(4*8*8), 4, 8, 8)
	data, md := ImagesBundle("mistakes", x, Captions(caps...), CaptionColors(colors...), Columns(2), Size(300, 0))
	img := decodePNG(t, data)
	size := md[MIMEPNG].(map[string]int)
	_, plainMD := ImagesBundle("mistakes", x, Columns(2), Size(300, 0))
	if psize := plainMD[MIMEPNG].(map[string]int); size["height"] <= psize["height"] {
		t.Errorf("captioned grid %v is no taller than the plain one %v", size, psize)
	}
	// Each tile's rows, found by its gray pixels in its centre column;
	// below each, ink of its caption's colour and none of the other.
	gray := func(c color.RGBA) bool { return c.R == c.G && c.G == c.B && c.R < 250 }
	for k := range 4 {
		cx := 2*(k%2)*(72+tileGap) + 72 // tiles are 72 px wide (the captioned minimum)
		tiles := mergeRuns(runs(img.Bounds().Dy(), func(y int) bool { return gray(img.RGBAAt(cx, y)) }), 6)
		if len(tiles) != 2 {
			t.Fatalf("column %d crosses %d tiles, want 2: %v", cx, len(tiles), tiles)
		}
		bottom := tiles[k/2].hi
		var nRed, nGreen int
		for y := bottom; y < min(bottom+2*captionLine*3, img.Bounds().Dy()); y++ {
			for x := cx - 72; x < cx+72; x++ {
				switch c := img.RGBAAt(x, y); {
				case near(c, red, 40):
					nRed++
				case near(c, green, 40):
					nGreen++
				}
			}
		}
		wantRed := colors[k] == red
		if (wantRed && (nRed < 30 || nGreen > 0)) || (!wantRed && (nGreen < 30 || nRed > 0)) {
			t.Errorf("caption %d (%q): %d red and %d green pixels below its tile", k, caps[k], nRed, nGreen)
		}
	}
	if text := data[MIMEText].(string); !strings.Contains(text, "pred shirt / true coat; pred bag / true bag") {
		t.Errorf("text %q lacks the captions", text)
	}
	for name, opts := range map[string][]PlotOption{
		"count":  {Captions("one")},
		"colors": {Captions(caps...), CaptionColors(red)},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			ImagesBundle("bad", x, opts...)
		}()
	}
}
