package display

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/godl-dev/godl/dl"
)

// checkPNG decodes the bundle's PNG and checks its pixel size is twice the
// metadata size, which must be w×h.
func checkPNG(t *testing.T, data, md map[string]any, w, h int) {
	t.Helper()
	raw, ok := data[MIMEPNG].([]byte)
	if !ok {
		t.Fatalf("no image/png []byte in bundle (keys %v)", keys(data))
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 2*w || b.Dy() != 2*h {
		t.Errorf("PNG is %dx%d pixels, want %dx%d", b.Dx(), b.Dy(), 2*w, 2*h)
	}
	size, ok := md[MIMEPNG].(map[string]int)
	if !ok || size["width"] != w || size["height"] != h {
		t.Errorf("metadata %v, want image/png width %d height %d", md, w, h)
	}
	if s, _ := data[MIMEText].(string); s == "" {
		t.Error("no text/plain fallback")
	}
}

// wellFormedXML reads every token of s.
func wellFormedXML(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	n := 0
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML after %d tokens: %v", n, err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("empty XML")
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func activations() (x []float64, ys map[string][]float64) {
	x = make([]float64, 101)
	ys = map[string][]float64{}
	for i := range x {
		v := -5 + 0.1*float64(i)
		x[i] = v
		ys["relu"] = append(ys["relu"], max(v, 0))
		ys["sigmoid"] = append(ys["sigmoid"], 1/(1+math.Exp(-v)))
		ys["tanh"] = append(ys["tanh"], math.Tanh(v))
	}
	return x, ys
}

func TestLinesPNG(t *testing.T) {
	x, ys := activations()
	data, md := LinesBundle("activations", x, ys, XLabel("x"), YLabel("f(x)"))
	checkPNG(t, data, md, 600, 400)
	text := data[MIMEText].(string)
	if !strings.Contains(text, "3 series (relu, sigmoid, tanh)") || !strings.Contains(text, "101 points") {
		t.Errorf("text fallback %q does not list the sorted series", text)
	}
}

func TestLinesSeriesFormsAndSize(t *testing.T) {
	x32 := []float32{0, 1, 2, 3}
	data, md := LinesBundle("forms", x32,
		Series{"a", []float32{1, 2, 3, 4}},
		[]Series{{"b", []int{4, 3, 2, 1}}},
		[]float64{0, 0, 1, 1},
		Size(300, 200))
	checkPNG(t, data, md, 300, 200)
	if text := data[MIMEText].(string); !strings.Contains(text, "(a, b, y3)") {
		t.Errorf("text %q: want series a, b, y3 in order", text)
	}
}

func TestLinesSVG(t *testing.T) {
	x, ys := activations()
	data, _ := LinesBundle("svg", x, ys, AsSVG())
	s, ok := data[MIMESVG].(string)
	if !ok {
		t.Fatalf("no SVG in %v", keys(data))
	}
	if _, png := data[MIMEPNG]; png {
		t.Error("AsSVG bundle also has a PNG")
	}
	wellFormedXML(t, s)
	if !strings.Contains(s, "<svg") {
		t.Error("SVG has no <svg> element")
	}
}

func TestLinesMisuse(t *testing.T) {
	for name, f := range map[string]func(){
		"length": func() { LinesBundle("", []float64{1, 2}, []float64{1, 2, 3}) },
		"type":   func() { LinesBundle("", nil, "not numbers") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestScatterAndHistogram(t *testing.T) {
	data, md := ScatterBundle("points", []float64{1, 2, 3}, Series{"p", []float64{3, 1, 2}})
	checkPNG(t, data, md, 600, 400)
	vs := make([]float32, 1000)
	for i := range vs {
		vs[i] = float32(math.Sin(float64(i)))
	}
	data, md = HistogramBundle("sin", vs, Bins(20))
	checkPNG(t, data, md, 600, 400)
	if text := data[MIMEText].(string); !strings.Contains(text, "1000 values, 20 bins") {
		t.Errorf("histogram text %q", text)
	}
}

func TestLinesPublishes(t *testing.T) {
	rec := record(t)
	Lines("one", nil, []float64{1, 2, 3})
	m := rec.last(t)
	if _, ok := m.Data[MIMEPNG]; !ok || m.DisplayID != "" {
		t.Errorf("Lines sent %v with display id %q", m.Data, m.DisplayID)
	}
}

func TestLinesOfTensors(t *testing.T) {
	x := dl.Linspace(-5, 5, 100)
	data, md := LinesBundle("activations", x, map[string]*dl.Tensor{
		"relu": dl.ReLU(x), "sigmoid": dl.Sigmoid(x), "tanh": dl.Tanh(x),
		"gelu": dl.GELU(x), "leaky": dl.LeakyReLU(x, 0.1),
	})
	checkPNG(t, data, md, 600, 400)
	if text := data[MIMEText].(string); !strings.Contains(text, "5 series (gelu, leaky, relu, sigmoid, tanh), 100 points") {
		t.Errorf("text %q", text)
	}
}

// A log-scale curve with one point must draw: the plot package pads a
// single-valued range by ±1, which crosses zero.
func TestLogYSinglePoint(t *testing.T) {
	data, _ := LinesBundle("one point", []float64{0}, Series{Name: "loss", Y: []float64{0.3}}, LogY())
	if _, ok := data[MIMEPNG].([]byte); !ok {
		t.Fatalf("no PNG in %v", data)
	}
}

// A log axis leaves out values at or below zero (as matplotlib masks
// them) and refuses, by name, a plot with no positive value at all.
func TestLogYNonPositive(t *testing.T) {
	data, _ := LinesBundle("zero", []float64{0, 1, 2}, Series{Name: "loss", Y: []float64{0, 1, 0.5}}, LogY())
	if _, ok := data[MIMEPNG].([]byte); !ok {
		t.Fatalf("a log plot with one value at zero did not draw: %v", keys(data))
	}
	for name, f := range map[string]func(){
		"all zero": func() { LinesBundle("zero", nil, Series{Name: "loss", Y: []float64{0, -1}}, LogY()) },
		"empty":    func() { LinesBundle("empty", nil, Series{Name: "loss", Y: []float64{}}, LogY()) },
		"curve": func() {
			c := NewCurve("c", LogY())
			c.series = []*curveSeries{{name: "loss", x: []float64{0}, y: []float64{0}}}
			c.bundle()
		},
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), "LogY needs a positive value") || !strings.Contains(fmt.Sprint(r), `"loss"`) {
					t.Errorf("%s: recovered %v, want a LogY error naming the series", name, r)
				}
			}()
			f()
		}()
	}
}
