package display

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxValueSide is the largest number of rows or columns whose cells get
// their value written in them; past it the text would not fit.
const maxValueSide = 20

// Tick labels are laid out before the plot is drawn, from estimates in
// CSS pixels of the room they get.
const (
	labelMarginX = 160 // of the width: row labels, axis label, colour bar
	labelMarginY = 80  // of the height: title, column labels, axis label
	labelPitch   = 16  // a line of label text, across the line
)

// RowLabels names the rows of a Heatmap, top to bottom (one per row).
func RowLabels(labels ...string) PlotOption {
	return plotOption("RowLabels", func(c *plotConfig) { c.rowLabels = labels })
}

// ColLabels names the columns of a Heatmap, left to right (one per
// column).
func ColLabels(labels ...string) PlotOption {
	return plotOption("ColLabels", func(c *plotConfig) { c.colLabels = labels })
}

// matrix is a 2-D grid of values, row-major.
type matrix struct {
	rows, cols int
	v          []float64
}

func (m matrix) at(r, c int) float64 { return m.v[r*m.cols+c] }

// toMatrix accepts a 2-D tensor (any dtype) or [][]float64, [][]float32,
// [][]int.
func toMatrix(v any) matrix {
	switch x := v.(type) {
	case dataTensor:
		s := x.Shape()
		if len(s) != 2 {
			panic(fmt.Errorf("display: Heatmap wants a 2-D tensor, got shape %v", s))
		}
		return matrix{s[0], s[1], mustFloats(x)}
	case [][]float64:
		return rowsMatrix(x)
	case [][]float32:
		return rowsMatrix(mapRows(x))
	case [][]int:
		return rowsMatrix(mapRows(x))
	}
	panic(fmt.Errorf("display: Heatmap wants a 2-D tensor or [][]float64, got %T", v))
}

func mapRows[E float32 | int](rs [][]E) [][]float64 {
	out := make([][]float64, len(rs))
	for i, r := range rs {
		out[i] = mustFloats(r)
	}
	return out
}

func rowsMatrix(rs [][]float64) matrix {
	m := matrix{rows: len(rs)}
	if len(rs) > 0 {
		m.cols = len(rs[0])
	}
	for i, r := range rs {
		if len(r) != m.cols {
			panic(fmt.Errorf("display: Heatmap row %d has %d values, row 0 has %d", i, len(r), m.cols))
		}
		m.v = append(m.v, r...)
	}
	return m
}

// Heatmap shows a 2-D tensor (or [][]float64) as a colour map, row 0 at
// the top as a matrix is written: weights, attention, confusion matrices.
// Colours run through viridis (dark purple for the minimum, yellow for
// the maximum) with a colour bar for the scale; NaN cells are grey.
// RowLabels and ColLabels name the rows and columns (indices otherwise);
// a matrix of at most 20×20 has its values written in the cells, in black
// or white, whichever reads better on the cell.
func Heatmap(title string, m any, opts ...PlotOption) { Publish(HeatmapBundle(title, m, opts...)) }

// HeatmapBundle is Heatmap without showing it.
func HeatmapBundle(title string, m any, opts ...PlotOption) (data, metadata map[string]any) {
	g := toMatrix(m)
	c := configure(append([]PlotOption{XLabel("column"), YLabel("row")}, opts...))
	lo, hi := minMax(g.v)
	text := fmt.Sprintf("heatmap %q: %d×%d, min %.4g, max %.4g", title, g.rows, g.cols, lo, hi)
	return heatmapFigure("Heatmap", title, g, c, text)
}

// heatmapFigure draws g as coloured cells with tick labels, values and a
// colour bar: the picture of Heatmap and Confusion.
func heatmapFigure(op, title string, g matrix, c plotConfig, txt string) (data, metadata map[string]any) {
	if g.rows == 0 || g.cols == 0 {
		panic(fmt.Errorf("display: %s of an empty %d×%d matrix", op, g.rows, g.cols))
	}
	for _, l := range []struct {
		what   string
		labels []string
		n      int
	}{{"RowLabels", c.rowLabels, g.rows}, {"ColLabels", c.colLabels, g.cols}} {
		if l.labels != nil && len(l.labels) != l.n {
			panic(fmt.Errorf("display: %s: %s has %d labels for %d×%d values", op, l.what, len(l.labels), g.rows, g.cols))
		}
	}
	p := newFrame(title, c)
	p.Legend.Top = false
	p.X.Min, p.X.Max = 0, float64(g.cols)
	p.Y.Min, p.Y.Max = 0, float64(g.rows)
	p.X.Padding, p.Y.Padding = 0, 0
	lo, hi := minMax(g.v)
	cells := &heatCells{m: g, lo: lo, hi: hi, values: g.rows <= maxValueSide && g.cols <= maxValueSide}
	cells.format = valueFormat(g.v)
	p.Add(cells)
	// Tick labels at cell centres. A given label wider than its column
	// turns; indices are thinned instead.
	estW := float64(c.width-labelMarginX) / float64(g.cols) // a column's width
	xLabels := cellLabels(g.cols, c.colLabels)
	widest := 0.0
	for _, l := range xLabels {
		widest = math.Max(widest, float64(p.X.Tick.Label.Width(l)/vg.Inch*pixelsPerInch))
	}
	xSpace := widest + 8
	if c.colLabels != nil && widest > 0.9*estW {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YTop
		xSpace = labelPitch
	}
	p.X.Tick.Marker = cellTicks(xLabels, false, float64(c.width-labelMarginX)/xSpace)
	p.Y.Tick.Marker = cellTicks(cellLabels(g.rows, c.rowLabels), true, float64(c.height-labelMarginY)/labelPitch)
	bar := newColorBar(lo, hi, allIntegers(g.v), p.Y.Tick.Label)
	return renderFigure(c, txt, func(dc draw.Canvas) {
		main := draw.Crop(dc, 0, -bar.width, 0, 0)
		p.Draw(main)
		bar.draw(dc, p.DataCanvas(main))
	})
}

// cellLabels are the given labels, or the indices 0..n-1.
func cellLabels(n int, given []string) []string {
	if given != nil {
		return given
	}
	ls := make([]string, n)
	for i := range ls {
		ls[i] = strconv.Itoa(i)
	}
	return ls
}

// cellTicks puts labels at the centres of cells 0..n-1 (from the top for
// rows, which the y axis counts from the bottom), every 1st, 2nd, 5th,
// 10th, ... cell so that at most room labels are written.
func cellTicks(labels []string, rows bool, room float64) plot.ConstantTicks {
	n := len(labels)
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		step = s
		if float64(n)/float64(s) <= math.Max(room, 2) {
			break
		}
	}
	var ts plot.ConstantTicks
	for i := 0; i < n; i += step {
		v := float64(i) + 0.5
		if rows {
			v = float64(n-i) - 0.5
		}
		ts = append(ts, plot.Tick{Value: v, Label: labels[i]})
	}
	return ts
}

// valueFormat writes cell values: whole numbers as such (counts), others
// with about three significant digits.
func valueFormat(vs []float64) func(float64) string {
	if allIntegers(vs) {
		return func(v float64) string {
			if !finite(v) {
				return strconv.FormatFloat(v, 'g', -1, 64)
			}
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
	}
	big := 0.0
	for _, v := range vs {
		if finite(v) {
			big = math.Max(big, math.Abs(v))
		}
	}
	verb, prec := byte('f'), 2
	switch {
	case big >= 1000 || (big < 0.01 && big > 0):
		verb = 'g'
	case big >= 100:
		prec = 0
	case big >= 10:
		prec = 1
	}
	return func(v float64) string { return strconv.FormatFloat(v, verb, prec, 64) }
}

// heatCells is the plotter of the matrix: one raster of the cells (drawn
// at the output's resolution, so cells stay sharp and have no seams) and
// the values written on it.
type heatCells struct {
	m      matrix
	lo, hi float64
	values bool
	format func(float64) string
}

// DataRange puts cell (r, c) at [c, c+1] × [rows-r-1, rows-r].
func (h *heatCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, float64(h.m.cols), 0, float64(h.m.rows)
}

// color is the colour of value v.
func (h *heatCells) color(v float64) color.RGBA {
	if h.hi == h.lo {
		if math.IsNaN(v) {
			return nanColor
		}
		return viridis(0.5)
	}
	return viridis((v - h.lo) / (h.hi - h.lo))
}

func (h *heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	rows, cols := h.m.rows, h.m.cols
	rect := vg.Rectangle{
		Min: vg.Point{X: trX(0), Y: trY(0)},
		Max: vg.Point{X: trX(float64(cols)), Y: trY(float64(rows))},
	}
	w, ht := rasterSize(rect)
	colors := make([]color.RGBA, len(h.m.v))
	for i, v := range h.m.v {
		colors[i] = h.color(v)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, ht))
	for py := range ht {
		r := py * rows / ht
		for px := range w {
			img.SetRGBA(px, py, colors[r*cols+px*cols/w])
		}
	}
	c.DrawImage(rect, img)
	if h.values {
		h.writeValues(c, rect, colors)
	}
}

// rasterSize is the size in pixels of an image that fills rect at the
// PNG's resolution. Its aspect is the rectangle's, which SVG viewers need:
// they fit an image into its box keeping the image's aspect.
func rasterSize(rect vg.Rectangle) (w, h int) {
	dots := func(l vg.Length) int { return max(1, int(math.Round(l.Dots(2*pixelsPerInch)))) }
	return dots(rect.Size().X), dots(rect.Size().Y)
}

// writeValues writes each value centred in its cell, as large as fits
// (at most 10 pt), or nothing when even 5 pt would not fit.
func (h *heatCells) writeValues(c draw.Canvas, rect vg.Rectangle, colors []color.RGBA) {
	rows, cols := h.m.rows, h.m.cols
	cw, ch := rect.Size().X/vg.Length(cols), rect.Size().Y/vg.Length(rows)
	sty := cellTextStyle(vg.Points(10))
	texts := make([]string, len(h.m.v))
	widest := vg.Length(0)
	for i, v := range h.m.v {
		texts[i] = h.format(v)
		widest = max(widest, sty.Width(texts[i]))
	}
	size := min(vg.Points(10), ch*0.5)
	if widest > 0 {
		size = min(size, vg.Points(10)*cw*0.85/widest)
	}
	if size < vg.Points(5) {
		return
	}
	sty = cellTextStyle(size)
	for r := range rows {
		for col := range cols {
			i := r*cols + col
			sty.Color = textColorOn(colors[i])
			at := vg.Point{X: rect.Min.X + cw*(vg.Length(col)+0.5), Y: rect.Max.Y - ch*(vg.Length(r)+0.5)}
			c.FillText(sty, at, texts[i])
		}
	}
}

func cellTextStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    sansFont(size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
}

// colorBar is the scale beside a heatmap: the colours from the minimum
// (bottom) to the maximum (top), with ticks.
type colorBar struct {
	lo, hi float64
	ticks  []plot.Tick
	style  text.Style
	width  vg.Length // room it takes right of the plot
}

const (
	barGap  = 10 // points between the plot area and the bar
	barSize = 12 // points, the bar's width
	barTick = 3  // points, tick length
)

func newColorBar(lo, hi float64, integer bool, sty text.Style) colorBar {
	b := colorBar{lo: lo, hi: hi, style: sty}
	b.style.XAlign, b.style.YAlign, b.style.Rotation = draw.XLeft, draw.YCenter, 0
	if hi > lo {
		for _, t := range (niceTicks{integer: integer}).Ticks(lo, hi) {
			if !t.IsMinor() && t.Value >= lo-1e-9*(hi-lo) && t.Value <= hi+1e-9*(hi-lo) {
				b.ticks = append(b.ticks, t)
			}
		}
	} else {
		b.ticks = []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	labels := vg.Length(0)
	for _, t := range b.ticks {
		labels = max(labels, b.style.Width(t.Label))
	}
	b.width = vg.Points(barGap+barSize+barTick+3+2) + labels
	return b
}

// draw puts the bar right of the data area da, as tall as it.
func (b colorBar) draw(dc draw.Canvas, da draw.Canvas) {
	x0 := da.Max.X + vg.Points(barGap)
	x1 := x0 + vg.Points(barSize)
	y0, y1 := da.Min.Y, da.Max.Y
	rect := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
	w, h := rasterSize(rect)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		c := viridis(1 - float64(y)/float64(max(h-1, 1)))
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	dc.DrawImage(rect, img)
	line := draw.LineStyle{Color: color.Gray{Y: 0x40}, Width: vg.Points(0.5)}
	dc.StrokeLines(line, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
	for _, t := range b.ticks {
		y := (y0 + y1) / 2
		if b.hi > b.lo {
			y = y0 + (y1-y0)*vg.Length((t.Value-b.lo)/(b.hi-b.lo))
		}
		dc.StrokeLine2(line, x1, y, x1+vg.Points(barTick), y)
		dc.FillText(b.style, vg.Point{X: x1 + vg.Points(barTick+3), Y: y}, t.Label)
	}
}
