// Command chart draws the benchmark's summary chart: for each workload, a bar
// per rival of godl's speed over that rival's, on a log₂ axis centred on 1×
// (right: godl faster; left: the rival faster). bench/run.py writes its input:
//
//	{"title": "...", "series": [{"label": "vs PyTorch 2.15.0"}, ...],
//	 "rows": [{"label": "MLP epoch", "values": [0.4, 1.2]}, ...]}
//
// A null value leaves its bar out.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

type input struct {
	Title  string   `json:"title"`
	Series []series `json:"series"`
	Rows   []row    `json:"rows"`
}

// A series is one rival: a bar in every row.
type series struct {
	Label string `json:"label"`
}

// A row is one workload: godl's speed over each series' rival (nil: none).
type row struct {
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}

// palette gives each rival its colour (PyTorch 2 first).
var palette = []color.Color{
	color.RGBA{R: 0xd6, G: 0x4f, B: 0x2a, A: 0xff},
	color.RGBA{R: 0x4c, G: 0x72, B: 0xb0, A: 0xff},
	color.RGBA{R: 0x55, G: 0xa8, B: 0x68, A: 0xff},
}

func main() {
	in := flag.String("in", "", "chart data (JSON)")
	out := flag.String("out", "benchmarks.png", "PNG to write")
	flag.Parse()
	b, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	var d input
	if err := json.Unmarshal(b, &d); err != nil {
		fail(fmt.Errorf("%s: %w", *in, err))
	}
	img, err := render(d)
	if err != nil {
		fail(err)
	}
	if err := writePNG(img, *out); err != nil {
		fail(err)
	}
}

// render draws the chart of d.
func render(d input) (*vgimg.Canvas, error) {
	p := plot.New()
	p.Title.Text = d.Title
	p.X.Label.Text = "godl ÷ PyTorch (log scale)"
	// Rows top to bottom in the order given (the nominal axis counts
	// upwards), under an empty row for the legend.
	n := len(d.Rows)
	labels := make([]string, n+1)
	for i, r := range d.Rows {
		labels[n-1-i] = r.Label
	}
	barH := vg.Points(9)
	lo, hi := -1.0, 1.0
	for s, ser := range d.Series {
		vals := make(plotter.Values, n+1)
		for i, r := range d.Rows {
			if s < len(r.Values) && r.Values[s] != nil && *r.Values[s] > 0 {
				v := math.Log2(*r.Values[s])
				vals[n-1-i] = v
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		bars, err := plotter.NewBarChart(vals, barH)
		if err != nil {
			return nil, err
		}
		bars.Horizontal = true
		bars.Color = palette[s%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = barH * vg.Length(float64(len(d.Series)-1)/2-float64(s))
		p.Add(bars)
		p.Legend.Add(ser.Label, bars)
	}
	grid := plotter.NewGrid()
	grid.Horizontal.Width = 0
	p.Add(grid)
	// The line of parity, 1×.
	even, err := plotter.NewLine(plotter.XYs{{X: 0, Y: -0.5}, {X: 0, Y: float64(n) + 0.5}})
	if err != nil {
		return nil, err
	}
	even.Width = vg.Points(1)
	p.Add(even)
	p.X.Min, p.X.Max = math.Floor(lo)-0.25, math.Ceil(hi)+0.25
	p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ts []plot.Tick
		for k := math.Ceil(min); k <= max; k++ {
			ts = append(ts, plot.Tick{Value: k, Label: fmt.Sprintf("%g×", math.Exp2(k))})
		}
		return ts
	})
	p.NominalY(labels...)
	p.Legend.Top = true
	p.Legend.Left = false
	h := vg.Length(n+1)*barH*(vg.Length(len(d.Series))+1.5) + 1.5*vg.Inch
	// A margin on the left: the row labels' measured width falls a little
	// short of the drawn one.
	img := vgimg.New(9*vg.Inch, h)
	p.Draw(draw.Crop(draw.New(img), vg.Points(8), 0, 0, 0))
	return img, nil
}

func writePNG(img *vgimg.Canvas, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "chart:", err)
	os.Exit(1)
}
