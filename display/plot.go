package display

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/godl-dev/godl/internal/option"
)

// PlotOption changes how a plot is drawn. Pass options among the series
// of Lines and Scatter, or after the data of the other plot functions.
type PlotOption = option.Option[plotConfig]

type plotConfig struct {
	width, height  int // display size in CSS pixels
	svg            bool
	xLabel, yLabel string
	bins           int
	logY           bool
	cols           int // Images grid columns; 0 = about square

	rowLabels, colLabels []string // Heatmap
	captions             []string // Images, one per tile
	captionColors        []color.Color
}

func defaultConfig() plotConfig {
	return plotConfig{width: 600, height: 400, bins: 30}
}

// configure applies opts over the defaults; every plot takes every option.
func configure(opts []PlotOption) plotConfig {
	c := defaultConfig()
	if err := option.Set("plot", &c, opts); err != nil {
		panic(fmt.Errorf("display: %v", err))
	}
	return c
}

// plotOption makes the plot option called name.
func plotOption(name string, set func(*plotConfig)) PlotOption { return option.New(name, set) }

// AsSVG renders the plot as SVG instead of PNG.
func AsSVG() PlotOption { return plotOption("AsSVG", func(c *plotConfig) { c.svg = true }) }

// Size sets the displayed size in pixels (default 600×400). PNGs are drawn
// at twice that resolution so they stay sharp on high-density screens.
func Size(width, height int) PlotOption {
	return plotOption("Size", func(c *plotConfig) { c.width, c.height = max(width, 16), max(height, 16) })
}

// XLabel and YLabel name the axes.
func XLabel(s string) PlotOption { return plotOption("XLabel", func(c *plotConfig) { c.xLabel = s }) }

// YLabel names the vertical axis.
func YLabel(s string) PlotOption { return plotOption("YLabel", func(c *plotConfig) { c.yLabel = s }) }

// LogY uses a logarithmic vertical axis (all values must be positive).
func LogY() PlotOption { return plotOption("LogY", func(c *plotConfig) { c.logY = true }) }

// Bins sets the number of histogram bins (default 30).
func Bins(n int) PlotOption { return plotOption("Bins", func(c *plotConfig) { c.bins = max(n, 1) }) }

// pixelsPerInch is the CSS pixel density; plot sizes are given in pixels.
const pixelsPerInch = 96

// palette is matplotlib's tab10, so plots look as users expect.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
}

func seriesColor(i int) color.Color { return palette[i%len(palette)] }

// newPlot makes a plot with a title, axis labels and a light grid.
func newPlot(title string, c plotConfig) *plot.Plot {
	p := newFrame(title, c)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xd8}
	g.Horizontal.Color = color.Gray{Y: 0xd8}
	p.Add(g)
	return p
}

// newFrame makes a plot with a title and axis labels, in sans-serif type.
func newFrame(title string, c plotConfig) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = c.xLabel
	p.Y.Label.Text = c.yLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	if c.logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	// Sans-serif text, as in matplotlib; the plot's defaults are serif.
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font,
		&p.Y.Label.TextStyle.Font, &p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Variant = "Sans"
	}
	p.Title.Padding = vg.Points(6)
	p.Legend.Top = true
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), -vg.Points(4)
	return p
}

// renderPlot draws p as PNG (twice the display size, with the display
// size as metadata) or as SVG, with text as the text/plain fallback.
func renderPlot(p *plot.Plot, c plotConfig, text string) (data, metadata map[string]any) {
	if c.logY {
		fitLogRange(&p.Y)
	}
	return renderFigure(c, text, p.Draw)
}

// renderFigure runs draw on a canvas of the configured size, with a
// margin so the last tick label and the title are not cut at the edge,
// and encodes it as renderPlot does.
func renderFigure(c plotConfig, text string, drawFig func(draw.Canvas)) (data, metadata map[string]any) {
	w := vg.Length(c.width) * vg.Inch / pixelsPerInch
	h := vg.Length(c.height) * vg.Inch / pixelsPerInch
	m := vg.Points(8)
	padded := func(canvas vg.CanvasSizer) draw.Canvas {
		return draw.Crop(draw.New(canvas), m, -m, m/2, -m/2)
	}
	var buf bytes.Buffer
	if c.svg {
		canvas := vgsvg.New(w, h)
		drawFig(padded(canvas))
		if _, err := canvas.WriteTo(&buf); err != nil {
			panic(fmt.Errorf("display: drawing SVG: %w", err))
		}
		return map[string]any{MIMEText: text, MIMESVG: buf.String()}, map[string]any{}
	}
	canvas := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(2*pixelsPerInch))
	drawFig(padded(canvas))
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		panic(fmt.Errorf("display: drawing PNG: %w", err))
	}
	return map[string]any{MIMEText: text, MIMEPNG: buf.Bytes()}, imageMetadata(MIMEPNG, c.width, c.height)
}

// fitLogRange widens a log axis whose data is a single value: the plot
// package would pad it by ±1, past zero, and refuse to draw.
func fitLogRange(a *plot.Axis) {
	if a.Min <= 0 || a.Min > a.Max {
		panic(fmt.Errorf("display: LogY needs positive values, the axis spans %g to %g", a.Min, a.Max))
	}
	if a.Min == a.Max {
		a.Min, a.Max = a.Min/2, a.Max*2
	}
}

// imageMetadata is the per-MIME-type size Jupyter reads to show an image
// at width×height CSS pixels. map[string]int travels through gob without
// registration.
func imageMetadata(mime string, width, height int) map[string]any {
	return map[string]any{mime: map[string]int{"width": width, "height": height}}
}

// Lines shows a line plot of several named series over x:
//
//	display.Lines("activations", x, display.Series{"relu", y1}, display.Series{"tanh", y2})
//	display.Lines("loss", nil, map[string][]float64{"train": tr, "val": va}, display.YLabel("loss"))
//
// x is a []float64, []float32, []int, a 1-D tensor, or nil for 0, 1, 2,
// ... Each series argument is a Series, a []Series, a map from name to
// values (one series per key, sorted by name) or bare values (named y1,
// y2, ...); PlotOption values may be mixed in. Lines panics on misuse.
func Lines(title string, x any, series ...any) {
	Publish(LinesBundle(title, x, series...))
}

// LinesBundle is Lines without showing it: it returns the MIME bundle.
func LinesBundle(title string, x any, series ...any) (data, metadata map[string]any) {
	return xyBundle("line plot", title, x, series, true)
}

// Scatter shows the series as points; it takes the same arguments as Lines.
func Scatter(title string, x any, series ...any) {
	Publish(ScatterBundle(title, x, series...))
}

// ScatterBundle is Scatter without showing it.
func ScatterBundle(title string, x any, series ...any) (data, metadata map[string]any) {
	return xyBundle("scatter plot", title, x, series, false)
}

func xyBundle(kind, title string, x any, args []any, lines bool) (map[string]any, map[string]any) {
	named, opts := plotArgs(args)
	c := configure(opts)
	ss := make([]xySeries, len(named))
	var names []string
	for i, s := range named {
		ss[i] = xySeries{s.name, xValues(x, len(s.y)), s.y}
		names = append(names, s.name)
	}
	p := xyPlot(title, c, ss, lines)
	n := 0
	if len(ss) > 0 {
		n = len(ss[0].y)
	}
	text := fmt.Sprintf("%s %q: %d series (%s), %d points", kind, title, len(ss), strings.Join(names, ", "), n)
	return renderPlot(p, c, text)
}

// xySeries is one named series of points.
type xySeries struct {
	name string
	x, y []float64
}

// xyPlot draws series as lines or points: the plot of Lines, Scatter and
// Curve. An axis whose values are all whole numbers (steps, epochs)
// ticks whole numbers.
func xyPlot(title string, c plotConfig, ss []xySeries, lines bool) *plot.Plot {
	if c.logY {
		checkLogY(ss)
	}
	p := newPlot(title, c)
	var xs, ys [][]float64
	for i, s := range ss {
		xs, ys = append(xs, s.x), append(ys, s.y)
		xy := xys(s.x, s.y, c.logY)
		col := seriesColor(i)
		if lines {
			l, err := plotter.NewLine(xy)
			if err != nil {
				panic(fmt.Errorf("display: series %q: %w", s.name, err))
			}
			l.Color, l.Width = col, vg.Points(1.5)
			p.Add(l)
			p.Legend.Add(s.name, l)
			continue
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			panic(fmt.Errorf("display: series %q: %w", s.name, err))
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Radius = col, vg.Points(2)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	p.X.Tick.Marker = niceTicks{integer: allIntegers(xs...)}
	if !c.logY {
		p.Y.Tick.Marker = niceTicks{integer: allIntegers(ys...)}
	}
	return p
}

// checkLogY refuses a log axis with no positive value to show, naming
// the series; points at or below zero are left out of a log plot (as
// matplotlib masks them), so one positive value is enough.
func checkLogY(ss []xySeries) {
	var names []string
	for _, s := range ss {
		for _, v := range s.y {
			if v > 0 && finite(v) {
				return
			}
		}
		names = append(names, fmt.Sprintf("%q", s.name))
	}
	if len(names) == 0 {
		panic(fmt.Errorf("display: LogY needs a positive value to show, but there is no data"))
	}
	panic(fmt.Errorf("display: LogY needs a positive value to show, but series %s %s none (a log axis cannot show values <= 0)",
		strings.Join(names, ", "), map[bool]string{true: "has", false: "have"}[len(names) == 1]))
}

// xys pairs x and y, leaving out points that are not finite (a loss
// that diverged), which the plotter would refuse, and on a log axis
// points at or below zero.
func xys(x, y []float64, logY bool) plotter.XYs {
	xy := make(plotter.XYs, 0, len(y))
	for j := range y {
		if finite(x[j]) && finite(y[j]) && (!logY || y[j] > 0) {
			xy = append(xy, plotter.XY{X: x[j], Y: y[j]})
		}
	}
	return xy
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Histogram shows the distribution of values (a slice or a tensor of any
// shape); Bins(n) sets the number of bins.
func Histogram(title string, values any, opts ...PlotOption) {
	Publish(HistogramBundle(title, values, opts...))
}

// HistogramBundle is Histogram without showing it.
func HistogramBundle(title string, values any, opts ...PlotOption) (data, metadata map[string]any) {
	vs := mustFloats(values)
	c := configure(opts)
	p := newPlot(title, c)
	p.Legend.Top = false
	if len(vs) > 0 {
		h, err := plotter.NewHist(plotter.Values(vs), c.bins)
		if err != nil {
			panic(fmt.Errorf("display: histogram: %w", err))
		}
		h.FillColor = palette[0]
		h.LineStyle.Color = color.White
		p.Add(h)
	}
	p.Y.Tick.Marker = niceTicks{integer: true} // counts
	text := fmt.Sprintf("histogram %q: %d values, %d bins", title, len(vs), c.bins)
	return renderPlot(p, c, text)
}

// sansFont is the plots' sans-serif type at size.
func sansFont(size vg.Length) font.Font {
	return font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, size)
}
